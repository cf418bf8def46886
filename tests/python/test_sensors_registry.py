"""The sensor registry as data (issue 12): the built-in rows, user files named
in OCEANCOLOUR_SENSORS (added sensors run end to end through the array API and
`oceancolour process`; bad files give named errors naming the file), detection
of the new sensors (VIIRS NOAA-21, MODIS-Terra, OLCI-C) from file metadata, and
the `oceancolour sensors` listing. The registry loads once per process, so
every user-file case runs in a subprocess."""

import json
import os
import shutil
import subprocess
import sys
import textwrap

import netCDF4
import numpy as np
import pytest

import oceancolour as oc

NEW = ["viirs-noaa21", "modis-terra", "olci-c"]

USER = textwrap.dedent(
    """
    [[sensor]]
    name = "test-radiometer"
    instrument = "TESTRAD"
    platform = "Testsat-1"
    platform_aliases = ["Testsat-1", "TS1"]
    coefficients_as = "seawifs"
    default_ocx = "oc4"
    kd2 = "kd2s"
    source = "a test sensor with SeaWiFS's visible bands"
    bands = [
        { nominal = 412, centre = 412.0 },
        { nominal = 443, centre = 443.0 },
        { nominal = 490, centre = 490.0 },
        { nominal = 510, centre = 510.0 },
        { nominal = 555, centre = 555.0, f0 = 183.5 },
        { nominal = 670, centre = 670.0 },
        { nominal = 865, centre = 865.0 },
    ]
    roles = { violet = 412, green = 555, ratio_blues = [443, 490, 510], red = 670, red_dogliotti = 670, nir = 865 }
    """
)

RRS = {412: [0.009, 0.004], 443: [0.008, 0.0045], 490: [0.006, 0.005], 510: [0.003, 0.004], 555: [0.0018, 0.003],
       670: [0.00015, 0.0004], 865: [0.00001, 0.00002]}


def env_with(*files, cache=None):
    env = dict(os.environ)
    env["OCEANCOLOUR_SENSORS"] = os.pathsep.join(map(str, files))
    if cache is not None:
        env["OCEANCOLOUR_CACHE_DIR"] = str(cache)
    return env


def cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "oceancolour", *map(str, args)], capture_output=True, text=True,
                          env=env, timeout=600)


def python(code, env):
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, env=env,
                          timeout=600)


def test_built_in_registry_has_the_new_sensors_with_their_sources():
    names = oc.sensors()
    for n in NEW:
        assert n in names
    n21 = oc.sensor_info("viirs-noaa21")
    assert [b["nominal"] for b in n21["bands"]] == [414, 445, 487, 554, 671, 747, 868]
    assert "PROVISIONAL" in n21["source"] and "NOAA-21" in n21["platform_aliases"]
    assert n21["registry_file"] == "built-in"
    # NASA l2gen Fonom (Thuillier 2003 mean over nominal +-5 nm; validation/fonom.py).
    assert [b["f0"] for b in n21["bands"]][:5] == [172.02473, 195.13009, 195.34591, 184.81918, 150.77073]
    oc3 = next(s for s in oc.ocx_coefficient_sets("viirs-noaa21") if s["default"])
    assert (oc3["blue_bands"], oc3["green_band"]) == ([445, 487], 554) and "NOT a NOAA-21 set" in oc3["source"]
    terra, aqua = oc.sensor_info("modis-terra"), oc.sensor_info("modis-aqua")
    key = [(b["nominal"], b["centre_nm"], b["f0"]) for b in terra["bands"]]
    assert key == [(b["nominal"], b["centre_nm"], b["f0"]) for b in aqua["bands"]] and terra["coefficients_as"] == "modis-aqua"
    # The RSR-weighted OBPG 2009 F0 is Aqua's own: not carried over to Terra.
    assert all(b["f0_sets"]["obpg-rsr2009"] is None for b in terra["bands"])
    assert oc.ocx_coefficient_sets("modis-terra") == oc.ocx_coefficient_sets("modis-aqua")
    c = oc.sensor_info("olci-c")
    assert [b["id"] for b in c["bands"]] == [b["id"] for b in oc.sensor_info("olci-a")["bands"]]
    assert c["product_name_prefixes"] == ["S3C_OL_"]


