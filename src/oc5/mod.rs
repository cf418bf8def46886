//! OC5 chlorophyll (Gohin, Druon & Lampert 2002): the table engine, the
//! import of operational tables, and the open OC5-like tables this library
//! builds from its own forward model (see `c1`).
//!
//! Open tables are not shipped in the package: a sensor's table is built on
//! first use and cached (`chain::tables`). The table file layout is
//! `formats::oc5_table`.

pub mod c1;
pub mod table;

pub use c1::{build_table, C1Model, C1Params, OPEN_TABLE_VERSION};
pub use table::{node, operational_axes, status, Axis, AxisVariable, Oc5Bands, Oc5Table, OPERATIONAL_AXES};

use crate::error::{Error, Result};
use crate::coefficients::ocx_set;
use crate::sensors::Sensor;

/// F0 (mW cm-2 um-1) of the green and 412 bands: given, else the registry's,
/// else an error telling the user to pass them.
pub fn f0_pair(sensor: &Sensor, bands: &Oc5Bands, given: Option<[f64; 2]>) -> Result<[f64; 2]> {
    if let Some(f) = given {
        if f.iter().all(|x| x.is_finite() && *x > 0.0) {
            return Ok(f);
        }
        return Err(Error::InvalidParameter { name: "f0".into(), reason: format!("F0 must be finite and > 0, got {f:?}") });
    }
    let get = |nm: u16| {
        sensor.f0(nm).map_err(|_| Error::Unsupported {
            algorithm: "OC5".into(),
            reason: format!(
                "no published F0 is held for {} band {nm} nm, and the OC5 table axes are nLw = Rrs x F0; \
                 pass F0 explicitly (f0={{{}: ..., {}: ...}} in mW cm-2 um-1)",
                sensor.name, bands.green, bands.violet
            ),
        })
    };
    Ok([get(bands.green)?, get(bands.violet)?])
}

/// Options of `build`.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub shape: [usize; 3],
    /// F0 of [green, 412]; None = from the registry.
    pub f0: Option<[f64; 2]>,
    /// OCx set name ("default" = the sensor's).
    pub ocx: String,
    pub params: C1Params,
}

impl Default for BuildOptions {
    fn default() -> Self {
        Self { shape: [200, 200, 200], f0: None, ocx: "default".into(), params: C1Params::default() }
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
    let [fg, fv] = f0_pair(sensor, &c1.bands, opts.f0)?;
    build_table(&c1, sensor, opts.shape, fg, fv)
}

/// A table in the operational raw convention: chlorophyll values in C order
/// over `axes` (default: the operational 200^3 axes [green, 412, ratio]),
/// read with the sensor's default OCx bands, its 412 band and its F0
/// (or `f0` = [green, 412]).
pub fn import_raw(values: Vec<f32>, shape: &[usize], sensor: &Sensor, axes: Option<[Axis; 3]>, f0: Option<[f64; 2]>, source: &str) -> Result<Oc5Table> {
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
    let [fg, fv] = f0_pair(sensor, &bands, f0)?;
    let mut metadata = std::collections::BTreeMap::new();
    metadata.insert("title".into(), format!("OC5 table imported from the operational raw convention for {}", sensor.name));
    metadata.insert("source".into(), source.into());
    metadata.insert("f0_source".into(), if f0.is_some() { "given at import".into() } else { sensor.f0_source.into() });
    let t = Oc5Table { axes, values, node_flags: None, sensor: sensor.name.into(), bands, f0_green: fg, f0_violet: fv, version: "imported".into(), metadata };
    t.validate()?;
    Ok(t)
}
