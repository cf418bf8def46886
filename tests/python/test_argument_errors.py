"""Issue 17: no TypeError/OverflowError escapes a public function for None, -1 or 2**70 given to
any argument (and the Oc5Table and Correction methods): each is the library's OceanColourError (a ValueError) naming the argument, or
OSError/MemoryError where that is the cause. Walks every function of `oceancolour` and
`oceancolour.fusion` (a new function is covered without editing this file, as long as its required
arguments are among VALID below; the test fails on one that is not)."""

import inspect

import numpy as np
import pytest

import oceancolour as oc
import oceancolour.fusion as fu

R = {nm: np.full(3, v, np.float32) for nm, v in ((412, 0.004), (443, 0.004), (490, 0.004), (510, 0.003), (555, 0.002), (670, 0.0002))}
VALID = {
    "rrs": R, "sensor": "seawifs", "chl": np.ones(3), "acdm443": np.full(3, 0.01), "spm": np.ones(3), "kd490": np.full(3, 0.1),
    "rrs_hyper": np.full((3, 2), 0.004), "wavelengths": np.array([440.0, 450.0]), "target_sensor": "seawifs", "name": "chl_ocx",
    "n": 1, "inputs": [], "outdir": "out-never-written", "lon": np.zeros(3), "lat": np.zeros(3), "value": np.ones(3),
    "scene": np.zeros(3, np.uint32), "grid": 18, "parts": [], "climatology": np.zeros((2, 2)), "x": np.arange(5.0), "y": np.arange(5.0),
    "z": np.arange(5.0), "xt": np.arange(2.0), "yt": np.arange(2.0), "variogram": {"model": "exponential", "psill": 1.0, "range": 2.0, "nugget": 0.0},
    "cells": np.zeros(3, np.uint64), "nrows": 18, "values": [np.ones(3)], "error_variance": [np.ones(3)], "lon_min": 0.0, "lon_max": 1.0,
    "lat_min": 0.0, "lat_max": 1.0, "dlon": 0.5, "dlat": 0.5, "targets": [443, 555], "reference": np.ones(3), "first_guess_log10": np.zeros((2, 2)), "path": "no-such-correction.nc",
    "path_or_array": np.full((3, 3, 3), 0.1, np.float32), "nlw_green": np.ones(3), "nlw_412": np.ones(3), "ratio": np.ones(3),
}
BAD = [None, -1, 2**70]
MODULES = [(oc, n) for n in oc.__all__] + [(fu, n) for n in fu.__all__]
FUNCTIONS = [(m.__name__ + "." + n, getattr(m, n)) for m, n in MODULES if inspect.isfunction(getattr(m, n)) or inspect.isbuiltin(getattr(m, n))]
# The classes' methods too: the constructors (static) and the methods of an instance.
TABLE = oc.Oc5Table.build("seawifs", shape=(5, 5, 5))
CORRECTION = fu.fit_intercalibration(np.full(10, 1.1), np.ones(10))
FUNCTIONS += [(f"Oc5Table.{n}", getattr(oc.Oc5Table, n)) for n in ("build", "open_table", "load", "import_raw")]
FUNCTIONS += [(f"Oc5Table().{n}", getattr(TABLE, n)) for n in ("save", "interpolate")]
FUNCTIONS += [("Correction.load", fu.Correction.load)] + [(f"Correction().{n}", getattr(CORRECTION, n)) for n in ("apply", "save")]
#: Arguments with a default that would make the call slow (a full 200^3 table build).
SMALL = {"Oc5Table.build": {"shape": (5, 5, 5)}}


def test_every_function_is_walked():
    assert len(FUNCTIONS) >= 40
    for name, f in FUNCTIONS:
        for p in inspect.signature(f).parameters.values():
            if p.default is p.empty and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL):
                assert p.name in VALID, f"{name}: no valid sample for its required argument {p.name!r}: add one to VALID"


@pytest.mark.parametrize("name,f", FUNCTIONS, ids=[n for n, _ in FUNCTIONS])
def test_none_negative_and_huge_arguments_are_named_errors(name, f):
    params = [p for p in inspect.signature(f).parameters.values() if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)]
    required = {p.name: VALID[p.name] for p in params if p.default is p.empty} | SMALL.get(name, {})
    for p in params:
        for bad in BAD:
            if bad is None and p.default is None:
                continue  # None is that argument's own default
            kwargs = {**required, p.name: bad}
            try:
                f(**kwargs)
            except (TypeError, OverflowError) as e:
                pytest.fail(f"{name}({p.name}={bad!r}) raised {type(e).__name__}: {e}")
            except oc.OceanColourError as e:
                # Named: the argument's name, or the value's role in the message.
                assert p.name in str(e) or "invalid argument" not in str(e), (name, p.name, str(e))
            except (OSError, MemoryError):
                pass
