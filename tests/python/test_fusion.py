"""Fusion: grids, binning, merging and kriging, checked against NASA's published
grid, a real NASA L3b file, independent numpy re-computations and PyKrige."""

import math
from pathlib import Path

import numpy as np
import pytest

import oceancolour as oc
from oceancolour import fusion as fu

DATA = Path(__file__).resolve().parents[2] / "validation" / "data"


# ---------------------------------------------------------------- grids

def isin_reference(nrows):
    """NASA's ISIN formulas (OBPG L3 bins page), written independently in numpy."""
    lat = (np.arange(nrows) + 0.5) * 180.0 / nrows - 90.0
    numbin = np.floor(2 * nrows * np.cos(np.radians(lat)) + 0.5).astype(np.int64)
    basebin = np.concatenate([[1], 1 + np.cumsum(numbin)[:-1]])
    return numbin, basebin


@pytest.mark.parametrize("nrows,total", [(2160, 5_940_422), (4320, 23_761_676), (8640, 95_046_858)])
def test_isin_published_totals(nrows, total):
    g = fu.isin_grid(nrows)
    assert g["total_bins"] == total
    numbin, basebin = isin_reference(nrows)
    np.testing.assert_array_equal(g["max"], numbin)
    np.testing.assert_array_equal(g["start_num"], basebin)


def test_isin_against_real_l3b_bin_index():
    netCDF4 = pytest.importorskip("netCDF4")
    with netCDF4.Dataset(DATA / "S2008001.L3b_DAY_RRS.nc") as ds:
        grp = ds["level-3_binned_data"]
        index = grp["BinIndex"][:]
        binlist = grp["BinList"][:]
    g = fu.isin_grid(len(index))
    np.testing.assert_array_equal(g["max"], index["max"])
    # NASA's writer leaves start_num = 0 in the rows it never visited (the
    # polar night, rows >= 1890 on 1 January); every filled-in row must match.
    seen = index["start_num"] > 0
    assert seen.sum() == 1890
    np.testing.assert_array_equal(g["start_num"][seen], index["start_num"][seen])
    # The two filled bins lie in the Ross Sea (validation/data/README.md).
    lon, lat = fu.grid_centre(binlist["bin_num"], 2160)
    np.testing.assert_allclose(lat, [-77.4, -76.0], atol=0.05)
    np.testing.assert_allclose(lon, [165.3, 170.6], atol=0.1)
    np.testing.assert_array_equal(fu.grid_cell(lon, lat, 2160), binlist["bin_num"])


def test_isin_lookup_matches_reference_on_random_points():
    rng = np.random.default_rng(1)
    lon = rng.uniform(-180, 180, 20000)
    lat = rng.uniform(-90, 90, 20000)
    numbin, basebin = isin_reference(4320)
    row = np.clip(np.floor((lat + 90) * 4320 / 180).astype(int), 0, 4319)
    col = np.minimum(np.floor((lon + 180) * numbin[row] / 360).astype(int), numbin[row] - 1)
    np.testing.assert_array_equal(fu.grid_cell(lon, lat, 4320), basebin[row] + col)
    clon, clat = fu.grid_centre(basebin[row] + col, 4320)
    assert np.all(np.abs(clat - lat) <= 90 / 4320 + 1e-9)


def test_regular_grid():
    lons, lats = fu.regular_grid(-10, 10, 40, 50, 0.5, 0.25)
    assert lons.shape == (40,) and lats.shape == (40,)
    assert lons[0] == -9.75 and lats[0] == 49.875
    cells = fu.grid_cell([-9.9, 9.9, 20.0], [49.9, 40.1, 45.0], (-10, 10, 40, 50, 0.5, 0.25))
    assert list(cells[:2]) == [0, 1599] and cells[2] == np.iinfo(np.uint64).max
    with pytest.raises(oc.OceanColourError, match="whole number"):
        fu.regular_grid(0, 1, 0, 1, 0.3, 0.5)


# ---------------------------------------------------------------- binning

