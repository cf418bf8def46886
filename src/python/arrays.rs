//! numpy <-> flat f32 slices: reading band mappings, broadcasting, releasing
//! the GIL around the computation, shaping the result.

use std::panic::{catch_unwind, AssertUnwindSafe};

use ndarray::{ArrayD, IxDyn};
use numpy::{AllowTypeChange, IntoPyArray, PyArrayDyn, PyArrayLikeDyn, PyUntypedArrayMethods};
use pyo3::prelude::*;
use pyo3::types::{PyMapping, PyString};

use super::OceanColourError;
use crate::error::Result;
use crate::reflectance::Reflectances;
use crate::sensors::Sensor;

type Input<'py> = PyArrayLikeDyn<'py, f32, AllowTypeChange>;

/// A band key: 443, "443" or "Rrs_443".
fn band_key(key: &Bound<'_, PyAny>) -> PyResult<u16> {
    if let Ok(nm) = key.extract::<u16>() {
        return Ok(nm);
    }
    if let Ok(s) = key.cast::<PyString>() {
        let s = s.to_string();
        let digits = s.trim().trim_start_matches("Rrs_").trim_start_matches("rrs_");
        if let Ok(nm) = digits.parse::<u16>() {
            return Ok(nm);
        }
    }
    Err(OceanColourError::new_err(format!(
        "band key {} is not a wavelength: use the nominal band wavelength in nm, e.g. 443 or \"Rrs_443\"",
        key.repr().map(|r| r.to_string()).unwrap_or_default()
    )))
}

fn read_array<'py>(value: &Bound<'py, PyAny>, what: &str) -> PyResult<Input<'py>> {
    let extract =
        |v: &Bound<'py, PyAny>| v.extract::<Input<'py>>().map_err(|e| OceanColourError::new_err(format!("{what}: cannot be read as an array of floats ({e})")));
    // numpy masked arrays: masked pixels are invalid input, as NaN (reading
    // the data alone would compute products from the masked values).
    let ma = value.py().import("numpy.ma")?;
    if ma.call_method1("isMaskedArray", (value,))?.is_truthy()? {
        let filled = ma.call_method1("filled", (value.call_method1("astype", ("float32",))?, f32::NAN))?;
        return extract(&filled);
    }
    let arr = extract(value)?;
    if arr.is_aligned() {
        return Ok(arr);
    }
    // Arrays unpickled from out-of-band buffers (dask workers, pickle 5) can
    // be misaligned for f32; Rust views need aligned data, a numpy copy is.
    let aligned = arr.call_method0("copy")?;
    extract(&aligned)
}

/// numpy broadcasting of several shapes, or an error naming them; a
/// MemoryError when the broadcast copies and the output cannot fit.
fn broadcast_shape(shapes: &[(String, Vec<usize>)]) -> PyResult<Vec<usize>> {
    let out = broadcast(shapes)?;
    let pixels = out.iter().fold(1u128, |n, &d| n.saturating_mul(d as u128));
    crate::compute::memory::ensure_fits(pixels.saturating_mul(shapes.len() as u128 + 1), 4, &format!("arrays broadcast to shape {out:?}"))?;
    Ok(out)
}

fn broadcast(shapes: &[(String, Vec<usize>)]) -> PyResult<Vec<usize>> {
    let ndim = shapes.iter().map(|s| s.1.len()).max().unwrap_or(0);
    let mut out = vec![1usize; ndim];
    for (_, shape) in shapes {
        for (i, &d) in shape.iter().rev().enumerate() {
            let o = &mut out[ndim - 1 - i];
            if *o == 1 {
                *o = d;
            } else if d != 1 && d != *o {
                let listed: Vec<String> = shapes.iter().map(|(n, s)| format!("{n} has shape {s:?}")).collect();
                return Err(OceanColourError::new_err(format!("array shapes do not broadcast together: {}", listed.join(", "))));
            }
        }
    }
    Ok(out)
}

