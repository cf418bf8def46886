//! Gap-free (L4) fields: ordinary kriging of log10 anomalies against a first
//! guess, in local neighbourhoods (the k nearest observations), with a
//! variogram fitted from the data.
//!
//! Method family: Saulquin, Gohin & Garrello 2011 (IEEE TGRS 49:143) and the
//! GlobColour/CMEMS gap-free products interpolate anomalies to a first guess
//! (fusion.md §4.1). Their exact parameters are not public, so the variogram
//! is fitted from the data (fusion.md §4.1 step 8) and every parameter is the
//! caller's.
//!
//! Variogram models use PyKrige's parameterisation (partial sill `psill`,
//! `range`, `nugget`; PyKrige `variogram_models.py`), so that parameters can
//! be exchanged with it:
//! - exponential: gamma(h) = psill (1 - exp(-3 h / range)) + nugget (range is
//!   the practical range, where 95% of the sill is reached);
//! - spherical: gamma(h) = psill (3h/(2 range) - h^3/(2 range^3)) + nugget for
//!   h <= range, psill + nugget beyond.
//!
//! The nugget is micro-scale variance of the field, honoured exactly at an
//! observation's position (as PyKrige with `exact_values=True`). Observation
//! noise (per sensor) is a separate per-observation variance added to the
//! diagonal only: the estimate then filters it.
//!
//! System, in covariance form C(h) = psill rho(h) (+ nugget at h = 0):
//! [C + diag(noise)] lambda + nu 1 = c0, 1' lambda = 1; the kriging variance
//! is C(0) - lambda' c0 - nu. Solved by Cholesky: u = A^-1 c0, w = A^-1 1,
//! nu = (1'u - 1)/(1'w), lambda = u - nu w.

use rayon::prelude::*;

use crate::compute::fastmath;
use crate::compute::{par_chunk_pairs, threads, with_avx2, Cancel};
use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Model {
    Exponential,
    Spherical,
}

