//! The fusion chain's gridded fields on disk: the daily merge and the L4
//! (`write_fields`, `read_field`), on a regular lat/lon grid (CF-1.8, 1-D
//! `lat` north to south and `lon`) or along the bins of an ISIN grid; and
//! the pieces every fusion file shares (file type, grid and geospatial
//! attributes, coordinate axes, compressed variables with `_FillValue`).
//! Written atomically (`formats::atomic`).

use std::path::{Path, PathBuf};

use netcdf::{AttributeValue, FileMut};

use super::atomic::NewNetcdf;
use super::cf;
use super::l3b::GROUP;
use super::nc::{self, text};
use crate::error::{Error, Result};
use crate::fusion::grid::{Grid, GridSpec, RegularGrid};

/// Global attribute naming what an oceancolour fusion file holds.
pub const FILE_TYPE: &str = "oceancolour_file_type";
pub const BINNED: &str = "L3 binned";
pub const MERGED: &str = "L3 merged";
pub const L4: &str = "L4 gap-free";
/// Fill value of float fields (formats.md s8.2: NaN-free fills).
pub const FILL: f32 = super::cf::FILL;
pub(super) fn attr_text(f: &netcdf::File, name: &str) -> String {
    text(f.attribute(name).map(|a| a.value())).unwrap_or_default()
}
fn attr_text_mut(f: &FileMut, name: &str) -> String {
    text(f.attribute(name).map(|a| a.value())).unwrap_or_default()
}

/// The grid of a fusion file: `oceancolour_grid` if written, else (regular
/// grids from other producers) from evenly spaced 1-D lat/lon axes, with how
/// the file's array maps onto it (`grid::regular_axes`).
fn file_grid_axes(path: &Path, f: &netcdf::File) -> Result<(GridSpec, Option<super::cf_grid::RegularAxes>)> {
    let written = attr_text(f, "oceancolour_grid");
    if !written.is_empty() {
        return Ok((GridSpec::parse(&written).map_err(|e| Error::file(path, e))?, None));
    }
    let axes = super::cf_grid::regular_axes(path, f)?;
    Ok((GridSpec::Regular(axes.grid), Some(axes)))
}

pub(super) fn file_grid(path: &Path, f: &netcdf::File) -> Result<GridSpec> {
    Ok(file_grid_axes(path, f)?.0)
}

// ------------------------------------------------------------ writing

fn put_text(f: &mut FileMut, k: &str, v: &str, dest: &Path) -> Result<()> {
    f.add_attribute(k, v).map(|_| ()).map_err(|e| Error::file(dest, format!("writing attribute {k}: {e}")))
}

/// Writes the global attributes, the grid and the file type, and completes
/// ACDD-1.3 from what the file itself says: `id` (the file name), the
/// geospatial extent of the cell centres (as compliance-checker and CMEMS
/// GlobColour files read it; `bins`: the ISIN bins written) and a scalar
/// `time` coordinate over `time_coverage_start`..`end` (`cf::put_time_coordinate`).
pub(super) fn put_globals(nf: &mut NewNetcdf, grid: &GridSpec, bins: &[u64], kind: &str, variable: &str, globals: Vec<(String, AttributeValue)>) -> Result<()> {
    let dest = nf.dest().to_path_buf();
    let time = |k: &str| {
        globals.iter().find(|(name, _)| name == k).and_then(|(_, v)| match v {
            AttributeValue::Str(t) => Some(t.clone()),
            _ => None,
        })
    };
    let (start, end) = (cf::parse_time(&time("time_coverage_start")), cf::parse_time(&time("time_coverage_end")));
    let has_id = globals.iter().any(|(k, _)| k == "id");
    let f = nf.nc();
    for (k, v) in globals {
        f.add_attribute(&k, v).map_err(|e| Error::file(&dest, format!("writing attribute {k}: {e}")))?;
    }
    if !has_id {
        put_text(f, "id", &dest.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default(), &dest)?;
    }
    put_text(f, FILE_TYPE, kind, &dest)?;
    put_text(f, "oceancolour_variable", variable, &dest)?;
    put_text(f, "oceancolour_grid", &grid.describe(), &dest)?;
    let centres: Option<([f64; 2], [f64; 2])> = match grid {
        GridSpec::Isin(g) => {
            put_text(f, "binning_scheme", "Integerized Sinusoidal Grid", &dest)?;
            let km = 20_015.0 / g.nrows() as f64; // bin size ~ half the meridian / rows (fusion.md s1.1)
            put_text(f, "spatialResolution", &format!("{km:.2} km"), &dest)?;
            bins.iter().filter_map(|&b| g.centre(b)).fold(None, |acc, (lon, lat)| {
                let ([s, n], [w, e]) = acc.unwrap_or(([lat, lat], [lon, lon]));
                Some(([s.min(lat), n.max(lat)], [w.min(lon), e.max(lon)]))
            })
        }
        GridSpec::Regular(g) => {
            let (lons, lats) = g.axes();
            let put = |f: &mut FileMut, k: &str, v: f64| f.add_attribute(k, v).map(|_| ()).map_err(|e| Error::file(&dest, format!("writing {k}: {e}")));
            put(f, "geospatial_lat_resolution", g.dlat)?;
            put(f, "geospatial_lon_resolution", g.dlon)?;
            Some(([lats[lats.len() - 1], lats[0]], [lons[0], lons[lons.len() - 1]]))
        }
    };
    if let Some((lat, lon)) = centres {
        for (k, v) in cf::geospatial_attrs(lat, lon) {
            f.add_attribute(&k, v).map_err(|e| Error::file(&dest, format!("writing attribute {k}: {e}")))?;
        }
    }
    if let Some(start) = start {
        cf::put_time_coordinate(f, start, end).map_err(|e| Error::file(&dest, format!("writing time: {e}")))?;
    }
    Ok(())
}

