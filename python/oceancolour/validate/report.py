"""Report folders: summary.md, summary.html, summary.json and PNG plots (matplotlib Agg),
written only into a new or empty folder or over a previous report (see ReportFolder)."""

from __future__ import annotations

import html
import json
import math
import os
import re
import shutil
import tempfile
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

import numpy as np

from oceancolour._extras import needs
from oceancolour.validate.readers import ValidationInputError

if TYPE_CHECKING:
    from oceancolour.validate.compare import ComparisonReport
    from oceancolour.validate.matchup import MatchupReport

# Columns shown in the human summaries (all metrics go to summary.json and .table).
KEY_METRICS = ("n", "n_reference_only", "n_candidate_only", "share_within_tolerance_pct", "bias", "mae", "rmsd",
               "bias_log10", "mae_log10", "rmsd_log10", "bias_factor", "mae_factor", "slope_rma_log10",
               "intercept_rma_log10", "r", "median_ratio", "mdape_pct", "reldiff_p5_pct", "reldiff_p95_pct")


def _pyplot():
    with needs("validate", "the report's plots"):
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

    return plt


def _file_name(name: str) -> str:
    """A variable or algorithm name as part of a file name (no separators, no dot files)."""
    return re.sub(r"[^A-Za-z0-9_.+-]", "_", name).lstrip(".") or "_"


MARKER = ".oceancolour-report.json"
_STAGING = ".oceancolour-report.tmp-"


def _own_name(n: str) -> bool:
    """A plain file name of the folder itself (a marker edited to name ../x or /x is ignored)."""
    return n == Path(n).name and n not in ("", ".", "..", MARKER) and not n.startswith(_STAGING)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        pass
    return True


class ReportFolder:
    """The folder of a report: a new or empty folder, or a previous report's, identified
    by the marker file MARKER listing the files that report wrote. Only those are ever
    replaced or removed; anything else in the folder is kept, and a non-empty folder
    without the marker is refused. Checked when made, before any work.

    Files are written into a staging folder inside it and moved into place when all are
    complete (summaries last, after the marker that lists them), so a failed run leaves the
    previous report as it was and a re-run after a kill can always clean up."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.previous = self._check()
        _pyplot()  # a missing matplotlib is reported before any work

    def _check(self) -> set[str]:
        p = self.path
        if not p.exists():
            if p.is_symlink():
                raise ValidationInputError(f"{p}: a broken symbolic link, not a folder")
            return set()
        if not p.is_dir():
            raise ValidationInputError(f"{p}: exists and is not a folder (give a new or empty folder, or a previous report's)")
        try:
            names = {e.name for e in os.scandir(p)}
        except OSError as e:
            raise ValidationInputError(f"{p}: cannot read the folder ({e.strerror})") from None
        names -= self._remove_stale_staging(names)
        if not names:
            return set()
        if MARKER not in names:
            raise ValidationInputError(f"{p}: folder not empty and not an oceancolour report (no {MARKER}): "
                                       "give a new or empty folder, or a previous report's")
        try:
            listed = json.loads((p / MARKER).read_text())["files"]
            if not isinstance(listed, list):
                raise TypeError("'files' is not a list")
        except (OSError, ValueError, KeyError, TypeError) as e:
            raise ValidationInputError(f"{p / MARKER}: unreadable report marker ({e})") from None
        return {n for n in listed if isinstance(n, str) and _own_name(n) and (p / n).is_file() and not (p / n).is_symlink()}

    def _remove_stale_staging(self, names: set[str]) -> set[str]:
        """Staging folders left by killed runs (their process is gone); returns their names."""
        stale = set()
        for n in names:
            pid = n[len(_STAGING):].partition("-")[0]
            if n.startswith(_STAGING) and pid.isdigit() and not _alive(int(pid)):
                shutil.rmtree(self.path / n, ignore_errors=True)
                stale.add(n)
        return stale

    @contextmanager
    def staged(self, kind: str) -> Iterator[Path]:
        """A staging folder whose files, on success, replace the previous report's."""
        created = not self.path.exists()
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            stage = Path(tempfile.mkdtemp(prefix=f"{_STAGING}{os.getpid()}-", dir=self.path))
        except OSError as e:
            raise ValidationInputError(f"{self.path}: cannot write the report ({e.strerror})") from None
        try:
            yield stage
            self._install(stage, kind)
        except BaseException:
            shutil.rmtree(stage, ignore_errors=True)
            if created:
                with suppress(OSError):
                    self.path.rmdir()  # only if still empty
            raise

    def _install(self, stage: Path, kind: str) -> None:
        new = sorted(os.listdir(stage), key=lambda n: (n.startswith("summary."), n))
        for n in new:
            target = self.path / n
            if n not in self.previous and (target.exists() or target.is_symlink()):
                raise ValidationInputError(f"{target}: exists and was not written by oceancolour "
                                           "(move it away or choose another folder)")
        try:
            self._write_marker(stage, kind, self.previous | set(new), complete=False)
            for n in new:
                os.replace(stage / n, self.path / n)
            for n in self.previous - set(new):
                (self.path / n).unlink(missing_ok=True)
            self._write_marker(stage, kind, set(new), complete=True)
            stage.rmdir()
        except OSError as e:
            raise ValidationInputError(f"{self.path}: cannot write the report ({e.strerror})") from None
        self.previous = set(new)

    def _write_marker(self, stage: Path, kind: str, files: set[str], complete: bool) -> None:
        from oceancolour import __version__

        tmp = stage / MARKER
        tmp.write_text(json.dumps({"written_by": f"oceancolour {__version__}", "report": kind, "complete": complete,
                                   "files": sorted(files)}, indent=1))
        os.replace(tmp, self.path / MARKER)


