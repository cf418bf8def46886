"""The operational chain end to end: the `oceancolour` command (run as the
pip console script does, `python -m oceancolour`) on real NASA SeaWiFS L3
files and on simulated granules in the OBPG L2 and OLCI WFR layouts, with
every product checked against an independent numpy computation read through
netCDF4-python; and every bad-input case of issue 4 (message naming the file
and the problem, exit code, nothing partial left behind)."""

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import netCDF4
import numpy as np
import pytest

import oceancolour as oc

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "validation" / "data"
L3B = DATA / "S2008001.L3b_DAY_RRS.nc"
L3M = DATA / "S20080012008031.L3m_MO_CHL_chlor_a_9km.nc"

# NASA's L3 exclusion flags (OBPG flag page "L3 Mask Default", formats.md s1.7).
OBPG_L3 = "ATMFAIL LAND HIGLINT HILT HISATZEN STRAYLIGHT CLDICE COCCOLITH HISOLZEN LOWLW CHLFAIL NAVWARN MAXAERITER CHLWARN ATMWARN NAVFAIL".split()
# SNAP QWG-recommended OLCI reflectance flags (formats.md s4.7 (a)).
OLCI_REQUIRE = ["WATER", "INLAND_WATER"]
OLCI_EXCLUDE = ("CLOUD CLOUD_AMBIGUOUS CLOUD_MARGIN INVALID COSMETIC SATURATED SUSPECT HISOLZEN HIGHGLINT SNOW_ICE "
                "AC_FAIL WHITECAPS ADJAC RWNEG_O2 RWNEG_O3 RWNEG_O4 RWNEG_O5 RWNEG_O6 RWNEG_O7 RWNEG_O8").split()


def run(*args, env=None, preexec_fn=None):
    return subprocess.run([sys.executable, "-m", "oceancolour", *map(str, args)], capture_output=True, text=True,
                          env=env, preexec_fn=preexec_fn, timeout=300)


def leftovers(folder):
    """Everything in an output folder (partial files are hidden `.part-*`)."""
    return sorted(p.name for p in Path(folder).rglob("*") if p.is_file()) if Path(folder).exists() else []


def ocx_numpy(rrs, blues, green, a):
    """OCx (O'Reilly et al. 1998) in plain numpy, l2gen's guards: ratio in (0.21, 30), clip [0.001, 1000]."""
    with np.errstate(all="ignore"):
        b = np.fmax.reduce([rrs[w].astype(np.float64) for w in blues])
        g = rrs[green].astype(np.float64)
        ratio = b / g
        x = np.log10(ratio)
        chl = 10 ** sum(a[i] * x ** i for i in range(5))
        ok = np.isfinite(ratio) & (ratio > 0.21) & (ratio < 30) & (g > 0)
        for w in blues:
            ok &= rrs[w] > 0
    return np.where(ok, np.clip(chl, 0.001, 1000), np.nan)


def flag_mask(var, names):
    """OR of the masks of `names`, from the file's flag_masks/flag_meanings (signed masks as bit patterns)."""
    masks = np.atleast_1d(var.flag_masks)
    bits = masks.dtype.itemsize * 8
    table = {}
    for n, m in zip(var.flag_meanings.split(), masks.tolist()):
        table[n] = table.get(n, 0) | (int(m) % (1 << bits))
    mask = 0
    for n in names:
        mask |= table[n]
    return np.uint64(mask)


class Attrs:
    def __init__(self, var):
        self.__dict__.update({k: var.getncattr(k) for k in var.ncattrs()})


def read_product(path, name):
    """Values (fill -> NaN), global attributes, and the variable's attributes."""
    with netCDF4.Dataset(path) as d:
        v = d[name][:]
        return np.ma.filled(v.astype(np.float64), np.nan), {k: d.getncattr(k) for k in d.ncattrs()}, Attrs(d[name])


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    r = run("demo", "-o", out)
    assert r.returncode == 0, r.stderr + r.stdout
    return out, r


