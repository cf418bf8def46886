"""Issue 13 in the Rust core against the numpy reference
(validation/uncertainty/reference.py, itself tested against scipy, explicit loops and
finite differences in validation/uncertainty/test_reference.py), on the real spectra in
validation/data: NOMAD v2 as SeaWiFS bands and the CoastColour calibration half as MERIS
bands. OC5 applicability classes equal, memberships to 1e-5, class uncertainty and bias to
1e-5 dex, the propagated Rrs term to 1e-5 dex (finite-difference products: 1e-3 relative)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

import oceancolour as oc

ROOT = Path(__file__).resolve().parents[2]
HERE = ROOT / "validation" / "uncertainty"
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "validation"))
from uncertainty_modules import R  # noqa: E402

PRODUCTS = ("chl_ocx", "chl_oci", "chl_oc5", "chl_oc5ci", "spm_gohin", "spm_nechad", "kd490")
STATS = R.load_class_stats(ROOT / "src" / "quality" / "class_stats.csv")


def _fit_module():
    spec = importlib.util.spec_from_file_location("oceancolour_uncertainty_fit_for_tests", HERE / "fit.py")
    fit = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fit)
    return fit


FIT = _fit_module()


@pytest.fixture(scope="module", params=["nomad", "ccrr"])
def spectra(request):
    """(Rrs dict, sensor, Moore-band Rrs (n, 6) as the reference takes them, Rrs at 560 nm)."""
    if request.param == "nomad":
        s = FIT.nomad_set(oc)
        return s["rrs"], s["sensor"], s["owt_rrs"], s["rrs560"]
    s = FIT.ccrr_set(oc)
    r = s["rrs"]
    return r, s["sensor"], s["owt_rrs"], r[560]


def test_memberships_and_dominant_type(spectra):
    r, sen, owt_rrs, _ = spectra
    f_ref = R.owt_memberships(owt_rrs)
    dom, f = oc.owt_dominant(r, sen, return_memberships=True)
    assert f.shape == (len(owt_rrs), 8) and f.dtype == np.float32 and dom.dtype == np.uint8
    np.testing.assert_allclose(f, f_ref, atol=1e-5, rtol=0)
    np.testing.assert_array_equal(dom, R.owt_dominant(f_ref))
    np.testing.assert_array_equal(oc.owt_dominant(r, sen), dom)
    assert len(np.unique(dom)) >= 5  # the data span several water types: the comparison is not trivial


@pytest.mark.parametrize("version", ["A", "B"])
def test_oc5_class(spectra, version):
    r, sen, _, r560 = spectra
    chl = oc.chl_oc5(r, sen)
    ref = R.oc5_class(r[412], r[443], r[490], r560, chl, version=version)
    k = oc.oc5_class(r, sen, version=version)
    np.testing.assert_array_equal(k, ref)
    assert len(np.unique(ref)) >= 3
    *_, k2 = oc.chl_oc5(r, sen, return_class=True, class_version=version)
    np.testing.assert_array_equal(k2, ref)


@pytest.mark.parametrize("bias_corrected", [False, True])
def test_class_uncertainty_and_bias(spectra, bias_corrected):
    r, sen, owt_rrs, _ = spectra
    w = R.owt_weights(R.owt_memberships(owt_rrs))
    for p in PRODUCTS:
        v, u, b = getattr(oc, p)(r, sen, return_uncertainty=True, return_bias=True, bias_corrected=bias_corrected)
        su, sb = R.uncertainty(p, STATS, w, bias_corrected=bias_corrected)
        ok = np.isfinite(v)
        assert ok.sum() > 20, p
        np.testing.assert_allclose(u[ok], su[ok], atol=1e-5, rtol=0, err_msg=p)
        np.testing.assert_allclose(b[ok], sb[ok], atol=1e-5, rtol=0, err_msg=p)
        assert np.all(np.isnan(u[~ok])) and np.all(np.isnan(b[~ok])), p
        # return_bias alone; the value unchanged by the keywords, except bias_corrected=True,
        # which divides it by 10^bias (the reference's class bias)
        plain = getattr(oc, p)(r, sen)
        if bias_corrected:
            np.testing.assert_allclose(v[ok], plain[ok] * 10.0 ** -sb[ok], rtol=3e-5, err_msg=p)
            np.testing.assert_array_equal(getattr(oc, p)(r, sen, bias_corrected=True), v)
        else:
            np.testing.assert_array_equal(plain, v)
            v2, b2 = getattr(oc, p)(r, sen, return_bias=True)
            np.testing.assert_array_equal(v2, v)
            np.testing.assert_array_equal(b2, b)


def _reference_jacobians(r, sen):
    """The Jacobians as fit.propagation builds them (reference formulas, coefficients
    from the library's public registry)."""
    info = oc.sensor_info(sen)["band_roles"]
    ocx = next(c for c in oc.ocx_coefficient_sets(sen) if c["default"])
    ci = next(c for c in oc.ci_coefficient_sets() if c["name"] == "hu2019")
    ci12 = next(c for c in oc.ci_coefficient_sets() if c["name"] == "hu2012")
    g, red = info["green"], info["red"]
    conv = None if g == 555 else FIT.CONV_560
    chl_ocx, chl_oc5 = oc.chl_ocx(r, sen).astype(float), oc.chl_oc5(r, sen).astype(float)
    j = {"chl_ocx": R.jac_ocx(r, ocx["blue_bands"], ocx["green_band"], ocx["a"])}
    chl_ci, _ = R.ci_value(r, 443, g, red, ci["a"], conv)
    j["chl_oci"] = R.jac_blend(chl_ci, chl_ocx, R.jac_ci(r, 443, g, red, ci["a"], conv), j["chl_ocx"], *ci["thresholds"])
    t = oc.Oc5Table.open_table(sen)
    _, j5 = R.jac_oc5_table(r, t.values, t.axes, t.f0[info["violet"]], t.f0[g], info["violet"], info["ratio_blues"], g)
    j["chl_oc5"] = j5
    chl_ci12, _ = R.ci_value(r, 443, g, red, ci12["a"], conv)
    j["chl_oc5ci"] = R.jac_blend(chl_ci12, chl_oc5, R.jac_ci(r, 443, g, red, ci12["a"], conv), j5, 0.15, 0.20)
    j["spm_nechad"] = R.jac_nechad(r, red, FIT.NECHAD_C[red])
    j["kd490"] = R.jac_kd2(r, 490, g, FIT.KD2S if sen == "seawifs" else FIT.KD2E)
    j["spm_gohin"] = R.jac_fd(lambda x: oc.spm_gohin(x, sen), r, oc.product_info("spm_gohin", sen)["bands"])
    return j


@pytest.mark.parametrize("rho", [0.0, 0.5, 1.0])
def test_propagated_rrs_term(spectra, rho):
    r, sen, owt_rrs, _ = spectra
    eps = 0.05
    sig = {b: eps * np.abs(v) for b, v in r.items()}
    w = R.owt_weights(R.owt_memberships(owt_rrs))
    for p, jac in _reference_jacobians(r, sen).items():
        term = R.rrs_term(jac, sig, rho)
        v, u = getattr(oc, p)(r, sen, return_uncertainty=True, rrs_uncertainty=eps, band_correlation=rho)
        ref, _ = R.uncertainty(p, STATS, w, u_rrs=term)
        ok = np.isfinite(v)
        # spm_gohin: both sides are central differences of float32 products (about 1e-4 relative noise)
        tol = 1e-5 + (1e-3 * term[ok] if p == "spm_gohin" else 0.0)
        assert np.all(np.abs(u[ok] - ref[ok]) <= tol), (p, np.max(np.abs(u[ok] - ref[ok])))
        if rho == 0.0:
            assert np.median(term[ok]) > 0.01, p  # the term matters: not a comparison of zeros
            _, u0 = getattr(oc, p)(r, sen, return_uncertainty=True)
            big = term[ok] > 0.02
            mine = np.sqrt(u[ok][big].astype(float) ** 2 - u0[ok][big].astype(float) ** 2)
            np.testing.assert_allclose(mine, term[ok][big], rtol=2e-3, err_msg=p)


@pytest.mark.parametrize("rho", [0.0, 0.5])
def test_per_band_rrs_uncertainty_arrays(spectra, rho):
    """rrs_uncertainty={band: sigma array (sr-1)}: each pixel's own sigma_b, as PACE
    OCI Rrs_unc gives, against the reference Jacobians (not the relative path)."""
    r, sen, owt_rrs, _ = spectra
    rng = np.random.default_rng(11)
    sig = {b: (rng.uniform(0.01, 0.10, np.shape(v)) * np.abs(v)).astype(np.float32) for b, v in r.items()}
    w = R.owt_weights(R.owt_memberships(owt_rrs))
    for p, jac in _reference_jacobians(r, sen).items():
        term = R.rrs_term(jac, {b: s.astype(float) for b, s in sig.items()}, rho)
        v, u = getattr(oc, p)(r, sen, return_uncertainty=True, rrs_uncertainty=sig, band_correlation=rho)
        ref, _ = R.uncertainty(p, STATS, w, u_rrs=term)
        ok = np.isfinite(v)
        tol = 1e-5 + (1e-3 * term[ok] if p == "spm_gohin" else 0.0)
        assert np.all(np.abs(u[ok] - ref[ok]) <= tol), (p, np.max(np.abs(u[ok] - ref[ok])))
        assert np.median(term[ok]) > 0.005, p  # the term matters


def test_per_band_rrs_uncertainty_errors_and_accessor():
    r = {412: [0.009], 443: [0.008], 490: [0.007], 510: [0.005], 555: [0.003], 670: [0.0003]}
    sig = {b: [0.05 * v[0]] for b, v in r.items()}
    _, u_rel = oc.chl_ocx(r, "seawifs", return_uncertainty=True, rrs_uncertainty=0.05)
    _, u_abs = oc.chl_ocx(r, "seawifs", return_uncertainty=True, rrs_uncertainty={f"Rrs_{b}": v for b, v in sig.items()})
    assert u_abs[0] == pytest.approx(u_rel[0], rel=1e-5)
    with pytest.raises(oc.OceanColourError, match="none at 555 nm"):
        oc.chl_ocx(r, "seawifs", return_uncertainty=True, rrs_uncertainty={b: v for b, v in sig.items() if b != 555})
    with pytest.raises(oc.OceanColourError, match="rrs_uncertainty band 443"):
        oc.chl_ocx(r, "seawifs", return_uncertainty=True, rrs_uncertainty={**sig, 412: [1e-4] * 2, 443: [1e-4] * 3})
    with pytest.raises(oc.OceanColourError, match="rrs_uncertainty must be None, a float"):
        oc.chl_ocx(r, "seawifs", return_uncertainty=True, rrs_uncertainty="five percent")
    with pytest.raises(oc.OceanColourError, match="given twice"):
        oc.chl_ocx(r, "seawifs", return_uncertainty=True, rrs_uncertainty={**sig, "Rrs_443": [0.0004]})
    xr = pytest.importorskip("xarray")
    rng = np.random.default_rng(5)
    bands = (412, 443, 490, 510, 555, 670)
    rrs = {nm: rng.uniform(0.001, 0.01, (4, 3)).astype(np.float32) for nm in bands}
    unc = {nm: (0.04 * a).astype(np.float32) for nm, a in rrs.items()}
    ds = xr.Dataset({**{f"Rrs_{nm}": (("y", "x"), a) for nm, a in rrs.items()},
                     **{f"Rrs_unc_{nm}": (("y", "x"), a) for nm, a in unc.items()}},
                    attrs={"instrument": "SeaWiFS", "platform": "Orbview-2"})
    want = oc.chl_oc5(rrs, "seawifs", return_uncertainty=True, rrs_uncertainty=unc)[1]
    lazy = ds.chunk({"y": 2}).oc.chl_oc5_uncertainty(rrs_uncertainty={nm: f"Rrs_unc_{nm}" for nm in bands})
    np.testing.assert_array_equal(lazy.values, want)
    eager = ds.oc.chl_oc5(return_uncertainty=True, rrs_uncertainty={nm: ds[f"Rrs_unc_{nm}"] for nm in bands})
    np.testing.assert_array_equal(eager.chl_oc5_uncertainty.values, want)
    assert "Rrs_unc_443" in eager.chl_oc5.attrs["algorithm"]
    with pytest.raises(oc.OceanColourError, match="no variable 'Rrs_unc_999'"):
        ds.oc.chl_oc5(return_uncertainty=True, rrs_uncertainty={443: "Rrs_unc_999"})


def test_uncertainty_is_the_quadrature_sum():
    r = {412: [0.009], 443: [0.008], 490: [0.007], 510: [0.005], 555: [0.003], 670: [0.0003]}
    _, u0 = oc.chl_ocx(r, "seawifs", return_uncertainty=True)
    _, u1 = oc.chl_ocx(r, "seawifs", return_uncertainty=True, rrs_uncertainty=0.05)
    _, u2 = oc.chl_ocx(r, "seawifs", return_uncertainty=True, rrs_uncertainty=0.10)
    t1, t2 = np.sqrt(u1**2 - u0**2), np.sqrt(u2**2 - u0**2)
    assert t2[0] == pytest.approx(2 * t1[0], rel=1e-3)  # linear in the relative Rrs uncertainty
    # a spectrally flat error cancels in a band ratio
    _, uc = oc.chl_ocx(r, "seawifs", return_uncertainty=True, rrs_uncertainty=0.05, band_correlation=1.0)
    assert uc[0] == pytest.approx(u0[0], abs=1e-6)


def test_shapes_and_broadcasting():
    rng = np.random.default_rng(3)
    r = {b: rng.uniform(0.001, 0.01, (3, 4)).astype(np.float32) for b in (412, 443, 490, 510, 560, 620, 665)}
    chl, u = oc.chl_oc5(r, "olci-a", return_uncertainty=True)
    assert u.shape == chl.shape == (3, 4) and u.dtype == np.float32
    dom, f = oc.owt_dominant(r, "olci-a", return_memberships=True)
    assert dom.shape == (3, 4) and f.shape == (3, 4, 8)
    assert oc.oc5_class(r, "olci-a").shape == (3, 4)
    chl2, st, u2, b2, k = oc.chl_oc5(r, "olci-a", return_status=True, return_uncertainty=True, return_bias=True,
                                     return_class=True)
    np.testing.assert_array_equal(u2, u)
    assert st.dtype == np.uint8 and k.dtype == np.uint8 and b2.shape == (3, 4)


def test_invalid_arguments_are_clear_errors():
    r = {412: [0.009], 443: [0.008], 490: [0.007], 510: [0.005], 555: [0.003], 670: [0.0003]}
    with pytest.raises(oc.OceanColourError, match="rrs_uncertainty"):
        oc.chl_ocx(r, "seawifs", return_uncertainty=True, rrs_uncertainty=-0.1)
    with pytest.raises(oc.OceanColourError, match="band_correlation"):
        oc.kd490(r, "seawifs", return_uncertainty=True, band_correlation=2.0)
    with pytest.raises(oc.OceanColourError, match="version"):
        oc.oc5_class(r, "seawifs", version="C")
    # The water types need 670 nm, which OC4 does not read: named in the error.
    no_red = {k: v for k, v in r.items() if k != 670}
    oc.chl_ocx(no_red, "seawifs")
    with pytest.raises(oc.OceanColourError, match="670"):
        oc.chl_ocx(no_red, "seawifs", return_uncertainty=True)
    with pytest.raises(oc.OceanColourError, match="chl=None"):
        oc.spm_gohin(r, "seawifs", chl=[1.0], algorithm="forward-model", return_uncertainty=True)
    # NaN and negative Rrs: NaN uncertainty where the value is NaN, no exception.
    bad = {**r, 443: [np.nan], 555: [-0.001]}
    v, u = oc.chl_ocx(bad, "seawifs", return_uncertainty=True)
    assert np.isnan(v[0]) and np.isnan(u[0])
    assert oc.owt_dominant(bad, "seawifs")[0] == 0 and oc.oc5_class(bad, "seawifs")[0] == 0


def test_registry_rows_and_layers():
    assert {"oc5_class", "owt_dominant"} <= set(oc.products())
    for p in PRODUCTS:
        names = [layer["name"] for layer in oc.product_info(p)["layers"]]
        assert {"uncertainty", "bias"} <= set(names), p
        assert {"rrs_uncertainty", "band_correlation", "bias_corrected"} <= set(oc.product_info(p)["choices"]), p
    assert "class" in [layer["name"] for layer in oc.product_info("chl_oc5")["layers"]]
    info = oc.product_info("chl_oc5", "olci-a")
    assert set(info["layer_bands"]) == {665} and "Moore" in info["layer_provenance"]


def test_xarray_accessor_gives_uncertainty_variables():
    xr = pytest.importorskip("xarray")
    rng = np.random.default_rng(0)
    bands = (412, 443, 490, 510, 555, 670)
    ds = xr.Dataset({f"Rrs_{nm}": (("y", "x"), rng.uniform(0.001, 0.01, (4, 3)).astype(np.float32)) for nm in bands},
                    attrs={"instrument": "SeaWiFS", "platform": "Orbview-2"})
    out = ds.oc.chl_oc5(return_uncertainty=True, return_bias=True)
    assert out.chl_oc5.attrs["ancillary_variables"] == "chl_oc5_uncertainty chl_oc5_bias"
    assert out.chl_oc5_uncertainty.attrs["units"] == "1" and "log10" in out.chl_oc5_uncertainty.attrs["long_name"]
    rrs = {nm: ds[f"Rrs_{nm}"].values for nm in bands}
    _, u, b = oc.chl_oc5(rrs, "seawifs", return_uncertainty=True, return_bias=True)
    np.testing.assert_array_equal(out.chl_oc5_uncertainty.values, u)
    np.testing.assert_array_equal(out.chl_oc5_bias.values, b)
    lazy = ds.chunk({"y": 2}).oc.kd490_uncertainty(rrs_uncertainty=0.05)
    assert lazy.name == "kd490_uncertainty"
    np.testing.assert_array_equal(lazy.values, oc.kd490(rrs, "seawifs", return_uncertainty=True, rrs_uncertainty=0.05)[1])


def _cli(*args):
    import subprocess

    return subprocess.run([sys.executable, "-m", "oceancolour", *map(str, args)], capture_output=True, text=True,
                          timeout=300)


@pytest.fixture(scope="module")
def chain_files(tmp_path_factory):
    netCDF4 = pytest.importorskip("netCDF4")  # noqa: F841
    d = tmp_path_factory.mktemp("unc_chain")
    r = _cli("simulate", "obpg-l2", "-o", d / "g.nc", "--size", "60x40")
    assert r.returncode == 0, r.stderr
    r = _cli("process", d / "g.nc", "-o", d / "on", "--products", "chl_oc5,kd490,chl_ci,oc5_class,owt_dominant",
             "--no-quicklook")
    assert r.returncode == 0, r.stderr
    r = _cli("process", d / "g.nc", "-o", d / "off", "--products", "chl_oc5,kd490", "--no-quicklook", "--no-uncertainty")
    assert r.returncode == 0, r.stderr
    return d


def test_chain_writes_uncertainty_bias_and_class(chain_files):
    import netCDF4

    d = chain_files
    with netCDF4.Dataset(d / "on" / "g.chl_oc5.nc") as f:
        chl = f["chl_oc5"]
        assert chl.ancillary_variables == "chl_oc5_uncertainty chl_oc5_bias oc5_class"
        u, b, k = f["chl_oc5_uncertainty"], f["chl_oc5_bias"], f["oc5_class"]
        assert u.dtype == np.float32 and u.units == "1" and "log10(chl_oc5)" in u.long_name and "dex" in u.long_name
        assert u.coverage_content_type == "qualityInformation" and "Moore" in u.comment
        assert b.units == "1" and "bias" in b.long_name.lower()
        assert k.dtype == np.int8 and list(k.flag_values) == [1, 2, 3, 4, 5, 6, 7] and k._FillValue == 0
        assert k.flag_meanings.split() == ["oc5_applicable", "oc5_usable_larger_uncertainty", "very_high_spm",
                                           "very_high_cdom", "very_high_spm_and_very_high_cdom", "high_chl", "low_cdom"]
        assert k.standard_name == "status_flag" and "version B" in k.long_name
        vals, uu, kk = chl[:], u[:], k[:]
        # an uncertainty where (and only where) there is a value; a class wherever the Rrs allow one
        assert np.array_equal(np.ma.getmaskarray(vals), np.ma.getmaskarray(uu))
        assert (~np.ma.getmaskarray(vals)).sum() > 100
        assert np.all((uu.compressed() > 0.1) & (uu.compressed() < 0.5))
        assert set(np.unique(kk.compressed())) <= set(range(1, 8))
    with netCDF4.Dataset(d / "on" / "g.kd490.nc") as f:
        assert f["kd490"].ancillary_variables == "kd490_uncertainty kd490_bias"
        assert "oc5_class" not in f.variables
    with netCDF4.Dataset(d / "on" / "g.chl_ci.nc") as f:  # no class statistics for chl_ci
        assert not hasattr(f["chl_ci"], "ancillary_variables") and list(f.variables) .count("chl_ci_uncertainty") == 0


def test_chain_uncertainty_is_the_array_api_one(chain_files):
    import netCDF4

    with netCDF4.Dataset(chain_files / "on" / "g.kd490.nc") as f:
        kd, u = f["kd490"][:], f["kd490_uncertainty"][:]
    with netCDF4.Dataset(chain_files / "g.nc") as g:
        geo = g["geophysical_data"]
        rrs = {int(n[4:]): np.asarray(geo[n][:].filled(np.nan), dtype=np.float32) for n in geo.variables
               if n.startswith("Rrs_")}
    _, ref = oc.kd490(rrs, "seawifs", return_uncertainty=True)
    ok = ~np.ma.getmaskarray(kd)
    np.testing.assert_allclose(u[ok], ref[ok], atol=1e-6)


def test_chain_writes_class_products_as_cf_flags(chain_files):
    """oc5_class and owt_dominant files hold bytes with flag_values/flag_meanings (0 = not
    classified = fill), equal to the array API's classes of the same Rrs."""
    import netCDF4

    with netCDF4.Dataset(chain_files / "g.nc") as g:
        geo = g["geophysical_data"]
        rrs = {int(n[4:]): np.asarray(geo[n][:].filled(np.nan), dtype=np.float32) for n in geo.variables
               if n.startswith("Rrs_")}
    for name, n_classes in (("oc5_class", 7), ("owt_dominant", 8)):
        with netCDF4.Dataset(chain_files / "on" / f"g.{name}.nc") as f:
            v = f[name]
            assert v.dtype == np.int8 and v._FillValue == 0, name
            assert list(v.flag_values) == list(range(1, n_classes + 1)), name
            assert len(v.flag_meanings.split()) == n_classes and v.coverage_content_type == "thematicClassification"
            assert not hasattr(v, "valid_min")
            k = v[:].filled(0)
        ref = getattr(oc, name)(rrs, "seawifs")
        kept = k != 0
        assert kept.sum() > 100, name
        # where the chain kept a pixel (its l2_flags pass), the class is the array API's
        np.testing.assert_array_equal(k[kept], ref[kept])


def test_bin_refuses_a_class_product_and_bins_the_product_beside_its_class(chain_files, tmp_path):
    r = _cli("bin", chain_files / "on" / "g.oc5_class.nc", "-o", tmp_path / "k.nc", "--grid", "isin:4320")
    assert r.returncode == 1 and "classification" in r.stderr and "flag_values" in r.stderr, r.stderr
    assert not (tmp_path / "k.nc").exists()
    r = _cli("bin", chain_files / "on" / "g.chl_oc5.nc", "-o", tmp_path / "c.nc", "--grid", "isin:4320")
    assert r.returncode == 0 and (tmp_path / "c.nc").exists(), r.stderr


def test_bias_correct_writes_the_corrected_product_and_says_so(chain_files, tmp_path):
    import netCDF4

    r = _cli("process", chain_files / "g.nc", "-o", tmp_path, "--products", "kd490", "--no-quicklook", "--bias-correct")
    assert r.returncode == 0, r.stderr
    with netCDF4.Dataset(chain_files / "on" / "g.kd490.nc") as f:
        plain, bias_plain = f["kd490"][:], f["kd490_bias"][:]
    with netCDF4.Dataset(tmp_path / "g.kd490.nc") as f:
        kd, bias = f["kd490"][:], f["kd490_bias"][:]
        assert "SUBTRACTED" in f["kd490_bias"].comment and "BIAS-CORRECTED" in f.algorithm_reference
        assert "bias_corrected = true" in f.oceancolour_configuration
    np.testing.assert_array_equal(bias, bias_plain)
    ok = ~np.ma.getmaskarray(plain)
    np.testing.assert_allclose(kd[ok], plain[ok] * 10.0 ** -bias[ok], rtol=3e-5)


def test_no_uncertainty_writes_the_product_alone(chain_files):
    import netCDF4

    with netCDF4.Dataset(chain_files / "off" / "g.chl_oc5.nc") as f:
        assert set(f.variables) >= {"chl_oc5"} and not {"chl_oc5_uncertainty", "chl_oc5_bias", "oc5_class"} & set(f.variables)
        assert not hasattr(f["chl_oc5"], "ancillary_variables")
        assert "uncertainty = false" in f.oceancolour_configuration


def test_chain_layers_pass_the_cf_checker(chain_files):
    import shutil
    import subprocess

    cc = pytest.importorskip("compliance_checker")
    exe = Path(sys.executable).parent / "cfchecks"
    if shutil.which("cfchecks", path=str(exe.parent)) is None:
        pytest.skip("cfchecks not installed")
    tables = ROOT / "tests" / "data" / "cf-tables"
    r = subprocess.run([str(exe), "-v", "1.8", "-s", str(Path(cc.__file__).parent / "data" / "cf-standard-name-table.xml"),
                        "-a", str(tables / "area-type-table.xml"), "-r", str(tables / "standardized-region-list.xml"),
                        str(chain_files / "on" / "g.chl_oc5.nc"), str(chain_files / "on" / "g.oc5_class.nc"),
                        str(chain_files / "on" / "g.owt_dominant.nc")], capture_output=True, text=True, timeout=300)
    if "UDUNITS" in r.stderr:
        pytest.skip("cfchecks needs the udunits2 C library")
    assert "Checking variable: oc5_class" in r.stdout and "Checking variable: chl_oc5_uncertainty" in r.stdout
    assert r.stdout.count("ERRORS detected: 0") == 3, r.stdout + r.stderr
    assert r.stdout.count("WARNINGS given: 0") == 3, r.stdout
