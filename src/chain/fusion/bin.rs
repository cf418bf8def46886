//! `oceancolour bin`: Level-2 products of one day -> a Level-3 binned file as NASA's l2bin, and composites of binned files as l3bin.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use netcdf::AttributeValue;

use super::config::{out_of_range_rule, parse_data_day, BinConfig};
use super::{provenance, refuse_output_among_inputs, sensor_attrs, time_attrs, toml_of, Progress};
use crate::chain::Context;
use crate::error::{Error, Result};
use crate::formats::cf::{read_l2, text_attr, L2Pixels};
use crate::formats::fields;
use crate::formats::l3file::{self, L3Binned, ProductMeta};
use crate::fusion::binning::{self as binning, bin_l2, Averaging, DataDaySide, L3Bins, OutOfRange};
use crate::fusion::grid::GridSpec;

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
    refuse_output_among_inputs(&req.output, &req.inputs)?;
    let cfg = &req.config;
    let asked_grid = cfg.grid.as_deref().map(GridSpec::parse).transpose()?;
    let asked_avg = cfg.averaging.as_deref().map(Averaging::parse).transpose()?;
    let range_rule = out_of_range_rule(cfg.out_of_range.as_deref())?;
    let data_day = cfg.data_day.as_deref().map(parse_data_day).transpose()?;
    let mut screened = Screened::default();
    // Each input's bins, with its binned uncertainty when it has one.
    let mut parts: Vec<(L3Bins, Option<L3Bins>)> = Vec::new();
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
        let reading = ctx.reading(path); // the whole file is read here
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
            ((l3.bins, l3.uncertainty), l3.product, (l3.sensor, l3.instrument, l3.platform), l3.time_coverage_start, l3.time_coverage_end)
        } else {
            let mut px = read_l2(path, cfg.variable.as_deref(), cfg.drop_all_invalid)?;
            let day = l3file::day_of(path, &px.start)?;
            reading.idle(); // binning is not a read
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
            let min_obs = cfg.min_obs.max(1);
            let b = match g {
                GridSpec::Isin(g) => bin_l2(g, &px.lon, &px.lat, &px.value, &scene, averaging, min_obs)?,
                GridSpec::Regular(g) => bin_l2(g, &px.lon, &px.lat, &px.value, &scene, averaging, min_obs)?,
            };
            let u = match (&px.uncertainty, g) {
                (Some(u), GridSpec::Isin(g)) => Some(binning::bin_uncertainty(g, &px.lon, &px.lat, &px.value, u, &scene, &b)?),
                (Some(u), GridSpec::Regular(g)) => Some(binning::bin_uncertainty(g, &px.lon, &px.lat, &px.value, u, &scene, &b)?),
                (None, _) => None,
            };
            ((b, u), px.product, px.sensor, px.start, px.end)
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
        if let Some((first, _)) = parts.first() {
            if first.averaging != bins.0.averaging {
                return Err(Error::file(
                    path,
                    format!("gives {} sums but earlier inputs {}: use one --averaging", bins.0.averaging.name(), first.averaging.name()),
                ));
            }
        }
        parts.push(bins);
    }
    progress(n, n, "compositing");
    let (Some(grid), Some(product)) = (grid, product) else {
        return Err(Error::InvalidParameter { name: "inputs".into(), reason: "no input given".into() });
    };
    let refs: Vec<&L3Bins> = parts.iter().map(|p| &p.0).collect();
    let bins = L3Bins::composite(&refs)?;
    // The uncertainty travels only when every input carries one (its sums must cover every pixel binned).
    let uncertainty = match parts.iter().map(|p| p.1.as_ref()).collect::<Option<Vec<&L3Bins>>>() {
        Some(u) => Some(L3Bins::composite(&u)?),
        None => {
            if parts.iter().any(|p| p.1.is_some()) {
                log::warn!("some inputs carry {} and others do not: the output has no per-bin uncertainty", l3file::uncertainty_name(&product.variable));
            }
            None
        }
    };
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
    let method = match &uncertainty {
        Some(_) => format!("{method}; per-pixel uncertainty binned with the product's weights, per-bin error_stdev = sqrt(mean pixel uncertainty^2 + within-bin variance / weights^2) (docs/uncertainty.md s5)"),
        None => method,
    };
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
    let l3 = L3Binned { grid: grid.clone(), bins, product, uncertainty, sensor, instrument, platform, time_coverage_start: start, time_coverage_end: end };
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
    let eqx = crate::sensors::sensor(&px.sensor.0).ok().and_then(|s| s.equator_crossing_hour).ok_or_else(|| {
        Error::file(path, format!("sensor {:?} has no equator_crossing_hour in the sensor registry: the data-day rule cannot be applied (add it to the registry row, or bin without --data-day)", px.sensor.0))
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

fn parse_time(text: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_rfc3339(text).map(|t| t.to_utc()).ok().or_else(|| {
        let t = text.trim_end_matches('Z');
        chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%.f").ok().map(|t| t.and_utc())
    })
}
