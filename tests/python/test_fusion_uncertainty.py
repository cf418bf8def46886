"""Per-pixel uncertainty through the fusion chain (issue 13; docs/uncertainty.md s5):
`bin` carries `<product>_uncertainty` into per-bin sums and an error standard deviation,
composites add the sums, `merge` weighs the sensors by the carried error variances, and
`l4` takes the merged error as observation noise.

The truth is a synthetic log10 chl field seen by three sensors whose noise differs from
place to place (each sensor good in its own third of the grid, all poor in the last
columns), and each Level-2 pixel says how noisy it is. The references are numpy
computations of the formulas (l2bin sums, inverse-variance weights), and the truth."""

import netCDF4
import numpy as np
import pytest

from oceancolour import fusion as fu
from test_fusion import climatology, gaussian_field
from test_fusion_cli import CELL_KM, GRID, LAT, LON, N, cli, read_grid, write_climatology, write_l2

GOOD, POOR = 0.03, 0.25
INSTRUMENTS = (("MERIS", "Envisat"), ("MODIS", "Aqua"), ("OLCI", "Sentinel-3A"))


def add_uncertainty(path, sigma, name="chl_oc5"):
    """`<product>_uncertainty` beside the product, as `oceancolour process` writes it."""
    with netCDF4.Dataset(path, "a") as ds:
        v = ds.createVariable(f"{name}_uncertainty", "f4", ("y", "x"), fill_value=np.float32(np.nan))
        v.long_name, v.units = f"uncertainty of log10 {name} (1 sigma)", "1"
        v[:] = sigma
        ds[name].ancillary_variables = f"{name}_uncertainty"


