//! The fusion subcommands (`bin`, `intercal fit|apply`, `merge`, `l4`):
//! arguments, the configuration they override, and the printed summary.
//! The work itself is `chain::fusion`.

use std::cell::RefCell;
use std::io::IsTerminal;
use std::path::PathBuf;

use clap::Subcommand;
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use log::LevelFilter;

use super::{usage, EXIT_FAILED_INPUTS, EXIT_INTERRUPTED, EXIT_OK};
use crate::chain::fusion::{self as run, FusionConfig};
use crate::chain::log::json as json_logs;
use crate::chain::Context;
use crate::error::Error;
use crate::fusion::intercal::Kind;
use crate::fusion::krige::Model;
use crate::fusion::merge::Space;

#[derive(clap::Args)]
pub(super) struct BinArgs {
    /// Level-2 product files of one day, and/or Level-3 binned files.
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    /// Output Level-3 binned file (NASA L3b layout on ISIN grids, CF grid on regular grids).
    #[arg(short, long)]
    output: PathBuf,
    /// isin:NROWS (e.g. isin:4320) or regular:LON_MIN,LON_MAX,LAT_MIN,LAT_MAX,DLON,DLAT (degrees).
    #[arg(long)]
    grid: Option<String>,
    /// Product variable (default: the only one in each input).
    #[arg(long)]
    variable: Option<String>,
    /// arithmetic (default, as NASA's l2bin) or geometric (sums of ln x, marked averaging_scheme="geometric").
    #[arg(long)]
    averaging: Option<String>,
    /// Drop bins with fewer Level-2 observations.
    #[arg(long)]
    min_obs: Option<u32>,
    /// Level-2 values outside the product's valid range: drop (default, l2bin V2026), clamp (l2bin V2023) or keep.
    #[arg(long)]
    out_of_range: Option<String>,
    /// Drop a pixel where any product of its Level-2 file is invalid (l2bin bins a pixel for all products or none).
    #[arg(long)]
    drop_all_invalid: bool,
    /// Data day YYYY-MM-DD (l2bin prodtype=day): accept granules of the days around it, drop their pixels of another data day near the dateline.
    #[arg(long)]
    data_day: Option<String>,
    #[command(flatten)]
    config: FusionConfigArg,
}

#[derive(clap::Args)]
pub(super) struct MergeArgs {
    /// One Level-3 binned file per sensor, same day, same grid.
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    /// Output file.
    #[arg(short, long)]
    output: PathBuf,
    /// SENSOR=CORRECTION.nc (from `intercal fit`), applied to that sensor first; repeatable.
    #[arg(long)]
    correction: Vec<String>,
    /// SENSOR=VARIANCE: the sensor's error variance in the merging space (log10 units^2), e.g. its matchup RMSD^2; repeatable. None given: equal weights.
    #[arg(long)]
    error_variance: Vec<String>,
    /// log10 (chlorophyll, SPM) or linear.
    #[arg(long)]
    space: Option<String>,
    /// Product variable (default: the only one in each input).
    #[arg(long)]
    variable: Option<String>,
    #[command(flatten)]
    config: FusionConfigArg,
}

#[derive(clap::Args)]
pub(super) struct L4Args {
    /// Merged file (`oceancolour merge`) on a regular grid.
    merged: PathBuf,
    /// Climatology on the same grid (linear values; variable named as the merged product unless --first-guess-variable).
    #[arg(long)]
    first_guess: PathBuf,
    /// Variable of the first-guess file (default: the merged product's name).
    #[arg(long)]
    first_guess_variable: Option<String>,
    /// Previous day's L4: the first guess becomes clim + alpha (previous - clim) in log10.
    #[arg(long, requires = "alpha")]
    previous: Option<PathBuf>,
    /// Persistence weight of the previous day in the first guess (0-1).
    #[arg(long)]
    alpha: Option<f64>,
    /// exponential or spherical.
    #[arg(long)]
    variogram: Option<String>,
    /// Partial sill (log10 units^2); with --range and --nugget. Without all three the variogram is fitted from the data.
    #[arg(long)]
    psill: Option<f64>,
    /// Range in km (practical range for the exponential model).
    #[arg(long)]
    range: Option<f64>,
    /// Nugget (log10 units^2); with --psill and --range.
    #[arg(long)]
    nugget: Option<f64>,
    /// Neighbours per estimate.
    #[arg(long)]
    k: Option<usize>,
    /// Filter the merged error variance as observation noise (the default when
    /// the merged errors come from per-pixel uncertainties).
    #[arg(long, conflicts_with = "no_observation_noise")]
    observation_noise: bool,
    /// Do not filter the merged error variance, even when it comes from per-pixel uncertainties.
    #[arg(long)]
    no_observation_noise: bool,
    /// Output file.
    #[arg(short, long)]
    output: PathBuf,
    #[command(flatten)]
    config: FusionConfigArg,
}

