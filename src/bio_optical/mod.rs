//! A semi-analytical reflectance model Rrs(lambda; chl, acdm443, SPM) at band
//! centres: the one forward model behind the open OC5 tables and the Gohin-like
//! non-algal SPM (oc5-open-table.md s1). Every constant names its source and
//! the confidence label of the science notes (exact / derived / uncertain).
//!
//! a  = aw + aph(chl) + acdm443 e^(-S (lambda-443)) + k SPM a*_NAP(443) e^(-S_NAP (lambda-443))
//! bb = bbw + bbp_phyto(chl) + k SPM bb*_min(555) (555/lambda)^gamma
//! u = bb/(a+bb); rrs = g0 u + g1 u^2 (Gordon et al. 1988); Rrs = 0.52 rrs/(1 - 1.7 rrs) (Lee et al. 2002)
//!
//! k is the mineral calibration factor (`mineral_scale`, 1 = Babin et al.
//! 2003 constants as published); it scales a*_NAP and bb*_min together, so it
//! changes how many grams a reflectance means but not any spectral shape.

pub mod tables;

use crate::compute::fastmath::{exp10, ln, log10, powf};
use crate::error::{Error, Result};
use tables::{BRICAUD_1998, POPE_FRY_1997_AW};

/// Seawater backscattering bbw = 0.5 x 0.00288 (lambda/500)^-4.32 (m-1):
/// Morel 1974 seawater scattering, half of it backward (derived; gives
/// 0.00244 at 443 nm against NASA's Zhang-2009-based 0.002436).
pub const BW500: f64 = 0.00288;
pub const BW_EXPONENT: f64 = -4.32;
/// CDOM + detritus absorption slope S (nm-1): Babin et al. 2003a
/// (J. Geophys. Res. 108:3211) mean S_CDOM (uncertain: not re-read).
pub const S_CDM: f64 = 0.0176;
/// Mineral mass-specific absorption a*_NAP(443) (m2 g-1) and its slope
/// S_NAP (nm-1): Babin et al. 2003a, as quoted in the ECOMAMA-MORS
/// configuration (derived/uncertain: other public codes use 0.031-0.035).
pub const A_NAP_443: f64 = 0.041;
pub const S_NAP: f64 = 0.0123;
/// Mineral mass-specific backscattering at 555 nm (m2 g-1): b*_p(555) = 0.5
/// (Babin et al. 2003b, L&O 48:843, Case-2 mean; exact) times a backscattering
/// ratio 0.0183 (Petzold average particle, Mobley 1994; uncertain).
pub const BB_MIN_555: f64 = 0.5 * 0.0183;
/// Spectral exponent of mineral backscattering (uncertain: flick nap.hpp
/// citing Babin 2003b, which reports the spectral variation as small).
pub const GAMMA_MIN: f64 = 0.5;
/// Gordon et al. 1988 rrs(u) coefficients (exact).
pub const GORDON_G0: f64 = 0.0949;
pub const GORDON_G1: f64 = 0.0794;
/// Lee et al. 2002 above/below-surface conversion Rrs = 0.52 rrs/(1 - 1.7 rrs) (exact).
pub const LEE_T: f64 = 0.52;
pub const LEE_Q: f64 = 1.7;
/// Case-1 CDM tie "MM01": acdm443 = [ap(443) - aph(443)] + 0.2 ap(443), the
/// Bricaud-1998 non-algal particulate part plus yellow substance at 20% of
/// particulate absorption (Prieur & Sathyendranath 1981 ratio as used by
/// Morel 1988; the 0.2 is uncertain, from memory).
pub const CASE1_YS_FRACTION: f64 = 0.2;
/// Wavelength range of the held spectral tables (nm): Bricaud 1998 400-700.
pub const MODEL_NM: [f64; 2] = [400.0, 700.0];

/// A short description of the model for table metadata.
pub const MODEL_DESCRIPTION: &str = "Rrs = 0.52 rrs/(1-1.7 rrs) (Lee et al. 2002), rrs = 0.0949u + 0.0794u^2, \
u = bb/(a+bb) (Gordon et al. 1988); aw Pope & Fry 1997; bbw 0.5*0.00288*(lambda/500)^-4.32 (Morel 1974); \
aph = A chl^E (Bricaud et al. 1998, NASA GIOP table); acdm443 exp(-0.0176 (lambda-443)); mineral \
a*_NAP(443) = 0.041 m2 g-1, S_NAP = 0.0123 (Babin et al. 2003a), bb*_min(555) = 0.5 x 0.0183 m2 g-1 \
(555/lambda)^0.5 (Babin et al. 2003b, Petzold ratio), both times the mineral calibration factor; \
bbp_phyto Morel & Maritorena 2001; Case-1 tie acdm443 = ap443 - aph443 + 0.2 ap443 (Bricaud 1998)";

