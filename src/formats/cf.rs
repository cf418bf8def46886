//! The CF-1.8 / ACDD-1.3 product writer (formats.md s8): one product per
//! file, float32 with a NaN-free `_FillValue`, `standard_name`, `units`,
//! valid range, deflate + shuffle + chunking, coordinates, and provenance
//! as global attributes, written through `atomic` (a failed or interrupted
//! write leaves nothing). `read_l2` reads such a file back as pixels
//! (the input of `oceancolour bin`).

use std::path::{Path, PathBuf};

use netcdf::{AttributeValue, Extent};
use serde::{Deserialize, Serialize};

use super::atomic::NewNetcdf;
use super::l3file::{self, ProductMeta};
use super::nc;
use super::{Block, GranuleInfo, Layout};
use crate::error::{Error, Result};

/// Fill value of every product (formats.md s8.2: prefer NaN-free fills).
pub const FILL: f32 = -999.0;

/// netCDF storage settings (the `[output]` table of the configuration).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Storage {
    /// zlib deflate level 0-9 (0: no compression).
    pub deflate: i32,
    pub shuffle: bool,
    /// Chunk shape for 2-D products (rows, columns), capped by the data's.
    pub chunk: [usize; 2],
}

impl Default for Storage {
    fn default() -> Self {
        Storage { deflate: 4, shuffle: true, chunk: [256, 1024] }
    }
}

/// What the writer needs to know about the product variable.
#[derive(Debug, Clone)]
pub struct VariableMeta {
    pub name: String,
    pub long_name: String,
    pub standard_name: Option<String>,
    pub units: String,
    pub valid_range: Option<[f32; 2]>,
    pub references: String,
    pub comment: String,
    /// Scalar `radiation_wavelength` coordinate (nm), e.g. 490 for Kd(490)
    /// (CF: without it the attenuation is an integral over all wavelengths).
    pub radiation_wavelength_nm: Option<f32>,
    /// A class product: (flag_values, flag_meanings) of a `byte` variable with
    /// `_FillValue` 0 instead of a float quantity.
    pub flags: Option<(Vec<u8>, String)>,
}

/// An extra per-pixel variable written beside the product (its uncertainty, bias,
/// applicability class), listed in the product's `ancillary_variables`.
#[derive(Debug, Clone)]
pub struct LayerMeta {
    /// Variable name, e.g. `chl_oc5_uncertainty` or `oc5_class`.
    pub name: String,
    pub long_name: String,
    pub units: String,
    pub comment: String,
    /// Flag-like layers: (flag_values, flag_meanings) of a `byte` variable with
    /// `_FillValue` 0 (CF-1.8 has no unsigned types; the values fit in a byte).
    pub flags: Option<(Vec<u8>, String)>,
}

/// A product file being written; removed unless `finish` succeeds.
pub struct ProductWriter {
    nf: NewNetcdf,
    name: String,
    /// The product variable holds class numbers (byte), not a float quantity.
    class: bool,
    dims: Vec<String>,
    chunk: Vec<usize>,
    storage: Storage,
    layout: Layout,
    cols: usize,
    lat_range: [f32; 2],
    lon_range: [f32; 2],
}

fn nc_err<'a>(path: &'a Path, what: &str) -> impl Fn(netcdf::Error) -> Error + 'a {
    let what = what.to_string();
    move |e| Error::file(path, format!("{what}: {e}"))
}

