"""This library against NASA on NASA's own file: the real MODIS-Aqua R2018.0
Level-2 granule in tests/data/modisa_l2_real (NASA OBPG,
doi:10.5067/AQUA/MODIS/L2/OC/2018). Recomputes NASA's chl_ocx, chlor_a and
Kd_490 from the file's Rrs with R2018's choices (the `r2018` preset: OC3M v6,
Hu et al. 2012 CI, 0.15/0.20, KD2M) and prints, per product and flag mask,
the relative differences and how the valid pixels agree; and l2gen's Fonom
against the file's solar_irradiance. The figures of docs/nasa-fidelity.md;
tests/python/test_nasa_fidelity.py asserts them.

    .venv/bin/python validation/nasa_fidelity.py
"""

from __future__ import annotations

from pathlib import Path

import netCDF4
import numpy as np

import oceancolour as oc

ROOT = Path(__file__).resolve().parents[1]
GRANULE = ROOT / "tests" / "data" / "modisa_l2_real" / "A2007143183000.L2_LAC_OC.x.nc"
BANDS = [412, 443, 469, 488, 531, 547, 555, 645, 667, 678]
R2018 = {"ocx": "oc3m-547", "ci": "hu2012", "kd2": "kd2m"}
# NASA's operational Level-3 exclusion flags (R2018.0 L3 files' l2_flag_names).
L3_FLAGS = ["ATMFAIL", "LAND", "HILT", "HISATZEN", "STRAYLIGHT", "CLDICE", "COCCOLITH", "LOWLW", "CHLWARN",
            "CHLFAIL", "NAVWARN", "MAXAERITER", "ATMWARN", "HISOLZEN", "NAVFAIL", "FILTER", "HIGLINT"]
PAIRS = [("chl_ocx", "chl_ocx"), ("chl_oci", "chlor_a"), ("kd490", "Kd_490")]


def flag_mask(flags_var, names):
    table = dict(zip(flags_var.flag_meanings.split(), (int(m) & 0xFFFFFFFF for m in flags_var.flag_masks)))
    return sum(table[n] for n in names)


def load(path: Path = GRANULE) -> dict:
    with netCDF4.Dataset(path) as f:
        g = f["geophysical_data"]
        return {
            "rrs": {b: np.ma.filled(g[f"Rrs_{b}"][:].astype(np.float32), np.nan) for b in BANDS},
            "nasa": {k: np.ma.filled(g[k][:].astype(np.float64), np.nan) for _, k in PAIRS},
            "flags": g["l2_flags"][:].astype(np.int64) & 0xFFFFFFFF,
            "e0": {b: float(g[f"Rrs_{b}"].solar_irradiance) for b in BANDS},
            "masks": {"ATMFAIL|LAND": flag_mask(g["l2_flags"], ["ATMFAIL", "LAND"]),
                      "NASA L3 default": flag_mask(g["l2_flags"], L3_FLAGS)},
            "lat": f["navigation_data/latitude"][:].astype(np.float32),
            "lon": f["navigation_data/longitude"][:].astype(np.float32),
        }


def products(g: dict) -> dict[str, np.ndarray]:
    """This library's products, keyed by NASA's names."""
    rrs = g["rrs"]
    return {
        "chl_ocx": oc.chl_ocx(rrs, "modis-aqua", coefficients=R2018["ocx"]),
        "chlor_a": oc.chl_oci(rrs, "modis-aqua", ocx=R2018["ocx"], ci=R2018["ci"]),
        "Kd_490": oc.kd490(rrs, "modis-aqua", coefficients=R2018["kd2"]),
    }


def compare(ours: np.ndarray, nasa: np.ndarray, excluded: np.ndarray) -> dict:
    """Relative differences where both have a value, and how the valid pixels agree."""
    ours = np.where(excluded, np.nan, ours.astype(np.float64))
    nasa = np.where(excluded, np.nan, nasa)
    both = np.isfinite(ours) & np.isfinite(nasa)
    rel = np.abs(ours[both] / nasa[both] - 1)
    return {"nasa_valid": int(np.isfinite(nasa).sum()), "both": int(both.sum()),
            "ours_only": int((np.isfinite(ours) & ~np.isfinite(nasa)).sum()),
            "median": float(np.median(rel)), "p99": float(np.percentile(rel, 99)), "max": float(rel.max())}


def main() -> None:
    import fonom

    g = load()
    samples = fonom.spectrum()
    print("F0: l2gen's Fonom rule (validation/fonom.py) vs the file's Rrs_NNN:solar_irradiance / 10")
    for b in BANDS:
        rule, file_f0 = fonom.fonom(b, samples), g["e0"][b] / 10
        print(f"  {b} nm: rule {rule:.5f}, file {file_f0:.5f}, relative {file_f0 / rule - 1:+.1e}")
    ours = products(g)
    for mask_name, mask in g["masks"].items():
        excluded = (g["flags"] & mask) != 0
        print(f"mask {mask_name} (0x{mask:08X}):")
        for our_name, nasa_name in PAIRS:
            c = compare(ours[nasa_name], g["nasa"][nasa_name], excluded)
            print(f"  {our_name} vs NASA {nasa_name}: NASA valid {c['nasa_valid']}, ours on {c['both']} of them "
                  f"({c['both'] / c['nasa_valid']:.4%}), ours where NASA has none {c['ours_only']}; "
                  f"relative difference median {c['median']:.1e}, 99th pct {c['p99']:.1e}, max {c['max']:.1e}")


if __name__ == "__main__":
    main()
