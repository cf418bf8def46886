//! NASA OBPG Level-2 ocean-colour netCDF-4 (formats.md s1): groups
//! `geophysical_data` (`Rrs_NNN`, packed int16 with scale_factor /
//! add_offset / _FillValue and packed valid_min/max; `l2_flags` int32 with
//! flag_masks / flag_meanings) and `navigation_data` (latitude, longitude);
//! the sensor from the global `instrument` / `platform` attributes. Each
//! `Rrs_NNN` carries the F0 l2gen divided nLw by (`solar_irradiance`,
//! W m-2 um-1: l2gen's Fonom x 10), read into `GranuleInfo::f0`.

use std::path::{Path, PathBuf};

use netcdf::Extent;

use super::atomic::NewNetcdf;
use super::flags::{FlagConfig, FlagRule, FlagTable};
use super::nc::{self, check_units, read_decoded, text, Packing};
use super::simulated::{by_blocks, put_attrs, w, Scene, Surface, SIMULATED};
use super::{resolve_sensor, Block, Granule, GranuleInfo, Layout};
use crate::compute::Cancel;
use crate::error::{Error, Result};
use crate::sensors::{sensor, Sensor};

/// Spellings of sr-1 accepted on Rrs variables (OBPG writes "sr^-1").
pub const RRS_UNITS: &[&str] = &["sr^-1", "sr-1", "1/sr", "sr**-1"];

pub struct ObpgL2 {
    info: GranuleInfo,
    file: netcdf::File,
    rule: FlagRule,
}

/// Nominal wavelength of an `Rrs_NNN` variable name.
pub fn rrs_band(name: &str) -> Option<u16> {
    name.strip_prefix("Rrs_").and_then(|d| d.parse().ok())
}

impl ObpgL2 {
    pub fn open(path: &Path, file: netcdf::File, sensor: Option<&str>, flags: &FlagConfig) -> Result<Self> {
        let attr = |n: &str| text(file.attribute(n).map(|a| a.value())).unwrap_or_default();
        let (sensor, sensor_from) = resolve_sensor(path, sensor, &attr("instrument"), &attr("platform"))?;
        let geo = nc::group(&file, "geophysical_data").expect("checked by formats::open");
        let mut bands = Vec::new();
        let mut f0 = Vec::new();
        for var in geo.variables() {
            let Some(nm) = rrs_band(&var.name()) else { continue };
            if sensor.band(nm).is_err() {
                log::warn!("{}: {} is not a band of {}; ignored", path.display(), var.name(), sensor.name);
                continue;
            }
            check_units(path, &var, RRS_UNITS, "Rrs")?;
            let p = Packing::of(&var);
            if p.integer && p.scale.is_none() {
                return Err(Error::file(path, format!("{} is stored as {} without scale_factor: cannot unpack it to Rrs", var.name(), p.stored)));
            }
            if !p.integer && p.stored != "f32" && p.stored != "f64" {
                return Err(Error::file(path, format!("{} is stored as {}, not a numeric type", var.name(), p.stored)));
            }
            if let Some(e0) = nc::number(var.attribute_value("solar_irradiance")) {
                f0.push((nm, solar_irradiance_to_f0(path, &var.name(), e0)?));
            }
            bands.push(nm);
        }
        bands.sort_unstable();
        f0.sort_by_key(|f| f.0);
        if bands.is_empty() {
            return Err(Error::file(path, "has no Rrs_NNN variable in geophysical_data"));
        }
        let first_name = format!("Rrs_{}", bands[0]);
        let dims = nc::shape(&geo.variable(&first_name).expect("listed above"));
        let [rows, cols] = dims[..] else {
            return Err(Error::file(path, format!("{first_name} has {} dimensions, expected 2 (lines, pixels)", dims.len())));
        };
        for &nm in &bands[1..] {
            nc::shape_must_be(path, &geo.variable(&format!("Rrs_{nm}")).expect("listed above"), &dims, &first_name)?;
        }
        let rule = swath_flag_rule(path, &file, &dims, &first_name, flags)?;
        let keep = ["title", "instrument", "platform", "processing_version", "product_name", "processing_level"];
        let attributes = keep.iter().map(|k| (k.to_string(), attr(k))).filter(|kv| !kv.1.is_empty()).collect();
        let info = GranuleInfo { f0, ..swath_info(path, &file, "NASA OBPG Level-2", (sensor, sensor_from), (rows, cols), bands, flags, &rule, attributes) };
        Ok(ObpgL2 { info, file, rule })
    }
}

