"""Issue 14 evidence: the library's Gohin products in turbid water, split by in situ TSM class.

On the CoastColour calibration half (validation/data/ccrr_calibration_half.csv,
Nechad et al. 2015 ESSD, CC-BY; MERIS bands, Rrs = rho_w / pi) prints, per TSM
class (<= 10, 10-30, > 30 g m-3) and overall, N, median ratio, log10 RMSD and
MdAPE of the LIBRARY's products (each on all stations where it is valid):
- chlorophyll: OCx (OC4 MERIS), OC5 with the open table recipes
  "open-oc5-c1-1" (earlier) and "open-oc5-c1-2" (default; both this library's
  model, NOT Ifremer's OC5);
- non-algal SPM: Nechad 2010 at 665 nm, spm_gohin algorithm="forward-model"
  with the c1-1 table (the earlier product) and spm_gohin default
  ("nechad-switching": green -> red -> NIR Nechad 2010, switch fractions this
  library's choice, one calibration factor fitted on this half: refitted and
  printed here, coefficients.rs SPM_SWITCHING_SCALE holds it);
and the NOMAD v2 deep-water (> 1000 m) OC5/OCx median of both recipes.

Run: python validation/turbid/evaluate.py
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from oc5 import CCRR, ccrr_rows  # noqa: E402

CLASSES = [("TSM <= 10", 0, 10), ("10 < TSM <= 30", 10, 30), ("TSM > 30", 30, np.inf)]
ALL = ("all", -np.inf, np.inf)
C1_1, C1_2 = "open-oc5-c1-1", "open-oc5-c1-2"


def stats(est, truth):
    ok = np.isfinite(est) & np.isfinite(truth) & (est > 0) & (truth > 0)
    if not ok.any():
        return dict(N=0, med=np.nan, rmsd=np.nan, mdape=np.nan)
    r = est[ok] / truth[ok]
    return dict(N=int(ok.sum()), med=float(np.median(r)), rmsd=float(np.sqrt(np.mean(np.log10(r) ** 2))),
                mdape=float(100 * np.median(np.abs(r - 1))))


def in_class(tsm, lo, hi):
    return (tsm > lo) & (tsm <= hi) if np.isfinite(lo) else np.ones_like(tsm, bool)


def class_stats(products, truth, tsm):
    """{(class name, product name): stats} over CLASSES + all."""
    return {(c, p): stats(np.where(in_class(tsm, lo, hi), est, np.nan), truth)
            for c, lo, hi in CLASSES + [ALL] for p, est in products.items()}


def table(title, products, truth, tsm, markdown=False):
    print(f"\n{title}")
    s = class_stats(products, truth, tsm)
    if markdown:
        print("| TSM class | product | N | median ratio | log10 RMSD | MdAPE % |\n|---|---|---|---|---|---|")
    else:
        print(f"  {'class':<16} {'product':<34} {'N':>4} {'med ratio':>9} {'log10 RMSD':>10} {'MdAPE %':>8}")
    for (c, p), v in s.items():
        if markdown:
            print(f"| {c} | {p} | {v['N']} | {v['med']:.2f} | {v['rmsd']:.3f} | {v['mdape']:.1f} |")
        else:
            print(f"  {c:<16} {p:<34} {v['N']:>4} {v['med']:>9.2f} {v['rmsd']:>10.3f} {v['mdape']:>8.1f}")
    return s


def ccrr_rrs(cc, path: Path = CCRR) -> dict[int, np.ndarray]:
    """MERIS Rrs of the half with the 709 nm band (column X708.75, rho_w) added."""
    with open(path, newline="") as f:
        v = np.array([float(r["X708.75"]) for r in csv.DictReader(f)])
    rrs = {b: cc[b].astype(np.float32) for b in (412, 443, 490, 510, 560, 620, 665)}
    rrs[709] = (np.where(v == 999.99, np.nan, v) / np.pi).astype(np.float32)
    return rrs


def chl_products(oc, rrs):
    f = lambda x: np.asarray(x, float)  # noqa: E731
    return {
        "OCx (OC4 MERIS)": f(oc.chl_ocx({b: rrs[b] for b in (443, 490, 510, 560)}, "meris")),
        "OC5 open-oc5-c1-1": f(oc.chl_oc5(rrs, "meris", recipe=C1_1)),
        "OC5 open-oc5-c1-2 (default)": f(oc.chl_oc5(rrs, "meris")),
    }


def spm_products(oc, rrs):
    f = lambda x: np.asarray(x, float)  # noqa: E731
    return {
        "Nechad 2010 665": f(oc.spm_nechad(rrs, "meris")),
        "spm_gohin forward-model (c1-1)": f(oc.spm_gohin(rrs, "meris", algorithm="forward-model", recipe=C1_1)),
        "spm_gohin nechad-switching": f(oc.spm_gohin(rrs, "meris")),
    }


def switching_calibration(oc, rrs, tsm):
    """Median TSM / estimate of the uncalibrated switching SPM on the half."""
    raw = np.asarray(oc.spm_gohin(rrs, "meris", calibration=1.0), float)
    fit = np.isfinite(raw) & np.isfinite(tsm) & (raw > 0) & (tsm > 0)
    return float(np.median(tsm[fit] / raw[fit])), int(fit.sum())


def nomad_deep(oc):
    from nomad import nomad_stations, oc4_sample, seawifs_rrs

    st = nomad_stations()
    deep = oc4_sample(st) & (st["etopo2"] > 1000)
    srrs = {nm: v[deep].astype(np.float32) for nm, v in seawifs_rrs(st).items()}
    ox = np.asarray(oc.chl_ocx(srrs, "seawifs"), float)
    out = {}
    for recipe in (C1_1, C1_2):
        o5 = np.asarray(oc.chl_oc5(srrs, "seawifs", recipe=recipe), float)
        ok = np.isfinite(o5) & np.isfinite(ox) & (ox > 0)
        out[recipe] = (float(np.median(o5[ok] / ox[ok])), int(ok.sum()))
    return out


def main() -> None:
    import oceancolour as oc

    markdown = "--markdown" in sys.argv
    cc = ccrr_rows()
    tsm = cc["tsm"]
    rrs = ccrr_rrs(cc)
    print(f"oceancolour {oc.__version__}; CoastColour calibration half, N rows = {tsm.size}, with TSM = {np.isfinite(tsm).sum()}")
    table("Chlorophyll vs in situ (each product on all stations where it is valid)", chl_products(oc, rrs), cc["chl"], tsm, markdown)
    k, n = switching_calibration(oc, rrs, tsm)
    print(f"\nswitching SPM calibration factor (median TSM/estimate on the calibration half, N={n}): {k:.4f}")
    table("Non-algal SPM vs in situ TSM", spm_products(oc, rrs), tsm, tsm, markdown)
    for recipe, (med, n) in nomad_deep(oc).items():
        print(f"NOMAD v2 deep water (> 1000 m, N={n}): median OC5/OCx {recipe} = {med:.4f} (issue threshold 0.95-1.05)")


if __name__ == "__main__":
    main()
