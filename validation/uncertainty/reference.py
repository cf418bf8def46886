"""Reference implementation (numpy only) of issue 13: OC5 applicability classes,
optical water type memberships and per-pixel uncertainty in log10 units (dex).

This is what the Rust port is tested against. Every function is pure (no I/O
except `load_class_stats`, no oceancolour import) and vectorised over any array
shape. Formulas, constants and their sources are in docs/uncertainty.md; each
constant also names its source where it is defined.

Contents
- `oc5_class`: EUNOSAT/RBINS OC5 applicability class (versions A and B).
- `owt_memberships`, `owt_weights`, `owt_dominant`: Moore et al. 2009 optical
  water types (chi-square memberships).
- `uncertainty`: membership-weighted class bias and RMSD (the OC-CCI approach)
  combined in quadrature with a propagated Rrs term.
- Jacobians d log10(product) / d Rrs for the propagation: `jac_ocx`, `jac_ci`,
  `jac_blend`, `jac_oc5_table`, `jac_nechad`, `jac_kd2`, `jac_fd` (generic
  central difference, used for spm_gohin), and `rrs_term`.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np

try:  # package-relative when imported as validation.uncertainty.reference
    from .moore2009 import MOORE2009_COV, MOORE2009_INPUT, MOORE2009_MEANS
except ImportError:  # run from this folder
    from moore2009 import MOORE2009_COV, MOORE2009_INPUT, MOORE2009_MEANS

LN10 = math.log(10.0)

# ---------------------------------------------------------------------------
# 1. OC5 applicability class (EUNOSAT; RBINS operational scripts)
# ---------------------------------------------------------------------------
# Definitions (both versions): rho = pi Rrs (water-leaving reflectance),
# R12 = rho412/rho443, R53 = rho560/rho490, L = log10(rho560), at OLCI/MERIS bands.
#
# Version B (C2RCC tuning): RBINS-1 (D. Van der Zande, EUNOSAT/DCS4COP OLCI
# C2RCCalt script), function `apply_OC5_v2`, read in the public code: the
# curves already include their k.sigma offsets.
# Version A (Polymer tuning): RBINS-2/RBINS-3 as transcribed in
# shared/science/algorithms.md s1.8 ("exact as coded"; code not re-read here):
# curve + k.sigma with sigma = 0.239 (SPM) and 0.247 (CDOM).
OC5_TESTS = {
    "A": {
        "spm": (-2.624, 0.787, -0.125),  # L > c0 + c1 R53 + c2 R53^2 + offset
        "spm_moderate": 1.3 * 0.239,
        "spm_very_high": 2.5 * 0.239,
        "cdom": (1.014, -0.079, -0.123),  # R12 < c0 + c1 R53 + c2 R53^2 - offset
        "cdom_moderate": 2.1 * 0.247,
        "cdom_very_high": 3.2 * 0.247,
        # algorithms.md lists no "low CDOM" test for OC5 version A (only for OC4Me).
        "low_cdom": None,
    },
    "B": {
        "spm": (-2.630, 0.803, -0.131),
        "spm_moderate": 0.33,
        "spm_very_high": 0.60,
        "cdom": (1.012, -0.070, -0.131),
        "cdom_moderate": 0.54,
        "cdom_very_high": 0.80,
        "low_cdom": 1.25,  # R12 > 1.25 -> class 7 (apply_OC5_v2)
    },
}
#: "High chl" threshold on OC5 chl (mg m-3), both versions (algorithms.md s1.8; apply_OC5_v2).
OC5_HIGH_CHL = 10.0

#: CF encoding of `oc5_class` (uint8, _FillValue 0 = not classified). The numbers
#: are RBINS's class numbers (apply_OC5_v2).
OC5_CLASS_FLAG_VALUES = (1, 2, 3, 4, 5, 6, 7)
OC5_CLASS_FLAG_MEANINGS = (
    "oc5_applicable",
    "oc5_usable_larger_uncertainty",
    "very_high_spm",
    "very_high_cdom",
    "very_high_spm_and_very_high_cdom",
    "high_chl",
    "low_cdom",
)


def oc5_class(rrs412, rrs443, rrs490, rrs560, chl_oc5, version="B"):
    """OC5 applicability class per pixel (uint8; 0 where an input is missing).

    Inputs are Rrs (sr-1) at 412, 443, 490 and 560 nm (OLCI/MERIS bands; other
    sensors band-shift first) and the OC5 chl (mg m-3). Precedence reproduces
    RBINS `apply_OC5_v2` as executed, where later tests overwrite earlier ones:
    low CDOM (7, version B only) > both very high (5) > very high CDOM (4) >
    very high SPM (3) > moderate SPM or CDOM (2) > high chl (6) > applicable (1).
    (The script's guard meant to protect "high chl" tests class 5 instead of 6,
    so high chl never wins over an SPM/CDOM test; we keep that behaviour.)
    A NaN chl only disables the high-chl test.
    """
    t = OC5_TESTS[version]
    r412, r443, r490, r560 = (np.asarray(v, dtype=float) for v in (rrs412, rrs443, rrs490, rrs560))
    chl = np.asarray(chl_oc5, dtype=float)
    shape = np.broadcast_shapes(r412.shape, r443.shape, r490.shape, r560.shape, chl.shape)
    ok = np.isfinite(r412) & np.isfinite(r443) & np.isfinite(r490) & np.isfinite(r560)
    ok &= (r443 > 0) & (r490 > 0) & (r560 > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        r12 = r412 / r443  # pi cancels in the ratios
        r53 = r560 / r490
        lg = np.log10(np.pi * np.where(r560 > 0, r560, np.nan))
    s0, s1, s2 = t["spm"]
    c0, c1, c2 = t["cdom"]
    spm_curve = s0 + s1 * r53 + s2 * r53 * r53
    cdom_curve = c0 + c1 * r53 + c2 * r53 * r53
    mod_spm = lg > spm_curve + t["spm_moderate"]
    vh_spm = lg > spm_curve + t["spm_very_high"]
    mod_cdom = r12 < cdom_curve - t["cdom_moderate"]
    vh_cdom = r12 < cdom_curve - t["cdom_very_high"]
    out = np.ones(shape, dtype=np.uint8)
    out = np.where(np.isfinite(chl) & (chl >= OC5_HIGH_CHL), 6, out)
    out = np.where(mod_spm | mod_cdom, 2, out)
    out = np.where(vh_spm, 3, out)
    out = np.where(vh_cdom, 4, out)
    out = np.where(vh_spm & vh_cdom, 5, out)
    if t["low_cdom"] is not None:
        out = np.where(r12 > t["low_cdom"], 7, out)
    return np.where(np.broadcast_to(ok, shape), out, 0).astype(np.uint8)


# ---------------------------------------------------------------------------
# 2. Optical water types (Moore et al. 2009; memberships of Moore et al. 2001)
# ---------------------------------------------------------------------------
#: A pixel whose memberships sum to less than this is "unclassified" (the
#: threshold l2gen's owt.c `chl_error` uses for its weight sum, min_sum_wts).
OWT_MIN_SUM = 1e-6


def rrs_below(rrs):
    """Above-water Rrs -> below-water rrs = Rrs / (0.52 + 1.7 Rrs) (Lee et al. 2002)."""
    rrs = np.asarray(rrs, dtype=float)
    return rrs / (0.52 + 1.7 * rrs)


def chi2_sf(x, df):
    """Chi-square survival function 1 - F(x; df) for even df, in closed form:
    exp(-x/2) sum_{i<df/2} (x/2)^i / i!  (exact; no special functions needed)."""
    if df % 2:
        raise ValueError("closed form needs an even number of degrees of freedom")
    h = 0.5 * np.asarray(x, dtype=float)
    term = np.ones_like(h)
    total = np.ones_like(h)
    for i in range(1, df // 2):
        term = term * h / i
        total = total + term
    return np.exp(-h) * total


def owt_memberships(rrs, means=MOORE2009_MEANS, cov=MOORE2009_COV, convention=MOORE2009_INPUT):
    """Membership f_k = 1 - F_chi2(Z_k^2; n) of each class, Z_k^2 the squared
    Mahalanobis distance of the reflectance vector to class k (Moore et al. 2001
    eqs. 11-12; Moore et al. 2009). `rrs`: (..., n) above-water Rrs (sr-1) at the
    classification bands (Moore 2009: 412, 443, 490, 510, 555, 670; band-shift
    other sensors first). Returns (..., K); memberships need not sum to 1. NaN
    where a band is non-finite or negative (l2gen owt.c fails such pixels)."""
    x = np.asarray(rrs, dtype=float)
    if x.shape[-1] != means.shape[1]:
        raise ValueError(f"expected {means.shape[1]} bands in the last axis, got {x.shape[-1]}")
    bad = ~np.all(np.isfinite(x) & (x >= 0), axis=-1)
    x = np.where(bad[..., None], 0.0, x)
    if convention == "below":
        x = rrs_below(x)
    d = x[..., None, :] - means  # (..., K, n)
    inv = np.linalg.inv(cov)  # (K, n, n)
    z2 = np.einsum("...ki,kij,...kj->...k", d, inv, d)
    f = chi2_sf(z2, means.shape[1])
    return np.where(bad[..., None], np.nan, f)


def owt_weights(f):
    """Normalised weights w_k = f_k / sum f; NaN where unclassified (sum < OWT_MIN_SUM)."""
    f = np.asarray(f, dtype=float)
    s = np.sum(f, axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(s >= OWT_MIN_SUM, f / s, np.nan)


def owt_dominant(f):
    """Class of highest membership, 1-based (uint8); 0 where unclassified or invalid."""
    f = np.asarray(f, dtype=float)
    s = np.sum(f, axis=-1)
    k = np.argmax(np.where(np.isfinite(f), f, -1.0), axis=-1) + 1
    return np.where(np.isfinite(s) & (s >= OWT_MIN_SUM), k, 0).astype(np.uint8)


# ---------------------------------------------------------------------------
# 3. Class statistics and the per-pixel uncertainty
# ---------------------------------------------------------------------------
def load_class_stats(path):
    """Read class_stats.csv -> {product: {"scheme": str, "classes": {id: row}}}.
    Rows are dicts with floats for n, n_eff, bias, rmsd, sd and the string
    `stats_from` (the classes pooled to estimate this class)."""
    out: dict = {}
    with open(Path(path), newline="") as f:
        rows = [r for r in csv.DictReader(line for line in f if not line.startswith("#"))]
    for r in rows:
        p = out.setdefault(r["product"], {"scheme": r["scheme"], "classes": {}})
        if p["scheme"] != r["scheme"]:
            raise ValueError(f"{r['product']}: more than one class scheme in the file")
        p["classes"][int(r["class"])] = {
            "n": float(r["n"]),
            "n_eff": float(r["n_eff"]),
            "bias": float(r["bias_dex"]),
            "rmsd": float(r["rmsd_dex"]),
            "sd": float(r["sd_dex"]),
            "stats_from": r["stats_from"],
        }
    return out


def class_terms(product_stats, weights):
    """Per-pixel class bias, RMSD and centred SD (dex) for one product (scheme
    "owt_moore2009", the only one shipped): bias = sum_k w_k bias_k, rmsd =
    sum_k w_k rmsd_k, sd = sum_k w_k sd_k, with w the normalised memberships (the
    OC-CCI membership weighting, linear in the statistics, as l2gen owt.c
    `chl_error`); unclassified pixels (NaN weights) get the largest class value
    of each statistic (largest |bias|), a conservative choice of this library.
    Returns (bias, rmsd, sd) arrays of the pixels' shape."""
    scheme, cl = product_stats["scheme"], product_stats["classes"]
    if scheme != "owt_moore2009":
        raise ValueError(f"unknown class scheme {scheme!r}")
    ids = sorted(cl)
    w = np.asarray(weights, dtype=float)
    if w.shape[-1] != len(ids):
        raise ValueError(f"weights have {w.shape[-1]} classes, the table {len(ids)}")
    unclassified = ~np.all(np.isfinite(w), axis=-1)
    w0 = np.where(unclassified[..., None], 0.0, w)
    res = []
    for s in ("bias", "rmsd", "sd"):
        vec = np.array([cl[k][s] for k in ids])
        worst = vec[np.argmax(np.abs(vec))]
        res.append(np.where(unclassified, worst, w0 @ vec))
    return tuple(res)


