//! The quality layers of the products over a block of pixels (docs/uncertainty.md s6):
//! per-pixel 1-sigma uncertainty and expected bias of log10(product) (layers
//! "uncertainty" and "bias"), the OC5 applicability class and the optical water types.
//! Kernels in `quality`; this file picks the bands and runs them.

use std::sync::Arc;

use crate::coefficients::{self as coef, CiSet, Kd2Set, OcxSet};
use crate::compute::{par_chunk_pairs, par_chunks, with_avx2, CHUNK};
use crate::error::{Error, Result};
use crate::kernels::chlorophyll::{ci_pixel_for_blend, ocx_pixel};
use crate::oc5::Oc5Table;
use crate::quality::{self, jacobian as jac, owt, stats, BandRecipe, Oc5TestVersion};
use crate::reflectance::Reflectances;
use crate::sensors::Sensor;

use super::{Coefficients, Layer};

/// How the Rrs term is propagated through one product.
pub(super) enum Jac {
    Ocx(&'static OcxSet),
    Oci {
        ocx: &'static OcxSet,
        ci: &'static CiSet,
        t: [f64; 2],
    },
    Oc5(Arc<Oc5Table>),
    Oc5ci {
        table: Arc<Oc5Table>,
        ci: &'static CiSet,
        t: [f64; 2],
    },
    Kd2(&'static Kd2Set),
    Nechad {
        nm: u16,
        c: f64,
    },
    /// Central differences of the product's own value (spm_gohin, OC5 per pixel).
    FiniteDifference,
}

/// The value function of a product, for `Jac::FiniteDifference`.
pub(super) type ValueFn<'a> = &'a (dyn Fn(&Reflectances) -> Result<Vec<f32>> + Sync);

/// Everything the uncertainty of one product on one sensor needs.
pub(super) struct Uncertainty {
    stats: &'static stats::ClassStats,
    owt: BandRecipe,
    /// Configured relative Rrs uncertainty and band correlation.
    rrs: Option<(f64, f64)>,
    /// Band correlation of the Rrs errors (also for the input's own per-band uncertainty).
    rho: f64,
    bias_corrected: bool,
    jac: Jac,
    /// The bands the value reads (for the finite differences).
    value_bands: Vec<u16>,
}

/// The checked uncertainty settings of a call.
fn rrs_setting(c: &Coefficients) -> Result<Option<(f64, f64)>> {
    let rho = c.band_correlation;
    if !(rho.is_finite() && (0.0..=1.0).contains(&rho)) {
        return Err(Error::InvalidParameter { name: "band_correlation".into(), reason: format!("{rho}: a correlation between bands in [0, 1]") });
    }
    match c.rrs_uncertainty {
        None => Ok(None),
        Some(e) if e.is_finite() && (0.0..1.0).contains(&e) => Ok(Some((e, rho))),
        Some(e) => Err(Error::InvalidParameter {
            name: "rrs_uncertainty".into(),
            reason: format!("{e}: a relative Rrs standard uncertainty in [0, 1), e.g. 0.05 for 5%"),
        }),
    }
}

/// The row of class_stats.csv fitted for this selection: the product's name for its
/// default algorithm, `<product>@<variant>` for an earlier one kept selectable (the OC5
/// table recipe open-oc5-c1-1, spm_gohin's forward-model): statistics of one algorithm
/// would misstate another's error (validation/uncertainty/fit.py fits both).
fn stats_key(product: &str, c: &Coefficients) -> String {
    let variant = match product {
        "chl_oc5" | "chl_oc5ci" if c.oc5_table.is_none() && c.oc5_recipe != crate::defaults::OC5_RECIPE => Some(c.oc5_recipe.as_str()),
        "spm_gohin" if c.spm_gohin_algorithm != crate::defaults::SPM_GOHIN_ALGORITHM => Some(c.spm_gohin_algorithm.as_str()),
        _ => None,
    };
    variant.map_or_else(|| product.to_string(), |v| format!("{product}@{v}"))
}

impl Uncertainty {
    pub(super) fn new(product: &str, s: &'static Sensor, c: &Coefficients, jac: Jac, value_bands: &[u16]) -> Result<Self> {
        let mut bands = value_bands.to_vec();
        bands.sort_unstable();
        bands.dedup();
        Ok(Uncertainty {
            stats: stats::for_product(&stats_key(product, c))?,
            owt: BandRecipe::new(s, &owt::MOORE2009_BANDS)?,
            rrs: rrs_setting(c)?,
            rho: c.band_correlation,
            bias_corrected: c.bias_corrected,
            jac,
            value_bands: bands,
        })
    }

    /// The bands the layers read besides the value's.
    pub(super) fn bands(&self) -> &[u16] {
        &self.owt.bands
    }

    /// What the layers hold, for the provenance.
    pub(super) fn text(&self) -> String {
        format!(
            "uncertainty: membership-weighted class {} of Moore et al. 2009 water types ({}){}; class statistics: this library's fit, src/quality/class_stats.csv rows {}",
            if self.bias_corrected { "SD (bias-corrected)" } else { "RMSD" },
            self.owt.describe(&owt::MOORE2009_BANDS),
            match self.rrs {
                Some((e, rho)) => format!(" combined in quadrature with Rrs uncertainty {e} x Rrs propagated (band correlation {rho})"),
                None => format!(
                    " combined in quadrature with the input's per-band Rrs uncertainty propagated where it carries one (PACE OCI Rrs_unc; band correlation {})",
                    self.rho
                ),
            },
            self.stats.product
        )
    }

    /// (sigma, bias) in dex per pixel, NaN where `value` is NaN.
    pub(super) fn layers(&self, r: &Reflectances, value: &[f32], value_fn: ValueFn) -> Result<(Vec<f32>, Vec<f32>)> {
        let n = r.len();
        // A configured relative uncertainty wins; else the input's own, where it has one.
        let scale = match self.rrs {
            Some((eps, _)) => Some(RrsScale::Relative(eps)),
            None if r.has_sigma() => Some(RrsScale::per_band(r, &self.value_bands)?),
            None => None,
        };
        let u_rrs = scale.map(|s| self.rrs_term(r, value, value_fn, &s, self.rho)).transpose()?;
        let src = self.owt.bands.iter().map(|&nm| r.band(nm, "uncertainty (optical water types)")).collect::<Result<Vec<_>>>()?;
        let fast = owt::moore2009_fast();
        let (a, b, worst_a, worst_b) = self.stats.terms_f32(self.bias_corrected);
        let mut sigma = vec![0f32; n];
        let mut bias = vec![0f32; n];
        let u_rrs = u_rrs.as_deref();
        let (recipe, ns) = (&self.owt, self.owt.n_shifted());
        par_chunk_pairs(
            &mut sigma,
            &mut bias,
            CHUNK,
            // Per worker: the block's band-shifted Moore bands.
            || vec![0f32; ns * CHUNK],
            |start, so, bo, scratch| {
                let len = so.len();
                let block: Vec<&[f32]> = src.iter().map(|x| &x[start..start + len]).collect();
                let v = &value[start..start + len];
                let u = u_rrs.map(|u| &u[start..start + len]);
                with_avx2(
                    #[inline(always)]
                    || {
                        let mut shifted: Vec<&mut [f32]> = scratch.chunks_mut(CHUNK).map(|c| &mut c[..len]).collect();
                        recipe.shift_block_f32(&block, &mut shifted);
                        // The six Moore-band inputs: the sensor's bands as is, else shifted.
                        let ins: [&[f32]; owt::BANDS] = std::array::from_fn(|t| match recipe.target_source(t) {
                            Ok(i) => block[i],
                            Err(j) => &*shifted[j],
                        });
                        class_term_chunk(ins, v, u, fast, (&a, &b, worst_a, worst_b), so, bo)
                    },
                )
            },
        );
        Ok((sigma, bias))
    }

    /// The propagated Rrs term u_rrs (dex) per pixel, sigma_b from `scale`.
    fn rrs_term(&self, r: &Reflectances, value: &[f32], value_fn: ValueFn, scale: &RrsScale, rho: f64) -> Result<Vec<f32>> {
        let n = r.len();
        let mut u = vec![0f32; n];
        let band = |nm: u16| r.band(nm, "uncertainty (Rrs propagation)");
        match &self.jac {
            Jac::Ocx(set) => {
                let (blues, g) = (set.blues.iter().map(|&b| band(b)).collect::<Result<Vec<_>>>()?, band(set.green)?);
                per_pixel(&mut u, rho, scale, |i, acc| ocx_terms(set, &blues, g, i, 1.0, acc));
            }
            Jac::Oci { ocx, ci, t } => {
                let (blues, g) = (ocx.blues.iter().map(|&b| band(b)).collect::<Result<Vec<_>>>()?, band(ocx.green)?);
                let [bn, gn, rn] = r.sensor.ci_bands()?;
                let (cb, cg, cr, conv) = (band(bn)?, band(gn)?, band(rn)?, coef::green_to_555(gn));
                let a = ocx.a.map(|x| x as f32);
                per_pixel(&mut u, rho, scale, |i, acc| {
                    let last = blues[blues.len() - 1][i];
                    let pick = |k: usize| blues[k.min(blues.len() - 1)][i];
                    let x = ocx_pixel([pick(0), pick(1), pick(2), pick(3)], last, g[i], &a) as f64;
                    let c = ci_pixel_for_blend(cb[i], cg[i], cr[i], conv, &ci.a) as f64;
                    let (kc, kx) = jac::blend(c, x, t[0], t[1]);
                    if kx != 0.0 {
                        ocx_terms(ocx, &blues, g, i, kx, acc);
                    }
                    if kc != 0.0 {
                        ci_terms(ci, [bn, gn, rn], [cb, cg, cr], conv, i, kc, acc);
                    }
                });
            }
            Jac::Oc5(table) => {
                let ins = Oc5Inputs::new(r, table)?;
                per_pixel(&mut u, rho, scale, |i, acc| ins.terms(i, 1.0, acc));
            }
            Jac::Oc5ci { table, ci, t } => {
                let ins = Oc5Inputs::new(r, table)?;
                let [bn, gn, rn] = r.sensor.ci_bands()?;
                let (cb, cg, cr, conv) = (band(bn)?, band(gn)?, band(rn)?, coef::green_to_555(gn));
                per_pixel(&mut u, rho, scale, |i, acc| {
                    let c = ci_pixel_for_blend(cb[i], cg[i], cr[i], conv, &ci.a) as f64;
                    let x = ins.value(i);
                    let (kc, kx) = jac::blend(c, x, t[0], t[1]);
                    if kx != 0.0 {
                        ins.terms(i, kx, acc);
                    }
                    if kc != 0.0 {
                        ci_terms(ci, [bn, gn, rn], [cb, cg, cr], conv, i, kc, acc);
                    }
                });
            }
            Jac::Kd2(set) => {
                let [bn, gn] = super::alg::kd2_wavelengths(r.sensor, set)?;
                let (b, g) = (band(bn)?, band(gn)?);
                per_pixel(&mut u, rho, scale, |i, acc| {
                    let (rb, rg) = (b[i] as f64, g[i] as f64);
                    let (jb, jg) = jac::kd2(rb, rg, &set.a);
                    acc.add(bn, jb * rb);
                    acc.add(gn, jg * rg);
                });
            }
            Jac::Nechad { nm, c } => {
                let b = band(*nm)?;
                per_pixel(&mut u, rho, scale, |i, acc| {
                    let x = b[i] as f64;
                    acc.add(*nm, jac::nechad(x, *c) * x);
                });
            }
            Jac::FiniteDifference => {
                // J_b R_b from the product at R_b (1 +- h), one band at a time.
                let h = jac::FD_REL_STEP;
                let mut scaled: Vec<Vec<f64>> = Vec::new();
                for &nm in &self.value_bands {
                    let run = |f: f32| -> Result<Vec<f32>> {
                        let moved: Vec<f32> = band(nm)?.iter().map(|x| x * f).collect();
                        let bands = r.wavelengths().map(|b| (b, if b == nm { moved.as_slice() } else { r.band(b, "").expect("listed") })).collect();
                        value_fn(&Reflectances::new(r.sensor, bands)?.with_file_f0(r.file_f0().to_vec()))
                    };
                    let (up, down) = (run((1.0 + h) as f32)?, run((1.0 - h) as f32)?);
                    // The f32 factor is not exactly 1 +- h: use the step actually taken.
                    let (hu, hd) = (((1.0 + h) as f32) as f64 - 1.0, 1.0 - ((1.0 - h) as f32) as f64);
                    scaled.push(up.iter().zip(&down).map(|(a, b)| jac::fd_scaled(*a as f64, *b as f64, 0.5 * (hu + hd))).collect());
                }
                per_pixel(&mut u, rho, scale, |i, acc| {
                    for (k, s) in scaled.iter().enumerate() {
                        acc.add(self.value_bands[k], s[i]);
                    }
                });
            }
        }
        for (x, v) in u.iter_mut().zip(value) {
            if !v.is_finite() {
                *x = f32::NAN;
            }
        }
        Ok(u)
    }
}

/// J_b Rrs_b per band of one pixel (bands that several terms touch add up).
struct Acc {
    nm: [u16; 10],
    v: [f64; 10],
    n: usize,
}

impl Acc {
    #[inline]
    fn add(&mut self, nm: u16, x: f64) {
        match self.nm[..self.n].iter().position(|&b| b == nm) {
            Some(k) => self.v[k] += x,
            None if self.n < self.nm.len() => {
                self.nm[self.n] = nm;
                self.v[self.n] = x;
                self.n += 1;
            }
            None => unreachable!("at most 10 bands per product"),
        }
    }
}

/// sigma_b / Rrs_b per band and pixel: one relative value for all, or the input's own.
enum RrsScale<'a> {
    Relative(f64),
    /// (band, sigma_b, Rrs_b)
    PerBand(Vec<(u16, &'a [f32], &'a [f32])>),
}

impl<'a> RrsScale<'a> {
    fn per_band(r: &Reflectances<'a>, bands: &[u16]) -> Result<Self> {
        let one = |nm: u16| -> Result<(u16, &'a [f32], &'a [f32])> {
            let sigma = r.sigma(nm).ok_or_else(|| Error::InvalidParameter {
                name: "rrs_uncertainty".into(),
                reason: format!("the input gives Rrs uncertainties but none at {nm} nm, which the product reads"),
            })?;
            Ok((nm, sigma, r.band(nm, "uncertainty (Rrs propagation)")?))
        };
        Ok(RrsScale::PerBand(bands.iter().map(|&nm| one(nm)).collect::<Result<_>>()?))
    }