/// Linear interpolation in a table sorted by wavelength; None outside it.
fn interp<const N: usize>(rows: impl Iterator<Item = (f64, [f64; N])> + Clone, nm: f64) -> Option<[f64; N]> {
    let mut prev: Option<(f64, [f64; N])> = None;
    for (x, y) in rows {
        if (x - nm).abs() < 1e-9 {
            return Some(y);
        }
        if x > nm {
            let (x0, y0) = prev?;
            let w = (nm - x0) / (x - x0);
            return Some(std::array::from_fn(|i| y0[i] + w * (y[i] - y0[i])));
        }
        prev = Some((x, y));
    }
    None
}

/// Pope & Fry 1997 aw (m-1), linear between the 2.5 nm nodes.
pub fn aw(nm: f64) -> Option<f64> {
    interp(POPE_FRY_1997_AW.iter().map(|&(x, a)| (x, [a])), nm).map(|v| v[0])
}

/// Bricaud et al. 1998 [A_p, E_p, A_phi, E_phi], linear between the 2 nm nodes.
pub fn bricaud(nm: f64) -> Option<[f64; 4]> {
    interp(BRICAUD_1998.iter().map(|&(x, a, b, c, d)| (x, [a, b, c, d])), nm)
}

pub fn bbw(nm: f64) -> f64 {
    0.5 * BW500 * (nm / 500.0).powf(BW_EXPONENT)
}

/// Phytoplankton backscattering, Morel & Maritorena 2001 (J. Geophys. Res.
/// 106:7163) eqs. 13-14: bbp = 0.416 chl^0.766 [0.002 + 0.01 (0.5 - 0.25 log10 chl)
/// (lambda/550)^v], v = 0.5 (log10 chl - 0.3) for chl < 2, else 0. Uncertain:
/// whether the ratio multiplies bp(550) or bp(lambda) was not verified; bp(550)
/// as in the design study.
#[inline(always)]
fn bbp_phyto(chl: f64, lchl: f64, nm_ratio_550: f64) -> f64 {
    let v = if chl < 2.0 { 0.5 * (lchl - 0.3) } else { 0.0 };
    let bbt = 0.002 + 0.01 * (0.5 - 0.25 * lchl).max(0.0) * powf(nm_ratio_550, v);
    0.416 * powf(chl, 0.766) * bbt
}

/// Rrs from u = bb/(a+bb): Gordon 1988 then Lee 2002.
#[inline(always)]
pub fn rrs_from_u(u: f64) -> f64 {
    let r = GORDON_G0 * u + GORDON_G1 * u * u;
    LEE_T * r / (1.0 - LEE_Q * r)
}

/// u from Rrs: the inverse of `rrs_from_u` (Lee 2002 then the Gordon quadratic).
#[inline(always)]
pub fn u_from_rrs(rrs: f64) -> f64 {
    let r = rrs / (LEE_T + LEE_Q * rrs);
    (-GORDON_G0 + (GORDON_G0 * GORDON_G0 + 4.0 * GORDON_G1 * r).sqrt()) / (2.0 * GORDON_G1)
}

/// The chl-independent optics of one band.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BandOptics {
    pub nm: f64,
    pub aw: f64,
    pub bbw: f64,
    pub a_phi: f64,
    pub e_phi: f64,
    /// e^(-S (lambda-443)): CDM absorption per unit acdm443.
    pub cdm: f64,
    /// Mineral absorption per g m-3 (m-1), calibration factor included.
    pub a_min: f64,
    /// Mineral backscattering per g m-3 (m-1), calibration factor included.
    pub bb_min: f64,
}

/// Absorption and backscattering of one band at a given chl with no CDM and
/// no minerals; the model is linear in acdm443 and SPM from there.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ChlOptics {
    pub a: f64,
    pub bb: f64,
}

