//! Band shifting of Rrs between sensors' bands, the QAA-based method of
//! Mélin & Sclep 2015 (Optics Express 23:2262, doi:10.1364/OE.23.002262), as
//! specified in fusion.md §2.1 (from NASA OCSSW `l2gen/bioOptBandShift.c` and
//! the CNR `bsc_qaa` code):
//!
//! 1. rrs = Rrs/(0.52 + 1.7 Rrs) (Lee et al. 2002, Appl. Opt. 41:5755);
//! 2. QAA (Lee et al. 2002; v5 and v6 updates) to IOPs at 443 nm:
//!    u = (-g0 + sqrt(g0^2 + 4 g1 rrs))/(2 g1), g0 = 0.089, g1 = 0.1245;
//!    reference band lambda0 = the green band if Rrs(670) < 0.0015, with
//!    chi = log10[(rrs443 + rrs490)/(rrs555 + 5 rrs670^2/rrs490)] and
//!    a(lambda0) = aw + 10^(-1.146 - 1.366 chi - 0.469 chi^2); else lambda0 = the
//!    red band with a(670) = aw + 0.39 (rrs670/(rrs443 + rrs490))^1.14 (QAA v6);
//!    bbp(lambda0) = u a/(1-u) - bbw; eta = 2 (1 - 1.2 exp(-0.9 rrs443/rrs555));
//!    a(lambda) = (1-u)(bbw + bbp)/u; zeta = 0.74 + 0.2/(0.8 + rrs443/rrs555);
//!    S = 0.015 + 0.002/(0.6 + rrs443/rrs555); xi = exp(S (442.5 - 415.5));
//!    adg443 = [(a412 - zeta a443) - (aw412 - zeta aw443)]/(xi - zeta);
//!    aph443 = a443 - adg443 - aw443;
//! 3. spectral models: bbp(l) = bbp(lambda0)(lambda0/l)^eta,
//!    adg(l) = adg443 e^(-S(l-443)), aph(l) = A(l) (aph443/A(443))^(E(l)/E(443))
//!    with Bricaud et al. 1998 A_phi, E_phi (aph = A chl^E);
//! 4. forward model at both bands: u = bb/(a+bb), rrs = g0 u + g1 u^2, then
//!    above water;
//! 5. Rrs(lo) = Rrs(li) Rrs_mod(lo)/Rrs_mod(li);
//! 6. (and 7.) a target within 15 nm of a band is shifted from the nearest band;
//!    otherwise from the two bands around it, averaged with inverse-distance
//!    weights (CNR code), or from the nearest band at the ends.
//!
//! Water tables: aw Pope & Fry 1997 and bbw Morel 1974 (half of the seawater
//! scattering), as in `bio_optical` (one bbw for all IOP work, fusion.md
//! §2.1), so targets must lie in 400-700 nm (the Bricaud table's range).
//! Negative aph443 or adg443 from the inversion are set to 0 before the
//! spectral models (our choice: the power law needs a non-negative base).

use rayon::prelude::*;

use crate::bio_optical::{aw, bbw, bricaud};
use crate::compute::threads;
use crate::error::{Error, Result};

/// QAA u(rrs) coefficients (QAA v5/v6; NASA and CNR use g1 = 0.1245).
const G0: f64 = 0.089;
const G1: f64 = 0.1245;
/// QAA v5 coefficients of a(lambda0) in chi.
const H: [f64; 3] = [-1.146, -1.366, -0.469];
/// Rrs(670) above which QAA v6 takes the red band as reference (sr-1).
const RED_SWITCH: f64 = 0.0015;
/// Pixels per call of `BandShift::shift_chunk_f32` at most (its scratch is on the stack).
pub const CHUNK_F32: usize = 256;

/// Most source bands `shift_chunk_f32` takes (its per-chunk buffers are fixed-size).
pub const MAX_SRC: usize = 16;
/// Targets closer than this to a band are shifted from that band alone (nm).
const SINGLE_SOURCE_NM: f64 = 15.0;

