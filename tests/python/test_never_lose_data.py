"""Issue 17: the chain never loses data, never reports a wrong result as a valid one,
never hangs on a file and stops cleanly on SIGTERM. Each test reproduces one defect
found by a hostile user (files made by `oceancolour simulate`, then damaged here)."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import netCDF4
import numpy as np
import pytest

import oceancolour as oc


def run(*args, timeout=120):
    return subprocess.run([sys.executable, "-m", "oceancolour", *map(str, args)], capture_output=True, text=True, timeout=timeout)


def files(folder):
    return sorted(p.name for p in Path(folder).iterdir()) if Path(folder).exists() else []


@pytest.fixture(scope="module")
def l2(tmp_path_factory):
    path = tmp_path_factory.mktemp("l2") / "g.L2.OC.nc"
    assert run("simulate", "obpg-l2", "-o", path, "--size", "60x40").returncode == 0
    return path


@pytest.fixture(scope="module")
def sen3(tmp_path_factory):
    path = tmp_path_factory.mktemp("sen3") / "S3A_OL_2_WFR____20240101T100000.SEN3"
    assert run("simulate", "olci-wfr", "-o", path, "--size", "30x20").returncode == 0
    return path


# ---------------------------------------------------------------- output names


def test_inputs_sharing_a_file_name_are_refused_before_any_work(l2, tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a, b = tmp_path / "a" / l2.name, tmp_path / "b" / l2.name
    a.write_bytes(l2.read_bytes())
    b.write_bytes(l2.read_bytes())
    for inputs, words in (([a, b], ["same name", str(a), str(b)]), ([a, a], ["listed twice", str(a)])):
        for jobs in ("1", "2"):
            out = tmp_path / f"out{jobs}"
            r = run("process", *inputs, "-o", out, "--products", "chl_ocx", "--jobs", jobs)
            assert r.returncode == 2, r.stderr
            for w in words:
                assert w in r.stderr, (w, r.stderr)
            assert files(out) == []
    # Distinct names in one folder still run together.
    c = tmp_path / "a" / "h.L2.OC.nc"
    c.write_bytes(l2.read_bytes())
    r = run("process", a, c, "-o", tmp_path / "ok", "--products", "chl_ocx")
    assert r.returncode == 0, r.stderr
    assert files(tmp_path / "ok") == ["g.L2.OC.chl_ocx.nc", "g.L2.OC.chl_ocx.png", "h.L2.OC.chl_ocx.nc", "h.L2.OC.chl_ocx.png"]
    assert "4 file(s) written" in r.stdout


def test_a_lost_quicklook_is_made_again_on_the_rerun(l2, tmp_path):
    out = tmp_path / "out"
    assert run("process", l2, "-o", out, "--products", "chl_ocx,kd490").returncode == 0
    png = out / "g.L2.OC.chl_ocx.png"
    made = png.read_bytes()
    png.unlink()  # as when the run dies between the product's rename and the PNG
    r = run("process", l2, "-o", out, "--products", "chl_ocx,kd490")
    assert r.returncode == 0, r.stderr
    assert png.read_bytes() == made
    assert "1 product(s) skipped" in r.stdout  # kd490 was complete


def test_a_corrupt_existing_product_is_made_again_not_a_failure(l2, tmp_path):
    out = tmp_path / "out"
    assert run("process", l2, "-o", out, "--products", "chl_ocx").returncode == 0
    product = out / "g.L2.OC.chl_ocx.nc"
    with netCDF4.Dataset(product) as d:
        good = d["chl_ocx"][:]
    data = bytearray(product.read_bytes())
    data[: len(data) // 2] = os.urandom(len(data) // 2)
    product.write_bytes(bytes(data[: len(data) * 3 // 4]))
    r = run("process", l2, "-o", out, "--products", "chl_ocx")
    assert r.returncode == 0 and "panicked" not in r.stderr, r.stderr
    assert "exists but cannot be read" in r.stderr and "made again" in r.stderr, r.stderr
    r = run("process", l2, "-o", out, "--products", "chl_ocx")  # the remade product is complete
    assert r.returncode == 0 and "1 product(s) skipped" in r.stdout, r.stdout + r.stderr
    with netCDF4.Dataset(product) as d:
        np.testing.assert_array_equal(d["chl_ocx"][:], good)


# ---------------------------------------------------------------- shapes


def widen(path, var, dims_of_new):
    """Rewrites the netCDF file `path` with `var` ("group/name") on other dimensions
    (attributes kept, values 0); everything else copied as it was."""
    tmp = path.with_name(path.name + ".tmp")
    with netCDF4.Dataset(path) as src, netCDF4.Dataset(tmp, "w") as dst:
        def copy(s, d, prefix):
            d.setncatts({k: s.getncattr(k) for k in s.ncattrs()})
            for name, dim in s.dimensions.items():
                d.createDimension(name, len(dim))
            if prefix == "":
                for name, size in dims_of_new.items():
                    if name not in d.dimensions:
                        d.createDimension(name, size)
            for name, v in s.variables.items():
                attrs = {k: v.getncattr(k) for k in v.ncattrs() if k != "_FillValue"}
                fill = v.getncattr("_FillValue") if "_FillValue" in v.ncattrs() else None
                v.set_auto_maskandscale(False)
                if prefix + name == var:
                    n = d.createVariable(name, v.dtype, tuple(dims_of_new), fill_value=fill)
                    n.setncatts(attrs)
                    n[:] = 0
                else:
                    n = d.createVariable(name, v.dtype, v.dimensions, fill_value=fill)
                    n.setncatts(attrs)
                    n.set_auto_maskandscale(False)
                    n[:] = v[:]
            for name, g in s.groups.items():
                copy(g, d.createGroup(name), prefix + name + "/")
        copy(src, dst, "")
    os.replace(tmp, path)


@pytest.mark.parametrize("cols", [39, 41])
def test_obpg_flags_of_another_width_are_refused_naming_both_shapes(l2, tmp_path, cols):
    bad = tmp_path / "bad.nc"
    bad.write_bytes(l2.read_bytes())
    widen(bad, "geophysical_data/l2_flags", {"number_of_lines": 60, "other_pixels": cols})
    for args in (("process", bad, "-o", tmp_path / "out", "--products", "chl_ocx"), ("info", bad)):
        r = run(*args)
        assert r.returncode == 1, r.stderr
        assert f"l2_flags has shape [60, {cols}]" in r.stderr and "[60, 40]" in r.stderr, r.stderr
    assert files(tmp_path / "out") == []


def test_olci_wqsf_of_another_width_and_a_corrupt_time_stamp_are_refused(sen3, tmp_path):
    import shutil

    bad = tmp_path / sen3.name
    shutil.copytree(sen3, bad)
    widen(bad / "wqsf.nc", "WQSF", {"rows": 30, "more_columns": 21})
    r = run("info", bad)
    assert r.returncode == 1 and "WQSF has shape [30, 21]" in r.stderr and "[30, 20]" in r.stderr, r.stderr
    shutil.rmtree(bad)
    shutil.copytree(sen3, bad)
    with netCDF4.Dataset(bad / "time_coordinates.nc", "a") as d:
        d["time_stamp"][0] = np.iinfo(np.int64).max - 5  # beyond any representable date
    r = run("process", bad, "-o", tmp_path / "out", "--products", "chl_ocx")
    assert r.returncode == 1, r.stderr
    assert "time_stamp" in r.stderr and "not a date" in r.stderr and "panicked" not in r.stderr


def test_a_fifo_is_refused_at_once(tmp_path):
    fifo = tmp_path / "granule.nc"
    os.mkfifo(fifo)
    r = run("info", fifo, timeout=30)
    assert r.returncode == 1 and "not a regular file" in r.stderr, r.stderr
    loop = tmp_path / "loop.nc"
    loop.symlink_to(loop)
    r = run("info", loop, timeout=30)
    assert r.returncode == 1 and "symbolic link loop" in r.stderr, r.stderr


# ---------------------------------------------------------------- out-of-domain values


def test_kdpar_morel_is_nan_outside_its_domain():
    # Morel et al. 2007 eqs. 9-10 hold for natural waters' Kd490 (>= l2gen's floor 0.016 m-1).
    got = oc.kdpar_morel(np.array([1e-40, 0.01, 0.0159, 0.016, 0.1, np.inf], np.float32))
    assert np.isnan(got[[0, 1, 2, 5]]).all()
    np.testing.assert_allclose(got[3:5], [0.0864 + 0.884 * 0.016 - 0.00137 / 0.016, 0.0864 + 0.0884 - 0.0137], rtol=1e-5)


def test_dogliotti_of_an_infinite_red_is_nan():
    red = np.array([np.inf, 0.05, np.nan], np.float32)
    nir = np.array([0.01, 0.01, 0.01], np.float32)
    got = oc.turbidity_dogliotti({645: red, 859: nir}, "modis-aqua")
    assert np.isnan(got[0]) and np.isfinite(got[1]) and np.isnan(got[2])


def test_an_oc5_table_of_another_sensor_is_refused():
    rrs = {nm: np.full(3, 0.004, np.float32) for nm in (412, 443, 488, 547)}
    table = oc.Oc5Table.build("seawifs", shape=(8, 8, 8))
    with pytest.raises(oc.OceanColourError, match="table for seawifs, not modis-aqua"):
        oc.chl_oc5(rrs, "modis-aqua", table=table)


def test_a_band_given_twice_is_refused():
    a = np.full(2, 0.004, np.float32)
    with pytest.raises(oc.OceanColourError, match="band 443 is given twice"):
        oc.chl_ocx({443: a, "Rrs_443": a * 2, 490: a, 510: a, 555: a}, "seawifs")


def test_masked_pixels_are_invalid_input():
    rng = np.random.default_rng(3)
    rrs = {nm: rng.uniform(0.002, 0.01, 6).astype(np.float32) for nm in (443, 490, 510, 555)}
    mask = np.array([0, 1, 0, 0, 1, 0], bool)
    masked = {**rrs, 443: np.ma.masked_array(rrs[443], mask)}
    expected = oc.chl_ocx({**rrs, 443: np.where(mask, np.nan, rrs[443]).astype(np.float32)}, "seawifs")
    got = oc.chl_ocx(masked, "seawifs")
    np.testing.assert_array_equal(got, expected)
    assert np.isnan(got[mask]).all() and np.isfinite(got[~mask]).all()


def test_absurd_thread_counts_are_refused_quickly():
    before = oc.get_num_threads()
    for n, match in ((0, "at least 1"), (20000, "at most 1024"), (10**9, "at most 1024")):
        t = time.monotonic()
        with pytest.raises(oc.OceanColourError, match=match):
            oc.set_num_threads(n)
        assert time.monotonic() - t < 1
    for bad in (-1, None, 2.5, 10**40):
        with pytest.raises(oc.OceanColourError, match="num_threads"):
            oc.set_num_threads(bad)
    assert oc.get_num_threads() == before


# ---------------------------------------------------------------- signals


def test_sigterm_stops_cleanly_with_143_and_stale_parts_are_removed(tmp_path):
    """PBS sends SIGTERM at walltime: same cleanup as Ctrl-C, exit 128 + 15. A part file that a
    killed process left (SIGKILL) is removed by the next run in that folder."""
    src = tmp_path / "mid.L2.OC.nc"
    assert run("simulate", "obpg-l2", "-o", src, "--size", "3000x2000").returncode == 0
    out = tmp_path / "out"
    out.mkdir()
    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = out / f".mid.L2.OC.chl_ocx.nc.part-{dead.pid}-0"
    stale.write_bytes(b"left by a killed run")
    mine = out / "notes.part-1-0.txt"  # not a part file name: kept
    mine.write_text("user file")
    p = subprocess.Popen([sys.executable, "-m", "oceancolour", "process", src, "-o", out, "--products", "chl_ocx,kd490"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for line in p.stderr:
        if "Rrs bands" in line:
            p.send_signal(signal.SIGTERM)
            break
    stdout, stderr = p.communicate(timeout=120)
    assert p.returncode == 143, stdout + stderr
    assert "interrupted" in stdout
    assert files(out) == ["notes.part-1-0.txt"]
    r = run("process", src, "-o", out, "--products", "chl_ocx")
    assert r.returncode == 0, r.stderr
    assert files(out) == ["mid.L2.OC.chl_ocx.nc", "mid.L2.OC.chl_ocx.png", "notes.part-1-0.txt"]


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
@pytest.mark.parametrize("layout,name", [("obpg-l2", "big.L2.OC.nc"), ("olci-wfr", "S3A_OL_2_WFR____20240101T100000.SEN3")])
def test_a_signal_stops_simulate_leaving_nothing(signum, layout, name, tmp_path):
    """Ctrl-C was ignored during `simulate` (16 s for this L2 scene, 42 s for the OLCI one, on 2
    cores): now it stops within seconds, exit 128 + signal, no partial file or half .SEN3 folder."""
    p = subprocess.Popen([sys.executable, "-m", "oceancolour", "simulate", layout, "-o", str(tmp_path / name), "--size", "4000x3000"],
                         stderr=subprocess.PIPE, text=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    time.sleep(1.5)
    assert p.poll() is None
    sent = time.monotonic()
    p.send_signal(signum)
    _, err = p.communicate(timeout=60)
    assert p.returncode == 128 + signum, err
    assert time.monotonic() - sent < 5, "did not stop at the next block"
    assert "interrupted" in err and files(tmp_path) == [], (err, files(tmp_path))


@pytest.mark.parametrize("limit", [1000, 30000])
def test_a_file_size_limit_is_named_and_leaves_nothing(l2, tmp_path, limit):
    """A write stopped by the system (here RLIMIT_FSIZE, `ulimit -f`: EFBIG, as a full disk gives
    ENOSPC) said only "netcdf error(-101): NetCDF: HDF error": now the cause is named, exit 1, and
    neither a product nor a partial file is left. (A full disk itself needs a small file system,
    which the tests cannot mount: the same check names ENOSPC from the folder's free space.)"""
    import resource

    def limited():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    out = tmp_path / "out"
    out.mkdir()
    for args in (["process", l2, "-o", out, "--products", "chl_ocx"], ["simulate", "obpg-l2", "-o", out / "s.L2.OC.nc", "--size", "60x40"]):
        r = subprocess.run([sys.executable, "-m", "oceancolour", *map(str, args)], capture_output=True, text=True, timeout=60, preexec_fn=limited)
        assert r.returncode == 1, r.stderr
        assert f"file size limit exceeded (EFBIG): this process may write files of at most {limit} bytes" in r.stderr, r.stderr
        assert "Permission denied" not in r.stderr
        assert files(out) == [], files(out)


@pytest.fixture
def small_disk(tmp_path):
    """A real full disk: a tmpfs of 160 KiB (needs mount rights: root, as on CI's machine)."""
    folder = tmp_path / "disk"
    folder.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=160k", "tmpfs", str(folder)], capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {r.stderr.strip()}")
    yield folder
    subprocess.run(["umount", str(folder)], check=True)


