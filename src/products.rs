//! Products from reflectances: each function resolves the sensor's bands and
//! the named coefficient set (data in `sensors.rs` / `coefficients.rs`) and
//! runs the matching pure kernel over all pixels. NaN marks invalid pixels.

use crate::coefficients::{
    self as coef, nechad_at, CiSet, Kd2Set, MorelKdSet, NechadNode, OcxSet, CI_SETS, KD2_SETS, MOREL_KD490,
    OCX_SETS,
};
use crate::error::{join, Error, Result};
use crate::kernels::attenuation::{kd2_pixel, kd490_from_chl_pixel, kdpar_morel_pixel};
use crate::kernels::chlorophyll::{ci_pixel, oci_blend, ocx_pixel};
use crate::kernels::sediment::{dogliotti_pixel, nechad_pixel};
use crate::kernels::{map_pixels, map_pixels_vec};
use crate::reflectance::Reflectances;
use crate::sensors::Sensor;

/// The OCx coefficient sets published for a sensor.
pub fn ocx_sets(sensor: &Sensor) -> impl Iterator<Item = &'static OcxSet> + '_ {
    OCX_SETS.iter().filter(move |o| o.sensors.contains(&sensor.name))
}

fn unknown_set(kind: &str, sensor: &str, name: &str, available: String) -> Error {
    Error::UnknownCoefficientSet {
        kind: kind.into(),
        sensor: sensor.into(),
        name: name.into(),
        available,
    }
}

/// The OCx set `name` for `sensor`; "default" is the sensor's default.
pub fn ocx_set(sensor: &Sensor, name: &str) -> Result<&'static OcxSet> {
    let key = if name.eq_ignore_ascii_case("default") { sensor.default_ocx } else { name };
    ocx_sets(sensor)
        .find(|o| o.name.eq_ignore_ascii_case(key))
        .ok_or_else(|| unknown_set("OCx", sensor.name, name, join(ocx_sets(sensor).map(|o| o.name))))
}

pub fn ci_set(name: &str) -> Result<&'static CiSet> {
    CI_SETS
        .iter()
        .find(|c| c.name.eq_ignore_ascii_case(name))
        .ok_or_else(|| unknown_set("CI", "any sensor", name, join(CI_SETS.iter().map(|c| c.name))))
}

/// OCx chlorophyll-a (mg m-3).
pub fn chl_ocx(rrs: &Reflectances, set: &OcxSet) -> Result<Vec<f32>> {
    let algorithm = format!("chl_ocx ({})", set.name);
    let blues = set
        .blues
        .iter()
        .map(|&nm| rrs.band(nm, &algorithm))
        .collect::<Result<Vec<_>>>()?;
    let green = rrs.band(set.green, &algorithm)?;
    // Pad to four blue slots with the last blue (max/min are unchanged).
    let last = *blues.last().expect("every OCx set has a blue band");
    let pick = |i: usize| *blues.get(i).unwrap_or(&last);
    let a = set.a.map(|c| c as f32);
    Ok(map_pixels_vec([pick(0), pick(1), pick(2), pick(3), green], rrs.len(), #[inline(always)] move |[b0, b1, b2, b3, g]| {
        ocx_pixel([b0, b1, b2, b3], b3, g, &a)
    }))
}

/// The CI's blue, green and red bands on a sensor (l2gen chl_hu: 443, the
/// green band converted to 555, the red band nearest 670).
fn ci_bands<'a>(rrs: &Reflectances<'a>) -> Result<[&'a [f32]; 3]> {
    let s = rrs.sensor;
    let blue = s.roles.ratio_blues[0];
    Ok([
        rrs.band(blue, "chl_ci")?,
        rrs.band(s.roles.green, "chl_ci")?,
        rrs.band(s.roles.red, "chl_ci")?,
    ])
}

