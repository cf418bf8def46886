"""Smoke test of an installed wheel, run by `./dev test` in a fresh venv with no Rust toolchain
on PATH and outside the source tree (so `import oceancolour` can only find the wheel).

The expected chlorophyll is computed here from the published OC3 polynomial for MODIS-Aqua,
O'Reilly & Werdell 2019, Remote Sens. Environ. 229:32-47, Table 6 (NASA R2022 chlor_a OCx):
a = 0.26294, -2.64669, 1.28364, 1.08209, -1.76828, bands max(443, 488) / 547.
"""
import importlib.metadata as md
import pathlib
import shutil
import subprocess

import numpy as np

import oceancolour as oc

assert shutil.which("cargo") is None and shutil.which("rustc") is None, "Rust toolchain on PATH"
here = pathlib.Path(oc.__file__).resolve()
assert "site-packages" in here.parts, f"imported from {here}, not from the installed wheel"

rrs = {443: np.array([0.008, 0.004]), 488: np.array([0.007, 0.005]), 547: np.array([0.003, 0.004])}
r = np.log10(np.maximum(rrs[443], rrs[488]) / rrs[547])
a = [0.26294, -2.64669, 1.28364, 1.08209, -1.76828]
expected = 10 ** sum(ai * r**i for i, ai in enumerate(a))
got = oc.chl_ocx(rrs, sensor="modis-aqua")
np.testing.assert_allclose(got, expected, rtol=1e-5)

files = {str(f) for f in md.files("oceancolour") or []}
for name in ("LICENSE", "LICENSE-THIRD-PARTY.md"):
    assert any(f.endswith(name) and "licenses" in f for f in files), f"{name} not in the wheel's dist-info"

cli = shutil.which("oceancolour")
assert cli is not None, "oceancolour console script not installed"
res = subprocess.run([cli, "--help"], capture_output=True, text=True)
assert res.returncode == 0 and "process" in res.stdout, res.stderr
print("wheel smoke test passed:", here.parent, got)
