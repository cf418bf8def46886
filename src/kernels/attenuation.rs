//! Diffuse attenuation per pixel: KD2 Kd(490) from a blue/green Rrs ratio,
//! Morel Kd(490) from chlorophyll, and Morel 2007 KdPAR from Kd(490).

use crate::coefficients::{KD2_WATER, KD_MAX, KD_MIN};
use crate::compute::fastmath::{exp10, log10, poly4, powf};

/// KD2: Kd490 = 0.0166 + 10^poly(log10(blue/green)) (NASA Kd ATBD), clipped to
/// [0.016, 6.4] m-1 as l2gen does. NaN unless blue and green are finite and > 0.
#[inline(always)]
pub fn kd2_pixel(blue: f32, green: f32, a: &[f64; 5]) -> f32 {
    let (b, g) = (blue as f64, green as f64);
    let valid = b > 0.0 && g > 0.0 && b.is_finite() && g.is_finite();
    let x = log10(if valid { b / g } else { 1.0 });
    let kd = (KD2_WATER + exp10(poly4(a, x))).clamp(KD_MIN, KD_MAX);
    if valid {
        kd as f32
    } else {
        f32::NAN
    }
}

/// Kd490 = Kw + chi chl^e (Morel). NaN unless chl is finite and > 0.
#[inline(always)]
pub fn kd490_from_chl_pixel(chl: f32, kw: f64, chi: f64, e: f64) -> f32 {
    let c = chl as f64;
    let valid = c > 0.0 && c.is_finite();
    let kd = kw + chi * powf(if valid { c } else { 1.0 }, e);
    if valid {
        kd as f32
    } else {
        f32::NAN
    }
}

/// KdPAR = c0 + c1 Kd490 + c2 / Kd490 (Morel et al. 2007, Remote Sens.
/// Environ. 111:69-88, eqs. 9-10). The formula's domain is a natural water's
/// Kd490: at least pure seawater's, taken as l2gen's Kd490 floor `KD_MIN`
/// = 0.016 m-1 (get_Kd.c; pure water 0.0166, Morel & Maritorena 2001), so that
/// every NASA Kd_490 is in it; below it the c2/Kd490 term drives the result
/// negative (-0.04 m-1 at Kd490 = 0.01). NaN outside the domain or non-finite.
#[inline(always)]
pub fn kdpar_morel_pixel(kd490: f32, c: &[f64; 3]) -> f32 {
    let k = kd490 as f64;
    let valid = k >= KD_MIN && k.is_finite();
    let v = c[0] + c[1] * k + c[2] / if valid { k } else { 1.0 };
    if valid {
        v as f32
    } else {
        f32::NAN
    }
}
