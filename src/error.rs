//! The one error type of the library. Every variant names the problem in the
//! words a user of the field would use; the Python glue raises it as
//! `oceancolour.OceanColourError` (a `ValueError`).

use thiserror::Error;

#[derive(Debug, Error, Clone, PartialEq)]
pub enum Error {
    #[error("unknown sensor {name:?}; known sensors: {known}")]
    UnknownSensor { name: String, known: String },

    #[error("{algorithm} on {sensor} needs Rrs at {band} nm, which was not given (given: {given})")]
    MissingBand { algorithm: String, sensor: String, band: u16, given: String },

    #[error("{sensor} has no band at {band} nm (its bands: {bands})")]
    NoSuchBand { sensor: String, band: u16, bands: String },

    #[error("unknown {kind} coefficient set {name:?} for {sensor}; available: {available}")]
    UnknownCoefficientSet { kind: String, sensor: String, name: String, available: String },

    #[error("{algorithm}: {reason}")]
    Unsupported { algorithm: String, reason: String },

    #[error("invalid parameter {name}: {reason}")]
    InvalidParameter { name: String, reason: String },

    /// A problem with an input or output file, naming the file.
    #[error("{path}: {problem}")]
    File { path: String, problem: String },

    /// A merged multi-sensor gridded product (GlobColour/CMEMS, OC-CCI,
    /// Ifremer EUR-L4 OI) asked for something only one sensor's Rrs give.
    #[error(
        "{path}: a merged multi-sensor product ({sensors}) with no single sensor's Rrs: products computed from Rrs \
cannot be made from it (pass --sensor only if its Rrs are one sensor's bands). Its stored products ({stored}) can be \
used as they are: `oceancolour info`, `l4 --first-guess`, `merge`, a validation reference"
    )]
    MergedProduct { path: String, sensors: String, stored: String },

    #[error("interrupted: the run was stopped before this finished; nothing partial was kept")]
    Cancelled,

    /// A bug of the library (a panic caught at a boundary).
    #[error("internal error (please report): {what}")]
    Internal { what: String },

    #[error("Rrs bands have different lengths ({band} nm has {len}, expected {expected})")]
    LengthMismatch { band: u16, len: usize, expected: usize },
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// A caught panic, with its message.
    pub fn internal(panic: Box<dyn std::any::Any + Send>) -> Self {
        let what = panic.downcast_ref::<String>().cloned().or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string())).unwrap_or_default();
        Error::Internal { what }
    }

    /// A problem with the file at `path`.
    pub fn file(path: impl AsRef<std::path::Path>, problem: impl std::fmt::Display) -> Self {
        Error::File { path: path.as_ref().display().to_string(), problem: problem.to_string() }
    }
}

/// Joins a list for an error message: "412, 443, 490".
pub(crate) fn join<T: std::fmt::Display>(items: impl IntoIterator<Item = T>) -> String {
    items.into_iter().map(|x| x.to_string()).collect::<Vec<_>>().join(", ")
}
