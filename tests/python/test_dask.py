"""oceancolour on a real dask.distributed cluster and under multiprocessing:
chunked results equal numpy exactly, the Rust pool of each worker is sized
as asked (no oversubscription), nothing deadlocks under fork or spawn, and
functions pickle by reference."""

import multiprocessing as mp
import pickle
from pathlib import Path

import numpy as np
import pytest

distributed = pytest.importorskip("distributed")
xr = pytest.importorskip("xarray")

import oceancolour as oc  # noqa: E402
from oceancolour.dask import NumThreadsPlugin  # noqa: E402
from oceancolour.xarray import _compute_block  # noqa: E402

SEAWIFS = (412, 443, 490, 510, 555, 670, 765, 865)
TIMEOUT = 120  # s: a deadlock fails the test instead of hanging CI


def spectra(shape, seed=0):
    rng = np.random.default_rng(seed)
    wl = np.asarray(SEAWIFS, float).reshape(-1, *([1] * len(shape)))
    peak, height = rng.uniform(440, 580, shape), rng.uniform(0.002, 0.03, shape)
    rrs = (height * np.exp(-(((wl - peak) / 110.0) ** 2)) + 2e-5).astype(np.float32)
    return {nm: rrs[i] for i, nm in enumerate(SEAWIFS)}


def pool_threads_alive():
    """OS threads of this process started by the Rust pool (named oceancolour-N)."""
    return sum((t / "comm").read_text().startswith("oceancolour-") for t in Path("/proc/self/task").iterdir())


@pytest.fixture(scope="module")
def client():
    # Several worker processes (spawned: distributed's default start method),
    # one task thread each, Rust pool sized by the environment.
    with distributed.LocalCluster(
        n_workers=3,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        env={"OCEANCOLOUR_NUM_THREADS": "1"},
    ) as cluster, distributed.Client(cluster) as c:
        yield c


def test_chunked_dataset_on_cluster_equals_numpy(client):
    rrs = spectra((300, 200))
    ds = xr.Dataset({f"Rrs_{nm}": (("y", "x"), v) for nm, v in rrs.items()}).chunk({"y": 50, "x": 50})
    chl = ds.oc.chl_oci(sensor="seawifs")
    assert chl.data.npartitions == 24
    with distributed.get_task_stream(client) as ts:
        got = client.compute(chl).result(timeout=TIMEOUT)
    np.testing.assert_array_equal(got.values, oc.chl_oci(rrs, "seawifs"))
    assert np.isfinite(got.values).all()
    workers = {t["worker"] for t in ts.data if t["key"][0].startswith("compute_block")}
    assert len(workers) == 3, workers


def test_worker_pools_follow_the_environment_and_do_not_oversubscribe(client):
    assert set(client.run(oc.get_num_threads).values()) == {1}
    client.submit(oc.chl_ocx, spectra((20000,)), "seawifs").result(timeout=TIMEOUT)
    # The worker that ran it has started exactly one pool thread; none has more.
    assert max(client.run(pool_threads_alive).values()) == 1


def test_num_threads_plugin_sizes_pools_to_the_worker_threads(client):
    client.register_plugin(NumThreadsPlugin(2))
    assert set(client.run(oc.get_num_threads).values()) == {2}
    client.register_plugin(NumThreadsPlugin())  # same name: replaces it; worker nthreads = 1
    assert set(client.run(oc.get_num_threads).values()) == {1}


def test_functions_pickle_by_reference_and_run_on_workers(client):
    assert pickle.loads(pickle.dumps(oc.chl_ocx)) is oc.chl_ocx
    assert pickle.loads(pickle.dumps(_compute_block)) is _compute_block
    assert pickle.loads(pickle.dumps(NumThreadsPlugin(3))).n == 3
    rrs = spectra((50, 7))
    remote = client.submit(oc.kd490, rrs, "seawifs").result(timeout=TIMEOUT)
    np.testing.assert_array_equal(remote, oc.kd490(rrs, "seawifs"))
    with pytest.raises(oc.OceanColourError, match="unknown sensor"):
        client.submit(oc.kd490, rrs, "czcs").result(timeout=TIMEOUT)


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_no_deadlock_after_the_parent_used_its_pool(method):
    rrs = spectra((200_000,))
    oc.set_num_threads(2)
    expected = oc.chl_ocx(rrs, "seawifs")  # the parent's pool threads now exist
    chunks = [({nm: v[i::4] for nm, v in rrs.items()}, "seawifs") for i in range(4)]
    # oc.chl_ocx itself is shipped (by reference), so spawned children import only oceancolour.
    with mp.get_context(method).Pool(2) as pool:
        results = pool.starmap_async(oc.chl_ocx, chunks).get(timeout=TIMEOUT)
    for i, chl in enumerate(results):
        np.testing.assert_array_equal(chl, expected[i::4])
    np.testing.assert_array_equal(oc.chl_ocx(rrs, "seawifs"), expected)  # the parent still works


def test_cluster_with_fork_start_method():
    import dask

    rrs = spectra((300, 200), seed=3)
    oc.chl_ocx(rrs, "seawifs")  # pool in use before the workers are forked
    ds = xr.Dataset({f"Rrs_{nm}": (("y", "x"), v) for nm, v in rrs.items()}).chunk({"y": 60})
    with dask.config.set({"distributed.worker.multiprocessing-method": "fork"}):
        with distributed.LocalCluster(
            n_workers=2, threads_per_worker=2, processes=True, dashboard_address=None
        ) as cluster, distributed.Client(cluster) as c:
            c.register_plugin(NumThreadsPlugin())
            got = c.compute(ds.oc.kd490(sensor="seawifs")).result(timeout=TIMEOUT)
            assert set(c.run(oc.get_num_threads).values()) == {2}
    np.testing.assert_array_equal(got.values, oc.kd490(rrs, "seawifs"))
