"""The fusion chain through the command line (`oceancolour bin`, `intercal fit|apply`,
`merge`, `l4`): a synthetic truth seen by three sensors with known biases, noise and
swath gaps, written as daily Level-2 products and taken through every step; the
outputs are read back with netCDF4 and checked against the truth. Plus bad inputs,
and a real NASA L3b file through `bin`."""

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import netCDF4
import numpy as np
import pytest

from oceancolour import _core
from test_fusion import climatology, gaussian_field, synthetic_sensors

DATA = Path(__file__).resolve().parents[2] / "validation" / "data"

# A 24 x 24 grid of 0.05 degree cells centred on the equator, so that cells
# are square in km: dx = dy = 0.05 * pi/180 * 6371.0088 km.
N = 24
GRID = "regular:0,1.2,-0.6,0.6,0.05,0.05"
CELL_KM = 0.05 * np.pi / 180 * 6371.0088
LAT = 0.6 - (np.arange(N) + 0.5) * 0.05
LON = (np.arange(N) + 0.5) * 0.05
# Registry sensors as named by OBPG/CF instrument and platform attributes.
SENSORS = {"ref": ("MERIS", "Envisat", "meris"), "a": ("MODIS", "Aqua", "modis-aqua"), "b": ("OLCI", "Sentinel-3A", "olci-a")}
PSILL, RANGE_CELLS, NDAYS = 0.09, 12.0, 16


def cli(*args):
    """The command line in this process (as `python -m oceancolour` runs it)."""
    return _core.cli_main(["oceancolour", *map(str, args)])


def run(*args):
    return subprocess.run([sys.executable, "-m", "oceancolour", *map(str, args)], capture_output=True, text=True, timeout=120)


def write_l2(path, chl, instrument, platform, day, lat_axis=LAT, lon_axis=LON):
    """A Level-2 product file as `oceancolour process` writes it (swath layout)."""
    with netCDF4.Dataset(path, "w") as ds:
        ds.createDimension("y", len(lat_axis))
        ds.createDimension("x", len(lon_axis))
        lat, lon = np.meshgrid(lat_axis, lon_axis, indexing="ij")
        for name, values, std, units in (("lat", lat, "latitude", "degrees_north"), ("lon", lon, "longitude", "degrees_east")):
            v = ds.createVariable(name, "f4", ("y", "x"))
            v.standard_name, v.units = std, units
            v[:] = values
        v = ds.createVariable("chl_oc5", "f4", ("y", "x"), fill_value=np.float32(-999.0))
        v.long_name, v.units = "Chlorophyll-a concentration, OC5", "mg m-3"
        v.standard_name = "mass_concentration_of_chlorophyll_a_in_sea_water"
        v.coordinates = "lat lon"
        v[:] = np.ma.masked_invalid(chl)
        ds.instrument, ds.platform = instrument, platform
        ds.time_coverage_start = f"{day.isoformat()}T10:00:00Z"
        ds.time_coverage_end = f"{day.isoformat()}T10:05:00Z"


def write_climatology(path, log10_chl):
    with netCDF4.Dataset(path, "w") as ds:
        ds.createDimension("lat", N)
        ds.createDimension("lon", N)
        for name, values, std, units in (("lat", LAT, "latitude", "degrees_north"), ("lon", LON, "longitude", "degrees_east")):
            v = ds.createVariable(name, "f8", (name,))
            v.standard_name, v.units = std, units
            v[:] = values
        v = ds.createVariable("chl_oc5", "f4", ("lat", "lon"))
        v.units = "mg m-3"
        v[:] = 10.0**log10_chl


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    """Daily L2 products of three sensors -> daily L3 binned files (bin)."""
    tmp = tmp_path_factory.mktemp("fusion_cli")
    rng = np.random.default_rng(11)
    anomalies = np.array(gaussian_field(N, PSILL, RANGE_CELLS, rng, nfields=NDAYS))
    truth, doy, ref, a, b = synthetic_sensors(seed=12, ndays=NDAYS, n=N, anomalies=anomalies)
    days = [dt.date(2024, 1, 1) + dt.timedelta(days=int(d)) for d in doy]
    l3 = {s: [] for s in SENSORS}
    for s, field in (("ref", ref), ("a", a), ("b", b)):
        instrument, platform, _ = SENSORS[s]
        for k, day in enumerate(days):
            l2 = tmp / f"{s}_{day:%Y%m%d}.L2.chl_oc5.nc"
            write_l2(l2, field[k], instrument, platform, day)
            out = tmp / f"{s}_{day:%Y%m%d}.L3b.nc"
            assert cli("bin", l2, "-o", out, "--grid", GRID, "-q") == 0
            l3[s].append(out)
    return tmp, truth, (ref, a, b), days, l3


