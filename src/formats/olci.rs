//! Sentinel-3 OLCI Level-2 WFR product folders (`*.SEN3`, formats.md s4):
//! one netCDF per quantity. `OaNN_reflectance.nc` holds water-leaving
//! reflectance rho_w, so Rrs = rho_w / pi (s4.3; SNAP C2RCC and ACOLITE do
//! the same); `geo_coordinates.nc` latitude/longitude (int32, scale 1e-6,
//! s4.4); `wqsf.nc` the uint64 WQSF flags (s4.6); `time_coordinates.nc`
//! `time_stamp` (microseconds since 2000-01-01); `xfdumanifest.xml` the
//! platform and product type (s4.10).

use std::collections::BTreeMap;
use std::f64::consts::PI;
use std::path::{Path, PathBuf};

use netcdf::{Extent, FileMut};

use super::atomic::NewNetcdf;
use super::flags::{FlagConfig, FlagRule, FlagTable};
use super::nc::{self, check_units, read_decoded, text};
use super::simulated::{by_blocks, put_attrs, w, Scene, Surface, SIMULATED};
use super::{resolve_sensor, Block, Granule, GranuleInfo, Layout};
use crate::compute::Cancel;
use crate::error::{Error, Result};
use crate::sensors::{sensor, Sensor};

/// The OLCI bands a registry sensor holds: (Oa number, nominal nm), from the
/// band ids (`Oa01` ...) of its registry row (sensors/registry.toml, after the
/// ESA band table in formats.md s4.3).
pub fn oa_bands(sensor: &Sensor) -> Vec<(u8, u16)> {
    sensor.bands.iter().filter_map(|b| Some((b.id?.strip_prefix("Oa")?.parse().ok()?, b.nominal))).collect()
}

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

/// ISO 8601 time of an OLCI `time_stamp` (microseconds since 2000-01-01);
/// None for a stamp outside the dates chrono can represent (a corrupt file).
pub fn iso_from_olci_time(us: i64) -> Option<String> {
    let epoch = chrono::NaiveDate::from_ymd_opt(2000, 1, 1).expect("valid date").and_hms_opt(0, 0, 0).expect("valid time");
    epoch.checked_add_signed(chrono::Duration::microseconds(us)).map(|t| t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string())
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
        for (oa, nm) in oa_bands(sensor) {
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
        let first = format!("Oa{:02}_reflectance", reflectance.values().next().expect("one band at least").0);
        for name in ["latitude", "longitude"] {
            nc::shape_must_be(&geo_path, &nc::variable(&geo_path, &geo, name, "geolocation")?, &[rows, cols], &first)?;
        }
        let wqsf_path = dir.join("wqsf.nc");
        let wqsf = nc::open(&wqsf_path)?;
        let rule = {
            let v = nc::variable(&wqsf_path, &wqsf, "WQSF", "quality flags")?;
            nc::shape_must_be(&wqsf_path, &v, &[rows, cols], &first)?;
            let masks = nc::masks(v.attribute_value("flag_masks")).ok_or_else(|| Error::file(&wqsf_path, "WQSF has no integer flag_masks attribute"))?;
            let meanings = text(v.attribute_value("flag_meanings")).ok_or_else(|| Error::file(&wqsf_path, "WQSF has no flag_meanings attribute"))?;
            let table = FlagTable::new(&masks, &meanings).map_err(|e| Error::file(&wqsf_path, format!("WQSF: {e}")))?;
            let m = |names: &[String]| table.mask_of(names).map_err(|e| Error::file(&wqsf_path, format!("WQSF: {e}")));
            FlagRule { exclude: m(&flags.olci_exclude)?, require_any: m(&flags.olci_require_any)? }
        };
        let (start, end) = time_coverage(&dir.join("time_coordinates.nc"), rows)?;
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
            f0: Vec::new(),
            simulated: reflectance.values().any(|(_, f)| nc::says_simulated(f)),
            virtual_bands: None,
        };
        Ok(OlciWfr { info, reflectance, geo, wqsf, rule })
    }
}