/// Defines `lat`, `lon` (degrees, north to south) of a regular grid.
pub(super) fn put_axes(nf: &mut NewNetcdf, g: &RegularGrid) -> Result<()> {
    let (lons, lats) = g.axes();
    let dest = nf.dest().to_path_buf();
    let err = |e: netcdf::Error| Error::file(&dest, format!("writing coordinates: {e}"));
    let f = nf.nc();
    f.add_dimension("lat", g.nlat).map_err(err)?;
    f.add_dimension("lon", g.nlon).map_err(err)?;
    for (name, std, units, axis, values) in [("lat", "latitude", "degrees_north", "Y", &lats), ("lon", "longitude", "degrees_east", "X", &lons)] {
        let mut v = f.add_variable::<f64>(name, &[name]).map_err(err)?;
        v.put_attribute("standard_name", std).map_err(err)?;
        v.put_attribute("long_name", std).map_err(err)?;
        v.put_attribute("units", units).map_err(err)?;
        v.put_attribute("axis", axis).map_err(err)?;
        v.put_attribute("coverage_content_type", "coordinate").map_err(err)?;
        v.put_values(values, ..).map_err(err)?;
    }
    Ok(())
}

/// Values of one variable over a file's cells.
pub enum Values {
    F32(Vec<f32>),
    F64(Vec<f64>),
    U8(Vec<u8>),
    U32(Vec<u32>),
}

/// A variable to write: name, attributes, values (one per cell, in the
/// file's cell order: dense row-major for regular grids, else one per bin).
pub struct Var {
    pub name: String,
    pub attrs: Vec<(String, AttributeValue)>,
    pub values: Values,
}

impl Var {
    pub fn new(name: impl Into<String>, values: Values, attrs: Vec<(&str, AttributeValue)>) -> Self {
        Var { name: name.into(), values, attrs: attrs.into_iter().map(|(k, v)| (k.to_string(), v)).collect() }
    }
}

/// Unsigned values stored signed (CF-1.8 s2.2), refused if one does not fit.
fn to_signed<U: Copy + std::fmt::Display, S: TryFrom<U>>(x: &[U], name: &str, dest: &Path) -> Result<Vec<S>> {
    x.iter().map(|&u| S::try_from(u).map_err(|_| Error::file(dest, format!("{name}: value {u} does not fit the signed type CF-1.8 allows")))).collect()
}

/// An unsigned attribute (`flag_values`, `flag_masks`) in the signed type of its variable.
fn signed(a: AttributeValue) -> AttributeValue {
    match a {
        AttributeValue::Uchars(x) => AttributeValue::Schars(x.into_iter().map(|u| u as i8).collect()),
        AttributeValue::Uints(x) => AttributeValue::Ints(x.into_iter().map(|u| u as i32).collect()),
        other => other,
    }
}

/// Attributes of a `lat`/`lon` coordinate along the bins.
fn coordinate_attrs(standard_name: &str, units: &str) -> Vec<(&'static str, AttributeValue)> {
    vec![("standard_name", standard_name.into()), ("long_name", standard_name.into()), ("units", units.into()), ("coverage_content_type", "coordinate".into())]
}

