"""OC5 engine, open tables, Gohin-like SPM and the forward model, against
hand-computed values, scipy, the design-study test vectors and an independent
numpy forward model. Tables here are small (fast); the 200^3 figures are in
validation/oc5.py."""

import numpy as np
import pytest

import oceancolour as oc
from reference import ci, oci, ocx

OLCI_F0 = {412: 171.4, 560: 180.0}
# oc5-open-table.md s5 (MERIS, OLCI F0): Rrs 412/443/490/510/560 -> (OC4-MERIS, per-pixel OC5, 200^3 table).
VECTORS = [
    ([0.0095, 0.0080, 0.0060, 0.0035, 0.0018], 0.153, 0.153),
    ([0.0040, 0.0045, 0.0050, 0.0042, 0.0030], 0.699, 0.699),
    ([0.0030, 0.0038, 0.0055, 0.0058, 0.0060], 2.970, 2.970),
    ([0.0030, 0.0038, 0.0055, 0.0058, 0.0150], 185.0, 42.0),
    ([0.0010, 0.0025, 0.0045, 0.0050, 0.0060], 4.98, 2.97),
]
MERIS_BANDS = [412, 443, 490, 510, 560]


def meris_rrs(rows):
    a = np.array(rows, dtype=np.float32).T
    return dict(zip(MERIS_BANDS, a))


@pytest.fixture(scope="module")
def small_meris():
    return oc.Oc5Table.build("meris", shape=(40, 40, 40))


def linear_table(sensor="olci-a"):
    i, j, k = np.meshgrid(np.arange(200), np.arange(200), np.arange(200), indexing="ij")
    return (i + 2.0 * j + 3.0 * k).astype(np.float32)


def test_interpolation_matches_hand_computed_indices():
    # algorithms.md s5.2: (i_g, i_412, i_R) of the three spectra with OLCI F0.
    t = oc.Oc5Table.import_raw(linear_table(), "olci-a")
    rrs = {412: [0.0095, 0.0040, 0.0030], 443: [0.0080, 0.0045, 0.0038], 490: [0.0060, 0.0050, 0.0055],
           510: [0.0035, 0.0042, 0.0058], 560: [0.0018, 0.0030, 0.0060]}
    idx = np.array([[10.800, 181.415, 131.944], [18.000, 134.280, 53.030], [36.000, 125.710, 33.144]])
    want = idx[:, 0] + 2 * idx[:, 1] + 3 * idx[:, 2]
    got, status = oc.chl_oc5(rrs, "olci-a", table=t, return_status=True)
    np.testing.assert_allclose(got, want, rtol=2e-5)
    assert status.tolist() == [0, 0, 0]


def test_interpolation_matches_scipy_on_a_random_table():
    from scipy.interpolate import RegularGridInterpolator

    rng = np.random.default_rng(1)
    arr = rng.uniform(0.01, 10, (12, 9, 15)).astype(np.float32)
    axes = [(0.0, 0.5), (-2.0, 0.5), (-0.2, 0.5)]
    t = oc.Oc5Table.import_raw(arr, "meris", axes=axes)
    pts = np.column_stack([rng.uniform(0, 5.5, 500), rng.uniform(-2, 2, 500), rng.uniform(-0.2, 6.8, 500)])
    grid = [m + s * np.arange(n) for (m, s), n in zip(axes, arr.shape)]
    want = RegularGridInterpolator(grid, arr.astype(np.float64))(pts)
    got = t.interpolate(pts[:, 0], pts[:, 1], pts[:, 2])
    np.testing.assert_allclose(got, want, rtol=1e-5)
    # Outside on any axis: no value.
    assert np.isnan(t.interpolate([5.51, 1.0, 1.0], [0.0, 2.01, 0.0], [1.0, 1.0, 6.81])).all()


