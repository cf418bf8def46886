//! Regular latitude/longitude grids: NASA OBPG Level-3 mapped files
//! (formats.md s3: 1-D `lat` north to south, `lon`, one variable per
//! product), CF gridded files with Rrs variables (the project's own L3
//! outputs, OC-CCI `Rrs_NNN`, CMEMS `RRSNNN`, formats.md s6.2), and merged
//! multi-sensor products as stored (GlobColour/Copernicus Marine L3/L4
//! `CHL`, `KD490`, `SPM`; OC-CCI; Ifremer EUR-L4 OI): NetCDF-3 or netCDF-4,
//! latitudes either way, longitudes in [-180, 180) or [0, 360), -999 or NaN
//! fill (`_FillValue` / `missing_value`), and a time axis (one step read at a
//! time: `NAME[YYYY-MM-DD]` or `NAME[index]`).

use std::path::{Path, PathBuf};

use super::nc::{self, read_decoded, read_decoded_at, text};
use super::obpg_l2::RRS_UNITS;
use super::{resolve_sensor, Block, Granule, GranuleInfo, Layout};
use crate::error::{Error, Result};
use crate::fusion::grid::RegularGrid;

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
        let has_rrs = file.variables().any(|v| rrs_band(&v.name()).is_some());
        let resolved = resolve_sensor(path, sensor, &attr("instrument"), &attr("platform"));
        let (sensor, sensor_from) = match resolved {
            Err(_) if sensor.is_none() && (!has_rrs || is_merged(&file)) => {
                let stored = StoredGrid::read(path, &file)?;
                return Err(Error::MergedProduct {
                    path: path.display().to_string(),
                    sensors: stored.sensors.clone(),
                    stored: stored.variables.iter().map(|v| v.name.as_str()).collect::<Vec<_>>().join(", "),
                });
            }
            r => r?,
        };
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
            f0: Vec::new(),
            simulated: nc::says_simulated(&file),
            virtual_bands: None,
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

// ------------------------------------------------------------ merged gridded products

/// Whether a file says it merges several sensors (GlobColour `sensor_name`
/// "MODISA,VIIRSN,OLCIa", OC-CCI `sensor` "MERIS,MODIS,...").
fn is_merged(file: &netcdf::File) -> bool {
    merged_sensors(file).contains(',')
}

fn merged_sensors(file: &netcdf::File) -> String {
    let attr = |n: &str| text(file.attribute(n).map(|a| a.value())).unwrap_or_default();
    ["sensor_name", "sensor", "instrument", "platform"].iter().map(|k| attr(k)).find(|v| !v.is_empty()).unwrap_or_else(|| "sensor not stated".into())
}

/// A regular grid as this library holds it (rows north to south, ascending
/// longitudes in [-180, 180)), and how the file's array maps onto it.
#[derive(Debug, Clone, PartialEq)]
pub struct RegularAxes {
    pub grid: RegularGrid,
    /// The file's latitudes run south to north: rows are flipped.
    pub flip_rows: bool,
    /// Columns moved from the end to the front after longitudes >= 180 are
    /// taken as lon - 360 (a [0, 360) file).
    pub rotate_cols: usize,
}

impl RegularAxes {
    /// The file's (lat, lon) values in the library's order.
    pub fn reorder(&self, values: Vec<f32>) -> Vec<f32> {
        if !self.flip_rows && self.rotate_cols == 0 {
            return values;
        }
        let (nlat, nlon) = (self.grid.nlat, self.grid.nlon);
        let mut out = Vec::with_capacity(values.len());
        for r in 0..nlat {
            let src = if self.flip_rows { nlat - 1 - r } else { r };
            let row = &values[src * nlon..(src + 1) * nlon];
            let k = nlon - self.rotate_cols;
            out.extend_from_slice(&row[k..]);
            out.extend_from_slice(&row[..k]);
        }
        out
    }
}

