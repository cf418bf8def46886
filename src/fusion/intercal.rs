//! Intercalibration of a sensor against a reference sensor, fitted from
//! same-cell, same-day pairs over an overlap period, in log10 space
//! (chlorophyll, SPM). Statistics on matched pairs only, never on separate
//! climatologies (van Oostende et al. 2022; fusion.md §2.2.3).
//!
//! Methods (fusion.md §2.2.1-2.2.2):
//! - `LogOffset`: log10 x_corr = log10 x + b, b = median of the log10
//!   differences reference - sensor;
//! - `Rma`: Type-II (reduced major axis) regression in log10,
//!   log10 x_corr = alpha + beta log10 x, beta = sign(r) s_ref/s_sensor,
//!   alpha = mean_ref - beta mean_sensor;
//! - `Quantile`: quantile mapping (CDF matching) of log10 values,
//!   x_corr = F_ref^-1(F_sensor(x)), linear between `nq` quantiles of the
//!   overlap pairs, shifted by the end offsets beyond them;
//! - `Field`: a log10 offset varying in space (blocks of cells) and with the
//!   season (day-of-year bins with a circular window), OC-CCI style. The
//!   OC-CCI form (ratio or difference, window, spatial support) is not
//!   published in detail (fusion.md §10.2), so all of these are parameters:
//!   the median log10 difference per (season, block) where at least
//!   `min_pairs` pairs exist, else the season's median over all blocks, else
//!   the overall median (the fallback level is recorded per entry). Applied
//!   with linear interpolation in day of year between season centres.
//!
//! Chaining (OC-CCI: VIIRS and OLCI against already corrected MODIS): fit
//! against the reference's corrected values and record the chain.

use super::binning::{Averaging, L3Bins};
use super::grid::GridSpec;
use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    LogOffset { offset: f64 },
    Rma { intercept: f64, slope: f64 },
    Quantile { sensor_q: Vec<f64>, reference_q: Vec<f64> },
    Field(Field),
}

/// A space- and season-varying log10 offset.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// Cells per block along rows and columns.
    pub block: (usize, usize),
    /// Grid rows and columns the correction was fitted on.
    pub grid: (usize, usize),
    pub nseason: usize,
    /// Half-width (days) of the circular day-of-year window around each season centre.
    pub window_days: f64,
    pub min_pairs: u32,
    /// Offset per (season, block row, block column), season slowest.
    pub offset: Vec<f64>,
    /// Pairs used per entry.
    pub n_pairs: Vec<u32>,
    /// Inter-quartile range of the log10 differences per entry (NaN if < 2 pairs).
    pub iqr: Vec<f64>,
    /// 0: fitted locally; 1: the season's median over all blocks; 2: the overall median.
    pub fallback: Vec<u8>,
}

impl Field {
    fn nblocks(&self) -> (usize, usize) {
        (self.grid.0.div_ceil(self.block.0), self.grid.1.div_ceil(self.block.1))
    }
    fn season_centre(&self, s: usize) -> f64 {
        (s as f64 + 0.5) * YEAR / self.nseason as f64
    }
}

const YEAR: f64 = 365.25;

/// A fitted correction with its diagnostics and provenance.
#[derive(Debug, Clone, PartialEq)]
pub struct Correction {
    pub kind: Kind,
    /// Sensor corrected, then the reference, then the reference's own
    /// reference for a chained correction ("OLCI-A", "MODIS-Aqua", "MERIS").
    pub chain: Vec<String>,
    /// Overlap period the pairs come from (free text, e.g. "2016-07-01/2019-06-30").
    pub period: String,
    pub n_pairs: u64,
    /// Median and robust spread (IQR/1.349) of log10(reference) - log10(sensor)
    /// over the pairs, before and after the correction.
    pub bias_before: f64,
    pub spread_before: f64,
    pub bias_after: f64,
    pub spread_after: f64,
}

/// How to fit.
#[derive(Debug, Clone, PartialEq)]
pub enum Method {
    LogOffset,
    Rma,
    Quantile { nq: usize },
    Field { block: (usize, usize), nseason: usize, window_days: f64, min_pairs: u32 },
}

/// The options of the methods that take any (the field method's blocks and
/// seasons, the quantile count), as the config and `fusion.intercal` give them.
pub struct MethodOptions {
    pub nq: usize,
    pub block: (usize, usize),
    pub nseason: usize,
    pub window_days: f64,
    pub min_pairs: u32,
}