impl Model {
    pub fn parse(name: &str) -> Result<Self> {
        match name {
            "exponential" => Ok(Model::Exponential),
            "spherical" => Ok(Model::Spherical),
            _ => Err(Error::InvalidParameter { name: "variogram model".into(), reason: format!("{name:?} is not one of \"exponential\", \"spherical\"") }),
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Model::Exponential => "exponential",
            Model::Spherical => "spherical",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Variogram {
    pub model: Model,
    pub psill: f64,
    pub range: f64,
    pub nugget: f64,
}

/// Distances at or below this are "the same place" (PyKrige's `eps`).
const SAME_PLACE: f64 = 1e-10;

impl Variogram {
    pub fn new(model: Model, psill: f64, range: f64, nugget: f64) -> Result<Self> {
        if !(psill > 0.0 && range > 0.0 && nugget >= 0.0 && psill.is_finite() && range.is_finite() && nugget.is_finite()) {
            return Err(Error::InvalidParameter {
                name: "variogram".into(),
                reason: format!("needs psill > 0, range > 0, nugget >= 0 (finite); got psill={psill}, range={range}, nugget={nugget}"),
            });
        }
        Ok(Variogram { model, psill, range, nugget })
    }

    /// Correlation of the structured part at distance h.
    fn rho(&self, h: f64) -> f64 {
        match self.model {
            Model::Exponential => (-3.0 * h / self.range).exp(),
            Model::Spherical => {
                if h >= self.range {
                    0.0
                } else {
                    let r = h / self.range;
                    1.0 - 1.5 * r + 0.5 * r * r * r
                }
            }
        }
    }

    /// gamma(h) for h > 0 (0 at h = 0).
    pub fn gamma(&self, h: f64) -> f64 {
        if h <= SAME_PLACE {
            0.0
        } else {
            self.nugget + self.psill * (1.0 - self.rho(h))
        }
    }

    /// Distances -> covariances, in place; branch-free so that it vectorises.
    #[inline(always)]
    fn cov_in_place(&self, h: &mut [f64]) {
        let (psill, sill) = (self.psill, self.sill());
        match self.model {
            Model::Exponential => {
                // exp(-3h/range) as 10^(-3h log10(e)/range): fastmath's
                // branch-free exp10 (error < 1e-15) vectorises, libm's exp does not.
                let k = -3.0 * std::f64::consts::LOG10_E / self.range;
                for v in h {
                    let c = psill * fastmath::exp10(k * *v);
                    *v = if *v <= SAME_PLACE { sill } else { c };
                }
            }
            Model::Spherical => {
                let inv = 1.0 / self.range;
                for v in h {
                    let r = (*v * inv).min(1.0);
                    let c = psill * (1.0 - 1.5 * r + 0.5 * r * r * r);
                    *v = if *v <= SAME_PLACE { sill } else { c };
                }
            }
        }
    }

    pub fn sill(&self) -> f64 {
        self.psill + self.nugget
    }
}

/// The empirical (Matheron) semivariogram of scattered values:
/// gamma(h_k) = sum over pairs in lag bin k of (z_i - z_j)^2 / (2 N_k), with
/// `nlags` equal bins over (0, max_lag]. Uses at most `max_points`
/// observations (an evenly spread deterministic subset) to bound the O(n^2) cost.
/// Returns (lag centre = mean pair distance, gamma, N) for bins with pairs.
pub fn empirical_variogram(x: &[f64], y: &[f64], z: &[f64], nlags: usize, max_lag: f64, max_points: usize) -> Result<(Vec<f64>, Vec<f64>, Vec<u64>)> {
    check_xyz(x, y, z)?;
    if nlags == 0 || max_lag.is_nan() || max_lag <= 0.0 {
        return Err(Error::InvalidParameter { name: "nlags/max_lag".into(), reason: "need nlags >= 1 and max_lag > 0".into() });
    }
    let idx: Vec<usize> = if z.len() > max_points.max(2) {
        let step = z.len() as f64 / max_points as f64;
        (0..max_points).map(|k| (k as f64 * step) as usize).collect()
    } else {
        (0..z.len()).collect()
    };
    let width = max_lag / nlags as f64;
    // Partial sums over fixed pieces of the pair list, added in piece order: the
    // result is bit-identical whatever the thread count or the work stealing
    // (a rayon fold/reduce splits where the scheduler happens to).
    const PIECE: usize = 64;
    let partial = |piece: usize| {
        let (mut ds, mut gs, mut ns) = (vec![0.0; nlags], vec![0.0; nlags], vec![0u64; nlags]);
        for a in piece * PIECE..((piece + 1) * PIECE).min(idx.len()) {
            let i = idx[a];
            for &j in &idx[a + 1..] {
                let h = dist(x[i] - x[j], y[i] - y[j]);
                if h > 0.0 && h <= max_lag {
                    let k = ((h / width) as usize).min(nlags - 1);
                    ds[k] += h;
                    gs[k] += 0.5 * (z[i] - z[j]).powi(2);
                    ns[k] += 1;
                }
            }
        }
        (ds, gs, ns)
    };
    let pieces: Vec<_> = threads::install(|| (0..idx.len().div_ceil(PIECE)).into_par_iter().map(partial).collect());
    let (mut dsum, mut gsum, mut n) = (vec![0.0; nlags], vec![0.0; nlags], vec![0u64; nlags]);
    for (d, g, c) in pieces {
        for k in 0..nlags {
            dsum[k] += d[k];
            gsum[k] += g[k];
            n[k] += c[k];
        }
    }
    let keep: Vec<usize> = (0..nlags).filter(|&k| n[k] > 0).collect();
    Ok((keep.iter().map(|&k| dsum[k] / n[k] as f64).collect(), keep.iter().map(|&k| gsum[k] / n[k] as f64).collect(), keep.iter().map(|&k| n[k]).collect()))
}

/// An empirical variogram: lag centres, semivariances and pair counts.
pub struct Empirical {
    pub lags: Vec<f64>,
    pub gamma: Vec<f64>,
    pub npairs: Vec<u64>,
}

/// The one variogram fit from data used by `l4` and `fusion.fit_variogram`:
/// the empirical variogram over (0, max_lag], `max_lag` defaulting to half
/// the diagonal of the observations' bounding box (beyond it a lag bin holds
/// pairs from the edges only), then the weighted least-squares fit below.
pub fn fit_variogram_to_data(
    model: Model,
    x: &[f64],
    y: &[f64],
    z: &[f64],
    nlags: usize,
    max_lag: Option<f64>,
    max_points: usize,
) -> Result<(Variogram, Empirical)> {
    check_xyz(x, y, z)?;
    let extent = |v: &[f64]| v.iter().cloned().fold(f64::NEG_INFINITY, f64::max) - v.iter().cloned().fold(f64::INFINITY, f64::min);
    let max_lag = max_lag.unwrap_or_else(|| 0.5 * extent(x).hypot(extent(y)));
    let (lags, gamma, npairs) = empirical_variogram(x, y, z, nlags, max_lag, max_points.max(2))?;
    let v = fit_variogram(model, &lags, &gamma, &npairs)?;
    Ok((v, Empirical { lags, gamma, npairs }))
}

/// Fits a variogram model to an empirical variogram by weighted least
/// squares with Cressie's (1985) weights N_k / gamma_k^2 (the empirical gamma
/// standing for the model's, which keeps the problem linear): for each trial
/// range on a fine log-spaced grid, (nugget, psill) solve a 2x2 weighted least
/// squares, constrained to be >= 0; the range with the least weighted
/// residual wins. Deterministic, no starting values needed.
pub fn fit_variogram(model: Model, lags: &[f64], gamma: &[f64], npairs: &[u64]) -> Result<Variogram> {
    if lags.len() < 3 || lags.len() != gamma.len() || lags.len() != npairs.len() {
        return Err(Error::InvalidParameter {
            name: "empirical variogram".into(),
            reason: format!("need >= 3 lags with matching gamma and pair counts, got {}/{}/{}", lags.len(), gamma.len(), npairs.len()),
        });
    }
    let w: Vec<f64> = gamma.iter().zip(npairs).map(|(&g, &n)| n as f64 / g.max(1e-12).powi(2)).collect();
    let hmax = lags.iter().cloned().fold(0.0, f64::max);
    let hmin = lags.iter().cloned().fold(f64::INFINITY, f64::min);
    let mut best: Option<(f64, Variogram)> = None;
    for t in 0..400 {
        // Ranges from a tenth of the shortest lag to ten times the longest.
        let range = 0.1 * hmin * (100.0 * hmax / hmin).powf(t as f64 / 399.0);
        let unit = Variogram { model, psill: 1.0, range, nugget: 0.0 };
        let f: Vec<f64> = lags.iter().map(|&h| unit.gamma(h)).collect();
        // Normal equations for gamma ~ c0 + c f.
        let (mut s1, mut sf, mut sff, mut sg, mut sfg) = (0.0, 0.0, 0.0, 0.0, 0.0);
        for k in 0..f.len() {
            s1 += w[k];
            sf += w[k] * f[k];
            sff += w[k] * f[k] * f[k];
            sg += w[k] * gamma[k];
            sfg += w[k] * f[k] * gamma[k];
        }
        let det = s1 * sff - sf * sf;
        let (mut c0, mut c) = if det.abs() > 1e-300 { ((sff * sg - sf * sfg) / det, (s1 * sfg - sf * sg) / det) } else { (0.0, sfg / sff) };
        if c0 < 0.0 {
            c0 = 0.0;
            c = sfg / sff;
        }
        if c <= 0.0 {
            continue;
        }
        if c0 < 0.0 {
            c0 = 0.0;
        }
        let sse: f64 = (0..f.len()).map(|k| w[k] * (gamma[k] - c0 - c * f[k]).powi(2)).sum();
        if best.as_ref().is_none_or(|(b, _)| sse < *b) {
            best = Some((sse, Variogram { model, psill: c, range, nugget: c0 }));
        }
    }
    best.map(|b| b.1).ok_or_else(|| Error::InvalidParameter {
        name: "empirical variogram".into(),
        reason: "no positive sill fits: the values show no spatial structure".into(),
    })
}

fn check_xyz(x: &[f64], y: &[f64], z: &[f64]) -> Result<()> {
    if x.len() != z.len() || y.len() != z.len() {
        return Err(Error::InvalidParameter {
            name: "observations".into(),
            reason: format!("x, y and values have different lengths ({}, {}, {})", x.len(), y.len(), z.len()),
        });
    }
    if let Some(i) = (0..z.len()).find(|&i| !(x[i].is_finite() && y[i].is_finite() && z[i].is_finite())) {
        return Err(Error::InvalidParameter {
            name: "observations".into(),
            reason: format!("observation {i} is not finite (x={}, y={}, value={}); drop missing values first", x[i], y[i], z[i]),
        });
    }
    Ok(())
}

/// A bucket grid over the observations for k-nearest-neighbour queries.
struct BucketIndex {
    x0: f64,
    y0: f64,
    size: f64,
    nx: usize,
    ny: usize,
    start: Vec<usize>,
    items: Vec<u32>,
}

impl BucketIndex {
    fn new(x: &[f64], y: &[f64], per_bucket: f64) -> Self {
        let fold = |v: &[f64]| v.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &t| (a.min(t), b.max(t)));
        let ((x0, x1), (y0, y1)) = (fold(x), fold(y));
        let area = ((x1 - x0) * (y1 - y0)).max(f64::MIN_POSITIVE);
        let mut size = (area * per_bucket / x.len() as f64).sqrt();
        if size.is_nan() || size <= 0.0 {
            size = ((x1 - x0).max(y1 - y0)).max(1.0);
        }
        // Capped in f64 before the cast: observations on a line (zero area)
        // give a tiny size, and a saturated cast + 1 would wrap to 0 buckets.
        const MAX_SIDE: f64 = (1 << 14) as f64 - 1.0;
        let nx = ((x1 - x0) / size).min(MAX_SIDE) as usize + 1;
        let ny = ((y1 - y0) / size).min(MAX_SIDE) as usize + 1;
        let size = size.max((x1 - x0) / nx as f64).max((y1 - y0) / ny as f64) * (1.0 + 1e-12);
        let mut idx = BucketIndex { x0, y0, size, nx, ny, start: vec![0; nx * ny + 1], items: vec![0; x.len()] };
        let cells: Vec<usize> = x.iter().zip(y).map(|(&a, &b)| idx.bucket(a, b)).collect();
        for &c in &cells {
            idx.start[c + 1] += 1;
        }
        for c in 0..nx * ny {
            idx.start[c + 1] += idx.start[c];
        }
        let mut fill = idx.start.clone();
        for (i, &c) in cells.iter().enumerate() {
            idx.items[fill[c]] = i as u32;
            fill[c] += 1;
        }
        idx
    }

    fn coords(&self, x: f64, y: f64) -> (i64, i64) {
        (((x - self.x0) / self.size).floor() as i64, ((y - self.y0) / self.size).floor() as i64)
    }

    fn bucket(&self, x: f64, y: f64) -> usize {
        let (i, j) = self.coords(x, y);
        (j.clamp(0, self.ny as i64 - 1) as usize) * self.nx + i.clamp(0, self.nx as i64 - 1) as usize
    }

    /// The k nearest observations to (tx, ty), nearest first, into `out` as
    /// (distance, index).
    fn nearest(&self, x: &[f64], y: &[f64], tx: f64, ty: f64, k: usize, out: &mut Vec<(f64, u32)>) {
        out.clear();
        let (ci, cj) = self.coords(tx, ty);
        // Distance from the target to the edges of its own bucket: the ring r
        // holds no point closer than r*size minus this slack.
        let slack_x = (tx - (self.x0 + ci as f64 * self.size)).min(self.x0 + (ci + 1) as f64 * self.size - tx);
        let slack_y = (ty - (self.y0 + cj as f64 * self.size)).min(self.y0 + (cj + 1) as f64 * self.size - ty);
        let slack = slack_x.min(slack_y).max(0.0);
        let max_ring = (self.nx.max(self.ny) as i64) + ci.abs().max(cj.abs()) + 1;
        let mut worst = f64::INFINITY;
        for r in 0..=max_ring {
            if out.len() == k && worst <= (r as f64 - 1.0) * self.size + slack {
                break;
            }
            let (jlo, jhi) = ((cj - r).max(0), (cj + r).min(self.ny as i64 - 1));
            for j in jlo..=jhi {
                let on_edge_row = j == cj - r || j == cj + r;
                let step = if on_edge_row { 1 } else { (2 * r).max(1) };
                let mut i = ci - r;
                while i <= ci + r {
                    if i >= 0 && i < self.nx as i64 {
                        let b = j as usize * self.nx + i as usize;
                        for &p in &self.items[self.start[b]..self.start[b + 1]] {
                            let d = dist(x[p as usize] - tx, y[p as usize] - ty);
                            if out.len() < k || d < worst {
                                let pos = out.partition_point(|e| e.0 <= d);
                                out.insert(pos, (d, p));
                                out.truncate(k);
                                if out.len() == k {
                                    worst = out[k - 1].0;
                                }
                            }
                        }
                    }
                    i += step;
                }
            }
        }
    }
}

/// Result of kriging: estimate and kriging error variance at each target.
#[derive(Debug, Clone)]
pub struct Kriged {
    pub estimate: Vec<f64>,
    pub variance: Vec<f64>,
}

/// Unbiasedness: ordinary kriging estimates the local mean from the
/// neighbourhood; simple kriging takes it as known (`mean`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Mean {
    Ordinary,
    Simple(f64),
}

/// Kriging at (tx, ty) from the observations (x, y, z) with their noise
/// variances (`noise`, per observation, or empty for none), using the
/// `k` nearest observations for each target.
#[allow(clippy::too_many_arguments)]
pub fn krige(x: &[f64], y: &[f64], z: &[f64], noise: &[f64], tx: &[f64], ty: &[f64], vario: &Variogram, k: usize, mean: Mean) -> Result<Kriged> {
    krige_until(x, y, z, noise, tx, ty, vario, k, mean, Cancel::NEVER)
}

/// `krige`, stopping early with `Error::Cancelled` once `cancel` is requested
/// (checked before each piece of targets: minutes on large grids).
#[allow(clippy::too_many_arguments)]
fn krige_until(
    x: &[f64],
    y: &[f64],
    z: &[f64],
    noise: &[f64],
    tx: &[f64],
    ty: &[f64],
    vario: &Variogram,
    k: usize,
    mean: Mean,
    cancel: Cancel,
) -> Result<Kriged> {
    check_xyz(x, y, z)?;
    if z.is_empty() {
        return Err(Error::InvalidParameter { name: "observations".into(), reason: "no observations to krige from".into() });
    }
    if !noise.is_empty() && (noise.len() != z.len() || noise.iter().any(|&e| !(e >= 0.0 && e.is_finite()))) {
        return Err(Error::InvalidParameter {
            name: "noise variance".into(),
            reason: format!("needs one finite value >= 0 per observation ({} observations, {} given)", z.len(), noise.len()),
        });
    }
    if tx.len() != ty.len() {
        return Err(Error::InvalidParameter { name: "targets".into(), reason: format!("x has {} points, y {}", tx.len(), ty.len()) });
    }
    if k == 0 {
        return Err(Error::InvalidParameter { name: "k".into(), reason: "the neighbourhood needs at least one observation".into() });
    }
    let ctx = Ctx { x, y, z, noise, tx, ty, vario: *vario, k: k.min(z.len()), mean, index: BucketIndex::new(x, y, 2.0) };
    let n = tx.len();
    let mut estimate = vec![f64::NAN; n];
    let mut variance = vec![f64::NAN; n];
    const CHUNK: usize = 256;
    par_chunk_pairs(
        &mut estimate,
        &mut variance,
        CHUNK,
        || Solver::new(ctx.k),
        |first, est, var, s| {
            if !cancel.requested() {
                run_chunk(&ctx, s, first, est, var)
            }
        },
    );
    if cancel.requested() {
        return Err(Error::Cancelled);
    }
    Ok(Kriged { estimate, variance })
}

/// What every target's system is built from.
struct Ctx<'a> {
    x: &'a [f64],
    y: &'a [f64],
    z: &'a [f64],
    noise: &'a [f64],
    tx: &'a [f64],
    ty: &'a [f64],
    vario: Variogram,
    k: usize,
    mean: Mean,
    index: BucketIndex,
}

