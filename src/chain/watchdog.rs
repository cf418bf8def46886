//! A watchdog over the reads of a run: a corrupt netCDF/HDF5 file can make
//! the C libraries loop forever (a byte-flipped B-tree did; netCDF4-python
//! hangs on it too), and no thread can be cancelled inside C. Every read of an
//! input (`Context::reading`: `process`, `info`, `bin`, `merge`, `l4`,
//! `intercal`) beats before its open and before each block; when one has not beaten for
//! the read timeout (`OCEANCOLOUR_READ_TIMEOUT` seconds, default
//! `defaults::READ_TIMEOUT_S`, 0 = no watchdog) the run is declared hung, with
//! the file named: the command line exits (code 1; its partial files are
//! removed first, `formats::atomic::remove_unfinished`), the Python
//! entry points raise (the stuck thread is left behind, and netCDF calls of
//! that process stay blocked: the message says to restart it).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
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
/// would run while another thread is inside HDF5, and crash: SIGSEGV), after
/// removing the files this process was still writing (`formats::atomic`).
pub fn exit_now(code: i32) -> ! {
    use std::io::Write;
    crate::formats::atomic::remove_unfinished();
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
    // SAFETY: _exit ends the process; no Rust state is used after it.
    unsafe { libc::_exit(code) }
}

/// The reads in progress of one run: since when each waits, and on which file.
#[derive(Default)]
pub struct Beats {
    reads: Mutex<Vec<(u64, Instant, PathBuf)>>,
    next: AtomicU64,
}

impl Beats {
    fn start(&self, path: &Path) -> u64 {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        self.reads.lock().unwrap_or_else(|e| e.into_inner()).push((id, Instant::now(), path.to_path_buf()));
        id
    }
    fn beat(&self, id: u64, path: &Path) {
        let mut reads = self.reads.lock().unwrap_or_else(|e| e.into_inner());
        match reads.iter_mut().find(|r| r.0 == id) {
            Some(r) => r.1 = Instant::now(),
            None => reads.push((id, Instant::now(), path.to_path_buf())),
        }
    }
    fn idle(&self, id: u64) {
        self.reads.lock().unwrap_or_else(|e| e.into_inner()).retain(|r| r.0 != id);
    }
    fn oldest(&self) -> Option<(Duration, PathBuf)> {
        self.reads.lock().unwrap_or_else(|e| e.into_inner()).iter().map(|(_, t, p)| (t.elapsed(), p.clone())).max_by_key(|x| x.0)
    }
}

/// A read of one file under the run's watchdog (`Context::reading`): the
/// watchdog counts from its start, or from the last `beat`, until it is
/// dropped or `idle`.
pub struct Reading {
    beats: Arc<Beats>,
    id: u64,
    path: PathBuf,
}

impl Reading {
    /// A new read starts (the next block): the timer restarts.
    pub fn beat(&self) {
        self.beats.beat(self.id, &self.path);
    }
    /// Computing between reads (building a table is not a read): not watched until the next `beat`.
    pub fn idle(&self) {
        self.beats.idle(self.id);
    }
}

impl Drop for Reading {
    fn drop(&mut self) {
        self.beats.idle(self.id);
    }
}

impl super::Context {
    /// Puts a read of `path` (an open, a block, a whole small file) under the
    /// run's watchdog, started with the first read; every command that opens
    /// an input goes through here. On a hang the command line exits (code 1)
    /// and the Python entry points raise (`Hung`).
    pub fn reading(&self, path: &Path) -> Reading {
        let dog = self.watchdog.get_or_init(|| Watchdog::start(read_timeout(), Watchdog::on_hang(self.exit_on_hang, self.hung.clone(), self.stop_handle())));
        let beats = dog.beats.clone();
        let id = beats.start(path);
        Reading { beats, id, path: path.to_path_buf() }
    }
}

/// The watching thread of one run; stops when dropped (the run ended).
pub struct Watchdog {
    beats: Arc<Beats>,
    done: Arc<AtomicBool>,
}

impl Watchdog {
    /// Watches the run's reads; on a hang calls `on_hang(message)` once.
    fn start(timeout: Option<Duration>, on_hang: impl Fn(String) + Send + 'static) -> Self {
        let beats = Arc::new(Beats::default());
        let done = Arc::new(AtomicBool::new(false));
        if let Some(timeout) = timeout {
            let (b, d) = (beats.clone(), done.clone());
            let tick = (timeout / 4).clamp(Duration::from_millis(5), Duration::from_secs(1));
            std::thread::spawn(move || {
                while !d.load(Ordering::SeqCst) {
                    std::thread::sleep(tick);
                    if let Some((waited, path)) = b.oldest().filter(|(w, _)| *w >= timeout) {
                        on_hang(format!(
                            "{}: no progress for {:.0} s inside the netCDF/HDF5 libraries (OCEANCOLOUR_READ_TIMEOUT = {} s): the file is probably corrupt (HDF5 can loop on a damaged file); the run stops, re-run without it (finished outputs are kept; `process` skips them)",
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
    fn on_hang(exit_process: bool, hung: Hung, stop: super::context::Stop) -> impl Fn(String) + Send + 'static {
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