/// Runs `f` without the GIL, turning a panic into OceanColourError.
pub(super) fn compute<T: Send>(py: Python<'_>, f: impl FnOnce() -> Result<T> + Send) -> PyResult<T> {
    let result = py.detach(|| catch_unwind(AssertUnwindSafe(f)));
    match result {
        Ok(r) => Ok(r?),
        Err(panic) => {
            let msg =
                panic.downcast_ref::<String>().cloned().or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string())).unwrap_or_else(|| "unknown".into());
            Err(OceanColourError::new_err(format!("internal error in oceancolour (please report): {msg}")))
        }
    }
}

pub(super) fn into_numpy<T: numpy::Element>(py: Python<'_>, values: Vec<T>, shape: &[usize]) -> PyResult<Py<PyArrayDyn<T>>> {
    let arr = ArrayD::from_shape_vec(IxDyn(shape), values).map_err(|e| OceanColourError::new_err(format!("internal error shaping the result: {e}")))?;
    Ok(arr.into_pyarray(py).unbind())
}

/// Flat, C-ordered data of `arr` broadcast to `shape`: borrowed when it
/// already is, copied otherwise.
enum Flat<'py> {
    Borrowed(Input<'py>),
    Owned(Vec<f32>),
}

impl Flat<'_> {
    fn new<'py>(arr: Input<'py>, shape: &[usize]) -> Flat<'py> {
        let view = arr.as_array();
        if view.shape() == shape && view.as_slice().is_some() {
            return Flat::Borrowed(arr);
        }
        let b = view.broadcast(IxDyn(shape)).expect("shape checked by broadcast_shape");
        Flat::Owned(b.iter().copied().collect())
    }

    fn slice(&self) -> &[f32] {
        match self {
            Flat::Borrowed(a) => a.as_slice().expect("checked contiguous in Flat::new"),
            Flat::Owned(v) => v,
        }
    }
}

