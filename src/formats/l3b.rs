//! NASA OBPG Level-3 binned files (formats.md s2), read and written here
//! alone: group `level-3_binned_data` with compound `BinList` (bin_num,
//! nobs, nscenes, weights, time_rec), one compound {sum, sum_squared} per
//! product, and `BinIndex` (one record per ISIN row). Compound members are
//! read by name, never by offset (the 32- and 64-bit layouts pad
//! differently, s2.1). Rrs of a bin = sum / weights (s2.3).
//!
//! `L3bFile` is the file; `L3bGranule` its view as a granule of Rrs bins for
//! the chain, `L3bFile::read_product` a product's sums for the fusion chain.
//! `write` puts the same layout, with the 32-bit types (so grids up to 41068
//! rows, s2.1); the netcdf crate 0.12 writes compound types, so NASA's
//! readers read the files.

use std::path::{Path, PathBuf};

use netcdf::types::{CompoundType, CompoundTypeField, FloatType, IntType, NcTypeDescriptor, NcVariableType};
use netcdf::{AttributeValue, Extent};

use super::atomic::NewNetcdf;
use super::l3file::ProductMeta;
use super::nc::{self, text};
use super::obpg_l2::rrs_band;
use super::{resolve_sensor, Block, Granule, GranuleInfo, Layout};
use crate::error::{Error, Result};
use crate::fusion::binning::{Averaging, L3Bins};
use crate::fusion::grid::{Grid, IsinGrid};
use crate::sensors::Sensor;

pub const GROUP: &str = "level-3_binned_data";
/// NASA's 32-bit L3b types hold grids up to this many rows (bin_io.cpp `MAX_ROWS_32BIT`, formats.md s2.1).
const MAX_ROWS_32BIT: u32 = 41068;

/// A NASA L3b file open for reading: its ISIN grid (from `BinIndex`, shared
/// with the binning in `fusion::grid`) and its bin list.
pub struct L3bFile {
    path: PathBuf,
    file: netcdf::File,
    isin: IsinGrid,
    nbins: usize,
}

impl L3bFile {
    pub fn open(path: &Path, file: netcdf::File) -> Result<Self> {
        let nbins = nc::variable(path, &file, &format!("{GROUP}/BinList"), "bin list")?.len();
        let rows = nc::variable(path, &file, &format!("{GROUP}/BinIndex"), "bin index")?.len();
        if rows == 0 || rows % 2 == 1 {
            return Err(Error::file(path, format!("BinIndex has {rows} rows; OBPG ISIN grids have an even number")));
        }
        let isin = IsinGrid::new(rows as u32).map_err(|e| Error::file(path, format!("BinIndex: {e}")))?;
        Ok(L3bFile { path: path.to_path_buf(), file, isin, nbins })
    }

    pub fn grid(&self) -> &IsinGrid {
        &self.isin
    }

    pub fn file(&self) -> &netcdf::File {
        &self.file
    }