def test_demo_prints_what_it_did_and_writes_every_product(demo):
    out, r = demo
    assert "SIMULATED" in r.stdout
    products = out / "products"
    for stem in ["SEASTAR_SEAWIFS_GAC.20080101T120000.L2.OC",
                 "S3A_OL_2_WFR____20240601T103000_20240601T103300_20240602T000000_0179_000_000_0000_MAR_O_NT_003"]:
        for p in ["chl_ocx", "chl_oci", "kd490", "spm_nechad", "turbidity_nechad"]:
            assert (products / f"{stem}.{p}.nc").is_file()
            png = (products / f"{stem}.{p}.png").read_bytes()
            assert png[:8] == b"\x89PNG\r\n\x1a\n" and png[12:16] == b"IHDR"
    assert not [n for n in leftovers(products) if ".part-" in n]


def test_obpg_l2_chl_matches_numpy_with_nasa_l3_flags(demo):
    out, _ = demo
    src = out / "inputs" / "SEASTAR_SEAWIFS_GAC.20080101T120000.L2.OC.nc"
    with netCDF4.Dataset(src) as d:
        g = d["geophysical_data"]
        rrs = {w: np.ma.filled(g[f"Rrs_{w}"][:].astype(np.float64), np.nan) for w in (443, 490, 510, 555)}
        flags = g["l2_flags"][:].astype(np.int64) & 0xFFFFFFFF
        excluded = (flags & int(flag_mask(g["l2_flags"], OBPG_L3))) != 0
        lat = d["navigation_data/latitude"][:]
    oc4 = next(s for s in oc.ocx_coefficient_sets("seawifs") if s["default"])
    expected = ocx_numpy(rrs, oc4["blue_bands"], oc4["green_band"], oc4["a"])
    expected[excluded] = np.nan
    got, attrs, var = read_product(out / "products" / f"{src.name[:-3]}.chl_ocx.nc", "chl_ocx")
    assert np.array_equal(np.isnan(got), np.isnan(expected))
    np.testing.assert_allclose(got, expected, rtol=2e-5)
    # The scene has land and a cloud, both excluded, and COASTZ pixels, not excluded.
    assert attrs["pixels_flagged"] == excluded.sum() > 0
    assert attrs["pixels_valid"] == np.isfinite(expected).sum()
    assert var.standard_name == "mass_concentration_of_chlorophyll_a_in_sea_water" and var.units == "mg m-3"
    assert var._FillValue == -999.0 and var.coordinates == "lat lon time"
    assert attrs["Conventions"] == "CF-1.8, ACDD-1.3"
    assert attrs["time_coverage_start"] == "2008-01-01T12:00:00.000Z"
    assert "OCx set oc4" in attrs["algorithm_reference"] and "[flags]" in attrs["oceancolour_configuration"]
    assert "seawifs" in attrs["sensor"] and "CLDICE" in attrs["quality_flags_applied"]
    with netCDF4.Dataset(out / "products" / f"{src.name[:-3]}.chl_ocx.nc") as d:
        np.testing.assert_allclose(d["lat"][:], lat, rtol=1e-6)
        assert d["chl_ocx"].filters()["zlib"] and d["chl_ocx"].filters()["shuffle"]


def test_olci_wfr_rrs_is_rho_w_over_pi_with_wqsf_recommended_flags(demo):
    out, _ = demo
    sen3 = next((out / "inputs").glob("*.SEN3"))
    rrs = {}
    for oa, w in [(3, 443), (4, 490), (5, 510), (6, 560), (8, 665)]:
        with netCDF4.Dataset(sen3 / f"Oa{oa:02d}_reflectance.nc") as d:
            rrs[w] = np.ma.filled(d[f"Oa{oa:02d}_reflectance"][:].astype(np.float64), np.nan) / np.pi
    with netCDF4.Dataset(sen3 / "wqsf.nc") as d:
        d.set_auto_maskandscale(False)
        wqsf = d["WQSF"][:].astype(np.uint64)
        excluded = ((wqsf & flag_mask(d["WQSF"], OLCI_EXCLUDE)) != 0) | ((wqsf & flag_mask(d["WQSF"], OLCI_REQUIRE)) == 0)
    oc4 = next(s for s in oc.ocx_coefficient_sets("olci-a") if s["default"])
    expected = ocx_numpy(rrs, oc4["blue_bands"], oc4["green_band"], oc4["a"])
    expected[excluded] = np.nan
    got, attrs, _ = read_product(out / "products" / f"{sen3.name[:-5]}.chl_ocx.nc", "chl_ocx")
    assert np.array_equal(np.isnan(got), np.isnan(expected))
    np.testing.assert_allclose(got, expected, rtol=2e-5)
    assert attrs["time_coverage_start"].startswith("2024-06-01T10:30:00")
    assert attrs["platform"] == "Sentinel-3A"
    # Nechad SPM at 665 nm: A rho_w / (1 - rho_w / C), Nechad et al. 2010 table (A 355.85, C 0.1728).
    rho = np.pi * rrs[665]
    spm = np.where((rho >= 0) & (rho < 0.1728), 355.85 * rho / (1 - rho / 0.1728), np.nan)
    spm[excluded] = np.nan
    got, _, var = read_product(out / "products" / f"{sen3.name[:-5]}.spm_nechad.nc", "spm_nechad")
    np.testing.assert_allclose(got, spm, rtol=2e-5)
    assert var.units == "g m-3"
    with netCDF4.Dataset(out / "products" / f"{sen3.name[:-5]}.kd490.nc") as d:
        assert d["radiation_wavelength"][...] == 490 and "radiation_wavelength" in d["kd490"].coordinates


