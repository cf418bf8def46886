//! The operational chain: granules in, CF product files out.
//!
//! Up to `Request::jobs` granules are in flight at once, each read and
//! written in blocks of rows by its own I/O thread; every block's products
//! run in the kernels' one rayon pool, so cores are shared within and across
//! files without oversubscription. The netcdf crate serialises netCDF-C calls
//! (the library is not thread-safe), so a second granule mostly overlaps its
//! I/O with the first one's computation. Memory is bounded by the block size
//! times `jobs`, not by the granule size.
//! A product is skipped when a file made from the same input with the same
//! configuration and software version exists (unless `overwrite`). A failing
//! granule is reported and the others still run.

pub mod config;
pub mod context;
pub mod demo;
pub mod fusion;
pub mod log;
pub mod tables;
pub mod watchdog;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use netcdf::AttributeValue;

use crate::error::{join, Error, Result};
use crate::formats::cf::{text_attr, LayerMeta, ProductWriter, VariableMeta};
use crate::formats::quicklook::{Legend, QuickLook, Scale};
use crate::formats::{self, Granule, GranuleInfo, Layout};
use crate::products::{self, Layer, Prepared, Product};
use crate::reflectance::Reflectances;
pub use config::Config;
pub use context::{Context, Stop};

pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// What to process (built by `Request::new` from what a front door was given).
#[derive(Debug, Clone)]
pub struct Request {
    pub inputs: Vec<PathBuf>,
    pub outdir: PathBuf,
    pub config: Config,
    /// Overrides the sensor read from each file's metadata.
    pub sensor: Option<String>,
    pub overwrite: bool,
    /// Granules processed at once (>= 1; more than 2 rarely helps, see above).
    pub jobs: usize,
}

/// What the command line (`oceancolour process`) or `oc.process` was given.
#[derive(Debug, Clone)]
pub struct RequestArgs {
    pub inputs: Vec<PathBuf>,
    pub outdir: PathBuf,
    /// Overrides the configuration's list.
    pub products: Option<Vec<String>>,
    pub config: Option<PathBuf>,
    pub sensor: Option<String>,
    /// Overrides the configuration's `sensor_bands`.
    pub sensor_bands: Option<String>,
    pub overwrite: bool,
    /// Overrides the configuration's `output.quicklook`.
    pub quicklook: Option<bool>,
    /// Overrides the configuration's `output.uncertainty`.
    pub uncertainty: Option<bool>,
    /// Overrides the configuration's `coefficients.bias_corrected` (`--bias-correct`).
    pub bias_correct: Option<bool>,
    pub jobs: usize,
}

impl Request {
    /// The configuration read and checked, the overrides applied: every
    /// usage error before any input is touched.
    pub fn new(a: RequestArgs) -> Result<Request> {
        let mut config = a.config.as_deref().map(Config::load).transpose()?.unwrap_or_default();
        if let Some(p) = a.products.filter(|p| !p.is_empty()) {
            config.products = p;
        }
        if let Some(q) = a.quicklook {
            config.output.quicklook = q;
        }
        if let Some(s) = a.sensor_bands {
            config.sensor_bands = Some(s);
        }
        if let Some(u) = a.uncertainty {
            config.output.uncertainty = u;
        }
        if let Some(b) = a.bias_correct {
            config.coefficients.bias_corrected = b;
        }
        config.check(a.config.as_deref().unwrap_or(Path::new("the configuration")))?;
        if config.products.is_empty() {
            return Err(Error::InvalidParameter {
                name: "products".into(),
                reason: format!(
                    "none given: use --products (products=[...] in Python) or `products = [...]` in the configuration (known: {})",
                    join(products::PRODUCTS.iter().map(|p| p.name))
                ),
            });
        }
        if let Some(s) = &a.sensor {
            crate::sensors::sensor(s)?;
        }
        refuse_colliding_outputs(&a.inputs)?;
        if a.jobs == 0 {
            return Err(Error::InvalidParameter { name: "jobs".into(), reason: "must be at least 1".into() });
        }
        Ok(Request { inputs: a.inputs, outdir: a.outdir, config, sensor: a.sensor, overwrite: a.overwrite, jobs: a.jobs })
    }
}