    fn variable(&self, name: &str, what: &str) -> Result<netcdf::Variable<'_>> {
        nc::variable(&self.path, &self.file, &format!("{GROUP}/{name}"), what)
    }

    /// The binned products (compound sums), e.g. `Rrs_443`, `chlor_a`.
    pub fn products(&self) -> Vec<String> {
        let Some(group) = nc::group(&self.file, GROUP) else { return vec![] };
        group
            .variables()
            .filter(|v| !["BinList", "BinIndex"].contains(&v.name().as_str()) && matches!(v.vartype(), NcVariableType::Compound(_)))
            .map(|v| v.name())
            .collect()
    }

    /// Every bin of product `name`: sums, weights and counts, and the product's metadata.
    pub fn read_product(&self, name: &str) -> Result<(L3Bins, ProductMeta)> {
        let path = &self.path;
        let n = self.nbins;
        let cols = read_compound(path, &self.variable("BinList", "bin list")?, 0, n, &["bin_num", "nobs", "nscenes", "weights"])?;
        let pv = self.variable(name, "product")?;
        if pv.len() != n {
            return Err(Error::file(path, format!("{name} has {} records but BinList has {n}", pv.len())));
        }
        let sums = read_compound(path, &pv, 0, n, &["sum", "sum_squared"])?;
        let averaging = match text(pv.attribute_value("averaging_scheme")).as_deref() {
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
        if let Some(b) = bins.bin.iter().find(|&&b| b < 1 || b > self.isin.ncells()) {
            return Err(Error::file(path, format!("bin {b} is outside the {}-row ISIN grid", self.isin.nrows())));
        }
        // NASA writes units globally ("chlor_a:mg m^-3,Rrs_443:sr^-1"); ours per variable.
        let units = text(pv.attribute_value("units")).unwrap_or_else(|| {
            text(self.file.attribute("units").map(|a| a.value()))
                .unwrap_or_default()
                .split(',')
                .find_map(|u| u.split_once(':').filter(|(p, _)| *p == name).map(|(_, u)| u.to_string()))
                .unwrap_or_default()
        });
        let product = ProductMeta {
            long_name: text(pv.attribute_value("long_name")).unwrap_or_else(|| name.to_string()),
            standard_name: text(pv.attribute_value("standard_name")),
            units,
            variable: name.to_string(),
        };
        Ok((bins, product))
    }

    /// Rrs bands of `sensor` held as `Rrs_NNN` products.
    fn rrs_bands(&self, sensor: &Sensor) -> Vec<u16> {
        let mut bands: Vec<u16> = self.products().iter().filter_map(|v| rrs_band(v)).filter(|&nm| sensor.band(nm).is_ok()).collect();
        bands.sort_unstable();
        bands
    }

    /// Bins `[row0, row0 + nrows)` of the bin list: each band's mean Rrs
    /// (sum / weights) and the bins' centres.
    fn read_rrs(&self, row0: usize, nrows: usize, bands: &[u16]) -> Result<Block> {
        let path = &self.path;
        let cols = read_compound(path, &self.variable("BinList", "")?, row0, nrows, &["bin_num", "weights"])?;
        let (bin_num, weights) = (&cols[0], &cols[1]);
        let mut rrs = Vec::with_capacity(bands.len());
        for &nm in bands {
            let sum = read_compound(path, &self.variable(&format!("Rrs_{nm}"), "")?, row0, nrows, &["sum"])?.remove(0);
            let mean = sum.iter().zip(weights).map(|(s, w)| if *w > 0.0 { (s / w) as f32 } else { f32::NAN }).collect();
            rrs.push((nm, mean));
        }
        let bin_num: Vec<u64> = bin_num.iter().map(|&b| b as u64).collect();
        let (lat, lon): (Vec<f32>, Vec<f32>) = bin_num.iter().map(|&b| self.isin.centre(b).map_or((f32::NAN, f32::NAN), |(o, a)| (a as f32, o as f32))).unzip();
        Ok(Block { row0, nrows, rrs, lat, lon, bin_num, flagged: 0, rrs_sigma: Vec::new() })
    }
}

/// An L3b file as a granule for the chain: one row per filled bin, Rrs = sum / weights.
pub struct L3bGranule {
    info: GranuleInfo,
    l3b: L3bFile,
}

impl L3bGranule {
    pub fn open(path: &Path, file: netcdf::File, sensor: Option<&str>) -> Result<Self> {
        let attr = |n: &str| text(file.attribute(n).map(|a| a.value())).unwrap_or_default();
        let (sensor, sensor_from) = resolve_sensor(path, sensor, &attr("instrument"), &attr("platform"))?;
        let keep = ["title", "instrument", "platform", "processing_version", "temporal_range", "spatialResolution"];
        let attributes = keep.iter().map(|k| (k.to_string(), attr(k))).filter(|kv| !kv.1.is_empty()).collect();
        let (start, end) = (attr("time_coverage_start"), attr("time_coverage_end"));
        let flag_names =
            file.group("processing_control").ok().flatten().and_then(|g| text(g.attribute_value("l2_flag_names"))).unwrap_or_else(|| "not recorded".into());
        let simulated = nc::says_simulated(&file);
        let l3b = L3bFile::open(path, file)?;
        let bands = l3b.rrs_bands(sensor);
        if bands.is_empty() {
            return Err(Error::file(path, "has no Rrs_NNN variable in level-3_binned_data"));
        }
        let info = GranuleInfo {
            path: PathBuf::from(path),
            format: "NASA OBPG Level-3 binned",
            sensor,
            sensor_from,
            rows: l3b.nbins,
            cols: 1,
            layout: Layout::Bins { isin_rows: l3b.isin.nrows() as usize },
            bands,
            time_coverage_start: Some(start).filter(|s| !s.is_empty()),
            time_coverage_end: Some(end).filter(|s| !s.is_empty()),
            flags_applied: format!("applied by OBPG when binning (l2_flag_names: {flag_names})"),
            attributes,
            f0: Vec::new(),
            simulated,
            virtual_bands: None,
        };
        Ok(L3bGranule { info, l3b })
    }
}

impl Granule for L3bGranule {
    fn info(&self) -> &GranuleInfo {
        &self.info
    }

    fn read_block(&self, row0: usize, nrows: usize, bands: &[u16]) -> Result<Block> {
        self.l3b.read_rrs(row0, nrows, bands)
    }
}

/// One member of a compound record, as f64.
fn member(t: &CompoundType, name: &str) -> Option<(usize, NcVariableType)> {
    t.fields.iter().find(|f| f.name == name).map(|f| (f.offset, f.basetype.clone()))
}