def test_l3b_real_seawifs_bins(tmp_path):
    r = run("process", L3B, "-o", tmp_path, "--products", "chl_ocx")
    assert r.returncode == 0, r.stderr
    with netCDF4.Dataset(L3B) as d:
        g = d["level-3_binned_data"]
        bl = g["BinList"][:]
        rrs = {w: g[f"Rrs_{w}"][:]["sum"] / bl["weights"] for w in (443, 490, 510, 555)}
        nrows = len(g["BinIndex"])
    oc4 = next(s for s in oc.ocx_coefficient_sets("seawifs") if s["default"])
    expected = ocx_numpy(rrs, oc4["blue_bands"], oc4["green_band"], oc4["a"])
    with netCDF4.Dataset(tmp_path / "S2008001.L3b_DAY_RRS.chl_ocx.nc") as d:
        np.testing.assert_allclose(d["chl_ocx"][:], expected, rtol=2e-5)
        np.testing.assert_array_equal(d["bin_num"][:], bl["bin_num"])
        # ISIN bin centres (OCSSW bin_io.cpp, formats.md s2.2), recomputed here.
        latbin = (np.arange(nrows) + 0.5) * 180 / nrows - 90
        numbin = (np.cos(np.radians(latbin)) * 2 * nrows + 0.5).astype(np.int64)
        basebin = np.concatenate([[1], 1 + np.cumsum(numbin)[:-1]])
        row = np.searchsorted(basebin, bl["bin_num"], side="right") - 1
        lon = 360 * (bl["bin_num"] - basebin[row] + 0.5) / numbin[row] - 180
        np.testing.assert_allclose(d["lat"][:], latbin[row], atol=1e-4)
        np.testing.assert_allclose(d["lon"][:], lon, atol=1e-4)
        assert d.getncattr("time_coverage_start") == "2007-12-31T18:09:01.000Z"


def test_l3m_info_and_a_clear_error_when_it_has_no_rrs(tmp_path):
    r = run("info", L3M)
    assert r.returncode == 0, r.stderr
    assert "seawifs" in r.stdout and "2160 x 4320" in r.stdout and "chlor_a" in r.stdout
    assert "products:      none" in r.stdout
    r = run("process", L3M, "-o", tmp_path / "out", "--products", "chl_ocx")
    assert r.returncode == 1 and L3M.name in r.stdout + r.stderr and "needs Rrs" in r.stderr
    assert leftovers(tmp_path / "out") == []


def test_cf_gridded_rrs(tmp_path):
    src = tmp_path / "grid.nc"
    rng = np.random.default_rng(1)
    with netCDF4.Dataset(src, "w") as d:
        d.instrument, d.platform = "SeaWiFS", "Orbview-2"
        d.createDimension("lat", 20)
        d.createDimension("lon", 30)
        d.createVariable("lat", "f4", ("lat",), fill_value=False)[:] = np.linspace(50, 40, 20)
        d["lat"].units = "degrees_north"
        d.createVariable("lon", "f4", ("lon",))[:] = np.linspace(-10, 0, 30)
        d["lon"].units = "degrees_east"
        rrs = {}
        for w, base in [(443, 0.006), (490, 0.005), (510, 0.003), (555, 0.0015)]:
            rrs[w] = base * rng.uniform(0.5, 1.5, (20, 30))
            v = d.createVariable(f"Rrs_{w}", "f4", ("lat", "lon"), fill_value=-32767.0)
            v.units = "sr^-1"
            v[:] = rrs[w]
    r = run("process", src, "-o", tmp_path / "out", "--products", "chl_ocx")
    assert r.returncode == 0, r.stderr
    oc4 = next(s for s in oc.ocx_coefficient_sets("seawifs") if s["default"])
    expected = ocx_numpy({w: v.astype(np.float32) for w, v in rrs.items()}, oc4["blue_bands"], oc4["green_band"], oc4["a"])
    with netCDF4.Dataset(tmp_path / "out" / "grid.chl_ocx.nc") as d:
        np.testing.assert_allclose(d["chl_ocx"][:], expected, rtol=2e-5)
        np.testing.assert_allclose(d["lat"][:], np.linspace(50, 40, 20), rtol=1e-6)
        assert d["lat"].axis == "Y"


