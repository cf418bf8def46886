//! The `oceancolour` command line, as a library function so that the Rust
//! binary (`src/bin/oceancolour.rs`) and the Python console script
//! (`python -m oceancolour`, installed by pip) are the same program.
//!
//! Exit codes: 0 ok; 1 some inputs failed (the others were processed and the
//! failures are listed); 2 usage error (bad arguments or configuration);
//! 130 interrupted.

mod fusion;

use std::collections::HashMap;
use std::ffi::OsString;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use log::LevelFilter;

use crate::chain::{self, demo, Context, OnProgress, Progress, Report, Request, RequestArgs};
use crate::error::Error;
use crate::formats::{self, FlagConfig, Layout};
use crate::products::{Coefficients, PRODUCTS};
use crate::sensors::{self, Sensor};

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
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    quiet: bool,
    /// Also debug records (per-block timings, cache decisions).
    #[arg(short, long, global = true)]
    verbose: bool,
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
    /// Make products from granules: OBPG L2/L3b/L3m netCDF, PACE OCI L2 AOP, OLCI WFR .SEN3 folders, CF gridded Rrs.
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
        /// Convolve hyperspectral Rrs (PACE OCI) to this registry sensor's bands (its RSRs) and run its products, e.g. olci-a.
        #[arg(long)]
        sensor_bands: Option<String>,
        /// Remake products even if made before with the same configuration.
        #[arg(long)]
        overwrite: bool,
        /// Do not write quick-look PNGs.
        #[arg(long)]
        no_quicklook: bool,
        /// Do not write <product>_uncertainty, <product>_bias and oc5_class into the product files.
        #[arg(long)]
        no_uncertainty: bool,
        /// Write bias-corrected products (value x 10^-bias, the water types' class bias; uncertainty = class SD). Never the default.
        #[arg(long)]
        bias_correct: bool,
        /// Granules in flight at once (each uses the shared kernel threads; netCDF I/O is serialised by the library).
        #[arg(short, long, default_value_t = crate::defaults::JOBS as u16, value_parser = clap::value_parser!(u16).range(1..))]
        jobs: u16,
    },
    /// Describe a granule: format, sensor, size, Rrs bands, flags, products it can give.
    Info {
        /// Granule: OBPG L2/L3 netCDF file, OLCI WFR .SEN3 folder, CF gridded or merged product file.
        file: PathBuf,
        /// Sensor (registry name), overriding the file metadata.
        #[arg(long)]
        sensor: Option<String>,
        /// Describe a hyperspectral granule (PACE OCI) as convolved to this registry sensor's bands.
        #[arg(long)]
        sensor_bands: Option<String>,
    },
    /// List the sensor registry (built-in and OCEANCOLOUR_SENSORS files), or show one sensor.
    Sensors {
        #[command(subcommand)]
        action: Option<SensorsAction>,
    },
    /// Make a small SIMULATED scene in the OBPG L2 and OLCI WFR layouts and run the whole chain on it.
    Demo {
        /// Output folder for the simulated inputs and their products.
        #[arg(short, long, default_value = "oceancolour-demo")]
        outdir: PathBuf,
    },
    /// Bin Level-2 products (files of `process`) of one day onto a grid, each file a scene (NASA l2bin); Level-3 binned inputs are composited by adding their sums (l3bin).
    Bin(fusion::BinArgs),
    /// Inter-sensor calibration: fit a correction from same-cell same-day pairs, or apply one.
    Intercal {
        #[command(subcommand)]
        action: fusion::IntercalAction,
    },
    /// Merge same-day Level-3 binned files of several sensors (inverse-error-variance mean, log10 space).
    Merge(fusion::MergeArgs),
    /// Gap-free (L4) field of a merged day: ordinary kriging of log10 anomalies to a first guess (regular grids).
    L4(fusion::L4Args),
    /// Write a SIMULATED granule of a given size (for tests and benchmarks).
    Simulate {
        /// File layout of the simulated granule.
        #[arg(value_enum)]
        format: SimFormat,
        /// Output file (obpg-l2) or .SEN3 folder (olci-wfr).
        #[arg(short, long)]
        output: PathBuf,
        /// ROWSxCOLUMNS
        #[arg(long, default_value = "1000x1000")]
        size: String,
        /// Registry sensor whose bands and metadata (instrument, platform) the granule carries
        /// (default: seawifs for obpg-l2, olci-a for olci-wfr; olci-wfr takes OLCI sensors only).
        #[arg(long)]
        sensor: Option<String>,
    },
    /// Build, inspect or export an OC5 table (Python: needs the pip package `oceancolour`).
    #[command(disable_help_flag = true)]
    Lut {
        /// The subcommand's own arguments (see `oceancolour NAME --help` from the pip package).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<OsString>,
    },
    /// Compare products with legacy (IDL) products (Python: pip install "oceancolour[validate]").
    #[command(disable_help_flag = true)]
    Validate {
        /// The subcommand's own arguments (see `oceancolour NAME --help` from the pip package).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<OsString>,
    },
    /// Match products with in-situ measurements (Python: pip install "oceancolour[validate]").
    #[command(disable_help_flag = true)]
    Matchup {
        /// The subcommand's own arguments (see `oceancolour NAME --help` from the pip package).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<OsString>,
    },
    /// Gridded products to Zarr or Cloud-Optimised GeoTIFF (Python: pip install "oceancolour[export]").
    #[command(disable_help_flag = true)]
    Export {
        /// The subcommand's own arguments (see `oceancolour NAME --help` from the pip package).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<OsString>,
    },
}

