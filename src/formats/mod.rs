//! The satellite files users have, read into Rrs (sr-1) blocks of rows with
//! their geolocation and flags applied, and the CF-1.8/ACDD-1.3 products
//! written back. Layouts, attributes and flag tables follow
//! the project's format notes, formats.md (cited per reader as "formats.md sN"), which cite the NASA OBPG and ESA Sentinel-3 documents.
//!
//! Readers: NASA OBPG Level-2 (`obpg_l2`), OBPG Level-3 binned (`l3b`),
//! OBPG Level-3 mapped and CF gridded Rrs files (`grid`), Sentinel-3 OLCI
//! Level-2 WFR `.SEN3` folders (`olci`), NASA PACE OCI Level-2 AOP
//! (`pace_oci`, hyperspectral, optionally convolved to a multispectral sensor). `open` picks the reader from the
//! file's content, and the sensor from its metadata unless one is given.

pub mod atomic;
pub mod cf;
pub mod cf_grid;
pub mod correction;
pub mod fields;
pub mod flags;
pub mod l3b;
pub mod l3file;
pub mod l4;
pub mod merged;
pub(crate) mod nc;
pub mod obpg_l2;
pub mod oc5_table;
pub mod olci;
pub mod pace_oci;
pub mod quicklook;
pub mod simulated;

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::sensors::{self, Sensor};
pub use flags::FlagConfig;

/// How the pixels of a granule sit on the Earth.
#[derive(Debug, Clone, PartialEq)]
pub enum Layout {
    /// A satellite swath (lines x pixels) with latitude/longitude per pixel.
    Swath,
    /// A regular grid with 1-D latitude (rows) and longitude (columns).
    Grid { lat: Vec<f32>, lon: Vec<f32> },
    /// Sparse ISIN bins (one row per filled bin, one column) of a grid of
    /// `isin_rows` rows (formats.md s2.2).
    Bins { isin_rows: usize },
}

/// What a reader found in a granule.
#[derive(Debug, Clone)]
pub struct GranuleInfo {
    pub path: PathBuf,
    /// Human name of the format, e.g. "NASA OBPG Level-2".
    pub format: &'static str,
    pub sensor: &'static Sensor,
    /// Where the sensor came from ("--sensor", or the attributes read).
    pub sensor_from: String,
    pub rows: usize,
    pub cols: usize,
    pub layout: Layout,
    /// Rrs bands present (sensor nominal wavelengths, nm).
    pub bands: Vec<u16>,
    pub time_coverage_start: Option<String>,
    pub time_coverage_end: Option<String>,
    /// Flag variable and the names applied, for the provenance; empty when
    /// the format carries no per-pixel flags.
    pub flags_applied: String,
    /// Other metadata worth showing (`oceancolour info`).
    pub attributes: Vec<(String, String)>,
    /// Per-band F0 (nm, mW cm-2 um-1) the file says its Rrs were made with
    /// (OBPG L2 `Rrs_NNN:solar_irradiance`); empty when the file gives none.
    /// nLw from this file's Rrs is Rrs x this F0, as the producer's nLw.
    pub f0: Vec<(u16, f64)>,
    /// The input says it is SIMULATED (`oceancolour simulate`/`demo` write
    /// it in their `title`/`comment`): its products say so too.
    pub simulated: bool,
    /// When the Rrs are virtual bands of `sensor` made from another
    /// instrument's spectrum (PACE OCI convolved to OLCI-A, `--sensor-bands`).
    pub virtual_bands: Option<VirtualBands>,
}

/// Rrs of a multispectral sensor made from a hyperspectral one.
#[derive(Debug, Clone, PartialEq)]
pub struct VirtualBands {
    /// The instrument that observed (e.g. pace-oci).
    pub observed_by: &'static Sensor,
    /// How, for the provenance (RSR source, weighting, bands).
    pub description: String,
}

/// Rows `[row0, row0 + nrows)` of a granule.
#[derive(Debug, Clone, Default)]
pub struct Block {
    pub row0: usize,
    pub nrows: usize,
    /// Rrs (sr-1) per requested band; NaN where missing or flagged.
    pub rrs: Vec<(u16, Vec<f32>)>,
    /// Per-pixel latitude/longitude (swaths and bins; empty for grids).
    pub lat: Vec<f32>,
    pub lon: Vec<f32>,
    /// ISIN bin numbers (bins only).
    pub bin_num: Vec<u64>,
    /// Pixels excluded by the flags (their Rrs set to NaN).
    pub flagged: usize,
    /// Per-band Rrs uncertainty (sr-1, one sigma) where the file carries one
    /// (PACE OCI `Rrs_unc`), NaN where Rrs is; empty otherwise. Kept for the
    /// uncertainty work: nothing propagates it yet.
    pub rrs_sigma: Vec<(u16, Vec<f32>)>,
}

