"""The regression cases of the validation suite: small real inputs, checked-in reference
outputs (validation/references/<case>.json), and the comparison of the two.

Run them all with ``pytest validation`` (part of ``./dev test``); regenerate the
references, after reading the printed differences, with ``python validation/regenerate.py``.

Cases:
* ``seawifs_r2018_oc4v6``: NASA's R2018.0 SeaWiFS monthly chlor_a (L3m) at the centres of
  the two bins of the daily L3b Rrs file, against OC4v6 recomputed from the bins' mean Rrs
  (sum/weights, formats.md §2.3). R2018.0 chlor_a is OCI, which equals OC4 above 0.2 mg m-3
  (Hu et al. 2012); both bins are above 0.7. Gate rel:1e-3 against NASA's values (the
  residual 3.4e-4 is the Rrs quantisation, shared/data/external/seawifs_l3_obpg/README).
* ``nomad_oc4``: OC4 (O'Reilly & Werdell 2019 coefficients, the default) and OC4v6 on the
  NASA NOMAD v2 stations (Werdell & Bailey 2005) with all four OC4 bands, against in situ
  chl (HPLC where present, else fluorometric). NOMAD's 489 nm is used as SeaWiFS 490; no
  band shifting. NOMAD was used to fit the OC4 coefficients: this tracks behaviour, it is
  not an independent accuracy assessment.
* ``ccrr_oc5``: Gohin OC5 on the CoastColour Round Robin calibration half (Nechad et al.
  2015) against in situ chl, once ``oceancolour.chl_oc5`` exists (issue 3, branch oc5);
  until then the case reports itself unavailable and its test is skipped.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Callable

import numpy as np

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
REFERENCES = HERE / "references"


class Unavailable(Exception):
    """The case needs a part of oceancolour that is not built yet."""


def _stats_json(table) -> dict[str, dict[str, float]]:
    return {alg: {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in row.items()}
            for alg, row in table.to_dict(orient="index").items()}


# seawifs_r2018_oc4v6 ------------------------------------------------------------------

def isin_rows(nrows: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Latitude, bin count and first (1-based) bin number of each row of NASA's ISIN grid,
    formats.md §2.2 (OCSSW bin_io.cpp)."""
    latbin = (np.arange(nrows) + 0.5) * 180.0 / nrows - 90.0
    numbin = (np.cos(np.radians(latbin)) * 2 * nrows + 0.5).astype(np.int64)
    return latbin, numbin, np.concatenate([[1], 1 + np.cumsum(numbin)[:-1]])


def isin_bin_centres(bin_num: np.ndarray, nrows: int) -> tuple[np.ndarray, np.ndarray]:
    """Centres of ISIN bins given by their 1-based numbers."""
    latbin, numbin, basebin = isin_rows(nrows)
    row = np.searchsorted(basebin, bin_num, side="right") - 1
    lon = 360.0 * (bin_num - basebin[row] + 0.5) / numbin[row] - 180.0
    return latbin[row], lon


def seawifs_r2018_oc4v6() -> dict[str, Any]:
    import netCDF4

    import oceancolour as oc

    with netCDF4.Dataset(DATA / "S2008001.L3b_DAY_RRS.nc") as ds:
        g = ds["level-3_binned_data"]
        bins = g["BinList"][:]
        index = g["BinIndex"][:]
        rrs = {nm: g[f"Rrs_{nm}"][:]["sum"].astype(np.float64) / bins["weights"] for nm in (443, 490, 510, 555)}
    lat, lon = isin_bin_centres(bins["bin_num"].astype(np.int64), len(index))
    chl = oc.chl_ocx(rrs, sensor="seawifs", coefficients="oc4v6").astype(np.float64)
    l3m = oc.validate.read_variable(DATA / "S20080012008031.L3m_MO_CHL_chlor_a_9km.nc", "chlor_a")
    nasa = np.array([l3m.values[oc.validate.pixel_at(l3m, la, lo)] for la, lo in zip(lat, lon)])
    report = oc.validate.compare({"chlor_a": nasa}, {"chlor_a": chl}, tolerances={"chlor_a": "rel:1e-3"})
    r = report.results["chlor_a"]
    return {
        "bins": [int(b) for b in bins["bin_num"]],
        "bin_centres": [[float(a), float(b)] for a, b in zip(lat, lon)],
        "nasa_r2018_chlor_a": [float(v) for v in nasa],
        "oc4v6_chl": [float(v) for v in chl],
        "gate": {"tolerance": str(r.tolerance), "status": "PASS" if r.passed else "FAIL", "reason": r.reason},
    }


