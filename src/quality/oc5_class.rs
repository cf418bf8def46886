//! OC5 applicability class per pixel: the EUNOSAT/RBINS tests (docs/uncertainty.md s1;
//! numpy reference `validation/uncertainty/reference.py` `oc5_class`). A class never
//! removes a pixel: the user or the fusion decides.

use crate::error::{Error, Result};

/// Which tuning of the tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Oc5TestVersion {
    /// Polymer tuning: RBINS-2/RBINS-3 as transcribed in shared/science/algorithms.md s1.8.
    A,
    /// C2RCC tuning: RBINS-1 (D. Van der Zande, EUNOSAT/DCS4COP OLCI C2RCCalt script),
    /// function `apply_OC5_v2`. The default: the code that could be read.
    #[default]
    B,
}

impl Oc5TestVersion {
    pub fn from_name(name: &str) -> Result<Self> {
        match name.trim() {
            "A" | "a" => Ok(Self::A),
            "B" | "b" => Ok(Self::B),
            other => Err(Error::InvalidParameter {
                name: "version".into(),
                reason: format!("{other:?}; the OC5 applicability tests have versions \"A\" (Polymer) and \"B\" (C2RCC)"),
            }),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::A => "A",
            Self::B => "B",
        }
    }

    fn tests(self) -> &'static Tests {
        match self {
            Self::A => &VERSION_A,
            Self::B => &VERSION_B,
        }
    }
}

/// Curves and offsets of one version (docs/uncertainty.md s1 table).
struct Tests {
    /// SPM curve S(R53) = s0 + s1 R53 + s2 R53^2 against L = log10(rho560).
    spm: [f64; 3],
    spm_moderate: f64,
    spm_very_high: f64,
    /// CDOM curve C(R53) = c0 + c1 R53 + c2 R53^2 against R12 = rho412/rho443.
    cdom: [f64; 3],
    cdom_moderate: f64,
    cdom_very_high: f64,
    /// R12 above this: low CDOM (class 7); version B only.
    low_cdom: Option<f64>,
}

/// Version A: curve + k sigma, sigma = 0.239 (SPM), 0.247 (CDOM) (algorithms.md s1.8,
/// "exact as coded" from RBINS-2/RBINS-3; no low-CDOM test in that source).
const VERSION_A: Tests = Tests {
    spm: [-2.624, 0.787, -0.125],
    spm_moderate: 1.3 * 0.239,
    spm_very_high: 2.5 * 0.239,
    cdom: [1.014, -0.079, -0.123],
    cdom_moderate: 2.1 * 0.247,
    cdom_very_high: 3.2 * 0.247,
    low_cdom: None,
};

/// Version B: RBINS-1 `apply_OC5_v2` (offsets already include k sigma).
const VERSION_B: Tests = Tests {
    spm: [-2.630, 0.803, -0.131],
    spm_moderate: 0.33,
    spm_very_high: 0.60,
    cdom: [1.012, -0.070, -0.131],
    cdom_moderate: 0.54,
    cdom_very_high: 0.80,
    low_cdom: Some(1.25),
};

/// "High chl" threshold on the OC5 chl (mg m-3), both versions (algorithms.md s1.8; apply_OC5_v2).
pub const HIGH_CHL: f64 = 10.0;

/// CF `flag_values` 1..7 (RBINS's class numbers) and their `flag_meanings`; 0 = not classified (_FillValue).
pub const FLAG_VALUES: [u8; 7] = [1, 2, 3, 4, 5, 6, 7];
pub const FLAG_MEANINGS: &str = "oc5_applicable oc5_usable_larger_uncertainty very_high_spm very_high_cdom very_high_spm_and_very_high_cdom high_chl low_cdom";

