//! Python glue of OC5, the Gohin-like SPM and the forward model: the
//! `Oc5Table` class and the functions that read Rrs mappings.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use numpy::PyArrayDyn;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString, PyTuple};

use super::arrays::{call_with_arrays, call_with_reflectances, compute, into_numpy};
use super::registry::{self, kw};
use super::OceanColourError;
use crate::coefficients;
use crate::defaults;
use crate::formats::oc5_table as io;
use crate::oc5::{self, C1Params, Oc5Table as Table};
use crate::products::{self, algorithms};
use crate::sensors::{self, Sensor};

/// An OC5 look-up table: chlorophyll (mg m-3) on a regular grid over
/// nLw(green), nLw(412) (mW cm-2 um-1 sr-1) and the maximum blue/green Rrs
/// ratio, read by trilinear interpolation. Create one with `build` (open
/// OC5-like table from this library's model), `load` (netCDF written by
/// `save`), `import_raw` (operational .npy convention) or `open_table`
/// (the sensor's cached open table).
///
/// Examples
/// --------
/// >>> table = oc.Oc5Table.build("seawifs", shape=(20, 20, 20))
/// >>> table.shape, table.sensor
/// ((20, 20, 20), 'seawifs')
#[pyclass(name = "Oc5Table", module = "oceancolour", frozen)]
pub struct PyOc5Table {
    pub(super) inner: Arc<Table>,
}

/// `f0=`: the name of an F0 set (`oc.F0_SETS`), or {band nm: F0} for the
/// green and 412 bands; None = `default`.
fn f0_choice(f0: Option<&Bound<'_, PyAny>>, sensor: &Sensor, bands: &oc5::Oc5Bands, default: &str) -> PyResult<oc5::F0Choice> {
    let Some(f0) = f0.filter(|f| !f.is_none()) else { return Ok(oc5::F0Choice::set(default)) };
    if let Ok(name) = f0.extract::<String>() {
        return Ok(oc5::F0Choice::Set(name));
    }
    let map: HashMap<u16, f64> =
        f0.extract().map_err(|_| OceanColourError::new_err("f0 must be the name of an F0 set or a dict {band nm: F0 in mW cm-2 um-1}"))?;
    let get = |nm: u16| {
        map.get(&nm).copied().ok_or_else(|| {
            OceanColourError::new_err(format!(
                "f0 must give F0 for {} bands {} and {} (mW cm-2 um-1); got bands {:?}",
                sensor.name,
                bands.green,
                bands.violet,
                map.keys().collect::<Vec<_>>()
            ))
        })
    };
    Ok(oc5::F0Choice::Values([get(bands.green)?, get(bands.violet)?]))
}

fn oc5_bands_of(sensor: &Sensor, ocx: &str) -> PyResult<oc5::Oc5Bands> {
    let set = coefficients::ocx_set(sensor, ocx)?;
    Ok(oc5::Oc5Bands { violet: sensor.roles.violet, green: set.green, blues: set.blues.to_vec() })
}

#[pymethods]
impl PyOc5Table {
    /// Builds the open OC5-like table of `sensor` from this library's
    /// forward model ("C1 with tolerance"; see the table's metadata). `shape`
    /// nodes span the operational axis ranges (200^3 = the operational axes).
    /// `f0`: the F0 set the nLw axes use (default "fonom-thuillier2003",
    /// NASA l2gen's; also "obpg-rsr2009", "rbins-oc5"), or {band nm: F0} for
    /// the green and 412 bands. `recipe`: "open-oc5-c1-2" (default, the
    /// correction bounded at the reference ratio in bright-green water) or
    /// "open-oc5-c1-1" (the earlier rule). `tau`: the tolerance (None = the
    /// recipe's: 0.25 for c1-2, 0.5 for c1-1). Not Ifremer's table; no
    /// parity claimed.
    ///
    /// Parameters
    /// ----------
    /// sensor : str
    ///     Sensor name, e.g. ``"seawifs"``.
    /// shape : tuple of int, default (200, 200, 200)
    ///     Nodes along nLw(green), nLw(412) and the ratio axes.
    /// f0 : str or dict, optional
    ///     F0 set name, or ``{band nm: F0}`` (mW cm-2 um-1) for the green and 412 bands.
    /// ocx : str, default "default"
    ///     The OCx coefficient set of the reference chl.
    /// tau : float, optional
    ///     The tolerance; default the recipe's.
    /// chl_cap : float, default 5.0
    ///     Chlorophyll (mg m-3) above which the correction is capped.
    /// recipe : {"open-oc5-c1-2", "open-oc5-c1-1"}, default "open-oc5-c1-2"
    ///     The open table's recipe.
    ///
    /// Returns
    /// -------
    /// Oc5Table
    ///     The table.
    ///
    /// Raises
    /// ------
    /// OceanColourError
    ///     Unknown sensor, F0 set or recipe, absurd shape (a ``ValueError``).
    ///
    /// Examples
    /// --------
    /// >>> table = oc.Oc5Table.build("seawifs", shape=(20, 20, 20))
    /// >>> table.shape, table.sensor
    /// ((20, 20, 20), 'seawifs')
    #[staticmethod]
    #[pyo3(signature = (sensor, shape = (200, 200, 200), f0 = None, ocx = "default", tau = None, chl_cap = 5.0, recipe = "open-oc5-c1-2"))]
    #[allow(clippy::too_many_arguments)] // the Python signature
    fn build(
        py: Python<'_>,
        sensor: &str,
        shape: (usize, usize, usize),
        f0: Option<&Bound<'_, PyAny>>,
        ocx: &str,
        tau: Option<f64>,
        chl_cap: f64,
        recipe: &str,
    ) -> PyResult<Self> {
        let s = sensors::sensor(sensor)?;
        let f0 = f0_choice(f0, s, &oc5_bands_of(s, ocx)?, sensors::DEFAULT_F0_SET)?;
        let base = C1Params::for_recipe(oc5::C1Recipe::from_name(recipe)?);
        let params = C1Params { tau: tau.unwrap_or(base.tau), chl_cap, ..base };
        let opts = oc5::BuildOptions { shape: [shape.0, shape.1, shape.2], f0, ocx: ocx.to_string(), params };
        let t = compute(py, || oc5::build(s, &opts))?;
        Ok(Self { inner: Arc::new(t) })
    }

