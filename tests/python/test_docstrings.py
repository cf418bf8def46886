"""Issue 16: every public function has a numpydoc docstring whose Parameters are exactly its
signature's, with Returns, Raises and Examples, and the Examples run and print what they say.

The Parameters check compares the docstring with the signature Python itself reports
(inspect.signature, from pyo3's __text_signature__ for the Rust functions), and the doctests
compare each example's printed output with the text written in the docstring: dropping a
parameter from a docstring, or a wrong value in an example, fails."""

import doctest
import inspect
import warnings

import numpy as np
import numpydoc.docscrape as numpydoc  # requirements-dev.txt
import pytest

import oceancolour as oc
from oceancolour import fusion

NOT_CALLABLES = {"__version__", "fusion", "OceanColourError", "OceanColourFileError"}


def public_objects():
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


PUBLIC = public_objects()
FUNCTIONS = [(n, o) for n, o in PUBLIC if not inspect.isclass(o)]


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


@pytest.mark.parametrize("name,obj", FUNCTIONS, ids=[n for n, _ in FUNCTIONS])
def test_parameters_match_signature(name, obj):
    doc = parse(obj)
    signature = [p.name for p in inspect.signature(obj).parameters.values() if p.name not in ("self", "$self")]
    assert documented_parameters(doc) == signature, f"{name}: Parameters section != signature"
    for p in doc["Parameters"]:
        assert p.desc and any(line.strip() for line in p.desc), f"{name}: {p.name} has no description"


@pytest.mark.parametrize("name,obj", FUNCTIONS, ids=[n for n, _ in FUNCTIONS])
def test_returns_raises_examples_present(name, obj):
    doc = parse(obj)
    assert doc["Summary"], f"{name}: no summary"
    assert doc["Returns"], f"{name}: no Returns section"
    assert "".join(doc["Examples"]).strip(), f"{name}: no Examples section"
    if [p for p in inspect.signature(obj).parameters if p not in ("self", "$self")]:
        # Every function taking arguments says what bad arguments raise.
        assert doc["Raises"], f"{name}: no Raises section"


@pytest.mark.parametrize("name,obj", PUBLIC, ids=[n for n, _ in PUBLIC])
def test_examples_run(name, obj):
    if name.startswith("oceancolour.export."):
        pytest.importorskip("zarr")
        pytest.importorskip("rioxarray")
    docstring = inspect.getdoc(obj) or ""
    assert ">>>" in docstring, f"{name}: no doctest example"
    test = doctest.DocTestParser().get_doctest(
        docstring, {"oc": oc, "np": np, "fusion": fusion}, name, None, 0
    )
    report = []
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test, out=report.append)
    assert runner.failures == 0, "".join(report)
