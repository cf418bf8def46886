//! Level-2 -> Level-3 binning as NASA's `l2bin` does it, and composites over
//! days as `l3bin` does (by adding the sums).
//!
//! Per bin, the pixels are grouped by scene. Scene s with n_s valid pixels
//! x_i contributes S_s = sum x_i, Q_s = sum x_i^2 and W_s = sqrt(n_s); the bin
//! keeps sum = sum_s S_s/W_s, sum2 = sum_s Q_s/W_s, weights = sum_s W_s,
//! nobs = sum_s n_s and nscenes (OCSSW `l2bin/l2bin_utils.cpp`, no area
//! weighting, its default). So every scene's mean counts with weight sqrt(n_s).
//! Mean = sum/weights; variance (OCSSW `libbin/L3File.cpp`, `L3Bin::getVariance`)
//! = (sum2/weights - mean^2) weights^2 / (weights^2 - nscenes) when
//! weights^2 > nscenes, else 0 (the small-sample correction).
//!
//! The geometric scheme (OCSSW `averaging_scheme`, used for chlorophyll and
//! SPM) accumulates ln(x) and rejects x <= 0; its mean is exp(sum/weights) and
//! its variance is that of ln(x).

use rayon::prelude::*;

use super::grid::Grid;
use crate::compute::fastmath;
use crate::compute::threads;
use crate::error::{Error, Result};

/// How values are transformed before they are summed (OCSSW `averaging_scheme`).
/// The default is l2bin's: arithmetic (`l2bin_input.cpp`; the only scheme
/// before V2026, the default of its `averaging_scheme` since).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Averaging {
    #[default]
    Arithmetic,
    /// Natural logarithm of the values; for chlorophyll and SPM.
    Geometric,
}

impl Averaging {
    pub fn parse(name: &str) -> Result<Self> {
        match name {
            "arithmetic" => Ok(Averaging::Arithmetic),
            "geometric" => Ok(Averaging::Geometric),
            _ => Err(Error::InvalidParameter { name: "averaging".into(), reason: format!("{name:?} is not one of \"arithmetic\", \"geometric\"") }),
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Averaging::Arithmetic => "arithmetic",
            Averaging::Geometric => "geometric",
        }
    }
    fn accepts(self, x: f64) -> bool {
        x.is_finite() && (self == Averaging::Arithmetic || x > 0.0)
    }
    /// The accumulated value, or None if the value is not valid for the scheme.
    fn forward(self, x: f64) -> Option<f64> {
        match self {
            Averaging::Arithmetic if x.is_finite() => Some(x),
            Averaging::Geometric if x.is_finite() && x > 0.0 => Some(fastmath::ln(x)),
            _ => None,
        }
    }
    fn back(self, y: f64) -> f64 {
        match self {
            Averaging::Arithmetic => y,
            Averaging::Geometric => y.exp(),
        }
    }
}

/// Binned data of one product: a sorted list of filled bins and their sums
/// (the content of an L3b file, in f64).
#[derive(Debug, Clone, PartialEq)]
pub struct L3Bins {
    pub averaging: Averaging,
    pub bin: Vec<u64>,
    pub sum: Vec<f64>,
    pub sum2: Vec<f64>,
    pub weights: Vec<f64>,
    pub nobs: Vec<u32>,
    pub nscenes: Vec<u32>,
}

impl L3Bins {
    fn empty(averaging: Averaging) -> Self {
        L3Bins { averaging, bin: vec![], sum: vec![], sum2: vec![], weights: vec![], nobs: vec![], nscenes: vec![] }
    }

    pub fn len(&self) -> usize {
        self.bin.len()
    }
    pub fn is_empty(&self) -> bool {
        self.bin.is_empty()
    }

    fn push(&mut self, bin: u64, sum: f64, sum2: f64, weights: f64, nobs: u32, nscenes: u32) {
        self.bin.push(bin);
        self.sum.push(sum);
        self.sum2.push(sum2);
        self.weights.push(weights);
        self.nobs.push(nobs);
        self.nscenes.push(nscenes);
    }

    /// Mean in the accumulated domain (ln(x) for the geometric scheme).
    pub fn mean_transformed(&self) -> Vec<f64> {
        self.sum.iter().zip(&self.weights).map(|(s, w)| s / w).collect()
    }

    /// Mean, back-transformed (the geometric mean for the geometric scheme).
    pub fn mean(&self) -> Vec<f64> {
        self.mean_transformed().into_iter().map(|m| self.averaging.back(m)).collect()
    }

