//! The fusion chain's files: Level-3 binned files (sums per bin, as NASA's
//! l2bin writes them), and gridded fields (the daily merge, the L4).
//!
//! Binned files, by grid:
//! - ISIN: NASA's L3b layout (formats.md s2.1): group `level-3_binned_data`
//!   with compound `BinList` {bin_num u32, nobs i16, nscenes i16, weights f32,
//!   time_rec f32}, one compound {sum f32, sum_squared f32} per product and
//!   `BinIndex` {start_num, begin, extent, max} for every row, written with
//!   the 32-bit types (so grids up to 41068 rows, s2.1). The netcdf crate 0.12
//!   writes compound types, so the files are readable by NASA's readers and
//!   by `formats::l3b`. Our additions (ignored by those readers): plain
//!   `<product>_mean` and `<product>_stdev` variables along `binListDim`.
//! - Regular latitude/longitude grids: a CF-1.8 grid (1-D `lat` north to
//!   south, `lon`) with the mean as the product variable (so `formats::grid`
//!   reads it back), `<product>_stdev`, `<product>_sum`,
//!   `<product>_sum_squared` (float64), `weights`, `nobs`, `nscenes`.
//!
//! Every file is written under a temporary name and renamed when complete
//! (`NewFile`), as `formats::cf` does.

use std::path::{Path, PathBuf};

use netcdf::types::{CompoundType, CompoundTypeField, FloatType, IntType, NcTypeDescriptor, NcVariableType};
use netcdf::{AttributeValue, FileMut};

use super::l3b::read_compound;
use super::nc::{self, text};
use crate::error::{Error, Result};
use crate::fusion::binning::{Averaging, L3Bins};
use crate::fusion::grid::{Grid, GridSpec, IsinGrid, RegularGrid};

pub const GROUP: &str = "level-3_binned_data";
/// Global attribute naming what an oceancolour fusion file holds.
pub const FILE_TYPE: &str = "oceancolour_file_type";
pub const BINNED: &str = "L3 binned";
pub const MERGED: &str = "L3 merged";
pub const L4: &str = "L4 gap-free";
/// Fill value of float fields (formats.md s8.2: NaN-free fills).
pub const FILL: f32 = super::cf::FILL;
/// NASA's 32-bit L3b types hold grids up to this many rows (bin_io.cpp `MAX_ROWS_32BIT`, formats.md s2.1).
const MAX_ROWS_32BIT: u32 = 41068;

/// A netCDF file being written under a hidden temporary name next to its
/// destination; renamed into place by `commit`, removed if dropped before.
pub struct NewFile {
    dest: PathBuf,
    tmp: PathBuf,
    file: Option<FileMut>,
}

impl NewFile {
    pub fn create(dest: &Path) -> Result<Self> {
        nc::init();
        let tmp = super::cf::temp_path(dest);
        // std first: it gives the operating system's words for an unwritable folder.
        std::fs::File::create(&tmp).map_err(|e| Error::file(dest, format!("cannot be written: {e}")))?;
        let file = netcdf::create(&tmp).map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            Error::file(dest, format!("creating the netCDF file: {e}"))
        })?;
        Ok(NewFile { dest: dest.to_path_buf(), tmp, file: Some(file) })
    }

    pub fn nc(&mut self) -> &mut FileMut {
        self.file.as_mut().expect("open until commit")
    }

    /// Closes, syncs and renames the file to its final name.
    pub fn commit(mut self) -> Result<PathBuf> {
        let f = self.file.take().expect("open until commit");
        f.close().map_err(|e| Error::file(&self.dest, format!("closing the file (disk full?): {e}")))?;
        std::fs::File::open(&self.tmp).and_then(|h| h.sync_all()).map_err(|e| Error::file(&self.dest, format!("flushing to disk: {e}")))?;
        std::fs::rename(&self.tmp, &self.dest).map_err(|e| Error::file(&self.dest, format!("renaming into place: {e}")))?;
        Ok(self.dest.clone())
    }
}

impl Drop for NewFile {
    fn drop(&mut self) {
        drop(self.file.take());
        // After a commit the temporary name no longer exists.
        let _ = std::fs::remove_file(&self.tmp);
    }
}

