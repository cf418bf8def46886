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
