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
/// Valid when blue and green > 0 and red is finite; NaN otherwise.
/// Clipped to [0.001, 1000] mg m-3.
#[inline(always)]
pub fn ci_pixel(blue: f32, green: f32, red: f32, conv: &GreenTo555, a: &[f64; 2]) -> f32 {
    let (b, g, r) = (blue as f64, green as f64, red as f64);
    let valid = b > 0.0 && g > 0.0 && r.is_finite() && b.is_finite() && g.is_finite();
    let g555 = green_to_555(g, conv);
    let ci = (g555 - (b + CI_BASELINE_WEIGHT * (r - b))).min(0.0);
    let chl = exp10(a[0] + a[1] * if valid { ci } else { 0.0 }).clamp(CHL_MIN, CHL_MAX);
    if valid {
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