    /// Variance in the accumulated domain, with the small-sample correction.
    pub fn variance(&self) -> Vec<f64> {
        (0..self.len())
            .map(|i| {
                let (w, ns) = (self.weights[i], self.nscenes[i] as f64);
                if w * w > ns {
                    let m = self.sum[i] / w;
                    // Rounding can make a zero variance slightly negative.
                    ((self.sum2[i] / w - m * m) * w * w / (w * w - ns)).max(0.0)
                } else {
                    0.0
                }
            })
            .collect()
    }

    /// A composite (several days, or several files of one day): the sums are
    /// added bin by bin (OCSSW `l3bin` default), so composites of composites
    /// are the same as one composite of everything.
    pub fn composite(parts: &[&L3Bins]) -> Result<L3Bins> {
        let averaging = parts.first().map_or(Averaging::Arithmetic, |p| p.averaging);
        if let Some(p) = parts.iter().find(|p| p.averaging != averaging) {
            return Err(Error::InvalidParameter {
                name: "composite".into(),
                reason: format!("cannot add {} and {} binned sums; bin every input with the same averaging scheme", averaging.name(), p.averaging.name()),
            });
        }
        let mut all: Vec<(u64, usize, usize)> = parts.iter().enumerate().flat_map(|(p, b)| b.bin.iter().enumerate().map(move |(i, &n)| (n, p, i))).collect();
        all.par_sort_unstable();
        let mut out = L3Bins::empty(averaging);
        for (bin, p, i) in all {
            let b = parts[p];
            if out.bin.last() == Some(&bin) {
                let k = out.len() - 1;
                out.sum[k] += b.sum[i];
                out.sum2[k] += b.sum2[i];
                out.weights[k] += b.weights[i];
                out.nobs[k] += b.nobs[i];
                out.nscenes[k] += b.nscenes[i];
            } else {
                out.push(bin, b.sum[i], b.sum2[i], b.weights[i], b.nobs[i], b.nscenes[i]);
            }
        }
        Ok(out)
    }

    /// Values of `per_bin` scattered on a dense array of `ncells` cells
    /// (`offset` = number of the first cell: 1 for ISIN, 0 for regular grids),
    /// `fill` elsewhere.
    pub fn to_dense(&self, per_bin: &[f64], ncells: usize, offset: u64, fill: f64) -> Result<Vec<f64>> {
        let mut out = vec![fill; ncells];
        for (&b, &v) in self.bin.iter().zip(per_bin) {
            let i = b.checked_sub(offset).filter(|&i| (i as usize) < ncells).ok_or_else(|| Error::InvalidParameter {
                name: "ncells".into(),
                reason: format!("bin {b} lies outside a grid of {ncells} cells starting at {offset}"),
            })?;
            out[i as usize] = v;
        }
        Ok(out)
    }
}

/// Bins Level-2 pixels: `lon`, `lat` (degrees), `value`, and the scene each
/// pixel comes from (any integer label; pixels of one scene share it). Pixels
/// outside the grid, non-finite, or not valid for the scheme are skipped.
/// Bins with fewer than `min_obs` pixels are dropped (OCSSW `minobs`).
pub fn bin_l2(grid: &impl Grid, lon: &[f32], lat: &[f32], value: &[f32], scene: &[u32], averaging: Averaging, min_obs: u32) -> Result<L3Bins> {
    let n = value.len();
    for (name, len) in [("lon", lon.len()), ("lat", lat.len()), ("scene", scene.len())] {
        if len != n {
            return Err(Error::InvalidParameter { name: name.into(), reason: format!("has {len} pixels but value has {n}") });
        }
    }
    threads::install(|| {
        // Cell of every valid pixel (u64::MAX for the rest).
        let cells: Vec<u64> = (0..n)
            .into_par_iter()
            .map(|i| match averaging.accepts(value[i] as f64) {
                true => grid.cell(lon[i] as f64, lat[i] as f64).unwrap_or(u64::MAX),
                false => u64::MAX,
            })
            .collect();
        let (keys, offs, mut grouped) = group_by_cell(&cells, scene, value);
        // One task per piece of the cell list; each scene's pixels of a cell
        // are contiguous after a sort by scene (already the case when the
        // input comes scene by scene).
        let pieces = (threads::num_threads() * 8).min(keys.len().max(1));
        #[allow(clippy::type_complexity)] // (first key, key count, its grouped values)
        let mut tasks: Vec<(usize, usize, &mut [(u32, f32)])> = Vec::with_capacity(pieces);
        let mut rest: &mut [(u32, f32)] = &mut grouped;
        for k in 0..pieces {
            let (c0, c1) = (keys.len() * k / pieces, keys.len() * (k + 1) / pieces);
            let (head, tail) = rest.split_at_mut(offs[c1] - offs[c0]);
            tasks.push((c0, c1, head));
            rest = tail;
        }
        let parts: Vec<L3Bins> = tasks
            .into_par_iter()
            .map(|(c0, c1, px)| {
                let mut out = L3Bins::empty(averaging);
                for c in c0..c1 {
                    let group = &mut px[offs[c] - offs[c0]..offs[c + 1] - offs[c0]];
                    if !group.is_sorted_by_key(|g| g.0) {
                        group.sort_by_key(|g| g.0);
                    }
                    let (sum, sum2, weights, nobs, nscenes) = accumulate(group, averaging);
                    if nobs >= min_obs {
                        out.push(keys[c], sum, sum2, weights, nobs, nscenes);
                    }
                }
                out
            })
            .collect();
        let mut out = L3Bins::empty(averaging);
        for p in parts {
            out.bin.extend(p.bin);
            out.sum.extend(p.sum);
            out.sum2.extend(p.sum2);
            out.weights.extend(p.weights);
            out.nobs.extend(p.nobs);
            out.nscenes.extend(p.nscenes);
        }
        Ok(out)
    })
}

