"""Effect of l2gen's red band for the colour index on OLCI: 674 nm (the band
`bindex_get(670)` returns on OLCI, OCSSW libl1/windex.c) instead of 665 nm,
on the NASA NOMAD v2 stations (Werdell & Bailey 2005) as OLCI samples.

NOMAD has no 674 nm: Rrs(674) is interpolated linearly between its 670 and
683 nm; 665, 443, 489 (as 490), 510 and 560 nm are NOMAD's own. Prints the
median and maximum relative change of chl_ci and chl_oci (Hu 2019, as NASA
R2022) between the two red bands, on stations where both are valid.

    .venv/bin/python validation/olci_ci_red.py
"""

from __future__ import annotations

import numpy as np

import oceancolour as oc
from nomad import nomad_stations


def olci_samples() -> tuple[dict[int, np.ndarray], dict[int, np.ndarray]]:
    """OLCI Rrs with the CI red at 674 (interpolated) and the same with 665's values in its place."""
    st = nomad_stations()
    r674 = st["Rrs_670"] + (674 - 670) / (683 - 670) * (st["Rrs_683"] - st["Rrs_670"])
    base = {412: st["Rrs_411"], 443: st["Rrs_443"], 490: st["Rrs_489"], 510: st["Rrs_510"], 560: st["Rrs_560"]}
    cols = [*base.values(), st["Rrs_665"], r674]
    ok = np.all([np.isfinite(c) for c in cols], axis=0)
    at_674 = {k: v[ok].astype(np.float32) for k, v in {**base, 665: st["Rrs_665"], 674: r674}.items()}
    # The same stations read with 665's Rrs where the CI takes 674: the former choice.
    at_665 = {**at_674, 674: at_674[665]}
    return at_674, at_665


def main() -> None:
    at_674, at_665 = olci_samples()
    print(f"NOMAD stations with OLCI 412-560, 665, 670 and 683 nm: {at_674[443].size}")
    for name, f in [("chl_ci", lambda r: oc.chl_ci(r, "olci-a", coefficients="hu2019")), ("chl_oci", lambda r: oc.chl_oci(r, "olci-a", ci="hu2019"))]:
        new, old = f(at_674), f(at_665)
        ok = np.isfinite(new) & np.isfinite(old)
        rel = np.abs(new[ok] / old[ok] - 1)
        # Where the CI is in use (chl_CI below t2 = 0.35 with either band); elsewhere
        # CI >= 0 is clipped to 0 or OCI takes OCx, and nothing changes.
        ci_old = oc.chl_ci(at_665, "olci-a", coefficients="hu2019")[ok]
        used = rel[ci_old < 0.35]
        print(f"{name}: N {ok.sum()}, median |change| {np.median(rel):.2%}, 95th {np.percentile(rel, 95):.2%}, "
              f"max {rel.max():.2%}; where the CI is used (N {used.size}): median {np.median(used):.2%}")


if __name__ == "__main__":
    main()
