//! The Python glue of `crate::fusion`: numpy in, numpy out (dicts of arrays
//! for multi-part results). Exposed to users as `oceancolour.fusion`.

use ndarray::{ArrayD, IxDyn};
use numpy::{AllowTypeChange, IntoPyArray, PyArrayLikeDyn, PyUntypedArrayMethods};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use super::arrays::compute;
use super::OceanColourError;
use crate::defaults;
use crate::formats::correction;
use crate::fusion::bandshift::BandShift;
use crate::fusion::binning::{bin_l2 as bin_l2_rs, Averaging, L3Bins};
use crate::fusion::grid::{Grid, GridSpec, IsinGrid, RegularGrid};
use crate::fusion::intercal::{Correction as CorrectionRs, DailyFields, Kind, Method, MethodOptions};
use crate::fusion::krige::{self as kr, Mean, Model, Variogram};
use crate::fusion::merge::{self as mg, SensorField, Space};

type F64In<'py> = PyArrayLikeDyn<'py, f64, AllowTypeChange>;
type F32In<'py> = PyArrayLikeDyn<'py, f32, AllowTypeChange>;

fn f64s<'py>(v: &Bound<'py, PyAny>, what: &str) -> PyResult<(Vec<f64>, Vec<usize>)> {
    let a = v.extract::<F64In<'py>>().map_err(|e| OceanColourError::new_err(format!("{what}: cannot be read as an array of floats ({e})")))?;
    Ok((to_vec(&a.as_array()), a.shape().to_vec()))
}

/// The elements in C order (one memcpy when contiguous).
fn to_vec<T: Copy>(a: &ndarray::ArrayViewD<'_, T>) -> Vec<T> {
    a.as_slice().map_or_else(|| a.iter().copied().collect(), |s| s.to_vec())
}

fn f32s<'py>(v: &Bound<'py, PyAny>, what: &str) -> PyResult<(Vec<f32>, Vec<usize>)> {
    let a = v.extract::<F32In<'py>>().map_err(|e| OceanColourError::new_err(format!("{what}: cannot be read as an array of floats ({e})")))?;
    Ok((to_vec(&a.as_array()), a.shape().to_vec()))
}

fn u64s<'py>(v: &Bound<'py, PyAny>, what: &str) -> PyResult<(Vec<u64>, Vec<usize>)> {
    let a = v
        .extract::<PyArrayLikeDyn<'py, u64, AllowTypeChange>>()
        .map_err(|e| OceanColourError::new_err(format!("{what}: cannot be read as an array of non-negative integers ({e})")))?;
    Ok((to_vec(&a.as_array()), a.shape().to_vec()))
}

fn shaped<T: numpy::Element>(py: Python<'_>, v: Vec<T>, shape: &[usize]) -> PyResult<Py<PyAny>> {
    let a = ArrayD::from_shape_vec(IxDyn(shape), v).map_err(|e| OceanColourError::new_err(format!("internal error shaping the result: {e}")))?;
    Ok(a.into_pyarray(py).into_any().unbind())
}

fn flat<T: numpy::Element>(py: Python<'_>, v: Vec<T>) -> PyResult<Py<PyAny>> {
    let n = v.len();
    shaped(py, v, &[n])
}

fn same_shape(a: &[usize], b: &[usize], what: &str) -> PyResult<()> {
    if a != b {
        return Err(OceanColourError::new_err(format!("{what}: shapes differ ({a:?} and {b:?})")));
    }
    Ok(())
}

/// A grid argument: an int (ISIN rows) or a tuple
/// (lon_min, lon_max, lat_min, lat_max, dlon, dlat) for a regular grid.
fn read_grid(grid: &Bound<'_, PyAny>) -> PyResult<GridSpec> {
    if let Ok(nrows) = grid.extract::<u32>() {
        return Ok(GridSpec::Isin(IsinGrid::new(nrows)?));
    }
    if let Ok((a, b, c, d, e, f)) = grid.extract::<(f64, f64, f64, f64, f64, f64)>() {
        return Ok(GridSpec::Regular(RegularGrid::new(a, b, c, d, e, f)?));
    }
    Err(OceanColourError::new_err("grid must be the number of ISIN rows (e.g. 4320) or a tuple (lon_min, lon_max, lat_min, lat_max, dlon, dlat)"))
}

/// NASA's integerised sinusoidal grid with `nrows` rows: total bins, and per
/// row its first bin (`start_num`, 1-based), its number of bins (`max`) and
/// its centre latitude.
///
/// Parameters
/// ----------
/// nrows : int
///     Number of rows (e.g. 4320 for about 4.6 km bins).
///
/// Returns
/// -------
/// dict
///     ``total_bins``, and per row ``start_num``, ``max``, ``latitude`` (degrees).
///
/// Raises
/// ------
/// OceanColourError
///     `nrows` zero or too large (a ``ValueError``).
///
/// Examples
/// --------
/// >>> g = fusion.isin_grid(180)
/// >>> int(g["total_bins"])
/// 41252
#[pyfunction]
fn isin_grid<'py>(py: Python<'py>, nrows: u32) -> PyResult<Bound<'py, PyDict>> {
    let g = IsinGrid::new(nrows)?;
    let d = PyDict::new(py);
    d.set_item("nrows", nrows)?;
    d.set_item("total_bins", g.ncells())?;
    d.set_item("start_num", flat(py, g.basebin().to_vec())?)?;
    d.set_item("max", flat(py, g.numbin().to_vec())?)?;
    d.set_item("lat", flat(py, g.row_lats())?)?;
    Ok(d)
}