def read_grid(path, name):
    with netCDF4.Dataset(path) as ds:
        return np.ma.filled(ds[name][:].astype(float), np.nan)


def test_bin_writes_l2bin_sums_and_statistics(chain):
    tmp, truth, (ref, a, b), days, l3 = chain
    path = l3["a"][0]
    with netCDF4.Dataset(path) as ds:
        assert ds.oceancolour_grid == GRID and ds.time_coverage_start.startswith(days[0].isoformat())
        assert ds.sensor == "modis-aqua" and "chl_oc5_sum" in ds.variables and ds.input_sources.endswith("L2.chl_oc5.nc")
        assert ds["chl_oc5"].averaging_scheme == "arithmetic"  # l2bin's default, for chlorophyll too
        np.testing.assert_array_equal(ds["lat"][:], LAT)
        assert "[bin]" in ds.oceancolour_configuration and f"--grid {GRID}" in ds.history and ds.oceancolour_version
    # One pixel per cell: the mean is the pixel, sum = x (weights sqrt(1) = 1).
    seen = np.isfinite(a[0])
    np.testing.assert_allclose(read_grid(path, "chl_oc5")[seen], a[0][seen], rtol=1e-6)
    np.testing.assert_allclose(read_grid(path, "chl_oc5_sum")[seen], a[0][seen].astype(np.float32), rtol=1e-6)
    assert np.all(np.isnan(read_grid(path, "chl_oc5")[~seen]))
    np.testing.assert_array_equal(read_grid(path, "nobs"), seen.astype(float))


def test_composite_of_daily_files_adds_the_sums(chain, tmp_path):
    tmp, truth, fields, days, l3 = chain
    a = fields[1]
    out = tmp_path / "a_3days.nc"
    r = run("bin", *l3["a"][:3], "-o", out)
    assert r.returncode == 0, r.stderr
    # Arithmetic mean of the days each cell was seen, with scene weights sqrt(1).
    x = a[:3].astype(np.float32).astype(float)
    n = np.isfinite(x).sum(0)
    with np.errstate(invalid="ignore"):
        expected = np.nansum(x, 0) / n
    np.testing.assert_allclose(read_grid(out, "chl_oc5")[n > 0], expected[n > 0], rtol=1e-5)
    np.testing.assert_array_equal(read_grid(out, "nscenes"), n)
    # Geometric averaging only when asked: sums of ln x, marked, and never added to arithmetic sums.
    geo = []
    for k in range(3):
        geo.append(tmp_path / f"geo{k}.nc")
        assert cli("bin", tmp / f"a_{days[k]:%Y%m%d}.L2.chl_oc5.nc", "-o", geo[k], "--grid", GRID, "--averaging", "geometric", "-q") == 0
    with netCDF4.Dataset(geo[0]) as ds:
        assert ds["chl_oc5"].averaging_scheme == "geometric"
    r = run("bin", *geo, "-o", tmp_path / "geo3.nc")
    assert r.returncode == 0, r.stderr
    with np.errstate(invalid="ignore", divide="ignore"):
        expected = np.exp(np.nansum(np.log(x), 0) / n)
    np.testing.assert_allclose(read_grid(tmp_path / "geo3.nc", "chl_oc5")[n > 0], expected[n > 0], rtol=1e-5)
    r = run("bin", geo[0], l3["a"][1], "-o", tmp_path / "mixed.nc")
    assert r.returncode == 1 and "geometric" in r.stderr and not (tmp_path / "mixed.nc").exists()
    with netCDF4.Dataset(out) as ds:
        assert ds.time_coverage_start.startswith(days[0].isoformat()) and ds.time_coverage_end.startswith(days[2].isoformat())
    # A Level-2 file of another day cannot be binned into a daily file.
    r = run("bin", tmp / f"a_{days[0]:%Y%m%d}.L2.chl_oc5.nc", tmp / f"a_{days[1]:%Y%m%d}.L2.chl_oc5.nc", "-o", tmp_path / "x.nc", "--grid", GRID)
    assert r.returncode == 1 and "bin one day per run" in r.stderr and not (tmp_path / "x.nc").exists()