/// The product a file holds.
#[derive(Debug, Clone, PartialEq)]
pub struct ProductMeta {
    pub variable: String,
    pub long_name: String,
    pub units: String,
    pub standard_name: Option<String>,
}

/// A Level-3 binned file's content.
#[derive(Debug, Clone)]
pub struct L3Binned {
    pub grid: GridSpec,
    pub bins: L3Bins,
    pub product: ProductMeta,
    /// Sensor registry name (e.g. "modis-aqua"), or the instrument as written.
    pub sensor: String,
    pub instrument: String,
    pub platform: String,
    pub time_coverage_start: String,
    pub time_coverage_end: String,
}

impl L3Binned {
    /// The UTC day the data start on (from `time_coverage_start`).
    pub fn day(&self, path: &Path) -> Result<chrono::NaiveDate> {
        day_of(path, &self.time_coverage_start)
    }
}

/// The date of an ISO 8601 time ("2008-01-01T12:00:00Z" -> 2008-01-01).
pub fn day_of(path: &Path, time: &str) -> Result<chrono::NaiveDate> {
    time.get(..10)
        .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .ok_or_else(|| Error::file(path, format!("time_coverage_start {time:?} is not an ISO 8601 date: the day of the data is unknown")))
}

// ------------------------------------------------------------ NASA L3b compound types

fn field(name: &str, basetype: NcVariableType, offset: usize) -> CompoundTypeField {
    CompoundTypeField { name: name.into(), basetype, arraydims: None, offset }
}

#[repr(C)]
#[derive(Clone, Copy)]
struct BinListRec {
    bin_num: u32,
    nobs: i16,
    nscenes: i16,
    weights: f32,
    time_rec: f32,
}

// SAFETY: repr(C), members described at their offsets, no padding (4+2+2+4+4 = 16).
unsafe impl NcTypeDescriptor for BinListRec {
    fn type_descriptor() -> NcVariableType {
        use std::mem::offset_of;
        NcVariableType::Compound(CompoundType {
            name: "binListType".into(),
            size: std::mem::size_of::<Self>(),
            fields: vec![
                field("bin_num", NcVariableType::Int(IntType::U32), offset_of!(Self, bin_num)),
                field("nobs", NcVariableType::Int(IntType::I16), offset_of!(Self, nobs)),
                field("nscenes", NcVariableType::Int(IntType::I16), offset_of!(Self, nscenes)),
                field("weights", NcVariableType::Float(FloatType::F32), offset_of!(Self, weights)),
                field("time_rec", NcVariableType::Float(FloatType::F32), offset_of!(Self, time_rec)),
            ],
        })
    }
}

#[repr(C)]
#[derive(Clone, Copy)]
struct BinDataRec {
    sum: f32,
    sum_squared: f32,
}

// SAFETY: repr(C), two f32 members at their offsets, no padding.
unsafe impl NcTypeDescriptor for BinDataRec {
    fn type_descriptor() -> NcVariableType {
        use std::mem::offset_of;
        NcVariableType::Compound(CompoundType {
            name: "binDataType".into(),
            size: std::mem::size_of::<Self>(),
            fields: vec![
                field("sum", NcVariableType::Float(FloatType::F32), offset_of!(Self, sum)),
                field("sum_squared", NcVariableType::Float(FloatType::F32), offset_of!(Self, sum_squared)),
            ],
        })
    }
}

#[repr(C)]
#[derive(Clone, Copy)]
struct BinIndexRec {
    start_num: u32,
    begin: u32,
    extent: u32,
    max: u32,
}

// SAFETY: repr(C), four u32 members at their offsets, no padding.
unsafe impl NcTypeDescriptor for BinIndexRec {
    fn type_descriptor() -> NcVariableType {
        use std::mem::offset_of;
        let u32t = || NcVariableType::Int(IntType::U32);
        NcVariableType::Compound(CompoundType {
            name: "binIndexType".into(),
            size: std::mem::size_of::<Self>(),
            fields: vec![
                field("start_num", u32t(), offset_of!(Self, start_num)),
                field("begin", u32t(), offset_of!(Self, begin)),
                field("extent", u32t(), offset_of!(Self, extent)),
                field("max", u32t(), offset_of!(Self, max)),
            ],
        })
    }
}

// ------------------------------------------------------------ reading