#[derive(Debug, Clone, Copy)]
struct Optics {
    /// ln of the wavelength (nm), for the bbp power law.
    ln_nm: f64,
    aw: f64,
    bbw: f64,
    a_phi: f64,
    e_phi: f64,
}

fn optics(nm: f64) -> Result<Optics> {
    match (aw(nm), bricaud(nm)) {
        (Some(a), Some(b)) => Ok(Optics { ln_nm: nm.ln(), aw: a, bbw: bbw(nm), a_phi: b[2], e_phi: b[3] }),
        _ => Err(Error::InvalidParameter {
            name: "band shift".into(),
            reason: format!("{nm} nm is outside 400-700 nm, the range of the Bricaud 1998 and Pope & Fry tables"),
        }),
    }
}

/// A target wavelength (nm), its optics and its (source index, weight) pairs.
type Target = (f64, Optics, Vec<(usize, f64)>);

/// A prepared shift from one set of band centres to another.
#[derive(Debug, Clone)]
pub struct BandShift {
    src_nm: Vec<f64>,
    src: Vec<Optics>,
    /// Source indices of the QAA roles 412, 443, 490, 555 (green), 670 (red).
    roles: [usize; 5],
    ref443: Optics,
    /// Per target: its optics and (source index, weight) pairs.
    targets: Vec<Target>,
}

impl BandShift {
    pub fn new(src_nm: &[f64], dst_nm: &[f64]) -> Result<Self> {
        let role = |lo: f64, hi: f64, name: &str| -> Result<usize> {
            src_nm
                .iter()
                .enumerate()
                .filter(|(_, &n)| n >= lo && n <= hi)
                .min_by(|a, b| (a.1 - (lo + hi) / 2.0).abs().total_cmp(&(b.1 - (lo + hi) / 2.0).abs()))
                .map(|(i, _)| i)
                .ok_or_else(|| Error::InvalidParameter {
                    name: "band shift".into(),
                    reason: format!("QAA needs a {name} band ({lo}-{hi} nm) among the source bands {src_nm:?}"),
                })
        };
        let roles =
            [role(400.0, 420.0, "412")?, role(435.0, 450.0, "443")?, role(480.0, 500.0, "490")?, role(540.0, 570.0, "green")?, role(660.0, 680.0, "red")?];
        let src = src_nm.iter().map(|&n| optics(n)).collect::<Result<Vec<_>>>()?;
        let mut targets = Vec::new();
        for &t in dst_nm {
            let o = optics(t)?;
            let dist = |i: usize| (src_nm[i] - t).abs();
            let nearest = (0..src_nm.len()).min_by(|&a, &b| dist(a).total_cmp(&dist(b))).expect("roles found, so bands exist");
            let below = (0..src_nm.len()).filter(|&i| src_nm[i] <= t).max_by(|&a, &b| src_nm[a].total_cmp(&src_nm[b]));
            let above = (0..src_nm.len()).filter(|&i| src_nm[i] >= t).min_by(|&a, &b| src_nm[a].total_cmp(&src_nm[b]));
            let plan = match (below, above) {
                _ if dist(nearest) <= SINGLE_SOURCE_NM => vec![(nearest, 1.0)],
                (Some(b), Some(a)) => {
                    let (wb, wa) = (1.0 / dist(b), 1.0 / dist(a));
                    vec![(b, wb / (wb + wa)), (a, wa / (wb + wa))]
                }
                _ => vec![(nearest, 1.0)],
            };
            targets.push((t, o, plan));
        }
        Ok(BandShift { src_nm: src_nm.to_vec(), src, roles, ref443: optics(443.0)?, targets })
    }