/// ACDD `coverage_content_type` of a variable the writer did not label: the
/// file's own variable is the measurement (binned, merged) or the model result
/// (L4, its log10 too); error and spread layers are quality information; all
/// else (sums, weights, counts, flags) auxiliary information.
fn content_type(kind: &str, product: &str, name: &str) -> &'static str {
    let name = name.rsplit('/').next().unwrap_or(name);
    match name.strip_prefix(product) {
        _ if name == "bin_num" => "referenceInformation",
        Some("") | Some("_mean") | Some("_log10") if kind == L4 => "modelResult",
        Some("") | Some("_mean") => "physicalMeasurement",
        _ if ["_stdev", "_variance", "_spread", "_uncertainty"].iter().any(|q| name.contains(q)) => "qualityInformation",
        _ => "auxiliaryInformation",
    }
}

/// Defines and writes `vars` along `dims` (deflate 4 + shuffle, chunked;
/// floats get `_FillValue`; counts, units "1"); each gets a
/// `coverage_content_type` (`content_type` unless given) and, when the file
/// has its scalar `time`, names it among its `coordinates`.
pub(super) fn put_vars(nf: &mut NewNetcdf, dims: &[&str], chunk: &[usize], coordinates: Option<&str>, vars: Vec<Var>) -> Result<()> {
    let dest = nf.dest().to_path_buf();
    let f = nf.nc();
    let (kind, product) = (attr_text_mut(f, FILE_TYPE), attr_text_mut(f, "oceancolour_variable"));
    let coordinates = match (f.variable("time").is_some(), coordinates) {
        (true, Some(c)) => Some(format!("time {c}")),
        (_, c) => c.map(str::to_string),
    };
    for mut var in vars {
        let has = |var: &Var, k: &str| var.attrs.iter().any(|(name, _)| name == k);
        if !has(&var, "coverage_content_type") && !["lat", "lon"].contains(&var.name.as_str()) {
            let content = content_type(&kind, &product, &var.name);
            var.attrs.push(("coverage_content_type".into(), content.into()));
        }
        if !has(&var, "units") && matches!(var.values, Values::U32(_) | Values::U8(_)) && !has(&var, "flag_masks") && !has(&var, "flag_values") {
            var.attrs.push(("units".into(), "1".into()));
        }
        let err = |e: netcdf::Error| Error::file(&dest, format!("writing {}: {e}", var.name));
        let mut v = match &var.values {
            Values::F32(_) => f.add_variable::<f32>(&var.name, dims),
            Values::F64(_) => f.add_variable::<f64>(&var.name, dims),
            // CF-1.8 has no unsigned types (s2.2): counts, flags and bin
            // numbers are stored signed (byte, int), their values checked to fit.
            Values::U8(_) => f.add_variable::<i8>(&var.name, dims),
            Values::U32(_) => f.add_variable::<i32>(&var.name, dims),
        }
        .map_err(err)?;
        if chunk.iter().all(|&c| c > 0) {
            v.set_chunking(chunk).map_err(err)?;
            v.set_compression(4, true).map_err(err)?;
        }
        if let Values::F32(_) = var.values {
            v.set_fill_value(FILL).map_err(err)?;
        }
        for (k, a) in var.attrs {
            v.put_attribute(&k, signed(a)).map_err(err)?;
        }
        if let Some(c) = &coordinates {
            v.put_attribute("coordinates", c.as_str()).map_err(err)?;
        }
        match var.values {
            Values::F32(x) => v.put_values(&x.iter().map(|&x| if x.is_finite() { x } else { FILL }).collect::<Vec<_>>(), ..),
            Values::F64(x) => v.put_values(&x, ..),
            Values::U8(x) => v.put_values(&to_signed::<u8, i8>(&x, &var.name, &dest)?, ..),
            Values::U32(x) => v.put_values(&to_signed::<u32, i32>(&x, &var.name, &dest)?, ..),
        }
        .map_err(err)?;
    }
    Ok(())
}

