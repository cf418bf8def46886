"""PACE OCI (issue 12): the `pace-oci` registry row, the L2 AOP reader on
simulated files written here with netCDF4 in NASA's published layout (V3.1:
`wavelength_3d` dimension and `sensor_band_parameters/wavelength_3d`; V3.2:
`wavelength` in `geophysical_data`; int16 Rrs with scale 2e-6, offset 0.05,
fill -32767, formats.md s1.4), `oc.convolve_bands` against an independent
numpy convolution of the shipped RSR tables, `oceancolour process
--sensor-bands olci-a` against the array API on numpy-convolved Rrs, and the
continuity of OLCI-A's OC5/OCx through the convolution on bio-optical-model
spectra."""

import csv
import subprocess
import sys
from pathlib import Path

import netCDF4
import numpy as np
import pytest

import oceancolour as oc

ROOT = Path(__file__).resolve().parents[2]
RSR = ROOT / "src" / "sensors" / "rsr"
SOLAR = ROOT / "validation" / "data" / "thuillier2003_1nm.csv"
FLAG_MEANINGS = ("ATMFAIL LAND PRODWARN HIGLINT HILT HISATZEN COASTZ SPARE STRAYLIGHT CLDICE COCCOLITH TURBIDW "
                 "HISOLZEN SPARE LOWLW CHLFAIL NAVWARN ABSAER SPARE MAXAERITER MODGLINT CHLWARN ATMWARN SPARE SEAICE "
                 "NAVFAIL FILTER SPARE BOWTIEDEL HIPOL PRODFAIL SPARE")
MASKS = np.array([1 << i for i in range(31)] + [-(1 << 31)], dtype=np.int64).astype(np.int32)
LAND, CLDICE = 1 << 1, 1 << 9


def cli(*args):
    return subprocess.run([sys.executable, "-m", "oceancolour", *map(str, args)], capture_output=True, text=True, timeout=600)


def oci_wavelengths():
    return np.array([b["nominal"] for b in oc.sensor_info("pace-oci")["bands"]], dtype=float)


def model_spectra(chl, spm, wavelengths):
    """Library bio-optical model spectra (400-699 nm) at OCI bands, held flat beyond."""
    model = oc.forward_rrs(chl, None, spm, "pace-oci")
    known = np.array(sorted(model), dtype=float)
    stack = np.stack([np.asarray(model[int(k)], dtype=np.float64) for k in known], axis=-1)
    return np.stack([stack[..., np.argmin(np.abs(known - w))] for w in wavelengths], axis=-1)


