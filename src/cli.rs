//! The `oceancolour` command line, as a library function so that the Rust
//! binary (`src/bin/oceancolour.rs`) and the Python console script
//! (`python -m oceancolour`, installed by pip) are the same program.
//!
//! Exit codes: 0 ok; 1 some inputs failed (the others were processed and the
//! failures are listed); 2 usage error (bad arguments or configuration);
//! 130 interrupted.

use std::cell::RefCell;
use std::collections::HashMap;
use std::ffi::OsString;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use clap::{Parser, Subcommand, ValueEnum};
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use log::LevelFilter;

use crate::chain::fusion::{self, FusionConfig};
use crate::chain::{self, catalogue, demo, Config, OnProgress, Progress, Report, Request};
use crate::error::Error;
use crate::formats::{self, FlagConfig, Layout};
use crate::fusion::binning::Averaging;
use crate::fusion::grid::GridSpec;
use crate::fusion::intercal::Kind;
use crate::fusion::krige::Model;
use crate::fusion::merge::Space;

pub const EXIT_OK: i32 = 0;
pub const EXIT_FAILED_INPUTS: i32 = 1;
pub const EXIT_USAGE: i32 = 2;
pub const EXIT_INTERRUPTED: i32 = 130;

#[derive(Parser)]
#[command(name = "oceancolour", version, about = "Ocean-colour products (chlorophyll-a, SPM, turbidity, Kd490) from satellite Rrs files")]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Log records as text, or as one JSON object per line (for a job scheduler).
    #[arg(long, value_enum, default_value_t = LogFormat::Text, global = true)]
    log_format: LogFormat,
    /// Only warnings and errors.
    #[arg(short, long, global = true)]
    quiet: bool,
}

#[derive(Clone, Copy, PartialEq, ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum SimFormat {
    /// NASA OBPG Level-2 netCDF (SeaWiFS)
    ObpgL2,
    /// Sentinel-3 OLCI Level-2 WFR .SEN3 folder (OLCI-A)
    OlciWfr,
}