/// A product's per-pixel uncertainty (1-sigma of log10 of the product, the
/// `<product>_uncertainty` the chain writes) binned with the product's own
/// l2bin weights: the result has the product's bins, weights and counts, and
/// its sum / weights is the bin's weighted mean pixel uncertainty. A bin where
/// a binned pixel has no (or a negative) uncertainty gets NaN sums, so that it
/// claims none. Composites add these sums as they add the product's.
#[allow(clippy::too_many_arguments)] // the product's binning inputs, plus sigma and the product's bins
pub fn bin_uncertainty(grid: &impl Grid, lon: &[f32], lat: &[f32], value: &[f32], sigma: &[f32], scene: &[u32], product: &L3Bins) -> Result<L3Bins> {
    if sigma.len() != value.len() {
        return Err(Error::InvalidParameter { name: "uncertainty".into(), reason: format!("has {} pixels but the product has {}", sigma.len(), value.len()) });
    }
    // The uncertainty of exactly the pixels the product bins (NaN elsewhere).
    let s: Vec<f32> = value.iter().zip(sigma).map(|(&v, &u)| if product.averaging.accepts(v as f64) && u >= 0.0 { u } else { f32::NAN }).collect();
    let b = bin_l2(grid, lon, lat, &s, scene, Averaging::Arithmetic, 1)?;
    let mut out = L3Bins { averaging: Averaging::Arithmetic, ..product.clone() };
    for k in 0..product.len() {
        match b.bin.binary_search(&product.bin[k]) {
            // Same pixels (same counts per bin): same weights.
            Ok(j) if b.nobs[j] == product.nobs[k] && b.nscenes[j] == product.nscenes[k] => {
                out.sum[k] = b.sum[j];
                out.sum2[k] = b.sum2[j];
            }
            _ => {
                out.sum[k] = f64::NAN;
                out.sum2[k] = f64::NAN;
            }
        }
    }
    Ok(out)
}

/// Error standard deviation of each bin's value, in log10 units (docs/uncertainty.md
/// s5): sqrt(u^2 + v / n_eff), with u the bin's mean pixel uncertainty
/// (`uncertainty.sum / weights`; systematic within a water type, so it does not
/// average down), v the within-bin variance of log10 of the product (l2bin's
/// small-sample variance; for the arithmetic scheme converted to log10 by the
/// delta method, v_lin / (mean ln 10)^2) and n_eff = weights^2. NaN where the bin has
/// no uncertainty or a mean <= 0 (arithmetic).
pub fn error_stdev_log10(product: &L3Bins, uncertainty: &L3Bins) -> Vec<f64> {
    let ln10 = std::f64::consts::LN_10;
    let (mean, var) = (product.mean(), product.variance());
    (0..product.len())
        .map(|i| {
            let w = product.weights[i];
            let u = uncertainty.sum[i] / w;
            let v = match product.averaging {
                Averaging::Geometric => var[i] / (ln10 * ln10),
                Averaging::Arithmetic if mean[i] > 0.0 => var[i] / (mean[i] * ln10).powi(2),
                Averaging::Arithmetic => f64::NAN,
            };
            (u * u + v / (w * w)).sqrt()
        })
        .collect()
}

