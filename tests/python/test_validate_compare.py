"""oceancolour.validate.compare: gates, alignment, coverage, reports and the CLI."""

import json
import re
import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("pandas")
pytest.importorskip("matplotlib")
netCDF4 = pytest.importorskip("netCDF4")
from oceancolour.validate import Tolerance, ValidationInputError, compare  # noqa: E402
from oceancolour.validate.__main__ import main  # noqa: E402

LAT = np.linspace(50.0, 45.0, 40)  # north-up, 0.128 deg
LON = np.linspace(-8.0, -2.0, 50)


def _chl_field(seed=3):
    rng = np.random.default_rng(seed)
    return 10 ** rng.normal(0, 0.4, (LAT.size, LON.size))


def _write_nc(path, name, values, lat=LAT, lon=LON, fmt="NETCDF4"):
    with netCDF4.Dataset(path, "w", format=fmt) as ds:
        ds.createDimension("lat", lat.size)
        ds.createDimension("lon", lon.size)
        ds.createVariable("lat", "f8", ("lat",))[:] = lat
        ds.createVariable("lon", "f8", ("lon",))[:] = lon
        v = ds.createVariable(name, "f4", ("lat", "lon"), fill_value=np.float32(-999))
        v[:] = np.where(np.isfinite(values), values, -999)
    return path


def test_planted_bias_fails_gate_and_shows_region(tmp_path):
    ref = _chl_field()
    cand = ref.copy()
    region = np.zeros(ref.shape, bool)
    region[10:20, 30:45] = True
    cand[region] *= 1.02
    legacy = _write_nc(tmp_path / "legacy.nc", "CHL_OC5", ref)
    new = _write_nc(tmp_path / "new.nc", "chl", cand)
    rep = compare(legacy, new, variables={"chl": "CHL_OC5"}, tolerances={"chl": "rel:1e-3"}, report_dir=tmp_path / "report")
    r = rep.results["chl"]
    assert not rep.passed and rep.exit_code == 1 and r.passed is False
    assert "150/2000 pairs (7.5%) outside rel:0.001" in r.reason
    at = re.search(r"largest rel difference \+0\.02 at index \((\d+), (\d+)\)", r.reason)
    assert at and region[int(at[1]), int(at[2])]
    # The difference is nonzero exactly in the planted region.
    np.testing.assert_array_equal(r.difference != 0, region)
    rel = r.difference[region] / r.reference[region]
    np.testing.assert_allclose(rel, 0.02, atol=1e-6)
    for kind in ("difference_map", "scatter", "histogram"):
        png = rep.plots["chl"][kind]
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    summary = json.loads((tmp_path / "report" / "summary.json").read_text())
    assert summary["passed"] is False and summary["variables"]["chl"]["status"] == "FAIL"
    assert summary["variables"]["chl"]["stats"]["n"] == 2000
    assert "FAIL" in (tmp_path / "report" / "summary.md").read_text()
    assert "<table>" in (tmp_path / "report" / "summary.html").read_text()
    # The same candidate passes a looser gate, and the table is a DataFrame.
    loose = compare(legacy, new, variables={"chl": "CHL_OC5"}, tolerances={"chl": "rel:0.021"})
    assert loose.passed and loose.table.loc["chl", "status"] == "PASS"
    assert loose.table.loc["chl", "median_ratio"] == pytest.approx(1.0, abs=1e-6)


def test_difference_map_png_shows_region(tmp_path):
    # Read the PNG back: the pixels of the planted region are coloured, the rest white-ish.
    plt_image = pytest.importorskip("matplotlib.image")
    ref = np.full((40, 50), 1.0)
    cand = ref.copy()
    cand[5:15, 5:25] *= 1.02
    rep = compare({"chl": ref}, {"chl": cand}, tolerances={"chl": "rel:1e-3"}, report_dir=tmp_path / "r")
    img = plt_image.imread(rep.plots["chl"]["difference_map"])[..., :3]
    img = img[:, : int(0.7 * img.shape[1])]  # the map, without the colour bar on the right
    red = (img[..., 0] > 0.3) & (img[..., 2] < 0.3)  # RdBu_r: positive differences are red
    assert red.sum() > 100
    rows, cols = np.nonzero(red)
    # The red patch is twice as wide as tall, like the 10 x 20 region.
    assert 1.5 < (cols.max() - cols.min()) / (rows.max() - rows.min()) < 2.5


def test_alignment_by_lat_lon_and_coverage(tmp_path):
    ref = _chl_field()
    ref[0, 0] = np.nan  # valid in the candidate only
    cand = ref.copy()
    cand[3, 4] = np.nan  # valid in the reference only
    cand[0, 0] = 1.0
    # The candidate is south-up and covers only part of the reference domain.
    sub = cand[:30, 10:]
    new = _write_nc(tmp_path / "new.nc", "chl", sub[::-1], lat=LAT[:30][::-1], lon=LON[10:])
    legacy = _write_nc(tmp_path / "legacy.nc", "chl", ref, fmt="NETCDF3_CLASSIC")
    # (The two planted coverage differences lie in columns < 10, outside the subdomain.)
    rep = compare(legacy, new, tolerances={"chl": "rel:1e-6"})
    s = rep.results["chl"].stats
    assert rep.passed and s["n"] == 30 * 40
    assert s["n_reference_only"] == 0 and s["n_candidate_only"] == 0
    full = _write_nc(tmp_path / "full.nc", "chl", cand)
    rep = compare(legacy, full, tolerances={"chl": "rel:1e-6"})
    s = rep.results["chl"].stats
    assert (s["n_reference_only"], s["n_candidate_only"], s["n"]) == (1, 1, 1998)
    assert not rep.passed and "1 pixels valid in the reference only, 1 in the candidate only" in rep.results["chl"].reason
    assert compare(legacy, full, tolerances={"chl": "rel:1e-6"}, max_coverage_diff=0.01).passed