/// Cell numbers of positions (degrees): ISIN bins (1-based) for an int grid,
/// row-major cells (0-based, row 0 north) for a regular grid. Positions
/// outside the grid get the `missing` value: 0 for ISIN, -1 (as uint64 max)
/// for regular grids.
///
/// Parameters
/// ----------
/// lon : array_like
///     Longitude (degrees east).
/// lat : array_like
///     Latitude (degrees north), same shape as `lon`.
/// grid : int or tuple
///     ISIN rows (e.g. ``4320``) or ``(lon_min, lon_max, lat_min, lat_max, dlon, dlat)``
///     in degrees.
///
/// Returns
/// -------
/// numpy.ndarray of uint64
///     Cell numbers, shape of `lon`.
///
/// Raises
/// ------
/// OceanColourError
///     Non-numeric input, shapes that do not broadcast or an invalid argument
///     (a ``ValueError``).
///
/// Examples
/// --------
/// >>> fusion.grid_cell([0.5, 10.0], [0.5, -20.0], (-180, 180, -90, 90, 1.0, 1.0))
/// array([32220, 39790], dtype=uint64)
#[pyfunction]
fn grid_cell(py: Python<'_>, lon: &Bound<'_, PyAny>, lat: &Bound<'_, PyAny>, grid: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
    let g = read_grid(grid)?;
    let (lo, shape) = f64s(lon, "lon")?;
    let (la, s2) = f64s(lat, "lat")?;
    same_shape(&shape, &s2, "lon and lat")?;
    let cells = compute(py, || {
        Ok(match &g {
            GridSpec::Isin(g) => lo.iter().zip(&la).map(|(&a, &b)| g.cell(a, b).unwrap_or(0)).collect::<Vec<u64>>(),
            GridSpec::Regular(g) => lo.iter().zip(&la).map(|(&a, &b)| g.cell(a, b).unwrap_or(u64::MAX)).collect(),
        })
    })?;
    shaped(py, cells, &shape)
}

/// Centres (lon, lat) of cell numbers; NaN for numbers not in the grid.
///
/// Parameters
/// ----------
/// cells : array_like of int
///     Cell numbers.
/// grid : int or tuple
///     ISIN rows (e.g. ``4320``) or ``(lon_min, lon_max, lat_min, lat_max, dlon, dlat)``
///     in degrees.
///
/// Returns
/// -------
/// lon : numpy.ndarray of float64
///     Centre longitudes (degrees east), shape of `cells`.
/// lat : numpy.ndarray of float64
///     Centre latitudes (degrees north).
///
/// Raises
/// ------
/// OceanColourError
///     Non-numeric input, shapes that do not broadcast or an invalid argument
///     (a ``ValueError``).
///
/// Examples
/// --------
/// >>> fusion.grid_centre([0, 64799], (-180, 180, -90, 90, 1.0, 1.0))
/// (array([-179.5,  179.5]), array([ 89.5, -89.5]))
#[pyfunction]
fn grid_centre(py: Python<'_>, cells: &Bound<'_, PyAny>, grid: &Bound<'_, PyAny>) -> PyResult<(Py<PyAny>, Py<PyAny>)> {
    let g = read_grid(grid)?;
    let (c, shape) = u64s(cells, "cells")?;
    let centre = |b: u64| match &g {
        GridSpec::Isin(g) => g.centre(b),
        GridSpec::Regular(g) => g.centre(b),
    };
    let (lon, lat): (Vec<f64>, Vec<f64>) = c.iter().map(|&b| centre(b).unwrap_or((f64::NAN, f64::NAN))).unzip();
    Ok((shaped(py, lon, &shape)?, shaped(py, lat, &shape)?))
}

/// Axes of a regular grid: (lon centres west->east, lat centres north->south).
///
/// Parameters
/// ----------
/// lon_min : float
///     West edge (degrees east).
/// lon_max : float
///     East edge (degrees east).
/// lat_min : float
///     South edge (degrees north).
/// lat_max : float
///     North edge (degrees north).
/// dlon : float
///     Cell width (degrees).
/// dlat : float
///     Cell height (degrees).
///
/// Returns
/// -------
/// lon : numpy.ndarray of float64
///     Cell-centre longitudes, west to east.
/// lat : numpy.ndarray of float64
///     Cell-centre latitudes, north to south.
///
/// Raises
/// ------
/// OceanColourError
///     Empty or inverted extent, non-positive spacing (a ``ValueError``).
///
/// Examples
/// --------
/// >>> fusion.regular_grid(0, 2, 40, 42, 1.0, 1.0)
/// (array([0.5, 1.5]), array([41.5, 40.5]))
#[pyfunction]
fn regular_grid(py: Python<'_>, lon_min: f64, lon_max: f64, lat_min: f64, lat_max: f64, dlon: f64, dlat: f64) -> PyResult<(Py<PyAny>, Py<PyAny>)> {
    let g = RegularGrid::new(lon_min, lon_max, lat_min, lat_max, dlon, dlat)?;
    let (lons, lats) = g.axes();
    Ok((flat(py, lons)?, flat(py, lats)?))
}

fn bins_dict<'py>(py: Python<'py>, b: L3Bins) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    let (mean, var) = (b.mean(), b.variance());
    d.set_item("averaging", b.averaging.name())?;
    d.set_item("mean", flat(py, mean)?)?;
    d.set_item("stdev", flat(py, var.into_iter().map(f64::sqrt).collect::<Vec<_>>())?)?;
    d.set_item("bin", flat(py, b.bin)?)?;
    d.set_item("sum", flat(py, b.sum)?)?;
    d.set_item("sum_squared", flat(py, b.sum2)?)?;
    d.set_item("weights", flat(py, b.weights)?)?;
    d.set_item("nobs", flat(py, b.nobs)?)?;
    d.set_item("nscenes", flat(py, b.nscenes)?)?;
    Ok(d)
}

