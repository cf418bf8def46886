"""Logs and progress where users look (issue 16): Rust records reach Python's `logging`
(loggers `oceancolour.<layer>`, key-value fields as LogRecord attributes), a notebook with no
logging set up still sees errors, the command line's JSON records carry structured fields,
`-v`/`-q` set the level, `oc.process` reports progress to a callback, and the first build
of an open OC5 table says so. The real NASA MODIS-Aqua granule is the input."""

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

import oceancolour as oc

GRANULE = Path(__file__).resolve().parents[1] / "data" / "modisa_l2_real" / "A2007143183000.L2_LAC_OC.x.nc"


class Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def records():
    h = Collect()
    logger = logging.getLogger("oceancolour")
    old = logger.level
    logger.addHandler(h)
    logger.setLevel(logging.INFO)
    yield h.records
    logger.removeHandler(h)
    logger.setLevel(old)


def test_library_records_reach_python_logging_with_fields(records, tmp_path):
    oc.process([GRANULE], tmp_path, products=["chl_ocx"], quicklook=False)
    wrote = [r for r in records if r.getMessage().startswith("wrote ")]
    assert len(wrote) == 1
    r = wrote[0]
    assert r.name == "oceancolour.chain" and r.levelno == logging.INFO
    assert r.product == "chl_ocx" and Path(r.input) == GRANULE and Path(r.output).exists()
    assert int(r.valid) > 0 and int(r.total) >= int(r.valid) and float(r.seconds) > 0


def test_a_notebook_without_logging_setup_sees_errors(tmp_path):
    bad = tmp_path / "corrupt.nc"
    bad.write_bytes(b"\x89HDF\r\n\x1a\n" + b"\0" * 100)
    code = f"import oceancolour as oc; r = oc.process([{str(bad)!r}], {str(tmp_path / 'out')!r}, products=['chl_ocx']); print(len(r['failed']))"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and r.stdout.strip() == "1"
    assert "corrupt.nc" in r.stderr  # logging's last-resort handler prints the ERROR record


def test_json_log_lines_carry_structured_fields(tmp_path):
    r = subprocess.run([sys.executable, "-m", "oceancolour", "--log-format", "json", "process", str(GRANULE), "-o", str(tmp_path),
                        "--products", "chl_ocx", "--no-quicklook"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    lines = [json.loads(x) for x in r.stderr.splitlines() if x.startswith("{")]
    wrote = [x for x in lines if x["message"].startswith("wrote ")]
    assert len(wrote) == 1
    w = wrote[0]
    assert w["product"] == "chl_ocx" and w["input"] == str(GRANULE) and w["level"] == "INFO"
    assert isinstance(w["valid"], int) and isinstance(w["seconds"], (int, float)) and w["valid"] > 0


def test_verbose_and_quiet(tmp_path):
    def run(*flags):
        return subprocess.run([sys.executable, "-m", "oceancolour", *flags, "sensors"], capture_output=True, text=True, timeout=60)

    assert run("-v").returncode == 0 and run("-q").returncode == 0
    both = run("-q", "-v")
    assert both.returncode == 2 and "cannot be used with" in both.stderr


def test_process_reports_progress(tmp_path):
    calls = []
    oc.process([GRANULE], tmp_path, products=["chl_ocx"], quicklook=False, progress=lambda *a: calls.append(a))
    names = {c[0] for c in calls}
    assert names == {GRANULE.name.removesuffix(".nc")}
    done = [c[1] for c in calls]
    assert done == sorted(done) and done[0] == 0 and calls[-1][1] == calls[-1][2] > 0


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # the broken callback, reported as unraisable
def test_progress_must_be_callable_and_may_fail(tmp_path):
    with pytest.raises(oc.OceanColourError, match="callable"):  # argument errors are the library's (issue 17)
        oc.process([GRANULE], tmp_path, progress=3)

    def broken(*_):
        raise RuntimeError("bar broke")

    r = oc.process([GRANULE], tmp_path / "b", products=["chl_ocx"], quicklook=False, progress=broken)
    assert r["failed"] == [] and len(r["written"]) == 1


def test_first_table_build_says_so(tmp_path):
    env = {**os.environ, "OCEANCOLOUR_CACHE_DIR": str(tmp_path / "cache")}
    r = subprocess.run([sys.executable, "-m", "oceancolour", "process", str(GRANULE), "-o", str(tmp_path / "out"), "--products", "chl_oc5",
                        "--no-quicklook"], capture_output=True, text=True, timeout=600, env=env)
    assert r.returncode == 0, r.stderr
    assert "building the open OC5 table of modis-aqua" in r.stderr and "built the open OC5 table" in r.stderr
    again = subprocess.run(r.args, capture_output=True, text=True, timeout=600, env=env)
    assert "building the open OC5 table" not in again.stderr  # cached
