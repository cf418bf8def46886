//! NASA OBPG Level-2 ocean-colour netCDF-4 (formats.md s1): groups
//! `geophysical_data` (`Rrs_NNN`, packed int16 with scale_factor /
//! add_offset / _FillValue and packed valid_min/max; `l2_flags` int32 with
//! flag_masks / flag_meanings) and `navigation_data` (latitude, longitude);
//! the sensor from the global `instrument` / `platform` attributes.

use std::path::{Path, PathBuf};

use super::flags::{FlagConfig, FlagRule, FlagTable};
use super::nc::{self, check_units, read_decoded, text, Packing};
use super::{resolve_sensor, Block, Granule, GranuleInfo, Layout};
use crate::error::{Error, Result};

/// Spellings of sr-1 accepted on Rrs variables (OBPG writes "sr^-1").
pub const RRS_UNITS: &[&str] = &["sr^-1", "sr-1", "1/sr", "sr**-1"];

pub struct ObpgL2 {
    info: GranuleInfo,
    file: netcdf::File,
    rule: FlagRule,
}

/// Nominal wavelength of an `Rrs_NNN` variable name.
pub fn rrs_band(name: &str) -> Option<u16> {
    name.strip_prefix("Rrs_").and_then(|d| d.parse().ok())
}

impl ObpgL2 {
    pub fn open(path: &Path, file: netcdf::File, sensor: Option<&str>, flags: &FlagConfig) -> Result<Self> {
        let attr = |n: &str| text(file.attribute(n).map(|a| a.value())).unwrap_or_default();
        let (sensor, sensor_from) = resolve_sensor(path, sensor, &attr("instrument"), &attr("platform"))?;
        let geo = file.group("geophysical_data").ok().flatten().expect("checked by formats::open");
        let mut bands = Vec::new();
        for var in geo.variables() {
            let Some(nm) = rrs_band(&var.name()) else { continue };
            if sensor.band(nm).is_err() {
                log::warn!("{}: {} is not a band of {}; ignored", path.display(), var.name(), sensor.name);
                continue;
            }
            check_units(path, &var, RRS_UNITS, "Rrs")?;
            let p = Packing::of(&var);
            if p.integer && p.scale.is_none() {
                return Err(Error::file(path, format!("{} is stored as {} without scale_factor: cannot unpack it to Rrs", var.name(), p.stored)));
            }
            if !p.integer && p.stored != "f32" && p.stored != "f64" {
                return Err(Error::file(path, format!("{} is stored as {}, not a numeric type", var.name(), p.stored)));
            }
            bands.push(nm);
        }
        bands.sort_unstable();
        if bands.is_empty() {
            return Err(Error::file(path, "has no Rrs_NNN variable in geophysical_data"));
        }
        let first = geo.variable(&format!("Rrs_{}", bands[0])).expect("listed above");
        let dims: Vec<usize> = first.dimensions().iter().map(|d| d.len()).collect();
        let [rows, cols] = dims[..] else {
            return Err(Error::file(path, format!("Rrs_{} has {} dimensions, expected 2 (lines, pixels)", bands[0], dims.len())));
        };
        for name in ["navigation_data/latitude", "navigation_data/longitude"] {
            let v = nc::variable(path, &file, name, "geolocation")?;
            let d: Vec<usize> = v.dimensions().iter().map(|d| d.len()).collect();
            if d != [rows, cols] {
                return Err(Error::file(path, format!("{name} has shape {d:?}, Rrs has [{rows}, {cols}]")));
            }
        }
        let l2 = nc::variable(path, &file, "geophysical_data/l2_flags", "quality flags")?;
        let masks = nc::masks(l2.attribute_value("flag_masks")).ok_or_else(|| Error::file(path, "l2_flags has no integer flag_masks attribute"))?;
        let meanings = text(l2.attribute_value("flag_meanings")).ok_or_else(|| Error::file(path, "l2_flags has no flag_meanings attribute"))?;
        let table = FlagTable::new(&masks, &meanings).map_err(|e| Error::file(path, format!("l2_flags: {e}")))?;
        let rule = FlagRule { exclude: table.mask_of(&flags.obpg_l2_exclude).map_err(|e| Error::file(path, format!("l2_flags: {e}")))?, require_any: 0 };
        let keep = ["title", "instrument", "platform", "processing_version", "product_name", "processing_level"];
        let attributes = keep.iter().map(|k| (k.to_string(), attr(k))).filter(|kv| !kv.1.is_empty()).collect();
        let info = GranuleInfo {
            path: PathBuf::from(path),
            format: "NASA OBPG Level-2",
            sensor,
            sensor_from,
            rows,
            cols,
            layout: Layout::Swath,
            bands,
            time_coverage_start: Some(attr("time_coverage_start")).filter(|s| !s.is_empty()),
            time_coverage_end: Some(attr("time_coverage_end")).filter(|s| !s.is_empty()),
            flags_applied: format!("l2_flags excluding {} (mask 0x{:08X})", flags.obpg_l2_exclude.join(" "), rule.exclude),
            attributes,
        };
        Ok(ObpgL2 { info, file, rule })
    }
}

impl Granule for ObpgL2 {
    fn info(&self) -> &GranuleInfo {
        &self.info
    }

    fn read_block(&self, row0: usize, nrows: usize, bands: &[u16]) -> Result<Block> {
        let path = &self.info.path;
        let var = |name: &str| nc::variable(path, &self.file, name, "");
        let flags_var = var("geophysical_data/l2_flags")?;
        let flags: Vec<i32> = flags_var
            .get_values::<i32, _>(vec![netcdf::Extent::from(row0..row0 + nrows), netcdf::Extent::from(..)])
            .map_err(|e| Error::file(path, format!("reading l2_flags: {e}")))?;
        let excluded: Vec<bool> = flags.iter().map(|&f| self.rule.excludes(f as u32 as u64)).collect();
        let mut rrs = Vec::with_capacity(bands.len());
        for &nm in bands {
            let mut v = read_decoded(path, &var(&format!("geophysical_data/Rrs_{nm}"))?, row0, nrows)?;
            for (r, &x) in v.iter_mut().zip(&excluded) {
                if x {
                    *r = f32::NAN;
                }
            }
            rrs.push((nm, v));
        }
        Ok(Block {
            row0,
            nrows,
            rrs,
            lat: read_decoded(path, &var("navigation_data/latitude")?, row0, nrows)?,
            lon: read_decoded(path, &var("navigation_data/longitude")?, row0, nrows)?,
            bin_num: Vec::new(),
            flagged: excluded.iter().filter(|&&x| x).count(),
        })
    }
}
