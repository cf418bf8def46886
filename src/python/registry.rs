//! The product registry from Python: `oc.products()`, `oc.product_info()`,
//! and the one path every product function of the array API takes: its
//! keyword arguments become the registry's coefficient choices (each row
//! says which keyword sets what), `prepare` runs once per call, the runner
//! over the broadcast arrays without the GIL.

use std::sync::{Arc, Mutex};

use numpy::PyArrayDyn;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyMapping, PyString, PyTuple};
use pyo3::IntoPyObjectExt;

use super::arrays::{call_with_reflectances, compute, into_numpy};
use super::oc5::PyOc5Table;
use super::OceanColourError;
use crate::chain::tables::Oc5Tables;
use crate::products::{self, Choice, Coefficients, Layer, Oc5Source, Output, Prepared, Product, TableSource};
use crate::sensors::{self, Sensor};

/// The OC5 tables of this interpreter: open tables built or read once, and
/// table files read once (shared with `oc.process`).
static TABLES: Mutex<Option<Arc<Oc5Tables>>> = Mutex::new(None);

pub(super) fn tables() -> Arc<Oc5Tables> {
    TABLES.lock().unwrap_or_else(|e| e.into_inner()).get_or_insert_with(Default::default).clone()
}

/// In a forked child (one thread): fresh tables and a fresh lock. The
/// parent's may be locked by a thread that was building a table at the fork
/// and does not exist here; the old ones are leaked, not dropped.
///
/// # Safety
/// Only in a freshly forked child that has one thread.
pub(super) unsafe fn forget_tables_after_fork() {
    // SAFETY: only called by os.register_at_fork's after_in_child hook, when the process has
    // a single thread, so no reference into TABLES is alive; the static is interior-mutable
    // (writable memory), and overwriting without dropping leaks the parent's state.
    unsafe { std::ptr::write(std::ptr::addr_of!(TABLES).cast_mut(), Mutex::new(None)) }
}