    #[inline]
    fn rel(&self, nm: u16, i: usize) -> f64 {
        match self {
            RrsScale::Relative(e) => *e,
            RrsScale::PerBand(b) => b.iter().find(|x| x.0 == nm).map_or(f64::NAN, |(_, s, r)| s[i] as f64 / r[i] as f64),
        }
    }
}

/// u[i] = rrs_term(J_b sigma_b of pixel i), from the J_b Rrs_b that `f` gives, in parallel.
fn per_pixel(u: &mut [f32], rho: f64, scale: &RrsScale, f: impl Fn(usize, &mut Acc) + Sync + Send) {
    par_chunks(u, CHUNK, |start, o| {
        for (k, out) in o.iter_mut().enumerate() {
            let mut acc = Acc { nm: [0; 10], v: [0.0; 10], n: 0 };
            f(start + k, &mut acc);
            for j in 0..acc.n {
                acc.v[j] *= scale.rel(acc.nm[j], start + k);
            }
            *out = jac::rrs_term(&acc.v[..acc.n], rho) as f32;
        }
    });
}

fn ocx_terms(set: &OcxSet, blues: &[&[f32]], g: &[f32], i: usize, k: f64, acc: &mut Acc) {
    let mut b = [0.0f64; 4];
    for (x, s) in b.iter_mut().zip(blues) {
        *x = s[i] as f64;
    }
    let gi = g[i] as f64;
    let (imax, jb, jg) = jac::ocx(&b[..blues.len()], gi, &set.a);
    acc.add(set.blues[imax], k * jb * b[imax]);
    acc.add(set.green, k * jg * gi);
}

fn ci_terms(ci: &CiSet, nm: [u16; 3], bands: [&[f32]; 3], conv: &coef::GreenTo555, i: usize, k: f64, acc: &mut Acc) {
    let x = bands.map(|b| b[i] as f64);
    let j = jac::ci(x[0], x[1], x[2], conv, &ci.a);
    for t in 0..3 {
        acc.add(nm[t], k * j[t] * x[t]);
    }
}

/// The OC5 table's bands and F0 over a block, for its exact Jacobian.
struct Oc5Inputs<'a> {
    table: &'a Oc5Table,
    green: &'a [f32],
    violet: &'a [f32],
    blues: Vec<&'a [f32]>,
    f0: [f64; 2],
    step: [f64; 3],
}