/// One piece of targets, compiled for AVX2+FMA where the CPU has them.
fn run_chunk(ctx: &Ctx, s: &mut Solver, first: usize, est: &mut [f64], var: &mut [f64]) {
    with_avx2(
        #[inline(always)]
        || chunk_body(ctx, s, first, est, var),
    )
}

#[inline(always)]
fn chunk_body(ctx: &Ctx, s: &mut Solver, first: usize, est: &mut [f64], var: &mut [f64]) {
    for (o, (e, v)) in est.iter_mut().zip(var.iter_mut()).enumerate() {
        let t = first + o;
        let (tx, ty) = (ctx.tx[t], ctx.ty[t]);
        if !(tx.is_finite() && ty.is_finite()) {
            continue;
        }
        ctx.index.nearest(ctx.x, ctx.y, tx, ty, ctx.k, &mut s.nbr);
        (*e, *v) = s.solve(ctx);
    }
}

/// Per-thread scratch space for one kriging system.
struct Solver {
    nbr: Vec<(f64, u32)>,
    px: Vec<f64>,
    py: Vec<f64>,
    a: Vec<f64>,
    u: Vec<f64>,
    w: Vec<f64>,
    c0: Vec<f64>,
}

impl Solver {
    fn new(k: usize) -> Self {
        Solver { nbr: Vec::with_capacity(k + 1), px: vec![0.0; k], py: vec![0.0; k], a: vec![0.0; k * k], u: vec![0.0; k], w: vec![0.0; k], c0: vec![0.0; k] }
    }

