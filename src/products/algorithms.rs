//! The science of each product over reflectances: the band choice of each
//! algorithm on a sensor (`*_wavelengths`) and the functions that run the
//! matching pure kernel over all pixels, with coefficient sets looked up in
//! `coefficients`. NaN marks invalid pixels. The registry (`products`) calls
//! these once per block.

use crate::bio_optical::ForwardModel;
use crate::coefficients::{self as coef, nechad_at, ocx_set, CiSet, Kd2Set, MorelKdSet, NechadNode, OcxSet};
use crate::compute::{map_pixels, map_pixels_vec};
use crate::error::{join, Error, Result};
use crate::kernels::attenuation::{kd2_pixel, kd490_from_chl_pixel, kdpar_morel_pixel};
use crate::kernels::chlorophyll::{ci_pixel, ci_pixel_for_blend, eunosat_pixel, gons_pixel, oci_blend, ocx_pixel};
use crate::kernels::sediment::{dogliotti_pixel, nechad_pixel, spm_gohin_pixel, spm_switching_pixel};
use crate::oc5::{C1Model, Oc5Bands, Oc5Table};
use crate::reflectance::Reflectances;
use crate::sensors::Sensor;

/// The bands an OCx set reads: its blues, then its green.
pub fn ocx_wavelengths(set: &OcxSet) -> Vec<u16> {
    set.blues.iter().copied().chain([set.green]).collect()
}

/// The bands of an OCx set: four blue slots (padded with the last blue, which
/// leaves max and min unchanged) and the green band.
fn ocx_bands<'a>(rrs: &Reflectances<'a>, set: &OcxSet) -> Result<[&'a [f32]; 5]> {
    let algorithm = format!("chl_ocx ({})", set.name);
    let blues = set.blues.iter().map(|&nm| rrs.band(nm, &algorithm)).collect::<Result<Vec<_>>>()?;
    let last = *blues.last().expect("every OCx set has a blue band");
    let pick = |i: usize| *blues.get(i).unwrap_or(&last);
    Ok([pick(0), pick(1), pick(2), pick(3), rrs.band(set.green, &algorithm)?])
}

/// OCx chlorophyll-a (mg m-3).
pub fn chl_ocx(rrs: &Reflectances, set: &OcxSet) -> Result<Vec<f32>> {
    let a = set.a.map(|c| c as f32);
    Ok(map_pixels_vec(
        ocx_bands(rrs, set)?,
        rrs.len(),
        #[inline(always)]
        move |[b0, b1, b2, b3, g]| ocx_pixel([b0, b1, b2, b3], b3, g, &a),
    ))
}

/// The CI's blue, green and red bands on a sensor, with l2gen's band choice
/// (`Sensor::ci_bands`: on OLCI the red is 674 nm).
pub fn ci_wavelengths(s: &Sensor) -> Result<[u16; 3]> {
    s.ci_bands()
}

