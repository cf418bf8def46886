"""Cost of the per-pixel uncertainty (issue 13): oc.chl_oc5 alone against
oc.chl_oc5(..., return_uncertainty=True) (class term: Moore 2009 water-type
memberships, band-shifted where the sensor lacks a Moore band; no Rrs
propagation), on 4 million pixels of a scene-like field, for SeaWiFS (the Moore
bands are native) and OLCI-A (555 and 670 nm band-shifted, Melin & Sclep 2015).
Also with a 5% Rrs uncertainty propagated (exact OC5 table Jacobian).
Median of 3 timed runs after one warm-up; prints the ratios (target <= 1.5x).
Run: .venv/bin/python benches/bench_uncertainty.py
"""

import time

import numpy as np

import oceancolour as oc

N = 4_000_000


def scene(n, bands, seed=0):
    """Smooth clear-to-coastal structure plus 3% pixel noise at the given band names
    (412, 443, 490, 510, green, red)."""
    rng = np.random.default_rng(seed)
    side = int(np.sqrt(n))
    y, x = np.mgrid[0:side, 0:n // side] / side
    chl_like = 10 ** (-1.3 + 2.3 * (0.5 + 0.5 * np.sin(3 * x) * np.cos(2 * y)))
    turbid = 0.0015 * np.exp(-((x - 0.3) ** 2 + (y - 0.6) ** 2) / 0.05)
    base = 0.006 / (1 + chl_like)
    g, r = bands[4], bands[5]
    rrs = {
        412: base * 1.3 + 0.3 * turbid,
        443: base * 1.1 + 0.5 * turbid,
        490: 0.0045 + 0.8 * turbid,
        510: 0.0025 + 0.0012 * np.log10(chl_like + 1) + 0.9 * turbid,
        g: 0.0012 + 0.0012 * np.log10(chl_like + 1) + turbid,
        r: 0.0001 + 0.0002 * np.log10(chl_like + 1) + 0.4 * turbid,
    }
    return {k: (v.ravel() * rng.lognormal(0, 0.03, v.size)).astype(np.float32) for k, v in rrs.items()}


def timed(f, repeat=3):
    f()  # warm-up (tables cached, pages faulted)
    ts = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        f()
        ts.append(time.perf_counter() - t0)
    return float(np.median(ts))


def main():
    print(f"{N / 1e6:.0f} Mpixel scene-like field, {oc.get_num_threads()} threads, median of 3 runs")
    for sensor, bands in (("seawifs", (412, 443, 490, 510, 555, 670)), ("olci-a", (412, 443, 490, 510, 560, 665))):
        rrs = scene(N, bands)
        t0 = timed(lambda: oc.chl_oc5(rrs, sensor))
        t1 = timed(lambda: oc.chl_oc5(rrs, sensor, return_uncertainty=True))
        t2 = timed(lambda: oc.chl_oc5(rrs, sensor, return_uncertainty=True, rrs_uncertainty=0.05))
        print(f"  {sensor:8s} chl_oc5 {t0 * 1e3:8.1f} ms | + uncertainty {t1 * 1e3:8.1f} ms ({t1 / t0:.2f}x)"
              f" | + 5% Rrs propagated {t2 * 1e3:8.1f} ms ({t2 / t0:.2f}x)")
    print("target: <= 1.5x the product alone")


if __name__ == "__main__":
    main()