def test_tolerance_kinds():
    o = np.array([1.0, 10.0, 100.0])
    m = np.array([1.005, 10.2, 99.0])
    assert Tolerance.parse("rel:0.01").within(m, o).tolist() == [True, False, True]
    assert Tolerance.parse("abs:0.5").within(m, o).tolist() == [True, True, False]
    assert Tolerance.parse("log10:0.005").within(m, o).tolist() == [True, False, True]
    assert Tolerance.parse("rel:0.01@60").min_share_pct == 60
    assert compare({"x": o}, {"x": m}, tolerances={"x": "rel:0.01@60"}).passed
    assert not compare({"x": o}, {"x": m}, tolerances={"x": "rel:0.01@70"}).passed
    for bad in ("rel", "pct:1", "rel:-1", "rel:1@0", "abs:x"):
        with pytest.raises(ValidationInputError, match="tolerance"):
            Tolerance.parse(bad)


def test_bad_inputs_name_the_problem(tmp_path):
    legacy = _write_nc(tmp_path / "legacy.nc", "CHL_OC5", _chl_field())
    with pytest.raises(ValidationInputError, match=r"legacy.nc: no variable 'chl_oc4'"):
        compare(legacy, legacy, variables={"CHL_OC5": "chl_oc4"})
    with pytest.raises(ValidationInputError, match=r"grids differ: <memory>:chl has shape \(3, 3\), <memory>:chl has shape \(2, 2\)"):
        compare({"chl": np.ones((3, 3))}, {"chl": np.ones((2, 2))}, tolerances={"chl": "abs:0"})
    coarse = _write_nc(tmp_path / "coarse.nc", "CHL_OC5", _chl_field()[::2, ::2], lat=LAT[::2], lon=LON[::2])
    with pytest.raises(ValidationInputError, match="grids differ in latitude spacing"):
        compare(legacy, coarse, variables={"CHL_OC5": "CHL_OC5"})
    elsewhere = _write_nc(tmp_path / "elsewhere.nc", "CHL_OC5", _chl_field(), lat=LAT + 20)
    with pytest.raises(ValidationInputError, match="grids do not overlap in latitude"):
        compare(legacy, elsewhere, variables={"CHL_OC5": "CHL_OC5"})


def _cli(capsys, *args):
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_exit_codes(tmp_path, capsys):
    ref = _chl_field()
    legacy = _write_nc(tmp_path / "legacy.nc", "CHL_OC5", ref)
    same = _write_nc(tmp_path / "same.nc", "chl", ref)
    biased = _write_nc(tmp_path / "biased.nc", "chl", ref * 1.02)
    # Once through the real entry point.
    ok = subprocess.run([sys.executable, "-m", "oceancolour.validate", "compare", "--reference", str(legacy), "--candidate",
                         str(same), "--variables", "chl=CHL_OC5", "--tolerance", "chl=rel:1e-3", "--report", str(tmp_path / "rep")],
                        capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert "chl: PASS" in ok.stdout and (tmp_path / "rep" / "summary.html").exists()
    code, out, _ = _cli(capsys, "compare", "--reference", legacy, "--candidate", biased, "--variables", "chl=CHL_OC5",
                        "--tolerance", "chl=rel:1e-3")
    assert code == 1 and "chl: FAIL" in out
    code, _, err = _cli(capsys, "compare", "--reference", legacy, "--candidate", same, "--variables", "spm=SPM",
                        "--tolerance", "spm=rel:1e-3")
    assert code == 2 and "legacy.nc: no variable 'SPM' (has CHL_OC5, lat, lon)" in err
    code, _, err = _cli(capsys, "compare", "--reference", tmp_path / "nope.nc", "--candidate", same, "--variables", "chl=CHL_OC5")
    assert code == 2 and "nope.nc: no such file" in err
    corrupt = tmp_path / "corrupt.nc"
    corrupt.write_bytes(b"CDF\x01" + b"\xff" * 40)
    code, _, err = _cli(capsys, "compare", "--reference", corrupt, "--candidate", same, "--variables", "chl=CHL_OC5")
    assert code == 2 and "corrupt.nc: unreadable netCDF" in err
    coarse = _write_nc(tmp_path / "coarse.nc", "chl", ref[::2, ::2], lat=LAT[::2], lon=LON[::2])
    code, _, err = _cli(capsys, "compare", "--reference", legacy, "--candidate", coarse, "--variables", "chl=CHL_OC5")
    assert code == 2 and "grids differ in latitude spacing" in err
    code, _, err = _cli(capsys, "compare", "--reference", legacy, "--candidate", same, "--tolerance", "chl=5%")
    assert code == 2 and "tolerance '5%'" in err
    with pytest.raises(SystemExit) as usage:  # argparse: missing --candidate
        main(["compare", "--reference", str(legacy)])
    assert usage.value.code == 2
    unwritable = tmp_path / "file"
    unwritable.write_text("")
    code, _, err = _cli(capsys, "compare", "--reference", legacy, "--candidate", same, "--variables", "chl=CHL_OC5",
                        "--report", unwritable / "rep")
    assert code == 2 and "cannot write the report" in err
