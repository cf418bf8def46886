//! Logging: `log` records to stderr as text or as one JSON object per line
//! (`--log-format json`, for a job scheduler; the records' key-value fields,
//! e.g. `input`, `product`, `valid`, `seconds`, become JSON fields), drawn
//! around the progress bars when there are some; or, for library use from
//! Python, handed to a forwarding function (the Python glue sends them to
//! `logging`). Installed once per process; format, level, bars and where the
//! records go can change between runs (the Python entry point may run the
//! CLI several times in one interpreter).

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use indicatif::MultiProgress;
use log::kv::{Key, Value, VisitSource};
use log::{Level, LevelFilter, Log, Metadata, Record};

/// Where library records go when no command line runs: level, target (the
/// Rust module path), message and the record's key-value fields.
pub type Forward = Arc<dyn Fn(Level, &str, &str, &[(String, String)]) + Send + Sync>;

struct State {
    json: bool,
    bars: Option<MultiProgress>,
    /// A command line runs: its records go to stderr whatever `forward` is.
    cli: bool,
    forward: Option<Forward>,
    /// The level of library use, restored after a command line.
    forward_level: LevelFilter,
}

struct Logger {
    state: Mutex<State>,
}

static LOGGER: OnceLock<Logger> = OnceLock::new();

fn logger() -> &'static Logger {
    let logger =
        LOGGER.get_or_init(|| Logger { state: Mutex::new(State { json: false, bars: None, cli: false, forward: None, forward_level: LevelFilter::Off }) });
    let _ = log::set_logger(logger);
    logger
}

fn lock() -> std::sync::MutexGuard<'static, State> {
    logger().state.lock().unwrap_or_else(|e| e.into_inner())
}

/// The record's key-value fields, as text.
fn fields(r: &Record) -> Vec<(String, String)> {
    struct Collect(Vec<(String, String)>);
    impl<'kvs> VisitSource<'kvs> for Collect {
        fn visit_pair(&mut self, key: Key<'kvs>, value: Value<'kvs>) -> Result<(), log::kv::Error> {
            self.0.push((key.to_string(), value.to_string()));
            Ok(())
        }
    }
    let mut c = Collect(Vec::new());
    let _ = r.key_values().visit(&mut c);
    c.0
}

impl Log for Logger {
    fn enabled(&self, m: &Metadata) -> bool {
        m.level() <= log::max_level()
    }

    fn log(&self, r: &Record) {
        if !self.enabled(r.metadata()) {
            return;
        }
        let kv = fields(r);
        let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if let (false, Some(f)) = (state.cli, &state.forward) {
            // Not under the lock: the forward may wait for the Python GIL, whose holder may log.
            let f = f.clone();
            drop(state);
            f(r.level(), r.target(), &r.args().to_string(), &kv);
            return;
        }
        let line = if state.json {
            let mut o = serde_json::Map::new();
            o.insert("time".into(), chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true).into());
            o.insert("level".into(), r.level().as_str().into());
            o.insert("message".into(), r.args().to_string().into());
            for (k, v) in kv {
                // Numbers stay numbers for the scheduler's parser.
                let v = v.parse::<i64>().map(serde_json::Value::from).or_else(|_| v.parse::<f64>().map(serde_json::Value::from)).unwrap_or(v.into());
                o.entry(k).or_insert(v);
            }
            serde_json::Value::Object(o).to_string()
        } else {
            match r.level() {
                Level::Info => format!("{}", r.args()),
                l => format!("{}: {}", l.as_str().to_lowercase(), r.args()),
            }
        };
        let emit = || {
            let _ = writeln!(std::io::stderr().lock(), "{line}");
        };
        match &state.bars {
            Some(bars) => bars.suspend(emit),
            None => emit(),
        }
    }

    fn flush(&self) {}
}

/// While alive, a command line runs: records go to stderr in its format.
pub struct CliLogging(());

impl Drop for CliLogging {
    fn drop(&mut self) {
        let mut s = lock();
        s.cli = false;
        if s.forward.is_some() {
            log::set_max_level(s.forward_level);
        }
    }
}

/// Installs the logger (first call) for a command-line run and sets the format and level.
pub fn init(json: bool, level: LevelFilter) -> CliLogging {
    let mut s = lock();
    s.json = json;
    s.cli = true;
    log::set_max_level(level);
    CliLogging(())
}

/// Library use: records (up to `level`) go to `forward` when no command line runs.
pub fn forward(f: Forward, level: LevelFilter) {
    let mut s = lock();
    s.forward = Some(f);
    s.forward_level = level;
    if !s.cli {
        log::set_max_level(level);
    }
}

/// Routes log lines around `bars` while they are shown (None when done).
pub fn set_progress_bars(bars: Option<MultiProgress>) {
    if let Some(l) = LOGGER.get() {
        l.state.lock().unwrap_or_else(|e| e.into_inner()).bars = bars;
    }
}

/// Whether records are written as JSON (the CLI prints its summary the same way).
pub fn json() -> bool {
    LOGGER.get().is_some_and(|l| l.state.lock().unwrap_or_else(|e| e.into_inner()).json)
}