/// The CI's blue, green and red Rrs on a sensor, and the conversion of the
/// green to 555 nm.
fn ci_bands<'a>(rrs: &Reflectances<'a>) -> Result<([&'a [f32]; 3], &'static coef::GreenTo555)> {
    let [b, g, r] = ci_wavelengths(rrs.sensor)?;
    Ok(([rrs.band(b, "chl_ci")?, rrs.band(g, "chl_ci")?, rrs.band(r, "chl_ci")?], coef::green_to_555(g)))
}

/// Hu colour-index chlorophyll-a (mg m-3).
pub fn chl_ci(rrs: &Reflectances, set: &CiSet) -> Result<Vec<f32>> {
    let (bands, conv) = ci_bands(rrs)?;
    let a = set.a;
    Ok(map_pixels_vec(
        bands,
        rrs.len(),
        #[inline(always)]
        move |[b, g, r]| ci_pixel(b, g, r, conv, &a),
    ))
}

fn check_thresholds([t1, t2]: [f64; 2]) -> Result<()> {
    if !(t1.is_finite() && t2.is_finite() && 0.0 < t1 && t1 < t2) {
        return Err(Error::InvalidParameter { name: "thresholds".into(), reason: format!("need 0 < t1 < t2, got t1={t1}, t2={t2}") });
    }
    Ok(())
}

/// OCI: CI below t1, OCx above t2, linear blend between (mg m-3); where the
/// CI cannot be formed (blue or green <= 0), OCx, as l2gen (`ci_pixel_for_blend`).
/// Two passes (OCx, then CI and the blend): one pass over all eight band
/// streams does not vectorise.
pub fn chl_oci(rrs: &Reflectances, ocx: &OcxSet, ci: &CiSet, thresholds: Option<[f64; 2]>) -> Result<Vec<f32>> {
    let [t1, t2] = thresholds.unwrap_or(ci.blend);
    check_thresholds([t1, t2])?;
    let ocx_values = chl_ocx(rrs, ocx)?;
    let ([b, g, r], conv) = ci_bands(rrs)?;
    let a = ci.a;
    Ok(map_pixels_vec(
        [b, g, r, &ocx_values],
        rrs.len(),
        #[inline(always)]
        move |[b, g, r, o]| oci_blend(ci_pixel_for_blend(b, g, r, conv, &a), o, t1, t2),
    ))
}

/// The blue and green bands a KD2 set reads on a sensor: the first of the
/// bands it is published for that the sensor has.
pub fn kd2_wavelengths(s: &Sensor, set: &Kd2Set) -> Result<[u16; 2]> {
    let pick = |options: &[u16]| -> Result<u16> {
        options.iter().copied().find(|&nm| s.band(nm).is_ok()).ok_or_else(|| Error::Unsupported {
            algorithm: format!("kd490 ({})", set.name),
            reason: format!("{} has none of the bands {} this set is published for", s.name, join(options)),
        })
    };
    Ok([pick(set.blue)?, pick(set.green)?])
}

/// KD2 Kd(490) (m-1).
pub fn kd490(rrs: &Reflectances, set: &Kd2Set) -> Result<Vec<f32>> {
    let [b, g] = kd2_wavelengths(rrs.sensor, set)?;
    let algorithm = format!("kd490 ({})", set.name);
    let blue = rrs.band(b, &algorithm)?;
    let green = rrs.band(g, &algorithm)?;
    let a = set.a;
    Ok(map_pixels_vec(
        [blue, green],
        rrs.len(),
        #[inline(always)]
        move |[b, g]| kd2_pixel(b, g, &a),
    ))
}

/// Kd(490) from chlorophyll (m-1).
pub fn kd490_morel(chl: &[f32], set: &MorelKdSet) -> Vec<f32> {
    let (kw, chi, e) = (set.kw, set.chi, set.e);
    map_pixels_vec(
        [chl],
        chl.len(),
        #[inline(always)]
        move |[c]| kd490_from_chl_pixel(c, kw, chi, e),
    )
}

/// KdPAR (m-1) over the first or second optical depth from Kd(490), Morel et al. 2007.
pub fn kdpar_morel(kd490: &[f32], depth: &str) -> Result<Vec<f32>> {
    let c = coef::KDPAR_MOREL2007
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(depth))
        .map(|(_, c)| *c)
        .ok_or_else(|| Error::InvalidParameter { name: "depth".into(), reason: format!("{depth:?}; choose \"first\" or \"second\" optical depth") })?;
    Ok(map_pixels_vec(
        [kd490],
        kd490.len(),
        #[inline(always)]
        move |[k]| kdpar_morel_pixel(k, &c),
    ))
}

/// The band of the Nechad algorithms: the one asked, else the sensor's red band.
pub fn nechad_wavelength(sensor: &Sensor, wavelength: Option<u16>) -> u16 {
    wavelength.unwrap_or(sensor.roles.red)
}

