//! The Python glue: numpy arrays in, numpy arrays out. Each `#[pyfunction]`
//! turns its arguments into `Reflectances` (or a flat slice), releases the GIL,
//! runs the product through the registry (`registry`), and raises
//! `OceanColourError` (a `ValueError`) for any `crate::Error`, its subclass
//! `OceanColourFileError` (also an `OSError`) for a file problem. Panics are
//! caught here and never reach Python as `PanicException`.

mod arrays;
mod cli;
mod fusion;
mod oc5;
mod pylog;
mod quality;
mod registry;

use numpy::PyArrayDyn;
use pyo3::create_exception;
use pyo3::exceptions::{PyOSError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList, PyTuple, PyType};

use crate::coefficients::{self, CI_SETS};
use crate::compute::threads;
use crate::defaults;
use crate::error::Error;
use crate::products::algorithms;
use crate::sensors::{self as sensor_registry};
use arrays::with_array;
use registry::kw;

create_exception!(
    oceancolour,
    OceanColourError,
    PyValueError,
    "Raised for any invalid input to oceancolour: unknown sensor or coefficient set, missing band, \
shapes that do not broadcast, non-numeric data. A subclass of ValueError."
);

/// `OceanColourFileError(OceanColourError, OSError)`: a problem with an input
/// or output file (`Error::File`: missing, unreadable, corrupt, unwritable), so
/// that `except OSError` and `except OceanColourError` both catch it. Made at
/// module init (pyo3's `create_exception!` takes one base only).
static FILE_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();

fn file_error_type(py: Python<'_>) -> PyResult<&Py<PyType>> {
    FILE_ERROR.get_or_try_init(py, || {
        let bases = PyTuple::new(py, [py.get_type::<OceanColourError>().into_any(), py.get_type::<PyOSError>().into_any()])?;
        let ns = PyDict::new(py);
        ns.set_item("__module__", "oceancolour")?;
        ns.set_item("__doc__", "Raised for a problem with an input or output file; an OceanColourError and an OSError.")?;
        let t = py.import("builtins")?.getattr("type")?.call1(("OceanColourFileError", bases, ns))?;
        Ok(t.cast_into::<PyType>()?.unbind())
    })
}

impl From<Error> for PyErr {
    fn from(e: Error) -> PyErr {
        match e {
            Error::File { .. } => Python::attach(|py| match file_error_type(py) {
                Ok(t) => PyErr::from_type(t.bind(py).clone(), e.to_string()),
                Err(err) => err,
            }),
            Error::OutOfMemory { .. } => pyo3::exceptions::PyMemoryError::new_err(e.to_string()),
            e => OceanColourError::new_err(e.to_string()),
        }
    }
}

type PyF32Array = Py<PyArrayDyn<f32>>;

/// Names of the sensors in the registry.
///
/// Returns
/// -------
/// list of str
///     Sensor names, e.g. ``"seawifs"``, ``"olci-a"``.
///
/// Examples
/// --------
/// >>> "olci-a" in oc.sensors()
/// True
#[pyfunction]
fn sensors() -> PyResult<Vec<&'static str>> {
    Ok(sensor_registry::all()?.iter().map(|s| s.name).collect())
}

/// The registry name of the sensor an instrument/platform pair (file
/// metadata) or an ESA product name describes, from the registry's platform
/// aliases and product-name prefixes; None when none matches. The xarray
/// accessor's detection (one copy of the aliases, in the registry).
#[pyfunction]
#[pyo3(signature = (instrument, platform, product_name=None))]
fn _sensor_from_metadata(instrument: Option<&str>, platform: Option<&str>, product_name: Option<&str>) -> PyResult<Option<&'static str>> {
    sensor_registry::all()?;
    if let Some(s) = product_name.and_then(sensor_registry::from_product_name) {
        return Ok(Some(s.name));
    }
    Ok(match (instrument, platform) {
        (Some(i), Some(p)) => sensor_registry::from_metadata(i, p).map(|s| s.name),
        _ => None,
    })
}