impl<'a> Oc5Inputs<'a> {
    fn new(r: &Reflectances<'a>, table: &'a Oc5Table) -> Result<Self> {
        let b = &table.bands;
        let what = "uncertainty (OC5 Jacobian)";
        let blues = b.blues.iter().map(|&nm| r.band(nm, what)).collect::<Result<Vec<_>>>()?;
        let (f0, _) = crate::oc5::lookup_f0(table, r.file_f0());
        Ok(Oc5Inputs { table, green: r.band(b.green, what)?, violet: r.band(b.violet, what)?, blues, f0, step: table.steps() })
    }

    #[inline]
    #[allow(clippy::type_complexity)]
    fn at(&self, i: usize) -> (usize, f64, f64, f64, Option<(f64, [f64; 3])>) {
        let (g, v) = (self.green[i] as f64, self.violet[i] as f64);
        let mut imax = 0;
        for (k, b) in self.blues.iter().enumerate() {
            if b[i] > self.blues[imax][i] {
                imax = k;
            }
        }
        let bmax = self.blues[imax][i] as f64;
        let ratio = bmax / g;
        (imax, g, v, bmax, self.table.value_and_index_gradient(g * self.f0[0], v * self.f0[1], ratio))
    }

    fn value(&self, i: usize) -> f64 {
        self.at(i).4.map_or(f64::NAN, |(t, _)| t)
    }

