//! The open OC5 correction "C1 with tolerance" (oc5-open-table.md s5) and
//! the builder that fills a table with it.
//!
//! For a pixel or node (g = Rrs green, b = Rrs412, R = max blue/green):
//! 1. R_w = max(R, R*), R* = the model's Case-1 ratio at chl_cap;
//! 2. chl1 = the Case-1 chl giving R_w (monotone interpolation of the model's
//!    Case-1 curve); g1, b1 = that Case-1 spectrum's green and 412;
//! 3. dg = ln(g/g1), db = ln(b/b1); t = ln(1 + tau): dg' = max(dg - t, 0),
//!    db' = sign(db) max(|db| - t, 0);
//! 4. with chl = chl1, fit (acdm443 >= 0, SPM >= 0) so that the model gives
//!    green g1 e^dg' and 412 b1 e^db' (2x2 bounded least squares in log
//!    residuals, projected Levenberg-Marquardt);
//! 5. dR = R_model(chl1, acdm, SPM) / R_model(chl1, Case-1);
//!    recipe "open-oc5-c1-1": OC5 = OCx(R/dR);
//!    recipe "open-oc5-c1-2" (default, issue 14), in log10 chl:
//!    log OC5 = log OCx(R) + (1 - w) F1 + w F2, with F1 = c1-1's correction,
//!    F2 = [log OCx(R_w/dR) - log OCx(R_w)] min(1, R/R*) (the chl factor the
//!    model gives at the reference R_w, damped below R*) and w = min(dg'/ln 2, 1)
//!    the weight of the green departure; tau 0.25 (c1-1: 0.5).
//!    Why: c1-1 applies dR, computed at R*, to the unclamped R where the OCx
//!    polynomial is several times steeper, and over-corrects bright-green
//!    (mineral) water (TSM > 30 median ratio 0.31, validation/turbid), while
//!    dark-412 (CDOM) water without a green departure needs c1-1's full
//!    correction (w = 0 there). Where R >= R* F2 = F1 and c1-2 is c1-1 with
//!    the smaller tau; exact Case-1 spectra give OCx in both.
//!    if the fit misses by more than 10%, OC5 = OCx(R) (fallback).
//!
//! The exact three-unknown inversion is deliberately not used (s3 of the study).

use std::collections::BTreeMap;

use rayon::prelude::*;

use super::table::{node, operational_axes, AxisVariable, Oc5Bands, Oc5Table};
use crate::bio_optical::{ForwardModel, MODEL_DESCRIPTION};
use crate::coefficients::{OcxSet, CHL_MAX, CHL_MIN};
use crate::compute::fastmath::{exp10, ln, log10, poly4};
use crate::error::{Error, Result};
use crate::sensors::Sensor;

/// How the model's ratio change dR becomes a chl correction (step 5 above).
/// Both are this library's design, not Gohin's; each has the version string
/// its tables carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum C1Recipe {
    /// OC5 = OCx(R/dR) (oc5-open-table.md s5 as designed).
    C1v1,
    /// OC5 = OCx(R) OCx(R_w/dR) / OCx(R_w), R_w = max(R, R*): the correction
    /// bounded at the reference ratio (issue 14, validation/turbid).
    C1v2,
}

impl C1Recipe {
    pub const ALL: [C1Recipe; 2] = [C1Recipe::C1v1, C1Recipe::C1v2];

    /// The version string tables built with this recipe carry.
    pub fn version(self) -> &'static str {
        match self {
            C1Recipe::C1v1 => "open-oc5-c1-1",
            C1Recipe::C1v2 => "open-oc5-c1-2",
        }
    }

    /// The recipe of a version string ("default" = `OPEN_TABLE_VERSION`).
    pub fn from_name(name: &str) -> Result<Self> {
        let name = if name == "default" { OPEN_TABLE_VERSION } else { name };
        Self::ALL.into_iter().find(|r| r.version() == name).ok_or_else(|| Error::InvalidParameter {
            name: "recipe".into(),
            reason: format!(
                "unknown open OC5 table recipe {name:?}; known recipes: {} (or \"default\" = {OPEN_TABLE_VERSION})",
                crate::error::join(Self::ALL.iter().map(|r| r.version()))
            ),
        })
    }
}

