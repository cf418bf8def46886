"""Issue 16: every public function has a numpydoc docstring whose Parameters are exactly its
signature's, with Returns, Raises and Examples, and the Examples run and print what they say.

The Parameters check compares the docstring with the signature Python itself reports
(inspect.signature, from pyo3's __text_signature__ for the Rust functions), and the doctests
compare each example's printed output with the text written in the docstring: dropping a
parameter from a docstring, or a wrong value in an example, fails.

Also covered: oceancolour.validate (its functions, the metrics module, its classes with
their methods and properties, and the module docstring's example), the dask plugin and
the command-line entry points lut.main and export.main. Classes are checked for a summary,
their constructor's parameters (Parameters section) and running examples; properties for
a summary, Returns and running examples."""

import dataclasses
import doctest
import importlib.util
import inspect
import types
import warnings

import numpy as np
import numpydoc.docscrape as numpydoc  # requirements-dev.txt
import pytest

import oceancolour as oc
from oceancolour import fusion

NOT_CALLABLES = {"__version__", "fusion", "OceanColourError", "OceanColourFileError"}


def public_objects():
    out = _core_and_xarray_objects()
    out += _validate_objects()
    out += _dask_objects()
    from oceancolour import export, lut

    for module in (lut, export):
        out.append((f"{module.__name__}.main", module.main))
    return out


def _core_and_xarray_objects():
    out = []
    for module, names in ((oc, oc.__all__), (fusion, fusion.__all__)):
        for name in names:
            if name not in NOT_CALLABLES:
                out.append((f"{module.__name__}.{name}", getattr(module, name)))
    # The classes' public methods (constructors, file I/O, use).
    for cls, methods in ((oc.Oc5Table, ("build", "open_table", "load", "save", "import_raw", "interpolate")),
                         (fusion.Correction, ("apply", "save", "load"))):
        for name in methods:
            out.append((f"{cls.__name__}.{name}", getattr(cls, name)))
    try:
        from oceancolour import xarray as ocx
    except ImportError:  # the optional xarray extra
        return out
    # The pure-Python public functions and the accessor's own methods, with the
    # per-product methods it generates from the product registry (ds.oc.chl_ocx, ...).
    for name in ("detect_sensor", "find_rrs", "merge", "l4"):
        out.append((f"oceancolour.xarray.{name}", getattr(ocx, name)))
    generated = [n for p in ocx.PRODUCTS for n in (p, f"{p}_uncertainty") if hasattr(ocx.OceanColourAccessor, n)]
    for name in ("sensor", "rrs", "product", "uncertainty", *generated):
        out.append((f"OceanColourAccessor.{name}", getattr(ocx.OceanColourAccessor, name)))
    from oceancolour import export

    for name in ("to_zarr", "to_cog"):
        out.append((f"oceancolour.export.{name}", getattr(export, name)))
    return out


# What the examples of each group need beyond the core (optional extras): skipped, not
# failed, when missing.
VALIDATE_EXTRAS = ("pandas", "scipy", "matplotlib")


def _members(prefix, cls):
    """The public methods and properties a class defines itself (not inherited, not dunders)."""
    out = []
    for name, raw in vars(cls).items():
        if name.startswith("_") or not (callable(raw) or isinstance(raw, (property, classmethod, staticmethod))):
            continue
        # Properties as themselves (their docstring); methods bound as users call them.
        out.append((f"{prefix}.{cls.__name__}.{name}", raw if isinstance(raw, property) else getattr(cls, name)))
    return out


def _validate_objects():
    # oceancolour.validate imports with numpy alone (pandas, scipy and matplotlib are
    # imported by the features that need them): its objects are always listed.
    from oceancolour import validate
    from oceancolour.validate import metrics

    out = [("oceancolour.validate", validate)]  # the module docstring's example
    for name in validate.__all__:
        obj = getattr(validate, name)
        if isinstance(obj, types.ModuleType):
            continue
        out.append((f"oceancolour.validate.{name}", obj))
        if inspect.isclass(obj):
            out += _members("oceancolour.validate", obj)
    # Every public function of the metrics module, including any added later.
    for name, obj in vars(metrics).items():
        if not name.startswith("_") and inspect.isfunction(obj) and obj.__module__ == metrics.__name__:
            out.append((f"oceancolour.validate.metrics.{name}", obj))
    return out


def _dask_objects():
    try:
        from oceancolour import dask as ocd
    except ImportError:  # the optional dask extra (distributed)
        return []
    return [("oceancolour.dask.NumThreadsPlugin", ocd.NumThreadsPlugin),
            *_members("oceancolour.dask", ocd.NumThreadsPlugin)]


PUBLIC = public_objects()
FUNCTIONS = [(n, o) for n, o in PUBLIC if callable(o) and not inspect.isclass(o)]
CLASSES = [(n, o) for n, o in PUBLIC if inspect.isclass(o)]
# The Python classes. The Rust core's classes (documented in src/) are checked by their
# examples only: they are made by static methods and functions (Oc5Table.build, .load,
# fusion.fit_intercalibration, Correction.load), not by a documented constructor.
CORE_CLASSES = (oc.Oc5Table, fusion.Correction)
PYTHON_CLASSES = [(n, o) for n, o in CLASSES if o not in CORE_CLASSES]
PROPERTIES = [(n, o) for n, o in PUBLIC if isinstance(o, property)]


