//! Suspended matter and turbidity per pixel from one red/NIR band:
//! the Nechad semi-empirical form and the Dogliotti 2015 red/NIR blend; and
//! the Gohin-like non-algal SPM inverted from the bio-optical forward model,
//! and the green -> red -> NIR switching Nechad SPM (issue 14).

use crate::bio_optical::{u_from_rrs, ForwardModel};
use crate::coefficients::NechadNode;

/// Water reflectance rho_w = pi Rrs.
#[inline(always)]
pub fn rho_w(rrs: f64) -> f64 {
    std::f64::consts::PI * rrs
}

/// Nechad form: A rho_w / (1 - rho_w / C), with rho_w = pi Rrs (Nechad et al.
/// 2010 eq. 8 with B = 0). NaN for non-finite or negative Rrs and where
/// rho_w >= C (the formula's singularity: saturated signal).
#[inline(always)]
pub fn nechad_pixel(rrs: f32, node: &NechadNode) -> f32 {
    let rho = rho_w(rrs as f64);
    let valid = rho >= 0.0 && rho < node.c;
    let v = node.a * rho / (1.0 - rho / node.c);
    if valid {
        v as f32
    } else {
        f32::NAN
    }
}

/// Dogliotti et al. 2015 turbidity (FNU): the red-band value where
/// rho_w(red) < lo, the NIR-band value where rho_w(red) >= hi, and a linear
/// blend with weight (rho_w(red) - lo)/(hi - lo) in between. NaN where the
/// red Rrs, which chooses the branch, is not finite (an infinite red is no
/// evidence of turbid water).
#[inline(always)]
pub fn dogliotti_pixel(red: f32, nir: f32, red_node: &NechadNode, nir_node: &NechadNode, blend: [f64; 2]) -> f32 {
    if !red.is_finite() {
        return f32::NAN;
    }
    let rho_red = rho_w(red as f64);
    let t_red = nechad_pixel(red, red_node) as f64;
    let t_nir = nechad_pixel(nir, nir_node) as f64;
    let w = ((rho_red - blend[0]) / (blend[1] - blend[0])).clamp(0.0, 1.0);
    let v = if rho_red < blend[0] {
        t_red
    } else if rho_red >= blend[1] {
        t_nir
    } else {
        (1.0 - w) * t_red + w * t_nir
    };
    v as f32
}

/// Non-algal SPM (g m-3) that makes the forward model's band `k` reproduce
/// `rrs`, given chl and Case-1 CDM: the model is linear in SPM inside
/// u = bb/(a+bb), so SPM = (u a0 - (1-u) bb0) / ((1-u) bb*_min - u a*_min)
/// in closed form. 0 where the water is no brighter than its algal part;
/// +inf where the band is saturated (u above the mineral asymptote).
#[inline(always)]
fn spm_at_band(model: &ForwardModel, k: usize, rrs: f64, chl: f64) -> f64 {
    let u = u_from_rrs(rrs);
    let c = model.chl_optics(k, chl);
    let b = &model.bands[k];
    let a0 = c.a + model.case1_cdm(chl) * b.cdm;
    let num = u * a0 - (1.0 - u) * c.bb;
    let den = (1.0 - u) * b.bb_min - u * b.a_min;
    if num <= 0.0 {
        0.0
    } else if den <= 0.0 {
        f64::INFINITY
    } else {
        num / den
    }
}

