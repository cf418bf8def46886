"""One product, one row: the CF attributes of every product are the same in
the file the command line writes, in the array API's oc.product_info, and on
the DataArray of the ds.oc accessor. The file is read back through netCDF4,
independently of the code that wrote it."""

import subprocess
import sys

import netCDF4
import numpy as np
import pytest

xr = pytest.importorskip("xarray")

import oceancolour as oc  # noqa: E402

CF = ("standard_name", "units", "long_name", "references", "comment")
SEAWIFS = (412, 443, 490, 510, 555, 670, 765, 865)


@pytest.fixture(scope="module")
def cli_files(tmp_path_factory):
    """Every registry product the CLI can make from the demo's SeaWiFS L2 granule."""
    out = tmp_path_factory.mktemp("meta")
    r = subprocess.run([sys.executable, "-m", "oceancolour", "demo", "-o", str(out)], capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, r.stderr + r.stdout
    src = out / "inputs" / "SEASTAR_SEAWIFS_GAC.20080101T120000.L2.OC.nc"
    files = {}
    for name in oc.products():
        report = oc.process([src], out / name, products=[name], quicklook=False)
        if report["written"]:
            files[name] = report["written"][0]
    return files


def file_attrs(path, name):
    with netCDF4.Dataset(path) as d:
        v = d[name]
        return {k: v.getncattr(k) for k in CF if k in v.ncattrs()}


def registry_attrs(name):
    info = oc.product_info(name)
    return {k: info[k] for k in CF if info.get(k)}


def accessor_attrs(name):
    rng = np.random.default_rng(0)
    bands, attrs = SEAWIFS, {"instrument": "SeaWiFS", "platform": "Orbview-2"}
    if name == "chl_eunosat":  # red/NIR bands: OLCI
        bands = [b["nominal"] for b in oc.sensor_info("olci-a")["bands"]]
        attrs = {"instrument": "OLCI", "platform": "Sentinel-3A"}
    ds = xr.Dataset({f"Rrs_{nm}": (("y", "x"), rng.uniform(0.001, 0.01, (4, 3)).astype(np.float32)) for nm in bands},
                    attrs=attrs)
    out = getattr(ds.oc, name)()
    return {k: out.attrs[k] for k in CF if k in out.attrs}


def test_the_cli_writes_most_products(cli_files):
    assert {"chl_ocx", "chl_oci", "kd490", "spm_nechad", "turbidity_nechad"} <= set(cli_files)


@pytest.mark.parametrize("name", oc.products())
def test_cf_attributes_agree_across_cli_array_api_and_accessor(name, cli_files):
    reg = registry_attrs(name)
    assert reg["long_name"] and reg["units"] and reg["references"]
    # The open OC5 tables and the SPM algorithm are this library's, not Ifremer's (README).
    assert "Ifremer" not in reg["long_name"]
    if hasattr(oc, name):
        assert accessor_attrs(name) == reg
    if name in cli_files:
        assert file_attrs(cli_files[name], name) == reg
