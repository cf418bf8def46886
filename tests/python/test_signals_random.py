"""Issue 17: a `process` run killed (SIGKILL) or stopped (SIGTERM) at a seeded random moment, then
run again, leaves exactly the files of a clean run (same names, same variable data, compared with
netCDF4) and no hidden `.part` file."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import netCDF4
import numpy as np
import pytest

PRODUCTS = "chl_ocx,kd490"


def run(*args, timeout=120):
    return subprocess.run([sys.executable, "-m", "oceancolour", *map(str, args)], capture_output=True, text=True, timeout=timeout)


def process_args(inputs, out):
    return ["process", *inputs, "-o", out, "--products", PRODUCTS, "--jobs", "2", "-q"]


@pytest.fixture(scope="module")
def granules_and_clean_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("granules")
    inputs = []
    for i in range(3):
        path = folder / f"g{i}.L2.OC.nc"
        assert run("simulate", "obpg-l2", "-o", path, "--size", "600x400", "-q").returncode == 0
        inputs.append(path)
    clean = folder / "clean"
    started = time.monotonic()
    r = run(*process_args(inputs, clean))
    assert r.returncode == 0, r.stderr
    return inputs, clean, time.monotonic() - started


def same_as_clean(out: Path, clean: Path):
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(p.name for p in clean.iterdir()), names  # no .part-* left, nothing missing
    for name in names:
        if name.endswith(".nc"):
            with netCDF4.Dataset(out / name) as a, netCDF4.Dataset(clean / name) as b:
                assert a.variables.keys() == b.variables.keys(), name
                for v in a.variables:
                    np.testing.assert_array_equal(a[v][:], b[v][:], err_msg=f"{name}:{v}")
        else:
            assert (out / name).read_bytes() == (clean / name).read_bytes(), name


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_run_signalled_at_a_random_moment_then_rerun_equals_a_clean_run(granules_and_clean_run, tmp_path, seed, signum):
    inputs, clean, seconds = granules_and_clean_run
    delay = float(np.random.default_rng(seed).uniform(0.2, max(seconds, 0.5)))
    out = tmp_path / "out"
    p = subprocess.Popen([sys.executable, "-m", "oceancolour", *map(str, process_args(inputs, out))], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    time.sleep(delay)
    if p.poll() is None:
        p.send_signal(signum)
    _, err = p.communicate(timeout=60)
    assert p.returncode in (0, 128 + signum, -signum), (p.returncode, err)
    if signum == signal.SIGTERM and out.exists():  # a stopped run removes its own partial files
        assert [q.name for q in out.iterdir() if ".part-" in q.name] == []
    r = run(*process_args(inputs, out))
    assert r.returncode == 0, r.stderr
    same_as_clean(out, clean)
    assert not [q for q in os.listdir(out) if q.startswith(".")]
