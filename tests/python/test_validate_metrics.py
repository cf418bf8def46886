"""oceancolour.validate.metrics against independent computations: hand-derived values on
small arrays and scipy.stats."""

import math

import numpy as np
import pytest

scipy_stats = pytest.importorskip("scipy.stats")
from oceancolour.validate import metrics  # noqa: E402


def test_hand_values_factor_two():
    # M = 2 O everywhere: every log10 difference is log10(2).
    o = np.array([0.1, 1.0, 10.0])
    m = 2 * o
    s = metrics.summary(m, o)
    l2 = math.log10(2)
    assert s["n"] == s["n_log"] == 3
    assert s["bias_log10"] == pytest.approx(l2)
    assert s["mae_log10"] == pytest.approx(l2)
    assert s["rmsd_log10"] == pytest.approx(l2)
    assert s["rmsd_c_log10"] == pytest.approx(0, abs=1e-12)
    assert s["bias_factor"] == pytest.approx(2)
    assert s["mae_factor"] == pytest.approx(2)
    assert s["median_ratio"] == pytest.approx(2)
    assert s["siqr_ratio"] == pytest.approx(0, abs=1e-12)
    assert s["mdape_pct"] == pytest.approx(100)
    assert s["slope_rma_log10"] == pytest.approx(1)
    assert s["intercept_rma_log10"] == pytest.approx(l2)
    assert s["r_log10"] == pytest.approx(1)
    # Linear space: differences are 0.1, 1, 10.
    assert s["bias"] == pytest.approx(11.1 / 3)
    assert s["rmsd"] == pytest.approx(math.sqrt((0.01 + 1 + 100) / 3))
    assert s["slope_rma"] == pytest.approx(2)
    assert s["intercept_rma"] == pytest.approx(0, abs=1e-12)


def test_against_scipy_on_lognormal_sample():
    rng = np.random.default_rng(7)
    o = 10 ** rng.normal(-0.3, 0.5, 500)
    m = o * 10 ** rng.normal(0.05, 0.15, 500)
    s = metrics.summary(m, o)
    lm, lo = np.log10(m), np.log10(o)
    assert s["r_log10"] == pytest.approx(scipy_stats.pearsonr(lo, lm)[0], rel=1e-10)
    assert s["r"] == pytest.approx(scipy_stats.pearsonr(o, m)[0], rel=1e-10)
    # RMA slope is the geometric mean of the OLS slope of m on o and the inverse OLS slope of o on m.
    b_mo = scipy_stats.linregress(lo, lm).slope
    b_om = scipy_stats.linregress(lm, lo).slope
    rma = math.sqrt(b_mo / b_om)
    assert s["slope_rma_log10"] == pytest.approx(rma, rel=1e-10)
    assert s["intercept_rma_log10"] == pytest.approx(lm.mean() - rma * lo.mean(), rel=1e-10)
    assert s["bias_factor"] == pytest.approx(scipy_stats.gmean(m / o), rel=1e-10)
    assert s["rmsd_log10"] ** 2 == pytest.approx(s["bias_log10"] ** 2 + s["rmsd_c_log10"] ** 2, rel=1e-10)
    rel = 100 * (m - o) / o
    assert s["mdape_pct"] == pytest.approx(np.median(np.abs(rel)))
    assert s["reldiff_p95_pct"] == pytest.approx(scipy_stats.scoreatpercentile(rel, 95))
    q1, q3 = scipy_stats.scoreatpercentile(m / o, [25, 75])
    assert s["siqr_ratio"] == pytest.approx((q3 - q1) / 2)


def test_negative_correlation_gives_negative_rma_slope():
    o = np.array([1.0, 2.0, 3.0, 4.0])
    s = metrics.summary(10 - 2 * o, o)
    assert s["slope_rma"] == pytest.approx(-2)
    assert s["intercept_rma"] == pytest.approx(10)


def test_invalid_pairs_are_dropped_and_counted():
    o = np.array([1.0, np.nan, 2.0, -1.0, 4.0])
    m = np.array([1.0, 3.0, np.inf, 2.0, 4.0])
    s = metrics.summary(m, o)
    assert s["n"] == 3  # pairs 0, 3, 4
    assert s["n_log"] == 2  # pair 3 has O < 0
    empty = metrics.summary(np.array([]), np.array([]))
    assert empty["n"] == 0 and math.isnan(empty["bias_log10"])


def test_win_rate_by_hand():
    o = np.array([1.0, 1.0, 1.0, 1.0])
    a = np.array([1.1, 1.1, 3.0, 1.0])
    b = np.array([2.0, 1.2, 1.1, 1.5])
    assert metrics.win_rate(a, b, o) == pytest.approx(0.75)
    assert metrics.win_rate(b, a, o) == pytest.approx(0.25)
