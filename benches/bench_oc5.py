"""oc.chl_oc5 against the operational Python path, in one run.

The operational path (RBINS EUNOSAT/DCS4COP scripts, algorithms.md s1.3):
nLw and the ratio in numpy, fractional indices, then scipy's
RegularGridInterpolator (linear) on the same 200^3 table, NaN outside. Both
read the same open OLCI-A table. Field: 10 million pixels, scene-like (smooth
structure plus pixel noise). One timed run of each (the first, cold, as a
user runs it); prints the ratio (target >= 50x on 2 cores).
Run: .venv/bin/python benches/bench_oc5.py
"""

import time

import numpy as np
from scipy.interpolate import RegularGridInterpolator

import oceancolour as oc

N = 10_000_000
F0 = {412: 171.4, 560: 180.0}


def scene(n, seed=0):
    """Smooth clear-to-coastal structure plus 3% pixel noise, OLCI bands."""
    rng = np.random.default_rng(seed)
    side = int(np.sqrt(n))
    y, x = np.mgrid[0:side, 0:n // side] / side
    chl_like = 10 ** (-1.3 + 2.3 * (0.5 + 0.5 * np.sin(3 * x) * np.cos(2 * y)))
    turbid = 0.0015 * np.exp(-((x - 0.3) ** 2 + (y - 0.6) ** 2) / 0.05)
    base = 0.006 / (1 + chl_like)
    rrs = {
        412: base * 1.3 + 0.3 * turbid,
        443: base * 1.1 + 0.5 * turbid,
        490: 0.0045 + 0.0 * base + 0.8 * turbid,
        510: 0.0025 + 0.0012 * np.log10(chl_like + 1) + 0.9 * turbid,
        560: 0.0012 + 0.0012 * np.log10(chl_like + 1) + turbid,
    }
    return {k: (v.ravel() * rng.lognormal(0, 0.03, v.size)).astype(np.float32) for k, v in rrs.items()}


def operational(rrs, values, axes):
    nlw_g = rrs[560] * F0[560]
    nlw_b = rrs[412] * F0[412]
    ratio = np.maximum(np.maximum(rrs[443], rrs[490]), rrs[510]) / rrs[560]
    idx = [(v - a["min"]) / a["step"] for v, a in zip((nlw_g, nlw_b, ratio), axes)]
    grid = [np.arange(a["n"], dtype=float) for a in axes]
    f = RegularGridInterpolator(grid, values, bounds_error=False, fill_value=np.nan)
    return f(np.column_stack(idx))


def main():
    table = oc.Oc5Table.open_table("olci-a")  # built once and cached; not timed
    rrs = scene(N)
    n = rrs[560].size
    values, axes = table.values, table.axes
    t0 = time.perf_counter()
    ours = oc.chl_oc5(rrs, "olci-a", table=table)
    t_ours = time.perf_counter() - t0
    t0 = time.perf_counter()
    ref = operational(rrs, values, axes)
    t_ref = time.perf_counter() - t0
    ok = np.isfinite(ours) & np.isfinite(ref)
    agree = np.nanmax(np.abs(ours[ok] / ref[ok] - 1))
    print(f"{n / 1e6:.1f} Mpixel scene-like field, OLCI-A open table {table.shape}, "
          f"{oc.get_num_threads()} threads (numpy {np.__version__})")
    print(f"  valid pixels: {ok.mean() * 100:.1f}%; same NaN pattern: {np.array_equal(np.isnan(ours), np.isnan(ref))};"
          f" max relative difference {agree:.2e}")
    print(f"  oc.chl_oc5                      {t_ours * 1e3:9.1f} ms")
    print(f"  numpy + RegularGridInterpolator {t_ref * 1e3:9.1f} ms")
    print(f"speed-up: {t_ref / t_ours:.1f}x (target >= 50x on 2 cores)")


if __name__ == "__main__":
    main()
