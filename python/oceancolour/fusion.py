"""Multi-sensor fusion: grids and binning (L2 -> L3), merging, gap-free L4.

numpy in, numpy out; the computation is in Rust (``oceancolour._core``).

- Grids: :func:`isin_grid` (NASA integerised sinusoidal grid), :func:`regular_grid`,
  :func:`grid_cell`, :func:`grid_centre`. A ``grid`` argument is the number of
  ISIN rows (e.g. ``4320``) or a tuple ``(lon_min, lon_max, lat_min, lat_max, dlon, dlat)``.
- Binning as NASA l2bin/l3bin: :func:`bin_l2`, :func:`composite`.
- Band shifting between sensors' bands: :func:`band_shift` (Mélin & Sclep 2015).
- Intercalibration: :func:`fit_intercalibration` -> :class:`Correction` (apply, save
  as netCDF, :func:`load_correction`); log10 offset, RMA, quantile mapping, or a
  space- and season-varying offset; chains through a bridge sensor.
- Merging: :func:`merge` (inverse-error-variance mean, log10 space for chl/SPM),
  applying the sensors' corrections first when given.
- L4: :func:`fit_variogram`, :func:`krige`, :func:`first_guess_log10`, :func:`l4`.
"""

from __future__ import annotations

import numpy as np

from oceancolour import _core
from oceancolour._errors import named_argument_errors, wrap_class_methods, wrap_module_functions
from oceancolour._core import (
    Correction,
    OceanColourError,
    band_shift,
    bin_l2,
    composite,
    first_guess_log10,
    fit_intercalibration,
    fit_variogram,
    grid_cell,
    grid_centre,
    isin_grid,
    krige,
    merge,
    regular_grid,
)

__all__ = [
    "Correction",
    "band_shift",
    "bin_l2",
    "composite",
    "first_guess_log10",
    "fit_intercalibration",
    "fit_variogram",
    "grid_cell",
    "grid_centre",
    "isin_grid",
    "krige",
    "l4",
    "load_correction",
    "merge",
    "regular_grid",
]


# pyo3's TypeError/OverflowError for an argument it cannot convert -> OceanColourError naming it.
wrap_module_functions(globals(), __all__)
wrap_class_methods(Correction, ["apply", "save", "load"])
_l4_grid = named_argument_errors(_core._l4_grid)


@named_argument_errors
def load_correction(path):
    """Reads an intercalibration saved by :meth:`Correction.save`.

    Parameters
    ----------
    path : str or os.PathLike
        The netCDF file written by :meth:`Correction.save`.

    Returns
    -------
    Correction
        The correction, with its coefficients, diagnostics and chain.

    Raises
    ------
    OceanColourFileError
        The file is missing or unreadable (an ``OSError``).
    OceanColourError
        The file is not a saved correction (a ``ValueError``).

    Examples
    --------
    >>> import os, tempfile
    >>> ref = np.geomspace(0.1, 10.0, 100)
    >>> path = os.path.join(tempfile.mkdtemp(), "correction.nc")
    >>> fusion.fit_intercalibration(ref * 1.2, ref).save(path)
    >>> c = fusion.load_correction(path)
    >>> c.method, c.n_pairs
    ('log_offset', 100)
    """
    return Correction.load(path)


def l4(values, first_guess_log10, variogram, k=32, dx=1.0, dy=1.0, noise_variance=None, simple=False, lat=None,
       lon=None):
    """Gap-free field from a daily map with gaps (2-D, NaN or <= 0 missing).

    Kriging of the log10 anomalies ``log10(values) - first_guess_log10`` from the
    ``k`` nearest observed cells, at every cell where the first guess is finite.
    ``dx``, ``dy``: cell spacing (the variogram's distance unit). Or ``lat``, ``lon``:
    the grid's 1-D axes in degrees; cells are then placed in km on a sinusoidal
    projection centred on the middle meridian (distances along parallels shrink as
    cos(lat) row by row), and the variogram's range is in km. ``noise_variance``:
    observation noise variance per cell (log10 units^2, e.g. each sensor's nugget
    or the merged sigma^2), filtered by the estimate. ``simple=True`` krige the
    anomaly around 0 (the first guess) instead of a locally estimated mean.

    Returns a dict: ``value`` (10^estimate), ``log10`` (estimate), ``variance``
    (kriging error variance, log10 units^2), ``observed`` (bool mask).

    Parameters
    ----------
    values : array_like
        2-D daily field (e.g. chl in mg m-3); NaN or <= 0 missing.
    first_guess_log10 : array_like
        First guess in log10, same shape (see :func:`first_guess_log10`).
    variogram : dict
        ``model``, ``psill``, ``range``, ``nugget`` of the log10 anomalies
        (see :func:`fit_variogram`).
    k : int, default 32
        Nearest observed cells used per cell.
    dx : float, default 1.0
        Cell spacing along columns (the variogram's distance unit).
    dy : float, default 1.0
        Cell spacing along rows.
    noise_variance : float or array_like, optional
        Observation noise variance per cell (log10 units^2).
    simple : bool, default False
        Simple kriging around the first guess instead of a local mean.
    lat : array_like, optional
        The grid's latitude axis (degrees north); with `lon`, distances in km.
    lon : array_like, optional
        The grid's longitude axis (degrees east).

    Returns
    -------
    dict
        ``value``, ``log10``, ``variance`` (float64, shape of `values`) and
        ``observed`` (bool).

    Raises
    ------
    OceanColourError
        `values` and `first_guess_log10` not 2-D of one shape, or an invalid
        variogram (a ``ValueError``).

    Examples
    --------
    >>> v = {"model": "exponential", "psill": 0.1, "range": 5.0, "nugget": 0.0}
    >>> values = np.array([[1.0, np.nan], [1.0, 1.0]])
    >>> out = fusion.l4(values, np.zeros((2, 2)), v)
    >>> np.round(out["value"], 3)
    array([[1., 1.],
           [1., 1.]])
    >>> out["observed"]
    array([[ True, False],
           [ True,  True]])
    """
    v = np.asarray(values, dtype=np.float64)
    fg = np.asarray(first_guess_log10, dtype=np.float64)
    if v.ndim != 2 or v.shape != fg.shape:
        raise OceanColourError(
            f"values and first_guess_log10 must be 2-D arrays of the same shape, got {v.shape} and {fg.shape}"
        )
    noise = None
    if noise_variance is not None:
        noise = np.ascontiguousarray(np.broadcast_to(np.asarray(noise_variance, dtype=np.float64), v.shape))
    log10, variance = _l4_grid(v, fg, variogram, k, dx, dy, noise, 0.0 if simple else None, lat, lon)
    with np.errstate(invalid="ignore"):
        observed = (v > 0) & np.isfinite(v) & np.isfinite(fg)
    return {"value": 10.0**log10, "log10": log10, "variance": variance, "observed": observed}