def write_oci(path, rows=20, cols=15, version="3.1", unc=True, spectra=None, wavelength_dim=None, rrs_dims=None):
    wl = oci_wavelengths()
    nw = len(wl)
    rng = np.random.default_rng(12)
    if spectra is None:
        chl = 10 ** rng.uniform(-1.5, 1.3, (rows, cols))
        spm = rng.uniform(0.0, 8.0, (rows, cols))
        spectra = model_spectra(chl, spm, wl)
    raw = np.round((spectra - 0.05) / 2e-6).astype(np.int16)
    raw[0, 0, :] = -32767  # one pixel with no Rrs at all
    flags = np.zeros((rows, cols), np.int32)
    flags[1, :3] = LAND
    flags[2, 4] = CLDICE
    dim = wavelength_dim or ("wavelength_3d" if version == "3.1" else "wavelength")
    with netCDF4.Dataset(path, "w") as d:
        d.title, d.instrument, d.platform = "OCI Level-2 Data", "OCI", "PACE"
        d.product_name, d.processing_version = Path(path).name, f"V{version}"
        d.processing_level, d.comment = "L2", "SIMULATED test granule"
        d.time_coverage_start, d.time_coverage_end = "2024-05-01T17:00:00.000Z", "2024-05-01T17:05:00.000Z"
        d.createDimension("number_of_lines", rows)
        d.createDimension("pixels_per_line", cols)
        sbp, geo, nav = (d.createGroup(g) for g in ("sensor_band_parameters", "geophysical_data", "navigation_data"))
        if version == "3.1":
            d.createDimension(dim, nw)
            sbp.createVariable("wavelength_3d", "i4", (dim,))[:] = wl.astype(np.int32)
        else:
            geo.createDimension(dim, nw)
            geo.createVariable("wavelength", "f4", (dim,))[:] = wl + 0.2  # V3.2: float centres
        dims = rrs_dims or ("number_of_lines", "pixels_per_line", dim)
        for name in ("Rrs", "Rrs_unc") if unc else ("Rrs",):
            v = geo.createVariable(name, "i2", dims, fill_value=np.int16(-32767), zlib=True, complevel=1)
            v.set_auto_maskandscale(False)
            v.scale_factor, v.add_offset = np.float32(2e-6), np.float32(0.05)
            v.units, v.valid_min, v.valid_max = "sr^-1", np.int16(-30000), np.int16(25000)
            if rrs_dims is None:
                v[:] = raw if name == "Rrs" else np.round((0.05 * np.abs(spectra) + 1e-4 - 0.05) / 2e-6).astype(np.int16)
        f = geo.createVariable("l2_flags", "i4", ("number_of_lines", "pixels_per_line"))
        f.flag_masks, f.flag_meanings = MASKS, FLAG_MEANINGS
        f[:] = flags
        lat = np.linspace(40, 42, rows)[:, None] + np.zeros(cols)
        lon = np.linspace(-10, -8, cols)[None, :] + np.zeros((rows, 1))
        nav.createVariable("latitude", "f4", ("number_of_lines", "pixels_per_line"))[:] = lat
        nav.createVariable("longitude", "f4", ("number_of_lines", "pixels_per_line"))[:] = lon
    decoded = raw * 2e-6 + 0.05
    decoded[raw == -32767] = np.nan
    return wl, decoded, flags


def solar():
    with open(SOLAR) as f:
        rows = list(csv.DictReader(f))
    return np.array([float(r["wavelength_nm"]) for r in rows]), np.array([float(r["f0_W_m2_um"]) for r in rows])


def numpy_convolve(spectra, wl, target):
    """Independent reference: interpolate each spectrum onto the RSR's 1-nm grid,
    weight by RSR x F0 (Thuillier 2003), divide by the weights' sum."""
    table = np.loadtxt(RSR / f"{target}.csv", delimiter=",", comments="#", skiprows=3)
    sw, sf = solar()
    out = {}
    for band in np.unique(table[:, 0]).astype(int):
        t = table[table[:, 0] == band]
        lam, s = t[:, 1], t[:, 2]
        q = s * np.interp(lam, sw, sf)
        inside = (lam >= wl[0]) & (lam <= wl[-1])
        if q[~inside].sum() / q.sum() > 0.005:
            continue
        flat = spectra.reshape(-1, len(wl))
        interp = np.stack([np.interp(lam[inside], wl, px) for px in flat])
        out[band] = (interp @ q[inside] / q[inside].sum()).reshape(spectra.shape[:-1])
    return out


def test_registry_row():
    info = oc.sensor_info("pace-oci")
    nm = [b["nominal"] for b in info["bands"]]
    assert len(nm) == 172 and nm[0] == 346 and nm[-1] == 719 and 588 in nm and 613 in nm and 600 not in nm
    assert (info["instrument"], info["platform"]) == ("OCI", "PACE")
    # F0 by l2gen's Fonom rule: the mean of the 11 Thuillier samples around 442 nm, / 10.
    sw, sf = solar()
    f0_442 = [b for b in info["bands"] if b["nominal"] == 442][0]["f0"]
    assert f0_442 == pytest.approx(sf[(sw >= 437) & (sw <= 447)].mean() / 10, rel=1e-6)


