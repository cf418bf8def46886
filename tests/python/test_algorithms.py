"""The standard algorithms against published test vectors and an independent
float64 evaluation of the published formulas (tests/python/reference.py)."""

import numpy as np
import pytest

import oceancolour as oc
from reference import OCX, ci, ci_for_blend, kd2, nechad, oci, ocx

# algorithms.md s5.2: three spectra (Rrs, sr-1) at 412/443/490/510/555(560)/670.
SPECTRA = {
    "clear": [0.0095, 0.0080, 0.0060, 0.0035, 0.0018, 0.00015],
    "meso": [0.0040, 0.0045, 0.0050, 0.0042, 0.0030, 0.0004],
    "coastal": [0.0030, 0.0038, 0.0055, 0.0058, 0.0060, 0.0020],
}
# algorithms.md s5.3 (computed from the published formulas).
VECTORS = {
    "oc4": [0.12304, 0.57366, 2.37720],
    "oc4v6": [0.12489, 0.60559, 2.35437],
    "oc4v4": [0.12466, 0.60807, 2.57972],
    "kd2s": [0.03549, 0.08060, 0.18268],
}


def seawifs(spectra):
    s = np.array(spectra, dtype=np.float32).T
    return dict(zip([412, 443, 490, 510, 555, 670], s))


def random_spectra(n, sensor, seed=0):
    """Plausible Rrs spectra over clear to turbid water, with some invalid pixels."""
    rng = np.random.default_rng(seed)
    bands = [b["nominal"] for b in oc.sensor_info(sensor)["bands"]]
    level = 10 ** rng.uniform(-3.3, -1.7, n)
    slope = rng.uniform(-2.5, 1.5, n)
    rrs = {nm: (level * (nm / 555.0) ** (slope * 3) * rng.lognormal(0, 0.1, n)).astype(np.float32) for nm in bands}
    rrs[bands[0]][:: 97] = np.nan
    rrs[bands[1]][:: 89] = -0.002
    return rrs


@pytest.mark.parametrize("name", ["oc4", "oc4v6", "oc4v4"])
def test_ocx_seawifs_published_vectors(name):
    got = oc.chl_ocx(seawifs(list(SPECTRA.values())), "seawifs", name)
    np.testing.assert_allclose(got, VECTORS[name], rtol=5e-5)


@pytest.mark.parametrize("sensor,name", list(OCX))
def test_ocx_matches_double_precision_formula_to_1e5(sensor, name):
    rrs = random_spectra(200_000, sensor)
    blues, green, a = OCX[(sensor, name)]
    want = ocx(rrs, blues, green, a)
    got = oc.chl_ocx(rrs, sensor, name)
    assert got.dtype == np.float32 and got.shape == (200_000,)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    ok = np.isfinite(want)
    assert ok.sum() > 150_000
    np.testing.assert_allclose(got[ok], want[ok], rtol=1e-5)


def test_default_ocx_per_sensor_and_listing():
    sets = oc.ocx_coefficient_sets("modis-aqua")
    names = [s["name"] for s in sets]
    assert {"oc3", "oc3m-547", "oc2m"} <= set(names)
    assert [s["name"] for s in sets if s["default"]] == ["oc3"]
    for s in sets:
        assert len(s["a"]) == 5 and s["source"]
    assert {s["name"] for s in oc.ocx_coefficient_sets("olci-a")} >= {"oc4", "oc4me", "oc5-oreilly2019"}


def test_ci_and_oci_match_formula_and_forum_example():
    # NASA Earthdata forum p=15255 MODIS example: the poster's CI with nominal
    # wavelengths (no 547->555 conversion) gives chl_CI = 0.28444.
    r = {443: 0.006004000856137, 488: 0.004496000859945, 547: 0.003296000862974, 667: 0.000502000870028}
    want_ci = ci(r[443], r[547], r[667], 547)
    got_ci = oc.chl_ci(r, "modis-aqua")
    np.testing.assert_allclose(got_ci, want_ci, rtol=1e-5)
    # The poster's own variant (Rrs_555 directly, weight (555-443)/(667-443)) gives
    # their CI = -5.09e-4 and chl_CI = 0.28444: a check of the CI form itself.
    poster_ci = 0.002744000864368 - (r[443] + (555 - 443) / (667 - 443) * (r[667] - r[443]))
    assert abs(poster_ci - -5.09e-4) < 1e-6
    assert abs(10 ** (-0.4287 + 230.47 * poster_ci) - 0.28444) < 5e-4
    chl3 = ocx(r, [443, 488], 547, OCX[("modis-aqua", "oc3")][2])
    np.testing.assert_allclose(chl3, 0.469525, rtol=1e-4)  # the poster's OC3M
    np.testing.assert_allclose(oc.chl_oci(r, "modis-aqua"), oci(want_ci, chl3, 0.25, 0.35), rtol=1e-5)


