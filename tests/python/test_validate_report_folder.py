"""`validate --report DIR` / `matchup --report DIR` write only the report's own files
(issue 17): an existing folder that is not a previous report is refused (exit 2, one
line), a file given as DIR is left where it is, what the tool did not write is never
deleted, and `--report .` does not hurt the current folder. Each case runs the real
`oceancolour` command in a subprocess and checks every file's bytes before and after."""

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("pandas")
pytest.importorskip("matplotlib")
netCDF4 = pytest.importorskip("netCDF4")

MARKER = ".oceancolour-report.json"


def _write_nc(path, name, values, **more):
    with netCDF4.Dataset(path, "w") as ds:
        ds.createDimension("y", values.shape[0])
        ds.createDimension("x", values.shape[1])
        for n, v in {name: values, **more}.items():
            ds.createVariable(n, "f4", ("y", "x"))[:] = v
    return path


def _inputs(folder: Path, bias=1.0):
    rng = np.random.default_rng(7)
    ref = 10 ** rng.normal(0, 0.4, (20, 30))
    return (_write_nc(folder / "legacy.nc", "CHL_OC5", ref, SPM=ref),
            _write_nc(folder / "new.nc", "chl", ref * bias, spm=ref))


def _validate(ref, cand, report, cwd=None, variables=("chl=CHL_OC5",)):
    cmd = [sys.executable, "-m", "oceancolour", "validate", "--reference", str(ref), "--candidate", str(cand),
           "--variables", *variables, "--tolerance", "chl=rel:1e-3", "--report", str(report)]
    return subprocess.run(cmd, capture_output=True, text=True, cwd=cwd)


def _snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
            for p in sorted(folder.rglob("*"))}


def _one_line_error(r, *words):
    assert r.returncode == 2, r.stdout + r.stderr
    assert "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    for w in words:
        assert w in lines[0], lines[0]


def test_existing_folder_with_the_inputs_is_refused_and_untouched(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    ref, cand = _inputs(data)
    (data / "notes.txt").write_text("mine")
    before = _snapshot(tmp_path)
    r = _validate(ref, cand, data)
    _one_line_error(r, str(data), "not empty", "not an oceancolour report")
    assert _snapshot(tmp_path) == before


def test_existing_file_given_as_report_folder_stays(tmp_path):
    ref, cand = _inputs(tmp_path)
    target = tmp_path / "report"
    target.write_text("a file, not a folder")
    before = _snapshot(tmp_path)
    r = _validate(ref, cand, target)
    _one_line_error(r, str(target), "not a folder")
    assert _snapshot(tmp_path) == before


def test_report_dot_in_a_working_folder_is_refused(tmp_path):
    ref, cand = _inputs(tmp_path)
    before = _snapshot(tmp_path)
    r = _validate(ref.name, cand.name, ".", cwd=tmp_path)
    _one_line_error(r, "not an oceancolour report")
    assert _snapshot(tmp_path) == before


def test_report_dot_in_an_empty_folder_writes_there(tmp_path):
    ref, cand = _inputs(tmp_path)
    here = tmp_path / "here"
    here.mkdir()
    r = _validate(ref, cand, ".", cwd=here)
    assert r.returncode == 0, r.stderr
    assert here.is_dir() and (here / "summary.html").is_file() and (here / MARKER).is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["here", "legacy.nc", "new.nc"]  # nothing beside it


def test_rerun_replaces_only_the_previous_reports_files(tmp_path):
    ref, cand = _inputs(tmp_path)
    (tmp_path / "b").mkdir()
    _, biased = _inputs(tmp_path / "b", bias=1.02)
    rep = tmp_path / "rep"
    r = _validate(ref, cand, rep, variables=("chl=CHL_OC5", "spm=SPM"))
    assert r.returncode == 0, r.stderr
    marker = json.loads((rep / MARKER).read_text())
    assert "spm_scatter.png" in marker["files"] and "summary.json" in marker["files"]
    assert json.loads((rep / "summary.json").read_text())["passed"] is True
    # The user adds a file of their own, and a tampered marker claims it and a file outside.
    (rep / "notes.txt").write_text("mine")
    outside = tmp_path / "outside.txt"
    outside.write_text("mine too")
    marker["files"] += ["../outside.txt", str(outside)]
    (rep / MARKER).write_text(json.dumps(marker))
    r = _validate(ref, biased, rep)
    assert r.returncode == 1, r.stderr  # the gate fails: the report is still written
    assert json.loads((rep / "summary.json").read_text())["passed"] is False
    assert (rep / "notes.txt").read_text() == "mine" and outside.read_text() == "mine too"
    # spm was not compared this time: its plots, written by the first run, are gone.
    assert not list(rep.glob("spm_*"))
    files = json.loads((rep / MARKER).read_text())["files"]
    assert sorted(files) == sorted(p.name for p in rep.iterdir() if p.name not in ("notes.txt", MARKER))
    assert not [p for p in tmp_path.rglob(".*") if p.name != MARKER]  # no staging folder left


def test_user_file_with_a_report_name_is_not_overwritten(tmp_path):
    ref, cand = _inputs(tmp_path)
    rep = tmp_path / "rep"
    assert _validate(ref, cand, rep).returncode == 0
    marker = json.loads((rep / MARKER).read_text())
    marker["files"].remove("summary.md")  # as if the user had written summary.md there
    (rep / MARKER).write_text(json.dumps(marker))
    (rep / "summary.md").write_text("my own summary")
    r = _validate(ref, cand, rep)
    _one_line_error(r, "summary.md", "not written by oceancolour")
    assert (rep / "summary.md").read_text() == "my own summary"


def test_empty_existing_folder_is_used(tmp_path):
    ref, cand = _inputs(tmp_path)
    rep = tmp_path / "empty"
    rep.mkdir()
    assert _validate(ref, cand, rep).returncode == 0
    assert (rep / "summary.md").is_file() and (rep / MARKER).is_file()


def test_matchup_report_refuses_a_foreign_folder(tmp_path):
    grid = _write_nc(tmp_path / "chl.nc", "chl", np.full((4, 4), 1.0))
    table = tmp_path / "insitu.csv"
    table.write_text("lat,lon,chl\n1,1,1.0\n")
    folder = tmp_path / "results"
    folder.mkdir()
    (folder / "keep.csv").write_text("x")
    before = _snapshot(tmp_path)
    r = subprocess.run([sys.executable, "-m", "oceancolour", "matchup", "--insitu", str(table), "--products",
                        f"a={grid}:chl", "--columns", "lat=lat", "lon=lon", "insitu=chl", "--time-window", "none",
                        "--report", str(folder)], capture_output=True, text=True)
    _one_line_error(r, str(folder), "not an oceancolour report")
    assert _snapshot(tmp_path) == before
