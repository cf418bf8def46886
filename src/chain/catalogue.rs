//! The products the chain can make, as a table: one row per product, named
//! like the Python function that computes it. Adding a product (e.g. OC5)
//! is adding a row. CF standard names and units per formats.md s8.2.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use crate::coefficients::{CHL_MAX, CHL_MIN, GOHIN_SPM_MINERAL_SCALE, KD_MAX, KD_MIN, OC5CI_BLEND};
use crate::error::{join, Error, Result};
use crate::oc5::{self, Oc5Table};
use crate::products;
use crate::reflectance::Reflectances;
use crate::sensors::Sensor;

use super::config::Coefficients;

pub struct ProductSpec {
    pub name: &'static str,
    pub long_name: &'static str,
    pub standard_name: Option<&'static str>,
    pub units: &'static str,
    /// The range the algorithm clips to, where it does.
    pub valid_range: Option<[f32; 2]>,
    /// Quick-look on a log10 scale.
    pub log_scale: bool,
    pub radiation_wavelength_nm: Option<f32>,
    pub comment: &'static str,
    pub compute: fn(&Reflectances, &Coefficients) -> Result<Vec<f32>>,
    /// The algorithm and coefficient set used on a sensor, with sources (provenance).
    pub algorithm: fn(&Sensor, &Coefficients) -> Result<String>,
}

const CHL: &str = "mass_concentration_of_chlorophyll_a_in_sea_water";
const SPM: &str = "mass_concentration_of_suspended_matter_in_sea_water";
const KD: &str = "volume_attenuation_coefficient_of_downwelling_radiative_flux_in_sea_water";
const TURBIDITY: &str = "sea_water_turbidity";
/// l2gen's chlorophyll clip (coefficients::CHL_MIN/CHL_MAX) and Kd clip (KD_MIN/KD_MAX).
const CHL_RANGE: Option<[f32; 2]> = Some([CHL_MIN as f32, CHL_MAX as f32]);
const KD_RANGE: Option<[f32; 2]> = Some([KD_MIN as f32, KD_MAX as f32]);
const FNU: &str = "Turbidity in FNU; CF's sea_water_turbidity is dimensionless and UDUNITS has no FNU (formats.md s8.2)";

fn ocx_text(s: &Sensor, c: &Coefficients) -> Result<String> {
    let o = products::ocx_set(s, &c.ocx)?;
    Ok(format!("OCx set {} (blue {}, green {}, a = {:?}); {}", o.name, join(o.blues), o.green, o.a, o.source))
}

fn ci_text(c: &Coefficients) -> Result<String> {
    let ci = products::ci_set(&c.ci)?;
    Ok(format!("CI set {} (a = {:?}); {}", ci.name, ci.a, ci.source))
}

fn nechad_text(table: &str, s: &Sensor, c: &Coefficients) -> String {
    format!("{table} at {} band {} nm", s.name, c.nechad_wavelength.unwrap_or(s.roles.red))
}

/// Tables read from files, kept for the run (every block of every granule uses them).
static LOADED_TABLES: Mutex<Vec<(PathBuf, Arc<Oc5Table>)>> = Mutex::new(Vec::new());

/// The OC5 table of a run: the configured file, else the sensor's open table.
fn oc5_table(s: &'static Sensor, c: &Coefficients) -> Result<Arc<Oc5Table>> {
    let Some(path) = &c.oc5_table else { return oc5::default_table(s) };
    let mut memo = LOADED_TABLES.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, t)) = memo.iter().find(|(p, _)| p == path) {
        return Ok(t.clone());
    }
    let t = Arc::new(crate::formats::oc5_table::load(path)?);
    if t.sensor != s.name {
        return Err(Error::InvalidParameter { name: "oc5_table".into(), reason: format!("{} is a table for {}, not {}", path.display(), t.sensor, s.name) });
    }
    memo.push((path.clone(), t.clone()));
    Ok(t)
}

/// Provenance of the OC5 table: which one, its version and a checksum of its values.
fn oc5_text(s: &Sensor, c: &Coefficients) -> Result<String> {
    let s = crate::sensors::sensor(s.name)?;
    let t = oc5_table(s, c)?;
    let name = c.oc5_table.as_ref().map_or(format!("open OC5-like table for {} (oceancolour, not Ifremer's)", s.name), |p| p.display().to_string());
    Ok(format!(
        "OC5 table lookup (Gohin, Druon & Lampert 2002): {name}, version {}, shape {:?}, F0 green/412 {}/{} mW cm-2 um-1, values checksum fnv1a64:{:016x}",
        t.version,
        t.shape(),
        t.f0_green,
        t.f0_violet,
        t.checksum()
    ))
}

fn gohin_scale(c: &Coefficients) -> f64 {
    c.spm_gohin_mineral_scale.unwrap_or(GOHIN_SPM_MINERAL_SCALE.value)
}

