"""oceancolour.validate.matchup: pixel boxes, valid counts, time windows, statistics, CLI."""

import subprocess
import sys

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
netCDF4 = pytest.importorskip("netCDF4")
from oceancolour.validate import Product, ValidationInputError, matchup, metrics  # noqa: E402
from oceancolour.validate.__main__ import main  # noqa: E402

LAT = np.arange(49.95, 44.9, -0.1)  # 0.1 deg, north-up, pixel centres
LON = np.arange(-7.95, -2.0, 0.1)


def _product(path, values, day):
    with netCDF4.Dataset(path, "w") as ds:
        ds.time_coverage_start = f"2020-06-{day:02d}T00:00:00Z"
        ds.time_coverage_end = f"2020-06-{day:02d}T23:59:59Z"
        ds.createDimension("lat", LAT.size)
        ds.createDimension("lon", LON.size)
        ds.createVariable("lat", "f8", ("lat",))[:] = LAT
        ds.createVariable("lon", "f8", ("lon",))[:] = LON
        v = ds.createVariable("chlor_a", "f4", ("lat", "lon"), fill_value=np.float32(-32767))
        v[:] = np.where(np.isfinite(values), values, -32767)
    return path


@pytest.fixture
def setup(tmp_path):
    rng = np.random.default_rng(1)
    day1 = (10 ** rng.normal(0, 0.3, (LAT.size, LON.size))).astype(np.float32)
    day1[20:23, 30:33] = [[1, 2, 3], [4, 5, np.nan], [np.nan, np.nan, np.nan]]  # 5 valid around (20+1, 30+1)
    day1[40:43, 10:13] = [[1, np.nan, np.nan], [np.nan, 2, np.nan], [3, np.nan, 4]]  # 4 valid
    day2 = day1 * 2
    p1 = _product(tmp_path / "d1.nc", day1, 1)
    p2 = _product(tmp_path / "d2.nc", day2, 2)
    stations = pd.DataFrame({
        "latitude": [LAT[21], LAT[41], LAT[21], 60.0, LAT[5]],
        "longitude": [LON[31], LON[11], LON[31], 0.0, LON[5]],
        "DATE": ["2020-06-01 10:00", "2020-06-01 10:00", "2020-06-02 12:00", "2020-06-01 10:00", "2020-06-05 10:00"],
        "Chl": [2.0, 1.0, 8.0, 1.0, 999.99],
    })
    csv = tmp_path / "insitu.csv"
    stations.to_csv(csv, index=False)
    return tmp_path, csv, p1, p2, day1, day2


def test_box_median_valid_count_and_time_window(setup):
    tmp_path, csv, p1, p2, day1, day2 = setup
    rep = matchup(csv, {"OC4": [Product(p1, "chlor_a"), Product(p2, "chlor_a")]}, box=3,
                  columns={"lat": "latitude", "lon": "longitude", "time": "DATE", "insitu": "Chl"},
                  na_values=[999.99], time_window="3h", report_dir=tmp_path / "rep")
    p = rep.pairs
    assert p["OC4"][0] == pytest.approx(3.0)  # median of 1..5 on day 1
    assert p["OC4_n_valid"][0] == 5
    assert p["OC4_status"][1] == "4 valid pixels < 5" and np.isnan(p["OC4"][1])
    assert p["OC4"][2] == pytest.approx(6.0)  # the day-2 product (values doubled)
    assert p["OC4_status"][3] == "outside the grid"
    assert p["OC4_status"][4] == "no product in the time window"
    assert np.isnan(p["insitu"][4])  # 999.99 is missing
    s = rep.table.loc["OC4"]
    expected = metrics.summary(np.array([3.0, 6.0]), np.array([2.0, 8.0]))
    assert s["n"] == 2 and s["bias_log10"] == pytest.approx(expected["bias_log10"])
    assert s["bias_log10"] == pytest.approx((np.log10(1.5) + np.log10(0.75)) / 2)
    assert (tmp_path / "rep" / "matchup_OC4.png").read_bytes()[:4] == b"\x89PNG"
    assert (tmp_path / "rep" / "matchups.csv").exists() and (tmp_path / "rep" / "summary.json").exists()
    # A 5x5 box with a lower minimum and the Bailey & Werdell filtered mean.
    rep5 = matchup(csv, {"OC4": (p1, "chlor_a")}, box=5, min_valid=4, statistic="filtered_mean", time_window=None,
                   columns={"lat": "latitude", "lon": "longitude", "insitu": "Chl"})
    v = day1[19:24, 29:34].astype(float)
    v = v[np.isfinite(v)]
    kept = v[np.abs(v - v.mean()) <= 1.5 * v.std()]
    assert rep5.pairs["OC4"][0] == pytest.approx(kept.mean(), rel=1e-6)