    fn terms(&self, i: usize, k: f64, acc: &mut Acc) {
        let (imax, g, v, bmax, tv) = self.at(i);
        let Some((t, dt)) = tv else {
            acc.add(self.table.bands.green, f64::NAN);
            return;
        };
        let (j412, jb, jg) = jac::oc5_table(t, dt, self.step, self.f0[0], self.f0[1], g, bmax / g);
        let b = &self.table.bands;
        acc.add(b.violet, k * j412 * v);
        acc.add(b.blues[imax], k * jb * bmax);
        acc.add(b.green, k * jg * g);
    }
}

/// Bands the OC5 applicability tests take (OLCI/MERIS bands; others band-shift).
pub const OC5_CLASS_NM: [f64; 4] = [412.0, 443.0, 490.0, 560.0];

/// The OC5 applicability class over a block from its Rrs and the OC5 chl.
pub(super) struct Oc5Classes {
    recipe: BandRecipe,
    pub(super) version: Oc5TestVersion,
}

impl Oc5Classes {
    pub(super) fn new(s: &'static Sensor, c: &Coefficients) -> Result<Self> {
        Ok(Oc5Classes { recipe: BandRecipe::new(s, &OC5_CLASS_NM)?, version: Oc5TestVersion::from_name(&c.oc5_class_version)? })
    }

