//! netCDF helpers shared by the readers: opening with a clear message,
//! attributes as plain values, and decoding packed variables in the order of
//! formats.md s9 (raw -> fill and valid-range masks on the raw values ->
//! unpack). All I/O goes through the netcdf crate, which serialises every
//! call on one global lock, so readers are called from one thread.

use std::io::Read;
use std::path::Path;

use netcdf::types::{FloatType, IntType, NcVariableType};
use netcdf::{AttributeValue, Extent, Variable};

use crate::error::{Error, Result};

/// HDF4 files (old OBPG L2/L3) start with these bytes (formats.md s1.9).
const HDF4_MAGIC: [u8; 4] = [0x0E, 0x03, 0x13, 0x01];

/// HDF5 chunk cache per variable. netCDF-C's default (tens of MiB per
/// variable) holds whole rows of chunks of every open variable, so the
/// chain's memory would grow with the number of variables and the width of
/// the granule. Blocks of rows are written as whole chunks, so a small cache
/// costs at most re-reading an input chunk that straddles two blocks.
const CHUNK_CACHE_BYTES: usize = 4 << 20;

/// Sets the chunk cache for every file opened or created from now on.
pub fn init() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _lock = netcdf_sys::libnetcdf_lock.lock();
        // SAFETY: a plain setter of netCDF-C's global defaults, called under the library's lock.
        unsafe { netcdf_sys::nc_set_chunk_cache(CHUNK_CACHE_BYTES, 1009, 0.75) };
    });
}

#[cfg(feature = "python")]
extern "C" {
    /// HDF5 (H5public.h): do not register the library's clean-up with atexit().
    fn H5dont_atexit() -> i32;
}

/// Keeps HDF5 from registering its exit handler. Called first thing when the
/// Python module loads, before any HDF5 call (the function has effect only
/// then). Python programs end through the C exit(); when a read abandoned by
/// the watchdog (`chain::watchdog`) is still stuck inside HDF5, that handler
/// would tear the library down under it (SIGSEGV at the end of a notebook or
/// script that caught the error). Nothing is lost: every file this library
/// writes is closed (and synced) explicitly before it is renamed into place.
/// (The Rust binary leaves through `chain::watchdog::exit_now` instead.)
#[cfg(feature = "python")]
pub fn no_hdf5_exit_handler() {
    // SAFETY: sets a flag of the HDF5 library statically linked into this one; no other state.
    unsafe { H5dont_atexit() };
}

/// Opens a netCDF file, turning the library's error codes into a message
/// that says what is probably wrong.
pub fn open(path: &Path) -> Result<netcdf::File> {
    init();
    regular_file(path)?;
    let mut head = [0u8; 8];
    let n = std::fs::File::open(path).and_then(|mut f| f.read(&mut head)).map_err(|e| Error::file(path, format!("cannot be opened: {e}")))?;
    if n >= 4 && head[..4] == HDF4_MAGIC {
        return Err(Error::file(path, "is an HDF4 file (old OBPG format), which is not supported: download the netCDF-4 version"));
    }
    netcdf::open(path).map_err(|e| Error::file(path, format!("is not a readable netCDF-4/HDF5 file (truncated or corrupt?): {e}")))
}

/// Refuses what is not a regular file before opening it: a FIFO or a device
/// would block the open (or the read) forever; a symlink loop and a missing
/// file are named as such.
pub fn regular_file(path: &Path) -> Result<()> {
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() => Ok(()),
        Ok(m) if m.is_dir() => Err(Error::file(path, "is a folder, not a file")),
        Ok(_) => Err(Error::file(path, "is not a regular file (a FIFO, socket or device): refused, reading it could block forever")),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && std::fs::symlink_metadata(path).is_ok() => {
            Err(Error::file(path, "is a symbolic link to a file that does not exist"))
        }
        Err(e) if e.raw_os_error() == Some(40) => Err(Error::file(path, "is a symbolic link loop (ELOOP)")),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(Error::file(path, "does not exist")),
        Err(e) => Err(Error::file(path, format!("cannot be opened: {e}"))),
    }
}

