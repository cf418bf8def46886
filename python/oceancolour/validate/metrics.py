"""Validation statistics for pairs (M, O): M the product under test, O the reference.

Definitions (as gathered in the project's fusion notes, fusion.md §8):

* Seegers, Stumpf, Schaeffer, Loftin & Werdell (2018), "Performance metrics for the
  assessment of satellite data products: an ocean color case study", Optics Express
  26(6):7404-7422, doi:10.1364/OE.26.007404: bias and MAE of log10-transformed values,
  reported back-transformed as multiplicative factors (``bias_factor``, ``mae_factor``),
  and pair-wise win rates between algorithms.
* Log10-space bias, mean absolute difference and RMSD, centred RMSD (OC-CCI convention,
  RMSD^2 = bias^2 + RMSD_c^2).
* Type-II regression: reduced major axis, slope = sign(r) s_M / s_O, intercept =
  mean(M) - slope mean(O) (e.g. Ricker 1973, J. Fish. Res. Board Can. 30:409; fusion.md §8).
* Median ratio and its semi-interquartile range (Bailey & Werdell 2006, Remote Sens.
  Environ. 102:12-23), MdAPE, RPD and APD in percent.

Every function takes 1-D float arrays of equal length that the caller has already
restricted to valid pairs; log-space functions need M > 0 and O > 0.
"""

from __future__ import annotations

import math

import numpy as np

PERCENTILES = (5, 25, 50, 75, 95)


def bias(m: np.ndarray, o: np.ndarray) -> float:
    """Mean difference (1/n) sum(M - O).

    Parameters
    ----------
    m : numpy.ndarray
        The product under test, 1-D float values of the valid pairs (in the variable's
        units, e.g. chlorophyll in mg m-3).
    o : numpy.ndarray
        The reference at the same pairs, same length and units as ``m``.

    Returns
    -------
    float
        The bias, in the units of ``m`` and ``o``; NaN (with a numpy RuntimeWarning)
        for empty arrays.

    Raises
    ------
    ValueError
        ``m`` and ``o`` have different lengths (numpy cannot broadcast them).

    Examples
    --------
    >>> import numpy as np
    >>> from oceancolour.validate import metrics
    >>> o = np.array([0.1, 0.5, 1.0, 4.0])  # reference chlorophyll, mg m-3
    >>> m = np.array([0.12, 0.55, 1.1, 4.2])  # product, mg m-3
    >>> round(metrics.bias(m, o), 4)  # mg m-3
    0.0925
    """
    return float(np.mean(m - o))


def mae(m: np.ndarray, o: np.ndarray) -> float:
    """Mean absolute difference (1/n) sum|M - O|.

    Parameters
    ----------
    m : numpy.ndarray
        The product under test, 1-D float values of the valid pairs (in the variable's
        units, e.g. chlorophyll in mg m-3).
    o : numpy.ndarray
        The reference at the same pairs, same length and units as ``m``.

    Returns
    -------
    float
        The mean absolute difference, in the units of ``m`` and ``o``; NaN (with a
        numpy RuntimeWarning) for empty arrays.

    Raises
    ------
    ValueError
        ``m`` and ``o`` have different lengths (numpy cannot broadcast them).

    Examples
    --------
    >>> import numpy as np
    >>> from oceancolour.validate import metrics
    >>> o = np.array([0.1, 0.5, 1.0, 4.0])  # reference chlorophyll, mg m-3
    >>> m = np.array([0.12, 0.45, 1.1, 3.8])  # product, mg m-3
    >>> round(metrics.mae(m, o), 4)  # mg m-3
    0.0925
    """
    return float(np.mean(np.abs(m - o)))


