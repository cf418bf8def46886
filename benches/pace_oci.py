"""PACE OCI L2 AOP through `oceancolour process --sensor-bands olci-a`: peak
memory (RSS of the child process) and throughput (Mpixel/s) against reading
the same Rrs with netCDF4-python, on a SIMULATED OCI-sized granule
(1272 pixels x 172 bands, int16 Rrs packed as NASA's: scale 2e-6, offset
0.05, fill -32767; deflate level 1, chunks of 16 lines x 1272 x 172).

Runs at 1/4, 1/2 and all of the 1710 lines of a granule so that the scaling
of memory and time with the number of lines shows (a bounded reader keeps
its peak RSS flat). Products: chl_ocx, chl_oc5, spm_nechad, kd490 on the
OLCI-A virtual bands. The reference reads Rrs in the same blocks of 256
lines (masked and scaled by netCDF4-python, float32), which is what any
Python code must do before computing anything.

Run: .venv/bin/python benches/pace_oci.py [--lines 428,855,1710]
"""

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import netCDF4
import numpy as np

import oceancolour as oc

COLS, NW, CHUNK = 1272, 172, 16
FLAGS = ("ATMFAIL LAND PRODWARN HIGLINT HILT HISATZEN COASTZ SPARE STRAYLIGHT CLDICE COCCOLITH TURBIDW HISOLZEN "
         "SPARE LOWLW CHLFAIL NAVWARN ABSAER SPARE MAXAERITER MODGLINT CHLWARN ATMWARN SPARE SEAICE NAVFAIL FILTER "
         "SPARE BOWTIEDEL HIPOL PRODFAIL SPARE")


def write_granule(path: Path, lines: int) -> None:
    wl = np.array([b["nominal"] for b in oc.sensor_info("pace-oci")["bands"]], dtype=float)
    # 64 bio-optical-model spectra (400-699 nm, held flat beyond), picked per pixel.
    chl = 10 ** np.linspace(-1.5, 1.5, 64)
    spm = np.tile([0.0, 0.5, 2.0, 8.0], 16)
    model = oc.forward_rrs(chl, None, spm, "pace-oci")
    known = np.array(sorted(model), dtype=float)
    table = np.stack([model[int(known[np.argmin(np.abs(known - w))])] for w in wl], axis=-1)
    packed = np.round((table - 0.05) / 2e-6).astype(np.int16)
    rng = np.random.default_rng(0)
    with netCDF4.Dataset(path, "w") as d:
        d.instrument, d.platform, d.title = "OCI", "PACE", "OCI Level-2 Data"
        d.comment = "SIMULATED benchmark granule"
        d.createDimension("number_of_lines", lines)
        d.createDimension("pixels_per_line", COLS)
        d.createDimension("wavelength_3d", NW)
        sbp, geo, nav = (d.createGroup(g) for g in ("sensor_band_parameters", "geophysical_data", "navigation_data"))
        sbp.createVariable("wavelength_3d", "i4", ("wavelength_3d",))[:] = wl.astype(np.int32)
        v = geo.createVariable("Rrs", "i2", ("number_of_lines", "pixels_per_line", "wavelength_3d"),
                               fill_value=np.int16(-32767), zlib=True, complevel=1, chunksizes=(CHUNK, COLS, NW))
        v.set_auto_maskandscale(False)
        v.scale_factor, v.add_offset, v.units = np.float32(2e-6), np.float32(0.05), "sr^-1"
        f = geo.createVariable("l2_flags", "i4", ("number_of_lines", "pixels_per_line"), zlib=True, complevel=1)
        f.flag_masks = np.array([1 << i for i in range(31)] + [-(1 << 31)], dtype=np.int64).astype(np.int32)
        f.flag_meanings = FLAGS
        la = nav.createVariable("latitude", "f4", ("number_of_lines", "pixels_per_line"), zlib=True, complevel=1)
        lo = nav.createVariable("longitude", "f4", ("number_of_lines", "pixels_per_line"), zlib=True, complevel=1)
        for r0 in range(0, lines, 64):
            n = min(64, lines - r0)
            v[r0:r0 + n] = packed[rng.integers(0, len(packed), (n, COLS))]
            f[r0:r0 + n] = np.where(rng.random((n, COLS)) < 0.1, 1 << 9, 0).astype(np.int32)
            la[r0:r0 + n] = np.linspace(30, 45, lines)[r0:r0 + n, None] + np.zeros(COLS)
            lo[r0:r0 + n] = np.linspace(-20, -5, COLS)[None, :] + np.zeros((n, 1))


def run_child(args: list[str]) -> tuple[float, float, subprocess.CompletedProcess]:
    """Wall time (s) and peak RSS (MiB) of one child process."""
    t = time.perf_counter()
    p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t
    out, err = p.stdout.read(), p.stderr.read()
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        sys.exit(f"{args} failed:\n{err}")
    return wall, usage.ru_maxrss / 1024, subprocess.CompletedProcess(args, p.returncode, out, err)


READ_NETCDF4 = """
import sys, netCDF4, numpy as np
with netCDF4.Dataset(sys.argv[1]) as d:
    v = d["geophysical_data/Rrs"]
    total = 0.0
    for r0 in range(0, v.shape[0], 256):
        block = v[r0:r0 + 256].astype(np.float32)  # masked at fill, scaled, as any Python reader
        total += float(np.ma.sum(block[..., 40]))
print(total)
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", default="428,855,1710", help="granule sizes in lines (comma-separated)")
    a = ap.parse_args()
    print(f"oceancolour {oc.__version__}; {os.cpu_count()} CPUs; granule {COLS} pixels x {NW} bands, int16, deflate 1")
    print(f"{'lines':>6} {'file MB':>8} | {'process s':>9} {'Mpx/s':>6} {'peak MiB':>8} | {'netCDF4 s':>9} {'Mpx/s':>6} {'peak MiB':>8} | ratio")
    with tempfile.TemporaryDirectory() as tmp:
        for lines in map(int, a.lines.split(",")):
            path = Path(tmp) / f"PACE_OCI.20240501T170000.L2.OC_AOP.V3_1.{lines}.nc"
            write_granule(path, lines)
            mpx = lines * COLS / 1e6
            out = Path(tmp) / f"out{lines}"
            t_oc, rss_oc, _ = run_child([sys.executable, "-m", "oceancolour", "-q", "process", str(path), "-o", str(out),
                                         "--sensor-bands", "olci-a", "--products", "chl_ocx,chl_oc5,spm_nechad,kd490",
                                         "--no-quicklook", "--jobs", "1"])
            t_nc, rss_nc, _ = run_child([sys.executable, "-c", READ_NETCDF4, str(path)])
            print(f"{lines:>6} {path.stat().st_size / 1e6:>8.0f} | {t_oc:>9.2f} {mpx / t_oc:>6.2f} {rss_oc:>8.0f} | "
                  f"{t_nc:>9.2f} {mpx / t_nc:>6.2f} {rss_nc:>8.0f} | {t_nc / t_oc:.2f}x")
            path.unlink()
    print(f"(this process: peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB while writing)")


if __name__ == "__main__":
    main()