/// A keyword value, as Python would pass it.
pub(super) fn kw<'py, T: IntoPyObject<'py>>(py: Python<'py>, v: T) -> PyResult<Bound<'py, PyAny>> {
    v.into_bound_py_any(py)
}

/// The tables of one call: the `table=` argument where given, else the interpreter's.
pub(super) struct CallTables(Option<Oc5Source>);

impl TableSource for CallTables {
    fn oc5(&self, sensor: &'static Sensor, coefficients: &Coefficients) -> crate::Result<Oc5Source> {
        match &self.0 {
            // As the chain refuses a configured table file of another sensor:
            // its axes are that sensor's bands and F0.
            Some(Oc5Source::Table { table, .. }) if table.sensor != sensor.name => Err(crate::Error::InvalidParameter {
                name: "table".into(),
                reason: format!("the Oc5Table is a table for {}, not {}: build or load one for {}", table.sensor, sensor.name, sensor.name),
            }),
            Some(source) => Ok(source.clone()),
            None => tables().oc5(sensor, coefficients),
        }
    }
}

/// `table=`: None (the sensor's open table), an `Oc5Table`, or "per-pixel".
fn oc5_choice(v: &Bound<'_, PyAny>) -> PyResult<Option<Oc5Source>> {
    if v.is_none() {
        return Ok(None);
    }
    if let Ok(t) = v.cast::<PyOc5Table>() {
        let table = t.get().inner.clone();
        let name = format!("an Oc5Table given in Python (sensor {}, version {})", table.sensor, table.version);
        return Ok(Some(Oc5Source::Table { table, name }));
    }
    if v.extract::<String>().is_ok_and(|s| s == "per-pixel") {
        return Ok(Some(Oc5Source::PerPixel));
    }
    Err(OceanColourError::new_err(format!(
        "table must be None (the sensor's open table), an Oc5Table or \"per-pixel\"; got {}",
        v.repr().map(|r| r.to_string()).unwrap_or_default()
    )))
}

/// The choices of a call: keyword arguments of `product` -> coefficients and tables.
pub(super) fn settings(product: &Product, args: &[(&str, Bound<'_, PyAny>)]) -> PyResult<(Coefficients, CallTables)> {
    let mut c = Coefficients::default();
    let mut table = None;
    for (name, v) in args {
        let Some((_, choice)) = product.choices.iter().find(|(k, _)| k == name) else {
            let known: Vec<&str> = product.choices.iter().map(|(k, _)| *k).collect();
            return Err(OceanColourError::new_err(format!(
                "{} has no choice {name:?}; its keyword arguments: {}",
                product.name,
                if known.is_empty() { "none".into() } else { known.join(", ") }
            )));
        };
        let pair = |v: &Bound<'_, PyAny>| v.extract::<Option<(f64, f64)>>().map(|t| t.map(|(a, b)| [a, b]));
        match choice {
            Choice::Ocx => c.ocx = v.extract()?,
            Choice::Ci => c.ci = v.extract()?,
            Choice::Kd2 => c.kd2 = v.extract()?,
            Choice::Oc5ciCi => c.oc5ci_ci = v.extract()?,
            Choice::OciThresholds => c.oci_thresholds = pair(v)?,
            Choice::Oc5ciThresholds => c.oc5ci_thresholds = pair(v)?,
            Choice::NechadWavelength => c.nechad_wavelength = v.extract()?,
            Choice::MineralScale => c.spm_gohin_mineral_scale = v.extract()?,
            Choice::SpmAlgorithm => {
                if !v.is_none() {
                    c.spm_gohin_algorithm = v.extract()?;
                }
            }
            Choice::SpmSwitch => c.spm_gohin_switch = pair(v)?,
            Choice::SpmCalibration => c.spm_gohin_calibration = v.extract()?,
            Choice::EunosatConstants => c.eunosat_constants = v.extract()?,
            Choice::EunosatVersion => c.eunosat_version = v.extract()?,
            Choice::Oc5Recipe => {
                if !v.is_none() {
                    c.oc5_recipe = v.extract()?;
                }
            }
            Choice::Oc5Table => table = oc5_choice(v)?,
            // A mapping of per-band standard uncertainties goes with the Rrs (`run`).
            Choice::RrsUncertainty if v.cast::<PyMapping>().is_ok() => {}
            Choice::RrsUncertainty => {
                c.rrs_uncertainty = v.extract().map_err(|_| {
                    OceanColourError::new_err(format!(
                        "rrs_uncertainty must be None, a float (relative, e.g. 0.05 for 5%) or a mapping from band (nm) to 1-sigma Rrs arrays (sr-1); got {}",
                        v.repr().map(|r| r.to_string()).unwrap_or_default()
                    ))
                })?
            }
            Choice::BandCorrelation => c.band_correlation = v.extract()?,
            Choice::BiasCorrected => c.bias_corrected = v.extract()?,
            Choice::Oc5ClassVersion => c.oc5_class_version = v.extract()?,
        }
    }
    Ok((c, CallTables(table)))
}

/// `prepare` for a call (without the GIL: it may build an open table).
pub(super) fn prepare(py: Python<'_>, name: &str, sensor: &str, args: &[(&str, Bound<'_, PyAny>)]) -> PyResult<(&'static Sensor, Prepared)> {
    let (p, s) = (products::product(name)?, sensors::sensor(sensor)?);
    let (c, tables) = settings(p, args)?;
    Ok((s, compute(py, || p.prepare(s, &c, &tables))?))
}

/// Runs product `name` over a Rrs mapping: its output and the broadcast shape.
pub(super) fn run(
    py: Python<'_>,
    name: &str,
    rrs: &Bound<'_, PyAny>,
    sensor: &str,
    args: &[(&str, Bound<'_, PyAny>)],
    layers: &[&str],
) -> PyResult<(Output, Vec<usize>)> {
    let (s, prepared) = prepare(py, name, sensor, args)?;
    let sigma = args.iter().find(|(k, v)| *k == "rrs_uncertainty" && v.cast::<PyMapping>().is_ok()).map(|(_, v)| v);
    call_with_reflectances(py, rrs, s, &[], sigma, |r, _| prepared.run(r, layers))
}

/// The value of product `name` as a float32 array.
pub(super) fn value(py: Python<'_>, name: &str, rrs: &Bound<'_, PyAny>, sensor: &str, args: &[(&str, Bound<'_, PyAny>)]) -> PyResult<Py<PyArrayDyn<f32>>> {
    let (out, shape) = run(py, name, rrs, sensor, args, &[])?;
    into_numpy(py, out.value, &shape)
}

/// The keyword arguments of the uncertainty (rows with the "uncertainty" layer).
pub(super) struct UncertaintyArgs<'py> {
    pub return_uncertainty: bool,
    pub return_bias: bool,
    /// None, a relative uncertainty (float) or per-band 1-sigma arrays (a mapping).
    pub rrs_uncertainty: Option<Bound<'py, PyAny>>,
    pub band_correlation: f64,
    pub bias_corrected: bool,
}

impl<'py> UncertaintyArgs<'py> {
    /// The registry choices they set.
    pub(super) fn choices(&self, py: Python<'py>) -> PyResult<[(&'static str, Bound<'py, PyAny>); 3]> {
        Ok([
            ("rrs_uncertainty", kw(py, self.rrs_uncertainty.clone())?),
            ("band_correlation", kw(py, self.band_correlation)?),
            ("bias_corrected", kw(py, self.bias_corrected)?),
        ])
    }

    /// The layers asked for, in the order they are returned.
    pub(super) fn layers(&self) -> Vec<&'static str> {
        let mut l = Vec::new();
        if self.return_uncertainty {
            l.push("uncertainty");
        }
        if self.return_bias {
            l.push("bias");
        }
        l
    }
}

/// Product `name`: its value alone when no layer is asked, else the tuple
/// (value, layer, ...) in the order of `layers` (u8 layers as uint8 arrays).
pub(super) fn value_and_layers<'py>(
    py: Python<'py>,
    name: &str,
    rrs: &Bound<'py, PyAny>,
    sensor: &str,
    args: &[(&str, Bound<'py, PyAny>)],
    layers: &[&str],
) -> PyResult<Bound<'py, PyAny>> {
    let (mut out, shape) = run(py, name, rrs, sensor, args, layers)?;
    let mut items = vec![into_numpy(py, std::mem::take(&mut out.value), &shape)?.into_bound(py).into_any()];
    for l in layers {
        items.push(match out.take(l) {
            Some(Layer::F32(v)) => into_numpy(py, v, &shape)?.into_bound(py).into_any(),
            Some(Layer::U8(v)) => into_numpy(py, v, &shape)?.into_bound(py).into_any(),
            None => return Err(OceanColourError::new_err(format!("internal error: {name} gave no {l} layer"))),
        });
    }
    if items.len() == 1 {
        return Ok(items.pop().expect("one item"));
    }
    Ok(PyTuple::new(py, items)?.into_any())
}

/// Names of the products of the registry.
///
/// Returns
/// -------
/// list of str
///     Product names, each also the name of its function.
///
/// Examples
/// --------
/// >>> oc.products()[:4]
/// ['chl_ocx', 'chl_ci', 'chl_oci', 'kd490']
#[pyfunction]
#[pyo3(name = "products")]
fn product_names() -> Vec<&'static str> {
    products::PRODUCTS.iter().map(|p| p.name).collect()
}

/// One product of the registry: its CF metadata (standard_name, units,
/// long_name, valid_min/valid_max where it clips, radiation_wavelength_nm,
/// references, comment), `log_scale`, the quick-look's `display_range` and `display_units`, the keyword arguments of its function
/// (`choices`) and the extra per-pixel `layers` it can give; for a
/// `sensor`, also the Rrs `bands` it reads and its `provenance` under the
/// given keyword arguments (the same as the product's function takes).
///
/// Parameters
/// ----------
/// name : str
///     Product name from :func:`products`.
/// sensor : str, optional
///     A sensor: adds the Rrs ``bands`` read and the ``provenance``.
/// **choices
///     The product function's keyword arguments (e.g. ``coefficients="oc3"``).
///
/// Returns
/// -------
/// dict
///     CF metadata (``standard_name``, ``units``, ``long_name``, ...),
///     ``log_scale``, ``display_range``, ``display_units``, ``choices``, ``layers``,
///     and with a sensor ``bands`` and ``provenance``.
///
/// Raises
/// ------
/// OceanColourError
///     Unknown product, sensor or keyword argument (a ``ValueError``).
///
/// Examples
/// --------
/// >>> info = oc.product_info("chl_ocx")
/// >>> info["units"], info["standard_name"]
/// ('mg m-3', 'mass_concentration_of_chlorophyll_a_in_sea_water')
#[pyfunction]
#[pyo3(signature = (name, sensor = None, **choices))]
fn product_info<'py>(py: Python<'py>, name: &str, sensor: Option<&str>, choices: Option<&Bound<'py, PyDict>>) -> PyResult<Bound<'py, PyDict>> {
    let p = products::product(name)?;
    let d = PyDict::new(py);
    d.set_item("name", p.name)?;
    d.set_item("standard_name", p.standard_name)?;
    d.set_item("units", p.units)?;
    d.set_item("long_name", p.long_name)?;
    if let Some([lo, hi]) = p.valid_range {
        d.set_item("valid_min", lo)?;
        d.set_item("valid_max", hi)?;
    }
    d.set_item("radiation_wavelength_nm", p.radiation_wavelength_nm)?;
    d.set_item("references", p.references)?;
    d.set_item("comment", p.comment)?;
    d.set_item("log_scale", p.log_scale)?;
    d.set_item("display_range", p.display_range)?;
    d.set_item("display_units", p.display_units.unwrap_or(p.units))?;
    d.set_item("choices", p.choices.iter().map(|(k, _)| *k).collect::<Vec<_>>())?;
    let layers = PyList::empty(py);
    for l in p.layers {
        let ld = PyDict::new(py);
        ld.set_item("name", l.name)?;
        ld.set_item("long_name", l.long_name)?;
        ld.set_item("flag_meanings", l.flag_meanings)?;
        layers.append(ld)?;
    }
    d.set_item("layers", layers)?;
    let args: Vec<(String, Bound<'py, PyAny>)> = match choices {
        Some(kw) => kw.iter().map(|(k, v)| Ok((k.cast::<PyString>()?.to_string(), v))).collect::<PyResult<_>>()?,
        None => vec![],
    };
    let args: Vec<(&str, Bound<'py, PyAny>)> = args.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    match sensor {
        Some(sensor) => {
            let (s, prepared) = prepare(py, name, sensor, &args)?;
            d.set_item("sensor", s.name)?;
            d.set_item("bands", prepared.bands)?;
            d.set_item("layer_bands", prepared.layer_bands)?;
            d.set_item("layer_provenance", prepared.layer_provenance)?;
            d.set_item("provenance", prepared.provenance)?;
        }
        None => {
            settings(p, &args)?;
        }
    }
    Ok(d)
}

pub(super) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(product_names, m)?)?;
    m.add_function(wrap_pyfunction!(product_info, m)?)?;
    Ok(())
}