/// What kind of file this is: an L3 binned file (ours or NASA's), another
/// oceancolour fusion file (merged, L4), or something else (None).
pub fn file_type(path: &Path) -> Result<Option<String>> {
    let f = nc::open(path)?;
    if f.group(GROUP).ok().flatten().is_some() {
        return Ok(Some(BINNED.into()));
    }
    Ok(text(f.attribute(FILE_TYPE).map(|a| a.value())))
}

fn attr_text(f: &netcdf::File, name: &str) -> String {
    text(f.attribute(name).map(|a| a.value())).unwrap_or_default()
}

fn var_text(v: &netcdf::Variable, name: &str) -> Option<String> {
    text(v.attribute_value(name))
}

/// Sensor registry name from the file's metadata, else its instrument.
pub(crate) fn sensor_name(f: &netcdf::File) -> (String, String, String) {
    let (instrument, platform) = (attr_text(f, "instrument"), attr_text(f, "platform"));
    let sensor = super::sensor_from_metadata(&instrument, &platform).map(|s| s.name.to_string()).unwrap_or_else(|| {
        let s = attr_text(f, "sensor");
        // Ours: "modis-aqua" or "modis-aqua (from ...)".
        s.split(" (").next().filter(|s| !s.is_empty()).map(String::from).unwrap_or_else(|| instrument.clone())
    });
    (sensor, instrument, platform)
}

/// Picks the product: the one asked for, or the only one there.
fn pick(path: &Path, asked: Option<&str>, available: &[String], what: &str) -> Result<String> {
    match asked {
        Some(v) if available.iter().any(|a| a == v) => Ok(v.to_string()),
        Some(v) => Err(Error::file(path, format!("has no {what} variable {v:?}; it has: {}", available.join(", ")))),
        None if available.len() == 1 => Ok(available[0].clone()),
        None => Err(Error::file(path, format!("holds several {what} variables ({}): choose one with --variable", available.join(", ")))),
    }
}

