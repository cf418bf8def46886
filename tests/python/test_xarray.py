"""The ds.oc accessor: numpy- and dask-backed Datasets give exactly the array
API's result, with CF attributes; bands and sensors are found by the naming
conventions of OBPG, CMEMS and ESA files."""

import subprocess
import sys

import numpy as np
import pytest

xr = pytest.importorskip("xarray")
da = pytest.importorskip("dask.array")

import oceancolour as oc  # noqa: E402
from oceancolour.xarray import PRODUCTS  # noqa: E402

SEAWIFS = (412, 443, 490, 510, 555, 670, 765, 865)
# ESA OLCI band table (formats.md s4.3), independent of the registry under test.
OLCI_ESA = {"Oa01": 400, "Oa02": 412, "Oa03": 443, "Oa04": 490, "Oa05": 510, "Oa06": 560, "Oa07": 620, "Oa08": 665, "Oa09": 674}


def spectra(wavelengths, shape, seed=0):
    """Random but plausible Rrs (sr-1): clear to turbid shapes, some NaN and negative pixels."""
    rng = np.random.default_rng(seed)
    wl = np.asarray(wavelengths, float)[:, None, None]
    peak = rng.uniform(440, 580, shape)
    height = rng.uniform(0.002, 0.03, shape)
    rrs = (height * np.exp(-(((wl - peak) / 110.0) ** 2)) + 2e-5).astype(np.float32)
    rrs[:, 0, 0] = np.nan
    rrs[1, 0, 1] = -0.001
    return {nm: rrs[i] for i, nm in enumerate(wavelengths)}


def seawifs_dataset(shape=(40, 30)):
    rrs = spectra(SEAWIFS, shape)
    ds = xr.Dataset(
        {f"Rrs_{nm}": (("y", "x"), v, {"units": "sr-1"}) for nm, v in rrs.items()},
        coords={"y": np.arange(shape[0]), "x": np.arange(shape[1])},
        attrs={"instrument": "SeaWiFS", "platform": "Orbview-2"},
    )
    return ds, rrs


ARRAY_API = {
    "chl_ocx": lambda rrs, s: oc.chl_ocx(rrs, s),
    "chl_ci": lambda rrs, s: oc.chl_ci(rrs, s),
    "chl_oci": lambda rrs, s: oc.chl_oci(rrs, s),
    "kd490": lambda rrs, s: oc.kd490(rrs, s),
    "spm_nechad": lambda rrs, s: oc.spm_nechad(rrs, s),
    "turbidity_nechad": lambda rrs, s: oc.turbidity_nechad(rrs, s),
    "turbidity_dogliotti": lambda rrs, s: oc.turbidity_dogliotti(rrs, s),
}


@pytest.mark.parametrize("product", sorted(ARRAY_API))
def test_numpy_backed_equals_array_api(product):
    ds, rrs = seawifs_dataset()
    out = getattr(ds.oc, product)()
    expected = ARRAY_API[product](rrs, "seawifs")
    assert isinstance(out.data, np.ndarray) and out.dtype == np.float32
    assert out.dims == ("y", "x") and out.name == product
    np.testing.assert_array_equal(out.values, expected)
    assert np.isfinite(expected).sum() > expected.size // 2  # the comparison is not NaN against NaN
    row = PRODUCTS[product]
    assert out.attrs["standard_name"] == row.standard_name and out.attrs["units"] == row.units
    assert out.attrs["long_name"] and out.attrs["references"]
    assert "sensor='seawifs'" in out.attrs["algorithm"]
    np.testing.assert_array_equal(out.x, ds.x)


@pytest.mark.parametrize("product", sorted(ARRAY_API))
def test_dask_backed_stays_lazy_keeps_chunks_and_equals_numpy(product):
    ds, rrs = seawifs_dataset()
    lazy = ds.chunk({"y": 10, "x": 15})
    out = getattr(lazy.oc, product)()
    assert isinstance(out.data, da.Array)
    assert out.chunks == lazy.Rrs_443.chunks == ((10, 10, 10, 10), (15, 15))
    assert out.data.numblocks == (4, 2)
    np.testing.assert_array_equal(out.compute().values, ARRAY_API[product](rrs, "seawifs"))


def test_only_the_bands_a_product_reads_enter_the_graph():
    ds, _ = seawifs_dataset()
    assert ds.oc.chl_ocx().attrs["input_bands"] == "443 nm: Rrs_443, 490 nm: Rrs_490, 510 nm: Rrs_510, 555 nm: Rrs_555"
    assert ds.oc.chl_ocx(coefficients="oc3s").attrs["input_bands"] == "443 nm: Rrs_443, 490 nm: Rrs_490, 555 nm: Rrs_555"
    assert ds.oc.spm_nechad(wavelength=555).attrs["input_bands"] == "555 nm: Rrs_555"


