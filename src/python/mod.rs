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
    rrs_uncertainty: Option<f64>,
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
    rrs_uncertainty: Option<f64>,
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
    rrs_uncertainty: Option<f64>,
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
#[pyfunction]
#[pyo3(signature = (chl, coefficients = "morel2007"))]
fn kd490_morel(py: Python<'_>, chl: &Bound<'_, PyAny>, coefficients: &str) -> PyResult<PyF32Array> {
    let set = coefficients::morel_kd_set(coefficients)?;
    with_array(py, chl, "chl", |c| Ok(algorithms::kd490_morel(c, set)))
}
const _: () = assert!(defaults::same(defaults::MOREL_KD490, "morel2007"));

/// KdPAR (m-1) from Kd(490) (m-1), Morel et al. 2007 (l2gen Kd_PAR_morel):
/// c0 + c1 Kd490 + c2/Kd490 over the "first" or "second" optical depth.
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
    rrs_uncertainty: Option<f64>,
    band_correlation: f64,
    bias_corrected: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let u = registry::UncertaintyArgs { return_uncertainty, return_bias, rrs_uncertainty, band_correlation, bias_corrected };
    let [a, b, c] = u.choices(py)?;
    registry::value_and_layers(py, "spm_nechad", rrs, sensor, &[("wavelength", kw(py, wavelength)?), a, b, c], &u.layers())
}

/// Turbidity (FNU), Nechad et al. 2009: T = A rho_w / (1 - rho_w/C) at one band
/// (default: the sensor's red band).
#[pyfunction]
#[pyo3(signature = (rrs, sensor, wavelength = None))]
fn turbidity_nechad(py: Python<'_>, rrs: &Bound<'_, PyAny>, sensor: &str, wavelength: Option<u16>) -> PyResult<PyF32Array> {
    registry::value(py, "turbidity_nechad", rrs, sensor, &[("wavelength", kw(py, wavelength)?)])
}

/// Turbidity (FNU), Dogliotti et al. 2015: red band (645 nm calibration) where
/// rho_w(red) < 0.05, NIR band (859 nm) where rho_w(red) >= 0.07, blended
/// linearly between. Needs the sensor's red and NIR bands within 25 nm of
/// 645 and 859 nm.
#[pyfunction]
fn turbidity_dogliotti(py: Python<'_>, rrs: &Bound<'_, PyAny>, sensor: &str) -> PyResult<PyF32Array> {
    registry::value(py, "turbidity_dogliotti", rrs, sensor, &[])
}

/// Sets the number of threads the kernels use (1 <= n <= 1024). The default is
/// OCEANCOLOUR_NUM_THREADS, else RAYON_NUM_THREADS, else all cores.
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
#[pyfunction(name = "defaults")]
fn run_defaults(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    py.import("json")?.call_method1("loads", (crate::chain::config::defaults().to_string(),))
}

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    crate::error::install_panic_hook();
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