/// Reads an L3 binned file: NASA's L3b layout (ISIN; NASA's own files
/// included) or ours on a regular grid.
pub fn read_binned(path: &Path, variable: Option<&str>) -> Result<L3Binned> {
    let f = nc::open(path)?;
    let (sensor, instrument, platform) = sensor_name(&f);
    let (start, end) = (attr_text(&f, "time_coverage_start"), attr_text(&f, "time_coverage_end"));
    if let Some(group) = f.group(GROUP).ok().flatten() {
        let products: Vec<String> = group
            .variables()
            .filter(|v| !["BinList", "BinIndex"].contains(&v.name().as_str()) && matches!(v.vartype(), NcVariableType::Compound(_)))
            .map(|v| v.name())
            .collect();
        let name = pick(path, variable, &products, "binned")?;
        let rows = nc::variable(path, &f, &format!("{GROUP}/BinIndex"), "bin index")?.len();
        let grid = IsinGrid::new(rows as u32).map_err(|e| Error::file(path, format!("BinIndex: {e}")))?;
        let list = nc::variable(path, &f, &format!("{GROUP}/BinList"), "bin list")?;
        let n = list.len();
        let cols = read_compound(path, &list, 0, n, &["bin_num", "nobs", "nscenes", "weights"])?;
        let pv = nc::variable(path, &f, &format!("{GROUP}/{name}"), "product")?;
        if pv.len() != n {
            return Err(Error::file(path, format!("{name} has {} records but BinList has {n}", pv.len())));
        }
        let sums = read_compound(path, &pv, 0, n, &["sum", "sum_squared"])?;
        let averaging = match var_text(&pv, "averaging_scheme").as_deref() {
            None | Some("arithmetic") => Averaging::Arithmetic,
            Some("geometric") => Averaging::Geometric,
            Some(other) => return Err(Error::file(path, format!("{name}: averaging_scheme {other:?} is not supported (arithmetic, geometric)"))),
        };
        let bins = L3Bins {
            averaging,
            bin: cols[0].iter().map(|&b| b as u64).collect(),
            sum: sums[0].clone(),
            sum2: sums[1].clone(),
            weights: cols[3].clone(),
            nobs: cols[1].iter().map(|&x| x as u32).collect(),
            nscenes: cols[2].iter().map(|&x| x as u32).collect(),
        };
        if let Some(w) = bins.bin.windows(2).find(|w| w[0] >= w[1]) {
            return Err(Error::file(path, format!("BinList is not sorted by bin number (bin {} before {})", w[0], w[1])));
        }
        if let Some(b) = bins.bin.iter().find(|&&b| b < 1 || b > grid.ncells()) {
            return Err(Error::file(path, format!("bin {b} is outside the {rows}-row ISIN grid")));
        }
        // NASA writes units globally ("chlor_a:mg m^-3,Rrs_443:sr^-1"); ours per variable.
        let units = var_text(&pv, "units").unwrap_or_else(|| {
            attr_text(&f, "units").split(',').find_map(|u| u.split_once(':').filter(|(p, _)| *p == name).map(|(_, u)| u.to_string())).unwrap_or_default()
        });
        let product = ProductMeta {
            long_name: var_text(&pv, "long_name").unwrap_or_else(|| name.clone()),
            standard_name: var_text(&pv, "standard_name"),
            units,
            variable: name,
        };
        return Ok(L3Binned { grid: GridSpec::Isin(grid), bins, product, sensor, instrument, platform, time_coverage_start: start, time_coverage_end: end });
    }
    if attr_text(&f, FILE_TYPE) != BINNED {
        return Err(Error::file(
            path,
            "is not a Level-3 binned file (no level-3_binned_data group, no oceancolour_file_type = \"L3 binned\"): make one with `oceancolour bin`",
        ));
    }
    let name = attr_text(&f, "oceancolour_variable");
    let name = pick(path, variable, std::slice::from_ref(&name), "binned")?;
    let grid = file_grid(path, &f)?;
    let GridSpec::Regular(g) = &grid else {
        return Err(Error::file(path, "an L3 binned file without a level-3_binned_data group must be on a regular grid"));
    };
    let dense = |v: &str| -> Result<Vec<f64>> {
        let var = nc::variable(path, &f, v, "binned sums")?;
        if var.len() != g.nlon * g.nlat {
            return Err(Error::file(path, format!("{v} has {} cells, the grid {}", var.len(), g.nlon * g.nlat)));
        }
        var.get_values::<f64, _>(..).map_err(|e| Error::file(path, format!("reading {v}: {e}")))
    };
    let (sum, sum2, weights, nobs, nscenes) =
        (dense(&format!("{name}_sum"))?, dense(&format!("{name}_sum_squared"))?, dense("weights")?, dense("nobs")?, dense("nscenes")?);
    let pv = nc::variable(path, &f, &name, "product")?;
    let averaging = Averaging::parse(&var_text(&pv, "averaging_scheme").unwrap_or_else(|| "arithmetic".into())).map_err(|e| Error::file(path, e))?;
    let mut bins = L3Bins { averaging, bin: vec![], sum: vec![], sum2: vec![], weights: vec![], nobs: vec![], nscenes: vec![] };
    for i in (0..weights.len()).filter(|&i| weights[i] > 0.0) {
        bins.bin.push(i as u64);
        bins.sum.push(sum[i]);
        bins.sum2.push(sum2[i]);
        bins.weights.push(weights[i]);
        bins.nobs.push(nobs[i] as u32);
        bins.nscenes.push(nscenes[i] as u32);
    }
    let product = ProductMeta {
        long_name: var_text(&pv, "long_name").unwrap_or_else(|| name.clone()),
        standard_name: var_text(&pv, "standard_name"),
        units: var_text(&pv, "units").unwrap_or_default(),
        variable: name,
    };
    Ok(L3Binned { grid, bins, product, sensor, instrument, platform, time_coverage_start: start, time_coverage_end: end })
}

