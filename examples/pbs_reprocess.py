"""Reprocess a list of granules on a PBS cluster with dask-jobqueue (see docs/hpc.md).

One dask task per granule: a worker opens the file with xarray, computes the
products with ds.oc and writes <outdir>/<granule stem>_oc.nc (temporary file,
then rename: nothing half-written). Failed granules are retried, then listed.

    python examples/pbs_reprocess.py granules.txt -o $DATAWORK/oc-out --jobs 10 \\
        --products chl_oci,kd490,spm_nechad [--group geophysical_data] [--sensor modis-aqua]

Defaults are those of Ifremer's Datarmor as documented by LOPS (queue mpi_1,
28 cores / 100 GB nodes, InfiniBand ib0; engineering.md s2.4): check queue
names and limits with your centre before use.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

CORES_PER_NODE = 28
PROCESSES_PER_NODE = 4  # dask worker processes per PBS job, one granule at a time each
THREADS_PER_PROCESS = CORES_PER_NODE // PROCESSES_PER_NODE  # the Rust pool of each process


def make_cluster(**overrides):
    """A PBSCluster of whole Datarmor nodes: 4 worker processes, each running
    one granule at a time (one dask thread: netCDF-C/HDF5 are not thread-safe)
    with a Rust pool of 7 threads, so a node computes on its 28 cores."""
    from dask_jobqueue import PBSCluster

    logs = os.path.expandvars("$DATAWORK/oc-logs/dask") if "DATAWORK" in os.environ else "oc-logs/dask"
    options = dict(
        queue="mpi_1",
        cores=PROCESSES_PER_NODE,  # dask threads in the job: 1 per worker process
        processes=PROCESSES_PER_NODE,
        memory="100GB",
        resource_spec=f"select=1:ncpus={CORES_PER_NODE}:mem=100GB",
        walltime="04:00:00",
        interface="ib0",
        local_directory="$TMPDIR",  # node-local scratch for spilling
        log_directory=logs,  # PBS stdout/stderr of every job: dask worker logs
        job_script_prologue=[
            f"export OCEANCOLOUR_NUM_THREADS={THREADS_PER_PROCESS}",
            "export OMP_NUM_THREADS=1",  # numpy/BLAS: no extra threads either
        ],
        job_extra_directives=["-m n"],  # no PBS e-mails
    )
    options.update(overrides)
    return PBSCluster(**options)


def process_granule(path: str, outdir: str, products: list[str], group: str | None, sensor: str | None) -> dict:
    """Runs on a worker: one granule -> one CF netCDF file of products."""
    import xarray as xr

    import oceancolour  # noqa: F401  (registers ds.oc)

    out = Path(outdir) / f"{Path(path).stem}_oc.nc"
    with xr.open_dataset(path, group=group) as ds:
        made = xr.Dataset({p: ds.oc.product(p, sensor=sensor) for p in products}, attrs=dict(ds.attrs))
        made.attrs["history"] = f"oceancolour {oceancolour.__version__}: {', '.join(products)} from {Path(path).name}"
        tmp = out.with_name(out.name + ".tmp")
        made.to_netcdf(tmp)
    os.replace(tmp, out)
    return {"input": path, "output": str(out)}


def reprocess(client, granules: list[str], outdir: str, products: list[str], group=None, sensor=None, retries=2):
    """Submits one task per granule; returns (done, failed) lists of dicts."""
    from distributed import as_completed

    Path(outdir).mkdir(parents=True, exist_ok=True)
    futures = client.map(
        process_granule, granules, outdir=outdir, products=products, group=group, sensor=sensor, retries=retries, pure=False
    )
    done, failed = [], []
    for f in as_completed(futures):
        if f.status == "finished":
            record = f.result()
            done.append(record)
        else:
            record = {"input": granules[futures.index(f)], "error": repr(f.exception())}
            failed.append(record)
        print(json.dumps(record), flush=True)  # one JSON line per granule
    return done, failed


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("granule_list", help="text file, one granule path per line")
    p.add_argument("-o", "--outdir", required=True)
    p.add_argument("--products", default="chl_oci,kd490,spm_nechad")
    p.add_argument("--group", help="netCDF group holding the Rrs (OBPG L2: geophysical_data)")
    p.add_argument("--sensor", help="registry sensor name, if the attributes do not tell")
    p.add_argument("--jobs", type=int, default=4, help="PBS jobs (whole nodes) to start")
    a = p.parse_args()
    try:
        from dask_jobqueue import PBSCluster  # noqa: F401  (make_cluster's)
        from distributed import Client
    except ImportError as e:
        print(f'error: this script needs {e.name}, which is not installed: pip install "oceancolour[hpc]"', file=sys.stderr)
        return 2

    granules = [g.strip() for g in Path(a.granule_list).read_text().splitlines() if g.strip()]
    with make_cluster() as cluster, Client(cluster) as client:
        cluster.scale(jobs=a.jobs)
        _, failed = reprocess(client, granules, a.outdir, a.products.split(","), a.group, a.sensor)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
