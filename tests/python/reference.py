"""Independent float64 numpy evaluations of the published formulas, written
from the papers/ATBDs (not from the library) so the tests can fail."""

import numpy as np

# O'Reilly & Werdell 2019 / NASA v6 / v4 OCx polynomials (algorithms.md s4.1).
OCX = {
    ("seawifs", "oc4"): ([443, 490, 510], 555, [0.32814, -3.20725, 3.22969, -1.36769, -0.81739]),
    ("seawifs", "oc4v6"): ([443, 490, 510], 555, [0.3272, -2.9940, 2.7218, -1.2259, -0.5683]),
    ("seawifs", "oc4v4"): ([443, 490, 510], 555, [0.366, -3.067, 1.930, 0.649, -1.532]),
    ("modis-aqua", "oc3"): ([443, 488], 547, [0.26294, -2.64669, 1.28364, 1.08209, -1.76828]),
    ("modis-aqua", "oc3m-547"): ([443, 488], 547, [0.2424, -2.7423, 1.8017, 0.0015, -1.2280]),
    ("olci-a", "oc4"): ([443, 490, 510], 560, [0.42540, -3.21679, 2.86907, -0.62628, -1.09333]),
    ("meris", "oc4e"): ([443, 490, 510], 560, [0.3255, -2.7677, 2.4409, -1.1288, -0.4990]),
    ("viirs-snpp", "oc3"): ([443, 486], 551, [0.23548, -2.63001, 1.65498, 0.16117, -1.37247]),
    ("viirs-snpp", "oc3v"): ([443, 486], 551, [0.2228, -2.4683, 1.5867, -0.4275, -0.7768]),
}


def ocx(rrs, blues, green, a):
    b = np.array([np.asarray(rrs[nm], float) for nm in blues])
    g = np.asarray(rrs[green], float)
    with np.errstate(all="ignore"):
        r = b.max(axis=0) / g
        x = np.log10(r)
        chl = 10 ** (a[0] + a[1] * x + a[2] * x**2 + a[3] * x**3 + a[4] * x**4)
    ok = (g > 0) & (b[-1] > 0) & (b.min(axis=0) > -0.001) & (r > 0.21) & (r < 30) & np.all(np.isfinite(b), 0)
    return np.where(ok, np.clip(chl, 0.001, 1000), np.nan)


def conv_555(g, from_nm):
    """ocssw convert_band.c conv_rrs_to_555."""
    table = {547: (0.001723, 0.986, 0.081495, 1.031, 0.000216), 550: (0.001597, 0.988, 0.062195, 1.014, 0.000128),
             560: (0.001148, 1.023, -0.103624, 0.979, -0.000121), 565: (0.000891, 1.039, -0.183044, 0.971, -0.000170)}
    if abs(from_nm - 555) <= 2:
        return g
    sw, a1, b1, a2, b2 = table[from_nm]
    with np.errstate(all="ignore"):
        return np.where(g < sw, 10 ** (a1 * np.log10(g) - b1), a2 * g - b2)


def ci(b443, g, red, green_nm, a=(-0.4287, 230.47)):
    b443, g, red = (np.asarray(v, float) for v in (b443, g, red))
    g555 = conv_555(g, green_nm)
    index = np.minimum(g555 - (b443 + (555 - 443) / (670 - 443) * (red - b443)), 0)
    ok = (b443 > 0) & (g > 0) & np.isfinite(red)
    return np.where(ok, np.clip(10 ** (a[0] + a[1] * index), 0.001, 1000), np.nan)


def ci_for_blend(b443, g, red, green_nm, a=(-0.4287, 230.47)):
    """The CI l2gen's chl_oci blends (get_chl.c chl_hu): missing (non-finite)
    input -> no value; blue or green <= 0 -> index 0 (chl = 10^a0)."""
    b443, g, red = (np.asarray(v, float) for v in (b443, g, red))
    present = np.isfinite(b443) & np.isfinite(g) & np.isfinite(red)
    formed = (b443 > 0) & (g > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        index = np.minimum(conv_555(np.where(formed, g, 1.0), green_nm) - (b443 + (555 - 443) / (670 - 443) * (red - b443)), 0)
    index = np.where(formed, index, 0.0)
    return np.where(present, np.clip(10 ** (a[0] + a[1] * index), 0.001, 1000), np.nan)


def oci(chl_ci, chl_ocx, t1, t2):
    blend = chl_ci * (t2 - chl_ci) / (t2 - t1) + chl_ocx * (chl_ci - t1) / (t2 - t1)
    return np.where(chl_ci <= t1, chl_ci, np.where(chl_ci >= t2, chl_ocx, blend))


def kd2(b, g, a):
    x = np.log10(np.asarray(b, float) / np.asarray(g, float))
    return np.clip(0.0166 + 10 ** (a[0] + a[1] * x + a[2] * x**2 + a[3] * x**3 + a[4] * x**4), 0.016, 6.4)


def nechad(rrs, a, c):
    rho = np.pi * np.asarray(rrs, float)
    return a * rho / (1 - rho / c)
