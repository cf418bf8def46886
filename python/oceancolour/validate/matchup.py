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
    """One gridded product file (or in-memory mapping) and the variable to extract, for :func:`matchup`.

    Parameters
    ----------
    source : str, pathlib.Path or mapping
        A netCDF, IDL .sav or flat-binary descriptor path, or an in-memory mapping of
        arrays with latitude/longitude (see :func:`read_variable`).
    variable : str
        The variable to extract (e.g. chlorophyll in mg m-3).
    time : tuple of numpy.datetime64, optional
        The product's time coverage (start, end), UTC; when None it is read from the
        netCDF ``time_coverage_start``/``time_coverage_end`` attributes, if any.

    Examples
    --------
    Two daily products: each station is matched with the day that covers its time.

    >>> import numpy as np
    >>> import pandas as pd
    >>> from oceancolour.validate import Product, matchup
    >>> lat, lon = np.arange(44.0, 39.0, -1.0), np.arange(0.0, 5.0)  # degrees
    >>> day = lambda d, chl: Product({"chl": np.full((5, 5), chl), "lat": lat, "lon": lon}, "chl",
    ...                              (np.datetime64(f"{d}T00:00"), np.datetime64(f"{d}T23:59")))
    >>> days = [day("2024-06-01", 0.5), day("2024-06-02", 0.7)]  # chlorophyll, mg m-3
    >>> days[1].variable, days[1].time[0]
    ('chl', np.datetime64('2024-06-02T00:00'))
    >>> stations = pd.DataFrame({"lat": [43.0, 43.0], "lon": [1.0, 1.0], "insitu": [0.5, 0.7],
    ...                          "time": ["2024-06-01T10:00", "2024-06-02T12:00"]})
    >>> columns = {"lat": "lat", "lon": "lon", "insitu": "insitu", "time": "time"}
    >>> matchup(stations, {"oc5": days}, columns=columns).pairs["oc5"].tolist()
    [0.5, 0.7]
    """

    source: Any
    variable: str
    time: tuple[np.datetime64, np.datetime64] | None = None