/// Hu colour-index chlorophyll-a (mg m-3).
pub fn chl_ci(rrs: &Reflectances, set: &CiSet) -> Result<Vec<f32>> {
    let [b, g, r] = ci_bands(rrs)?;
    let conv = coef::green_to_555(rrs.sensor.roles.green);
    let a = set.a;
    Ok(map_pixels_vec([b, g, r], rrs.len(), #[inline(always)] move |[b, g, r]| ci_pixel(b, g, r, conv, &a)))
}

/// OCI: CI below t1, OCx above t2, linear blend between (mg m-3).
pub fn chl_oci(rrs: &Reflectances, ocx: &OcxSet, ci: &CiSet, thresholds: Option<[f64; 2]>) -> Result<Vec<f32>> {
    let [t1, t2] = thresholds.unwrap_or(ci.blend);
    if !(t1.is_finite() && t2.is_finite() && 0.0 < t1 && t1 < t2) {
        return Err(Error::InvalidParameter {
            name: "thresholds".into(),
            reason: format!("need 0 < t1 < t2, got t1={t1}, t2={t2}"),
        });
    }
    let mut out = chl_ci(rrs, ci)?;
    let ocx_values = chl_ocx(rrs, ocx)?;
    let ci_values = out.clone();
    map_pixels([&ci_values, &ocx_values], &mut out, #[inline(always)] |[c, o]| oci_blend(c, o, t1, t2));
    Ok(out)
}

pub fn kd2_set(sensor: &Sensor, name: Option<&str>) -> Result<&'static Kd2Set> {
    let key = name.filter(|n| !n.eq_ignore_ascii_case("default")).unwrap_or(sensor.kd2);
    KD2_SETS
        .iter()
        .find(|k| k.name.eq_ignore_ascii_case(key))
        .ok_or_else(|| unknown_set("KD2", sensor.name, key, join(KD2_SETS.iter().map(|k| k.name))))
}

/// KD2 Kd(490) (m-1).
pub fn kd490(rrs: &Reflectances, set: &Kd2Set) -> Result<Vec<f32>> {
    let s = rrs.sensor;
    let pick = |options: &[u16]| -> Result<u16> {
        options.iter().copied().find(|&nm| s.band(nm).is_ok()).ok_or_else(|| Error::Unsupported {
            algorithm: format!("kd490 ({})", set.name),
            reason: format!("{} has none of the bands {} this set is published for", s.name, join(options)),
        })
    };
    let algorithm = format!("kd490 ({})", set.name);
    let blue = rrs.band(pick(set.blue)?, &algorithm)?;
    let green = rrs.band(pick(set.green)?, &algorithm)?;
    let a = set.a;
    Ok(map_pixels_vec([blue, green], rrs.len(), #[inline(always)] move |[b, g]| kd2_pixel(b, g, &a)))
}

pub fn morel_kd_set(name: &str) -> Result<&'static MorelKdSet> {
    MOREL_KD490
        .iter()
        .find(|m| m.name.eq_ignore_ascii_case(name))
        .ok_or_else(|| unknown_set("Morel Kd490", "any sensor", name, join(MOREL_KD490.iter().map(|m| m.name))))
}

/// Kd(490) from chlorophyll (m-1).
pub fn kd490_morel(chl: &[f32], set: &MorelKdSet) -> Vec<f32> {
    let (kw, chi, e) = (set.kw, set.chi, set.e);
    map_pixels_vec([chl], chl.len(), #[inline(always)] move |[c]| kd490_from_chl_pixel(c, kw, chi, e))
}

/// KdPAR (m-1) over the first or second optical depth from Kd(490), Morel et al. 2007.
pub fn kdpar_morel(kd490: &[f32], depth: &str) -> Result<Vec<f32>> {
    let c = coef::KDPAR_MOREL2007
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(depth))
        .map(|(_, c)| *c)
        .ok_or_else(|| Error::InvalidParameter {
            name: "depth".into(),
            reason: format!("{depth:?}; choose \"first\" or \"second\" optical depth"),
        })?;
    Ok(map_pixels_vec([kd490], kd490.len(), #[inline(always)] move |[k]| kdpar_morel_pixel(k, &c)))
}

/// A and C of a Nechad calibration at a sensor band's centre.
fn nechad_node(table: &[NechadNode], sensor: &Sensor, nm: u16, algorithm: &str) -> Result<NechadNode> {
    let centre = sensor.band(nm)?.centre_nm;
    nechad_at(table, centre).ok_or_else(|| Error::Unsupported {
        algorithm: algorithm.into(),
        reason: format!(
            "no published A, C held within {} nm around {centre} nm ({} band {nm}); held nodes: {} nm",
            coef::NECHAD_MAX_GAP_NM,
            sensor.name,
            join(table.iter().map(|n| n.nm))
        ),
    })
}

fn nechad_product(rrs: &Reflectances, table: &[NechadNode], wavelength: Option<u16>, algorithm: &str) -> Result<Vec<f32>> {
    let nm = wavelength.unwrap_or(rrs.sensor.roles.red);
    let node = nechad_node(table, rrs.sensor, nm, algorithm)?;
    let band = rrs.band(nm, algorithm)?;
    Ok(map_pixels_vec([band], rrs.len(), #[inline(always)] move |[r]| nechad_pixel(r, &node)))
}

/// Nechad et al. 2010 SPM (g m-3) at one band (default: the sensor's red band).
pub fn spm_nechad(rrs: &Reflectances, wavelength: Option<u16>) -> Result<Vec<f32>> {
    nechad_product(rrs, coef::NECHAD2010_SPM, wavelength, "spm_nechad")
}

/// Nechad et al. 2009 turbidity (FNU) at one band (default: the sensor's red band).
pub fn turbidity_nechad(rrs: &Reflectances, wavelength: Option<u16>) -> Result<Vec<f32>> {
    nechad_product(rrs, coef::NECHAD2009_TURBIDITY, wavelength, "turbidity_nechad")
}

/// Dogliotti et al. 2015 turbidity (FNU): red/NIR switching blend.
pub fn turbidity_dogliotti(rrs: &Reflectances) -> Result<Vec<f32>> {
    let s = rrs.sensor;
    let algorithm = "turbidity_dogliotti";
    for (nm, node) in [(s.roles.red_dogliotti, coef::DOGLIOTTI_RED), (s.roles.nir, coef::DOGLIOTTI_NIR)] {
        let centre = s.band(nm)?.centre_nm;
        if (centre - node.nm).abs() > coef::DOGLIOTTI_MAX_OFFSET_NM {
            return Err(Error::Unsupported {
                algorithm: algorithm.into(),
                reason: format!(
                    "{} band {nm} nm is more than {} nm from the published {} nm calibration",
                    s.name,
                    coef::DOGLIOTTI_MAX_OFFSET_NM,
                    node.nm
                ),
            });
        }
    }
    let red = rrs.band(s.roles.red_dogliotti, algorithm)?;
    let nir = rrs.band(s.roles.nir, algorithm)?;
    Ok(map_pixels_vec([red, nir], rrs.len(), #[inline(always)] |[r, n]| {
        dogliotti_pixel(r, n, &coef::DOGLIOTTI_RED, &coef::DOGLIOTTI_NIR, coef::DOGLIOTTI_BLEND)
    }))
}