def rmsd(m: np.ndarray, o: np.ndarray) -> float:
    """Root-mean-square difference sqrt((1/n) sum (M - O)^2).

    Parameters
    ----------
    m : numpy.ndarray
        The product under test, 1-D float values of the valid pairs (in the variable's
        units, e.g. chlorophyll in mg m-3).
    o : numpy.ndarray
        The reference at the same pairs, same length and units as ``m``.

    Returns
    -------
    float
        The RMSD, in the units of ``m`` and ``o``; NaN (with a numpy RuntimeWarning)
        for empty arrays.

    Raises
    ------
    ValueError
        ``m`` and ``o`` have different lengths (numpy cannot broadcast them).

    Examples
    --------
    >>> import numpy as np
    >>> from oceancolour.validate import metrics
    >>> o = np.array([0.1, 0.5, 1.0, 4.0])  # reference chlorophyll, mg m-3
    >>> m = np.array([0.12, 0.55, 1.1, 4.2])  # product, mg m-3
    >>> round(metrics.rmsd(m, o), 4)  # mg m-3
    0.115
    """
    return float(np.sqrt(np.mean((m - o) ** 2)))


def rmsd_centred(m: np.ndarray, o: np.ndarray) -> float:
    """Unbiased RMSD sqrt((1/n) sum (d - mean d)^2), d = M - O.

    With :func:`bias` and :func:`rmsd`, RMSD^2 = bias^2 + RMSD_c^2 (OC-CCI convention).

    Parameters
    ----------
    m : numpy.ndarray
        The product under test, 1-D float values of the valid pairs (in the variable's
        units, e.g. chlorophyll in mg m-3).
    o : numpy.ndarray
        The reference at the same pairs, same length and units as ``m``.

    Returns
    -------
    float
        The centred RMSD, in the units of ``m`` and ``o``; NaN (with a numpy
        RuntimeWarning) for empty arrays.

    Raises
    ------
    ValueError
        ``m`` and ``o`` have different lengths (numpy cannot broadcast them).

    Examples
    --------
    >>> import numpy as np
    >>> from oceancolour.validate import metrics
    >>> o = np.array([0.1, 0.5, 1.0, 4.0])  # reference chlorophyll, mg m-3
    >>> m = np.array([0.12, 0.55, 1.1, 4.2])  # product, mg m-3
    >>> round(metrics.rmsd_centred(m, o), 4)  # mg m-3
    0.0683
    >>> bool(np.isclose(metrics.rmsd(m, o) ** 2, metrics.bias(m, o) ** 2 + metrics.rmsd_centred(m, o) ** 2))
    True
    """
    d = m - o
    return float(np.sqrt(np.mean((d - d.mean()) ** 2)))


def pearson_r(m: np.ndarray, o: np.ndarray) -> float:
    """Pearson correlation of (O, M); NaN when either is constant.

    Parameters
    ----------
    m : numpy.ndarray
        The product under test, 1-D float values of the valid pairs (in the variable's
        units, e.g. chlorophyll in mg m-3).
    o : numpy.ndarray
        The reference at the same pairs, same length and units as ``m``.

    Returns
    -------
    float
        The correlation coefficient (dimensionless, -1 to 1); NaN when ``m`` or ``o``
        has zero variance.

    Raises
    ------
    ValueError
        ``m`` and ``o`` have different lengths (numpy cannot broadcast them).

    Examples
    --------
    >>> import numpy as np
    >>> from oceancolour.validate import metrics
    >>> o = np.array([0.1, 0.5, 1.0, 4.0])  # reference chlorophyll, mg m-3
    >>> round(metrics.pearson_r(2 * o + 0.1, o), 6)
    1.0
    >>> metrics.pearson_r(np.full(4, 0.3), o)  # a constant product
    nan
    """
    so, sm = np.std(o), np.std(m)
    if so == 0 or sm == 0:
        return math.nan
    return float(np.mean((o - o.mean()) * (m - m.mean())) / (so * sm))


