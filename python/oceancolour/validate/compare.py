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
    """A gate ``KIND:VALUE[@SHARE]`` on the pairs of one variable.

    A pair (M candidate, O reference) is within tolerance when

    * ``rel``:   |M - O| <= VALUE |O|
    * ``abs``:   |M - O| <= VALUE (in the variable's units)
    * ``log10``: |log10 M - log10 O| <= VALUE (pairs with a value <= 0 are outside)

    and the variable passes when at least SHARE percent of its pairs are within
    (default 100), and the pixels valid in one product only are at most the allowed
    share of the pixels valid in either (``max_coverage_diff`` of :func:`compare`,
    default 0). Usually made from text with :meth:`parse`.

    Parameters
    ----------
    kind : str
        ``"rel"``, ``"abs"`` or ``"log10"``.
    value : float
        The bound: a fraction of |O| for ``rel`` (1e-3 is 0.1 %), the variable's units
        for ``abs``, decades for ``log10``.
    min_share_pct : float, default 100.0
        The share of pairs, in percent, that must be within the bound.

    Examples
    --------
    >>> from oceancolour.validate import Tolerance
    >>> gate = Tolerance("abs", 0.05, 99.0)  # chlorophyll within 0.05 mg m-3 on 99 % of pairs
    >>> str(gate)
    'abs:0.05@99'
    >>> gate == Tolerance.parse("abs:0.05@99")
    True
    """

    kind: str
    value: float
    min_share_pct: float = 100.0

    @classmethod
    def parse(cls, text: str) -> "Tolerance":
        """The gate written as ``KIND:VALUE[@SHARE]`` (``rel:1e-3``, ``abs:0.05@99.5``, ``log10:0.01``).

        Parameters
        ----------
        text : str
            ``rel``, ``abs`` or ``log10``, a colon, the bound (>= 0; a fraction of |O|, the
            variable's units or decades, see :class:`Tolerance`) and optionally ``@`` and
            the share of pairs in percent, in (0, 100] (default 100). Surrounding
            whitespace is ignored.

        Returns
        -------
        Tolerance
            The gate.

        Raises
        ------
        ValidationInputError
            The text does not have that form, the bound is not a number or is negative,
            or the share is outside (0, 100] (a ``ValueError``).

        Examples
        --------
        >>> from oceancolour.validate import Tolerance
        >>> Tolerance.parse("rel:1e-3@99.5")
        Tolerance(kind='rel', value=0.001, min_share_pct=99.5)
        >>> Tolerance.parse("rel:1%")
        Traceback (most recent call last):
        ...
        oceancolour.validate.readers.ValidationInputError: tolerance 'rel:1%': expected rel:X, abs:X or log10:X, optionally @PERCENT (e.g. rel:1e-3@99.5)
        """
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
        """The signed quantity the gate bounds: (M - O)/|O|, M - O, or log10 M - log10 O.

        Parameters
        ----------
        m : numpy.ndarray
            Candidate values (in the variable's units, e.g. chlorophyll in mg m-3).
        o : numpy.ndarray
            Reference values, same shape (or broadcastable) and units.

        Returns
        -------
        numpy.ndarray
            Per pair: the relative difference as a fraction (``rel``; 0 where O = M = 0,
            NaN where only O = 0), the difference in the variable's units (``abs``), or
            the log10 difference in decades (``log10``; NaN unless both are > 0). NaN
            counts as outside the gate.

        Raises
        ------
        ValueError
            ``m`` and ``o`` cannot be broadcast together (numpy).

        Examples
        --------
        >>> import numpy as np
        >>> from oceancolour.validate import Tolerance
        >>> o = np.array([0.5, 1.0, 0.0, 2.0])  # reference chlorophyll, mg m-3
        >>> m = np.array([0.5005, 1.1, 0.0, 0.0])  # candidate, mg m-3
        >>> Tolerance.parse("rel:1e-3").measure(m, o).round(6)  # fraction of |O|
        array([ 0.001,  0.1  ,  0.   , -1.   ])
        >>> Tolerance.parse("log10:0.01").measure(m, o).round(4)  # decades
        array([0.0004, 0.0414,    nan,    nan])
        """
        with np.errstate(divide="ignore", invalid="ignore"):
            if self.kind == "rel":
                return np.where(o != 0, (m - o) / np.abs(o), np.where(m == o, 0.0, np.nan))
            if self.kind == "abs":
                return m - o
            return np.where((m > 0) & (o > 0), np.log10(m) - np.log10(o), np.nan)

    def within(self, m: np.ndarray, o: np.ndarray) -> np.ndarray:
        """Which pairs are within the bound: |:meth:`measure`| <= ``value``.

        The share condition (``min_share_pct``) applies to the whole variable, in
        :func:`compare`, not here.

        Parameters
        ----------
        m : numpy.ndarray
            Candidate values (in the variable's units, e.g. chlorophyll in mg m-3).
        o : numpy.ndarray
            Reference values, same shape (or broadcastable) and units.

        Returns
        -------
        numpy.ndarray of bool
            True where the pair is within the bound (False where the measure is NaN).

        Raises
        ------
        ValueError
            ``m`` and ``o`` cannot be broadcast together (numpy).

        Examples
        --------
        >>> import numpy as np
        >>> from oceancolour.validate import Tolerance
        >>> o = np.array([0.5, 1.0, 2.0])  # reference chlorophyll, mg m-3
        >>> m = np.array([0.52, 1.1, np.nan])  # candidate, mg m-3
        >>> Tolerance.parse("abs:0.05").within(m, o)  # within 0.05 mg m-3
        array([ True, False, False])
        """
        return np.abs(self.measure(m, o)) <= self.value

    def __str__(self) -> str:
        return f"{self.kind}:{self.value:g}" + ("" if self.min_share_pct == 100 else f"@{self.min_share_pct:g}")