def test_keyword_arguments_reach_the_core_function():
    ds, rrs = seawifs_dataset()
    np.testing.assert_array_equal(ds.oc.chl_ocx(coefficients="oc3s").values, oc.chl_ocx(rrs, "seawifs", "oc3s"))
    out = ds.oc.chl_oci(thresholds=(0.15, 0.2))
    np.testing.assert_array_equal(out.values, oc.chl_oci(rrs, "seawifs", thresholds=(0.15, 0.2)))
    assert "thresholds=(0.15, 0.2)" in out.attrs["algorithm"]


def test_kd490_carries_its_wavelength_coordinate():
    ds, _ = seawifs_dataset()
    kd = ds.oc.kd490()
    assert float(kd.radiation_wavelength) == 490.0
    assert kd.radiation_wavelength.attrs == {"standard_name": "radiation_wavelength", "units": "nm"}


def olci_dataset(product_name="S3A_OL_2_WFR____20240101T100000_20240101T100300_20240102T120000_0179_101_122_2160_MAR_O_NT_003.SEN3"):
    """An OLCI WFR-like dataset: rho_w in OaNN_reflectance, ESA product_name attribute."""
    rrs = spectra(list(OLCI_ESA.values()), (20, 16), seed=1)
    rho_w = {band: (np.pi * rrs[nm]).astype(np.float32) for band, nm in OLCI_ESA.items()}
    ds = xr.Dataset(
        {f"{band}_reflectance": (("rows", "columns"), v) for band, v in rho_w.items()},
        attrs={"product_name": product_name, "title": "OLCI Level 2 WATER Product"},
    )
    return ds, {OLCI_ESA[band]: v / np.pi for band, v in rho_w.items()}


def test_olci_rho_w_bands_are_found_by_number_and_divided_by_pi():
    ds, rrs = olci_dataset()
    assert ds.oc.sensor() == "olci-a"
    got = ds.oc.rrs()
    assert sorted(got) == sorted(OLCI_ESA.values())
    for nm, v in got.items():
        np.testing.assert_array_equal(v.values, rrs[nm])
    chl = ds.oc.chl_oci()
    np.testing.assert_array_equal(chl.values, oc.chl_oci(rrs, "olci-a"))
    assert "490 nm: Oa04_reflectance / pi" in chl.attrs["input_bands"]
    lazy = ds.chunk({"rows": 5}).oc.spm_nechad()
    np.testing.assert_array_equal(lazy.values, oc.spm_nechad(rrs, "olci-a"))


def test_cmems_names_and_explicit_band_mapping():
    rrs = spectra(SEAWIFS, (6, 5), seed=2)
    ds = xr.Dataset({f"RRS{nm}": (("y", "x"), v) for nm, v in rrs.items()})
    np.testing.assert_array_equal(ds.oc.kd490(sensor="seawifs").values, oc.kd490(rrs, "seawifs"))
    renamed = xr.Dataset({f"band{i}": (("y", "x"), v) for i, v in enumerate(rrs.values())})
    mapping = {nm: f"band{i}" for i, nm in enumerate(rrs)}
    mapping[555] = renamed["band4"]  # a DataArray works too
    out = renamed.oc.chl_ocx(sensor="seawifs", bands=mapping)
    np.testing.assert_array_equal(out.values, oc.chl_ocx(rrs, "seawifs"))


@pytest.mark.parametrize(
    "attrs, sensor",
    [
        ({"instrument": "MODIS", "platform": "Aqua"}, "modis-aqua"),
        ({"instrument": "VIIRS", "platform": "JPSS-1"}, "viirs-noaa20"),
        ({"instrument": "VIIRS", "platform": "Suomi-NPP"}, "viirs-snpp"),
        ({"instrument": "OLCI", "platform": "Sentinel-3B"}, "olci-b"),
        ({"instrument": "MODIS", "platform": "Terra"}, "modis-terra"),
        ({"instrument": "VIIRS", "platform": "NOAA-21"}, "viirs-noaa21"),
        ({"product_name": "S3C_OL_2_WFR____20260101T100000"}, "olci-c"),
        ({"product_name": "S3B_OL_2_WRR____20240101T100000"}, "olci-b"),
        ({"product_name": "ENV_ME_2_RRG____20080101T100000"}, "meris"),
    ],
)
def test_sensor_from_attributes(attrs, sensor):
    assert xr.Dataset(attrs=attrs).oc.sensor() == sensor


@pytest.mark.parametrize(
    "attrs, message",
    [
        ({}, "cannot tell the sensor"),
        ({"instrument": "OLCI", "platform": "Sentinel-3"}, "several sensors: olci-a, olci-b"),
        ({"instrument": "CZCS", "platform": "Nimbus-7"}, "no sensor of the registry"),
    ],
)
def test_undetectable_sensor_is_a_clear_error(attrs, message):
    with pytest.raises(oc.OceanColourError, match=message):
        xr.Dataset(attrs=attrs).oc.sensor()


