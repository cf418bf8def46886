"""Validation of products: regression comparison with legacy (IDL chain) outputs and
matchups with in situ data. Needs the optional ``validate`` extra (pandas, scipy,
matplotlib); numpy-only parts (metrics, readers of netCDF/flat binary) work without it.

Products are files (netCDF, IDL .sav, flat binary with a descriptor) or in-memory
mappings of arrays. With files, ``compare("legacy.nc", "new.nc", ...)``; with
``report_dir="report"`` a report folder (summary.md, .html, .json and PNG plots) is
written too. Chlorophyll (mg m-3) of a legacy chain and a new one, gated at 0.1 %:

>>> import numpy as np
>>> import oceancolour.validate
>>> legacy = {"CHL_OC5": np.array([[0.1, 0.5], [2.0, 4.0]])}
>>> new = {"chl": np.array([[0.1, 0.5002], [2.0, 4.1]])}
>>> rep = oceancolour.validate.compare(legacy, new, variables={"chl": "CHL_OC5"},
...                                    tolerances={"chl": "rel:1e-3"})
>>> rep.passed
False
>>> print(rep.summary())
chl: FAIL: 1/4 pairs (25%) outside rel:0.001; largest rel difference +0.025 at index (1, 1)
"""

from oceancolour.validate import metrics
from oceancolour.validate.compare import ComparisonReport, Tolerance, VariableResult, align, compare
from oceancolour.validate.matchup import MatchupReport, Product, matchup, matchup_statistics, pixel_at, read_insitu
from oceancolour.validate.readers import Field, ValidationInputError, read_variable

__all__ = [
    "ComparisonReport",
    "Field",
    "MatchupReport",
    "Product",
    "Tolerance",
    "ValidationInputError",
    "VariableResult",
    "align",
    "compare",
    "matchup",
    "matchup_statistics",
    "metrics",
    "pixel_at",
    "read_insitu",
    "read_variable",
]