@pytest.mark.parametrize("ci_set,t", [("hu2019", (0.25, 0.35)), ("hu2012", (0.15, 0.20))])
def test_oci_blend_over_many_pixels(ci_set, t):
    rrs = random_spectra(100_000, "olci-a", seed=3)
    a = {"hu2019": (-0.4287, 230.47), "hu2012": (-0.4909, 191.6590)}[ci_set]
    # l2gen's CI red on OLCI is 674 nm (windex.c: bindex_get(670)).
    c = ci_for_blend(rrs[443], rrs[560], rrs[674], 560, a)
    o = ocx(rrs, [443, 490, 510], 560, OCX[("olci-a", "oc4")][2])
    want = np.clip(oci(c, o, *t), 0.001, 1000)
    got = oc.chl_oci(rrs, "olci-a", ci=ci_set)
    both = np.isfinite(want) & np.isfinite(got)
    assert both.sum() > 50_000
    # Inside [t1, t2] the blend's slope in chl_CI (up to ~20 for the 0.05-wide
    # hu2012 window) amplifies the ~1e-6 f32 differences of its inputs.
    np.testing.assert_allclose(got[both], want[both], rtol=3e-5)
    assert ((c < t[0]) & (got == got)).sum() > 0  # some pixels really use the CI branch


def test_kd490_kdpar_morel_vectors():
    got = oc.kd490(seawifs(list(SPECTRA.values())), "seawifs")
    np.testing.assert_allclose(got, VECTORS["kd2s"], rtol=0, atol=5e-6)  # vectors rounded to 5 decimals
    rrs = random_spectra(50_000, "modis-aqua")
    a = [-0.8813, -2.0584, 2.5878, -3.4885, -1.5061]
    with np.errstate(all="ignore"):
        want = kd2(rrs[488], rrs[547], a)
    ok = (rrs[488] > 0) & (rrs[547] > 0) & np.isfinite(rrs[488])
    got = oc.kd490(rrs, "modis-aqua")
    np.testing.assert_allclose(got[ok], want[ok], rtol=1e-5)
    assert np.isnan(got[~ok]).all()
    # algorithms.md s5.3: Morel Kd490 at chl 0.1, 1, 10 and KdPAR from it.
    chl = np.array([0.1, 1.0, 10.0])
    np.testing.assert_allclose(oc.kd490_morel(chl), [0.03311, 0.09435, 0.38264], rtol=2e-4)
    np.testing.assert_allclose(oc.kd490_morel(chl, "morel-maritorena2001"), [0.03140, 0.08902, 0.37093], rtol=2e-4)
    np.testing.assert_allclose(oc.kdpar_morel(oc.kd490_morel(chl)), [0.07430, 0.15528, 0.42107], rtol=3e-4)


def test_nechad_and_dogliotti_vectors():
    # algorithms.md s5.3: Nechad 2010 at 665 nm.
    rrs665 = np.array([0.002, 0.01, 0.03])
    got = oc.spm_nechad({665: rrs665}, "olci-a")
    np.testing.assert_allclose(got, [2.3202, 13.6634, 73.7774], rtol=1e-4)
    np.testing.assert_allclose(got, nechad(rrs665, 355.85, 0.1728), rtol=1e-6)
    # MODIS 667 sits between the 665 and 667.5 nm nodes of the published table.
    a667, c667 = 355.85 + 0.8 * (374.11 - 355.85), 0.1728 + 0.8 * (0.1738 - 0.1728)
    np.testing.assert_allclose(oc.spm_nechad({667: rrs665}, "modis-aqua"), nechad(rrs665, a667, c667), rtol=1e-6)
    np.testing.assert_allclose(oc.turbidity_nechad({665: rrs665}, "meris"), nechad(rrs665, 282.95, 0.1728), rtol=1e-6)
    # Dogliotti 2015 (Rrs645, Rrs859) -> blended FNU.
    red, nir = np.array([0.005, 0.019, 0.03]), np.array([0.0003, 0.004, 0.012])
    np.testing.assert_allclose(oc.turbidity_dogliotti({645: red, 859: nir}, "modis-aqua"),
                               [3.9623, 30.9630, 141.2924], rtol=1e-4)