#[derive(Subcommand)]
enum Command {
    /// Make products from granules: OBPG L2/L3b/L3m netCDF, OLCI WFR .SEN3 folders, CF gridded Rrs.
    Process {
        /// Input granules (files or .SEN3 folders).
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
        /// Output folder (created if needed).
        #[arg(short, long)]
        outdir: PathBuf,
        /// Products, comma-separated (overrides the configuration's list), e.g. chl_ocx,kd490,spm_nechad.
        #[arg(long, value_delimiter = ',')]
        products: Vec<String>,
        /// TOML configuration: products, coefficient sets, flags, output options.
        #[arg(long)]
        config: Option<PathBuf>,
        /// Sensor (registry name) for every input, overriding the file metadata.
        #[arg(long)]
        sensor: Option<String>,
        /// Remake products even if made before with the same configuration.
        #[arg(long)]
        overwrite: bool,
        /// Do not write quick-look PNGs.
        #[arg(long)]
        no_quicklook: bool,
        /// Granules in flight at once (each uses the shared kernel threads; netCDF I/O is serialised by the library).
        #[arg(short, long, default_value_t = chain::DEFAULT_JOBS as u16, value_parser = clap::value_parser!(u16).range(1..))]
        jobs: u16,
    },
    /// Describe a granule: format, sensor, size, Rrs bands, flags, products it can give.
    Info {
        file: PathBuf,
        #[arg(long)]
        sensor: Option<String>,
    },
    /// Make a small SIMULATED scene in the OBPG L2 and OLCI WFR layouts and run the whole chain on it.
    Demo {
        #[arg(short, long, default_value = "oceancolour-demo")]
        outdir: PathBuf,
    },
    /// Bin Level-2 products (files of `process`) of one day onto a grid, each file a scene (NASA l2bin); Level-3 binned inputs are composited by adding their sums (l3bin).
    Bin {
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
        /// arithmetic or geometric (default: geometric for chlorophyll and SPM products, arithmetic otherwise).
        #[arg(long)]
        averaging: Option<String>,
        /// Drop bins with fewer Level-2 observations.
        #[arg(long)]
        min_obs: Option<u32>,
        #[command(flatten)]
        config: FusionConfigArg,
    },
    /// Inter-sensor calibration: fit a correction from same-cell same-day pairs, or apply one.
    Intercal {
        #[command(subcommand)]
        action: IntercalAction,
    },
    /// Merge same-day Level-3 binned files of several sensors (inverse-error-variance mean, log10 space).
    Merge {
        /// One Level-3 binned file per sensor, same day, same grid.
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
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
        #[arg(long)]
        variable: Option<String>,
        #[command(flatten)]
        config: FusionConfigArg,
    },
    /// Gap-free (L4) field of a merged day: ordinary kriging of log10 anomalies to a first guess (regular grids).
    L4 {
        /// Merged file (`oceancolour merge`) on a regular grid.
        merged: PathBuf,
        /// Climatology on the same grid (linear values; variable named as the merged product unless --first-guess-variable).
        #[arg(long)]
        first_guess: PathBuf,
        #[arg(long)]
        first_guess_variable: Option<String>,
        /// Previous day's L4: the first guess becomes clim + alpha (previous - clim) in log10.
        #[arg(long, requires = "alpha")]
        previous: Option<PathBuf>,
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
        #[arg(long)]
        nugget: Option<f64>,
        /// Neighbours per estimate.
        #[arg(long)]
        k: Option<usize>,
        /// Filter the merged error variance as observation noise.
        #[arg(long)]
        observation_noise: bool,
        #[arg(short, long)]
        output: PathBuf,
        #[command(flatten)]
        config: FusionConfigArg,
    },
    /// Write a SIMULATED granule of a given size (for tests and benchmarks).
    Simulate {
        #[arg(value_enum)]
        format: SimFormat,
        /// Output file (obpg-l2) or .SEN3 folder (olci-wfr).
        #[arg(short, long)]
        output: PathBuf,
        /// ROWSxCOLUMNS
        #[arg(long, default_value = "1000x1000")]
        size: String,
    },
}

#[derive(clap::Args)]
struct FusionConfigArg {
    /// TOML fusion configuration: tables [bin], [intercal], [merge], [l4]; options given here override it.
    #[arg(long = "config")]
    path: Option<PathBuf>,
}

#[derive(Subcommand)]
enum IntercalAction {
    /// Fit a correction of one sensor's daily L3 files to a reference sensor's.
    Fit {
        /// The sensor's daily Level-3 binned files.
        #[arg(long, required = true, num_args = 1..)]
        sensor: Vec<PathBuf>,
        /// The reference sensor's daily Level-3 binned files (same grid).
        #[arg(long, required = true, num_args = 1..)]
        reference: Vec<PathBuf>,
        #[arg(short, long)]
        output: PathBuf,
        /// offset (log10 offset), rma (Type-II regression in log10), quantile (quantile mapping) or field (space- and season-varying offset).
        #[arg(long)]
        method: Option<String>,
        /// The reference sensor's own correction: chain through it (e.g. OLCI -> corrected MODIS -> MERIS).
        #[arg(long)]
        bridge: Option<PathBuf>,
        #[arg(long)]
        variable: Option<String>,
        #[command(flatten)]
        config: FusionConfigArg,
    },
    /// Write corrected copies of a sensor's Level-3 binned files into a folder.
    Apply {
        correction: PathBuf,
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
        /// Output folder (created if needed); files keep their names.
        #[arg(short, long)]
        outdir: PathBuf,
    },
}