fn dict_bins(d: &Bound<'_, PyAny>) -> PyResult<L3Bins> {
    let get = |k: &str| -> PyResult<Bound<'_, PyAny>> {
        d.get_item(k).map_err(|_| OceanColourError::new_err(format!("binned data must be a dict from bin_l2 (missing {k:?})")))
    };
    let averaging = Averaging::parse(&get("averaging")?.extract::<String>()?)?;
    let ints = |k: &str| -> PyResult<Vec<u32>> { Ok(u64s(&get(k)?, k)?.0.into_iter().map(|v| v as u32).collect()) };
    let b = L3Bins {
        averaging,
        bin: u64s(&get("bin")?, "bin")?.0,
        sum: f64s(&get("sum")?, "sum")?.0,
        sum2: f64s(&get("sum_squared")?, "sum_squared")?.0,
        weights: f64s(&get("weights")?, "weights")?.0,
        nobs: ints("nobs")?,
        nscenes: ints("nscenes")?,
    };
    let n = b.bin.len();
    if [b.sum.len(), b.sum2.len(), b.weights.len(), b.nobs.len(), b.nscenes.len()].iter().any(|&l| l != n) {
        return Err(OceanColourError::new_err("binned data: bin, sum, sum_squared, weights, nobs and nscenes differ in length"));
    }
    if b.bin.windows(2).any(|w| w[0] >= w[1]) {
        return Err(OceanColourError::new_err("binned data: bin numbers must be strictly increasing"));
    }
    Ok(b)
}

// The signature spells out its defaults (so that help() shows them): the same as the chain's (`defaults`).
const _: () = assert!(defaults::same(defaults::AVERAGING, "arithmetic") && defaults::MIN_OBS == 1);
/// Level-2 -> Level-3 binning as NASA l2bin: each scene's pixels in a bin
/// weighted by sqrt(n); `averaging` "arithmetic" or "geometric" (ln values;
/// use it for chlorophyll and SPM). Returns a dict with the filled bins
/// (`bin`), `sum`, `sum_squared`, `weights`, `nobs`, `nscenes` (L3b content)
/// and `mean`, `stdev` (stdev of ln(x) for the geometric scheme).
///
/// Parameters
/// ----------
/// lon : array_like
///     Pixel longitudes (degrees east).
/// lat : array_like
///     Pixel latitudes (degrees north).
/// value : array_like
///     Pixel values (e.g. chl in mg m-3); NaN missing.
/// scene : array_like of int
///     Scene number of each pixel.
/// grid : int or tuple
///     ISIN rows (e.g. ``4320``) or ``(lon_min, lon_max, lat_min, lat_max, dlon, dlat)``
///     in degrees.
/// averaging : {"arithmetic", "geometric"}, default "arithmetic"
///     Geometric (ln values) for chlorophyll and SPM.
/// min_obs : int, default 1
///     Bins with fewer observations are left out.
///
/// Returns
/// -------
/// dict
///     ``bin``, ``sum``, ``sum_squared``, ``weights``, ``nobs``, ``nscenes``,
///     ``mean``, ``stdev``, ``averaging``.
///
/// Raises
/// ------
/// OceanColourError
///     Non-numeric input, shapes that do not broadcast or an invalid argument
///     (a ``ValueError``).
///
/// Examples
/// --------
/// >>> grid = (0, 2, 0, 2, 1.0, 1.0)
/// >>> b = fusion.bin_l2([0.5, 0.6, 1.5], [1.5, 1.5, 0.5], [1.0, 3.0, 2.0], [0, 0, 0], grid)
/// >>> b["bin"], b["mean"]
/// (array([0, 3], dtype=uint64), array([2., 2.]))
#[pyfunction]
#[pyo3(signature = (lon, lat, value, scene, grid, averaging = "arithmetic", min_obs = 1))]
#[allow(clippy::too_many_arguments)]
fn bin_l2<'py>(
    py: Python<'py>,
    lon: &Bound<'py, PyAny>,
    lat: &Bound<'py, PyAny>,
    value: &Bound<'py, PyAny>,
    scene: &Bound<'py, PyAny>,
    grid: &Bound<'py, PyAny>,
    averaging: &str,
    min_obs: u32,
) -> PyResult<Bound<'py, PyDict>> {
    let g = read_grid(grid)?;
    let av = Averaging::parse(averaging)?;
    let (lo, _) = f32s(lon, "lon")?;
    let (la, _) = f32s(lat, "lat")?;
    let (v, _) = f32s(value, "value")?;
    let (sc, _) = u64s(scene, "scene")?;
    let sc: Vec<u32> = sc.into_iter().map(|s| s as u32).collect();
    let b = compute(py, || match &g {
        GridSpec::Isin(g) => bin_l2_rs(g, &lo, &la, &v, &sc, av, min_obs),
        GridSpec::Regular(g) => bin_l2_rs(g, &lo, &la, &v, &sc, av, min_obs),
    })?;
    bins_dict(py, b)
}

/// Composite of binned data (days, or files of a day): sums added bin by bin,
/// as NASA l3bin.
///
/// Parameters
/// ----------
/// parts : list of dict
///     Binned data as returned by :func:`bin_l2` or :func:`composite`, same averaging.
///
/// Returns
/// -------
/// dict
///     The same keys as :func:`bin_l2`'s.
///
/// Raises
/// ------
/// OceanColourError
///     Parts with different averaging or missing keys (a ``ValueError``).
///
/// Examples
/// --------
/// >>> grid = (0, 2, 0, 2, 1.0, 1.0)
/// >>> day1 = fusion.bin_l2([0.5], [1.5], [1.0], [0], grid)
/// >>> day2 = fusion.bin_l2([0.5], [1.5], [3.0], [0], grid)
/// >>> fusion.composite([day1, day2])["mean"]
/// array([2.])
#[pyfunction]
fn composite<'py>(py: Python<'py>, parts: &Bound<'py, PyList>) -> PyResult<Bound<'py, PyDict>> {
    let bins: Vec<L3Bins> = parts.iter().map(|p| dict_bins(&p)).collect::<PyResult<_>>()?;
    let refs: Vec<&L3Bins> = bins.iter().collect();
    let b = compute(py, || L3Bins::composite(&refs))?;
    bins_dict(py, b)
}

