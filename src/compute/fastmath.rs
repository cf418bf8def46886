//! Branch-free f64 ln and exp10 that the compiler can vectorise (libm's are
//! scalar calls). Used by the per-pixel kernels, which take f32 Rrs but do
//! their arithmetic in f64 so that results match a double-precision
//! evaluation of the published formulas to well below 1e-5.
//!
//! Method (textbook range reduction, written here):
//! - ln(x): x = m 2^e with m in [sqrt(1/2), sqrt(2)); ln m = 2 atanh(s),
//!   s = (m-1)/(m+1), |s| <= 0.1716, odd series to s^17 (error < 1e-15).
//! - 10^y: t = y log2(10) = n + f, n = round(t), |f| <= 1/2; 2^f = exp(f ln 2) by Taylor
//!   series to degree 12 (error < 1e-15); 2^n built in the exponent bits.
//!   n is rounded by adding 1.5 * 2^52 (2^23 in f32), which leaves n in the
//!   low mantissa bits: a float -> int cast (`as`) saturates and would
//!   scalarise the loop (eight compare-and-moves per AVX2 register).
//!
//! Inputs must be finite and positive for `ln`; `exp10` clamps its argument
//! to [-300, 300] (results there are clipped by every caller anyway).

const LN2: f64 = std::f64::consts::LN_2;
const LOG2_10: f64 = std::f64::consts::LOG2_10;
const LN10: f64 = std::f64::consts::LN_10;

/// Natural logarithm of a finite, positive, normal x.
#[inline(always)]
pub fn ln(x: f64) -> f64 {
    // i32 (not i64) exponent arithmetic: AVX2 converts i32 <-> f64 in vector
    // registers but has no i64 <-> f64 conversion, which would scalarise the loop.
    let bits = x.to_bits();
    let mut e = ((bits >> 52) & 0x7ff) as i32 - 1023;
    // Mantissa in [1, 2).
    let mut m = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000);
    // Move to [sqrt(1/2), sqrt(2)).
    let big = m > std::f64::consts::SQRT_2;
    m = if big { m * 0.5 } else { m };
    e += big as i32;
    let s = (m - 1.0) / (m + 1.0);
    let s2 = s * s;
    let mut series = 1.0 / 17.0;
    for k in [15.0, 13.0, 11.0, 9.0, 7.0, 5.0, 3.0, 1.0] {
        series = series * s2 + 1.0 / k;
    }
    e as f64 * LN2 + 2.0 * s * series
}

#[inline(always)]
pub fn log10(x: f64) -> f64 {
    ln(x) * (1.0 / LN10)
}

/// 10^y.
#[inline(always)]
pub fn exp10(y: f64) -> f64 {
    const ROUND: f64 = 6_755_399_441_055_744.0; // 1.5 * 2^52
    let t = (y * LOG2_10).clamp(-1000.0, 1000.0);
    let shifted = t + ROUND;
    let n = shifted - ROUND;
    let r = (t - n) * LN2;
    // Taylor series of e^r, |r| <= 0.347.
    let mut p = 1.0 / 479_001_600.0; // 1/12!
    p = p * r + 1.0 / 39_916_800.0;
    p = p * r + 1.0 / 3_628_800.0;
    p = p * r + 1.0 / 362_880.0;
    p = p * r + 1.0 / 40_320.0;
    p = p * r + 1.0 / 5_040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r + 1.0;
    // 2^n, n in [-1000, 1000]: a normal f64.
    let n = shifted.to_bits().wrapping_sub(ROUND.to_bits());
    p * f64::from_bits(n.wrapping_add(1023) << 52)
}

/// x^p for finite positive x.
#[inline(always)]
pub fn powf(x: f64, p: f64) -> f64 {
    exp10(p * log10(x))
}

