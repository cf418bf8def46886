//! `oceancolour merge`: same-day L3 files of several sensors -> one inverse-error-variance weighted field.

use std::path::PathBuf;

use super::config::MergeConfig;
use super::{doy, provenance, read_all, refuse_output_among_inputs, time_attrs, toml_of, Progress};
use crate::chain::Context;
use crate::error::{Error, Result};
use crate::formats::cf::text_attr;
use crate::formats::correction;
use crate::formats::l3file::{self, L3Binned};
use crate::formats::merged::{self, MergedDay, ERROR_FROM_UNCERTAINTY};
use crate::fusion::binning::{self, L3Bins};
use crate::fusion::intercal::apply_to_bins;
use crate::fusion::merge::{self, SensorField, Space};

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
    refuse_output_among_inputs(&req.output, &req.inputs)?;
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
    // Each sensor's error variance: the one configured, else the per-bin
    // uncertainty its file carries; equal weights only when no sensor has either.
    let carried = |f: &L3Binned| f.uncertainty.is_some() && !cfg.error_variance.contains_key(&f.sensor);
    let weighed = |f: &L3Binned| cfg.error_variance.contains_key(&f.sensor) || carried(f);
    let given = files.iter().filter(|f| weighed(f)).count();
    if given != 0 && given != sensors.len() {
        let missing: Vec<&str> = files.iter().filter(|f| !weighed(f)).map(|f| f.sensor.as_str()).collect();
        return Err(Error::InvalidParameter {
            name: "--error-variance".into(),
            reason: format!(
                "some sensors carry error variances ({} or --error-variance) but {} do not: give --error-variance for them",
                l3file::uncertainty_name(&first.product.variable),
                missing.join(", ")
            ),
        });
    }
    let source = match files.iter().filter(|f| carried(f)).count() {
        0 if given == 0 => "none: equal weights, not an error estimate",
        0 => "configured",
        k if k == files.len() => ERROR_FROM_UNCERTAINTY,
        _ => "uncertainty and configured",
    };
    let weights = if given == 0 {
        log::warn!("no error variance given or carried by the inputs: the sensors weigh equally (GlobColour's per-sensor errors are not public)");
        "equal (no error variances given or carried)".to_string()
    } else {
        files
            .iter()
            .map(|f| match cfg.error_variance.get(&f.sensor) {
                Some(e) => format!("{}: {e}", f.sensor),
                None => format!("{}: per bin, from its {}", f.sensor, l3file::uncertainty_name(&f.product.variable)),
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    // Union of the filled cells.
    let mut cells: Vec<u64> = files.iter().flat_map(|f| f.bins.bin.iter().copied()).collect();
    cells.sort_unstable();
    cells.dedup();
    let mut values: Vec<Vec<f32>> = Vec::with_capacity(files.len());
    let mut counts: Vec<Vec<u32>> = Vec::with_capacity(files.len());
    let mut variances: Vec<Vec<f32>> = Vec::with_capacity(files.len());
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
        let per_bin = match (cfg.error_variance.get(&f.sensor), &f.uncertainty) {
            (Some(&e), _) => vec![e as f32; f.bins.len()],
            (None, Some(u)) => bin_error_variance(p, f, u, &mean, space)?,
            (None, None) => vec![1.0; f.bins.len()],
        };
        let (mut v, mut n, mut e) = (vec![f32::NAN; cells.len()], vec![0u32; cells.len()], vec![1.0f32; cells.len()]);
        for (k, &b) in f.bins.bin.iter().enumerate() {
            let i = cells.binary_search(&b).expect("in the union");
            v[i] = mean[k];
            n[i] = f.bins.nobs[k];
            e[i] = per_bin[k];
        }
        values.push(v);
        counts.push(n);
        variances.push(e);
    }
    let fields: Vec<SensorField> = values.iter().zip(&variances).map(|(v, e)| SensorField { values: v, error_variance: e }).collect();
    progress(files.len(), files.len() + 1, "merging");
    let m = merge::merge(&fields, space)?;
    let product = &first.product;
    let grid = &first.grid;
    let spread_units = match space {
        Space::Log10 => "1", // log10 units (dex), said in each layer's long_name
        Space::Linear => product.units.as_str(),
    };
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
    let day_merged = MergedDay {
        product,
        space: &cfg.space,
        spread_units,
        error_source: source,
        sensors: &sensors,
        cells: &cells,
        value: m.value,
        sigma: m.sigma,
        spread: m.spread,
        count: m.count,
        contributing: m.sensors,
        nobs: counts,
    };
    let output = merged::write(&req.output, grid, day_merged, globals)?;
    Ok(MergeReport { output, sensors, cells: cells.len(), weights })
}

/// Error variance per bin, in the merging space, from the bin's error
/// standard deviation in log10 units (`binning::error_stdev_log10`); for the
/// linear space by the delta method, (ln 10 x sigma)^2. A bin without one
/// (a pixel without uncertainty) takes the file's largest: the safe side.
fn bin_error_variance(path: &std::path::Path, f: &L3Binned, u: &L3Bins, mean: &[f32], space: Space) -> Result<Vec<f32>> {
    let sd = binning::error_stdev_log10(&f.bins, u);
    let var: Vec<f64> = sd
        .iter()
        .zip(mean)
        .map(|(&s, &m)| match space {
            Space::Log10 => s * s,
            Space::Linear => (std::f64::consts::LN_10 * m as f64 * s).powi(2),
        })
        .collect();
    let largest = var.iter().copied().filter(|v| *v > 0.0 && v.is_finite()).fold(f64::NAN, f64::max);
    if largest.is_nan() {
        return Err(Error::file(
            path,
            format!("carries {} but no bin has a usable one: give --error-variance for {}", l3file::uncertainty_name(&f.product.variable), f.sensor),
        ));
    }
    let missing = var.iter().filter(|v| !(**v > 0.0 && v.is_finite())).count();
    if missing > 0 {
        log::warn!("{}: {missing} bin(s) without uncertainty take the file's largest error variance {largest:.3e}", path.display());
    }
    Ok(var.into_iter().map(|v| if v > 0.0 && v.is_finite() { v } else { largest } as f32).collect())
}