/// Gohin-like non-algal SPM from green (model band 0) and red (band 1) Rrs
/// and chl: green alone while its saturation s = u/u_inf is below `s_lo`, red
/// alone above `s_hi`, linear in s between. NaN for invalid input (non-finite,
/// negative Rrs, chl <= 0) or a saturated band in use.
#[inline(always)]
pub fn spm_gohin_pixel(model: &ForwardModel, green: f32, red: f32, chl: f32, s_lo: f64, s_hi: f64) -> f32 {
    let (g, r, c) = (green as f64, red as f64, chl as f64);
    if !(g.is_finite() && r.is_finite() && c.is_finite() && g >= 0.0 && r >= 0.0 && c > 0.0) {
        return f32::NAN;
    }
    let b = &model.bands[0];
    let saturation = u_from_rrs(g) * (b.a_min + b.bb_min) / b.bb_min;
    let w = ((saturation - s_lo) / (s_hi - s_lo)).clamp(0.0, 1.0);
    let s_green = if w < 1.0 { spm_at_band(model, 0, g, c) } else { 0.0 };
    let s_red = if w > 0.0 { spm_at_band(model, 1, r, c) } else { 0.0 };
    let v = (1.0 - w) * s_green + w * s_red;
    if v.is_finite() {
        v as f32
    } else {
        f32::NAN
    }
}

/// Green -> red -> NIR switching Nechad 2010 SPM (g m-3, times `scale`), in the
/// manner of Novoa et al. 2017 (Remote Sens. 9:61): start from the first band's
/// Nechad SPM; at each next band, blend linearly from the current value to that
/// band's value with weight w = (rho_w(previous band)/C(previous band) - f0)/(f1 - f0)
/// clamped to [0, 1] (the previous band stops being trusted as it nears its
/// saturation C). `steps`: how many switches (1: green -> red; 2: also red ->
/// NIR). NaN where a band in use is invalid or saturated.
#[inline(always)]
pub fn spm_switching_pixel(rrs: [f32; 3], nodes: &[NechadNode; 3], steps: usize, fractions: [f64; 2], scale: f64) -> f32 {
    let mut out = nechad_pixel(rrs[0], &nodes[0]) as f64;
    for i in 0..steps {
        let w = (rho_w(rrs[i] as f64) / nodes[i].c - fractions[0]) / (fractions[1] - fractions[0]);
        if w.is_nan() {
            return f32::NAN;
        }
        if w <= 0.0 {
            continue;
        }
        let next = nechad_pixel(rrs[i + 1], &nodes[i + 1]) as f64;
        out = if w >= 1.0 { next } else { (1.0 - w) * out + w * next };
    }
    (scale * out) as f32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coefficients::NechadNode;

    const N: [NechadNode; 3] =
        [NechadNode { nm: 560.0, a: 104.20, c: 0.1449 }, NechadNode { nm: 665.0, a: 355.85, c: 0.1728 }, NechadNode { nm: 710.0, a: 561.94, c: 0.1892 }];

    #[test]
    fn switching_uses_each_band_in_its_range_and_blends_between() {
        let f = [0.03, 0.08];
        let rrs = |rho: [f64; 3]| rho.map(|r| (r / std::f64::consts::PI) as f32);
        // Green well below 0.03 C: green alone.
        let x = rrs([0.002, 0.001, 0.0005]);
        assert_eq!(spm_switching_pixel(x, &N, 2, f, 1.0), nechad_pixel(x[0], &N[0]));
        // Green past 0.08 C, red below 0.03 C: red alone.
        let x = rrs([0.02, 0.004, 0.002]);
        assert!((spm_switching_pixel(x, &N, 2, f, 2.0) - 2.0 * nechad_pixel(x[1], &N[1])).abs() < 1e-4);
        // Both past: NIR; one step only: red.
        let x = rrs([0.06, 0.05, 0.03]);
        assert!((spm_switching_pixel(x, &N, 2, f, 1.0) - nechad_pixel(x[2], &N[2])).abs() < 1e-3);
        assert!((spm_switching_pixel(x, &N, 1, f, 1.0) - nechad_pixel(x[1], &N[1])).abs() < 1e-3);
        // Half way through the green -> red blend (w = 0.5 at 0.055 C).
        let x = rrs([0.055 * 0.1449, 0.001, 0.0005]);
        let want = 0.5 * (nechad_pixel(x[0], &N[0]) + nechad_pixel(x[1], &N[1]));
        assert!((spm_switching_pixel(x, &N, 2, f, 1.0) - want).abs() < 1e-4);
        assert!(spm_switching_pixel([f32::NAN, 0.001, 0.001], &N, 2, f, 1.0).is_nan());
    }
}
