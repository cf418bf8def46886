"""The dask path (ds.oc on a chunked Dataset) against the direct array API,
over 100 million pixels on 2 cores, one run each; prints the throughput ratio
(target: dask >= 80% of the direct call).

Direct: oc.chl_ocx({nm: array}, "seawifs") on whole in-memory arrays, the Rust
pool using both cores. Dask: the same arrays wrapped in a chunked Dataset
(dask.array.from_array, no copy), ds.oc.chl_ocx() computed with dask's
threaded scheduler with 2 task threads sharing the Rust pool of 2 threads,
results stored into one float32 array.

    python benches/bench_dask.py [--pixels 100_000_000] [--chunk 4_000_000]
"""

import argparse
import time

import dask
import dask.array as da
import numpy as np
import xarray as xr

import oceancolour as oc

BANDS = (443, 490, 510, 555)  # what SeaWiFS OC4 reads


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--pixels", type=int, default=100_000_000)
    p.add_argument("--chunk", type=int, default=4_000_000, help="pixels per dask chunk")
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    oc.set_num_threads(a.threads)
    rng = np.random.default_rng(0)
    base = rng.uniform(0.001, 0.01, 1_000_000).astype(np.float32)
    # Distinct bands, built by tiling so that setup stays fast at 100 M pixels.
    rrs = {nm: np.resize(base * (1.0 - 0.15 * i), a.pixels) for i, nm in enumerate(BANDS)}
    mb = a.pixels * 4 * (len(BANDS) + 1) / 1e6
    print(f"{a.pixels / 1e6:.0f} M pixels, {len(BANDS)} bands, {mb:.0f} MB in+out, {a.threads} threads")

    t = time.perf_counter()
    direct = oc.chl_ocx(rrs, "seawifs")
    t_direct = time.perf_counter() - t

    ds = xr.Dataset({f"Rrs_{nm}": ("pixel", da.from_array(v, chunks=a.chunk)) for nm, v in rrs.items()})
    out = np.empty(a.pixels, np.float32)
    t = time.perf_counter()
    lazy = ds.oc.chl_ocx(sensor="seawifs")
    with dask.config.set(scheduler="threads", num_workers=a.threads):
        da.store(lazy.data, out, lock=False)
    t_dask = time.perf_counter() - t

    assert np.array_equal(out, direct, equal_nan=True), "dask result differs from the direct call"
    print(f"direct array API: {t_direct:6.2f} s  {a.pixels / t_direct / 1e6:7.1f} Mpixel/s")
    print(f"ds.oc + dask:     {t_dask:6.2f} s  {a.pixels / t_dask / 1e6:7.1f} Mpixel/s  ({lazy.data.npartitions} chunks)")
    print(f"dask / direct throughput: {t_direct / t_dask:.0%} (target >= 80%)")


if __name__ == "__main__":
    main()