    /// Shifted Rrs at each target for one spectrum (NaN if the inversion fails).
    pub fn shift_pixel(&self, rrs: &[f64], out: &mut [f64]) {
        let [i412, i443, i490, i555, i670] = self.roles;
        let sub = |x: f64| x / (0.52 + 1.7 * x);
        let r = |i: usize| sub(rrs[i]);
        let u = |x: f64| (-G0 + (G0 * G0 + 4.0 * G1 * x).sqrt()) / (2.0 * G1);
        let (r412, r443, r490, r555, r670) = (r(i412), r(i443), r(i490), r(i555), r(i670));
        let valid = rrs.iter().all(|x| x.is_finite()) && r443 > 0.0 && r490 > 0.0 && r555 > 0.0 && r412.is_finite();
        if !valid {
            out.fill(f64::NAN);
            return;
        }
        // x^y as exp(y ln x) with the logs of the fixed wavelength ratios precomputed:
        // the same value, a third of the cost of powf (the shift dominates the
        // per-pixel uncertainty on sensors without the Moore bands).
        let (l0, a0) = if rrs[i670] < RED_SWITCH {
            let chi = ((r443 + r490) / (r555 + 5.0 * r670 / r490 * r670)).log10();
            (i555, self.src[i555].aw + (std::f64::consts::LN_10 * (H[0] + H[1] * chi + H[2] * chi * chi)).exp())
        } else {
            (i670, self.src[i670].aw + 0.39 * (1.14 * (r670 / (r443 + r490)).ln()).exp())
        };
        let u0 = u(r(l0));
        let bbp0 = u0 * a0 / (1.0 - u0) - self.src[l0].bbw;
        let ratio = r443 / r555;
        let eta = 2.0 * (1.0 - 1.2 * (-0.9 * ratio).exp());
        let ln_nm0 = self.src_nm[l0].ln();
        let bbp = |ln_nm: f64| bbp0 * (eta * (ln_nm0 - ln_nm)).exp();
        let a_at = |i: usize| {
            let ui = u(r(i));
            (1.0 - ui) * (self.src[i].bbw + bbp(self.src[i].ln_nm)) / ui
        };
        let (a412, a443) = (a_at(i412), a_at(i443));
        let zeta = 0.74 + 0.2 / (0.8 + ratio);
        let s = 0.015 + 0.002 / (0.6 + ratio);
        let xi = (s * (442.5 - 415.5)).exp();
        let (aw412, aw443) = (self.src[i412].aw, self.src[i443].aw);
        let adg443 = (((a412 - zeta * a443) - (aw412 - zeta * aw443)) / (xi - zeta)).max(0.0);
        let aph443 = (a443 - adg443 - aw443).max(0.0);
        let ln_aph = (aph443 / self.ref443.a_phi).ln();
        let model = |nm: f64, o: &Optics| {
            let aph = o.a_phi * (o.e_phi / self.ref443.e_phi * ln_aph).exp();
            let a = o.aw + aph + adg443 * (-s * (nm - 443.0)).exp();
            let bb = o.bbw + bbp(o.ln_nm);
            let uu = bb / (a + bb);
            let rr = G0 * uu + G1 * uu * uu;
            0.52 * rr / (1.0 - 1.7 * rr)
        };
        for (o, (t, topt, plan)) in out.iter_mut().zip(&self.targets) {
            let mt = model(*t, topt);
            *o = plan.iter().map(|&(i, w)| w * rrs[i] * mt / model(self.src_nm[i], &self.src[i])).sum();
        }
    }

