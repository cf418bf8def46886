//! Logging for the command line: `log` records to stderr as text or as one
//! JSON object per line (`--log-format json`, for a job scheduler), drawn
//! around the progress bars when there are some. Installed once per process;
//! format, level and bar can change between runs (the Python entry point
//! may run the CLI several times in one interpreter).

use std::io::Write;
use std::sync::{Mutex, OnceLock};

use indicatif::MultiProgress;
use log::{Level, LevelFilter, Log, Metadata, Record};

struct State {
    json: bool,
    bars: Option<MultiProgress>,
}

struct Logger {
    state: Mutex<State>,
}

static LOGGER: OnceLock<Logger> = OnceLock::new();

impl Log for Logger {
    fn enabled(&self, m: &Metadata) -> bool {
        m.level() <= log::max_level()
    }

    fn log(&self, r: &Record) {
        if !self.enabled(r.metadata()) {
            return;
        }
        let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let line = if state.json {
            serde_json::json!({
                "time": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                "level": r.level().as_str(),
                "message": r.args().to_string(),
            })
            .to_string()
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

/// Installs the logger (first call) and sets the format and level.
pub fn init(json: bool, level: LevelFilter) {
    let logger = LOGGER.get_or_init(|| Logger { state: Mutex::new(State { json, bars: None }) });
    let _ = log::set_logger(logger);
    logger.state.lock().unwrap_or_else(|e| e.into_inner()).json = json;
    log::set_max_level(level);
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
