"""Benchmark of the operational chain (issue 4), run once (not a timed test).

1. Speed on an OLCI full-resolution frame (4090 x 4865 = 19.9 Mpixel, the
   frame size of formats.md s4.2), simulated in the exact WFR layout:
   `oceancolour process --products chl_ocx,spm_nechad,kd490` versus only
   reading the same inputs (the five Rrs bands these products use, WQSF,
   latitude/longitude, by the same 256-row blocks) and writing the same
   outputs with the same netCDF settings (float32, zlib 4 + shuffle, chunks
   256 x 1024, lat/lon in each file) with netCDF4-python, the tool a user
   would otherwise use. Prints the ratio (target <= 1.5), Mpixel/s and peak
   resident memory.
2. Bounded memory: peak resident memory of `process` on simulated OBPG L2
   granules of 5 and 40 Mpixel of the same swath width, 5000 pixels (a
   sensor's swath width is fixed; granules grow along track, and blocks are
   whole rows), target: within 25 %.
3. Several granules in one command: four 5-Mpixel OBPG L2 granules with
   `--jobs 1` (one after another) and `--jobs 2` (two in flight, sharing the
   kernel threads); prints the speed-up and the peak memory of each.

Usage: python benches/bench_process.py [workdir]   (default: a temporary folder)
"""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PRODUCTS = "chl_ocx,spm_nechad,kd490"
BLOCK = 256


def run(args, quiet=True):
    """Runs a command; returns (seconds, peak RSS in MiB) of that process alone."""
    start = time.perf_counter()
    p = subprocess.Popen(args, stdout=subprocess.DEVNULL if quiet else None, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(p.pid, 0)
    seconds = time.perf_counter() - start
    err = p.stderr.read().decode()
    if status != 0:
        sys.exit(f"failed ({status}): {' '.join(map(str, args))}\n{err}")
    return seconds, usage.ru_maxrss / 1024


def oceancolour(*args):
    return [sys.executable, "-m", "oceancolour", *map(str, args)]


BASELINE = r'''
import sys, time, numpy as np, netCDF4
sen3, products_dir, out_dir, names = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4].split(",")
stem = sen3.rstrip("/").split("/")[-1][:-5]
# The product values are loaded before the clock starts: only I/O is timed.
values = {}
for n in names:
    with netCDF4.Dataset(f"{products_dir}/{stem}.{n}.nc") as d:
        d.set_auto_maskandscale(False)
        values[n] = d[n][:]
start = time.perf_counter()
ins = [netCDF4.Dataset(f"{sen3}/Oa{oa:02d}_reflectance.nc") for oa in (3, 4, 5, 6, 8)]
wq = netCDF4.Dataset(f"{sen3}/wqsf.nc"); wq.set_auto_maskandscale(False)
geo = netCDF4.Dataset(f"{sen3}/geo_coordinates.nc")
rows, cols = wq["WQSF"].shape
outs = {}
for n in names:
    d = netCDF4.Dataset(f"{out_dir}/{n}.nc", "w")
    d.createDimension("y", rows); d.createDimension("x", cols)
    for v in ("lat", "lon", n):
        d.createVariable(v, "f4", ("y", "x"), zlib=True, complevel=4, shuffle=True,
                         chunksizes=(min(256, rows), min(1024, cols)), fill_value=-999.0 if v == n else None)
    outs[n] = d
for r0 in range(0, rows, 256):
    sl = slice(r0, min(rows, r0 + 256))
    bands = [f[f"Oa{oa:02d}_reflectance"][sl, :] for f, oa in zip(ins, (3, 4, 5, 6, 8))]
    flags = wq["WQSF"][sl, :]
    lat, lon = geo["latitude"][sl, :], geo["longitude"][sl, :]
    for n, d in outs.items():
        d["lat"][sl, :] = lat; d["lon"][sl, :] = lon; d[n][sl, :] = values[n][sl, :]
for d in [*ins, wq, geo, *outs.values()]:
    d.close()
print(time.perf_counter() - start)
'''


def main():
    work = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="bench_process_"))
    work.mkdir(parents=True, exist_ok=True)
    rows, cols = 4090, 4865
    mpix = rows * cols / 1e6
    sen3 = work / "S3A_OL_2_WFR____BENCH.SEN3"
    if not sen3.exists():
        print(f"simulating an OLCI WFR frame {rows} x {cols} ({mpix:.1f} Mpixel) ...", flush=True)
        run(oceancolour("simulate", "olci-wfr", "-o", sen3, "--size", f"{rows}x{cols}"))
    out = work / "products"
    t_process, rss_process = run(oceancolour("process", sen3, "-o", out, "--products", PRODUCTS,
                                             "--no-quicklook", "--overwrite", "--quiet"))
    base_out = work / "baseline"
    base_out.mkdir(exist_ok=True)
    res = subprocess.run([sys.executable, "-c", BASELINE, str(sen3), str(out), str(base_out), PRODUCTS],
                         capture_output=True, text=True, check=True)
    t_io = float(res.stdout.strip())
    print(f"OLCI frame {rows} x {cols} ({mpix:.1f} Mpixel), products {PRODUCTS}, "
          f"{os.cpu_count()} cores, oceancolour threads = all")
    print(f"  oceancolour process:          {t_process:7.2f} s  ({mpix / t_process:.1f} Mpixel/s, "
          f"peak RSS {rss_process:.0f} MiB; includes process start-up)")
    print(f"  read inputs + write outputs:  {t_io:7.2f} s  (netCDF4-python, same blocks and netCDF settings)")
    print(f"  ratio process / I/O only:     {t_process / t_io:7.2f}  (target <= 1.5)")

    rss = {}
    for mp, (r, c) in [(5, (1000, 5000)), (40, (8000, 5000))]:
        l2 = work / f"SIM_{mp}MP.L2.OC.nc"
        if not l2.exists():
            print(f"simulating an OBPG L2 granule {r} x {c} ({mp} Mpixel) ...", flush=True)
            run(oceancolour("simulate", "obpg-l2", "-o", l2, "--size", f"{r}x{c}"))
        t, rss[mp] = run(oceancolour("process", l2, "-o", work / "products_l2", "--products", PRODUCTS,
                                     "--overwrite", "--quiet"))
        print(f"  OBPG L2 {mp:2d} Mpixel: {t:6.2f} s, peak RSS {rss[mp]:.0f} MiB (with quick-looks)")
    print(f"  peak RSS 40 Mpixel / 5 Mpixel: {rss[40] / rss[5]:.2f}  (target <= 1.25)")

    many = []
    for k in range(4):
        link = work / f"SIM_5MP_{k}.L2.OC.nc"
        if not link.exists():
            os.symlink(work / "SIM_5MP.L2.OC.nc", link)
        many.append(link)
    t_jobs = {}
    for jobs in (1, 2):
        t_jobs[jobs], r = run(oceancolour("process", *many, "-o", work / f"products_jobs{jobs}", "--products", PRODUCTS,
                                          "--no-quicklook", "--overwrite", "--quiet", "--jobs", jobs))
        print(f"  4 x 5 Mpixel OBPG L2, --jobs {jobs}: {t_jobs[jobs]:6.2f} s ({20 / t_jobs[jobs]:.1f} Mpixel/s), "
              f"peak RSS {r:.0f} MiB")
    print(f"  speed-up of --jobs 2 over --jobs 1: {t_jobs[1] / t_jobs[2]:.2f}x")


if __name__ == "__main__":
    main()