/// The grid of a fusion file: `oceancolour_grid` if written, else (regular
/// grids from other producers) from evenly spaced 1-D lat/lon axes.
fn file_grid(path: &Path, f: &netcdf::File) -> Result<GridSpec> {
    let written = attr_text(f, "oceancolour_grid");
    if !written.is_empty() {
        return GridSpec::parse(&written).map_err(|e| Error::file(path, e));
    }
    let (lat_name, lon_name) = super::grid::find_axes(f).ok_or_else(|| Error::file(path, "has no 1-D latitude/longitude coordinates"))?;
    let axis = |n: &str| -> Result<Vec<f64>> {
        nc::variable(path, f, n, "coordinate")?.get_values::<f64, _>(..).map_err(|e| Error::file(path, format!("reading {n}: {e}")))
    };
    let (lat, lon) = (axis(&lat_name)?, axis(&lon_name)?);
    let step = |a: &[f64], what: &str| -> Result<f64> {
        let d = if a.len() > 1 { (a[a.len() - 1] - a[0]) / (a.len() - 1) as f64 } else { 0.0 };
        if d == 0.0 || a.windows(2).any(|w| ((w[1] - w[0]) - d).abs() > 1e-4 * d.abs()) {
            return Err(Error::file(path, format!("the {what} axis is not evenly spaced: not a regular grid")));
        }
        Ok(d)
    };
    let (dlat, dlon) = (step(&lat, "latitude")?, step(&lon, "longitude")?);
    if dlat > 0.0 {
        return Err(Error::file(path, "latitudes run south to north; oceancolour grids run north to south (flip the file, e.g. with `cdo invertlat`)"));
    }
    let (dlat, dlon) = (-dlat, dlon);
    let g = RegularGrid::new(lon[0] - dlon / 2.0, lon[lon.len() - 1] + dlon / 2.0, lat[lat.len() - 1] - dlat / 2.0, lat[0] + dlat / 2.0, dlon, dlat)
        .map_err(|e| Error::file(path, e))?;
    Ok(GridSpec::Regular(g))
}

// ------------------------------------------------------------ writing

fn put_text(f: &mut FileMut, k: &str, v: &str, dest: &Path) -> Result<()> {
    f.add_attribute(k, v).map(|_| ()).map_err(|e| Error::file(dest, format!("writing attribute {k}: {e}")))
}