/// A and C of a Nechad calibration at a sensor band's centre.
pub fn nechad_node(table: &[NechadNode], sensor: &Sensor, nm: u16, algorithm: &str) -> Result<NechadNode> {
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
    let nm = nechad_wavelength(rrs.sensor, wavelength);
    let node = nechad_node(table, rrs.sensor, nm, algorithm)?;
    let band = rrs.band(nm, algorithm)?;
    Ok(map_pixels_vec(
        [band],
        rrs.len(),
        #[inline(always)]
        move |[r]| nechad_pixel(r, &node),
    ))
}

/// Nechad et al. 2010 SPM (g m-3) at one band (default: the sensor's red band).
pub fn spm_nechad(rrs: &Reflectances, wavelength: Option<u16>) -> Result<Vec<f32>> {
    nechad_product(rrs, coef::NECHAD2010_SPM, wavelength, "spm_nechad")
}

/// Nechad et al. 2009 turbidity (FNU) at one band (default: the sensor's red band).
pub fn turbidity_nechad(rrs: &Reflectances, wavelength: Option<u16>) -> Result<Vec<f32>> {
    nechad_product(rrs, coef::NECHAD2009_TURBIDITY, wavelength, "turbidity_nechad")
}

/// The red and NIR A, C of Dogliotti's blend on a sensor (`coefficients::dogliotti_red_node`).
fn dogliotti_nodes(s: &Sensor) -> Result<(NechadNode, NechadNode, &'static str)> {
    let algorithm = "turbidity_dogliotti";
    let red_centre = s.band(s.roles.red_dogliotti)?.centre_nm;
    let (red, red_source) = coef::dogliotti_red_node(red_centre).ok_or_else(|| Error::Unsupported {
        algorithm: algorithm.into(),
        reason: format!(
            "{} band {} nm is neither within {} nm of Dogliotti's 645 nm nor covered by the held Nechad 2009 nodes ({} nm)",
            s.name,
            s.roles.red_dogliotti,
            coef::DOGLIOTTI_RED_MATCH_NM,
            join(coef::NECHAD2009_TURBIDITY.iter().map(|n| n.nm))
        ),
    })?;
    let nir_centre = s.band(s.roles.nir)?.centre_nm;
    if (nir_centre - coef::DOGLIOTTI_NIR.nm).abs() > coef::DOGLIOTTI_NIR_MAX_OFFSET_NM {
        return Err(Error::Unsupported {
            algorithm: algorithm.into(),
            reason: format!(
                "{} band {} nm is more than {} nm from the published {} nm calibration",
                s.name,
                s.roles.nir,
                coef::DOGLIOTTI_NIR_MAX_OFFSET_NM,
                coef::DOGLIOTTI_NIR.nm
            ),
        });
    }
    Ok((red, coef::DOGLIOTTI_NIR, red_source))
}

/// What `turbidity_dogliotti` uses on a sensor, for the provenance.
pub fn turbidity_dogliotti_text(s: &Sensor) -> Result<String> {
    let (red, nir, red_source) = dogliotti_nodes(s)?;
    Ok(format!(
        "Dogliotti et al. 2015, Remote Sens. Environ. 156:157-168, red band {} nm (A {:.2}, C {:.4}: {red_source}) / \
NIR band {} nm (A {}, C {}), blend on rho_w(red) {:?}",
        s.roles.red_dogliotti,
        red.a,
        red.c,
        s.roles.nir,
        nir.a,
        nir.c,
        coef::DOGLIOTTI_BLEND
    ))
}

/// The red and NIR bands of the Dogliotti blend on a sensor (red: within
/// reach of a held calibration, `dogliotti_nodes`).
pub fn dogliotti_wavelengths(s: &Sensor) -> Result<[u16; 2]> {
    dogliotti_nodes(s)?;
    Ok([s.roles.red_dogliotti, s.roles.nir])
}