    /// The sensor's open OC5-like 200^3 table (default F0 set), built on first
    /// use and cached in the user cache directory (OCEANCOLOUR_CACHE_DIR), of
    /// `recipe` (default "open-oc5-c1-2"; "open-oc5-c1-1" the earlier rule).
    ///
    /// Parameters
    /// ----------
    /// sensor : str
    ///     Sensor name.
    /// recipe : {"open-oc5-c1-2", "open-oc5-c1-1"}, default "open-oc5-c1-2"
    ///     The open table's recipe.
    ///
    /// Returns
    /// -------
    /// Oc5Table
    ///     The cached 200^3 table.
    ///
    /// Raises
    /// ------
    /// OceanColourError
    ///     Unknown sensor or recipe (a ``ValueError``).
    /// OceanColourFileError
    ///     The cache directory cannot be written (an ``OSError``).
    ///
    /// Examples
    /// --------
    /// >>> oc.Oc5Table.open_table("seawifs").shape
    /// (200, 200, 200)
    #[staticmethod]
    #[pyo3(signature = (sensor, recipe = "open-oc5-c1-2"))]
    fn open_table(py: Python<'_>, sensor: &str, recipe: &str) -> PyResult<Self> {
        let s = sensors::sensor(sensor)?;
        let recipe = oc5::C1Recipe::from_name(recipe)?;
        Ok(Self { inner: compute(py, || registry::tables().open_table(s, recipe))? })
    }

    /// Reads a table written by `save` (self-describing netCDF).
    ///
    /// Parameters
    /// ----------
    /// path : str or os.PathLike
    ///     A netCDF file written by :meth:`save`.
    ///
    /// Returns
    /// -------
    /// Oc5Table
    ///     The table.
    ///
    /// Raises
    /// ------
    /// OceanColourFileError
    ///     Missing or unreadable file (an ``OSError``).
    ///
    /// Examples
    /// --------
    /// >>> import os, tempfile
    /// >>> path = os.path.join(tempfile.mkdtemp(), "oc5.nc")
    /// >>> oc.Oc5Table.build("seawifs", shape=(20, 20, 20)).save(path)
    /// >>> oc.Oc5Table.load(path).shape
    /// (20, 20, 20)
    #[staticmethod]
    fn load(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        Ok(Self { inner: Arc::new(compute(py, || io::load(&path))?) })
    }

    /// Writes the table as self-describing netCDF (atomically: temp file + rename).
    ///
    /// Parameters
    /// ----------
    /// path : str or os.PathLike
    ///     Output netCDF file.
    ///
    /// Returns
    /// -------
    /// None
    ///
    /// Raises
    /// ------
    /// OceanColourFileError
    ///     The file cannot be written (an ``OSError``).
    ///
    /// Examples
    /// --------
    /// >>> import os, tempfile
    /// >>> path = os.path.join(tempfile.mkdtemp(), "oc5.nc")
    /// >>> oc.Oc5Table.build("seawifs", shape=(20, 20, 20)).save(path)
    /// >>> os.path.exists(path)
    /// True
    fn save(&self, py: Python<'_>, path: PathBuf) -> PyResult<()> {
        let t = self.inner.clone();
        compute(py, move || io::save(&t, &path))
    }

