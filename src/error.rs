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
    /// A problem with the file at `path`. A failed netCDF/HDF5 call names no
    /// cause ("NetCDF: HDF error", or a stale errno such as "Permission
    /// denied" on a full disk): the operating system's cause is added when it
    /// shows one (`write_cause`).
    pub fn file(path: impl AsRef<std::path::Path>, problem: impl std::fmt::Display) -> Self {
        let errno = std::io::Error::last_os_error().raw_os_error();
        let path = path.as_ref();
        let mut problem = problem.to_string();
        if problem.contains("netcdf error") {
            if let Some(cause) = write_cause(path, errno) {
                problem = format!("{problem}: {cause}");
            }
        }
        Error::File { path: path.display().to_string(), problem }
    }
}

/// Why a write of `path` (or of its temporary file `.NAME.part-*`, still on
/// disk while the error is made) failed, when the system shows it: errno
/// right after the failed call, the free space of its folder (statvfs), the
/// process's file size limit (RLIMIT_FSIZE, `ulimit -f`).
fn write_cause(path: &std::path::Path, errno: Option<i32>) -> Option<String> {
    use std::os::unix::ffi::OsStrExt;
    let folder = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
    // The temporary files being written for `path` (formats::atomic): none, and this was no write.
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let part = format!(".{name}.part-");
    let largest = std::fs::read_dir(folder)
        .ok()?
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(&part))
        .filter_map(|e| e.metadata().ok().map(|m| m.len()))
        .max()?;
    let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit writes into the struct it is given.
    let limited = unsafe { libc::getrlimit(libc::RLIMIT_FSIZE, &mut limit) } == 0 && limit.rlim_cur != libc::RLIM_INFINITY;
    if limited && (errno == Some(libc::EFBIG) || largest.saturating_add(1 << 16) >= limit.rlim_cur) {
        return Some(format!("file size limit exceeded (EFBIG): this process may write files of at most {} bytes (ulimit -f, RLIMIT_FSIZE)", limit.rlim_cur));
    }
    let free = std::ffi::CString::new(folder.as_os_str().as_bytes()).ok().and_then(|c| {
        // SAFETY: statvfs reads a NUL-terminated path and writes into the struct it is given.
        let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
        (unsafe { libc::statvfs(c.as_ptr(), &mut st) } == 0).then(|| st.f_bavail as u128 * st.f_frsize as u128)
    });
    if matches!(errno, Some(libc::ENOSPC) | Some(libc::EDQUOT)) || free.is_some_and(|f| f < 1 << 20) {
        let free = free.map(|f| format!(", {f} bytes free")).unwrap_or_default();
        return Some(format!("no space left on device (ENOSPC) in {}{free}", folder.display()));
    }
    None
}

/// Joins a list for an error message: "412, 443, 490".
pub(crate) fn join<T: std::fmt::Display>(items: impl IntoIterator<Item = T>) -> String {
    items.into_iter().map(|x| x.to_string()).collect::<Vec<_>>().join(", ")
}
