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
    """Sets every worker's oceancolour pool to ``n`` threads (default: the worker's ``nthreads``).

    Register it with ``client.register_plugin(NumThreadsPlugin())``: it applies to the
    workers present and to those started later. Registering another one replaces it
    (plugins with the same :attr:`name`).

    Parameters
    ----------
    n : int, optional
        Threads of each worker's Rust pool, 1 to 1024; default (None or 0) the worker's
        own task thread count, ``nthreads``. Checked when a worker applies it (see
        :meth:`setup`).

    Attributes
    ----------
    name : str
        ``"oceancolour-num-threads"``, the plugin's name on the cluster.
    n : int or None
        The thread count given.

    Examples
    --------
    An in-process cluster with one worker running one task at a time: its pool is set
    to one thread.

    >>> import oceancolour as oc
    >>> from distributed import Client, LocalCluster
    >>> from oceancolour.dask import NumThreadsPlugin
    >>> before = oc.get_num_threads()
    >>> with LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
    ...                   dashboard_address=None) as cluster, Client(cluster) as client:
    ...     _ = client.register_plugin(NumThreadsPlugin())
    ...     print(list(client.run(oc.get_num_threads).values()))
    [1]
    >>> oc.set_num_threads(before)  # the worker was this process: restore its pool
    """

    name = "oceancolour-num-threads"

    def __init__(self, n: int | None = None) -> None:
        self.n = n

    def setup(self, worker: Worker) -> None:
        """Sizes the pool of the process running ``worker``: called by dask when the plugin is registered or a worker starts.

        Parameters
        ----------
        worker : distributed.Worker
            The worker; its ``state.nthreads`` is the default thread count.

        Returns
        -------
        None

        Raises
        ------
        OceanColourError
            ``n`` is not a whole number from 1 to 1024 (a ``ValueError``); on a cluster,
            ``client.register_plugin`` re-raises it.

        Examples
        --------
        Called directly, with a stand-in for the worker (only ``worker.state.nthreads``
        is read):

        >>> from types import SimpleNamespace
        >>> import oceancolour as oc
        >>> from oceancolour.dask import NumThreadsPlugin
        >>> before = oc.get_num_threads()
        >>> worker = SimpleNamespace(state=SimpleNamespace(nthreads=1))
        >>> NumThreadsPlugin().setup(worker)
        >>> oc.get_num_threads()
        1
        >>> NumThreadsPlugin(5000).setup(worker)
        Traceback (most recent call last):
        ...
        oceancolour.OceanColourError: invalid parameter num_threads: 5000 is too many: at most 1024 ...
        >>> oc.set_num_threads(before)
        """
        _core.set_num_threads(self.n or worker.state.nthreads)
