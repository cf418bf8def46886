"""Numpy prototype (issue 14) of the EUNOSAT red/NIR chlorophyll blend, NOT yet in the library.

Gons et al. 2005 red/NIR chlorophyll and the EUNOSAT blend as coded in the RBINS
EUNOSAT/DCS4COP scripts (../shared/science/algorithms.md s1.8 and s4.7; "derived":
the paper link of the thresholds is uncertain, the two scripts disagree on constants).
rho = pi * Rrs (dimensionless).

    bb   = 1.61 rho779 / (0.082 - 0.6 rho779)
    Gons = [(rho709 / rho665) (aw709 + bb) - aw665 - bb**p] / a*
    aw709 = 0.70, aw665 = 0.40 m-1

Both published constant sets (algorithms.md s4.7), selectable by name:
- "a016-p106": a* = 0.016 m2 mg-1, p = 1.06 (one RBINS script);
- "a0146-p105": a* = 0.0146, p = 1.05 (the other; the script multiplies by 1/0.0146).
Which set goes with which processing (Polymer / C2RCC) is not documented; NOT assigned here.

Blend thresholds (algorithms.md s1.8): Gons used when OC4 >= 8.5 and rho665 >= 0.0081
(version A, Polymer) or OC4 >= 8.1 and rho665 >= 0.0076 (version B, C2RCC), and Gons > 2.
Final value = mean of the valid OC4Me, OC5 and Gons. The OC4Me/OC5 validity tests (the
SPM/CDOM quadratic flags of s1.8) are not applied in this prototype: finite = valid.
The CoastColour half has no 779 nm band, so this prototype is not evaluated on it.
"""

from __future__ import annotations

import numpy as np

AW709, AW665 = 0.70, 0.40  # pure-water absorption (m-1), RBINS scripts (algorithms.md s4.7)
GONS_CONSTANTS = {"a016-p106": (0.016, 1.06), "a0146-p105": (0.0146, 1.05)}  # (a*, p), algorithms.md s4.7
BLEND_THRESHOLDS = {"A": (8.5, 0.0081), "B": (8.1, 0.0076)}  # (OC4 min, rho665 min), algorithms.md s1.8
GONS_MIN = 2.0  # mg m-3, algorithms.md s1.8


def chl_gons(rrs665, rrs709, rrs779, constants="a016-p106"):
    a_star, p = GONS_CONSTANTS[constants]
    r665, r709, r779 = (np.pi * np.asarray(x, float) for x in (rrs665, rrs709, rrs779))
    bb = 1.61 * r779 / (0.082 - 0.6 * r779)
    with np.errstate(invalid="ignore", divide="ignore"):
        chl = ((r709 / r665) * (AW709 + bb) - AW665 - bb**p) / a_star
    return np.where((r665 > 0) & (bb >= 0) & np.isfinite(chl), chl, np.nan)


def chl_eunosat(oc4me, oc5, rrs665, rrs709, rrs779, constants="a016-p106", version="A"):
    oc4_min, rho665_min = BLEND_THRESHOLDS[version]
    gons = chl_gons(rrs665, rrs709, rrs779, constants)
    use_gons = (oc4me >= oc4_min) & (np.pi * np.asarray(rrs665) >= rho665_min) & (gons > GONS_MIN)
    stack = np.stack([np.asarray(oc4me, float), np.asarray(oc5, float), np.where(use_gons, gons, np.nan)])
    n = np.isfinite(stack).sum(axis=0)
    return np.where(n > 0, np.nansum(stack, axis=0) / np.maximum(n, 1), np.nan)