    /// Imports a table in the operational raw convention: a 3-D array (or the
    /// path of a .npy file) of chlorophyll with axes [nLw green, nLw412, R]
    /// (default: the operational 200^3 axes, green 0:0.03, 412 -2:0.02,
    /// R -0.2:0.0352), read with the sensor's default OCx bands. `f0`: the F0
    /// convention the table's nLw axes were made with, recorded in the table
    /// (default "rbins-oc5", the raw convention's; an F0 set name or
    /// {band nm: F0}). `axes`: [(min, step)] x 3 in that order.
    ///
    /// Parameters
    /// ----------
    /// path_or_array : str or array_like
    ///     A 3-D chlorophyll array (mg m-3) or the path of a .npy file.
    /// sensor : str
    ///     Sensor name.
    /// f0 : str or dict, optional
    ///     The F0 convention of the nLw axes; default ``"rbins-oc5"``.
    /// axes : list of tuple of float, optional
    ///     ``[(min, step)] x 3`` for nLw green, nLw412 (mW cm-2 um-1 sr-1) and R.
    ///
    /// Returns
    /// -------
    /// Oc5Table
    ///     The table.
    ///
    /// Raises
    /// ------
    /// OceanColourError
    ///     Not a 3-D float array, F0 missing for the sensor's bands (a ``ValueError``).
    /// OceanColourFileError
    ///     Unreadable .npy file (an ``OSError``).
    ///
    /// Examples
    /// --------
    /// >>> chl = np.full((4, 4, 4), 0.5, dtype=np.float32)
    /// >>> table = oc.Oc5Table.import_raw(chl, "olci-a", axes=[(0.0, 0.01), (-2.0, 1.0), (-0.2, 0.1)])
    /// >>> table.shape, [a["variable"] for a in table.axes]
    /// ((4, 4, 4), ['nLw_green', 'nLw_412', 'Rrs_ratio'])
    #[staticmethod]
    #[pyo3(signature = (path_or_array, sensor, f0 = None, axes = None))]
    fn import_raw(
        py: Python<'_>,
        path_or_array: &Bound<'_, PyAny>,
        sensor: &str,
        f0: Option<&Bound<'_, PyAny>>,
        axes: Option<Vec<(f64, f64)>>,
    ) -> PyResult<Self> {
        let s = sensors::sensor(sensor)?;
        let f0 = f0_choice(f0, s, &oc5_bands_of(s, "default")?, oc5::RAW_TABLE_F0_SET)?;
        let is_path = path_or_array.cast::<PyString>().is_ok() || path_or_array.hasattr("__fspath__")?;
        let (shape, values, source) = if is_path {
            let p: PathBuf = path_or_array.extract()?;
            let (shape, values) = compute(py, || io::read_npy(&p))?;
            (shape, values, format!("raw array file {}", p.display()))
        } else {
            let a = path_or_array
                .extract::<numpy::PyArrayLikeDyn<'_, f32, numpy::AllowTypeChange>>()
                .map_err(|e| OceanColourError::new_err(format!("path_or_array: neither a path nor an array of floats ({e})")))?;
            let view = a.as_array();
            (view.shape().to_vec(), view.iter().copied().collect(), "raw array given in memory".to_string())
        };
        let axes = match axes {
            None => None,
            Some(v) if v.len() == 3 && shape.len() == 3 => {
                let mut ax = oc5::OPERATIONAL_AXES;
                for (d, (min, step)) in v.into_iter().enumerate() {
                    ax[d] = oc5::Axis { variable: ax[d].variable, min, step, n: shape[d] };
                }
                Some(ax)
            }
            Some(_) => return Err(OceanColourError::new_err("axes must be three (min, step) pairs for a 3-D array")),
        };
        let t = compute(py, || oc5::import_raw(values, &shape, s, axes, &f0, &source))?;
        Ok(Self { inner: Arc::new(t) })
    }