/// First and last valid `time_stamp` of the granule, ISO 8601.
fn time_coverage(path: &Path, rows: usize) -> Result<(Option<String>, Option<String>)> {
    let f = nc::open(path)?;
    let v = nc::variable(path, &f, "time_stamp", "time of each row")?;
    nc::shape_must_be(path, &v, &[rows], "the reflectances' rows")?;
    let t: Vec<i64> = v.get_values::<i64, _>(..).map_err(|e| Error::file(path, format!("reading time_stamp: {e}")))?;
    let fill = nc::number(v.attribute_value("_FillValue")).map(|x| x as i64).unwrap_or(-1);
    let iso = |us: i64| iso_from_olci_time(us).ok_or_else(|| Error::file(path, format!("time_stamp {us} us since 2000-01-01 is not a date")));
    let first = t.iter().copied().find(|&x| x != fill).map(iso).transpose()?;
    let last = t.iter().copied().rev().find(|&x| x != fill).map(iso).transpose()?;
    Ok((first, last))
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
        Ok(Block {
            row0,
            nrows,
            rrs,
            lat: coord("latitude")?,
            lon: coord("longitude")?,
            bin_num: Vec::new(),
            flagged: excluded.iter().filter(|&&x| x).count(),
            rrs_sigma: Vec::new(),
        })
    }
}

// ------------------------------------------------------------ simulated granules

/// WQSF names in bit order for the IPF-OL-2 07.01 layout (formats.md s4.6);
/// bits 29-31 unused.
const WQSF_NAMES: &str = "INVALID WATER LAND CLOUD SNOW_ICE INLAND_WATER COASTLINE TIDAL COSMETIC SUSPECT HISOLZEN \
SATURATED MEGLINT HIGHGLINT WHITECAPS ADJAC WV_FAIL PAR_FAIL AC_FAIL OC4ME_FAIL OCNN_FAIL KDM_FAIL TURBID_ATM \
CLOUD_AMBIGUOUS CLOUD_MARGIN BPAC_ON WHITE_SCATT LOWRW HIGHRW ANNOT_ANGSTROM ANNOT_AERO_B ANNOT_ABSO_D \
ANNOT_ACLIM ANNOT_ABSOA ANNOT_MIXR1 ANNOT_DROUT ANNOT_TAU06 RWNEG_O1 RWNEG_O2 RWNEG_O3 RWNEG_O4 RWNEG_O5 \
RWNEG_O6 RWNEG_O7 RWNEG_O8 RWNEG_O9 RWNEG_O10 RWNEG_O11 RWNEG_O12 RWNEG_O16 RWNEG_O17 RWNEG_O18 RWNEG_O21";

fn wqsf_bit(name: &str) -> u64 {
    let i = WQSF_NAMES.split_whitespace().position(|n| n == name).expect("known flag");
    1u64 << if i < 29 { i } else { i + 3 }
}

/// The global attributes every file of a SEN3 product carries (formats.md s4.2).
fn sen3_globals(f: &mut FileMut, path: &Path, title: &str) -> Result<()> {
    for (k, v) in [
        ("title", format!("OLCI Level 2 WATER Product, {title} (SIMULATED)")),
        ("source", "oceancolour demo (SIMULATED; not IPF-OL-2)".into()),
        ("start_time", "2024-06-01T10:30:00.000000Z".into()),
        ("stop_time", "2024-06-01T10:33:00.000000Z".into()),
        ("comment", SIMULATED.into()),
    ] {
        f.add_attribute(k, v).map_err(w(path))?;
    }
    for (k, v) in [("ac_subsampling_factor", 64i32), ("al_subsampling_factor", 1)] {
        f.add_attribute(k, v).map_err(w(path))?;
    }
    Ok(())
}

/// Writes an OLCI-A WFR `.SEN3` folder (formats.md s4.2-4.10) named `dir`.
/// rho_w is stored as uint16 with fill 65535 (Digital Earth Africa's
/// product definition, s4.3); the scale/offset of real files are
/// unconfirmed (s10), so those written here (1e-5, -0.05) are the
/// simulation's own, and the reader takes them from the file.
pub fn write_simulated(dir: &Path, scene: Scene) -> Result<()> {
    write_simulated_for(dir, scene, "olci-a", Cancel::NEVER)
}