def test_intercal_merge_and_l4_through_the_command_line(chain, tmp_path):
    tmp, truth, (ref, a, b), days, l3 = chain
    # A (MODIS-Aqua) against the reference (MERIS): a log10 offset of -0.12.
    corr_a = tmp_path / "modis_to_meris.nc"
    r = run("intercal", "fit", "--sensor", *l3["a"], "--reference", *l3["ref"], "-o", corr_a, "--method", "offset", "--log-format", "json")
    assert r.returncode == 0, r.stderr
    fit = json.loads(r.stdout)
    assert fit["chain"] == ["modis-aqua", "meris"]
    pairs = sum(int((np.isfinite(a[k]) & np.isfinite(ref[k])).sum()) for k in range(NDAYS))
    assert fit["n_pairs"] == pairs
    with netCDF4.Dataset(corr_a) as ds:
        assert float(ds["offset"][:]) == pytest.approx(-0.12, abs=0.01)
        assert ds.method == "log_offset" and "[intercal]" in ds.oceancolour_configuration and ds.grid == GRID
    # B (OLCI) has a log-linear bias against A: RMA against A corrected to MERIS (bridge).
    corr_b = tmp_path / "olci_to_modis.nc"
    r = run("intercal", "fit", "--sensor", *l3["b"], "--reference", *l3["a"], "--bridge", corr_a, "-o", corr_b, "--method", "rma")
    assert r.returncode == 0, r.stderr
    assert "olci-a -> modis-aqua -> meris" in r.stdout and "pairs" in r.stdout
    # Corrected copies of B are unbiased against the truth; the raw files are not.
    outdir = tmp_path / "b_corrected"
    r = run("intercal", "apply", corr_b, *l3["b"], "-o", outdir)
    assert r.returncode == 0, r.stderr
    raw, fixed = [], []
    for k, path in enumerate(l3["b"]):
        m = np.isfinite(b[k])
        raw.append(np.log10(read_grid(path, "chl_oc5")[m]) - truth[k][m])
        fixed.append(np.log10(read_grid(outdir / path.name, "chl_oc5")[m]) - truth[k][m])
    assert abs(np.median(np.concatenate(raw))) > 0.05
    assert abs(np.median(np.concatenate(fixed))) < 0.015

    # Merge one day with the corrections and the sensors' error variances.
    sd = {"meris": 0.04, "modis-aqua": 0.05, "olci-a": 0.04}
    errors, inside = [], []
    for d in range(4):
        merged = tmp_path / f"merged_{d}.nc"
        r = run("merge", l3["ref"][d], l3["a"][d], l3["b"][d], "-o", merged, "--correction", f"modis-aqua={corr_a}",
                "--correction", f"olci-a={corr_b}", *[f"--error-variance={s}={e**2}" for s, e in sd.items()])
        assert r.returncode == 0, r.stderr
        value = read_grid(merged, "chl_oc5")
        with netCDF4.Dataset(merged) as ds:
            mask = ds["contributing_sensors"]
            assert list(mask.flag_masks) == [1, 2, 4] and mask.flag_meanings == "meris modis-aqua olci-a"
            count = ds["sensor_count"][:]
            assert "AVW" in ds.method and "olci-a -> modis-aqua -> meris" in ds.method
        # Squared log10 errors where all three sensors see the cell: merged,
        # each sensor's raw value, and B corrected.
        all3 = count == 3
        sq = lambda f: (np.log10(f[all3]) - truth[d][all3]) ** 2
        errors.append([sq(value), *(sq(f[d]) for f in (ref, a, b)), sq(read_grid(outdir / l3["b"][d].name, "chl_oc5"))])
        np.testing.assert_array_equal(np.isfinite(value), count > 0)

        # L4 with the variogram of the truth and zero nugget: every cell
        # filled, the observations returned at observed cells.
        clim = tmp_path / "clim.nc"
        write_climatology(clim, climatology(N))
        exact = tmp_path / f"l4_exact_{d}.nc"
        r = run("l4", merged, "--first-guess", clim, "--psill", PSILL, "--range", RANGE_CELLS * CELL_KM, "--nugget", 0, "-o", exact)
        assert r.returncode == 0, r.stderr
        est = read_grid(exact, "chl_oc5_log10")
        assert np.all(np.isfinite(est)) and np.all(np.isfinite(read_grid(exact, "chl_oc5")))
        seen = np.isfinite(value)
        np.testing.assert_allclose(est[seen], np.log10(value[seen]), atol=2e-6)
        assert np.all(read_grid(exact, "chl_oc5_kriging_variance")[seen] < 1e-9)
        np.testing.assert_array_equal(read_grid(exact, "observed"), seen)
        with netCDF4.Dataset(exact) as ds:
            assert ds.variogram_source == "given" and ds.variogram_psill == PSILL and "sinusoidal projection" in ds.method
        # The default: variogram fitted from the data, merged errors filtered
        # as observation noise. Its 95% intervals must hold the truth 90-99% of the time.
        fitted = tmp_path / f"l4_{d}.nc"
        r = run("l4", merged, "--first-guess", clim, "--observation-noise", "-o", fitted)
        assert r.returncode == 0, r.stderr and "fitted" in r.stdout
        z = (read_grid(fitted, "chl_oc5_log10") - truth[d]) / np.sqrt(read_grid(fitted, "chl_oc5_kriging_variance"))
        inside.append(np.abs(z[~seen]) <= 1.96)
    rmse = [np.sqrt(np.mean(np.concatenate(e))) for e in zip(*errors)]
    assert rmse[0] < 0.85 * min(rmse[1:]), rmse
    # The merged error is the inverse-variance combination of the sensors' (+ the corrections' residuals).
    assert rmse[0] == pytest.approx(sum(1 / e**2 for e in sd.values()) ** -0.5, rel=0.25)
    share = np.concatenate(inside).mean()
    assert 0.90 <= share <= 0.99, share


