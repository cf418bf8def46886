//! The command line and the chain from Python: `oceancolour` console script
//! (`python/oceancolour/__main__.py`) and `oc.process`. The work runs on a
//! Rust thread while this thread waits without the GIL and checks Python's
//! signals every 100 ms: Ctrl-C asks the chain to stop at the next block,
//! which removes partial outputs.

use std::path::PathBuf;
use std::sync::{mpsc, Mutex};
use std::time::Duration;

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use super::registry::tables;
use super::OceanColourError;
use crate::chain::watchdog::Hung;
use crate::chain::{self, Context, Report, Request, RequestArgs, Stop};
use crate::defaults;

/// Runs `f` on a worker thread, polling for Ctrl-C, which asks the run to
/// stop (`stop`); returns its result, or the KeyboardInterrupt once the run
/// has stopped. When the run's thread is left behind (a read hung, or it did
/// not stop within the grace) `abandoned` is set: that thread may be inside
/// HDF5 for ever.
fn interruptible<T: Send + 'static>(py: Python<'_>, stop: Stop, hung: Hung, abandoned: &mut bool, f: impl FnOnce() -> T + Send + 'static) -> PyResult<T> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
        let _ = tx.send(out);
    });
    let mut interrupted = None;
    let mut interrupted_at = None;
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
                // A read looping inside HDF5 (chain::watchdog): the run's thread is left behind.
                if let Some(message) = hung.get() {
                    *abandoned = true;
                    return Err(OceanColourError::new_err(format!(
                        "{message}. The stuck read holds the netCDF library of this Python process: restart it (e.g. the kernel) before reading netCDF files with oceancolour again"
                    )));
                }
                if interrupted.is_none() {
                    if let Err(e) = py.check_signals() {
                        stop.request();
                        interrupted = Some(e);
                        interrupted_at = Some(std::time::Instant::now());
                    }
                } else if interrupted_at.is_some_and(|t| t.elapsed() > crate::chain::watchdog::stop_grace()) {
                    // Stuck inside the C libraries: give the interruption back, leave the thread.
                    *abandoned = true;
                    return Err(interrupted.take().expect("interrupted"));
                }
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err(OceanColourError::new_err("internal error in oceancolour (please report): worker vanished"))
            }
        }
    }
}

