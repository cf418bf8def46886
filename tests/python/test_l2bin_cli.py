"""`oceancolour bin` as NASA's l2bin, on the real MODIS-Aqua granule's products
(tests/data/modisa_l2_real, NASA OBPG doi:10.5067/AQUA/MODIS/L2/OC/2018):
default options equal an independent numpy l2bin (arithmetic sums, per-file
sqrt(n) weights) bin for bin after the valid-range drop; clamp/keep, the
drop-all rule, and the prodtype=day data-day rule on a dateline swath."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import numpy as np
import pytest

from test_nasa_fidelity import GRANULE, l2bin_numpy

netCDF4 = pytest.importorskip("netCDF4")

NROWS = 4320
# fusion::binning::VALID_RANGES: chlorophyll [0.001, 100] and Kd_490 [0.01, 6] mg m-3 / m-1
# (NASA's R2018.0 valid_min/valid_max, l2gen-fidelity.md item 4).
CHL_RANGE, KD_RANGE = (0.001, 100.0), (0.01, 6.0)


def run(*args):
    return subprocess.run([sys.executable, "-m", "oceancolour", *map(str, args)], capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def products(tmp_path_factory):
    """The granule through `oceancolour process` with R2018 choices: one file per product."""
    tmp = tmp_path_factory.mktemp("l2bin")
    cfg = tmp / "r2018.toml"
    cfg.write_text(
        'products = ["chl_ocx", "kd490"]\n[coefficients]\nocx = "oc3m-547"\nkd2 = "kd2m"\n'
        '[flags]\nobpg_l2_exclude = ["ATMFAIL", "LAND"]\n[output]\nquicklook = false\n'
    )
    r = run("process", GRANULE, "-o", tmp / "out", "--config", cfg, "-q")
    assert r.returncode == 0, r.stderr
    stem = GRANULE.name[:-3]
    return tmp, {p: tmp / "out" / f"{stem}.{p}.nc" for p in ("chl_ocx", "kd490")}


def read(path, name):
    with netCDF4.Dataset(path) as d:
        return (np.ma.filled(d[name][:].astype(np.float32), np.nan), d["lat"][:].astype(np.float32), d["lon"][:].astype(np.float32))


def write_copy(src, dst, name, values, extra=None):
    """A copy of a product file with other values (and optionally a second product)."""
    with netCDF4.Dataset(src) as s, netCDF4.Dataset(dst, "w") as d:
        d.setncatts({k: s.getncattr(k) for k in s.ncattrs()})
        for dim in s.dimensions.values():
            d.createDimension(dim.name, len(dim))
        for v in ("lat", "lon"):
            o = d.createVariable(v, "f4", s[v].dimensions)
            o.setncatts({k: s[v].getncattr(k) for k in s[v].ncattrs()})
            o[:] = s[v][:]
        for n, x in [(name, values), *((extra or {}).items())]:
            o = d.createVariable(n, "f4", s[name].dimensions, fill_value=np.float32(-999.0))
            o.units, o.long_name = s[name].units, n
            o[:] = np.ma.masked_invalid(x)


def bins_of(path, name):
    with netCDF4.Dataset(path) as d:
        g = d["level-3_binned_data"]
        bl, data = g["BinList"][:], g[name][:]
        return bl["bin_num"], data["sum"], data["sum_squared"], bl["weights"], bl["nobs"], bl["nscenes"]


def assert_equal_to(path, name, want):
    b, s, q, w, n, ns = bins_of(path, name)
    ref = np.array(list(want.values()))
    assert list(b) == list(want)
    np.testing.assert_allclose(s, ref[:, 0], rtol=1e-6)
    np.testing.assert_allclose(q, ref[:, 1], rtol=1e-6)
    np.testing.assert_allclose(w, ref[:, 2], rtol=1e-6)
    np.testing.assert_array_equal(n, ref[:, 3])
    np.testing.assert_array_equal(ns, ref[:, 4])


@pytest.mark.parametrize("product", ["chl_ocx", "kd490"])
def test_default_bin_equals_independent_l2bin_on_the_real_granule(products, product):
    tmp, files = products
    value, lat, lon = read(files[product], product)
    lo, hi = CHL_RANGE if product == "chl_ocx" else KD_RANGE
    # Two files of the same day (the scene's halves, overlapping rows each in the other): per-file weights matter.
    rows = value.shape[0]
    top, bottom = value.copy(), value.copy()
    top[rows // 2 + 4:] = np.nan
    bottom[: rows // 2 - 4] = np.nan
    bottom[rows // 2 - 4: rows // 2 + 4, ::2] = np.nan
    halves = [tmp / f"{product}.top.nc", tmp / f"{product}.bottom.nc"]
    for path, v in zip(halves, (top, bottom)):
        write_copy(files[product], path, product, v)
    out = tmp / f"{product}.L3b.nc"
    r = run("bin", *halves, "-o", out, "--grid", f"isin:{NROWS}")
    assert r.returncode == 0, r.stderr
    # The independent computation: drop values outside the valid range (l2bin V2026), then l2bin.
    scenes = []
    for k, v in enumerate((top, bottom)):
        v = np.where((v < lo) | (v > hi), np.nan, v)
        scenes.append((lon.ravel(), lat.ravel(), v.ravel(), np.full(v.size, k, np.uint32)))
    want = l2bin_numpy(*(np.concatenate(a) for a in zip(*scenes)), NROWS)
    assert len(want) > 1000
    assert_equal_to(out, product, want)
    with netCDF4.Dataset(out) as d:
        assert d["level-3_binned_data"][product].averaging_scheme == "arithmetic"
        assert "arithmetic averaging" in d.method and "dropped, as l2bin V2026" in d.method


def test_out_of_range_values_are_dropped_clamped_or_kept(products):
    tmp, files = products
    value, lat, lon = read(files["chl_ocx"], "chl_ocx")
    v = value.copy()
    finite = np.flatnonzero(np.isfinite(v))
    v.flat[finite[:50]] = 250.0  # above NASA's 100 mg m-3
    v.flat[finite[50:80]] = 0.0002  # below 0.001
    src = tmp / "range.nc"
    write_copy(files["chl_ocx"], src, "chl_ocx", v)
    for rule in ("drop", "clamp", "keep"):
        out = tmp / f"range.{rule}.nc"
        r = run("bin", src, "-o", out, "--grid", f"isin:{NROWS}", "--out-of-range", rule)
        assert r.returncode == 0, r.stderr
        x = v.ravel()
        if rule == "drop":
            x = np.where((x < 0.001) | (x > 100), np.nan, x)
        elif rule == "clamp":
            x = np.where(np.isfinite(x), np.clip(x, 0.001, 100), x)
        want = l2bin_numpy(lon.ravel(), lat.ravel(), x, np.zeros(x.size, np.uint32), NROWS)
        assert_equal_to(out, "chl_ocx", want)
    nobs = {rule: bins_of(tmp / f"range.{rule}.nc", "chl_ocx")[4].sum() for rule in ("drop", "clamp", "keep")}
    outside = ((v < 0.001) | (v > 100)).sum()
    assert outside >= 80 and nobs["keep"] == nobs["clamp"] == nobs["drop"] + outside
    r = run("bin", src, "-o", tmp / "x.nc", "--grid", f"isin:{NROWS}", "--out-of-range", "wrap")
    assert r.returncode == 2 and "out_of_range" in r.stderr and not (tmp / "x.nc").exists()


def test_drop_all_invalid_drops_a_pixel_missing_in_another_product(products):
    tmp, files = products
    chl, lat, lon = read(files["chl_ocx"], "chl_ocx")
    kd, _, _ = read(files["kd490"], "kd490")
    both = tmp / "both.nc"
    # kd490 missing on a block of valid chlorophyll, as well as where it is.
    kd2 = kd.copy()
    block = np.zeros(kd.shape, bool)
    block.flat[np.flatnonzero(np.isfinite(chl))[::3][:2000]] = True
    kd2[block] = np.nan
    write_copy(files["chl_ocx"], both, "chl_ocx", chl, extra={"kd490": kd2})
    out = tmp / "both.L3b.nc"
    r = run("bin", both, "--variable", "chl_ocx", "-o", out, "--grid", f"isin:{NROWS}", "--drop-all-invalid")
    assert r.returncode == 0, r.stderr
    x = np.where(np.isfinite(kd2), chl, np.nan).ravel()
    x = np.where((x < 0.001) | (x > 100), np.nan, x)
    want = l2bin_numpy(lon.ravel(), lat.ravel(), x, np.zeros(x.size, np.uint32), NROWS)
    assert_equal_to(out, "chl_ocx", want)
    assert bins_of(out, "chl_ocx")[4].sum() == np.isfinite(x).sum() <= np.isfinite(chl).sum() - 2000


def write_swath(path, lon, chl, start, platform="Aqua", instrument="MODIS"):
    with netCDF4.Dataset(path, "w") as ds:
        ds.createDimension("y", lon.shape[0])
        ds.createDimension("x", lon.shape[1])
        lat = np.repeat(np.linspace(10, 12, lon.shape[0])[:, None], lon.shape[1], 1)
        for name, values in (("lat", lat), ("lon", lon)):
            ds.createVariable(name, "f4", ("y", "x"))[:] = values
        v = ds.createVariable("chl_oc5", "f4", ("y", "x"), fill_value=np.float32(-999.0))
        v.units = "mg m-3"
        v[:] = chl
        ds.instrument, ds.platform = instrument, platform
        ds.time_coverage_start = start.strftime("%Y-%m-%dT%H:%M:%SZ")
        ds.time_coverage_end = (start + dt.timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_data_day_rule_on_a_dateline_swath(tmp_path):
    """An Aqua granule starting 2024-01-02 23:50 UTC across the dateline. Its local-noon
    reference (t + 12 h - 13.5 h) is 22:20, past 18 h: it spans data days Jan 2 and 3
    (l2bin dataday.c). Binned for Jan 2, its start day is the period's end, so the eastern
    longitudes (lon > 0) of rows that cross the dateline are Jan 3's and are dropped; rows
    wholly east are decided on their last longitude (l2bin.cpp main loop)."""
    cols = np.linspace(170, 190, 21)
    lon = np.repeat(((cols + 180) % 360 - 180)[None, :], 6, 0).astype(np.float32)
    lon[5] = np.linspace(150, 160, 21)  # a row wholly east of 0 (positive longitudes)
    chl = np.full(lon.shape, 0.5, np.float32)
    l2 = tmp_path / "aqua.L2.nc"
    write_swath(l2, lon, chl, dt.datetime(2024, 1, 2, 23, 50))
    out = tmp_path / "day.nc"
    r = run("bin", l2, "-o", out, "--grid", f"isin:{NROWS}", "--data-day", "2024-01-02")
    assert r.returncode == 0, r.stderr
    n = bins_of(out, "chl_oc5")[4].sum()
    kept = (lon[:5] <= 0).sum()  # crossing rows: pixel by pixel, east (lon > 0) is the next data day
    assert n == kept, (n, kept)
    # Binned for Jan 3, the other part: the western pixels go, the wholly-east row stays.
    out3 = tmp_path / "day3.nc"
    r = run("bin", l2, "-o", out3, "--grid", f"isin:{NROWS}", "--data-day", "2024-01-03")
    assert r.returncode == 0, r.stderr
    # Jan 3: the granule starts before the period (beg_day = -1 <= 0): western pixels (lon < 0) dropped.
    assert bins_of(out3, "chl_oc5")[4].sum() == (lon[:5] >= 0).sum() + lon.shape[1]
    # Without --data-day a granule of another UTC day is refused; with it, a granule outside is skipped.
    other = tmp_path / "other.L2.nc"
    write_swath(other, np.full((2, 3), 10.0, np.float32), np.full((2, 3), 0.5, np.float32), dt.datetime(2024, 1, 5, 12, 0))
    r = run("bin", l2, other, "-o", tmp_path / "x.nc", "--grid", f"isin:{NROWS}")
    assert r.returncode == 1 and "--data-day" in r.stderr
    r = run("bin", l2, other, "-o", tmp_path / "y.nc", "--grid", f"isin:{NROWS}", "--data-day", "2024-01-02")
    assert r.returncode == 0 and bins_of(tmp_path / "y.nc", "chl_oc5")[4].sum() == n
    r = run("bin", l2, "-o", tmp_path / "z.nc", "--grid", f"isin:{NROWS}", "--data-day", "2024-13-02")
    assert r.returncode == 2 and "data_day" in r.stderr