# nomad_oc4 ----------------------------------------------------------------------------

def nomad_oc4() -> dict[str, Any]:
    import nomad

    import oceancolour as oc

    st = nomad.nomad_stations()
    sel = nomad.oc4_sample(st)
    rrs = {nm: v[sel] for nm, v in nomad.seawifs_rrs(st).items()}
    estimates = {name: oc.chl_ocx(rrs, sensor="seawifs", coefficients=coef).astype(np.float64)
                 for name, coef in (("OC4", "oc4"), ("OC4v6", "oc4v6"))}
    table, win = oc.validate.matchup_statistics(nomad.insitu_chl(st)[sel], estimates)
    return {"stations": int(sel.sum()), "stats": _stats_json(table),
            "win_rate_OC4_vs_OC4v6": float(win.loc["OC4", "OC4v6"])}


# ccrr_oc5 -----------------------------------------------------------------------------

# CCRR columns are rho_w = pi Rrs at the MERIS bands (validation/data/README.md).
CCRR_MERIS = {412: "X412.5", 443: "X442.5", 490: "X490", 510: "X510", 560: "X560", 620: "X620", 665: "X665",
              681: "X681.25", 709: "X708.75"}


def ccrr_oc5() -> dict[str, Any]:
    import pandas as pd

    import oceancolour as oc

    if not hasattr(oc, "chl_oc5"):
        raise Unavailable("oceancolour.chl_oc5 is not built yet (issue 3, branch oc5)")
    st = pd.read_csv(DATA / "ccrr_calibration_half.csv", na_values=[999.99])
    insitu = st["X.Chl_a..ug.L."]
    sel = st[list(CCRR_MERIS.values())].notna().all(axis=1) & insitu.notna()
    rrs = {nm: st.loc[sel, col].to_numpy(float) / math.pi for nm, col in CCRR_MERIS.items()}
    # Hook, written against the oc5 branch's chl_oc5(rrs, sensor, table=None): table=None is
    # that library's open OC5-like table, not Ifremer's (see its README).
    estimates = {"OC5": np.asarray(oc.chl_oc5(rrs, sensor="meris"), dtype=np.float64)}
    table, _ = oc.validate.matchup_statistics(insitu[sel].to_numpy(float), estimates)
    return {"stations": int(sel.sum()), "table": "default (open OC5-like)", "stats": _stats_json(table)}


# Registry and comparison --------------------------------------------------------------

# case -> (function, relative tolerance for floats against its reference: products are
# float32, and the kernels stay within 1e-5 of the f64 formulas, src/kernels/fastmath.rs)
CASES: dict[str, tuple[Callable[[], dict[str, Any]], float]] = {
    "seawifs_r2018_oc4v6": (seawifs_r2018_oc4v6, 1e-5),
    "nomad_oc4": (nomad_oc4, 1e-5),
    "ccrr_oc5": (ccrr_oc5, 1e-5),
}


def reference_path(case: str) -> Path:
    return REFERENCES / f"{case}.json"


def load_reference(case: str) -> dict[str, Any] | None:
    path = reference_path(case)
    return json.loads(path.read_text()) if path.exists() else None


def differences(new: Any, old: Any, rtol: float, where: str = "") -> list[str]:
    """Lines describing every difference between a case's output and its reference:
    floats beyond ``rtol`` (relative), anything else when not equal."""
    if isinstance(new, dict) and isinstance(old, dict):
        out = []
        for k in sorted(set(new) | set(old), key=str):
            w = f"{where}.{k}" if where else str(k)
            if k not in old:
                out.append(f"{w}: new {new[k]!r}")
            elif k not in new:
                out.append(f"{w}: removed (was {old[k]!r})")
            else:
                out += differences(new[k], old[k], rtol, w)
        return out
    if isinstance(new, list) and isinstance(old, list) and len(new) == len(old):
        return [d for i, (a, b) in enumerate(zip(new, old)) for d in differences(a, b, rtol, f"{where}[{i}]")]
    if isinstance(new, float) and isinstance(old, (int, float)) and not isinstance(old, bool):
        if math.isclose(new, old, rel_tol=rtol, abs_tol=1e-12):
            return []
        rel = f" ({(new - old) / old:+.3g} relative)" if old else ""
        return [f"{where}: {old!r} -> {new!r}{rel}"]
    return [] if new == old else [f"{where}: {old!r} -> {new!r}"]
