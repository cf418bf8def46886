"""Readers for the products a comparison or matchup takes: netCDF 3/4, IDL SAVE (.sav)
and header-less flat binary described by a JSON/TOML descriptor (formats.md §7), plus
in-memory mappings (dicts of arrays, xarray Datasets).

Each returns a :class:`Field`: float64 values with NaN where missing, and latitude and
longitude when the source has them.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np

from oceancolour import OceanColourError
from oceancolour._extras import needs

LAT_NAMES = ("lat", "latitude", "nav_lat", "lat_center")
LON_NAMES = ("lon", "longitude", "nav_lon", "lon_center")


class ValidationInputError(OceanColourError):
    """A product, table or descriptor that cannot be used.

    Unreadable file, missing variable, mismatched grids, bad descriptor, bad tolerance or
    matchup setting: the message names the file and the problem. An
    :class:`oceancolour.OceanColourError`, hence a ``ValueError``; the command line
    (``python -m oceancolour.validate``) prints it on one line and exits with code 2.

    Examples
    --------
    >>> import numpy as np
    >>> from oceancolour.validate import ValidationInputError, read_variable
    >>> try:
    ...     read_variable({"chl": np.zeros((2, 2))}, "kd490")
    ... except ValidationInputError as e:
    ...     print(e)
    in-memory dataset: no variable 'kd490' (has chl)
    >>> issubclass(ValidationInputError, ValueError)
    True
    """


@dataclass
class Field:
    """One variable read from a product, as :func:`read_variable` returns it.

    Parameters
    ----------
    values : numpy.ndarray
        float64 values in ``units``, NaN where missing; a leading axis of length 1
        (time, depth) is dropped.
    lat : numpy.ndarray or None
        Latitude, degrees north: 1-D (one per row) or the shape of ``values``; None when
        the source has none.
    lon : numpy.ndarray or None
        Longitude, degrees east, likewise (1-D: one per column).
    source : str
        ``"FILE:VARIABLE"`` (``"<memory>:NAME"`` for in-memory data), for messages and
        reports.
    units : str, default ""
        The variable's units attribute, if any.
    time_coverage : tuple of numpy.datetime64, optional
        (start, end) of the product, from netCDF ``time_coverage_start``/``_end``.

    Examples
    --------
    >>> import numpy as np
    >>> from oceancolour.validate import Field
    >>> f = Field(np.array([[0.3, np.nan]]), np.array([43.0]), np.array([1.0, 2.0]), "l3.nc:chl", "mg m-3")
    >>> f.source, f.units, f.values.shape, f.time_coverage
    ('l3.nc:chl', 'mg m-3', (1, 2), None)
    """

    values: np.ndarray  # float64, NaN = missing
    lat: np.ndarray | None  # 1-D (rows) or same shape as values
    lon: np.ndarray | None
    source: str  # "file:variable", for messages and reports
    units: str = ""
    time_coverage: tuple[np.datetime64, np.datetime64] | None = None


Source = str | Path | Mapping[str, Any]
# One source, or several to search in order (only lists and tuples: a str is one path).
Sources = Source | list[Source] | tuple[Source, ...]


def read_variable(source: Sources, name: str, fill_values: Sequence[float] = ()) -> Field:
    """The variable ``name`` from a file path, a mapping of arrays, or the first of a list of sources that holds it.

    Files are netCDF 3/4 (searched in all groups, or ``"group/name"``), IDL SAVE (``name``
    or ``struct.tag``) or header-less flat binary described by a JSON/TOML descriptor
    (formats.md §7.2); names match case-insensitively when unambiguous. Latitude and
    longitude are found by CF units or usual names (``lat``, ``latitude``, ``nav_lat``,
    ...). netCDF fill values and scale factors, and a descriptor's fill values and scaling,
    are applied.

    Parameters
    ----------
    source : str, pathlib.Path, mapping, or list or tuple of these
        A file path, an in-memory mapping of arrays (a dict, an xarray Dataset), or
        several sources searched in order (a missing file is an error, not skipped).
    name : str
        The variable's name.
    fill_values : sequence of float, default ()
        Extra sentinel values (in the variable's units) set to NaN.

    Returns
    -------
    Field
        The values (float64, NaN where missing), latitude/longitude when found, the
        source, units and time coverage.

    Raises
    ------
    ValidationInputError
        No source holds the variable (the message lists each source's variables), a
        file does not exist or cannot be read, the variable is not numeric or is
        ambiguous between netCDF groups, or a flat-binary descriptor is invalid (a
        ``ValueError``).
    MissingExtraError
        netCDF4 (netCDF files) or scipy (IDL SAVE files) is not installed (the
        ``validate`` extra; an ``ImportError``).

    Examples
    --------
    >>> import numpy as np
    >>> from oceancolour.validate import read_variable
    >>> l3 = {"CHL": np.array([[0.3, -999.0]]), "latitude": np.array([43.0]), "lon": np.array([1.0, 2.0])}
    >>> f = read_variable([{"sst": np.zeros((1, 2))}, l3], "chl", fill_values=[-999.0])
    >>> f.values, f.lat, f.source  # chlorophyll, mg m-3; latitude, degrees north
    (array([[0.3, nan]]), array([43.]), '<memory>:CHL')
    """
    sources = list(source) if isinstance(source, (list, tuple)) else [source]
    missing = []
    for src in sources:
        try:
            field = _read_one(src, name)
        except KeyError as e:
            missing.append(str(e.args[0]))
            continue
        for fv in fill_values:
            field.values[field.values == fv] = np.nan
        return field
    raise ValidationInputError("; ".join(missing))


def _read_one(src: Source, name: str) -> Field:
    if isinstance(src, Mapping):
        return _read_mapping(src, name)
    path = Path(src)
    if not path.exists():
        raise ValidationInputError(f"{path}: no such file")
    if path.suffix.lower() in (".json", ".toml"):
        return _read_flat(path, name)
    try:
        with open(path, "rb") as f:
            magic = f.read(8)
    except OSError as e:
        raise ValidationInputError(f"{path}: cannot read ({e.strerror})") from None
    # netCDF-4 files may start with an HDF5 user block: trust the usual suffixes too.
    if magic[:3] == b"CDF" or magic == b"\x89HDF\r\n\x1a\n" or path.suffix.lower() in (".nc", ".nc4", ".cdf", ".h5"):
        return _read_netcdf(path, name)
    if magic[:2] == b"SR":
        return _read_sav(path, name)
    for sidecar in (path.with_name(path.name + ".json"), path.with_name(path.name + ".toml")):
        if sidecar.exists():
            return _read_flat(sidecar, name)
    raise ValidationInputError(
        f"{path}: not a netCDF or IDL SAVE file and no descriptor {path.name}.json/.toml beside it "
        "(flat binary needs one, see formats.md §7.2)")


def _as_float(a: Any) -> np.ndarray:
    a = np.ma.asarray(a)
    if a.dtype.kind not in "biuf":
        raise TypeError(f"type {a.dtype} is not numeric")
    return np.ma.filled(a.astype(np.float64), np.nan)


def _squeeze(v: np.ndarray) -> np.ndarray:
    # A leading time or depth axis of length 1 (L3/L4 files) is not part of the grid.
    while v.ndim > 2 and v.shape[0] == 1:
        v = v[0]
    return v


def _lookup(names: Sequence[str], wanted: str) -> str | None:
    if wanted in names:
        return wanted
    folded = [n for n in names if n.lower() == wanted.lower()]
    return folded[0] if len(folded) == 1 else None


def _read_mapping(ds: Mapping[str, Any], name: str) -> Field:
    key = _lookup(list(ds.keys()), name)
    if key is None:
        raise KeyError(f"in-memory dataset: no variable {name!r} (has {', '.join(map(str, ds.keys()))})")
    coords = {}
    for kind, names in (("lat", LAT_NAMES), ("lon", LON_NAMES)):
        hit = next((k for k in (_lookup(list(ds.keys()), n) for n in names) if k is not None), None)
        if hit is None and hasattr(ds, "coords"):  # xarray
            hit = next((n for n in names if n in ds.coords), None)
        coords[kind] = None if hit is None else np.asarray(ds[hit], dtype=np.float64)
    try:
        values = _squeeze(_as_float(ds[key]))
    except TypeError as e:
        raise ValidationInputError(f"in-memory dataset: variable {key!r}: {e}") from None
    return Field(values, coords["lat"], coords["lon"], f"<memory>:{key}", str(getattr(ds[key], "attrs", {}).get("units", "")))


# netCDF -------------------------------------------------------------------------------

def _walk_groups(group):
    yield group
    for sub in group.groups.values():
        yield from _walk_groups(sub)


def _read_netcdf(path: Path, name: str) -> Field:
    with needs("validate", "reading netCDF files"):
        import netCDF4

    try:
        ds = netCDF4.Dataset(path)
    except OSError as e:
        raise ValidationInputError(f"{path}: unreadable netCDF ({e})") from None
    with ds:
        if "/" in name:
            try:
                var = ds[name]
            except (IndexError, KeyError):
                var = None
            if not isinstance(var, netCDF4.Variable):
                raise KeyError(f"{path}: no variable {name!r}")
        else:
            found = [(g, _lookup(list(g.variables), name)) for g in _walk_groups(ds)]
            hits = [g.variables[k] for g, k in found if k is not None]
            if not hits:
                names = sorted({f"{g.path.rstrip('/')}/{v}".lstrip("/") for g in _walk_groups(ds) for v in g.variables})
                raise KeyError(f"{path}: no variable {name!r} (has {', '.join(names)})")
            if len(hits) > 1:
                raise ValidationInputError(
                    f"{path}: {name!r} is ambiguous ({', '.join(h.group().path + '/' + h.name for h in hits)}): give the group path")
            var = hits[0]
        if not isinstance(var.dtype, np.dtype) or var.dtype.kind not in "biuf":
            raise ValidationInputError(f"{path}: variable {var.name!r} has type {var.dtype}, not a numeric grid")
        var.set_auto_maskandscale(True)
        try:
            values = _squeeze(_as_float(var[...]))
        except (RuntimeError, OSError) as e:
            raise ValidationInputError(f"{path}: variable {var.name!r} unreadable ({e})") from None
        lat, lon = _netcdf_coords(var)
        return Field(values, lat, lon, f"{path}:{var.name}", str(getattr(var, "units", "")), _time_coverage(ds))


def _netcdf_coords(var) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Latitude/longitude for a variable: by CF units or common names, searched in the
    variable's group and then its parents."""
    out = {}
    for kind, names, units in (("lat", LAT_NAMES, "degrees_north"), ("lon", LON_NAMES, "degrees_east")):
        group, hit = var.group(), None
        while group is not None and hit is None:
            for v in group.variables.values():
                if v is var:
                    continue
                if getattr(v, "units", "") in (units, units.replace("_", " ")) or v.name.lower() in names:
                    if v.dimensions and set(v.dimensions) <= set(var.dimensions):
                        hit = v
                        break
            group = group.parent
        out[kind] = None if hit is None else _as_float(hit[...])
    return out["lat"], out["lon"]


def _time_coverage(ds) -> tuple[np.datetime64, np.datetime64] | None:
    try:
        start, end = ds.getncattr("time_coverage_start"), ds.getncattr("time_coverage_end")
        return np.datetime64(start.rstrip("Z")[:23]), np.datetime64(end.rstrip("Z")[:23])
    except (AttributeError, ValueError):
        return None


# IDL SAVE -----------------------------------------------------------------------------

def _read_sav(path: Path, name: str) -> Field:
    """``name`` or ``struct.tag`` (scipy lower-cases IDL names; structures are recarrays
    whose array tags are object fields)."""
    with needs("validate", "reading IDL SAVE files"):
        from scipy.io import readsav

    try:
        content = readsav(str(path), python_dict=True)
    except Exception as e:  # scipy raises bare Exception for a bad signature
        raise ValidationInputError(f"{path}: unreadable IDL SAVE file ({e})") from None
    top, _, tag = name.lower().partition(".")
    if top not in content:
        raise KeyError(f"{path}: no variable {name!r} (has {', '.join(sorted(content))})")
    value = content[top]
    if tag:
        # Field names are IDL's upper-case tags (lower-case versions are the titles).
        field = _lookup(list(value.dtype.names or ()), tag) if isinstance(value, np.recarray) else None
        if field is None:
            raise KeyError(f"{path}: {top!r} has no structure tag {tag!r}")
        if value.shape != (1,):
            raise ValidationInputError(f"{path}: {top!r} is an array of {value.size} structures; only one is supported")
        value = value[field][0]
    try:
        values = _squeeze(_as_float(np.asarray(value)))
    except TypeError as e:
        raise ValidationInputError(f"{path}: variable {name!r}: {e}") from None
    coords = {}
    for kind, names in (("lat", LAT_NAMES), ("lon", LON_NAMES)):
        hit = next((n for n in names if n in content), None)
        coords[kind] = None if hit is None else _as_float(np.asarray(content[hit]))
    return Field(values, coords["lat"], coords["lon"], f"{path}:{name}")


# Flat binary --------------------------------------------------------------------------

# IDL / ENVI `data type` codes (formats.md §7.1-7.2); complex and string types are not grids.
IDL_TYPE_CODES = {1: "u1", 2: "i2", 3: "i4", 4: "f4", 5: "f8", 12: "u2", 13: "u4", 14: "i8", 15: "u8"}


def load_descriptor(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text()
    except OSError as e:
        raise ValidationInputError(f"{path}: cannot read descriptor ({e.strerror})") from None
    try:
        if path.suffix.lower() == ".toml":
            try:
                import tomllib
            except ModuleNotFoundError:
                raise ValidationInputError(f"{path}: TOML descriptors need Python >= 3.11; use JSON") from None
            return tomllib.loads(text)
        return json.loads(text)
    except ValueError as e:
        raise ValidationInputError(f"{path}: malformed descriptor ({e})") from None


def _read_flat(desc_path: Path, name: str) -> Field:
    """Header-less binary written by IDL WRITEU, decoded from its descriptor (formats.md
    §7.2): the descriptor's `variable` must equal ``name``."""
    d = load_descriptor(desc_path)

    def need(key: str) -> Any:
        if key not in d:
            raise ValidationInputError(f"{desc_path}: descriptor lacks required field {key!r}")
        return d[key]

    if _lookup([str(need("variable"))], name) is None:
        raise KeyError(f"{desc_path}: describes variable {d['variable']!r}, not {name!r}")
    data_path = desc_path.parent / d.get("file", desc_path.stem)
    order = need("byte_order")
    if order not in ("big", "little"):
        raise ValidationInputError(f"{desc_path}: byte_order must be 'big' or 'little', got {order!r}")
    code = need("dtype")
    base = IDL_TYPE_CODES.get(code) if isinstance(code, int) else str(code).lstrip("<>=|")
    try:
        dtype = np.dtype(base).newbyteorder(">" if order == "big" else "<")
    except TypeError:
        raise ValidationInputError(f"{desc_path}: unknown dtype {code!r}") from None
    if dtype.kind not in "biuf":
        raise ValidationInputError(f"{desc_path}: dtype {code!r} is not numeric")
    shape = tuple(int(s) for s in need("shape"))
    if len(shape) not in (2, 3) or min(shape) < 1:
        raise ValidationInputError(f"{desc_path}: shape must be [lines, samples] or [bands, lines, samples], got {list(shape)}")
    interleave = d.get("interleave", "bsq")
    if len(shape) == 3 and "interleave" not in d:
        raise ValidationInputError(f"{desc_path}: 3-D shape needs 'interleave' (bsq, bil or bip)")
    offset = int(d.get("header_offset", 0))
    markers = d.get("record_markers", "none")
    if markers not in ("none", "f77_4byte_be", "f77_4byte_le"):
        raise ValidationInputError(f"{desc_path}: record_markers must be none, f77_4byte_be or f77_4byte_le")
    payload = math.prod(shape) * dtype.itemsize
    expected = offset + payload + (8 if markers != "none" else 0)
    try:
        raw = data_path.read_bytes()
    except OSError as e:
        raise ValidationInputError(f"{data_path}: cannot read ({e.strerror})") from None
    if len(raw) != expected:
        raise ValidationInputError(
            f"{data_path}: size {len(raw)} bytes, but descriptor {desc_path.name} implies {expected} "
            f"(header {offset} + {math.prod(shape)} x {dtype.itemsize} bytes{' + 8 marker bytes' if markers != 'none' else ''})")
    start = offset
    if markers != "none":
        mdt = ">u4" if markers.endswith("be") else "<u4"
        head = int(np.frombuffer(raw, mdt, 1, offset)[0])
        tail = int(np.frombuffer(raw, mdt, 1, offset + 4 + payload)[0])
        if head != payload or tail != payload:
            raise ValidationInputError(f"{data_path}: Fortran record markers {head}/{tail} do not equal the payload {payload}")
        start += 4
    raw_values = np.frombuffer(raw, dtype, math.prod(shape), start)
    if len(shape) == 3:
        b, l, s = shape
        layout = {"bsq": ((b, l, s), (0, 1, 2)), "bil": ((l, b, s), (1, 0, 2)), "bip": ((l, s, b), (2, 0, 1))}
        if interleave not in layout:
            raise ValidationInputError(f"{desc_path}: interleave must be bsq, bil or bip, got {interleave!r}")
        stored, axes = layout[interleave]
        raw_values = raw_values.reshape(stored).transpose(axes)
    else:
        raw_values = raw_values.reshape(shape)
    values = raw_values.astype(np.float64)
    invalid = np.zeros(values.shape, bool)
    for fv in d.get("fill_values", []):
        invalid |= values == fv
    for key in ("land_value", "cloud_value"):
        if key in d:
            invalid |= values == d[key]
    if "valid_min" in d:
        invalid |= values < d["valid_min"]
    if "valid_max" in d:
        invalid |= values > d["valid_max"]
    values = values * d.get("scale_factor", 1.0) + d.get("add_offset", 0.0)
    if d.get("log10", False):
        values = 10.0 ** values
    values[invalid] = np.nan
    lat = lon = None
    if "grid" in d:
        g = d["grid"]
        try:
            lines, samples = shape[-2:]
            row_order = need("row_order")
            if row_order not in ("north_up", "south_up"):
                raise ValidationInputError(f"{desc_path}: row_order must be north_up or south_up")
            step = abs(float(g["dlat"])) * (-1 if row_order == "north_up" else 1)
            lat = float(g["lat0"]) + step * np.arange(lines)
            lon = float(g["lon0"]) + abs(float(g["dlon"])) * np.arange(samples)
        except KeyError as e:
            raise ValidationInputError(f"{desc_path}: grid lacks {e.args[0]!r} (needs lat0, lon0, dlat, dlon)") from None
    return Field(values, lat, lon, f"{data_path}:{d['variable']}", str(d.get("units", "")))