/// Description of a sensor: bands (nominal name, centre in nm, F0 in
/// mW cm-2 um-1 of the default set and of every set holding it, the agency's
/// band name such as OLCI "Oa04" or None), the bands each algorithm takes,
/// default coefficient sets and the F0 sets with their sources.
///
/// Parameters
/// ----------
/// sensor : str
///     Sensor name from :func:`sensors`, e.g. ``"olci-a"``.
///
/// Returns
/// -------
/// dict
///     ``bands`` (list of dicts: ``nominal``, ``centre`` nm, ``f0`` in
///     mW cm-2 um-1), ``band_roles``, ``default_ocx``, ``kd2``, ``f0_set``,
///     ``f0_sources`` and identification fields.
///
/// Raises
/// ------
/// OceanColourError
///     Unknown sensor (a ``ValueError``).
///
/// Examples
/// --------
/// >>> info = oc.sensor_info("seawifs")
/// >>> [b["nominal"] for b in info["bands"]][:6]
/// [412, 443, 490, 510, 555, 670]
#[pyfunction]
fn sensor_info<'py>(py: Python<'py>, sensor: &str) -> PyResult<Bound<'py, PyDict>> {
    let s = sensor_registry::sensor(sensor)?;
    let d = PyDict::new(py);
    d.set_item("name", s.name)?;
    d.set_item("instrument", s.instrument)?;
    d.set_item("platform", s.platform)?;
    d.set_item("platform_aliases", s.platform_aliases.to_vec())?;
    d.set_item("product_name_prefixes", s.product_name_prefixes.to_vec())?;
    d.set_item("coefficients_as", s.coefficients_as)?;
    d.set_item("source", s.source)?;
    d.set_item("registry_file", s.file)?;
    d.set_item("equator_crossing_hour", s.equator_crossing_hour)?;
    let bands = PyList::empty(py);
    for b in s.bands {
        let bd = PyDict::new(py);
        bd.set_item("nominal", b.nominal)?;
        bd.set_item("centre_nm", b.centre_nm)?;
        bd.set_item("f0", s.f0(b.nominal).ok())?;
        let sets = PyDict::new(py);
        for set in sensor_registry::F0_SETS {
            sets.set_item(set.name, set.value(s.name, b.nominal))?;
        }
        bd.set_item("f0_sets", sets)?;
        bd.set_item("id", b.id)?;
        bd.set_item("f0_from_registry", b.f0.is_some())?;
        bands.append(bd)?;
    }
    d.set_item("bands", bands)?;
    let r = &s.roles;
    let roles = PyDict::new(py);
    roles.set_item("violet", r.violet)?;
    roles.set_item("green", r.green)?;
    roles.set_item("ratio_blues", r.ratio_blues.to_vec())?;
    roles.set_item("red", r.red)?;
    roles.set_item("red_dogliotti", r.red_dogliotti)?;
    roles.set_item("nir", r.nir)?;
    d.set_item("band_roles", roles)?;
    d.set_item("default_ocx", s.default_ocx)?;
    d.set_item("kd2", s.kd2)?;
    d.set_item("f0_unit", "mW cm-2 um-1")?;
    d.set_item("f0_set", sensor_registry::DEFAULT_F0_SET)?;
    let sources = PyDict::new(py);
    for set in sensor_registry::F0_SETS {
        sources.set_item(set.name, set.source)?;
    }
    d.set_item("f0_sources", sources)?;
    Ok(d)
}

/// Every OCx coefficient set published for a sensor: name, blue and green
/// bands, a0..a4, source, and whether it is the sensor's default.
///
/// Parameters
/// ----------
/// sensor : str
///     Sensor name from :func:`sensors`, e.g. ``"olci-a"``.
///
/// Returns
/// -------
/// list of dict
///     One per set: ``name``, ``blue`` and ``green`` bands (nm), ``a`` (a0..a4),
///     ``source`` and ``default``.
///
/// Raises
/// ------
/// OceanColourError
///     Unknown sensor (a ``ValueError``).
///
/// Examples
/// --------
/// >>> sets = oc.ocx_coefficient_sets("seawifs")
/// >>> [s["name"] for s in sets if s["default"]]
/// ['oc4']
#[pyfunction]
fn ocx_coefficient_sets<'py>(py: Python<'py>, sensor: &str) -> PyResult<Bound<'py, PyList>> {
    let s = sensor_registry::sensor(sensor)?;
    let out = PyList::empty(py);
    for o in coefficients::ocx_sets(s) {
        let d = PyDict::new(py);
        d.set_item("name", o.name)?;
        d.set_item("blue_bands", o.blues.to_vec())?;
        d.set_item("green_band", o.green)?;
        d.set_item("a", o.a.to_vec())?;
        d.set_item("source", o.source)?;
        d.set_item("default", o.name == s.default_ocx)?;
        out.append(d)?;
    }
    Ok(out)
}