#[derive(clap::Args)]
pub(super) struct FusionConfigArg {
    /// TOML fusion configuration: tables [bin], [intercal], [merge], [l4], [output.attributes]; options given here override it.
    #[arg(long = "config")]
    path: Option<PathBuf>,
}

#[derive(Subcommand)]
pub(super) enum IntercalAction {
    /// Fit a correction of one sensor's daily L3 files to a reference sensor's.
    Fit {
        /// The sensor's daily Level-3 binned files.
        #[arg(long, required = true, num_args = 1..)]
        sensor: Vec<PathBuf>,
        /// The reference sensor's daily Level-3 binned files (same grid).
        #[arg(long, required = true, num_args = 1..)]
        reference: Vec<PathBuf>,
        /// Output file.
        #[arg(short, long)]
        output: PathBuf,
        /// offset (log10 offset), rma (Type-II regression in log10), quantile (quantile mapping) or field (space- and season-varying offset).
        #[arg(long)]
        method: Option<String>,
        /// The reference sensor's own correction: chain through it (e.g. OLCI -> corrected MODIS -> MERIS).
        #[arg(long)]
        bridge: Option<PathBuf>,
        /// Product variable (default: the only one in each input).
        #[arg(long)]
        variable: Option<String>,
        #[command(flatten)]
        config: FusionConfigArg,
    },
    /// Write corrected copies of a sensor's Level-3 binned files into a folder.
    Apply {
        /// Correction file from `intercal fit`.
        correction: PathBuf,
        /// Level-3 binned files of the sensor to correct.
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
        /// Output folder (created if needed); files keep their names.
        #[arg(short, long)]
        outdir: PathBuf,
    },
}

pub(super) fn bin(ctx: &Context, args: BinArgs) -> i32 {
    let BinArgs { inputs, output, grid, variable, averaging, min_obs, out_of_range, drop_all_invalid, data_day, config } = args;
    let (mut cfg, ctx) = match load_fusion(&config, ctx) {
        Ok((c, ctx)) => (c.bin, ctx),
        Err(code) => return code,
    };
    let ctx = &ctx;
    cfg.grid = grid.or(cfg.grid);
    cfg.variable = variable.or(cfg.variable);
    cfg.averaging = averaging.or(cfg.averaging);
    cfg.min_obs = min_obs.unwrap_or(cfg.min_obs);
    cfg.out_of_range = out_of_range.or(cfg.out_of_range);
    cfg.drop_all_invalid |= drop_all_invalid;
    cfg.data_day = data_day.or(cfg.data_day);
    if let Err(e) = cfg.check() {
        return usage(e);
    }
    let req = run::BinRequest { inputs, output, config: cfg };
    finish(with_steps(|p| run::bin(&req, ctx, p)), |r| {
        (
            format!("wrote {} ({} bins, {} observations, grid {}, {})", r.output.display(), r.bins, r.observations, r.grid, r.day),
            serde_json::json!({"written": [r.output], "bins": r.bins, "observations": r.observations, "grid": r.grid, "day": r.day}),
        )
    })
}

