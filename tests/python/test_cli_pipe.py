"""`oceancolour info f | head -1`: the command ends quietly on a closed pipe (no panic, no
traceback), through the pip console script's entry point (python -m oceancolour)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
L2 = ROOT / "tests/data/modisa_l2_real/A2007143183000.L2_LAC_OC.x.nc"


def test_info_into_closed_pipe_exits_quietly():
    p = subprocess.Popen([sys.executable, "-m", "oceancolour", "info", str(L2)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert p.stdout is not None and p.stderr is not None
    first = p.stdout.readline()
    p.stdout.close()  # what `head -1` does after its line
    err = p.stderr.read().decode()
    rc = p.wait(timeout=60)
    assert first.strip(), "info printed nothing"
    assert "panicked" not in err and "Traceback" not in err and "Broken pipe" not in err, err
    assert rc in (0, -13), rc  # done, or ended by SIGPIPE like any Unix tool


def test_shell_pipeline_head():
    r = subprocess.run(f'"{sys.executable}" -m oceancolour info "{L2}" | head -1', shell=True,
                       capture_output=True, text=True, timeout=60)
    assert r.stdout.count("\n") == 1 and r.stderr == "", r.stderr