def test_convolve_bands_matches_numpy_and_refuses_bad_input():
    wl = oci_wavelengths()
    spectra = model_spectra(np.array([[0.05, 0.3], [2.0, 20.0]]), np.array([[0.0, 0.5], [2.0, 10.0]]), wl)
    got, bands = oc.convolve_bands(spectra.astype(np.float32), wl, "olci-a")
    want = numpy_convolve(spectra, wl, "olci-a")
    assert bands == sorted(want) and got.shape == (2, 2, len(bands))
    # OLCI-A 754-865 nm are beyond OCI's 719 nm: not made.
    assert 443 in bands and 709 in bands and 754 not in bands
    for j, b in enumerate(bands):
        np.testing.assert_allclose(got[..., j], want[b], rtol=2e-5, err_msg=f"band {b}")
    # Flat weighting differs (F0 varies across a band) but only a little.
    flat, _ = oc.convolve_bands(spectra.astype(np.float32), wl, "olci-a", weighting="flat")
    assert not np.array_equal(flat, got) and np.allclose(flat, got, rtol=0.02)
    for target in ("meris", "modis-aqua", "viirs-snpp"):
        got, bands = oc.convolve_bands(spectra, wl, target)
        want = numpy_convolve(spectra, wl, target)
        assert bands == sorted(want)
        np.testing.assert_allclose(got, np.stack([want[b] for b in bands], -1), rtol=2e-5)
    with pytest.raises(oc.OceanColourError, match="last axis"):
        oc.convolve_bands(spectra[..., :10], wl, "olci-a")
    with pytest.raises(oc.OceanColourError, match="strictly increasing"):
        oc.convolve_bands(spectra, wl[::-1], "olci-a")
    with pytest.raises(oc.OceanColourError, match="seawifs"):
        oc.convolve_bands(spectra, wl, "seawifs")
    with pytest.raises(oc.OceanColourError, match="weighting"):
        oc.convolve_bands(spectra, wl, "olci-a", weighting="bogus")


@pytest.mark.parametrize("version", ["3.1", "3.2"])
def test_process_sensor_bands_olci_a_equals_array_api(version, tmp_path):
    path = tmp_path / f"PACE_OCI.20240501T170000.L2.OC_AOP.V{version.replace('.', '_')}.nc"
    wl, decoded, flags = write_oci(path, version=version)
    if version == "3.2":
        wl = wl + np.float32(0.2).astype(np.float64)
    r = cli("info", path)
    assert r.returncode == 0, r.stderr
    assert "NASA PACE OCI Level-2 AOP" in r.stdout and "sensor:        pace-oci" in r.stdout and "172 wavelengths" in r.stdout
    out = tmp_path / "out"
    products = ["chl_ocx", "chl_oc5", "spm_nechad", "kd490"]
    r = cli("process", path, "-o", out, "--products", ",".join(products), "--sensor-bands", "olci-a", "--no-quicklook")
    assert r.returncode == 0, r.stdout + r.stderr
    rrs = numpy_convolve(decoded, wl, "olci-a")
    masked = (flags & (LAND | CLDICE)) != 0
    for b in rrs:
        rrs[b] = np.where(masked, np.nan, rrs[b]).astype(np.float32)
    stem = path.name.removesuffix(".nc")
    for p in products:
        with netCDF4.Dataset(out / f"{stem}.{p}.nc") as d:
            got = np.ma.filled(d[p][:].astype(np.float64), np.nan)
            assert "olci-a" in d.sensor and "pace-oci" in d.sensor
            assert (d.instrument, d.platform) == ("OCI", "PACE")
            assert "convolving" in d.sensor_bands and "S3A_OL_SRF" in d.sensor_bands
        want = getattr(oc, p)(rrs, sensor="olci-a")
        assert np.isnan(got[masked]).all() and np.isnan(got[0, 0])
        ok = np.isfinite(got)
        assert ok.mean() > 0.8, p
        np.testing.assert_array_equal(ok, np.isfinite(want))
        np.testing.assert_allclose(got[ok], want[ok], rtol=1e-4, err_msg=p)


