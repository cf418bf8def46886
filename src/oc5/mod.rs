//! OC5 chlorophyll (Gohin, Druon & Lampert 2002): the table engine, the
//! import of operational tables, and the open OC5-like tables this library
//! builds from its own forward model (see `c1`).
//!
//! Open tables are not shipped in the package: a sensor's table is built on
//! first use and cached (`chain::tables`). The table file layout is
//! `formats::oc5_table`.

pub mod c1;
pub mod table;

pub use c1::{build_table, C1Model, C1Params, C1Recipe, OPEN_TABLE_VERSION};
pub use table::{node, operational_axes, status, Axis, AxisVariable, Oc5Bands, Oc5Table, OPERATIONAL_AXES};

use crate::coefficients::ocx_set;
use crate::error::{Error, Result};
use crate::sensors::{self, Sensor, DEFAULT_F0_SET};

/// Which F0 turns Rrs into the nLw of a table's axes.
#[derive(Debug, Clone, PartialEq)]
pub enum F0Choice {
    /// A named set of `sensors::F0_SETS`.
    Set(String),
    /// [green, 412] (mW cm-2 um-1), given explicitly.
    Values([f64; 2]),
}

impl F0Choice {
    pub fn set(name: &str) -> Self {
        F0Choice::Set(name.to_string())
    }
}

/// The F0 of a table's green and 412 bands, and what it is called in the
/// table's metadata (`f0_set`, `f0_source`).
#[derive(Debug, Clone, PartialEq)]
pub struct TableF0 {
    pub values: [f64; 2],
    /// The set's name, or "given".
    pub set: String,
    pub source: String,
}

/// Metadata keys naming a table's F0 convention.
pub const F0_SET_KEY: &str = "f0_set";
pub const F0_SOURCE_KEY: &str = "f0_source";

/// Relative difference between two F0 values that counts as a different
/// convention: 5 significant digits, the precision at which NASA's own
/// `solar_irradiance` reproduces l2gen's Fonom.
pub const F0_TOLERANCE: f64 = 5e-5;

/// Resolves an F0 choice for the table's bands on a sensor.
pub fn resolve_f0(sensor: &Sensor, bands: &Oc5Bands, choice: &F0Choice) -> Result<TableF0> {
    match choice {
        F0Choice::Values(f) => {
            if !f.iter().all(|x| x.is_finite() && *x > 0.0) {
                return Err(Error::InvalidParameter { name: "f0".into(), reason: format!("F0 must be finite and > 0, got {f:?}") });
            }
            Ok(TableF0 { values: *f, set: "given".into(), source: "F0 given explicitly".into() })
        }
        F0Choice::Set(name) => {
            let set = sensors::f0_set(name)?;
            let get = |nm: u16| {
                sensor.f0_in(set, nm).map_err(|_| Error::Unsupported {
                    algorithm: "OC5".into(),
                    reason: format!(
                        "the F0 set {:?} holds no F0 for {} band {nm} nm, and the OC5 table axes are nLw = Rrs x F0; \
                         choose a set that has it ({}) or pass F0 explicitly (f0={{{}: ..., {}: ...}} in mW cm-2 um-1)",
                        set.name,
                        sensor.name,
                        crate::error::join(sensors::F0_SETS.iter().filter(|s| s.value(sensor.name, nm).is_some()).map(|s| s.name)),
                        bands.green,
                        bands.violet
                    ),
                })
            };
            Ok(TableF0 { values: [get(bands.green)?, get(bands.violet)?], set: set.name.into(), source: set.source.into() })
        }
    }
}

/// The F0 pixels are looked up with: the input file's, where it gives both
/// the green and the 412 band's (as NASA's nLw), else the table's. A
/// difference beyond `F0_TOLERANCE` between the two is returned as a warning
/// naming both conventions (the lookup then uses the file's, as NASA's nLw).
pub fn lookup_f0(table: &Oc5Table, file_f0: &[(u16, f64)]) -> ([f64; 2], Option<String>) {
    let own = [table.f0_green, table.f0_violet];
    let get = |nm: u16| file_f0.iter().find(|f| f.0 == nm).map(|f| f.1);
    let (Some(g), Some(v)) = (get(table.bands.green), get(table.bands.violet)) else { return (own, None) };
    let convention = table.metadata.get(F0_SET_KEY).map_or("unnamed", String::as_str);
    let differs = |a: f64, b: f64| ((a - b) / b).abs() > F0_TOLERANCE;
    let warning = (differs(g, own[0]) || differs(v, own[1])).then(|| {
        format!(
            "the input file's F0 (green {} nm {g}, {} nm {v} mW cm-2 um-1) differs from the OC5 table's \
             (green {}, 412 {}; convention {convention:?}) by more than {F0_TOLERANCE:e}: nLw uses the file's, \
             as NASA's nLw; use a table built with the file's F0 convention for exact agreement",
            table.bands.green, table.bands.violet, own[0], own[1]
        )
    });
    ([g, v], warning)
}