/// A band mapping ({443: a, "Rrs_555": b}) as (nm, array) pairs, each band once;
/// `what` names the mapping in errors ("rrs", "rrs_uncertainty").
fn read_bands<'py>(m: &Bound<'py, PyAny>, what: &str, element: &str) -> PyResult<Vec<(u16, Input<'py>)>> {
    let mapping = m.cast::<PyMapping>().map_err(|_| {
        OceanColourError::new_err(format!(
            "{what} must be a mapping from band wavelength (nm) to arrays, e.g. {{443: a, 555: b}}; got {}",
            m.get_type().name().map(|n| n.to_string()).unwrap_or_default()
        ))
    })?;
    let mut bands: Vec<(u16, Input<'py>)> = Vec::new();
    for item in mapping.items()?.iter() {
        let (k, v): (Bound<PyAny>, Bound<PyAny>) = item.extract()?;
        let nm = band_key(&k)?;
        if bands.iter().any(|(b, _)| *b == nm) {
            return Err(OceanColourError::new_err(format!(
                "{what}: band {nm} is given twice (keys {} and another spelling of {nm}): give each band once",
                k.repr().map(|r| r.to_string()).unwrap_or_default()
            )));
        }
        bands.push((nm, read_array(&v, &format!("{element} band {nm}"))?));
    }
    Ok(bands)
}

/// Broadcasts a Rrs mapping (with `extras`, and the per-band Rrs standard
/// uncertainties `sigma` where given) together and runs `f` on the
/// reflectances of `sensor` and the extras' flat slices without the GIL.
/// Returns f's result and the broadcast shape.
pub(super) fn call_with_reflectances<T: Send>(
    py: Python<'_>,
    rrs: &Bound<'_, PyAny>,
    sensor: &'static Sensor,
    extras: &[(&str, &Bound<'_, PyAny>)],
    sigma: Option<&Bound<'_, PyAny>>,
    f: impl FnOnce(&Reflectances, &[&[f32]]) -> Result<T> + Send,
) -> PyResult<(T, Vec<usize>)> {
    let bands = read_bands(rrs, "rrs", "Rrs")?;
    let sigma = sigma.map(|m| read_bands(m, "rrs_uncertainty", "Rrs uncertainty")).transpose()?.unwrap_or_default();
    let extra_arrays = extras.iter().map(|(name, v)| read_array(v, name)).collect::<PyResult<Vec<_>>>()?;
    let mut shapes: Vec<(String, Vec<usize>)> = bands.iter().map(|(nm, a)| (format!("band {nm}"), a.as_array().shape().to_vec())).collect();
    shapes.extend(sigma.iter().map(|(nm, a)| (format!("rrs_uncertainty band {nm}"), a.as_array().shape().to_vec())));
    shapes.extend(extras.iter().zip(&extra_arrays).map(|((n, _), a)| (n.to_string(), a.as_array().shape().to_vec())));
    let shape = broadcast_shape(&shapes)?;
    let flats: Vec<(u16, Flat)> = bands.into_iter().map(|(nm, a)| (nm, Flat::new(a, &shape))).collect();
    let sigma_flats: Vec<(u16, Flat)> = sigma.into_iter().map(|(nm, a)| (nm, Flat::new(a, &shape))).collect();
    let extra_flats: Vec<Flat> = extra_arrays.into_iter().map(|a| Flat::new(a, &shape)).collect();
    let slices: Vec<(u16, &[f32])> = flats.iter().map(|(nm, f)| (*nm, f.slice())).collect();
    let sigma_slices: Vec<(u16, &[f32])> = sigma_flats.iter().map(|(nm, f)| (*nm, f.slice())).collect();
    let extra_slices: Vec<&[f32]> = extra_flats.iter().map(|f| f.slice()).collect();
    let value = compute(py, || {
        let r = Reflectances::new(sensor, slices)?.with_sigma(sigma_slices)?;
        f(&r, &extra_slices)
    })?;
    Ok((value, shape))
}

/// Broadcasts named arrays together and runs `f` on their flat slices without
/// the GIL. Returns f's result and the broadcast shape.
pub(super) fn call_with_arrays<T: Send>(
    py: Python<'_>,
    arrays: &[(&str, &Bound<'_, PyAny>)],
    f: impl FnOnce(&[&[f32]]) -> Result<T> + Send,
) -> PyResult<(T, Vec<usize>)> {
    let arrs = arrays.iter().map(|(name, v)| read_array(v, name)).collect::<PyResult<Vec<_>>>()?;
    let shapes: Vec<(String, Vec<usize>)> = arrays.iter().zip(&arrs).map(|((n, _), a)| (n.to_string(), a.as_array().shape().to_vec())).collect();
    let shape = broadcast_shape(&shapes)?;
    let flats: Vec<Flat> = arrs.into_iter().map(|a| Flat::new(a, &shape)).collect();
    let slices: Vec<&[f32]> = flats.iter().map(|f| f.slice()).collect();
    let value = compute(py, || f(&slices))?;
    Ok((value, shape))
}

/// Runs `f` on one array (any shape) without the GIL.
pub(super) fn with_array(py: Python<'_>, x: &Bound<'_, PyAny>, name: &str, f: impl FnOnce(&[f32]) -> Result<Vec<f32>> + Send) -> PyResult<Py<PyArrayDyn<f32>>> {
    let arr = read_array(x, name)?;
    let shape = arr.as_array().shape().to_vec();
    let flat = Flat::new(arr, &shape);
    let data = flat.slice();
    let values = compute(py, || f(data))?;
    into_numpy(py, values, &shape)
}

/// Runs `f` on one array whose last axis has length `last` (spectra),
/// without the GIL; `f` returns the values and the new last-axis length.
pub(super) fn with_last_axis(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    name: &str,
    last: usize,
    f: impl FnOnce(&[f32]) -> Result<(Vec<f32>, usize)> + Send,
) -> PyResult<Py<PyArrayDyn<f32>>> {
    let arr = read_array(x, name)?;
    let shape = arr.as_array().shape().to_vec();
    if shape.last() != Some(&last) {
        return Err(OceanColourError::new_err(format!("{name} has shape {shape:?}: its last axis must be the {last} wavelengths given")));
    }
    let flat = Flat::new(arr, &shape);
    let data = flat.slice();
    let (values, n) = compute(py, || f(data))?;
    let mut out = shape;
    *out.last_mut().expect("checked above") = n;
    into_numpy(py, values, &out)
}
