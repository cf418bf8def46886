"""oc.chl_ocx against the plain numpy a user would otherwise write, in one run.

10 million float32 pixels, OLCI OC4 (O'Reilly & Werdell 2019). Compares with
(1) a plain numpy float32 implementation of the same formula (max band ratio,
log10, Horner polynomial, 10**) and (2) a plain numpy copy of the same four
input arrays (the pixel rate of just touching the data). Prints pixel rates and
the ratios. Run: .venv/bin/python benches/bench_chl_ocx.py
"""

import time

import numpy as np

import oceancolour as oc

N = 10_000_000
A = [0.42540, -3.21679, 2.86907, -0.62628, -1.09333]  # OC4 OLCI, O'Reilly & Werdell 2019


def numpy_oc4(b443, b490, b510, g560):
    x = np.log10(np.maximum(np.maximum(b443, b490), b510) / g560)
    p = np.float32(A[4]) * x + np.float32(A[3])
    p = p * x + np.float32(A[2])
    p = p * x + np.float32(A[1])
    p = p * x + np.float32(A[0])
    return np.power(np.float32(10), p)


def best_of(f, repeat=5):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return min(times)


def main():
    rng = np.random.default_rng(0)
    # Scene-like values: a smooth gradient plus pixel noise.
    level = np.linspace(0.001, 0.01, N, dtype=np.float32)
    bands = {nm: (level * (nm / 555.0) ** np.linspace(2.0, -1.5, N) * rng.lognormal(0, 0.05, N)).astype(np.float32)
             for nm in (443, 490, 510, 560)}
    args = [bands[nm] for nm in (443, 490, 510, 560)]

    ours = oc.chl_ocx(bands, "olci-a", "oc4")
    ref = numpy_oc4(*args)
    ok = np.isfinite(ours)
    assert np.allclose(ours[ok], ref[ok], rtol=1e-4), "implementations disagree"

    t_oc = best_of(lambda: oc.chl_ocx(bands, "olci-a", "oc4"))
    t_np = best_of(lambda: numpy_oc4(*args))
    t_copy = best_of(lambda: [a.copy() for a in args])
    mpx = lambda t: N / t / 1e6  # noqa: E731
    print(f"{N / 1e6:.0f} Mpixel, float32, {oc.get_num_threads()} threads (numpy {np.__version__})")
    print(f"  oc.chl_ocx            {t_oc * 1e3:8.1f} ms  {mpx(t_oc):8.1f} Mpixel/s")
    print(f"  numpy OC4 (Horner)    {t_np * 1e3:8.1f} ms  {mpx(t_np):8.1f} Mpixel/s")
    print(f"  numpy copy of inputs  {t_copy * 1e3:8.1f} ms  {mpx(t_copy):8.1f} Mpixel/s")
    print(f"speed-up over numpy formula: {t_np / t_oc:.2f}x (target >= 4x)")
    print(f"pixel rate relative to numpy copy: {t_copy / t_oc:.2f}x (target >= 1x)")


if __name__ == "__main__":
    main()