impl ProductWriter {
    pub fn create(dest: &Path, info: &GranuleInfo, var: &VariableMeta, storage: &Storage, globals: Vec<(String, AttributeValue)>) -> Result<Self> {
        let mut nf = NewNetcdf::create(dest)?;
        let err = |what: &'static str| nc_err(dest, what);
        let f = nf.nc();
        let (dims, coords): (Vec<&str>, &str) = match &info.layout {
            Layout::Swath => {
                f.add_dimension("y", info.rows).map_err(err("defining dimensions"))?;
                f.add_dimension("x", info.cols).map_err(err("defining dimensions"))?;
                (vec!["y", "x"], "lat lon")
            }
            Layout::Grid { .. } => {
                f.add_dimension("lat", info.rows).map_err(err("defining dimensions"))?;
                f.add_dimension("lon", info.cols).map_err(err("defining dimensions"))?;
                (vec!["lat", "lon"], "lat lon")
            }
            Layout::Bins { .. } => {
                f.add_dimension("bin", info.rows).map_err(err("defining dimensions"))?;
                (vec!["bin"], "lat lon")
            }
        };
        let chunk: Vec<usize> = match dims.len() {
            2 => vec![storage.chunk[0].min(info.rows).max(1), storage.chunk[1].min(info.cols).max(1)],
            _ => vec![(storage.chunk[0] * storage.chunk[1]).min(info.rows).max(1)],
        };
        let coord_dims: Vec<&str> = match &info.layout {
            Layout::Grid { .. } => Vec::new(),
            _ => dims.clone(),
        };
        for (name, std_name, units) in [("lat", "latitude", "degrees_north"), ("lon", "longitude", "degrees_east")] {
            let d: Vec<&str> = if coord_dims.is_empty() { vec![name] } else { coord_dims.clone() };
            let mut v = f.add_variable::<f32>(name, &d).map_err(err("defining coordinates"))?;
            if d.len() == chunk.len() {
                v.set_chunking(&chunk).map_err(err("chunking coordinates"))?;
            }
            if storage.deflate > 0 {
                v.set_compression(storage.deflate, storage.shuffle).map_err(err("compressing coordinates"))?;
            }
            v.put_attribute("standard_name", std_name).map_err(err("writing attributes"))?;
            v.put_attribute("long_name", std_name).map_err(err("writing attributes"))?;
            v.put_attribute("units", units).map_err(err("writing attributes"))?;
            v.put_attribute("coverage_content_type", "coordinate").map_err(err("writing attributes"))?;
            if let Layout::Grid { lat, lon } = &info.layout {
                v.put_attribute("axis", if name == "lat" { "Y" } else { "X" }).map_err(err("writing attributes"))?;
                v.put_values(if name == "lat" { lat } else { lon }, ..).map_err(err("writing coordinates"))?;
            }
        }
        if let Layout::Bins { isin_rows } = &info.layout {
            // int32, not NASA's uint32: CF-1.8's types are char, byte, short,
            // int, float, double (s2.2; unsigned and 64-bit came with CF-1.9).
            // int32 holds every bin of ISIN grids up to ~41,000 rows (~0.5 km).
            let mut v = f.add_variable::<i32>("bin_num", &dims).map_err(err("defining bin_num"))?;
            v.put_attribute("long_name", "ISIN bin number (1-based, NASA OBPG binning scheme)").map_err(err("writing attributes"))?;
            v.put_attribute("units", "1").map_err(err("writing attributes"))?;
            v.put_attribute("coverage_content_type", "referenceInformation").map_err(err("writing attributes"))?;
            v.put_attribute("isin_rows", *isin_rows as i32).map_err(err("writing attributes"))?;
        }
        let mut coordinates = coords.to_string();
        if let Some(nm) = var.radiation_wavelength_nm {
            let mut v = f.add_variable::<f32>("radiation_wavelength", &[]).map_err(err("defining radiation_wavelength"))?;
            v.put_attribute("standard_name", "radiation_wavelength").map_err(err("writing attributes"))?;
            v.put_attribute("long_name", "wavelength of the attenuation").map_err(err("writing attributes"))?;
            v.put_attribute("units", "nm").map_err(err("writing attributes"))?;
            v.put_attribute("coverage_content_type", "coordinate").map_err(err("writing attributes"))?;
            v.put_value(nm, ()).map_err(err("writing radiation_wavelength"))?;
            coordinates.push_str(" radiation_wavelength");
        }
        if let Some(start) = parse_time(&info.time_coverage_start) {
            put_time_coordinate(f, start, parse_time(&info.time_coverage_end)).map_err(err("writing time"))?;
            coordinates.push_str(" time");
        }
        {
            let mut v = match &var.flags {
                Some(_) => f.add_variable::<i8>(&var.name, &dims),
                None => f.add_variable::<f32>(&var.name, &dims),
            }
            .map_err(err("defining the product variable"))?;
            v.set_chunking(&chunk).map_err(err("chunking the product"))?;
            if storage.deflate > 0 {
                v.set_compression(storage.deflate, storage.shuffle).map_err(err("compressing the product"))?;
            }
            match &var.flags {
                Some((values, meanings)) => {
                    v.set_fill_value(0i8).map_err(err("setting _FillValue"))?;
                    v.put_attribute("flag_values", values.iter().map(|&x| x as i8).collect::<Vec<i8>>()).map_err(err("writing attributes"))?;
                    v.put_attribute("flag_meanings", meanings.as_str()).map_err(err("writing attributes"))?;
                }
                None => v.set_fill_value(FILL).map_err(err("setting _FillValue"))?,
            }
            v.put_attribute("long_name", var.long_name.as_str()).map_err(err("writing attributes"))?;
            if let Some(s) = &var.standard_name {
                v.put_attribute("standard_name", s.as_str()).map_err(err("writing attributes"))?;
            }
            v.put_attribute("units", var.units.as_str()).map_err(err("writing attributes"))?;
            if let (Some([lo, hi]), None) = (var.valid_range, &var.flags) {
                v.put_attribute("valid_min", lo).map_err(err("writing attributes"))?;
                v.put_attribute("valid_max", hi).map_err(err("writing attributes"))?;
            }
            v.put_attribute("coordinates", coordinates.as_str()).map_err(err("writing attributes"))?;
            // A quantity derived from measured Rrs, or a classification of it (ISO 19115-1 codes).
            let content = if var.flags.is_some() { "thematicClassification" } else { "physicalMeasurement" };
            v.put_attribute("coverage_content_type", content).map_err(err("writing attributes"))?;
            v.put_attribute("references", var.references.as_str()).map_err(err("writing attributes"))?;
            v.put_attribute("comment", var.comment.as_str()).map_err(err("writing attributes"))?;
        }
        for (k, v) in globals {
            f.add_attribute(&k, v).map_err(err("writing global attributes"))?;
        }
        Ok(ProductWriter {
            nf,
            name: var.name.clone(),
            class: var.flags.is_some(),
            dims: dims.iter().map(|d| d.to_string()).collect(),
            chunk,
            storage: storage.clone(),
            layout: info.layout.clone(),
            cols: info.cols,
            lat_range: [f32::INFINITY, f32::NEG_INFINITY],
            lon_range: [f32::INFINITY, f32::NEG_INFINITY],
        })
    }