/// The colour-index coefficient sets: name, a0 and a1, the OCI blend
/// thresholds used with them, and their source.
///
/// Returns
/// -------
/// list of dict
///     One per set: ``name``, ``a0``, ``a1``, the OCI blend thresholds and ``source``.
///
/// Examples
/// --------
/// >>> [s["name"] for s in oc.ci_coefficient_sets()]
/// ['hu2019', 'hu2012']
#[pyfunction]
fn ci_coefficient_sets<'py>(py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
    let out = PyList::empty(py);
    for c in CI_SETS {
        let d = PyDict::new(py);
        d.set_item("name", c.name)?;
        d.set_item("a", c.a.to_vec())?;
        d.set_item("thresholds", c.blend.to_vec())?;
        d.set_item("source", c.source)?;
        out.append(d)?;
    }
    Ok(out)
}

/// Hyperspectral Rrs (sr-1; last axis = `wavelengths`, nm, increasing) as the
/// bands of a registry sensor (`target_sensor`, e.g. "olci-a"): each band the
/// response-weighted mean of the spectrum (linearly interpolated) over the
/// sensor's published RSR, weighted by the Thuillier 2003 F0 (`weighting="f0"`,
/// band radiance over band irradiance) or not (`"flat"`). Bands whose response
/// lies outside the spectrum are left out. Returns `(rrs, bands)`: the array
/// with the last axis the bands made, and their nominal wavelengths (nm).
/// NaN on any wavelength a band reads gives NaN.
///
/// Parameters
/// ----------
/// rrs_hyper : array_like
///     Hyperspectral Rrs (sr-1), last axis along `wavelengths`.
/// wavelengths : array_like
///     Wavelengths of the last axis (nm), increasing.
/// target_sensor : str
///     Sensor whose bands are made, e.g. ``"olci-a"``.
/// weighting : {"f0", "flat"}, default "f0"
///     Weight the response by the Thuillier 2003 F0 or not.
///
/// Returns
/// -------
/// rrs : numpy.ndarray of float32
///     Shape ``rrs_hyper.shape[:-1] + (len(bands),)``, Rrs in sr-1.
/// bands : list of int
///     Nominal wavelengths (nm) of the bands made.
///
/// Raises
/// ------
/// OceanColourError
///     Unknown sensor or weighting, wavelengths not increasing or not matching the
///     last axis (a ``ValueError``).
///
/// Examples
/// --------
/// >>> wl = np.arange(400.0, 901.0)
/// >>> rrs, bands = oc.convolve_bands(np.full((2, wl.size), 0.005), wl, "olci-a")
/// >>> rrs.shape, bands[:3]
/// ((2, 13), [412, 443, 490])
/// >>> float(rrs[0, 1])
/// 0.004999999888241291
#[pyfunction]
#[pyo3(signature = (rrs_hyper, wavelengths, target_sensor, weighting = "f0"))]
fn convolve_bands(
    py: Python<'_>,
    rrs_hyper: &Bound<'_, PyAny>,
    wavelengths: Vec<f64>,
    target_sensor: &str,
    weighting: &str,
) -> PyResult<(PyF32Array, Vec<u16>)> {
    use crate::kernels::convolve::{convolve, Weighting};
    let w = Weighting::parse(weighting)?;
    let target = sensor_registry::sensor(target_sensor)?;
    let (taps, _) = crate::formats::pace_oci::target_weights(target, &wavelengths, w)?;
    let bands: Vec<u16> = taps.iter().map(|b| b.nominal).collect();
    let (nw, nb) = (wavelengths.len(), taps.len());
    let out = arrays::with_last_axis(py, rrs_hyper, "rrs_hyper", nw, move |flat| {
        let per_band = convolve(flat, nw, &taps)?;
        let mut v = vec![0f32; flat.len() / nw * nb];
        for (j, band) in per_band.iter().enumerate() {
            for (p, x) in band.iter().enumerate() {
                v[p * nb + j] = *x;
            }
        }
        Ok((v, nb))
    })?;
    Ok((out, bands))
}