def test_two_algorithms_win_rates(setup):
    tmp_path, csv, p1, p2, *_ = setup
    cols = {"lat": "latitude", "lon": "longitude", "time": "DATE", "insitu": "Chl"}
    rep = matchup(csv, {"A": [(p1, "chlor_a"), (p2, "chlor_a")], "B": (p1, "chlor_a")}, columns=cols, time_window=None)
    assert rep.win_rates is not None and set(rep.win_rates.columns) == {"A", "B"}


def test_matchup_errors_and_cli(setup, capsys):
    tmp_path, csv, p1, *_ = setup
    with pytest.raises(ValidationInputError, match=r"insitu.csv: no column 'chl'"):
        matchup(csv, {"OC4": (p1, "chlor_a")}, columns={"lat": "latitude", "lon": "longitude", "insitu": "chl"})
    with pytest.raises(ValidationInputError, match=r"column mapping 'lat': expected one column name"):
        matchup(csv, {"OC4": (p1, "chlor_a")}, columns={"lat": ["latitude", "lat2"], "lon": "longitude", "insitu": "Chl"})
    with pytest.raises(ValidationInputError, match="box must be an odd number"):
        matchup(csv, {"OC4": (p1, "chlor_a")}, box=4, columns={"lat": "latitude", "lon": "longitude", "insitu": "Chl"})
    run = subprocess.run([sys.executable, "-m", "oceancolour.validate", "matchup", "--insitu", str(csv),
                          "--products", f"OC4={p1}:chlor_a", "--columns", "lat=latitude", "lon=longitude", "insitu=Chl",
                          "time=DATE", "--time-window", "1D", "--na-value", "999.99"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "OC4" in run.stdout
    code = main(["matchup", "--insitu", str(tmp_path / "none.csv"), "--products", f"OC4={p1}:chlor_a",
                 "--columns", "lat=latitude", "lon=longitude", "insitu=Chl"])
    assert code == 2 and "none.csv: unreadable in situ table" in capsys.readouterr().err
    code = main(["matchup", "--insitu", str(csv), "--products", f"OC4={p1}", "--columns", "lat=latitude"])
    assert code == 2 and "expected ALGORITHM=FILE:VARIABLE" in capsys.readouterr().err


def test_pixel_at_longitude_conventions_and_edges():
    from oceancolour.validate import pixel_at, read_variable

    lat = np.arange(89.5, -90, -1.0)
    f360 = read_variable({"chl": np.zeros((180, 360)), "lat": lat, "lon": np.arange(0.5, 360, 1.0)}, "chl")
    assert pixel_at(f360, 0.2, -10.4) == (89, 349)  # lon 349.6 -> centre 349.5
    f180 = read_variable({"chl": np.zeros((180, 360)), "lat": lat, "lon": np.arange(-179.5, 180, 1.0)}, "chl")
    assert pixel_at(f180, -0.2, 190.2) == (90, 10)  # lon -169.8 -> centre -169.5
    small = read_variable({"chl": np.zeros((2, 2)), "lat": [45.05, 44.95], "lon": [-4.05, -3.95]}, "chl")
    assert pixel_at(small, 45.3, -4.0) is None  # beyond half a pixel from the edge
