"""``oceancolour export``: gridded products (regular latitude/longitude grids: L3 mapped
products, ``bin``/``merge`` outputs on regular grids, ``l4`` fields) to

- **Zarr** (one store per input, all variables and attributes, consolidated metadata) for
  data cubes and cloud access, through xarray;
- **Cloud-Optimised GeoTIFF** (one file per variable, EPSG:4326, NaN no-data, deflate; a
  time series is one band per time step, described by its time), for GIS users, through
  rioxarray/GDAL (its COG driver).

Both need the ``export`` extra (``pip install "oceancolour[export]"``). Swath (Level-2)
products have no regular grid: bin them first (``oceancolour bin --grid regular:...``).
Outputs are written under a temporary name and renamed when complete; an existing output is
refused unless ``--overwrite``.

    oceancolour export l4_20240601.nc --format zarr -o cubes/
    oceancolour export merged_*.nc --format cog -o gis/ [--variable chl_oc5]
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
from pathlib import Path

from oceancolour._extras import MissingExtraError, needs

log = logging.getLogger("oceancolour.export")

#: Coordinate names the library's grids (and CF/GlobColour files) use.
LAT_NAMES = ("lat", "latitude")
LON_NAMES = ("lon", "longitude")


class ExportError(Exception):
    """A bad input or output, named in the message (exit code 1)."""


def _open(path: Path):
    with needs("export", "oceancolour export"):
        import xarray as xr
    try:
        ds = xr.open_dataset(path, decode_timedelta=False)
    except Exception as e:  # a corrupt or non-netCDF file: name it, no traceback
        raise ExportError(f"{path}: cannot be read as netCDF ({e})") from None
    lat = next((n for n in LAT_NAMES if n in ds.coords and ds[n].ndim == 1), None)
    lon = next((n for n in LON_NAMES if n in ds.coords and ds[n].ndim == 1), None)
    if lat is None or lon is None:
        ds.close()
        raise ExportError(f"{path}: not on a regular lat/lon grid (no 1-D lat and lon coordinates); "
                          "bin swath products first: oceancolour bin --grid regular:...")
    return ds, lat, lon


def _fields(ds, lat: str, lon: str, variable: str | None, max_lead: int | None = None) -> list[str]:
    """The numeric variables on the (lat, lon) grid, with at most `max_lead` leading
    dimensions (e.g. time; None: any)."""
    names = [v for v, da in ds.data_vars.items() if da.dims[-2:] == (lat, lon) and da.dtype.kind in "fiu"
             and (max_lead is None or da.ndim - 2 <= max_lead)]
    if variable is not None:
        if variable not in names:
            raise ExportError(f"has no gridded variable {variable!r}; gridded variables: {', '.join(names) or 'none'}")
        return [variable]
    if not names:
        raise ExportError("has no 2-D (lat, lon) variable to export")
    return names


def _claim(dest: Path, overwrite: bool) -> Path:
    """The temporary name to write `dest` under; refuses an existing `dest` unless `overwrite`."""
    if dest.exists() and not overwrite:
        raise ExportError(f"{dest} exists (use --overwrite to replace it)")
    return dest.with_name(f".{dest.name}.part-{os.getpid()}")


def _commit(tmp: Path, dest: Path) -> None:
    if dest.is_dir():
        shutil.rmtree(dest)
    elif dest.exists():
        dest.unlink()
    os.replace(tmp, dest)


def _discard(tmp: Path) -> None:
    if tmp.is_dir():
        shutil.rmtree(tmp, ignore_errors=True)
    elif tmp.exists():
        tmp.unlink()


def to_zarr(path: Path, outdir: Path, variable: str | None = None, overwrite: bool = False) -> Path:
    """One Zarr store ``outdir/<stem>.zarr`` with the gridded variables, coordinates and attributes.

    Parameters
    ----------
    path : pathlib.Path
        A gridded netCDF product (1-D lat/lon coordinates in degrees).
    outdir : pathlib.Path
        Output directory.
    variable : str, optional
        Export only this variable; default every gridded variable.
    overwrite : bool, default False
        Replace an existing output (else refused).

    Returns
    -------
    pathlib.Path
        The store written.

    Raises
    ------
    ExportError
        Input without a regular lat/lon grid, unknown variable, existing output.
    MissingExtraError
        The ``export`` extra is not installed.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import xarray as xr
    >>> from oceancolour.export import to_zarr
    >>> tmp = Path(tempfile.mkdtemp())
    >>> chl = xr.DataArray([[0.5, 1.0], [2.0, np.nan]], dims=("lat", "lon"),
    ...                    coords={"lat": [41.0, 40.0], "lon": [0.0, 1.0]}, attrs={"units": "mg m-3"})
    >>> xr.Dataset({"chl": chl}).to_netcdf(tmp / "l3.nc")
    >>> dest = to_zarr(tmp / "l3.nc", tmp)
    >>> dest.name, float(xr.open_zarr(dest)["chl"][1, 0])
    ('l3.zarr', 2.0)
    """
    ds, lat, lon = _open(path)
    with ds:
        try:
            keep = _fields(ds, lat, lon, variable)
        except ExportError as e:
            raise ExportError(f"{path}: {e}") from None
        sub = ds[keep]
        sub.attrs["history"] = (sub.attrs.get("history", "") + f"\noceancolour export --format zarr {path.name}").strip()
        dest = outdir / f"{path.stem}.zarr"
        tmp = _claim(dest, overwrite)
        try:
            with needs("export", "oceancolour export --format zarr"):
                import zarr  # noqa: F401  (the engine xarray uses)
            # One chunk per variable up to 1024 x 1024 cells: a data cube's usual tile.
            chunks = {lat: min(1024, ds.sizes[lat]), lon: min(1024, ds.sizes[lon])}
            encoding = {v: {"chunks": tuple(chunks.get(d, 1) for d in sub[v].dims)} for v in keep}
            sub.load().to_zarr(tmp, mode="w", consolidated=True, encoding=encoding, zarr_format=2)
            _commit(tmp, dest)
        except BaseException:
            _discard(tmp)
            raise
    return dest


def to_cog(path: Path, outdir: Path, variable: str | None = None, overwrite: bool = False) -> list[Path]:
    """One Cloud-Optimised GeoTIFF ``outdir/<stem>.<variable>.tif`` per variable (a band per time step).

    Parameters
    ----------
    path : pathlib.Path
        A gridded netCDF product (1-D lat/lon coordinates in degrees).
    outdir : pathlib.Path
        Output directory.
    variable : str, optional
        Export only this variable; default every gridded variable.
    overwrite : bool, default False
        Replace an existing output (else refused).

    Returns
    -------
    list of pathlib.Path
        The files written.

    Raises
    ------
    ExportError
        Input without a regular lat/lon grid, unknown variable, existing output.
    MissingExtraError
        The ``export`` extra is not installed.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import xarray as xr
    >>> from oceancolour.export import to_cog
    >>> tmp = Path(tempfile.mkdtemp())
    >>> chl = xr.DataArray([[0.5, 1.0], [2.0, np.nan]], dims=("lat", "lon"),
    ...                    coords={"lat": [41.0, 40.0], "lon": [0.0, 1.0]}, attrs={"units": "mg m-3"})
    >>> xr.Dataset({"chl": chl}).to_netcdf(tmp / "l3.nc")
    >>> [p.name for p in to_cog(tmp / "l3.nc", tmp)]
    ['l3.chl.tif']
    """
    with needs("export", "oceancolour export --format cog"):
        import rioxarray  # noqa: F401  (registers the .rio accessor)
    ds, lat, lon = _open(path)
    written = []
    with ds:
        try:
            keep = _fields(ds, lat, lon, variable, max_lead=1)
        except ExportError as e:
            raise ExportError(f"{path}: {e}") from None
        for name in keep:
            da = ds[name].astype("float32")
            if da.ndim == 3 and da.shape[0] == 1:
                da = da.squeeze(da.dims[0], drop=True)
            da = da.rio.set_spatial_dims(x_dim=lon, y_dim=lat).rio.write_crs("EPSG:4326").rio.write_nodata(float("nan"))
            # GDAL keeps a few tags: the product's units and long name travel as band metadata;
            # a time series becomes one band per step, described by its time.
            da.attrs = {k: str(v) for k, v in ds[name].attrs.items() if k in ("units", "long_name", "standard_name")}
            if da.ndim == 3:
                da.attrs["long_name"] = [str(t)[:19] for t in da[da.dims[0]].values]
            dest = outdir / f"{path.stem}.{name}.tif"
            tmp = _claim(dest, overwrite)
            try:
                da.rio.to_raster(tmp, driver="COG", compress="DEFLATE")
                _commit(tmp, dest)
            except BaseException:
                _discard(tmp)
                raise
            written.append(dest)
    return written


def main(argv: list[str], prog: str = "oceancolour export") -> int:
    """Run ``oceancolour export INPUT... --format zarr|cog -o OUTDIR`` (see the module docstring) and return its exit code.

    Each input is exported with :func:`to_zarr` or :func:`to_cog`, printing ``wrote PATH``
    for every output on stdout; an input that fails is logged (``oceancolour.export``
    logger) and the others are still exported.

    Parameters
    ----------
    argv : list of str
        The arguments after the program name, e.g. ``["l3.nc", "--format", "cog", "-o", "gis"]``.
    prog : str, default "oceancolour export"
        The program name shown in usage and error messages.

    Returns
    -------
    int
        0 when every input was exported; 1 when an input failed (missing, unreadable or
        not on a regular lat/lon grid, unknown ``--variable``, existing output without
        ``--overwrite``) or the output folder cannot be created or written; 2 when the
        ``export`` extra (xarray, zarr, rioxarray) is missing, with ``error: MESSAGE`` on
        stderr.

    Raises
    ------
    SystemExit
        From argparse: code 2 on a usage error (no input, missing or unknown
        ``--format``, missing ``-o``), with the usage on stderr; code 0 after ``--help``.

    Examples
    --------
    A small L3 chlorophyll grid (mg m-3, 1-degree lat/lon) to a Cloud-Optimised GeoTIFF:

    >>> import tempfile
    >>> from pathlib import Path
    >>> import xarray as xr
    >>> from oceancolour import export
    >>> tmp = Path(tempfile.mkdtemp())
    >>> chl = xr.DataArray([[0.5, 1.0], [2.0, np.nan]], dims=("lat", "lon"),
    ...                    coords={"lat": [41.0, 40.0], "lon": [0.0, 1.0]}, attrs={"units": "mg m-3"})
    >>> xr.Dataset({"chl": chl}).to_netcdf(tmp / "l3.nc")
    >>> export.main([str(tmp / "l3.nc"), "--format", "cog", "-o", str(tmp / "gis")])
    wrote /...gis/l3.chl.tif
    0
    >>> export.main([str(tmp / "l3.nc"), "--format", "cog", "-o", str(tmp / "gis")])  # exists: logged, refused
    1
    """
    p = argparse.ArgumentParser(prog=prog, description=__doc__.split("\n\n")[0].replace("\n", " "))
    p.add_argument("inputs", nargs="+", type=Path, help="gridded netCDF products")
    p.add_argument("--format", required=True, choices=("zarr", "cog"), help="Zarr store or Cloud-Optimised GeoTIFF")
    p.add_argument("-o", "--outdir", required=True, type=Path, help="output folder (created)")
    p.add_argument("--variable", help="export only this variable")
    p.add_argument("--overwrite", action="store_true", help="replace existing outputs")
    args = p.parse_args(argv)
    try:
        args.outdir.mkdir(parents=True, exist_ok=True)
        if not os.access(args.outdir, os.W_OK):
            raise ExportError(f"{args.outdir}: the output folder is not writable")
        failed = 0
        for path in args.inputs:
            try:
                if not path.is_file():
                    raise ExportError(f"{path}: does not exist")
                out = to_zarr(path, args.outdir, args.variable, args.overwrite) if args.format == "zarr" \
                    else to_cog(path, args.outdir, args.variable, args.overwrite)
                for o in out if isinstance(out, list) else [out]:
                    print(f"wrote {o}")
            except ExportError as e:
                log.error("%s", e)
                failed += 1
        return 1 if failed else 0
    except MissingExtraError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except (ExportError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