    /// Defines the layer variables (before any block is written) and names them in
    /// the product's `ancillary_variables`.
    pub fn add_layers(&mut self, layers: &[LayerMeta]) -> Result<()> {
        if layers.is_empty() {
            return Ok(());
        }
        let dest = self.nf.dest().to_path_buf();
        let err = |what: &'static str| nc_err(&dest, what);
        let dims: Vec<&str> = self.dims.iter().map(String::as_str).collect();
        let f = self.nf.nc();
        for l in layers {
            let mut v = match &l.flags {
                Some(_) => f.add_variable::<i8>(&l.name, &dims),
                None => f.add_variable::<f32>(&l.name, &dims),
            }
            .map_err(err("defining a layer variable"))?;
            v.set_chunking(&self.chunk).map_err(err("chunking a layer"))?;
            if self.storage.deflate > 0 {
                v.set_compression(self.storage.deflate, self.storage.shuffle).map_err(err("compressing a layer"))?;
            }
            match &l.flags {
                Some((values, meanings)) => {
                    v.set_fill_value(0i8).map_err(err("setting _FillValue"))?;
                    let values: Vec<i8> = values.iter().map(|&x| x as i8).collect();
                    v.put_attribute("flag_values", values).map_err(err("writing attributes"))?;
                    v.put_attribute("flag_meanings", meanings.as_str()).map_err(err("writing attributes"))?;
                    v.put_attribute("standard_name", "status_flag").map_err(err("writing attributes"))?;
                    v.put_attribute("coverage_content_type", "qualityInformation").map_err(err("writing attributes"))?;
                }
                None => {
                    v.set_fill_value(FILL).map_err(err("setting _FillValue"))?;
                    v.put_attribute("coverage_content_type", "qualityInformation").map_err(err("writing attributes"))?;
                }
            }
            v.put_attribute("long_name", l.long_name.as_str()).map_err(err("writing attributes"))?;
            v.put_attribute("units", l.units.as_str()).map_err(err("writing attributes"))?;
            v.put_attribute("coordinates", "lat lon").map_err(err("writing attributes"))?;
            v.put_attribute("comment", l.comment.as_str()).map_err(err("writing attributes"))?;
        }
        let names: Vec<&str> = layers.iter().map(|l| l.name.as_str()).collect();
        f.variable_mut(&self.name).expect("defined in create").put_attribute("ancillary_variables", names.join(" ")).map_err(err("writing attributes"))?;
        Ok(())
    }