impl Method {
    /// The method named `name` ("log_offset", also "offset"; "rma";
    /// "quantile"; "field"): the one parser of the config and the bindings.
    pub fn parse(name: &str, o: &MethodOptions) -> Result<Method> {
        Ok(match name {
            "log_offset" | "offset" => Method::LogOffset,
            "rma" => Method::Rma,
            "quantile" => Method::Quantile { nq: o.nq },
            "field" => Method::Field { block: o.block, nseason: o.nseason, window_days: o.window_days, min_pairs: o.min_pairs },
            m => {
                return Err(Error::InvalidParameter {
                    name: "method".into(),
                    reason: format!("{m:?} is not one of log_offset (or offset), rma, quantile, field"),
                })
            }
        })
    }
}

/// Daily fields on a common grid, `(ndays, nrows, ncols)` flattened C-order,
/// NaN or <= 0 where missing, with the day of year of each day.
pub struct DailyFields<'a> {
    pub values: &'a [f32],
    pub shape: (usize, usize, usize),
    pub doy: &'a [f64],
}

impl DailyFields<'_> {
    fn check(&self, what: &str) -> Result<()> {
        let (d, r, c) = self.shape;
        if self.values.len() != d * r * c {
            return Err(Error::InvalidParameter {
                name: what.into(),
                reason: format!("has {} values, shape {:?} needs {}", self.values.len(), self.shape, d * r * c),
            });
        }
        if self.doy.len() != d {
            return Err(Error::InvalidParameter {
                name: format!("{what} day of year"),
                reason: format!("needs one day of year per day ({d}), got {}", self.doy.len()),
            });
        }
        Ok(())
    }
}

fn log10_valid(x: f32) -> Option<f64> {
    (x > 0.0 && x.is_finite()).then(|| (x as f64).log10())
}

/// Quantile of sorted data, linear between order statistics (numpy's default).
fn quantile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let h = p * (sorted.len() - 1) as f64;
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

fn sorted(mut v: Vec<f64>) -> Vec<f64> {
    v.sort_by(f64::total_cmp);
    v
}

fn median_spread(d: Vec<f64>) -> (f64, f64) {
    let s = sorted(d);
    // IQR/1.349 is the standard deviation of a normal distribution.
    (quantile(&s, 0.5), (quantile(&s, 0.75) - quantile(&s, 0.25)) / 1.349)
}

/// Piecewise-linear map from xs to ys (xs increasing), extended beyond the
/// ends by the end offsets.
fn interp(x: f64, xs: &[f64], ys: &[f64]) -> f64 {
    let n = xs.len();
    if x <= xs[0] {
        return x + ys[0] - xs[0];
    }
    if x >= xs[n - 1] {
        return x + ys[n - 1] - xs[n - 1];
    }
    let i = xs.partition_point(|&v| v <= x).min(n - 1);
    let (x0, x1) = (xs[i - 1], xs[i]);
    if x1 <= x0 {
        return ys[i];
    }
    ys[i - 1] + (x - x0) / (x1 - x0) * (ys[i] - ys[i - 1])
}

/// Circular distance between days of year.
fn doy_distance(a: f64, b: f64) -> f64 {
    let d = (a - b).rem_euclid(YEAR);
    d.min(YEAR - d)
}