/// What a run did.
#[derive(Debug, Default, Clone)]
pub struct Report {
    pub written: Vec<PathBuf>,
    pub skipped: Vec<PathBuf>,
    /// Every input that failed, wholly or for one product.
    pub failed: Vec<Failure>,
}

impl Report {
    /// Whether the run was stopped (Ctrl-C) before it finished.
    pub fn interrupted(&self) -> bool {
        self.failed.iter().any(|f| f.error == Error::Cancelled)
    }
}

/// An input that failed, wholly or for one product.
#[derive(Debug, Clone)]
pub struct Failure {
    pub input: PathBuf,
    pub product: Option<&'static str>,
    pub error: Error,
}

impl Failure {
    /// The problem in words, naming the input and product where the error does not.
    pub fn problem(&self) -> String {
        match (self.product, &self.error) {
            (Some(p), e) => format!("{}: {p}: {e}", self.input.display()),
            (None, e @ Error::Internal { .. }) => format!("{}: {e}", self.input.display()),
            (None, e) => e.to_string(),
        }
    }
}

/// Progress of a run, for progress bars; `index` is the granule's position in
/// `Request::inputs` (several granules can be in flight).
pub enum Progress<'a> {
    Granule { index: usize, name: &'a str, rows: usize },
    Rows { index: usize, rows: usize },
    GranuleDone { index: usize },
}

/// A progress callback; called from the granules' I/O threads.
pub type OnProgress<'a> = &'a (dyn Fn(Progress) + Sync);

/// Output name stem of a granule: the file name without `.nc` / `.SEN3`.
fn stem(path: &Path) -> String {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "granule".into());
    name.trim_end_matches('/').trim_end_matches(".nc").trim_end_matches(".SEN3").to_string()
}

/// Two inputs whose products would share a file name (the same name in two
/// folders, or one input listed twice) are refused before any work: one
/// would silently replace the other.
fn refuse_colliding_outputs(inputs: &[PathBuf]) -> Result<()> {
    let mut seen: std::collections::HashMap<String, &Path> = std::collections::HashMap::new();
    for input in inputs {
        if let Some(first) = seen.insert(stem(input), input) {
            let how = if first == input { "is listed twice".to_string() } else { format!("and {} have the same name", first.display()) };
            return Err(Error::InvalidParameter {
                name: "inputs".into(),
                reason: format!(
                    "{} {how}: their products would be written to the same files ({}.*); process them into different output folders",
                    input.display(),
                    stem(input)
                ),
            });
        }
    }
    Ok(())
}

/// The key a product file must carry to be skipped on a re-run.
fn run_key(config: &Config, input: &Path, product: &str) -> String {
    let mut c = config.clone();
    c.products.clear(); // adding a product to the list does not change the others
    format!("oceancolour {VERSION}; product {product}; input {}; configuration:\n{}", input.display(), c.to_toml())
}

/// Whether every file of a product (the netCDF file, and its quick-look when
/// one is asked for) exists from a run with the same key. An existing file
/// that cannot be read (corrupt, truncated, or a reader panic on it) counts
/// as absent: it is remade, and the log says why.
fn already_made(dest: &Path, key: &str, quicklook: Option<&Path>) -> bool {
    if !dest.exists() || quicklook.is_some_and(|png| !png.is_file()) {
        return false;
    }
    let read = catch_unwind(|| -> std::result::Result<Option<String>, String> {
        let f = netcdf::open(dest).map_err(|e| e.to_string())?;
        Ok(formats::nc::text(f.attribute("oceancolour_run_key").map(|a| a.value())))
    });
    match read {
        Ok(Ok(found)) => found.as_deref() == Some(key),
        Ok(Err(e)) => {
            ::log::warn!("{}: exists but cannot be read ({e}): made again", dest.display());
            false
        }
        Err(_) => {
            ::log::warn!("{}: exists but is corrupt: made again", dest.display());
            false
        }
    }
}