def test_a_full_disk_is_named_enospc_and_keeps_only_whole_files(l2, small_disk, tmp_path):
    """On a disk that fills during the run (here a real 160 KiB tmpfs), the error names ENOSPC
    (it used to say "netcdf error(13): Permission denied"), exit 1, no partial file; what was
    written before the disk filled is whole (opens and reads), and a re-run on a disk with room
    makes the rest."""
    import netCDF4

    out = small_disk / "out"
    products = "chl_ocx,kd490,spm_nechad,turbidity_nechad,chl_oc5"
    r = run("process", l2, "-o", out, "--products", products)
    assert r.returncode == 1, r.stderr
    assert "no space left on device (ENOSPC) in" in r.stderr, r.stderr
    assert "Permission denied" not in r.stderr
    assert [n for n in files(out) if n.startswith(".")] == [], files(out)
    for name in files(out):
        if name.endswith(".nc"):
            with netCDF4.Dataset(out / name) as ds:
                assert ds.variables[name.split(".")[-2]][:].count() > 0, name
    # Room again: the same folder's content moves to a bigger one and the chain completes it.
    import shutil

    roomy = tmp_path / "roomy"
    shutil.copytree(out, roomy)
    r = run("process", l2, "-o", roomy, "--products", products)
    assert r.returncode == 0, r.stderr
    assert len([n for n in files(roomy) if n.endswith(".nc")]) == 5, files(roomy)
    r = run("bin", roomy / "g.L2.OC.chl_ocx.nc", "-o", small_disk / "b.nc", "--grid", "regular:-10,0,40,50,0.01,0.01")
    assert r.returncode == 1 and "no space left on device (ENOSPC)" in r.stderr, r.stderr
    assert [n for n in files(small_disk) if n != "out"] == [], files(small_disk)