impl Correction {
    /// Fits a correction of `sensor` to `reference` (same grid, same days).
    /// `chain`: the sensor's name, the reference's name, and, if the
    /// reference was itself corrected, the rest of its chain.
    pub fn fit(sensor: &DailyFields, reference: &DailyFields, method: &Method, chain: Vec<String>, period: &str) -> Result<Self> {
        sensor.check("sensor")?;
        reference.check("reference")?;
        if sensor.shape != reference.shape {
            return Err(Error::InvalidParameter {
                name: "reference".into(),
                reason: format!("shape {:?} differs from the sensor's {:?}", reference.shape, sensor.shape),
            });
        }
        if chain.len() < 2 {
            return Err(Error::InvalidParameter { name: "chain".into(), reason: "name the sensor and its reference".into() });
        }
        let (_, nr, nc) = sensor.shape;
        // Pairs: (index, log10 sensor, log10 reference).
        let pairs: Vec<(usize, f64, f64)> =
            (0..sensor.values.len()).filter_map(|i| Some((i, log10_valid(sensor.values[i])?, log10_valid(reference.values[i])?))).collect();
        let min_needed = match method {
            Method::Rma | Method::Quantile { .. } => 3,
            _ => 1,
        };
        if pairs.len() < min_needed {
            return Err(Error::InvalidParameter {
                name: "overlap".into(),
                reason: format!("{} same-cell same-day pairs; at least {min_needed} needed", pairs.len()),
            });
        }
        let diffs: Vec<f64> = pairs.iter().map(|p| p.2 - p.1).collect();
        let (bias_before, spread_before) = median_spread(diffs.clone());
        let kind = match method {
            Method::LogOffset => Kind::LogOffset { offset: bias_before },
            Method::Rma => {
                let n = pairs.len() as f64;
                let (ma, mr) = (pairs.iter().map(|p| p.1).sum::<f64>() / n, pairs.iter().map(|p| p.2).sum::<f64>() / n);
                let (mut saa, mut srr, mut sar) = (0.0, 0.0, 0.0);
                for p in &pairs {
                    saa += (p.1 - ma).powi(2);
                    srr += (p.2 - mr).powi(2);
                    sar += (p.1 - ma) * (p.2 - mr);
                }
                if saa <= 0.0 || srr <= 0.0 {
                    return Err(Error::InvalidParameter { name: "overlap".into(), reason: "the paired values do not vary: a regression is undefined".into() });
                }
                let slope = sar.signum() * (srr / saa).sqrt();
                Kind::Rma { intercept: mr - slope * ma, slope }
            }
            Method::Quantile { nq } => {
                if *nq < 2 {
                    return Err(Error::InvalidParameter { name: "nq".into(), reason: "quantile mapping needs at least 2 quantiles".into() });
                }
                let a = sorted(pairs.iter().map(|p| p.1).collect());
                let r = sorted(pairs.iter().map(|p| p.2).collect());
                let ps = (0..*nq).map(|k| k as f64 / (*nq - 1) as f64);
                Kind::Quantile { sensor_q: ps.clone().map(|p| quantile(&a, p)).collect(), reference_q: ps.map(|p| quantile(&r, p)).collect() }
            }
            Method::Field { block, nseason, window_days, min_pairs } => {
                if block.0 == 0 || block.1 == 0 || *nseason == 0 || window_days.is_nan() || *window_days <= 0.0 {
                    return Err(Error::InvalidParameter {
                        name: "field method".into(),
                        reason: format!("needs blocks >= 1 cell, nseason >= 1, window_days > 0; got {block:?}, {nseason}, {window_days}"),
                    });
                }
                let mut f = Field {
                    block: *block,
                    grid: (nr, nc),
                    nseason: *nseason,
                    window_days: *window_days,
                    min_pairs: *min_pairs,
                    offset: vec![],
                    n_pairs: vec![],
                    iqr: vec![],
                    fallback: vec![],
                };
                let (nbr, nbc) = f.nblocks();
                let nb = nbr * nbc;
                let mut groups: Vec<Vec<f64>> = vec![vec![]; nseason * nb];
                let mut season_all: Vec<Vec<f64>> = vec![vec![]; *nseason];
                for (p, &d) in pairs.iter().zip(&diffs) {
                    let day = p.0 / (nr * nc);
                    let cell = p.0 % (nr * nc);
                    let b = (cell / nc / block.0) * nbc + (cell % nc) / block.1;
                    for s in 0..*nseason {
                        if doy_distance(sensor.doy[day], f.season_centre(s)) <= *window_days {
                            groups[s * nb + b].push(d);
                            season_all[s].push(d);
                        }
                    }
                }
                let season_median: Vec<Option<f64>> =
                    season_all.into_iter().map(|g| (g.len() >= *min_pairs as usize && !g.is_empty()).then(|| quantile(&sorted(g), 0.5))).collect();
                for (e, g) in groups.into_iter().enumerate() {
                    let n = g.len();
                    let s = sorted(g);
                    f.n_pairs.push(n as u32);
                    f.iqr.push(if n >= 2 { quantile(&s, 0.75) - quantile(&s, 0.25) } else { f64::NAN });
                    if n >= (*min_pairs as usize).max(1) {
                        f.offset.push(quantile(&s, 0.5));
                        f.fallback.push(0);
                    } else if let Some(m) = season_median[e / nb] {
                        f.offset.push(m);
                        f.fallback.push(1);
                    } else {
                        f.offset.push(bias_before);
                        f.fallback.push(2);
                    }
                }
                Kind::Field(f)
            }
        };
        let mut c = Correction {
            kind,
            chain,
            period: period.to_string(),
            n_pairs: pairs.len() as u64,
            bias_before,
            spread_before,
            bias_after: f64::NAN,
            spread_after: f64::NAN,
        };
        let corrected = c.apply(sensor)?;
        let after: Vec<f64> = pairs.iter().filter_map(|p| Some(p.2 - log10_valid(corrected[p.0])?)).collect();
        (c.bias_after, c.spread_after) = median_spread(after);
        Ok(c)
    }