@pytest.mark.parametrize("sensor,red_nm,nir_nm,a,c", [
    ("olci-a", 665, 865, 282.95, 0.1728),  # Nechad 2009 node at 665
    ("seawifs", 670, 865, 294.24, 0.1747),  # node at 670
    ("viirs-noaa20", 667, 868, 282.95 + 0.4 * 11.29, 0.1728 + 0.4 * 0.0019),  # between 665 and 670
    ("viirs-snpp", 671, 862, 294.24, 0.1747),  # nearest node within 1.25 nm
])
def test_dogliotti_red_branch_uses_nechad_2009_at_665_to_671(sensor, red_nm, nir_nm, a, c):
    # Dogliotti et al. 2015's form and blend, red branch with Nechad et al. 2009 A, C at the band.
    red, nir = np.array([0.005, 0.019, 0.03]), np.array([0.0003, 0.004, 0.012])
    t_red, t_nir = nechad(red, a, c), nechad(nir, 3078.9, 0.2112)
    w = np.clip((np.pi * red - 0.05) / 0.02, 0, 1)
    want = np.where(np.pi * red < 0.05, t_red, np.where(np.pi * red >= 0.07, t_nir, (1 - w) * t_red + w * t_nir))
    got = oc.turbidity_dogliotti({red_nm: red, nir_nm: nir}, sensor)
    np.testing.assert_allclose(got, want, rtol=1e-6)


def test_invalid_pixels_give_nan_never_an_error():
    nan = np.nan
    r = {443: [nan, 0.008, -0.01, 0.008, 0.0], 490: [0.006] * 5, 510: [0.0035] * 5, 555: [0.0018, 0.0, 0.0018, -1, 0.0018]}
    got = oc.chl_ocx(r, "seawifs")
    assert np.isnan(got[:4]).all() and np.isfinite(got[4])
    assert np.isnan(oc.spm_nechad({665: [-0.001, nan, 1.0]}, "olci-a")).all()
    assert np.isnan(oc.kd490_morel([0.0, -1.0, nan])).all()


def test_shapes_dtypes_strides_broadcast():
    base = seawifs(list(SPECTRA.values()))
    want = oc.chl_ocx(base, "seawifs")
    # float64, Fortran order and non-contiguous views give the same numbers.
    img = {nm: np.asfortranarray(np.tile(v.astype(np.float64), (4, 1))) for nm, v in base.items()}
    got = oc.chl_ocx(img, "seawifs")
    assert got.shape == (4, 3) and got.dtype == np.float32
    np.testing.assert_array_equal(got, np.tile(want, (4, 1)))
    strided = {nm: np.repeat(v, 2)[::2] for nm, v in base.items()}
    np.testing.assert_array_equal(oc.chl_ocx(strided, "seawifs"), want)
    # Scalars broadcast against arrays; 0-d in, 0-d out.
    bc = dict(base)
    bc[510] = np.float32(0.0035)
    assert oc.chl_ocx(bc, "seawifs").shape == (3,)
    assert oc.chl_ocx({k: float(v[0]) for k, v in base.items()}, "seawifs").shape == ()
    # String keys in the OBPG style.
    np.testing.assert_array_equal(oc.chl_ocx({f"Rrs_{k}": v for k, v in base.items()}, "seawifs"), want)
    assert oc.chl_ocx({nm: np.empty((0, 5)) for nm in base}, "seawifs").shape == (0, 5)


