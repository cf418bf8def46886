"""The keyword defaults of the Python functions are the chain's: every default
`help()` shows equals the one the chain applies (`oc.defaults()`, built from
the configuration tables and `src/defaults.rs`), and the stubs say the same."""

import ast
import inspect
from pathlib import Path

import pytest

import oceancolour as oc
from oceancolour import _core

STUBS = Path(__file__).resolve().parents[2] / "python" / "oceancolour" / "_core.pyi"

# (function, keyword) -> (table of oc.defaults(), key)
SAME = {
    ("bin_l2", "averaging"): ("bin", "averaging"),
    ("bin_l2", "min_obs"): ("bin", "min_obs"),
    ("merge", "space"): ("merge", "space"),
    ("fit_variogram", "model"): ("l4", "variogram"),
    ("fit_variogram", "nlags"): ("l4", "nlags"),
    ("fit_variogram", "max_points"): ("l4", "max_points"),
    ("krige", "k"): ("l4", "k"),
    ("fit_intercalibration", "method"): ("intercal", "method"),
    ("fit_intercalibration", "nq"): ("intercal", "nq"),
    ("fit_intercalibration", "nseason"): ("intercal", "nseason"),
    ("fit_intercalibration", "window_days"): ("intercal", "window_days"),
    ("fit_intercalibration", "min_pairs"): ("intercal", "min_pairs"),
    ("process", "jobs"): ("process", "jobs"),
    ("chl_ocx", "coefficients"): ("coefficients", "ocx"),
    ("chl_ci", "coefficients"): ("coefficients", "ci"),
    ("chl_oci", "ocx"): ("coefficients", "ocx"),
    ("chl_oci", "ci"): ("coefficients", "ci"),
    ("kd490", "coefficients"): ("coefficients", "kd2"),
    ("chl_oc5ci", "ci"): ("coefficients", "oc5ci_ci"),
    ("spm_gohin", "algorithm"): ("coefficients", "spm_gohin_algorithm"),
    ("chl_eunosat", "constants"): ("coefficients", "eunosat_constants"),
    ("chl_eunosat", "version"): ("coefficients", "eunosat_version"),
    ("chl_oc5", "class_version"): ("coefficients", "oc5_class_version"),
}


def chain_default(table, key):
    d = oc.defaults()
    if table == "coefficients":
        return d["process"]["coefficients"][key]
    return d[table][key]


def stub_defaults():
    out = {}
    for node in ast.parse(STUBS.read_text()).body:
        if isinstance(node, ast.FunctionDef):
            args = node.args
            pos = args.posonlyargs + args.args
            for a, v in zip(pos[len(pos) - len(args.defaults) :], args.defaults):
                out[(node.name, a.arg)] = ast.literal_eval(v)
            for a, v in zip(args.kwonlyargs, args.kw_defaults):
                if v is not None:
                    out[(node.name, a.arg)] = ast.literal_eval(v)
    return out


def test_defaults_are_the_chains_tables():
    d = oc.defaults()
    assert set(d) >= {"process", "bin", "intercal", "merge", "l4"}
    # Values the chain documents (README, fusion.md s1.2): l2bin's arithmetic mean, minobs 1.
    assert d["bin"] == {"averaging": "arithmetic", "min_obs": 1}
    assert d["process"]["jobs"] >= 1


@pytest.mark.parametrize(("function", "keyword"), sorted(SAME))
def test_python_signature_default_is_the_chains(function, keyword):
    expected = chain_default(*SAME[(function, keyword)])
    shown = inspect.signature(getattr(_core, function)).parameters[keyword].default
    assert shown == expected, f"{function}({keyword}=...) shows {shown!r}, the chain uses {expected!r}"
    assert stub_defaults()[(function, keyword)] == expected, f"_core.pyi: {function}({keyword}=...)"