/// Writes the global attributes, the grid and the file type.
fn put_globals(nf: &mut NewFile, grid: &GridSpec, kind: &str, variable: &str, globals: Vec<(String, AttributeValue)>) -> Result<()> {
    let dest = nf.dest.clone();
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
fn put_axes(nf: &mut NewFile, g: &RegularGrid) -> Result<()> {
    let (lons, lats) = g.axes();
    let dest = nf.dest.clone();
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
fn put_vars(nf: &mut NewFile, dims: &[&str], chunk: &[usize], coordinates: Option<&str>, vars: Vec<Var>) -> Result<()> {
    let dest = nf.dest.clone();
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

fn product_attrs(p: &ProductMeta, what: &str) -> Vec<(&'static str, AttributeValue)> {
    let mut a = vec![("long_name", AttributeValue::from(format!("{}{what}", p.long_name))), ("units", p.units.clone().into())];
    if let (Some(s), "") = (&p.standard_name, what) {
        a.push(("standard_name", s.clone().into()));
    }
    a
}

/// Writes an L3 binned file (layout by grid, see the module documentation).
pub fn write_binned(dest: &Path, l3: &L3Binned, globals: Vec<(String, AttributeValue)>) -> Result<PathBuf> {
    let b = &l3.bins;
    let p = &l3.product;
    let mut nf = NewFile::create(dest)?;
    put_globals(&mut nf, &l3.grid, BINNED, &p.variable, globals)?;
    let mean: Vec<f32> = b.mean().into_iter().map(|x| x as f32).collect();
    let stdev: Vec<f32> = b.variance().into_iter().map(|x| x.sqrt() as f32).collect();
    let scheme = b.averaging.name();
    let domain = match b.averaging {
        Averaging::Arithmetic => "the values",
        Averaging::Geometric => "ln of the values",
    };
    let stdev_doc = format!(
        "standard deviation of {domain}, with l2bin's small-sample correction (OCSSW libbin L3File.cpp): \
(sum_squared/weights - mean^2) weights^2/(weights^2 - nscenes)"
    );
    match &l3.grid {
        GridSpec::Isin(g) => {
            if g.nrows() > MAX_ROWS_32BIT {
                return Err(Error::file(dest, format!("ISIN grids over {MAX_ROWS_32BIT} rows need NASA's 64-bit L3b types, which this writer does not write")));
            }
            let too_many = |x: &[u32], what: &str| match x.iter().find(|&&v| v > i16::MAX as u32) {
                Some(v) => Err(Error::file(dest, format!("a bin has {v} {what}, more than NASA L3b's int16 holds: composite fewer days"))),
                None => Ok(()),
            };
            too_many(&b.nobs, "observations")?;
            too_many(&b.nscenes, "scenes")?;
            let n = b.len();
            let list: Vec<BinListRec> = (0..n)
                .map(|i| BinListRec {
                    bin_num: b.bin[i] as u32,
                    nobs: b.nobs[i] as i16,
                    nscenes: b.nscenes[i] as i16,
                    weights: b.weights[i] as f32,
                    time_rec: 0.0,
                })
                .collect();
            let data: Vec<BinDataRec> = (0..n).map(|i| BinDataRec { sum: b.sum[i] as f32, sum_squared: b.sum2[i] as f32 }).collect();
            let index: Vec<BinIndexRec> = (0..g.nrows() as usize)
                .map(|r| {
                    let (start, max) = (g.basebin()[r], g.numbin()[r]);
                    let lo = b.bin.partition_point(|&x| x < start);
                    let hi = b.bin.partition_point(|&x| x < start + max);
                    BinIndexRec { start_num: start as u32, begin: if hi > lo { b.bin[lo] as u32 } else { 0 }, extent: (hi - lo) as u32, max: max as u32 }
                })
                .collect();
            let err = |what: &'static str| move |e: netcdf::Error| Error::file(dest, format!("{what}: {e}"));
            {
                let f = nf.nc();
                let mut grp = f.add_group(GROUP).map_err(err("creating level-3_binned_data"))?;
                grp.add_type::<BinListRec>().map_err(err("defining binListType"))?;
                grp.add_type::<BinDataRec>().map_err(err("defining binDataType"))?;
                grp.add_type::<BinIndexRec>().map_err(err("defining binIndexType"))?;
                grp.add_dimension("binListDim", n).map_err(err("defining dimensions"))?;
                grp.add_dimension("binDataDim", n).map_err(err("defining dimensions"))?;
                grp.add_dimension("binIndexDim", index.len()).map_err(err("defining dimensions"))?;
                let chunk = [n.clamp(1, 65536)];
                let mut v = grp.add_variable::<BinListRec>("BinList", &["binListDim"]).map_err(err("writing BinList"))?;
                if n > 0 {
                    v.set_chunking(&chunk).map_err(err("writing BinList"))?;
                    v.set_compression(4, true).map_err(err("writing BinList"))?;
                }
                v.put_values(&list, ..).map_err(err("writing BinList"))?;
                let mut v = grp.add_variable::<BinDataRec>(&p.variable, &["binDataDim"]).map_err(err("writing the product sums"))?;
                if n > 0 {
                    v.set_chunking(&chunk).map_err(err("writing the product sums"))?;
                    v.set_compression(4, true).map_err(err("writing the product sums"))?;
                }
                for (k, a) in product_attrs(p, "") {
                    v.put_attribute(k, a).map_err(err("writing attributes"))?;
                }
                v.put_attribute("averaging_scheme", scheme).map_err(err("writing attributes"))?;
                v.put_values(&data, ..).map_err(err("writing the product sums"))?;
                let mut v = grp.add_variable::<BinIndexRec>("BinIndex", &["binIndexDim"]).map_err(err("writing BinIndex"))?;
                v.put_values(&index, ..).map_err(err("writing BinIndex"))?;
            }
            put_text(nf.nc(), "units", &format!("{}:{}", p.variable, p.units), dest)?;
            let chunk = [n.clamp(1, 65536) * (n > 0) as usize];
            put_vars(
                &mut nf,
                &["binListDim"],
                &chunk,
                None,
                vec![
                    Var::new(format!("{GROUP}/{}_mean", p.variable), Values::F32(mean), product_attrs(p, &format!(", {scheme} mean per bin"))),
                    Var::new(format!("{GROUP}/{}_stdev", p.variable), Values::F32(stdev), vec![("long_name", stdev_doc.into())]),
                ],
            )?;
        }
        GridSpec::Regular(g) => {
            put_axes(&mut nf, g)?;
            let ncells = g.nlon * g.nlat;
            let dense = |v: Vec<f64>, fill: f64| b.to_dense(&v, ncells, 0, fill);
            let as_f64 = |v: &[u32]| v.iter().map(|&x| x as f64).collect::<Vec<_>>();
            let to_u32 = |v: Vec<f64>| v.into_iter().map(|x| x as u32).collect::<Vec<_>>();
            let chunk = [g.nlat.min(256), g.nlon.min(1024)];
            let mut mean_attrs = product_attrs(p, "");
            mean_attrs.push(("averaging_scheme", scheme.into()));
            mean_attrs.push(("cell_methods", format!("area: mean ({scheme}, l2bin weighting)").into()));
            let sum_doc = |what: &str| format!("l2bin {what} of {domain}: sum over scenes of the scene's sum / sqrt(n_scene) (fusion.md s1.2)");
            let vars = vec![
                Var::new(
                    &p.variable,
                    Values::F32(dense(mean.iter().map(|&x| x as f64).collect(), f64::NAN)?.into_iter().map(|x| x as f32).collect()),
                    mean_attrs,
                ),
                Var::new(
                    format!("{}_stdev", p.variable),
                    Values::F32(dense(stdev.iter().map(|&x| x as f64).collect(), f64::NAN)?.into_iter().map(|x| x as f32).collect()),
                    vec![("long_name", stdev_doc.into())],
                ),
                Var::new(format!("{}_sum", p.variable), Values::F64(dense(b.sum.clone(), 0.0)?), vec![("long_name", sum_doc("sum").into())]),
                Var::new(
                    format!("{}_sum_squared", p.variable),
                    Values::F64(dense(b.sum2.clone(), 0.0)?),
                    vec![("long_name", sum_doc("sum of squares").into())],
                ),
                Var::new(
                    "weights",
                    Values::F64(dense(b.weights.clone(), 0.0)?),
                    vec![("long_name", "l2bin weights: sum over scenes of sqrt(n_scene); 0 where no data".into())],
                ),
                Var::new("nobs", Values::U32(to_u32(dense(as_f64(&b.nobs), 0.0)?)), vec![("long_name", "number of Level-2 observations (count)".into())]),
                Var::new("nscenes", Values::U32(to_u32(dense(as_f64(&b.nscenes), 0.0)?)), vec![("long_name", "number of scenes".into())]),
            ];
            put_vars(&mut nf, &["lat", "lon"], &chunk, Some("lat lon"), vars)?;
        }
    }
    nf.commit()
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
    let mut nf = NewFile::create(dest)?;
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
/// climatology). `variable`: default the file's `oceancolour_variable`.
pub fn read_field(path: &Path, variable: Option<&str>) -> Result<Field> {
    let f = nc::open(path)?;
    if f.group(GROUP).ok().flatten().is_some() {
        return Err(Error::file(path, "is an ISIN binned file; a gridded field (regular lat/lon grid) is needed here"));
    }
    let name = match variable {
        Some(v) => v.to_string(),
        None => Some(attr_text(&f, "oceancolour_variable"))
            .filter(|s| !s.is_empty())
            .ok_or_else(|| Error::file(path, "does not say which variable holds the field (no oceancolour_variable attribute): name it"))?,
    };
    let grid = file_grid(path, &f)?;
    let v = f.variable(&name).ok_or_else(|| {
        let names: Vec<String> = f.variables().filter(|v| v.dimensions().len() >= 2).map(|v| v.name()).collect();
        Error::file(path, format!("has no variable {name:?}; gridded variables: {}", names.join(", ")))
    })?;
    let dims = v.dimensions();
    let lead = dims.len().saturating_sub(2);
    if dims.len() < 2 || dims[..lead].iter().any(|d| d.len() != 1) {
        return Err(Error::file(path, format!("{name} is not a 2-D (lat, lon) field")));
    }
    let values = nc::read_decoded_at(path, &v, lead, 0, dims[lead].len())?;
    if values.len() as u64 != grid.ncells() {
        return Err(Error::file(path, format!("{name} has {} cells but the grid {} has {}", values.len(), grid.describe(), grid.ncells())));
    }
    let attributes = f.attributes().filter_map(|a| Some((a.name().to_string(), text(Some(a.value()))?))).collect();
    Ok(Field { grid, bins: vec![], values, variable: name, attributes })
}