    /// Chlorophyll values (mg m-3), a float32 array of the table's shape (a copy).
    #[getter]
    fn values<'py>(&self, py: Python<'py>) -> PyResult<Py<PyArrayDyn<f32>>> {
        into_numpy(py, self.inner.values.clone(), &self.inner.shape())
    }

    /// Per-node flags (uint8: 0 OCx, 1 corrected, 2 fallback, 3 copied from
    /// the first positive-412 node, 4 undefined), or None for imported tables.
    #[getter]
    fn node_flags<'py>(&self, py: Python<'py>) -> PyResult<Option<Py<PyArrayDyn<u8>>>> {
        self.inner.node_flags.clone().map(|f| into_numpy(py, f, &self.inner.shape())).transpose()
    }

    /// The axes in array order: variable, unit, min, step, n, order, description.
    #[getter]
    fn axes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let out = PyList::empty(py);
        for (order, a) in self.inner.axes.iter().enumerate() {
            let d = PyDict::new(py);
            d.set_item("variable", a.variable.name())?;
            d.set_item("unit", a.variable.unit())?;
            d.set_item("min", a.min)?;
            d.set_item("step", a.step)?;
            d.set_item("n", a.n)?;
            d.set_item("order", order)?;
            d.set_item("description", a.variable.description())?;
            out.append(d)?;
        }
        Ok(out)
    }

    #[getter]
    fn shape<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, self.inner.shape())
    }

    #[getter]
    fn sensor(&self) -> String {
        self.inner.sensor.clone()
    }

    #[getter]
    fn version(&self) -> String {
        self.inner.version.clone()
    }

    /// Bands the table reads: {"violet": nm, "green": nm, "ratio_blues": [nm, ...]}.
    #[getter]
    fn bands<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("violet", self.inner.bands.violet)?;
        d.set_item("green", self.inner.bands.green)?;
        d.set_item("ratio_blues", self.inner.bands.blues.clone())?;
        Ok(d)
    }

    /// F0 (mW cm-2 um-1) used for the nLw axes: {band nm: F0}.
    #[getter]
    fn f0<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item(self.inner.bands.green, self.inner.f0_green)?;
        d.set_item(self.inner.bands.violet, self.inner.f0_violet)?;
        Ok(d)
    }

    /// Provenance and design parameters.
    #[getter]
    fn metadata<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for (k, v) in &self.inner.metadata {
            d.set_item(k, v)?;
        }
        Ok(d)
    }

    /// Trilinear value at axis coordinates (arrays broadcast); NaN outside.
    ///
    /// Parameters
    /// ----------
    /// nlw_green : array_like
    ///     nLw at the green band (mW cm-2 um-1 sr-1).
    /// nlw_412 : array_like
    ///     nLw at 412 nm (mW cm-2 um-1 sr-1).
    /// ratio : array_like
    ///     Maximum blue/green Rrs ratio.
    ///
    /// Returns
    /// -------
    /// numpy.ndarray of float32
    ///     Chlorophyll (mg m-3), broadcast shape; NaN outside the table.
    ///
    /// Raises
    /// ------
    /// OceanColourError
    ///     Non-numeric input or shapes that do not broadcast (a ``ValueError``).
    ///
    /// Examples
    /// --------
    /// >>> chl = np.full((4, 4, 4), 0.5, dtype=np.float32)
    /// >>> table = oc.Oc5Table.import_raw(chl, "olci-a", axes=[(0.0, 0.01), (-2.0, 1.0), (-0.2, 0.1)])
    /// >>> table.interpolate([0.015], [-1.5], [0.0])
    /// array([0.5], dtype=float32)
    fn interpolate(&self, py: Python<'_>, nlw_green: &Bound<'_, PyAny>, nlw_412: &Bound<'_, PyAny>, ratio: &Bound<'_, PyAny>) -> PyResult<Py<PyArrayDyn<f32>>> {
        let t = self.inner.clone();
        let (v, shape) = call_with_arrays(py, &[("nlw_green", nlw_green), ("nlw_412", nlw_412), ("ratio", ratio)], move |a| {
            Ok((0..a[0].len()).map(|i| t.interpolate(a[0][i] as f64, a[1][i] as f64, a[2][i] as f64).map_or(f32::NAN, |(v, _)| v as f32)).collect::<Vec<f32>>())
        })?;
        into_numpy(py, v, &shape)
    }

    fn __repr__(&self) -> String {
        let t = &self.inner;
        format!(
            "Oc5Table(sensor={:?}, version={:?}, shape={:?}, axes=[{}])",
            t.sensor,
            t.version,
            t.shape(),
            t.axes.iter().map(|a| format!("{} {}:{}:{}", a.variable.name(), a.min, a.step, a.max())).collect::<Vec<_>>().join(", ")
        )
    }
}