/// OCx maximum-band-ratio chlorophyll-a (mg m-3).
///
/// chl = 10^(a0 + a1 X + a2 X^2 + a3 X^3 + a4 X^4), X = log10(max(Rrs_blue)/Rrs_green)
/// (O'Reilly et al. 1998, 2000; O'Reilly & Werdell 2019). `rrs` maps nominal
/// band wavelengths (int, e.g. 443) to Rrs arrays (sr-1); arrays broadcast.
/// NaN where invalid (non-finite or non-positive Rrs, ratio outside
/// (0.21, 30)); clipped to [0.001, 1000] as NASA l2gen does.
/// `coefficients`: a set name from `ocx_coefficient_sets(sensor)`, or "default".
///
/// `return_uncertainty=True` also returns the per-pixel 1-sigma uncertainty of
/// log10 of the product (dex), `return_bias=True` the expected bias (dex), in
/// that order after the value: membership-weighted class statistics of the
/// Moore 2009 water types (this library's fit, docs/uncertainty.md), with
/// `rrs_uncertainty` (relative, e.g. 0.05) propagated through the algorithm and
/// combined in quadrature; `band_correlation` in [0, 1]; `bias_corrected=True`
/// returns the bias-corrected value (value x 10^-bias) with the class SD as its
/// uncertainty (never the default).
///
/// Parameters
/// ----------
/// rrs : dict of {int or str: array_like}
///     Remote-sensing reflectance Rrs (sr-1) per nominal band wavelength (nm), keyed
///     ``443`` or ``"Rrs_443"``; arrays broadcast together.
/// sensor : str
///     Sensor name from :func:`sensors`, e.g. ``"olci-a"``.
/// coefficients : str, default "default"
///     A set name from :func:`ocx_coefficient_sets`, or ``"default"``.
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
/// >>> rrs = {443: 0.008, 490: 0.006, 510: 0.0035, 555: 0.0018, 670: 0.0002}
/// >>> round(float(oc.chl_ocx(rrs, sensor="seawifs")), 3)
/// 0.123
/// >>> rrs[412] = 0.009
/// >>> chl, sigma = oc.chl_ocx(rrs, "seawifs", return_uncertainty=True)
/// >>> round(float(sigma), 3)
/// 0.163
#[pyfunction]
#[pyo3(signature = (rrs, sensor, coefficients = "default", return_uncertainty = false, return_bias = false, rrs_uncertainty = None, band_correlation = 0.0, bias_corrected = false))]
#[allow(clippy::too_many_arguments)]
fn chl_ocx<'py>(
    py: Python<'py>,
    rrs: &Bound<'py, PyAny>,
    sensor: &str,
    coefficients: &str,
    return_uncertainty: bool,
    return_bias: bool,
    rrs_uncertainty: Option<Bound<'py, PyAny>>,
    band_correlation: f64,
    bias_corrected: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let u = registry::UncertaintyArgs { return_uncertainty, return_bias, rrs_uncertainty, band_correlation, bias_corrected };
    let [a, b, c] = u.choices(py)?;
    registry::value_and_layers(py, "chl_ocx", rrs, sensor, &[("coefficients", kw(py, coefficients)?), a, b, c], &u.layers())
}
const _: () = assert!(defaults::same(defaults::OCX, "default"));

/// Hu et al. colour-index chlorophyll-a (mg m-3) for clear water.
///
/// CI = min(Rrs555 - [Rrs443 + (555-443)/(670-443) (Rrs_red - Rrs443)], 0),
/// chl = 10^(a0 + a1 CI), with the green band converted to 555 nm by NASA's
/// conv_rrs_to_555 (Hu, Lee & Franz 2012; Hu et al. 2019). Needs the 443,
/// green and red bands. `coefficients`: "hu2019" (NASA current) or "hu2012".
///
/// Parameters
/// ----------
/// rrs : dict of {int or str: array_like}
///     Remote-sensing reflectance Rrs (sr-1) per nominal band wavelength (nm), keyed
///     ``443`` or ``"Rrs_443"``; arrays broadcast together.
/// sensor : str
///     Sensor name from :func:`sensors`, e.g. ``"olci-a"``.
/// coefficients : {"hu2019", "hu2012"}, default "hu2019"
///     The colour-index coefficient set.
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
/// >>> rrs = {443: 0.008, 490: 0.006, 510: 0.0035, 555: 0.0018, 670: 0.0002}
/// >>> round(float(oc.chl_ci(rrs, "seawifs")), 3)
/// 0.107
#[pyfunction]
#[pyo3(signature = (rrs, sensor, coefficients = "hu2019"))]
fn chl_ci(py: Python<'_>, rrs: &Bound<'_, PyAny>, sensor: &str, coefficients: &str) -> PyResult<PyF32Array> {
    registry::value(py, "chl_ci", rrs, sensor, &[("coefficients", kw(py, coefficients)?)])
}
const _: () = assert!(defaults::same(defaults::CI, "hu2019"));