def uncertainty(product, stats, weights, u_rrs=None, bias_corrected=False):
    """1-sigma uncertainty (dex) and expected bias (dex) of log10(product).

    sigma_class = the class RMSD (uncorrected product) or the centred SD (after
    subtracting the expected bias, `bias_corrected=True`). With a propagated Rrs
    term u_rrs (dex, see `rrs_term`), sigma = sqrt(sigma_class^2 + u_rrs^2): the
    two are taken as independent (the class term is fitted on in situ radiometry
    and so excludes satellite Rrs errors). Returns (sigma, bias)."""
    bias, rmsd, sd = class_terms(stats[product], weights)
    s = sd if bias_corrected else rmsd
    if u_rrs is not None:
        s = np.sqrt(s * s + np.asarray(u_rrs, dtype=float) ** 2)
    return s, bias


# ---------------------------------------------------------------------------
# 4. Propagation of Rrs uncertainty: Jacobians d log10(P) / d Rrs_b
# ---------------------------------------------------------------------------
# Each jac_* returns {band: array} with J_b = d log10(P) / d Rrs_b (sr); bands
# not listed have J = 0. rrs_term combines them with per-band sigma_b.
def _poly(a, x):
    return a[0] + x * (a[1] + x * (a[2] + x * (a[3] + x * a[4])))