pub static PRODUCTS: &[ProductSpec] = &[
    ProductSpec {
        name: "chl_ocx",
        long_name: "Chlorophyll-a concentration, OCx maximum band ratio",
        standard_name: Some(CHL),
        units: "mg m-3",
        valid_range: CHL_RANGE,
        log_scale: true,
        radiation_wavelength_nm: None,
        comment: "O'Reilly et al. 1998, 2000; O'Reilly & Werdell 2019",
        compute: |r, c| products::chl_ocx(r, products::ocx_set(r.sensor, &c.ocx)?),
        algorithm: ocx_text,
    },
    ProductSpec {
        name: "chl_ci",
        long_name: "Chlorophyll-a concentration, Hu colour index",
        standard_name: Some(CHL),
        units: "mg m-3",
        valid_range: CHL_RANGE,
        log_scale: true,
        radiation_wavelength_nm: None,
        comment: "Hu, Lee & Franz 2012; Hu et al. 2019",
        compute: |r, c| products::chl_ci(r, products::ci_set(&c.ci)?),
        algorithm: |_, c| ci_text(c),
    },
    ProductSpec {
        name: "chl_oci",
        long_name: "Chlorophyll-a concentration, OCI (CI blended with OCx)",
        standard_name: Some(CHL),
        units: "mg m-3",
        valid_range: CHL_RANGE,
        log_scale: true,
        radiation_wavelength_nm: None,
        comment: "Hu, Lee & Franz 2012 blending of CI and OCx (NASA chlor_a)",
        compute: |r, c| {
            products::chl_oci(r, products::ocx_set(r.sensor, &c.ocx)?, products::ci_set(&c.ci)?, c.oci_thresholds)
        },
        algorithm: |s, c| {
            let t = c.oci_thresholds.unwrap_or(products::ci_set(&c.ci)?.blend);
            Ok(format!("{}; {}; blend thresholds {t:?} mg m-3", ocx_text(s, c)?, ci_text(c)?))
        },
    },
    ProductSpec {
        name: "kd490",
        long_name: "Diffuse attenuation coefficient of downwelling irradiance at 490 nm, KD2",
        standard_name: Some(KD),
        units: "m-1",
        valid_range: KD_RANGE,
        log_scale: true,
        radiation_wavelength_nm: Some(490.0),
        comment: "NASA OBPG KD2 band-ratio algorithm (Kd ATBD)",
        compute: |r, c| products::kd490(r, products::kd2_set(r.sensor, Some(c.kd2.as_str()))?),
        algorithm: |s, c| {
            let k = products::kd2_set(s, Some(c.kd2.as_str()))?;
            Ok(format!("KD2 set {} (a = {:?}); {}", k.name, k.a, k.source))
        },
    },
    ProductSpec {
        name: "spm_nechad",
        long_name: "Suspended particulate matter concentration, Nechad et al. 2010",
        standard_name: Some(SPM),
        units: "g m-3",
        valid_range: None,
        log_scale: true,
        radiation_wavelength_nm: None,
        comment: "Nechad, Ruddick & Park 2010, Remote Sens. Environ. 114:854-866",
        compute: |r, c| products::spm_nechad(r, c.nechad_wavelength),
        algorithm: |s, c| Ok(nechad_text("Nechad et al. 2010 SPM calibration", s, c)),
    },
    ProductSpec {
        name: "turbidity_nechad",
        long_name: "Turbidity (FNU), Nechad et al. 2009",
        standard_name: Some(TURBIDITY),
        units: "1",
        valid_range: None,
        log_scale: true,
        radiation_wavelength_nm: None,
        comment: FNU,
        compute: |r, c| products::turbidity_nechad(r, c.nechad_wavelength),
        algorithm: |s, c| Ok(nechad_text("Nechad et al. 2009 turbidity calibration", s, c)),
    },
    ProductSpec {
        name: "turbidity_dogliotti",
        long_name: "Turbidity (FNU), Dogliotti et al. 2015 red/NIR switching",
        standard_name: Some(TURBIDITY),
        units: "1",
        valid_range: None,
        log_scale: true,
        radiation_wavelength_nm: None,
        comment: FNU,
        compute: |r, _| products::turbidity_dogliotti(r),
        algorithm: |s, _| {
            Ok(format!(
                "Dogliotti et al. 2015, Remote Sens. Environ. 156:157-168, red band {} nm / NIR band {} nm",
                s.roles.red_dogliotti, s.roles.nir
            ))
        },
    },
    ProductSpec {
        name: "chl_oc5",
        long_name: "Chlorophyll-a concentration, OC5 (Gohin) table",
        standard_name: Some(CHL),
        units: "mg m-3",
        valid_range: CHL_RANGE,
        log_scale: true,
        radiation_wavelength_nm: None,
        comment: "Gohin, Druon & Lampert 2002, Int. J. Remote Sens. 23:1639; default table: this library's open OC5-like table, no parity with Ifremer's values",
        compute: |r, c| Ok(products::chl_oc5(r, oc5_table(r.sensor, c)?.as_ref(), false)?.0),
        algorithm: oc5_text,
    },
    ProductSpec {
        name: "chl_oc5ci",
        long_name: "Chlorophyll-a concentration, OC5CI (CI blended with OC5)",
        standard_name: Some(CHL),
        units: "mg m-3",
        valid_range: CHL_RANGE,
        log_scale: true,
        radiation_wavelength_nm: None,
        comment: "CI below 0.15 mg m-3, OC5 above 0.20 (GlobColour/CMEMS practice)",
        compute: |r, c| {
            products::chl_oc5ci(r, oc5_table(r.sensor, c)?.as_ref(), products::ci_set(&c.oc5ci_ci)?, c.oc5ci_thresholds)
        },
        algorithm: |s, c| {
            let ci = products::ci_set(&c.oc5ci_ci)?;
            let t = c.oc5ci_thresholds.unwrap_or(OC5CI_BLEND);
            Ok(format!("{}; CI set {} (a = {:?}); blend thresholds {t:?} mg m-3", oc5_text(s, c)?, ci.name, ci.a))
        },
    },
    ProductSpec {
        name: "spm_gohin",
        long_name: "Non-algal suspended particulate matter, Gohin-like forward-model inversion",
        standard_name: Some(SPM),
        units: "g m-3",
        valid_range: None,
        log_scale: true,
        radiation_wavelength_nm: None,
        comment: "Structure of Gohin et al. 2005 / Gohin 2011 (green, red in very turbid water, OC5 chl removing the algal part); coefficients: this library's forward model with a fitted mineral calibration",
        compute: |r, c| {
            let (chl, _) = products::chl_oc5(r, oc5_table(r.sensor, c)?.as_ref(), false)?;
            products::spm_gohin(r, &chl, gohin_scale(c))
        },
        algorithm: |s, c| Ok(format!("{}; mineral calibration factor {} ({})", oc5_text(s, c)?, gohin_scale(c), GOHIN_SPM_MINERAL_SCALE.source)),
    },
];