/// The regular grid of a file's 1-D latitude/longitude axes (evenly spaced).
pub fn regular_axes(path: &Path, file: &netcdf::File) -> Result<RegularAxes> {
    let (lat_name, lon_name) = find_axes(file).ok_or_else(|| Error::file(path, "has no 1-D latitude/longitude coordinates"))?;
    let axis = |n: &str| -> Result<Vec<f64>> {
        nc::variable(path, file, n, "coordinate")?.get_values::<f64, _>(..).map_err(|e| Error::file(path, format!("reading {n}: {e}")))
    };
    let (mut lat, lon) = (axis(&lat_name)?, axis(&lon_name)?);
    let step = |a: &[f64], what: &str| -> Result<f64> {
        let d = if a.len() > 1 { (a[a.len() - 1] - a[0]) / (a.len() - 1) as f64 } else { 0.0 };
        // Axes are often stored as float32: allow its rounding at the largest coordinate.
        let tol = 1e-4 * d.abs() + 2.0 * f32::EPSILON as f64 * a.iter().fold(0.0f64, |m, x| m.max(x.abs()));
        if d == 0.0 || !d.is_finite() || a.windows(2).any(|w| ((w[1] - w[0]) - d).abs() > tol) {
            return Err(Error::file(path, format!("the {what} axis is not evenly spaced: not a regular grid")));
        }
        Ok(d)
    };
    let flip_rows = step(&lat, "latitude")? > 0.0;
    if flip_rows {
        lat.reverse();
    }
    let dlat = -step(&lat, "latitude")?;
    // [0, 360) longitudes: those >= 180 are west of Greenwich.
    let wrapped: Vec<f64> = lon.iter().map(|&x| if x >= 180.0 { x - 360.0 } else { x }).collect();
    let rotate_cols = match wrapped.windows(2).position(|w| w[1] < w[0]) {
        Some(i) => wrapped.len() - (i + 1),
        None => 0,
    };
    let k = wrapped.len() - rotate_cols;
    let lon: Vec<f64> = wrapped[k..].iter().chain(&wrapped[..k]).copied().collect();
    let dlon = step(&lon, "longitude")
        .map_err(|_| Error::file(path, "the longitude axis is not evenly spaced once in [-180, 180) (a region across the dateline is not supported)"))?;
    if dlon < 0.0 {
        return Err(Error::file(path, "longitudes run east to west: not supported"));
    }
    // Float32 axes put the edges a few 1e-6 degree off the grid they were
    // made on: snap step and edges to a 1/k-degree grid when that close.
    let (dlon, dlat) = (snap_step(dlon), snap_step(dlat));
    let edge = |x: f64, d: f64| snap(x, d, 1e-3 * d);
    let grid = RegularGrid::new(
        edge(lon[0] - dlon / 2.0, dlon),
        edge(lon[lon.len() - 1] + dlon / 2.0, dlon),
        edge(lat[lat.len() - 1] - dlat / 2.0, dlat),
        edge(lat[0] + dlat / 2.0, dlat),
        dlon,
        dlat,
    )
    .map_err(|e| Error::file(path, e))?;
    Ok(RegularAxes { grid, flip_rows, rotate_cols })
}

/// `x` on the nearest multiple of `unit` when within `tol`, else `x`.
fn snap(x: f64, unit: f64, tol: f64) -> f64 {
    let k = (x / unit).round();
    if (x - k * unit).abs() <= tol {
        k * unit
    } else {
        x
    }
}

/// A step of 1/k degree (k whole) when within 1e-5 relative of one.
fn snap_step(d: f64) -> f64 {
    let k = (1.0 / d).round();
    if k >= 1.0 && ((1.0 / d) - k).abs() <= 1e-5 * k {
        1.0 / k
    } else {
        d
    }
}

/// Which step of a time axis to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeSelect {
    /// The only step (an error if there are several).
    Only,
    Index(usize),
    /// The last step at or before this date (a monthly file is stamped at the
    /// month's start, a daily one at the day).
    Date(chrono::NaiveDate),
}