/// The l2gen swath checks shared by OBPG Level-2 and PACE OCI (formats.md
/// s1): `navigation_data` latitude/longitude and `geophysical_data/l2_flags`
/// of the lines x pixels `plane` (`what`: the variable that set it), and the
/// rule excluding the configured `l2_flags` names.
pub(super) fn swath_flag_rule(path: &Path, file: &netcdf::File, plane: &[usize], what: &str, flags: &FlagConfig) -> Result<FlagRule> {
    for name in ["navigation_data/latitude", "navigation_data/longitude"] {
        nc::shape_must_be(path, &nc::variable(path, file, name, "geolocation")?, plane, what)?;
    }
    let l2 = nc::variable(path, file, "geophysical_data/l2_flags", "quality flags")?;
    nc::shape_must_be(path, &l2, plane, what)?;
    let masks = nc::masks(l2.attribute_value("flag_masks")).ok_or_else(|| Error::file(path, "l2_flags has no integer flag_masks attribute"))?;
    let meanings = text(l2.attribute_value("flag_meanings")).ok_or_else(|| Error::file(path, "l2_flags has no flag_meanings attribute"))?;
    let table = FlagTable::new(&masks, &meanings).map_err(|e| Error::file(path, format!("l2_flags: {e}")))?;
    Ok(FlagRule { exclude: table.mask_of(&flags.obpg_l2_exclude).map_err(|e| Error::file(path, format!("l2_flags: {e}")))?, require_any: 0 })
}