/// OC5 chlorophyll-a (mg m-3), Gohin, Druon & Lampert 2002 look-up-table
/// structure: chl from a table over nLw(green), nLw(412) and the maximum
/// blue/green Rrs ratio, trilinear interpolation, no value outside the table.
/// `table`: None = the sensor's open OC5-like table (built by this library,
/// NOT Ifremer's; see README), an `Oc5Table`, or "per-pixel" (the open
/// correction computed per pixel, no table). `return_status=True` also
/// returns uint8 status: 0 valid, 1 outside table, 2 invalid input, 3 fallback.
/// `recipe`: the open table's recipe when `table` is None or "per-pixel"
/// (None = "open-oc5-c1-2"; "open-oc5-c1-1" the earlier rule).
/// `return_class=True` also returns the uint8 OC5 applicability class
/// (`oc5_class`, tests version `class_version`).
/// Returned in the order chl, status, uncertainty, bias, class (those asked).
///
/// `return_uncertainty=True` / `return_bias=True` also return the 1-sigma
/// uncertainty and the expected bias of log10 of the product (dex), in that
/// order after the value (see `chl_ocx`); `rrs_uncertainty`, `band_correlation`,
/// `bias_corrected` as there.
///
/// Parameters
/// ----------
/// rrs : dict of {int or str: array_like}
///     Remote-sensing reflectance Rrs (sr-1) per nominal band wavelength (nm), keyed
///     ``443`` or ``"Rrs_443"``; arrays broadcast together.
/// sensor : str
///     Sensor name from :func:`sensors`, e.g. ``"olci-a"``.
/// table : Oc5Table or str, optional
///     None = the sensor's open OC5-like table (this library's, not Ifremer's), an
///     :class:`Oc5Table`, or ``"per-pixel"``.
/// return_status : bool, default False
///     Also return the uint8 status (0 valid, 1 outside table, 2 invalid input, 3 fallback).
/// recipe : str, optional
///     The open table's recipe when `table` is None or "per-pixel" (None =
///     ``"open-oc5-c1-2"``).
/// return_uncertainty : bool, default False
///     Also return the 1-sigma uncertainty of log10 of the product (dex).
/// return_bias : bool, default False
///     Also return the expected bias of log10 of the product (dex).
/// rrs_uncertainty : float or mapping, optional
///     Rrs uncertainty propagated through the algorithm: a relative 1-sigma
///     of every band (e.g. 0.05 for 5%), or per-band 1-sigma arrays in sr-1
///     keyed as ``rrs`` (e.g. PACE OCI ``Rrs_unc``), broadcast with it.
/// band_correlation : float, default 0.0
///     Correlation of the Rrs errors between bands, in [0, 1].
/// bias_corrected : bool, default False
///     Return the bias-corrected value (value x 10^-bias).
/// return_class : bool, default False
///     Also return the uint8 OC5 applicability class (see :func:`oc5_class`).
/// class_version : {"B", "A"}, default "B"
///     The class tests' version.
///
/// Returns
/// -------
/// chl : numpy.ndarray of float32
///     Chlorophyll-a (mg m-3), broadcast shape of the inputs; NaN where invalid.
/// status : numpy.ndarray of uint8, optional
///     If `return_status`.
/// uncertainty : numpy.ndarray of float32, optional
///     1-sigma uncertainty of log10 chl (dex), if `return_uncertainty`.
/// bias : numpy.ndarray of float32, optional
///     Expected bias of log10 chl (dex), if `return_bias`.
/// oc5_class : numpy.ndarray of uint8, optional
///     If `return_class`.
///
/// Raises
/// ------
/// OceanColourError
///     Unknown sensor or coefficient set, missing band, shapes that do not
///     broadcast, non-numeric data (a ``ValueError``).
///
/// Examples
/// --------
/// >>> rrs = {412: 0.004, 443: 0.005, 490: 0.006, 510: 0.005, 560: 0.004, 665: 0.001, 709: 0.0005, 865: 0.0001}
/// >>> round(float(oc.chl_oc5(rrs, "olci-a")), 3)
/// 0.8
#[pyfunction]
#[pyo3(signature = (rrs, sensor, table = None, return_status = false, recipe = None, return_uncertainty = false, return_bias = false, rrs_uncertainty = None, band_correlation = 0.0, bias_corrected = false, return_class = false, class_version = "B"))]
#[allow(clippy::too_many_arguments)]
fn chl_oc5<'py>(
    py: Python<'py>,
    rrs: &Bound<'py, PyAny>,
    sensor: &str,
    table: Option<&Bound<'py, PyAny>>,
    return_status: bool,
    recipe: Option<&str>,
    return_uncertainty: bool,
    return_bias: bool,
    rrs_uncertainty: Option<Bound<'py, PyAny>>,
    band_correlation: f64,
    bias_corrected: bool,
    return_class: bool,
    class_version: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let u = registry::UncertaintyArgs { return_uncertainty, return_bias, rrs_uncertainty, band_correlation, bias_corrected };
    let [a, b, c] = u.choices(py)?;
    let args = [("table", table_arg(py, table)), ("recipe", kw(py, recipe)?), ("class_version", kw(py, class_version)?), a, b, c];
    let mut layers = Vec::new();
    if return_status {
        layers.push("status");
    }
    layers.extend(u.layers());
    if return_class {
        layers.push("class");
    }
    registry::value_and_layers(py, "chl_oc5", rrs, sensor, &args, &layers)
}
const _: () = assert!(defaults::same(defaults::OC5_CLASS_VERSION, "B"));

/// `table=` as given (None when absent).
fn table_arg<'py>(py: Python<'py>, table: Option<&Bound<'py, PyAny>>) -> Bound<'py, PyAny> {
    table.cloned().unwrap_or_else(|| py.None().into_bound(py))
}

