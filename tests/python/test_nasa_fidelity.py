"""Equal to NASA on NASA's own file: a real MODIS-Aqua R2018.0 Level-2 granule
(tests/data/modisa_l2_real, NASA OBPG doi:10.5067/AQUA/MODIS/L2/OC/2018).

With the choices NASA made in R2018 (OC3M v6, Hu et al. 2012 CI with 0.15/0.20
thresholds, KD2M: the `r2018` preset), this library's chl_ocx, chl_oci and
kd490 computed from the file's Rrs must equal NASA's chl_ocx, chlor_a and
Kd_490 pixel by pixel, on exactly NASA's valid pixels; l2gen's F0 rule must
give the file's `solar_irradiance`; and oc.fusion.bin_l2 must equal an
independent numpy l2bin on the file's chlor_a. Figures: docs/nasa-fidelity.md.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import oceancolour as oc
import oceancolour.fusion as fu

netCDF4 = pytest.importorskip("netCDF4")

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "validation"))
import fonom  # noqa: E402  (validation/fonom.py: l2gen's Fonom rule, independent of the library)
from nasa_fidelity import BANDS, GRANULE, R2018, compare, load, products  # noqa: E402

MASKS = {"atmfail_land": "ATMFAIL|LAND", "l3": "NASA L3 default"}


@pytest.fixture(scope="module")
def granule():
    return load()


def ours(granule):
    return products(granule)


# ------------------------------------------------------------------ F0

def test_l2gen_fonom_rule_gives_nasas_solar_irradiance(granule):
    samples = fonom.spectrum()
    info = {b["nominal"]: b for b in oc.sensor_info("modis-aqua")["bands"]}
    for band in BANDS:
        file_f0 = granule["e0"][band] / 10.0  # W m-2 um-1 -> mW cm-2 um-1
        rule = fonom.fonom(band, samples)
        # The library's default F0 is the rule's value (validation/fonom.py wrote it into sensors.rs).
        assert info[band]["f0"] == pytest.approx(rule, rel=1e-7)
        # 5 significant digits, except 645 nm: NASA's value is 1.4e-4 above the rule on this
        # copy of the spectrum, and no integer centre in 640-650 nm gives it (docs/nasa-fidelity.md).
        tol = 2e-4 if band == 645 else 5e-5
        assert file_f0 == pytest.approx(rule, rel=tol), band


def test_oc5_runs_on_viirs_without_f0_and_uses_fonom():
    for sensor, green, violet in [("viirs-snpp", 551, 410), ("viirs-noaa20", 556, 411)]:
        r = {410: 0.006, 443: 0.005, 486: 0.004, 551: 0.002} if sensor == "viirs-snpp" else \
            {411: 0.006, 445: 0.005, 489: 0.004, 556: 0.002}
        assert np.isfinite(oc.chl_oc5(r, sensor))
        t = oc.Oc5Table.open_table(sensor)
        s = fonom.spectrum()
        assert t.f0 == pytest.approx({green: fonom.fonom(green, s), violet: fonom.fonom(violet, s)}, rel=1e-7)
        assert t.metadata["f0_set"] == "fonom-thuillier2003"


def test_imported_table_records_its_f0_convention():
    raw = np.ones((200, 200, 200), np.float32)
    t = oc.Oc5Table.import_raw(raw, "olci-a")
    assert t.metadata["f0_set"] == "rbins-oc5" and t.f0 == {560: 180.0, 412: 171.4}
    t = oc.Oc5Table.import_raw(raw, "olci-a", f0="fonom-thuillier2003")
    assert t.metadata["f0_set"] == "fonom-thuillier2003"
    # No RBINS convention for MODIS: the importer must be told which F0 the table expects.
    with pytest.raises(oc.OceanColourError, match="rbins-oc5.*modis-aqua"):
        oc.Oc5Table.import_raw(raw, "modis-aqua")


# ------------------------------------------------------------------ pixel by pixel

@pytest.mark.parametrize("mask", ["atmfail_land", "l3"])
def test_r2018_products_equal_nasas_pixel_by_pixel(granule, mask):
    excluded = (granule["flags"] & granule["masks"][MASKS[mask]]) != 0
    for name, values in ours(granule).items():
        c = compare(values, granule["nasa"][name], excluded)
        assert c["nasa_valid"] > (1000 if mask == "atmfail_land" else 100), (name, c)
        assert c["median"] <= 1e-3 and c["p99"] <= 2e-2, (name, mask, c)
        # Exactly NASA's valid pixels: every one of ours (>= 99.95%), and none of NASA's gaps filled.
        assert c["both"] >= 0.9995 * c["nasa_valid"], (name, mask, c)
        assert c["ours_only"] <= 0.0005 * c["nasa_valid"], (name, mask, c)


def test_oci_falls_back_to_ocx_where_the_ci_cannot_be_formed(granule):
    rrs, nasa = granule["rrs"], granule["nasa"]
    # This subset has no pixel with Rrs443 <= 0 or Rrs547 < 0 where NASA's chlor_a is valid; its one
    # Rrs547 == 0 pixel is int16 packing (NASA's green there was below the 2e-6 quantum, so NASA formed
    # the CI: chlor_a 0.107 while chl_ocx is invalid) and cannot be reproduced from the file.
    valid = np.isfinite(nasa["chlor_a"])
    assert ((rrs[443] <= 0) & valid).sum() == 0 and ((rrs[547] < 0) & valid).sum() == 0
    # So make the case from NASA's own turbid spectra: 443 nm negative (as in very turbid water),
    # everything else as NASA retrieved it. l2gen sets CI = 0 there (chl_CI = 10^a0 = 0.323 > t2):
    # chlor_a is OCx, which does not need 443 where 488 is the larger blue.
    turbid = valid & (nasa["chl_ocx"] > 1.0) & (rrs[488] > rrs[443])
    assert turbid.sum() > 100
    spectra = {b: v[turbid].copy() for b, v in rrs.items()}
    spectra[443][:] = -1e-4
    got = oc.chl_oci(spectra, "modis-aqua", ocx=R2018["ocx"], ci=R2018["ci"])
    np.testing.assert_array_equal(got, oc.chl_ocx(spectra, "modis-aqua", coefficients=R2018["ocx"]))
    np.testing.assert_allclose(got, nasa["chl_ocx"][turbid], rtol=2e-2)
    assert np.median(np.abs(got / nasa["chl_ocx"][turbid] - 1)) < 1e-3


def test_process_with_an_r2018_config_equals_nasa(granule, tmp_path):
    cfg = tmp_path / "r2018.toml"
    cfg.write_text(
        'products = ["chl_ocx", "chl_oci", "kd490"]\n'
        '[coefficients]\nocx = "oc3m-547"\nci = "hu2012"\nkd2 = "kd2m"\n'
        '[flags]\nobpg_l2_exclude = ["ATMFAIL", "LAND"]\n'
        "[output]\nquicklook = false\n"
    )
    r = subprocess.run([sys.executable, "-m", "oceancolour", "process", str(GRANULE), "-o", str(tmp_path / "out"),
                        "--config", str(cfg), "-q"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    excluded = (granule["flags"] & granule["masks"]["ATMFAIL|LAND"]) != 0
    stem = GRANULE.name[:-3]
    for ours_name, nasa_name in [("chl_ocx", "chl_ocx"), ("chl_oci", "chlor_a"), ("kd490", "Kd_490")]:
        with netCDF4.Dataset(tmp_path / "out" / f"{stem}.{ours_name}.nc") as d:
            values = np.ma.filled(d[ours_name][:].astype(np.float64), np.nan)
        c = compare(values, granule["nasa"][nasa_name], excluded)
        assert c["median"] <= 1e-3 and c["p99"] <= 2e-2, (ours_name, c)
        assert c["both"] >= 0.9995 * c["nasa_valid"] and c["ours_only"] <= 0.0005 * c["nasa_valid"], (ours_name, c)


# ------------------------------------------------------------------ binning

def l2bin_numpy(lon, lat, value, scene, nrows):
    """NASA l2bin arithmetic (OCSSW l2bin_utils.cpp; fusion.md s1.2), written independently:
    per bin and file s with n_s pixels, sum = sum_s S_s / sqrt(n_s), weights = sum_s sqrt(n_s)."""
    rowlat = (np.arange(nrows) + 0.5) * 180.0 / nrows - 90.0
    numbin = np.floor(2 * nrows * np.cos(np.radians(rowlat)) + 0.5).astype(np.int64)
    basebin = np.concatenate([[1], 1 + np.cumsum(numbin)[:-1]])
    ok = np.isfinite(value)
    lon, lat, value, scene = (a[ok].astype(np.float64) for a in (lon, lat, value, scene))
    row = np.clip(np.floor((lat + 90) * nrows / 180).astype(np.int64), 0, nrows - 1)
    col = np.minimum(np.floor((lon + 180) * numbin[row] / 360).astype(np.int64), numbin[row] - 1)
    bins = basebin[row] + col
    out = {}
    for b, s, v in zip(bins, scene, value):
        out.setdefault(int(b), {}).setdefault(int(s), []).append(v)
    result = {}
    for b, scenes in sorted(out.items()):
        w = sum(np.sqrt(len(v)) for v in scenes.values())
        total = sum(np.sum(v) / np.sqrt(len(v)) for v in scenes.values())
        total2 = sum(np.sum(np.square(v)) / np.sqrt(len(v)) for v in scenes.values())
        result[b] = (total, total2, w, sum(len(v) for v in scenes.values()), len(scenes))
    return result


@pytest.mark.parametrize("mask", ["atmfail_land", "l3"])
def test_bin_l2_equals_independent_l2bin_on_nasas_chlor_a(granule, mask):
    excluded = (granule["flags"] & granule["masks"][MASKS[mask]]) != 0
    chl = np.where(excluded, np.nan, granule["nasa"]["chlor_a"]).astype(np.float32)
    # Two "files": the scene's upper and lower halves (per-file sqrt(n) weights matter where bins straddle them).
    scene = np.zeros(chl.shape, np.uint32)
    scene[chl.shape[0] // 2:] = 1
    scene[chl.shape[0] // 2 - 3: chl.shape[0] // 2 + 3, ::2] = 2
    args = [a.ravel() for a in (granule["lon"], granule["lat"], chl, scene)]
    got = fu.bin_l2(*args, grid=4320)  # the default averaging is l2bin's: arithmetic
    want = l2bin_numpy(*args, 4320)
    assert len(want) > (1000 if mask == "atmfail_land" else 20)  # HIGLINT takes most of this scene
    assert list(got["bin"]) == list(want)
    w = np.array(list(want.values()))
    np.testing.assert_allclose(got["sum"], w[:, 0], rtol=1e-9)
    np.testing.assert_allclose(got["sum_squared"], w[:, 1], rtol=1e-9)
    np.testing.assert_allclose(got["weights"], w[:, 2], rtol=1e-12)
    np.testing.assert_array_equal(got["nobs"], w[:, 3])
    np.testing.assert_array_equal(got["nscenes"], w[:, 4])
    np.testing.assert_allclose(got["mean"], w[:, 0] / w[:, 2], rtol=1e-9)
    assert mask == "l3" or (w[:, 4] > 1).any()  # some bins really mix files (few bins survive the L3 mask)
