"""dask.distributed: size the Rust thread pool of every worker.

A dask worker runs ``nthreads`` tasks at a time and each oceancolour call
runs in the process's Rust pool (default: one thread per core). With several
worker processes on one node the pools together would start processes x cores
threads. Either give workers the environment variable
``OCEANCOLOUR_NUM_THREADS`` (read when the pool is first used), e.g.
``LocalCluster(env={"OCEANCOLOUR_NUM_THREADS": "1"})`` or
``PBSCluster(job_script_prologue=["export OCEANCOLOUR_NUM_THREADS=1"])``,
or register :class:`NumThreadsPlugin`, which sets each worker's pool to the
worker's own thread count so that the node's cores = processes x threads::

    client.register_plugin(oceancolour.dask.NumThreadsPlugin())
"""

from __future__ import annotations

from oceancolour import _core
from oceancolour._extras import needs

with needs("dask", "oceancolour.dask"):
    from distributed import Worker, WorkerPlugin

__all__ = ["NumThreadsPlugin"]


class NumThreadsPlugin(WorkerPlugin):
    """Sets every worker's oceancolour pool to ``n`` threads (default: the
    worker's ``nthreads``), on the workers present and on those started later."""

    name = "oceancolour-num-threads"

    def __init__(self, n: int | None = None) -> None:
        self.n = n

    def setup(self, worker: Worker) -> None:
        _core.set_num_threads(self.n or worker.state.nthreads)
