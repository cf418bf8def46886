//! Sentinel-3 OLCI Level-2 WFR product folders (`*.SEN3`, formats.md s4):
//! one netCDF per quantity. `OaNN_reflectance.nc` holds water-leaving
//! reflectance rho_w, so Rrs = rho_w / pi (s4.3; SNAP C2RCC and ACOLITE do
//! the same); `geo_coordinates.nc` latitude/longitude (int32, scale 1e-6,
//! s4.4); `wqsf.nc` the uint64 WQSF flags (s4.6); `time_coordinates.nc`
//! `time_stamp` (microseconds since 2000-01-01); `xfdumanifest.xml` the
//! platform and product type (s4.10).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use netcdf::Extent;

use super::flags::{FlagConfig, FlagRule, FlagTable};
use super::nc::{self, check_units, read_decoded, text};
use super::{resolve_sensor, Block, Granule, GranuleInfo, Layout};
use crate::error::{Error, Result};

/// OLCI bands held in the sensor registry: (Oa number, nominal nm). Centres
/// 400 ... 865 nm from the band table in formats.md s4.3 (acolite
/// band_info_olci.txt); nominal names as in `sensors::OLCI_BANDS`.
pub const OA_BANDS: &[(u8, u16)] =
    &[(1, 400), (2, 412), (3, 443), (4, 490), (5, 510), (6, 560), (7, 620), (8, 665), (9, 674), (10, 681), (11, 709), (12, 754), (16, 779), (17, 865)];

/// Units accepted on rho_w (it is dimensionless; real files carry none, s4.3).
const RHO_W_UNITS: &[&str] = &["dl", "1", "dimensionless", ""];

pub struct OlciWfr {
    info: GranuleInfo,
    reflectance: BTreeMap<u16, (u8, netcdf::File)>,
    geo: netcdf::File,
    wqsf: netcdf::File,
    rule: FlagRule,
}

/// Platform ("Sentinel-3" + "A") and product type from the manifest.
fn read_manifest(path: &Path) -> Result<(String, String)> {
    let xml = std::fs::read_to_string(path).map_err(|e| Error::file(path, format!("cannot be read: {e}")))?;
    let doc = roxmltree::Document::parse(&xml).map_err(|e| Error::file(path, format!("is not valid XML: {e}")))?;
    let child_text =
        |node: roxmltree::Node, name: &str| node.descendants().find(|n| n.tag_name().name() == name).and_then(|n| n.text()).map(str::trim).map(String::from);
    let platform = doc
        .descendants()
        .find(|n| n.tag_name().name() == "platform")
        .map(|p| format!("{}{}", child_text(p, "familyName").unwrap_or_default(), child_text(p, "number").unwrap_or_default()))
        .unwrap_or_default();
    let product_type = child_text(doc.root(), "productType").unwrap_or_default();
    Ok((platform, product_type))
}