/// The named group of a file, if it has one. (On a NetCDF-3 file, which has
/// no groups, netCDF-C answers any group lookup with the root group: the
/// name is checked.)
pub fn group<'f>(file: &'f netcdf::File, name: &str) -> Option<netcdf::Group<'f>> {
    file.group(name).ok().flatten().filter(|g| g.name() == name)
}

/// The netCDF format variant of a file, from its first bytes.
pub fn format_name(path: &Path) -> String {
    let mut head = [0u8; 4];
    let n = std::fs::File::open(path).and_then(|mut f| f.read(&mut head)).unwrap_or(0);
    match &head[..n.min(4)] {
        [b'C', b'D', b'F', 1] => "NetCDF-3 classic",
        [b'C', b'D', b'F', 2] => "NetCDF-3 64-bit offset",
        [b'C', b'D', b'F', 5] => "NetCDF-3 64-bit data (CDF-5)",
        [0x89, b'H', b'D', b'F'] => "netCDF-4 (HDF5)",
        _ => "netCDF",
    }
    .into()
}

/// A text attribute without the trailing NUL OCSSW writes (formats.md s0 rule 3).
/// Whether a file's global `title`, `comment`, `source` or `summary` says
/// SIMULATED (as every file of `formats::simulated` does).
pub fn says_simulated(file: &netcdf::File) -> bool {
    ["title", "comment", "source", "summary"].iter().any(|k| text(file.attribute(k).map(|a| a.value())).is_some_and(|t| t.contains("SIMULATED")))
}

pub fn text(value: Option<netcdf::Result<AttributeValue>>) -> Option<String> {
    match value? {
        Ok(AttributeValue::Str(s)) => Some(s.trim_end_matches('\0').to_string()),
        Ok(AttributeValue::Strs(v)) => Some(v.join(" ")),
        _ => None,
    }
}

/// A numeric attribute (first element of a list) as f64.
pub fn number(value: Option<netcdf::Result<AttributeValue>>) -> Option<f64> {
    numbers(value)?.first().copied()
}

/// A numeric attribute as a list of f64.
pub fn numbers(value: Option<netcdf::Result<AttributeValue>>) -> Option<Vec<f64>> {
    use AttributeValue as A;
    Some(match value?.ok()? {
        A::Uchar(x) => vec![x as f64],
        A::Schar(x) => vec![x as f64],
        A::Ushort(x) => vec![x as f64],
        A::Short(x) => vec![x as f64],
        A::Uint(x) => vec![x as f64],
        A::Int(x) => vec![x as f64],
        A::Ulonglong(x) => vec![x as f64],
        A::Longlong(x) => vec![x as f64],
        A::Float(x) => vec![x as f64],
        A::Double(x) => vec![x],
        A::Uchars(v) => v.into_iter().map(f64::from).collect(),
        A::Schars(v) => v.into_iter().map(f64::from).collect(),
        A::Ushorts(v) => v.into_iter().map(f64::from).collect(),
        A::Shorts(v) => v.into_iter().map(f64::from).collect(),
        A::Uints(v) => v.into_iter().map(f64::from).collect(),
        A::Ints(v) => v.into_iter().map(f64::from).collect(),
        A::Floats(v) => v.into_iter().map(f64::from).collect(),
        A::Doubles(v) => v,
        _ => return None,
    })
}

