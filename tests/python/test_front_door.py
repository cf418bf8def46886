"""One command-line front door: `oceancolour --help` lists every subcommand,
the Python-backed ones included, and the global options work before them."""

import subprocess
import sys


def run(*args):
    return subprocess.run([sys.executable, "-m", "oceancolour", *args], capture_output=True, text=True, timeout=120)


def test_help_lists_every_subcommand():
    r = run("--help")
    assert r.returncode == 0, r.stderr
    listed = {line.split()[0] for line in r.stdout.split("Commands:")[1].split("Options:")[0].splitlines() if line.strip()}
    assert {"process", "info", "demo", "bin", "intercal", "merge", "l4", "simulate", "lut", "validate", "matchup"} <= listed


def test_global_options_before_a_python_subcommand():
    r = run("-q", "--log-format", "text", "lut", "--help")
    assert r.returncode == 0, r.stderr
    assert "usage: oceancolour lut" in r.stdout


def test_global_options_after_a_python_subcommand(tmp_path):
    # As clap's global options after a Rust subcommand: taken out before lut's own parser.
    missing = tmp_path / "missing.nc"
    r = run("lut", "-q", "inspect", str(missing), "--log-format=text")
    assert "unrecognized arguments" not in r.stderr, r.stderr
    assert str(missing) in r.stderr and r.returncode != 0


def test_python_json_records_have_the_rust_keys(tmp_path):
    import json
    import logging

    from oceancolour.__main__ import _JsonRecords

    # A record the Rust side writes (a refused request), and one of the Python side.
    r = run("--log-format", "json", "process", str(tmp_path / "missing.nc"), "-o", str(tmp_path))
    rust = json.loads(r.stderr.strip().splitlines()[-1])
    rec = logging.LogRecord("oceancolour", logging.WARNING, __file__, 1, "a %s", ("warning",), None)
    py = json.loads(_JsonRecords().format(rec))
    assert set(py) == set(rust) == {"level", "message", "time"}
    assert py["level"] == "WARN" and py["message"] == "a warning"
    assert len(py["time"]) == len(rust["time"]) and py["time"].endswith("Z")