/// The valid pixels' (scene, value) grouped by cell: the sorted distinct
/// cells, the offset of each cell's group (plus the end), and the groups, in
/// input order within a cell. A counting sort when the cells span a range not
/// much larger than the number of pixels (a region, or a day on a coarse
/// grid), a parallel stable sort otherwise.
fn group_by_cell(cells: &[u64], scene: &[u32], value: &[f32]) -> (Vec<u64>, Vec<usize>, Vec<(u32, f32)>) {
    let (lo, hi, valid) = cells
        .par_iter()
        .filter(|&&c| c != u64::MAX)
        .fold(|| (u64::MAX, 0u64, 0usize), |(a, b, n), &c| (a.min(c), b.max(c), n + 1))
        .reduce(|| (u64::MAX, 0u64, 0usize), |x, y| (x.0.min(y.0), x.1.max(y.1), x.2 + y.2));
    if valid == 0 {
        return (vec![], vec![0], vec![]);
    }
    let range = (hi - lo + 1) as usize;
    if range <= 4 * valid + (1 << 20) && valid < u32::MAX as usize {
        // u32 counts halve the cache footprint of the random increments.
        let mut count = vec![0u32; range + 1];
        for &c in cells {
            if c != u64::MAX {
                count[(c - lo) as usize + 1] += 1;
            }
        }
        for k in 0..range {
            count[k + 1] += count[k];
        }
        let mut grouped = vec![(0u32, 0f32); valid];
        let mut next = count.clone();
        for (i, &c) in cells.iter().enumerate() {
            if c != u64::MAX {
                let slot = &mut next[(c - lo) as usize];
                grouped[*slot as usize] = (scene[i], value[i]);
                *slot += 1;
            }
        }
        let filled: Vec<usize> = (0..range).filter(|&k| count[k + 1] > count[k]).collect();
        let keys = filled.iter().map(|&k| lo + k as u64).collect();
        let mut offs: Vec<usize> = filled.iter().map(|&k| count[k] as usize).collect();
        offs.push(valid);
        (keys, offs, grouped)
    } else {
        let mut px: Vec<(u64, u32, f32)> = (0..cells.len()).filter(|&i| cells[i] != u64::MAX).map(|i| (cells[i], scene[i], value[i])).collect();
        px.par_sort_by_key(|p| p.0);
        let (mut keys, mut offs) = (Vec::new(), Vec::new());
        for (i, p) in px.iter().enumerate() {
            if keys.last() != Some(&p.0) {
                keys.push(p.0);
                offs.push(i);
            }
        }
        offs.push(px.len());
        (keys, offs, px.into_iter().map(|p| (p.1, p.2)).collect())
    }
}

/// l2bin's sums over the pixels of one bin, sorted by scene: each scene's
/// sums divided by sqrt(n_s), weights sum of sqrt(n_s).
fn accumulate(group: &[(u32, f32)], averaging: Averaging) -> (f64, f64, f64, u32, u32) {
    let (mut sum, mut sum2, mut weights, mut nobs, mut nscenes) = (0.0, 0.0, 0.0, 0u32, 0u32);
    for scene in group.chunk_by(|a, b| a.0 == b.0) {
        let (s, q) = scene.iter().fold((0.0, 0.0), |(s, q), p| {
            let x = averaging.forward(p.1 as f64).expect("only valid pixels are grouped");
            (s + x, q + x * x)
        });
        let w = (scene.len() as f64).sqrt();
        sum += s / w;
        sum2 += q / w;
        weights += w;
        nobs += scene.len() as u32;
        nscenes += 1;
    }
    (sum, sum2, weights, nobs, nscenes)
}

/// A product's valid range at binning, with where it was read.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ValidRange {
    /// Product names it applies to (NASA's and this library's).
    pub products: &'static [&'static str],
    pub min: f64,
    pub max: f64,
    pub source: &'static str,
}

/// Valid ranges of NASA's binned products, as NASA writes them in its files.
pub static VALID_RANGES: &[ValidRange] = &[
    ValidRange {
        products: &["chlor_a", "chl_ocx", "chl_oci", "chl_ci", "chl_oc5", "chl_oc5ci"],
        min: 0.001,
        max: 100.0,
        source: "valid_min/valid_max of chlor_a and chl_ocx in NASA's R2018.0 MODIS-Aqua L2 granule \
(tests/data/modisa_l2_real) and of chlor_a in NASA's R2018.0 SeaWiFS L3m (validation/data); applied to \
this library's OC5/OC5CI by analogy (our choice)",
    },
    ValidRange {
        products: &["Kd_490", "kd490"],
        min: 0.01,
        max: 6.0,
        source: "Kd_490 int16 valid_min 50 / valid_max 30000 x scale_factor 2e-4 in NASA's R2018.0 MODIS-Aqua L2 granule",
    },
    ValidRange {
        products: &["Rrs"],
        min: -0.01,
        max: 0.1,
        source: "Rrs_NNN int16 valid_min -30000 / valid_max 25000 x scale_factor 2e-6 + add_offset 0.05 in NASA's \
R2018.0 MODIS-Aqua L2 granule (NASA's R2018.0 L3b RRS suite bins with l3bprod Rrs_NNN=-0.005, a lower bound \
of its own: validation/data/S2008001.L3b_DAY_RRS.nc processing_control)",
    },
];