def rma(m: np.ndarray, o: np.ndarray) -> tuple[float, float]:
    """Type-II (reduced major axis) slope and intercept of M on O.

    slope = sign(r) s_M / s_O and intercept = mean(M) - slope mean(O) (e.g. Ricker 1973,
    J. Fish. Res. Board Can. 30:409), with r the Pearson correlation (a positive sign when
    r is undefined).

    Parameters
    ----------
    m : numpy.ndarray
        The product under test, 1-D float values of the valid pairs (in the variable's
        units, e.g. chlorophyll in mg m-3).
    o : numpy.ndarray
        The reference at the same pairs, same length and units as ``m``.

    Returns
    -------
    tuple of float
        ``(slope, intercept)``: the slope is dimensionless, the intercept in the units of
        ``m``; ``(nan, nan)`` when ``o`` is constant.

    Raises
    ------
    ValueError
        ``m`` and ``o`` have different lengths (numpy cannot broadcast them).

    Examples
    --------
    >>> import numpy as np
    >>> from oceancolour.validate import metrics
    >>> o = np.array([0.1, 0.5, 1.0, 4.0])  # reference chlorophyll, mg m-3
    >>> slope, intercept = metrics.rma(2 * o + 0.1, o)
    >>> round(slope, 6), round(intercept, 6)  # dimensionless, mg m-3
    (2.0, 0.1)
    """
    so, sm = np.std(o), np.std(m)
    if so == 0:
        return math.nan, math.nan
    r = pearson_r(m, o)
    slope = math.copysign(1.0, r if math.isfinite(r) else 1.0) * sm / so
    return float(slope), float(m.mean() - slope * o.mean())


def relative_difference_pct(m: np.ndarray, o: np.ndarray) -> np.ndarray:
    """100 (M - O)/O per pair.

    Parameters
    ----------
    m : numpy.ndarray
        The product under test, 1-D float values of the valid pairs (in the variable's
        units, e.g. chlorophyll in mg m-3).
    o : numpy.ndarray
        The reference at the same pairs, same length and units as ``m``.

    Returns
    -------
    numpy.ndarray
        The relative difference of each pair, in percent (inf or NaN, with a numpy
        RuntimeWarning, where O = 0).

    Raises
    ------
    ValueError
        ``m`` and ``o`` have different lengths (numpy cannot broadcast them).

    Examples
    --------
    >>> import numpy as np
    >>> from oceancolour.validate import metrics
    >>> o = np.array([0.1, 0.5, 1.0, 4.0])  # reference chlorophyll, mg m-3
    >>> m = np.array([0.12, 0.55, 1.1, 4.2])  # product, mg m-3
    >>> metrics.relative_difference_pct(m, o).round(6)  # percent
    array([20., 10., 10.,  5.])
    """
    return 100.0 * (m - o) / o


def win_rate(m_a: np.ndarray, m_b: np.ndarray, o: np.ndarray) -> float:
    """Seegers et al. 2018: share of pairs where A is closer to O than B in log10 space.

    Parameters
    ----------
    m_a : numpy.ndarray
        Algorithm A at the valid pairs, 1-D, values > 0 (e.g. chlorophyll in mg m-3).
    m_b : numpy.ndarray
        Algorithm B at the same pairs, same length and units.
    o : numpy.ndarray
        The reference at the same pairs, same length and units.

    Returns
    -------
    float
        The fraction (0 to 1, not percent) of pairs where |log10 A - log10 O| <
        |log10 B - log10 O|; ties count for neither; NaN for empty arrays.

    Raises
    ------
    ValueError
        The three arrays have different lengths (numpy cannot broadcast them).

    Examples
    --------
    >>> import numpy as np
    >>> from oceancolour.validate import metrics
    >>> o = np.array([0.1, 0.5, 1.0, 4.0])  # reference chlorophyll, mg m-3
    >>> a = np.array([0.12, 0.55, 1.1, 4.2])  # algorithm A, mg m-3
    >>> b = np.array([0.2, 0.4, 1.05, 3.0])  # algorithm B, mg m-3
    >>> metrics.win_rate(a, b, o), metrics.win_rate(b, a, o)
    (0.75, 0.25)
    """
    da = np.abs(np.log10(m_a) - np.log10(o))
    db = np.abs(np.log10(m_b) - np.log10(o))
    return float(np.mean(da < db))