    #[inline(always)]
    fn solve(&mut self, ctx: &Ctx) -> (f64, f64) {
        let vario = &ctx.vario;
        let m = self.nbr.len();
        let (px, py) = (&mut self.px[..m], &mut self.py[..m]);
        for (i, &(d, p)) in self.nbr.iter().enumerate() {
            px[i] = ctx.x[p as usize];
            py[i] = ctx.y[p as usize];
            self.c0[i] = d;
        }
        vario.cov_in_place(&mut self.c0[..m]);
        let a = &mut self.a[..m * m];
        // Lower triangle: distances, then covariances, row by row (both loops
        // vectorise); the diagonal carries the sill plus the noise.
        for i in 0..m {
            let row = &mut a[i * m..i * m + i];
            for j in 0..i {
                row[j] = dist(px[i] - px[j], py[i] - py[j]);
            }
            vario.cov_in_place(row);
            let p = self.nbr[i].1 as usize;
            a[i * m + i] = vario.sill() + if ctx.noise.is_empty() { 0.0 } else { ctx.noise[p] };
        }
        if !cholesky(a, m) {
            return (f64::NAN, f64::NAN);
        }
        let (u, w) = (&mut self.u[..m], &mut self.w[..m]);
        u.copy_from_slice(&self.c0[..m]);
        w.fill(1.0);
        cholesky_solve2(a, m, u, w);
        let var = match ctx.mean {
            Mean::Ordinary => {
                let nu = (u.iter().sum::<f64>() - 1.0) / w.iter().sum::<f64>();
                for i in 0..m {
                    u[i] -= nu * w[i];
                }
                vario.sill() - dot(u, &self.c0[..m]) - nu
            }
            Mean::Simple(_) => vario.sill() - dot(u, &self.c0[..m]),
        };
        let z = |i: usize| ctx.z[self.nbr[i].1 as usize];
        let est = match ctx.mean {
            Mean::Ordinary => (0..m).map(|i| u[i] * z(i)).sum(),
            Mean::Simple(mu) => mu + (0..m).map(|i| u[i] * (z(i) - mu)).sum::<f64>(),
        };
        (est, var.max(0.0))
    }
}