/// Runs the command line on `args` (program name first) and returns the exit code.
pub fn run<I, T>(args: I) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    fusion::set_command_line(args.iter().map(|a| a.to_string_lossy()).collect::<Vec<_>>().join(" "));
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return e.exit_code();
        }
    };
    chain::log::init(cli.log_format == LogFormat::Json, if cli.quiet { LevelFilter::Warn } else { LevelFilter::Info });
    match cli.command {
        Command::Process { inputs, outdir, products, config, sensor, overwrite, no_quicklook, jobs } => {
            let mut cfg = match config.as_deref().map(Config::load).transpose() {
                Ok(c) => c.unwrap_or_default(),
                Err(e) => return usage(e),
            };
            if !products.is_empty() {
                cfg.products = products;
            }
            if no_quicklook {
                cfg.output.quicklook = false;
            }
            if let Err(e) = cfg.check(config.as_deref().unwrap_or(Path::new("--products"))) {
                return usage(e);
            }
            if cfg.products.is_empty() {
                return usage(Error::InvalidParameter {
                    name: "products".into(),
                    reason: format!(
                        "none given: use --products or `products = [...]` in --config (known: {})",
                        catalogue::PRODUCTS.iter().map(|p| p.name).collect::<Vec<_>>().join(", ")
                    ),
                });
            }
            if let Some(s) = &sensor {
                if let Err(e) = crate::sensors::sensor(s) {
                    return usage(e);
                }
            }
            let req = Request { inputs, outdir, config: cfg, sensor, overwrite, jobs: jobs.into() };
            let report = with_progress(|p| chain::process(&req, p));
            summarise(&report)
        }
        Command::Info { file, sensor } => info(&file, sensor.as_deref()),
        Command::Bin { inputs, output, grid, variable, averaging, min_obs, config } => {
            let mut cfg = match load_fusion(&config) {
                Ok(c) => c.bin,
                Err(code) => return code,
            };
            cfg.grid = grid.or(cfg.grid);
            cfg.variable = variable.or(cfg.variable);
            cfg.averaging = averaging.or(cfg.averaging);
            cfg.min_obs = min_obs.unwrap_or(cfg.min_obs);
            let checked = cfg.grid.as_deref().map(GridSpec::parse).transpose().and(cfg.averaging.as_deref().map(Averaging::parse).transpose());
            if let Err(e) = checked {
                return usage(e);
            }
            let req = fusion::BinRequest { inputs, output, config: cfg };
            finish(with_steps(|p| fusion::bin(&req, p)), |r| {
                (
                    format!("wrote {} ({} bins, {} observations, grid {}, {})", r.output.display(), r.bins, r.observations, r.grid, r.day),
                    serde_json::json!({"written": [r.output], "bins": r.bins, "observations": r.observations, "grid": r.grid, "day": r.day}),
                )
            })
        }
        Command::Intercal { action: IntercalAction::Fit { sensor, reference, output, method, bridge, variable, config } } => {
            let mut cfg = match load_fusion(&config) {
                Ok(c) => c.intercal,
                Err(code) => return code,
            };
            cfg.method = method.unwrap_or(cfg.method);
            cfg.variable = variable.or(cfg.variable);
            if let Err(e) = cfg.method() {
                return usage(e);
            }
            let req = fusion::FitRequest { sensor, reference, output: output.clone(), bridge, config: cfg };
            finish(with_steps(|p| fusion::intercal_fit(&req, p)), |c| {
                let coefficients = match &c.kind {
                    Kind::LogOffset { offset } => format!("log10 offset {offset:+.4}"),
                    Kind::Rma { intercept, slope } => format!("log10 y = {intercept:+.4} + {slope:.4} log10 x"),
                    Kind::Quantile { sensor_q, .. } => format!("{} quantiles", sensor_q.len()),
                    Kind::Field(f) => format!("{} seasons x {} blocks, {} entries from fallbacks", f.nseason, f.offset.len() / f.nseason.max(1), f.fallback.iter().filter(|&&x| x > 0).count()),
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
        Command::Intercal { action: IntercalAction::Apply { correction, inputs, outdir } } => {
            let req = fusion::ApplyRequest { correction, inputs, outdir };
            finish(with_steps(|p| fusion::intercal_apply(&req, p)), |w| {
                (w.iter().map(|p| format!("wrote {}", p.display())).collect::<Vec<_>>().join("\n"), serde_json::json!({"written": w}))
            })
        }
        Command::Merge { inputs, output, correction, error_variance, space, variable, config } => {
            let mut cfg = match load_fusion(&config) {
                Ok(c) => c.merge,
                Err(code) => return code,
            };
            cfg.space = space.unwrap_or(cfg.space);
            cfg.variable = variable.or(cfg.variable);
            for kv in &correction {
                match kv.split_once('=') {
                    Some((s, p)) => _ = cfg.corrections.insert(s.to_string(), PathBuf::from(p)),
                    None => return usage(Error::InvalidParameter { name: "--correction".into(), reason: format!("{kv:?}: expected SENSOR=FILE, e.g. modis-aqua=modis_to_meris.nc") }),
                }
            }
            for kv in &error_variance {
                match kv.split_once('=').and_then(|(s, v)| Some((s, v.parse::<f64>().ok()?))) {
                    Some((s, v)) => _ = cfg.error_variance.insert(s.to_string(), v),
                    None => return usage(Error::InvalidParameter { name: "--error-variance".into(), reason: format!("{kv:?}: expected SENSOR=NUMBER, e.g. modis-aqua=0.04") }),
                }
            }
            if let Err(e) = Space::parse(&cfg.space) {
                return usage(e);
            }
            let req = fusion::MergeRequest { inputs, output, config: cfg };
            finish(with_steps(|p| fusion::merge(&req, p)), |r| {
                (
                    format!("wrote {} ({} cells from {}; weights: {})", r.output.display(), r.cells, r.sensors.join(", "), r.weights),
                    serde_json::json!({"written": [r.output], "cells": r.cells, "sensors": r.sensors, "weights": r.weights}),
                )
            })
        }
        Command::L4 { merged, first_guess, first_guess_variable, previous, alpha, variogram, psill, range, nugget, k, observation_noise, output, config } => {
            let mut cfg = match load_fusion(&config) {
                Ok(c) => c.l4,
                Err(code) => return code,
            };
            cfg.first_guess_variable = first_guess_variable.or(cfg.first_guess_variable);
            cfg.alpha = alpha.or(cfg.alpha);
            cfg.variogram = variogram.unwrap_or(cfg.variogram);
            cfg.psill = psill.or(cfg.psill);
            cfg.range_km = range.or(cfg.range_km);
            cfg.nugget = nugget.or(cfg.nugget);
            cfg.k = k.unwrap_or(cfg.k);
            cfg.observation_noise |= observation_noise;
            let given = [cfg.psill, cfg.range_km, cfg.nugget].iter().filter(|x| x.is_some()).count();
            let checked = Model::parse(&cfg.variogram).map(|_| ()).and_then(|_| match given {
                0 | 3 => Ok(()),
                _ => Err(Error::InvalidParameter { name: "variogram".into(), reason: "give all of --psill, --range and --nugget, or none (then it is fitted from the data)".into() }),
            });
            if let Err(e) = checked {
                return usage(e);
            }
            let req = fusion::L4Request { merged, first_guess, previous, output, config: cfg };
            finish(with_steps(|p| fusion::l4(&req, p)), |r| {
                let v = &r.variogram;
                (
                    format!(
                        "wrote {} ({} cells, {} observed); variogram {} psill {:.4} range {:.1} km nugget {:.4} ({})",
                        r.output.display(), r.cells, r.observed, v.model.name(), v.psill, v.range, v.nugget, if r.fitted { "fitted" } else { "given" }
                    ),
                    serde_json::json!({"written": [r.output], "cells": r.cells, "observed": r.observed,
                        "variogram": {"model": v.model.name(), "psill": v.psill, "range_km": v.range, "nugget": v.nugget, "fitted": r.fitted}}),
                )
            })
        }
        Command::Demo { outdir } => run_demo(&outdir),
        Command::Simulate { format, output, size } => {
            let Some((rows, cols)) = size.split_once('x').and_then(|(r, c)| Some((r.parse().ok()?, c.parse().ok()?))) else {
                return usage(Error::InvalidParameter { name: "--size".into(), reason: format!("{size:?}: expected ROWSxCOLUMNS, e.g. 4000x5000") });
            };
            let scene = demo::Scene { rows, cols };
            let written = match format {
                SimFormat::ObpgL2 => demo::write_obpg_l2(&output, scene),
                SimFormat::OlciWfr => demo::write_olci_wfr(&output, scene),
            };
            match written {
                Ok(()) => {
                    log::info!("wrote SIMULATED granule {} ({rows} x {cols})", output.display());
                    EXIT_OK
                }
                Err(e) => {
                    log::error!("{e}");
                    EXIT_FAILED_INPUTS
                }
            }
        }
    }
}

fn load_fusion(arg: &FusionConfigArg) -> std::result::Result<FusionConfig, i32> {
    arg.path.as_deref().map(FusionConfig::load).transpose().map(Option::unwrap_or_default).map_err(usage)
}

/// Prints a fusion command's result (text, or one JSON object with
/// `--log-format json`) and returns the exit code: 1 for a failure, 130 if interrupted.
fn finish<T>(result: crate::error::Result<T>, describe: impl FnOnce(&T) -> (String, serde_json::Value)) -> i32 {
    match result {
        Ok(r) => {
            let (text, json) = describe(&r);
            println!("{}", if chain::log::json() { json.to_string() } else { text });
            EXIT_OK
        }
        Err(Error::Cancelled) => {
            log::error!("{}", Error::Cancelled);
            EXIT_INTERRUPTED
        }
        Err(e) => {
            log::error!("{e}");
            if chain::log::json() {
                println!("{}", serde_json::json!({"written": [], "failed": e.to_string()}));
            }
            EXIT_FAILED_INPUTS
        }
    }
}

/// Runs a fusion command with a progress bar over its steps on a terminal.
fn with_steps<R>(f: impl FnOnce(fusion::Progress) -> R) -> R {
    let show = std::io::stderr().is_terminal() && !chain::log::json() && log::max_level() >= LevelFilter::Info;
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
            chain::log::set_progress_bars(Some(bars.clone()));
            b
        });
        b.set_length(total as u64);
        b.set_position(done as u64);
        b.set_message(what.to_string());
    };
    let out = f(&on);
    if let Some(b) = bar.take() {
        b.finish_and_clear();
        chain::log::set_progress_bars(None);
    }
    out
}

