"""The hand-written stubs (_core.pyi) match the compiled module
(mypy.stubtest: names, signatures, defaults), and the Python sources of the
package type-check against them (mypy)."""

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("mypy")
ROOT = Path(__file__).resolve().parents[2]


def run(*args):
    r = subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_stubtest_core():
    run("mypy.stubtest", "oceancolour._core", "--allowlist", "python/stubtest-allowlist.txt")


def test_mypy_package_sources():
    run("mypy", "python/oceancolour")


def test_public_functions_have_signatures_and_documented_units_and_sources():
    import inspect
    import re

    import oceancolour as oc

    units = {"chl": "mg m-3", "kd": "m-1", "spm": "g m-3", "turbidity": "FNU"}
    for name in oc.__all__:
        f = getattr(oc, name)
        if not callable(f) or isinstance(f, type):
            continue
        assert f.__doc__ and len(f.__doc__) > 30, name
        inspect.signature(f)  # help() shows the parameters, not "(*args, **kwargs)"
        kind = name.split("_")[0].rstrip("0123456789")
        if kind in units:
            assert units[kind] in f.__doc__, name
            assert re.search(r"(19|20)\d\d|NASA", f.__doc__), f"{name}: no source"
