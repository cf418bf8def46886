"""Matchups of gridded products with in situ stations (fusion.md §8, Bailey & Werdell 2006
protocol: a box of pixels around the station, a minimum number of valid pixels, an
optional coefficient-of-variation limit, a time window)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np

from oceancolour._extras import needs
from oceancolour.validate import metrics
from oceancolour.validate.readers import Field, ValidationInputError, read_variable
from oceancolour.validate.report import ReportFolder, write_matchup


@dataclass(frozen=True)
class Product:
    """One gridded product file (or in-memory mapping) and the variable to extract.
    ``time`` is its coverage (start, end); when None it is read from the netCDF
    ``time_coverage_start``/``time_coverage_end`` attributes, if any."""

    source: Any
    variable: str
    time: tuple[np.datetime64, np.datetime64] | None = None


@dataclass
class MatchupReport:
    pairs: Any  # pandas DataFrame, one row per station
    table: Any  # pandas DataFrame, one row per algorithm
    win_rates: Any  # pandas DataFrame or None
    settings: dict[str, Any]
    log_scale: bool = True
    plots: dict[str, Path] = field(default_factory=dict)
    report_dir: Path | None = None

    def describe(self) -> str:
        s = self.settings
        return (f"{s['stations']} stations; {s['box']}x{s['box']} box, {s['statistic']}, at least {s['min_valid']} valid pixels"
                + (f", CV <= {s['max_cv']}" if s["max_cv"] is not None else "")
                + (f", time window +/- {s['time_window'].total_seconds() / 3600:g} h" if s["time_window"] is not None
                   else ", no time window"))

    def to_dict(self) -> dict[str, Any]:
        window = self.settings["time_window"]
        return {"settings": {**self.settings, "time_window": None if window is None else window.total_seconds() / 3600},
                "algorithms": self.table.to_dict(orient="index"),
                "win_rates": None if self.win_rates is None else self.win_rates.to_dict(orient="index"),
                "plots": {k: p.name for k, p in self.plots.items()}}


def matchup_statistics(truth: np.ndarray, estimates: Mapping[str, np.ndarray]):
    """Metrics of each algorithm against ``truth`` (on the pairs valid for that algorithm)
    and the Seegers et al. 2018 win-rate matrix on the pairs valid for all of them.
    Returns (table, win_rates) as pandas DataFrames."""
    with needs("validate", "matchup statistics"):
        import pandas as pd

    truth = np.asarray(truth, dtype=np.float64)
    table = pd.DataFrame.from_dict({name: metrics.summary(est, truth) for name, est in estimates.items()}, orient="index")
    win = None
    if len(estimates) > 1:
        common = (truth > 0) & np.all([np.asarray(e, float) > 0 for e in estimates.values()], axis=0)
        est = {k: np.asarray(v, float)[common] for k, v in estimates.items()}
        win = pd.DataFrame({b: {a: (metrics.win_rate(est[a], est[b], truth[common]) if a != b and common.any() else math.nan)
                                for a in est} for b in est})
    return table, win


def _to_timedelta(window):
    import pandas as pd

    if window is None:
        return None
    if isinstance(window, (int, float)):
        return pd.Timedelta(hours=window)
    try:
        return pd.Timedelta(window)
    except ValueError:
        raise ValidationInputError(f"time window {window!r}: expected hours or a duration such as '3h' or '1D'") from None


def read_insitu(table: str | Path | Any, columns: Mapping[str, str | Sequence[str]], na_values: Sequence[Any] = ()):
    """The in situ table (CSV path, gzip allowed, or a DataFrame) as a DataFrame with the
    columns ``lat``, ``lon``, ``insitu`` and, when mapped, ``time``. ``columns`` maps those
    names to the table's; ``time`` may map to a list of year, month, day[, hour, minute,
    second] columns."""
    with needs("validate", "reading an in situ table"):
        import pandas as pd

    if isinstance(table, (str, Path)):
        try:
            df = pd.read_csv(table, na_values=list(na_values) or None)
        except (OSError, ValueError, UnicodeDecodeError) as e:
            raise ValidationInputError(f"{table}: unreadable in situ table ({e})") from None
        name = str(table)
    else:
        df, name = table, "in situ table"
        if na_values:
            df = df.replace(list(na_values), np.nan)
    single: dict[str, str] = {}
    for key in ("lat", "lon", "insitu"):
        col = columns.get(key)
        if col is None:
            raise ValidationInputError(f"column mapping lacks {key!r} (e.g. {key}=COLUMN)")
        if not isinstance(col, str):
            raise ValidationInputError(f"column mapping {key!r}: expected one column name, got {col!r}")
        single[key] = col
    wanted = [c for v in columns.values() for c in ([v] if isinstance(v, str) else v)]
    missing = [c for c in wanted if c not in df.columns]
    if missing:
        raise ValidationInputError(f"{name}: no column {', '.join(map(repr, missing))} (has {', '.join(map(str, df.columns))})")
    out = pd.DataFrame({k: pd.to_numeric(df[c], errors="coerce") for k, c in single.items()})
    if "time" in columns:
        t = columns["time"]
        if isinstance(t, str):
            out["time"] = pd.to_datetime(df[t], errors="coerce", utc=True).dt.tz_localize(None)
        else:
            parts = dict(zip(("year", "month", "day", "hour", "minute", "second"), t))
            out["time"] = pd.to_datetime(df[list(parts.values())].rename(columns={v: k for k, v in parts.items()}), errors="coerce")
    return out


def pixel_at(f: Field, lat: float, lon: float) -> tuple[int, int] | None:
    """Row and column of the pixel containing (lat, lon), or None outside the grid."""
    if f.lat is None or f.lon is None:
        raise ValidationInputError(f"{f.source}: no latitude/longitude, cannot place stations")
    if f.lat.ndim == 1:
        if np.nanmax(f.lon) > 180 and lon < 0:  # grid in 0..360
            lon += 360.0
        elif np.nanmin(f.lon) < 0 and lon > 180:
            lon -= 360.0
        idx = []
        for axis, x in ((f.lat, lat), (f.lon, lon)):
            step = np.median(np.abs(np.diff(axis))) if axis.size > 1 else math.inf
            i = int(np.nanargmin(np.abs(axis - x)))
            if abs(axis[i] - x) > 0.5 * step + 1e-9:
                return None
            idx.append(i)
        return idx[0], idx[1]
    # 2-D (swath) coordinates: the nearest pixel centre, if closer than its pixel spacing.
    d2 = (f.lat - lat) ** 2 + ((f.lon - lon + 180) % 360 - 180) ** 2 * math.cos(math.radians(lat)) ** 2
    i, j = (int(k) for k in np.unravel_index(int(np.nanargmin(d2)), d2.shape))
    ni, nj = (i + 1 if i + 1 < d2.shape[0] else i - 1), (j + 1 if j + 1 < d2.shape[1] else j - 1)
    spacing2 = max((f.lat[i, j] - f.lat[ni, j]) ** 2 + (f.lon[i, j] - f.lon[i, nj]) ** 2, 0.0)
    return (i, j) if d2[i, j] <= spacing2 else None


def _box_value(f: Field, rc: tuple[int, int], box: int, statistic: str, min_valid: int,
               max_cv: float | None) -> tuple[float, int, float, str]:
    """(value, valid pixels, CV, status) of the box around pixel ``rc``."""
    h = box // 2
    r, c = rc
    v = f.values[max(r - h, 0): r + h + 1, max(c - h, 0): c + h + 1]
    v = v[np.isfinite(v)]
    if v.size < min_valid:
        return math.nan, int(v.size), math.nan, f"{v.size} valid pixels < {min_valid}"
    cv = float(np.std(v) / np.mean(v)) if np.mean(v) != 0 else math.inf
    if statistic == "median":
        value = float(np.median(v))
    else:  # Bailey & Werdell 2006: mean of the pixels within 1.5 standard deviations of the box mean
        kept = v[np.abs(v - v.mean()) <= 1.5 * v.std()]
        value = float(kept.mean())
    if max_cv is not None and cv > max_cv:
        return math.nan, int(v.size), cv, f"CV {cv:.3g} > {max_cv}"
    return value, int(v.size), cv, "ok"


def matchup(
    insitu: str | Path | Any,
    products: Mapping[str, Product | tuple | Sequence[Product | tuple]],
    box: int = 3,
    min_valid: int | None = None,
    time_window: float | str | None = "3h",
    columns: Mapping[str, str | Sequence[str]] | None = None,
    statistic: str = "median",
    max_cv: float | None = None,
    na_values: Sequence[Any] = (),
    log_scale: bool = True,
    report_dir: str | Path | None = None,
) -> MatchupReport:
    """Match in situ stations with gridded products, per algorithm.

    ``products`` maps an algorithm name to a :class:`Product`, a ``(source, variable)``
    tuple, or a list of them (e.g. daily files): for each station the product whose time
    coverage, widened by ``time_window`` (hours or '3h', '1D'), contains the station time
    is used, else the first product without a known time; with ``time_window=None`` or
    no station time, the first product listed. The value is the
    ``statistic`` ("median", or "filtered_mean" of Bailey & Werdell 2006) of the valid
    pixels in a ``box`` x ``box`` window, kept when at least ``min_valid`` (default: more
    than half the box) are valid and, if ``max_cv`` is given, their coefficient of
    variation is at most ``max_cv`` (Bailey & Werdell use 0.15).
    ``columns`` maps lat, lon, insitu and optionally time to the table's columns."""
    with needs("validate", "matchups"):
        import pandas as pd

    folder = None if report_dir is None else ReportFolder(report_dir)  # refused before any work
    if box < 1 or box % 2 == 0:
        raise ValidationInputError(f"box must be an odd number of pixels (3, 5, ...), got {box}")
    if statistic not in ("median", "filtered_mean"):
        raise ValidationInputError(f"statistic must be 'median' or 'filtered_mean', got {statistic!r}")
    min_valid = box * box // 2 + 1 if min_valid is None else int(min_valid)
    if not 1 <= min_valid <= box * box:
        raise ValidationInputError(f"min_valid must be between 1 and {box * box}, got {min_valid}")
    if not products:
        raise ValidationInputError("no products to match")
    window = _to_timedelta(time_window)
    stations = read_insitu(insitu, columns or {"lat": "lat", "lon": "lon", "insitu": "insitu"}, na_values)
    pairs = stations.copy()
    for name, spec in products.items():
        specs = [spec] if isinstance(spec, (Product, tuple)) else list(spec)
        plist = [p if isinstance(p, Product) else Product(*p) for p in specs]
        fields = []
        for p in plist:
            f = read_variable(p.source, p.variable)
            cov = p.time or f.time_coverage
            fields.append((f, None if cov is None else (pd.Timestamp(cov[0]), pd.Timestamp(cov[1]))))
        vals: list[float] = []
        counts: list[int] = []
        cvs: list[float] = []
        status: list[str] = []
        for st in stations.itertuples():
            chosen = _pick(fields, getattr(st, "time", None), window)
            if chosen is None:
                res = (math.nan, 0, math.nan, "no product in the time window")
            elif not (math.isfinite(st.lat) and math.isfinite(st.lon)):
                res = (math.nan, 0, math.nan, "station has no position")
            else:
                rc = pixel_at(chosen, st.lat, st.lon)
                res = (math.nan, 0, math.nan, "outside the grid") if rc is None else _box_value(chosen, rc, box, statistic, min_valid, max_cv)
            vals.append(res[0])
            counts.append(res[1])
            cvs.append(res[2])
            status.append(res[3])
        pairs[name] = vals
        pairs[f"{name}_n_valid"] = counts
        pairs[f"{name}_cv"] = cvs
        pairs[f"{name}_status"] = status
        pairs[f"{name}_ok"] = np.isfinite(pairs[name]) & np.isfinite(pairs["insitu"])
    names = list(products)
    table, win = matchup_statistics(pairs["insitu"].to_numpy(float),
                                    {n: np.where(pairs[f"{n}_ok"], pairs[n], np.nan) for n in names})
    settings = {"stations": len(stations), "box": box, "min_valid": min_valid, "statistic": statistic, "max_cv": max_cv,
                "time_window": window}
    report = MatchupReport(pairs, table, win, settings, log_scale)
    if folder is not None:
        write_matchup(report, folder)
    return report


def _pick(fields, t, window):
    """The product whose coverage (widened by ``window``) contains time ``t``, nearest
    coverage centre first; else the first product without a known time; None if neither.
    Without a window or a station time, the first product."""
    import pandas as pd

    if window is None or t is None or pd.isna(t):
        return fields[0][0]
    covering = [(abs(t - (c[0] + (c[1] - c[0]) / 2)), i) for i, (f, c) in enumerate(fields)
                if c is not None and c[0] - window <= t <= c[1] + window]
    if covering:
        return fields[min(covering)[1]][0]
    return next((f for f, c in fields if c is None), None)
