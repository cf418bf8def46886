//! What a run passes down to every step: its stop flag (Ctrl-C), the
//! command line that started it (for the outputs' `history`) and the OC5
//! tables read or built for it. One per run of the command line or per
//! Python call; nothing of it is process-global.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use super::tables::Oc5Tables;
use crate::error::{Error, Result};

#[derive(Clone, Default)]
pub struct Context {
    stop: Stop,
    /// The command as typed (the process's own arguments are the Python
    /// interpreter's when run from Python).
    pub command_line: String,
    pub tables: Arc<Oc5Tables>,
    /// The configuration's `[output.attributes]` for the fusion commands'
    /// outputs (`process` reads its own from `Config`).
    pub attributes: std::collections::BTreeMap<String, String>,
    /// A read that hung (`chain::watchdog`), for the Python entry points.
    pub hung: super::watchdog::Hung,
    /// On a hung read, exit the process (the command-line binary) rather
    /// than record it in `hung` and stop.
    pub exit_on_hang: bool,
    /// The run's watchdog over its reads, started by the first
    /// `Context::reading` (`chain::watchdog`).
    pub(super) watchdog: Arc<std::sync::OnceLock<super::watchdog::Watchdog>>,
}

/// A handle that asks a run to stop, from another thread (a signal handler,
/// the Python thread watching for KeyboardInterrupt).
#[derive(Clone, Default)]
pub struct Stop(Arc<AtomicBool>);

impl Stop {
    /// Asks the run to stop at the next block or step; partial outputs are removed.
    pub fn request(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

impl Context {
    pub fn new(command_line: impl Into<String>, tables: Arc<Oc5Tables>) -> Self {
        Context {
            stop: Stop::default(),
            command_line: command_line.into(),
            tables,
            attributes: Default::default(),
            hung: Default::default(),
            exit_on_hang: false,
            watchdog: Default::default(),
        }
    }

    pub fn stop_handle(&self) -> Stop {
        self.stop.clone()
    }

    /// The stop flag as long kernels check it (between their parallel pieces).
    pub fn cancel(&self) -> crate::compute::Cancel<'_> {
        crate::compute::Cancel::on(&self.stop.0)
    }

    pub fn stop_requested(&self) -> bool {
        self.stop.0.load(Ordering::SeqCst)
    }

    /// `Err(Error::Cancelled)` once a stop was asked (checked between blocks and steps).
    pub fn check(&self) -> Result<()> {
        if self.stop_requested() {
            Err(Error::Cancelled)
        } else {
            Ok(())
        }
    }
}