@dataclass
class MatchupReport:
    """The result of :func:`matchup`: the station pairs and the statistics per algorithm.

    Parameters
    ----------
    pairs : pandas.DataFrame
        One row per station: ``lat``, ``lon`` (degrees), ``insitu``, ``time`` when
        mapped, and per algorithm ALG its box value ``ALG`` (units of the product, NaN
        when not matched), ``ALG_n_valid``, ``ALG_cv``, ``ALG_status`` (``ok`` or why
        not) and ``ALG_ok``.
    table : pandas.DataFrame
        One row per algorithm: :func:`oceancolour.validate.metrics.summary` of the
        algorithm against ``insitu`` on its matched pairs.
    win_rates : pandas.DataFrame or None
        The share (0 to 1) of common pairs where the row algorithm is closer to in situ
        than the column one (Seegers et al. 2018); None with a single algorithm.
    settings : dict
        ``stations``, ``box``, ``min_valid``, ``statistic``, ``max_cv`` and
        ``time_window`` (a pandas.Timedelta, or None).
    log_scale : bool, default True
        Whether plots use log axes.
    plots : dict of str to pathlib.Path, optional
        The PNG plots written to the report folder, by algorithm (empty without one).
    report_dir : pathlib.Path or None, optional
        The report folder written by ``matchup(..., report_dir=...)``; None without one.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from oceancolour.validate import matchup
    >>> lat, lon = np.arange(44.0, 39.0, -1.0), np.arange(0.0, 5.0)  # 1-degree grid
    >>> oc5 = {"chl": np.full((5, 5), 0.5), "lat": lat, "lon": lon}  # chlorophyll, mg m-3
    >>> ocx = {"chl": np.full((5, 5), 0.8), "lat": lat, "lon": lon}
    >>> stations = pd.DataFrame({"lat": [43.0, 41.0, 30.0], "lon": [1.0, 3.0, 1.0],
    ...                          "chl": [0.45, 0.6, 1.0]})  # in situ chlorophyll, mg m-3
    >>> columns = {"lat": "lat", "lon": "lon", "insitu": "chl"}
    >>> rep = matchup(stations, {"oc5": (oc5, "chl"), "ocx": (ocx, "chl")}, columns=columns)
    >>> rep.pairs[["insitu", "oc5", "oc5_status", "ocx"]]
       insitu  oc5        oc5_status  ocx
    0    0.45  0.5                ok  0.8
    1    0.60  0.5                ok  0.8
    2    1.00  NaN  outside the grid  NaN
    >>> rep.table[["n", "bias_factor", "median_ratio"]].round(3)
         n  bias_factor  median_ratio
    oc5  2        0.962         0.972
    ocx  2        1.540         1.556
    >>> rep.win_rates  # row beats column
         oc5  ocx
    oc5  NaN  1.0
    ocx  0.0  NaN
    """

    pairs: Any  # pandas DataFrame, one row per station
    table: Any  # pandas DataFrame, one row per algorithm
    win_rates: Any  # pandas DataFrame or None
    settings: dict[str, Any]
    log_scale: bool = True
    plots: dict[str, Path] = field(default_factory=dict)
    report_dir: Path | None = None

    def describe(self) -> str:
        """The matchup protocol in one sentence: stations, box, statistic, criteria, time window.

        Returns
        -------
        str
            E.g. ``"3 stations; 3x3 box, median, at least 5 valid pixels, time window +/- 3 h"``.

        Examples
        --------
        >>> import numpy as np
        >>> import pandas as pd
        >>> from oceancolour.validate import matchup
        >>> lat, lon = np.arange(44.0, 39.0, -1.0), np.arange(0.0, 5.0)  # 1-degree grid
        >>> oc5 = {"chl": np.full((5, 5), 0.5), "lat": lat, "lon": lon}  # chlorophyll, mg m-3
        >>> ocx = {"chl": np.full((5, 5), 0.8), "lat": lat, "lon": lon}
        >>> stations = pd.DataFrame({"lat": [43.0, 41.0, 30.0], "lon": [1.0, 3.0, 1.0],
        ...                          "chl": [0.45, 0.6, 1.0]})  # in situ chlorophyll, mg m-3
        >>> columns = {"lat": "lat", "lon": "lon", "insitu": "chl"}
        >>> matchup(stations, {"oc5": (oc5, "chl")}, columns=columns, max_cv=0.15).describe()
        '3 stations; 3x3 box, median, at least 5 valid pixels, CV <= 0.15, time window +/- 3 h'
        """
        s = self.settings
        return (f"{s['stations']} stations; {s['box']}x{s['box']} box, {s['statistic']}, at least {s['min_valid']} valid pixels"
                + (f", CV <= {s['max_cv']}" if s["max_cv"] is not None else "")
                + (f", time window +/- {s['time_window'].total_seconds() / 3600:g} h" if s["time_window"] is not None
                   else ", no time window"))

    def to_dict(self) -> dict[str, Any]:
        """The report as plain data, as written to summary.json (without the station pairs).

        Returns
        -------
        dict
            ``settings`` (with ``time_window`` in hours, or None), ``algorithms`` (the
            metrics of :attr:`table` by algorithm), ``win_rates`` (row algorithm to
            column algorithm to share, 0 to 1; None with one algorithm) and ``plots``
            (file names by algorithm).

        Examples
        --------
        >>> import numpy as np
        >>> import pandas as pd
        >>> from oceancolour.validate import matchup
        >>> lat, lon = np.arange(44.0, 39.0, -1.0), np.arange(0.0, 5.0)  # 1-degree grid
        >>> oc5 = {"chl": np.full((5, 5), 0.5), "lat": lat, "lon": lon}  # chlorophyll, mg m-3
        >>> ocx = {"chl": np.full((5, 5), 0.8), "lat": lat, "lon": lon}
        >>> stations = pd.DataFrame({"lat": [43.0, 41.0, 30.0], "lon": [1.0, 3.0, 1.0],
        ...                          "chl": [0.45, 0.6, 1.0]})  # in situ chlorophyll, mg m-3
        >>> columns = {"lat": "lat", "lon": "lon", "insitu": "chl"}
        >>> d = matchup(stations, {"oc5": (oc5, "chl"), "ocx": (ocx, "chl")}, columns=columns).to_dict()
        >>> d["settings"]
        {'stations': 3, 'box': 3, 'min_valid': 5, 'statistic': 'median', 'max_cv': None, 'time_window': 3.0}
        >>> d["algorithms"]["oc5"]["n"], d["win_rates"]["oc5"]["ocx"]
        (2, 1.0)
        """
        window = self.settings["time_window"]
        return {"settings": {**self.settings, "time_window": None if window is None else window.total_seconds() / 3600},
                "algorithms": self.table.to_dict(orient="index"),
                "win_rates": None if self.win_rates is None else self.win_rates.to_dict(orient="index"),
                "plots": {k: p.name for k, p in self.plots.items()}}