def test_raw_import_equals_direct_indexing_and_npy_path(tmp_path):
    rng = np.random.default_rng(2)
    arr = rng.uniform(0.01, 50, (200, 200, 200))
    np.save(tmp_path / "lut.npy", arr)
    t_mem = oc.Oc5Table.import_raw(arr.astype(np.float32), "olci-a")
    t_file = oc.Oc5Table.import_raw(tmp_path / "lut.npy", "olci-a")
    np.testing.assert_array_equal(t_mem.values, t_file.values)
    np.testing.assert_array_equal(t_file.values, arr.astype(np.float32))
    assert [a["variable"] for a in t_file.axes] == ["nLw_green", "nLw_412", "Rrs_ratio"]
    # Pixels on nodes read the node value. Inputs are float32, so a node
    # coordinate is off by ~1e-7 relative: compare with scipy at the same
    # float32 coordinates, on the operational axes built here independently.
    from scipy.interpolate import RegularGridInterpolator

    i, j, k = rng.integers(1, 199, (3, 50))
    pts = np.column_stack([0.03 * i, -2 + 0.02 * j, -0.2 + 0.0352 * k]).astype(np.float32)
    got = t_file.interpolate(pts[:, 0], pts[:, 1], pts[:, 2])
    grid = [0.03 * np.arange(200), -2 + 0.02 * np.arange(200), -0.2 + 0.0352 * np.arange(200)]
    want = RegularGridInterpolator(grid, arr.astype(np.float32).astype(np.float64))(pts.astype(np.float64))
    np.testing.assert_allclose(got, want, rtol=1e-5)
    np.testing.assert_allclose(got, arr[i, j, k], rtol=2e-3)
    with pytest.raises(oc.OceanColourError, match="shape"):
        oc.Oc5Table.import_raw(arr[:10], "olci-a")
    (tmp_path / "bad.npy").write_bytes(b"not numpy")
    with pytest.raises(oc.OceanColourError, match="bad.npy"):
        oc.Oc5Table.import_raw(tmp_path / "bad.npy", "olci-a")


def test_netcdf_round_trip_bit_for_bit(small_meris, tmp_path):
    p = tmp_path / "meris.nc"
    small_meris.save(p)
    back = oc.Oc5Table.load(p)
    a, b = small_meris.values, back.values
    assert np.array_equal(a.view(np.uint32), b.view(np.uint32))
    assert np.array_equal(small_meris.node_flags, back.node_flags)
    assert back.axes == small_meris.axes and back.metadata == small_meris.metadata
    assert back.bands == small_meris.bands and back.f0 == small_meris.f0
    assert "NOT Ifremer" in back.metadata["disclaimer"]
    # The file is plain netCDF, readable by netCDF4 with its axes described.
    import netCDF4

    with netCDF4.Dataset(p) as ds:
        assert ds.variables["chl"].dimensions == ("nLw_green", "nLw_412", "Rrs_ratio")
        assert ds.variables["Rrs_ratio"].axis_step == small_meris.axes[2]["step"]
    (tmp_path / "junk.nc").write_bytes(b"junk")
    with pytest.raises(oc.OceanColourError, match="junk.nc"):
        oc.Oc5Table.load(tmp_path / "junk.nc")
    with pytest.raises(oc.OceanColourError, match="does not exist"):
        small_meris.save(tmp_path / "missing" / "t.nc")
    assert not list(tmp_path.glob(".*tmp*"))


def test_design_study_vectors_per_pixel_and_table(small_meris):
    rrs = meris_rrs([v[0] for v in VECTORS])
    want_ocx = np.array([v[1] for v in VECTORS])
    want_oc5 = np.array([v[2] for v in VECTORS])
    np.testing.assert_allclose(ocx(rrs, [443, 490, 510], 560, [0.42487, -3.20974, 2.89721, -0.75258, -0.98259]),
                               want_ocx, rtol=0.01)
    # The design study's vectors are those of recipe c1-1 (selectable by name).
    c1_1, st = oc.chl_oc5(rrs, "meris", table="per-pixel", return_status=True, recipe="open-oc5-c1-1")
    np.testing.assert_allclose(c1_1, want_oc5, rtol=0.01)
    assert st.tolist() == [0] * 5
    per_pixel = oc.chl_oc5(rrs, "meris", table="per-pixel")
    # A 40^3 table is coarse: within 10% of the per-pixel values, except the steep
    # bright-green vector (the 200^3 table gives 43.4 there; validation/oc5.py).
    keep = [0, 1, 2, 4]
    np.testing.assert_allclose(oc.chl_oc5(rrs, "meris", table=small_meris)[keep], per_pixel[keep], rtol=0.1)


def test_case1_spectra_give_ocx_and_departures_lower_chl():
    chl = np.geomspace(0.03, 5, 25)
    spec = oc.forward_rrs(chl, None, 0.0, "meris")
    oc5 = oc.chl_oc5(spec, "meris", table="per-pixel")
    oc4 = oc.chl_ocx(spec, "meris")
    np.testing.assert_allclose(oc5, oc4, rtol=1e-6)
    bright = dict(spec)
    bright[560] = spec[560] * 3
    dark412 = dict(spec)
    dark412[412] = spec[412] / 4
    # In clear water a brighter green also makes 412 look bright against the
    # new Case-1 reference, which the design answers by raising chl slightly;
    # the mineral signature (lower chl) is checked from 1 mg m-3 up.
    high = chl >= 1.0
    assert (oc.chl_oc5(bright, "meris", table="per-pixel") < oc.chl_ocx(bright, "meris"))[high].all()
    assert (oc.chl_oc5(dark412, "meris", table="per-pixel") < oc.chl_ocx(dark412, "meris")).all()