    pub(super) fn bands(&self) -> &[u16] {
        &self.recipe.bands
    }

    pub(super) fn text(&self) -> String {
        format!("OC5 applicability tests (RBINS/EUNOSAT, version {}) at {}", self.version.name(), self.recipe.describe(&OC5_CLASS_NM))
    }

    pub(super) fn classes(&self, r: &Reflectances, chl: &[f32]) -> Result<Vec<u8>> {
        let src = self.recipe.bands.iter().map(|&nm| r.band(nm, "oc5_class")).collect::<Result<Vec<_>>>()?;
        let mut out = vec![0u8; r.len()];
        let (recipe, v) = (&self.recipe, self.version);
        par_chunks(&mut out, CHUNK, |start, o| {
            let (mut px, mut scratch, mut four) = (vec![0.0; src.len()], [0.0; 4], [0.0; 4]);
            for (k, out) in o.iter_mut().enumerate() {
                let i = start + k;
                for (p, b) in px.iter_mut().zip(&src) {
                    *p = b[i] as f64;
                }
                recipe.apply(&px, &mut scratch, &mut four);
                *out = quality::oc5_class_pixel(four[0] as f32, four[1] as f32, four[2] as f32, four[3] as f32, chl[i], v);
            }
        });
        Ok(out)
    }
}