const _: () = assert!(defaults::same(defaults::MERGE_SPACE, "log10"));
/// Inverse-error-variance merge of several sensors' fields (same shape; NaN
/// missing). `error_variance`: per sensor, a scalar or an array of the same
/// shape (log10 units^2 for space="log10"). Returns value, sigma, spread,
/// sensors (bit s set if sensor s contributed) and count.
///
/// `corrections`: optionally, per sensor, an intercalibration `Correction`
/// (or None for the reference), applied before merging; `doy`: the day of
/// year of the fields, needed by space-and-season corrections.
///
/// Parameters
/// ----------
/// values : list of array_like
///     One field per sensor, same shape; NaN missing.
/// error_variance : list of float or array_like
///     Per sensor, scalar or array of the fields' shape (log10 units^2 for
///     ``space="log10"``).
/// space : {"log10", "linear"}, default "log10"
///     Where the mean is taken.
/// corrections : list of Correction or None, optional
///     Per sensor intercalibration applied first (None for the reference).
/// doy : float or array_like, default 0.0
///     Day of year of the fields, for space-and-season corrections.
///
/// Returns
/// -------
/// dict
///     ``value``, ``sigma``, ``spread``, ``sensors`` (bit mask), ``count``.
///
/// Raises
/// ------
/// OceanColourError
///     Non-numeric input, shapes that do not broadcast or an invalid argument
///     (a ``ValueError``).
///
/// Examples
/// --------
/// >>> m = fusion.merge([[1.0, 2.0], [4.0, np.nan]], [0.01, 0.01])
/// >>> np.round(m["value"], 3), m["count"]
/// (array([2., 2.], dtype=float32), array([2, 1], dtype=uint8))
#[pyfunction]
#[pyo3(signature = (values, error_variance, space = "log10", corrections = None, doy = 0.0))]
fn merge<'py>(
    py: Python<'py>,
    values: &Bound<'py, PyList>,
    error_variance: &Bound<'py, PyList>,
    space: &str,
    corrections: Option<Vec<Option<PyRef<'py, Correction>>>>,
    doy: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let sp = Space::parse(space)?;
    if values.len() != error_variance.len() {
        return Err(OceanColourError::new_err(format!("{} value fields but {} error variances", values.len(), error_variance.len())));
    }
    let mut vals = Vec::new();
    let mut errs = Vec::new();
    let mut shape: Option<Vec<usize>> = None;
    for (s, (v, e)) in values.iter().zip(error_variance.iter()).enumerate() {
        let (v, sh) = f32s(&v, &format!("values[{s}]"))?;
        if let Some(first) = &shape {
            same_shape(first, &sh, &format!("values[0] and values[{s}]"))?;
        }
        shape.get_or_insert(sh);
        vals.push(v);
        errs.push(f32s(&e, &format!("error_variance[{s}]"))?.0);
    }
    let shape = shape.unwrap_or_default();
    if let Some(corr) = &corrections {
        if corr.len() != vals.len() {
            return Err(OceanColourError::new_err(format!("{} corrections for {} sensors", corr.len(), vals.len())));
        }
        let days = [doy];
        for (v, c) in vals.iter_mut().zip(corr) {
            if let Some(c) = c {
                let (inner, fields) = (&c.inner, DailyFields { values: v, shape: day_shape(&shape), doy: &days });
                *v = compute(py, || inner.apply(&fields))?;
            }
        }
    }
    let m = compute(py, || {
        let fields: Vec<SensorField> = vals.iter().zip(&errs).map(|(v, e)| SensorField { values: v, error_variance: e }).collect();
        mg::merge(&fields, sp)
    })?;
    let d = PyDict::new(py);
    d.set_item("value", shaped(py, m.value, &shape)?)?;
    d.set_item("sigma", shaped(py, m.sigma, &shape)?)?;
    d.set_item("spread", shaped(py, m.spread, &shape)?)?;
    d.set_item("sensors", shaped(py, m.sensors, &shape)?)?;
    d.set_item("count", shaped(py, m.count, &shape)?)?;
    Ok(d)
}

fn read_variogram(v: &Bound<'_, PyAny>) -> PyResult<Variogram> {
    let get = |k: &str| -> PyResult<Bound<'_, PyAny>> {
        v.get_item(k).map_err(|_| OceanColourError::new_err(format!("variogram must be a dict with model, psill, range, nugget (missing {k:?})")))
    };
    Ok(Variogram::new(Model::parse(&get("model")?.extract::<String>()?)?, get("psill")?.extract()?, get("range")?.extract()?, get("nugget")?.extract()?)?)
}

fn variogram_dict<'py>(py: Python<'py>, v: &Variogram) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("model", v.model.name())?;
    d.set_item("psill", v.psill)?;
    d.set_item("range", v.range)?;
    d.set_item("nugget", v.nugget)?;
    Ok(d)
}

const _: () = assert!(defaults::same(defaults::VARIOGRAM, "exponential") && defaults::LAGS == 20 && defaults::VARIOGRAM_POINTS == 3000);
/// Empirical variogram of scattered values and the model fitted to it
/// (weighted least squares, Cressie weights). Returns the variogram dict
/// (model, psill, range, nugget; PyKrige's parameterisation) plus `lags`,
/// `gamma`, `npairs`. `max_lag` defaults to half the diagonal of the observations' bounding box
/// (the same rule as `oceancolour l4`).
///
/// Parameters
/// ----------
/// x : array_like
///     Observation x coordinates (distance unit of the range).
/// y : array_like
///     Observation y coordinates.
/// z : array_like
///     Observed values (e.g. log10 chl anomalies).
/// model : {"exponential", "spherical", "gaussian"}, default "exponential"
///     The variogram model.
/// nlags : int, default 20
///     Number of lag bins.
/// max_lag : float, optional
///     Largest lag; default half the diagonal of the observations' bounding
///     box (the same rule as ``oceancolour l4``).
/// max_points : int, default 3000
///     Random subsample size above which the pairs are thinned.
///
/// Returns
/// -------
/// dict
///     ``model``, ``psill``, ``range``, ``nugget``, ``lags``, ``gamma``, ``npairs``.
///
/// Raises
/// ------
/// OceanColourError
///     Non-numeric input, shapes that do not broadcast or an invalid argument
///     (a ``ValueError``).
///
/// Examples
/// --------
/// >>> rng = np.random.default_rng(0)
/// >>> x, y = rng.uniform(0, 10, (2, 200))
/// >>> v = fusion.fit_variogram(x, y, np.sin(x / 3) + 0.1 * rng.standard_normal(200))
/// >>> v["model"], len(v["lags"]) > 0
/// ('exponential', True)
#[pyfunction]
#[pyo3(signature = (x, y, z, model = "exponential", nlags = 20, max_lag = None, max_points = 3000))]
#[allow(clippy::too_many_arguments)]
fn fit_variogram<'py>(
    py: Python<'py>,
    x: &Bound<'py, PyAny>,
    y: &Bound<'py, PyAny>,
    z: &Bound<'py, PyAny>,
    model: &str,
    nlags: usize,
    max_lag: Option<f64>,
    max_points: usize,
) -> PyResult<Bound<'py, PyDict>> {
    let m = Model::parse(model)?;
    let (x, _) = f64s(x, "x")?;
    let (y, _) = f64s(y, "y")?;
    let (z, _) = f64s(z, "z")?;
    let (v, e) = compute(py, || kr::fit_variogram_to_data(m, &x, &y, &z, nlags, max_lag, max_points))?;
    let d = variogram_dict(py, &v)?;
    d.set_item("lags", flat(py, e.lags)?)?;
    d.set_item("gamma", flat(py, e.gamma)?)?;
    d.set_item("npairs", flat(py, e.npairs)?)?;
    Ok(d)
}

