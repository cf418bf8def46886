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

    /// An invalid sensor registry file (built-in or `OCEANCOLOUR_SENSORS`).
    #[error("sensor registry {file}: {kind}: {detail}")]
    Registry { file: String, kind: RegistryProblem, detail: String },

    /// An allocation sized from arguments or a file header that cannot fit:
    /// refused before it is made (an allocation failure aborts the process).
    #[error("{what} would need {} of memory, more than is available ({}): use a smaller size", gib(*bytes), gib(*available as u128))]
    OutOfMemory { what: String, bytes: u128, available: u64 },

    #[error("Rrs bands have different lengths ({band} nm has {len}, expected {expected})")]
    LengthMismatch { band: u16, len: usize, expected: usize },
}

fn gib(bytes: u128) -> String {
    format!("{:.1} GiB", bytes as f64 / (1u64 << 30) as f64)
}

/// What is wrong with a sensor registry file; the name opens the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegistryProblem {
    /// The file cannot be read.
    Unreadable,
    /// Not TOML, or a key the format does not have, or a value of the wrong type.
    Syntax,
    /// A sensor name twice in one file.
    DuplicateSensor,
    /// A band (nominal or id) twice in one sensor.
    DuplicateBand,
    /// A band role names a band the sensor does not have.
    MissingRoleBand,
    /// default_ocx or kd2 names a set src/coefficients.rs does not hold for the sensor's bands.
    UnknownCoefficientSet,
    /// A band an algorithm needs has no F0.
    MissingF0,
    /// Any other invalid value.
    Invalid,
}

impl std::fmt::Display for RegistryProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            RegistryProblem::Unreadable => "unreadable file",
            RegistryProblem::Syntax => "invalid registry syntax",
            RegistryProblem::DuplicateSensor => "duplicate sensor",
            RegistryProblem::DuplicateBand => "duplicate band",
            RegistryProblem::MissingRoleBand => "band role names a missing band",
            RegistryProblem::UnknownCoefficientSet => "unknown coefficient set",
            RegistryProblem::MissingF0 => "missing F0",
            RegistryProblem::Invalid => "invalid sensor",
        })
    }
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// A caught panic, with its message.
    pub fn internal(panic: Box<dyn std::any::Any + Send>) -> Self {
        let what = panic.downcast_ref::<String>().cloned().or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string())).unwrap_or_default();
        Error::Internal { what }
    }

    /// A panic caught while working on the file at `path`: a corrupt file
    /// when the panic came from inside the netCDF/HDF5 bindings (they unwrap
    /// errors that only a damaged file gives), else an internal error.
    pub fn from_panic(panic: Box<dyn std::any::Any + Send>, path: Option<&std::path::Path>) -> Self {
        let e = Error::internal(panic);
        match (LAST_PANIC.with(|l| l.take()), &e, path) {
            (Some(location), Error::Internal { what }, path) if location.contains("/netcdf-") || location.contains("/hdf5-") => match path {
                Some(path) => Error::file(path, format!("is corrupt: the netCDF library failed reading it ({what})")),
                None => Error::File { path: "an input".into(), problem: format!("is corrupt: the netCDF library failed reading it ({what})") },
            },
            _ => e,
        }
    }
}

thread_local! {
    /// Where the last panic of this thread happened (file:line), for `from_panic`.
    static LAST_PANIC: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// Replaces Rust's default panic message (a "thread panicked" line and a
/// backtrace note on stderr) by a record of where it happened: every panic of
/// the library is caught at a boundary (the chain per granule, the command
/// line, the Python glue) and reported there once, as a named error.
/// `OCEANCOLOUR_DEBUG=1` keeps the default message too.
pub fn install_panic_hook() {
    let default = std::panic::take_hook();
    let debug = std::env::var_os("OCEANCOLOUR_DEBUG").is_some_and(|v| v != "0");
    std::panic::set_hook(Box::new(move |info| {
        let location = info.location().map(|l| format!("{}:{}", l.file(), l.line())).unwrap_or_default();
        LAST_PANIC.with(|l| *l.borrow_mut() = Some(location));
        if debug {
            default(info);
        }
    }));
}

impl Error {
    /// A problem with the file at `path`.
    pub fn file(path: impl AsRef<std::path::Path>, problem: impl std::fmt::Display) -> Self {
        Error::File { path: path.as_ref().display().to_string(), problem: problem.to_string() }
    }
}

/// Joins a list for an error message: "412, 443, 490".
pub(crate) fn join<T: std::fmt::Display>(items: impl IntoIterator<Item = T>) -> String {
    items.into_iter().map(|x| x.to_string()).collect::<Vec<_>>().join(", ")
}
