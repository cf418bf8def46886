//! The multi-sensor fusion chain on files: `bin` (Level-2 products -> daily
//! Level-3 binned files, and composites of those), `intercal fit|apply`,
//! `merge` (same-day L3 files of several sensors) and `l4` (gap-free field).
//! Data flow one way: files (`formats::l3file`) -> arrays -> the pure
//! computations of `crate::fusion` -> files. Every output records the
//! software version, its inputs, the configuration, and the method with its
//! parameters; outputs are written under a temporary name and renamed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate};
use netcdf::AttributeValue;
use serde::{Deserialize, Serialize};

use super::{Context, VERSION};
use crate::error::{Error, Result};
use crate::formats::cf::text_attr;
use crate::formats::correction;
use crate::formats::fields::{self, Values, Var};
use crate::formats::l3file::{self, L3Binned, ProductMeta};
use crate::formats::nc;
use crate::fusion::binning::{self as binning, bin_l2, Averaging, DataDaySide, L3Bins, OutOfRange};
use crate::fusion::grid::GridSpec;
use crate::fusion::intercal::{Correction, DailyFields, Kind, Method};
use crate::fusion::krige::{self, Mean, Model, Variogram};
use crate::fusion::merge::{self, SensorField, Space};

// ------------------------------------------------------------ configuration

/// The fusion configuration (TOML, `--config`): one table per command.
/// Command-line options override it; the effective table is recorded in
/// each output. Unknown keys are errors.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FusionConfig {
    pub bin: BinConfig,
    pub intercal: IntercalConfig,
    pub merge: MergeConfig,
    pub l4: L4Config,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BinConfig {
    /// `isin:NROWS` or `regular:LON_MIN,LON_MAX,LAT_MIN,LAT_MAX,DLON,DLAT`.
    pub grid: Option<String>,
    /// Product variable of the inputs (default: the only one in the file).
    pub variable: Option<String>,
    /// arithmetic | geometric; default arithmetic, as NASA's l2bin
    /// (`l2bin_input.cpp`; l2gen-fidelity.md item 3). Geometric sums (of
    /// ln x) carry `averaging_scheme = "geometric"` on their variable, which
    /// our reader honours and refuses to add to arithmetic sums.
    pub averaging: Option<String>,
    /// Bins with fewer observations are dropped (OCSSW `minobs`; at least 1).
    pub min_obs: u32,
    /// What happens to Level-2 values outside the product's valid range
    /// (`fusion::binning::VALID_RANGES`, with their sources): drop (l2bin
    /// V2026, the default) | clamp (l2bin V2023) | keep.
    pub out_of_range: Option<String>,
    /// Drop a pixel from the binned product where any product of its Level-2
    /// file is invalid there (l2bin bins a pixel for all its products or for none).
    pub drop_all_invalid: bool,
    /// Data day YYYY-MM-DD: l2bin `prodtype=day`. Level-2 inputs of the day
    /// before and after are accepted and their pixels of another data day
    /// near the dateline dropped; without it every Level-2 input must be of one UTC day.
    pub data_day: Option<String>,
}

impl BinConfig {
    /// Checks the options before any file is read (a usage error, exit 2).
    pub fn check(&self) -> Result<()> {
        self.grid.as_deref().map(GridSpec::parse).transpose()?;
        self.averaging.as_deref().map(Averaging::parse).transpose()?;
        out_of_range_rule(self.out_of_range.as_deref())?;
        self.data_day.as_deref().map(parse_data_day).transpose()?;
        Ok(())
    }
}

/// How out-of-range Level-2 values are treated (`BinConfig::out_of_range`).
fn out_of_range_rule(name: Option<&str>) -> Result<Option<OutOfRange>> {
    match name.unwrap_or("drop") {
        "drop" => Ok(Some(OutOfRange::Drop)),
        "clamp" => Ok(Some(OutOfRange::Clamp)),
        "keep" => Ok(None),
        other => Err(Error::InvalidParameter { name: "out_of_range".into(), reason: format!("{other:?} is not one of drop, clamp, keep") }),
    }
}

/// The data day asked for (`BinConfig::data_day`), checked.
pub fn parse_data_day(text: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| Error::InvalidParameter { name: "data_day".into(), reason: format!("{text:?} is not a date YYYY-MM-DD") })
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct IntercalConfig {
    pub variable: Option<String>,
    /// log_offset | rma | quantile | field (fusion::intercal).
    pub method: String,
    /// Quantiles of the quantile mapping.
    pub nq: usize,
    /// Field method: cells per block (rows, columns), seasons per year,
    /// half-width of the day-of-year window, pairs needed for a local value.
    /// OC-CCI's own values are not published (fusion.md s10.2): these are
    /// this library's defaults, not a published algorithm's.
    pub block: [usize; 2],
    pub nseason: usize,
    pub window_days: f64,
    pub min_pairs: u32,
}

impl Default for IntercalConfig {
    fn default() -> Self {
        IntercalConfig { variable: None, method: "log_offset".into(), nq: 101, block: [8, 8], nseason: 12, window_days: 30.0, min_pairs: 30 }
    }
}