@pytest.mark.parametrize("sensor", NEW)
def test_new_sensors_run_the_array_api(sensor):
    info = oc.sensor_info(sensor)
    rng = np.random.default_rng(1)
    rrs = {b["nominal"]: rng.uniform(0.001, 0.01, 50) for b in info["bands"]}
    rrs[info["band_roles"]["green"]] = rng.uniform(0.001, 0.004, 50)
    for f in (oc.chl_ocx, oc.chl_oci, oc.kd490, oc.spm_nechad, oc.chl_oc5):
        out = f(rrs, sensor=sensor)
        assert out.shape == (50,) and np.isfinite(out).mean() > 0.5, f.__name__


BAD = {
    "role": (USER.replace("red = 670", "red = 999"), "band role names a missing band: sensor test-radiometer: roles.red names band 999 nm"),
    "duplicate-sensor": (USER + USER, 'duplicate sensor: sensor "test-radiometer" is defined twice'),
    "duplicate-band": (USER.replace("{ nominal = 865, centre = 865.0 }", "{ nominal = 443, centre = 443.0 }, { nominal = 865, centre = 865.0 }"),
                       "duplicate band: sensor test-radiometer: band 443 nm is listed twice"),
    "ocx": (USER.replace('default_ocx = "oc4"', 'default_ocx = "oc9"'), "unknown coefficient set: sensor test-radiometer: default_ocx"),
    "kd2": (USER.replace('kd2 = "kd2s"', 'kd2 = "kd2x"'), "unknown coefficient set: sensor test-radiometer: kd2"),
    "ocx-bands": (USER.replace('coefficients_as = "seawifs"', 'coefficients_as = "modis-aqua"'),
                  "unknown coefficient set: sensor test-radiometer: default_ocx"),
    "f0": (USER.replace("412, centre = 412.0", "401, centre = 401.0").replace("violet = 412", "violet = 401"),
           "missing F0: sensor test-radiometer: band 401 nm (roles.violet"),
    "syntax": (USER.replace("source =", "sauce ="), "invalid registry syntax"),
    "centre": (USER.replace("centre = 490.0", "centre = 495.0"), "invalid sensor: sensor test-radiometer: band 490 nm: centre 495"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_registry_files_give_named_errors(case, tmp_path):
    text, expected = BAD[case]
    bad = tmp_path / f"{case}.toml"
    bad.write_text(text)
    good = tmp_path / "good.toml"
    good.write_text(USER.replace("test-radiometer", "other"))
    env = env_with(good, bad)
    r = cli("sensors", env=env)
    assert r.returncode == 2, r.stdout + r.stderr
    assert f"sensor registry {bad}: {expected}" in r.stderr, r.stderr
    r = python("import oceancolour as oc\ntry:\n    oc.sensors()\nexcept oc.OceanColourError as e:\n    print(e)", env)
    assert f"sensor registry {bad}: {expected}" in r.stdout, r.stdout + r.stderr


def test_unreadable_registry_file_is_named(tmp_path):
    r = cli("sensors", env=env_with(tmp_path / "nope.toml"))
    assert r.returncode == 2 and f"{tmp_path / 'nope.toml'}: unreadable file" in r.stderr, r.stderr


def test_user_sensor_runs_end_to_end(tmp_path):
    user = tmp_path / "mine.toml"
    user.write_text(USER)
    env = env_with(user, cache=tmp_path / "cache")
    # Array API: the user sensor has SeaWiFS's bands and coefficient sets, so OCx and KD2 are SeaWiFS's.
    r = python(
        f"""
        import json, numpy as np, oceancolour as oc
        rrs = {{k: np.array(v) for k, v in {RRS!r}.items()}}
        info = oc.sensor_info("test-radiometer")
        out = {{
            "sensors": oc.sensors(),
            "file": info["registry_file"],
            "f0_555": [b["f0"] for b in info["bands"] if b["nominal"] == 555][0],
            "f0_given": [b["nominal"] for b in info["bands"] if b["f0_from_registry"]],
            "ocx": oc.chl_ocx(rrs, sensor="test-radiometer").tolist(),
            "ocx_seawifs": oc.chl_ocx(rrs, sensor="seawifs").tolist(),
            "kd": oc.kd490(rrs, sensor="test-radiometer").tolist(),
            "kd_seawifs": oc.kd490(rrs, sensor="seawifs").tolist(),
            "oc5": oc.chl_oc5(rrs, sensor="test-radiometer").tolist(),
            "detected": oc._core._sensor_from_metadata("TESTRAD", "TS1"),
        }}
        print(json.dumps(out))
        """,
        env,
    )
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["sensors"][-1] == "test-radiometer" and "viirs-noaa21" in out["sensors"]
    assert out["file"] == str(user) and out["f0_555"] == 183.5 and out["f0_given"] == [555]
    assert out["ocx"] == out["ocx_seawifs"] and out["kd"] == out["kd_seawifs"]
    assert all(np.isfinite(out["oc5"])) and out["detected"] == "test-radiometer"

    # The chain: a simulated OBPG L2 granule carrying the user sensor's metadata, detected and processed.
    l2 = tmp_path / "TS1.L2.nc"
    r = cli("simulate", "obpg-l2", "--sensor", "test-radiometer", "--size", "40x50", "-o", l2, env=env)
    assert r.returncode == 0, r.stderr
    r = cli("process", l2, "-o", tmp_path / "out", "--products", "chl_ocx,chl_oc5,kd490", "--no-quicklook", env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    with netCDF4.Dataset(l2) as d:
        assert (d.instrument, d.platform) == ("TESTRAD", "Testsat-1")
        g = d["geophysical_data"]
        rrs = {w: np.ma.filled(g[f"Rrs_{w}"][:].astype(np.float32), np.nan) for w in (412, 443, 490, 510, 555, 670)}
    with netCDF4.Dataset(tmp_path / "out" / "TS1.L2.chl_ocx.nc") as d:
        got = np.ma.filled(d["chl_ocx"][:].astype(np.float64), np.nan)
        assert "test-radiometer" in d.sensor
    want = oc.chl_ocx(rrs, sensor="seawifs")  # same bands and OC4 set; this process has no user registry
    ok = np.isfinite(got)
    assert ok.mean() > 0.5
    np.testing.assert_allclose(got[ok], want[ok], rtol=2e-5)  # unpacking precision, as test_chain.py
    with netCDF4.Dataset(tmp_path / "out" / "TS1.L2.chl_oc5.nc") as d:
        assert np.isfinite(np.ma.filled(d["chl_oc5"][:].astype(np.float64), np.nan)).mean() > 0.5
    # The user file also overrides: `sensors` lists where each row is from.
    r = cli("sensors", env=env)
    assert r.returncode == 0 and "test-radiometer" in r.stdout and str(user) in r.stdout


@pytest.mark.parametrize("sensor, platform", [("viirs-noaa21", "NOAA-21"), ("modis-terra", "Terra")])
def test_obpg_l2_metadata_detects_the_new_sensors(sensor, platform, tmp_path):
    l2 = tmp_path / "granule.nc"
    r = cli("simulate", "obpg-l2", "--sensor", sensor, "--size", "30x40", "-o", l2)
    assert r.returncode == 0, r.stderr
    with netCDF4.Dataset(l2, "a") as d:
        assert d.platform == platform
        if sensor == "viirs-noaa21":
            d.platform = "JPSS-2"  # the other spelling OBPG uses for the platform
    r = cli("info", l2)
    assert r.returncode == 0 and f"sensor:        {sensor} " in r.stdout, r.stdout + r.stderr
    # Products equal the array API on the file's Rrs.
    r = cli("process", l2, "-o", tmp_path / "out", "--products", "chl_ocx,kd490", "--no-quicklook")
    assert r.returncode == 0, r.stdout + r.stderr
    info = oc.sensor_info(sensor)
    with netCDF4.Dataset(l2) as d:
        g = d["geophysical_data"]
        rrs = {b["nominal"]: np.ma.filled(g[f"Rrs_{b['nominal']}"][:].astype(np.float32), np.nan)
               for b in info["bands"] if f"Rrs_{b['nominal']}" in g.variables}
    for product, f in (("chl_ocx", oc.chl_ocx), ("kd490", oc.kd490)):
        with netCDF4.Dataset(tmp_path / "out" / f"granule.{product}.nc") as d:
            got = np.ma.filled(d[product][:].astype(np.float64), np.nan)
        want = f(rrs, sensor=sensor)
        ok = np.isfinite(got)
        assert ok.mean() > 0.5
        np.testing.assert_allclose(got[ok], want[ok], rtol=2e-5)  # unpacking precision, as test_chain.py


def test_sen3_manifest_with_platform_number_c_is_olci_c(tmp_path):
    sen3 = tmp_path / "S3C_OL_2_WFR____20260601T103000.SEN3"
    r = cli("simulate", "olci-wfr", "--sensor", "olci-c", "--size", "30x40", "-o", sen3)
    assert r.returncode == 0, r.stderr
    manifest = (sen3 / "xfdumanifest.xml").read_text()
    assert "<sentinel-safe:number>C</sentinel-safe:number>" in manifest
    # The folder name says nothing: the manifest does.
    anon = tmp_path / "granule.SEN3"
    shutil.move(sen3, anon)
    r = cli("info", anon)
    assert r.returncode == 0 and "sensor:        olci-c (OLCI Sentinel-3C)" in r.stdout, r.stdout + r.stderr
    out = oc.process([anon], tmp_path / "out", products=["chl_ocx"])
    assert not out["failed"] and str(tmp_path / "out" / "granule.chl_ocx.nc") in out["written"]
    with netCDF4.Dataset(tmp_path / "out" / "granule.chl_ocx.nc") as d:
        assert "olci-c" in d.sensor and "oc4" in d.algorithm_reference
    # An OBPG-style netCDF with OLCI / Sentinel-3C attributes.
    assert oc._core._sensor_from_metadata("OLCI", "Sentinel-3C") == "olci-c"
    assert oc._core._sensor_from_metadata("OLCI", "S3C") == "olci-c"
    assert oc._core._sensor_from_metadata(None, None, "S3C_OL_2_WFR____2026") == "olci-c"


def test_sensors_cli_lists_and_shows():
    r = cli("sensors")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].split()[:4] == ["name", "instrument", "platform", "bands"]
    for name in oc.sensors():
        row = next(line for line in lines if line.startswith(name + " "))
        info = oc.sensor_info(name)
        assert ",".join(str(b["nominal"]) for b in info["bands"]) in row
        assert "fonom-thuillier2003" in row and f"OCx {info['default_ocx']}" in row and f"KD2 {info['kd2']}" in row
    r = cli("sensors", "show", "olci-c")
    assert r.returncode == 0, r.stderr
    assert "Sentinel-3C" in r.stdout and "S3C_OL_" in r.stdout
    assert "Oa17" in r.stdout and "173.75" not in r.stdout and "673.75" in r.stdout
    assert "coefficient sets as: olci-a" in r.stdout and "chl_oc5" in r.stdout
    r = cli("sensors", "show", "viirs-noaa21")
    assert "PROVISIONAL" in r.stdout and "195.13009 (fonom-thuillier2003)" in r.stdout
    r = cli("sensors", "show", "czcs")
    assert r.returncode == 2 and "unknown sensor" in r.stderr


def test_registry_file_named_in_the_configuration(tmp_path):
    """`sensor_registry = [...]` in `process`'s and the fusion commands'
    configuration adds user rows as OCEANCOLOUR_SENSORS does (relative paths
    from the configuration's folder); a bad file is a usage error naming it."""
    (tmp_path / "cfg").mkdir()
    (tmp_path / "cfg" / "mine.toml").write_text(USER)
    l2 = tmp_path / "TS1.L2.nc"
    r = cli("simulate", "obpg-l2", "--sensor", "test-radiometer", "--size", "30x20", "-o", l2,
            env=env_with(tmp_path / "cfg" / "mine.toml"))
    assert r.returncode == 0, r.stderr
    plain = {k: v for k, v in os.environ.items() if k != "OCEANCOLOUR_SENSORS"}
    # Without the registry the granule's TESTRAD/Testsat-1 is no known sensor.
    r = cli("process", l2, "-o", tmp_path / "none", "--products", "chl_ocx", "--no-quicklook", env=plain)
    assert r.returncode != 0 and "TESTRAD" in r.stderr, r.stderr
    chain = tmp_path / "cfg" / "chain.toml"
    chain.write_text('sensor_registry = ["mine.toml"]\nproducts = ["chl_ocx"]\n[output]\nquicklook = false\n')
    r = cli("process", l2, "-o", tmp_path / "out", "--config", chain, env=plain)
    assert r.returncode == 0, r.stdout + r.stderr
    product = tmp_path / "out" / "TS1.L2.chl_ocx.nc"
    with netCDF4.Dataset(product) as d:
        assert "test-radiometer" in d.sensor
        assert str(tmp_path / "cfg" / "mine.toml") in d.oceancolour_configuration  # provenance: the file used
    fusion = tmp_path / "cfg" / "fusion.toml"
    fusion.write_text('sensor_registry = ["mine.toml"]\n[bin]\ngrid = "isin:2160"\n')
    r = cli("bin", product, "-o", tmp_path / "day.nc", "--config", fusion, env=plain)
    assert r.returncode == 0, r.stdout + r.stderr
    with netCDF4.Dataset(tmp_path / "day.nc") as d:
        assert d.sensor == "test-radiometer"
    # A bad file named by the configuration: exit 2, naming the file and what named it; nothing written.
    (tmp_path / "cfg" / "bad.toml").write_text("[[sensor]]\nname = 3\n")
    chain.write_text('sensor_registry = ["bad.toml"]\nproducts = ["chl_ocx"]\n')
    r = cli("process", l2, "-o", tmp_path / "bad", "--config", chain, env=plain)
    assert r.returncode == 2 and "bad.toml" in r.stderr, r.stderr
    assert not (tmp_path / "bad").exists()
    chain.write_text('sensor_registry = ["missing.toml"]\nproducts = ["chl_ocx"]\n')
    r = cli("process", l2, "-o", tmp_path / "bad", "--config", chain, env=plain)
    assert r.returncode == 2 and "missing.toml" in r.stderr and "sensor_registry of" in r.stderr, r.stderr


def test_equator_crossing_hour_is_a_registry_key(tmp_path):
    """l2bin's data day reads the platform's equator crossing from the
    registry row: a user sensor without one cannot use --data-day; with one it can."""
    assert oc.sensor_info("modis-aqua")["equator_crossing_hour"] == 13.5
    assert oc.sensor_info("olci-c")["equator_crossing_hour"] == 10.0
    user = tmp_path / "mine.toml"
    user.write_text(USER)
    l2 = tmp_path / "TS1.L2.nc"
    env = env_with(user)
    assert cli("simulate", "obpg-l2", "--sensor", "test-radiometer", "--size", "30x20", "-o", l2, env=env).returncode == 0
    assert cli("process", l2, "-o", tmp_path / "out", "--products", "chl_ocx", "--no-quicklook", env=env).returncode == 0
    product = tmp_path / "out" / "TS1.L2.chl_ocx.nc"
    with netCDF4.Dataset(product) as d:
        day = d.time_coverage_start[:10]
    r = cli("bin", product, "-o", tmp_path / "day.nc", "--grid", "isin:2160", "--data-day", day, env=env)
    assert r.returncode == 1 and "equator_crossing_hour" in r.stderr and "test-radiometer" in r.stderr, r.stderr
    user.write_text(USER.replace('source = "a test', 'equator_crossing_hour = 12.0\nsource = "a test'))
    r = cli("bin", product, "-o", tmp_path / "day.nc", "--grid", "isin:2160", "--data-day", day, env=env)
    assert r.returncode == 0, r.stderr
    user.write_text(USER.replace('source = "a test', 'equator_crossing_hour = 25.0\nsource = "a test'))
    r = cli("sensors", env=env)
    assert r.returncode == 2 and "equator_crossing_hour = 25" in r.stderr, r.stderr