def test_small_table_is_monotone(small_meris):
    v = small_meris.values.astype(float)
    d = np.diff(v, axis=2)
    assert np.mean(d[np.isfinite(d)] <= 1e-6 * np.abs(v[:, :, :-1][np.isfinite(d)])) >= 0.995
    dg = np.diff(v, axis=0)
    # 99.3% on the 200^3 table (validation/oc5.py); coarser steps cross more kinks.
    assert np.mean(dg[np.isfinite(dg)] <= 1e-6 * np.abs(v[:-1][np.isfinite(dg)])) >= 0.97


def test_table_metadata_and_axes_describe_themselves(small_meris):
    ax = small_meris.axes
    assert [a["variable"] for a in ax] == ["nLw_green", "nLw_412", "Rrs_ratio"]
    assert ax[0]["unit"] == "mW cm-2 um-1 sr-1" and ax[2]["n"] == 40
    assert abs(ax[2]["min"] + ax[2]["step"] * 39 - 6.8048) < 1e-12
    md = small_meris.metadata
    assert md["tau"] == "0.25" and md["chl_cap"] == "5" and "Bricaud" in md["case1_tie"]
    assert md["recipe"] == small_meris.version == "open-oc5-c1-2"
    old = oc.Oc5Table.build("meris", shape=(8, 8, 8), recipe="open-oc5-c1-1")
    assert old.version == old.metadata["recipe"] == "open-oc5-c1-1" and old.metadata["tau"] == "0.5"
    with pytest.raises(oc.OceanColourError, match="open-oc5-c1-2"):
        oc.Oc5Table.build("meris", shape=(8, 8, 8), recipe="c1-9")
    assert "first positive-412" in md["node_rules"]
    assert small_meris.bands == {"violet": 412, "green": 560, "ratio_blues": [443, 490, 510]}


def test_statuses_broadcasting_and_bad_input(small_meris):
    rrs = meris_rrs([v[0] for v in VECTORS[:3]])
    rrs[560] = np.array([0.0018, np.nan, 0.05], dtype=np.float32)  # valid, invalid, outside (nLw > 5.97)
    chl, st = oc.chl_oc5(rrs, "meris", table=small_meris, return_status=True)
    assert st.tolist() == [0, 2, 1] and np.isfinite(chl[0]) and np.isnan(chl[1:]).all()
    # Broadcasting: a (2, 3) field with scalar blues.
    field = {412: np.full((2, 3), 0.004), 443: 0.0045, 490: 0.005, 510: 0.0042, 560: np.full((2, 1), 0.003)}
    assert oc.chl_oc5(field, "meris", table=small_meris).shape == (2, 3)
    with pytest.raises(oc.OceanColourError, match="412"):
        oc.chl_oc5({443: 0.004, 490: 0.005, 510: 0.004, 560: 0.003}, "meris", table=small_meris)
    with pytest.raises(oc.OceanColourError, match="per-pixel"):
        oc.chl_oc5(rrs, "meris", table="nonsense")


def test_f0_sets_are_selectable_and_a_set_without_the_band_says_so():
    rrs = {410: 0.006, 443: 0.005, 486: 0.004, 551: 0.002}
    # VIIRS has NASA l2gen's Fonom (the default set): OC5 runs with no argument.
    assert np.isfinite(oc.chl_oc5(rrs, "viirs-snpp"))
    with pytest.raises(oc.OceanColourError, match="obpg-rsr2009.*viirs-snpp"):
        oc.Oc5Table.build("viirs-snpp", shape=(20, 20, 20), f0="obpg-rsr2009")
    with pytest.raises(oc.OceanColourError, match="fonom-thuillier2003"):
        oc.Oc5Table.build("meris", shape=(20, 20, 20), f0="no-such-set")
    t = oc.Oc5Table.build("viirs-snpp", shape=(20, 20, 20), f0={410: 171.0, 551: 185.0})
    assert t.f0 == {551: 185.0, 410: 171.0} and t.metadata["f0_set"] == "given"
    assert np.isfinite(oc.chl_oc5(rrs, "viirs-snpp", table=t))
    # The set's values, as the sensor registry lists them.
    m = oc.Oc5Table.build("meris", shape=(20, 20, 20), f0="rbins-oc5")
    assert m.f0 == {560: 180.0, 412: 171.4} and m.metadata["f0_set"] == "rbins-oc5"
    bands = {b["nominal"]: b for b in oc.sensor_info("meris")["bands"]}
    default = oc.Oc5Table.build("meris", shape=(20, 20, 20))
    assert default.metadata["f0_set"] == "fonom-thuillier2003"
    assert default.f0 == {560: bands[560]["f0"], 412: bands[412]["f0"]}