    /// `shift_pixel` over a chunk of pixels in f32, one formula step at a time
    /// over the whole chunk (so each step vectorises: eight lanes under AVX2,
    /// `compute::with_avx2`), with the f32 fast logarithm and exponential of
    /// `compute::fastmath::f32x`. The same formulas; agrees with the f64 form to
    /// about 1e-5 relative (tested), ample for the water-type memberships it feeds
    /// (per-pixel uncertainty), where the f64 form cost ten times the product.
    /// `src[k]` is source band k (all the same length n <= CHUNK_F32), `out[t]`
    /// target t (length n); NaN where the inversion fails.
    #[inline(always)]
    pub fn shift_chunk_f32(&self, src: &[&[f32]], out: &mut [&mut [f32]]) {
        use crate::compute::fastmath::f32x;
        const E: f32 = std::f32::consts::LOG10_E;
        let exp = |x: f32| f32x::exp10(x * E);
        let n = src.first().map_or(0, |b| b.len());
        assert!(n <= CHUNK_F32 && src.len() <= MAX_SRC && src.iter().all(|b| b.len() == n) && out.iter().all(|o| o.len() == n));
        // Every loop runs over the whole chunk (a short chunk padded with zeros, which
        // are invalid and never written out): fixed trip counts and u32 masks are what
        // lets LLVM vectorise the steps.
        let mut x = [[0f32; CHUNK_F32]; MAX_SRC];
        for (d, b) in x.iter_mut().zip(src) {
            d[..n].copy_from_slice(b);
        }
        let x = &x[..src.len()];
        let (g0, g1) = (G0 as f32, G1 as f32);
        let u = |x: f32| (-g0 + (g0 * g0 + 4.0 * g1 * x).sqrt()) / (2.0 * g1);
        let sub = |x: f32| x / (0.52 + 1.7 * x);
        let [i412, i443, i490, i555, i670] = self.roles;
        let [r412, r443, r490, r555, r670] = [i412, i443, i490, i555, i670].map(|k| {
            let mut r = [0f32; CHUNK_F32];
            for (d, &x) in r.iter_mut().zip(&x[k]) {
                *d = sub(x);
            }
            r
        });
        // Per pixel: bbp0, eta, ln(lambda0), adg443, S, ln(aph443 / A(443)), valid.
        let mut bbp0 = [0f32; CHUNK_F32];
        let mut eta = [0f32; CHUNK_F32];
        let mut ln0 = [0f32; CHUNK_F32];
        let mut adg = [0f32; CHUNK_F32];
        let mut slope = [0f32; CHUNK_F32];
        let mut ln_aph = [0f32; CHUNK_F32];
        let mut valid = [1u32; CHUNK_F32];
        for b in x {
            for (v, x) in valid.iter_mut().zip(b.iter()) {
                *v &= (x.abs() <= f32::MAX) as u32;
            }
        }
        let o = |i: usize| self.src[i];
        let (o412, o443, o555, o670) = (o(i412), o(i443), o(i555), o(i670));
        let red_switch = RED_SWITCH as f32;
        for i in 0..CHUNK_F32 {
            valid[i] &= (r443[i] > 0.0 && r490[i] > 0.0 && r555[i] > 0.0) as u32;
            let red = x[i670][i] >= red_switch;
            let chi = f32x::log10((r443[i] + r490[i]) / (r555[i] + 5.0 * r670[i] / r490[i] * r670[i]));
            let a_green = o555.aw as f32 + f32x::exp10(H[0] as f32 + H[1] as f32 * chi + H[2] as f32 * chi * chi);
            let a_red = o670.aw as f32 + 0.39 * exp(1.14 * f32x::ln(r670[i] / (r443[i] + r490[i])));
            let (r0, a0, bbw0) = if red { (r670[i], a_red, o670.bbw as f32) } else { (r555[i], a_green, o555.bbw as f32) };
            ln0[i] = if red { o670.ln_nm } else { o555.ln_nm } as f32;
            let u0 = u(r0);
            bbp0[i] = u0 * a0 / (1.0 - u0) - bbw0;
            let ratio = r443[i] / r555[i];
            eta[i] = 2.0 * (1.0 - 1.2 * exp(-0.9 * ratio));
            let a_at = |r: f32, o: &Optics| {
                let ui = u(r);
                (1.0 - ui) * (o.bbw as f32 + bbp0[i] * exp(eta[i] * (ln0[i] - o.ln_nm as f32))) / ui
            };
            let (a412, a443) = (a_at(r412[i], &o412), a_at(r443[i], &o443));
            let zeta = 0.74 + 0.2 / (0.8 + ratio);
            slope[i] = 0.015 + 0.002 / (0.6 + ratio);
            let xi = exp(slope[i] * (442.5 - 415.5));
            let (aw412, aw443) = (o412.aw as f32, o443.aw as f32);
            adg[i] = (((a412 - zeta * a443) - (aw412 - zeta * aw443)) / (xi - zeta)).max(0.0);
            let aph443 = (a443 - adg[i] - aw443).max(f32::MIN_POSITIVE);
            ln_aph[i] = f32x::ln(aph443 / self.ref443.a_phi as f32);
        }
        let e443 = self.ref443.e_phi;
        // The forward model of one band over the chunk, into `m`.
        let model = |nm: f64, o: &Optics, m: &mut [f32; CHUNK_F32]| {
            let (aphi, ephi, aw, bbw, ln_nm) = (o.a_phi as f32, (o.e_phi / e443) as f32, o.aw as f32, o.bbw as f32, o.ln_nm as f32);
            let dnm = (nm - 443.0) as f32;
            for i in 0..CHUNK_F32 {
                let a = aw + aphi * exp(ephi * ln_aph[i]) + adg[i] * exp(-slope[i] * dnm);
                let bb = bbw + bbp0[i] * exp(eta[i] * (ln0[i] - ln_nm));
                let uu = bb / (a + bb);
                let rr = g0 * uu + g1 * uu * uu;
                m[i] = 0.52 * rr / (1.0 - 1.7 * rr);
            }
        };
        // The model at each source band a plan uses, once (targets share sources).
        let mut at_src = [[0f32; CHUNK_F32]; MAX_SRC];
        let mut done = [false; MAX_SRC];
        for (_, _, plan) in &self.targets {
            for &(k, _) in plan {
                if !std::mem::replace(&mut done[k], true) {
                    model(self.src_nm[k], &self.src[k], &mut at_src[k]);
                }
            }
        }
        let (mut mt, mut acc) = ([0f32; CHUNK_F32], [0f32; CHUNK_F32]);
        for (dst, (t, topt, plan)) in out.iter_mut().zip(&self.targets) {
            model(*t, topt, &mut mt);
            acc.fill(0.0);
            for &(k, w) in plan {
                let w = w as f32;
                for ((d, &x), (&a, &b)) in acc.iter_mut().zip(&x[k]).zip(mt.iter().zip(&at_src[k])) {
                    *d += w * x * a / b;
                }
            }
            for ((d, &a), &v) in dst.iter_mut().zip(&acc).zip(&valid) {
                *d = if v != 0 { a } else { f32::NAN };
            }
        }
    }