/// OC5CI chlorophyll-a (mg m-3): Hu colour index where chl_CI <= 0.15, OC5
/// where chl_CI >= 0.20, linear in chl_CI between (GlobColour/CMEMS
/// practice). `ci`: the CI set ("hu2012" default), `thresholds`: (t1, t2).
///
/// `return_uncertainty=True` / `return_bias=True` also return the 1-sigma
/// uncertainty and the expected bias of log10 of the product (dex), in that
/// order after the value (see `chl_ocx`); `rrs_uncertainty`, `band_correlation`,
/// `bias_corrected` as there.
///
/// Parameters
/// ----------
/// rrs : dict of {int or str: array_like}
///     Remote-sensing reflectance Rrs (sr-1) per nominal band wavelength (nm), keyed
///     ``443`` or ``"Rrs_443"``; arrays broadcast together.
/// sensor : str
///     Sensor name from :func:`sensors`, e.g. ``"olci-a"``.
/// table : Oc5Table or str, optional
///     As in :func:`chl_oc5`.
/// ci : {"hu2012", "hu2019"}, default "hu2012"
///     The colour-index coefficient set.
/// thresholds : tuple of float, optional
///     ``(t1, t2)`` on chl_CI (mg m-3), default (0.15, 0.20).
/// recipe : str, optional
///     As in :func:`chl_oc5`.
/// return_uncertainty : bool, default False
///     Also return the 1-sigma uncertainty of log10 of the product (dex).
/// return_bias : bool, default False
///     Also return the expected bias of log10 of the product (dex).
/// rrs_uncertainty : float or mapping, optional
///     Rrs uncertainty propagated through the algorithm: a relative 1-sigma
///     of every band (e.g. 0.05 for 5%), or per-band 1-sigma arrays in sr-1
///     keyed as ``rrs`` (e.g. PACE OCI ``Rrs_unc``), broadcast with it.
/// band_correlation : float, default 0.0
///     Correlation of the Rrs errors between bands, in [0, 1].
/// bias_corrected : bool, default False
///     Return the bias-corrected value (value x 10^-bias).
///
/// Returns
/// -------
/// chl : numpy.ndarray of float32
///     Chlorophyll-a (mg m-3), broadcast shape of the inputs; NaN where invalid.
/// uncertainty : numpy.ndarray of float32, optional
///     1-sigma uncertainty of log10 of the product (dex), if `return_uncertainty`.
/// bias : numpy.ndarray of float32, optional
///     Expected bias of log10 of the product (dex), if `return_bias`.
///
/// Raises
/// ------
/// OceanColourError
///     Unknown sensor or coefficient set, missing band, shapes that do not
///     broadcast, non-numeric data (a ``ValueError``).
///
/// Examples
/// --------
/// >>> rrs = {412: 0.004, 443: 0.005, 490: 0.006, 510: 0.005, 560: 0.004, 665: 0.001, 709: 0.0005, 865: 0.0001}
/// >>> rrs[674] = 0.0009
/// >>> round(float(oc.chl_oc5ci(rrs, "olci-a")), 3)
/// 0.8
#[pyfunction]
#[pyo3(signature = (rrs, sensor, table = None, ci = "hu2012", thresholds = None, recipe = None, return_uncertainty = false, return_bias = false, rrs_uncertainty = None, band_correlation = 0.0, bias_corrected = false))]
#[allow(clippy::too_many_arguments)]
fn chl_oc5ci<'py>(
    py: Python<'py>,
    rrs: &Bound<'py, PyAny>,
    sensor: &str,
    table: Option<&Bound<'py, PyAny>>,
    ci: &str,
    thresholds: Option<(f64, f64)>,
    recipe: Option<&str>,
    return_uncertainty: bool,
    return_bias: bool,
    rrs_uncertainty: Option<Bound<'py, PyAny>>,
    band_correlation: f64,
    bias_corrected: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let u = registry::UncertaintyArgs { return_uncertainty, return_bias, rrs_uncertainty, band_correlation, bias_corrected };
    let [a, b, c] = u.choices(py)?;
    let args = [("table", table_arg(py, table)), ("ci", kw(py, ci)?), ("thresholds", kw(py, thresholds)?), ("recipe", kw(py, recipe)?), a, b, c];
    registry::value_and_layers(py, "chl_oc5ci", rrs, sensor, &args, &u.layers())
}
const _: () = assert!(defaults::same(defaults::OC5CI_CI, "hu2012"));
const _: () = assert!(defaults::same(defaults::OC5_RECIPE, "open-oc5-c1-2"));

