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

use super::registry::tables;
use super::OceanColourError;
use crate::chain::{self, Context, Report, Request, RequestArgs, Stop};
use crate::defaults;

/// Runs `f` on a worker thread, polling for Ctrl-C, which asks the run to
/// stop (`stop`); returns its result, or the KeyboardInterrupt once the run
/// has stopped.
fn interruptible<T: Send + 'static>(py: Python<'_>, stop: Stop, f: impl FnOnce() -> T + Send + 'static) -> PyResult<T> {
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
                        stop.request();
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
    let args: Vec<std::ffi::OsString> = argv.into_iter().map(Into::into).collect();
    let ctx = Context::new(crate::cli::command_line(&args), tables().clone());
    match interruptible(py, ctx.stop_handle(), move || crate::cli::run(&ctx, args)) {
        Err(e) if e.is_instance_of::<pyo3::exceptions::PyKeyboardInterrupt>(py) => Ok(crate::cli::EXIT_INTERRUPTED),
        other => other,
    }
}

fn report_dict<'py>(py: Python<'py>, r: &Report) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("written", r.written.iter().map(|p| p.display().to_string()).collect::<Vec<_>>())?;
    d.set_item("skipped", r.skipped.iter().map(|p| p.display().to_string()).collect::<Vec<_>>())?;
    let failed = PyList::empty(py);
    for f in &r.failed {
        failed.append((f.input.display().to_string(), f.problem()))?;
    }
    d.set_item("failed", failed)?;
    Ok(d)
}

// The signature's `jobs = 2` is written out so that Python shows it.
const _: () = assert!(defaults::JOBS == 2);

/// Runs the chain (as `oceancolour process`) and returns
/// {"written": [...], "skipped": [...], "failed": [(input, problem), ...]}.
/// `jobs`: granules in flight at once (as `--jobs`). `uncertainty=False`: as
/// `--no-uncertainty` (default: the configuration's `output.uncertainty`, on).
#[pyfunction]
#[pyo3(signature = (inputs, outdir, products = None, config = None, sensor = None, overwrite = false, quicklook = None, jobs = 2, uncertainty = None))]
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
    uncertainty: Option<bool>,
) -> PyResult<Bound<'py, PyDict>> {
    let req = Request::new(RequestArgs { inputs, outdir, products, config, sensor, overwrite, quicklook, uncertainty, jobs })?;
    let ctx = Context::new(format!("oc.process({:?})", req.inputs), tables().clone());
    let report = interruptible(py, ctx.stop_handle(), move || chain::process(&req, &ctx, &|_| {}))?;
    report_dict(py, &report)
}