    /// The corrected values of a sensor's daily fields (NaN stays NaN).
    /// Non-field corrections use only the values; a field correction needs
    /// the grid it was fitted on and the days of year.
    pub fn apply(&self, fields: &DailyFields) -> Result<Vec<f32>> {
        fields.check("values")?;
        let (_, nr, nc) = fields.shape;
        let corr = |i: usize, y: f64| -> f64 {
            match &self.kind {
                Kind::LogOffset { offset } => y + offset,
                Kind::Rma { intercept, slope } => intercept + slope * y,
                Kind::Quantile { sensor_q, reference_q } => interp(y, sensor_q, reference_q),
                Kind::Field(f) => {
                    let (day, cell) = (i / (nr * nc), i % (nr * nc));
                    let (_, nbc) = f.nblocks();
                    let nb = f.offset.len() / f.nseason;
                    let b = (cell / nc / f.block.0) * nbc + (cell % nc) / f.block.1;
                    // Linear in day of year between the two nearest season centres.
                    let t = fields.doy[day].rem_euclid(YEAR) / (YEAR / f.nseason as f64) - 0.5;
                    let s0 = t.floor();
                    let w = t - s0;
                    let ns = f.nseason as i64;
                    let (a, b2) = ((s0 as i64).rem_euclid(ns) as usize, (s0 as i64 + 1).rem_euclid(ns) as usize);
                    y + (1.0 - w) * f.offset[a * nb + b] + w * f.offset[b2 * nb + b]
                }
            }
        };
        if let Kind::Field(f) = &self.kind {
            if f.grid != (nr, nc) {
                return Err(Error::InvalidParameter {
                    name: "values".into(),
                    reason: format!("the correction was fitted on a {:?} grid, these fields are {:?}", f.grid, (nr, nc)),
                });
            }
        }
        Ok(fields
            .values
            .iter()
            .enumerate()
            .map(|(i, &x)| match log10_valid(x) {
                Some(y) => 10f64.powf(corr(i, y)) as f32,
                None => f32::NAN,
            })
            .collect())
    }

    pub fn method_name(&self) -> &'static str {
        match self.kind {
            Kind::LogOffset { .. } => "log_offset",
            Kind::Rma { .. } => "rma",
            Kind::Quantile { .. } => "quantile",
            Kind::Field(_) => "field",
        }
    }
}

/// A correction applied to per-bin values (NaN where it cannot apply). A
/// space- and season-varying (`field`) correction needs the regular grid it
/// was fitted on.
pub fn apply_to_bins(c: &Correction, grid: &GridSpec, bins: &[u64], values: &[f32], day: f64) -> Result<Vec<f32>> {
    if let Kind::Field(_) = c.kind {
        let GridSpec::Regular(g) = grid else {
            return Err(Error::InvalidParameter { name: "correction".into(), reason: "a field correction needs a regular lat/lon grid".into() });
        };
        let mut dense = vec![f32::NAN; g.nlon * g.nlat];
        for (&b, &v) in bins.iter().zip(values) {
            dense[b as usize] = v;
        }
        let out = c.apply(&DailyFields { values: &dense, shape: (1, g.nlat, g.nlon), doy: &[day] })?;
        return Ok(bins.iter().map(|&b| out[b as usize]).collect());
    }
    c.apply(&DailyFields { values, shape: (1, 1, values.len()), doy: &[day] })
}