/// As `write_simulated`, for an OLCI sensor of the registry: the manifest's
/// platform number is the last letter of its platform (Sentinel-3C: `C`).
pub fn write_simulated_for(dir: &Path, scene: Scene, sensor_name: &str, cancel: Cancel<'_>) -> Result<()> {
    let s = sensor(sensor_name)?;
    if s.instrument != "OLCI" {
        return Err(Error::InvalidParameter { name: "sensor".into(), reason: format!("{} is not an OLCI sensor; the .SEN3 layout is OLCI's", s.name) });
    }
    let number = s.platform.chars().last().filter(|c| c.is_ascii_alphabetic()).unwrap_or('A');
    std::fs::create_dir_all(dir).map_err(|e| Error::file(dir, format!("cannot be created: {e}")))?;
    let (rows, cols) = (scene.rows, scene.cols);
    let dims = ["rows", "columns"];
    let new = |name: &str, title: &str| -> Result<(NewNetcdf, PathBuf)> {
        let p = dir.join(name);
        let mut nf = NewNetcdf::create(&p)?;
        let f = nf.nc();
        f.add_dimension("rows", rows).map_err(w(&p))?;
        f.add_dimension("columns", cols).map_err(w(&p))?;
        sen3_globals(f, &p, title)?;
        Ok((nf, p))
    };
    let px = move |r0: usize, n: usize| (r0..r0 + n).flat_map(move |r| (0..cols).map(move |c| (r, c)));
    for (oa, nm) in oa_bands(s) {
        let centre = s.band(nm)?.centre_nm;
        let var = format!("Oa{oa:02}_reflectance");
        let (mut nf, p) = new(&format!("{var}.nc"), &format!("Reflectance Oa{oa:02} Data Set"))?;
        let f = nf.nc();
        f.add_variable::<u16>(&var, &dims).map_err(w(&p))?.set_fill_value(65535u16).map_err(w(&p))?;
        put_attrs(
            f,
            &var,
            vec![
                ("long_name", format!("Reflectance for OLCI acquisition band Oa{oa:02}").into()),
                ("scale_factor", 1.0e-5f32.into()),
                ("add_offset", (-0.05f32).into()),
                ("valid_min", 0u16.into()),
                ("valid_max", 65534u16.into()),
            ],
            &p,
        )?;
        by_blocks(rows, cancel, |r0, n| {
            let v: Vec<u16> = px(r0, n)
                .map(|(r, c)| match scene.surface(r, c) {
                    Surface::Land => 65535,
                    _ if scene.no_data(r, c) => 65535,
                    _ => ((PI * scene.rrs(r, c, centre) + 0.05) / 1.0e-5).round() as u16,
                })
                .collect();
            f.variable_mut(&var).expect("defined").put_values(&v, vec![Extent::from(r0..r0 + n), Extent::from(..)]).map_err(w(&p))
        })?;
        nf.commit()?;
    }
    let (mut nf, p) = new("geo_coordinates.nc", "Geo Coordinates Data Set")?;
    let f = nf.nc();
    for (name, units, lim) in [("latitude", "degrees_north", 90_000_000i32), ("longitude", "degrees_east", 180_000_000)] {
        f.add_variable::<i32>(name, &dims).map_err(w(&p))?.set_fill_value(i32::MIN).map_err(w(&p))?;
        put_attrs(
            f,
            name,
            vec![
                ("scale_factor", 1.0e-6f64.into()),
                ("units", units.into()),
                ("standard_name", name.into()),
                ("valid_min", (-lim).into()),
                ("valid_max", lim.into()),
            ],
            &p,
        )?;
    }
    by_blocks(rows, cancel, |r0, n| {
        let (lat, lon): (Vec<i32>, Vec<i32>) =
            px(r0, n).map(|(r, c)| scene.lat_lon(r, c)).map(|(a, o)| ((a * 1e6).round() as i32, (o * 1e6).round() as i32)).unzip();
        let ext = vec![Extent::from(r0..r0 + n), Extent::from(..)];
        f.variable_mut("latitude").expect("defined").put_values(&lat, ext.clone()).map_err(w(&p))?;
        f.variable_mut("longitude").expect("defined").put_values(&lon, ext).map_err(w(&p))
    })?;
    nf.commit()?;

    let (mut nf, p) = new("wqsf.nc", "Quality and Science Flags Data Set")?;
    let f = nf.nc();
    let mut pairs: Vec<(&str, u64)> = WQSF_NAMES.split_whitespace().map(|n| (n, wqsf_bit(n))).collect();
    pairs.reverse(); // real files do not list the masks in bit order (s4.6)
    f.add_variable::<u64>("WQSF", &dims).map_err(w(&p))?;
    put_attrs(
        f,
        "WQSF",
        vec![
            ("long_name", "Classification flags, quality and science flags for Marine and Inland Waters pixels".into()),
            ("flag_masks", pairs.iter().map(|p| p.1).collect::<Vec<u64>>().into()),
            ("flag_meanings", pairs.iter().map(|p| p.0).collect::<Vec<_>>().join(" ").into()),
        ],
        &p,
    )?;
    by_blocks(rows, cancel, |r0, n| {
        let v: Vec<u64> = px(r0, n)
            .map(|(r, c)| match scene.surface(r, c) {
                Surface::Land => wqsf_bit("LAND"),
                Surface::Cloud => wqsf_bit("WATER") | wqsf_bit("CLOUD"),
                Surface::Water if scene.near_coast(r, c) => wqsf_bit("WATER") | wqsf_bit("COASTLINE"),
                Surface::Water => wqsf_bit("WATER"),
            })
            .collect();
        f.variable_mut("WQSF").expect("defined").put_values(&v, vec![Extent::from(r0..r0 + n), Extent::from(..)]).map_err(w(&p))
    })?;
    nf.commit()?;

    let (mut nf, p) = new("time_coordinates.nc", "Time Coordinates Data Set")?;
    let f = nf.nc();
    f.add_variable::<i64>("time_stamp", &["rows"]).map_err(w(&p))?.set_fill_value(-1i64).map_err(w(&p))?;
    put_attrs(
        f,
        "time_stamp",
        vec![
            ("units", "microseconds since 2000-01-01 00:00:00".into()),
            ("standard_name", "time".into()),
            ("long_name", "Elapsed time since 01 Jan 2000 0h".into()),
        ],
        &p,
    )?;
    // 2024-06-01T10:30:00 is 8918 days + 37800 s = 770_553_000 s after 2000-01-01; one row every 44 ms.
    let t: Vec<i64> = (0..rows as i64).map(|r| 770_553_000_000_000 + r * 44_000).collect();
    f.variable_mut("time_stamp").expect("defined").put_values(&t, ..).map_err(w(&p))?;
    nf.commit()?;

    let manifest = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<!-- SIMULATED by oceancolour: layout after formats.md s4.10 -->
<xfdu:XFDU xmlns:xfdu="urn:ccsds:schema:xfdu:1" xmlns:sentinel-safe="http://www.esa.int/safe/sentinel/1.1" xmlns:sentinel3="http://www.esa.int/safe/sentinel/sentinel-3/1.0" xmlns:olci="http://www.esa.int/safe/sentinel/sentinel-3/olci/1.0" version="esa/safe/sentinel/sentinel-3/olci/level-2/1.0">
  <metadataSection>
    <metadataObject ID="platform"><metadataWrap><xmlData>
      <sentinel-safe:platform><sentinel-safe:familyName>Sentinel-3</sentinel-safe:familyName><sentinel-safe:number>{number}</sentinel-safe:number>
        <sentinel-safe:instrument><sentinel-safe:familyName abbreviation="OLCI">Ocean Land Colour Instrument</sentinel-safe:familyName></sentinel-safe:instrument>
      </sentinel-safe:platform>
    </xmlData></metadataWrap></metadataObject>
    <metadataObject ID="generalProductInformation"><metadataWrap><xmlData>
      <sentinel3:generalProductInformation><sentinel3:productName>{name}</sentinel3:productName><sentinel3:productType>OL_2_WFR___</sentinel3:productType><sentinel3:timeliness>NT</sentinel3:timeliness></sentinel3:generalProductInformation>
    </xmlData></metadataWrap></metadataObject>
    <metadataObject ID="olciProductInformation"><metadataWrap><xmlData>
      <olci:olciProductInformation><olci:imageSize><sentinel3:rows>{rows}</sentinel3:rows><sentinel3:columns>{cols}</sentinel3:columns></olci:imageSize></olci:olciProductInformation>
    </xmlData></metadataWrap></metadataObject>
  </metadataSection>
</xfdu:XFDU>
"#,
        name = dir.file_name().unwrap_or_default().to_string_lossy()
    );
    std::fs::write(dir.join("xfdumanifest.xml"), manifest).map_err(|e| Error::file(dir, format!("writing the manifest: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oa_bands_come_from_the_registry_ids() {
        // The ESA OLCI band numbers the reader looks for (formats.md s4.3).
        let esa =
            [(1, 400), (2, 412), (3, 443), (4, 490), (5, 510), (6, 560), (7, 620), (8, 665), (9, 674), (10, 681), (11, 709), (12, 754), (16, 779), (17, 865)];
        for name in ["olci-a", "olci-b", "olci-c"] {
            assert_eq!(oa_bands(sensor(name).unwrap()), esa, "{name}");
        }
        assert!(oa_bands(sensor("seawifs").unwrap()).is_empty());
    }
}