    /// Writes a block of a float layer (NaN -> _FillValue).
    pub fn write_layer_f32(&mut self, block: &Block, name: &str, values: &[f32]) -> Result<()> {
        let filled: Vec<f32> = values.iter().map(|&v| if v.is_finite() { v } else { FILL }).collect();
        self.put_layer(block, name, &filled)
    }

    /// Writes a block of a flag layer (0 = not classified = _FillValue).
    pub fn write_layer_flags(&mut self, block: &Block, name: &str, values: &[u8]) -> Result<()> {
        let v: Vec<i8> = values.iter().map(|&x| x as i8).collect();
        self.put_layer(block, name, &v)
    }

    fn put_layer<T: netcdf::NcTypeDescriptor + Copy>(&mut self, block: &Block, name: &str, values: &[T]) -> Result<()> {
        let dest = self.nf.dest().to_path_buf();
        let rows = block.row0..block.row0 + block.nrows;
        let extents = match self.layout {
            Layout::Bins { .. } => vec![Extent::from(rows)],
            _ => vec![Extent::from(rows), Extent::from(0..self.cols)],
        };
        let f = self.nf.nc();
        let mut v = f.variable_mut(name).ok_or_else(|| Error::file(&dest, format!("layer {name} was not defined")))?;
        v.put_values(values, extents).map_err(nc_err(&dest, "writing a layer (disk full?)"))
    }

    /// Writes the product values of a block (NaN -> _FillValue) and, for
    /// swaths and bins, its coordinates.
    pub fn write_block(&mut self, block: &Block, values: &[f32]) -> Result<()> {
        let dest = self.nf.dest().to_path_buf();
        let f = self.nf.nc();
        let rows = block.row0..block.row0 + block.nrows;
        let extents = match self.layout {
            Layout::Bins { .. } => vec![Extent::from(rows)],
            _ => vec![Extent::from(rows), Extent::from(0..self.cols)],
        };
        let err = |what: &'static str| nc_err(&dest, what);
        let var = &mut f.variable_mut(&self.name).expect("defined in create");
        if self.class {
            // Class numbers 1..=127 as bytes; NaN (not classified) -> 0, the fill.
            let classes: Vec<i8> = values.iter().map(|&v| if v.is_finite() { v as i8 } else { 0 }).collect();
            var.put_values(&classes, extents.clone()).map_err(err("writing the product (disk full?)"))?;
        } else {
            let filled: Vec<f32> = values.iter().map(|&v| if v.is_finite() { v } else { FILL }).collect();
            var.put_values(&filled, extents.clone()).map_err(err("writing the product (disk full?)"))?;
        }
        if !matches!(self.layout, Layout::Grid { .. }) {
            for (name, data) in [("lat", &block.lat), ("lon", &block.lon)] {
                f.variable_mut(name).expect("defined").put_values(data, extents.clone()).map_err(err("writing coordinates"))?;
            }
            if !block.bin_num.is_empty() {
                let bins = block
                    .bin_num
                    .iter()
                    .map(|&b| i32::try_from(b).map_err(|_| Error::file(&dest, format!("bin number {b} does not fit CF-1.8's int32: use a coarser grid"))))
                    .collect::<Result<Vec<i32>>>()?;
                f.variable_mut("bin_num").expect("defined").put_values(&bins, extents.clone()).map_err(err("writing bin_num"))?;
            }
        }
        let widen = |r: &mut [f32; 2], xs: &[f32]| {
            for &x in xs.iter().filter(|x| x.is_finite()) {
                r[0] = r[0].min(x);
                r[1] = r[1].max(x);
            }
        };
        widen(&mut self.lat_range, &block.lat);
        widen(&mut self.lon_range, &block.lon);
        Ok(())
    }