/// The valid range of a product (`Rrs_NNN` matches "Rrs"), if one is held.
pub fn valid_range(product: &str) -> Option<&'static ValidRange> {
    let key = if product.starts_with("Rrs_") { "Rrs" } else { product };
    VALID_RANGES.iter().find(|r| r.products.contains(&key))
}

/// What happens to a value outside its product's valid range before binning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutOfRange {
    /// The pixel is not binned (NaN).
    Drop,
    /// The value is replaced by the nearest bound (l2bin `addPixelToBin`
    /// with the l3bprod min/max, OCSSW l2bin.cpp V2023 and 10.x).
    Clamp,
}

/// Applies a valid range to values before binning; NaN stays NaN.
pub fn apply_valid_range(values: &mut [f32], range: &ValidRange, rule: OutOfRange) {
    let (lo, hi) = (range.min as f32, range.max as f32);
    for v in values.iter_mut().filter(|v| !v.is_nan()) {
        if *v < lo || *v > hi {
            *v = match rule {
                OutOfRange::Drop => f32::NAN,
                OutOfRange::Clamp => v.clamp(lo, hi),
            };
        }
    }
}

/// l2bin bins a pixel for every product or for none: where any of the
/// products binned together is missing, the pixel is dropped from all
/// (OCSSW l2bin.cpp, main pixel loop, "Check for bad value in any of the
/// products"). Sets NaN in every product at those pixels; returns how many.
pub fn drop_where_any_invalid(products: &mut [&mut [f32]]) -> Result<usize> {
    let n = products.first().map_or(0, |p| p.len());
    if let Some(p) = products.iter().find(|p| p.len() != n) {
        return Err(Error::InvalidParameter { name: "products".into(), reason: format!("lengths differ ({} and {n} pixels)", p.len()) });
    }
    let mut dropped = 0;
    for i in 0..n {
        if products.iter().any(|p| !p[i].is_finite()) {
            dropped += 1;
            for p in products.iter_mut() {
                p[i] = f32::NAN;
            }
        }
    }
    Ok(dropped)
}

/// Which side of the dateline a granule that spans two data days gives to
/// the binned period (l2bin `brk_scan`, OCSSW l2bin_utils.cpp `set_breakscan`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataDaySide {
    /// The granule lies outside the period: not binned (brk_scan -9999).
    Outside,
    /// One data day inside the period: every pixel (brk_scan 0).
    All,
    /// Spans two data days, the later beyond the period's end (brk_scan +1).
    Later,
    /// Spans two data days, the earlier before the period's start (brk_scan -1).
    Earlier,
}

/// l2bin `set_breakscan`: from the granule's first and last data days and the
/// period's first and last (all as day numbers), which part of it to bin.
pub fn data_day_side(dataday0: i64, dataday1: i64, start: i64, end: i64) -> DataDaySide {
    if dataday1 == dataday0 {
        if dataday0 < start || dataday1 > end {
            DataDaySide::Outside
        } else {
            DataDaySide::All
        }
    } else if dataday1 < start || dataday0 > end {
        DataDaySide::Outside
    } else if dataday1 > end {
        DataDaySide::Later
    } else {
        DataDaySide::Earlier
    }
}

/// l2bin `skip_DL` (OCSSW l2bin_utils.cpp; l2bin.cpp main loop): whether a
/// pixel at `lon` of a granule starting on UTC day `file_day` belongs to
/// another data day than the period [`start`, `end`]. Day mode: `Earlier`
/// drops the western hemisphere (lon < 0) when the granule starts on or
/// before `start`; `Later` drops the eastern (lon > 0) when it starts on or
/// after `end`. Night mode (`night`): only the day before `start` and the
/// day of `end`.
pub fn skip_dateline(lon: f32, side: DataDaySide, night: bool, file_day: i64, start: i64, end: i64) -> bool {
    let (beg_day, end_day) = (file_day - start, file_day - end);
    let (west, east) = if night { (beg_day == -1, end_day == 0) } else { (beg_day <= 0, end_day >= 0) };
    match side {
        DataDaySide::Earlier => west && lon < 0.0,
        DataDaySide::Later => east && lon > 0.0,
        _ => false,
    }
}