def l2bin_reference(cells, scenes, values, geometric):
    """l2bin's sums per bin (fusion.md §1.2), by plain Python dictionaries."""
    acc = {}
    for c, s, v in zip(cells, scenes, values):
        if geometric:
            if not v > 0:
                continue
            v = math.log(v)
        acc.setdefault(c, {}).setdefault(s, []).append(v)
    out = {}
    for c, per_scene in acc.items():
        sm = sq = w = 0.0
        for vals in per_scene.values():
            ws = math.sqrt(len(vals))
            sm += sum(vals) / ws
            sq += sum(x * x for x in vals) / ws
            w += ws
        ns = len(per_scene)
        mean = sm / w
        var = (sq / w - mean * mean) * w * w / (w * w - ns) if w * w > ns else 0.0
        out[c] = (sm, sq, w, mean, max(var, 0.0))
    return out


def test_l2bin_worked_example():
    # Scene 1: four pixels of 1; scene 2: one pixel of 3 -> mean 5/3 (fusion.md §1.2).
    b = fu.bin_l2([0.5] * 5, [0.5] * 5, [1, 1, 1, 1, 3], [1, 1, 1, 1, 2], (0, 1, 0, 1, 1, 1))
    assert b["sum"][0] == 5 and b["weights"][0] == 3
    assert b["mean"][0] == pytest.approx(5 / 3, rel=1e-15)
    assert (b["nobs"][0], b["nscenes"][0]) == (5, 2)


@pytest.mark.parametrize("averaging", ["arithmetic", "geometric"])
def test_l2bin_matches_independent_sums(averaging):
    rng = np.random.default_rng(2)
    n = 5000
    lon = rng.uniform(-5, 5, n).astype(np.float32)
    lat = rng.uniform(43, 48, n).astype(np.float32)
    val = rng.lognormal(0, 1, n).astype(np.float32)
    val[::97] = -1.0
    scene = rng.integers(0, 4, n)
    grid = (-5, 5, 43, 48, 1.0, 1.0)
    b = fu.bin_l2(lon, lat, val, scene, grid, averaging=averaging)
    cells = fu.grid_cell(lon, lat, grid)
    ref = l2bin_reference(cells.tolist(), scene.tolist(), val.astype(float).tolist(), averaging == "geometric")
    keys = sorted(k for k in ref)
    np.testing.assert_array_equal(b["bin"], keys)
    r = np.array([ref[k] for k in keys])
    np.testing.assert_allclose(b["sum"], r[:, 0], rtol=1e-12)
    np.testing.assert_allclose(b["sum_squared"], r[:, 1], rtol=1e-12)
    np.testing.assert_allclose(b["weights"], r[:, 2], rtol=1e-12)
    back = np.exp if averaging == "geometric" else (lambda x: x)
    np.testing.assert_allclose(b["mean"], back(r[:, 3]), rtol=1e-12)
    np.testing.assert_allclose(b["stdev"], np.sqrt(r[:, 4]), rtol=1e-9, atol=1e-12)


def test_multi_day_composite_equals_binning_everything():
    rng = np.random.default_rng(3)
    days = []
    lon_all, lat_all, val_all, sc_all = [], [], [], []
    for d in range(3):
        n = 2000
        lon, lat = rng.uniform(-5, 5, n), rng.uniform(43, 48, n)
        val, sc = rng.lognormal(0, 0.5, n), rng.integers(0, 3, n) + 10 * d
        days.append(fu.bin_l2(lon, lat, val, sc, 2160, averaging="geometric"))
        for a, x in zip((lon_all, lat_all, val_all, sc_all), (lon, lat, val, sc)):
            a.append(x)
    comp = fu.composite(days)
    once = fu.bin_l2(*(np.concatenate(a) for a in (lon_all, lat_all, val_all, sc_all)), 2160, averaging="geometric")
    np.testing.assert_array_equal(comp["bin"], once["bin"])
    for k in ("sum", "sum_squared", "weights", "mean", "stdev"):
        np.testing.assert_allclose(comp[k], once[k], rtol=1e-6)
    np.testing.assert_array_equal(comp["nscenes"], once["nscenes"])
    with pytest.raises(oc.OceanColourError, match="same averaging"):
        fu.composite([days[0], fu.bin_l2([0.0], [45.0], [1.0], [0], 2160)])


def test_binning_bad_input():
    with pytest.raises(oc.OceanColourError, match="lat"):
        fu.bin_l2([0.0, 1.0], [45.0], [1.0, 1.0], [0, 0], 2160)
    with pytest.raises(oc.OceanColourError, match="even number of rows"):
        fu.isin_grid(2161)
    with pytest.raises(oc.OceanColourError, match="averaging"):
        fu.bin_l2([0.0], [45.0], [1.0], [0], 2160, averaging="median")


# ---------------------------------------------------------------- kriging vs PyKrige