/// The row of a product name, or an error listing the names.
pub fn product(name: &str) -> Result<&'static ProductSpec> {
    PRODUCTS.iter().find(|p| p.name == name.trim()).ok_or_else(|| Error::InvalidParameter {
        name: "products".into(),
        reason: format!("unknown product {name:?}; known products: {}", join(PRODUCTS.iter().map(|p| p.name))),
    })
}

/// The Rrs bands `spec` needs on `sensor`, found by running it on empty
/// data and adding each band it reports missing (so the band choice stays
/// in `products.rs` alone). Errors if it needs a band `available` lacks.
pub fn needed_bands(spec: &ProductSpec, sensor: &'static Sensor, coefficients: &Coefficients, available: &[u16]) -> Result<Vec<u16>> {
    let empty: &[f32] = &[];
    let mut bands: Vec<u16> = Vec::new();
    loop {
        let r = Reflectances::new(sensor, bands.iter().map(|&nm| (nm, empty)).collect())?;
        match (spec.compute)(&r, coefficients) {
            Ok(_) => return Ok(bands),
            Err(Error::MissingBand { band, .. }) if available.contains(&band) && !bands.contains(&band) => bands.push(band),
            Err(Error::MissingBand { band, .. }) => {
                return Err(Error::Unsupported {
                    algorithm: spec.name.into(),
                    reason: format!(
                        "needs Rrs at {band} nm, which this granule does not have (its Rrs bands: {})",
                        if available.is_empty() { "none".into() } else { join(available) }
                    ),
                })
            }
            Err(e) => return Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sensors::sensor;

    #[test]
    fn band_discovery_finds_what_each_product_reads() {
        let c = Coefficients::default();
        let s = sensor("seawifs").unwrap();
        let all = [412, 443, 490, 510, 555, 670, 765, 865];
        let mut ocx = needed_bands(product("chl_ocx").unwrap(), s, &c, &all).unwrap();
        ocx.sort();
        assert_eq!(ocx, [443, 490, 510, 555]); // OC4: 443>490>510 / 555
        assert_eq!(needed_bands(product("spm_nechad").unwrap(), s, &c, &all).unwrap(), [670]);
        let e = needed_bands(product("spm_nechad").unwrap(), s, &c, &[443, 555]).unwrap_err().to_string();
        assert!(e.contains("670") && e.contains("443, 555"), "{e}");
        assert!(product("chl_oc9").err().expect("unknown").to_string().contains("chl_ocx"));
    }
}