/// `NAME`, `NAME[YYYY-MM-DD]` or `NAME[index]`.
pub fn parse_field_selector(spec: &str) -> Result<(String, TimeSelect)> {
    let spec = spec.trim();
    let Some((name, rest)) = spec.split_once('[') else { return Ok((spec.to_string(), TimeSelect::Only)) };
    let inner = rest.strip_suffix(']').ok_or_else(|| bad_selector(spec))?.trim();
    let sel = if let Ok(i) = inner.parse::<usize>() {
        TimeSelect::Index(i)
    } else {
        TimeSelect::Date(chrono::NaiveDate::parse_from_str(inner, "%Y-%m-%d").map_err(|_| bad_selector(spec))?)
    };
    Ok((name.trim().to_string(), sel))
}

fn bad_selector(spec: &str) -> Error {
    Error::InvalidParameter {
        name: "variable".into(),
        reason: format!("{spec:?}: a time step is chosen as NAME[YYYY-MM-DD] (the last step at or before that date) or NAME[index]"),
    }
}

/// A CF time axis decoded to dates.
#[derive(Debug, Clone, PartialEq)]
pub struct TimeAxis {
    pub name: String,
    pub dates: Vec<chrono::NaiveDateTime>,
}

impl TimeAxis {
    /// Reads a CF time coordinate (`<days|hours|minutes|seconds> since <date>[ <time>]`).
    pub fn read(path: &Path, file: &netcdf::File, name: &str) -> Result<TimeAxis> {
        let v = nc::variable(path, file, name, "time coordinate")?;
        let units = text(v.attribute_value("units")).unwrap_or_default();
        let bad = || Error::file(path, format!("{name} has units {units:?}, not CF `<unit> since <date>`"));
        let (unit, origin) = units.split_once(" since ").ok_or_else(bad)?;
        let seconds = match unit.trim() {
            "days" | "day" => 86400.0,
            "hours" | "hour" => 3600.0,
            "minutes" | "minute" => 60.0,
            "seconds" | "second" | "s" => 1.0,
            _ => return Err(bad()),
        };
        let origin = origin.trim().trim_end_matches('Z').replace('T', " ");
        let t0 = chrono::NaiveDateTime::parse_from_str(&origin, "%Y-%m-%d %H:%M:%S")
            .or_else(|_| chrono::NaiveDateTime::parse_from_str(&format!("{origin} 00:00:00"), "%Y-%m-%d %H:%M:%S"))
            .map_err(|_| bad())?;
        let values = v.get_values::<f64, _>(..).map_err(|e| Error::file(path, format!("reading {name}: {e}")))?;
        let dates = values.iter().map(|&x| t0 + chrono::Duration::milliseconds((x * seconds * 1000.0).round() as i64)).collect();
        Ok(TimeAxis { name: name.into(), dates })
    }

    pub fn select(&self, path: &Path, sel: TimeSelect) -> Result<usize> {
        let n = self.dates.len();
        let span = || match (self.dates.first(), self.dates.last()) {
            (Some(a), Some(b)) => format!("{n} steps, {} to {}", a.date(), b.date()),
            _ => "no steps".into(),
        };
        match sel {
            TimeSelect::Only if n == 1 => Ok(0),
            TimeSelect::Only => Err(Error::file(path, format!("has a time axis {} of {}: choose one as NAME[YYYY-MM-DD] or NAME[index]", self.name, span()))),
            TimeSelect::Index(i) if i < n => Ok(i),
            TimeSelect::Index(i) => Err(Error::file(path, format!("has no time step {i} ({})", span()))),
            TimeSelect::Date(d) => {
                let at = d.and_hms_opt(23, 59, 59).expect("valid time");
                let i =
                    self.dates.iter().rposition(|t| *t <= at).ok_or_else(|| Error::file(path, format!("has no time step at or before {d} ({})", span())))?;
                // Beyond the last step by more than one step's length: not covered.
                if i + 1 == n && n > 1 && at - self.dates[n - 1] > self.dates[n - 1] - self.dates[n - 2] {
                    return Err(Error::file(path, format!("does not cover {d} ({})", span())));
                }
                Ok(i)
            }
        }
    }
}