def test_native_oci_bands_and_errors(tmp_path):
    path = tmp_path / "oci.nc"
    write_oci(path, version="3.2")
    out = tmp_path / "out"
    r = cli("process", path, "-o", out, "--products", "chl_ocx,turbidity_dogliotti", "--no-quicklook")
    # OCx runs on OCI's own bands (the stated substitute set); Dogliotti has no NIR band and says so.
    assert (out / "oci.chl_ocx.nc").exists(), r.stdout + r.stderr
    assert "turbidity_dogliotti" in r.stderr and "859" in r.stderr
    # Wrong shapes and missing wavelengths give named errors.
    bad = tmp_path / "PACE_OCI.bad.nc"
    write_oci(bad, wavelength_dim="bands")
    r = cli("info", bad)
    assert r.returncode != 0 and "not a wavelength dimension" in r.stderr and "wavelength_3d" in r.stderr
    with netCDF4.Dataset(bad, "w") as d:
        d.instrument, d.platform = "OCI", "PACE"
        d.createDimension("number_of_lines", 4)
        d.createDimension("pixels_per_line", 3)
        d.createDimension("wavelength_3d", 172)
        d.createGroup("geophysical_data").createVariable("Rrs", "i2", ("number_of_lines", "pixels_per_line"))
    r = cli("info", bad)
    assert r.returncode != 0 and "has 2 dimensions" in r.stderr
    with netCDF4.Dataset(bad, "w") as d:
        d.instrument, d.platform = "OCI", "PACE"
        d.createDimension("number_of_lines", 4)
        d.createDimension("pixels_per_line", 3)
        d.createDimension("wavelength_3d", 172)
        d.createGroup("geophysical_data").createVariable("Rrs", "f4", ("number_of_lines", "pixels_per_line", "wavelength_3d"))
    r = cli("info", bad)
    assert r.returncode != 0 and "no wavelength variable of length 172" in r.stderr
    # --sensor-bands on a multispectral granule is refused by name.
    l2 = tmp_path / "seawifs.nc"
    assert cli("simulate", "obpg-l2", "--size", "10x10", "-o", l2).returncode == 0
    r = cli("process", l2, "-o", out, "--products", "chl_ocx", "--sensor-bands", "olci-a")
    assert r.returncode != 0 and "hyperspectral" in r.stderr
    r = cli("process", path, "-o", out, "--products", "chl_ocx", "--sensor-bands", "seawifs")
    assert r.returncode != 0 and "no spectral response table" in r.stderr


def test_flags_lat_lon_and_rrs_unc_through_the_reader(tmp_path):
    """The flags honoured and lat/lon carried, read through `process` (the
    chain's products are NaN where flagged); Rrs_unc is read by the reader
    (kept in Block::rrs_sigma, covered by the Rust tests) without changing Rrs."""
    path = tmp_path / "oci.nc"
    _, decoded, flags = write_oci(path, unc=True)
    path2 = tmp_path / "oci_nounc.nc"
    write_oci(path2, unc=False)
    outs = []
    for p in (path, path2):
        r = cli("process", p, "-o", tmp_path / "out", "--products", "chl_ocx", "--sensor-bands", "olci-a", "--no-quicklook")
        assert r.returncode == 0, r.stderr
        with netCDF4.Dataset(tmp_path / "out" / f"{p.stem}.chl_ocx.nc") as d:
            outs.append(np.ma.filled(d["chl_ocx"][:].astype(np.float64), np.nan))
            lat = d["lat"][:] if "lat" in d.variables else d["latitude"][:]
            assert np.allclose(lat[:, 0], np.linspace(40, 42, 20))
    np.testing.assert_array_equal(outs[0], outs[1])
    assert np.isnan(outs[0][1, :3]).all() and np.isnan(outs[0][2, 4]) and np.isfinite(outs[0][5, 5])