def noise_maps():
    """Per sensor, the 1-sigma noise (log10) of each pixel: good in its own band of
    columns, poor elsewhere; every sensor poor in the last quarter."""
    cols = np.arange(N)
    maps = []
    for s in range(3):
        good = (cols >= s * N // 4) & (cols < (s + 1) * N // 4)
        maps.append(np.broadcast_to(np.where(good, GOOD, POOR), (N, N)).astype(np.float32))
    return maps


@pytest.fixture(scope="module")
def day(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("fusion_uncertainty")
    rng = np.random.default_rng(21)
    truth = climatology(N) + gaussian_field(N, 0.09, 12.0, rng)[0]
    date = __import__("datetime").date(2024, 3, 1)
    sigma, l3, l2 = noise_maps(), [], []
    for s, (instrument, platform) in enumerate(INSTRUMENTS):
        chl = 10.0 ** (truth + rng.normal(0, 1, (N, N)) * sigma[s])
        path = tmp / f"s{s}.L2.nc"
        write_l2(path, chl, instrument, platform, date)
        add_uncertainty(path, sigma[s])
        out = tmp / f"s{s}.L3b.nc"
        assert cli("bin", path, "-o", out, "--grid", GRID, "-q") == 0
        l2.append(path)
        l3.append(out)
    return tmp, truth, sigma, l2, l3


def test_bin_carries_the_pixel_uncertainty(day):
    tmp, truth, sigma, l2, l3 = day
    # One pixel per cell: the bin's error is the pixel's (no within-bin variance).
    for s, path in enumerate(l3):
        np.testing.assert_allclose(read_grid(path, "chl_oc5_error_stdev"), sigma[s], rtol=1e-6)
        with netCDF4.Dataset(path) as ds:
            assert "uncertainty" in ds.method and ds["chl_oc5_error_stdev"].units == "1"
            assert "chl_oc5_uncertainty_sum" in ds.variables


def test_composite_adds_the_uncertainty_sums(day, tmp_path):
    """Two scenes of one pixel per bin: weights 2, mean pixel sigma (s1 + s2)/2, and
    l2bin's small-sample variance of the two values (numpy, from the formulas)."""
    tmp, truth, sigma, l2, l3 = day
    out = tmp_path / "composite.nc"
    assert cli("bin", l3[0], l3[1], "-o", out, "-q") == 0
    x1, x2 = read_grid(l3[0], "chl_oc5"), read_grid(l3[1], "chl_oc5")
    w, m = 2.0, (x1 + x2) / 2
    var = ((x1**2 + x2**2) / w - m**2) * w**2 / (w**2 - 2)
    expected = np.sqrt(((sigma[0] + sigma[1]) / 2) ** 2 + var / (m * np.log(10)) ** 2 / w**2)
    np.testing.assert_allclose(read_grid(out, "chl_oc5_error_stdev"), expected, rtol=1e-4)


def test_isin_bins_carry_the_uncertainty_of_many_pixels(day, tmp_path):
    """Several pixels per ISIN bin (one scene): the mean pixel sigma and the
    within-bin spread, against numpy on the bins' own pixels."""
    tmp, truth, sigma, l2, l3 = day
    out = tmp_path / "isin.nc"
    assert cli("bin", l2[0], "-o", out, "--grid", "isin:180", "-q") == 0
    lat, lon = np.meshgrid(LAT, LON, indexing="ij")
    with netCDF4.Dataset(l2[0]) as src:
        x = np.ma.filled(src["chl_oc5"][:], np.nan)
    with netCDF4.Dataset(out) as ds:
        g = ds["level-3_binned_data"]
        binlist = g["BinList"][:]
        err = g["chl_oc5_error_stdev"][:]
        assert "chl_oc5_uncertainty" in g.variables and "chl_oc5_uncertainty" in ds.units
    # ISIN with 180 rows: 1 degree rows; the grid's 0.6 deg half-width falls in two rows.
    cells = np.asarray(fu.grid_cell(lon.ravel().astype(np.float32), lat.ravel().astype(np.float32), 180))
    for k, b in enumerate(binlist["bin_num"]):
        sel = cells == b
        n = sel.sum()
        xs, ss = x.ravel()[sel], sigma[0].ravel()[sel]
        # One scene: sum = S/sqrt(n), weights = sqrt(n), so mean = S/n and the
        # small-sample variance is the usual n-1 one.
        mean = xs.mean()
        var = xs.var(ddof=1) if n > 1 else 0.0
        expected = np.sqrt(ss.mean() ** 2 + var / (mean * np.log(10)) ** 2 / n)
        assert err[k] == pytest.approx(expected, rel=1e-4), b


def test_merge_weighs_by_the_carried_variances_and_beats_equal_weights(day, tmp_path):
    tmp, truth, sigma, l2, l3 = day
    carried, equal = tmp_path / "carried.nc", tmp_path / "equal.nc"
    assert cli("merge", *l3, "-o", carried, "-q") == 0
    assert cli("merge", *l3, "-o", equal, "-q", *[f"--error-variance={s}=1" for s in ("meris", "modis-aqua", "olci-a")]) == 0
    # Where one sensor is good (the first three quarters of the columns), equal weights
    # give sqrt((0.03^2 + 2 x 0.25^2) / 9) = 0.12, the carried ones about 0.03.
    some_good = np.arange(N) < 3 * N // 4
    rmse = {p.stem: np.sqrt(np.mean((np.log10(read_grid(p, "chl_oc5")) - truth)[:, some_good] ** 2)) for p in (carried, equal)}
    assert rmse["carried"] < 0.4 * rmse["equal"], rmse
    # The weights are 1/sigma^2 per cell: the merged value and error, from numpy.
    y = np.array([np.log10(read_grid(p, "chl_oc5")) for p in l3])
    w = 1 / np.array(sigma, dtype=float) ** 2
    np.testing.assert_allclose(np.log10(read_grid(carried, "chl_oc5")), (w * y).sum(0) / w.sum(0), atol=2e-6)
    err = read_grid(carried, "chl_oc5_error_stdev")
    np.testing.assert_allclose(err, w.sum(0) ** -0.5, rtol=1e-5)
    # Calibrated: the truth within +-1 and +-2 merged sigmas at the nominal rates.
    z = np.abs(np.log10(read_grid(carried, "chl_oc5")) - truth) / err
    assert 0.60 <= np.mean(z <= 1) <= 0.76 and 0.90 <= np.mean(z <= 2) <= 1.0, (np.mean(z <= 1), np.mean(z <= 2))
    with netCDF4.Dataset(carried) as ds:
        assert "per bin, from its chl_oc5_uncertainty" in ds.merge_weights


def test_merge_refuses_a_mix_of_carried_and_missing_variances(day, tmp_path):
    tmp, truth, sigma, l2, l3 = day
    bare = tmp_path / "bare.L2.nc"
    with netCDF4.Dataset(l2[2]) as src:
        chl = np.ma.filled(src["chl_oc5"][:], np.nan)
    write_l2(bare, chl, *INSTRUMENTS[2], __import__("datetime").date(2024, 3, 1))
    bare_l3 = tmp_path / "bare.L3b.nc"
    assert cli("bin", bare, "-o", bare_l3, "--grid", GRID, "-q") == 0
    out = tmp_path / "mixed.nc"
    assert cli("merge", l3[0], l3[1], bare_l3, "-o", out, "-q") == 1  # a bad input, nothing written
    assert not out.exists()
    # With a configured variance for the sensor without one, it merges.
    assert cli("merge", l3[0], l3[1], bare_l3, "-o", out, "-q", "--error-variance=olci-a=0.0625") == 0


def test_l4_analysis_error_covers_the_truth(day, tmp_path):
    """The merged errors as observation noise: the kriging's 95% intervals hold the
    truth at about the nominal rate, at observed cells (where the noise decides) too."""
    tmp, truth, sigma, l2, l3 = day
    merged = tmp_path / "merged.nc"
    assert cli("merge", *l3, "-o", merged, "-q") == 0
    clim = tmp_path / "clim.nc"
    write_climatology(clim, climatology(N))
    vario = ["--psill", 0.09, "--range", 12 * CELL_KM, "--nugget", 0]
    out = tmp_path / "l4.nc"
    # No flag: the merged errors come from per-pixel uncertainties, so they are filtered.
    assert cli("l4", merged, "--first-guess", clim, *vario, "-o", out, "-q") == 0
    with netCDF4.Dataset(merged) as ds:
        assert ds["chl_oc5_error_stdev"].error_source == "uncertainty"
    with netCDF4.Dataset(out) as ds:
        assert "from per-pixel uncertainties" in ds.method
    z = np.abs(read_grid(out, "chl_oc5_log10") - truth) / np.sqrt(read_grid(out, "chl_oc5_kriging_variance"))
    assert 0.90 <= np.mean(z <= 1.96) <= 0.99, np.mean(z <= 1.96)
    # Filtering the noise beats returning the noisy observations.
    noisy = np.sqrt(np.mean((np.log10(read_grid(merged, "chl_oc5")) - truth) ** 2))
    assert np.sqrt(np.mean((read_grid(out, "chl_oc5_log10") - truth) ** 2)) < noisy
    # Switched off: with zero nugget the observations come back unfiltered.
    raw = tmp_path / "l4_raw.nc"
    assert cli("l4", merged, "--first-guess", clim, *vario, "--no-observation-noise", "-o", raw, "-q") == 0
    np.testing.assert_allclose(read_grid(raw, "chl_oc5_log10"), np.log10(read_grid(merged, "chl_oc5")), atol=2e-6)