# ---------------------------------------------------------------- bad input

def leftovers(folder):
    return [p.name for p in Path(folder).iterdir() if p.name.startswith(".")]


def test_bad_inputs_name_the_file_and_leave_nothing(chain, tmp_path):
    tmp, truth, fields, days, l3 = chain
    l2 = tmp / f"a_{days[0]:%Y%m%d}.L2.chl_oc5.nc"
    out = tmp_path / "out.nc"

    def fails(r, code, *words):
        assert r.returncode == code, (r.returncode, r.stderr)
        for w in words:
            assert w in r.stderr, (w, r.stderr)
        assert not out.exists() and leftovers(tmp_path) == []

    fails(run("bin", tmp_path / "missing.nc", "-o", out, "--grid", GRID), 1, "missing.nc", "does not exist")
    corrupt = tmp_path / "corrupt.nc"
    corrupt.write_bytes(b"CDF\x01 truncated")
    fails(run("bin", corrupt, "-o", out, "--grid", GRID), 1, "corrupt.nc", "not a readable netCDF")
    fails(run("bin", l2, "-o", out, "--grid", GRID, "--variable", "chl_oc9"), 1, l2.name, "chl_oc9", "chl_oc5")
    fails(run("bin", l2, "-o", out, "--grid", "regular:0,1,0"), 2, "grid")
    fails(run("bin", l2, "-o", out), 1, "--grid")
    fails(run("merge", l3["a"][0], l2, "-o", out), 1, l2.name, "not a Level-3 binned file")
    other = tmp_path / "coarse.nc"
    assert cli("bin", l2, "-o", other, "--grid", "regular:0,1.2,-0.6,0.6,0.1,0.1", "-q") == 0
    fails(run("merge", l3["ref"][0], other, "-o", out), 1, "coarse.nc", "grid")
    fails(run("merge", l3["ref"][0], l3["a"][1], "-o", out), 1, "merge one day at a time")
    fails(run("merge", l3["ref"][0], l3["a"][0], "-o", out, "--correction", "modis-aqua"), 2, "SENSOR=FILE")
    fails(run("intercal", "fit", "--sensor", *l3["a"][:2], "--reference", *l3["ref"][:2], "-o", out, "--method", "median"), 2, "median")
    fails(run("intercal", "apply", tmp_path / "no_correction.nc", l3["a"][0], "-o", tmp_path / "c"), 1, "no_correction.nc")
    fails(run("l4", l3["a"][0], "--first-guess", tmp_path / "none.nc", "-o", out), 1, "none.nc")
    fails(run("l4", l3["a"][0], "--first-guess", l3["a"][0], "--psill", "0.1", "-o", out), 2, "--psill")
    # Unwritable output: the folder does not exist / is read-only.
    r = run("bin", l2, "-o", tmp_path / "no" / "such" / "dir" / "out.nc", "--grid", GRID)
    assert r.returncode == 1 and "out.nc" in r.stderr and "cannot be written" in r.stderr
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("")
    r = run("merge", l3["ref"][0], l3["a"][0], "-o", not_a_dir / "m.nc")
    assert r.returncode == 1 and "m.nc" in r.stderr and "cannot be written" in r.stderr
    bad_config = tmp_path / "fusion.toml"
    bad_config.write_text("[merge]\nspaec = 'log10'\n")
    fails(run("merge", l3["ref"][0], l3["a"][0], "-o", out, "--config", bad_config), 2, "fusion.toml", "spaec")


