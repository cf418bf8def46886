//! The `oceancolour` command (same program as the pip-installed console script).

use std::ffi::OsString;
use std::sync::atomic::{AtomicUsize, Ordering};

use oceancolour::chain::Context;
use oceancolour::cli;

fn main() {
    // A closed pipe (`oceancolour info f | head -1`) ends the program quietly as for any Unix tool:
    // Rust ignores SIGPIPE, so println! would panic on the broken pipe.
    #[cfg(unix)]
    // SAFETY: called first in main, before any thread exists; SIG_DFL is a valid disposition.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    static PRESSES: AtomicUsize = AtomicUsize::new(0);
    let args: Vec<OsString> = std::env::args_os().collect();
    let ctx = Context::new(cli::command_line(&args), Default::default());
    let stop = ctx.stop_handle();
    // First Ctrl-C: stop at the next block and remove partial outputs; second: exit now.
    let _ = ctrlc::set_handler(move || {
        if PRESSES.fetch_add(1, Ordering::SeqCst) == 0 {
            eprintln!("interrupted: stopping after the current block (Ctrl-C again to quit at once)");
            stop.request();
        } else {
            std::process::exit(cli::EXIT_INTERRUPTED);
        }
    });
    std::process::exit(cli::run(&ctx, args));
}
