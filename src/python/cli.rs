//! The command line and the chain from Python: `oceancolour` console script
//! (`python/oceancolour/__main__.py`) and `oc.process`. The work runs on a
//! Rust thread while this thread waits without the GIL and checks Python's
//! signals every 100 ms: Ctrl-C asks the chain to stop at the next block,
//! which removes partial outputs.

use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Duration;

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use super::OceanColourError;
use crate::chain::{self, Config, Report, Request};

/// Runs `f` on a worker thread, polling for Ctrl-C; returns its result, or
/// `on_interrupt` after the chain has stopped.
fn interruptible<T: Send + 'static>(py: Python<'_>, f: impl FnOnce() -> T + Send + 'static) -> PyResult<T> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
        let _ = tx.send(out);
    });
    let mut interrupted = None;
    let mut rx = rx;
    loop {
        // The receiver is moved through the GIL-free closure (it is Send, not Sync).
        let (back, received) = py.detach(move || {
            let r = rx.recv_timeout(Duration::from_millis(100));
            (rx, r)
        });
        rx = back;
        match received {
            Ok(Ok(v)) => return interrupted.map_or(Ok(v), Err),
            Ok(Err(_)) => return Err(OceanColourError::new_err("internal error in oceancolour (please report): the chain panicked")),
            Err(mpsc::RecvTimeoutError::Timeout) => {
                if interrupted.is_none() {
                    if let Err(e) = py.check_signals() {
                        chain::request_cancel();
                        interrupted = Some(e);
                    }
                }
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err(OceanColourError::new_err("internal error in oceancolour (please report): worker vanished"))
            }
        }
    }
}

/// Runs the `oceancolour` command line on `argv` (program name first) and
/// returns its exit code; Ctrl-C stops it cleanly (exit code 130).
#[pyfunction]
pub fn cli_main(py: Python<'_>, argv: Vec<String>) -> PyResult<i32> {
    match interruptible(py, move || crate::cli::run(argv)) {
        Err(e) if e.is_instance_of::<pyo3::exceptions::PyKeyboardInterrupt>(py) => Ok(crate::cli::EXIT_INTERRUPTED),
        other => other,
    }
}

fn report_dict<'py>(py: Python<'py>, r: &Report) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("written", r.written.iter().map(|p| p.display().to_string()).collect::<Vec<_>>())?;
    d.set_item("skipped", r.skipped.iter().map(|p| p.display().to_string()).collect::<Vec<_>>())?;
    let failed = PyList::empty(py);
    for (i, p) in &r.failed {
        failed.append((i.display().to_string(), p.clone()))?;
    }
    d.set_item("failed", failed)?;
    Ok(d)
}

// The signature's `jobs = 2` is written out so that Python shows it.
const _: () = assert!(chain::DEFAULT_JOBS == 2);

/// Runs the chain (as `oceancolour process`) and returns
/// {"written": [...], "skipped": [...], "failed": [(input, problem), ...]}.
/// `jobs`: granules in flight at once (as `--jobs`).
#[pyfunction]
#[pyo3(signature = (inputs, outdir, products = None, config = None, sensor = None, overwrite = false, quicklook = None, jobs = 2))]
#[allow(clippy::too_many_arguments)]
pub fn process<'py>(
    py: Python<'py>,
    inputs: Vec<PathBuf>,
    outdir: PathBuf,
    products: Option<Vec<String>>,
    config: Option<PathBuf>,
    sensor: Option<String>,
    overwrite: bool,
    quicklook: Option<bool>,
    jobs: usize,
) -> PyResult<Bound<'py, PyDict>> {
    if jobs == 0 {
        return Err(OceanColourError::new_err("jobs must be at least 1"));
    }
    let mut cfg = config.as_deref().map(Config::load).transpose()?.unwrap_or_default();
    if let Some(p) = products {
        cfg.products = p;
    }
    if let Some(q) = quicklook {
        cfg.output.quicklook = q;
    }
    cfg.check(config.as_deref().unwrap_or(std::path::Path::new("products")))?;
    if cfg.products.is_empty() {
        return Err(OceanColourError::new_err("no products: pass products=[...] or a config with `products`"));
    }
    if let Some(s) = &sensor {
        crate::sensors::sensor(s)?;
    }
    let req = Request { inputs, outdir, config: cfg, sensor, overwrite, jobs };
    let report = interruptible(py, move || chain::process(&req, &|_| {}))?;
    report_dict(py, &report)
}
