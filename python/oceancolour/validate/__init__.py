"""Validation of products: regression comparison with legacy (IDL chain) outputs and
matchups with in situ data. Needs the optional ``validate`` extra (pandas, scipy,
matplotlib); numpy-only parts (metrics, readers of netCDF/flat binary) work without it.

>>> import oceancolour as oc
>>> rep = oc.validate.compare("legacy.nc", "new.nc", variables={"chl": "CHL_OC5"},
...                           tolerances={"chl": "rel:1e-3"}, report_dir="report")
>>> rep.passed, rep.table
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
