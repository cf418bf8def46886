//! Simulated granules in the exact published layouts, so that the demo,
//! the tests and the benchmarks exercise the real readers: a NASA OBPG
//! Level-2 file (formats.md s1) and a Sentinel-3 OLCI WFR `.SEN3` folder
//! (s4). They are SIMULATED: every file says so in its `comment`/`title`.
//!
//! The scene: a coast on the east side, open ocean to the west, a cloud.
//! Water Rrs are log-linear mixtures of seven measured in-situ spectra from
//! NASA NOMAD v2 (Werdell & Bailey 2005), ordered by chlorophyll from
//! oligotrophic (west) to coastal (east). Spectra are interpolated linearly
//! between the measured wavelengths; below 411 nm the 411 nm value is used,
//! and beyond 670 nm the reflectance is ramped linearly to zero at 750 nm,
//! an illustration only (NOMAD has no NIR Rrs). Files are written in row
//! blocks, so scenes of any size fit in memory.

use std::f64::consts::PI;
use std::path::{Path, PathBuf};

use netcdf::{AttributeValue, Extent, FileMut};

use super::{process, Config, OnProgress, Report, Request};
use crate::error::{Error, Result};
use crate::formats::olci::OA_BANDS;
use crate::sensors::sensor;

const SIMULATED: &str = "SIMULATED by oceancolour (chain::demo): not a real satellite granule. Water Rrs are \
mixtures of NASA NOMAD v2 in-situ spectra (Werdell & Bailey 2005, Remote Sens. Environ. 98:122-140)";

/// Wavelengths (nm) of the NOMAD Rrs columns used.
const NOMAD_NM: [f64; 6] = [411.0, 443.0, 489.0, 510.0, 555.0, 670.0];
/// Rrs (sr-1) of NOMAD v2 stations (id; in-situ chl mg m-3) at `NOMAD_NM`, from
/// validation/data/nomad_v2_rrs_chl.csv.gz, ordered by chlorophyll.
const NOMAD_RRS: [[f64; 6]; 7] = [
    [0.00860283, 0.00695964, 0.00463242, 0.00276475, 0.00127342, 6.70633e-05], // id 3951; 0.053
    [0.00780053, 0.00629977, 0.00499967, 0.00279975, 0.00119956, 9.97904e-05], // id 1979; 0.100
    [0.0062998, 0.00599987, 0.00569976, 0.00419997, 0.00250061, 0.000600498],  // id 7014; 0.30
    [0.00280029, 0.00319978, 0.00490002, 0.00499974, 0.0049999, 0.000400048],  // id 6799; 1.00
    [0.00209993, 0.00210013, 0.00229968, 0.00209991, 0.00160021, 0.00029986],  // id 3035; 3.0
    [0.00170024, 0.00160005, 0.00189965, 0.00200034, 0.00229991, 0.000699528], // id 3021; 10.0
    [0.00180024, 0.0032997, 0.0065004, 0.00800028, 0.0122003, 0.00789994],     // id 2809; 28.2
];

#[derive(Debug, Clone, Copy, PartialEq)]
enum Surface {
    Water,
    Land,
    Cloud,
}

/// The simulated scene of `rows` x `cols` pixels.
#[derive(Debug, Clone, Copy)]
pub struct Scene {
    pub rows: usize,
    pub cols: usize,
}

impl Scene {
    fn xy(&self, r: usize, c: usize) -> (f64, f64) {
        (c as f64 / (self.cols.max(2) - 1) as f64, r as f64 / (self.rows.max(2) - 1) as f64)
    }

    fn lat_lon(&self, r: usize, c: usize) -> (f64, f64) {
        let (x, y) = self.xy(r, c);
        (47.5 - 2.0 * y, -6.0 + 4.0 * x)
    }

    fn coast(&self, y: f64) -> f64 {
        0.9 + 0.04 * (6.0 * PI * y).sin()
    }

    fn surface(&self, r: usize, c: usize) -> Surface {
        let (x, y) = self.xy(r, c);
        if x > self.coast(y) {
            Surface::Land
        } else if (x - 0.3).powi(2) + (y - 0.35).powi(2) < 0.12f64.powi(2) {
            Surface::Cloud
        } else {
            Surface::Water
        }
    }

