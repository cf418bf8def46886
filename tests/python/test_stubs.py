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