def parse(obj):
    # A malformed section (unknown title, bad underline) warns in numpydoc: make it an error.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return numpydoc.NumpyDocString(inspect.getdoc(obj) or "")


def documented_parameters(doc):
    names = []
    for p in doc["Parameters"]:
        names += [n.strip().lstrip("*") for n in p.name.split(",")]
    return names


def test_every_public_callable_is_covered():
    # The issue counted 42 public callables (oceancolour and oceancolour.fusion).
    assert len(PUBLIC) >= 42


def test_validate_dask_and_cli_are_covered():
    from oceancolour import validate

    names = {n for n, _ in PUBLIC}
    for name in validate.__all__:
        if name != "metrics":
            assert f"oceancolour.validate.{name}" in names, name
    for name in ("bias", "mae", "rmsd", "rmsd_centred", "pearson_r", "rma", "relative_difference_pct", "win_rate", "summary"):
        assert f"oceancolour.validate.metrics.{name}" in names, name
    for name in ("Tolerance.parse", "Tolerance.within", "Tolerance.measure", "ComparisonReport.summary",
                 "ComparisonReport.to_dict", "ComparisonReport.passed", "MatchupReport.describe", "MatchupReport.to_dict"):
        assert f"oceancolour.validate.{name}" in names, name
    assert {"oceancolour.lut.main", "oceancolour.export.main"} <= names
    if importlib.util.find_spec("distributed") is not None:
        assert {"oceancolour.dask.NumThreadsPlugin", "oceancolour.dask.NumThreadsPlugin.setup"} <= names


def assert_parameters(name, doc, signature):
    """The Parameters section names exactly `signature`, in order, each with a description."""
    assert documented_parameters(doc) == signature, f"{name}: Parameters section != signature {signature}"
    for p in doc["Parameters"]:
        assert p.desc and any(line.strip() for line in p.desc), f"{name}: {p.name} has no description"


@pytest.mark.parametrize("name,obj", FUNCTIONS, ids=[n for n, _ in FUNCTIONS])
def test_parameters_match_signature(name, obj):
    doc = parse(obj)
    signature = [p.name for p in inspect.signature(obj).parameters.values() if p.name not in ("self", "$self")]
    assert_parameters(name, doc, signature)


@pytest.mark.parametrize("name,obj", FUNCTIONS, ids=[n for n, _ in FUNCTIONS])
def test_returns_raises_examples_present(name, obj):
    doc = parse(obj)
    assert doc["Summary"], f"{name}: no summary"
    assert doc["Returns"], f"{name}: no Returns section"
    assert "".join(doc["Examples"]).strip(), f"{name}: no Examples section"
    if [p for p in inspect.signature(obj).parameters if p not in ("self", "$self")]:
        # Every function taking arguments says what bad arguments raise.
        assert doc["Raises"], f"{name}: no Raises section"


@pytest.mark.parametrize("name,obj", PYTHON_CLASSES, ids=[n for n, _ in PYTHON_CLASSES])
def test_class_docstrings(name, obj):
    doc = parse(obj)
    assert doc["Summary"], f"{name}: no summary"
    assert "".join(doc["Examples"]).strip(), f"{name}: no Examples section"
    if issubclass(obj, BaseException):
        return  # exceptions take a message, nothing to document
    # The constructor's parameters (a dataclass's fields), in order.
    signature = [p.name for p in inspect.signature(obj).parameters.values()]
    if dataclasses.is_dataclass(obj):
        assert signature == [f.name for f in dataclasses.fields(obj) if f.init]
    assert_parameters(name, doc, signature)


@pytest.mark.parametrize("name,obj", PROPERTIES, ids=[n for n, _ in PROPERTIES])
def test_property_docstrings(name, obj):
    doc = parse(obj)
    assert doc["Summary"], f"{name}: no summary"
    assert doc["Returns"], f"{name}: no Returns section"
    assert "".join(doc["Examples"]).strip(), f"{name}: no Examples section"


@pytest.mark.parametrize("name,obj", PUBLIC, ids=[n for n, _ in PUBLIC])
def test_examples_run(name, obj):
    if name.startswith("oceancolour.export."):
        pytest.importorskip("zarr")
        pytest.importorskip("rioxarray")
    if name.startswith("oceancolour.validate"):
        for module in VALIDATE_EXTRAS:
            pytest.importorskip(module)
    docstring = inspect.getdoc(obj) or ""
    assert ">>>" in docstring, f"{name}: no doctest example"
    test = doctest.DocTestParser().get_doctest(
        docstring, {"oc": oc, "np": np, "fusion": fusion}, name, None, 0
    )
    report = []
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test, out=report.append)
    assert runner.failures == 0, "".join(report)