/// Writes a gridded field file (merged, L4) on `grid`: dense on a regular
/// grid, or along a `bin` dimension (with `bin_num`, `lat`, `lon`) for ISIN.
pub fn write_fields(
    dest: &Path,
    grid: &GridSpec,
    bins: &[u64],
    kind: &str,
    variable: &str,
    vars: Vec<Var>,
    globals: Vec<(String, AttributeValue)>,
) -> Result<PathBuf> {
    let mut nf = NewNetcdf::create(dest)?;
    put_globals(&mut nf, grid, bins, kind, variable, globals)?;
    match grid {
        GridSpec::Regular(g) => {
            put_axes(&mut nf, g)?;
            put_vars(&mut nf, &["lat", "lon"], &[g.nlat.min(256), g.nlon.min(1024)], Some("lat lon"), vars)?;
        }
        GridSpec::Isin(g) => {
            let n = bins.len();
            nf.nc().add_dimension("bin", n).map_err(|e| Error::file(dest, format!("defining dimensions: {e}")))?;
            let (lon, lat): (Vec<f32>, Vec<f32>) = bins.iter().map(|&b| g.centre(b).map_or((f32::NAN, f32::NAN), |(o, a)| (o as f32, a as f32))).unzip();
            let chunk = [n.clamp(1, 65536) * (n > 0) as usize];
            let mut all = vec![
                Var::new(
                    "bin_num",
                    Values::U32(bins.iter().map(|&b| b as u32).collect()),
                    vec![("long_name", "ISIN bin number (1-based, NASA OBPG binning scheme)".into())],
                ),
                Var::new("lat", Values::F32(lat), coordinate_attrs("latitude", "degrees_north")),
                Var::new("lon", Values::F32(lon), coordinate_attrs("longitude", "degrees_east")),
            ];
            all.extend(vars);
            put_vars(&mut nf, &["bin"], &chunk, None, all)?;
        }
    }
    nf.commit()
}

/// A field read from a gridded file: the grid, the bins (ISIN) and values
/// (NaN where missing), with the file's global attributes as text.
pub struct Field {
    pub grid: GridSpec,
    pub bins: Vec<u64>,
    pub values: Vec<f32>,
    pub variable: String,
    pub attributes: Vec<(String, String)>,
}

/// Reads one variable of a gridded file: ours (merged, L4, binned on a
/// regular grid), or any CF file with evenly spaced 1-D lat/lon axes (a
/// climatology, a merged multi-sensor product such as GlobColour/CMEMS or
/// OC-CCI; `grid::regular_axes`: either latitude order, [0, 360) longitudes).
/// `variable`: default the file's `oceancolour_variable`; `NAME[YYYY-MM-DD]`
/// or `NAME[index]` picks one step of a time axis (`grid::TimeSelect`).
pub fn read_field(path: &Path, variable: Option<&str>) -> Result<Field> {
    let f = nc::open(path)?;
    if nc::group(&f, GROUP).is_some() {
        return Err(Error::file(path, "is an ISIN binned file; a gridded field (regular lat/lon grid) is needed here"));
    }
    let gridded = || f.variables().filter(|v| v.dimensions().len() >= 2).map(|v| v.name()).collect::<Vec<String>>().join(", ");
    let spec = match variable {
        Some(v) => v.to_string(),
        None => Some(attr_text(&f, "oceancolour_variable")).filter(|s| !s.is_empty()).ok_or_else(|| {
            Error::file(
                path,
                format!("does not say which variable holds the field (no oceancolour_variable attribute): name it (gridded variables: {})", gridded()),
            )
        })?,
    };
    let (name, when) = super::cf_grid::parse_field_selector(&spec)?;
    let (grid, axes) = file_grid_axes(path, &f)?;
    let v = f.variable(&name).ok_or_else(|| Error::file(path, format!("has no variable {name:?}; gridded variables: {}", gridded())))?;
    let dims = v.dimensions();
    let lead = dims.len().saturating_sub(2);
    if dims.len() < 2 || lead > 1 {
        return Err(Error::file(path, format!("{name} is not a (lat, lon) or (time, lat, lon) field")));
    }
    let mut index = vec![0; lead];
    if lead == 1 {
        let t = dims[0].name();
        index[0] = if f.variable(&t).is_some() {
            super::cf_grid::TimeAxis::read(path, &f, &t)?.select(path, when)?
        } else if dims[0].len() == 1 {
            0
        } else {
            return Err(Error::file(path, format!("{name} has a leading dimension {t} of {} without a coordinate", dims[0].len())));
        };
    } else if when != super::cf_grid::TimeSelect::Only {
        return Err(Error::file(path, format!("{name} has no time axis to choose a step on")));
    }
    let raw = nc::read_decoded_slice(path, &v, &index, 0, dims[lead].len())?;
    let values = match &axes {
        Some(a) => a.reorder(raw),
        None => raw,
    };
    if values.len() as u64 != grid.ncells() {
        return Err(Error::file(path, format!("{name} has {} cells but the grid {} has {}", values.len(), grid.describe(), grid.ncells())));
    }
    let attributes = f.attributes().filter_map(|a| Some((a.name().to_string(), text(Some(a.value()))?))).collect();
    Ok(Field { grid, bins: vec![], values, variable: name, attributes })
}