    /// Shifts whole bands: `rrs[k]` holds source band k for every pixel.
    pub fn shift(&self, rrs: &[&[f32]]) -> Result<Vec<Vec<f32>>> {
        if rrs.len() != self.src_nm.len() {
            return Err(Error::InvalidParameter {
                name: "rrs".into(),
                reason: format!("{} bands given for {} source wavelengths", rrs.len(), self.src_nm.len()),
            });
        }
        let n = rrs.first().map_or(0, |b| b.len());
        if let Some(b) = rrs.iter().position(|b| b.len() != n) {
            return Err(Error::InvalidParameter {
                name: "rrs".into(),
                reason: format!("band {} nm has {} pixels, the first band {n}", self.src_nm[b], rrs[b].len()),
            });
        }
        let nt = self.targets.len();
        let mut flat = vec![0f32; n * nt];
        threads::install(|| {
            flat.par_chunks_mut(nt.max(1) * 1024).enumerate().for_each(|(c, chunk)| {
                let (mut spec, mut out) = (vec![0.0; rrs.len()], vec![0.0; nt]);
                for (p, o) in chunk.chunks_mut(nt.max(1)).enumerate() {
                    let i = c * 1024 + p;
                    for (k, b) in rrs.iter().enumerate() {
                        spec[k] = b[i] as f64;
                    }
                    self.shift_pixel(&spec, &mut out);
                    for (d, v) in o.iter_mut().zip(&out) {
                        *d = *v as f32;
                    }
                }
            });
        });
        Ok((0..nt).map(|t| (0..n).map(|i| flat[i * nt + t]).collect()).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MODIS: [f64; 6] = [412.0, 443.0, 488.0, 531.0, 547.0, 667.0];

    #[test]
    fn identity_and_plans() {
        let bs = BandShift::new(&MODIS, &[443.0, 490.0, 510.0, 560.0]).unwrap();
        assert_eq!(bs.targets[0].2, vec![(1, 1.0)]);
        assert_eq!(bs.targets[1].2, vec![(2, 1.0)]);
        assert_eq!(bs.targets[2].2.len(), 2); // 510 from 488 and 531
        assert!((bs.targets[2].2[0].1 - 21.0 / 43.0).abs() < 1e-12);
        assert_eq!(bs.targets[3].2, vec![(4, 1.0)]);
        let rrs = [0.008, 0.0075, 0.0062, 0.0035, 0.0028, 0.0003];
        let mut out = [0.0; 4];
        bs.shift_pixel(&rrs, &mut out);
        assert_eq!(out[0], 0.0075);
        // Mélin & Sclep 2015: 488 -> 490 changes Rrs by about 1% or less.
        assert!((out[1] / 0.0062 - 1.0).abs() < 0.02, "{out:?}");
        assert!(BandShift::new(&MODIS, &[750.0]).is_err());
    }

    #[test]
    fn the_f32_chunk_form_agrees_with_the_f64_pixel_form() {
        // OLCI -> the Moore 2009 555/670 nm (single sources) and MODIS -> 510 (two sources),
        // over clear to turbid spectra on both sides of the QAA v6 red switch, plus invalid ones.
        for (src_nm, dst) in [(&[412.5, 442.5, 490.0, 510.0, 560.0, 665.0][..], &[555.0, 670.0][..]), (&MODIS[..], &[510.0, 555.0][..])] {
            let bs = BandShift::new(src_nm, dst).unwrap();
            let mut bands: Vec<Vec<f32>> = vec![Vec::new(); 6];
            for k in 0..CHUNK_F32 {
                let t = k as f64 / CHUNK_F32 as f64;
                let chl_like = 10f64.powf(-1.5 + 3.0 * t);
                let turbid = 0.004 * t * t;
                let spec = [
                    0.009 / (1.0 + chl_like) + 0.2 * turbid,
                    0.008 / (1.0 + chl_like) + 0.4 * turbid,
                    0.0055 + turbid,
                    0.004 + turbid,
                    0.0015 + 0.0008 * chl_like.log10().max(0.0) + turbid,
                    0.0001 + 0.6 * turbid,
                ];
                for (b, v) in bands.iter_mut().zip(spec) {
                    b.push(v as f32);
                }
            }
            bands[1][7] = f32::NAN;
            bands[4][9] = -0.001;
            let src: Vec<&[f32]> = bands.iter().map(|b| b.as_slice()).collect();
            let mut out = vec![vec![0f32; CHUNK_F32]; dst.len()];
            let mut views: Vec<&mut [f32]> = out.iter_mut().map(|o| o.as_mut_slice()).collect();
            bs.shift_chunk_f32(&src, &mut views);
            let mut reference = vec![0.0; dst.len()];
            for i in 0..CHUNK_F32 {
                let px: Vec<f64> = bands.iter().map(|b| b[i] as f64).collect();
                bs.shift_pixel(&px, &mut reference);
                for t in 0..dst.len() {
                    let (got, want) = (out[t][i] as f64, reference[t]);
                    assert!(got.is_nan() == want.is_nan(), "pixel {i} target {t}: {got} vs {want}");
                    assert!(want.is_nan() || (got - want).abs() <= 2e-5 * want.abs(), "pixel {i} target {t}: {got} vs {want}");
                }
            }
            assert!(out[0][7].is_nan() && out[0][9].is_nan());
        }
        assert!(BandShift::new(&[443.0, 555.0], &[560.0]).is_err());
    }
}