    /// Adds the closing global attributes (bounds, counts) and commits the
    /// file to its final name.
    pub fn finish(mut self, extra: Vec<(String, AttributeValue)>) -> Result<PathBuf> {
        let dest = self.nf.dest().to_path_buf();
        if let Layout::Grid { lat, lon } = &self.layout {
            let range = |xs: &[f32]| [xs.iter().copied().fold(f32::INFINITY, f32::min), xs.iter().copied().fold(f32::NEG_INFINITY, f32::max)];
            self.lat_range = range(lat);
            self.lon_range = range(lon);
        }
        let mut attrs = extra;
        if self.lat_range[0].is_finite() {
            attrs.extend(geospatial_attrs(self.lat_range, self.lon_range));
            if let Layout::Grid { lat, lon } = &self.layout {
                let step = |xs: &[f32]| (xs.len() > 1).then(|| ((xs[xs.len() - 1] - xs[0]) / (xs.len() - 1) as f32).abs());
                if let (Some(dlat), Some(dlon)) = (step(lat), step(lon)) {
                    attrs.push(text_attr("geospatial_lat_resolution", format!("{dlat} degrees")));
                    attrs.push(text_attr("geospatial_lon_resolution", format!("{dlon} degrees")));
                }
            }
        }
        let f = self.nf.nc();
        for (k, v) in attrs {
            f.add_attribute(&k, v).map_err(nc_err(&dest, "writing global attributes"))?;
        }
        self.nf.commit()
    }
}

/// ACDD geospatial extent of the pixels written: min/max with units, and the
/// same box as `geospatial_bounds` (WKT, EPSG:4326 axis order: latitude
/// then longitude). A swath that crosses the antimeridian gets the loose box
/// -180..180 its longitudes span, which contains it.
pub fn geospatial_attrs<T: Copy + std::fmt::Display + Into<AttributeValue>>(lat: [T; 2], lon: [T; 2]) -> Vec<(String, AttributeValue)> {
    let [s, n] = lat;
    let [w, e] = lon;
    vec![
        ("geospatial_lat_min".into(), s.into()),
        ("geospatial_lat_max".into(), n.into()),
        ("geospatial_lon_min".into(), w.into()),
        ("geospatial_lon_max".into(), e.into()),
        text_attr("geospatial_lat_units", "degrees_north"),
        text_attr("geospatial_lon_units", "degrees_east"),
        text_attr("geospatial_bounds", format!("POLYGON(({s} {w}, {n} {w}, {n} {e}, {s} {e}, {s} {w}))")),
        text_attr("geospatial_bounds_crs", "EPSG:4326"),
    ]
}

/// ACDD `keywords` of every file the chain writes (`[output.attributes]` may replace them).
pub const KEYWORDS: &str = "ocean colour, remote sensing reflectance, chlorophyll, suspended matter, turbidity, light attenuation";
/// ACDD `standard_name_vocabulary`: the CF table the standard names come from.
pub const STANDARD_NAME_VOCABULARY: &str = "CF Standard Name Table v83";

/// ACDD time coverage: start and end as given, and their duration (also
/// the resolution: one value per cell over the whole coverage, a single
/// time step) when both are ISO 8601 / RFC 3339 times.
pub fn time_coverage_attrs(start: &Option<String>, end: &Option<String>) -> Vec<(String, AttributeValue)> {
    let mut g: Vec<_> = [("time_coverage_start", start), ("time_coverage_end", end)].into_iter().filter_map(|(k, t)| Some(text_attr(k, t.clone()?))).collect();
    if let (Some(a), Some(b)) = (parse_time(start), parse_time(end)) {
        let seconds = (b - a).round() as i64;
        g.push(text_attr("time_coverage_duration", iso8601_duration(seconds)));
        g.push(text_attr("time_coverage_resolution", iso8601_duration(seconds)));
    }
    g
}

/// Scalar CF time coordinate `time` (CF-1.8 s5.7): the start of the
/// observations, bounded by the coverage (`time_bnds`) when the end is known
/// and not before the start. ACDD checks time_coverage_start/end against it.
pub fn put_time_coordinate(f: &mut netcdf::FileMut, start: f64, end: Option<f64>) -> netcdf::Result<()> {
    let end = end.filter(|&e| e >= start);
    let mut v = f.add_variable::<f64>("time", &[])?;
    v.put_attribute("standard_name", "time")?;
    v.put_attribute("long_name", "start of the observations")?;
    v.put_attribute("units", "seconds since 1970-01-01 00:00:00 UTC")?;
    v.put_attribute("calendar", "standard")?;
    v.put_attribute("axis", "T")?;
    v.put_attribute("coverage_content_type", "coordinate")?;
    if end.is_some() {
        v.put_attribute("bounds", "time_bnds")?;
    }
    v.put_value(start, ())?;
    if let Some(end) = end {
        f.add_dimension("nv", 2)?;
        f.add_variable::<f64>("time_bnds", &["nv"])?.put_values(&[start, end], ..)?;
    }
    Ok(())
}