/// Euclidean length; `hypot`'s overflow care costs several times more and is
/// not needed for map coordinates.
#[inline(always)]
fn dist(dx: f64, dy: f64) -> f64 {
    (dx * dx + dy * dy).sqrt()
}

#[inline(always)]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(p, q)| p * q).sum()
}

/// In-place Cholesky of the lower triangle of the m x m row-major `a`, then
/// L' copied into the upper triangle so that both triangular solves read
/// rows; false if `a` is not positive definite.
#[inline(always)]
fn cholesky(a: &mut [f64], m: usize) -> bool {
    for j in 0..m {
        let d = a[j * m + j] - dot(&a[j * m..j * m + j], &a[j * m..j * m + j]);
        if d.is_nan() || d <= 0.0 {
            return false;
        }
        let d = d.sqrt();
        a[j * m + j] = d;
        for i in j + 1..m {
            let (head, tail) = a.split_at_mut(i * m);
            let s = tail[j] - dot(&tail[..j], &head[j * m..j * m + j]);
            tail[j] = s / d;
        }
    }
    for i in 0..m {
        for p in i + 1..m {
            a[i * m + p] = a[p * m + i];
        }
    }
    true
}

/// Solves (L L') v = b for two right-hand sides in place, L from `cholesky`.
#[inline(always)]
fn cholesky_solve2(l: &[f64], m: usize, b1: &mut [f64], b2: &mut [f64]) {
    for i in 0..m {
        let row = &l[i * m..i * m + i];
        b1[i] = (b1[i] - dot(row, &b1[..i])) / l[i * m + i];
        b2[i] = (b2[i] - dot(row, &b2[..i])) / l[i * m + i];
    }
    for i in (0..m).rev() {
        let row = &l[i * m + i + 1..i * m + m];
        b1[i] = (b1[i] - dot(row, &b1[i + 1..m])) / l[i * m + i];
        b2[i] = (b2[i] - dot(row, &b2[i + 1..m])) / l[i * m + i];
    }
}