/// Dogliotti et al. 2015 turbidity (FNU): red/NIR switching blend, with the
/// red branch's A, C valid at the sensor's red band.
pub fn turbidity_dogliotti(rrs: &Reflectances) -> Result<Vec<f32>> {
    let algorithm = "turbidity_dogliotti";
    let (red_node, nir_node, _) = dogliotti_nodes(rrs.sensor)?;
    let [r, n] = dogliotti_wavelengths(rrs.sensor)?;
    let red = rrs.band(r, algorithm)?;
    let nir = rrs.band(n, algorithm)?;
    Ok(map_pixels_vec(
        [red, nir],
        rrs.len(),
        #[inline(always)]
        move |[r, n]| dogliotti_pixel(r, n, &red_node, &nir_node, coef::DOGLIOTTI_BLEND),
    ))
}

/// The bands OC5 reads: green, 412 and the ratio's blues.
pub fn oc5_wavelengths(bands: &Oc5Bands) -> Vec<u16> {
    [bands.green, bands.violet].into_iter().chain(bands.blues.iter().copied()).collect()
}

/// The Rrs slices OC5 reads: green, 412 and the ratio's blues.
#[allow(clippy::type_complexity)]
fn oc5_inputs<'a>(rrs: &Reflectances<'a>, bands: &Oc5Bands, algorithm: &str) -> Result<(&'a [f32], &'a [f32], Vec<&'a [f32]>)> {
    let green = rrs.band(bands.green, algorithm)?;
    let violet = rrs.band(bands.violet, algorithm)?;
    let blues = bands.blues.iter().map(|&nm| rrs.band(nm, algorithm)).collect::<Result<Vec<_>>>()?;
    Ok((green, violet, blues))
}

/// OC5 chlorophyll-a (mg m-3) by table lookup, and the per-pixel status if asked
/// (`oc5::status`). The table says which bands it reads; nLw = Rrs x the
/// file's F0 where the Rrs carry it, else the table's (`oc5::lookup_f0`).
pub fn chl_oc5(rrs: &Reflectances, table: &Oc5Table, want_status: bool) -> Result<(Vec<f32>, Option<Vec<u8>>)> {
    let (g, v, blues) = oc5_inputs(rrs, &table.bands, "chl_oc5")?;
    let (f0, _) = crate::oc5::lookup_f0(table, rrs.file_f0());
    Ok(table.lookup_with_f0(g, v, &blues, want_status, f0))
}

/// OC5 chlorophyll-a (mg m-3) by the per-pixel C1 correction (no table).
pub fn chl_oc5_per_pixel(rrs: &Reflectances, c1: &C1Model, want_status: bool) -> Result<(Vec<f32>, Option<Vec<u8>>)> {
    let (g, v, blues) = oc5_inputs(rrs, &c1.bands, "chl_oc5")?;
    let n = rrs.len();
    let max_blue: Vec<f32> =
        (0..n).map(|i| if blues.iter().any(|b| b[i].is_nan()) { f32::NAN } else { blues.iter().fold(f32::NEG_INFINITY, |a, b| a.max(b[i])) }).collect();
    let mut status = vec![0f32; if want_status { n } else { 0 }];
    let chl = map_pixels_vec([g, v, &max_blue], n, |[g, v, m]| c1.chl_pixel(g, v, m).0);
    if want_status {
        map_pixels([g, v, &max_blue], &mut status, |[g, v, m]| c1.chl_pixel(g, v, m).1 as f32);
    }
    Ok((chl, want_status.then(|| status.into_iter().map(|s| s as u8).collect())))
}

/// OC5CI: CI where chl_CI <= t1, OC5 where chl_CI >= t2, linear in chl_CI
/// between; where the CI cannot be formed, OC5 (as l2gen's OCI falls back to OCx).
pub fn chl_oc5ci(rrs: &Reflectances, table: &Oc5Table, ci: &CiSet, thresholds: Option<[f64; 2]>) -> Result<Vec<f32>> {
    let [t1, t2] = thresholds.unwrap_or(coef::OC5CI_BLEND);
    check_thresholds([t1, t2])?;
    let (bands, conv) = ci_bands(rrs)?;
    let a = ci.a;
    let ci_values = map_pixels_vec(
        bands,
        rrs.len(),
        #[inline(always)]
        move |[b, g, r]| ci_pixel_for_blend(b, g, r, conv, &a),
    );
    let (oc5, _) = chl_oc5(rrs, table, false)?;
    let mut out = vec![0f32; rrs.len()];
    map_pixels(
        [&ci_values, &oc5],
        &mut out,
        #[inline(always)]
        |[c, o]| oci_blend(c, o, t1, t2),
    );
    Ok(out)
}