/// OCI chlorophyll-a (mg m-3): CI where chl_CI <= t1, OCx where chl_CI >= t2,
/// a linear blend between (NASA l2gen chl_oci). `thresholds` default to those
/// published with the CI set: (0.25, 0.35) for hu2019, (0.15, 0.20) for hu2012.
///
/// `return_uncertainty=True` also returns the per-pixel 1-sigma uncertainty of
/// log10 of the product (dex), `return_bias=True` the expected bias (dex), in
/// that order after the value: membership-weighted class statistics of the
/// Moore 2009 water types (this library's fit, docs/uncertainty.md), with
/// `rrs_uncertainty` (relative, e.g. 0.05) propagated through the algorithm and
/// combined in quadrature; `band_correlation` in [0, 1]; `bias_corrected=True`
/// returns the bias-corrected value (value x 10^-bias) with the class SD as its
/// uncertainty (never the default).
///
/// Parameters
/// ----------
/// rrs : dict of {int or str: array_like}
///     Remote-sensing reflectance Rrs (sr-1) per nominal band wavelength (nm), keyed
///     ``443`` or ``"Rrs_443"``; arrays broadcast together.
/// sensor : str
///     Sensor name from :func:`sensors`, e.g. ``"olci-a"``.
/// ocx : str, default "default"
///     The OCx coefficient set (see :func:`ocx_coefficient_sets`).
/// ci : {"hu2019", "hu2012"}, default "hu2019"
///     The colour-index coefficient set.
/// thresholds : tuple of float, optional
///     ``(t1, t2)`` blend thresholds on chl_CI (mg m-3); default: the CI set's.
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
/// >>> rrs = {443: 0.008, 490: 0.006, 510: 0.0035, 555: 0.0018, 670: 0.0002}
/// >>> round(float(oc.chl_oci(rrs, "seawifs")), 3)
/// 0.107
#[pyfunction]
#[pyo3(signature = (rrs, sensor, ocx = "default", ci = "hu2019", thresholds = None, return_uncertainty = false, return_bias = false, rrs_uncertainty = None, band_correlation = 0.0, bias_corrected = false))]
#[allow(clippy::too_many_arguments)]
fn chl_oci<'py>(
    py: Python<'py>,
    rrs: &Bound<'py, PyAny>,
    sensor: &str,
    ocx: &str,
    ci: &str,
    thresholds: Option<(f64, f64)>,
    return_uncertainty: bool,
    return_bias: bool,
    rrs_uncertainty: Option<Bound<'py, PyAny>>,
    band_correlation: f64,
    bias_corrected: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let u = registry::UncertaintyArgs { return_uncertainty, return_bias, rrs_uncertainty, band_correlation, bias_corrected };
    let [a, b, c] = u.choices(py)?;
    let args = [("ocx", kw(py, ocx)?), ("ci", kw(py, ci)?), ("thresholds", kw(py, thresholds)?), a, b, c];
    registry::value_and_layers(py, "chl_oci", rrs, sensor, &args, &u.layers())
}

/// Diffuse attenuation Kd(490) (m-1) by NASA's KD2 band-ratio algorithm:
/// Kd = 0.0166 + 10^poly(log10(Rrs_blue/Rrs_green)), clipped to [0.016, 6.4].
/// `coefficients`: "default" (the sensor's KD2 set), "kd2s", "kd2m", "kd2e", "kd2v".
///
/// `return_uncertainty=True` also returns the per-pixel 1-sigma uncertainty of
/// log10 of the product (dex), `return_bias=True` the expected bias (dex), in
/// that order after the value: membership-weighted class statistics of the
/// Moore 2009 water types (this library's fit, docs/uncertainty.md), with
/// `rrs_uncertainty` (relative, e.g. 0.05) propagated through the algorithm and
/// combined in quadrature; `band_correlation` in [0, 1]; `bias_corrected=True`
/// returns the bias-corrected value (value x 10^-bias) with the class SD as its
/// uncertainty (never the default).
///
/// Parameters
/// ----------
/// rrs : dict of {int or str: array_like}
///     Remote-sensing reflectance Rrs (sr-1) per nominal band wavelength (nm), keyed
///     ``443`` or ``"Rrs_443"``; arrays broadcast together.
/// sensor : str
///     Sensor name from :func:`sensors`, e.g. ``"olci-a"``.
/// coefficients : str, default "default"
///     ``"default"`` (the sensor's KD2 set), ``"kd2s"``, ``"kd2m"``, ``"kd2e"`` or ``"kd2v"``.
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
/// kd490 : numpy.ndarray of float32
///     Kd(490) (m-1), broadcast shape of the inputs; NaN where invalid.
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
/// >>> rrs = {443: 0.008, 490: 0.006, 510: 0.0035, 555: 0.0018, 670: 0.0002}
/// >>> round(float(oc.kd490(rrs, "seawifs")), 4)
/// 0.0355
#[pyfunction]
#[pyo3(signature = (rrs, sensor, coefficients = "default", return_uncertainty = false, return_bias = false, rrs_uncertainty = None, band_correlation = 0.0, bias_corrected = false))]
#[allow(clippy::too_many_arguments)]
fn kd490<'py>(
    py: Python<'py>,
    rrs: &Bound<'py, PyAny>,
    sensor: &str,
    coefficients: &str,
    return_uncertainty: bool,
    return_bias: bool,
    rrs_uncertainty: Option<Bound<'py, PyAny>>,
    band_correlation: f64,
    bias_corrected: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let u = registry::UncertaintyArgs { return_uncertainty, return_bias, rrs_uncertainty, band_correlation, bias_corrected };
    let [a, b, c] = u.choices(py)?;
    registry::value_and_layers(py, "kd490", rrs, sensor, &[("coefficients", kw(py, coefficients)?), a, b, c], &u.layers())
}
const _: () = assert!(defaults::same(defaults::KD2, "default"));

