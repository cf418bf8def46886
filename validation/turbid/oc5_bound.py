"""Numpy prototype (issue 14): why the open OC5 table over-corrects in turbid water, and a fix.

Diagnosis (oc5-open-table.md s5): the C1 rule clamps the ratio at R* (the model's
Case-1 R at chl 5 mg m-3; 0.964 MERIS), computes the model's ratio change dR at
the clamped reference chl1, and then applies it to the *unclamped* ratio:
OC5 = OCx(R / dR). Where turbid water has R < R* (OCx > 5), the OCx polynomial's
slope d log chl / d log R is several times steeper than at R*, so the same dR
(computed where the slope is moderate) lowers chl by a much larger factor than
the model meant. That is the TSM > 30 overshoot (median OC5/in situ 0.31).

Fix prototyped here ("C1 bounded at the reference", recipe c1-2): apply the
correction as a chl factor evaluated at the reference ratio R_w = max(R, R*),
    OC5 = OCx(R) * OCx(R_w / dR) / OCx(R_w),
which is identical to the old rule where R >= R* (so Case-1 anchoring and the
clear-water behaviour are unchanged) and, for R < R*, keeps the chl factor the
model gives at R*, constant along the ratio axis (so monotonicity in R holds).
dR is recovered from the current table's output by inverting OCx (OC4 MERIS,
O'Reilly & Werdell 2019 Table 6) on its decreasing branch.

Run: python validation/turbid/oc5_bound.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))
from evaluate import table  # noqa: E402
from oc5 import ccrr_rows  # noqa: E402

# R* for MERIS (oc5-open-table.md s5 step 1: model Case-1 R at chl_cap = 5 mg m-3).
R_STAR_MERIS = 0.964
# Output clip of chl_oc5 (the library's chl range upper bound).
CHL_MAX = 1000.0


def oc4_poly(a):
    return lambda x: sum(c * x**i for i, c in enumerate(a))


def invert(p, logchl):
    """x = log10 R with p(x) = logchl on p's decreasing branch around Case-1 ratios."""
    xs = np.linspace(-0.6, 1.3, 20001)
    ys = p(xs)
    dec = np.concatenate([[True], np.diff(ys) < 0])
    xs, ys = xs[dec], ys[dec]
    return np.interp(-logchl, -ys, xs, left=np.nan, right=np.nan)


def bounded_oc5(oc5_old, rrs, a, r_star=R_STAR_MERIS):
    p = oc4_poly(a)
    r = np.max([rrs[b] for b in (443, 490, 510)], axis=0) / rrs[560]
    x = np.log10(r.astype(float))
    x_corr = invert(p, np.log10(oc5_old))  # log10(R / dR)
    log_dr = x - x_corr
    xw = np.maximum(x, np.log10(r_star))
    # Same upper clip as the table's output (1000 mg m-3, where the old value is
    # clipped dR is unknown and the clip is kept).
    return np.minimum(10 ** (p(x) + p(xw - log_dr) - p(xw)), CHL_MAX)


def main() -> None:
    import oceancolour as oc

    cc = ccrr_rows()
    rrs = {b: cc[b].astype(np.float32) for b in (412, 443, 490, 510, 560, 620, 665)}
    t = oc.Oc5Table.open_table("meris", recipe="open-oc5-c1-1")
    old = np.asarray(oc.chl_oc5(rrs, "meris", table=t), float)
    ocx = np.asarray(oc.chl_ocx({b: rrs[b] for b in (443, 490, 510, 560)}, "meris"), float)
    a = next(s for s in oc.ocx_coefficient_sets("meris") if s["default"])["a"]
    new = bounded_oc5(old, rrs, a)
    table("Chlorophyll vs in situ: old C1 table, bounded-at-reference prototype, OCx",
          {"OC5 c1-1 (table)": old, "OC5 c1-2 prototype": new, "OCx (OC4 MERIS)": ocx}, cc["chl"], cc["tsm"])


if __name__ == "__main__":
    main()