/// Mean Earth radius (km), IUGG (Moritz 1980, Geodetic Reference System 1980).
pub const EARTH_RADIUS_KM: f64 = 6371.0088;

/// Where the cells of a grid are, in the variogram's distance unit: row r,
/// column c (row-major cell r * ncols + c) is at (x_scale[r] * x[c], y[r]).
#[derive(Debug, Clone)]
pub struct GridCoordinates {
    x: Vec<f64>,
    x_scale: Vec<f64>,
    y: Vec<f64>,
}

impl GridCoordinates {
    /// Cells `dx` apart along a row and `dy` apart between rows.
    pub fn even((nrows, ncols): (usize, usize), (dx, dy): (f64, f64)) -> Self {
        GridCoordinates { x: (0..ncols).map(|c| c as f64 * dx).collect(), x_scale: vec![1.0; nrows], y: (0..nrows).map(|r| r as f64 * dy).collect() }
    }

    /// The cells of a latitude/longitude grid (1-D axes, degrees) in km, on
    /// the sinusoidal projection centred on the grid's middle meridian:
    /// x = R cos(lat) (lon - lon_mid), y = R lat. Distances along parallels
    /// and meridians are the sphere's; in other directions the projection
    /// shears by (lon - lon_mid) sin(lat), so distances to diagonal neighbours
    /// are off by up to about half that: about 2% within 3 degrees of
    /// longitude of the middle meridian at 60 N, about 6.5% at 10 degrees.
    /// (One cos(latitude) for a whole 40-62 N grid, the simpler choice, is 34%
    /// off at its northern edge.) A conformal projection would do better on
    /// very wide grids.
    pub fn sinusoidal_km(lat: &[f64], lon: &[f64]) -> Result<Self> {
        if lat.is_empty() || lon.is_empty() || lat.iter().chain(lon).any(|v| !v.is_finite()) || lat.iter().any(|v| v.abs() > 90.0) {
            return Err(Error::InvalidParameter {
                name: "lat/lon".into(),
                reason: "need non-empty 1-D axes of finite degrees, latitudes within [-90, 90]".into(),
            });
        }
        let km_per_degree = EARTH_RADIUS_KM * std::f64::consts::PI / 180.0;
        let (lo, hi) = lon.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)));
        let mid = 0.5 * (lo + hi);
        Ok(GridCoordinates {
            x: lon.iter().map(|&l| (l - mid) * km_per_degree).collect(),
            x_scale: lat.iter().map(|&l| l.to_radians().cos()).collect(),
            y: lat.iter().map(|&l| l * km_per_degree).collect(),
        })
    }

    /// (rows, columns).
    pub fn shape(&self) -> (usize, usize) {
        (self.y.len(), self.x.len())
    }

    /// Position of row-major cell `i`.
    pub fn at(&self, i: usize) -> (f64, f64) {
        let (r, c) = (i / self.x.len(), i % self.x.len());
        (self.x_scale[r] * self.x[c], self.y[r])
    }
}