# ---------------------------------------------------------------- allocations


def test_allocations_sized_by_arguments_are_refused_not_aborted(l2, tmp_path):
    """Each of these aborted the process ("memory allocation of N bytes failed"): now a named
    MemoryError / exit 2, checked against the memory available (OCEANCOLOUR_MAX_MEMORY caps it)."""
    code = """
import numpy as np, oceancolour as oc, oceancolour.fusion as fusion
for call in (lambda: oc.Oc5Table.build("seawifs", shape=(100000,) * 3),
             lambda: oc.chl_ocx({443: np.full((1, 100000), 0.004, np.float32), 490: np.full((100000, 1), 0.004, np.float32),
                                 510: np.float32(0.004), 555: np.float32(0.003)}, "seawifs")):
    try:
        call()
    except MemoryError as e:
        print("MemoryError:", e)
try:
    fusion.isin_grid(4_000_000_000)
except oc.OceanColourError as e:
    print("refused:", e)
"""
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "MemoryError: an OC5 table of 100000 x 100000 x 100000 nodes would need" in r.stdout
    assert "MemoryError: arrays broadcast to shape [100000, 100000] would need" in r.stdout
    assert "refused: invalid parameter nrows" in r.stdout
    out = tmp_path / "p"
    assert run("process", l2, "-o", out, "--products", "chl_ocx").returncode == 0
    for grid in ("isin:4000000000", "regular:-180,180,-90,90,0.00001,0.00001"):
        r = run("bin", out / "g.L2.OC.chl_ocx.nc", "-o", tmp_path / "b.nc", "--grid", grid)
        assert r.returncode == 2 and "panicked" not in r.stderr and "memory allocation" not in r.stderr, r.stderr
    assert "would need" in r.stderr
    r = run("lut", "build", "--sensor", "seawifs", "--shape", "100000", "100000", "100000", "-o", tmp_path / "t.nc")
    assert r.returncode == 2 and "would need" in r.stderr and not (tmp_path / "t.nc").exists(), r.stderr