def test_oc5ci_blend(small_meris):
    rng = np.random.default_rng(3)
    n = 400
    rrs = {412: rng.uniform(0.004, 0.012, n), 443: rng.uniform(0.004, 0.01, n), 490: rng.uniform(0.003, 0.007, n),
           510: rng.uniform(0.002, 0.004, n), 560: rng.uniform(0.0012, 0.003, n), 665: rng.uniform(0.0001, 0.0004, n)}
    rrs = {k: v.astype(np.float32) for k, v in rrs.items()}
    got = oc.chl_oc5ci(rrs, "meris", table=small_meris)
    c = ci(rrs[443], rrs[560], rrs[665], 560, a=(-0.4909, 191.6590))
    o = oc.chl_oc5(rrs, "meris", table=small_meris).astype(float)
    want = np.clip(oci(c, o, 0.15, 0.20), 0.001, 1000)
    np.testing.assert_allclose(got, want, rtol=1e-4)
    assert ((c > 0.15) & (c < 0.2)).sum() > 5


def numpy_forward(chl, acdm, spm, k):
    """Independent numpy evaluation of oc5-open-table.md s1 at MERIS 412.5-560 with the
    study's band constants (aw, bbw, Bricaud A/E)."""
    nm = np.array([412.5, 442.5, 490.0, 510.0, 560.0])
    aw = np.array([0.00452, 0.00696, 0.0150, 0.0325, 0.0619])
    bbw = 0.5 * 0.00288 * (nm / 500) ** -4.32
    A = np.array([0.02988, 0.037355, 0.0253719, 0.0161767, 0.00567919])
    E = np.array([0.680, 0.6176, 0.607395, 0.721246, 0.9345194])
    lc = np.log10(chl)
    v = 0.5 * (lc - 0.3) if chl < 2 else 0.0
    bbp = 0.416 * chl**0.766 * (0.002 + 0.01 * (0.5 - 0.25 * lc) * (nm / 550) ** v)
    a = aw + A * chl**E + acdm * np.exp(-0.0176 * (nm - 443)) + spm * k * 0.041 * np.exp(-0.0123 * (nm - 443))
    bb = bbw + bbp + spm * k * 0.5 * 0.0183 * (555 / nm) ** 0.5
    u = bb / (a + bb)
    r = 0.0949 * u + 0.0794 * u**2
    return 0.52 * r / (1 - 1.7 * r)


@pytest.mark.parametrize("chl,acdm,spm,k", [(0.1, 0.02, 0.0, 1.0), (1.0, 0.5, 0.0, 1.0), (2.0, 0.1, 10.0, 1.0),
                                            (5.0, 0.3, 50.0, 0.2305)])
def test_forward_model_matches_independent_numpy(chl, acdm, spm, k):
    got = oc.forward_rrs(chl, acdm, spm, "meris", mineral_scale=k)
    want = numpy_forward(chl, acdm, spm, k)
    np.testing.assert_allclose([got[b] for b in MERIS_BANDS], want, rtol=2e-3)
    assert 665 in got and 865 not in got


def test_spm_inverts_the_forward_model_and_switches_to_red():
    chl = np.array([0.5, 1.0, 3.0, 2.0, 1.0], dtype=np.float32)
    spm = np.array([0.5, 5.0, 20.0, 100.0, 300.0], dtype=np.float32)
    rrs = oc.forward_rrs(chl, None, spm, "meris")
    got = oc.spm_gohin(rrs, "meris", chl=chl, algorithm="forward-model")
    np.testing.assert_allclose(got, spm, rtol=1e-3)
    # The calibration factor scales SPM exactly as 1/k.
    np.testing.assert_allclose(oc.spm_gohin(rrs, "meris", chl=chl, mineral_scale=0.5, algorithm="forward-model"),
                               oc.spm_gohin(rrs, "meris", chl=chl, mineral_scale=1.0, algorithm="forward-model") * 2, rtol=1e-5)
    # Very turbid: the green is saturated enough that only red carries SPM; perturbing green changes nothing.
    rrs2 = dict(rrs)
    rrs2[560] = rrs[560] * np.float32(1.02)
    moved = oc.spm_gohin(rrs2, "meris", chl=chl, algorithm="forward-model")
    assert moved[-1] == got[-1] and moved[0] != got[0]
    assert np.isnan(oc.spm_gohin({560: [np.nan], 665: [0.01]}, "meris", chl=[1.0], algorithm="forward-model")).all()