/// The class of one pixel from Rrs (sr-1) at the OLCI/MERIS bands 412, 443, 490, 560
/// (other sensors band-shift first) and the OC5 chl (mg m-3; NaN disables the
/// high-chl test only). 0 where a band is non-finite or Rrs 443, 490 or 560 <= 0.
///
/// Precedence as RBINS `apply_OC5_v2` executes (later tests overwrite): high chl (6),
/// moderate SPM or CDOM (2), very high SPM (3), very high CDOM (4), both (5), low CDOM
/// (7, version B). The script's guard meant to keep high chl tests class 5 instead of
/// 6, so high chl never survives an SPM/CDOM test; reproduced as it runs.
#[inline]
pub fn oc5_class_pixel(r412: f32, r443: f32, r490: f32, r560: f32, chl_oc5: f32, v: Oc5TestVersion) -> u8 {
    let (r412, r443, r490, r560, chl) = (r412 as f64, r443 as f64, r490 as f64, r560 as f64, chl_oc5 as f64);
    let ok = r412.is_finite() && r443.is_finite() && r490.is_finite() && r560.is_finite() && r443 > 0.0 && r490 > 0.0 && r560 > 0.0;
    if !ok {
        return 0;
    }
    let t = v.tests();
    // rho = pi Rrs; pi cancels in the ratios, not inside the log (RBINS-1 passes R560 = rrs560 * pi).
    let r12 = r412 / r443;
    let r53 = r560 / r490;
    let l = (std::f64::consts::PI * r560).log10();
    let spm_curve = t.spm[0] + t.spm[1] * r53 + t.spm[2] * r53 * r53;
    let cdom_curve = t.cdom[0] + t.cdom[1] * r53 + t.cdom[2] * r53 * r53;
    let mod_spm = l > spm_curve + t.spm_moderate;
    let vh_spm = l > spm_curve + t.spm_very_high;
    let mod_cdom = r12 < cdom_curve - t.cdom_moderate;
    let vh_cdom = r12 < cdom_curve - t.cdom_very_high;
    let mut c = 1u8;
    if chl.is_finite() && chl >= HIGH_CHL {
        c = 6;
    }
    if mod_spm || mod_cdom {
        c = 2;
    }
    if vh_spm {
        c = 3;
    }
    if vh_cdom {
        c = 4;
    }
    if vh_spm && vh_cdom {
        c = 5;
    }
    if t.low_cdom.is_some_and(|x| r12 > x) {
        c = 7;
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    /// Rrs560 that puts L = log10(pi Rrs560) at `offset` above the SPM curve for R53 = r53.
    fn r560_at(v: Oc5TestVersion, r53: f64, offset: f64) -> f64 {
        let t = v.tests();
        10f64.powf(t.spm[0] + t.spm[1] * r53 + t.spm[2] * r53 * r53 + offset) / PI
    }

    #[test]
    fn threshold_spectra_version_b() {
        let v = Oc5TestVersion::B;
        // A clear spectrum: R53 = 0.5, L far below the SPM curve, R12 = 0.9 (between the CDOM curve and 1.25).
        let r490 = 0.004f64;
        let r560 = r490 * 0.5;
        assert!((r560 * PI).log10() < -2.63 + 0.803 * 0.5 - 0.131 * 0.25 + 0.33);
        let (r443, r412) = (0.01, 0.009);
        assert_eq!(oc5_class_pixel(r412 as f32, r443 as f32, r490 as f32, r560 as f32, 1.0, v), 1);
        assert_eq!(oc5_class_pixel(r412 as f32, r443 as f32, r490 as f32, r560 as f32, 10.0, v), 6);
        assert_eq!(oc5_class_pixel(r412 as f32, r443 as f32, r490 as f32, r560 as f32, f32::NAN, v), 1);
        // Just above and below the moderate and very high SPM offsets (R53 = 1.2).
        let r53 = 1.2;
        let cls = |off: f64, chl: f32| {
            let r560 = r560_at(v, r53, off);
            oc5_class_pixel(0.9 * 0.004, 0.004, (r560 / r53) as f32, r560 as f32, chl, v)
        };
        assert_eq!(cls(0.32, 1.0), 1);
        assert_eq!(cls(0.34, 1.0), 2);
        assert_eq!(cls(0.34, 20.0), 2); // moderate SPM overwrites high chl
        assert_eq!(cls(0.59, 1.0), 2);
        assert_eq!(cls(0.61, 1.0), 3);
        // CDOM: R12 below the curve minus 0.54 / 0.80 (R53 = 0.5: curve 1.012 - 0.035 - 0.03275).
        let curve = 1.012 - 0.070 * 0.5 - 0.131 * 0.25;
        let cdom = |d: f64| oc5_class_pixel(((curve - d) * 0.01) as f32, 0.01, 0.004, 0.002, 1.0, v);
        assert_eq!(cdom(0.53), 1);
        assert_eq!(cdom(0.55), 2);
        assert_eq!(cdom(0.81), 4);
        // low CDOM overwrites all
        assert_eq!(oc5_class_pixel(0.0126, 0.01, 0.004, 0.002, 20.0, v), 7);
        assert_eq!(oc5_class_pixel(0.0126, 0.01, 0.004, 0.002, 20.0, Oc5TestVersion::A), 6);
        // invalid
        assert_eq!(oc5_class_pixel(f32::NAN, 0.01, 0.004, 0.002, 1.0, v), 0);
        assert_eq!(oc5_class_pixel(0.01, 0.0, 0.004, 0.002, 1.0, v), 0);
        assert_eq!(oc5_class_pixel(-0.001, 0.01, 0.004, 0.002, 1.0, v), 4); // a negative 412 is allowed: R12 < 0, far below the CDOM curve
    }

    #[test]
    fn both_very_high() {
        let v = Oc5TestVersion::A;
        let r53 = 1.5;
        let r560 = r560_at(v, r53, 2.5 * 0.239 + 0.01);
        let curve = 1.014 - 0.079 * r53 - 0.123 * r53 * r53;
        let r443 = 0.01;
        let r412 = (curve - 3.2 * 0.247 - 0.01) * r443;
        assert_eq!(oc5_class_pixel(r412 as f32, r443 as f32, (r560 / r53) as f32, r560 as f32, 1.0, v), 5);
        assert!(Oc5TestVersion::from_name("C").is_err());
    }
}
