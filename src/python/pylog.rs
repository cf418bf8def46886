//! Rust log records to Python's `logging` (the pyo3-log pattern, written
//! here for pyo3 0.30): library calls (`oc.process`, table builds, fusion)
//! log to the loggers `oceancolour.<module>` (e.g. `oceancolour.chain`), so
//! notebooks see warnings (Python's last-resort handler prints them) and
//! scripts configure them as any other logger. A record's key-value fields
//! (input, product, valid, seconds, ...) arrive as attributes of the
//! `LogRecord` (`extra`). The command line (`oceancolour ...`, also from
//! Python) keeps writing to stderr in its own format.

use std::sync::Arc;

use log::{Level, LevelFilter};
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// `LogRecord` attributes a field may not overwrite (logging raises KeyError).
const RESERVED: [&str; 21] = [
    "name",
    "msg",
    "args",
    "levelname",
    "levelno",
    "pathname",
    "filename",
    "module",
    "exc_info",
    "exc_text",
    "stack_info",
    "lineno",
    "funcName",
    "created",
    "msecs",
    "relativeCreated",
    "thread",
    "threadName",
    "processName",
    "process",
    "message",
];

fn python_level(l: Level) -> i32 {
    match l {
        Level::Error => 40,
        Level::Warn => 30,
        Level::Info => 20,
        Level::Debug => 10,
        Level::Trace => 5,
    }
}

fn emit(py: Python<'_>, level: Level, target: &str, message: &str, fields: &[(String, String)]) -> PyResult<()> {
    // "oceancolour::chain::fusion" -> "oceancolour.chain" (one logger per layer).
    let name = target.split("::").take(2).collect::<Vec<_>>().join(".");
    let logger = py.import("logging")?.call_method1("getLogger", (name,))?;
    let lvl = python_level(level);
    if !logger.call_method1("isEnabledFor", (lvl,))?.extract::<bool>()? {
        return Ok(());
    }
    let extra = PyDict::new(py);
    for (k, v) in fields {
        let key = if RESERVED.contains(&k.as_str()) { format!("oc_{k}") } else { k.clone() };
        extra.set_item(key, v)?;
    }
    let kwargs = PyDict::new(py);
    kwargs.set_item("extra", extra)?;
    logger.call_method("log", (lvl, message), Some(&kwargs))?;
    Ok(())
}

/// Sends library records (info and above) to Python's `logging`.
pub fn install() {
    crate::chain::log::forward(
        Arc::new(|level, target, message, fields| {
            Python::attach(|py| {
                if let Err(e) = emit(py, level, target, message, fields) {
                    // A broken handler must not stop the computation.
                    e.write_unraisable(py, None);
                }
            })
        }),
        LevelFilter::Info,
    );
}