/// The green (that of the sensor's default OCx set) and red bands of the
/// Gohin-like SPM inversion.
pub fn spm_gohin_wavelengths(s: &Sensor) -> Result<[u16; 2]> {
    Ok([ocx_set(s, "default")?.green, s.roles.red])
}

/// Non-algal SPM (g m-3) from the forward model, Gohin-like structure: with
/// chl given (OC5) and Case-1 CDM, invert Rrs(green) for SPM, and Rrs(red)
/// where green saturates (blend on the green saturation, `GOHIN_SPM_SWITCH`).
/// `mineral_scale`: the calibration factor (default `GOHIN_SPM_MINERAL_SCALE`).
pub fn spm_gohin(rrs: &Reflectances, chl: &[f32], mineral_scale: f64) -> Result<Vec<f32>> {
    let s = rrs.sensor;
    let algorithm = "spm_gohin";
    let [green_nm, red_nm] = spm_gohin_wavelengths(s)?;
    if chl.len() != rrs.len() {
        return Err(Error::LengthMismatch { band: green_nm, len: rrs.len(), expected: chl.len() });
    }
    let model = ForwardModel::new(&[s.band(green_nm)?.centre_nm, s.band(red_nm)?.centre_nm], mineral_scale)?;
    let green = rrs.band(green_nm, algorithm)?;
    let red = rrs.band(red_nm, algorithm)?;
    let [s_lo, s_hi] = coef::GOHIN_SPM_SWITCH;
    Ok(map_pixels_vec([green, red, chl], rrs.len(), |[g, r, c]| spm_gohin_pixel(&model, g, r, c, s_lo, s_hi)))
}

/// The bands of the switching SPM on a sensor: the default OCx green, the red
/// band and, where the sensor has it, `SPM_SWITCH_NIR_NOMINAL`; with their
/// Nechad 2010 A, C at the band centres.
pub fn spm_switching_bands(s: &Sensor) -> Result<Vec<(u16, NechadNode)>> {
    let mut nm = vec![ocx_set(s, "default")?.green, s.roles.red];
    if s.band(coef::SPM_SWITCH_NIR_NOMINAL).is_ok() {
        nm.push(coef::SPM_SWITCH_NIR_NOMINAL);
    }
    nm.into_iter().map(|b| Ok((b, nechad_node(coef::NECHAD2010_SPM, s, b, "spm_gohin (nechad-switching)")?))).collect()
}

/// The switch fractions in use, checked: 0 <= f0 < f1 < 1.
pub fn spm_switch_fractions(given: Option<[f64; 2]>) -> Result<[f64; 2]> {
    let f = given.unwrap_or(coef::SPM_SWITCH_FRACTIONS);
    if !(f[0] >= 0.0 && f[0] < f[1] && f[1] < 1.0) {
        return Err(Error::InvalidParameter { name: "switch".into(), reason: format!("need 0 <= f0 < f1 < 1 (fractions of each band's Nechad C); got {f:?}") });
    }
    Ok(f)
}

/// Non-algal SPM (g m-3), green -> red -> NIR switching Nechad 2010 SPM times
/// `scale` (`kernels::sediment::spm_switching_pixel`).
pub fn spm_gohin_switching(rrs: &Reflectances, fractions: [f64; 2], scale: f64) -> Result<Vec<f32>> {
    if !(scale.is_finite() && scale > 0.0) {
        return Err(Error::InvalidParameter { name: "calibration".into(), reason: format!("must be finite and > 0, got {scale}") });
    }
    let fractions = spm_switch_fractions(Some(fractions))?;
    let bands = spm_switching_bands(rrs.sensor)?;
    let steps = bands.len() - 1;
    let algorithm = "spm_gohin (nechad-switching)";
    let data = bands.iter().map(|(nm, _)| rrs.band(*nm, algorithm)).collect::<Result<Vec<_>>>()?;
    let last = *bands.last().expect("two or three bands");
    let nodes = [bands[0].1, bands[1].1, bands.get(2).unwrap_or(&last).1];
    let inputs = [data[0], data[1], *data.get(2).unwrap_or(&data[1])];
    Ok(map_pixels_vec(inputs, rrs.len(), move |x| spm_switching_pixel(x, &nodes, steps, fractions, scale)))
}