def test_a_small_file_declaring_billions_of_pixels_is_refused(l2, tmp_path):
    """A 2-D file whose header declares 10 x 2^31 pixels (a few KB on disk: no data written)."""
    big = tmp_path / "huge.L2.OC.nc"
    with netCDF4.Dataset(l2) as src, netCDF4.Dataset(big, "w") as d:
        d.setncatts({k: src.getncattr(k) for k in src.ncattrs()})
        d.createDimension("number_of_lines", 10)
        d.createDimension("pixels_per_line", 2**31)
        geo, nav = d.createGroup("geophysical_data"), d.createGroup("navigation_data")
        for name in ("latitude", "longitude"):
            nav.createVariable(name, "f4", ("number_of_lines", "pixels_per_line"), chunksizes=(1, 1024)).units = "degrees"
        for name, v in src["geophysical_data"].variables.items():
            n = geo.createVariable(name, v.dtype, ("number_of_lines", "pixels_per_line"), chunksizes=(1, 1024))
            n.setncatts({k: v.getncattr(k) for k in v.ncattrs() if k != "_FillValue"})
    assert big.stat().st_size < 200_000
    out = tmp_path / "out"
    r = run("process", big, "-o", out, "--products", "chl_ocx", timeout=60)
    assert r.returncode == 1, r.stderr
    assert "would need" in r.stderr and "2147483648 pixels" in r.stderr and "panicked" not in r.stderr, r.stderr
    assert files(out) == []