#[derive(Subcommand)]
enum SensorsAction {
    /// Print one sensor: platform and its aliases, bands (centre, F0 and its source), band roles, coefficient sets, products.
    Show {
        /// Registry name (as `oceancolour sensors` lists them), e.g. viirs-noaa21.
        name: String,
    },
}

/// The subcommands written in Python: the `oceancolour` that pip installs
/// (python/oceancolour/__main__.py) runs them before reaching this parser;
/// the bare binary lists them and says where they are.
fn python_subcommand(name: &str, extra: &str) -> i32 {
    log::error!(
        "`oceancolour {name}` is part of the Python package: pip install \"oceancolour[{extra}]\", then run the `oceancolour` it installs (or `python -m oceancolour {name}`)"
    );
    EXIT_USAGE
}

/// The command line of `args`, for the outputs' history.
pub fn command_line(args: &[OsString]) -> String {
    args.iter().map(|a| a.to_string_lossy()).collect::<Vec<_>>().join(" ")
}

/// The clap command, with `process --help` listing the product registry.
fn command() -> clap::Command {
    let width = crate::products::PRODUCTS.iter().map(|p| p.name.len()).max().unwrap_or(0);
    let list: String = crate::products::PRODUCTS.iter().map(|p| format!("\n  {:width$}  {} ({})", p.name, p.long_name, p.units)).collect();
    Cli::command().mut_subcommand("process", |c| c.after_help(format!("Products (--products, or `products` in the configuration):{list}")))
}

/// Runs the command line on `args` (program name first) in the run context
/// `ctx` and returns the exit code.
pub fn run(ctx: &Context, args: Vec<OsString>) -> i32 {
    // The one boundary of every command: a panic (a corrupt file deep in the
    // netCDF bindings, or a bug) is one error line and exit 1, never a crash.
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| dispatch(ctx, args))) {
        Ok(code) => code,
        Err(panic) => {
            log::error!("{}", Error::from_panic(panic, None));
            EXIT_FAILED_INPUTS
        }
    }
}

