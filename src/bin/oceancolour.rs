//! The `oceancolour` command (same program as the pip-installed console script).

use std::ffi::OsString;
use std::sync::atomic::{AtomicI32, Ordering};

use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

use oceancolour::chain::Context;
use oceancolour::cli;

fn main() {
    // A closed pipe (`oceancolour info f | head -1`) ends the program quietly as for any Unix tool:
    // Rust ignores SIGPIPE, so println! would panic on the broken pipe.
    #[cfg(unix)]
    // SAFETY: called first in main, before any thread exists; SIG_DFL and SIG_IGN are valid dispositions.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
        // A file size limit (`ulimit -f`) reached is then an error (EFBIG) that names it, with the
        // partial file removed, as under Python (which ignores SIGXFSZ), not a kill by SIGXFSZ.
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
    // The first SIGINT (Ctrl-C) or SIGTERM (PBS at walltime, `kill`) asks the run to stop at the
    // next block and remove its partial outputs; the exit code is then 128 + the signal (130,
    // 143) as a shell reports it. A second signal exits at once (a later run removes the
    // leftovers: formats::atomic).
    static SIGNAL: AtomicI32 = AtomicI32::new(0);
    oceancolour::error::install_panic_hook();
    let args: Vec<OsString> = std::env::args_os().collect();
    let mut ctx = Context::new(cli::command_line(&args), Default::default());
    // A read looping inside HDF5 cannot be cancelled: the binary exits (chain::watchdog).
    ctx.exit_on_hang = true;
    let stop = ctx.stop_handle();
    if let Ok(mut signals) = Signals::new([SIGINT, SIGTERM]) {
        std::thread::spawn(move || {
            for sig in signals.forever() {
                if SIGNAL.compare_exchange(0, sig, Ordering::SeqCst, Ordering::SeqCst).is_ok() {
                    eprintln!("interrupted: stopping after the current block (again to quit at once)");
                    stop.request();
                    // A read looping inside HDF5 never reaches the next block: stop anyway after the grace.
                    let grace = oceancolour::chain::watchdog::stop_grace();
                    std::thread::spawn(move || {
                        std::thread::sleep(grace);
                        eprintln!(
                            "error: the run did not stop within {:.0} s of the signal (a read stuck inside the netCDF/HDF5 libraries?): exiting",
                            grace.as_secs_f64()
                        );
                        oceancolour::chain::watchdog::exit_now(128 + sig);
                    });
                } else {
                    oceancolour::chain::watchdog::exit_now(128 + sig);
                }
            }
        });
    }
    let code = cli::run(&ctx, args);
    let sig = SIGNAL.load(Ordering::SeqCst);
    std::process::exit(if code == cli::EXIT_INTERRUPTED && sig != 0 { 128 + sig } else { code });
}