def test_rerun_skips_same_configuration_and_overwrite_remakes(demo, tmp_path):
    src = demo[0] / "inputs" / "SEASTAR_SEAWIFS_GAC.20080101T120000.L2.OC.nc"
    args = ["process", src, "-o", tmp_path, "--products", "kd490", "--log-format", "json"]
    assert run(*args).returncode == 0
    product = tmp_path / f"{src.name[:-3]}.kd490.nc"
    first = product.stat().st_mtime_ns
    r = run(*args)
    summary = json.loads(r.stdout)
    assert r.returncode == 0 and summary["skipped"] == [str(product)] and summary["written"] == []
    assert product.stat().st_mtime_ns == first
    # Every log line is one JSON object.
    assert all(json.loads(line)["level"] for line in r.stderr.splitlines())
    cfg = tmp_path / "chain.toml"
    cfg.write_text('products = ["kd490"]\n[coefficients]\nkd2 = "kd2s"\n[output]\nquicklook = false\n')
    r = run("process", src, "-o", tmp_path, "--config", cfg)
    assert r.returncode == 0 and "1 file(s) written" in r.stdout  # another configuration: remade
    r = run("process", src, "-o", tmp_path, "--config", cfg, "--overwrite")
    assert r.returncode == 0 and product.stat().st_mtime_ns > first


def test_python_process(demo, tmp_path):
    src = demo[0] / "inputs" / "SEASTAR_SEAWIFS_GAC.20080101T120000.L2.OC.nc"
    report = oc.process([src, tmp_path / "missing.nc"], tmp_path, products=["spm_nechad"], quicklook=False)
    assert report["written"] == [str(tmp_path / f"{src.name[:-3]}.spm_nechad.nc")]
    assert report["failed"][0][0].endswith("missing.nc") and "does not exist" in report["failed"][0][1]
    with pytest.raises(oc.OceanColourError, match="chl_oc9"):
        oc.process([src], tmp_path, products=["chl_oc9"])


# --- bad input ------------------------------------------------------------------------------


@pytest.fixture
def l2(demo, tmp_path):
    """A private copy of the simulated L2 granule to damage."""
    p = tmp_path / "A.L2.OC.nc"
    shutil.copy(demo[0] / "inputs" / "SEASTAR_SEAWIFS_GAC.20080101T120000.L2.OC.nc", p)
    return p


def assert_fails_cleanly(r, name, *words, code=1, out=None):
    text = r.stderr + r.stdout
    assert r.returncode == code, text
    assert name in text, text
    for w in words:
        assert w in text, text
    if out is not None:
        assert leftovers(out) == [], leftovers(out)