fn dispatch(ctx: &Context, args: Vec<OsString>) -> i32 {
    let cli = match command().try_get_matches_from(args).and_then(|m| Cli::from_arg_matches(&m)) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return e.exit_code();
        }
    };
    let level = match (cli.quiet, cli.verbose) {
        (true, _) => LevelFilter::Warn,
        (false, true) => LevelFilter::Debug,
        (false, false) => LevelFilter::Info,
    };
    let _logging = chain::log::init(cli.log_format == LogFormat::Json, level);
    match cli.command {
        Command::Process { inputs, outdir, products, config, sensor, sensor_bands, overwrite, no_quicklook, no_uncertainty, bias_correct, jobs } => {
            let args = RequestArgs {
                inputs,
                outdir,
                products: Some(products),
                config,
                sensor,
                sensor_bands,
                overwrite,
                quicklook: no_quicklook.then_some(false),
                uncertainty: no_uncertainty.then_some(false),
                bias_correct: bias_correct.then_some(true),
                jobs: jobs.into(),
            };
            let req = match Request::new(args) {
                Ok(r) => r,
                Err(e) => return usage(e),
            };
            let report = with_progress(|p| chain::process(&req, ctx, p));
            summarise(&report)
        }
        Command::Info { file, sensor, sensor_bands } => {
            match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| info(ctx, &file, sensor.as_deref(), sensor_bands.as_deref()))) {
                Ok(code) => code,
                Err(panic) => {
                    log::error!("{}", Error::from_panic(panic, Some(&file)));
                    EXIT_FAILED_INPUTS
                }
            }
        }
        Command::Bin(args) => fusion::bin(ctx, args),
        Command::Intercal { action } => fusion::intercal(ctx, action),
        Command::Merge(args) => fusion::merge(ctx, args),
        Command::L4(args) => fusion::l4(ctx, args),
        Command::Demo { outdir } => run_demo(ctx, &outdir),
        Command::Sensors { action: None } => sensors_list(),
        Command::Sensors { action: Some(SensorsAction::Show { name }) } => sensors_show(&name),
        Command::Lut { .. } => python_subcommand("lut", "validate"),
        Command::Validate { .. } => python_subcommand("validate", "validate"),
        Command::Matchup { .. } => python_subcommand("matchup", "validate"),
        Command::Export { .. } => python_subcommand("export", "export"),
        Command::Simulate { format, output, size, sensor } => {
            let Some((rows, cols)) = size.split_once('x').and_then(|(r, c)| Some((r.parse().ok()?, c.parse().ok()?))) else {
                return usage(Error::InvalidParameter { name: "--size".into(), reason: format!("{size:?}: expected ROWSxCOLUMNS, e.g. 4000x5000") });
            };
            let scene = crate::formats::simulated::Scene { rows, cols };
            let existed = output.exists();
            let written = match format {
                SimFormat::ObpgL2 => crate::formats::obpg_l2::write_simulated_for(&output, scene, sensor.as_deref().unwrap_or("seawifs"), ctx.cancel()),
                SimFormat::OlciWfr => crate::formats::olci::write_simulated_for(&output, scene, sensor.as_deref().unwrap_or("olci-a"), ctx.cancel()),
            };
            match written {
                Ok(()) => {
                    log::info!("wrote SIMULATED granule {} ({rows} x {cols})", output.display());
                    EXIT_OK
                }
                Err(Error::Cancelled) => {
                    // A .SEN3 folder this run created holds only some of its files: remove it whole.
                    if !existed && output.is_dir() {
                        let _ = std::fs::remove_dir_all(&output);
                    }
                    log::error!("{}", Error::Cancelled);
                    EXIT_INTERRUPTED
                }
                Err(e) => {
                    log::error!("{e}");
                    EXIT_FAILED_INPUTS
                }
            }
        }
    }
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
    let interrupted = report.interrupted();
    if chain::log::json() {
        let failed: Vec<_> = report.failed.iter().map(|f| serde_json::json!({"input": f.input, "problem": f.problem()})).collect();
        println!("{}", serde_json::json!({"written": report.written, "skipped": report.skipped, "failed": failed}));
    } else {
        println!("{} file(s) written, {} product(s) skipped (already made), {} failure(s)", report.written.len(), report.skipped.len(), report.failed.len());
        for f in &report.failed {
            let (name, problem) = (f.input.display().to_string(), f.problem());
            println!("FAILED {name}: {}", problem.strip_prefix(&format!("{name}: ")).unwrap_or(&problem));
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

fn info(ctx: &Context, path: &Path, sensor: Option<&str>, sensor_bands: Option<&str>) -> i32 {
    let _reading = ctx.reading(path);
    let g = match formats::open_as(path, sensor, &FlagConfig::default(), sensor_bands) {
        Ok(g) => g,
        // A merged multi-sensor product: what it stores (no Rrs products to list).
        Err(Error::MergedProduct { .. }) => match formats::cf_grid::StoredGrid::open(path) {
            Ok(stored) => {
                println!("{}\n{stored}  products:      none computed from Rrs; its stored variables can be used as they are", path.display());
                return EXIT_OK;
            }
            Err(e) => {
                log::error!("{e}");
                return EXIT_FAILED_INPUTS;
            }
        },
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
    let coefficients = Coefficients::default();
    let makeable: Vec<&str> = PRODUCTS
        .iter()
        .filter(|p| p.prepare(i.sensor, &coefficients, &SmallTables).is_ok_and(|made| made.bands.iter().all(|b| i.bands.contains(b))))
        .map(|p| p.name)
        .collect();
    println!("  products:      {}", if makeable.is_empty() { "none (no usable Rrs bands)".into() } else { makeable.join(", ") });
    EXIT_OK
}

/// The F0 convention of a sensor's bands, for `sensors`: the default set, or
/// the registry file where it gives a band's F0.
fn f0_source(s: &Sensor) -> String {
    let given: Vec<String> = s.bands.iter().filter(|b| b.f0.is_some()).map(|b| b.nominal.to_string()).collect();
    if given.is_empty() {
        sensors::DEFAULT_F0_SET.to_string()
    } else {
        format!("{} (registry file: {} nm)", sensors::DEFAULT_F0_SET, given.join(", "))
    }
}

/// A sensor's default algorithms, for `sensors`.
fn default_algorithms(s: &Sensor) -> String {
    let ci = crate::coefficients::ci_set(crate::products::Coefficients::default().ci.as_str()).map(|c| c.name).unwrap_or("?");
    format!("OCx {}, CI {ci}, KD2 {}", s.default_ocx, s.kd2)
}

fn sensors_list() -> i32 {
    let all = match sensors::all() {
        Ok(a) => a,
        Err(e) => return usage(e),
    };
    let bands = |s: &Sensor| s.bands.iter().map(|b| b.nominal.to_string()).collect::<Vec<_>>().join(",");
    let w = |f: &dyn Fn(&Sensor) -> String, min: usize| all.iter().map(|s| f(s).len()).max().unwrap_or(0).max(min);
    let (wn, wi, wp, wb, wf) = (w(&|s| s.name.into(), 4), w(&|s| s.instrument.into(), 10), w(&|s| s.platform.into(), 8), w(&bands, 10), w(&f0_source, 2));
    println!("{:<wn$}  {:<wi$}  {:<wp$}  {:<wb$}  {:<wf$}  default algorithms", "name", "instrument", "platform", "bands (nm)", "F0");
    for s in all.iter().copied() {
        println!("{:<wn$}  {:<wi$}  {:<wp$}  {:<wb$}  {:<wf$}  {}", s.name, s.instrument, s.platform, bands(s), f0_source(s), default_algorithms(s));
    }
    let user: Vec<&str> = all.iter().filter(|s| s.file != "built-in").map(|s| s.file).collect();
    if !user.is_empty() {
        let mut files = user.clone();
        files.dedup();
        println!("(rows from {}: {})", sensors::ENV_VAR, files.join(", "));
    }
    EXIT_OK
}

/// A small OC5 table from the open-table builder (10^3 instead of 200^3), so
/// that `sensors show` and `info` list the OC5 products without building (or, on a
/// first run, waiting for) the full table.
struct SmallTables;
impl crate::products::TableSource for SmallTables {
    fn oc5(&self, sensor: &'static Sensor, c: &Coefficients) -> crate::Result<crate::products::Oc5Source> {
        let opts = crate::oc5::BuildOptions { shape: [10, 10, 10], ocx: c.ocx.clone(), ..Default::default() };
        let table = std::sync::Arc::new(crate::oc5::build(sensor, &opts)?);
        Ok(crate::products::Oc5Source::Table { table, name: "open OC5-like table (small, for listing)".into() })
    }
}

fn sensors_show(name: &str) -> i32 {
    let s = match sensors::sensor(name) {
        Ok(s) => s,
        Err(e) => return usage(e),
    };
    println!("{}", s.name);
    println!("  instrument:   {}", s.instrument);
    println!("  platform:     {} (metadata aliases: {})", s.platform, s.platform_aliases.join(", "));
    if !s.product_name_prefixes.is_empty() {
        println!("  ESA product names: {}", s.product_name_prefixes.join(", "));
    }
    println!("  registry:     {}", s.file);
    println!("  bands source: {}", s.source);
    if let Some(h) = s.equator_crossing_hour {
        println!("  equator crossing: {:02}:{:02} local time (l2bin data day)", h.trunc() as u32, (h.fract() * 60.0).round() as u32);
    }
    println!("  bands:        nominal  centre_nm  id      F0 (mW cm-2 um-1)");
    for b in s.bands {
        let f0 = match (b.f0, s.f0(b.nominal)) {
            (Some(f), _) => format!("{f} (registry file)"),
            (None, Ok(f)) => format!("{f} ({})", sensors::DEFAULT_F0_SET),
            (None, Err(_)) => "none".into(),
        };
        println!("                {:<8} {:<10} {:<7} {f0}", b.nominal, b.centre_nm, b.id.unwrap_or("-"));
    }
    let r = &s.roles;
    println!(
        "  band roles:   violet {}, green {}, ratio blues {}, red {}, red (Dogliotti) {}, NIR {}",
        r.violet,
        r.green,
        r.ratio_blues.iter().map(|b| b.to_string()).collect::<Vec<_>>().join("/"),
        r.red,
        r.red_dogliotti,
        r.nir
    );
    println!("  default algorithms: {}", default_algorithms(s));
    if s.coefficients_as != s.name {
        println!("  coefficient sets as: {}", s.coefficients_as);
    }
    for o in crate::coefficients::ocx_sets(s) {
        println!("  OCx {:<16} {}", o.name, o.source);
    }
    let coefficients = Coefficients::default();
    let products: Vec<&str> = PRODUCTS.iter().filter(|p| p.prepare(s, &coefficients, &SmallTables).is_ok()).map(|p| p.name).collect();
    println!("  products:     {}", products.join(", "));
    EXIT_OK
}

fn run_demo(ctx: &Context, outdir: &Path) -> i32 {
    println!("oceancolour demo: writing a SIMULATED scene (NOMAD in-situ Rrs spectra on a synthetic coast, cloud and land)");
    println!("in the exact NASA OBPG Level-2 and Sentinel-3 OLCI WFR layouts, then running the whole chain on it.");
    match with_progress(|p| demo::run(outdir, ctx, p)) {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Every argument of every subcommand has help text (`--help` explains each option).
    #[test]
    fn every_argument_has_help() {
        fn walk(c: &clap::Command, path: &str, missing: &mut Vec<String>) {
            for a in c.get_arguments() {
                if a.get_help().is_none() && !matches!(a.get_id().as_str(), "help" | "version") {
                    missing.push(format!("{path} {}", a.get_id()));
                }
            }
            for sub in c.get_subcommands() {
                if sub.get_about().is_none() {
                    missing.push(format!("{path} {} (subcommand)", sub.get_name()));
                }
                walk(sub, &format!("{path} {}", sub.get_name()), missing);
            }
        }
        let mut missing = Vec::new();
        let mut c = command();
        c.build();
        walk(&c, "oceancolour", &mut missing);
        assert!(missing.is_empty(), "arguments without help: {missing:?}");
    }

    #[test]
    fn process_help_lists_every_product() {
        let help = command().find_subcommand_mut("process").unwrap().render_long_help().to_string();
        for p in crate::products::PRODUCTS {
            assert!(help.contains(p.name) && help.contains(p.long_name), "{} not in process --help", p.name);
        }
    }

    #[test]
    fn sensors_subcommands_parse() {
        let parse = |args: &[&str]| Cli::from_arg_matches(&command().try_get_matches_from(args).unwrap()).unwrap().command;
        assert!(matches!(parse(&["oceancolour", "sensors"]), Command::Sensors { action: None }));
        assert!(
            matches!(parse(&["oceancolour", "sensors", "show", "olci-c"]), Command::Sensors { action: Some(SensorsAction::Show { name }) } if name == "olci-c")
        );
        assert_eq!(sensors_show("viirs-noaa21"), EXIT_OK);
        assert_eq!(sensors_show("czcs"), EXIT_USAGE);
        assert_eq!(sensors_list(), EXIT_OK);
    }

    #[test]
    fn new_sensors_give_every_product_their_bands_allow() {
        let coefficients = Coefficients::default();
        for name in ["modis-terra", "viirs-noaa21", "olci-c"] {
            let s = sensors::sensor(name).unwrap();
            let made: Vec<&str> = PRODUCTS.iter().filter(|p| p.prepare(s, &coefficients, &SmallTables).is_ok()).map(|p| p.name).collect();
            for p in ["chl_ocx", "chl_ci", "chl_oci", "kd490", "spm_nechad", "turbidity_nechad", "turbidity_dogliotti", "chl_oc5", "chl_oc5ci"] {
                assert!(made.contains(&p), "{name}: {p} not made ({made:?})");
            }
        }
    }
}