const _: () = assert!(defaults::NEIGHBOURS == 32);
/// Kriging of scattered observations (x, y, z) at targets (xt, yt) with the
/// k nearest observations of each target. `variogram`: dict model, psill,
/// range, nugget (PyKrige's parameterisation). `noise_variance`: per
/// observation (e.g. each sensor's nugget), filtered by the estimate.
/// `mean`: None for ordinary kriging, a number for simple kriging around it.
/// Returns (estimate, kriging variance), shaped like xt.
///
/// Parameters
/// ----------
/// x : array_like
///     Observation x coordinates.
/// y : array_like
///     Observation y coordinates.
/// z : array_like
///     Observed values.
/// xt : array_like
///     Target x coordinates.
/// yt : array_like
///     Target y coordinates.
/// variogram : dict
///     ``model``, ``psill``, ``range``, ``nugget`` (PyKrige's parameterisation).
/// k : int, default 32
///     Nearest observations used per target.
/// noise_variance : array_like, optional
///     Observation noise variance per observation.
/// mean : float, optional
///     None: ordinary kriging; a number: simple kriging around it.
///
/// Returns
/// -------
/// estimate : numpy.ndarray of float64
///     Shape of `xt`.
/// variance : numpy.ndarray of float64
///     Kriging variance, shape of `xt`.
///
/// Raises
/// ------
/// OceanColourError
///     Non-numeric input, shapes that do not broadcast or an invalid argument
///     (a ``ValueError``).
///
/// Examples
/// --------
/// >>> v = {"model": "exponential", "psill": 1.0, "range": 3.0, "nugget": 0.0}
/// >>> est, var = fusion.krige([0, 1, 0, 1], [0, 0, 1, 1], [1, 3, 1, 3], [0.5], [0.5], v)
/// >>> est, np.round(var, 3)
/// (array([2.]), array([0.509]))
#[pyfunction]
#[pyo3(signature = (x, y, z, xt, yt, variogram, k = 32, noise_variance = None, mean = None))]
#[allow(clippy::too_many_arguments)]
fn krige<'py>(
    py: Python<'py>,
    x: &Bound<'py, PyAny>,
    y: &Bound<'py, PyAny>,
    z: &Bound<'py, PyAny>,
    xt: &Bound<'py, PyAny>,
    yt: &Bound<'py, PyAny>,
    variogram: &Bound<'py, PyAny>,
    k: usize,
    noise_variance: Option<&Bound<'py, PyAny>>,
    mean: Option<f64>,
) -> PyResult<(Py<PyAny>, Py<PyAny>)> {
    let v = read_variogram(variogram)?;
    let (x, _) = f64s(x, "x")?;
    let (y, _) = f64s(y, "y")?;
    let (z, _) = f64s(z, "z")?;
    let (tx, shape) = f64s(xt, "xt")?;
    let (ty, s2) = f64s(yt, "yt")?;
    same_shape(&shape, &s2, "xt and yt")?;
    let noise = match noise_variance {
        Some(e) => f64s(e, "noise_variance")?.0,
        None => vec![],
    };
    let mean = mean.map_or(Mean::Ordinary, Mean::Simple);
    let r = compute(py, || kr::krige(&x, &y, &z, &noise, &tx, &ty, &v, k, mean))?;
    Ok((shaped(py, r.estimate, &shape)?, shaped(py, r.variance, &shape)?))
}

/// Gap-free field of a 2-D map (internal: `oceancolour.fusion.l4` is the
/// documented entry point). Cells are `dx` x `dy` apart, or, with `lat` and
/// `lon` (1-D, degrees), placed in km on a sinusoidal projection.
/// Returns (log10 analysis, kriging variance).
#[pyfunction]
#[pyo3(signature = (values, first_guess_log10, variogram, k, dx, dy, noise_variance, mean, lat = None, lon = None))]
#[allow(clippy::too_many_arguments)]
fn _l4_grid(
    py: Python<'_>,
    values: &Bound<'_, PyAny>,
    first_guess_log10: &Bound<'_, PyAny>,
    variogram: &Bound<'_, PyAny>,
    k: usize,
    dx: f64,
    dy: f64,
    noise_variance: Option<&Bound<'_, PyAny>>,
    mean: Option<f64>,
    lat: Option<&Bound<'_, PyAny>>,
    lon: Option<&Bound<'_, PyAny>>,
) -> PyResult<(Py<PyAny>, Py<PyAny>)> {
    let v = read_variogram(variogram)?;
    let (vals, shape) = f64s(values, "values")?;
    let (fg, s2) = f64s(first_guess_log10, "first_guess_log10")?;
    same_shape(&shape, &s2, "values and first_guess_log10")?;
    if shape.len() != 2 {
        return Err(OceanColourError::new_err(format!("values must be a 2-D map, got shape {shape:?}")));
    }
    let noise = match noise_variance {
        Some(e) => {
            let (e, s3) = f64s(e, "noise_variance")?;
            same_shape(&shape, &s3, "values and noise_variance")?;
            e
        }
        None => vec![],
    };
    let mean = mean.map_or(Mean::Ordinary, Mean::Simple);
    let cells = match (lat, lon) {
        (Some(lat), Some(lon)) => {
            let ((lat, s_lat), (lon, s_lon)) = (f64s(lat, "lat")?, f64s(lon, "lon")?);
            if s_lat != [shape[0]] || s_lon != [shape[1]] {
                return Err(OceanColourError::new_err(format!(
                    "lat and lon must be 1-D with one value per row ({}) and per column ({}); got shapes {s_lat:?} and {s_lon:?}",
                    shape[0], shape[1]
                )));
            }
            kr::GridCoordinates::sinusoidal_km(&lat, &lon)?
        }
        (None, None) => kr::GridCoordinates::even((shape[0], shape[1]), (dx, dy)),
        _ => return Err(OceanColourError::new_err("give both lat and lon, or neither")),
    };
    let (est, var) = compute(py, || kr::l4_grid(&vals, &fg, &cells, &noise, &v, k, mean, crate::compute::Cancel::NEVER))?;
    Ok((shaped(py, est, &shape)?, shaped(py, var, &shape)?))
}