/// Horner evaluation of a0 + a1 x + ... + a4 x^4.
#[inline(always)]
pub fn poly4(a: &[f64; 5], x: f64) -> f64 {
    a[0] + x * (a[1] + x * (a[2] + x * (a[3] + x * a[4])))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ln_matches_std_over_the_range_rrs_ratios_live_in() {
        let mut x = 1e-12_f64;
        while x < 1e12 {
            let rel = (ln(x) - x.ln()).abs() / x.ln().abs().max(1e-300);
            let abs = (ln(x) - x.ln()).abs();
            assert!(abs < 1e-13 || rel < 1e-13, "x={x} ln={} std={}", ln(x), x.ln());
            x *= 1.0137;
        }
    }

    #[test]
    fn exp10_matches_std() {
        let mut y = -300.0_f64;
        while y < 300.0 {
            let want = 10f64.powf(y);
            assert!(((exp10(y) - want) / want).abs() < 1e-13 * (1.0 + y.abs()), "y={y}");
            y += 0.0713;
        }
        assert!(exp10(-1e9) >= 0.0 && exp10(1e9).is_finite());
    }
}

/// f32 forms of `ln`, `exp10` and `poly4`, eight lanes per AVX2 register
/// instead of four, for the hottest kernel (OCx). Same method; the shorter
/// series (s^11 and degree 7) are exact to f32 rounding. End-to-end OCx error
/// stays below 3e-6 relative (tests/python/test_algorithms.py checks 1e-5).
pub mod f32x {
    const LN2: f32 = std::f32::consts::LN_2;
    const LOG2_10: f32 = std::f32::consts::LOG2_10;

    /// Natural logarithm of a finite, positive, normal x.
    #[inline(always)]
    pub fn ln(x: f32) -> f32 {
        let bits = x.to_bits();
        let mut e = ((bits >> 23) & 0xff) as i32 - 127;
        let mut m = f32::from_bits((bits & 0x007f_ffff) | 0x3f80_0000);
        let big = m > std::f32::consts::SQRT_2;
        m = if big { m * 0.5 } else { m };
        e += big as i32;
        let s = (m - 1.0) / (m + 1.0);
        let s2 = s * s;
        let mut series = 1.0 / 11.0;
        for k in [9.0f32, 7.0, 5.0, 3.0, 1.0] {
            series = series * s2 + 1.0 / k;
        }
        e as f32 * LN2 + 2.0 * s * series
    }

    #[inline(always)]
    pub fn log10(x: f32) -> f32 {
        ln(x) * std::f32::consts::LOG10_E
    }

    /// 10^y for y in [-37, 37] (clamped).
    #[inline(always)]
    pub fn exp10(y: f32) -> f32 {
        const ROUND: f32 = 12_582_912.0; // 1.5 * 2^23, see exp10 above
        let t = (y * LOG2_10).clamp(-125.0, 125.0);
        let shifted = t + ROUND;
        let n = shifted - ROUND;
        let r = (t - n) * LN2;
        let mut p = 1.0 / 5040.0f32;
        for c in [1.0 / 720.0f32, 1.0 / 120.0, 1.0 / 24.0, 1.0 / 6.0, 0.5, 1.0, 1.0] {
            p = p * r + c;
        }
        let n = shifted.to_bits().wrapping_sub(ROUND.to_bits());
        p * f32::from_bits(n.wrapping_add(127) << 23)
    }

    #[inline(always)]
    pub fn poly4(a: &[f32; 5], x: f32) -> f32 {
        a[0] + x * (a[1] + x * (a[2] + x * (a[3] + x * a[4])))
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn f32_forms_match_std() {
            let mut x = 1e-6f32;
            while x < 1e6 {
                assert!((super::ln(x) - x.ln()).abs() <= 2e-7 * x.ln().abs().max(1.0), "ln {x}");
                x *= 1.0173;
            }
            let mut y = -30.0f32;
            while y < 30.0 {
                let want = 10f64.powf(y as f64);
                assert!(((super::exp10(y) as f64 - want) / want).abs() < 2e-6 * (1.0 + y.abs() as f64), "exp10 {y}");
                y += 0.0137;
            }
        }
    }
}