/// What an l2gen swath (OBPG Level-2, PACE OCI) says of itself: time
/// coverage, the `l2_flags` rule applied, SIMULATED or not; no F0 and no
/// virtual bands (the caller sets those it has).
#[allow(clippy::too_many_arguments)] // the fields of a granule's description
pub(super) fn swath_info(
    path: &Path,
    file: &netcdf::File,
    format: &'static str,
    (sensor, sensor_from): (&'static Sensor, String),
    (rows, cols): (usize, usize),
    bands: Vec<u16>,
    flags: &FlagConfig,
    rule: &FlagRule,
    attributes: Vec<(String, String)>,
) -> GranuleInfo {
    let attr = |n: &str| Some(text(file.attribute(n).map(|a| a.value())).unwrap_or_default()).filter(|s| !s.is_empty());
    GranuleInfo {
        path: PathBuf::from(path),
        format,
        sensor,
        sensor_from,
        rows,
        cols,
        layout: Layout::Swath,
        bands,
        time_coverage_start: attr("time_coverage_start"),
        time_coverage_end: attr("time_coverage_end"),
        flags_applied: format!("l2_flags excluding {} (mask 0x{:08X})", flags.obpg_l2_exclude.join(" "), rule.exclude),
        attributes,
        f0: Vec::new(),
        simulated: nc::says_simulated(file),
        virtual_bands: None,
    }
}

/// An OBPG `solar_irradiance` (W m-2 um-1) as F0 in mW cm-2 um-1 (/ 10),
/// refused where it cannot be a solar irradiance (fill, negative, absurd).
fn solar_irradiance_to_f0(path: &Path, var: &str, e0: f64) -> Result<f64> {
    // Extraterrestrial irradiance is below 2200 W m-2 um-1 at every wavelength.
    if !(e0.is_finite() && e0 > 0.0 && e0 < 3000.0) {
        return Err(Error::file(path, format!("{var}:solar_irradiance is {e0}, not a solar irradiance in W m-2 um-1")));
    }
    Ok(e0 / 10.0)
}

impl Granule for ObpgL2 {
    fn info(&self) -> &GranuleInfo {
        &self.info
    }

    fn read_block(&self, row0: usize, nrows: usize, bands: &[u16]) -> Result<Block> {
        let path = &self.info.path;
        let var = |name: &str| nc::variable(path, &self.file, name, "");
        let flags_var = var("geophysical_data/l2_flags")?;
        let flags: Vec<i32> = flags_var
            .get_values::<i32, _>(vec![netcdf::Extent::from(row0..row0 + nrows), netcdf::Extent::from(..)])
            .map_err(|e| Error::file(path, format!("reading l2_flags: {e}")))?;
        let excluded: Vec<bool> = flags.iter().map(|&f| self.rule.excludes(f as u32 as u64)).collect();
        let mut rrs = Vec::with_capacity(bands.len());
        for &nm in bands {
            let mut v = read_decoded(path, &var(&format!("geophysical_data/Rrs_{nm}"))?, row0, nrows)?;
            for (r, &x) in v.iter_mut().zip(&excluded) {
                if x {
                    *r = f32::NAN;
                }
            }
            rrs.push((nm, v));
        }
        swath_block(path, &self.file, row0, nrows, rrs, &excluded, Vec::new())
    }
}

/// A block of rows of an OBPG-layout swath (the multispectral L2 above and
/// PACE OCI's): its Rrs (and uncertainty) as read, with the navigation of the
/// same rows and the count of pixels the flags excluded.
pub(super) fn swath_block(
    path: &Path,
    file: &netcdf::File,
    row0: usize,
    nrows: usize,
    rrs: Vec<(u16, Vec<f32>)>,
    excluded: &[bool],
    rrs_sigma: Vec<(u16, Vec<f32>)>,
) -> Result<Block> {
    let navigation = |name: &str| nc::variable(path, file, &format!("navigation_data/{name}"), "").and_then(|v| read_decoded(path, &v, row0, nrows));
    Ok(Block {
        row0,
        nrows,
        rrs,
        lat: navigation("latitude")?,
        lon: navigation("longitude")?,
        bin_num: Vec::new(),
        flagged: excluded.iter().filter(|&&x| x).count(),
        rrs_sigma,
    })
}

// ------------------------------------------------------------ simulated granules

/// l2_flags names of the 2022 OBPG files (formats.md s1.6, forum t=3717).
const L2_FLAG_MEANINGS: &str = "ATMFAIL LAND PRODWARN HIGLINT HILT HISATZEN COASTZ SPARE STRAYLIGHT CLDICE \
COCCOLITH TURBIDW HISOLZEN SPARE LOWLW CHLFAIL NAVWARN ABSAER SPARE MAXAERITER MODGLINT CHLWARN ATMWARN SPARE \
SEAICE NAVFAIL FILTER SPARE BOWTIEDEL HIPOL PRODFAIL SPARE";

/// Writes a SeaWiFS OBPG Level-2 OC file (formats.md s1.2-1.4): Rrs int16
/// with scale 2e-6, offset 0.05, fill -32767 (the OBPG product definition,
/// s1.4) and packed valid_min/max.
pub fn write_simulated(path: &Path, scene: Scene) -> Result<()> {
    write_simulated_for(path, scene, "seawifs", Cancel::NEVER)
}

/// As `write_simulated`, for any registry sensor (OBPG L2 layout): its
/// visible bands (<= 700 nm), `instrument` and `platform` from its registry
/// row (the first platform alias, as OBPG writes it).
pub fn write_simulated_for(path: &Path, scene: Scene, sensor_name: &str, cancel: Cancel<'_>) -> Result<()> {
    let s = sensor(sensor_name)?;
    let bands: Vec<_> = s.bands.iter().filter(|b| b.nominal <= 700).collect();
    let platform = s.platform_aliases.iter().copied().find(|a| *a != "*").unwrap_or(s.platform);
    let title = format!("{} Level-2 Data OC (SIMULATED)", s.instrument);
    let (rows, cols) = (scene.rows, scene.cols);
    let mut nf = NewNetcdf::create(path)?;
    let f = nf.nc();
    f.add_dimension("number_of_lines", rows).map_err(w(path))?;
    f.add_dimension("pixels_per_line", cols).map_err(w(path))?;
    f.add_dimension("number_of_bands", bands.len()).map_err(w(path))?;
    f.add_dimension("number_of_reflective_bands", bands.len()).map_err(w(path))?;
    let product_name = path.file_name().unwrap_or_default().to_string_lossy().into_owned();
    for (k, v) in [
        ("title", title.as_str()),
        ("product_name", product_name.as_str()),
        ("processing_version", "simulated"),
        ("instrument", s.instrument),
        ("platform", platform),
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
        put_attrs(f, &var, vec![("long_name", name.into()), ("units", units.into()), ("valid_min", lo.into()), ("valid_max", hi.into())], path)?;
    }
    let pack = |rrs: f64| ((rrs - 0.05) / 2.0e-6).round() as i16;
    for b in &bands {
        let var = format!("geophysical_data/Rrs_{}", b.nominal);
        f.add_variable::<i16>(&var, &dims).map_err(w(path))?.set_fill_value(-32767i16).map_err(w(path))?;
        put_attrs(
            f,
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
        f,
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
    by_blocks(rows, cancel, |r0, n| {
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
    nf.commit().map(|_| ())
}
