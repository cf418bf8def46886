"""Puts this folder and validation/ on sys.path and loads reference.py under a unique
module name (tests/python has its own `reference`): shared by fit.py and the tests."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
for folder in (HERE.parent, HERE):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))


def load(name: str, filename: str):
    """The module in `filename` (next to this file), registered as `name`."""
    spec = importlib.util.spec_from_file_location(name, HERE / filename)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


R = load("oceancolour_uncertainty_reference", "reference.py")