    /// Within 3 % of the scene width from the coast (flagged, not excluded).
    fn near_coast(&self, r: usize, c: usize) -> bool {
        let (x, y) = self.xy(r, c);
        x <= self.coast(y) && x > self.coast(y) - 0.03
    }

    /// A pixel with no data at all (a sprinkling of input fill values).
    fn no_data(&self, r: usize, c: usize) -> bool {
        (r * self.cols + c) % 9973 == 17
    }

    /// Simulated Rrs (sr-1) at `nm`.
    pub fn rrs(&self, r: usize, c: usize, nm: f64) -> f64 {
        let (x, y) = self.xy(r, c);
        let s = ((x / 0.9) + 0.08 * (6.0 * PI * y).sin()).clamp(0.0, 1.0) * (NOMAD_RRS.len() - 1) as f64;
        let (i, f) = ((s.floor() as usize).min(NOMAD_RRS.len() - 2), s - s.floor().min((NOMAD_RRS.len() - 2) as f64));
        let spectrum: [f64; 6] = std::array::from_fn(|k| (NOMAD_RRS[i][k].ln() * (1.0 - f) + NOMAD_RRS[i + 1][k].ln() * f).exp());
        if nm <= NOMAD_NM[0] {
            return spectrum[0];
        }
        if nm >= NOMAD_NM[5] {
            return spectrum[5] * (1.0 - (nm - NOMAD_NM[5]) / 80.0).max(0.0);
        }
        let k = NOMAD_NM.iter().rposition(|&w| w <= nm).expect("nm inside the table");
        let t = (nm - NOMAD_NM[k]) / (NOMAD_NM[k + 1] - NOMAD_NM[k]);
        spectrum[k] * (1.0 - t) + spectrum[k + 1] * t
    }
}

const BLOCK: usize = 256;

fn w(path: &Path) -> impl Fn(netcdf::Error) -> Error + '_ {
    move |e| Error::file(path, format!("writing the simulated granule: {e}"))
}

fn put_attrs(f: &mut FileMut, var: &str, attrs: Vec<(&str, AttributeValue)>, path: &Path) -> Result<()> {
    let mut v = f.variable_mut(var).expect("defined before");
    for (k, a) in attrs {
        v.put_attribute(k, a).map_err(w(path))?;
    }
    Ok(())
}

/// Row blocks of a scene: calls `fill(r0, n)` for each.
fn by_blocks(rows: usize, mut fill: impl FnMut(usize, usize) -> Result<()>) -> Result<()> {
    (0..rows).step_by(BLOCK).try_for_each(|r0| fill(r0, BLOCK.min(rows - r0)))
}

/// l2_flags names of the 2022 OBPG files (formats.md s1.6, forum t=3717).
const L2_FLAG_MEANINGS: &str = "ATMFAIL LAND PRODWARN HIGLINT HILT HISATZEN COASTZ SPARE STRAYLIGHT CLDICE \
COCCOLITH TURBIDW HISOLZEN SPARE LOWLW CHLFAIL NAVWARN ABSAER SPARE MAXAERITER MODGLINT CHLWARN ATMWARN SPARE \
SEAICE NAVFAIL FILTER SPARE BOWTIEDEL HIPOL PRODFAIL SPARE";