/// A gap-free field on a grid (row-major, `cells` gives its shape and where
/// each cell is): kriging of the log10 anomalies log10(values) -
/// first_guess_log10 from the `k` nearest observed cells (values > 0 and a
/// finite first guess), at every cell with a finite first guess. `noise`:
/// observation noise variance per cell (empty for none).
/// Returns (log10 analysis, kriging variance); NaN where the first guess is;
/// `Error::Cancelled` once `cancel` is requested.
#[allow(clippy::too_many_arguments)]
pub fn l4_grid(
    values: &[f64],
    first_guess_log10: &[f64],
    cells: &GridCoordinates,
    noise: &[f64],
    vario: &Variogram,
    k: usize,
    mean: Mean,
    cancel: Cancel,
) -> Result<(Vec<f64>, Vec<f64>)> {
    let (nrows, ncols) = cells.shape();
    let n = nrows * ncols;
    if values.len() != n || first_guess_log10.len() != n || (!noise.is_empty() && noise.len() != n) {
        return Err(Error::InvalidParameter {
            name: "l4 grid".into(),
            reason: format!(
                "values ({}), first guess ({}) and noise ({}) must all have {nrows} x {ncols} = {n} cells",
                values.len(),
                first_guess_log10.len(),
                noise.len()
            ),
        });
    }
    let xy = |i: usize| cells.at(i);
    let observed: Vec<usize> = (0..n).filter(|&i| values[i] > 0.0 && values[i].is_finite() && first_guess_log10[i].is_finite()).collect();
    if observed.is_empty() {
        return Err(Error::InvalidParameter { name: "l4 grid".into(), reason: "no cell has both an observation and a first guess".into() });
    }
    let (x, y): (Vec<f64>, Vec<f64>) = observed.iter().map(|&i| xy(i)).unzip();
    let z: Vec<f64> = observed.iter().map(|&i| values[i].log10() - first_guess_log10[i]).collect();
    let e: Vec<f64> = if noise.is_empty() { vec![] } else { observed.iter().map(|&i| noise[i]).collect() };
    let targets: Vec<usize> = (0..n).filter(|&i| first_guess_log10[i].is_finite()).collect();
    let (tx, ty): (Vec<f64>, Vec<f64>) = targets.iter().map(|&i| xy(i)).unzip();
    let r = krige_until(&x, &y, &z, &e, &tx, &ty, vario, k, mean, cancel)?;
    let (mut est, mut var) = (vec![f64::NAN; n], vec![f64::NAN; n]);
    for (j, &i) in targets.iter().enumerate() {
        est[i] = first_guess_log10[i] + r.estimate[j];
        var[i] = r.variance[j];
    }
    Ok((est, var))
}