/// Seconds since 1970-01-01T00:00:00Z of an ISO 8601 / RFC 3339 time.
pub fn parse_time(t: &Option<String>) -> Option<f64> {
    let t = chrono::DateTime::parse_from_rfc3339(t.as_deref()?).ok()?;
    Some(t.timestamp() as f64 + f64::from(t.timestamp_subsec_micros()) * 1e-6)
}

/// An ISO 8601 duration ("P1DT2H3M4S", "PT0S") of a number of seconds.
pub fn iso8601_duration(seconds: i64) -> String {
    let s = seconds.max(0);
    let (d, h, m, sec) = (s / 86400, s % 86400 / 3600, s % 3600 / 60, s % 60);
    let mut out = String::from("P");
    if d > 0 {
        out.push_str(&format!("{d}D"));
    }
    if h > 0 || m > 0 || sec > 0 || d == 0 {
        out.push('T');
        if h > 0 {
            out.push_str(&format!("{h}H"));
        }
        if m > 0 {
            out.push_str(&format!("{m}M"));
        }
        if sec > 0 || (h == 0 && m == 0) {
            out.push_str(&format!("{sec}S"));
        }
    }
    out
}

/// A string global attribute.
pub fn text_attr(k: &str, v: impl Into<String>) -> (String, AttributeValue) {
    (k.to_string(), AttributeValue::Str(v.into()))
}

// ------------------------------------------------------------ reading back

/// A Level-2 product file written by `oceancolour process` (swath, grid or
/// bins with lat/lon), as pixels.
pub struct L2Pixels {
    pub lon: Vec<f32>,
    pub lat: Vec<f32>,
    pub value: Vec<f32>,
    /// The product's per-pixel uncertainty (`<product>_uncertainty`), when the file has it.
    pub uncertainty: Option<Vec<f32>>,
    /// Pixels per row (1 for a 1-D layout): the data-day rule works by rows.
    pub cols: usize,
    /// Per pixel, whether another product variable of the file is invalid
    /// there (only filled when asked: `drop_all_invalid`).
    pub invalid_elsewhere: Vec<bool>,
    pub product: ProductMeta,
    pub sensor: (String, String, String),
    pub start: String,
    pub end: String,
}

/// Variables of a product file that are not products: coordinates, bins, time.
const NOT_PRODUCTS: [&str; 6] = ["lat", "lon", "bin_num", "radiation_wavelength", "time", "time_bnds"];