/// Moore 2009 water types over a block: dominant class (0 = unclassified or invalid) and,
/// if asked, the memberships f_k pixel-major (pixel i's at 8 i .. 8 i + 8).
pub(super) fn water_types(r: &Reflectances, recipe: &BandRecipe, memberships: bool) -> Result<(Vec<u8>, Option<Vec<f32>>)> {
    let src = recipe.bands.iter().map(|&nm| r.band(nm, "owt_dominant")).collect::<Result<Vec<_>>>()?;
    let n = r.len();
    let classes = quality::moore2009();
    let mut dominant = vec![0u8; n];
    let mut f = vec![0f32; if memberships { n * owt::CLASSES } else { 0 }];
    let one = |i: usize, px: &mut [f64], scratch: &mut [f64; owt::BANDS]| {
        for (p, b) in px.iter_mut().zip(&src) {
            *p = b[i] as f64;
        }
        let mut six = [0.0; owt::BANDS];
        recipe.apply(px, scratch, &mut six);
        quality::owt_memberships_pixel(six, classes)
    };
    par_chunks(&mut dominant, CHUNK, |start, o| {
        let (mut px, mut scratch) = (vec![0.0; src.len()], [0.0; owt::BANDS]);
        for (k, out) in o.iter_mut().enumerate() {
            *out = one(start + k, &mut px, &mut scratch).map_or(0, |m| quality::owt_dominant(&m));
        }
    });
    if memberships {
        par_chunks(&mut f, CHUNK * owt::CLASSES, |start, o| {
            let (mut px, mut scratch) = (vec![0.0; src.len()], [0.0; owt::BANDS]);
            for (k, out) in o.chunks_mut(owt::CLASSES).enumerate() {
                let m = one(start / owt::CLASSES + k, &mut px, &mut scratch);
                for (x, y) in out.iter_mut().zip(m.map_or([f64::NAN; owt::CLASSES], |m| m)) {
                    *x = y as f32;
                }
            }
        });
    }
    Ok((dominant, memberships.then_some(f)))
}

/// A class layer as the product's f32 value: NaN where 0 (not classified).
pub(super) fn class_value(c: &[u8]) -> Vec<f32> {
    c.iter().map(|&k| if k == 0 { f32::NAN } else { k as f32 }).collect()
}

/// The layers of the uncertainty.
pub(super) fn push_layers(out: &mut super::Output, layers: &[&str], sigma_bias: Option<(Vec<f32>, Vec<f32>)>) {
    if let Some((s, b)) = sigma_bias {
        if layers.contains(&"uncertainty") {
            out.layers.push(("uncertainty", Layer::F32(s)));
        }
        if layers.contains(&"bias") {
            out.layers.push(("bias", Layer::F32(b)));
        }
    }
}

/// Pixels per block of `class_term_chunk`: its scratch arrays stay in L1.
const BLOCK: usize = 64;

