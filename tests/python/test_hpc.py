"""The PBS recipe of docs/hpc.md: the dask-jobqueue job script says what the
docs say (resources, threads, logs), and the reprocessing function run on a
real dask.distributed cluster writes one product file per granule, equal to
the array API, and lists the granules that failed."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

distributed = pytest.importorskip("distributed")
xr = pytest.importorskip("xarray")
pytest.importorskip("netCDF4")

import oceancolour as oc  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("pbs_reprocess", ROOT / "examples" / "pbs_reprocess.py")
recipe = importlib.util.module_from_spec(spec)
spec.loader.exec_module(recipe)


def test_pbs_job_script(tmp_path):
    pytest.importorskip("dask_jobqueue")
    # No InfiniBand here: only the scheduler's interface differs from the recipe.
    with recipe.make_cluster(interface=None, log_directory=str(tmp_path)) as cluster:
        script = cluster.job_script()
    assert "#PBS -q mpi_1" in script
    assert "#PBS -l select=1:ncpus=28:mem=100GB" in script
    assert "#PBS -l walltime=04:00:00" in script
    assert "#PBS -m n" in script
    assert "export OCEANCOLOUR_NUM_THREADS=7" in script
    assert "--nworkers 4" in script and "--nthreads 1" in script
    assert f"#PBS -e {tmp_path}/" in script and f"#PBS -o {tmp_path}/" in script
    assert "--local-directory $TMPDIR" in script


def write_granule(path, seed):
    rng = np.random.default_rng(seed)
    wl = np.array([412, 443, 490, 510, 555, 670], float)[:, None, None]
    peak, height = rng.uniform(440, 570, (30, 20)), rng.uniform(0.002, 0.02, (30, 20))
    rrs = (height * np.exp(-(((wl - peak) / 110.0) ** 2)) + 2e-5).astype(np.float32)
    ds = xr.Dataset(
        {f"Rrs_{int(nm)}": (("y", "x"), r) for nm, r in zip(wl.ravel(), rrs)},
        attrs={"instrument": "SeaWiFS", "platform": "Orbview-2"},
    )
    ds.to_netcdf(path)
    return {int(nm): r for nm, r in zip(wl.ravel(), rrs)}


def test_reprocess_granules_on_a_cluster(tmp_path):
    rrs = {f"S{i}.nc": write_granule(tmp_path / f"S{i}.nc", i) for i in range(3)}
    (tmp_path / "corrupt.nc").write_bytes(b"CDF\x01 truncated")
    granules = [str(tmp_path / n) for n in [*rrs, "corrupt.nc"]]
    out = tmp_path / "out"
    # As on PBS: worker processes with one task thread each (netCDF-C/HDF5 are not thread-safe).
    with distributed.Client(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as client:
        done, failed = recipe.reprocess(client, granules, str(out), ["chl_ocx", "kd490"], retries=0)
    assert sorted(Path(d["input"]).name for d in done) == sorted(rrs)
    assert [Path(f["input"]).name for f in failed] == ["corrupt.nc"]
    assert sorted(p.name for p in out.iterdir()) == ["S0_oc.nc", "S1_oc.nc", "S2_oc.nc"]  # no .tmp left
    for name, bands in rrs.items():
        with xr.open_dataset(out / name.replace(".nc", "_oc.nc")) as made:
            np.testing.assert_array_equal(made.chl_ocx.values, oc.chl_ocx(bands, "seawifs"))
            np.testing.assert_array_equal(made.kd490.values, oc.kd490(bands, "seawifs"))
            assert made.chl_ocx.attrs["units"] == "mg m-3"


def test_job_array_script_parses():
    import subprocess

    subprocess.run(["bash", "-n", str(ROOT / "examples" / "pbs_job_array.sh")], check=True)
