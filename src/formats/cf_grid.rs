//! Regular latitude/longitude grids: NASA OBPG Level-3 mapped files
//! (formats.md s3: 1-D `lat` north to south, `lon`, one variable per
//! product) and CF gridded files with Rrs variables (the project's own L3
//! outputs, OC-CCI `Rrs_NNN`, CMEMS `RRSNNN`, formats.md s6.2). Variables
//! are (lat, lon) or (time, lat, lon) with a time axis of length 1.

use std::path::{Path, PathBuf};

use super::nc::{self, read_decoded, read_decoded_at, text};
use super::obpg_l2::RRS_UNITS;
use super::{resolve_sensor, Block, Granule, GranuleInfo, Layout};
use crate::error::{Error, Result};

/// Nominal wavelength of a gridded Rrs variable: `Rrs_443` (OBPG, OC-CCI)
/// or `RRS443` (CMEMS).
fn rrs_band(name: &str) -> Option<u16> {
    name.strip_prefix("Rrs_").or_else(|| name.strip_prefix("RRS")).and_then(|d| d.parse().ok())
}

/// Names of the 1-D latitude and longitude coordinate variables, identified
/// by CF standard_name or units, else by the usual names.
pub fn find_axes(file: &netcdf::File) -> Option<(String, String)> {
    let find = |std: &str, units: &str, names: &[&str]| {
        file.variables()
            .filter(|v| v.dimensions().len() == 1)
            .find(|v| {
                text(v.attribute_value("standard_name")).as_deref() == Some(std)
                    || text(v.attribute_value("units")).as_deref() == Some(units)
                    || names.contains(&v.name().as_str())
            })
            .map(|v| v.name())
    };
    Some((find("latitude", "degrees_north", &["lat", "latitude"])?, find("longitude", "degrees_east", &["lon", "longitude"])?))
}

pub struct Gridded {
    info: GranuleInfo,
    file: netcdf::File,
    /// Variable name and number of leading singleton dimensions per band.
    vars: Vec<(u16, String, usize)>,
}

impl Gridded {
    pub fn open(path: &Path, file: netcdf::File, sensor: Option<&str>) -> Result<Self> {
        let attr = |n: &str| text(file.attribute(n).map(|a| a.value())).unwrap_or_default();
        let (lat_name, lon_name) = find_axes(&file).expect("checked by formats::open");
        let (sensor, sensor_from) = resolve_sensor(path, sensor, &attr("instrument"), &attr("platform"))?;
        let read_axis = |name: &str| -> Result<Vec<f32>> {
            let v = nc::variable(path, &file, name, "coordinate")?;
            read_decoded(path, &v, 0, v.len())
        };
        let (lat, lon) = (read_axis(&lat_name)?, read_axis(&lon_name)?);
        let mut vars = Vec::new();
        let mut others = Vec::new();
        for v in file.variables() {
            let dims: Vec<String> = v.dimensions().iter().map(|d| d.name()).collect();
            let lead = dims.len().saturating_sub(2);
            let on_grid = dims.len() >= 2 && dims[lead..] == [lat_name.clone(), lon_name.clone()] && v.dimensions()[..lead].iter().all(|d| d.len() == 1);
            if !on_grid {
                continue;
            }
            match rrs_band(&v.name()).filter(|&nm| sensor.band(nm).is_ok()) {
                Some(nm) => {
                    nc::check_units(path, &v, RRS_UNITS, "Rrs")?;
                    vars.push((nm, v.name(), lead));
                }
                None => others.push(v.name()),
            }
        }
        vars.sort();
        let mut attributes: Vec<(String, String)> = ["title", "instrument", "platform", "processing_level", "l2_flag_names"]
            .iter()
            .map(|k| (k.to_string(), attr(k)))
            .filter(|kv| !kv.1.is_empty())
            .collect();
        attributes.push(("other gridded variables".into(), others.join(", ")));
        let info = GranuleInfo {
            path: PathBuf::from(path),
            format: "Level-3 mapped / CF grid",
            sensor,
            sensor_from,
            rows: lat.len(),
            cols: lon.len(),
            layout: Layout::Grid { lat, lon },
            bands: vars.iter().map(|v| v.0).collect(),
            time_coverage_start: Some(attr("time_coverage_start")).filter(|s| !s.is_empty()),
            time_coverage_end: Some(attr("time_coverage_end")).filter(|s| !s.is_empty()),
            flags_applied: "none at pixel level (a Level-3 grid carries the producer's masking)".into(),
            attributes,
        };
        Ok(Gridded { info, file, vars })
    }
}

impl Granule for Gridded {
    fn info(&self) -> &GranuleInfo {
        &self.info
    }

    fn read_block(&self, row0: usize, nrows: usize, bands: &[u16]) -> Result<Block> {
        let path = &self.info.path;
        let mut rrs = Vec::with_capacity(bands.len());
        for &nm in bands {
            let (_, name, lead) = self.vars.iter().find(|v| v.0 == nm).ok_or_else(|| Error::file(path, format!("has no Rrs variable for {nm} nm")))?;
            let v = nc::variable(path, &self.file, name, "")?;
            rrs.push((nm, read_decoded_at(path, &v, *lead, row0, nrows)?));
        }
        Ok(Block { row0, nrows, rrs, ..Default::default() })
    }
}