def test_bad_inputs_name_the_problem():
    ds, _ = seawifs_dataset()
    with pytest.raises(oc.OceanColourError, match="555"):
        ds.drop_vars("Rrs_555").oc.chl_ocx()
    with pytest.raises(oc.OceanColourError, match="two variables hold band 443 nm"):
        ds.assign(RRS443=ds.Rrs_443).oc.chl_ocx()
    with pytest.raises(oc.OceanColourError, match=r"no seawifs Rrs variables found.*Rrs_NNN"):
        xr.Dataset({"chlor_a": ("x", [1.0])}).oc.chl_ocx(sensor="seawifs")
    with pytest.raises(oc.OceanColourError, match="band 560 is not a seawifs band"):
        ds.oc.chl_ocx(bands={560: "Rrs_555"})
    with pytest.raises(oc.OceanColourError, match="oc9"):  # checked before any dask graph is built
        ds.chunk().oc.chl_ocx(coefficients="oc9")
    with pytest.raises(oc.OceanColourError, match="unknown product"):
        ds.oc.product("chl_magic")


def test_help_reads_well():
    doc = type(xr.Dataset().oc).chl_ocx.__doc__
    assert "mg m-3" in doc and "O'Reilly" in doc and "coefficients" in doc


def test_import_oceancolour_does_not_import_xarray_but_registers_on_its_import():
    code = (
        "import sys, oceancolour\n"
        "assert 'xarray' not in sys.modules\n"
        "import xarray\n"
        "assert hasattr(xarray.Dataset, 'oc')\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# ---------------------------------------------------------------- fusion wrappers

def _grid_da(values, name):
    lat = np.linspace(47.5, 45.5, values.shape[0])
    lon = np.linspace(-6.0, -2.0, values.shape[1])
    return xr.DataArray(values, coords={"lat": lat, "lon": lon}, dims=("lat", "lon"), name=name,
                        attrs={"units": "mg m-3", "long_name": "chlorophyll"})


def test_merge_and_l4_wrappers_keep_coordinates_and_match_the_array_api():
    from oceancolour import fusion
    from oceancolour.xarray import l4, merge

    rng = np.random.default_rng(3)
    fields = []
    for s in range(2):
        v = 10.0 ** rng.normal(0, 0.3, (30, 40))
        v[rng.random(v.shape) < 0.4] = np.nan
        fields.append(v)
    ds = merge([_grid_da(f, n) for f, n in zip(fields, ("modis", "olci"))], [0.01, 0.04])
    ref = fusion.merge(fields, [0.01, 0.04])
    for k in ("value", "sigma", "spread", "count", "sensors"):
        np.testing.assert_array_equal(ds[k].values, ref[k])
    assert ds["value"].attrs["units"] == "mg m-3" and ds["sensors"].attrs["flag_meanings"] == "modis olci"
    np.testing.assert_array_equal(ds["lat"].values, np.linspace(47.5, 45.5, 30))
    with pytest.raises(oc.OceanColourError, match="coordinates"):
        merge([_grid_da(fields[0], "a"), _grid_da(fields[1], "b").assign_coords(lon=np.arange(40.0))], [0.01, 0.04])

    fg = _grid_da(np.zeros((30, 40)), "fg")
    vario = {"model": "exponential", "psill": 0.09, "range": 60.0, "nugget": 0.0}
    out = l4(ds["value"], fg, vario, k=16)
    # Independently: cells in km on the sinusoidal projection centred on the middle
    # meridian (x = R cos(lat) (lon - lon_mid), y = R lat), kriged as scattered points.
    deg = 6371.0088 * np.pi / 180
    lat, lon = np.meshgrid(ds["lat"].values, ds["lon"].values, indexing="ij")
    mid = 0.5 * (lon.min() + lon.max())
    x, y = deg * np.cos(np.radians(lat)) * (lon - mid), deg * lat
    seen = np.isfinite(ds["value"].values)
    z = np.log10(ds["value"].values[seen].astype(np.float64))
    est, var = fusion.krige(x[seen], y[seen], z, x.ravel(), y.ravel(), vario, k=16)
    np.testing.assert_allclose(out["log10"].values.ravel(), est, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(out["variance"].values.ravel(), var, rtol=1e-10, atol=1e-12)
    assert "sinusoidal" in out.attrs["distances"]
    # Even spacing on request, as the array API.
    even = l4(ds["value"], fg, vario, k=16, dx=5.0, dy=7.0)
    ref = fusion.l4(ds["value"].values, np.zeros((30, 40)), vario, k=16, dx=5.0, dy=7.0)
    for k in ("value", "log10", "variance", "observed"):
        np.testing.assert_array_equal(even[k].values, ref[k])
    assert out["value"].dims == ("lat", "lon") and np.isfinite(out["value"].values).all()
