//! The fusion chain's gridded fields on disk: the daily merge and the L4
//! (`write_fields`, `read_field`), on a regular lat/lon grid (CF-1.8, 1-D
//! `lat` north to south and `lon`) or along the bins of an ISIN grid; and
//! the pieces every fusion file shares (file type, grid and geospatial
//! attributes, coordinate axes, compressed variables with `_FillValue`).
//! Written atomically (`formats::atomic`).

use std::path::{Path, PathBuf};

use netcdf::{AttributeValue, FileMut};

use super::atomic::NewNetcdf;
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

/// Writes the global attributes, the grid and the file type.
pub(super) fn put_globals(nf: &mut NewNetcdf, grid: &GridSpec, kind: &str, variable: &str, globals: Vec<(String, AttributeValue)>) -> Result<()> {
    let dest = nf.dest().to_path_buf();
    let f = nf.nc();
    for (k, v) in globals {
        f.add_attribute(&k, v).map_err(|e| Error::file(&dest, format!("writing attribute {k}: {e}")))?;
    }
    put_text(f, FILE_TYPE, kind, &dest)?;
    put_text(f, "oceancolour_variable", variable, &dest)?;
    put_text(f, "oceancolour_grid", &grid.describe(), &dest)?;
    match grid {
        GridSpec::Isin(g) => {
            put_text(f, "binning_scheme", "Integerized Sinusoidal Grid", &dest)?;
            let km = 20_015.0 / g.nrows() as f64; // bin size ~ half the meridian / rows (fusion.md s1.1)
            put_text(f, "spatialResolution", &format!("{km:.2} km"), &dest)?;
        }
        GridSpec::Regular(g) => {
            let (lons, lats) = g.axes();
            let put = |f: &mut FileMut, k: &str, v: f64| f.add_attribute(k, v).map(|_| ()).map_err(|e| Error::file(&dest, format!("writing {k}: {e}")));
            put(f, "geospatial_lat_min", lats[lats.len() - 1] - g.dlat / 2.0)?;
            put(f, "geospatial_lat_max", lats[0] + g.dlat / 2.0)?;
            put(f, "geospatial_lon_min", lons[0] - g.dlon / 2.0)?;
            put(f, "geospatial_lon_max", lons[lons.len() - 1] + g.dlon / 2.0)?;
            put(f, "geospatial_lat_resolution", g.dlat)?;
            put(f, "geospatial_lon_resolution", g.dlon)?;
        }
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
        v.put_attribute("units", units).map_err(err)?;
        v.put_attribute("axis", axis).map_err(err)?;
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

/// Defines and writes `vars` along `dims` (deflate 4 + shuffle, chunked; floats get `_FillValue`).
pub(super) fn put_vars(nf: &mut NewNetcdf, dims: &[&str], chunk: &[usize], coordinates: Option<&str>, vars: Vec<Var>) -> Result<()> {
    let dest = nf.dest().to_path_buf();
    let f = nf.nc();
    for var in vars {
        let err = |e: netcdf::Error| Error::file(&dest, format!("writing {}: {e}", var.name));
        let mut v = match &var.values {
            Values::F32(_) => f.add_variable::<f32>(&var.name, dims),
            Values::F64(_) => f.add_variable::<f64>(&var.name, dims),
            Values::U8(_) => f.add_variable::<u8>(&var.name, dims),
            Values::U32(_) => f.add_variable::<u32>(&var.name, dims),
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
            v.put_attribute(&k, a).map_err(err)?;
        }
        if let Some(c) = coordinates {
            v.put_attribute("coordinates", c).map_err(err)?;
        }
        match var.values {
            Values::F32(x) => v.put_values(&x.iter().map(|&x| if x.is_finite() { x } else { FILL }).collect::<Vec<_>>(), ..),
            Values::F64(x) => v.put_values(&x, ..),
            Values::U8(x) => v.put_values(&x, ..),
            Values::U32(x) => v.put_values(&x, ..),
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
    put_globals(&mut nf, grid, kind, variable, globals)?;
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
                Var::new("lat", Values::F32(lat), vec![("standard_name", "latitude".into()), ("units", "degrees_north".into())]),
                Var::new("lon", Values::F32(lon), vec![("standard_name", "longitude".into()), ("units", "degrees_east".into())]),
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
