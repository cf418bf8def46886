"""Compare a candidate product with a reference (legacy) product, variable by variable,
with tolerance gates."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np

from oceancolour._extras import needs
from oceancolour.validate import metrics
from oceancolour.validate.readers import Field, Sources, ValidationInputError, read_variable
from oceancolour.validate.report import ReportFolder, write_comparison

_TOLERANCE = re.compile(r"^(rel|abs|log10):([0-9.eE+-]+)(?:@([0-9.]+))?$")


@dataclass(frozen=True)
class Tolerance:
    """A gate ``KIND:VALUE[@SHARE]``: a pair is within tolerance when

    * ``rel``:   |M - O| <= VALUE |O|
    * ``abs``:   |M - O| <= VALUE (in the variable's units)
    * ``log10``: |log10 M - log10 O| <= VALUE (pairs with a value <= 0 are outside)

    and the variable passes when at least SHARE percent of its pairs are within
    (default 100), and the pixels valid in one product only are at most the allowed
    share of the pixels valid in either (``max_coverage_diff``, default 0)."""

    kind: str
    value: float
    min_share_pct: float = 100.0

    @classmethod
    def parse(cls, text: str) -> "Tolerance":
        m = _TOLERANCE.match(text.strip())
        if not m:
            raise ValidationInputError(f"tolerance {text!r}: expected rel:X, abs:X or log10:X, optionally @PERCENT (e.g. rel:1e-3@99.5)")
        try:
            value, share = float(m[2]), float(m[3]) if m[3] else 100.0
        except ValueError:
            raise ValidationInputError(f"tolerance {text!r}: {m[2]!r} is not a number") from None
        if value < 0 or not 0 < share <= 100:
            raise ValidationInputError(f"tolerance {text!r}: value must be >= 0 and percent in (0, 100]")
        return cls(m[1], value, share)

    def measure(self, m: np.ndarray, o: np.ndarray) -> np.ndarray:
        """The signed quantity the gate bounds: (M - O)/|O|, M - O, or log10 M - log10 O
        (NaN where undefined, which counts as outside)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            if self.kind == "rel":
                return np.where(o != 0, (m - o) / np.abs(o), np.where(m == o, 0.0, np.nan))
            if self.kind == "abs":
                return m - o
            return np.where((m > 0) & (o > 0), np.log10(m) - np.log10(o), np.nan)

    def within(self, m: np.ndarray, o: np.ndarray) -> np.ndarray:
        return np.abs(self.measure(m, o)) <= self.value

    def __str__(self) -> str:
        return f"{self.kind}:{self.value:g}" + ("" if self.min_share_pct == 100 else f"@{self.min_share_pct:g}")


@dataclass
class VariableResult:
    """One variable of a comparison. ``difference`` is candidate - reference on the
    aligned grid (NaN unless valid in both); ``only_reference``/``only_candidate`` mark
    the pixels valid in one product only."""

    name: str
    reference_source: str
    candidate_source: str
    reference: np.ndarray
    candidate: np.ndarray
    difference: np.ndarray
    only_reference: np.ndarray
    only_candidate: np.ndarray
    stats: dict[str, float]
    log_scale: bool
    tolerance: Tolerance | None
    passed: bool | None  # None: no gate
    reason: str
    plots: dict[str, Path] = field(default_factory=dict)


@dataclass
class ComparisonReport:
    results: dict[str, VariableResult]
    report_dir: Path | None = None

    @property
    def passed(self) -> bool:
        return all(r.passed is not False for r in self.results.values())

    @property
    def exit_code(self) -> int:
        return 0 if self.passed else 1

    @property
    def table(self):
        """One row per variable: gate, status, coverage counts and all metrics (pandas)."""
        with needs("validate", "ComparisonReport.table"):
            import pandas as pd

        rows = {name: {"status": _status(r), "tolerance": str(r.tolerance or ""), **r.stats}
                for name, r in self.results.items()}
        return pd.DataFrame.from_dict(rows, orient="index")

    @property
    def plots(self) -> dict[str, dict[str, Path]]:
        return {name: dict(r.plots) for name, r in self.results.items()}

    def summary(self) -> str:
        """One line per variable: name, status and reason."""
        return "\n".join(f"{name}: {_status(r)}: {r.reason}" for name, r in self.results.items())

    def to_dict(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "variables": {
                name: {"status": _status(r), "reason": r.reason, "tolerance": str(r.tolerance or "") or None,
                       "reference": r.reference_source, "candidate": r.candidate_source,
                       "stats": {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in r.stats.items()},
                       "plots": {k: p.name for k, p in r.plots.items()}}
                for name, r in self.results.items()
            },
        }

    def _repr_html_(self) -> str:
        from oceancolour.validate.report import comparison_html

        return comparison_html(self, embed_plots=False)


def _status(r: VariableResult) -> str:
    return {True: "PASS", False: "FAIL", None: "NOT GATED"}[r.passed]


def compare(
    reference: Sources,
    candidate: Sources,
    variables: Mapping[str, str] | None = None,
    tolerances: Mapping[str, str | Tolerance] | None = None,
    report_dir: str | Path | None = None,
    max_coverage_diff: float = 0.0,
    fill_values: Sequence[float] = (),
    log_scale: Sequence[str] | None = None,
) -> ComparisonReport:
    """Compare ``candidate`` with ``reference`` (paths to netCDF, IDL .sav or flat-binary
    descriptors, in-memory mappings of arrays, or lists of these).

    ``variables`` maps a candidate variable name to the reference's name for it
    (``{"chl": "CHL_OC5"}``); when None, the names given in ``tolerances`` are used as-is.
    ``tolerances`` maps candidate names to gates (see :class:`Tolerance`); variables
    without one are reported but not gated. Grids must have the same shape or carry 1-D
    latitude/longitude (then they are aligned on their common pixels).
    ``log_scale`` names the log-normally distributed variables (log axes in plots); by
    default a variable is log-scaled when all its values are > 0 and span a decade or more.
    With ``report_dir``, writes summary.md, summary.html, summary.json and PNG plots there.
    """
    folder = None if report_dir is None else ReportFolder(report_dir)  # refused before any work
    gates = {k: v if isinstance(v, Tolerance) else Tolerance.parse(v) for k, v in (tolerances or {}).items()}
    variables = dict(variables) if variables else {k: k for k in gates}
    if not variables:
        raise ValidationInputError("no variables to compare: give variables={'chl': 'CHL_OC5', ...} or tolerances")
    unknown = set(gates) - set(variables)
    if unknown:
        raise ValidationInputError(f"tolerance given for {', '.join(sorted(unknown))}, which is not among the compared variables")
    results = {}
    for cand_name, ref_name in variables.items():
        ref = read_variable(reference, ref_name, fill_values)
        cand = read_variable(candidate, cand_name, fill_values)
        r, c = align(ref, cand)
        log = _is_log(r, c) if log_scale is None else cand_name in log_scale
        results[cand_name] = _compare_variable(cand_name, ref, cand, r, c, gates.get(cand_name), max_coverage_diff, log)
    report = ComparisonReport(results)
    if folder is not None:
        write_comparison(report, folder)
    return report


def _is_log(r: np.ndarray, c: np.ndarray) -> bool:
    v = np.concatenate([r[np.isfinite(r)], c[np.isfinite(c)]])
    v = v[:: max(1, v.size // 100_000)]  # a sample is enough to judge the spread
    return bool(v.size) and bool(np.all(v > 0)) and np.percentile(v, 95) >= 10 * np.percentile(v, 5)


def align(ref: Field, cand: Field) -> tuple[np.ndarray, np.ndarray]:
    """The two fields on their common grid: by 1-D latitude/longitude when both have them
    (handles north-up vs south-up rows and sub-domains), else by identical shape."""
    rlat, rlon, clat, clon = ref.lat, ref.lon, cand.lat, cand.lon
    if (rlat is not None and rlon is not None and clat is not None and clon is not None
            and rlat.ndim == rlon.ndim == clat.ndim == clon.ndim == 1 and ref.values.ndim == cand.values.ndim == 2):
        ri, ci = _match_axis(rlat, clat, "latitude", ref, cand)
        rj, cj = _match_axis(rlon, clon, "longitude", ref, cand)
        return ref.values[np.ix_(ri, rj)], cand.values[np.ix_(ci, cj)]
    if ref.values.shape == cand.values.shape:
        return ref.values, cand.values
    raise ValidationInputError(
        f"grids differ: {ref.source} has shape {ref.values.shape}, {cand.source} has shape {cand.values.shape}, "
        "and they lack 1-D latitude/longitude to align them")


def _match_axis(a: np.ndarray, b: np.ndarray, what: str, ref: Field, cand: Field) -> tuple[np.ndarray, np.ndarray]:
    steps = [np.median(np.abs(np.diff(x))) if x.size > 1 else math.nan for x in (a, b)]
    step = np.nanmin(steps) if not all(math.isnan(s) for s in steps) else 1e-6
    if all(math.isfinite(s) for s in steps) and abs(steps[0] - steps[1]) > 1e-3 * step:
        raise ValidationInputError(
            f"grids differ in {what} spacing: {ref.source} {steps[0]:.6g} deg, {cand.source} {steps[1]:.6g} deg (regrid one first)")
    order = np.argsort(a)
    pos = np.clip(np.searchsorted(a[order], b), 1, a.size - 1) if a.size > 1 else np.zeros(b.size, int)
    left, right = order[pos - 1], order[pos]
    nearest = np.where(np.abs(a[left] - b) <= np.abs(a[right] - b), left, right)
    ok = np.abs(a[nearest] - b) <= 0.25 * step
    if not ok.any():
        raise ValidationInputError(f"grids do not overlap in {what}: {ref.source} and {cand.source}")
    return nearest[ok], np.flatnonzero(ok)


def _compare_variable(name, ref: Field, cand: Field, r, c, tol: Tolerance | None, max_cov: float, log: bool) -> VariableResult:
    vr, vc = np.isfinite(r), np.isfinite(c)
    both = vr & vc
    only_r, only_c = vr & ~vc, vc & ~vr
    diff = np.where(both, c - r, np.nan)
    stats = metrics.summary(c[both], r[both])
    n_either = int((vr | vc).sum())
    stats.update(n_reference_only=int(only_r.sum()), n_candidate_only=int(only_c.sum()))
    cov_share = (stats["n_reference_only"] + stats["n_candidate_only"]) / n_either if n_either else 0.0
    coverage = ("coverage identical" if cov_share == 0 else
                f"{stats['n_reference_only']} pixels valid in the reference only, {stats['n_candidate_only']} in the candidate only")
    passed, reason = None, f"not gated; {coverage}"
    if tol is not None:
        measured = tol.measure(c[both], r[both])
        within = np.abs(measured) <= tol.value
        share = 100.0 * within.mean() if within.size else 0.0
        stats["share_within_tolerance_pct"] = share
        problems = []
        if not within.size:
            problems.append("no pixel valid in both products")
        elif share < tol.min_share_pct:
            k = int(np.argmax(np.where(np.isnan(measured), np.inf, np.abs(measured))))
            where = np.unravel_index(np.flatnonzero(both)[k], r.shape)
            problems.append(f"{(~within).sum()}/{within.size} pairs ({100 - share:.3g}%) outside {tol}; "
                            f"largest {tol.kind} difference {measured[k]:+.4g} at index {tuple(int(i) for i in where)}")
        if cov_share > max_cov:
            problems.append(coverage + f" ({100 * cov_share:.3g}% > allowed {100 * max_cov:g}%)")
        passed = not problems
        reason = "; ".join(problems) if problems else f"{within.sum()}/{within.size} pairs within {tol}; {coverage}"
    return VariableResult(name, ref.source, cand.source, r, c, diff, only_r, only_c, stats, log, tol, passed, reason)