/// Non-algal suspended particulate matter (g m-3), Gohin-like.
/// `algorithm="nechad-switching"` (default): Nechad et al. 2010 per-band SPM
/// switching green -> red -> NIR (709 nm where the sensor has it) as each
/// band saturates, blended where rho_w/C of a band goes `switch` = (f0, f1)
/// (default (0.03, 0.08): this library's choice, not published), times one
/// `calibration` factor fitted on the CoastColour calibration half (see
/// README). `algorithm="forward-model"`: the earlier recipe, the forward
/// model inverted for mineral SPM at the green band, switching to red where
/// green saturates, with chl (default: OC5 with `table`/`recipe`) removing
/// the algal part (structure of Gohin et al. 2005, Gohin 2011, whose
/// coefficients are not public); `mineral_scale` overrides its calibration.
///
/// `return_uncertainty=True` / `return_bias=True` also return the 1-sigma
/// uncertainty and the expected bias of log10 of the product (dex), in that
/// order after the value (see `chl_ocx`); `rrs_uncertainty`, `band_correlation`,
/// `bias_corrected` as there. Not with `chl` given (the uncertainty is that of
/// the whole product, OC5 included).
///
/// Parameters
/// ----------
/// rrs : dict of {int or str: array_like}
///     Remote-sensing reflectance Rrs (sr-1) per nominal band wavelength (nm), keyed
///     ``443`` or ``"Rrs_443"``; arrays broadcast together.
/// sensor : str
///     Sensor name from :func:`sensors`, e.g. ``"olci-a"``.
/// chl : array_like, optional
///     Chlorophyll-a (mg m-3) for the "forward-model" algorithm; default OC5.
/// table : Oc5Table or str, optional
///     As in :func:`chl_oc5`.
/// mineral_scale : float, optional
///     Overrides the "forward-model" calibration.
/// algorithm : {"nechad-switching", "forward-model"}, default "nechad-switching"
///     The recipe.
/// switch : tuple of float, optional
///     ``(f0, f1)`` band-switching fractions of rho_w/C, default (0.03, 0.08).
/// calibration : float, optional
///     Calibration factor of "nechad-switching"; default the fitted one.
/// recipe : str, optional
///     As in :func:`chl_oc5`.
/// return_uncertainty : bool, default False
///     Also return the 1-sigma uncertainty of log10 of the product (dex).
/// return_bias : bool, default False
///     Also return the expected bias of log10 of the product (dex).
/// rrs_uncertainty : float or mapping, optional
///     Rrs uncertainty propagated through the algorithm: a relative 1-sigma
///     of every band (e.g. 0.05 for 5%), or per-band 1-sigma arrays in sr-1
///     keyed as ``rrs`` (e.g. PACE OCI ``Rrs_unc``), broadcast with it.
/// band_correlation : float, default 0.0
///     Correlation of the Rrs errors between bands, in [0, 1].
/// bias_corrected : bool, default False
///     Return the bias-corrected value (value x 10^-bias).
///
/// Returns
/// -------
/// spm : numpy.ndarray of float32
///     Non-algal SPM (g m-3), broadcast shape of the inputs; NaN where invalid.
/// uncertainty : numpy.ndarray of float32, optional
///     1-sigma uncertainty of log10 of the product (dex), if `return_uncertainty`.
/// bias : numpy.ndarray of float32, optional
///     Expected bias of log10 of the product (dex), if `return_bias`.
///
/// Raises
/// ------
/// OceanColourError
///     Unknown sensor or coefficient set, missing band, shapes that do not
///     broadcast, non-numeric data (a ``ValueError``).
///
/// Examples
/// --------
/// >>> rrs = {412: 0.004, 443: 0.005, 490: 0.008, 510: 0.009, 560: 0.012, 665: 0.008, 709: 0.006, 865: 0.002}
/// >>> round(float(oc.spm_gohin(rrs, "olci-a")), 2)
/// 14.55
#[pyfunction]
#[pyo3(signature = (rrs, sensor, chl = None, table = None, mineral_scale = None, algorithm = "nechad-switching", switch = None, calibration = None, recipe = None, return_uncertainty = false, return_bias = false, rrs_uncertainty = None, band_correlation = 0.0, bias_corrected = false))]
#[allow(clippy::too_many_arguments)] // the Python signature
fn spm_gohin<'py>(
    py: Python<'py>,
    rrs: &Bound<'py, PyAny>,
    sensor: &str,
    chl: Option<&Bound<'py, PyAny>>,
    table: Option<&Bound<'py, PyAny>>,
    mineral_scale: Option<f64>,
    algorithm: &str,
    switch: Option<(f64, f64)>,
    calibration: Option<f64>,
    recipe: Option<&str>,
    return_uncertainty: bool,
    return_bias: bool,
    rrs_uncertainty: Option<Bound<'py, PyAny>>,
    band_correlation: f64,
    bias_corrected: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let u = registry::UncertaintyArgs { return_uncertainty, return_bias, rrs_uncertainty, band_correlation, bias_corrected };
    let [a, b, c] = u.choices(py)?;
    let args = [
        ("algorithm", kw(py, algorithm)?),
        ("switch", kw(py, switch)?),
        ("calibration", kw(py, calibration)?),
        ("table", table_arg(py, table)),
        ("recipe", kw(py, recipe)?),
        ("mineral_scale", kw(py, mineral_scale)?),
        a,
        b,
        c,
    ];
    let Some(chl) = chl else { return registry::value_and_layers(py, "spm_gohin", rrs, sensor, &args, &u.layers()) };
    if algorithm != "forward-model" {
        return Err(OceanColourError::new_err(format!("chl= is used only by algorithm=\"forward-model\" (the algal part), not {algorithm:?}")));
    }
    if !u.layers().is_empty() {
        return Err(OceanColourError::new_err(
            "spm_gohin: return_uncertainty/return_bias need chl=None (the class statistics are those of spm_gohin with its OC5 chl)",
        ));
    }
    // Chlorophyll given: the inversion alone, with the registry's choice of mineral scale.
    let (c, _) = registry::settings(products::product("spm_gohin")?, &args)?;
    let s = sensors::sensor(sensor)?;
    let (v, shape) = call_with_reflectances(py, rrs, s, &[("chl", chl)], None, |r, x| algorithms::spm_gohin(r, x[0], c.mineral_scale()))?;
    Ok(into_numpy(py, v, &shape)?.into_bound(py).into_any())
}
const _: () = assert!(defaults::same(defaults::SPM_GOHIN_ALGORITHM, "nechad-switching"));