/// The first guess in log10: log10(clim) + alpha (log10(prev) - log10(clim))
/// where the previous analysis exists, log10(clim) elsewhere.
///
/// Parameters
/// ----------
/// climatology : array_like
///     Climatological field (e.g. chl in mg m-3); NaN or <= 0 missing.
/// previous : array_like, optional
///     The previous analysis, same shape.
/// alpha : float, default 0.0
///     Weight of the previous analysis' anomaly.
///
/// Returns
/// -------
/// numpy.ndarray of float64
///     First guess in log10, shape of `climatology`.
///
/// Raises
/// ------
/// OceanColourError
///     Non-numeric input, shapes that do not broadcast or an invalid argument
///     (a ``ValueError``).
///
/// Examples
/// --------
/// >>> np.round(fusion.first_guess_log10([[1.0, 10.0]], [[10.0, np.nan]], alpha=0.5), 3)
/// array([[0.5, 1. ]])
#[pyfunction]
#[pyo3(signature = (climatology, previous = None, alpha = 0.0))]
fn first_guess_log10(py: Python<'_>, climatology: &Bound<'_, PyAny>, previous: Option<&Bound<'_, PyAny>>, alpha: f64) -> PyResult<Py<PyAny>> {
    let (c, shape) = f32s(climatology, "climatology")?;
    let p = match previous {
        Some(p) => {
            let (p, s) = f32s(p, "previous")?;
            same_shape(&shape, &s, "climatology and previous")?;
            p
        }
        None => vec![],
    };
    let fg = compute(py, || kr::first_guess_log10(&c, &p, alpha))?;
    shaped(py, fg, &shape)
}

/// (days, rows, cols) of an array: 3-D as is, 2-D as one day, else one row.
fn day_shape(shape: &[usize]) -> (usize, usize, usize) {
    match *shape {
        [d, r, c] => (d, r, c),
        [r, c] => (1, r, c),
        _ => (1, 1, shape.iter().product()),
    }
}

fn doys(doy: Option<&Bound<'_, PyAny>>, ndays: usize) -> PyResult<Vec<f64>> {
    match doy {
        Some(d) => {
            let (v, _) = f64s(d, "doy")?;
            if v.len() == 1 {
                Ok(vec![v[0]; ndays])
            } else {
                Ok(v)
            }
        }
        None => Ok(vec![0.0; ndays]),
    }
}

/// An inter-sensor correction in log10 space: the fitted coefficients, the
/// diagnostics (`n_pairs`, bias and spread of log10(reference/sensor) before
/// and after) and its provenance (`chain`: sensor, reference, and the
/// reference's own reference for chained corrections; `period`).
///
/// Examples
/// --------
/// >>> ref = np.geomspace(0.1, 10.0, 100)
/// >>> c = fusion.fit_intercalibration(ref * 1.2, ref)
/// >>> abs(round(c.bias_before, 4))
/// 0.0792
#[pyclass(module = "oceancolour.fusion", frozen)]
pub struct Correction {
    inner: CorrectionRs,
}

#[pymethods]
impl Correction {
    /// The corrected values (same shape). `doy`: the day of year of each day
    /// (axis 0 of 3-D input, or one number), needed by the "field" method.
    ///
    /// Parameters
    /// ----------
    /// values : array_like
    ///     The sensor's values (e.g. chl in mg m-3).
    /// doy : float or array_like, optional
    ///     Day of year (per day along axis 0 for 3-D input), for the "field" method.
    ///
    /// Returns
    /// -------
    /// numpy.ndarray
    ///     Corrected values, shape of `values`.
    ///
    /// Raises
    /// ------
    /// OceanColourError
    ///     Non-numeric input, missing `doy` for a "field" correction (a ``ValueError``).
    ///
    /// Examples
    /// --------
    /// >>> ref = np.geomspace(0.1, 10.0, 100)
    /// >>> c = fusion.fit_intercalibration(ref * 1.2, ref)
    /// >>> np.round(c.apply([[1.2, 2.4]]), 3)
    /// array([[1., 2.]], dtype=float32)
    #[pyo3(signature = (values, doy = None))]
    fn apply(&self, py: Python<'_>, values: &Bound<'_, PyAny>, doy: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
        let (v, shape) = f32s(values, "values")?;
        let ds = day_shape(&shape);
        let d = doys(doy, ds.0)?;
        let out = compute(py, || self.inner.apply(&DailyFields { values: &v, shape: ds, doy: &d }))?;
        shaped(py, out, &shape)
    }

    /// Writes the correction as a netCDF-4 file (atomically).
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
    /// >>> ref = np.geomspace(0.1, 10.0, 100)
    /// >>> path = os.path.join(tempfile.mkdtemp(), "correction.nc")
    /// >>> fusion.fit_intercalibration(ref * 1.2, ref).save(path)
    /// >>> os.path.exists(path)
    /// True
    fn save(&self, py: Python<'_>, path: std::path::PathBuf) -> PyResult<()> {
        compute(py, || correction::save(&self.inner, &path))
    }

