//! Chlorophyll-a per pixel: OCx maximum band ratio, Hu colour index, OCI blend.
//! Formulas and guards follow NASA ocssw src/l2gen/get_chl.c (chl_oc4,
//! chl_hu, chl_oci); coefficients are passed in (see `coefficients.rs`).

use crate::coefficients::{GreenTo555, CHL_MAX, CHL_MIN, CI_BASELINE_WEIGHT, OCX_MAX_RATIO, OCX_MIN_RATIO};
use crate::compute::fastmath::{exp10, f32x, log10};

/// OCx: chl = 10^poly(log10(max(blues)/green)), mg m-3.
///
/// Up to four blue bands; pass the last one again to fill unused slots.
/// Valid when every input is finite, green > 0, the last blue > 0, the
/// smallest blue > -0.001 and 0.21 < ratio < 30 (l2gen); NaN otherwise.
/// Clipped to [0.001, 1000] mg m-3. Computed in f32 (see `fastmath::f32x`):
/// this is the hottest kernel and f32 keeps it within 3e-6 of f64.
#[inline(always)]
pub fn ocx_pixel(blues: [f32; 4], last_blue: f32, green: f32, a: &[f32; 5]) -> f32 {
    let b = blues;
    let bmax = b[0].max(b[1]).max(b[2]).max(b[3]);
    let bmin = b[0].min(b[1]).min(b[2]).min(b[3]);
    let finite = b.iter().all(|x| x.is_finite()) && green.is_finite();
    let ratio = bmax / green;
    let valid = finite && green > 0.0 && last_blue > 0.0 && bmin > -0.001 && ratio > OCX_MIN_RATIO as f32 && ratio < OCX_MAX_RATIO as f32;
    let x = f32x::log10(if valid { ratio } else { 1.0 });
    let chl = f32x::exp10(f32x::poly4(a, x)).clamp(CHL_MIN as f32, CHL_MAX as f32);
    if valid {
        chl
    } else {
        f32::NAN
    }
}

/// NASA's empirical conversion of a green Rrs to 555 nm (conv_rrs_to_555).
#[inline(always)]
pub fn green_to_555(g: f64, c: &GreenTo555) -> f64 {
    let low = exp10(c.a1 * log10(if g > 0.0 { g } else { 1.0 }) - c.b1);
    if g < c.sw {
        low
    } else {
        c.a2 * g - c.b2
    }
}

/// Hu colour index CI = min(Rrs555 - [Rrs443 + w (Rrs670 - Rrs443)], 0) with
/// the nominal weight w = (555-443)/(670-443); chl = 10^(a0 + a1 CI).
/// Valid when the three inputs are finite and blue and green > 0; NaN
/// otherwise. Clipped to [0.001, 1000] mg m-3.
///
/// (l2gen's `chl_hu` product gives 10^a0 where blue or green <= 0, a value its
/// own comment calls not valid; as a product on its own we return NaN there.
/// The OCI blend uses `ci_pixel_for_blend`, which follows l2gen.)
#[inline(always)]
pub fn ci_pixel(blue: f32, green: f32, red: f32, conv: &GreenTo555, a: &[f64; 2]) -> f32 {
    ci_chl(blue, green, red, conv, a, false)
}

/// The CI chlorophyll l2gen's `chl_oci` blends (get_chl.c `chl_hu`): NaN
/// only where an input is missing (non-finite, l2gen's BAD_FLT); where blue
/// or green <= 0 the index cannot be formed and CI = 0, so chl = 10^a0
/// (0.373 mg m-3 for Hu 2019, 0.323 for Hu 2012), above both sets' t2: the
/// blend then returns OCx, and NaN only where OCx is invalid too.
#[inline(always)]
pub fn ci_pixel_for_blend(blue: f32, green: f32, red: f32, conv: &GreenTo555, a: &[f64; 2]) -> f32 {
    ci_chl(blue, green, red, conv, a, true)
}