def test_continuity_olci_oc5_and_ocx_through_convolution():
    """Bio-optical model spectra at OCI's bands convolved to OLCI-A vs the same
    model at OLCI-A's band centres: OC5 and OCx differ only by what the
    convolution changes (band widths, F0 weighting). Measured: see README."""
    chl = np.repeat(10 ** np.linspace(-1.5, 1.5, 13), 4)
    spm = np.tile([0.0, 0.5, 2.0, 8.0], 13)
    wl = oci_wavelengths()
    model_wl = wl[(wl >= 400) & (wl <= 699)]
    hyper = model_spectra(chl, spm, model_wl)
    conv, bands = oc.convolve_bands(hyper, model_wl, "olci-a")
    virtual = {b: conv[:, j] for j, b in enumerate(bands)}
    direct = oc.forward_rrs(chl, None, spm, "olci-a")
    diffs = {}
    for p in ("chl_ocx", "chl_oc5"):
        a = getattr(oc, p)(virtual, sensor="olci-a")
        b = getattr(oc, p)({k: direct[k] for k in virtual}, sensor="olci-a")
        ok = np.isfinite(a) & np.isfinite(b)
        assert ok.mean() > 0.9, p
        d = np.abs(np.log10(a[ok] / b[ok]))
        diffs[p] = (np.median(d), d.max())
    print("continuity |log10 ratio| median, max:", diffs)
    # Measured 0.003 dex median, 0.009 dex max for both (2 %); allowed 0.015 dex (3.5 %).
    assert all(mx < 0.015 for _, mx in diffs.values()), diffs


def test_config_key_and_python_keyword_equal_the_flag(tmp_path):
    path = tmp_path / "oci.nc"
    write_oci(path)
    cfg = tmp_path / "chain.toml"
    cfg.write_text('products = ["chl_oc5"]\nsensor_bands = "olci-a"\n')
    a = oc.process([path], tmp_path / "a", config=cfg, quicklook=False)
    b = oc.process([path], tmp_path / "b", products=["chl_oc5"], sensor_bands="olci-a", quicklook=False)
    assert not a["failed"] and not b["failed"]
    with netCDF4.Dataset(tmp_path / "a" / "oci.chl_oc5.nc") as da, netCDF4.Dataset(tmp_path / "b" / "oci.chl_oc5.nc") as db:
        np.testing.assert_array_equal(da["chl_oc5"][:], db["chl_oc5"][:])
        assert 'sensor_bands = "olci-a"' in da.oceancolour_configuration
    cfg.write_text('sensor_bands = "seawifs"\n')
    with pytest.raises(oc.OceanColourError, match="no spectral response table"):
        oc.process([path], tmp_path / "c", config=cfg, products=["chl_ocx"])


def test_rrs_unc_is_propagated_into_the_uncertainty(tmp_path):
    """OCI's per-band Rrs_unc (here 5% of Rrs + 1e-4) is propagated through the product's
    Jacobian and added in quadrature to the class term: the chain's chl_ocx_uncertainty
    grows where the file carries Rrs_unc, and only there (same Rrs otherwise)."""
    u = {}
    for unc in (True, False):
        p = tmp_path / f"oci_{unc}.nc"
        write_oci(p, unc=unc)
        r = cli("process", p, "-o", tmp_path / "out", "--products", "chl_ocx", "--no-quicklook")
        assert r.returncode == 0, r.stderr
        with netCDF4.Dataset(tmp_path / "out" / f"{p.stem}.chl_ocx.nc") as d:
            u[unc] = np.ma.filled(d["chl_ocx_uncertainty"][:].astype(np.float64), np.nan)
            assert "Rrs_unc" in d["chl_ocx_uncertainty"].comment
    ok = np.isfinite(u[True])
    assert ok.sum() > 100
    np.testing.assert_array_equal(ok, np.isfinite(u[False]))
    extra = np.sqrt(u[True][ok] ** 2 - u[False][ok] ** 2)
    # 5% per band on a band ratio: a few hundredths of a dex, not zero, not the whole term.
    assert np.all(u[True][ok] > u[False][ok]) and 0.01 < np.median(extra) < 0.2, np.median(extra)