fn usage(e: Error) -> i32 {
    log::error!("{e}");
    EXIT_USAGE
}

/// Runs `f` with progress bars on a terminal, one per granule in flight
/// (none otherwise, or with JSON logs).
fn with_progress<R>(f: impl FnOnce(OnProgress) -> R) -> R {
    let show = std::io::stderr().is_terminal() && !chain::log::json() && log::max_level() >= LevelFilter::Info;
    let bars = MultiProgress::new();
    let active: Mutex<HashMap<usize, ProgressBar>> = Mutex::new(HashMap::new());
    if show {
        chain::log::set_progress_bars(Some(bars.clone()));
    }
    let on = |p: Progress| {
        let mut active = active.lock().unwrap_or_else(|e| e.into_inner());
        match p {
            Progress::Granule { index, name, rows } if show => {
                let b = bars.add(ProgressBar::new(rows as u64));
                b.set_style(ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} rows ({eta})").expect("valid template").progress_chars("=> "));
                b.set_message(name.to_string());
                active.insert(index, b);
            }
            Progress::Rows { index, rows } => {
                if let Some(b) = active.get(&index) {
                    b.inc(rows as u64);
                }
            }
            Progress::GranuleDone { index } => {
                if let Some(b) = active.remove(&index) {
                    b.finish_and_clear();
                }
            }
            _ => {}
        }
    };
    let result = f(&on);
    chain::log::set_progress_bars(None);
    result
}