/// A granule being read, block by block (one thread: netCDF I/O is serialised).
pub trait Granule {
    fn info(&self) -> &GranuleInfo;
    /// Reads the given Rrs bands for rows `[row0, row0 + nrows)`.
    fn read_block(&self, row0: usize, nrows: usize, bands: &[u16]) -> Result<Block>;
}

/// Opens any supported granule: a `.SEN3` folder (OLCI WFR), or a netCDF
/// file recognised by its groups (OBPG L2 / L3b) or coordinates (grids).
/// `sensor` overrides the sensor read from the metadata.
pub fn open(path: &Path, sensor: Option<&str>, flags: &FlagConfig) -> Result<Box<dyn Granule>> {
    open_as(path, sensor, flags, None)
}

/// `open`, with the Rrs of a hyperspectral granule (PACE OCI) convolved to
/// the bands of the registry sensor `sensor_bands` (`--sensor-bands`); an
/// error on multispectral inputs, whose bands cannot be made into others.
pub fn open_as(path: &Path, sensor: Option<&str>, flags: &FlagConfig, sensor_bands: Option<&str>) -> Result<Box<dyn Granule>> {
    let refuse = |format: &str| {
        Err(Error::InvalidParameter {
            name: "sensor_bands".into(),
            reason: format!("{} is {format}, multispectral: --sensor-bands / sensor_bands convolves hyperspectral Rrs (PACE OCI L2 AOP) only", path.display()),
        })
    };
    if path.is_dir() {
        if sensor_bands.is_some() {
            return refuse("an OLCI WFR product");
        }
        return Ok(Box::new(olci::OlciWfr::open(path, sensor, flags)?));
    }
    let file = nc::open(path)?;
    if pace_oci::is_pace_oci(&file) {
        return Ok(Box::new(pace_oci::PaceOci::open(path, file, sensor, flags, sensor_bands)?));
    }
    if sensor_bands.is_some() {
        return refuse("not a PACE OCI L2 AOP file (no 3-D geophysical_data/Rrs)");
    }
    if nc::group(&file, "geophysical_data").is_some() {
        Ok(Box::new(obpg_l2::ObpgL2::open(path, file, sensor, flags)?))
    } else if nc::group(&file, "level-3_binned_data").is_some() {
        Ok(Box::new(l3b::L3bGranule::open(path, file, sensor)?))
    } else if cf_grid::find_axes(&file).is_some() {
        Ok(Box::new(cf_grid::Gridded::open(path, file, sensor)?))
    } else {
        Err(Error::file(
            path,
            "is netCDF but not a format oceancolour reads: no geophysical_data group (OBPG L2), \
no level-3_binned_data group (OBPG L3b) and no 1-D lat/lon coordinates (L3m / CF grid)",
        ))
    }
}

/// The registry sensor for an instrument/platform pair as written in OBPG
/// and CF global attributes (formats.md s1.3): the registry's
/// `platform_aliases` (sensors/registry.toml), the one list of spellings.
pub fn sensor_from_metadata(instrument: &str, platform: &str) -> Option<&'static Sensor> {
    sensors::from_metadata(instrument, platform)
}

/// The sensor: `--sensor` if given, else from the metadata, else an error
/// saying what was found and how to override.
pub fn resolve_sensor(path: &Path, given: Option<&str>, instrument: &str, platform: &str) -> Result<(&'static Sensor, String)> {
    if let Some(name) = given {
        return Ok((sensors::sensor(name)?, "--sensor".into()));
    }
    sensors::all()?;
    sensor_from_metadata(instrument, platform).map(|s| (s, format!("instrument={instrument:?} platform={platform:?}"))).ok_or_else(|| {
        Error::file(
            path,
            format!(
                "unknown sensor: instrument={instrument:?} platform={platform:?} is not in the sensor registry ({}); \
pass --sensor to say which registry sensor it is",
                sensors::names()
            ),
        )
    })
}
