//! `oc.oc5_class` and `oc.owt_dominant`: the quality products of issue 13 from
//! Python (rows of the product registry; kernels in `quality`).

use numpy::{PyArrayDyn, PyArrayMethods};
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use super::arrays::into_numpy;
use super::registry::{self, kw};
use super::OceanColourError;
use crate::defaults;
use crate::products::Layer;

/// OC5 applicability class per pixel (uint8), the RBINS/EUNOSAT tests on rho = pi Rrs
/// at 412, 443, 490, 560 nm (band-shifted, Melin & Sclep 2015, where the sensor lacks
/// them) and the OC5 chl (`table` as `chl_oc5`): 1 oc5_applicable,
/// 2 oc5_usable_larger_uncertainty, 3 very_high_spm, 4 very_high_cdom,
/// 5 very_high_spm_and_very_high_cdom, 6 high_chl, 7 low_cdom (version B only),
/// 0 not classified. `version`: "B" (C2RCC tuning, RBINS-1, default) or "A" (Polymer).
/// Pixels are never removed by it (docs/uncertainty.md s1).
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
/// version : {"B", "A"}, default "B"
///     The tests' version.
///
/// Returns
/// -------
/// oc5_class : numpy.ndarray of uint8
///     Class 0..7 per pixel, broadcast shape of the inputs.
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
/// >>> oc.oc5_class(rrs, "olci-a")
/// array(1, dtype=uint8)
#[pyfunction]
#[pyo3(signature = (rrs, sensor, table = None, version = "B"))]
fn oc5_class<'py>(py: Python<'py>, rrs: &Bound<'py, PyAny>, sensor: &str, table: Option<&Bound<'py, PyAny>>, version: &str) -> PyResult<Bound<'py, PyAny>> {
    let table = table.cloned().unwrap_or_else(|| py.None().into_bound(py));
    let (mut out, shape) = registry::run(py, "oc5_class", rrs, sensor, &[("table", table), ("version", kw(py, version)?)], &["class"])?;
    match out.take("class") {
        Some(Layer::U8(k)) => Ok(into_numpy(py, k, &shape)?.into_bound(py).into_any()),
        _ => Err(OceanColourError::new_err("internal error: oc5_class gave no class")),
    }
}
const _: () = assert!(defaults::same(defaults::OC5_CLASS_VERSION, "B"));

/// Dominant optical water type of Moore et al. 2009 (uint8, 1..8; 0 = unclassified:
/// memberships sum < 1e-6, or invalid: a band non-finite or negative), from the
/// below-water rrs at 412, 443, 490, 510, 555, 670 nm (band-shifted where the sensor
/// lacks them). `return_memberships=True` also returns the memberships
/// f_k = 1 - F_chi2(Z_k^2; 6) (float32, shape (..., 8), not normalised; NaN where invalid).
///
/// Parameters
/// ----------
/// rrs : dict of {int or str: array_like}
///     Remote-sensing reflectance Rrs (sr-1) per nominal band wavelength (nm), keyed
///     ``443`` or ``"Rrs_443"``; arrays broadcast together.
/// sensor : str
///     Sensor name from :func:`sensors`, e.g. ``"olci-a"``.
/// return_memberships : bool, default False
///     Also return the 8 memberships.
///
/// Returns
/// -------
/// owt : numpy.ndarray of uint8
///     Dominant water type 1..8 (0 unclassified), broadcast shape of the inputs.
/// memberships : numpy.ndarray of float32, optional
///     Shape ``owt.shape + (8,)``, if `return_memberships`.
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
/// >>> oc.owt_dominant(rrs, "olci-a")
/// array(7, dtype=uint8)
#[pyfunction]
#[pyo3(signature = (rrs, sensor, return_memberships = false))]
fn owt_dominant<'py>(py: Python<'py>, rrs: &Bound<'py, PyAny>, sensor: &str, return_memberships: bool) -> PyResult<Bound<'py, PyAny>> {
    let layers: &[&str] = if return_memberships { &["class", "membership"] } else { &["class"] };
    let (mut out, shape) = registry::run(py, "owt_dominant", rrs, sensor, &[], layers)?;
    let Some(Layer::U8(k)) = out.take("class") else { return Err(OceanColourError::new_err("internal error: owt_dominant gave no class")) };
    let dominant = into_numpy(py, k, &shape)?.into_bound(py).into_any();
    if !return_memberships {
        return Ok(dominant);
    }
    let Some(Layer::F32(f)) = out.take("membership") else { return Err(OceanColourError::new_err("internal error: owt_dominant gave no memberships")) };
    let mut fshape = shape.clone();
    fshape.push(crate::quality::owt::CLASSES);
    let m: Bound<'py, PyArrayDyn<f32>> = into_numpy(py, f, &fshape)?.into_bound(py);
    let _ = m.readonly();
    Ok(PyTuple::new(py, [dominant, m.into_any()])?.into_any())
}

pub(super) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(oc5_class, m)?)?;
    m.add_function(wrap_pyfunction!(owt_dominant, m)?)?;
    Ok(())
}
