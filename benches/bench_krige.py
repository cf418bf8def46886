"""L4 kriging benchmark: oceancolour vs PyKrige, same variogram, same
neighbourhood (32 nearest observations), in one run.

Case: a 1000 x 1000 grid, 20% of cells observed (random), ordinary kriging of
every cell from its 32 nearest observations, exponential variogram.

PyKrige's OrdinaryKriging builds the full n_obs x n_obs kriging matrix at
construction, even for a moving window (ok.py `_get_kriging_matrix`): with the
200,000 observations of this case that is 320 GB, so PyKrige cannot run it as
is. Its per-target cost in the moving-window loop does not depend on n_obs
(one 33 x 33 solve per target), so it is timed on a 100 x 100 tile with the
same density and neighbourhood, on a random subset of target cells, and
extrapolated per target cell to the 1,000,000 cells. The extrapolation leaves
out PyKrige's set-up, which favours PyKrige.

Run: .venv/bin/python benches/bench_krige.py
"""

import time

import numpy as np

import oceancolour as oc
from oceancolour import fusion as fu

N, DENSITY, K = 1000, 0.2, 32
VARIO = {"model": "exponential", "psill": 0.09, "range": 30.0, "nugget": 0.005}


def field(rng, n):
    jj, ii = np.mgrid[0:n, 0:n]
    return 0.3 * np.sin(ii / 37.0) * np.cos(jj / 23.0) + 0.1 * np.sin((ii + jj) / 11.0) + rng.normal(0, 0.05, (n, n))


def main():
    rng = np.random.default_rng(0)
    truth = field(rng, N)
    seen = rng.random((N, N)) < DENSITY
    values = np.where(seen, 10.0**truth, np.nan)
    fg = np.zeros((N, N))
    print(f"grid {N}x{N}, {seen.sum()} observed cells ({DENSITY:.0%}), k={K}, threads={oc.get_num_threads()}")

    t0 = time.perf_counter()
    out = fu.l4(values, fg, VARIO, k=K)
    t_oc = time.perf_counter() - t0
    per_oc = t_oc / (N * N)
    print(f"oceancolour l4: {t_oc:.2f} s for {N * N} cells ({per_oc * 1e6:.2f} us/cell)")
    assert np.isfinite(out["log10"]).all()

    import pykrige

    tile, ntarget = 100, 1000
    sub = seen[:tile, :tile]
    jj, ii = np.nonzero(sub)
    x, y, z = ii.astype(float), jj.astype(float), truth[:tile, :tile][sub]
    ok = pykrige.ok.OrdinaryKriging(x, y, z, variogram_model="exponential", variogram_parameters=dict(VARIO))
    pick = rng.choice(tile * tile, ntarget, replace=False)
    tx, ty = (pick % tile).astype(float), (pick // tile).astype(float)
    t0 = time.perf_counter()
    zp, _ = ok.execute("points", tx, ty, backend="loop", n_closest_points=K)
    per_pk = (time.perf_counter() - t0) / ntarget
    # Same estimates on the tile's targets, where the neighbourhood is unique
    # (on a grid the 32nd and 33rd nearest cells are often equally far, and
    # the two k-d searches may then pick different ones).
    from scipy.spatial import cKDTree

    d, _ = cKDTree(np.column_stack([x, y])).query(np.column_stack([tx, ty]), k=K + 1)
    unique = d[:, K] - d[:, K - 1] > 1e-9
    ours, _ = fu.krige(x, y, z, tx, ty, VARIO, k=K)
    zp = np.asarray(zp)
    agree = np.max(np.abs(ours - zp)[unique] / np.maximum(np.abs(zp[unique]), 1e-12))
    print(
        f"PyKrige {pykrige.__version__} OrdinaryKriging backend='loop', n_closest_points={K}: "
        f"{per_pk * 1e6:.0f} us/cell, timed on {ntarget} random cells of a {tile}x{tile} tile "
        f"({len(z)} observations), extrapolated to {N * N} cells: {per_pk * N * N:.0f} s "
        f"(max relative difference of the estimates on the {unique.sum()} targets with a unique neighbourhood: {agree:.1e})"
    )
    print(f"speed-up (PyKrige loop / oceancolour, per target cell): {per_pk / per_oc:.0f}x")
    try:
        t0 = time.perf_counter()
        ok.execute("points", tx, ty, backend="C", n_closest_points=K)
        per_c = (time.perf_counter() - t0) / ntarget
        print(f"(PyKrige backend='C' for reference: {per_c * 1e6:.0f} us/cell, ratio {per_c / per_oc:.0f}x)")
    except Exception as e:  # the C extension is optional in PyKrige
        print(f"(PyKrige backend='C' not available: {e})")


if __name__ == "__main__":
    main()