def matchup_statistics(truth: np.ndarray, estimates: Mapping[str, np.ndarray]):
    """Metrics of each algorithm against ``truth``, and their win rates.

    The metrics (:func:`oceancolour.validate.metrics.summary`) of each algorithm use the
    pairs valid for that algorithm; the Seegers et al. 2018 win-rate matrix uses the
    pairs valid (> 0) for all of them.

    Parameters
    ----------
    truth : numpy.ndarray
        The in situ values, 1-D (e.g. chlorophyll in mg m-3); NaN where missing.
    estimates : mapping of str to numpy.ndarray
        By algorithm name, its values at the same stations, same length and units.

    Returns
    -------
    table : pandas.DataFrame
        One row per algorithm, one column per metric (units as the metric names say).
    win_rates : pandas.DataFrame or None
        The share (0 to 1) of common pairs where the row algorithm is closer to
        ``truth`` than the column one (NaN on the diagonal); None for one algorithm.

    Raises
    ------
    ValueError
        An estimate's length differs from ``truth``'s.
    MissingExtraError
        pandas is not installed (the ``validate`` extra; an ``ImportError``).

    Examples
    --------
    >>> import numpy as np
    >>> from oceancolour.validate import matchup_statistics
    >>> truth = np.array([0.45, 0.6, np.nan])  # in situ chlorophyll, mg m-3
    >>> table, wins = matchup_statistics(truth, {"oc5": np.array([0.5, 0.5, 0.5]),
    ...                                          "ocx": np.array([0.8, 0.8, np.nan])})
    >>> table[["n", "median_ratio"]].round(3)
         n  median_ratio
    oc5  2         0.972
    ocx  2         1.556
    >>> float(wins.loc["oc5", "ocx"])  # oc5 is closer on every common pair
    1.0
    """
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
    """The in situ table as a DataFrame with the columns ``lat``, ``lon``, ``insitu`` and, when mapped, ``time``.

    Values that are not numbers become NaN, and times that cannot be parsed NaT.

    Parameters
    ----------
    table : str, pathlib.Path or pandas.DataFrame
        A CSV file (gzip allowed) or a DataFrame.
    columns : mapping of str to str or sequence of str
        Maps ``lat``, ``lon`` (degrees), ``insitu`` (the measured value, e.g.
        chlorophyll in mg m-3) and optionally ``time`` to the table's columns; ``time``
        may map to one column (ISO times, UTC) or a list of year, month, day[, hour,
        minute, second] columns.
    na_values : sequence, default ()
        Extra values that mean missing (e.g. ``-999``).

    Returns
    -------
    pandas.DataFrame
        The columns ``lat``, ``lon``, ``insitu`` (float) and, when mapped, ``time``
        (datetime64, UTC without time zone).

    Raises
    ------
    ValidationInputError
        The CSV cannot be read, ``columns`` lacks lat, lon or insitu or maps one to
        several columns, or a mapped column is not in the table (a ``ValueError``).
    MissingExtraError
        pandas is not installed (the ``validate`` extra; an ``ImportError``).

    Examples
    --------
    >>> import pandas as pd
    >>> from oceancolour.validate import read_insitu
    >>> raw = pd.DataFrame({"LAT": [43.0, 41.5], "LON": [1.0, 3.25], "CHL": [0.45, -999.0],
    ...                     "Y": [2024, 2024], "M": [6, 6], "D": [1, 2]})
    >>> read_insitu(raw, {"lat": "LAT", "lon": "LON", "insitu": "CHL", "time": ["Y", "M", "D"]},
    ...             na_values=[-999.0])
        lat   lon  insitu       time
    0  43.0  1.00    0.45 2024-06-01
    1  41.5  3.25     NaN 2024-06-02
    >>> read_insitu(raw, {"lat": "LAT", "lon": "LON", "insitu": "chl_a"})
    Traceback (most recent call last):
    ...
    oceancolour.validate.readers.ValidationInputError: in situ table: no column 'chl_a' (has LAT, LON, CHL, Y, M, D)
    """
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
    """Row and column of the pixel containing (lat, lon), or None outside the grid.

    On 1-D coordinates, a point is inside a pixel when within half the grid step of its
    centre (longitudes -180..180 and 0..360 are matched to the grid's convention); on
    2-D (swath) coordinates, the nearest pixel centre, if closer than the pixel spacing.

    Parameters
    ----------
    f : Field
        A field with latitude and longitude (from :func:`read_variable`).
    lat : float
        Latitude, degrees north.
    lon : float
        Longitude, degrees east.

    Returns
    -------
    tuple of int or None
        ``(row, column)``, or None when the point is outside the grid.

    Raises
    ------
    ValidationInputError
        The field has no latitude/longitude (a ``ValueError``).

    Examples
    --------
    >>> import numpy as np
    >>> from oceancolour.validate import Field, pixel_at
    >>> f = Field(np.zeros((5, 5)), np.arange(44.0, 39.0, -1.0), np.arange(0.0, 5.0), "l3.nc:chl")
    >>> pixel_at(f, 43.2, 0.9), pixel_at(f, 30.0, 1.0)
    ((1, 1), None)
    """
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

    For each station and algorithm, the product whose time coverage, widened by
    ``time_window``, contains the station time is used (the one whose coverage centre is
    nearest when several do), else the first product without a known time; with
    ``time_window=None`` or no station time, the first product listed. The value is the
    ``statistic`` of the valid pixels in a ``box`` x ``box`` window around the station,
    kept when at least ``min_valid`` are valid and, if ``max_cv`` is given, their
    coefficient of variation is at most ``max_cv`` (Bailey & Werdell 2006).
    With ``report_dir``, writes summary.md, summary.html, summary.json and PNG plots there.

    Parameters
    ----------
    insitu : str, pathlib.Path or pandas.DataFrame
        The in situ table: a CSV file (gzip allowed) or a DataFrame (see :func:`read_insitu`).
    products : mapping of str to Product, tuple or sequence of these
        Maps an algorithm name to a :class:`Product`, a ``(source, variable)`` tuple, or a
        list of them (e.g. daily files).
    box : int, default 3
        The window's size in pixels, odd.
    min_valid : int, optional
        The minimum number of valid pixels in the window, 1 to ``box**2``; default more
        than half the box (5 of 3 x 3).
    time_window : float, str or None, default "3h"
        How far outside a product's coverage a station may be: hours, or a duration such
        as ``"3h"`` or ``"1D"``; None matches without looking at times.
    columns : mapping of str to str or sequence of str, optional
        Maps ``lat``, ``lon``, ``insitu`` and optionally ``time`` to the table's columns
        (see :func:`read_insitu`); default the columns ``lat``, ``lon`` and ``insitu``.
    statistic : {"median", "filtered_mean"}, default "median"
        The window's value: the median, or the mean of the pixels within 1.5 standard
        deviations of the window mean (Bailey & Werdell 2006).
    max_cv : float, optional
        The largest coefficient of variation (standard deviation / mean, dimensionless)
        of the window's valid pixels; Bailey & Werdell use 0.15. Default no limit.
    na_values : sequence, default ()
        Extra values of the in situ table that mean missing (e.g. ``-999``).
    log_scale : bool, default True
        Log axes in the report's plots.
    report_dir : str or pathlib.Path, optional
        A new or empty folder, or a previous report's, to write the report into.

    Returns
    -------
    MatchupReport
        The station pairs, the metrics per algorithm and the win rates.

    Raises
    ------
    ValidationInputError
        An even or non-positive ``box``, an unknown ``statistic``, ``min_valid`` out of
        range, no products, a bad ``time_window``, an unusable in situ table or column
        mapping, a missing variable or unreadable product, a product without
        latitude/longitude, or a ``report_dir`` that cannot be used (a ``ValueError``).
    TypeError
        A product tuple that is not ``(source, variable[, time])``.
    MissingExtraError
        pandas, or another dependency of the input format or the report (the
        ``validate`` extra) is not installed (an ``ImportError``).

    Examples
    --------
    Two chlorophyll algorithms (mg m-3) on a 1-degree grid, three stations (the last
    outside the grid):

    >>> import numpy as np
    >>> import pandas as pd
    >>> from oceancolour.validate import matchup
    >>> lat, lon = np.arange(44.0, 39.0, -1.0), np.arange(0.0, 5.0)  # 1-degree grid
    >>> oc5 = {"chl": np.full((5, 5), 0.5), "lat": lat, "lon": lon}  # chlorophyll, mg m-3
    >>> ocx = {"chl": np.full((5, 5), 0.8), "lat": lat, "lon": lon}
    >>> stations = pd.DataFrame({"lat": [43.0, 41.0, 30.0], "lon": [1.0, 3.0, 1.0],
    ...                          "chl": [0.45, 0.6, 1.0]})  # in situ chlorophyll, mg m-3
    >>> columns = {"lat": "lat", "lon": "lon", "insitu": "chl"}
    >>> rep = matchup(stations, {"oc5": (oc5, "chl"), "ocx": (ocx, "chl")}, columns=columns,
    ...               time_window=None)
    >>> rep.describe()
    '3 stations; 3x3 box, median, at least 5 valid pixels, no time window'
    >>> rep.pairs["oc5_status"].tolist()
    ['ok', 'ok', 'outside the grid']
    >>> round(float(rep.table.loc["oc5", "median_ratio"]), 3)  # oc5/in situ, dimensionless
    0.972
    """
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