/// Design parameters of the correction (oc5-open-table.md s5; design choices
/// of that study, not published by Gohin).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct C1Params {
    /// Tolerance: departures within a factor (1 + tau) count as Case-1.
    pub tau: f64,
    /// Case-1 chl (mg m-3) above which the model's Case-1 ratio is not trusted
    /// (where its dlogR/dlogchl falls below 0.2).
    pub chl_cap: f64,
    /// Relative misfit of the 2x2 fit above which OC5 falls back to OCx.
    pub max_misfit: f64,
    /// How dR corrects chl (default: `OPEN_TABLE_VERSION`'s).
    pub recipe: C1Recipe,
}

impl C1Params {
    /// The design parameters of a recipe: tau 0.5 for c1-1 (oc5-open-table.md
    /// s5), 0.25 for c1-2 (`C1V2_TAU`).
    pub fn for_recipe(recipe: C1Recipe) -> Self {
        let tau = match recipe {
            C1Recipe::C1v1 => 0.5,
            C1Recipe::C1v2 => C1V2_TAU,
        };
        Self { tau, chl_cap: 5.0, max_misfit: 0.1, recipe }
    }
}

impl Default for C1Params {
    fn default() -> Self {
        Self::for_recipe(C1Recipe::C1v2)
    }
}

/// Design constants of recipe c1-2: THIS LIBRARY's choices (not Gohin's, not
/// published), chosen on the CoastColour calibration half
/// (validation/data/ccrr_calibration_half.csv), the same rows the issue-14
/// figures are measured on (no held-out turbid data in the repository), so
/// those figures are in-sample: validation/turbid/README.md.
/// Green departure (ln units, beyond the tolerance) at which the bounded
/// correction fully replaces c1-1's: a factor 2 in Rrs(green).
pub const C1V2_GREEN_BLEND: f64 = std::f64::consts::LN_2;
/// Exponent of the damping (R/R*)^k of the bounded correction below R*.
pub const C1V2_DAMPING: f64 = 1.0;
/// Tolerance tau of c1-2 (0.5 in c1-1): with the bounded correction the
/// smaller tolerance corrects the moderately turbid TSM <= 10 stations
/// (median ratio 1.49 vs 1.56 at tau 0.5) and keeps NOMAD deep water at
/// OC5/OCx 0.995 (0.967 at tau 0.2).
pub const C1V2_TAU: f64 = 0.25;

/// Version of the default open-table recipe; a new version whenever model or
/// rule changes (earlier ones stay selectable by name, `C1Recipe`).
pub const OPEN_TABLE_VERSION: &str = "open-oc5-c1-2";
const _: () = assert!(crate::defaults::same(OPEN_TABLE_VERSION, crate::defaults::OC5_RECIPE));

/// Nodes on the model's Case-1 curve between CHL_MIN and chl_cap.
const CURVE_NODES: usize = 2000;
/// Offsets of the log parameters of the fit (acdm + EA, SPM + ES), and bounds.
const EA: f64 = 1e-3;
const ES: f64 = 1e-2;
const ACDM_MAX: f64 = 100.0;
const SPM_MAX: f64 = 1e4;
const LM_ITERATIONS: usize = 30;

/// Evaluates OCx on a ratio: 10^poly(log10 R), clipped to [0.001, 1000] as
/// l2gen does; NaN for R <= 0. No (0.21, 30) ratio window: the table covers
/// R down to 0 and the design anchors on the polynomial itself.
#[inline(always)]
#[allow(clippy::neg_cmp_op_on_partial_ord)] // `!(r > 0)` is also true for NaN, on purpose
pub fn ocx_of_ratio(r: f64, a: &[f64; 5]) -> f64 {
    if !(r > 0.0) {
        return f64::NAN;
    }
    exp10(poly4(a, log10(r))).clamp(CHL_MIN, CHL_MAX)
}

/// The correction for one sensor: the model at [green, 412, blues...], its
/// Case-1 curve and the OCx anchor.
#[derive(Debug, Clone)]
pub struct C1Model {
    pub model: ForwardModel,
    pub bands: Oc5Bands,
    pub ocx: OcxSet,
    pub params: C1Params,
    ln_chl: Vec<f64>,
    /// ln R along the Case-1 curve, strictly decreasing with chl.
    ln_r: Vec<f64>,
    pub r_star: f64,
}

/// Result of the correction for one input.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct C1Result {
    pub chl: f64,
    /// `node::OCX`, `CORRECTED` or `FALLBACK`.
    pub flag: u8,
}