/// The forward model at a list of band centres.
#[derive(Debug, Clone, PartialEq)]
pub struct ForwardModel {
    pub bands: Vec<BandOptics>,
    /// Bricaud 1998 [A_p, E_p, A_phi, E_phi] at 443 nm, for the Case-1 tie.
    b443: [f64; 4],
    pub mineral_scale: f64,
}

impl ForwardModel {
    /// The model at band centres `nm` (400-700 nm) with mineral calibration
    /// factor `mineral_scale` (> 0).
    pub fn new(nm: &[f64], mineral_scale: f64) -> Result<Self> {
        if !(mineral_scale.is_finite() && mineral_scale > 0.0) {
            return Err(Error::InvalidParameter { name: "mineral_scale".into(), reason: format!("must be finite and > 0, got {mineral_scale}") });
        }
        let bands = nm
            .iter()
            .map(|&l| {
                let (Some(aw), Some(b)) = (aw(l), bricaud(l)) else {
                    return Err(Error::Unsupported {
                        algorithm: "bio-optical model".into(),
                        reason: format!(
                            "band centre {l} nm is outside the {}-{} nm range of the held Pope & Fry 1997 \
                             and Bricaud et al. 1998 tables",
                            MODEL_NM[0], MODEL_NM[1]
                        ),
                    });
                };
                Ok(BandOptics {
                    nm: l,
                    aw,
                    bbw: bbw(l),
                    a_phi: b[2],
                    e_phi: b[3],
                    cdm: (-S_CDM * (l - 443.0)).exp(),
                    a_min: mineral_scale * A_NAP_443 * (-S_NAP * (l - 443.0)).exp(),
                    bb_min: mineral_scale * BB_MIN_555 * (555.0 / l).powf(GAMMA_MIN),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Self { bands, b443: bricaud(443.0).expect("443 nm is in the table"), mineral_scale })
    }

    /// Case-1 CDM (acdm443, m-1) tied to chl (the "MM01" tie above).
    #[inline(always)]
    pub fn case1_cdm(&self, chl: f64) -> f64 {
        let [ap, ep, aphi, ephi] = self.b443;
        let ap443 = ap * powf(chl, ep);
        ap443 - aphi * powf(chl, ephi) + CASE1_YS_FRACTION * ap443
    }

    /// Absorption and backscattering of band `k` from water and phytoplankton.
    #[inline(always)]
    pub fn chl_optics(&self, k: usize, chl: f64) -> ChlOptics {
        let b = &self.bands[k];
        let lchl = log10(chl);
        ChlOptics { a: b.aw + b.a_phi * exp10(b.e_phi * lchl), bb: b.bbw + bbp_phyto(chl, lchl, b.nm / 550.0) }
    }

    /// Rrs (sr-1) of band `k` given its chl optics, acdm443 and SPM.
    #[inline(always)]
    pub fn rrs_band(&self, k: usize, c: ChlOptics, acdm: f64, spm: f64) -> f64 {
        let b = &self.bands[k];
        let a = c.a + acdm * b.cdm + spm * b.a_min;
        let bb = c.bb + spm * b.bb_min;
        rrs_from_u(bb / (a + bb))
    }

    /// Rrs (sr-1) of every band; chl > 0, acdm >= 0, spm >= 0.
    pub fn rrs(&self, chl: f64, acdm: f64, spm: f64, out: &mut [f64]) {
        for (k, o) in out.iter_mut().enumerate().take(self.bands.len()) {
            *o = self.rrs_band(k, self.chl_optics(k, chl), acdm, spm);
        }
    }

    /// Rrs and d ln Rrs / d(acdm, spm) of band `k` (for the C1 fit).
    #[inline(always)]
    pub fn ln_rrs_and_gradient(&self, k: usize, c: ChlOptics, acdm: f64, spm: f64) -> (f64, [f64; 2]) {
        let b = &self.bands[k];
        let a = c.a + acdm * b.cdm + spm * b.a_min;
        let bb = c.bb + spm * b.bb_min;
        let s = a + bb;
        let u = bb / s;
        let r = GORDON_G0 * u + GORDON_G1 * u * u;
        let den = 1.0 - LEE_Q * r;
        let rrs = LEE_T * r / den;
        // d ln Rrs/du = (dr/du) [1/r + 1.7/den].
        let dlnu = (GORDON_G0 + 2.0 * GORDON_G1 * u) * (1.0 / r + LEE_Q / den);
        let du_da = -bb / (s * s);
        let du_dbb = a / (s * s);
        (ln(rrs), [dlnu * du_da * b.cdm, dlnu * (du_da * b.a_min + du_dbb * b.bb_min)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn band_constants_match_the_design_study_for_meris() {
        // oc5-open-table.md s1, MERIS/OLCI 412.5/442.5/490/510/560.
        let nm = [412.5, 442.5, 490.0, 510.0, 560.0];
        let want_aw = [0.00452, 0.00696, 0.0150, 0.0325, 0.0619];
        let want_bbw = [0.00331, 0.00244, 0.00157, 0.00132, 0.00088];
        let want_a = [0.0299, 0.0373, 0.0254, 0.0162, 0.00568];
        let want_e = [0.680, 0.617, 0.607, 0.721, 0.935];
        let m = ForwardModel::new(&nm, 1.0).unwrap();
        for (k, b) in m.bands.iter().enumerate() {
            assert!((b.aw - want_aw[k]).abs() < 5e-6, "aw {}", b.nm);
            assert!((b.bbw - want_bbw[k]).abs() < 6e-6, "bbw {} {}", b.nm, b.bbw);
            assert!((b.a_phi - want_a[k]).abs() < 6e-5, "A {} {}", b.nm, b.a_phi);
            assert!((b.e_phi - want_e[k]).abs() < 6e-4, "E {} {}", b.nm, b.e_phi);
        }
    }

    #[test]
    fn plausibility_spectra_of_the_design_study() {
        // oc5-open-table.md s1.1 (MERIS bands): Rrs at 412..560 for Case-1 chl 0.1, 1, 10.
        let nm = [412.5, 442.5, 490.0, 510.0, 560.0];
        let m = ForwardModel::new(&nm, 1.0).unwrap();
        let cases: [(f64, f64, f64, [f64; 5]); 5] = [
            (0.1, f64::NAN, 0.0, [0.00986, 0.00727, 0.00475, 0.00268, 0.00121]),
            (1.0, f64::NAN, 0.0, [0.00411, 0.00389, 0.00436, 0.00373, 0.00264]),
            (10.0, f64::NAN, 0.0, [0.00213, 0.00246, 0.00375, 0.00401, 0.00466]),
            (1.0, f64::NAN, 10.0, [0.00813, 0.01080, 0.01695, 0.01947, 0.02511]),
            (1.0, 0.5, 0.0, [0.00035, 0.00049, 0.00086, 0.00104, 0.00142]),
        ];
        let mut out = [0.0; 5];
        for (chl, acdm, spm, want) in cases {
            let acdm = if acdm.is_nan() { m.case1_cdm(chl) } else { acdm };
            m.rrs(chl, acdm, spm, &mut out);
            for k in 0..5 {
                // The study prints 3 significant digits.
                assert!(((out[k] - want[k]) / want[k]).abs() < 0.012, "chl {chl} spm {spm} band {k}: {} vs {}", out[k], want[k]);
            }
        }
    }

    #[test]
    fn u_inverts_rrs_and_gradient_matches_finite_differences() {
        for u in [0.001, 0.01, 0.05, 0.2] {
            assert!((u_from_rrs(rrs_from_u(u)) - u).abs() < 1e-12);
        }
        let m = ForwardModel::new(&[412.0, 555.0], 1.0).unwrap();
        for k in 0..2 {
            let c = m.chl_optics(k, 0.7);
            let (acdm, spm) = (0.05, 2.0);
            let (l0, g) = m.ln_rrs_and_gradient(k, c, acdm, spm);
            let h = 1e-6;
            let da = (m.rrs_band(k, c, acdm + h, spm).ln() - l0) / h;
            let ds = (m.rrs_band(k, c, acdm, spm + h).ln() - l0) / h;
            assert!((da - g[0]).abs() < 1e-4 * da.abs().max(1.0), "{da} {}", g[0]);
            assert!((ds - g[1]).abs() < 1e-4 * ds.abs().max(1.0), "{ds} {}", g[1]);
        }
    }

    #[test]
    fn bands_outside_the_tables_are_refused() {
        let e = ForwardModel::new(&[865.0], 1.0).unwrap_err().to_string();
        assert!(e.contains("865"), "{e}");
    }
}