/// Writes a SeaWiFS OBPG Level-2 OC file (formats.md s1.2-1.4): Rrs int16
/// with scale 2e-6, offset 0.05, fill -32767 (the OBPG product definition,
/// s1.4) and packed valid_min/max.
pub fn write_obpg_l2(path: &Path, scene: Scene) -> Result<()> {
    let s = sensor("seawifs")?;
    let bands: Vec<_> = s.bands.iter().filter(|b| b.nominal <= 670).collect();
    let (rows, cols) = (scene.rows, scene.cols);
    let mut f = netcdf::create(path).map_err(w(path))?;
    f.add_dimension("number_of_lines", rows).map_err(w(path))?;
    f.add_dimension("pixels_per_line", cols).map_err(w(path))?;
    f.add_dimension("number_of_bands", bands.len()).map_err(w(path))?;
    f.add_dimension("number_of_reflective_bands", bands.len()).map_err(w(path))?;
    let product_name = path.file_name().unwrap_or_default().to_string_lossy().into_owned();
    for (k, v) in [
        ("title", "SeaWiFS Level-2 Data OC (SIMULATED)"),
        ("product_name", product_name.as_str()),
        ("processing_version", "simulated"),
        ("instrument", "SeaWiFS"),
        ("platform", "Orbview-2"),
        ("Conventions", "CF-1.8, ACDD-1.3"),
        ("processing_level", "L2"),
        ("cdm_data_type", "swath"),
        ("time_coverage_start", "2008-01-01T12:00:00.000Z"),
        ("time_coverage_end", "2008-01-01T12:01:40.000Z"),
        ("comment", SIMULATED),
    ] {
        f.add_attribute(k, v).map_err(w(path))?;
    }
    for g in ["sensor_band_parameters", "scan_line_attributes", "navigation_data", "geophysical_data", "processing_control"] {
        f.add_group(g).map_err(w(path))?;
    }
    f.group_mut("processing_control").map_err(w(path))?.expect("added").add_attribute("software_name", "oceancolour demo").map_err(w(path))?;
    f.add_variable::<i32>("sensor_band_parameters/wavelength", &["number_of_bands"])
        .map_err(w(path))?
        .put_values(&bands.iter().map(|b| b.nominal as i32).collect::<Vec<_>>(), ..)
        .map_err(w(path))?;
    for name in ["year", "day", "msec"] {
        f.add_variable::<i32>(&format!("scan_line_attributes/{name}"), &["number_of_lines"]).map_err(w(path))?;
    }
    let dims = ["number_of_lines", "pixels_per_line"];
    for (name, units, lo, hi) in [("latitude", "degrees_north", -90.0f32, 90.0f32), ("longitude", "degrees_east", -180.0, 180.0)] {
        let var = format!("navigation_data/{name}");
        f.add_variable::<f32>(&var, &dims).map_err(w(path))?.set_fill_value(-999.0f32).map_err(w(path))?;
        put_attrs(&mut f, &var, vec![("long_name", name.into()), ("units", units.into()), ("valid_min", lo.into()), ("valid_max", hi.into())], path)?;
    }
    let pack = |rrs: f64| ((rrs - 0.05) / 2.0e-6).round() as i16;
    for b in &bands {
        let var = format!("geophysical_data/Rrs_{}", b.nominal);
        f.add_variable::<i16>(&var, &dims).map_err(w(path))?.set_fill_value(-32767i16).map_err(w(path))?;
        put_attrs(
            &mut f,
            &var,
            vec![
                ("long_name", format!("Remote sensing reflectance at {} nm", b.nominal).into()),
                ("scale_factor", 2.0e-6f32.into()),
                ("add_offset", 0.05f32.into()),
                ("units", "sr^-1".into()),
                ("standard_name", "surface_ratio_of_upwelling_radiance_emerging_from_sea_water_to_downwelling_radiative_flux_in_air".into()),
                ("valid_min", pack(-0.01).into()),
                ("valid_max", pack(0.1).into()),
                ("coordinates", "longitude latitude".into()),
                ("wavelength", (b.centre_nm as f32).into()),
            ],
            path,
        )?;
    }
    let masks: Vec<i32> = (0..32).map(|b| (1u32 << b) as i32).collect();
    f.add_variable::<i32>("geophysical_data/l2_flags", &dims).map_err(w(path))?;
    put_attrs(
        &mut f,
        "geophysical_data/l2_flags",
        vec![
            ("long_name", "Level-2 Processing Flags".into()),
            ("valid_min", i32::MIN.into()),
            ("valid_max", i32::MAX.into()),
            ("flag_masks", masks.into()),
            ("flag_meanings", L2_FLAG_MEANINGS.into()),
            ("coordinates", "longitude latitude".into()),
        ],
        path,
    )?;
    let bit = |name: &str| 1i32 << L2_FLAG_MEANINGS.split_whitespace().position(|n| n == name).expect("known flag");
    by_blocks(rows, |r0, n| {
        let ext = vec![Extent::from(r0..r0 + n), Extent::from(..)];
        let px = || (r0..r0 + n).flat_map(|r| (0..cols).map(move |c| (r, c)));
        let (lat, lon): (Vec<f32>, Vec<f32>) = px().map(|(r, c)| scene.lat_lon(r, c)).map(|(a, o)| (a as f32, o as f32)).unzip();
        f.variable_mut("navigation_data/latitude").expect("defined").put_values(&lat, ext.clone()).map_err(w(path))?;
        f.variable_mut("navigation_data/longitude").expect("defined").put_values(&lon, ext.clone()).map_err(w(path))?;
        let flags: Vec<i32> = px()
            .map(|(r, c)| match scene.surface(r, c) {
                Surface::Land => bit("LAND"),
                Surface::Cloud => bit("CLDICE"),
                Surface::Water if scene.near_coast(r, c) => bit("COASTZ"),
                Surface::Water => 0,
            })
            .collect();
        f.variable_mut("geophysical_data/l2_flags").expect("defined").put_values(&flags, ext.clone()).map_err(w(path))?;
        for b in &bands {
            let v: Vec<i16> = px()
                .map(|(r, c)| match scene.surface(r, c) {
                    Surface::Land => -32767,
                    _ if scene.no_data(r, c) => -32767,
                    _ => pack(scene.rrs(r, c, b.centre_nm)),
                })
                .collect();
            f.variable_mut(&format!("geophysical_data/Rrs_{}", b.nominal)).expect("defined").put_values(&v, ext.clone()).map_err(w(path))?;
        }
        Ok(())
    })?;
    f.close().map_err(w(path))
}

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
pub fn write_olci_wfr(dir: &Path, scene: Scene) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::file(dir, format!("cannot be created: {e}")))?;
    let s = sensor("olci-a")?;
    let (rows, cols) = (scene.rows, scene.cols);
    let dims = ["rows", "columns"];
    let new = |name: &str, title: &str| -> Result<(FileMut, PathBuf)> {
        let p = dir.join(name);
        let mut f = netcdf::create(&p).map_err(w(&p))?;
        f.add_dimension("rows", rows).map_err(w(&p))?;
        f.add_dimension("columns", cols).map_err(w(&p))?;
        sen3_globals(&mut f, &p, title)?;
        Ok((f, p))
    };
    let px = move |r0: usize, n: usize| (r0..r0 + n).flat_map(move |r| (0..cols).map(move |c| (r, c)));
    for &(oa, nm) in OA_BANDS {
        let centre = s.band(nm)?.centre_nm;
        let var = format!("Oa{oa:02}_reflectance");
        let (mut f, p) = new(&format!("{var}.nc"), &format!("Reflectance Oa{oa:02} Data Set"))?;
        f.add_variable::<u16>(&var, &dims).map_err(w(&p))?.set_fill_value(65535u16).map_err(w(&p))?;
        put_attrs(
            &mut f,
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
        by_blocks(rows, |r0, n| {
            let v: Vec<u16> = px(r0, n)
                .map(|(r, c)| match scene.surface(r, c) {
                    Surface::Land => 65535,
                    _ if scene.no_data(r, c) => 65535,
                    _ => ((PI * scene.rrs(r, c, centre) + 0.05) / 1.0e-5).round() as u16,
                })
                .collect();
            f.variable_mut(&var).expect("defined").put_values(&v, vec![Extent::from(r0..r0 + n), Extent::from(..)]).map_err(w(&p))
        })?;
        f.close().map_err(w(&p))?;
    }
    let (mut f, p) = new("geo_coordinates.nc", "Geo Coordinates Data Set")?;
    for (name, units, lim) in [("latitude", "degrees_north", 90_000_000i32), ("longitude", "degrees_east", 180_000_000)] {
        f.add_variable::<i32>(name, &dims).map_err(w(&p))?.set_fill_value(i32::MIN).map_err(w(&p))?;
        put_attrs(
            &mut f,
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
    by_blocks(rows, |r0, n| {
        let (lat, lon): (Vec<i32>, Vec<i32>) =
            px(r0, n).map(|(r, c)| scene.lat_lon(r, c)).map(|(a, o)| ((a * 1e6).round() as i32, (o * 1e6).round() as i32)).unzip();
        let ext = vec![Extent::from(r0..r0 + n), Extent::from(..)];
        f.variable_mut("latitude").expect("defined").put_values(&lat, ext.clone()).map_err(w(&p))?;
        f.variable_mut("longitude").expect("defined").put_values(&lon, ext).map_err(w(&p))
    })?;
    f.close().map_err(w(&p))?;

    let (mut f, p) = new("wqsf.nc", "Quality and Science Flags Data Set")?;
    let mut pairs: Vec<(&str, u64)> = WQSF_NAMES.split_whitespace().map(|n| (n, wqsf_bit(n))).collect();
    pairs.reverse(); // real files do not list the masks in bit order (s4.6)
    f.add_variable::<u64>("WQSF", &dims).map_err(w(&p))?;
    put_attrs(
        &mut f,
        "WQSF",
        vec![
            ("long_name", "Classification flags, quality and science flags for Marine and Inland Waters pixels".into()),
            ("flag_masks", pairs.iter().map(|p| p.1).collect::<Vec<u64>>().into()),
            ("flag_meanings", pairs.iter().map(|p| p.0).collect::<Vec<_>>().join(" ").into()),
        ],
        &p,
    )?;
    by_blocks(rows, |r0, n| {
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
    f.close().map_err(w(&p))?;

    let (mut f, p) = new("time_coordinates.nc", "Time Coordinates Data Set")?;
    f.add_variable::<i64>("time_stamp", &["rows"]).map_err(w(&p))?.set_fill_value(-1i64).map_err(w(&p))?;
    put_attrs(
        &mut f,
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
    f.close().map_err(w(&p))?;

    let manifest = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<!-- SIMULATED by oceancolour: layout after formats.md s4.10 -->
<xfdu:XFDU xmlns:xfdu="urn:ccsds:schema:xfdu:1" xmlns:sentinel-safe="http://www.esa.int/safe/sentinel/1.1" xmlns:sentinel3="http://www.esa.int/safe/sentinel/sentinel-3/1.0" xmlns:olci="http://www.esa.int/safe/sentinel/sentinel-3/olci/1.0" version="esa/safe/sentinel/sentinel-3/olci/level-2/1.0">
  <metadataSection>
    <metadataObject ID="platform"><metadataWrap><xmlData>
      <sentinel-safe:platform><sentinel-safe:familyName>Sentinel-3</sentinel-safe:familyName><sentinel-safe:number>A</sentinel-safe:number>
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

/// Names of the simulated inputs the demo writes.
pub const DEMO_L2: &str = "SEASTAR_SEAWIFS_GAC.20080101T120000.L2.OC.nc";
pub const DEMO_SEN3: &str = "S3A_OL_2_WFR____20240601T103000_20240601T103300_20240602T000000_0179_000_000_0000_MAR_O_NT_003.SEN3";
/// Products the demo makes (all need only visible bands, which the simulation takes from measured spectra).
pub const DEMO_PRODUCTS: &[&str] = &["chl_oc5", "chl_oc5ci", "spm_gohin", "chl_ocx", "chl_oci", "kd490", "spm_nechad", "turbidity_nechad"];

/// Writes the two simulated granules under `outdir/inputs` and runs the
/// chain on them into `outdir/products`.
pub fn run(outdir: &Path, progress: OnProgress) -> Result<(Vec<PathBuf>, Report)> {
    let inputs_dir = outdir.join("inputs");
    std::fs::create_dir_all(&inputs_dir).map_err(|e| Error::file(&inputs_dir, format!("cannot be created: {e}")))?;
    let l2 = inputs_dir.join(DEMO_L2);
    let sen3 = inputs_dir.join(DEMO_SEN3);
    write_obpg_l2(&l2, Scene { rows: 300, cols: 400 })?;
    write_olci_wfr(&sen3, Scene { rows: 360, cols: 480 })?;
    let config = Config { products: DEMO_PRODUCTS.iter().map(|s| s.to_string()).collect(), ..Config::default() };
    let req =
        Request { inputs: vec![l2.clone(), sen3.clone()], outdir: outdir.join("products"), config, sensor: None, overwrite: true, jobs: super::DEFAULT_JOBS };
    Ok((vec![l2, sen3], process(&req, progress)))
}