    /// Reads a correction saved by `save`.
    ///
    /// Parameters
    /// ----------
    /// path : str or os.PathLike
    ///     A netCDF file written by :meth:`save`.
    ///
    /// Returns
    /// -------
    /// Correction
    ///     The correction.
    ///
    /// Raises
    /// ------
    /// OceanColourFileError
    ///     Missing or unreadable file (an ``OSError``).
    ///
    /// Examples
    /// --------
    /// >>> import os, tempfile
    /// >>> ref = np.geomspace(0.1, 10.0, 100)
    /// >>> path = os.path.join(tempfile.mkdtemp(), "correction.nc")
    /// >>> fusion.fit_intercalibration(ref * 1.2, ref).save(path)
    /// >>> fusion.Correction.load(path).n_pairs
    /// 100
    #[staticmethod]
    fn load(py: Python<'_>, path: std::path::PathBuf) -> PyResult<Correction> {
        Ok(Correction { inner: compute(py, || correction::load(&path))? })
    }

    #[getter]
    fn method(&self) -> &'static str {
        self.inner.method_name()
    }
    #[getter]
    fn chain(&self) -> Vec<String> {
        self.inner.chain.clone()
    }
    #[getter]
    fn period(&self) -> String {
        self.inner.period.clone()
    }
    #[getter]
    fn n_pairs(&self) -> u64 {
        self.inner.n_pairs
    }
    #[getter]
    fn bias_before(&self) -> f64 {
        self.inner.bias_before
    }
    #[getter]
    fn spread_before(&self) -> f64 {
        self.inner.spread_before
    }
    #[getter]
    fn bias_after(&self) -> f64 {
        self.inner.bias_after
    }
    #[getter]
    fn spread_after(&self) -> f64 {
        self.inner.spread_after
    }

    /// The fitted coefficients: offset; intercept and slope; the two quantile
    /// tables; or, for "field", offset/n_pairs/iqr/fallback arrays of shape
    /// (season, block_row, block_col) and the block and season settings.
    #[getter]
    fn coefficients<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        match &self.inner.kind {
            Kind::LogOffset { offset } => d.set_item("offset", offset)?,
            Kind::Rma { intercept, slope } => {
                d.set_item("intercept", intercept)?;
                d.set_item("slope", slope)?;
            }
            Kind::Quantile { sensor_q, reference_q } => {
                d.set_item("sensor_log10_quantile", flat(py, sensor_q.clone())?)?;
                d.set_item("reference_log10_quantile", flat(py, reference_q.clone())?)?;
            }
            Kind::Field(f) => {
                let shape = [f.nseason, f.grid.0.div_ceil(f.block.0), f.grid.1.div_ceil(f.block.1)];
                d.set_item("offset", shaped(py, f.offset.clone(), &shape)?)?;
                d.set_item("n_pairs", shaped(py, f.n_pairs.clone(), &shape)?)?;
                d.set_item("iqr", shaped(py, f.iqr.clone(), &shape)?)?;
                d.set_item("fallback", shaped(py, f.fallback.clone(), &shape)?)?;
                d.set_item("block", f.block)?;
                d.set_item("grid", f.grid)?;
                d.set_item("window_days", f.window_days)?;
                d.set_item("min_pairs", f.min_pairs)?;
            }
        }
        Ok(d)
    }

    fn __repr__(&self) -> String {
        let c = &self.inner;
        format!(
            "Correction({}, {}, n_pairs={}, bias {:.4} -> {:.4}, spread {:.4} -> {:.4})",
            c.method_name(),
            c.chain.join(" -> "),
            c.n_pairs,
            c.bias_before,
            c.bias_after,
            c.spread_before,
            c.spread_after
        )
    }
}

const _: () = assert!(
    defaults::same(defaults::INTERCAL_METHOD, "log_offset")
        && defaults::QUANTILES == 101
        && defaults::SEASONS == 12
        && defaults::WINDOW_DAYS == 30.0
        && defaults::MIN_PAIRS == 30
);
/// Fits an intercalibration of `sensor` to `reference` from same-cell,
/// same-day pairs (arrays of the same shape, (days, rows, cols) for the
/// "field" method; NaN or <= 0 missing), in log10 space.
/// `method`: "log_offset", "rma", "quantile" or "field" (`block`: cells per
/// block along rows and columns, default (8, 8); `nseason` day-of-year bins;
/// `window_days` half-width of each season's window; `min_pairs` below which
/// an entry falls back to the season's, then the overall, median;
/// `nq` quantiles for "quantile"). `doy`: day of year
/// per day. For a chained correction pass the reference's own
/// `reference_correction` (the reference values must then be the corrected
/// ones); the chain is recorded. Returns a `Correction`.
///
/// Parameters
/// ----------
/// sensor : array_like
///     The sensor's values (e.g. chl in mg m-3); NaN or <= 0 missing.
/// reference : array_like
///     The reference sensor's values, same shape.
/// method : {"log_offset", "rma", "quantile", "field"}, default "log_offset"
///     The fit ("offset" is accepted for "log_offset", as in the
///     ``[intercal]`` configuration).
/// sensor_name : str, default "sensor"
///     Recorded in the chain.
/// reference_name : str, default "reference"
///     Recorded in the chain.
/// reference_correction : Correction, optional
///     The reference's own correction, for a chained correction.
/// doy : array_like, optional
///     Day of year per day (first axis), for "field".
/// period : str, default ""
///     Recorded period label.
/// nq : int, default 101
///     Quantiles for "quantile".
/// block : tuple of int, optional
///     Cells per block (rows, cols) for "field"; default (8, 8).
/// nseason : int, default 12
///     Day-of-year bins for "field".
/// window_days : float, default 30.0
///     Half-width of each season's window (days).
/// min_pairs : int, default 30
///     Pairs below which an entry falls back to the season's, then overall median.
///
/// Returns
/// -------
/// Correction
///     The fitted correction.
///
/// Raises
/// ------
/// OceanColourError
///     Non-numeric input, shapes that do not broadcast or an invalid argument
///     (a ``ValueError``).
///
/// Examples
/// --------
/// >>> ref = np.geomspace(0.1, 10.0, 100)
/// >>> c = fusion.fit_intercalibration(ref * 1.2, ref)
/// >>> c.method, c.n_pairs
/// ('log_offset', 100)
/// >>> np.round(c.apply([1.2, 12.0]), 3)
/// array([ 1., 10.], dtype=float32)
#[pyfunction]
#[pyo3(signature = (sensor, reference, method = "log_offset", *, sensor_name = "sensor", reference_name = "reference",
    reference_correction = None, doy = None, period = "", nq = 101, block = None, nseason = 12, window_days = 30.0, min_pairs = 30))]