pub(super) fn intercal(ctx: &Context, action: IntercalAction) -> i32 {
    match action {
        IntercalAction::Fit { sensor, reference, output, method, bridge, variable, config } => {
            let (mut cfg, ctx) = match load_fusion(&config, ctx) {
                Ok((c, ctx)) => (c.intercal, ctx),
                Err(code) => return code,
            };
            let ctx = &ctx;
            cfg.method = method.unwrap_or(cfg.method);
            cfg.variable = variable.or(cfg.variable);
            if let Err(e) = cfg.method() {
                return usage(e);
            }
            let req = run::FitRequest { sensor, reference, output: output.clone(), bridge, config: cfg };
            finish(with_steps(|p| run::intercal_fit(&req, ctx, p)), |c| {
                let coefficients = match &c.kind {
                    Kind::LogOffset { offset } => format!("log10 offset {offset:+.4}"),
                    Kind::Rma { intercept, slope } => format!("log10 y = {intercept:+.4} + {slope:.4} log10 x"),
                    Kind::Quantile { sensor_q, .. } => format!("{} quantiles", sensor_q.len()),
                    Kind::Field(f) => format!(
                        "{} seasons x {} blocks, {} entries from fallbacks",
                        f.nseason,
                        f.offset.len() / f.nseason.max(1),
                        f.fallback.iter().filter(|&&x| x > 0).count()
                    ),
                };
                (
                    format!(
                        "wrote {}: {} {}, {} pairs ({}); {coefficients}\n  log10(reference/sensor): median {:+.4} -> {:+.4}, spread (IQR/1.349) {:.4} -> {:.4}",
                        output.display(),
                        c.method_name(),
                        c.chain.join(" -> "),
                        c.n_pairs,
                        c.period,
                        c.bias_before,
                        c.bias_after,
                        c.spread_before,
                        c.spread_after
                    ),
                    serde_json::json!({"written": [output], "method": c.method_name(), "chain": c.chain, "period": c.period, "n_pairs": c.n_pairs,
                    "coefficients": coefficients, "bias_before": c.bias_before, "bias_after": c.bias_after,
                    "spread_before": c.spread_before, "spread_after": c.spread_after}),
                )
            })
        }
        IntercalAction::Apply { correction, inputs, outdir } => {
            let req = run::ApplyRequest { correction, inputs, outdir };
            finish(with_steps(|p| run::intercal_apply(&req, ctx, p)), |w| {
                (w.iter().map(|p| format!("wrote {}", p.display())).collect::<Vec<_>>().join("\n"), serde_json::json!({"written": w}))
            })
        }
    }
}

pub(super) fn merge(ctx: &Context, args: MergeArgs) -> i32 {
    let MergeArgs { inputs, output, correction, error_variance, space, variable, config } = args;
    let (mut cfg, ctx) = match load_fusion(&config, ctx) {
        Ok((c, ctx)) => (c.merge, ctx),
        Err(code) => return code,
    };
    let ctx = &ctx;
    cfg.space = space.unwrap_or(cfg.space);
    cfg.variable = variable.or(cfg.variable);
    for kv in &correction {
        match kv.split_once('=') {
            Some((s, p)) => _ = cfg.corrections.insert(s.to_string(), PathBuf::from(p)),
            None => {
                return usage(Error::InvalidParameter {
                    name: "--correction".into(),
                    reason: format!("{kv:?}: expected SENSOR=FILE, e.g. modis-aqua=modis_to_meris.nc"),
                })
            }
        }
    }
    for kv in &error_variance {
        match kv.split_once('=').and_then(|(s, v)| Some((s, v.parse::<f64>().ok()?))) {
            Some((s, v)) => _ = cfg.error_variance.insert(s.to_string(), v),
            None => {
                return usage(Error::InvalidParameter {
                    name: "--error-variance".into(),
                    reason: format!("{kv:?}: expected SENSOR=NUMBER, e.g. modis-aqua=0.04"),
                })
            }
        }
    }
    if let Err(e) = Space::parse(&cfg.space) {
        return usage(e);
    }
    let req = run::MergeRequest { inputs, output, config: cfg };
    finish(with_steps(|p| run::merge(&req, ctx, p)), |r| {
        (
            format!("wrote {} ({} cells from {}; weights: {})", r.output.display(), r.cells, r.sensors.join(", "), r.weights),
            serde_json::json!({"written": [r.output], "cells": r.cells, "sensors": r.sensors, "weights": r.weights}),
        )
    })
}

