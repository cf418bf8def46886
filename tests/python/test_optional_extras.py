"""A missing optional dependency (the extras of pyproject.toml) gives one line naming the
extra to install and exit code 2 on the command line, never a traceback and never exit 1
(which means "regression found" for `validate`); from Python, an ImportError saying the
same. The modules are made unimportable for real: a sitecustomize on PYTHONPATH (run by
the interpreter at start-up, before any test code) makes `import pandas` etc. fail in the
child process as it fails where they are not installed."""

import ast
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
import pytest

netCDF4 = pytest.importorskip("netCDF4")
pytest.importorskip("pandas")
ROOT = Path(__file__).resolve().parents[2]
IDL = Path(__file__).parent.parent / "data" / "idl"
INSTALL = 'pip install "oceancolour[{}]"'

SITECUSTOMIZE = '''
import os, sys

BLOCKED = set(os.environ["OC_TEST_UNINSTALLED"].split(","))


class Uninstalled:
    """A finder of sys.meta_path that no longer finds the blocked distributions: for them
    find_spec answers None, as it does where they are not installed."""

    def __init__(self, finder):
        self.finder = finder

    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in BLOCKED:
            return None
        return self.finder.find_spec(name, path, target)

    def __getattr__(self, attr):
        return getattr(self.finder, attr)


sys.meta_path[:] = [Uninstalled(f) if hasattr(f, "find_spec") else f for f in sys.meta_path]
'''


@pytest.fixture
def without(tmp_path):
    """run(modules, *args): the command (or `python -c`) in a child where ``modules`` cannot be imported."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(SITECUSTOMIZE)

    def run(modules, *args, cwd=tmp_path):
        env = {**os.environ, "PYTHONPATH": str(site), "OC_TEST_UNINSTALLED": ",".join(modules)}
        return subprocess.run([sys.executable, *map(str, args)], capture_output=True, text=True, env=env, cwd=cwd)

    return run


def _one_line(r, extra, module):
    assert r.returncode == 2, r.stdout + r.stderr
    assert "Traceback" not in r.stderr, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert INSTALL.format(extra) in lines[0] and module in lines[0], lines[0]


def _grid(path, name="chl"):
    with netCDF4.Dataset(path, "w") as ds:
        ds.createDimension("lat", 4)
        ds.createDimension("lon", 5)
        ds.createVariable("lat", "f8", ("lat",))[:] = np.linspace(45, 46, 4)
        ds.createVariable("lon", "f8", ("lon",))[:] = np.linspace(-5, -4, 5)
        ds.createVariable(name, "f4", ("lat", "lon"))[:] = np.linspace(0.1, 10, 20).reshape(4, 5)
    return path


def test_the_blocker_really_blocks(without):
    r = without(["pandas"], "-c", "import importlib.util; assert importlib.util.find_spec('pandas') is None; import pandas")
    assert r.returncode == 1 and "ModuleNotFoundError: No module named 'pandas'" in r.stderr, r.stderr


def test_validate_report_without_matplotlib(without, tmp_path):
    grid = _grid(tmp_path / "a.nc")
    args = ["-m", "oceancolour", "validate", "--reference", grid, "--candidate", grid, "--variables", "chl=chl",
            "--tolerance", "chl=rel:1e-3"]
    r = without(["matplotlib"], *args, "--report", tmp_path / "rep")
    _one_line(r, "validate", "matplotlib")
    assert not (tmp_path / "rep").exists()  # refused before any work
    ok = without(["matplotlib"], *args)  # the comparison itself does not need matplotlib
    assert ok.returncode == 0 and "chl: PASS" in ok.stdout, ok.stderr


@pytest.mark.parametrize("fmt,module", [("zarr", "zarr"), ("cog", "rioxarray"), ("zarr", "xarray")])
def test_export_without_its_extra(without, tmp_path, fmt, module):
    grid = _grid(tmp_path / "a.nc")
    r = without([module], "-m", "oceancolour", "export", grid, "--format", fmt, "-o", tmp_path / "out")
    _one_line(r, "export", module)
    assert not [p for p in (tmp_path / "out").iterdir()]  # nothing written


def test_validate_netcdf_without_netcdf4_and_sav_without_scipy(without, tmp_path):
    grid = _grid(tmp_path / "a.nc")
    r = without(["netCDF4"], "-m", "oceancolour", "validate", "--reference", grid, "--candidate", grid,
                "--variables", "chl=chl")
    _one_line(r, "validate", "netCDF4")
    sav = IDL / "array_float32_2d.sav"
    r = without(["scipy"], "-m", "oceancolour", "validate", "--reference", sav, "--candidate", sav,
                "--variables", "array2d=array2d")
    _one_line(r, "validate", "scipy")


def test_matchup_without_pandas(without, tmp_path):
    grid = _grid(tmp_path / "a.nc")
    table = tmp_path / "insitu.csv"
    table.write_text("lat,lon,chl\n45.5,-4.5,1.0\n")
    args = ["-m", "oceancolour", "matchup", "--insitu", table, "--products", f"oc={grid}:chl",
            "--columns", "lat=lat", "lon=lon", "insitu=chl", "--time-window", "none"]
    _one_line(without(["pandas"], *args), "validate", "pandas")
    _one_line(without(["pandas"], "-m", "oceancolour.validate", *args[2:]), "validate", "pandas")
    ok = without([], *args)  # the same command with pandas: a real matchup
    assert ok.returncode == 0, ok.stderr


def test_python_api_raises_an_import_error_naming_the_extra(without, tmp_path):
    code = """
