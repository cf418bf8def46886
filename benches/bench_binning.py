"""L2 -> L3 binning throughput (million observations per second): oceancolour's
bin_l2 (NASA l2bin arithmetic: per-scene sums weighted by sqrt(n), geometric
mean) vs the same computation written with numpy (sort + reduceat), in one run.

Case: 10 scenes x 2,000,000 pixels (20 million observations) over the
European shelf, binned on the 4 km ISIN grid (4320 rows).

Then the same scenes as 10 Level-2 product files (the swath layout
`oceancolour process` writes, uncompressed) through the command line,
`oceancolour bin ... --grid isin:4320` (read, bin each file, composite, write
the L3b file), against the API time: the cost of the files.

Run: .venv/bin/python benches/bench_binning.py
"""

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import netCDF4
import numpy as np

import oceancolour as oc
from oceancolour import fusion as fu

NROWS, NSCENE, PER_SCENE = 4320, 10, 2_000_000


def numpy_l2bin(lon, lat, val, scene):
    """l2bin sums with numpy: ISIN cell, sort by (bin, scene), per-scene sums,
    weights sqrt(n), then per-bin sums."""
    g = fu.isin_grid(NROWS)
    numbin, basebin = g["max"].astype(np.int64), g["start_num"].astype(np.int64)
    row = np.clip(np.floor((lat + 90) * NROWS / 180).astype(np.int64), 0, NROWS - 1)
    col = np.minimum(np.floor((lon + 180) * numbin[row] / 360).astype(np.int64), numbin[row] - 1)
    ok = val > 0
    b, s, x = (basebin[row] + col)[ok], scene[ok], np.log(val[ok])
    order = np.lexsort((s, b))
    b, s, x = b[order], s[order], x[order]
    start = np.flatnonzero(np.r_[True, (b[1:] != b[:-1]) | (s[1:] != s[:-1])])
    n = np.diff(np.r_[start, len(b)])
    w = np.sqrt(n)
    ssum, ssq = np.add.reduceat(x, start) / w, np.add.reduceat(x * x, start) / w
    sb = b[start]
    bstart = np.flatnonzero(np.r_[True, sb[1:] != sb[:-1]])
    return sb[bstart], np.add.reduceat(ssum, bstart), np.add.reduceat(ssq, bstart), np.add.reduceat(w, bstart)


def main():
    rng = np.random.default_rng(0)
    n = NSCENE * PER_SCENE
    lon = rng.uniform(-15, 10, n).astype(np.float32)
    lat = rng.uniform(40, 62, n).astype(np.float32)
    val = rng.lognormal(0, 1, n).astype(np.float32)
    scene = np.repeat(np.arange(NSCENE, dtype=np.uint32), PER_SCENE)
    print(f"{n / 1e6:.0f} million observations, {NSCENE} scenes, ISIN {NROWS} rows, threads={oc.get_num_threads()}")

    t0 = time.perf_counter()
    out = fu.bin_l2(lon, lat, val, scene, NROWS, averaging="geometric")
    t_oc = time.perf_counter() - t0
    t0 = time.perf_counter()
    bins, s, s2, w = numpy_l2bin(lon.astype(np.float64), lat.astype(np.float64), val.astype(np.float64), scene)
    t_np = time.perf_counter() - t0
    assert np.array_equal(out["bin"], bins) and np.allclose(out["sum"], s) and np.allclose(out["weights"], w)
    print(f"oceancolour bin_l2: {t_oc:.2f} s, {n / t_oc / 1e6:.1f} million obs/s ({len(bins)} bins filled)")
    print(f"numpy sort+reduceat: {t_np:.2f} s, {n / t_np / 1e6:.1f} million obs/s (same sums)")
    print(f"speed-up: {t_np / t_oc:.1f}x")

    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for k in range(NSCENE):
            path = Path(tmp) / f"scene{k}.chl_oc5.nc"
            sl = slice(k * PER_SCENE, (k + 1) * PER_SCENE)
            with netCDF4.Dataset(path, "w") as ds:
                ds.createDimension("y", 1000)
                ds.createDimension("x", PER_SCENE // 1000)
                for name, x in (("lat", lat[sl]), ("lon", lon[sl]), ("chl_oc5", val[sl])):
                    ds.createVariable(name, "f4", ("y", "x"), fill_value=np.float32(-999.0))[:] = x.reshape(1000, -1)
                ds.instrument, ds.platform, ds.time_coverage_start = "MODIS", "Aqua", "2024-06-01T12:00:00Z"
            files.append(path)
        t0 = time.perf_counter()
        r = subprocess.run([sys.executable, "-m", "oceancolour", "bin", *files, "-o", Path(tmp) / "l3b.nc", "--grid", f"isin:{NROWS}", "-q"],
                           capture_output=True, text=True)
        t_cli = time.perf_counter() - t0
        assert r.returncode == 0, r.stderr
        with netCDF4.Dataset(Path(tmp) / "l3b.nc") as ds:
            assert np.array_equal(ds["level-3_binned_data/BinList"][:]["bin_num"], bins)
    print(f"oceancolour bin (command line, 10 L2 files -> L3b file): {t_cli:.2f} s, {n / t_cli / 1e6:.1f} million obs/s, "
          f"{t_cli / t_oc:.1f}x the API time (reading and writing netCDF, one scene at a time)")


if __name__ == "__main__":
    main()