def test_truncated_netcdf(l2, tmp_path):
    data = l2.read_bytes()
    l2.write_bytes(data[: len(data) // 2])
    r = run("process", l2, "-o", tmp_path / "out", "--products", "chl_ocx")
    assert_fails_cleanly(r, l2.name, "truncated or corrupt", out=tmp_path / "out")


def test_corrupt_file(tmp_path):
    bad = tmp_path / "garbage.nc"
    bad.write_bytes(b"\x89HDF\r\n\x1a\n" + os.urandom(4000))
    r = run("process", bad, "-o", tmp_path / "out", "--products", "chl_ocx")
    assert_fails_cleanly(r, bad.name, "not a readable netCDF", out=tmp_path / "out")


def test_missing_band(l2, tmp_path):
    # OBPG OC files carry no NIR Rrs; Dogliotti turbidity needs the 865 nm band.
    r = run("process", l2, "-o", tmp_path / "out", "--products", "turbidity_dogliotti")
    assert_fails_cleanly(r, l2.name, "865", "turbidity_dogliotti", out=tmp_path / "out")


def test_missing_olci_band_file(demo, tmp_path):
    sen3 = tmp_path / "X.SEN3"
    shutil.copytree(next((demo[0] / "inputs").glob("*.SEN3")), sen3)
    (sen3 / "Oa08_reflectance.nc").unlink()
    r = run("process", sen3, "-o", tmp_path / "out", "--products", "spm_nechad")
    assert_fails_cleanly(r, sen3.name, "665", out=tmp_path / "out")


def test_unexpected_units(l2, tmp_path):
    with netCDF4.Dataset(l2, "a") as d:
        d["geophysical_data/Rrs_443"].units = "W m-2 um-1 sr-1"
    r = run("process", l2, "-o", tmp_path / "out", "--products", "chl_ocx")
    assert_fails_cleanly(r, l2.name, "Rrs_443", "units", out=tmp_path / "out")


def test_unexpected_packing(l2, tmp_path):
    with netCDF4.Dataset(l2, "a") as d:
        d["geophysical_data/Rrs_490"].delncattr("scale_factor")
    r = run("process", l2, "-o", tmp_path / "out", "--products", "chl_ocx")
    assert_fails_cleanly(r, l2.name, "Rrs_490", "scale_factor", out=tmp_path / "out")


def test_unknown_sensor_and_override(l2, tmp_path):
    with netCDF4.Dataset(l2, "a") as d:
        d.instrument = "CZCS"
    r = run("process", l2, "-o", tmp_path / "out", "--products", "chl_ocx")
    assert_fails_cleanly(r, l2.name, "unknown sensor", "CZCS", "--sensor", out=tmp_path / "out")
    r = run("process", l2, "-o", tmp_path / "out", "--products", "chl_ocx", "--sensor", "seawifs")
    assert r.returncode == 0, r.stderr


def test_unwritable_output_folder(l2, tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    r = run("process", l2, "-o", blocker / "out", "--products", "chl_ocx")
    assert_fails_cleanly(r, "a_file", "output folder cannot be created")
    if os.geteuid() != 0:  # root ignores permissions
        ro = tmp_path / "ro"
        ro.mkdir()
        ro.chmod(0o500)
        r = run("process", l2, "-o", ro, "--products", "chl_ocx")
        assert_fails_cleanly(r, "ro", "cannot be written", out=ro)


def test_full_disk_leaves_nothing(tmp_path):
    """A file-size limit (RLIMIT_FSIZE, SIGXFSZ ignored) makes writes fail as a full disk does."""
    src = tmp_path / "big.L2.OC.nc"
    assert run("simulate", "obpg-l2", "-o", src, "--size", "600x800").returncode == 0
    out = tmp_path / "out"
    out.mkdir()

    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))

    r = run("process", src, "-o", out, "--products", "chl_ocx,kd490", "--no-quicklook", preexec_fn=limit)
    assert_fails_cleanly(r, "big.L2.OC", out=out)


def test_usage_errors_exit_2(l2, tmp_path):
    r = run("process", l2, "-o", tmp_path, "--products", "chl_oc9")
    assert r.returncode == 2 and "chl_oc9" in r.stderr and "chl_ocx" in r.stderr
    cfg = tmp_path / "bad.toml"
    cfg.write_text("[coefficients]\nocxx = 'oc4'\n")
    r = run("process", l2, "-o", tmp_path, "--config", cfg)
    assert r.returncode == 2 and "bad.toml" in r.stderr and "ocxx" in r.stderr
    assert run("process", "-o", tmp_path).returncode == 2
    assert run("process", l2, "-o", tmp_path, "--products", "chl_ocx", "--sensor", "czcs").returncode == 2
    assert leftovers(tmp_path) == ["A.L2.OC.nc", "bad.toml"]


def test_one_bad_input_does_not_stop_the_others(l2, tmp_path):
    bad = tmp_path / "bad.nc"
    bad.write_bytes(b"not netcdf")
    r = run("process", bad, l2, "-o", tmp_path / "out", "--products", "chl_ocx", "--no-quicklook")
    assert r.returncode == 1 and f"FAILED {bad}" in r.stdout
    assert leftovers(tmp_path / "out") == ["A.L2.OC.chl_ocx.nc"]


def test_granules_in_parallel_give_the_same_products_in_input_order(demo, tmp_path):
    inputs = sorted((demo[0] / "inputs").iterdir())
    copies = []
    for k in range(3):  # six granules, two formats, and a bad one in the middle
        for src in inputs:
            dst = tmp_path / "in" / f"{k}{src.name}"
            shutil.copytree(src, dst) if src.is_dir() else (dst.parent.mkdir(exist_ok=True), shutil.copy(src, dst))
            copies.append(dst)
    bad = tmp_path / "in" / "bad.nc"
    bad.write_bytes(b"not netcdf")
    copies.insert(3, bad)
    reports = {}
    for jobs in (1, 3):
        reports[jobs] = oc.process(copies, tmp_path / f"j{jobs}", products=["chl_ocx", "kd490"], quicklook=False,
                                   jobs=jobs)
    one, three = reports[1], reports[3]
    assert [Path(w).name for w in one["written"]] == [Path(w).name for w in three["written"]]
    stem = copies[0].name.removesuffix(".nc").removesuffix(".SEN3")
    assert [Path(w).name for w in three["written"]][:2] == [f"{stem}.{p}.nc" for p in ("chl_ocx", "kd490")]
    assert len(three["written"]) == 12 and [Path(f[0]).name for f in three["failed"]] == ["bad.nc"]
    for a, b in zip(one["written"], three["written"]):
        name = Path(a).name.split(".")[-2]
        np.testing.assert_array_equal(read_product(a, name)[0], read_product(b, name)[0])
    with pytest.raises(oc.OceanColourError, match="jobs"):
        oc.process(copies, tmp_path / "j0", products=["chl_ocx"], jobs=0)


def test_ctrl_c_stops_cleanly(tmp_path):
    """SIGINT to the pip console script: exit code 130, no product or partial file left."""
    src = tmp_path / "mid.L2.OC.nc"
    assert run("simulate", "obpg-l2", "-o", src, "--size", "3000x2000").returncode == 0
    out = tmp_path / "out"
    p = subprocess.Popen([sys.executable, "-m", "oceancolour", "process", src, "-o", out, "--products", "chl_ocx,kd490"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    for line in p.stderr:  # the granule is open and its blocks are being processed
        if "Rrs bands" in line:
            p.send_signal(signal.SIGINT)
            break
    stdout, stderr = p.communicate(timeout=120)
    assert p.returncode == 130, stdout + stderr
    assert "interrupted" in stdout
    assert leftovers(out) == []


def test_oceancolour_command_runs_validate_and_matchup_subcommands(tmp_path):
    """`oceancolour validate|matchup` (the pip console script) reach oceancolour.validate."""
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-m", "oceancolour", "validate", "--reference", str(tmp_path / "missing.nc"),
                        "--candidate", str(tmp_path / "missing.nc"), "--variables", "chl=chlor_a",
                        "--report", str(tmp_path / "report")], capture_output=True, text=True)
    assert r.returncode == 2 and "missing.nc" in r.stderr, r.stderr
    r = subprocess.run([sys.executable, "-m", "oceancolour", "matchup", "--help"], capture_output=True, text=True)
    assert r.returncode == 0 and "oceancolour matchup" in r.stdout


def test_lut_convert_and_inspect_commands(tmp_path):
    """`oceancolour lut convert` turns the operational raw .npy into a netCDF table
    whose values equal the array; `lut inspect` describes it; bad paths exit 2."""
    import subprocess
    import sys

    import numpy as np

    import oceancolour as oc

    raw = np.arange(200**3, dtype=np.float32).reshape(200, 200, 200) * np.float32(1e-6)
    np.save(tmp_path / "raw.npy", raw)
    out = tmp_path / "table.nc"
    r = subprocess.run([sys.executable, "-m", "oceancolour", "lut", "convert", str(tmp_path / "raw.npy"), str(out),
                        "--sensor", "olci-a"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    np.testing.assert_array_equal(oc.Oc5Table.load(out).values, raw)
    r = subprocess.run([sys.executable, "-m", "oceancolour", "lut", "inspect", str(out)], capture_output=True, text=True)
    assert r.returncode == 0 and "olci-a" in r.stdout and "nLw_412" in r.stdout
    r = subprocess.run([sys.executable, "-m", "oceancolour", "lut", "inspect", str(tmp_path / "none.nc")],
                       capture_output=True, text=True)
    assert r.returncode == 2 and "none.nc" in r.stderr
