//! The OC5 tables of a run, read or built once and shared by every block of
//! every granule: each sensor's open OC5-like table and the tables named by
//! configuration files.
//!
//! Open tables are not shipped in the package: a sensor's table is built on
//! first use (a few seconds for 200^3 nodes), kept in memory, and cached as
//! netCDF in the user cache directory (`OCEANCOLOUR_CACHE_DIR`, else
//! `$XDG_CACHE_HOME/oceancolour`, else `~/.cache/oceancolour`). The cached
//! table is the full build, so its interpolation error against a full build
//! is zero; it is rebuilt whenever the recipe version or the F0 changes.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::error::{Error, Result};
use crate::formats::oc5_table;
use crate::oc5::{self, C1Params, C1Recipe, F0Choice, Oc5Table, F0_SET_KEY};
use crate::products::{Coefficients, Oc5Source, TableSource};
use crate::sensors::{Sensor, DEFAULT_F0_SET};

/// An open table's sensor and recipe.
type OpenKey = (&'static str, C1Recipe);

/// The tables of a run (the run context holds one; the Python module one
/// for the interpreter).
#[derive(Default)]
pub struct Oc5Tables {
    /// Keyed by sensor and recipe: a table of one recipe is never served for another.
    open: Mutex<Vec<(OpenKey, Arc<Oc5Table>)>>,
    files: Mutex<Vec<(PathBuf, Arc<Oc5Table>)>>,
}

/// The user cache directory for open tables, if one can be named.
pub fn cache_dir() -> Option<PathBuf> {
    let env = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty()).map(PathBuf::from);
    env("OCEANCOLOUR_CACHE_DIR")
        .or_else(|| env("XDG_CACHE_HOME").map(|p| p.join("oceancolour")))
        .or_else(|| env("HOME").map(|p| p.join(".cache").join("oceancolour")))
}

impl Oc5Tables {
    /// The sensor's open OC5-like table (200^3, the default F0 set) of a recipe: from
    /// memory, else from the disk cache (file name and version checked), else built
    /// (and cached when the directory is writable).
    pub fn open_table(&self, sensor: &'static Sensor, recipe: C1Recipe) -> Result<Arc<Oc5Table>> {
        let mut memo = self.open.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, t)) = memo.iter().find(|(k, _)| *k == (sensor.name, recipe)) {
            return Ok(t.clone());
        }
        let c1 = oc5::c1_model(sensor, "default", C1Params::for_recipe(recipe))?;
        let f0 = oc5::resolve_f0(sensor, &c1.bands, &F0Choice::set(DEFAULT_F0_SET))?;
        let [fg, fv] = f0.values;
        let version = recipe.version();
        let path = cache_dir().map(|d| d.join(format!("oc5_open_{}_{}.nc", sensor.name, version)));
        let cached = path.as_ref().and_then(|p| oc5_table::load(p).ok()).filter(|t| {
            t.sensor == sensor.name
                && t.version == version
                && t.f0_green == fg
                && t.f0_violet == fv
                && t.metadata.get(F0_SET_KEY) == Some(&f0.set)
                && t.bands == c1.bands
        });
        let table = match cached {
            Some(t) => t,
            None => {
                // Seconds to a minute: say so, it is the first-use pause users otherwise wonder about.
                log::info!(sensor = sensor.name; "building the open OC5 table of {} (200^3 nodes, recipe {version}; once, then cached{})", sensor.name,
                    path.as_ref().map(|p| format!(" in {}", p.display())).unwrap_or_default());
                let started = std::time::Instant::now();
                let t = oc5::build_with_f0(&c1, sensor, [200, 200, 200], &f0)?;
                log::info!(sensor = sensor.name, seconds = started.elapsed().as_secs_f64(); "built the open OC5 table of {} in {:.1} s", sensor.name, started.elapsed().as_secs_f64());
                if let Some(p) = &path {
                    // A cache that cannot be written only costs a rebuild next time.
                    if std::fs::create_dir_all(p.parent().expect("cache file has a parent")).is_ok() {
                        let _ = oc5_table::save(&t, p);
                    }
                }
                t
            }
        };
        let table = Arc::new(table);
        memo.push(((sensor.name, recipe), table.clone()));
        Ok(table)
    }

    /// The table in file `path`, which must be one for `sensor`.
    pub fn file(&self, path: &Path, sensor: &Sensor) -> Result<Arc<Oc5Table>> {
        let mut memo = self.files.lock().unwrap_or_else(|e| e.into_inner());
        let t = match memo.iter().find(|(p, _)| p == path) {
            Some((_, t)) => t.clone(),
            None => {
                let t = Arc::new(oc5_table::load(path)?);
                memo.push((path.to_path_buf(), t.clone()));
                t
            }
        };
        if t.sensor != sensor.name {
            return Err(Error::InvalidParameter {
                name: "oc5_table".into(),
                reason: format!("{} is a table for {}, not {}", path.display(), t.sensor, sensor.name),
            });
        }
        Ok(t)
    }
}

impl TableSource for Oc5Tables {
    /// The configured file, else the sensor's open table.
    fn oc5(&self, sensor: &'static Sensor, coefficients: &Coefficients) -> Result<Oc5Source> {
        Ok(match &coefficients.oc5_table {
            Some(path) => Oc5Source::Table { table: self.file(path, sensor)?, name: path.display().to_string() },
            None => Oc5Source::Table {
                table: self.open_table(sensor, coefficients.oc5_recipe()?)?,
                name: format!("open OC5-like table for {} (oceancolour, not Ifremer's)", sensor.name),
            },
        })
    }
}