impl IntercalConfig {
    pub fn method(&self) -> Result<Method> {
        Ok(match self.method.as_str() {
            "log_offset" | "offset" => Method::LogOffset,
            "rma" => Method::Rma,
            "quantile" => Method::Quantile { nq: self.nq },
            "field" => Method::Field { block: (self.block[0], self.block[1]), nseason: self.nseason, window_days: self.window_days, min_pairs: self.min_pairs },
            m => return Err(Error::InvalidParameter { name: "method".into(), reason: format!("{m:?} is not one of offset, rma, quantile, field") }),
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MergeConfig {
    pub variable: Option<String>,
    /// log10 (chlorophyll, SPM) | linear.
    pub space: String,
    /// Error variance of each sensor in the merging space (log10 units^2),
    /// e.g. its matchup RMSD^2. GlobColour's per-sensor errors are not
    /// public (fusion.md s10.3); with none given the sensors weigh equally.
    pub error_variance: BTreeMap<String, f64>,
    /// Correction file per sensor (`intercal fit` output).
    pub corrections: BTreeMap<String, PathBuf>,
}

impl Default for MergeConfig {
    fn default() -> Self {
        MergeConfig { variable: None, space: "log10".into(), error_variance: BTreeMap::new(), corrections: BTreeMap::new() }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct L4Config {
    /// exponential | spherical (PyKrige's parameterisation, fusion::krige).
    pub variogram: String,
    /// Variogram in log10 units^2 and km; all three given, or none (fitted).
    pub psill: Option<f64>,
    pub range_km: Option<f64>,
    pub nugget: Option<f64>,
    /// Neighbours per estimate.
    pub k: usize,
    /// Weight of the previous analysis in the first guess (fusion.md s4.1:
    /// alpha = exp(-dt/L_t); no published L_t, so no default).
    pub alpha: Option<f64>,
    /// Empirical variogram: lag bins, largest lag (default half the grid
    /// diagonal), observations used at most.
    pub nlags: usize,
    pub max_lag_km: Option<f64>,
    pub max_points: usize,
    /// Filter the merged error variance (sigma^2 of `merge`) as observation noise.
    pub observation_noise: bool,
    /// First-guess variable name (default: the merged product's name).
    pub first_guess_variable: Option<String>,
}

impl Default for L4Config {
    fn default() -> Self {
        L4Config {
            variogram: "exponential".into(),
            psill: None,
            range_km: None,
            nugget: None,
            k: 32,
            alpha: None,
            nlags: 20,
            max_lag_km: None,
            max_points: 3000,
            observation_noise: false,
            first_guess_variable: None,
        }
    }
}

impl FusionConfig {
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::file(path, format!("cannot be read: {e}")))?;
        toml::from_str(&text).map_err(|e| Error::file(path, format!("invalid fusion configuration: {e}")))
    }
}

fn toml_of<T: Serialize>(table: &str, t: &T) -> String {
    let body = toml::to_string(t).expect("the configuration always serialises");
    format!("[{table}]\n{body}")
}

// ------------------------------------------------------------ common

/// Progress of a fusion command: (steps done, steps in all, what).
pub type Progress<'a> = &'a dyn Fn(usize, usize, &str);

fn names(paths: &[PathBuf]) -> String {
    paths.iter().map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()).collect::<Vec<_>>().join(", ")
}

/// Provenance attributes shared by every fusion output.
fn provenance(ctx: &Context, command: &str, title: String, inputs: &[PathBuf], config: String, method: String) -> Vec<(String, AttributeValue)> {
    let now = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let line = &ctx.command_line;
    vec![
        text_attr("Conventions", "CF-1.8, ACDD-1.3"),
        text_attr("title", title),
        text_attr("history", format!("{now} oceancolour {VERSION} {command}: {line}")),
        text_attr("date_created", now),
        text_attr("product_version", VERSION),
        text_attr("oceancolour_version", VERSION),
        text_attr("input_sources", names(inputs)),
        text_attr("input_paths", inputs.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join("\n")),
        text_attr("oceancolour_configuration", config),
        text_attr("method", method),
    ]
}

fn time_attrs(start: &str, end: &str) -> Vec<(String, AttributeValue)> {
    vec![text_attr("time_coverage_start", start), text_attr("time_coverage_end", end)]
}

fn sensor_attrs(sensor: &str, instrument: &str, platform: &str) -> Vec<(String, AttributeValue)> {
    vec![text_attr("sensor", sensor), text_attr("instrument", instrument), text_attr("platform", platform)]
}

/// Reads L3 binned files that must share a grid, naming the odd one out.
fn read_all(ctx: &Context, paths: &[PathBuf], variable: Option<&str>, progress: Progress, what: &str) -> Result<Vec<L3Binned>> {
    let mut out: Vec<L3Binned> = Vec::with_capacity(paths.len());
    for (i, p) in paths.iter().enumerate() {
        ctx.check()?;
        progress(i, paths.len(), what);
        let l3 = l3file::read_binned(p, variable)?;
        if let Some(first) = out.first() {
            if !first.grid.same_as(&l3.grid) {
                return Err(Error::file(
                    p,
                    format!("is on grid {} but {} is on {}: put every input on the same grid", l3.grid.describe(), paths[0].display(), first.grid.describe()),
                ));
            }
            if first.product.variable != l3.product.variable {
                return Err(Error::file(
                    p,
                    format!("holds {} but {} holds {}: name the product with --variable", l3.product.variable, paths[0].display(), first.product.variable),
                ));
            }
        }
        out.push(l3);
    }
    Ok(out)
}

/// Day of year (1-based, as intercal's seasons use).
fn doy(d: NaiveDate) -> f64 {
    d.ordinal() as f64
}

/// A correction applied to per-bin values (NaN where it cannot apply). A
/// space- and season-varying (`field`) correction needs the regular grid it
/// was fitted on.
fn apply_to_bins(c: &Correction, grid: &GridSpec, bins: &[u64], values: &[f32], day: f64) -> Result<Vec<f32>> {
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

/// An L3 file's sums corrected bin by bin so that each bin's mean becomes
/// the corrected mean. Geometric bins: ln values move by y' = s y + c (s the
/// RMA slope, else 1), exact for offset, RMA and field corrections;
/// arithmetic bins: values scale by the ratio of the means, exact for offset
/// and field corrections. For quantile mapping (and RMA on arithmetic bins)
/// the mean is exact and the spread approximate. Bins whose mean cannot be
/// corrected (<= 0) are dropped; their number is returned.
pub fn correct_bins(c: &Correction, l3: &L3Binned, day: f64) -> Result<(L3Bins, usize)> {
    let b = &l3.bins;
    let mean: Vec<f32> = b.mean().into_iter().map(|m| m as f32).collect();
    let corrected = apply_to_bins(c, &l3.grid, &b.bin, &mean, day)?;
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

// ------------------------------------------------------------ bin

/// A Level-2 product file written by `oceancolour process` (swath, grid or
/// bins with lat/lon), as pixels.
struct L2Pixels {
    lon: Vec<f32>,
    lat: Vec<f32>,
    value: Vec<f32>,
    /// Pixels per row (1 for a 1-D layout): the data-day rule works by rows.
    cols: usize,
    /// Per pixel, whether another product variable of the file is invalid
    /// there (only filled when asked: `drop_all_invalid`).
    invalid_elsewhere: Vec<bool>,
    product: ProductMeta,
    sensor: (String, String, String),
    start: String,
    end: String,
}

const NOT_PRODUCTS: [&str; 5] = ["lat", "lon", "bin_num", "radiation_wavelength", "time"];

fn read_l2(path: &Path, variable: Option<&str>, all_products: bool) -> Result<L2Pixels> {
    let f = nc::open(path)?;
    let attr = |n: &str| nc::text(f.attribute(n).map(|a| a.value())).unwrap_or_default();
    let products: Vec<String> = f.variables().filter(|v| !NOT_PRODUCTS.contains(&v.name().as_str()) && !v.dimensions().is_empty()).map(|v| v.name()).collect();
    let name = match variable {
        Some(v) if products.iter().any(|p| p == v) => v.to_string(),
        Some(v) => return Err(Error::file(path, format!("has no product variable {v:?}; it has: {}", products.join(", ")))),
        None if products.len() == 1 => products[0].clone(),
        None => return Err(Error::file(path, format!("holds several variables ({}): choose one with --variable", products.join(", ")))),
    };
    let v = nc::variable(path, &f, &name, "product")?;
    let (lat_v, lon_v) = (nc::variable(path, &f, "lat", "latitude")?, nc::variable(path, &f, "lon", "longitude")?);
    let dims: Vec<String> = v.dimensions().iter().map(|d| d.name()).collect();
    let rows = v.dimensions().first().map_or(0, |d| d.len());
    let value = nc::read_decoded(path, &v, 0, rows)?;
    let n = value.len();
    let (lat, lon) = if lat_v.len() == n && lon_v.len() == n {
        (nc::read_decoded(path, &lat_v, 0, rows)?, nc::read_decoded(path, &lon_v, 0, rows)?)
    } else if dims.len() == 2 && lat_v.len() == rows && lon_v.len() * rows == n {
        // A regular grid: 1-D axes, one position per cell.
        let (la, lo) = (nc::read_decoded(path, &lat_v, 0, rows)?, nc::read_decoded(path, &lon_v, 0, lon_v.len())?);
        let cols = lo.len();
        ((0..n).map(|i| la[i / cols]).collect(), (0..n).map(|i| lo[i % cols]).collect())
    } else {
        return Err(Error::file(path, format!("lat/lon ({} and {} values) do not match {name} ({n} values)", lat_v.len(), lon_v.len())));
    };
    let mut invalid_elsewhere = Vec::new();
    if all_products {
        invalid_elsewhere = vec![false; n];
        for other in products.iter().filter(|p| **p != name) {
            let ov = nc::variable(path, &f, other, "product")?;
            if ov.len() != n {
                continue; // not a per-pixel product (e.g. a per-band table)
            }
            let values = nc::read_decoded(path, &ov, 0, rows)?;
            for (bad, x) in invalid_elsewhere.iter_mut().zip(values) {
                *bad |= !x.is_finite();
            }
        }
    }
    let cols = if dims.len() >= 2 { v.dimensions().last().map_or(1, |d| d.len()) } else { 1 };
    let vt = |k: &str| nc::text(v.attribute_value(k));
    Ok(L2Pixels {
        lon,
        lat,
        value,
        cols,
        invalid_elsewhere,
        product: ProductMeta {
            long_name: vt("long_name").unwrap_or_else(|| name.clone()),
            units: vt("units").unwrap_or_default(),
            standard_name: vt("standard_name"),
            variable: name,
        },
        sensor: l3file::sensor_name(&f),
        start: attr("time_coverage_start"),
        end: attr("time_coverage_end"),
    })
}

/// What `bin` was asked.
pub struct BinRequest {
    pub inputs: Vec<PathBuf>,
    pub output: PathBuf,
    pub config: BinConfig,
}

/// Outcome of `bin`.
pub struct BinReport {
    pub output: PathBuf,
    pub bins: usize,
    pub observations: u64,
    pub grid: String,
    pub day: String,
}

/// Bins Level-2 products of one day (each file a scene) and adds Level-3
/// binned inputs (composites over days) onto one grid.
pub fn bin(req: &BinRequest, ctx: &Context, progress: Progress) -> Result<BinReport> {
    let cfg = &req.config;
    let asked_grid = cfg.grid.as_deref().map(GridSpec::parse).transpose()?;
    let asked_avg = cfg.averaging.as_deref().map(Averaging::parse).transpose()?;
    let range_rule = out_of_range_rule(cfg.out_of_range.as_deref())?;
    let data_day = cfg.data_day.as_deref().map(parse_data_day).transpose()?;
    let mut screened = Screened::default();
    let mut parts: Vec<L3Bins> = Vec::new();
    let mut grid: Option<GridSpec> = asked_grid;
    let mut product: Option<ProductMeta> = None;
    let mut sensors: Vec<(String, String, String)> = Vec::new();
    let (mut start, mut end) = (String::new(), String::new());
    let mut l2_days: BTreeMap<NaiveDate, PathBuf> = BTreeMap::new();
    let n = req.inputs.len();
    for (i, path) in req.inputs.iter().enumerate() {
        ctx.check()?;
        progress(i, n, &path.display().to_string());
        if !path.exists() {
            return Err(Error::file(path, "does not exist"));
        }
        let is_l3 = l3file::file_type(path)?.as_deref() == Some(fields::BINNED);
        let (bins, meta, sensor, s, e) = if is_l3 {
            let l3 = l3file::read_binned(path, cfg.variable.as_deref())?;
            match &grid {
                Some(g) if !g.same_as(&l3.grid) => {
                    return Err(Error::file(path, format!("is binned on grid {} but the output grid is {}", l3.grid.describe(), g.describe())))
                }
                Some(_) => {}
                None => grid = Some(l3.grid.clone()),
            }
            if let Some(a) = asked_avg.filter(|a| *a != l3.bins.averaging) {
                return Err(Error::file(path, format!("holds {} sums, not {}: sums cannot be converted", l3.bins.averaging.name(), a.name())));
            }
            (l3.bins, l3.product, (l3.sensor, l3.instrument, l3.platform), l3.time_coverage_start, l3.time_coverage_end)
        } else {
            let mut px = read_l2(path, cfg.variable.as_deref(), cfg.drop_all_invalid)?;
            let day = l3file::day_of(path, &px.start)?;
            if let Some(data_day) = data_day {
                if !keep_data_day(path, &mut px, data_day)? {
                    log::info!("{}: no pixel of data day {data_day} (l2bin prodtype=day): skipped", path.display());
                    continue;
                }
            } else if let Some((d, other)) = l2_days.iter().next().filter(|(d, _)| **d != day) {
                return Err(Error::file(
                    path,
                    format!(
                        "is from {day} but {} is from {d}: bin one day per run (--data-day DAY accepts granules of the days around it, l2bin's rule), then composite the daily files (`oceancolour bin DAY1.nc DAY2.nc ...`)",
                        other.display()
                    ),
                ));
            }
            l2_days.insert(day, path.clone());
            let Some(g) = &grid else {
                return Err(Error::InvalidParameter {
                    name: "--grid".into(),
                    reason: "binning Level-2 products needs a grid (--grid isin:4320 or regular:...)".into(),
                });
            };
            let averaging = asked_avg.unwrap_or_default();
            screen_l2(&mut px, range_rule, &mut screened);
            let scene = vec![0u32; px.value.len()];
            let b = match g {
                GridSpec::Isin(g) => bin_l2(g, &px.lon, &px.lat, &px.value, &scene, averaging, cfg.min_obs.max(1))?,
                GridSpec::Regular(g) => bin_l2(g, &px.lon, &px.lat, &px.value, &scene, averaging, cfg.min_obs.max(1))?,
            };
            (b, px.product, px.sensor, px.start, px.end)
        };
        if let Some(p) = &product {
            if p.variable != meta.variable {
                return Err(Error::file(path, format!("holds {} but the first input holds {}: name the product with --variable", meta.variable, p.variable)));
            }
        } else {
            product = Some(meta);
        }
        if !sensors.contains(&sensor) {
            sensors.push(sensor);
        }
        if start.is_empty() || (!s.is_empty() && s < start) {
            start = s;
        }
        if e > end {
            end = e;
        }
        if let Some(first) = parts.first() {
            if first.averaging != bins.averaging {
                return Err(Error::file(
                    path,
                    format!("gives {} sums but earlier inputs {}: use one --averaging", bins.averaging.name(), first.averaging.name()),
                ));
            }
        }
        parts.push(bins);
    }
    progress(n, n, "compositing");
    let (Some(grid), Some(product)) = (grid, product) else {
        return Err(Error::InvalidParameter { name: "inputs".into(), reason: "no input given".into() });
    };
    let refs: Vec<&L3Bins> = parts.iter().collect();
    let bins = L3Bins::composite(&refs)?;
    let day = data_day.map(|d| d.to_string()).unwrap_or_else(|| start.get(..10).unwrap_or("").to_string());
    let join = |k: usize| sensors.iter().map(|s| [&s.0, &s.1, &s.2][k].as_str()).collect::<Vec<_>>().join("+");
    let (sensor, instrument, platform) = (join(0), join(1), join(2));
    let mut cfg_used = cfg.clone();
    cfg_used.grid = Some(grid.describe());
    cfg_used.averaging = Some(bins.averaging.name().into());
    cfg_used.variable = Some(product.variable.clone());
    let range = match (range_rule, screened.range) {
        (Some(rule), Some(r)) => format!(
            "Level-2 values outside [{}, {}] {} ({} pixels; range: {})",
            r.min,
            r.max,
            if rule == OutOfRange::Drop { "dropped, as l2bin V2026" } else { "clamped, as l2bin V2023" },
            screened.out_of_range,
            r.source
        ),
        (None, _) => "no valid-range screening (out_of_range = keep)".into(),
        (Some(_), None) => "no valid range held for this product".into(),
    };
    let method = format!(
        "NASA l2bin/l3bin binning (fusion.md s1.2-1.3): each input file a scene weighted by sqrt(n); {} averaging; composites add the sums; min_obs {}; {range}{}{}",
        bins.averaging.name(),
        cfg.min_obs.max(1),
        if cfg.drop_all_invalid { format!("; pixels invalid in another product of their file dropped ({})", screened.invalid_elsewhere) } else { String::new() },
        data_day.map(|d| format!("; data day {d} (l2bin prodtype=day dateline rule)")).unwrap_or_default(),
    );
    let mut globals = provenance(
        ctx,
        "bin",
        format!("{} Level-3 binned ({}) from {instrument}, {day}", product.long_name, grid.describe()),
        &req.inputs,
        toml_of("bin", &cfg_used),
        method,
    );
    globals.extend(time_attrs(&start, &end));
    globals.extend(sensor_attrs(&sensor, &instrument, &platform));
    globals.push(text_attr("processing_level", "L3 Binned"));
    globals.push(text_attr(
        "temporal_range",
        if data_day.is_some() || start.get(..10) == end.get(..10) || end.is_empty() {
            "day".to_string()
        } else {
            format!("{} to {}", &day, end.get(..10).unwrap_or(""))
        },
    ));
    globals.push(("data_bins".into(), AttributeValue::Longlong(bins.len() as i64)));
    let l3 = L3Binned { grid: grid.clone(), bins, product, sensor, instrument, platform, time_coverage_start: start, time_coverage_end: end };
    let output = l3file::write_binned(&req.output, &l3, globals)?;
    Ok(BinReport { output, bins: l3.bins.len(), observations: l3.bins.nobs.iter().map(|&x| x as u64).sum(), grid: grid.describe(), day })
}

/// What the Level-2 screening removed before binning, for the method attribute.
#[derive(Default)]
struct Screened {
    out_of_range: usize,
    invalid_elsewhere: usize,
    range: Option<&'static binning::ValidRange>,
}

/// l2bin's screening of a Level-2 product before binning: values outside
/// the product's valid range dropped or clamped (`range_rule`), and pixels
/// where another product of the file is invalid dropped (when read).
fn screen_l2(px: &mut L2Pixels, range_rule: Option<OutOfRange>, screened: &mut Screened) {
    let before = px.value.iter().filter(|x| x.is_finite()).count();
    if let (Some(rule), Some(range)) = (range_rule, binning::valid_range(&px.product.variable)) {
        binning::apply_valid_range(&mut px.value, range, rule);
        screened.range = Some(range);
    }
    let after_range = px.value.iter().filter(|x| x.is_finite()).count();
    screened.out_of_range += before - after_range;
    for (x, _) in px.value.iter_mut().zip(&px.invalid_elsewhere).filter(|(x, bad)| **bad && x.is_finite()) {
        *x = f32::NAN;
        screened.invalid_elsewhere += 1;
    }
}

/// l2bin `prodtype=day`: keeps the pixels of a Level-2 granule that belong to
/// `data_day` (NaN elsewhere); false when none does.
fn keep_data_day(path: &Path, px: &mut L2Pixels, data_day: NaiveDate) -> Result<bool> {
    let start = parse_time(&px.start).ok_or_else(|| Error::file(path, format!("time_coverage_start {:?} is not an ISO 8601 time", px.start)))?;
    let eqx = equator_crossing_hour(&px.sensor.0).ok_or_else(|| {
        Error::file(path, format!("sensor {:?} has no known equator-crossing time: the data-day rule cannot be applied (bin without --data-day)", px.sensor.0))
    })?;
    let (d0, d1) = binning::granule_data_days(start.timestamp(), eqx, &px.lon, px.cols)?;
    let epoch = |d: NaiveDate| (d - NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date")).num_days();
    let day = epoch(data_day);
    let side = binning::data_day_side(d0, d1, day, day);
    if side == DataDaySide::Outside {
        return Ok(false);
    }
    let keep = binning::data_day_keep(&px.lon, px.cols, side, false, epoch(start.date_naive()), day, day)?;
    for (x, _) in px.value.iter_mut().zip(&keep).filter(|(_, k)| !**k) {
        *x = f32::NAN;
    }
    Ok(keep.iter().any(|&k| k))
}

/// Nominal local equator-crossing hour of a sensor's platform, as l2bin's
/// data day needs it. Mission facts: SeaWiFS/OrbView-2 12:00 descending
/// (NASA SeaWiFS mission page); Aqua 13:30 ascending, Terra 10:30
/// descending (NASA MODIS specifications); Suomi-NPP, NOAA-20, NOAA-21
/// 13:30 ascending (NOAA JPSS); Envisat 10:00 descending (ESA MERIS);
/// Sentinel-3 10:00 descending (ESA Sentinel-3 OLCI user guide); PACE 13:00
/// ascending (NASA PACE mission).
fn equator_crossing_hour(sensor: &str) -> Option<f64> {
    Some(match sensor {
        "seawifs" => 12.0,
        "modis-aqua" | "viirs-snpp" | "viirs-noaa20" | "viirs-noaa21" => 13.5,
        "modis-terra" => 10.5,
        "meris" | "olci-a" | "olci-b" | "olci-c" => 10.0,
        "pace-oci" => 13.0,
        _ => return None,
    })
}

fn parse_time(text: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_rfc3339(text).map(|t| t.to_utc()).ok().or_else(|| {
        let t = text.trim_end_matches('Z');
        chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%.f").ok().map(|t| t.and_utc())
    })
}

// ------------------------------------------------------------ intercal

pub struct FitRequest {
    pub sensor: Vec<PathBuf>,
    pub reference: Vec<PathBuf>,
    pub output: PathBuf,
    pub bridge: Option<PathBuf>,
    pub config: IntercalConfig,
}

/// Daily files by day, refusing two files of one day and mixed sensors.
fn by_day(files: Vec<L3Binned>, paths: &[PathBuf]) -> Result<(String, BTreeMap<NaiveDate, L3Binned>)> {
    let sensor = files.first().map(|f| f.sensor.clone()).unwrap_or_default();
    let mut days = BTreeMap::new();
    for (f, p) in files.into_iter().zip(paths) {
        if f.sensor != sensor {
            return Err(Error::file(p, format!("is from {} but {} is from {sensor}: give one sensor per list", f.sensor, paths[0].display())));
        }
        let d = f.day(p)?;
        if days.insert(d, f).is_some() {
            return Err(Error::file(p, format!("is a second file for {d}: give one daily file per day (composite several with `oceancolour bin`)")));
        }
    }
    Ok((sensor, days))
}

/// Fits an intercalibration of one sensor's daily L3 files to a reference's
/// from their same-cell same-day pairs, and saves it.
pub fn intercal_fit(req: &FitRequest, ctx: &Context, progress: Progress) -> Result<Correction> {
    let method = req.config.method()?;
    let var = req.config.variable.as_deref();
    let all: Vec<PathBuf> = req.sensor.iter().chain(&req.reference).cloned().collect();
    let files = read_all(ctx, &all, var, progress, "reading")?;
    let mut files = files.into_iter();
    let (sensor, s_days) = by_day(files.by_ref().take(req.sensor.len()).collect(), &req.sensor)?;
    let (reference, r_days) = by_day(files.collect(), &req.reference)?;
    if sensor == reference {
        return Err(Error::InvalidParameter { name: "--reference".into(), reason: format!("the sensor and reference files are both from {sensor}") });
    }
    let bridge = req.bridge.as_deref().map(correction::load).transpose()?;
    let chain = match &bridge {
        Some(b) if b.chain[0] != reference => {
            return Err(Error::file(
                req.bridge.as_ref().expect("given"),
                format!("corrects {} but the reference files are from {reference}: the bridge must be the reference sensor's correction", b.chain[0]),
            ))
        }
        Some(b) => std::iter::once(sensor.clone()).chain(b.chain.iter().cloned()).collect(),
        None => vec![sensor.clone(), reference.clone()],
    };
    let common: Vec<NaiveDate> = s_days.keys().filter(|d| r_days.contains_key(d)).copied().collect();
    if common.is_empty() {
        return Err(Error::InvalidParameter { name: "overlap".into(), reason: format!("no day has both a {sensor} and a {reference} file") });
    }
    let grid = s_days[&common[0]].grid.clone();
    // The reference's values per common day (corrected by the bridge first).
    let mut refs: Vec<(Vec<u64>, Vec<f32>)> = Vec::with_capacity(common.len());
    for d in &common {
        let r = &r_days[d];
        let mean: Vec<f32> = r.bins.mean().into_iter().map(|m| m as f32).collect();
        let mean = match &bridge {
            Some(b) => apply_to_bins(b, &grid, &r.bins.bin, &mean, doy(*d))?,
            None => mean,
        };
        refs.push((r.bins.bin.clone(), mean));
    }
    let period = format!("{}/{}", common[0], common[common.len() - 1]);
    let correction = match (&method, &grid) {
        (Method::Field { .. }, GridSpec::Regular(g)) => {
            let cells = g.nlon * g.nlat;
            let (mut sv, mut rv) = (vec![f32::NAN; cells * common.len()], vec![f32::NAN; cells * common.len()]);
            for (k, d) in common.iter().enumerate() {
                let s = &s_days[d].bins;
                for (&b, m) in s.bin.iter().zip(s.mean()) {
                    sv[k * cells + b as usize] = m as f32;
                }
                for (&b, &m) in refs[k].0.iter().zip(&refs[k].1) {
                    rv[k * cells + b as usize] = m;
                }
            }
            let doys: Vec<f64> = common.iter().map(|d| doy(*d)).collect();
            let shape = (common.len(), g.nlat, g.nlon);
            Correction::fit(&DailyFields { values: &sv, shape, doy: &doys }, &DailyFields { values: &rv, shape, doy: &doys }, &method, chain, &period)?
        }
        (Method::Field { .. }, GridSpec::Isin(_)) => {
            return Err(Error::InvalidParameter { name: "method".into(), reason: "the field method needs daily files on a regular lat/lon grid".into() })
        }
        _ => {
            // Only the pairs matter: one "day" per pair.
            let (mut sv, mut rv, mut doys) = (vec![], vec![], vec![]);
            for (k, d) in common.iter().enumerate() {
                let s = &s_days[d].bins;
                let smean = s.mean();
                let (rb, rm) = &refs[k];
                let (mut i, mut j) = (0, 0);
                while i < s.bin.len() && j < rb.len() {
                    match s.bin[i].cmp(&rb[j]) {
                        std::cmp::Ordering::Less => i += 1,
                        std::cmp::Ordering::Greater => j += 1,
                        std::cmp::Ordering::Equal => {
                            sv.push(smean[i] as f32);
                            rv.push(rm[j]);
                            doys.push(doy(*d));
                            i += 1;
                            j += 1;
                        }
                    }
                }
            }
            let shape = (sv.len(), 1, 1);
            Correction::fit(&DailyFields { values: &sv, shape, doy: &doys }, &DailyFields { values: &rv, shape, doy: &doys }, &method, chain, &period)?
        }
    };
    let mut cfg_used = req.config.clone();
    cfg_used.variable = Some(s_days[&common[0]].product.variable.clone());
    let mut extra = provenance(
        ctx,
        "intercal fit",
        format!("oceancolour inter-sensor correction {}", correction.chain.join(" -> ")),
        &all.iter().chain(req.bridge.iter()).cloned().collect::<Vec<_>>(),
        toml_of("intercal", &cfg_used),
        format!("{} fitted on {} same-cell same-day pairs of daily L3 means, log10 space (fusion.md s2.2)", correction.method_name(), correction.n_pairs),
    );
    extra.retain(|(k, _)| !["Conventions", "title", "method"].contains(&k.as_str())); // the correction file writes its own
    extra.push(text_attr("grid", grid.describe()));
    extra.push(text_attr("variable", cfg_used.variable.clone().unwrap_or_default()));
    if let Some(b) = &req.bridge {
        extra.push(text_attr("bridge_correction", b.display().to_string()));
    }
    correction::save_with(&correction, &req.output, extra)?;
    Ok(correction)
}

pub struct ApplyRequest {
    pub correction: PathBuf,
    pub inputs: Vec<PathBuf>,
    pub outdir: PathBuf,
}

/// Corrected copies of L3 binned files (same names, in `outdir`).
pub fn intercal_apply(req: &ApplyRequest, ctx: &Context, progress: Progress) -> Result<Vec<PathBuf>> {
    let c = correction::load(&req.correction)?;
    std::fs::create_dir_all(&req.outdir).map_err(|e| Error::file(&req.outdir, format!("output folder cannot be created: {e}")))?;
    let mut written = Vec::new();
    for (i, path) in req.inputs.iter().enumerate() {
        ctx.check()?;
        progress(i, req.inputs.len(), &path.display().to_string());
        let l3 = l3file::read_binned(path, None)?;
        if l3.sensor != c.chain[0] {
            return Err(Error::file(path, format!("is from {} but {} corrects {}", l3.sensor, req.correction.display(), c.chain[0])));
        }
        let dest = req.outdir.join(path.file_name().ok_or_else(|| Error::file(path, "not a file name"))?);
        if dest.canonicalize().ok() == path.canonicalize().ok() {
            return Err(Error::file(path, "the corrected copy would replace the input: choose another output folder"));
        }
        let day = l3.day(path)?;
        let (bins, dropped) = correct_bins(&c, &l3, doy(day))?;
        if dropped > 0 {
            log::warn!("{}: {dropped} bin(s) with a mean <= 0 cannot be corrected in log10 and were dropped", path.display());
        }
        let mut globals = provenance(
            ctx,
            "intercal apply",
            format!(
                "{} Level-3 binned ({}) from {}, {}, intercalibrated to {}",
                l3.product.long_name,
                l3.grid.describe(),
                l3.instrument,
                day,
                c.chain[1..].join(" -> ")
            ),
            &[path.clone(), req.correction.clone()],
            String::new(),
            format!("{} correction {} applied to the bin sums (fusion.md s2.2)", c.method_name(), c.chain.join(" -> ")),
        );
        globals.extend(time_attrs(&l3.time_coverage_start, &l3.time_coverage_end));
        globals.extend(sensor_attrs(&l3.sensor, &l3.instrument, &l3.platform));
        globals
            .push(text_attr("intercalibration", format!("{} ({}; overlap {}; {} pairs)", req.correction.display(), c.chain.join(" -> "), c.period, c.n_pairs)));
        let out = L3Binned { bins, ..l3 };
        written.push(l3file::write_binned(&dest, &out, globals)?);
    }
    Ok(written)
}

// ------------------------------------------------------------ merge

pub struct MergeRequest {
    pub inputs: Vec<PathBuf>,
    pub output: PathBuf,
    pub config: MergeConfig,
}

pub struct MergeReport {
    pub output: PathBuf,
    pub sensors: Vec<String>,
    pub cells: usize,
    pub weights: String,
}

/// Merges same-day L3 files of several sensors on one grid.
pub fn merge(req: &MergeRequest, ctx: &Context, progress: Progress) -> Result<MergeReport> {
    let cfg = &req.config;
    let space = Space::parse(&cfg.space)?;
    let files = read_all(ctx, &req.inputs, cfg.variable.as_deref(), progress, "reading")?;
    let first = files.first().ok_or_else(|| Error::InvalidParameter { name: "inputs".into(), reason: "no input given".into() })?;
    let day = first.day(&req.inputs[0])?;
    let mut sensors: Vec<String> = Vec::new();
    for (f, p) in files.iter().zip(&req.inputs) {
        let d = f.day(p)?;
        if d != day {
            return Err(Error::file(p, format!("is from {d} but {} is from {day}: merge one day at a time", req.inputs[0].display())));
        }
        if sensors.contains(&f.sensor) {
            return Err(Error::file(p, format!("is a second {} file for {day}: composite them first with `oceancolour bin`", f.sensor)));
        }
        sensors.push(f.sensor.clone());
    }
    for name in cfg.corrections.keys().chain(cfg.error_variance.keys()) {
        if !sensors.contains(name) {
            return Err(Error::InvalidParameter { name: name.clone(), reason: format!("no input is from sensor {name:?} (inputs: {})", sensors.join(", ")) });
        }
    }
    let given = sensors.iter().filter(|s| cfg.error_variance.contains_key(*s)).count();
    if given != 0 && given != sensors.len() {
        let missing: Vec<&str> = sensors.iter().filter(|s| !cfg.error_variance.contains_key(*s)).map(|s| s.as_str()).collect();
        return Err(Error::InvalidParameter { name: "--error-variance".into(), reason: format!("given for some sensors but not for {}", missing.join(", ")) });
    }
    let weights = if given == 0 {
        log::warn!("no --error-variance given: the sensors weigh equally (GlobColour's per-sensor errors are not public)");
        "equal (no error variances given)".to_string()
    } else {
        sensors.iter().map(|s| format!("{s}: {}", cfg.error_variance[s])).collect::<Vec<_>>().join(", ")
    };
    // Union of the filled cells.
    let mut cells: Vec<u64> = files.iter().flat_map(|f| f.bins.bin.iter().copied()).collect();
    cells.sort_unstable();
    cells.dedup();
    let mut values: Vec<Vec<f32>> = Vec::with_capacity(files.len());
    let mut counts: Vec<Vec<u32>> = Vec::with_capacity(files.len());
    let mut applied = Vec::new();
    for (f, p) in files.iter().zip(&req.inputs) {
        ctx.check()?;
        let mut mean: Vec<f32> = f.bins.mean().into_iter().map(|m| m as f32).collect();
        if let Some(cp) = cfg.corrections.get(&f.sensor) {
            let c = correction::load(cp)?;
            if c.chain[0] != f.sensor {
                return Err(Error::file(cp, format!("corrects {} but was given for {} ({})", c.chain[0], f.sensor, p.display())));
            }
            mean = apply_to_bins(&c, &f.grid, &f.bins.bin, &mean, doy(day))?;
            applied.push(format!("{}: {} {} ({})", f.sensor, c.method_name(), c.chain.join(" -> "), cp.display()));
        }
        let (mut v, mut n) = (vec![f32::NAN; cells.len()], vec![0u32; cells.len()]);
        for (k, &b) in f.bins.bin.iter().enumerate() {
            let i = cells.binary_search(&b).expect("in the union");
            v[i] = mean[k];
            n[i] = f.bins.nobs[k];
        }
        values.push(v);
        counts.push(n);
    }
    let ev: Vec<[f32; 1]> = sensors.iter().map(|s| [cfg.error_variance.get(s).copied().unwrap_or(1.0) as f32]).collect();
    let fields: Vec<SensorField> = values.iter().zip(&ev).map(|(v, e)| SensorField { values: v, error_variance: e }).collect();
    progress(files.len(), files.len() + 1, "merging");
    let m = merge::merge(&fields, space)?;
    let product = &first.product;
    let grid = &first.grid;
    let spread_units = match space {
        Space::Log10 => "1 (log10 units)",
        Space::Linear => product.units.as_str(),
    };
    let (dense, bins_out): (Box<dyn Fn(Values) -> Values>, Vec<u64>) = match grid {
        GridSpec::Regular(g) => {
            let ncells = g.nlon * g.nlat;
            let idx = cells.clone();
            (
                Box::new(move |v: Values| match v {
                    Values::F32(x) => Values::F32(scatter(&idx, &x, ncells, f32::NAN)),
                    Values::U8(x) => Values::U8(scatter(&idx, &x, ncells, 0)),
                    Values::U32(x) => Values::U32(scatter(&idx, &x, ncells, 0)),
                    Values::F64(x) => Values::F64(scatter(&idx, &x, ncells, f64::NAN)),
                }),
                vec![],
            )
        }
        GridSpec::Isin(_) => (Box::new(|v| v), cells.clone()),
    };
    let mut vars = vec![
        Var::new(&product.variable, dense(Values::F32(m.value)), {
            let mut a =
                vec![("long_name", format!("{}, merged ({} sensors)", product.long_name, sensors.len()).into()), ("units", product.units.clone().into())];
            if let Some(s) = &product.standard_name {
                a.push(("standard_name", s.clone().into()));
            }
            a.push(("ancillary_variables", format!("{0}_error_stdev {0}_spread contributing_sensors", product.variable).into()));
            a
        }),
        Var::new(
            format!("{}_error_stdev", product.variable),
            dense(Values::F32(m.sigma)),
            vec![
                ("long_name", format!("error standard deviation of the merged {} in {} space: (sum of 1/sigma_s^2)^-1/2", product.variable, cfg.space).into()),
                ("units", spread_units.into()),
            ],
        ),
        Var::new(
            format!("{}_spread", product.variable),
            dense(Values::F32(m.spread)),
            vec![("long_name", format!("weighted standard deviation between the sensors' values, {} space", cfg.space).into()), ("units", spread_units.into())],
        ),
        Var::new("sensor_count", dense(Values::U8(m.count)), vec![("long_name", "number of sensors contributing".into())]),
        Var::new(
            "contributing_sensors",
            dense(Values::U32(m.sensors)),
            vec![
                ("long_name", "sensors contributing to the merged value".into()),
                ("standard_name", "status_flag".into()),
                ("flag_masks", AttributeValue::Uints((0..sensors.len()).map(|s| 1u32 << s).collect())),
                ("flag_meanings", sensors.join(" ").into()),
            ],
        ),
    ];
    for (s, n) in sensors.iter().zip(counts) {
        vars.push(Var::new(
            format!("nobs_{}", s.replace('-', "_")),
            dense(Values::U32(n)),
            vec![("long_name", format!("Level-2 observations of {s} in the cell").into())],
        ));
    }
    let mut cfg_used = cfg.clone();
    cfg_used.variable = Some(product.variable.clone());
    let method = format!(
        "inverse-error-variance weighted mean in {} space (GlobColour AVW, Pottier et al. 2006; fusion.md s3); weights {weights}; corrections: {}",
        cfg.space,
        if applied.is_empty() { "none".to_string() } else { applied.join("; ") }
    );
    let mut globals = provenance(
        ctx,
        "merge",
        format!("{} merged from {} ({}), {day}", product.long_name, sensors.join(", "), grid.describe()),
        &req.inputs,
        toml_of("merge", &cfg_used),
        method,
    );
    let start = files.iter().map(|f| f.time_coverage_start.as_str()).min().unwrap_or("").to_string();
    let end = files.iter().map(|f| f.time_coverage_end.as_str()).max().unwrap_or("").to_string();
    globals.extend(time_attrs(&start, &end));
    globals.push(text_attr("sensors", sensors.join(" ")));
    globals.push(text_attr("instrument", files.iter().map(|f| f.instrument.as_str()).collect::<Vec<_>>().join(", ")));
    globals.push(text_attr("platform", files.iter().map(|f| f.platform.as_str()).collect::<Vec<_>>().join(", ")));
    globals.push(text_attr("processing_level", "L3 merged"));
    globals.push(text_attr("merge_weights", weights.clone()));
    let output = fields::write_fields(&req.output, grid, &bins_out, fields::MERGED, &product.variable, vars, globals)?;
    Ok(MergeReport { output, sensors, cells: cells.len(), weights })
}

fn scatter<T: Copy>(cells: &[u64], v: &[T], n: usize, fill: T) -> Vec<T> {
    let mut out = vec![fill; n];
    for (&c, &x) in cells.iter().zip(v) {
        out[c as usize] = x;
    }
    out
}

// ------------------------------------------------------------ l4

pub struct L4Request {
    pub merged: PathBuf,
    pub first_guess: PathBuf,
    pub previous: Option<PathBuf>,
    pub output: PathBuf,
    pub config: L4Config,
}

pub struct L4Report {
    pub output: PathBuf,
    pub variogram: Variogram,
    pub fitted: bool,
    pub observed: usize,
    pub cells: usize,
}

/// The gap-free field of a merged day: kriging of log10 anomalies to a
/// first guess (climatology, or relaxed toward the previous analysis).
pub fn l4(req: &L4Request, ctx: &Context, progress: Progress) -> Result<L4Report> {
    let cfg = &req.config;
    let model = Model::parse(&cfg.variogram)?;
    progress(0, 3, "reading");
    let merged = fields::read_field(&req.merged, None)?;
    let GridSpec::Regular(g) = merged.grid.clone() else {
        return Err(Error::file(&req.merged, "l4 needs a regular lat/lon grid (ISIN is not supported)"));
    };
    let fg_var = cfg.first_guess_variable.clone().unwrap_or_else(|| merged.variable.clone());
    let clim = fields::read_field(&req.first_guess, Some(&fg_var))?;
    let same = |other: &fields::Field, p: &Path| -> Result<()> {
        if other.grid.same_as(&merged.grid) {
            Ok(())
        } else {
            Err(Error::file(p, format!("is on grid {} but {} is on {}", other.grid.describe(), req.merged.display(), merged.grid.describe())))
        }
    };
    same(&clim, &req.first_guess)?;
    let (prev, alpha) = match (&req.previous, cfg.alpha) {
        (Some(p), Some(a)) => {
            let f = fields::read_field(p, Some(&merged.variable))?;
            same(&f, p)?;
            (f.values, a)
        }
        (Some(_), None) => {
            return Err(Error::InvalidParameter {
                name: "--alpha".into(),
                reason: "--previous needs --alpha (weight of the previous analysis; fusion.md s4.1 gives alpha = exp(-dt/L_t), L_t not published)".into(),
            })
        }
        (None, _) => (vec![], 0.0),
    };
    let fg = krige::first_guess_log10(&clim.values, &prev, alpha)?;
    let values: Vec<f64> = merged.values.iter().map(|&v| v as f64).collect();
    let (lons, lats) = g.axes();
    let cells = krige::GridCoordinates::sinusoidal_km(&lats, &lons)?;
    let noise: Vec<f64> = if cfg.observation_noise {
        let s = fields::read_field(&req.merged, Some(&format!("{}_error_stdev", merged.variable)))?;
        s.values.iter().map(|&x| if x.is_finite() { (x as f64).powi(2) } else { 0.0 }).collect()
    } else {
        vec![]
    };
    let observed: Vec<bool> = (0..values.len()).map(|i| values[i] > 0.0 && values[i].is_finite() && fg[i].is_finite()).collect();
    let nobs = observed.iter().filter(|&&o| o).count();
    let (vario, fitted) = match (cfg.psill, cfg.range_km, cfg.nugget) {
        (Some(p), Some(r), Some(n)) => (Variogram::new(model, p, r, n)?, false),
        (None, None, None) => {
            progress(1, 3, "fitting the variogram");
            let (mut x, mut y, mut z) = (vec![], vec![], vec![]);
            for i in (0..values.len()).filter(|&i| observed[i]) {
                let (cx, cy) = cells.at(i);
                x.push(cx);
                y.push(cy);
                z.push(values[i].log10() - fg[i]);
            }
            // Half the grid's diagonal (from corner to corner, in km).
            let diagonal = {
                let ((x0, y0), (x1, y1)) = (cells.at(0), cells.at(values.len() - 1));
                (x1 - x0).hypot(y1 - y0)
            };
            let max_lag = cfg.max_lag_km.unwrap_or(0.5 * diagonal);
            let (lags, gamma, npairs) = krige::empirical_variogram(&x, &y, &z, cfg.nlags, max_lag, cfg.max_points.max(2))?;
            (krige::fit_variogram(model, &lags, &gamma, &npairs)?, true)
        }
        _ => {
            return Err(Error::InvalidParameter {
                name: "variogram".into(),
                reason: "give all of --psill, --range and --nugget, or none (fitted from the data)".into(),
            })
        }
    };
    ctx.check()?;
    progress(2, 3, "kriging");
    let (est, var) = krige::l4_grid(&values, &fg, &cells, &noise, &vario, cfg.k, Mean::Ordinary)?;
    let product_units = nc_units(&req.merged, &merged.variable);
    let v = &merged.variable;
    let vars = vec![
        Var::new(
            v,
            Values::F32(est.iter().map(|&e| 10f64.powf(e) as f32).collect()),
            vec![
                ("long_name", format!("{v}, gap-free (kriging of log10 anomalies to a first guess)").into()),
                ("units", product_units.into()),
                ("ancillary_variables", format!("{v}_kriging_variance observed").into()),
            ],
        ),
        Var::new(
            format!("{v}_log10"),
            Values::F32(est.iter().map(|&e| e as f32).collect()),
            vec![("long_name", format!("log10 of {v}, the kriging estimate").into()), ("units", "1".into())],
        ),
        Var::new(
            format!("{v}_kriging_variance"),
            Values::F32(var.iter().map(|&e| e as f32).collect()),
            vec![("long_name", format!("kriging error variance of log10 {v}").into()), ("units", "1 (log10 units squared)".into())],
        ),
        Var::new(
            "observed",
            Values::U8(observed.iter().map(|&o| o as u8).collect()),
            vec![
                ("long_name", "cell observed in the merged input".into()),
                ("flag_values", AttributeValue::Uchars(vec![0, 1])),
                ("flag_meanings", "interpolated observed".into()),
            ],
        ),
    ];
    let mut cfg_used = cfg.clone();
    cfg_used.psill = Some(vario.psill);
    cfg_used.range_km = Some(vario.range);
    cfg_used.nugget = Some(vario.nugget);
    cfg_used.first_guess_variable = Some(fg_var);
    let method = format!(
        "ordinary kriging of log10 anomalies to a first guess, {} nearest observations (Saulquin et al. 2011 family; fusion.md s4.1); \
variogram {} psill={} range={} km nugget={} ({}); cells placed in km on the sinusoidal projection centred on the grid's middle meridian (R = {} km); first guess {}{}",
        cfg.k,
        model.name(),
        vario.psill,
        vario.range,
        vario.nugget,
        if fitted { "fitted from the data by weighted least squares" } else { "given" },
        krige::EARTH_RADIUS_KM,
        req.first_guess.display(),
        req.previous.as_ref().map(|p| format!(" relaxed toward {} with alpha={alpha}", p.display())).unwrap_or_default()
    );
    let inputs: Vec<PathBuf> = [Some(req.merged.clone()), Some(req.first_guess.clone()), req.previous.clone()].into_iter().flatten().collect();
    let mut globals = provenance(ctx, "l4", format!("{v} gap-free L4 ({})", merged.grid.describe()), &inputs, toml_of("l4", &cfg_used), method);
    for (k, val) in &merged.attributes {
        if ["time_coverage_start", "time_coverage_end", "sensors", "instrument", "platform"].contains(&k.as_str()) {
            globals.push(text_attr(k, val.clone()));
        }
    }
    globals.push(text_attr("processing_level", "L4"));
    globals.push(text_attr("variogram_model", model.name()));
    for (k, x) in [("variogram_psill", vario.psill), ("variogram_range_km", vario.range), ("variogram_nugget", vario.nugget)] {
        globals.push((k.into(), x.into()));
    }
    globals.push(text_attr("variogram_source", if fitted { "fitted from the data" } else { "given" }));
    globals.push(("kriging_neighbours".into(), AttributeValue::Uint(cfg.k as u32)));
    let output = fields::write_fields(&req.output, &merged.grid, &[], fields::L4, v, vars, globals)?;
    Ok(L4Report { output, variogram: vario, fitted, observed: nobs, cells: values.len() })
}

fn nc_units(path: &Path, var: &str) -> String {
    nc::open(path).ok().and_then(|f| f.variable(var).and_then(|v| nc::text(v.attribute_value("units")))).unwrap_or_default()
}