/// Reads a product file written by `ProductWriter` (swath, grid or bins
/// with lat/lon) as pixels: `variable` (default the file's one product) with
/// its `<product>_uncertainty`; `all_products`: also which pixels another
/// product of the file is invalid at (l2bin's screening).
pub fn read_l2(path: &Path, variable: Option<&str>, all_products: bool) -> Result<L2Pixels> {
    let f = nc::open(path)?;
    let attr = |n: &str| nc::text(f.attribute(n).map(|a| a.value())).unwrap_or_default();
    // Variables another one names as ancillary (its uncertainty, class, status) are not products.
    let ancillary: Vec<String> = f
        .variables()
        .filter_map(|v| nc::text(v.attribute_value("ancillary_variables")))
        .flat_map(|a| a.split_whitespace().map(String::from).collect::<Vec<_>>())
        .collect();
    let products: Vec<String> = f
        .variables()
        .filter(|v| !NOT_PRODUCTS.contains(&v.name().as_str()) && !v.dimensions().is_empty() && !ancillary.contains(&v.name()))
        .map(|v| v.name())
        .collect();
    // And a product's uncertainty even when nothing names it.
    let products: Vec<String> =
        products.iter().filter(|p| !p.strip_suffix("_uncertainty").is_some_and(|base| products.iter().any(|q| q == base))).cloned().collect();
    let name = match variable {
        Some(v) if products.iter().any(|p| p == v) => v.to_string(),
        Some(v) => return Err(Error::file(path, format!("has no product variable {v:?}; it has: {}", products.join(", ")))),
        None if products.len() == 1 => products[0].clone(),
        None => return Err(Error::file(path, format!("holds several variables ({}): choose one with --variable", products.join(", ")))),
    };
    let v = nc::variable(path, &f, &name, "product")?;
    if v.attribute("flag_values").is_some() {
        // l2bin's weighted means have no meaning for class numbers (oc5_class, owt_dominant).
        return Err(Error::file(
            path,
            format!("{name} is a classification (it has flag_values): binning averages values, which means nothing for class numbers; bin the quantity it classifies instead"),
        ));
    }
    let (lat_v, lon_v) = (nc::variable(path, &f, "lat", "latitude")?, nc::variable(path, &f, "lon", "longitude")?);
    let dims: Vec<String> = v.dimensions().iter().map(|d| d.name()).collect();
    let rows = v.dimensions().first().map_or(0, |d| d.len());
    let value = nc::read_decoded(path, &v, 0, rows)?;
    let n = value.len();
    let uncertainty = match f.variable(&l3file::uncertainty_name(&name)) {
        Some(u) if u.len() == n => Some(nc::read_decoded(path, &u, 0, rows)?),
        Some(u) => return Err(Error::file(path, format!("{} has {} values but {name} has {n}", u.name(), u.len()))),
        None => None,
    };
    let (lat, lon) = if lat_v.len() == n && lon_v.len() == n {
        (nc::read_decoded(path, &lat_v, 0, rows)?, nc::read_decoded(path, &lon_v, 0, rows)?)
    } else if dims.len() == 2 && lat_v.len() == rows && lon_v.len() * rows == n {
        // A regular grid: 1-D axes, one position per cell.
        let (la, lo) = (nc::read_decoded(path, &lat_v, 0, rows)?, nc::read_decoded(path, &lon_v, 0, lon_v.len())?);
        let cols = lo.len();
        ((0..n).map(|i| la[i / cols]).collect(), (0..n).map(|i| lo[i % cols]).collect())
    } else {
        return Err(Error::file(path, format!("lat/lon ({} and {} values) do not match {name} ({n} values)", lat_v.len(), lon_v.len())));
    };
    let mut invalid_elsewhere = Vec::new();
    if all_products {
        invalid_elsewhere = vec![false; n];
        for other in products.iter().filter(|p| **p != name) {
            let ov = nc::variable(path, &f, other, "product")?;
            if ov.len() != n {
                continue; // not a per-pixel product (e.g. a per-band table)
            }
            let values = nc::read_decoded(path, &ov, 0, rows)?;
            for (bad, x) in invalid_elsewhere.iter_mut().zip(values) {
                *bad |= !x.is_finite();
            }
        }
    }
    let cols = if dims.len() >= 2 { v.dimensions().last().map_or(1, |d| d.len()) } else { 1 };
    let vt = |k: &str| nc::text(v.attribute_value(k));
    Ok(L2Pixels {
        lon,
        lat,
        value,
        uncertainty,
        cols,
        invalid_elsewhere,
        product: ProductMeta {
            long_name: vt("long_name").unwrap_or_else(|| name.clone()),
            units: vt("units").unwrap_or_default(),
            standard_name: vt("standard_name"),
            variable: name,
        },
        sensor: l3file::sensor_name(&f),
        start: attr("time_coverage_start"),
        end: attr("time_coverage_end"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso8601_durations() {
        assert_eq!(iso8601_duration(0), "PT0S");
        assert_eq!(iso8601_duration(100), "PT1M40S");
        assert_eq!(iso8601_duration(86400), "P1D");
        assert_eq!(iso8601_duration(85212), "PT23H40M12S");
        assert_eq!(iso8601_duration(90061), "P1DT1H1M1S");
        assert_eq!(iso8601_duration(7200), "PT2H");
    }

    #[test]
    fn geospatial_bounds_is_a_closed_lat_lon_polygon() {
        let a = geospatial_attrs([45.5, 47.5], [-6.0, -2.0]);
        let wkt = a.iter().find(|(k, _)| k == "geospatial_bounds").map(|(_, v)| format!("{v:?}")).unwrap();
        assert!(wkt.contains("POLYGON((45.5 -6, 47.5 -6, 47.5 -2, 45.5 -2, 45.5 -6))"), "{wkt}");
    }
}