@dataclass
class VariableResult:
    """One variable of a comparison (an entry of :attr:`ComparisonReport.results`).

    ``difference`` is candidate - reference on the aligned grid (NaN unless valid in
    both); ``only_reference``/``only_candidate`` mark the pixels valid in one product only.
    Made by :func:`compare`.

    Parameters
    ----------
    name : str
        The candidate's variable name.
    reference_source : str
        Where the reference variable was read, ``"FILE:VARIABLE"`` (``"<memory>:NAME"``
        for in-memory data).
    candidate_source : str
        Where the candidate variable was read, same form.
    reference : numpy.ndarray
        The reference values on the aligned grid (variable's units, NaN = missing).
    candidate : numpy.ndarray
        The candidate values on the aligned grid (same units).
    difference : numpy.ndarray
        candidate - reference (same units), NaN unless both are valid.
    only_reference : numpy.ndarray of bool
        Pixels valid in the reference only.
    only_candidate : numpy.ndarray of bool
        Pixels valid in the candidate only.
    stats : dict of str to float
        :func:`oceancolour.validate.metrics.summary` of (candidate, reference) on the
        pixels valid in both, plus ``n_reference_only``, ``n_candidate_only`` and, when
        gated, ``share_within_tolerance_pct`` (percent).
    log_scale : bool
        Whether plots use log axes.
    tolerance : Tolerance or None
        The gate, None when not gated.
    passed : bool or None
        The gate's verdict; None when not gated.
    reason : str
        Why it passed or failed, and the coverage difference, in words.
    plots : dict of str to pathlib.Path, optional
        The PNG plots written to the report folder, by kind (empty without one).

    Examples
    --------
    >>> import numpy as np
    >>> from oceancolour.validate import compare
    >>> lat, lon = np.array([41.0, 40.0]), np.array([0.0, 1.0, 2.0])  # degrees
    >>> legacy = {"CHL_OC5": np.array([[0.1, 0.5, 1.0], [2.0, 4.0, np.nan]]), "lat": lat, "lon": lon}
    >>> new = {"chl": np.array([[0.1, 0.5002, 1.0], [2.0, 4.1, 3.0]]), "lat": lat, "lon": lon}  # mg m-3
    >>> r = compare(legacy, new, variables={"chl": "CHL_OC5"}, tolerances={"chl": "abs:0.2"}).results["chl"]
    >>> r.reference_source, r.passed, r.stats["n"], int(r.only_candidate.sum())
    ('<memory>:CHL_OC5', False, 5, 1)
    >>> r.difference.round(4)  # mg m-3
    array([[0.    , 0.0002, 0.    ],
           [0.    , 0.1   ,    nan]])
    >>> r.reason  # every pair within 0.2 mg m-3, but the coverage differs
    '0 pixels valid in the reference only, 1 in the candidate only (16.7% > allowed 0%)'
    """

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
    """The result of :func:`compare`: one :class:`VariableResult` per compared variable.

    Parameters
    ----------
    results : dict of str to VariableResult
        By candidate variable name, in the order compared.
    report_dir : pathlib.Path or None, optional
        The report folder written by ``compare(..., report_dir=...)``; None without one.

    Attributes
    ----------
    passed : bool
        True unless a gated variable failed.
    exit_code : int
        0 when passed, else 1 (the command line's exit code).
    table : pandas.DataFrame
        One row per variable with status, gate and all metrics.
    plots : dict
        The PNG plots written, per variable.

    Examples
    --------
    >>> import numpy as np
    >>> from oceancolour.validate import compare
    >>> lat, lon = np.array([41.0, 40.0]), np.array([0.0, 1.0, 2.0])  # degrees
    >>> legacy = {"CHL_OC5": np.array([[0.1, 0.5, 1.0], [2.0, 4.0, np.nan]]), "lat": lat, "lon": lon}
    >>> new = {"chl": np.array([[0.1, 0.5002, 1.0], [2.0, 4.1, 3.0]]), "lat": lat, "lon": lon}  # mg m-3
    >>> rep = compare(legacy, new, variables={"chl": "CHL_OC5"}, tolerances={"chl": "rel:1e-3@75"},
    ...               max_coverage_diff=0.2)
    >>> rep.passed, rep.exit_code, list(rep.results)
    (True, 0, ['chl'])
    >>> print(rep.summary())
    chl: PASS: 4/5 pairs within rel:0.001@75; 0 pixels valid in the reference only, 1 in the candidate only
    """

    results: dict[str, VariableResult]
    report_dir: Path | None = None

    @property
    def passed(self) -> bool:
        """Whether no gated variable failed (variables without a gate do not count).

        Returns
        -------
        bool
            True when every gated variable passed, or none is gated.

        Examples
        --------
        >>> import numpy as np
        >>> from oceancolour.validate import compare
        >>> lat, lon = np.array([41.0, 40.0]), np.array([0.0, 1.0, 2.0])  # degrees
        >>> legacy = {"CHL_OC5": np.array([[0.1, 0.5, 1.0], [2.0, 4.0, np.nan]]), "lat": lat, "lon": lon}
        >>> new = {"chl": np.array([[0.1, 0.5002, 1.0], [2.0, 4.1, 3.0]]), "lat": lat, "lon": lon}  # mg m-3
        >>> compare(legacy, new, variables={"chl": "CHL_OC5"}).passed  # no gate
        True
        >>> compare(legacy, new, variables={"chl": "CHL_OC5"}, tolerances={"chl": "rel:1e-3"}).passed
        False
        """
        return all(r.passed is not False for r in self.results.values())

    @property
    def exit_code(self) -> int:
        """The exit code of ``python -m oceancolour.validate compare``: 0 passed, 1 a gate failed.

        Returns
        -------
        int
            0 when :attr:`passed`, else 1.

        Examples
        --------
        >>> import numpy as np
        >>> from oceancolour.validate import compare
        >>> lat, lon = np.array([41.0, 40.0]), np.array([0.0, 1.0, 2.0])  # degrees
        >>> legacy = {"CHL_OC5": np.array([[0.1, 0.5, 1.0], [2.0, 4.0, np.nan]]), "lat": lat, "lon": lon}
        >>> new = {"chl": np.array([[0.1, 0.5002, 1.0], [2.0, 4.1, 3.0]]), "lat": lat, "lon": lon}  # mg m-3
        >>> compare(legacy, new, variables={"chl": "CHL_OC5"}, tolerances={"chl": "rel:1e-3"}).exit_code
        1
        """
        return 0 if self.passed else 1

    @property
    def table(self):
        """One row per variable: gate, status, coverage counts and all metrics (pandas).

        Returns
        -------
        pandas.DataFrame
            Indexed by candidate variable name; columns ``status`` (PASS, FAIL or NOT
            GATED), ``tolerance`` and the keys of :attr:`VariableResult.stats` (metrics in
            the variable's units, log10 decades or percent as their names say).

        Raises
        ------
        MissingExtraError
            pandas is not installed (the ``validate`` extra; an ``ImportError``).

        Examples
        --------
        >>> import numpy as np
        >>> from oceancolour.validate import compare
        >>> lat, lon = np.array([41.0, 40.0]), np.array([0.0, 1.0, 2.0])  # degrees
        >>> legacy = {"CHL_OC5": np.array([[0.1, 0.5, 1.0], [2.0, 4.0, np.nan]]), "lat": lat, "lon": lon}
        >>> new = {"chl": np.array([[0.1, 0.5002, 1.0], [2.0, 4.1, 3.0]]), "lat": lat, "lon": lon}  # mg m-3
        >>> t = compare(legacy, new, variables={"chl": "CHL_OC5"}, tolerances={"chl": "abs:0.2"}).table
        >>> t[["status", "tolerance", "n", "n_candidate_only"]]
            status tolerance  n  n_candidate_only
        chl   FAIL   abs:0.2  5                 1
        >>> round(float(t.loc["chl", "bias"]), 5)  # mg m-3
        0.02004
        """
        with needs("validate", "ComparisonReport.table"):
            import pandas as pd

        rows = {name: {"status": _status(r), "tolerance": str(r.tolerance or ""), **r.stats}
                for name, r in self.results.items()}
        return pd.DataFrame.from_dict(rows, orient="index")

    @property
    def plots(self) -> dict[str, dict[str, Path]]:
        """The PNG plots written to the report folder, per variable and kind.

        Returns
        -------
        dict of str to dict of str to pathlib.Path
            By variable name, the plots by kind (``difference_map``, ``scatter``, ``histogram``);
            empty dicts when no report folder was written.

        Examples
        --------
        >>> import numpy as np
        >>> from oceancolour.validate import compare
        >>> lat, lon = np.array([41.0, 40.0]), np.array([0.0, 1.0, 2.0])  # degrees
        >>> legacy = {"CHL_OC5": np.array([[0.1, 0.5, 1.0], [2.0, 4.0, np.nan]]), "lat": lat, "lon": lon}
        >>> new = {"chl": np.array([[0.1, 0.5002, 1.0], [2.0, 4.1, 3.0]]), "lat": lat, "lon": lon}  # mg m-3
        >>> compare(legacy, new, variables={"chl": "CHL_OC5"}).plots  # no report_dir: no plots
        {'chl': {}}
        """
        return {name: dict(r.plots) for name, r in self.results.items()}

    def summary(self) -> str:
        """One line per variable: name, status and reason.

        Returns
        -------
        str
            ``NAME: STATUS: REASON`` lines (STATUS PASS, FAIL or NOT GATED), joined by
            newlines.

        Examples
        --------
        >>> import numpy as np
        >>> from oceancolour.validate import compare
        >>> lat, lon = np.array([41.0, 40.0]), np.array([0.0, 1.0, 2.0])  # degrees
        >>> legacy = {"CHL_OC5": np.array([[0.1, 0.5, 1.0], [2.0, 4.0, np.nan]]), "lat": lat, "lon": lon}
        >>> new = {"chl": np.array([[0.1, 0.5002, 1.0], [2.0, 4.1, 3.0]]), "lat": lat, "lon": lon}  # mg m-3
        >>> rep = compare(legacy, new, variables={"chl": "CHL_OC5"}, tolerances={"chl": "rel:1e-3"})
        >>> print(rep.summary())
        chl: FAIL: 1/5 pairs (20%) outside rel:0.001; largest rel difference +0.025 at index (1, 1); 0 pixels valid in the reference only, 1 in the candidate only (16.7% > allowed 0%)
        """
        return "\n".join(f"{name}: {_status(r)}: {r.reason}" for name, r in self.results.items())

    def to_dict(self) -> dict[str, Any]:
        """The report as plain data, as written to summary.json.

        Returns
        -------
        dict
            ``{"passed": bool, "variables": {NAME: {...}}}`` with, per variable,
            ``status``, ``reason``, ``tolerance`` (text, or None), ``reference`` and
            ``candidate`` (the sources read), ``stats`` (the metrics, None where not
            finite) and ``plots`` (file names by kind).

        Examples
        --------
        >>> import numpy as np
        >>> from oceancolour.validate import compare
        >>> lat, lon = np.array([41.0, 40.0]), np.array([0.0, 1.0, 2.0])  # degrees
        >>> legacy = {"CHL_OC5": np.array([[0.1, 0.5, 1.0], [2.0, 4.0, np.nan]]), "lat": lat, "lon": lon}
        >>> new = {"chl": np.array([[0.1, 0.5002, 1.0], [2.0, 4.1, 3.0]]), "lat": lat, "lon": lon}  # mg m-3
        >>> d = compare(legacy, new, variables={"chl": "CHL_OC5"}).to_dict()
        >>> d["passed"], d["variables"]["chl"]["status"], d["variables"]["chl"]["tolerance"]
        (True, 'NOT GATED', None)
        >>> d["variables"]["chl"]["stats"]["n_candidate_only"]
        1
        """
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
    """Compare ``candidate`` with ``reference``, variable by variable, with tolerance gates.

    Both are paths to netCDF, IDL .sav or flat-binary descriptors, in-memory mappings of
    arrays, or lists of these (searched in order for each variable).
    Grids must have the same shape or carry 1-D latitude/longitude (then they are
    aligned on their common pixels, see :func:`align`).
    With ``report_dir``, writes summary.md, summary.html, summary.json and PNG plots there.

    Parameters
    ----------
    reference : str, pathlib.Path, mapping or list of these
        The reference (legacy) product.
    candidate : str, pathlib.Path, mapping or list of these
        The product under test.
    variables : mapping of str to str, optional
        Maps a candidate variable name to the reference's name for it
        (``{"chl": "CHL_OC5"}``); when None, the names given in ``tolerances`` are used
        as-is.
    tolerances : mapping of str to str or Tolerance, optional
        Maps candidate names to gates (``"rel:1e-3"``, see :class:`Tolerance`); variables
        without one are reported but not gated.
    report_dir : str or pathlib.Path, optional
        A new or empty folder, or a previous report's, to write the report into.
    max_coverage_diff : float, default 0.0
        Allowed fraction (0 to 1, not percent) of the pixels valid in either product
        that are valid in one only; more fails a gated variable.
    fill_values : sequence of float, default ()
        Extra sentinel values set to NaN in both products (in the files' units).
    log_scale : sequence of str, optional
        The log-normally distributed variables (log axes in plots); by default a
        variable is log-scaled when all its values are > 0 and span a decade or more.

    Returns
    -------
    ComparisonReport
        The per-variable results; ``passed`` and ``exit_code`` give the verdict.

    Raises
    ------
    ValidationInputError
        No variables to compare, a tolerance for a variable not compared, a malformed
        tolerance, a missing variable or unreadable file, grids that cannot be aligned,
        or a ``report_dir`` that is not a new or empty folder or a previous report's
        (a ``ValueError``).
    MissingExtraError
        An optional dependency for the input format or the report (netCDF4, scipy,
        matplotlib: the ``validate`` extra) is not installed (an ``ImportError``).

    Examples
    --------
    Chlorophyll (mg m-3) from a legacy chain and a new one, on the same 2 x 3 grid:

    >>> import numpy as np
    >>> from oceancolour.validate import compare
    >>> lat, lon = np.array([41.0, 40.0]), np.array([0.0, 1.0, 2.0])  # degrees
    >>> legacy = {"CHL_OC5": np.array([[0.1, 0.5, 1.0], [2.0, 4.0, np.nan]]), "lat": lat, "lon": lon}
    >>> new = {"chl": np.array([[0.1, 0.5002, 1.0], [2.0, 4.1, 3.0]]), "lat": lat, "lon": lon}  # mg m-3
    >>> rep = compare(legacy, new, variables={"chl": "CHL_OC5"}, tolerances={"chl": "rel:1e-3"})
    >>> rep.passed, rep.exit_code
    (False, 1)
    >>> print(rep.summary())
    chl: FAIL: 1/5 pairs (20%) outside rel:0.001; largest rel difference +0.025 at index (1, 1); 0 pixels valid in the reference only, 1 in the candidate only (16.7% > allowed 0%)
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
    """The two fields on their common grid.

    By 1-D latitude/longitude when both have them (handles north-up vs south-up rows and
    sub-domains: pixels match when their centres are within a quarter of the grid step),
    else by identical shape.

    Parameters
    ----------
    ref : Field
        The reference field (from :func:`read_variable`).
    cand : Field
        The candidate field.

    Returns
    -------
    tuple of numpy.ndarray
        ``(reference values, candidate values)`` on the common pixels, same shape, in
        the fields' units; row and column order follow the candidate.

    Raises
    ------
    ValidationInputError
        The shapes differ and the fields lack 1-D latitude/longitude, the grid spacings
        differ, or the grids do not overlap (a ``ValueError``).

    Examples
    --------
    A south-up reference on a larger domain and a north-up candidate (degrees,
    chlorophyll in mg m-3):

    >>> import numpy as np
    >>> from oceancolour.validate import Field, align
    >>> ref = Field(np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]), np.array([40.0, 41.0, 42.0]),
    ...             np.array([0.0, 1.0]), "legacy.nc:chl")
    >>> cand = Field(np.array([[5.1, 6.1], [3.1, 4.1]]), np.array([42.0, 41.0]), np.array([0.0, 1.0]), "new.nc:chl")
    >>> r, c = align(ref, cand)
    >>> r
    array([[5., 6.],
           [3., 4.]])
    >>> align(ref, Field(np.zeros((2, 2)), None, None, "other.nc:chl"))
    Traceback (most recent call last):
    ...
    oceancolour.validate.readers.ValidationInputError: grids differ: legacy.nc:chl has shape (3, 2), other.nc:chl has shape (2, 2), and they lack 1-D latitude/longitude to align them
    """
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