/// Flag masks as bit patterns: signed masks keep their bits (OBPG stores bit
/// 31 of `l2_flags` as int32 -2147483648, formats.md s1.4).
pub fn masks(value: Option<netcdf::Result<AttributeValue>>) -> Option<Vec<u64>> {
    use AttributeValue as A;
    Some(match value?.ok()? {
        A::Uchars(v) => v.into_iter().map(u64::from).collect(),
        A::Schars(v) => v.into_iter().map(|x| x as u8 as u64).collect(),
        A::Ushorts(v) => v.into_iter().map(u64::from).collect(),
        A::Shorts(v) => v.into_iter().map(|x| x as u16 as u64).collect(),
        A::Uints(v) => v.into_iter().map(u64::from).collect(),
        A::Ints(v) => v.into_iter().map(|x| x as u32 as u64).collect(),
        A::Ulonglongs(v) => v,
        A::Longlongs(v) => v.into_iter().map(|x| x as u64).collect(),
        A::Uchar(x) => vec![x as u64],
        A::Ushort(x) => vec![x as u64],
        A::Short(x) => vec![x as u16 as u64],
        A::Uint(x) => vec![x as u64],
        A::Int(x) => vec![x as u32 as u64],
        A::Ulonglong(x) => vec![x],
        A::Longlong(x) => vec![x as u64],
        _ => return None,
    })
}

/// How a variable is stored: packing and the raw-domain sentinels.
#[derive(Debug, Clone, PartialEq)]
pub struct Packing {
    pub stored: String,
    pub integer: bool,
    pub scale: Option<f64>,
    pub offset: Option<f64>,
    pub fill: Option<f64>,
    /// CF `missing_value` (GlobColour writes it next to `_FillValue`).
    pub missing: Option<f64>,
    pub valid_min: Option<f64>,
    pub valid_max: Option<f64>,
}

impl Packing {
    pub fn of(var: &Variable) -> Packing {
        let (stored, integer) = match var.vartype() {
            NcVariableType::Int(t) => (format!("{t:?}").to_lowercase(), true),
            NcVariableType::Float(t) => (format!("{t:?}").to_lowercase(), false),
            other => (format!("{other:?}"), false),
        };
        let scale = number(var.attribute_value("scale_factor"));
        let offset = number(var.attribute_value("add_offset"));
        // CF: valid_* are in the stored domain when they have the stored
        // type; a float bound on packed integers is in the unpacked domain.
        let to_raw = |name: &str, v: f64| -> f64 {
            let float_attr = matches!(
                var.attribute_value(name).and_then(|r| r.ok()),
                Some(AttributeValue::Float(_) | AttributeValue::Double(_) | AttributeValue::Floats(_) | AttributeValue::Doubles(_))
            );
            if integer && float_attr && scale.is_some() {
                (v - offset.unwrap_or(0.0)) / scale.unwrap_or(1.0)
            } else {
                v
            }
        };
        let mut range = numbers(var.attribute_value("valid_range")).unwrap_or_default().into_iter();
        let (rmin, rmax) = (range.next(), range.next());
        Packing {
            stored,
            integer,
            scale,
            offset,
            fill: number(var.attribute_value("_FillValue")),
            missing: number(var.attribute_value("missing_value")),
            valid_min: number(var.attribute_value("valid_min")).map(|v| to_raw("valid_min", v)).or(rmin.map(|v| to_raw("valid_range", v))),
            valid_max: number(var.attribute_value("valid_max")).map(|v| to_raw("valid_max", v)).or(rmax.map(|v| to_raw("valid_range", v))),
        }
    }
}

/// The rows `[row0, row0 + nrows)` of a 2-D variable (all columns), or a
/// range of a 1-D one, after `lead` leading singleton dimensions (e.g. a
/// time axis of length 1), as f32 physical values: NaN where the raw value is the
/// fill value or outside the valid range (compared in the stored domain),
/// then `raw * scale_factor + add_offset`.
pub fn read_decoded_at(path: &Path, var: &Variable, lead: usize, row0: usize, nrows: usize) -> Result<Vec<f32>> {
    read_decoded_slice(path, var, &vec![0; lead], row0, nrows)
}

