//! NASA OBPG Level-3 binned files (formats.md s2): group
//! `level-3_binned_data` with compound `BinList` (bin_num, nobs, nscenes,
//! weights, time_rec), one compound {sum, sum_squared} per product, and
//! `BinIndex` (one record per ISIN row). Compound members are read by name,
//! never by offset (the 32- and 64-bit layouts pad differently, s2.1).
//! Rrs of a bin = sum / weights (s2.3).

use std::path::{Path, PathBuf};

use netcdf::types::{CompoundType, FloatType, IntType, NcVariableType};
use netcdf::Extent;

use super::nc::{self, text};
use super::obpg_l2::rrs_band;
use super::{resolve_sensor, Block, Granule, GranuleInfo, Layout};
use crate::error::{Error, Result};
use crate::fusion::grid::{Grid, IsinGrid};

const GROUP: &str = "level-3_binned_data";

pub struct L3Binned {
    info: GranuleInfo,
    file: netcdf::File,
    /// The ISIN grid (formats.md s2.2), shared with the binning in `fusion::grid`.
    isin: IsinGrid,
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

impl L3Binned {
    pub fn open(path: &Path, file: netcdf::File, sensor: Option<&str>) -> Result<Self> {
        let attr = |n: &str| text(file.attribute(n).map(|a| a.value())).unwrap_or_default();
        let (sensor, sensor_from) = resolve_sensor(path, sensor, &attr("instrument"), &attr("platform"))?;
        let bins = nc::variable(path, &file, &format!("{GROUP}/BinList"), "bin list")?.len();
        let isin_rows = nc::variable(path, &file, &format!("{GROUP}/BinIndex"), "bin index")?.len();
        if isin_rows == 0 || isin_rows % 2 == 1 {
            return Err(Error::file(path, format!("BinIndex has {isin_rows} rows; OBPG ISIN grids have an even number")));
        }
        let group = file.group(GROUP).ok().flatten().expect("checked by formats::open");
        let mut bands: Vec<u16> = group.variables().filter_map(|v| rrs_band(&v.name())).filter(|&nm| sensor.band(nm).is_ok()).collect();
        bands.sort_unstable();
        if bands.is_empty() {
            return Err(Error::file(path, "has no Rrs_NNN variable in level-3_binned_data"));
        }
        let flag_names =
            file.group("processing_control").ok().flatten().and_then(|g| text(g.attribute_value("l2_flag_names"))).unwrap_or_else(|| "not recorded".into());
        let keep = ["title", "instrument", "platform", "processing_version", "temporal_range", "spatialResolution"];
        let info = GranuleInfo {
            path: PathBuf::from(path),
            format: "NASA OBPG Level-3 binned",
            sensor,
            sensor_from,
            rows: bins,
            cols: 1,
            layout: Layout::Bins { isin_rows },
            bands,
            time_coverage_start: Some(attr("time_coverage_start")).filter(|s| !s.is_empty()),
            time_coverage_end: Some(attr("time_coverage_end")).filter(|s| !s.is_empty()),
            flags_applied: format!("applied by OBPG when binning (l2_flag_names: {flag_names})"),
            attributes: keep.iter().map(|k| (k.to_string(), attr(k))).filter(|kv| !kv.1.is_empty()).collect(),
        };
        let isin = IsinGrid::new(isin_rows as u32).map_err(|e| Error::file(path, e))?;
        Ok(L3Binned { info, file, isin })
    }
}

impl Granule for L3Binned {
    fn info(&self) -> &GranuleInfo {
        &self.info
    }

    fn read_block(&self, row0: usize, nrows: usize, bands: &[u16]) -> Result<Block> {
        let path = &self.info.path;
        let list = nc::variable(path, &self.file, &format!("{GROUP}/BinList"), "")?;
        let cols = read_compound(path, &list, row0, nrows, &["bin_num", "weights"])?;
        let (bin_num, weights) = (&cols[0], &cols[1]);
        let mut rrs = Vec::with_capacity(bands.len());
        for &nm in bands {
            let v = nc::variable(path, &self.file, &format!("{GROUP}/Rrs_{nm}"), "")?;
            let sum = read_compound(path, &v, row0, nrows, &["sum"])?.remove(0);
            let mean = sum.iter().zip(weights).map(|(s, w)| if *w > 0.0 { (s / w) as f32 } else { f32::NAN }).collect();
            rrs.push((nm, mean));
        }
        let bin_num: Vec<u64> = bin_num.iter().map(|&b| b as u64).collect();
        let (lat, lon): (Vec<f32>, Vec<f32>) = bin_num.iter().map(|&b| self.isin.centre(b).map_or((f32::NAN, f32::NAN), |(o, a)| (a as f32, o as f32))).unzip();
        Ok(Block { row0, nrows, rrs, lat, lon, bin_num, flagged: 0 })
    }
}