/// Kd(490) (m-1) from chlorophyll-a (mg m-3): Kw + chi chl^e.
/// `coefficients`: "morel2007" (Morel et al. 2007, as in l2gen) or
/// "morel-maritorena2001".
///
/// Parameters
/// ----------
/// chl : array_like
///     Chlorophyll-a (mg m-3).
/// coefficients : {"morel2007", "morel-maritorena2001"}, default "morel2007"
///     The coefficient set.
///
/// Returns
/// -------
/// kd490 : numpy.ndarray of float32
///     Kd(490) (m-1), shape of `chl`; NaN where invalid.
///
/// Raises
/// ------
/// OceanColourError
///     Non-numeric input, shapes that do not broadcast or an invalid argument
///     (a ``ValueError``).
///
/// Examples
/// --------
/// >>> np.round(oc.kd490_morel([0.1, 1.0, 10.0]), 4)
/// array([0.0331, 0.0943, 0.3826], dtype=float32)
#[pyfunction]
#[pyo3(signature = (chl, coefficients = "morel2007"))]
fn kd490_morel(py: Python<'_>, chl: &Bound<'_, PyAny>, coefficients: &str) -> PyResult<PyF32Array> {
    let set = coefficients::morel_kd_set(coefficients)?;
    with_array(py, chl, "chl", |c| Ok(algorithms::kd490_morel(c, set)))
}
const _: () = assert!(defaults::same(defaults::MOREL_KD490, "morel2007"));

/// KdPAR (m-1) from Kd(490) (m-1), Morel et al. 2007 (l2gen Kd_PAR_morel):
/// c0 + c1 Kd490 + c2/Kd490 over the "first" or "second" optical depth.
///
/// Parameters
/// ----------
/// kd490 : array_like
///     Kd(490) (m-1).
/// depth : {"first", "second"}, default "first"
///     Over the first or the second optical depth.
///
/// Returns
/// -------
/// kdpar : numpy.ndarray of float32
///     KdPAR (m-1), shape of `kd490`; NaN where invalid.
///
/// Raises
/// ------
/// OceanColourError
///     Non-numeric input, shapes that do not broadcast or an invalid argument
///     (a ``ValueError``).
///
/// Examples
/// --------
/// >>> np.round(oc.kdpar_morel([0.05, 0.2]), 4)
/// array([0.1032, 0.2564], dtype=float32)
#[pyfunction]
#[pyo3(signature = (kd490, depth = "first"))]
fn kdpar_morel(py: Python<'_>, kd490: &Bound<'_, PyAny>, depth: &str) -> PyResult<PyF32Array> {
    with_array(py, kd490, "kd490", |k| algorithms::kdpar_morel(k, depth))
}
const _: () = assert!(defaults::same(defaults::KDPAR_DEPTH, "first"));