/// The class term over a chunk, block by block with the pixel loop innermost (so that
/// it vectorises, f32): sigma and bias per pixel, NaN where the value is NaN; the
/// unclassified values where the water types cannot be computed (a band non-finite or
/// negative) or the memberships sum below 1e-6.
#[inline(always)]
fn class_term_chunk(
    ins: [&[f32]; owt::BANDS],
    value: &[f32],
    u_rrs: Option<&[f32]>,
    fast: &owt::FastClasses,
    (a, b, worst_a, worst_b): (&[f32; owt::CLASSES], &[f32; owt::CLASSES], f32, f32),
    sigma: &mut [f32],
    bias: &mut [f32],
) {
    // Every loop runs over a whole BLOCK (the tail block padded with zeros): fixed
    // trip counts and u32 masks are what lets LLVM vectorise all of it.
    let mut r = [[0f32; BLOCK]; owt::BANDS];
    let mut ok = [0u32; BLOCK];
    let (mut s, mut sa, mut sb) = ([0f32; BLOCK], [0f32; BLOCK], [0f32; BLOCK]);
    let (mut v, mut u) = ([0f32; BLOCK], [0f32; BLOCK]);
    let (mut so, mut bo) = ([0f32; BLOCK], [0f32; BLOCK]);
    let mut start = 0;
    while start < sigma.len() {
        let m = BLOCK.min(sigma.len() - start);
        ok.fill(1);
        for k in 0..owt::BANDS {
            let mut x = [0f32; BLOCK];
            x[..m].copy_from_slice(&ins[k][start..start + m]);
            for i in 0..BLOCK {
                let good = x[i] >= 0.0 && x[i] <= f32::MAX;
                ok[i] &= good as u32;
                let xi = if good { x[i] } else { 0.0 };
                r[k][i] = xi / (0.52 + 1.7 * xi);
            }
        }
        s.fill(0.0);
        sa.fill(0.0);
        sb.fill(0.0);
        for c in 0..owt::CLASSES {
            let (w, wmu) = fast.class(c);
            let (ac, bc) = (a[c], b[c]);
            let [r0, r1, r2, r3, r4, r5] = &r;
            for i in 0..BLOCK {
                // |W r - W mu|^2, the lower triangle written out (a loop with a
                // running offset does not vectorise).
                let (x0, x1, x2, x3, x4, x5) = (r0[i], r1[i], r2[i], r3[i], r4[i], r5[i]);
                let y0 = w[0] * x0 - wmu[0];
                let y1 = w[1] * x0 + w[2] * x1 - wmu[1];
                let y2 = w[3] * x0 + w[4] * x1 + w[5] * x2 - wmu[2];
                let y3 = w[6] * x0 + w[7] * x1 + w[8] * x2 + w[9] * x3 - wmu[3];
                let y4 = w[10] * x0 + w[11] * x1 + w[12] * x2 + w[13] * x3 + w[14] * x4 - wmu[4];
                let y5 = w[15] * x0 + w[16] * x1 + w[17] * x2 + w[18] * x3 + w[19] * x4 + w[20] * x5 - wmu[5];
                let z2 = y0 * y0 + y1 * y1 + y2 * y2 + y3 * y3 + y4 * y4 + y5 * y5;
                let h = 0.5 * z2;
                let f = crate::compute::fastmath::f32x::exp10(-h * std::f32::consts::LOG10_E) * (1.0 + h + 0.5 * h * h);
                s[i] += f;
                sa[i] += f * ac;
                sb[i] += f * bc;
            }
        }
        v[..m].copy_from_slice(&value[start..start + m]);
        if let Some(x) = u_rrs {
            u[..m].copy_from_slice(&x[start..start + m]);
        }
        for i in 0..BLOCK {
            let classified = ok[i] != 0 && s[i] >= owt::MIN_SUM as f32;
            let inv = 1.0 / s[i];
            let c = if classified { sa[i] * inv } else { worst_a };
            let bb = if classified { sb[i] * inv } else { worst_b };
            let valid = v[i].abs() <= f32::MAX;
            so[i] = if valid { (c * c + u[i] * u[i]).sqrt() } else { f32::NAN };
            bo[i] = if valid { bb } else { f32::NAN };
        }
        sigma[start..start + m].copy_from_slice(&so[..m]);
        bias[start..start + m].copy_from_slice(&bo[..m]);
        start += m;
    }
}