/// Runs the chain over every input. Never panics; failures are in the
/// report, which lists inputs in the order given whatever order they ran in.
pub fn process(req: &Request, ctx: &Context, progress: OnProgress) -> Report {
    if let Err(e) = std::fs::create_dir_all(&req.outdir) {
        let error = Error::file(&req.outdir, format!("output folder cannot be created: {e}"));
        return Report { failed: req.inputs.iter().map(|i| Failure { input: i.clone(), product: None, error: error.clone() }).collect(), ..Report::default() };
    }
    let parts: Vec<Mutex<Report>> = req.inputs.iter().map(|_| Mutex::new(Report::default())).collect();
    let next = AtomicUsize::new(0);
    let worker = || loop {
        let index = next.fetch_add(1, Ordering::SeqCst);
        let Some(input) = req.inputs.get(index) else { break };
        let mut part = parts[index].lock().unwrap_or_else(|e| e.into_inner());
        if let Err(error) = ctx.check() {
            part.failed.push(Failure { input: input.clone(), product: None, error });
            continue;
        }
        let outcome = catch_unwind(AssertUnwindSafe(|| process_granule(req, ctx, index, input, &mut part, progress)));
        let error = match outcome {
            Ok(Ok(())) => None,
            Ok(Err(e)) => Some(e),
            Err(panic) => Some(Error::from_panic(panic, Some(input))),
        };
        progress(Progress::GranuleDone { index });
        if let Some(error) = error {
            let f = Failure { input: input.clone(), product: None, error };
            ::log::error!("{}", f.problem());
            part.failed.push(f);
        }
    };
    std::thread::scope(|s| {
        for _ in 1..req.jobs.clamp(1, req.inputs.len().max(1)) {
            s.spawn(worker);
        }
        worker();
    });
    let mut report = Report::default();
    for part in parts {
        let part = part.into_inner().unwrap_or_else(|e| e.into_inner());
        report.written.extend(part.written);
        report.skipped.extend(part.skipped);
        report.failed.extend(part.failed);
    }
    report
}

struct Job {
    spec: &'static Product,
    prepared: Prepared,
    /// The registry layers written beside the product, with their variable names.
    layers: Vec<(&'static str, String)>,
    writer: ProductWriter,
    quicklook: Option<QuickLook>,
    valid: usize,
    dest_png: PathBuf,
}

impl Job {
    fn layer_names(&self) -> Vec<&'static str> {
        self.layers.iter().map(|(l, _)| *l).collect()
    }
}

/// The variable name of a product's layer in its file: `<product>_uncertainty`,
/// `<product>_bias` (stable names: the fusion reads them), `oc5_class` for chl_oc5's class.
pub fn layer_variable(product: &str, layer: &str) -> String {
    match layer {
        "class" => "oc5_class".into(),
        l => format!("{product}_{l}"),
    }
}

/// The quality layers written beside a product (`output.uncertainty`, default on):
/// its uncertainty and bias, and the OC5 applicability class beside chl_oc5. Left out,
/// with a warning, where the granule lacks a band they need.
fn quality_layers(req: &Request, info: &GranuleInfo, spec: &'static Product, prepared: &Prepared) -> Vec<(&'static str, LayerMeta)> {
    if !req.config.output.uncertainty || !spec.layers.iter().any(|l| l.name == "uncertainty") {
        return Vec::new();
    }
    if let Some(b) = prepared.layer_bands.iter().find(|b| !info.bands.contains(b)) {
        ::log::warn!("{}: no uncertainty written: the water types need Rrs at {b} nm, which this granule does not have", spec.name);
        return Vec::new();
    }
    let name = spec.name;
    let what = &prepared.layer_provenance;
    let mut out = vec![
        (
            "uncertainty",
            LayerMeta {
                name: layer_variable(name, "uncertainty"),
                long_name: format!("1-sigma uncertainty of log10({name}) (dex: log10 units)"),
                units: "1".into(),
                comment: format!(
                    "{what}. 1 sigma of log10({name}); the linear-space interval is [value 10^-u, value 10^u]. Not included: atmospheric correction and other satellite Rrs errors unless an Rrs uncertainty is propagated, pixel/station mismatch, correlation between pixels. docs/uncertainty.md"
                ),
                flags: None,
            },
        ),
        (
            "bias",
            LayerMeta {
                name: layer_variable(name, "bias"),
                long_name: format!("Expected bias of log10({name}) (dex; log10 product - log10 truth)"),
                units: "1".into(),
                comment: format!(
                    "Membership-weighted class bias of the Moore et al. 2009 water types (this library's fit, src/quality/class_stats.csv); {}. docs/uncertainty.md",
                    if req.config.coefficients.bias_corrected {
                        "SUBTRACTED from the product (bias_corrected): the product is value x 10^-bias and its uncertainty the class SD"
                    } else {
                        "not subtracted from the product"
                    }
                ),
                flags: None,
            },
        ),
    ];
    if spec.layers.iter().any(|l| l.name == "class") {
        let version = &req.config.coefficients.oc5_class_version;
        out.push((
            "class",
            LayerMeta {
                name: layer_variable(name, "class"),
                long_name: format!("OC5 applicability class (EUNOSAT tests, version {version})"),
                units: "1".into(),
                comment: format!(
                    "Applicability tests of RBINS/EUNOSAT (version {version}: {}). Pixels are not removed. docs/uncertainty.md s1",
                    if version.eq_ignore_ascii_case("A") { "Polymer tuning" } else { "C2RCC tuning" }
                ),
                flags: Some((crate::quality::oc5_class::FLAG_VALUES.to_vec(), crate::quality::oc5_class::FLAG_MEANINGS.into())),
            },
        ));
    }
    out
}

