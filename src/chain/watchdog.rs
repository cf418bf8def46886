//! A watchdog over the reads of a run: a corrupt netCDF/HDF5 file can make
//! the C libraries loop forever (a byte-flipped B-tree did; netCDF4-python
//! hangs on it too), and no thread can be cancelled inside C. Every granule
//! beats before its open and before each block; when one has not beaten for
//! the read timeout (`OCEANCOLOUR_READ_TIMEOUT` seconds, default
//! `defaults::READ_TIMEOUT_S`, 0 = no watchdog) the run is declared hung, with
//! the file named: the command line exits (code 1; its partial files are
//! removed by the next run in that folder, `formats::atomic`), the Python
//! entry points raise (the stuck thread is left behind, and netCDF calls of
//! that process stay blocked: the message says to restart it).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What a hung run reports (shared with whoever waits for the run).
#[derive(Clone, Default)]
pub struct Hung(Arc<Mutex<Option<String>>>);

impl Hung {
    /// The message, once a read hung.
    pub fn get(&self) -> Option<String> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
    fn set(&self, message: String) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).get_or_insert(message);
    }
}

/// The read timeout from `OCEANCOLOUR_READ_TIMEOUT` (seconds; 0 = none).
pub fn read_timeout() -> Option<Duration> {
    let s = std::env::var("OCEANCOLOUR_READ_TIMEOUT").ok().and_then(|v| v.trim().parse::<f64>().ok()).unwrap_or(crate::defaults::READ_TIMEOUT_S);
    (s > 0.0 && s.is_finite()).then(|| Duration::from_secs_f64(s))
}

/// How long a run may take to stop after SIGINT/SIGTERM before the process
/// exits anyway (`OCEANCOLOUR_STOP_GRACE` seconds, default 30): a read stuck in
/// the C libraries never reaches the next block, where runs stop.
pub fn stop_grace() -> Duration {
    let s = std::env::var("OCEANCOLOUR_STOP_GRACE").ok().and_then(|v| v.trim().parse::<f64>().ok()).filter(|s| *s >= 0.0 && s.is_finite()).unwrap_or(30.0);
    Duration::from_secs_f64(s)
}

/// Ends the process at once, without the C libraries' exit handlers (HDF5's
/// would run while another thread is inside HDF5, and crash).
pub fn exit_now(code: i32) -> ! {
    use std::io::Write;
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
    // SAFETY: _exit ends the process; no Rust state is used after it.
    unsafe { libc::_exit(code) }
}

/// One slot per granule: since when it waits for a read, and on which file.
pub struct Beats {
    slots: Vec<Mutex<Option<(Instant, PathBuf)>>>,
}

impl Beats {
    /// Granule `slot` starts a read of `path` (open or block).
    pub fn beat(&self, slot: usize, path: &Path) {
        if let Some(s) = self.slots.get(slot) {
            *s.lock().unwrap_or_else(|e| e.into_inner()) = Some((Instant::now(), path.to_path_buf()));
        }
    }
    /// Granule `slot` reads nothing (done, or computing between reads).
    pub fn idle(&self, slot: usize) {
        if let Some(s) = self.slots.get(slot) {
            *s.lock().unwrap_or_else(|e| e.into_inner()) = None;
        }
    }
    fn oldest(&self) -> Option<(Duration, PathBuf)> {
        self.slots.iter().filter_map(|s| s.lock().unwrap_or_else(|e| e.into_inner()).as_ref().map(|(t, p)| (t.elapsed(), p.clone()))).max_by_key(|x| x.0)
    }
}

/// The watching thread of one run; stops when dropped (the run ended).
pub struct Watchdog {
    pub beats: Arc<Beats>,
    done: Arc<AtomicBool>,
}

impl Watchdog {
    /// Watches `slots` granules; on a hang calls `on_hang(message)` once.
    pub fn start(slots: usize, timeout: Option<Duration>, on_hang: impl Fn(String) + Send + 'static) -> Self {
        let beats = Arc::new(Beats { slots: (0..slots).map(|_| Mutex::new(None)).collect() });
        let done = Arc::new(AtomicBool::new(false));
        if let Some(timeout) = timeout {
            let (b, d) = (beats.clone(), done.clone());
            let tick = (timeout / 4).clamp(Duration::from_millis(5), Duration::from_secs(1));
            std::thread::spawn(move || {
                while !d.load(Ordering::SeqCst) {
                    std::thread::sleep(tick);
                    if let Some((waited, path)) = b.oldest().filter(|(w, _)| *w >= timeout) {
                        on_hang(format!(
                            "{}: no progress for {:.0} s inside the netCDF/HDF5 libraries (OCEANCOLOUR_READ_TIMEOUT = {} s): the file is probably corrupt (HDF5 can loop on a damaged file); the run stops, re-run without it (finished products are kept and skipped)",
                            path.display(),
                            waited.as_secs_f64(),
                            timeout.as_secs_f64()
                        ));
                        return;
                    }
                }
            });
        }
        Watchdog { beats, done }
    }

    /// What the run does on a hang: exit the process (the command line) or
    /// record it in `hung` and ask the run to stop (the Python entry points).
    pub fn on_hang(exit_process: bool, hung: Hung, stop: super::context::Stop) -> impl Fn(String) + Send + 'static {
        move |message: String| {
            log::error!("{message}");
            if exit_process {
                exit_now(1);
            }
            hung.set(message);
            stop.request();
        }
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        self.done.store(true, Ordering::SeqCst);
    }
}