/// EUNOSAT chlorophyll-a (mg m-3): the mean of the valid OC4Me, OC5 and Gons
/// et al. 2005 red/NIR chl, Gons counting only where OC4Me and rho665 =
/// pi Rrs665 reach the `version`'s thresholds ("A": 8.5 mg m-3 and 0.0081,
/// Polymer; "B": 8.1 and 0.0076, C2RCC) and Gons > 2 mg m-3. `constants`:
/// the Gons set, "a016-p106" (a* = 0.016, p = 1.06) or "a0146-p105"
/// (a* = 0.0146, p = 1.05), the two RBINS scripts' (which goes with which
/// processing is not documented). Needs the 665, 709 and 779 nm bands
/// (MERIS, OLCI). OC5 from `table`/`recipe` as `chl_oc5`; the OC4Me/OC5
/// QC flags of the EUNOSAT scripts are not applied.
///
/// Parameters
/// ----------
/// rrs : dict of {int or str: array_like}
///     Remote-sensing reflectance Rrs (sr-1) per nominal band wavelength (nm), keyed
///     ``443`` or ``"Rrs_443"``; arrays broadcast together.
/// sensor : str
///     Sensor name from :func:`sensors`, e.g. ``"olci-a"``.
/// constants : {"a016-p106", "a0146-p105"}, default "a016-p106"
///     The Gons constants set.
/// version : {"A", "B"}, default "A"
///     The thresholds' version (A: Polymer, B: C2RCC).
/// table : Oc5Table or str, optional
///     As in :func:`chl_oc5`.
/// recipe : str, optional
///     As in :func:`chl_oc5`.
///
/// Returns
/// -------
/// chl : numpy.ndarray of float32
///     Chlorophyll-a (mg m-3), broadcast shape of the inputs; NaN where invalid.
///
/// Raises
/// ------
/// OceanColourError
///     Unknown sensor or coefficient set, missing band, shapes that do not
///     broadcast, non-numeric data (a ``ValueError``).
///
/// Examples
/// --------
/// >>> rrs = {412: 0.004, 443: 0.005, 490: 0.008, 510: 0.009, 560: 0.012, 665: 0.008, 709: 0.006, 865: 0.002}
/// >>> rrs.update({674: 0.0075, 754: 0.003, 779: 0.0028})
/// >>> round(float(oc.chl_eunosat(rrs, "olci-a")), 2)
/// 6.58
#[pyfunction]
#[pyo3(signature = (rrs, sensor, constants = "a016-p106", version = "A", table = None, recipe = None))]
fn chl_eunosat(
    py: Python<'_>,
    rrs: &Bound<'_, PyAny>,
    sensor: &str,
    constants: &str,
    version: &str,
    table: Option<&Bound<'_, PyAny>>,
    recipe: Option<&str>,
) -> PyResult<Py<PyArrayDyn<f32>>> {
    let args = [("constants", kw(py, constants)?), ("version", kw(py, version)?), ("table", table_arg(py, table)), ("recipe", kw(py, recipe)?)];
    registry::value(py, "chl_eunosat", rrs, sensor, &args)
}
const _: () = assert!(defaults::same(defaults::EUNOSAT_CONSTANTS, "a016-p106") && defaults::same(defaults::EUNOSAT_VERSION, "A"));

/// Rrs (sr-1) of the bio-optical forward model at `sensor`'s band centres
/// (those within 400-700 nm): {band nm: array}. `chl` mg m-3, `acdm443`
/// m-1 (None = the Case-1 tie to chl), `spm` g m-3 (mineral); arrays
/// broadcast; NaN where an input is invalid.
///
/// Parameters
/// ----------
/// chl : array_like
///     Chlorophyll-a (mg m-3).
/// acdm443 : array_like or None
///     CDOM + detritus absorption at 443 nm (m-1); None = the Case-1 tie to chl.
/// spm : array_like
///     Mineral SPM (g m-3).
/// sensor : str
///     Sensor name from :func:`sensors`, e.g. ``"olci-a"``.
/// mineral_scale : float, optional
///     Scale of the mineral specific backscattering; default the model's.
///
/// Returns
/// -------
/// dict of {int: numpy.ndarray of float32}
///     Rrs (sr-1) per nominal band (nm) within 400-700 nm.
///
/// Raises
/// ------
/// OceanColourError
///     Unknown sensor or coefficient set, missing band, shapes that do not
///     broadcast, non-numeric data (a ``ValueError``).
///
/// Examples
/// --------
/// >>> rrs = oc.forward_rrs(1.0, None, 0.0, "seawifs")
/// >>> sorted(rrs)
/// [412, 443, 490, 510, 555, 670]
/// >>> round(float(rrs[443]), 5)
/// 0.0039
#[pyfunction]
#[pyo3(signature = (chl, acdm443, spm, sensor, mineral_scale = None))]
fn forward_rrs<'py>(
    py: Python<'py>,
    chl: &Bound<'py, PyAny>,
    acdm443: Option<&Bound<'py, PyAny>>,
    spm: &Bound<'py, PyAny>,
    sensor: &str,
    mineral_scale: Option<f64>,
) -> PyResult<Bound<'py, PyDict>> {
    let s = sensors::sensor(sensor)?;
    let k = products::mineral_scale(mineral_scale);
    let nan = f32::NAN.into_pyobject(py)?.into_any();
    let acdm = acdm443.cloned().unwrap_or(nan);
    let (bands, shape) = call_with_arrays(py, &[("chl", chl), ("acdm443", &acdm), ("spm", spm)], |a| algorithms::forward_rrs(s, a[0], a[1], a[2], k))?;
    let d = PyDict::new(py);
    for (nm, v) in bands {
        d.set_item(nm, into_numpy(py, v, &shape)?)?;
    }
    Ok(d)
}

pub(super) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyOc5Table>()?;
    m.add_function(wrap_pyfunction!(chl_oc5, m)?)?;
    m.add_function(wrap_pyfunction!(chl_oc5ci, m)?)?;
    m.add_function(wrap_pyfunction!(spm_gohin, m)?)?;
    m.add_function(wrap_pyfunction!(chl_eunosat, m)?)?;
    m.add_function(wrap_pyfunction!(forward_rrs, m)?)?;
    Ok(())
}