# ---------------------------------------------------------------- real NASA L3b

def test_bin_round_trips_a_real_nasa_l3b_file(tmp_path):
    """NASA's SeaWiFS daily L3b (validation/data) composited alone through
    `bin` gives back the same BinList and Rrs_443 sums in NASA's layout; with
    itself, twice the sums and the same means."""
    src = DATA / "S2008001.L3b_DAY_RRS.nc"
    once, twice = tmp_path / "once.nc", tmp_path / "twice.nc"
    assert run("bin", src, "--variable", "Rrs_443", "-o", once).returncode == 0
    r = run("bin", src, once, "--variable", "Rrs_443", "-o", twice)
    assert r.returncode == 0, r.stderr
    with netCDF4.Dataset(src) as ds:
        g = ds["level-3_binned_data"]
        blist, rrs, index = g["BinList"][:], g["Rrs_443"][:], g["BinIndex"][:]
    with netCDF4.Dataset(once) as ds:
        g = ds["level-3_binned_data"]
        assert g["BinList"].datatype.name == "binListType" and g["Rrs_443"].datatype.name == "binDataType"
        for k in ("bin_num", "nobs", "nscenes", "weights"):
            np.testing.assert_array_equal(g["BinList"][:][k], blist[k])
        for k in ("sum", "sum_squared"):
            np.testing.assert_array_equal(g["Rrs_443"][:][k], rrs[k])
        out_index = g["BinIndex"][:]
        np.testing.assert_array_equal(out_index["max"], index["max"])
        seen = index["start_num"] > 0  # NASA leaves unvisited rows at 0
        np.testing.assert_array_equal(out_index["start_num"][seen], index["start_num"][seen])
        np.testing.assert_array_equal(out_index["extent"], index["extent"])
        np.testing.assert_allclose(g["Rrs_443_mean"][:], rrs["sum"] / blist["weights"], rtol=1e-6)
        assert ds.instrument == "SeaWiFS" and ds.units == "Rrs_443:sr^-1"
    with netCDF4.Dataset(twice) as ds:
        g = ds["level-3_binned_data"]
        np.testing.assert_allclose(g["Rrs_443"][:]["sum"], 2 * rrs["sum"], rtol=1e-7)
        np.testing.assert_array_equal(g["BinList"][:]["nscenes"], 2 * blist["nscenes"])
        np.testing.assert_allclose(g["Rrs_443_mean"][:], rrs["sum"] / blist["weights"], rtol=1e-6)
    # The chain's own L3b reader takes our file as an Rrs input.
    info = run("info", once)
    assert info.returncode == 0 and "443" in info.stdout, info.stderr


# ---------------------------------------------------------------- merged products as stored

CMEMS = Path(__file__).resolve().parents[1] / "data" / "cmems_globcolour_l4"
CMEMS_CHL = CMEMS / "cmems_obs-oc_glo_bgc-plankton_my_l4-multi-4km_P1M_1693680905216.nc"
CMEMS_KD = CMEMS / "cmems_obs-oc_glo_bgc-transp_my_l4-multi-4km_P1M_1693461359433.nc"
# The Copernicus Marine files' 1/24-degree grid (25 x 48 cells, 24-25.0417 N, 111-109 W).
CMEMS_GRID = f"regular:-111,-109,24,{601 / 24!r},{1 / 24!r},{1 / 24!r}"


@pytest.mark.parametrize("path,variable", [(CMEMS_CHL, "CHL"), (CMEMS_KD, "KD490")])
def test_info_describes_a_merged_copernicus_marine_file(path, variable):
    r = run("info", path)
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert "NetCDF-3 classic" in out and "MODISA,VIIRSN,OLCIa,VIIRSJ1,OLCIb" in out
    assert "25 x 48 regular lat/lon" in out and "304 steps, 1997-09-01" in out
    assert f"variable:      {variable} " in out and "products:      none computed from Rrs" in out