/// The data days a granule covers (l2bin `get_datadays`, OCSSW
/// `l2bin/dataday.c`, re-derived here): its start time moved to local noon
/// of the orbit, t + (12 - eqx) h with eqx the sensor's nominal local
/// equator-crossing hour, gives the reference day and hour. A granule that
/// does not cross the 180 deg meridian lies on that day; one that does spans
/// two, the earlier when it starts before 06 h, the later after 18 h, and
/// otherwise the day whose side of the dateline holds less of it
/// (degrees west of the dateline `180 - west` against east `east + 180`).
/// `lon` is row-major with `cols` per row; returns (dataday0, dataday1) as
/// days since 1970-01-01.
pub fn granule_data_days(start_unix: i64, eqx_hour: f64, lon: &[f32], cols: usize) -> Result<(i64, i64)> {
    if cols == 0 || lon.len() % cols != 0 {
        return Err(Error::InvalidParameter { name: "cols".into(), reason: format!("{} longitudes are not whole rows of {cols}", lon.len()) });
    }
    if !(0.0..24.0).contains(&eqx_hour) {
        return Err(Error::InvalidParameter { name: "equator crossing hour".into(), reason: format!("{eqx_hour} is not an hour of the day") });
    }
    let reftime = start_unix as f64 + (12.0 - eqx_hour) * 3600.0;
    let refday = (reftime / 86400.0).floor() as i64;
    let refhour = (reftime - refday as f64 * 86400.0) / 3600.0;
    let valid = |x: f32| x.abs() <= 180.0;
    // A jump of more than 180 deg between neighbours along a row or a
    // column is a crossing of the 180 deg meridian.
    let rows = lon.len() / cols;
    let jump = |a: f32, b: f32| valid(a) && valid(b) && (a - b).abs() > 180.0;
    let along_rows = lon.chunks(cols).any(|r| r.windows(2).any(|w| jump(w[0], w[1])));
    let along_cols = (0..cols).any(|c| (1..rows).any(|r| jump(lon[(r - 1) * cols + c], lon[r * cols + c])));
    if !(along_rows || along_cols) {
        return Ok((refday, refday));
    }
    if refhour < 6.0 {
        return Ok((refday - 1, refday));
    }
    if refhour > 18.0 {
        return Ok((refday, refday + 1));
    }
    // The swath's west edge is its smallest eastern longitude, its east edge
    // its largest western one.
    let west = lon.iter().copied().filter(|&x| valid(x) && x >= 0.0).fold(180.0f32, f32::min);
    let east = lon.iter().copied().filter(|&x| valid(x) && x < 0.0).fold(-180.0f32, f32::max);
    let (wod, eod) = (180.0 - west, east + 180.0);
    Ok(if wod > eod { (refday - 1, refday) } else { (refday, refday + 1) })
}

