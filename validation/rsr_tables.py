"""Writes the 1-nm relative spectral response (RSR) tables the library embeds
(src/sensors/rsr/<sensor>.csv) for `convolve_bands` (hyperspectral Rrs, e.g.
PACE OCI, to a multispectral sensor's bands).

Input: the text copies of the published RSRs in ACOLITE's data folder
(../shared/data/external/solar_rsr/, see its README: OLCI-A/B mean SRFs
ESA/EUMETSAT S3A/S3B_OL_SRF_20160713_mean_rsr; MERIS ESA envisat_meris_RSR;
MODIS NASA MCST/OBPG; VIIRS NOAA/NASA DAWG). Each band's response is averaged
over 1-nm bins centred on integer nanometres (linear interpolation of the
published samples on a 0.01-nm grid, then the bin mean), normalised to a peak
of 1, and kept where it is >= 1e-3 of the peak. No SeaWiFS RSR is in that
folder: SeaWiFS is not a convolution target.

    .venv/bin/python validation/rsr_tables.py ../shared/data/external/solar_rsr
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parents[1] / "src" / "sensors" / "rsr"

# registry sensor -> (RSR file, {band label in the file: registry nominal nm})
# ACOLITE's MODIS files number the bands by wavelength (its "Band 1" is MODIS band 8,
# 412 nm; checked by the response-weighted centres), not by MODIS band number.
MODIS = {"1": 412, "2": 443, "3": 469, "4": 488, "5": 531, "6": 547, "7": 555, "8": 645, "9": 667, "10": 678, "11": 748, "12": 859, "13": 869}
OLCI = {"Oa01": 400, "Oa02": 412, "Oa03": 443, "Oa04": 490, "Oa05": 510, "Oa06": 560, "Oa07": 620, "Oa08": 665,
        "Oa09": 674, "Oa10": 681, "Oa11": 709, "Oa12": 754, "Oa16": 779, "Oa17": 865}
MERIS = {"M01": 412, "M02": 443, "M03": 490, "M04": 510, "M05": 560, "M06": 620, "M07": 665, "M08": 681, "M09": 709,
         "M10": 754, "M12": 779, "M13": 865}


def viirs(names: list[int]) -> dict[str, int]:
    return {f"M0{i + 1}": nm for i, nm in enumerate(names)}


TARGETS = {
    "olci-a": ("rsr_S3A_OLCI.txt", OLCI),
    "olci-b": ("rsr_S3B_OLCI.txt", OLCI),
    "meris": ("rsr_EN1_MERIS.txt", MERIS),
    "modis-aqua": ("rsr_Aqua_MODIS.txt", MODIS),
    "modis-terra": ("rsr_Terra_MODIS.txt", MODIS),
    "viirs-snpp": ("rsr_SUOMI-NPP_VIIRS.txt", viirs([410, 443, 486, 551, 671, 745, 862])),
    "viirs-noaa20": ("rsr_JPSS-1_VIIRS.txt", viirs([411, 445, 489, 556, 667, 746, 868])),
    "viirs-noaa21": ("rsr_JPSS-2_VIIRS.txt", viirs([414, 445, 487, 554, 671, 747, 868])),
}


def parse(path: Path) -> dict[str, np.ndarray]:
    """Bands of an ACOLITE RSR text file: label -> (n, 2) wavelength, response."""
    bands: dict[str, list[tuple[float, float]]] = {}
    label = None
    for line in path.read_text().splitlines():
        s = line.strip()
        if not s:
            continue
        if s.startswith((";;", "#")):
            words = s.lstrip(";# ").split()
            if len(words) >= 2 and words[-2].lower() == "band":
                label = words[-1]
                bands[label] = []
            continue
        w, r = s.split()[:2]
        bands[label].append((float(w), float(r)))
    return {k: np.array(v) for k, v in bands.items() if v}


def to_1nm(samples: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    w, r = samples[:, 0], samples[:, 1]
    lo, hi = int(np.floor(w.min())), int(np.ceil(w.max()))
    nm = np.arange(lo, hi + 1)
    fine = np.arange(lo - 0.495, hi + 0.5, 0.01)
    rf = np.interp(fine, w, r, left=0.0, right=0.0)
    binned = np.array([rf[(fine >= n - 0.5) & (fine < n + 0.5)].mean() for n in nm])
    binned /= binned.max()
    keep = binned >= 1e-3
    return nm[keep], binned[keep]


def main(folder: Path) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for sensor, (fname, mapping) in TARGETS.items():
        rsr = parse(folder / fname)
        rows = []
        for label, nominal in mapping.items():
            nm, r = to_1nm(rsr[label])
            rows += [f"{nominal},{int(w)},{v:.6f}" for w, v in zip(nm, r)]
        header = (
            f"# 1-nm relative spectral response of {sensor} (peak 1, >= 1e-3), made by validation/rsr_tables.py from\n"
            f"# {fname} (ACOLITE data/RSR, acolite/acolite@d218a3a; published RSR, see solar_rsr/README.md and src/sensors/rsr.rs)\n"
            "band_nm,wavelength_nm,response\n"
        )
        (OUT / f"{sensor}.csv").write_text(header + "\n".join(rows) + "\n")
        print(sensor, len(mapping), "bands", len(rows), "rows")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
