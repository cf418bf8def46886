"""`oceancolour export` (issue 16): gridded products to Zarr and Cloud-Optimised GeoTIFF,
round-trip tested: a real Copernicus Marine GlobColour L4 file and a regular-grid L3 file of
`oceancolour bin` are exported, read back with zarr/xarray and rasterio (GDAL), and compared
with the netCDF read by netCDF4: values, coordinates, attributes, georeferencing and the COG
layout as GDAL reports it. Bad inputs and existing outputs are refused, nothing half-written."""

import subprocess
import sys
from pathlib import Path

import netCDF4
import numpy as np
import pytest

xr = pytest.importorskip("xarray")
pytest.importorskip("zarr")
rasterio = pytest.importorskip("rasterio")
pytest.importorskip("rioxarray")

from test_fusion_cli import GRID, cli, write_l2  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / "data"
CMEMS = DATA / "cmems_globcolour_l4" / "cmems_obs-oc_glo_bgc-plankton_my_l4-multi-4km_P1M_1693680905216.nc"


def export(*args):
    return subprocess.run([sys.executable, "-m", "oceancolour", "export", *map(str, args)], capture_output=True, text=True, timeout=300)


def netcdf_field(path, name):
    with netCDF4.Dataset(path) as ds:
        v = ds[name]
        lat = next(ds[n][:] for n in ("lat", "latitude") if n in ds.variables)
        lon = next(ds[n][:] for n in ("lon", "longitude") if n in ds.variables)
        return np.ma.filled(v[:].astype(float), np.nan), np.asarray(lat, float), np.asarray(lon, float), {a: v.getncattr(a) for a in v.ncattrs()}


@pytest.fixture(scope="module")
def l3(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("export")
    import datetime as dt

    rng = np.random.default_rng(3)
    chl = 10 ** rng.normal(0, 0.4, (24, 24))
    chl[3:6, 4:9] = np.nan
    write_l2(tmp / "a.L2.nc", chl, "MODIS", "Aqua", dt.date(2024, 6, 1))
    out = tmp / "a.L3b.nc"
    assert cli("bin", tmp / "a.L2.nc", "-o", out, "--grid", GRID, "-q") == 0
    return out


@pytest.mark.parametrize("source,variable", [(CMEMS, "CHL"), ("l3", "chl_oc5")])
def test_zarr_round_trip(source, variable, l3, tmp_path):
    path = l3 if source == "l3" else source
    r = export(path, "--format", "zarr", "-o", tmp_path)
    assert r.returncode == 0, r.stderr
    store = tmp_path / f"{path.stem}.zarr"
    values, lat, lon, attrs = netcdf_field(path, variable)
    z = xr.open_zarr(store)
    np.testing.assert_array_equal(z[variable].values, values)
    np.testing.assert_array_equal(z[variable].lat.values if "lat" in z.coords else z[variable].latitude.values, lat)
    for key in ("units", "long_name"):
        if key in attrs:
            assert z[variable].attrs[key] == attrs[key]
    with netCDF4.Dataset(path) as ds:
        assert z.attrs.get("title") == getattr(ds, "title", None)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary left


@pytest.mark.parametrize("source,variable", [(CMEMS, "CHL"), ("l3", "chl_oc5")])
def test_cog_round_trip(source, variable, l3, tmp_path):
    path = l3 if source == "l3" else source
    r = export(path, "--format", "cog", "-o", tmp_path, "--variable", variable)
    assert r.returncode == 0, r.stderr
    tif = tmp_path / f"{path.stem}.{variable}.tif"
    values, lat, lon, attrs = netcdf_field(path, variable)
    with rasterio.open(tif) as src:
        assert src.crs.to_epsg() == 4326
        assert src.tags(ns="IMAGE_STRUCTURE").get("LAYOUT") == "COG"
        bands = src.read()
        # Pixel centres of the first column/row are the netCDF coordinates.
        x0, y0 = src.xy(0, 0)
        xn, yn = src.xy(src.height - 1, src.width - 1)
        assert src.tags().get("units") == attrs.get("units")
        descriptions = src.descriptions
    # One band per time step (the CMEMS file: 304 months); GeoTIFF rows run north to south.
    expected = values.reshape(-1, *values.shape[-2:])
    if lat[0] < lat[-1]:
        expected = expected[:, ::-1]
    np.testing.assert_allclose(bands, expected.astype(np.float32), equal_nan=True)
    if len(expected) > 1:
        with netCDF4.Dataset(path) as ds:
            first = netCDF4.num2date(ds["time"][0], ds["time"].units)
        assert descriptions[0] == first.isoformat()[:19]
    assert (x0, xn) == pytest.approx((lon[0], lon[-1]), abs=1e-6)
    assert (y0, yn) == pytest.approx((max(lat), min(lat)), abs=1e-6)


def test_swath_products_and_existing_outputs_are_refused(l3, tmp_path):
    swath = l3.parent / "a.L2.nc"
    r = export(swath, "--format", "cog", "-o", tmp_path)
    assert r.returncode == 1 and "not on a regular lat/lon grid" in r.stderr and "oceancolour bin" in r.stderr
    assert list(tmp_path.iterdir()) == []
    assert export(l3, "--format", "zarr", "-o", tmp_path).returncode == 0
    r = export(l3, "--format", "zarr", "-o", tmp_path)
    assert r.returncode == 1 and "exists" in r.stderr
    assert export(l3, "--format", "zarr", "-o", tmp_path, "--overwrite").returncode == 0
    r = export(l3, "--format", "cog", "-o", tmp_path, "--variable", "nope")
    assert r.returncode == 1 and "chl_oc5" in r.stderr
    assert export(l3, "--format", "png", "-o", tmp_path).returncode == 2