/// Binned sums corrected bin by bin so that each bin's mean becomes
/// the corrected mean. Geometric bins: ln values move by y' = s y + c (s the
/// RMA slope, else 1), exact for offset, RMA and field corrections;
/// arithmetic bins: values scale by the ratio of the means, exact for offset
/// and field corrections. For quantile mapping (and RMA on arithmetic bins)
/// the mean is exact and the spread approximate. Bins whose mean cannot be
/// corrected (<= 0) are dropped; their number is returned.
pub fn correct_bins(c: &Correction, b: &L3Bins, grid: &GridSpec, day: f64) -> Result<(L3Bins, usize)> {
    let mean: Vec<f32> = b.mean().into_iter().map(|m| m as f32).collect();
    let corrected = apply_to_bins(c, grid, &b.bin, &mean, day)?;
    let slope = match c.kind {
        Kind::Rma { slope, .. } => slope,
        _ => 1.0,
    };
    let mut out = L3Bins { averaging: b.averaging, bin: vec![], sum: vec![], sum2: vec![], weights: vec![], nobs: vec![], nscenes: vec![] };
    let mut dropped = 0;
    for i in 0..b.len() {
        let (x, xc) = (mean[i] as f64, corrected[i] as f64);
        if !(x > 0.0 && xc > 0.0 && xc.is_finite()) {
            dropped += 1;
            continue;
        }
        let (w, s, q) = (b.weights[i], b.sum[i], b.sum2[i]);
        let (sum, sum2) = match b.averaging {
            Averaging::Geometric => {
                // The mean of ln values moves from s/w to ln(xc) exactly.
                let c0 = xc.ln() - slope * s / w;
                (slope * s + c0 * w, slope * slope * q + 2.0 * slope * c0 * s + c0 * c0 * w)
            }
            Averaging::Arithmetic => {
                let k = xc / x;
                (k * s, k * k * q)
            }
        };
        out.bin.push(b.bin[i]);
        out.sum.push(sum);
        out.sum2.push(sum2);
        out.weights.push(w);
        out.nobs.push(b.nobs[i]);
        out.nscenes.push(b.nscenes[i]);
    }
    Ok((out, dropped))
}

/// Same-cell pairs of two sensors' binned means: bins sorted ascending (as
/// `L3Bins` keeps them), merged in one pass. Returns (sensor, reference).
pub fn pair_bins(s_bins: &[u64], s_mean: &[f32], r_bins: &[u64], r_mean: &[f32]) -> (Vec<f32>, Vec<f32>) {
    let (mut sv, mut rv) = (vec![], vec![]);
    let (mut i, mut j) = (0, 0);
    while i < s_bins.len() && j < r_bins.len() {
        match s_bins[i].cmp(&r_bins[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                sv.push(s_mean[i]);
                rv.push(r_mean[j]);
                i += 1;
                j += 1;
            }
        }
    }
    (sv, rv)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn days(n: usize, seed: u64) -> (Vec<f32>, Vec<f64>) {
        // Deterministic "random" log-normal field via an LCG.
        let mut s = seed;
        let mut next = || {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (s >> 11) as f64 / (1u64 << 53) as f64
        };
        let v = (0..n * 16).map(|_| 10f64.powf(-1.0 + 2.0 * next()) as f32).collect();
        (v, (0..n).map(|d| (d * 7 % 365) as f64).collect())
    }

    #[test]
    fn methods_recover_a_known_bias() {
        let (r, doy) = days(100, 1);
        let shape = (100, 4, 4);
        // Sensor = reference^1.1 * 10^-0.1: log-linear bias.
        let a: Vec<f32> = r.iter().map(|&x| 10f64.powf(1.1 * (x as f64).log10() - 0.1) as f32).collect();
        let (fa, fr) = (DailyFields { values: &a, shape, doy: &doy }, DailyFields { values: &r, shape, doy: &doy });
        let chain = || vec!["A".to_string(), "R".to_string()];
        let rma = Correction::fit(&fa, &fr, &Method::Rma, chain(), "").unwrap();
        match rma.kind {
            Kind::Rma { intercept, slope } => {
                assert!((slope - 1.0 / 1.1).abs() < 1e-9 && (intercept - 0.1 / 1.1).abs() < 1e-9);
            }
            _ => unreachable!(),
        }
        assert!(rma.spread_after < 1e-6 && rma.bias_after.abs() < 1e-6);
        let q = Correction::fit(&fa, &fr, &Method::Quantile { nq: 201 }, chain(), "").unwrap();
        assert!(q.bias_after.abs() < 1e-3 && q.spread_after < 5e-3, "{q:?}");
        // A plain multiplicative bias: the log offset is exact.
        let b: Vec<f32> = r.iter().map(|&x| x * 1.25).collect();
        let fb = DailyFields { values: &b, shape, doy: &doy };
        let off = Correction::fit(&fb, &fr, &Method::LogOffset, chain(), "").unwrap();
        assert!(matches!(off.kind, Kind::LogOffset { offset } if (offset + 1.25f64.log10()).abs() < 1e-6));
    }
}