@pytest.mark.parametrize(
    "model,psill,rng_,nugget",
    [("exponential", 1.3, 25.0, 0.0), ("exponential", 0.8, 40.0, 0.2), ("spherical", 2.0, 30.0, 0.1)],
)
def test_krige_matches_pykrige(model, psill, rng_, nugget):
    pykrige = pytest.importorskip("pykrige")
    rng = np.random.default_rng(4)
    x, y = rng.uniform(0, 100, 600), rng.uniform(0, 100, 600)
    z = np.sin(x / 15) + np.cos(y / 11) + rng.normal(0, 0.1, 600)
    xt, yt = rng.uniform(-5, 105, 300), rng.uniform(-5, 105, 300)
    xt[:5], yt[:5] = x[:5], y[:5]  # targets on observations: exact interpolation
    k = 24
    ok = pykrige.ok.OrdinaryKriging(
        x, y, z, variogram_model=model,
        variogram_parameters={"psill": psill, "range": rng_, "nugget": nugget},
    )
    zp, sp = ok.execute("points", xt, yt, backend="loop", n_closest_points=k)
    vario = {"model": model, "psill": psill, "range": rng_, "nugget": nugget}
    est, var = fu.krige(x, y, z, xt, yt, vario, k=k)
    np.testing.assert_allclose(est, np.asarray(zp), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(var, np.asarray(sp), rtol=1e-6, atol=1e-9)


# ---------------------------------------------------------------- synthetic truth

def gaussian_field(n, psill, rng_, rng, nfields=1):
    """Gaussian random field with exponential covariance psill exp(-3h/range)
    on an n x n grid, by Cholesky of the full covariance (numpy only)."""
    jj, ii = np.mgrid[0:n, 0:n]
    p = np.column_stack([ii.ravel(), jj.ravel()]).astype(float)
    h = np.hypot(p[:, None, 0] - p[None, :, 0], p[:, None, 1] - p[None, :, 1])
    c = psill * np.exp(-3 * h / rng_) + 1e-10 * np.eye(n * n)
    L = np.linalg.cholesky(c)
    return [(L @ rng.standard_normal(n * n)).reshape(n, n) for _ in range(nfields)]


def test_kriging_zero_nugget_returns_observations_and_variance_is_calibrated():
    rng = np.random.default_rng(5)
    n, psill, rng_ = 40, 0.09, 12.0
    vario = {"model": "exponential", "psill": psill, "range": rng_, "nugget": 0.0}
    inside = []
    for truth in gaussian_field(n, psill, rng_, rng, nfields=4):
        obs = np.full((n, n), np.nan)
        m = rng.random((n, n)) < 0.2
        obs[m] = truth[m]
        fg = np.zeros((n, n))
        out = fu.l4(10.0**obs, fg, vario, k=32)
        # Zero nugget: the analysis honours the observations exactly.
        np.testing.assert_allclose(out["log10"][m], truth[m], atol=1e-9)
        assert np.all(out["variance"][m] < 1e-9)
        z = (out["log10"][~m] - truth[~m]) / np.sqrt(out["variance"][~m])
        inside.append(np.abs(z) <= 1.96)
    share = np.concatenate(inside).mean()
    assert 0.90 <= share <= 0.99, share


def test_fitted_variogram_and_noisy_sensors():
    """Variogram fitted from the data; two sensors with different noise, the
    noise given per observation (nugget per sensor): the 95% intervals still
    cover 90-99% of the truth, and filtering beats the raw observations."""
    rng = np.random.default_rng(6)
    n, psill, rng_ = 40, 0.09, 12.0
    inside, err_obs, err_an = [], [], []
    for truth in gaussian_field(n, psill, rng_, rng, nfields=3):
        sd = np.where(rng.random((n, n)) < 0.5, 0.05, 0.1)  # sensor A / B
        m = rng.random((n, n)) < 0.3
        obs = np.where(m, truth + rng.normal(0, 1, (n, n)) * sd, np.nan)
        jj, ii = np.nonzero(m)
        v = fu.fit_variogram(ii.astype(float), jj.astype(float), obs[m], model="exponential", nlags=15, max_lag=20.0)
        assert 0.5 * psill < v["psill"] + v["nugget"] < 1.6 * psill
        out = fu.l4(10.0**obs, np.zeros((n, n)), {**v, "nugget": 0.0}, k=32, noise_variance=sd**2)
        z = (out["log10"] - truth) / np.sqrt(out["variance"])
        inside.append(np.abs(z[~m]) <= 1.96)
        err_obs.append(obs[m] - truth[m])
        err_an.append(out["log10"][m] - truth[m])
    share = np.concatenate(inside).mean()
    assert 0.90 <= share <= 0.99, share
    assert np.std(np.concatenate(err_an)) < 0.95 * np.std(np.concatenate(err_obs))


def test_merge_lowers_error_against_truth():
    rng = np.random.default_rng(7)
    n = 60
    truth = 0.3 + gaussian_field(n, 0.2, 15.0, rng)[0]  # log10 chl
    sd = [0.06, 0.10, 0.08]
    fields = []
    for s, e in enumerate(sd):
        swath = (np.arange(n)[None, :] + 17 * s) % 30 < 22  # swath gaps
        cloud = rng.random((n, n)) < 0.8
        seen = np.broadcast_to(swath, (n, n)) & cloud
        fields.append(np.where(seen, 10.0 ** (truth + rng.normal(0, e, (n, n))), np.nan))
    out = fu.merge(fields, [e**2 for e in sd])
    all3 = out["count"] == 3
    rmse = lambda f, m: np.sqrt(np.mean((np.log10(f[m]) - truth[m]) ** 2))
    merged = rmse(out["value"].astype(float), all3)
    assert merged < min(rmse(f, all3) for f in fields)
    assert merged == pytest.approx((sum(1 / e**2 for e in sd)) ** -0.5, rel=0.15)
    np.testing.assert_allclose(out["sigma"][all3], (sum(1 / e**2 for e in sd)) ** -0.5, rtol=1e-5)
    # Coverage grows and the bitmask names the contributors.
    assert (out["count"] > 0).sum() > max(np.isfinite(f).sum() for f in fields)
    only0 = np.isfinite(fields[0]) & ~np.isfinite(fields[1]) & ~np.isfinite(fields[2])
    assert np.all(out["sensors"][only0] == 1)


# ---------------------------------------------------------------- intercalibration

def climatology(n):
    """The fixed log10 chl pattern of the synthetic truth."""
    jj, ii = np.mgrid[0:n, 0:n]
    return 0.2 + 0.5 * np.sin(ii / 5.0) * np.cos(jj / 7.0)


def synthetic_sensors(seed=8, ndays=90, n=24, anomalies=None):
    """A truth log10 chl (fixed pattern + daily anomaly: white noise, or the
    given (ndays, n, n) anomalies) seen by a reference (unbiased), sensor A
    (x1.32, i.e. +0.12 log10) and sensor B with a log-linear bias (slope
    0.85, intercept -0.15) relative to A, each with noise and its own
    swath/cloud gaps."""
    rng = np.random.default_rng(seed)
    base = climatology(n)
    truth = base[None] + (rng.normal(0, 0.15, (ndays, n, n)) if anomalies is None else anomalies)
    doy = (np.arange(ndays) * 4) % 365

    def observe(t, sd, seen_frac, shift):
        swath = ((np.arange(n)[None, None, :] + shift + 5 * np.arange(ndays)[:, None, None]) % 20) < 14
        seen = swath & (rng.random(t.shape) < seen_frac)
        return np.where(seen, 10.0 ** (t + rng.normal(0, sd, t.shape)), np.nan)

    ref = observe(truth, 0.04, 0.7, 0)
    a = observe(truth + 0.12, 0.05, 0.7, 7)
    b = observe(-0.15 + 0.85 * (truth + 0.12), 0.04, 0.7, 13)
    return truth, doy, ref, a, b


def test_intercalibration_recovers_biases_and_chains():
    truth, doy, ref, a, b = synthetic_sensors()
    off = fu.fit_intercalibration(a, ref, "log_offset", sensor_name="MODIS-Aqua", reference_name="MERIS", doy=doy)
    assert off.coefficients["offset"] == pytest.approx(-0.12, abs=0.01)
    assert off.n_pairs == int((np.isfinite(a) & np.isfinite(ref)).sum())
    assert abs(off.bias_after) < 0.005 and off.spread_after < off.spread_before * 1.01
    rma = fu.fit_intercalibration(a, ref, "rma")
    assert rma.coefficients["slope"] == pytest.approx(1.0, abs=0.05)
    assert rma.coefficients["intercept"] == pytest.approx(-0.12, abs=0.03)
    q = fu.fit_intercalibration(a, ref, "quantile", nq=51)
    assert abs(q.bias_after) < 0.01

    # Chain: B (e.g. OLCI) has no overlap with the reference; it is fitted
    # against A corrected to the reference, and ends up unbiased vs truth.
    a_corr = off.apply(a)
    chained = fu.fit_intercalibration(b, a_corr, "rma", sensor_name="OLCI-A", reference_correction=off)
    assert chained.chain == ["OLCI-A", "MODIS-Aqua", "MERIS"]
    b_corr = chained.apply(b)
    m = np.isfinite(b_corr)
    assert abs(np.median(np.log10(b[m]) - truth[m])) > 0.05
    assert abs(np.median(np.log10(b_corr[m]) - truth[m])) < 0.015
    # Independent check of the RMA formula with numpy.
    pair = np.isfinite(b) & np.isfinite(a_corr)
    x, y = np.log10(b[pair]), np.log10(a_corr[pair].astype(float))
    slope = np.sign(np.corrcoef(x, y)[0, 1]) * y.std() / x.std()
    assert chained.coefficients["slope"] == pytest.approx(slope, rel=1e-4)
    assert chained.coefficients["intercept"] == pytest.approx(y.mean() - slope * x.mean(), abs=1e-4)


def test_space_season_field_with_fallback():
    rng = np.random.default_rng(9)
    ndays, n = 365, 16
    doy = np.arange(ndays)
    truth = 0.3 + rng.normal(0, 0.2, (ndays, n, n))
    # Bias: seasonal (0.1 sin) in the west half, constant 0.05 in the east half.
    west = np.arange(n)[None, None, :] < n // 2
    season = 0.1 * np.sin(2 * np.pi * doy / 365.25)[:, None, None]
    bias = np.where(west, season, 0.05)
    ref = 10.0**truth
    sensor = 10.0 ** (truth + bias + rng.normal(0, 0.03, truth.shape))
    sensor[:, :8, :8] = np.where(rng.random((ndays, 8, 8)) < 0.002, sensor[:, :8, :8], np.nan)  # few pairs
    c = fu.fit_intercalibration(sensor, ref, "field", doy=doy, block=(8, 8), nseason=12, window_days=20, min_pairs=50)
    co = c.coefficients
    assert co["offset"].shape == (12, 2, 2)
    assert np.all(co["fallback"][:, 0, 0] == 1) and np.all(co["fallback"][:, 1, :] == 0)
    centres = (np.arange(12) + 0.5) * 365.25 / 12
    np.testing.assert_allclose(-co["offset"][:, 1, 1], 0.05, atol=0.01)
    np.testing.assert_allclose(-co["offset"][:, 1, 0], 0.1 * np.sin(2 * np.pi * centres / 365.25), atol=0.02)
    corrected = c.apply(sensor, doy=doy)
    ok = np.isfinite(corrected)
    resid = np.log10(corrected[ok]) - truth[ok]
    assert abs(np.median(resid)) < 0.01 and np.std(resid) < 0.045


def test_correction_netcdf_round_trip(tmp_path):
    netCDF4 = pytest.importorskip("netCDF4")
    truth, doy, ref, a, b = synthetic_sensors(ndays=30)
    for method in ("log_offset", "rma", "quantile", "field"):
        c = fu.fit_intercalibration(a, ref, method, sensor_name="MODIS-Aqua", reference_name="MERIS",
                                    doy=doy, period="2003-01-01/2007-12-31", block=(12, 12), nseason=4, min_pairs=20)
        path = tmp_path / f"{method}.nc"
        c.save(path)
        back = fu.load_correction(path)
        assert (back.method, back.chain, back.period, back.n_pairs) == (method, c.chain, c.period, c.n_pairs)
        np.testing.assert_array_equal(back.apply(a, doy=doy), c.apply(a, doy=doy))
        with netCDF4.Dataset(path) as ds:  # an independent reader sees the provenance and diagnostics
            assert ds.reference_chain == "MODIS-Aqua -> MERIS" and ds.method == method
            assert int(ds.n_pairs) == c.n_pairs and ds.spread_before == pytest.approx(c.spread_before)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{m}.nc" for m in ("log_offset", "rma", "quantile", "field"))
    with pytest.raises(oc.OceanColourError, match="cannot"):
        c.save(tmp_path / "missing-dir" / "c.nc")
    bad = tmp_path / "bad.nc"
    bad.write_bytes(b"not a netCDF file")
    with pytest.raises(oc.OceanColourError, match="bad.nc"):
        fu.load_correction(bad)
    with pytest.raises(oc.OceanColourError, match="pairs"):
        fu.fit_intercalibration(np.full(10, np.nan), np.ones(10), "rma")


def test_merge_with_corrections_removes_bias():
    truth, doy, ref, a, b = synthetic_sensors()
    off = fu.fit_intercalibration(a, ref, "log_offset", sensor_name="MODIS-Aqua", reference_name="MERIS")
    chained = fu.fit_intercalibration(b, off.apply(a), "rma", sensor_name="OLCI-A", reference_correction=off)
    d = 45
    fields = [ref[d], a[d], b[d]]
    raw = fu.merge(fields, [0.04**2, 0.05**2, 0.04**2])
    fixed = fu.merge(fields, [0.04**2, 0.05**2, 0.04**2], corrections=[None, off, chained], doy=float(doy[d]))
    m = fixed["count"] >= 2
    # Raw biases (+0.12 for A, about -0.08 for B) partly cancel where all
    # three sensors see a cell, so look at each pair of sensors separately.
    def bias(out, sensors):
        sel = out["sensors"] == sensors
        return np.mean(np.log10(out["value"][sel].astype(float)) - truth[d][sel])

    assert max(abs(bias(fixed, s)) for s in (0b011, 0b101, 0b110)) < 0.02
    assert min(abs(bias(raw, s)) for s in (0b011, 0b101)) > 0.03
    err_fixed = np.sqrt(np.mean((np.log10(fixed["value"][m].astype(float)) - truth[d][m]) ** 2))
    err_ref = np.sqrt(np.nanmean((np.log10(ref[d][m]) - truth[d][m]) ** 2))
    assert err_fixed < err_ref


# ---------------------------------------------------------------- band shifting

def test_band_shift_against_nomad_in_situ_spectra():
    """NOMAD v2 in situ Rrs (validation/data) at MODIS-like bands 411, 443,
    489, 530, 550, 670 shifted to 510, 555 and 560 nm, compared with the Rrs
    measured there. Mélin & Sclep 2015 report 2-5% for green-band conversions."""
    import gzip

    with gzip.open(DATA / "nomad_v2_rrs_chl.csv.gz", "rt") as f:
        t = np.genfromtxt(f, delimiter=",", names=True, dtype=None, encoding="utf-8", missing_values="", filling_values=np.nan)
    src, tgt = [411, 443, 489, 530, 550, 670], [510, 555, 560]
    ok = np.all([np.isfinite(t[f"Rrs_{b}"]) & (t[f"Rrs_{b}"] > 0) for b in src + tgt], axis=0)
    assert ok.sum() > 500
    out = fu.band_shift({b: t[f"Rrs_{b}"][ok] for b in src}, tgt)
    nearest = {510: 530, 555: 550, 560: 550}  # what merging without shifting would use
    limit = {510: 0.03, 555: 0.02, 560: 0.035}
    for b in tgt:
        measured = t[f"Rrs_{b}"][ok]
        err = np.median(np.abs(out[b] / measured - 1))
        naive = np.median(np.abs(t[f"Rrs_{nearest[b]}"][ok] / measured - 1))
        assert err < limit[b] and err < naive, (b, err, naive)
    # Same band: unchanged.
    same = fu.band_shift({b: t[f"Rrs_{b}"][ok] for b in src}, [443])
    np.testing.assert_array_equal(same[443], t["Rrs_443"][ok].astype(np.float32))
    with pytest.raises(oc.OceanColourError, match="400-700"):
        fu.band_shift({b: t[f"Rrs_{b}"][ok] for b in src}, [750])


def test_kriging_with_observations_on_a_line():
    """Two observations on one row (zero area for the neighbour index): ordinary
    kriging without nugget is an exact interpolator, so at an observation it
    returns that observation (once an internal error)."""
    from oceancolour import fusion

    est, var = fusion.krige([0.0, 1.0], [0.0, 0.0], [1.0, 3.0], [0.0, 1.0], [0.0, 0.0],
                            {"model": "exponential", "psill": 1.0, "range": 3.0, "nugget": 0.0})
    np.testing.assert_allclose(est, [1.0, 3.0], atol=1e-9)
    np.testing.assert_allclose(var, [0.0, 0.0], atol=1e-9)