/// Which F0 turns the input Rrs into nLw where a product needs nLw (the OC5
/// table's axes): the input file's own (OBPG `Rrs_NNN:solar_irradiance`, as
/// NASA's nLw), else the OC5 table's convention (`f0_set` in its metadata).
fn f0_used(info: &GranuleInfo) -> String {
    if info.f0.is_empty() {
        return format!("the OC5 table's F0 (its f0_set; open tables: {}); the input file gives none", crate::sensors::DEFAULT_F0_SET);
    }
    let bands: Vec<String> = info.f0.iter().map(|(nm, f)| format!("{nm}:{f:.4}")).collect();
    format!("the input file's solar_irradiance (nm:mW cm-2 um-1 {})", bands.join(" "))
}

fn globals(req: &Request, info: &GranuleInfo, spec: &Product, algorithm: &str, key: &str) -> Vec<(String, AttributeValue)> {
    // The instrument that observed (PACE OCI when its Rrs were convolved to another sensor's bands).
    let observed = info.virtual_bands.as_ref().map(|v| v.observed_by).unwrap_or(info.sensor);
    let now = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let level = match info.layout {
        Layout::Swath => "L2",
        _ => "L3",
    };
    let title = format!("{} from {} {} ({})", spec.long_name, info.sensor.instrument, level, info.format);
    let summary = format!("{} computed by oceancolour {VERSION} from the Rrs of {}", spec.long_name, stem(&info.path));
    let (title, summary, source) = if info.simulated {
        (
            format!("SIMULATED: {title}"),
            format!("{summary}. The input is SIMULATED (its title/comment say so): not a real satellite granule."),
            format!(
                "SIMULATED input (written by oceancolour simulate/demo in the layout of {} {}): not satellite observations",
                info.sensor.instrument, info.format
            ),
        )
    } else {
        (title, summary, format!("satellite observations from {} ({})", observed.instrument, observed.platform))
    };
    let mut g = vec![
        text_attr("Conventions", "CF-1.8, ACDD-1.3"),
        text_attr("title", title),
        text_attr("summary", summary),
        text_attr("keywords", crate::formats::cf::KEYWORDS),
        text_attr("id", format!("{}.{}", stem(&info.path), spec.name)),
        text_attr("naming_authority", "oceancolour"),
        text_attr("history", format!("{now} oceancolour {VERSION} process {}", info.path.display())),
        text_attr("date_created", now),
        text_attr("processing_level", level),
        text_attr("standard_name_vocabulary", crate::formats::cf::STANDARD_NAME_VOCABULARY),
        text_attr("source", source),
        text_attr("instrument", observed.instrument),
        text_attr("platform", observed.platform),
        text_attr("product_version", VERSION),
        text_attr("references", spec.references),
        text_attr("comment", "Masked pixels (flags, fill, algorithm failures) are _FillValue."),
        text_attr("input_sources", info.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()),
        text_attr("input_format", info.format),
        text_attr("sensor", format!("{} (from {})", info.sensor.name, info.sensor_from)),
        text_attr("quality_flags_applied", info.flags_applied.clone()),
        text_attr("oceancolour_version", VERSION),
        text_attr("algorithm", spec.name),
        text_attr("algorithm_reference", algorithm),
        text_attr("f0_used", f0_used(info)),
        text_attr("oceancolour_configuration", req.config.to_toml()),
        text_attr("oceancolour_run_key", key),
    ];
    g.extend(crate::formats::cf::time_coverage_attrs(&info.time_coverage_start, &info.time_coverage_end));
    if let Some(v) = &info.virtual_bands {
        g.push(text_attr("sensor_bands", format!("{} observed by {}: {}", info.sensor.name, v.observed_by.name, v.description)));
    }
    if let Layout::Bins { isin_rows } = info.layout {
        g.push(text_attr("binning_scheme", format!("Integerized Sinusoidal Grid, {isin_rows} rows")));
    }
    with_user_attributes(g, &req.config.output.attributes)
}