fn read_member(rec: &[u8], (offset, ty): &(usize, NcVariableType)) -> f64 {
    let b = &rec[*offset..];
    macro_rules! ne {
        ($t:ty) => {
            <$t>::from_ne_bytes(b[..std::mem::size_of::<$t>()].try_into().expect("record holds the member")) as f64
        };
    }
    match ty {
        NcVariableType::Int(IntType::U32) => ne!(u32),
        NcVariableType::Int(IntType::U64) => ne!(u64),
        NcVariableType::Int(IntType::I16) => ne!(i16),
        NcVariableType::Int(IntType::I32) => ne!(i32),
        NcVariableType::Float(FloatType::F32) => ne!(f32),
        NcVariableType::Float(FloatType::F64) => ne!(f64),
        _ => f64::NAN,
    }
}

/// Reads `count` records of a compound variable from `start`, returning the
/// named members per record.
pub(crate) fn read_compound(path: &Path, var: &netcdf::Variable, start: usize, count: usize, names: &[&str]) -> Result<Vec<Vec<f64>>> {
    let NcVariableType::Compound(t) = var.vartype() else {
        return Err(Error::file(path, format!("{} is not a compound variable", var.name())));
    };
    let members = names
        .iter()
        .map(|n| member(&t, n).ok_or_else(|| Error::file(path, format!("compound {} has no member {n}", var.name()))))
        .collect::<Result<Vec<_>>>()?;
    let raw = var.get_raw_values(vec![Extent::from(start..start + count)]).map_err(|e| Error::file(path, format!("reading {}: {e}", var.name())))?;
    Ok(members.iter().map(|m| raw.chunks_exact(t.size).map(|rec| read_member(rec, m)).collect()).collect())
}

/// A further binned product on the same bins (e.g. `<product>_uncertainty`):
/// name, sums (its `bin`, `weights` and counts are the product's), units and attributes.
pub(super) struct Extra<'a> {
    pub name: String,
    pub bins: &'a L3Bins,
    pub units: &'a str,
    pub attrs: Vec<(&'static str, AttributeValue)>,
}

/// Writes NASA's L3b layout of `b` on the ISIN grid `g` into `nf`: the
/// group, its compound types, `BinList`, the product's sums (with `attrs`
/// and the averaging scheme), the `extra` products' sums, `BinIndex` and the
/// global `units`.
pub(super) fn write(nf: &mut NewNetcdf, g: &IsinGrid, b: &L3Bins, p: &ProductMeta, attrs: Vec<(&str, AttributeValue)>, extra: &[Extra]) -> Result<()> {
    let dest = nf.dest().to_path_buf();
    let dest = dest.as_path();
    let scheme = b.averaging.name();
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
        .map(|i| BinListRec { bin_num: b.bin[i] as u32, nobs: b.nobs[i] as i16, nscenes: b.nscenes[i] as i16, weights: b.weights[i] as f32, time_rec: 0.0 })
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
        for (k, a) in attrs {
            v.put_attribute(k, a).map_err(err("writing attributes"))?;
        }
        v.put_attribute("averaging_scheme", scheme).map_err(err("writing attributes"))?;
        v.put_values(&data, ..).map_err(err("writing the product sums"))?;
        for x in extra {
            if x.bins.bin != b.bin {
                return Err(Error::file(dest, format!("{} is not binned on the bins of {}", x.name, p.variable)));
            }
            let data: Vec<BinDataRec> = (0..n).map(|i| BinDataRec { sum: x.bins.sum[i] as f32, sum_squared: x.bins.sum2[i] as f32 }).collect();
            let mut v = grp.add_variable::<BinDataRec>(&x.name, &["binDataDim"]).map_err(err("writing the product sums"))?;
            if n > 0 {
                v.set_chunking(&chunk).map_err(err("writing the product sums"))?;
                v.set_compression(4, true).map_err(err("writing the product sums"))?;
            }
            for (k, a) in &x.attrs {
                v.put_attribute(k, a.clone()).map_err(err("writing attributes"))?;
            }
            v.put_attribute("averaging_scheme", x.bins.averaging.name()).map_err(err("writing attributes"))?;
            v.put_values(&data, ..).map_err(err("writing the product sums"))?;
        }
        let mut v = grp.add_variable::<BinIndexRec>("BinIndex", &["binIndexDim"]).map_err(err("writing BinIndex"))?;
        v.put_values(&index, ..).map_err(err("writing BinIndex"))?;
    }
    let units =
        std::iter::once(format!("{}:{}", p.variable, p.units)).chain(extra.iter().map(|x| format!("{}:{}", x.name, x.units))).collect::<Vec<_>>().join(",");
    nf.nc().add_attribute("units", units).map_err(|e| Error::file(dest, format!("writing attribute units: {e}")))?;
    Ok(())
}

// ------------------------------------------------------------ compound types

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