/// Prints the run's summary (stdout: a JSON object with `--log-format json`)
/// and returns the exit code.
fn summarise(report: &Report) -> i32 {
    let interrupted = report.failed.iter().any(|f| f.1.contains(&Error::Cancelled.to_string()));
    if chain::log::json() {
        let failed: Vec<_> = report.failed.iter().map(|(i, p)| serde_json::json!({"input": i, "problem": p})).collect();
        println!("{}", serde_json::json!({"written": report.written, "skipped": report.skipped, "failed": failed}));
    } else {
        println!("{} file(s) written, {} product(s) skipped (already made), {} failure(s)", report.written.len(), report.skipped.len(), report.failed.len());
        for (input, problem) in &report.failed {
            let name = input.display().to_string();
            println!("FAILED {name}: {}", problem.strip_prefix(&format!("{name}: ")).unwrap_or(problem));
        }
    }
    if interrupted {
        EXIT_INTERRUPTED
    } else if report.failed.is_empty() {
        EXIT_OK
    } else {
        EXIT_FAILED_INPUTS
    }
}

fn info(path: &Path, sensor: Option<&str>) -> i32 {
    let g = match formats::open(path, sensor, &FlagConfig::default()) {
        Ok(g) => g,
        Err(e) => {
            log::error!("{e}");
            return EXIT_FAILED_INPUTS;
        }
    };
    let i = g.info();
    let layout = match &i.layout {
        Layout::Swath => "swath".to_string(),
        Layout::Grid { .. } => "regular lat/lon grid".to_string(),
        Layout::Bins { isin_rows } => format!("ISIN bins ({isin_rows}-row grid)"),
    };
    println!("{}", i.path.display());
    println!("  format:        {}", i.format);
    println!("  sensor:        {} ({} {}), from {}", i.sensor.name, i.sensor.instrument, i.sensor.platform, i.sensor_from);
    println!("  size:          {} x {} ({layout})", i.rows, i.cols);
    println!("  Rrs bands:     {}", i.bands.iter().map(|b| b.to_string()).collect::<Vec<_>>().join(", "));
    println!("  time coverage: {} to {}", i.time_coverage_start.as_deref().unwrap_or("?"), i.time_coverage_end.as_deref().unwrap_or("?"));
    println!("  flags:         {}", i.flags_applied);
    for (k, v) in &i.attributes {
        println!("  {k}: {v}");
    }
    let coefficients = chain::config::Coefficients::default();
    let makeable: Vec<&str> = catalogue::PRODUCTS
        .iter()
        .filter(|p| catalogue::needed_bands(p, i.sensor, &coefficients, &i.bands).is_ok())
        .map(|p| p.name)
        .collect();
    println!("  products:      {}", if makeable.is_empty() { "none (no usable Rrs bands)".into() } else { makeable.join(", ") });
    EXIT_OK
}

fn run_demo(outdir: &Path) -> i32 {
    println!("oceancolour demo: writing a SIMULATED scene (NOMAD in-situ Rrs spectra on a synthetic coast, cloud and land)");
    println!("in the exact NASA OBPG Level-2 and Sentinel-3 OLCI WFR layouts, then running the whole chain on it.");
    match with_progress(|p| demo::run(outdir, p)) {
        Ok((inputs, report)) => {
            for i in &inputs {
                println!("  input (simulated): {}", i.display());
            }
            println!("  products: {}", demo::DEMO_PRODUCTS.join(", "));
            for w in &report.written {
                println!("  wrote {}", w.display());
            }
            summarise(&report)
        }
        Err(e) => {
            log::error!("{e}");
            EXIT_FAILED_INPUTS
        }
    }
}