impl C1Model {
    /// The bands of OC5 on `sensor` with the OCx set `ocx`: the set's blues and
    /// green, and the sensor's 412 band.
    pub fn new(sensor: &Sensor, ocx: &OcxSet, params: C1Params, mineral_scale: f64) -> Result<Self> {
        if !(params.tau >= 0.0 && params.chl_cap > CHL_MIN && params.max_misfit > 0.0) {
            return Err(Error::InvalidParameter {
                name: "OC5 design parameters".into(),
                reason: format!("need tau >= 0, chl_cap > {CHL_MIN}, max_misfit > 0; got {params:?}"),
            });
        }
        let bands = Oc5Bands { violet: sensor.roles.violet, green: ocx.green, blues: ocx.blues.to_vec() };
        let mut nm = vec![sensor.band(bands.green)?.centre_nm, sensor.band(bands.violet)?.centre_nm];
        for &b in &bands.blues {
            nm.push(sensor.band(b)?.centre_nm);
        }
        let model = ForwardModel::new(&nm, mineral_scale)?;
        let mut m = Self { model, bands, ocx: *ocx, params, ln_chl: Vec::new(), ln_r: Vec::new(), r_star: 0.0 };
        let (lo, hi) = (CHL_MIN.ln(), params.chl_cap.ln());
        for i in 0..CURVE_NODES {
            let lc = lo + (hi - lo) * i as f64 / (CURVE_NODES - 1) as f64;
            let chl = lc.exp();
            m.ln_chl.push(lc);
            m.ln_r.push(m.ratio(chl, m.model.case1_cdm(chl), 0.0).ln());
        }
        if m.ln_r.windows(2).any(|w| w[1] >= w[0]) {
            return Err(Error::Unsupported {
                algorithm: "open OC5 table".into(),
                reason: format!("the model's Case-1 ratio is not monotone in chl up to chl_cap = {} on {}", params.chl_cap, sensor.name),
            });
        }
        m.r_star = m.ln_r.last().expect("curve has nodes").exp();
        Ok(m)
    }

