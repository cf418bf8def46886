"""Standard algorithms on the NASA NOMAD v2 in situ stations (Werdell & Bailey 2005).

Runs OCx, OCI and KD2 on the SeaWiFS-like bands of every station with the
needed radiometry and in situ chlorophyll (HPLC where present, else
fluorometric), and prints N, median ratio, log10 bias, log10 RMSD and MdAPE
against in situ chl. Used by ``./dev demo`` until the full chain lands, and
by the tests (``nomad_stations``, ``matchup_stats``).

NOMAD's radiometers have 489 and 555 nm where SeaWiFS has 490 and 555: the
stations are used as SeaWiFS samples without band shifting. NOMAD was used to
fit the OCx coefficients, so this checks behaviour, not independent accuracy.
"""

from __future__ import annotations

import csv
import gzip
import math
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parent / "data" / "nomad_v2_rrs_chl.csv.gz"

# NOMAD column -> SeaWiFS nominal band (nearest in situ wavelength).
SEAWIFS_FROM_NOMAD = {412: "Rrs_411", 443: "Rrs_443", 490: "Rrs_489", 510: "Rrs_510", 555: "Rrs_555", 670: "Rrs_670"}


def nomad_stations(path: Path = DATA) -> dict[str, np.ndarray]:
    """Columns of the NOMAD table as float arrays (NaN where blank)."""
    with gzip.open(path, "rt", newline="") as f:
        rows = list(csv.DictReader(f))
    cols = rows[0].keys()
    return {c: np.array([float(r[c]) if r[c] not in ("", "-999") else math.nan for r in rows]) if c != "cruise"
            else np.array([r[c] for r in rows]) for c in cols}


def insitu_chl(st: dict[str, np.ndarray]) -> np.ndarray:
    """HPLC total chl-a where present, else fluorometric chl (mg m-3)."""
    return np.where(np.isfinite(st["chl_a"]), st["chl_a"], st["chl"])


def seawifs_rrs(st: dict[str, np.ndarray]) -> dict[int, np.ndarray]:
    return {nm: st[col] for nm, col in SEAWIFS_FROM_NOMAD.items()}


def matchup_stats(estimate: np.ndarray, truth: np.ndarray) -> dict[str, float]:
    """Seegers et al. 2018 style metrics (oceancolour.validate.metrics) on pairs where
    both are finite and > 0."""
    from oceancolour.validate import metrics

    ok = np.isfinite(estimate) & np.isfinite(truth) & (estimate > 0) & (truth > 0)
    s = metrics.summary(estimate[ok], truth[ok])
    return {"N": s["n"], "median_ratio": s["median_ratio"], "log10_bias": s["bias_log10"],
            "log10_rmsd": s["rmsd_log10"], "mdape_pct": s["mdape_pct"]}


def oc4_sample(st: dict[str, np.ndarray]) -> np.ndarray:
    """Stations with all OC4 bands and in situ chl (the published ~2800)."""
    bands = ["Rrs_443", "Rrs_489", "Rrs_510", "Rrs_555"]
    return np.all([np.isfinite(st[b]) for b in bands], axis=0) & np.isfinite(insitu_chl(st))


def main() -> None:
    import oceancolour as oc

    st = nomad_stations()
    sel = oc4_sample(st)
    chl = insitu_chl(st)[sel]
    rrs = {nm: v[sel] for nm, v in seawifs_rrs(st).items()}
    depth = st["etopo2"][sel]
    print(f"oceancolour {oc.__version__}: standard algorithms on NASA NOMAD v2 (SeaWiFS bands, {sel.sum()} stations)")
    print(f"{'algorithm':<24}{'subset':<8}{'N':>6}{'med ratio':>11}{'bias':>8}{'RMSD':>7}{'MdAPE%':>8}")
    products = {
        "OC4 (O'Reilly 2019)": oc.chl_ocx(rrs, "seawifs"),
        "OC4v6": oc.chl_ocx(rrs, "seawifs", "oc4v6"),
        "OC4v4": oc.chl_ocx(rrs, "seawifs", "oc4v4"),
        "OCI (Hu 2019)": oc.chl_oci(rrs, "seawifs"),
    }
    for name, est in products.items():
        for subset, m in [("all", np.ones_like(chl, bool)), ("shelf", depth < 200), ("deep", depth > 1000)]:
            s = matchup_stats(est[m], chl[m])
            print(f"{name:<24}{subset:<8}{s['N']:>6}{s['median_ratio']:>11.3f}{s['log10_bias']:>8.3f}"
                  f"{s['log10_rmsd']:>7.3f}{s['mdape_pct']:>8.1f}")
    kd = oc.kd490(rrs, "seawifs")
    print(f"KD2S Kd490 (m-1): median {np.nanmedian(kd):.4f}, 5-95% {np.nanpercentile(kd, 5):.4f}-{np.nanpercentile(kd, 95):.4f}")


if __name__ == "__main__":
    main()