/// Suspended particulate matter (g m-3), Nechad, Ruddick & Park 2010:
/// SPM = A rho_w / (1 - rho_w/C), rho_w = pi Rrs, with A and C of the
/// published calibration at the band centre. `wavelength`: a nominal band of
/// the sensor (default: its red band, e.g. 665 for OLCI).
///
/// `return_uncertainty=True` also returns the per-pixel 1-sigma uncertainty of
/// log10 of the product (dex), `return_bias=True` the expected bias (dex), in
/// that order after the value: membership-weighted class statistics of the
/// Moore 2009 water types (this library's fit, docs/uncertainty.md), with
/// `rrs_uncertainty` (relative, e.g. 0.05) propagated through the algorithm and
/// combined in quadrature; `band_correlation` in [0, 1]; `bias_corrected=True`
/// returns the bias-corrected value (value x 10^-bias) with the class SD as its
/// uncertainty (never the default).
///
/// Parameters
/// ----------
/// rrs : dict of {int or str: array_like}
///     Remote-sensing reflectance Rrs (sr-1) per nominal band wavelength (nm), keyed
///     ``443`` or ``"Rrs_443"``; arrays broadcast together.
/// sensor : str
///     Sensor name from :func:`sensors`, e.g. ``"olci-a"``.
/// wavelength : int, optional
///     A nominal band of the sensor (nm); default its red band.
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
///     SPM (g m-3), broadcast shape of the inputs; NaN where invalid.
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
/// >>> round(float(oc.spm_nechad(rrs, "olci-a")), 2)
/// 10.47
#[pyfunction]
#[pyo3(signature = (rrs, sensor, wavelength = None, return_uncertainty = false, return_bias = false, rrs_uncertainty = None, band_correlation = 0.0, bias_corrected = false))]
#[allow(clippy::too_many_arguments)]
fn spm_nechad<'py>(
    py: Python<'py>,
    rrs: &Bound<'py, PyAny>,
    sensor: &str,
    wavelength: Option<u16>,
    return_uncertainty: bool,
    return_bias: bool,
    rrs_uncertainty: Option<Bound<'py, PyAny>>,
    band_correlation: f64,
    bias_corrected: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let u = registry::UncertaintyArgs { return_uncertainty, return_bias, rrs_uncertainty, band_correlation, bias_corrected };
    let [a, b, c] = u.choices(py)?;
    registry::value_and_layers(py, "spm_nechad", rrs, sensor, &[("wavelength", kw(py, wavelength)?), a, b, c], &u.layers())
}

/// Turbidity (FNU), Nechad et al. 2009: T = A rho_w / (1 - rho_w/C) at one band
/// (default: the sensor's red band).
///
/// Parameters
/// ----------
/// rrs : dict of {int or str: array_like}
///     Remote-sensing reflectance Rrs (sr-1) per nominal band wavelength (nm), keyed
///     ``443`` or ``"Rrs_443"``; arrays broadcast together.
/// sensor : str
///     Sensor name from :func:`sensors`, e.g. ``"olci-a"``.
/// wavelength : int, optional
///     A nominal band of the sensor (nm); default its red band.
///
/// Returns
/// -------
/// turbidity : numpy.ndarray of float32
///     Turbidity (FNU), broadcast shape of the inputs; NaN where invalid.
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
/// >>> round(float(oc.turbidity_nechad(rrs, "olci-a")), 2)
/// 8.32
#[pyfunction]
#[pyo3(signature = (rrs, sensor, wavelength = None))]
fn turbidity_nechad(py: Python<'_>, rrs: &Bound<'_, PyAny>, sensor: &str, wavelength: Option<u16>) -> PyResult<PyF32Array> {
    registry::value(py, "turbidity_nechad", rrs, sensor, &[("wavelength", kw(py, wavelength)?)])
}

/// Turbidity (FNU), Dogliotti et al. 2015: red band (645 nm calibration) where
/// rho_w(red) < 0.05, NIR band (859 nm) where rho_w(red) >= 0.07, blended
/// linearly between. Needs the sensor's red and NIR bands within 25 nm of
/// 645 and 859 nm.
///
/// Parameters
/// ----------
/// rrs : dict of {int or str: array_like}
///     Remote-sensing reflectance Rrs (sr-1) per nominal band wavelength (nm), keyed
///     ``443`` or ``"Rrs_443"``; arrays broadcast together.
/// sensor : str
///     Sensor name from :func:`sensors`, e.g. ``"olci-a"``.
///
/// Returns
/// -------
/// turbidity : numpy.ndarray of float32
///     Turbidity (FNU), broadcast shape of the inputs; NaN where invalid.
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
/// >>> round(float(oc.turbidity_dogliotti(rrs, "olci-a")), 2)
/// 8.32
#[pyfunction]
fn turbidity_dogliotti(py: Python<'_>, rrs: &Bound<'_, PyAny>, sensor: &str) -> PyResult<PyF32Array> {
    registry::value(py, "turbidity_dogliotti", rrs, sensor, &[])
}