# ---------------------------------------------------------------- determinism


def test_variogram_fit_and_kriging_are_bit_identical_for_any_thread_count():
    """The empirical variogram's parallel sums were split where rayon's scheduler happened to:
    1 vs 2 threads, and two 2-thread runs, differed. Now summed in fixed pieces, in order."""
    import oceancolour.fusion as fu

    rng = np.random.default_rng(21)
    n = 2500
    x, y = rng.uniform(0, 300, n), rng.uniform(0, 300, n)
    z = np.sin(x / 40) + np.cos(y / 25) + rng.normal(0, 0.3, n)
    xt, yt = rng.uniform(0, 300, 4000), rng.uniform(0, 300, 4000)
    before = oc.get_num_threads()
    try:
        runs = []
        for threads in (1, 2, 2, 2):
            oc.set_num_threads(threads)
            v = fu.fit_variogram(x, y, z, model="exponential", nlags=25, max_lag=150.0, max_points=3000)
            est, var = fu.krige(x, y, z, xt, yt, variogram=v, k=24)
            runs.append((v, est, var))
    finally:
        oc.set_num_threads(before)
    for v, est, var in runs[1:]:
        assert v.keys() == runs[0][0].keys()
        for key, value in v.items():  # every number of the fit, exactly
            assert np.asarray(value).tobytes() == np.asarray(runs[0][0][key]).tobytes(), key
        assert est.tobytes() == runs[0][1].tobytes() and var.tobytes() == runs[0][2].tobytes()


