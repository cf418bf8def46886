//! Propagation of Rrs uncertainty (docs/uncertainty.md s4): Jacobians
//! J_b = d log10(P) / d Rrs_b of each algorithm, per pixel, and the GUM combination
//! u^2 = sum_b sum_b' J_b J_b' rho_bb' sigma_b sigma_b' (JCGM 100:2008 eq. 13; rho_bb = 1,
//! rho_bb' = rho otherwise). Exact derivatives except where an algorithm has no closed
//! form (a central finite difference, `fd_term`). numpy reference:
//! validation/uncertainty/reference.py (`jac_*`, `rrs_term`).

use std::f64::consts::LN_10;

use crate::coefficients::{GreenTo555, CI_BASELINE_WEIGHT, KD2_WATER, KD_MAX, KD_MIN};

/// u = sqrt((1 - rho) sum (J_b sigma_b)^2 + rho (sum J_b sigma_b)^2); non-finite
/// products J_b sigma_b count as 0 (a band the value does not depend on).
#[inline]
pub fn rrs_term(js: &[f64], rho: f64) -> f64 {
    let (mut sq, mut sum) = (0.0, 0.0);
    for &j in js {
        let j = if j.is_finite() { j } else { 0.0 };
        sq += j * j;
        sum += j;
    }
    ((1.0 - rho) * sq + rho * sum * sum).max(0.0).sqrt()
}

/// Same with per-band J and sigma given apart.
#[inline]
pub fn rrs_term_sigma(jac: &[f64], sigma: &[f64], rho: f64) -> f64 {
    let mut js = [0.0; 8];
    let n = jac.len().min(8);
    for i in 0..n {
        js[i] = jac[i] * sigma[i];
    }
    rrs_term(&js[..n], rho)
}

#[inline(always)]
fn poly(a: &[f64; 5], x: f64) -> f64 {
    a[0] + x * (a[1] + x * (a[2] + x * (a[3] + x * a[4])))
}

#[inline(always)]
fn dpoly(a: &[f64; 5], x: f64) -> f64 {
    a[1] + x * (2.0 * a[2] + x * (3.0 * a[3] + x * 4.0 * a[4]))
}

/// OCx (O'Reilly et al. 1998): log10 chl = P(X), X = log10(R_b*/R_g), b* = argmax blue.
/// Returns (b*, J_b*, J_g); 0 where chl is clipped to [0.001, 1000] (l2gen).
#[inline]
pub fn ocx(blues: &[f64], green: f64, a: &[f64; 5]) -> (usize, f64, f64) {
    let mut imax = 0;
    for (i, b) in blues.iter().enumerate() {
        if *b > blues[imax] {
            imax = i;
        }
    }
    let bmax = blues[imax];
    let x = (bmax / green).log10();
    let p = poly(a, x);
    let dp = if p > -3.0 && p < 3.0 { dpoly(a, x) } else { 0.0 };
    (imax, dp / (LN_10 * bmax), -dp / (LN_10 * green))
}

/// NASA conv_rrs_to_555 derivative d g555 / d g (algorithms.md s1.5): a1 g555/g below
/// sw, a2 above (identity at 555, where a1 = a2 = 1, b = 0).
#[inline]
pub fn green_to_555_slope(g: f64, c: &GreenTo555) -> f64 {
    if g < c.sw {
        let gg = if g > 0.0 { g } else { 1.0 };
        c.a1 * crate::kernels::chlorophyll::green_to_555(g, c) / gg
    } else {
        c.a2
    }
}

/// Hu et al. 2012 CI: log10 chl = a0 + a1 CI, CI = min(g555 - [b + w (r - b)], 0):
/// (J_blue, J_green, J_red); 0 where CI >= 0.
#[inline]
pub fn ci(blue: f64, green: f64, red: f64, conv: &GreenTo555, a: &[f64; 2]) -> [f64; 3] {
    let w = CI_BASELINE_WEIGHT;
    let g555 = crate::kernels::chlorophyll::green_to_555(green, conv);
    let index = g555 - (blue + w * (red - blue));
    if index.is_nan() || index >= 0.0 {
        return [0.0; 3];
    }
    let a1 = a[1];
    [-(1.0 - w) * a1, green_to_555_slope(green, conv) * a1, -w * a1]
}

/// OCI-type blend (l2gen chl_oci; OC5CI): factors (k_ci, k_x) with
/// J = k_ci J_CI + k_x J_x: 1/0 for c <= t1, 0/1 for c >= t2, otherwise
/// c (t2 - 2c + x)/((t2 - t1) chl) and x (c - t1)/((t2 - t1) chl).
#[inline]
pub fn blend(chl_ci: f64, chl_x: f64, t1: f64, t2: f64) -> (f64, f64) {
    let (c, x) = (chl_ci, chl_x);
    if c <= t1 {
        (1.0, 0.0)
    } else if c >= t2 {
        (0.0, 1.0)
    } else {
        let chl = c * (t2 - c) / (t2 - t1) + x * (c - t1) / (t2 - t1);
        (c * (t2 - 2.0 * c + x) / ((t2 - t1) * chl), x * (c - t1) / ((t2 - t1) * chl))
    }
}