import sys
import oceancolour as oc
from oceancolour._extras import MissingExtraError
try:
    {}
except ImportError as e:
    assert isinstance(e, MissingExtraError), type(e)
    print(e)
    sys.exit(0)
sys.exit("no error")
"""
    for modules, stmt, extra in (
            (["distributed"], "import oceancolour.dask", "dask"),
            (["xarray"], "import oceancolour.xarray", "xarray"),
            (["pandas"], "oc.validate.matchup_statistics([1.0], {'a': [1.0]})", "validate"),
            (["pandas"], "oc.validate.compare({'c': [1.0]}, {'c': [1.0]}, tolerances={'c': 'abs:0'}).table", "validate")):
        r = without(modules, "-c", code.format(stmt))
        assert r.returncode == 0, (stmt, r.stdout + r.stderr)
        assert INSTALL.format(extra) in r.stdout and modules[0] in r.stdout, r.stdout


def test_hpc_example_without_dask_jobqueue(without, tmp_path):
    listing = tmp_path / "granules.txt"
    listing.write_text("a.nc\n")
    r = without(["dask_jobqueue"], ROOT / "examples" / "pbs_reprocess.py", listing, "-o", tmp_path / "out")
    _one_line(r, "hpc", "dask_jobqueue")


def test_lut_usage_errors_are_one_line(tmp_path):
    for shape, words in ((["-1", "5", "5"], "'-1' is not a node count"), (["1", "5", "5"], "'1' is not a node count"),
                         (["x", "5", "5"], "'x' is not a node count")):
        r = subprocess.run([sys.executable, "-m", "oceancolour", "lut", "build", "--sensor", "meris", "--shape", *shape,
                            "-o", tmp_path / "t.nc"], capture_output=True, text=True)
        assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
        assert len(r.stderr.strip().splitlines()) == 1 and words in r.stderr, r.stderr
    assert not (tmp_path / "t.nc").exists()


def _needs_blocks(path: Path):
    """(extra, top-level module) for every import inside a `with needs(EXTRA, ...)` block."""
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.With):
            for item in node.items:
                call = item.context_expr
                if isinstance(call, ast.Call) and getattr(call.func, "id", None) == "needs":
                    extra = call.args[0].value
                    for stmt in ast.walk(node):
                        if isinstance(stmt, ast.Import):
                            yield from ((extra, a.name.partition(".")[0]) for a in stmt.names)
                        elif isinstance(stmt, ast.ImportFrom):
                            yield extra, stmt.module.partition(".")[0]


def test_every_needs_block_names_an_extra_that_installs_its_modules():
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    dists = {k: {d.split(">")[0].split("[")[0].split("=")[0].strip().lower() for d in v} for k, v in extras.items()}
    found = set()
    for path in (ROOT / "python" / "oceancolour").rglob("*.py"):
        for extra, module in _needs_blocks(path):
            assert extra in dists, f"{path.name}: needs({extra!r}): no such extra in pyproject.toml"
            assert module.lower() in dists[extra], f"{path.name}: {module} is not in the {extra!r} extra"
            found.add(module)
    assert {"pandas", "scipy", "matplotlib", "netCDF4", "distributed", "xarray"} <= found