def summary(m: np.ndarray, o: np.ndarray) -> dict[str, float]:
    """All metrics for one set of pairs, as a flat dict (NaN where undefined).

    ``n`` counts finite pairs (linear metrics); ``n_log`` the pairs with both values > 0
    (log10 metrics, median ratio, relative differences). Unlike the other functions of
    this module, it takes any array-likes, flattens them and drops the non-finite pairs
    itself.

    Parameters
    ----------
    m : array_like
        The product under test (e.g. chlorophyll in mg m-3); NaN where missing.
    o : array_like
        The reference at the same pixels or stations, same size and units as ``m``.

    Returns
    -------
    dict of str to float
        ``n``, ``bias``, ``mae``, ``rmsd`` (units of ``m``), ``r``, ``slope_rma``,
        ``intercept_rma``; ``n_log``, ``bias_log10``, ``mae_log10``, ``rmsd_log10``,
        ``rmsd_c_log10`` (log10 units, i.e. decades), ``bias_factor`` and ``mae_factor``
        (multiplicative, 10**bias_log10 and 10**mae_log10), ``r_log10``,
        ``slope_rma_log10``, ``intercept_rma_log10``, ``median_ratio`` and
        ``siqr_ratio`` (of M/O, dimensionless), ``mdape_pct``, ``apd_pct``, ``rpd_pct``
        and ``reldiff_p5_pct`` ... ``reldiff_p95_pct`` (percent). ``n`` and ``n_log``
        are ints.

    Raises
    ------
    ValueError
        ``m`` and ``o`` have different sizes, or hold values that are not numbers.

    Examples
    --------
    >>> import numpy as np
    >>> from oceancolour.validate import metrics
    >>> o = [0.1, 0.5, 1.0, 4.0, np.nan]  # reference chlorophyll, mg m-3
    >>> m = [0.12, 0.55, 1.1, 4.2, 2.0]  # product, mg m-3
    >>> s = metrics.summary(m, o)
    >>> s["n"], round(s["bias"], 4), round(s["median_ratio"], 4), round(s["mdape_pct"], 4)
    (4, 0.0925, 1.1, 10.0)
    >>> round(s["bias_factor"], 4)  # the product is ~11% high, multiplicatively
    1.1112
    """
    m = np.asarray(m, dtype=np.float64).ravel()
    o = np.asarray(o, dtype=np.float64).ravel()
    if m.shape != o.shape:
        raise ValueError(f"metrics need equal-length arrays, got {m.size} and {o.size}")
    ok = np.isfinite(m) & np.isfinite(o)
    m, o = m[ok], o[ok]
    out: dict[str, float] = {"n": int(m.size)}
    nan = math.nan
    if m.size:
        slope, intercept = rma(m, o)
        out.update(bias=bias(m, o), mae=mae(m, o), rmsd=rmsd(m, o), r=pearson_r(m, o),
                   slope_rma=slope, intercept_rma=intercept)
    else:
        out.update(bias=nan, mae=nan, rmsd=nan, r=nan, slope_rma=nan, intercept_rma=nan)
    pos = (m > 0) & (o > 0)
    mp, op = m[pos], o[pos]
    out["n_log"] = int(mp.size)
    if mp.size:
        lm, lo = np.log10(mp), np.log10(op)
        d = lm - lo
        slope, intercept = rma(lm, lo)
        rel = relative_difference_pct(mp, op)
        # M/O = 1 + rel/100, so one set of percentiles of rel also gives the ratio's
        # median and SIQR (saves sorting large grids twice).
        pct = dict(zip(PERCENTILES, np.percentile(rel, PERCENTILES)))
        ratio, siqr = 1 + pct[50] / 100, (pct[75] - pct[25]) / 200
        out.update(
            bias_log10=float(d.mean()), mae_log10=float(np.abs(d).mean()),
            rmsd_log10=rmsd(lm, lo), rmsd_c_log10=rmsd_centred(lm, lo),
            bias_factor=float(10 ** d.mean()), mae_factor=float(10 ** np.abs(d).mean()),
            r_log10=pearson_r(lm, lo), slope_rma_log10=slope, intercept_rma_log10=intercept,
            median_ratio=float(ratio), siqr_ratio=float(siqr),
            mdape_pct=float(np.median(np.abs(rel))), apd_pct=float(np.mean(np.abs(rel))),
            rpd_pct=float(np.mean(rel)),
            **{f"reldiff_p{p}_pct": float(v) for p, v in pct.items()},
        )
    else:
        for k in ("bias_log10", "mae_log10", "rmsd_log10", "rmsd_c_log10", "bias_factor", "mae_factor",
                  "r_log10", "slope_rma_log10", "intercept_rma_log10", "median_ratio", "siqr_ratio",
                  "mdape_pct", "apd_pct", "rpd_pct", *(f"reldiff_p{p}_pct" for p in PERCENTILES)):
            out[k] = nan
    return out