def _dpoly(a, x):
    return a[1] + x * (2 * a[2] + x * (3 * a[3] + x * 4 * a[4]))


def jac_ocx(rrs, blues, green, a):
    """OCx: log10 chl = P(X), X = log10(max_b Rrs_b / Rrs_g) (O'Reilly et al. 1998).
    dlog10chl/dRrs_bmax = P'(X)/(ln10 Rrs_bmax); dlog10chl/dRrs_g = -P'(X)/(ln10 Rrs_g).
    Zero where chl is clipped to [0.001, 1000] (l2gen clip)."""
    b = np.stack([np.asarray(rrs[k], dtype=float) for k in blues])
    g = np.asarray(rrs[green], dtype=float)
    imax = np.argmax(b, axis=0)
    bmax = np.max(b, axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        x = np.log10(bmax / g)
        p = _poly(a, x)
        dp = _dpoly(a, x) * ((p > -3) & (p < 3))
        out = {k: np.where(imax == i, dp / (LN10 * bmax), 0.0) for i, k in enumerate(blues)}
        out[green] = -dp / (LN10 * g)
    return out


def green_to_555(g, conv):
    """NASA conv_rrs_to_555 (algorithms.md s1.5) and its derivative d g555 / d g.
    conv = (sw, a1, b1, a2, b2) or None for the identity (band at 555)."""
    g = np.asarray(g, dtype=float)
    if conv is None:
        return g, np.ones_like(g)
    sw, a1, b1, a2, b2 = conv
    with np.errstate(divide="ignore", invalid="ignore"):
        low = 10 ** (a1 * np.log10(np.where(g > 0, g, 1.0)) - b1)
        dlow = a1 * low / np.where(g > 0, g, 1.0)
    return np.where(g < sw, low, a2 * g - b2), np.where(g < sw, dlow, a2)


#: Hu et al. 2012 CI baseline weight (555-443)/(670-443) on nominal wavelengths
#: (l2gen chl_hu; this library's CI_BASELINE_WEIGHT).
CI_W = (555.0 - 443.0) / (670.0 - 443.0)


def ci_value(rrs, blue, green, red, a, conv=None):
    """chl_CI = 10^(a0 + a1 CI), CI = min(g555 - [b + w (r - b)], 0) (Hu et al. 2012)."""
    g555, _ = green_to_555(rrs[green], conv)
    b = np.asarray(rrs[blue], dtype=float)
    ci = np.minimum(g555 - (b + CI_W * (np.asarray(rrs[red], dtype=float) - b)), 0.0)
    return np.clip(10 ** (a[0] + a[1] * ci), 1e-3, 1e3), ci


def jac_ci(rrs, blue, green, red, a, conv=None):
    """CI: log10 chl = a0 + a1 CI. dCI/db = -(1 - w), dCI/dg = dg555/dg, dCI/dr = -w;
    zero where CI is clipped at 0 (min(CI, 0))."""
    _, dg = green_to_555(rrs[green], conv)
    _, ci = ci_value(rrs, blue, green, red, a, conv)
    on = (ci < 0).astype(float) * a[1]
    return {blue: -(1 - CI_W) * on, green: dg * on, red: -CI_W * on}


def jac_blend(chl_ci, chl_x, jci, jx, t1, t2):
    """OCI-type blend (l2gen chl_oci; OC5CI with t1, t2 = 0.15, 0.20):
    chl = CI (c <= t1), X (c >= t2), else c (t2 - c)/(t2 - t1) + x (c - t1)/(t2 - t1).
    d chl/d c = (t2 - 2c + x)/(t2 - t1), d chl/d x = (c - t1)/(t2 - t1), and
    d log10 chl = (c dlog10c dchl/dc + x dlog10x dchl/dx) / chl."""
    c, x = np.asarray(chl_ci, dtype=float), np.asarray(chl_x, dtype=float)
    mid = (c > t1) & (c < t2)
    chl = np.where(c <= t1, c, np.where(c >= t2, x, c * (t2 - c) / (t2 - t1) + x * (c - t1) / (t2 - t1)))
    with np.errstate(invalid="ignore", divide="ignore"):
        kc = np.where(c <= t1, 1.0, np.where(mid, c * (t2 - 2 * c + x) / ((t2 - t1) * chl), 0.0))
        kx = np.where(c >= t2, 1.0, np.where(mid, x * (c - t1) / ((t2 - t1) * chl), 0.0))
    out = {}
    # A branch with weight 0 contributes 0 even where its Jacobian is NaN (e.g. OC5
    # outside its table where the blend takes the CI alone): 0 * NaN would drop the band.
    def part(k_, j_):
        with np.errstate(invalid="ignore"):
            return np.where(k_ == 0, 0.0, k_ * np.asarray(j_, dtype=float))

    for k in set(jci) | set(jx):
        out[k] = part(kc, jci.get(k, 0.0)) + part(kx, jx.get(k, 0.0))
    return out


def trilinear_and_gradient(values, idx):
    """Trilinear interpolation of a 3-D table at fractional indices idx = (i0, i1, i2)
    (array order) and its exact gradient d value / d i_axis inside the cell.
    Indices at the last node use the last cell with fraction 1. NaN outside."""
    v = np.asarray(values, dtype=float)
    n = v.shape
    lo, fr, inside = [], [], np.ones(np.shape(idx[0]), dtype=bool)
    for ax in range(3):
        i = np.asarray(idx[ax], dtype=float)
        inside &= np.isfinite(i) & (i >= 0) & (i <= n[ax] - 1)
        f0 = np.clip(np.floor(np.where(np.isfinite(i), i, 0)), 0, n[ax] - 2).astype(int)
        lo.append(f0)
        fr.append(np.where(np.isfinite(i), i, 0) - f0)
    val = np.zeros(np.shape(inside))
    grad = [np.zeros(np.shape(inside)) for _ in range(3)]
    for a in (0, 1):
        for b in (0, 1):
            for c in (0, 1):
                corner = v[lo[0] + a, lo[1] + b, lo[2] + c]
                w = [fr[0] if a else 1 - fr[0], fr[1] if b else 1 - fr[1], fr[2] if c else 1 - fr[2]]
                s = [1 if a else -1, 1 if b else -1, 1 if c else -1]
                val += corner * w[0] * w[1] * w[2]
                grad[0] += corner * s[0] * w[1] * w[2]
                grad[1] += corner * w[0] * s[1] * w[2]
                grad[2] += corner * w[0] * w[1] * s[2]
    return np.where(inside, val, np.nan), [np.where(inside, g, np.nan) for g in grad]


def jac_oc5_table(rrs, values, axes, f0_violet, f0_green, violet, blues, green):
    """OC5 table (Gohin et al. 2002 structure; algorithms.md s1.3): chl = T(i) with
    i_nLw_green = (Rrs_g F0_g - min)/step, i_nLw_412 = (Rrs_412 F0_412 - min)/step,
    i_ratio = (max_b Rrs_b / Rrs_g - min)/step, trilinear T. Exact derivative:
    dlog10chl/dRrs = (1/(ln10 T)) sum_axis dT/di_axis di_axis/dRrs.
    `axes`: the table's axis list (variable, min, step, order) as Oc5Table.axes.
    Returns (chl, {band: J})."""
    ax = {a["variable"]: a for a in axes}
    g = np.asarray(rrs[green], dtype=float)
    r412 = np.asarray(rrs[violet], dtype=float)
    b = np.stack([np.asarray(rrs[k], dtype=float) for k in blues])
    imax, bmax = np.argmax(b, axis=0), np.max(b, axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = bmax / g
    coord = {
        "nLw_green": (g * f0_green - ax["nLw_green"]["min"]) / ax["nLw_green"]["step"],
        "nLw_412": (r412 * f0_violet - ax["nLw_412"]["min"]) / ax["nLw_412"]["step"],
        "Rrs_ratio": (ratio - ax["Rrs_ratio"]["min"]) / ax["Rrs_ratio"]["step"],
    }
    order = sorted(ax, key=lambda k: ax[k]["order"])
    val, grad = trilinear_and_gradient(values, [coord[k] for k in order])
    dT = {k: grad[i] for i, k in enumerate(order)}
    with np.errstate(divide="ignore", invalid="ignore"):
        s = 1.0 / (LN10 * val)
        dgreen = dT["nLw_green"] * f0_green / ax["nLw_green"]["step"] - dT["Rrs_ratio"] * ratio / (
            g * ax["Rrs_ratio"]["step"])
        out = {k: np.where(imax == i, s * dT["Rrs_ratio"] / (g * ax["Rrs_ratio"]["step"]), 0.0)
               for i, k in enumerate(blues)}
        out[violet] = out.get(violet, 0.0) + s * dT["nLw_412"] * f0_violet / ax["nLw_412"]["step"]
        out[green] = s * dgreen
    return val, out


def jac_nechad(rrs, band, c):
    """Nechad et al. 2010: SPM = A rho/(1 - rho/C), rho = pi Rrs:
    dlog10SPM/dRrs = 1 / (ln10 Rrs (1 - rho/C)). A cancels."""
    r = np.asarray(rrs[band], dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return {band: 1.0 / (LN10 * r * (1 - np.pi * r / c))}


def jac_kd2(rrs, blue, green, a):
    """KD2 (NASA Kd ATBD): Kd = 0.0166 + 10^P(X), X = log10(Rrs_b/Rrs_g):
    dlog10Kd/dX = 10^P P'(X) / Kd; zero where Kd is clipped to [0.016, 6.4]."""
    rb, rg = np.asarray(rrs[blue], dtype=float), np.asarray(rrs[green], dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        x = np.log10(rb / rg)
        e = 10 ** _poly(a, x)
        kd = 0.0166 + e
        k = np.where((kd > 0.016) & (kd < 6.4), e * _dpoly(a, x) / kd, 0.0)
        return {blue: k / (LN10 * rb), green: -k / (LN10 * rg)}


def jac_fd(func, rrs, bands, rel_step=1e-3):
    """Central finite difference d log10 func(rrs) / d Rrs_b, step rel_step x Rrs_b.
    For algorithms without a closed-form derivative (spm_gohin) and as an
    independent check of the analytic Jacobians."""
    out = {}
    for b in bands:
        r = np.asarray(rrs[b], dtype=float)
        h = rel_step * np.abs(r)
        up = dict(rrs)
        dn = dict(rrs)
        up[b], dn[b] = r + h, r - h
        with np.errstate(divide="ignore", invalid="ignore"):
            out[b] = (np.log10(np.asarray(func(up), dtype=float)) - np.log10(np.asarray(func(dn), dtype=float))) / (2 * h)
    return out


def rrs_term(jac, sigma_rrs, rho=0.0):
    """u_rrs^2 = sum_b sum_b' J_b J_b' C_bb', C_bb' = sigma_b sigma_b' (rho for b != b',
    1 on the diagonal) (GUM, JCGM 100:2008 eq. 13). sigma_b: Rrs standard
    uncertainty per band (sr-1), e.g. eps x Rrs_b for a relative uncertainty eps,
    or PACE Rrs_unc. rho = 0: independent bands (default); rho = 1: fully
    correlated (a spectrally flat error, which band ratios largely cancel)."""
    bands = list(jac)
    with np.errstate(invalid="ignore"):
        js = [np.asarray(jac[b], dtype=float) * np.asarray(sigma_rrs[b], dtype=float) for b in bands]
    js = [np.where(np.isfinite(j), j, 0.0) for j in js]
    tot = sum(j * j for j in js)
    if rho:
        s = sum(js)
        tot = (1 - rho) * tot + rho * s * s
    return np.sqrt(tot)