/// The data-day rule of l2bin `prodtype=day` over a granule's rows
/// (`lon` row-major, `cols` per row): per row, when its first and last valid
/// longitudes have the same sign the whole row is kept or skipped on its last
/// valid longitude; when they differ (the row crosses the dateline) pixel by
/// pixel. A granule `Outside` the period is skipped whole. Returns, per
/// pixel, whether it is binned (OCSSW l2bin.cpp main loop, `scan_crosses_dateline`).
pub fn data_day_keep(lon: &[f32], cols: usize, side: DataDaySide, night: bool, file_day: i64, start: i64, end: i64) -> Result<Vec<bool>> {
    if cols == 0 || lon.len() % cols != 0 {
        return Err(Error::InvalidParameter { name: "cols".into(), reason: format!("{} longitudes are not whole rows of {cols}", lon.len()) });
    }
    if side == DataDaySide::Outside {
        return Ok(vec![false; lon.len()]);
    }
    let valid = |x: &&f32| x.abs() <= 180.0;
    let mut keep = Vec::with_capacity(lon.len());
    for row in lon.chunks(cols) {
        let (Some(&first), Some(&last)) = (row.iter().find(valid), row.iter().rev().find(valid)) else {
            keep.extend(std::iter::repeat_n(false, cols));
            continue;
        };
        if side == DataDaySide::All {
            keep.extend(std::iter::repeat_n(true, cols));
        } else if first * last < 0.0 {
            keep.extend(row.iter().map(|&x| !skip_dateline(x, side, night, file_day, start, end)));
        } else {
            let k = !skip_dateline(last, side, night, file_day, start, end);
            keep.extend(std::iter::repeat_n(k, cols));
        }
    }
    Ok(keep)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fusion::grid::RegularGrid;

    #[test]
    fn data_day_rule_on_constructed_dateline_swaths() {
        // Binning day 100. A daytime granule starting on day 100 near the
        // dateline whose data days are 99 and 100 (it began on the previous
        // data day): brk_scan -1, the western half (lon < 0) belongs to day 99.
        let side = data_day_side(99, 100, 100, 100);
        assert_eq!(side, DataDaySide::Earlier);
        // Row 0 crosses the dateline (+179 .. -179): pixel by pixel.
        // Row 1 is all west: skipped whole; row 2 all east: kept whole.
        let lon = [178.0, 179.5, -179.5, -178.0, -170.0, -171.0, -172.0, -173.0, 170.0, 171.0, 172.0, 173.0];
        let keep = data_day_keep(&lon, 4, side, false, 100, 100, 100).unwrap();
        assert_eq!(keep, [true, true, false, false, false, false, false, false, true, true, true, true]);
        // The same granule binned for day 99 (it starts after day 99): nothing dropped by the rule.
        let s99 = data_day_side(99, 100, 99, 99);
        assert_eq!(s99, DataDaySide::Later);
        // Day 99's granule starting on day 100 (end_day = 1 >= 0): the eastern half goes.
        let keep = data_day_keep(&lon, 4, s99, false, 100, 99, 99).unwrap();
        assert_eq!(keep, [false, false, true, true, true, true, true, true, false, false, false, false]);
        // A granule wholly in another data day, or wholly inside.
        assert_eq!(data_day_side(101, 101, 100, 100), DataDaySide::Outside);
        assert!(data_day_keep(&lon, 4, DataDaySide::Outside, false, 101, 100, 100).unwrap().iter().all(|k| !k));
        assert!(data_day_keep(&lon, 4, DataDaySide::All, false, 100, 100, 100).unwrap().iter().all(|&k| k));
        // A row whose last valid longitude is west decides on it; fill longitudes are ignored.
        let lon = [-999.0, -175.0, -176.0, -999.0];
        assert_eq!(data_day_keep(&lon, 4, side, false, 100, 100, 100).unwrap(), [false; 4]);
        assert!(data_day_keep(&lon, 3, side, false, 100, 100, 100).is_err());
        // Night mode: only the day before the period's start counts for the west.
        assert!(!skip_dateline(-10.0, DataDaySide::Earlier, true, 100, 100, 100));
        assert!(skip_dateline(-10.0, DataDaySide::Earlier, true, 99, 100, 100));
    }

    #[test]
    fn granule_data_days_follow_the_equator_crossing_and_the_dateline() {
        // 2024-01-02 (day 19724) 23:50 UTC, an ascending 13:30 orbit: local
        // noon at 22:20 on day 19724.
        let day = 19724i64;
        let t = day * 86400 + 23 * 3600 + 50 * 60;
        let away = [10.0f32, 11.0, 12.0, 13.0];
        assert_eq!(granule_data_days(t, 13.5, &away, 2).unwrap(), (day, day));
        // Crossing the dateline at reference hour 22.3 (> 18): days 0 and +1.
        let across = [178.0f32, -179.0, 177.0, -178.0];
        assert_eq!(granule_data_days(t, 13.5, &across, 2).unwrap(), (day, day + 1));
        // Reference hour 02:00 (< 6): the day before and the day.
        let t2 = day * 86400 + 3600 + 30 * 60;
        assert_eq!(granule_data_days(t2, 13.5, &across, 2).unwrap(), (day - 1, day));
        // Reference hour 12:00: the side holding less of the swath decides.
        // Mostly west of the dateline (positive longitudes): 180 - 150 = 30
        // degrees west of it against -179.5 + 180 = 0.5 east: the earlier day.
        let t3 = day * 86400 + 13 * 3600 + 30 * 60;
        let mostly_west_of_dateline = [150.0f32, 179.0, -179.5, 160.0];
        assert_eq!(granule_data_days(t3, 13.5, &mostly_west_of_dateline, 2).unwrap(), (day - 1, day));
        let mostly_east_of_dateline = [179.5f32, -150.0, -179.0, -160.0];
        assert_eq!(granule_data_days(t3, 13.5, &mostly_east_of_dateline, 2).unwrap(), (day, day + 1));
        // A crossing down a column counts too; fill longitudes do not.
        assert_eq!(granule_data_days(t, 13.5, &[179.0, -999.0, -179.0, -999.0], 2).unwrap(), (day, day + 1));
        assert_eq!(granule_data_days(t, 13.5, &[179.0, -999.0, 178.0, 177.0], 2).unwrap(), (day, day));
        assert!(granule_data_days(t, 13.5, &across, 3).is_err());
        assert!(granule_data_days(t, 25.0, &across, 2).is_err());
    }

    #[test]
    fn valid_ranges_and_drop_all() {
        assert_eq!(valid_range("chlor_a").unwrap().max, 100.0);
        assert_eq!(valid_range("Rrs_443").unwrap().min, -0.01);
        assert!(valid_range("sst").is_none());
        let r = valid_range("chl_oci").unwrap();
        let mut v = [0.0005f32, 0.5, 150.0, f32::NAN];
        let mut c = v;
        apply_valid_range(&mut v, r, OutOfRange::Drop);
        assert!(v[0].is_nan() && v[1] == 0.5 && v[2].is_nan() && v[3].is_nan());
        apply_valid_range(&mut c, r, OutOfRange::Clamp);
        assert_eq!(&c[..3], &[0.001, 0.5, 100.0]);
        let (mut a, mut b) = ([1.0f32, f32::NAN, 3.0], [4.0f32, 5.0, f32::INFINITY]);
        assert_eq!(drop_where_any_invalid(&mut [&mut a, &mut b]).unwrap(), 2);
        assert!(a[0] == 1.0 && a[1].is_nan() && a[2].is_nan() && b[0] == 4.0 && b[1].is_nan());
        assert!(drop_where_any_invalid(&mut [&mut [1.0f32][..], &mut [1.0f32, 2.0][..]]).is_err());
        assert_eq!(Averaging::default(), Averaging::Arithmetic);
    }

    fn grid() -> RegularGrid {
        RegularGrid::new(0.0, 2.0, 0.0, 1.0, 1.0, 1.0).unwrap()
    }

    // fusion.md §1.2 worked example: scene 1 has four pixels of 1, scene 2 one
    // pixel of 3: sum = 4/2 + 3/1 = 5, weights = 2 + 1 = 3, mean = 5/3.
    #[test]
    fn l2bin_worked_example() {
        let b = bin_l2(&grid(), &[0.5; 5], &[0.5; 5], &[1.0, 1.0, 1.0, 1.0, 3.0], &[7, 7, 7, 7, 9], Averaging::Arithmetic, 0).unwrap();
        assert_eq!(b.bin, vec![0]);
        assert_eq!((b.sum[0], b.weights[0], b.nobs[0], b.nscenes[0]), (5.0, 3.0, 5, 2));
        assert!((b.mean()[0] - 5.0 / 3.0).abs() < 1e-15);
        // sum2 = 4/2 + 9/1 = 11; variance = (11/3 - 25/9) * 9 / (9 - 2) = 8/7.
        assert!((b.variance()[0] - 8.0 / 7.0).abs() < 1e-12);
    }

    #[test]
    fn composite_adds_sums_and_is_associative() {
        let g = grid();
        let day = |v: f32, s: u32| bin_l2(&g, &[0.5, 1.5], &[0.5, 0.5], &[v, v * 2.0], &[s, s], Averaging::Geometric, 0).unwrap();
        let (a, b, c) = (day(1.0, 1), day(2.0, 2), day(4.0, 3));
        let ab = L3Bins::composite(&[&a, &b]).unwrap();
        let abc1 = L3Bins::composite(&[&ab, &c]).unwrap();
        let abc2 = L3Bins::composite(&[&a, &b, &c]).unwrap();
        assert_eq!(abc1, abc2);
        // Geometric mean of 1, 2, 4 is 2 (each day one pixel, weight 1).
        assert!((abc2.mean()[0] - 2.0).abs() < 1e-12);
        assert_eq!(abc2.nscenes, vec![3, 3]);
        let arith = bin_l2(&g, &[0.5], &[0.5], &[1.0], &[0], Averaging::Arithmetic, 0).unwrap();
        assert!(L3Bins::composite(&[&a, &arith]).is_err());
    }

    #[test]
    fn grouping_is_by_cell_then_position_on_both_paths() {
        let n = 5000u32;
        let scene: Vec<u32> = (0..n).collect();
        let value = vec![1f32; n as usize];
        let mut results = Vec::new();
        for spread in [10u64, 1 << 40] {
            let cells: Vec<u64> = (0..n as u64).map(|i| if i % 7 == 0 { u64::MAX } else { (i * 7919 % 13) * spread }).collect();
            let (keys, offs, grouped) = group_by_cell(&cells, &scene, &value);
            assert_eq!(keys.len(), 13);
            assert!(keys.windows(2).all(|w| w[0] < w[1]));
            for (k, &key) in keys.iter().enumerate() {
                let g = &grouped[offs[k]..offs[k + 1]];
                // Positions (stored here as scene numbers) rise within a cell and all lie in it.
                assert!(g.windows(2).all(|w| w[0].0 < w[1].0));
                assert!(g.iter().all(|p| cells[p.0 as usize] == key));
            }
            results.push((offs, grouped));
        }
        assert_eq!(results[0], results[1]);
    }

    #[test]
    fn invalid_pixels_skipped_and_min_obs() {
        let g = grid();
        let b = bin_l2(&g, &[0.5, 0.5, 1.5, 5.0], &[0.5, 0.5, 0.5, 0.5], &[-1.0, f32::NAN, 2.0, 2.0], &[0; 4], Averaging::Geometric, 0).unwrap();
        assert_eq!(b.bin, vec![1]);
        let b = bin_l2(&g, &[0.5, 0.5, 1.5], &[0.5; 3], &[1.0, 1.0, 2.0], &[0; 3], Averaging::Arithmetic, 2).unwrap();
        assert_eq!(b.bin, vec![0]);
        assert!(bin_l2(&g, &[0.5], &[0.5, 0.5], &[1.0], &[0], Averaging::Arithmetic, 0).is_err());
    }
}
