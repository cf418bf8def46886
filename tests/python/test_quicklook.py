"""Quick-looks a person can read (issue 16): the real NASA MODIS-Aqua granule through
`oceancolour process`, its chl_ocx PNG read back with Pillow. Colours are checked
against matplotlib's viridis (an independent implementation of the colour map) on
NASA's fixed chlor_a display scale (0.01-20 mg m-3, log10; SeaDAS colour schemes),
or on the 2-98% stretch when asked; no-data pixels are grey, off the colour scale;
the title and the colour bar carry text."""

from pathlib import Path

import matplotlib
import netCDF4
import numpy as np
import pytest
from PIL import Image

from oceancolour import _core

GRANULE = Path(__file__).resolve().parents[1] / "data" / "modisa_l2_real" / "A2007143183000.L2_LAC_OC.x.nc"
#: Rows above the image in the PNG (src/formats/quicklook.rs TITLE_H).
TITLE_H = 34
NO_DATA = (190, 190, 190)


def process(tmp_path, config=None):
    args = ["oceancolour", "process", str(GRANULE), "-o", str(tmp_path), "--products", "chl_ocx", "-q"]
    if config:
        cfg = tmp_path / "chain.toml"
        cfg.write_text(config)
        args += ["--config", str(cfg)]
    code = _core.cli_main(args)
    return code, next(tmp_path.glob("*.chl_ocx.nc"), None), next(tmp_path.glob("*.chl_ocx.png"), None)


def expected_colours(values, lo, hi):
    t = np.clip((np.log10(values) - lo) / (hi - lo), 0, 1)
    rgb = (matplotlib.colormaps["viridis"](t)[..., :3] * 255).round()
    return np.where(np.isfinite(values)[..., None], rgb, NO_DATA)


def image_and_values(nc, png):
    with netCDF4.Dataset(nc) as ds:
        values = np.ma.filled(ds["chl_ocx"][:].astype(float), np.nan)
    img = np.asarray(Image.open(png).convert("RGB")).astype(int)
    rows, cols = values.shape
    assert rows <= 1024 and cols <= 1024  # not decimated: one PNG pixel per product pixel
    return img, values, img[TITLE_H:TITLE_H + rows, :cols]


def test_fixed_nasa_scale_and_grey_no_data(tmp_path):
    code, nc, png = process(tmp_path)
    assert code == 0 and png is not None
    img, values, image = image_and_values(nc, png)
    expected = expected_colours(values, np.log10(0.01), np.log10(20.0))
    assert np.abs(image - expected).max() <= 3  # 8-bit rounding of two implementations of viridis
    nodata = ~np.isfinite(values)
    assert nodata.any() and np.all(image[nodata] == NO_DATA)
    # No colour of the scale is the no-data grey.
    ramp = (matplotlib.colormaps["viridis"](np.linspace(0, 1, 256))[:, :3] * 255).round()
    assert np.abs(ramp - NO_DATA).sum(axis=1).min() > 60
    # Text: dark anti-aliased pixels in the title strip and beside the colour bar.
    assert (img[:TITLE_H].min(axis=2) < 80).sum() > 300
    panel = img[TITLE_H:, values.shape[1] + 40:]
    assert (panel.min(axis=2) < 80).sum() > 100


def test_stretch_on_request(tmp_path):
    code, nc, png = process(tmp_path, '[output]\nquicklook_scale = "stretch"\n')
    assert code == 0
    img, values, image = image_and_values(nc, png)
    logs = np.sort(np.log10(values[np.isfinite(values)]))
    # The 2nd and 98th percentiles as the library picks them (index floor((n-1) q)).
    lo, hi = logs[int((len(logs) - 1) * 0.02)], logs[int((len(logs) - 1) * 0.98)]
    assert np.abs(image - expected_colours(values, lo, hi)).max() <= 3  # 8-bit rounding of two implementations of viridis


def test_a_bad_scale_name_is_refused(tmp_path):
    code, nc, png = process(tmp_path, '[output]\nquicklook_scale = "rainbow"\n')
    assert code == 2 and nc is None and png is None


def test_display_ranges_are_nasa_s_where_nasa_has_one():
    """SeaDAS/SNAP colour schemes (senbox-org/snap-desktop color_palette_schemes.xml):
    chlor_a 0.01-20 mg m-3 and Kd_490 0.01-5 m-1, both log."""
    import oceancolour as oc

    for name in oc.products():
        info = oc.product_info(name)
        lo, hi = info["display_range"]
        if name in ("oc5_class", "owt_dominant"):
            # Class numbers: linear over the classes, not a concentration.
            assert not info["log_scale"] and (lo, hi) == (info["valid_min"], info["valid_max"]), name
            continue
        assert 0 < lo < hi and info["log_scale"], name
        if name.startswith("chl_"):
            assert (lo, hi) == pytest.approx((0.01, 20.0)), name
    assert oc.product_info("kd490")["display_range"] == pytest.approx((0.01, 5.0))


def test_colour_bar_units_are_the_registry_s_display_units():
    """Turbidity is CF units "1" (UDUNITS has no FNU) but read in FNU: the
    registry row says so, and every other product shows its CF units."""
    import oceancolour as oc

    for name in oc.products():
        info = oc.product_info(name)
        if info["standard_name"] == "sea_water_turbidity":
            assert (info["units"], info["display_units"]) == ("1", "FNU"), name
        else:
            assert info["display_units"] == info["units"], name