/// `read_decoded_at` at the given indices of the leading dimensions (e.g. one
/// step of a time axis).
pub fn read_decoded_slice(path: &Path, var: &Variable, lead: &[usize], row0: usize, nrows: usize) -> Result<Vec<f32>> {
    let mut extents: Vec<Extent> = lead.iter().map(|&i| Extent::from(i)).collect();
    let lead = lead.len();
    extents.push(Extent::from(row0..row0 + nrows));
    extents.extend(var.dimensions().iter().skip(lead + 1).map(|_| Extent::from(..)));
    let p = Packing::of(var);
    let (scale, offset) = (p.scale.unwrap_or(1.0), p.offset.unwrap_or(0.0));
    let (lo, hi) = (p.valid_min.unwrap_or(f64::NEG_INFINITY), p.valid_max.unwrap_or(f64::INFINITY));
    let (fill, missing) = (p.fill, p.missing);
    let decode = |raw: f64| -> f32 {
        if Some(raw) == fill || Some(raw) == missing || !(lo..=hi).contains(&raw) || raw.is_nan() {
            f32::NAN
        } else {
            (raw * scale + offset) as f32
        }
    };
    let fail = |e: netcdf::Error| Error::file(path, format!("reading {}: {e}", var.name()));
    macro_rules! get {
        ($t:ty) => {
            var.get_values::<$t, _>(extents).map_err(fail)?.into_iter().map(|r| decode(r as f64)).collect()
        };
    }
    Ok(match var.vartype() {
        NcVariableType::Int(IntType::I8) => get!(i8),
        NcVariableType::Int(IntType::U8) => get!(u8),
        NcVariableType::Int(IntType::I16) => get!(i16),
        NcVariableType::Int(IntType::U16) => get!(u16),
        NcVariableType::Int(IntType::I32) => get!(i32),
        NcVariableType::Int(IntType::U32) => get!(u32),
        NcVariableType::Float(FloatType::F32) => get!(f32),
        NcVariableType::Float(FloatType::F64) => get!(f64),
        other => return Err(Error::file(path, format!("variable {} is stored as {other:?}, which is not a numeric type this reader decodes", var.name()))),
    })
}

/// `read_decoded_at` without leading dimensions.
pub fn read_decoded(path: &Path, var: &Variable, row0: usize, nrows: usize) -> Result<Vec<f32>> {
    read_decoded_at(path, var, 0, row0, nrows)
}

/// Checks a unit string against the spellings accepted for a quantity.
pub fn check_units(path: &Path, var: &Variable, accepted: &[&str], what: &str) -> Result<()> {
    let Some(units) = text(var.attribute_value("units")) else { return Ok(()) };
    let norm = |s: &str| s.replace([' ', '^', '*'], "").to_ascii_lowercase();
    if accepted.iter().any(|a| norm(a) == norm(&units)) {
        Ok(())
    } else {
        Err(Error::file(path, format!("variable {} has units {units:?}, but {what} must be in one of: {}", var.name(), accepted.join(", "))))
    }
}

/// The shape of a variable (its dimension lengths).
pub fn shape(var: &Variable) -> Vec<usize> {
    var.dimensions().iter().map(|d| d.len()).collect()
}

/// Refuses a variable whose shape is not the shape of the array it is
/// combined with (`other`, e.g. "Rrs_443"), naming both shapes: a flag or
/// geolocation array of another width would otherwise be applied to the
/// wrong pixels.
pub fn shape_must_be(path: &Path, var: &Variable, expected: &[usize], other: &str) -> Result<()> {
    let got = shape(var);
    if got != expected {
        return Err(Error::file(path, format!("{} has shape {got:?} but {other} has {expected:?}: they cannot be combined pixel by pixel", var.name())));
    }
    Ok(())
}

/// The named variable, or an error naming the file and what is missing.
pub fn variable<'f>(path: &Path, file: &'f netcdf::File, name: &str, what: &str) -> Result<Variable<'f>> {
    file.variable(name).ok_or_else(|| Error::file(path, format!("has no variable {name} ({what})")))
}