def test_rrs_products_from_a_merged_file_fail_with_a_named_error(tmp_path):
    r = run("process", CMEMS_CHL, "-o", tmp_path / "out", "--products", "chl_ocx")
    assert r.returncode != 0
    assert "merged multi-sensor product (MODISA,VIIRSN,OLCIa,VIIRSJ1,OLCIb)" in r.stderr + r.stdout
    assert "Its stored products (CHL)" in r.stderr + r.stdout


def test_l4_takes_a_merged_copernicus_marine_month_as_first_guess(tmp_path):
    with netCDF4.Dataset(CMEMS_CHL) as ds:
        t = netCDF4.num2date(ds["time"][:], ds["time"].units)
        k = next(i for i, d in enumerate(t) if (d.year, d.month) == (2020, 5))
        may = np.ma.filled(ds["CHL"][k].astype(float), np.nan)
        lat, lon = ds["lat"][:].astype(float), ds["lon"][:].astype(float)
    assert np.isfinite(may).sum() > 800  # the rest is land (Baja California)
    # One day's "merged" field on the same grid: the May climatology x 1.5 on a third of the cells.
    rng = np.random.default_rng(5)
    seen = rng.random(may.shape) < 0.33
    day = np.where(seen, 1.5 * may, np.nan)
    l2 = tmp_path / "a_20200510.L2.chl_oc5.nc"
    write_l2(l2, day, "MODIS", "Aqua", dt.date(2020, 5, 10), lat_axis=lat, lon_axis=lon)
    l3, merged, l4 = tmp_path / "a.L3b.nc", tmp_path / "merged.nc", tmp_path / "l4.nc"
    assert cli("bin", l2, "-o", l3, "--grid", CMEMS_GRID, "-q") == 0
    r = run("merge", l3, "-o", merged)
    assert r.returncode == 0, r.stderr
    r = run("l4", merged, "--first-guess", CMEMS_CHL, "--first-guess-variable", "CHL[2020-05-10]",
            "--psill", 0.05, "--range", 20, "--nugget", 0, "-o", l4)
    assert r.returncode == 0, r.stderr
    with netCDF4.Dataset(l4) as ds:
        name = ds.oceancolour_variable
        est = np.ma.filled(ds[name][:].astype(float), np.nan)
    # Observed cells keep the observation; the field is gap-free where the first guess has values,
    # and unobserved cells sit between the first guess and 1.5 x it (log10 anomaly 0 .. 0.176).
    np.testing.assert_allclose(est[seen & np.isfinite(may)], day[seen & np.isfinite(may)], rtol=1e-3)
    gap = ~seen & np.isfinite(may)
    ratio = est[gap] / may[gap]
    assert np.isfinite(ratio).all() and (ratio > 0.99).all() and (ratio < 1.51).all() and np.median(ratio) > 1.05


def test_an_output_that_is_one_of_the_inputs_is_refused_and_the_input_kept(chain, tmp_path):
    """`bin a b -o a`, `merge m -o m`, `l4 m -o m` would fold the output into itself on each re-run."""
    tmp, truth, fields, days, l3 = chain
    a, b = tmp_path / "a.L3b.nc", tmp_path / "b.L3b.nc"
    a.write_bytes(l3["a"][0].read_bytes())
    b.write_bytes(l3["a"][1].read_bytes())
    merged = tmp_path / "merged.nc"
    assert run("merge", l3["ref"][0], "-o", merged).returncode == 0
    clim = tmp_path / "clim.nc"
    write_climatology(clim, np.full((N, N), -0.5))
    cases = [("bin", a, b, "-o", a), ("bin", a, "-o", tmp_path / "." / "a.L3b.nc"), ("merge", merged, "-o", merged),
             ("l4", merged, "--first-guess", clim, "--psill", 0.1, "--range", 50, "--nugget", 0, "-o", merged),
             ("l4", merged, "--first-guess", clim, "--psill", 0.1, "--range", 50, "--nugget", 0, "-o", clim)]
    for args in cases:
        target = Path(args[-1])
        before = target.read_bytes()
        r = run(*args)
        assert r.returncode == 1, (args, r.returncode, r.stderr)  # as `intercal apply` refuses it
        assert "is also an input" in r.stderr and target.name in r.stderr, r.stderr
        assert target.read_bytes() == before
    assert leftovers(tmp_path) == []