    /// The model's maximum blue/green ratio.
    fn ratio(&self, chl: f64, acdm: f64, spm: f64) -> f64 {
        let mut out = vec![0.0; self.model.bands.len()];
        self.model.rrs(chl, acdm, spm, &mut out);
        out[2..].iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b)) / out[0]
    }

    fn ratio_fast(&self, chl: f64, acdm: f64, spm: f64) -> f64 {
        let mut best = f64::NEG_INFINITY;
        for k in 2..self.model.bands.len() {
            let c = self.model.chl_optics(k, chl);
            best = best.max(self.model.rrs_band(k, c, acdm, spm));
        }
        best / self.model.rrs_band(0, self.model.chl_optics(0, chl), acdm, spm)
    }

    /// The model's Case-1 chl for a ratio (clamped to [CHL_MIN, chl_cap]).
    pub fn case1_chl(&self, r: f64) -> f64 {
        let lr = ln(r);
        let n = self.ln_r.len();
        if lr >= self.ln_r[0] {
            return self.ln_chl[0].exp();
        }
        if lr <= self.ln_r[n - 1] {
            return self.ln_chl[n - 1].exp();
        }
        // ln_r decreasing: first index with ln_r < lr.
        let hi = self.ln_r.partition_point(|&x| x >= lr);
        let lo = hi - 1;
        let w = (lr - self.ln_r[lo]) / (self.ln_r[hi] - self.ln_r[lo]);
        (self.ln_chl[lo] + w * (self.ln_chl[hi] - self.ln_chl[lo])).exp()
    }

    /// The correction at Rrs green `g` > 0, Rrs412 `b` > 0 and ratio `r` > 0.
    pub fn correct(&self, g: f64, b: f64, r: f64) -> C1Result {
        let ocx = |x: f64| ocx_of_ratio(x, &self.ocx.a);
        let r_w = r.max(self.r_star);
        let chl1 = self.case1_chl(r_w);
        let m = &self.model;
        let (cg, cb) = (m.chl_optics(0, chl1), m.chl_optics(1, chl1));
        let tie = m.case1_cdm(chl1);
        let (lg1, lb1) = (ln(m.rrs_band(0, cg, tie, 0.0)), ln(m.rrs_band(1, cb, tie, 0.0)));
        let t = (1.0 + self.params.tau).ln();
        let dg = (ln(g) - lg1 - t).max(0.0);
        let db0 = ln(b) - lb1;
        let db = db0.signum() * (db0.abs() - t).max(0.0);
        if dg == 0.0 && db == 0.0 {
            return C1Result { chl: ocx(r), flag: node::OCX };
        }
        let target = [lg1 + dg, lb1 + db];
        let eval = |q: [f64; 2]| {
            let p = [q[0].exp() - EA, q[1].exp() - ES];
            let (lgm, gg) = m.ln_rrs_and_gradient(0, cg, p[0], p[1]);
            let (lbm, gb) = m.ln_rrs_and_gradient(1, cb, p[0], p[1]);
            let res = [lgm - target[0], lbm - target[1]];
            // Chain rule to the log parameters: dp/dq = p + offset.
            let jac = [[gg[0] * (p[0] + EA), gg[1] * (p[1] + ES)], [gb[0] * (p[0] + EA), gb[1] * (p[1] + ES)]];
            (res, jac)
        };
        let lower = [EA.ln(), ES.ln()];
        let upper = [(ACDM_MAX + EA).ln(), (SPM_MAX + ES).ln()];
        let mut q = [(tie + EA).ln(), lower[1]];
        let (mut res, mut jac) = eval(q);
        let mut cost = res[0] * res[0] + res[1] * res[1];
        let mut lambda = 1e-3;
        for _ in 0..LM_ITERATIONS {
            if cost < 1e-16 {
                break;
            }
            // Normal equations of the 2x2 problem, Marquardt-scaled.
            let a00 = jac[0][0] * jac[0][0] + jac[1][0] * jac[1][0];
            let a11 = jac[0][1] * jac[0][1] + jac[1][1] * jac[1][1];
            let a01 = jac[0][0] * jac[0][1] + jac[1][0] * jac[1][1];
            let g0 = jac[0][0] * res[0] + jac[1][0] * res[1];
            let g1 = jac[0][1] * res[0] + jac[1][1] * res[1];
            let (d00, d11) = (a00 * (1.0 + lambda) + 1e-12, a11 * (1.0 + lambda) + 1e-12);
            let det = d00 * d11 - a01 * a01;
            let step = [-(d11 * g0 - a01 * g1) / det, -(d00 * g1 - a01 * g0) / det];
            let trial = [(q[0] + step[0]).clamp(lower[0], upper[0]), (q[1] + step[1]).clamp(lower[1], upper[1])];
            let (r2, j2) = eval(trial);
            let c2 = r2[0] * r2[0] + r2[1] * r2[1];
            if c2 < cost {
                q = trial;
                res = r2;
                jac = j2;
                cost = c2;
                lambda = (lambda * 0.3).max(1e-9);
            } else {
                lambda *= 10.0;
                if lambda > 1e9 {
                    break;
                }
            }
        }
        let miss = res.iter().any(|x| (x.exp() - 1.0).abs() > self.params.max_misfit);
        if miss {
            return C1Result { chl: ocx(r), flag: node::FALLBACK };
        }
        let p = [q[0].exp() - EA, q[1].exp() - ES];
        let dr = self.ratio_fast(chl1, p[0].max(0.0), p[1].max(0.0)) / self.ratio_fast(chl1, tie, 0.0);
        let chl = match self.params.recipe {
            C1Recipe::C1v1 => ocx(r / dr),
            // The factor in log space on the unclipped polynomial, then l2gen's clip.
            C1Recipe::C1v2 => {
                // In log10 chl on the unclipped polynomial, then l2gen's clip.
                let a = &self.ocx.a;
                let (x, xw) = (log10(r), log10(r_w));
                let c1_1 = poly4(a, x - log10(dr)) - poly4(a, x);
                let damp = (r / self.r_star).min(1.0).powf(C1V2_DAMPING);
                let bounded = (poly4(a, log10(r_w / dr)) - poly4(a, xw)) * damp;
                let w = (dg / C1V2_GREEN_BLEND).clamp(0.0, 1.0);
                exp10(poly4(a, x) + (1.0 - w) * c1_1 + w * bounded).clamp(CHL_MIN, CHL_MAX)
            }
        };
        C1Result { chl, flag: node::CORRECTED }
    }

    /// The per-pixel OC5 (no table) from Rrs green, Rrs412 and the maximum
    /// blue Rrs: NaN for non-finite input or green, 412 or ratio <= 0.
    pub fn chl_pixel(&self, green: f32, violet: f32, blue_max: f32) -> (f32, u8) {
        use super::table::status;
        let (g, b, m) = (green as f64, violet as f64, blue_max as f64);
        if !(g.is_finite() && b.is_finite() && m.is_finite() && g > 0.0 && b > 0.0 && m > 0.0) {
            return (f32::NAN, status::INVALID_INPUT);
        }
        let c = self.correct(g, b, m / g);
        let s = if c.flag == node::FALLBACK { status::FALLBACK } else { status::VALID };
        (c.chl as f32, s)
    }

    /// The metadata a table built from this correction carries.
    pub fn metadata(&self, sensor: &Sensor) -> BTreeMap<String, String> {
        let p = self.params;
        let mut m = BTreeMap::new();
        let mut put = |k: &str, v: String| {
            m.insert(k.to_string(), v);
        };
        put("title", format!("Open OC5-like chlorophyll table for {} (oceancolour)", sensor.name));
        put(
            "disclaimer",
            "An open OC5-like table computed by the oceancolour library from a documented semi-analytical model; \
             it is NOT Ifremer's OC5 table and no parity with Ifremer's values is claimed."
                .into(),
        );
        let rule = match p.recipe {
            C1Recipe::C1v1 => "OC5 = OCx(R/dR)",
            C1Recipe::C1v2 => {
                "log OC5 = log OCx(R) + (1-w) [log OCx(R/dR) - log OCx(R)] + w [log OCx(R_w/dR) - log OCx(R_w)] min(1, R/R*)^damping_exponent, \
                 w = min(1, green departure beyond ln(1+tau) / green_blend) (correction bounded at the reference ratio in bright-green water)"
            }
        };
        put(
            "method",
            format!(
                "C1 with tolerance (oceancolour oc5-open-table.md s5): R_w = max(R, R*), chl1 = model Case-1 chl at R_w, \
                 departures of green and 412 from the Case-1 spectrum beyond ln(1+tau) fitted by (acdm443, SPM) at chl1, \
                 dR = R_model(fit)/R_model(Case-1), {rule}; fit misfit > max_misfit: OC5 = OCx(R)"
            ),
        );
        put("recipe", p.recipe.version().into());
        if p.recipe == C1Recipe::C1v2 {
            put("green_blend", C1V2_GREEN_BLEND.to_string());
            put("damping_exponent", C1V2_DAMPING.to_string());
        }
        put("tau", p.tau.to_string());
        put("chl_cap", p.chl_cap.to_string());
        put("max_misfit", p.max_misfit.to_string());
        put("r_star", self.r_star.to_string());
        put("case1_tie", "acdm443 = ap443 - aph443 + 0.2 ap443 (Bricaud et al. 1998; yellow substance 20% of ap)".into());
        put(
            "node_rules",
            "nLw412 <= 0: value of the first positive-412 node along the 412 axis (maximal CDOM); \
             R <= 0 or nLw green = 0: NaN; interpolation inclusive of both axis ends"
                .into(),
        );
        put("forward_model", MODEL_DESCRIPTION.into());
        put("ocx_anchor", format!("{} {:?} ({})", self.ocx.name, self.ocx.a, self.ocx.source));
        put("ocx_clip", "OCx polynomial on R, clipped to [0.001, 1000] mg m-3; no ratio window".into());
        put("mineral_scale", self.model.mineral_scale.to_string());
        m
    }
}