#[allow(clippy::too_many_arguments)]
fn fit_intercalibration(
    py: Python<'_>,
    sensor: &Bound<'_, PyAny>,
    reference: &Bound<'_, PyAny>,
    method: &str,
    sensor_name: &str,
    reference_name: &str,
    reference_correction: Option<PyRef<'_, Correction>>,
    doy: Option<&Bound<'_, PyAny>>,
    period: &str,
    nq: usize,
    block: Option<(usize, usize)>,
    nseason: usize,
    window_days: f64,
    min_pairs: u32,
) -> PyResult<Correction> {
    let m = Method::parse(method, &MethodOptions { nq, block: block.unwrap_or(defaults::FIELD_BLOCK), nseason, window_days, min_pairs })?;
    let (a, sa) = f32s(sensor, "sensor")?;
    let (r, sr) = f32s(reference, "reference")?;
    same_shape(&sa, &sr, "sensor and reference")?;
    if matches!(m, Method::Field { .. }) && sa.len() != 3 {
        return Err(OceanColourError::new_err(format!("the field method needs (days, rows, cols) arrays, got shape {sa:?}")));
    }
    let ds = day_shape(&sa);
    let d = doys(doy, ds.0)?;
    let mut chain = vec![sensor_name.to_string()];
    match &reference_correction {
        Some(rc) => chain.extend(rc.inner.chain.iter().cloned()),
        None => chain.push(reference_name.to_string()),
    }
    let inner =
        compute(py, || CorrectionRs::fit(&DailyFields { values: &a, shape: ds, doy: &d }, &DailyFields { values: &r, shape: ds, doy: &d }, &m, chain, period))?;
    Ok(Correction { inner })
}

/// Band shifting (Mélin & Sclep 2015, QAA-based): `rrs` maps source band
/// centres in nm (e.g. MODIS 412, 443, 488, 531, 547, 667) to Rrs arrays
/// (same shape, sr-1); returns {target nm: Rrs array} for each target band
/// centre (400-700 nm). Needs source bands near 412, 443, 490, 555 and 670 nm.
///
/// Parameters
/// ----------
/// rrs : dict of {float: array_like}
///     Rrs (sr-1) per source band centre (nm), arrays of the same shape.
/// targets : list of float
///     Target band centres (nm), 400-700.
///
/// Returns
/// -------
/// dict of {float: numpy.ndarray}
///     Rrs (sr-1) per target band centre.
///
/// Raises
/// ------
/// OceanColourError
///     Non-numeric input, shapes that do not broadcast or an invalid argument
///     (a ``ValueError``).
///
/// Examples
/// --------
/// >>> rrs = {412: 0.006, 443: 0.006, 488: 0.005, 531: 0.003, 547: 0.0025, 667: 0.0003}
/// >>> sorted(fusion.band_shift(rrs, [490.0, 555.0]))
/// [490.0, 555.0]
#[pyfunction]
fn band_shift<'py>(py: Python<'py>, rrs: &Bound<'py, PyDict>, targets: Vec<f64>) -> PyResult<Bound<'py, PyDict>> {
    let mut nms = Vec::new();
    let mut bands = Vec::new();
    let mut shape: Option<Vec<usize>> = None;
    for (k, v) in rrs.iter() {
        let nm: f64 = k.extract().map_err(|_| OceanColourError::new_err(format!("band key {k} is not a wavelength in nm")))?;
        let (b, sh) = f32s(&v, &format!("Rrs at {nm} nm"))?;
        if let Some(first) = &shape {
            same_shape(first, &sh, &format!("Rrs bands ({nm} nm)"))?;
        }
        shape.get_or_insert(sh);
        nms.push(nm);
        bands.push(b);
    }
    let shape = shape.unwrap_or_default();
    let out = compute(py, || {
        let bs = BandShift::new(&nms, &targets)?;
        let refs: Vec<&[f32]> = bands.iter().map(|b| b.as_slice()).collect();
        bs.shift(&refs)
    })?;
    let d = PyDict::new(py);
    for (t, v) in targets.iter().zip(out) {
        d.set_item(t, shaped(py, v, &shape)?)?;
    }
    Ok(d)
}

pub(super) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(isin_grid, m)?)?;
    m.add_function(wrap_pyfunction!(grid_cell, m)?)?;
    m.add_function(wrap_pyfunction!(grid_centre, m)?)?;
    m.add_function(wrap_pyfunction!(regular_grid, m)?)?;
    m.add_function(wrap_pyfunction!(bin_l2, m)?)?;
    m.add_function(wrap_pyfunction!(composite, m)?)?;
    m.add_function(wrap_pyfunction!(merge, m)?)?;
    m.add_function(wrap_pyfunction!(fit_variogram, m)?)?;
    m.add_function(wrap_pyfunction!(krige, m)?)?;
    m.add_function(wrap_pyfunction!(_l4_grid, m)?)?;
    m.add_function(wrap_pyfunction!(first_guess_log10, m)?)?;
    m.add_function(wrap_pyfunction!(fit_intercalibration, m)?)?;
    m.add_class::<Correction>()?;
    m.add_function(wrap_pyfunction!(band_shift, m)?)?;
    Ok(())
}