/// The `[output.attributes]` of the configuration added to the chain's own
/// globals; a user value replaces the chain's default (`keywords`,
/// `naming_authority`). Reserved names were refused by `Config::check`.
pub fn with_user_attributes(mut g: Vec<(String, AttributeValue)>, user: &std::collections::BTreeMap<String, String>) -> Vec<(String, AttributeValue)> {
    for (k, v) in user {
        match g.iter_mut().find(|(name, _)| name == k) {
            Some(slot) => slot.1 = AttributeValue::Str(v.clone()),
            None => g.push(text_attr(k, v.clone())),
        }
    }
    g
}

fn process_granule(req: &Request, ctx: &Context, index: usize, input: &Path, report: &mut Report, progress: OnProgress) -> Result<()> {
    let started = std::time::Instant::now();
    let reading = ctx.reading(input);
    let granule: Box<dyn Granule> = formats::open_as(input, req.sensor.as_deref(), &req.config.flags, req.config.sensor_bands.as_deref())?;
    reading.idle(); // building a table is not a read
    let info = granule.info().clone();
    let name = stem(input);
    let mut jobs = Vec::new();
    for pname in &req.config.products {
        let spec = products::product(pname)?;
        let dest = req.outdir.join(format!("{name}.{}.nc", spec.name));
        let key = run_key(&req.config, input, spec.name);
        let png = dest.with_extension("png");
        if !req.overwrite && already_made(&dest, &key, req.config.output.quicklook.then_some(png.as_path())) {
            ::log::info!("{}: already made with this configuration, skipped (use --overwrite to remake)", dest.display());
            report.skipped.push(dest);
            continue;
        }
        let made = (|| -> Result<Job> {
            let prepared = spec.prepare(info.sensor, &req.config.coefficients, ctx.tables.as_ref())?;
            if let Some(band) = prepared.bands.iter().find(|b| !info.bands.contains(b)) {
                return Err(Error::Unsupported {
                    algorithm: spec.name.into(),
                    reason: format!(
                        "needs Rrs at {band} nm, which this granule does not have (its Rrs bands: {})",
                        if info.bands.is_empty() { "none".into() } else { join(&info.bands) }
                    ),
                });
            }
            let meta = VariableMeta {
                name: spec.name.into(),
                long_name: spec.long_name.into(),
                standard_name: spec.standard_name.map(String::from),
                units: spec.units.into(),
                valid_range: spec.valid_range,
                references: spec.references.into(),
                comment: spec.comment.into(),
                radiation_wavelength_nm: spec.radiation_wavelength_nm,
                flags: spec.class_flags(),
            };
            let mut writer = ProductWriter::create(&dest, &info, &meta, &req.config.output.netcdf, globals(req, &info, spec, &prepared.provenance, &key))?;
            let layers = quality_layers(req, &info, spec, &prepared);
            writer.add_layers(&layers.iter().map(|(_, m)| m.clone()).collect::<Vec<_>>())?;
            let layers = layers.into_iter().map(|(l, m)| (l, m.name)).collect();
            Ok(Job { spec, prepared, layers, writer, quicklook: req.config.output.quicklook.then(|| QuickLook::new(&info)), valid: 0, dest_png: png })
        })();
        match made {
            Ok(job) => jobs.push(job),
            Err(error) => {
                let f = Failure { input: input.to_path_buf(), product: Some(spec.name), error };
                ::log::error!(input:% = input.display(), product = spec.name; "{}", f.problem());
                report.failed.push(f);
            }
        }
    }
    if jobs.is_empty() {
        return Ok(());
    }
    let mut bands: Vec<u16> = jobs.iter().flat_map(|j| j.prepared.bands_for(&j.layer_names())).collect();
    bands.sort_unstable();
    bands.dedup();
    ::log::info!(
        "{}: {} {} ({} x {}), sensor {} [{}], Rrs bands {:?}, products {}",
        input.display(),
        info.format,
        name,
        info.rows,
        info.cols,
        info.sensor.name,
        info.sensor_from,
        bands,
        jobs.iter().map(|j| j.spec.name).collect::<Vec<_>>().join(", ")
    );
    progress(Progress::Granule { index, name: &name, rows: info.rows });
    let block_rows = req.config.output.block_rows;
    // One block in memory: its Rrs bands, flags, lat, lon and each product's values (f32 or
    // smaller), sized from the file's header, which a corrupt or hostile file can make absurd.
    let per_pixel = bands.len() + jobs.len() + 3;
    let block_pixels = block_rows.min(info.rows) as u128 * info.cols as u128;
    crate::compute::memory::ensure_fits(
        block_pixels * per_pixel as u128,
        4,
        &format!("{}: a block of {} rows of {} pixels", input.display(), block_rows.min(info.rows), info.cols),
    )?;
    let mut flagged = 0usize;
    let mut row0 = 0;
    while row0 < info.rows {
        ctx.check()?;
        let n = block_rows.min(info.rows - row0);
        reading.beat(); // until the block is read and written
        let block = granule.read_block(row0, n, &bands)?;
        flagged += block.flagged;
        for job in jobs.iter_mut() {
            let names = job.layer_names();
            let wanted = job.prepared.bands_for(&names);
            let slices = wanted.iter().map(|nm| (*nm, block.rrs.iter().find(|b| b.0 == *nm).expect("read").1.as_slice())).collect();
            let sigma = block.rrs_sigma.iter().filter(|(nm, _)| wanted.contains(nm)).map(|(nm, v)| (*nm, v.as_slice())).collect();
            let rrs = Reflectances::new(info.sensor, slices)?.with_file_f0(info.f0.clone()).with_sigma(sigma)?;
            let mut out = job.prepared.run(&rrs, &names)?;
            let values = std::mem::take(&mut out.value);
            job.valid += values.iter().filter(|v| v.is_finite()).count();
            job.writer.write_block(&block, &values)?;
            for (layer, var) in &job.layers {
                match out.take(layer) {
                    Some(Layer::F32(v)) => job.writer.write_layer_f32(&block, var, &v)?,
                    Some(Layer::U8(v)) => job.writer.write_layer_flags(&block, var, &v)?,
                    None => return Err(Error::Unsupported { algorithm: job.spec.name.into(), reason: format!("gave no {layer} layer") }),
                }
            }
            if let Some(q) = job.quicklook.as_mut() {
                q.add_block(&block, &values);
            }
        }
        reading.idle();
        progress(Progress::Rows { index, rows: n });
        row0 += n;
    }
    let total = info.rows * info.cols;
    for job in jobs {
        let counts = vec![
            ("pixels_total".to_string(), AttributeValue::Longlong(total as i64)),
            ("pixels_flagged".to_string(), AttributeValue::Longlong(flagged as i64)),
            ("pixels_valid".to_string(), AttributeValue::Longlong(job.valid as i64)),
        ];
        let dest = job.writer.finish(counts)?;
        ::log::info!(
            input:% = info.path.display(), product = job.spec.name, output:% = dest.display(), valid = job.valid, total = total, flagged = flagged,
            seconds = (started.elapsed().as_secs_f64() * 1e3).round() / 1e3;
            "wrote {} ({} of {total} pixels valid, {flagged} excluded by flags)", dest.display(), job.valid
        );
        if let Some(q) = job.quicklook {
            let log = job.spec.log_scale;
            let scale = match (req.config.output.quicklook_scale.as_str(), job.spec.display_range) {
                ("fixed", Some([min, max])) => Scale::Fixed { min, max, log },
                _ => Scale::Stretch { log },
            };
            let date = info.time_coverage_start.as_deref().and_then(|t| t.get(..10)).unwrap_or("");
            let units = job.spec.display_units.unwrap_or(job.spec.units);
            let sensor = format!("{} {}", info.sensor.instrument, info.sensor.platform);
            let legend = Legend { product: job.spec.name, units, sensor: &sensor, date, simulated: info.simulated };
            q.write_png(&job.dest_png, scale, &legend)?;
            report.written.push(job.dest_png);
        }
        report.written.push(dest);
    }
    Ok(())
}