/// Runs the `oceancolour` command line on `argv` (program name first) and
/// returns its exit code; Ctrl-C stops it cleanly (exit code 130). When the
/// run's thread is stuck inside HDF5 (a hung read, or a signal it could not
/// reach), the files it was writing are removed and the exception
/// (KeyboardInterrupt, SystemExit, OceanColourError) propagates: the caller
/// (`oceancolour.__main__`) must then leave with `os._exit`, since the
/// interpreter's normal exit would run HDF5's clean-up under the stuck thread
/// (SIGSEGV).
#[pyfunction]
pub fn cli_main(py: Python<'_>, argv: Vec<String>) -> PyResult<i32> {
    let args: Vec<std::ffi::OsString> = argv.into_iter().map(Into::into).collect();
    let ctx = Context::new(crate::cli::command_line(&args), tables().clone());
    let mut abandoned = false;
    let ctx_hung = ctx.hung.clone();
    match interruptible(py, ctx.stop_handle(), ctx.hung.clone(), &mut abandoned, move || crate::cli::run(&ctx, args)) {
        Err(e) if abandoned => {
            if ctx_hung.get().is_none() {
                eprintln!(
                    "error: the run did not stop within {:.0} s of the signal (a read stuck inside the netCDF/HDF5 libraries?): exiting",
                    crate::chain::watchdog::stop_grace().as_secs_f64()
                );
            }
            crate::formats::atomic::remove_unfinished();
            Err(e)
        }
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
/// `jobs`: granules in flight at once (as `--jobs`). `progress`: called as
/// `progress(input, rows_done, rows_total)` as each granule's blocks are done
/// (from the chain's threads, with the GIL), e.g. to update a tqdm bar; an
/// exception it raises is reported as unraisable and the run goes on.
/// `uncertainty=False`: as `--no-uncertainty` (default: the configuration's
/// `output.uncertainty`, on). `bias_correct=True`: as `--bias-correct` (never the default).
///
/// Parameters
/// ----------
/// inputs : list of str or os.PathLike
///     Level-2 granule paths (netCDF).
/// outdir : str or os.PathLike
///     Output directory.
/// products : list of str, optional
///     Products to make (see :func:`products`); default the configuration's.
/// config : str or os.PathLike, optional
///     TOML configuration file.
/// sensor : str, optional
///     Sensor name; default detected from the granule's metadata.
/// overwrite : bool, default False
///     Overwrite existing outputs (else they are skipped).
/// quicklook : bool, optional
///     Write PNG quick-looks; default the configuration's.
/// jobs : int, default 2
///     Granules in flight at once.
/// progress : callable, optional
///     Called as ``progress(input, rows_done, rows_total)``.
/// sensor_bands : str, optional
///     Registry sensor whose bands hyperspectral Rrs (PACE OCI) is convolved to,
///     e.g. ``"olci-a"`` (as ``--sensor-bands``).
/// uncertainty : bool, optional
///     False: as ``--no-uncertainty``.
/// bias_correct : bool, optional
///     True: as ``--bias-correct``.
///
/// Returns
/// -------
/// dict
///     ``written`` and ``skipped`` (lists of paths), ``failed`` (list of
///     ``(input, problem)``).
///
/// Raises
/// ------
/// OceanColourError
///     Invalid arguments or configuration, e.g. no products (a ``ValueError``).
/// OceanColourFileError
///     Unreadable configuration or output directory (an ``OSError``).
/// TypeError
///     `progress` not callable.
///
/// Examples
/// --------
/// >>> import tempfile
/// >>> out = oc.process(["missing.nc"], tempfile.mkdtemp(), products=["chl_ocx"], sensor="seawifs")
/// >>> out["written"], out["failed"]
/// ([], [('missing.nc', 'missing.nc: does not exist')])
#[pyfunction]
#[pyo3(signature = (inputs, outdir, products = None, config = None, sensor = None, overwrite = false, quicklook = None, jobs = 2, progress = None, sensor_bands = None, uncertainty = None, bias_correct = None))]
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
    progress: Option<Py<PyAny>>,
    sensor_bands: Option<String>,
    uncertainty: Option<bool>,
    bias_correct: Option<bool>,
) -> PyResult<Bound<'py, PyDict>> {
    if let Some(p) = &progress {
        if !p.bind(py).is_callable() {
            return Err(pyo3::exceptions::PyTypeError::new_err("progress must be a callable progress(input, rows_done, rows_total)"));
        }
    }
    let req = Request::new(RequestArgs { inputs, outdir, products, config, sensor, sensor_bands, overwrite, quicklook, uncertainty, bias_correct, jobs })?;
    let ctx = Context::new(format!("oc.process({:?})", req.inputs), tables().clone());
    let report = interruptible(py, ctx.stop_handle(), ctx.hung.clone(), &mut false, move || {
        // Per granule in flight: its name, rows done and rows in all.
        let state: Mutex<Vec<(usize, String, usize, usize)>> = Mutex::new(Vec::new());
        let on_progress = |p: chain::Progress| {
            let Some(callback) = &progress else { return };
            let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
            let (name, done, total) = match p {
                chain::Progress::Granule { index, name, rows } => {
                    s.push((index, name.to_string(), 0, rows));
                    (name.to_string(), 0, rows)
                }
                chain::Progress::Rows { index, rows } => match s.iter_mut().find(|g| g.0 == index) {
                    Some(g) => {
                        g.2 = (g.2 + rows).min(g.3);
                        (g.1.clone(), g.2, g.3)
                    }
                    None => return,
                },
                chain::Progress::GranuleDone { index } => match s.iter().position(|g| g.0 == index) {
                    Some(i) => {
                        let g = s.swap_remove(i);
                        (g.1, g.3, g.3)
                    }
                    None => return,
                },
            };
            drop(s);
            Python::attach(|py| {
                if let Err(e) = callback.bind(py).call1((name, done, total)) {
                    e.write_unraisable(py, None);
                }
            });
        };
        chain::process(&req, &ctx, &on_progress)
    })?;
    report_dict(py, &report)
}