#[inline(always)]
fn ci_chl(blue: f32, green: f32, red: f32, conv: &GreenTo555, a: &[f64; 2], zero_when_unformed: bool) -> f32 {
    let (b, g, r) = (blue as f64, green as f64, red as f64);
    let present = r.is_finite() && b.is_finite() && g.is_finite();
    let formed = b > 0.0 && g > 0.0;
    let g555 = green_to_555(g, conv);
    let ci = (g555 - (b + CI_BASELINE_WEIGHT * (r - b))).min(0.0);
    let chl = exp10(a[0] + a[1] * if present && formed { ci } else { 0.0 }).clamp(CHL_MIN, CHL_MAX);
    if present && (formed || zero_when_unformed) {
        chl as f32
    } else {
        f32::NAN
    }
}

/// OCI blend of a CI and an OCx value (l2gen chl_oci): CI where chl_CI <= t1,
/// OCx where chl_CI >= t2, linear in chl_CI between; NaN where the value it
/// needs is NaN.
#[inline(always)]
pub fn oci_blend(chl_ci: f32, chl_ocx: f32, t1: f64, t2: f64) -> f32 {
    let (c, o) = (chl_ci as f64, chl_ocx as f64);
    let blended = c * (t2 - c) / (t2 - t1) + o * (c - t1) / (t2 - t1);
    let v = if c <= t1 {
        c
    } else if c >= t2 {
        o
    } else {
        blended
    };
    // A NaN CI fails both comparisons and falls into the (NaN) blend; a NaN
    // OCx matters only where it is used.
    v.clamp(CHL_MIN, CHL_MAX) as f32
}

/// Gons et al. 2005 red/NIR chlorophyll (mg m-3) from rho_w = pi Rrs at 665,
/// 709 and 779 nm, as the RBINS EUNOSAT scripts code it (algorithms.md s4.7):
/// bb = 1.61 rho779 / (0.082 - 0.6 rho779),
/// chl = [(rho709/rho665)(aw709 + bb) - aw665 - bb^p] / a*.
/// NaN for non-finite input, rho665 <= 0 or bb < 0 (rho779 < 0 or past the pole).
#[inline(always)]
pub fn gons_pixel(rrs665: f32, rrs709: f32, rrs779: f32, c: &crate::coefficients::GonsConstants) -> f32 {
    use crate::coefficients::{GONS_AW665, GONS_AW709, GONS_BB};
    let pi = std::f64::consts::PI;
    let (r665, r709, r779) = (pi * rrs665 as f64, pi * rrs709 as f64, pi * rrs779 as f64);
    let bb = GONS_BB[0] * r779 / (GONS_BB[1] - GONS_BB[2] * r779);
    let chl = ((r709 / r665) * (GONS_AW709 + bb) - GONS_AW665 - bb.powf(c.p)) / c.a_star;
    if r665 > 0.0 && bb >= 0.0 && chl.is_finite() {
        chl as f32
    } else {
        f32::NAN
    }
}

/// The EUNOSAT blend (algorithms.md s1.8): Gons counts where OC4Me >= the
/// version's OC4 threshold, rho665 >= its rho threshold and Gons > GONS_MIN;
/// the value is the mean of the valid (finite) OC4Me, OC5 and Gons. NaN when
/// none is valid.
#[inline(always)]
pub fn eunosat_pixel(oc4me: f32, oc5: f32, gons: f32, rrs665: f32, t: &crate::coefficients::EunosatThresholds) -> f32 {
    let rho665 = std::f64::consts::PI * rrs665 as f64;
    let use_gons = (oc4me as f64) >= t.oc4_min && rho665 >= t.rho665_min && (gons as f64) > crate::coefficients::GONS_MIN;
    let (mut sum, mut n) = (0.0f64, 0u32);
    for (v, ok) in [(oc4me, true), (oc5, true), (gons, use_gons)] {
        if ok && v.is_finite() {
            sum += v as f64;
            n += 1;
        }
    }
    if n == 0 {
        f32::NAN
    } else {
        (sum / n as f64) as f32
    }
}