/// The first guess of a day's analysis, in log10: the climatology relaxed
/// toward by the previous analysis, x_b = clim + alpha (prev - clim) in
/// log10 (fusion.md §4.1 (b), alpha = exp(-dt/L_t)); alpha = 0 gives the
/// climatology, and a missing previous analysis (NaN) falls back to it.
pub fn first_guess_log10(clim: &[f32], prev: &[f32], alpha: f64) -> Result<Vec<f64>> {
    if !(0.0..=1.0).contains(&alpha) {
        return Err(Error::InvalidParameter { name: "alpha".into(), reason: format!("must be in [0, 1], got {alpha}") });
    }
    if !prev.is_empty() && prev.len() != clim.len() {
        return Err(Error::InvalidParameter { name: "previous analysis".into(), reason: format!("has {} cells, the climatology {}", prev.len(), clim.len()) });
    }
    Ok((0..clim.len())
        .map(|i| {
            let c = if clim[i] > 0.0 { (clim[i] as f64).log10() } else { f64::NAN };
            match prev.get(i) {
                Some(&p) if p > 0.0 && p.is_finite() => c + alpha * ((p as f64).log10() - c),
                _ => c,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn observations_on_a_line_are_indexed() {
        // Two observations with the same y: zero area, which once gave 0 buckets (a panic).
        let (x, y) = ([0.0, 1.0], [0.0, 0.0]);
        let idx = BucketIndex::new(&x, &y, 2.0);
        assert!(idx.nx >= 1 && idx.ny >= 1);
        let mut out = Vec::new();
        idx.nearest(&x, &y, 0.2, 0.0, 2, &mut out);
        assert_eq!(out.iter().map(|e| e.1).collect::<Vec<_>>(), vec![0, 1]);
    }

    fn pts() -> (Vec<f64>, Vec<f64>, Vec<f64>) {
        // A deterministic scatter (Weyl sequence) with a smooth field.
        let n = 300;
        let x: Vec<f64> = (0..n).map(|i| (i as f64 * 0.618_033_988_75).fract() * 50.0).collect();
        let y: Vec<f64> = (0..n).map(|i| (i as f64 * 0.414_213_562_37).fract() * 50.0).collect();
        let z = x.iter().zip(&y).map(|(a, b)| (a / 9.0).sin() + (b / 7.0).cos()).collect();
        (x, y, z)
    }

    #[test]
    fn kriging_stops_when_cancelled_and_runs_when_not() {
        let (x, y, z) = pts();
        let v = Variogram::new(Model::Exponential, 1.0, 10.0, 0.0).unwrap();
        let stop = std::sync::atomic::AtomicBool::new(true);
        let r = krige_until(&x, &y, &z, &[], &x, &y, &v, 16, Mean::Ordinary, Cancel::on(&stop));
        assert_eq!(r.err(), Some(Error::Cancelled));
        stop.store(false, std::sync::atomic::Ordering::SeqCst);
        let r = krige_until(&x, &y, &z, &[], &x, &y, &v, 16, Mean::Ordinary, Cancel::on(&stop)).unwrap();
        assert_eq!(r.estimate, krige(&x, &y, &z, &[], &x, &y, &v, 16, Mean::Ordinary).unwrap().estimate);
    }

    #[test]
    fn nearest_matches_brute_force() {
        let (x, y, _) = pts();
        let idx = BucketIndex::new(&x, &y, 2.0);
        let mut out = Vec::new();
        for (tx, ty) in [(0.0, 0.0), (25.3, 11.1), (49.9, 49.9), (-20.0, 70.0)] {
            idx.nearest(&x, &y, tx, ty, 16, &mut out);
            let mut all: Vec<f64> = x.iter().zip(&y).map(|(a, b)| ((a - tx).powi(2) + (b - ty).powi(2)).sqrt()).collect();
            all.sort_by(|a, b| a.partial_cmp(b).unwrap());
            let got: Vec<f64> = out.iter().map(|e| e.0).collect();
            assert_eq!(got, all[..16].to_vec());
        }
    }

    #[test]
    fn exact_at_observations_and_weights_sum_to_one() {
        let (x, y, z) = pts();
        let v = Variogram::new(Model::Exponential, 1.0, 20.0, 0.0).unwrap();
        let r = krige(&x, &y, &z, &[], &x[..20], &y[..20], &v, 24, Mean::Ordinary).unwrap();
        for (i, zi) in z.iter().enumerate().take(20) {
            assert!((r.estimate[i] - zi).abs() < 1e-9, "{} vs {}", r.estimate[i], zi);
            assert!(r.variance[i] < 1e-9);
        }
        // A constant field is reproduced anywhere (weights sum to 1).
        let c = vec![3.5; x.len()];
        let r = krige(&x, &y, &c, &[], &[7.7, 100.0], &[3.3, 100.0], &v, 24, Mean::Ordinary).unwrap();
        assert!(r.estimate.iter().all(|e| (e - 3.5).abs() < 1e-9));
        // Far away the variance tends to the sill (plus the mean's uncertainty).
        assert!(r.variance[1] > 0.99 * v.sill());
    }

    /// Great-circle distance (haversine), km.
    fn great_circle_km((lat1, lon1): (f64, f64), (lat2, lon2): (f64, f64)) -> f64 {
        let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
        let h = ((p2 - p1) / 2.0).sin().powi(2) + p1.cos() * p2.cos() * ((lon2 - lon1).to_radians() / 2.0).sin().powi(2);
        2.0 * EARTH_RADIUS_KM * h.sqrt().asin()
    }

    #[test]
    fn sinusoidal_cells_keep_neighbour_distances_on_a_shelf_grid() {
        // A European-shelf-like grid: 40-62 N, 16 W - 4 E, 0.1 degree cells.
        let lat: Vec<f64> = (0..=220).map(|r| 62.0 - 0.1 * r as f64).collect();
        let lon: Vec<f64> = (0..=200).map(|c| -16.0 + 0.1 * c as f64).collect();
        let g = GridCoordinates::sinusoidal_km(&lat, &lon).unwrap();
        let ncols = lon.len();
        // Worst relative error of the distance to a neighbour 3 cells away
        // diagonally (as in a kriging neighbourhood), over cells within
        // `width` degrees of the middle meridian (-6 E).
        let worst = |width: f64| {
            let mut worst = 0.0f64;
            for r in (0..lat.len() - 3).step_by(10) {
                for c in (0..ncols - 3).step_by(5).filter(|&c| (lon[c] + 6.0).abs() <= width) {
                    let (a, b) = (r * ncols + c, (r + 3) * ncols + c + 3);
                    let ((xa, ya), (xb, yb)) = (g.at(a), g.at(b));
                    let planar = ((xa - xb).powi(2) + (ya - yb).powi(2)).sqrt();
                    let sphere = great_circle_km((lat[r], lon[c]), (lat[r + 3], lon[c + 3]));
                    worst = worst.max((planar / sphere - 1.0).abs());
                }
            }
            worst
        };
        assert!(worst(3.0) < 0.025, "within 3 degrees: {}", worst(3.0));
        assert!(worst(10.0) < 0.07, "within 10 degrees: {}", worst(10.0));
        // The single middle-latitude cos(lat) it replaces is far off at the edges.
        let mid_cos = 51f64.to_radians().cos();
        let east_west_62n = great_circle_km((62.0, 0.0), (62.0, 0.1));
        assert!((0.1 * EARTH_RADIUS_KM.to_radians() * mid_cos / east_west_62n - 1.0).abs() > 0.3);
    }

    #[test]
    fn variogram_fit_recovers_parameters() {
        let v = Variogram::new(Model::Spherical, 2.0, 30.0, 0.5).unwrap();
        let lags: Vec<f64> = (1..=20).map(|k| k as f64 * 2.5).collect();
        let g: Vec<f64> = lags.iter().map(|&h| v.gamma(h)).collect();
        let f = fit_variogram(Model::Spherical, &lags, &g, &[100; 20]).unwrap();
        assert!((f.psill - 2.0).abs() < 0.05 && (f.range - 30.0).abs() < 0.5 && (f.nugget - 0.5).abs() < 0.05, "{f:?}");
    }
}