# ---------------------------------------------------------------- fuzzing

FUZZ_CASES = [("obpg-l2", 90), ("l3b", 40), ("olci-wfr", 40)]


def mutate(data, rng, lo=4096, hi=16384):
    d = bytearray(data)
    for _ in range(rng.integers(1, 9)):
        off = int(rng.integers(lo, min(hi, len(d))))
        d[off] ^= 1 << int(rng.integers(8))
    return bytes(d)


@pytest.mark.parametrize("layout,count", FUZZ_CASES)
def test_byte_flipped_files_fail_cleanly(layout, count, l2, sen3, tmp_path):
    """Seeded byte flips in the first 16 KB (headers, attributes, B-trees) of an OBPG L2 file, a
    real NASA L3b file and an OLCI band file: every run ends by itself with exit 0 or 1, no panic
    text, no signal, no partial file left."""
    import shutil

    rng = np.random.default_rng({"obpg-l2": 1, "l3b": 2, "olci-wfr": 3}[layout])
    src = {"obpg-l2": l2, "l3b": Path(__file__).resolve().parents[2] / "validation" / "data" / "S2008001.L3b_DAY_RRS.nc",
           "olci-wfr": sen3 / "Oa04_reflectance.nc"}[layout]
    base = src.read_bytes()
    outcomes = {}
    for i in range(count):
        if layout == "olci-wfr":
            target = tmp_path / f"m{i}.SEN3"
            shutil.copytree(sen3, target)
            (target / src.name).write_bytes(mutate(base, rng))
        else:
            target = tmp_path / f"m{i}.nc"
            target.write_bytes(mutate(base, rng))
        out = tmp_path / f"o{i}"
        args = ["process", target, "-o", out, "--products", "chl_ocx", "-q"] if layout != "l3b" else \
            ["process", target, "-o", out, "--products", "chl_ocx", "-q", "--no-quicklook"]
        r = run(*args, timeout=60)
        assert r.returncode in (0, 1), (target, r.returncode, r.stderr[-500:])
        assert "panicked" not in r.stderr and "internal error" not in r.stderr, (target, r.stderr[-500:])
        assert not [p for p in (out.iterdir() if out.exists() else []) if ".part-" in p.name], target
        outcomes[r.returncode] = outcomes.get(r.returncode, 0) + 1
        shutil.rmtree(target) if target.is_dir() else target.unlink()
        shutil.rmtree(out, ignore_errors=True)
    assert outcomes.get(1, 0) > 0  # the mutants do reach the readers' error paths


# ---------------------------------------------------------------- fork


def test_fork_while_another_thread_builds_an_oc5_table(tmp_path):
    """A thread builds the open OC5 table (holding the tables' lock, using the pool) when the
    process forks: the child computes with the pool and builds and uses tables of its own."""
    code = """
import os, sys, threading, time
import numpy as np, oceancolour as oc
rrs = {nm: np.full(10, v, np.float32) for nm, v in ((412, 0.004), (443, 0.004), (490, 0.004), (510, 0.003), (555, 0.002))}
t = threading.Thread(target=lambda: oc.chl_oc5(rrs, "seawifs"))
t.start()
time.sleep(1.0)
pid = os.fork()
if pid == 0:
    ok = np.isfinite(oc.chl_ocx(rrs, "seawifs")).all()
    oc.chl_oc5(rrs, "seawifs", table=oc.Oc5Table.build("seawifs", shape=(8, 8, 8)))  # the pool, in the child
    ok &= np.isfinite(oc.chl_oc5(rrs, "seawifs")).all()
    os._exit(0 if ok else 3)
_, status = os.waitpid(pid, 0)
t.join()
sys.exit(os.waitstatus_to_exitcode(status))
"""
    env = dict(os.environ, OCEANCOLOUR_CACHE_DIR=str(tmp_path / "cache"))
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=180, env=env)
    assert r.returncode == 0, r.stderr


