//! The `oceancolour` command (same program as the pip-installed console script).

use std::sync::atomic::{AtomicUsize, Ordering};

fn main() {
    static PRESSES: AtomicUsize = AtomicUsize::new(0);
    // First Ctrl-C: stop at the next block and remove partial outputs; second: exit now.
    let _ = ctrlc::set_handler(|| {
        if PRESSES.fetch_add(1, Ordering::SeqCst) == 0 {
            eprintln!("interrupted: stopping after the current block (Ctrl-C again to quit at once)");
            oceancolour::chain::request_cancel();
        } else {
            std::process::exit(oceancolour::cli::EXIT_INTERRUPTED);
        }
    });
    std::process::exit(oceancolour::cli::run(std::env::args_os()));
}