/// The red/NIR bands of Gons et al. 2005 (nominal nm).
pub const GONS_BANDS: [u16; 3] = [665, 709, 779];

/// Checks that a sensor has the Gons bands: an error naming the missing ones.
pub fn gons_wavelengths(s: &Sensor) -> Result<[u16; 3]> {
    let missing: Vec<u16> = GONS_BANDS.into_iter().filter(|&nm| s.band(nm).is_err()).collect();
    if !missing.is_empty() {
        return Err(Error::Unsupported {
            algorithm: "chl_eunosat".into(),
            reason: format!(
                "Gons et al. 2005 red/NIR chlorophyll needs bands 665, 709 and 779 nm; {} has no {} nm band (MERIS and OLCI have them)",
                s.name,
                join(missing)
            ),
        });
    }
    Ok(GONS_BANDS)
}

/// EUNOSAT chlorophyll (mg m-3) from OC4Me and OC5 values already computed
/// and the Gons bands of `rrs`.
pub fn chl_eunosat(rrs: &Reflectances, oc4me: &[f32], oc5: &[f32], gons: &coef::GonsConstants, t: &coef::EunosatThresholds) -> Result<Vec<f32>> {
    let [a, b, c] = gons_wavelengths(rrs.sensor)?;
    let algorithm = "chl_eunosat";
    let (r665, r709, r779) = (rrs.band(a, algorithm)?, rrs.band(b, algorithm)?, rrs.band(c, algorithm)?);
    let (g, t) = (*gons, *t);
    let gons_chl = map_pixels_vec([r665, r709, r779], rrs.len(), move |[x, y, z]| gons_pixel(x, y, z, &g));
    Ok(map_pixels_vec([oc4me, oc5, &gons_chl, r665], rrs.len(), move |[o4, o5, gn, r]| eunosat_pixel(o4, o5, gn, r, &t)))
}

/// Rrs (sr-1) of the forward model at the sensor's band centres within the
/// model's 400-700 nm, for chl (mg m-3), acdm443 (m-1, NaN = Case-1 tie) and
/// SPM (g m-3); NaN where an input is invalid (chl <= 0, acdm or SPM < 0).
pub fn forward_rrs(sensor: &Sensor, chl: &[f32], acdm: &[f32], spm: &[f32], mineral_scale: f64) -> Result<Vec<(u16, Vec<f32>)>> {
    let bands: Vec<_> =
        sensor.bands.iter().filter(|b| b.centre_nm >= crate::bio_optical::MODEL_NM[0] && b.centre_nm <= crate::bio_optical::MODEL_NM[1]).collect();
    let model = ForwardModel::new(&bands.iter().map(|b| b.centre_nm).collect::<Vec<_>>(), mineral_scale)?;
    Ok(bands
        .iter()
        .enumerate()
        .map(|(k, b)| {
            let out = map_pixels_vec([chl, acdm, spm], chl.len(), |[c, a, s]| {
                let (c, a, s) = (c as f64, a as f64, s as f64);
                if !(c > 0.0 && c.is_finite() && s >= 0.0 && s.is_finite() && (a.is_nan() || (a >= 0.0 && a.is_finite()))) {
                    return f32::NAN;
                }
                let a = if a.is_nan() { model.case1_cdm(c) } else { a };
                model.rrs_band(k, model.chl_optics(k, c), a, s) as f32
            });
            (b.nominal, out)
        })
        .collect())
}