# ---------------------------------------------------------------- reads that loop inside HDF5

#: A byte-flipped copy of `oceancolour simulate obpg-l2 --size 60x40` (seed 295 of the mutate()
#: above) on which HDF5 loops forever (found by fuzzing; tests/data/README.md).
HDF5_LOOP = Path(__file__).resolve().parents[1] / "data" / "obpg_l2_hdf5_loop.nc"


def test_a_read_looping_inside_hdf5_is_bounded(tmp_path):
    env = {**os.environ, "OCEANCOLOUR_READ_TIMEOUT": "2"}
    out = tmp_path / "out"
    r = subprocess.run([sys.executable, "-m", "oceancolour", "process", str(HDF5_LOOP), "-o", str(out), "--products", "chl_ocx"],
                       capture_output=True, text=True, timeout=60, env=env)
    assert r.returncode == 1, r.stderr
    assert "obpg_l2_hdf5_loop.nc: no progress for 2 s inside the netCDF/HDF5 libraries" in r.stderr
    assert not [p for p in out.iterdir() if p.name.startswith(".")] if out.exists() else True
    # From Python: an error that says the process must be restarted (the stuck thread stays),
    # and the script that caught it still ends normally (it died of SIGSEGV at exit: HDF5's exit
    # handler tore the library down under the stuck read).
    code = f"import oceancolour as oc\ntry:\n    oc.process([{str(HDF5_LOOP)!r}], {str(out)!r}, products=['chl_ocx'])\nexcept oc.OceanColourError as e:\n    print('raised', e)"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env)
    assert r.stdout.startswith("raised") and "restart it" in r.stdout, r.stdout + r.stderr
    assert r.returncode == 0, (r.returncode, r.stderr)


#: This chain's own L2 product, byte-flipped, on which HDF5 loops while `info` or `bin` reads it.
PRODUCT_LOOP = HDF5_LOOP.with_name("l2_product_hdf5_loop.nc")


@pytest.mark.parametrize("args", [["info", PRODUCT_LOOP], ["bin", PRODUCT_LOOP, "-o", "b.nc", "--grid", "isin:4320"],
                                  ["bin", PRODUCT_LOOP, "-o", "b.nc", "--grid", "regular:-10,10,-10,10,0.1,0.1"]])
def test_the_watchdog_bounds_every_command_not_only_process(args, tmp_path):
    """`info` and `bin` (and `merge`, `l4`, `intercal`: the same `Context::reading`) hung for ever
    on a file HDF5 loops on; now the named error, exit 1, no partial output."""
    env = {**os.environ, "OCEANCOLOUR_READ_TIMEOUT": "2"}
    r = subprocess.run([sys.executable, "-m", "oceancolour", *map(str, args)], capture_output=True, text=True, timeout=60, env=env, cwd=tmp_path)
    assert r.returncode == 1, r.stderr
    assert "l2_product_hdf5_loop.nc: no progress for 2 s inside the netCDF/HDF5 libraries" in r.stderr, r.stderr
    assert files(tmp_path) == [], files(tmp_path)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
@pytest.mark.parametrize("command", ["info", "process"])
def test_a_signal_ends_a_run_stuck_inside_hdf5(signum, command, l2, tmp_path):
    """SIGINT used to end in SIGSEGV (the interpreter's exit ran HDF5's clean-up while the stuck
    thread was inside HDF5): now 128 + signal after the grace, and the other granule's partial
    files are gone."""
    env = {**os.environ, "OCEANCOLOUR_STOP_GRACE": "1", "OCEANCOLOUR_READ_TIMEOUT": "0"}
    out = tmp_path / "out"
    args = ["info", HDF5_LOOP] if command == "info" else ["process", l2, HDF5_LOOP, "-o", out, "--products", "chl_ocx", "--jobs", "2"]
    p = subprocess.Popen([sys.executable, "-m", "oceancolour", *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         env=env, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    time.sleep(2)
    assert p.poll() is None  # looping
    p.send_signal(signum)
    _, err = p.communicate(timeout=30)
    assert p.returncode == 128 + signum, err
    assert "did not stop within 1 s of the signal" in err, err
    assert [p.name for p in out.iterdir() if ".part-" in p.name] == [] if out.exists() else True
