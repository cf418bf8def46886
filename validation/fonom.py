"""l2gen's nominal band F0 ("Fonom") from the Thuillier 2003 spectrum.

Rule (OCSSW `libl1/get_f0.c` `get_f0_thuillier_ext`, called with the band's
integer nominal wavelength `iwave` and `BANDW` = 10 from `l1_io.c` /
`filehandle_init.c` when `outband_opt >= 2`): the mean of the 1-nm samples
from nominal - 5 to nominal + 5 nm (11 samples). The table is in
W m-2 um-1 (= mW m-2 nm-1); dividing by 10 gives mW cm-2 um-1, the unit of
nLw in SeaDAS and of the OC5 table axes. l2gen then computes Rrs = nLw / Fonom
(`atmocor2.c`) and writes Fonom x 10 as each `Rrs_NNN:solar_irradiance`.

Spectrum: validation/data/thuillier2003_1nm.csv, Thuillier G. et al. (2003),
Solar Physics 214:1-22 (ATLAS/SOLSPEC composite), 1-nm text copy from the
ACOLITE data folder (see validation/data/README.md).

    .venv/bin/python validation/fonom.py          # table of every sensor's Fonom
    .venv/bin/python validation/fonom.py --rust   # the rows of FONOM_THUILLIER2003 in src/sensors.rs
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

SPECTRUM = Path(__file__).parent / "data" / "thuillier2003_1nm.csv"
HALF_WIDTH_NM = 5  # BANDW / 2 in get_f0.c

# Nominal wavelengths (nm) per sensor: the OBPG `Rrs_NNN` names held in the
# sensor registry (src/sensors/registry.toml), new sensors included.
# MODIS-Terra has MODIS-Aqua's band names; OLCI-C has OLCI's.
# VIIRS NOAA-21 (JPSS-2): PROVISIONAL names, the RSR-weighted centres of the
# J2 at-launch responses (VIIRS DAWG V2, Jul 2019; solar_rsr/rsr_JPSS-2_VIIRS.txt)
# rounded to 1 nm; OBPG's own names for NOAA-21 were not read.
SENSOR_BANDS: dict[str, list[int]] = {
    "seawifs": [412, 443, 490, 510, 555, 670, 765, 865],
    "modis-aqua": [412, 443, 469, 488, 531, 547, 555, 645, 667, 678, 748, 859, 869],
    "modis-terra": [412, 443, 469, 488, 531, 547, 555, 645, 667, 678, 748, 859, 869],
    "meris": [412, 443, 490, 510, 560, 620, 665, 681, 709, 754, 779, 865],
    "viirs-snpp": [410, 443, 486, 551, 671, 745, 862],
    "viirs-noaa20": [411, 445, 489, 556, 667, 746, 868],
    "viirs-noaa21": [414, 445, 487, 554, 671, 747, 868],
    "olci-a": [400, 412, 443, 490, 510, 560, 620, 665, 674, 681, 709, 754, 779, 865],
    "olci-b": [400, 412, 443, 490, 510, 560, 620, 665, 674, 681, 709, 754, 779, 865],
    "olci-c": [400, 412, 443, 490, 510, 560, 620, 665, 674, 681, 709, 754, 779, 865],
}


def spectrum(path: Path = SPECTRUM) -> dict[int, float]:
    """The 1-nm samples: wavelength (nm) -> irradiance (W m-2 um-1)."""
    with open(path, newline="") as f:
        rows = csv.DictReader(f)
        return {int(float(r["wavelength_nm"])): float(r["f0_W_m2_um"]) for r in rows}


def fonom(nominal_nm: int, samples: dict[int, float]) -> float:
    """Fonom (mW cm-2 um-1) of a band with integer nominal wavelength."""
    window = range(nominal_nm - HALF_WIDTH_NM, nominal_nm + HALF_WIDTH_NM + 1)
    missing = [w for w in window if w not in samples]
    if missing:
        raise ValueError(f"{nominal_nm} nm: the spectrum has no sample at {missing} nm")
    return sum(samples[w] for w in window) / len(window) / 10.0


def table(samples: dict[int, float] | None = None) -> dict[str, dict[int, float]]:
    s = samples or spectrum()
    return {name: {nm: fonom(nm, s) for nm in bands} for name, bands in SENSOR_BANDS.items()}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rust", action="store_true", help="print the rows of sensors::FONOM_THUILLIER2003 (src/sensors.rs)")
    args = p.parse_args()
    t = table()
    if args.rust:
        # Fonom depends on the nominal wavelength only: one row per wavelength.
        by_nm = sorted({nm: v for values in t.values() for nm, v in values.items()}.items())
        for k in range(0, len(by_nm), 6):
            print("    " + " ".join(f"({nm}, {v:.5f})," for nm, v in by_nm[k : k + 6]))
        return
    for name, values in t.items():
        print(f"{name:13s} " + "  ".join(f"{nm}:{v:.5f}" for nm, v in values.items()))


if __name__ == "__main__":
    main()