/// Builds a table with `shape` nodes spanning the operational axis ranges
/// (200^3 gives the operational axes exactly). `f0`: F0 of the green and 412
/// bands (mW cm-2 um-1).
pub fn build_table(c1: &C1Model, sensor: &Sensor, shape: [usize; 3], f0_green: f64, f0_violet: f64) -> Result<Oc5Table> {
    let axes = operational_axes(shape)?;
    debug_assert!(axes[0].variable == AxisVariable::NlwGreen && axes[1].variable == AxisVariable::Nlw412);
    let [ng, nb, nr] = shape;
    // A chl (f32) and a flag (u8) per node.
    crate::compute::memory::ensure_fits(ng as u128 * nb as u128 * nr as u128, 5, &format!("an OC5 table of {ng} x {nb} x {nr} nodes"))?;
    let mut values = vec![f32::NAN; ng * nb * nr];
    let mut flags = vec![node::UNDEFINED; ng * nb * nr];
    // First node with nLw412 > 0: the nodes below copy its value.
    let first_pos = (0..nb)
        .find(|&j| axes[1].value(j) > 0.0)
        .ok_or_else(|| Error::InvalidParameter { name: "shape".into(), reason: "the nLw412 axis has no positive node".into() })?;
    crate::compute::threads::install(|| {
        values.par_chunks_mut(nb * nr).zip(flags.par_chunks_mut(nb * nr)).enumerate().for_each(|(i, (v, f))| {
            let g = axes[0].value(i) / f0_green;
            for j in first_pos..nb {
                let b = axes[1].value(j) / f0_violet;
                for k in 0..nr {
                    let r = axes[2].value(k);
                    if !(g > 0.0 && r > 0.0) {
                        continue;
                    }
                    let c = c1.correct(g, b, r);
                    v[j * nr + k] = c.chl as f32;
                    f[j * nr + k] = c.flag;
                }
            }
            for j in 0..first_pos {
                for k in 0..nr {
                    let src = first_pos * nr + k;
                    if f[src] != node::UNDEFINED {
                        v[j * nr + k] = v[src];
                        f[j * nr + k] = node::COPIED;
                    }
                }
            }
        })
    });
    let mut metadata = c1.metadata(sensor);
    metadata.insert("f0_values".into(), format!("green {f0_green}, 412 {f0_violet} mW cm-2 um-1"));
    let t = Oc5Table {
        axes,
        values,
        node_flags: Some(flags),
        sensor: sensor.name.into(),
        bands: c1.bands.clone(),
        f0_green,
        f0_violet,
        version: c1.params.recipe.version().into(),
        metadata,
        checksum_cache: Default::default(),
    };
    t.validate()?;
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sensors::sensor;

    fn meris_with(params: C1Params) -> C1Model {
        let s = sensor("meris").unwrap();
        C1Model::new(s, crate::coefficients::ocx_set(s, "oc4").unwrap(), params, 1.0).unwrap()
    }

    fn meris() -> C1Model {
        meris_with(C1Params::default())
    }

    /// oc5-open-table.md s5 test vectors (MERIS, spectra of algorithms.md s5.2):
    /// [412, 443, 490, 510, 560] -> (OC4-MERIS, open OC5 per pixel, recipe c1-1).
    const VECTORS: [([f64; 5], f64, f64); 5] = [
        ([0.0095, 0.0080, 0.0060, 0.0035, 0.0018], 0.153, 0.153),
        ([0.0040, 0.0045, 0.0050, 0.0042, 0.0030], 0.699, 0.699),
        ([0.0030, 0.0038, 0.0055, 0.0058, 0.0060], 2.970, 2.970),
        ([0.0030, 0.0038, 0.0055, 0.0058, 0.0150], 185.0, 42.0),
        ([0.0010, 0.0025, 0.0045, 0.0050, 0.0060], 4.98, 2.97),
    ];

    #[test]
    fn design_study_test_vectors() {
        let m = meris_with(C1Params::for_recipe(C1Recipe::C1v1));
        assert!((m.r_star - 0.964).abs() < 0.002, "R* {}", m.r_star);
        for (rrs, want_ocx, want_oc5) in VECTORS {
            let r = rrs[1].max(rrs[2]).max(rrs[3]) / rrs[4];
            let ocx = ocx_of_ratio(r, &m.ocx.a);
            let got = m.correct(rrs[4], rrs[0], r);
            let close = |a: f64, b: f64, tol: f64| ((a - b) / b).abs() < tol;
            assert!(close(ocx, want_ocx, 0.01), "OCx {ocx} vs {want_ocx}");
            assert!(close(got.chl, want_oc5, 0.02), "OC5 {} vs {want_oc5} ({rrs:?})", got.chl);
        }
    }

    #[test]
    fn case1_spectra_give_ocx_exactly_and_departures_lower_chl() {
        let m = meris();
        let mut out = vec![0.0; m.model.bands.len()];
        for chl in [0.05, 0.3, 1.0, 3.0] {
            m.model.rrs(chl, m.model.case1_cdm(chl), 0.0, &mut out);
            let r = out[2..].iter().cloned().fold(f64::MIN, f64::max) / out[0];
            let c = m.correct(out[0], out[1], r);
            assert_eq!(c.flag, node::OCX);
            assert_eq!(c.chl, ocx_of_ratio(r, &m.ocx.a));
            // A much brighter green (minerals) lowers chl; a darker 412 (CDOM) too.
            let bright = m.correct(out[0] * 3.0, out[1], r);
            let dark412 = m.correct(out[0], out[1] / 4.0, r);
            assert!(bright.chl < c.chl && bright.flag == node::CORRECTED, "chl {chl}: {bright:?}");
            assert!(dark412.chl < c.chl, "chl {chl}: {dark412:?}");
        }
    }

    #[test]
    fn recipe_c1_2_is_c1_1_above_r_star_and_corrects_bright_green_water_less_below() {
        // Same tolerance, to compare the rules alone.
        let old = meris_with(C1Params { tau: 0.25, ..C1Params::for_recipe(C1Recipe::C1v1) });
        let new = meris_with(C1Params { tau: 0.25, ..C1Params::for_recipe(C1Recipe::C1v2) });
        let ocx = |r: f64| ocx_of_ratio(r, &old.ocx.a);
        let (mut above, mut below) = (0, 0);
        for g in [0.002, 0.004, 0.008, 0.016, 0.03] {
            for b in [0.0005, 0.001, 0.002, 0.004, 0.008] {
                for r in [0.3, 0.45, 0.6, 0.8, 0.9, 1.0, 1.3, 2.0, 4.0] {
                    let (o, n) = (old.correct(g, b, r), new.correct(g, b, r));
                    assert_eq!(o.flag, n.flag);
                    if r >= old.r_star {
                        assert!((n.chl / o.chl - 1.0).abs() < 1e-9, "g {g} b {b} r {r}: {n:?} vs {o:?}");
                        above += 1;
                    } else if n.flag == node::CORRECTED && o.chl < CHL_MAX && ocx(r) < CHL_MAX {
                        // Never a larger correction of OCx than c1-1 gives, in either direction.
                        let (lo, ln_, lx) = (o.chl.log10(), n.chl.log10(), ocx(r).log10());
                        assert!((ln_ - lx).abs() <= (lo - lx).abs() + 1e-9, "g {g} b {b} r {r}: c1-2 {} c1-1 {} OCx {}", n.chl, o.chl, ocx(r));
                        below += 1;
                    }
                }
            }
        }
        assert!(above > 50 && below > 30, "{above} {below}");
        // Bright green, no 412 departure beyond CDOM: c1-1 cuts OCx by far more than c1-2.
        let (r, g, b) = (0.6, 0.02, 0.004);
        assert!(new.correct(g, b, r).chl > 1.5 * old.correct(g, b, r).chl);
    }

    #[test]
    fn recipes_have_names_and_parameters() {
        assert_eq!(C1Recipe::from_name("default").unwrap(), C1Recipe::C1v2);
        assert_eq!(C1Recipe::from_name("open-oc5-c1-1").unwrap().version(), "open-oc5-c1-1");
        let e = C1Recipe::from_name("c1-3").unwrap_err().to_string();
        assert!(e.contains("open-oc5-c1-1") && e.contains("open-oc5-c1-2"), "{e}");
        assert_eq!(C1Params::for_recipe(C1Recipe::C1v1).tau, 0.5);
        let md = meris().metadata(sensor("meris").unwrap());
        assert_eq!(md["recipe"], "open-oc5-c1-2");
        assert_eq!(md["tau"], "0.25");
    }

    #[test]
    fn small_table_follows_the_rules() {
        let s = sensor("meris").unwrap();
        let m = meris();
        let t = build_table(&m, s, [24, 30, 36], 180.0, 171.4).unwrap();
        let f = t.node_flags.as_ref().unwrap();
        let [_, nb, nr] = t.shape();
        let first_pos = (0..nb).find(|&j| t.axes[1].value(j) > 0.0).unwrap();
        for i in 0..24 {
            for j in 0..nb {
                for k in 0..nr {
                    let id = (i * nb + j) * nr + k;
                    let (g, b, r) = (t.axes[0].value(i), t.axes[1].value(j), t.axes[2].value(k));
                    if g <= 0.0 || r <= 0.0 {
                        assert!(t.values[id].is_nan() && f[id] == node::UNDEFINED);
                    } else if b <= 0.0 {
                        assert_eq!(t.values[id].to_bits(), t.values[(i * nb + first_pos) * nr + k].to_bits());
                        assert_eq!(f[id], node::COPIED);
                    } else {
                        let want = m.correct(g / 180.0, b / 171.4, r);
                        assert_eq!(t.values[id], want.chl as f32);
                    }
                }
            }
        }
    }
}