/// Nechad et al. 2010: SPM = A rho/(1 - rho/C), rho = pi R: J = 1/(ln10 R (1 - rho/C)).
#[inline]
pub fn nechad(r: f64, c: f64) -> f64 {
    1.0 / (LN_10 * r * (1.0 - std::f64::consts::PI * r / c))
}

/// KD2 (NASA Kd ATBD): Kd = 0.0166 + 10^P(X), X = log10(R_b/R_g): (J_b, J_g); 0 where
/// Kd is clipped to [0.016, 6.4].
#[inline]
pub fn kd2(blue: f64, green: f64, a: &[f64; 5]) -> (f64, f64) {
    let x = (blue / green).log10();
    let e = 10f64.powf(poly(a, x));
    let kd = KD2_WATER + e;
    let k = if kd > KD_MIN && kd < KD_MAX { e * dpoly(a, x) / kd } else { 0.0 };
    (k / (LN_10 * blue), -k / (LN_10 * green))
}

/// OC5 table (trilinear, exact inside the cell the value came from): from the value T
/// and dT/di per axis (green, 412, ratio), the table's steps, F0 and the pixel's
/// green and ratio: (J_412, J_b*, J_g).
#[inline]
#[allow(clippy::too_many_arguments)]
pub fn oc5_table(t: f64, dt: [f64; 3], step: [f64; 3], f0_green: f64, f0_violet: f64, green: f64, ratio: f64) -> (f64, f64, f64) {
    let s = 1.0 / (LN_10 * t);
    let j412 = s * dt[1] * f0_violet / step[1];
    let jb = s * dt[2] / (green * step[2]);
    let jg = s * (dt[0] * f0_green / step[0] - dt[2] * ratio / (green * step[2]));
    (j412, jb, jg)
}

/// Relative step of the central finite differences (docs/uncertainty.md s4, `jac_fd`).
pub const FD_REL_STEP: f64 = 1e-3;

/// J_b R_b by central difference from the values at R_b (1 +- h):
/// (log10 P+ - log10 P-)/(2h). NaN where either value is not positive.
#[inline]
pub fn fd_scaled(p_up: f64, p_down: f64, h: f64) -> f64 {
    if p_up > 0.0 && p_down > 0.0 {
        (p_up.log10() - p_down.log10()) / (2.0 * h)
    } else {
        f64::NAN
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn central(f: impl Fn(f64) -> f64, x: f64) -> f64 {
        let h = 1e-6 * x;
        (f(x + h).log10() - f(x - h).log10()) / (2.0 * h)
    }

    #[test]
    fn closed_forms_match_finite_differences() {
        let a = [0.32814, -3.20725, 3.22969, -1.36769, -0.81739];
        let chl = |b: f64, g: f64| 10f64.powf(poly(&a, (b / g).log10()));
        let (i, jb, jg) = ocx(&[0.006, 0.008, 0.005], 0.003, &a);
        assert_eq!(i, 1);
        assert!((jb - central(|b| chl(b, 0.003), 0.008)).abs() < 1e-5 * jb.abs());
        assert!((jg - central(|g| chl(0.008, g), 0.003)).abs() < 1e-5 * jg.abs());
        let c = 0.1728;
        let spm = |r: f64| 300.0 * std::f64::consts::PI * r / (1.0 - std::f64::consts::PI * r / c);
        assert!((nechad(0.01, c) - central(spm, 0.01)).abs() < 1e-5 * nechad(0.01, c));
        let k = [-0.8515, -1.8263, 1.8714, -2.4414, -1.0690];
        let kd = |b: f64, g: f64| KD2_WATER + 10f64.powf(poly(&k, (b / g).log10()));
        let (kb, kg) = kd2(0.006, 0.004, &k);
        assert!((kb - central(|b| kd(b, 0.004), 0.006)).abs() < 1e-5 * kb.abs());
        assert!((kg - central(|g| kd(0.006, g), 0.004)).abs() < 1e-5 * kg.abs());
        // Blend: d log10 chl / d log10 c and / d log10 x against a difference of the blend.
        let (t1, t2) = (0.25, 0.35);
        let f = |c: f64, x: f64| c * (t2 - c) / (t2 - t1) + x * (c - t1) / (t2 - t1);
        let (kc, kx) = blend(0.3, 0.5, t1, t2);
        let d = 1e-7;
        let num_c = (f(0.3 * (1.0 + d), 0.5).log10() - f(0.3 * (1.0 - d), 0.5).log10()) / (2.0 * d * std::f64::consts::LOG10_E);
        let num_x = (f(0.3, 0.5 * (1.0 + d)).log10() - f(0.3, 0.5 * (1.0 - d)).log10()) / (2.0 * d * std::f64::consts::LOG10_E);
        assert!((kc - num_c).abs() < 1e-6 && (kx - num_x).abs() < 1e-6, "{kc} {num_c} {kx} {num_x}");
    }

    #[test]
    fn combination() {
        assert!((rrs_term_sigma(&[10.0, -10.0], &[0.001, 0.001], 0.0) - 2f64.sqrt() * 0.01).abs() < 1e-15);
        assert!(rrs_term_sigma(&[10.0, -10.0], &[0.001, 0.001], 1.0).abs() < 1e-15);
        assert_eq!(rrs_term(&[f64::NAN, 3.0], 0.0), 3.0);
    }
}