/// Sets the number of threads the kernels use (1 <= n <= 1024). The default is
/// OCEANCOLOUR_NUM_THREADS, else RAYON_NUM_THREADS, else all cores.
///
/// Parameters
/// ----------
/// n : int
///     Number of threads, 1 <= n <= 1024.
///
/// Returns
/// -------
/// None
///
/// Raises
/// ------
/// OceanColourError
///     `n` not an int or outside 1..1024 (a ``ValueError``).
///
/// Examples
/// --------
/// >>> n = oc.get_num_threads()
/// >>> oc.set_num_threads(1)
/// >>> oc.get_num_threads()
/// 1
/// >>> oc.set_num_threads(n)
#[pyfunction]
fn set_num_threads(py: Python<'_>, n: &Bound<'_, PyAny>) -> PyResult<()> {
    // Any int (negative, huge) gets the library's own message, not an OverflowError.
    let n: i128 = n.extract().map_err(|_| {
        OceanColourError::new_err(format!(
            "invalid parameter num_threads: {} is not a thread count (a whole number from 1 to 1024)",
            n.repr().map(|r| r.to_string()).unwrap_or_default()
        ))
    })?;
    let n = usize::try_from(n.max(0)).unwrap_or(usize::MAX);
    // Starting the pool's threads can take a while: not with the GIL held.
    Ok(py.detach(|| threads::set_num_threads(n))?)
}

/// The number of threads the kernels use.
///
/// Returns
/// -------
/// int
///     The number of threads.
///
/// Examples
/// --------
/// >>> oc.get_num_threads() >= 1
/// True
#[pyfunction]
fn get_num_threads() -> usize {
    threads::num_threads()
}

/// Internal: called by os.register_at_fork in a forked child.
#[pyfunction]
fn _forget_pool_after_fork() {
    // SAFETY: registered with os.register_at_fork(after_in_child=...) only: it runs in the
    // child right after fork, when the child has a single thread.
    unsafe {
        threads::forget_pool_after_fork();
        registry::forget_tables_after_fork();
    }
}

/// The defaults of every run, as the chain applies them: `process` (the
/// configuration of `oceancolour process`, with `jobs`), `bin`, `intercal`,
/// `merge` and `l4`. The keyword defaults of the Python functions are the same.
///
/// Returns
/// -------
/// dict
///     One table per command (`process`, `bin`, `intercal`, `merge`, `l4`),
///     each mapping a configuration key to its default value.
///
/// Raises
/// ------
/// OceanColourError
///     Never for valid installs; only if the defaults cannot be serialised.
///
/// Examples
/// --------
/// >>> import oceancolour as oc
/// >>> d = oc.defaults()
/// >>> d["bin"]["averaging"], d["merge"]["space"]
/// ('arithmetic', 'log10')
#[pyfunction(name = "defaults")]
fn run_defaults(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    py.import("json")?.call_method1("loads", (crate::chain::config::defaults().to_string(),))
}

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    crate::error::install_panic_hook();
    crate::formats::nc::no_hdf5_exit_handler();
    pylog::install();
    m.add("OceanColourError", m.py().get_type::<OceanColourError>())?;
    m.add("OceanColourFileError", file_error_type(m.py())?.clone_ref(m.py()))?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(run_defaults, m)?)?;
    m.add_function(wrap_pyfunction!(sensors, m)?)?;
    m.add_function(wrap_pyfunction!(sensor_info, m)?)?;
    m.add_function(wrap_pyfunction!(_sensor_from_metadata, m)?)?;
    m.add_function(wrap_pyfunction!(ocx_coefficient_sets, m)?)?;
    m.add_function(wrap_pyfunction!(ci_coefficient_sets, m)?)?;
    m.add_function(wrap_pyfunction!(convolve_bands, m)?)?;
    m.add_function(wrap_pyfunction!(chl_ocx, m)?)?;
    m.add_function(wrap_pyfunction!(chl_ci, m)?)?;
    m.add_function(wrap_pyfunction!(chl_oci, m)?)?;
    m.add_function(wrap_pyfunction!(kd490, m)?)?;
    m.add_function(wrap_pyfunction!(kd490_morel, m)?)?;
    m.add_function(wrap_pyfunction!(kdpar_morel, m)?)?;
    m.add_function(wrap_pyfunction!(spm_nechad, m)?)?;
    m.add_function(wrap_pyfunction!(turbidity_nechad, m)?)?;
    m.add_function(wrap_pyfunction!(turbidity_dogliotti, m)?)?;
    registry::register(m)?;
    oc5::register(m)?;
    quality::register(m)?;
    m.add_function(wrap_pyfunction!(set_num_threads, m)?)?;
    m.add_function(wrap_pyfunction!(get_num_threads, m)?)?;
    m.add_function(wrap_pyfunction!(_forget_pool_after_fork, m)?)?;
    fusion::register(m)?;
    m.add_function(wrap_pyfunction!(cli::cli_main, m)?)?;
    m.add_function(wrap_pyfunction!(cli::process, m)?)?;
    Ok(())
}