pub(super) fn l4(ctx: &Context, args: L4Args) -> i32 {
    let L4Args {
        merged,
        first_guess,
        first_guess_variable,
        previous,
        alpha,
        variogram,
        psill,
        range,
        nugget,
        k,
        observation_noise,
        no_observation_noise,
        output,
        config,
    } = args;
    let (mut cfg, ctx) = match load_fusion(&config, ctx) {
        Ok((c, ctx)) => (c.l4, ctx),
        Err(code) => return code,
    };
    let ctx = &ctx;
    cfg.first_guess_variable = first_guess_variable.or(cfg.first_guess_variable);
    cfg.alpha = alpha.or(cfg.alpha);
    cfg.variogram = variogram.unwrap_or(cfg.variogram);
    cfg.psill = psill.or(cfg.psill);
    cfg.range_km = range.or(cfg.range_km);
    cfg.nugget = nugget.or(cfg.nugget);
    cfg.k = k.unwrap_or(cfg.k);
    if observation_noise || no_observation_noise {
        cfg.observation_noise = Some(observation_noise);
    }
    let given = [cfg.psill, cfg.range_km, cfg.nugget].iter().filter(|x| x.is_some()).count();
    let checked = Model::parse(&cfg.variogram).map(|_| ()).and_then(|_| match given {
        0 | 3 => Ok(()),
        _ => Err(Error::InvalidParameter {
            name: "variogram".into(),
            reason: "give all of --psill, --range and --nugget, or none (then it is fitted from the data)".into(),
        }),
    });
    if let Err(e) = checked {
        return usage(e);
    }
    let req = run::L4Request { merged, first_guess, previous, output, config: cfg };
    finish(with_steps(|p| run::l4(&req, ctx, p)), |r| {
        let v = &r.variogram;
        (
            format!(
                "wrote {} ({} cells, {} observed); variogram {} psill {:.4} range {:.1} km nugget {:.4} ({})",
                r.output.display(),
                r.cells,
                r.observed,
                v.model.name(),
                v.psill,
                v.range,
                v.nugget,
                if r.fitted { "fitted" } else { "given" }
            ),
            serde_json::json!({"written": [r.output], "cells": r.cells, "observed": r.observed,
                "variogram": {"model": v.model.name(), "psill": v.psill, "range_km": v.range, "nugget": v.nugget, "fitted": r.fitted}}),
        )
    })
}

/// The fusion configuration, and the run's context carrying its `[output.attributes]`.
fn load_fusion(arg: &FusionConfigArg, ctx: &Context) -> std::result::Result<(FusionConfig, Context), i32> {
    let cfg = arg.path.as_deref().map(FusionConfig::load).transpose().map(Option::unwrap_or_default).map_err(usage)?;
    let mut ctx = ctx.clone();
    ctx.attributes = cfg.output.attributes.clone();
    Ok((cfg, ctx))
}

/// Prints a fusion command's result (text, or one JSON object with
/// `--log-format json`) and returns the exit code: 1 for a failure, 130 if interrupted.
fn finish<T>(result: crate::error::Result<T>, describe: impl FnOnce(&T) -> (String, serde_json::Value)) -> i32 {
    match result {
        Ok(r) => {
            let (text, json) = describe(&r);
            println!("{}", if json_logs() { json.to_string() } else { text });
            EXIT_OK
        }
        Err(Error::Cancelled) => {
            log::error!("{}", Error::Cancelled);
            EXIT_INTERRUPTED
        }
        Err(e) => {
            log::error!("{e}");
            if json_logs() {
                println!("{}", serde_json::json!({"written": [], "failed": e.to_string()}));
            }
            EXIT_FAILED_INPUTS
        }
    }
}

/// Runs a fusion command with a progress bar over its steps on a terminal.
fn with_steps<R>(f: impl FnOnce(run::Progress) -> R) -> R {
    let show = std::io::stderr().is_terminal() && !json_logs() && log::max_level() >= LevelFilter::Info;
    let bars = MultiProgress::new();
    let bar: RefCell<Option<ProgressBar>> = RefCell::new(None);
    let on = |done: usize, total: usize, what: &str| {
        if !show {
            return;
        }
        let mut b = bar.borrow_mut();
        let b = b.get_or_insert_with(|| {
            let b = bars.add(ProgressBar::new(total as u64));
            b.set_style(ProgressStyle::with_template("[{bar:30}] {pos}/{len} {msg} ({eta})").expect("valid template").progress_chars("=> "));
            crate::chain::log::set_progress_bars(Some(bars.clone()));
            b
        });
        b.set_length(total as u64);
        b.set_position(done as u64);
        b.set_message(what.to_string());
    };
    let out = f(&on);
    if let Some(b) = bar.take() {
        b.finish_and_clear();
        crate::chain::log::set_progress_bars(None);
    }
    out
}
