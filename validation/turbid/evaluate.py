"""Issue 14 evidence: Gohin products in turbid water, split by in situ TSM class.

On the CoastColour calibration half (validation/data/ccrr_calibration_half.csv,
Nechad et al. 2015 ESSD, CC-BY; MERIS bands, Rrs = rho_w / pi) prints, per TSM
class (<= 10, 10-30, > 30 g m-3) and overall:
- chlorophyll: OC5 (open table: this library's model, NOT Ifremer's) and OCx
  (OC4 MERIS), each on all stations where it is valid: N, median ratio,
  log10 RMSD, MdAPE;
- non-algal SPM: spm_gohin (current recipe), Nechad 2010 at 665 nm, and the
  numpy prototype of a switching green -> red -> NIR Nechad SPM (below);
and the NOMAD v2 deep-water (> 1000 m) OC5/OCx median.

Switching SPM prototype (issue 14, Novoa et al. 2017 Remote Sens. 9:61 style):
per-band Nechad 2010 SPM = A rho_w / (1 - rho_w / C), coefficients from Nechad
et al. 2010 RSE 114:854 as transcribed in ACOLITE SPM_N2010_Published.txt
(docs: ../shared/science/algorithms.md s4.3, "exact"): 560 nm A=104.20
C=0.1449; 665 nm A=355.85 C=0.1728; 710 nm (used for MERIS 708.75) A=561.94
C=0.1892. Novoa 2017's published switching thresholds could NOT be verified
here, so the switch points are this library's choice and configurable:
a band is used while rho_w < f * C (f = SWITCH_FRACTION, default below), with
a linear blend over [f0, f1] * C as in Dogliotti 2015's red/NIR switch
(algorithms.md s4.4, blend width pattern only). One calibration factor is then
fitted as the median in-situ/estimate ratio on the calibration half only
(as GOHIN_SPM_MINERAL_SCALE was).

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

# Nechad et al. 2010 (RSE 114:854) per-band SPM calibration, via ACOLITE
# SPM_N2010_Published.txt (algorithms.md s4.3): (A g m-3, C dimensionless).
NECHAD_2010 = {560: (104.20, 0.1449), 665: (355.85, 0.1728), 709: (561.94, 0.1892)}
# Switch band when rho_w exceeds a fraction of its saturation C; blend linearly
# between the two fractions. NOT a published value (Novoa 2017 thresholds not
# verified): this library's choice, configurable.
SWITCH_FRACTION = (0.03, 0.08)


def nechad_band(rho, band):
    a, c = NECHAD_2010[band]
    out = a * rho / (1 - rho / c)
    return np.where((rho > 0) & (rho < c), out, np.nan)


def spm_switching(rho: dict[int, np.ndarray], fraction=SWITCH_FRACTION) -> np.ndarray:
    """Green -> red -> NIR switching Nechad SPM (uncalibrated), rho_w dimensionless."""
    bands = [560, 665, 709]
    est = [nechad_band(rho[b], b) for b in bands]
    out = est[0].copy()
    for lo_band, (hi_est, hi_band) in zip(bands[:-1], zip(est[1:], bands[1:])):
        c = NECHAD_2010[lo_band][1]
        w = np.clip((rho[lo_band] / c - fraction[0]) / (fraction[1] - fraction[0]), 0, 1)
        blended = (1 - w) * out + w * hi_est
        out = np.where(w <= 0, out, np.where(w >= 1, hi_est, blended))
    return out


def stats(est, truth):
    ok = np.isfinite(est) & np.isfinite(truth) & (est > 0) & (truth > 0)
    if not ok.any():
        return dict(N=0, med=np.nan, rmsd=np.nan, mdape=np.nan)
    r = est[ok] / truth[ok]
    return dict(N=int(ok.sum()), med=float(np.median(r)), rmsd=float(np.sqrt(np.mean(np.log10(r) ** 2))),
                mdape=float(100 * np.median(np.abs(r - 1))))


def table(title, products, truth, tsm):
    print(f"\n{title}")
    print(f"  {'class':<16} {'product':<22} {'N':>4} {'med ratio':>9} {'log10 RMSD':>10} {'MdAPE %':>8}")
    for cname, lo, hi in CLASSES + [("all", -np.inf, np.inf)]:
        m = (tsm > lo) & (tsm <= hi) if np.isfinite(lo) else np.ones_like(tsm, bool)
        for pname, est in products.items():
            s = stats(np.where(m, est, np.nan), truth)
            print(f"  {cname:<16} {pname:<22} {s['N']:>4} {s['med']:>9.2f} {s['rmsd']:>10.3f} {s['mdape']:>8.1f}")


def extra_bands(path: Path = CCRR) -> dict[int, np.ndarray]:
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    out = {}
    for nm, col in ((560, "X560"), (665, "X665"), (709, "X708.75")):
        v = np.array([float(r[col]) for r in rows])
        out[nm] = np.where(v == 999.99, np.nan, v)
    return out


def main() -> None:
    import oceancolour as oc

    cc = ccrr_rows()
    tsm = cc["tsm"]
    rrs = {b: cc[b].astype(np.float32) for b in (412, 443, 490, 510, 560, 620, 665)}
    table_m = oc.Oc5Table.open_table("meris")
    print(f"oceancolour {oc.__version__}; CoastColour calibration half, N rows = {tsm.size}, with TSM = {np.isfinite(tsm).sum()}")
    print(f"open MERIS OC5 table (this library's, not Ifremer's): version {table_m.version}")
    oc5 = oc.chl_oc5(rrs, "meris", table=table_m)
    ocx = oc.chl_ocx({b: rrs[b] for b in (443, 490, 510, 560)}, "meris")
    table("Chlorophyll vs in situ (each product on all stations where it is valid)",
          {"OC5 (open table)": np.asarray(oc5, float), "OCx (OC4 MERIS)": np.asarray(ocx, float)}, cc["chl"], tsm)

    rho = extra_bands()
    raw = spm_switching(rho)
    fit = np.isfinite(raw) & np.isfinite(tsm) & (raw > 0) & (tsm > 0)
    k = float(np.median(tsm[fit] / raw[fit]))
    print(f"\nswitching SPM calibration factor (median TSM/estimate on the calibration half, N={fit.sum()}): {k:.4f}")
    spm = {
        "spm_gohin (current)": np.asarray(oc.spm_gohin(rrs, "meris", table=table_m), float),
        "Nechad 2010 665": np.asarray(oc.spm_nechad(rrs, "meris"), float),
        "switching prototype": k * raw,
    }
    table("Non-algal SPM vs in situ TSM", spm, tsm, tsm)

    from nomad import insitu_chl, nomad_stations, oc4_sample, seawifs_rrs

    st = nomad_stations()
    sel = oc4_sample(st)
    deep = sel & (st["etopo2"] > 1000)
    srrs = {nm: v[deep].astype(np.float32) for nm, v in seawifs_rrs(st).items()}
    t_s = oc.Oc5Table.open_table("seawifs")
    o5 = np.asarray(oc.chl_oc5(srrs, "seawifs", table=t_s), float)
    ox = np.asarray(oc.chl_ocx(srrs, "seawifs"), float)
    ok = np.isfinite(o5) & np.isfinite(ox) & (ox > 0)
    print(f"\nNOMAD v2 deep water (> 1000 m, N={ok.sum()}): median OC5/OCx = {np.median(o5[ok] / ox[ok]):.4f}"
          f" (issue threshold 0.95-1.05); in situ N with chl = {np.isfinite(insitu_chl(st)[deep]).sum()}")


if __name__ == "__main__":
    main()
