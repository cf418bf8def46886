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
    .venv/bin/python validation/fonom.py --pace-oci-toml   # the bands of the pace-oci registry row
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


# PACE OCI Level-2 AOP Rrs wavelengths (172 bands, 346-719 nm): the V3.1
# `sensor_band_parameters/wavelength_3d` values, which NASA rounds to integer nm
# (oceandata-notebooks docs/notebooks/oci/V3.2_updates.md; the list as read
# from a PACE_OCI ... L3m.MO.RRS.V3_1.Rrs.4km.nc `wavelength` coordinate, the
# same 172 L2 bands). The registry row `pace-oci` is printed by --pace-oci-toml.
PACE_OCI_BANDS: list[int] = [
    346, 348, 351, 353, 356, 358, 361, 363, 366, 368, 371, 373, 375, 378, 380, 383, 385, 388, 390, 393,
    395, 398, 400, 403, 405, 408, 410, 413, 415, 418, 420, 422, 425, 427, 430, 432, 435, 437, 440, 442,
    445, 447, 450, 452, 455, 457, 460, 462, 465, 467, 470, 472, 475, 477, 480, 482, 485, 487, 490, 492,
    495, 497, 500, 502, 505, 507, 510, 512, 515, 517, 520, 522, 525, 527, 530, 532, 535, 537, 540, 542,
    545, 547, 550, 553, 555, 558, 560, 563, 565, 568, 570, 573, 575, 578, 580, 583, 586, 588, 613, 615,
    618, 620, 623, 625, 627, 630, 632, 635, 637, 640, 641, 642, 643, 645, 646, 647, 648, 650, 651, 652,
    653, 655, 656, 657, 658, 660, 661, 662, 663, 665, 666, 667, 668, 670, 671, 672, 673, 675, 676, 677,
    678, 679, 681, 682, 683, 684, 686, 687, 688, 689, 691, 692, 693, 694, 696, 697, 698, 699, 701, 702,
    703, 704, 706, 707, 708, 709, 711, 712, 713, 714, 717, 719,
]


def fonom_clipped(nominal_nm: int, samples: dict[int, float]) -> tuple[float, int]:
    """As `fonom`, over the samples of the window the spectrum holds (the 1-nm
    file starts at 350 nm: OCI 346-353 nm have partial windows). Returns the
    value and the number of samples averaged. THIS LIBRARY's rule for those
    four bands, not l2gen's (whose OCI F0 source was not read)."""
    window = [w for w in range(nominal_nm - HALF_WIDTH_NM, nominal_nm + HALF_WIDTH_NM + 1) if w in samples]
    return sum(samples[w] for w in window) / len(window) / 10.0, len(window)


def pace_oci_toml(samples: dict[int, float] | None = None) -> str:
    """The `bands = [...]` rows of the registry's pace-oci sensor."""
    s = samples or spectrum()
    rows = []
    for nm in PACE_OCI_BANDS:
        f0, n = fonom_clipped(nm, s)
        note = "" if n == 2 * HALF_WIDTH_NM + 1 else f"  # {n} of 11 samples (spectrum starts at 350 nm)"
        rows.append(f"    {{ nominal = {nm}, centre = {nm}.0, f0 = {f0:.5f} }},{note}")
    return "bands = [\n" + "\n".join(rows) + "\n]"


def table(samples: dict[int, float] | None = None) -> dict[str, dict[int, float]]:
    s = samples or spectrum()
    return {name: {nm: fonom(nm, s) for nm in bands} for name, bands in SENSOR_BANDS.items()}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rust", action="store_true", help="print the rows of sensors::FONOM_THUILLIER2003 (src/sensors.rs)")
    p.add_argument("--pace-oci-toml", action="store_true", help="print the bands of the pace-oci row of src/sensors/registry.toml")
    args = p.parse_args()
    if args.pace_oci_toml:
        print(pace_oci_toml())
        return
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