/// ISO 8601 time of an OLCI `time_stamp` (microseconds since 2000-01-01).
pub fn iso_from_olci_time(us: i64) -> String {
    let epoch = chrono::NaiveDate::from_ymd_opt(2000, 1, 1).expect("valid date").and_hms_opt(0, 0, 0).expect("valid time");
    (epoch + chrono::Duration::microseconds(us)).format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

impl OlciWfr {
    pub fn open(dir: &Path, sensor: Option<&str>, flags: &FlagConfig) -> Result<Self> {
        let manifest = dir.join("xfdumanifest.xml");
        if !manifest.exists() {
            return Err(Error::file(dir, "is a folder without xfdumanifest.xml: not a Sentinel-3 .SEN3 product"));
        }
        let (platform, product_type) = read_manifest(&manifest)?;
        if !product_type.is_empty() && !product_type.starts_with("OL_2_W") {
            return Err(Error::file(dir, format!("is a {product_type} product; oceancolour reads OLCI Level-2 water products (OL_2_WFR / OL_2_WRR)")));
        }
        let (sensor, sensor_from) = resolve_sensor(dir, sensor, "OLCI", &platform)?;
        let mut reflectance = BTreeMap::new();
        let mut shape = None;
        for &(oa, nm) in OA_BANDS {
            let p = dir.join(format!("Oa{oa:02}_reflectance.nc"));
            if !p.exists() {
                continue;
            }
            let f = nc::open(&p)?;
            {
                let v = nc::variable(&p, &f, &format!("Oa{oa:02}_reflectance"), "water-leaving reflectance")?;
                check_units(&p, &v, RHO_W_UNITS, "water-leaving reflectance rho_w")?;
                let dims: Vec<usize> = v.dimensions().iter().map(|d| d.len()).collect();
                let [r, c] = dims[..] else {
                    return Err(Error::file(&p, format!("Oa{oa:02}_reflectance has {} dimensions, expected 2", dims.len())));
                };
                match shape {
                    Some(s) if s != (r, c) => return Err(Error::file(&p, format!("shape ({r}, {c}) differs from the other bands' {s:?}"))),
                    _ => shape = Some((r, c)),
                }
            }
            reflectance.insert(nm, (oa, f));
        }
        let Some((rows, cols)) = shape else {
            return Err(Error::file(dir, "holds no OaNN_reflectance.nc file"));
        };
        let geo_path = dir.join("geo_coordinates.nc");
        let geo = nc::open(&geo_path)?;
        for name in ["latitude", "longitude"] {
            let v = nc::variable(&geo_path, &geo, name, "geolocation")?;
            let d: Vec<usize> = v.dimensions().iter().map(|d| d.len()).collect();
            if d != [rows, cols] {
                return Err(Error::file(&geo_path, format!("{name} has shape {d:?}, reflectances have [{rows}, {cols}]")));
            }
        }
        let wqsf_path = dir.join("wqsf.nc");
        let wqsf = nc::open(&wqsf_path)?;
        let rule = {
            let v = nc::variable(&wqsf_path, &wqsf, "WQSF", "quality flags")?;
            let masks = nc::masks(v.attribute_value("flag_masks")).ok_or_else(|| Error::file(&wqsf_path, "WQSF has no integer flag_masks attribute"))?;
            let meanings = text(v.attribute_value("flag_meanings")).ok_or_else(|| Error::file(&wqsf_path, "WQSF has no flag_meanings attribute"))?;
            let table = FlagTable::new(&masks, &meanings).map_err(|e| Error::file(&wqsf_path, format!("WQSF: {e}")))?;
            let m = |names: &[String]| table.mask_of(names).map_err(|e| Error::file(&wqsf_path, format!("WQSF: {e}")));
            FlagRule { exclude: m(&flags.olci_exclude)?, require_any: m(&flags.olci_require_any)? }
        };
        let (start, end) = time_coverage(&dir.join("time_coordinates.nc"))?;
        let info = GranuleInfo {
            path: PathBuf::from(dir),
            format: "Sentinel-3 OLCI Level-2 WFR (SEN3)",
            sensor,
            sensor_from,
            rows,
            cols,
            layout: Layout::Swath,
            bands: reflectance.keys().copied().collect(),
            time_coverage_start: start,
            time_coverage_end: end,
            flags_applied: format!("WQSF requiring any of {} and excluding {}", flags.olci_require_any.join(" "), flags.olci_exclude.join(" ")),
            attributes: vec![("platform".into(), platform), ("product_type".into(), product_type)],
        };
        Ok(OlciWfr { info, reflectance, geo, wqsf, rule })
    }
}

/// First and last valid `time_stamp` of the granule, ISO 8601.
fn time_coverage(path: &Path) -> Result<(Option<String>, Option<String>)> {
    let f = nc::open(path)?;
    let v = nc::variable(path, &f, "time_stamp", "time of each row")?;
    let t: Vec<i64> = v.get_values::<i64, _>(..).map_err(|e| Error::file(path, format!("reading time_stamp: {e}")))?;
    let fill = nc::number(v.attribute_value("_FillValue")).map(|x| x as i64).unwrap_or(-1);
    let first = t.iter().copied().find(|&x| x != fill);
    let last = t.iter().copied().rev().find(|&x| x != fill);
    Ok((first.map(iso_from_olci_time), last.map(iso_from_olci_time)))
}

impl Granule for OlciWfr {
    fn info(&self) -> &GranuleInfo {
        &self.info
    }

    fn read_block(&self, row0: usize, nrows: usize, bands: &[u16]) -> Result<Block> {
        let dir = &self.info.path;
        let wqsf_path = dir.join("wqsf.nc");
        let flags: Vec<u64> = nc::variable(&wqsf_path, &self.wqsf, "WQSF", "")?
            .get_values::<u64, _>(vec![Extent::from(row0..row0 + nrows), Extent::from(..)])
            .map_err(|e| Error::file(&wqsf_path, format!("reading WQSF: {e}")))?;
        let excluded: Vec<bool> = flags.iter().map(|&f| self.rule.excludes(f)).collect();
        let mut rrs = Vec::with_capacity(bands.len());
        for &nm in bands {
            let (oa, file) = self.reflectance.get(&nm).ok_or_else(|| Error::file(dir, format!("has no reflectance file for the {nm} nm band")))?;
            let p = dir.join(format!("Oa{oa:02}_reflectance.nc"));
            let mut v = read_decoded(&p, &nc::variable(&p, file, &format!("Oa{oa:02}_reflectance"), "")?, row0, nrows)?;
            for (r, &x) in v.iter_mut().zip(&excluded) {
                *r = if x { f32::NAN } else { *r / std::f32::consts::PI };
            }
            rrs.push((nm, v));
        }
        let geo_path = dir.join("geo_coordinates.nc");
        let coord = |name: &str| read_decoded(&geo_path, &nc::variable(&geo_path, &self.geo, name, "")?, row0, nrows);
        Ok(Block { row0, nrows, rrs, lat: coord("latitude")?, lon: coord("longitude")?, bin_num: Vec::new(), flagged: excluded.iter().filter(|&&x| x).count() })
    }
}