@pytest.mark.parametrize(
    "call,match",
    [
        (lambda: oc.chl_ocx({443: 1.0}, "czcs"), 'unknown sensor "czcs"'),
        (lambda: oc.chl_ocx({443: 1.0, 490: 1.0, 510: 1.0}, "seawifs"), "needs Rrs at 555 nm"),
        (lambda: oc.chl_ocx({443: 1.0}, "seawifs", "oc9"), "unknown OCx coefficient set"),
        (lambda: oc.chl_ocx({443: np.ones(3), 490: np.ones(2), 510: 1, 555: 1}, "seawifs"), "do not broadcast"),
        (lambda: oc.chl_ocx({443: ["a"], 490: 1, 510: 1, 555: 1}, "seawifs"), "Rrs band 443: cannot be read"),
        (lambda: oc.chl_ocx({"blue": 1.0}, "seawifs"), "not a wavelength"),
        (lambda: oc.chl_ocx({560: 1.0}, "seawifs"), "seawifs has no band at 560"),
        (lambda: oc.chl_ocx([1, 2], "seawifs"), "must be a mapping"),
        (lambda: oc.spm_nechad({551: 0.01}, "viirs-snpp", wavelength=551), "no published A, C"),
        (lambda: oc.chl_oci({}, "seawifs", thresholds=(0.3, 0.2)), "0 < t1 < t2"),
        (lambda: oc.kdpar_morel([0.1], depth="third"), "first"),
        (lambda: oc.set_num_threads(0), "at least 1"),
    ],
)
def test_errors_name_the_problem(call, match):
    with pytest.raises(oc.OceanColourError, match=match) as e:
        call()
    assert isinstance(e.value, ValueError)


def test_sensor_registry():
    assert oc.sensors() == ["seawifs", "modis-aqua", "modis-terra", "meris", "viirs-snpp", "viirs-noaa20", "viirs-noaa21", "olci-a", "olci-b", "olci-c",
                           "pace-oci"]
    info = oc.sensor_info("olci-a")
    assert [b["nominal"] for b in info["bands"]][:9] == [400, 412, 443, 490, 510, 560, 620, 665, 674]
    assert info["band_roles"]["green"] == 560 and info["f0_unit"] == "mW cm-2 um-1"
    modis = {b["nominal"]: b for b in oc.sensor_info("modis-aqua")["bands"]}
    assert {412, 443, 469, 488, 531, 547, 555, 645, 667, 678, 859} <= set(modis)
    # Default F0: NASA l2gen's Fonom (1870.0 W m-2 um-1 is Rrs_547:solar_irradiance in
    # NASA's MODIS-Aqua R2018.0 L2 files); the OBPG 2009 band-averaged value stays selectable.
    assert modis[547]["f0"] == pytest.approx(186.99834, rel=5e-5)
    assert modis[547]["f0_sets"]["obpg-rsr2009"] == pytest.approx(186.594)


def test_threads_setting_keeps_results():
    rrs = random_spectra(300_000, "seawifs", seed=5)
    want = oc.chl_ocx(rrs, "seawifs")
    n = oc.get_num_threads()
    try:
        oc.set_num_threads(1)
        assert oc.get_num_threads() == 1
        np.testing.assert_array_equal(oc.chl_ocx(rrs, "seawifs"), want)
    finally:
        oc.set_num_threads(n)


def test_concurrent_python_threads_and_fork():
    import concurrent.futures
    import multiprocessing

    rrs = random_spectra(200_000, "seawifs", seed=9)
    want = oc.chl_ocx(rrs, "seawifs")
    with concurrent.futures.ThreadPoolExecutor(4) as ex:
        for got in ex.map(lambda _: oc.chl_ocx(rrs, "seawifs"), range(8)):
            np.testing.assert_array_equal(got, want)
    # The pool has threads now; a forked child must still compute.
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(2) as pool:
        sums = pool.map(_child_sum, [1, 2])
    assert all(np.isfinite(s) for s in sums)


def _child_sum(seed):
    return float(np.nansum(oc.chl_ocx(random_spectra(100_000, "seawifs", seed), "seawifs")))


def test_ci_without_green_conversion_on_a_555_band():
    # SeaWiFS's green band is 555 nm: conv_rrs_to_555 is the identity there.
    rrs = random_spectra(50_000, "seawifs", seed=5)
    want = ci(rrs[443], rrs[555], rrs[670], 555)
    got = oc.chl_ci(rrs, "seawifs")
    both = np.isfinite(want)
    np.testing.assert_array_equal(np.isfinite(got), both)
    np.testing.assert_allclose(got[both], want[both], rtol=1e-5)