/// A gridded variable as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredVariable {
    pub name: String,
    pub long_name: String,
    pub units: String,
    pub standard_name: String,
}

/// What a merged gridded product holds, for `oceancolour info` and the
/// named error: its gridded variables, grid, time axis and sensors.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredGrid {
    pub format: String,
    pub sensors: String,
    pub axes: RegularAxes,
    pub time: Option<TimeAxis>,
    pub variables: Vec<StoredVariable>,
    pub attributes: Vec<(String, String)>,
}

impl StoredGrid {
    pub fn open(path: &Path) -> Result<StoredGrid> {
        StoredGrid::read(path, &nc::open(path)?)
    }

    pub fn read(path: &Path, file: &netcdf::File) -> Result<StoredGrid> {
        let attr = |n: &str| text(file.attribute(n).map(|a| a.value())).unwrap_or_default();
        let (lat, lon) = find_axes(file).ok_or_else(|| Error::file(path, "has no 1-D latitude/longitude coordinates"))?;
        let axes = regular_axes(path, file)?;
        let mut time_dim = None;
        let mut variables = Vec::new();
        for v in file.variables() {
            let dims: Vec<String> = v.dimensions().iter().map(|d| d.name()).collect();
            if dims.len() < 2 || dims[dims.len() - 2..] != [lat.clone(), lon.clone()] || dims.len() > 3 {
                continue;
            }
            if dims.len() == 3 {
                time_dim = Some(dims[0].clone());
            }
            let a = |k: &str| text(v.attribute_value(k)).unwrap_or_default();
            variables.push(StoredVariable { name: v.name(), long_name: a("long_name"), units: a("units"), standard_name: a("standard_name") });
        }
        let time = match time_dim {
            Some(t) if file.variable(&t).is_some() => Some(TimeAxis::read(path, file, &t)?),
            _ => None,
        };
        let format = nc::format_name(path);
        let attributes = ["title", "institution", "cmems_product_id", "product_name", "platform", "source", "time_coverage_start", "time_coverage_end"]
            .iter()
            .map(|k| (k.to_string(), attr(k)))
            .filter(|kv| !kv.1.is_empty())
            .collect();
        Ok(StoredGrid { format, sensors: merged_sensors(file), axes, time, variables, attributes })
    }
}

impl std::fmt::Display for StoredGrid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let g = &self.axes.grid;
        writeln!(f, "  format:        {} (merged gridded product: no single sensor, no Rrs)", self.format)?;
        writeln!(f, "  sensors:       {}", self.sensors)?;
        writeln!(
            f,
            "  grid:          {} x {} regular lat/lon, {:.6} to {:.6} N, {:.6} to {:.6} E, step {:.6} x {:.6} deg{}{}",
            g.nlat,
            g.nlon,
            g.lat_max - g.nlat as f64 * g.dlat,
            g.lat_max,
            g.lon_min,
            g.lon_min + g.nlon as f64 * g.dlon,
            g.dlat,
            g.dlon,
            if self.axes.flip_rows { " (stored south to north)" } else { "" },
            if self.axes.rotate_cols > 0 { " (stored in 0-360 longitudes)" } else { "" }
        )?;
        match &self.time {
            Some(t) if !t.dates.is_empty() => writeln!(
                f,
                "  time:          {} steps, {} to {} (read one as NAME[YYYY-MM-DD] or NAME[index])",
                t.dates.len(),
                t.dates[0],
                t.dates[t.dates.len() - 1]
            )?,
            _ => writeln!(f, "  time:          none")?,
        }
        for v in &self.variables {
            writeln!(
                f,
                "  variable:      {} [{}] {}{}",
                v.name,
                v.units,
                v.long_name,
                if v.standard_name.is_empty() { String::new() } else { format!(" ({})", v.standard_name) }
            )?;
        }
        for (k, v) in &self.attributes {
            writeln!(f, "  {k}: {v}")?;
        }
        Ok(())
    }
}