/// Options of `build`.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub shape: [usize; 3],
    pub f0: F0Choice,
    /// OCx set name ("default" = the sensor's).
    pub ocx: String,
    pub params: C1Params,
}

impl Default for BuildOptions {
    fn default() -> Self {
        Self { shape: [200, 200, 200], f0: F0Choice::set(DEFAULT_F0_SET), ocx: "default".into(), params: C1Params::default() }
    }
}

/// The C1 correction of a sensor, with the published mineral constants
/// (the SPM calibration factor cancels out of the C1 fit; OC5 does not use it).
pub fn c1_model(sensor: &Sensor, ocx: &str, params: C1Params) -> Result<C1Model> {
    C1Model::new(sensor, ocx_set(sensor, ocx)?, params, 1.0)
}

/// Builds the open OC5-like table of a sensor.
pub fn build(sensor: &Sensor, opts: &BuildOptions) -> Result<Oc5Table> {
    let c1 = c1_model(sensor, &opts.ocx, opts.params)?;
    build_with_f0(&c1, sensor, opts.shape, &resolve_f0(sensor, &c1.bands, &opts.f0)?)
}

/// `build_table`, with the F0 convention recorded in the metadata.
pub fn build_with_f0(c1: &C1Model, sensor: &Sensor, shape: [usize; 3], f0: &TableF0) -> Result<Oc5Table> {
    let mut t = build_table(c1, sensor, shape, f0.values[0], f0.values[1])?;
    t.metadata.insert(F0_SET_KEY.into(), f0.set.clone());
    t.metadata.insert(F0_SOURCE_KEY.into(), f0.source.clone());
    Ok(t)
}

/// The F0 convention an operational raw table expects unless told: RBINS's
/// (the raw convention is theirs, algorithms.md s1.3).
pub const RAW_TABLE_F0_SET: &str = "rbins-oc5";

/// A table in the operational raw convention: chlorophyll values in C order
/// over `axes` (default: the operational 200^3 axes [green, 412, ratio]),
/// read with the sensor's default OCx bands and its 412 band, with nLw axes
/// in the F0 convention `f0` (the table's producer's; `RAW_TABLE_F0_SET` by
/// default), which the table records.
pub fn import_raw(values: Vec<f32>, shape: &[usize], sensor: &Sensor, axes: Option<[Axis; 3]>, f0: &F0Choice, source: &str) -> Result<Oc5Table> {
    let axes = axes.unwrap_or(OPERATIONAL_AXES);
    let want = axes.map(|a| a.n);
    if shape != want {
        return Err(Error::InvalidParameter {
            name: "raw table".into(),
            reason: format!("array shape {shape:?} does not match the axis definition {want:?} (order [green, 412, ratio])"),
        });
    }
    let ocx = ocx_set(sensor, "default")?;
    let bands = Oc5Bands { violet: sensor.roles.violet, green: ocx.green, blues: ocx.blues.to_vec() };
    let f0 = resolve_f0(sensor, &bands, f0)?;
    let mut metadata = std::collections::BTreeMap::new();
    metadata.insert("title".into(), format!("OC5 table imported from the operational raw convention for {}", sensor.name));
    metadata.insert("source".into(), source.into());
    metadata.insert(F0_SET_KEY.into(), f0.set);
    metadata.insert(F0_SOURCE_KEY.into(), f0.source);
    let [fg, fv] = f0.values;
    let t = Oc5Table {
        axes,
        values,
        node_flags: None,
        sensor: sensor.name.into(),
        bands,
        f0_green: fg,
        f0_violet: fv,
        version: "imported".into(),
        metadata,
        checksum_cache: Default::default(),
    };
    t.validate()?;
    Ok(t)
}
