"""How good are turbidity coefficients at 665-670 nm? Dogliotti et al. (2015)
calibrated their red branch at 645 nm only. On a real NASA MODIS-Aqua L2
granule (which has both Rrs_645 and Rrs_667) compare, in the red-branch regime
(rho_w(645) < 0.05), the red-branch turbidity at Dogliotti's own band with:

* 667 nm with Nechad et al. (2009) A, C interpolated at 667 nm (this library's
  rule for 665-671 nm red bands, coefficients.rs `dogliotti_red_node`);
* 667 nm with Dogliotti's 645 nm A, C (the former approximation).

    .venv/bin/python validation/dogliotti_red.py
"""

from __future__ import annotations

from pathlib import Path

import netCDF4
import numpy as np

GRANULE = Path(__file__).resolve().parents[1] / "tests" / "data" / "modisa_l2_real" / "A2007143183000.L2_LAC_OC.x.nc"
DOGLIOTTI_645 = (228.1, 0.1641)  # Dogliotti et al. 2015 (ACOLITE Dogliotti/defaults.txt)
NECHAD2009 = {665: (282.95, 0.1728), 670: (294.24, 0.1747)}  # Nechad et al. 2009 turbidity table


def t(rrs: np.ndarray, a: float, c: float) -> np.ndarray:
    rho = np.pi * rrs
    return a * rho / (1 - rho / c)


def main() -> None:
    with netCDF4.Dataset(GRANULE) as f:
        g = f["geophysical_data"]
        r645, r667 = (np.ma.filled(g[v][:].astype(float), np.nan).ravel() for v in ("Rrs_645", "Rrs_667"))
        flags = g["l2_flags"][:].ravel()
    atmfail_land = 0x1 | 0x2
    ok = np.isfinite(r645) & np.isfinite(r667) & (r645 > 0) & (r667 > 0) & (flags & atmfail_land == 0)
    ok &= np.pi * r645 < 0.05
    w = (667 - 665) / (670 - 665)
    a667, c667 = (NECHAD2009[665][k] + w * (NECHAD2009[670][k] - NECHAD2009[665][k]) for k in (0, 1))
    ref = t(r645[ok], *DOGLIOTTI_645)
    # Turbid pixels only: in clear water the red signal is noise.
    turbid = ref > 1.0
    for label, est in [("667 nm, Nechad 2009 A, C at 667", t(r667[ok], a667, c667)),
                       ("667 nm, Dogliotti 645 A, C", t(r667[ok], *DOGLIOTTI_645))]:
        q = est[turbid] / ref[turbid]
        print(f"{label}: N {turbid.sum()} pixels with T(645) > 1 FNU, median T/T(645) {np.median(q):.3f}, "
              f"IQR {np.percentile(q, 25):.3f}-{np.percentile(q, 75):.3f}")


if __name__ == "__main__":
    main()