def _fmt(v) -> str:
    if isinstance(v, float):
        return "" if not math.isfinite(v) else f"{v:.4g}"
    return str(v)


def _md_table(rows: dict[str, dict], columns: list[str], first: str = "variable") -> str:
    lines = [f"| {first} | " + " | ".join(columns) + " |", "|---" * (len(columns) + 1) + "|"]
    lines += [f"| {name} | " + " | ".join(_fmt(r.get(c, "")) for c in columns) + " |" for name, r in rows.items()]
    return "\n".join(lines)


def _html_table(rows: dict[str, dict], columns: list[str], first: str = "variable") -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in [first, *columns])
    body = "".join("<tr><td>" + html.escape(name) + "</td>" + "".join(f"<td>{html.escape(_fmt(r.get(c, '')))}</td>" for c in columns) + "</tr>"
                   for name, r in rows.items())
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


_CSS = "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}.PASS{color:#070}.FAIL{color:#b00}img{max-width:32%}"


def _json_safe(obj):
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, dict):
        return {k: _json_safe(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_json_safe(v) for v in obj]
    return obj


# Comparison ---------------------------------------------------------------------------

def _comparison_rows(report: "ComparisonReport") -> dict[str, dict]:
    from oceancolour.validate.compare import _status

    return {n: {"status": _status(r), "tolerance": str(r.tolerance or ""), **r.stats} for n, r in report.results.items()}


def comparison_html(report: "ComparisonReport", embed_plots: bool = True) -> str:
    from oceancolour.validate.compare import _status

    cols = ["status", "tolerance", *[c for c in KEY_METRICS if any(c in r.stats for r in report.results.values())]]
    parts = [f"<h1>Comparison: {'PASS' if report.passed else 'FAIL'}</h1><ul>"]
    parts += [f"<li><b>{html.escape(n)}</b> <span class='{_status(r)}'>{_status(r)}</span>: {html.escape(r.reason)}<br>"
              f"reference {html.escape(r.reference_source)}, candidate {html.escape(r.candidate_source)}</li>"
              for n, r in report.results.items()]
    parts += ["</ul>", _html_table(_comparison_rows(report), cols)]
    if embed_plots:
        for n, r in report.results.items():
            parts.append(f"<h2>{html.escape(n)}</h2>" + "".join(f"<img src='{p.name}' alt='{k}'>" for k, p in r.plots.items()))
    return f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>oceancolour comparison</title><style>{_CSS}</style></head><body>{''.join(parts)}</body></html>"


def write_comparison(report: "ComparisonReport", folder: ReportFolder) -> None:
    from oceancolour.validate.compare import _status

    plt = _pyplot()
    report_dir = folder.path
    with folder.staged("comparison") as tmp:
        for name, r in report.results.items():
            r.plots = {kind: report_dir / f"{_file_name(name)}_{kind}.png" for kind in ("difference_map", "scatter", "histogram")}
            _difference_map(plt, r, tmp / r.plots["difference_map"].name)
            _density_scatter(plt, r.reference, r.candidate, r.log_scale, f"{name}: candidate vs reference",
                             "reference", "candidate", tmp / r.plots["scatter"].name)
            _histogram(plt, r, tmp / r.plots["histogram"].name)
        cols = ["status", "tolerance", *[c for c in KEY_METRICS if any(c in r.stats for r in report.results.values())]]
        md = [f"# Comparison: {'PASS' if report.passed else 'FAIL'}", ""]
        md += [f"- **{n}** {_status(r)}: {r.reason} (reference `{r.reference_source}`, candidate `{r.candidate_source}`)"
               for n, r in report.results.items()]
        md += ["", _md_table(_comparison_rows(report), cols), ""]
        for n, r in report.results.items():
            md += [f"## {n}", ""] + [f"![{k}]({p.name})" for k, p in r.plots.items()] + [""]
        (tmp / "summary.md").write_text("\n".join(md))
        (tmp / "summary.html").write_text(comparison_html(report))
        (tmp / "summary.json").write_text(json.dumps(_json_safe(report.to_dict()), indent=2))
    report.report_dir = report_dir


def _difference_map(plt, r, path: Path) -> None:
    """Relative difference in % (absolute difference for variables with values <= 0),
    pixels valid in one product only in black (reference only) or grey (candidate only)."""
    diff = r.difference
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = r.log_scale or bool(np.all(r.reference[np.isfinite(diff)] > 0))
        shown = 100 * diff / r.reference if rel else diff
    while shown.ndim > 2:  # first band of a multi-band variable
        shown = shown[0]
    if shown.ndim == 1:
        shown = shown[np.newaxis, :]
    fig, ax = plt.subplots(figsize=(7, 5))
    finite = np.abs(shown[np.isfinite(shown)])
    lim = float(np.percentile(finite, 99)) if finite.size else 1.0
    im = ax.imshow(shown, cmap="RdBu_r", vmin=-lim or -1, vmax=lim or 1, interpolation="nearest")
    coverage = np.zeros(shown.shape + (4,))
    for mask, colour in ((r.only_reference, (0, 0, 0, 1)), (r.only_candidate, (0.6, 0.6, 0.6, 1))):
        m = mask
        while m.ndim > 2:
            m = m[0]
        coverage[m.reshape(shown.shape)] = colour
    ax.imshow(coverage, interpolation="nearest")
    fig.colorbar(im, ax=ax, label="(candidate - reference)/reference [%]" if rel else "candidate - reference")
    ax.set_title(f"{r.name}: difference (black: reference only, grey: candidate only)", fontsize=9)
    fig.savefig(path, dpi=90)
    plt.close(fig)


def _density_scatter(plt, x, y, log: bool, title: str, xlabel: str, ylabel: str, path: Path) -> None:
    x, y = np.ravel(x), np.ravel(y)
    ok = np.isfinite(x) & np.isfinite(y) & ((x > 0) & (y > 0) if log else True)
    x, y = x[ok], y[ok]
    fig, ax = plt.subplots(figsize=(5, 5))
    if x.size:
        lo, hi = min(x.min(), y.min()), max(x.max(), y.max())
        if x.size > 200:
            hb = ax.hexbin(x, y, gridsize=60, bins="log", mincnt=1, xscale="log" if log else "linear",
                           yscale="log" if log else "linear", cmap="viridis")
            fig.colorbar(hb, ax=ax, label="pairs")
        else:
            ax.scatter(x, y, s=12, alpha=0.7)
            if log:
                ax.set_xscale("log")
                ax.set_yscale("log")
        ax.plot([lo, hi], [lo, hi], "k--", lw=0.8)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(f"{title} (N={x.size})", fontsize=9)
    fig.savefig(path, dpi=90)
    plt.close(fig)


def _histogram(plt, r, path: Path) -> None:
    both = np.isfinite(r.difference)
    with np.errstate(divide="ignore", invalid="ignore"):
        if r.log_scale:
            v, label = np.log10(r.candidate[both]) - np.log10(r.reference[both]), "log10(candidate) - log10(reference)"
        else:
            v, label = r.difference[both], "candidate - reference"
    v = v[np.isfinite(v)]
    fig, ax = plt.subplots(figsize=(6, 4))
    if v.size:
        ax.hist(v, bins=60)
    ax.set_xlabel(label)
    ax.set_ylabel("pixels")
    ax.set_title(f"{r.name}: differences (N={v.size})", fontsize=9)
    fig.savefig(path, dpi=90)
    plt.close(fig)


# Matchups -----------------------------------------------------------------------------

def write_matchup(report: "MatchupReport", folder: ReportFolder) -> None:
    plt = _pyplot()
    report_dir = folder.path
    with folder.staged("matchup") as tmp:
        report.plots = {}
        for name in report.table.index:
            p = report_dir / f"matchup_{_file_name(str(name))}.png"
            pairs = report.pairs[report.pairs[f"{name}_ok"]]
            _density_scatter(plt, pairs["insitu"].to_numpy(float), pairs[name].to_numpy(float), report.log_scale,
                             f"{name} vs in situ", "in situ", name, tmp / p.name)
            report.plots[name] = p
        rows = report.table.to_dict(orient="index")
        cols = [c for c in ("n", "bias_log10", "mae_log10", "rmsd_log10", "bias_factor", "mae_factor", "slope_rma_log10",
                            "intercept_rma_log10", "r_log10", "median_ratio", "mdape_pct", "bias", "rmsd") if c in report.table]
        md = ["# Matchups", "", report.describe(), "", _md_table(rows, cols, "algorithm"), ""]
        if report.win_rates is not None:
            md += ["Win rates (row beats column, Seegers et al. 2018):", "", _md_table(report.win_rates.to_dict(orient="index"), list(report.win_rates.columns), "algorithm"), ""]
        md += [f"![{n}]({p.name})" for n, p in report.plots.items()]
        (tmp / "summary.md").write_text("\n".join(md))
        body = f"<h1>Matchups</h1><p>{html.escape(report.describe())}</p>{_html_table(rows, cols, 'algorithm')}"
        if report.win_rates is not None:
            body += "<h2>Win rates (row beats column)</h2>" + _html_table(report.win_rates.to_dict(orient="index"), list(report.win_rates.columns), "algorithm")
        body += "".join(f"<img src='{p.name}' alt='{html.escape(n)}'>" for n, p in report.plots.items())
        (tmp / "summary.html").write_text(f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>oceancolour matchups</title><style>{_CSS}</style></head><body>{body}</body></html>")
        (tmp / "summary.json").write_text(json.dumps(_json_safe(report.to_dict()), indent=2))
        report.pairs.to_csv(tmp / "matchups.csv", index=False)
    report.report_dir = report_dir
