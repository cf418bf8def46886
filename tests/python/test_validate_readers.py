"""Every reader of oceancolour.validate on its fixture: real IDL-written .sav files (from
SciPy's test data), netCDF-3 and netCDF-4 files written here through the netCDF library,
NASA's real L3m file, and flat binaries whose bytes are packed by hand with `struct`."""

import json
import struct
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("scipy")
netCDF4 = pytest.importorskip("netCDF4")
from oceancolour.validate import ValidationInputError, read_variable  # noqa: E402

IDL = Path(__file__).resolve().parents[1] / "data" / "idl"
L3M = Path(__file__).resolve().parents[2] / "validation" / "data" / "S20080012008031.L3m_MO_CHL_chlor_a_9km.nc"


def test_sav_2d_array():
    f = read_variable(IDL / "array_float32_2d.sav", "ARRAY2D")  # IDL names are case-insensitive
    assert f.values.shape == (22, 12)  # IDL fltarr(12, 22), reversed to C order
    assert f.values.dtype == np.float64 and np.all(f.values == 0)


def test_sav_structure_tag_and_compressed_file():
    f = read_variable(IDL / "struct_arrays.sav", "arrays.b")
    np.testing.assert_array_equal(f.values, [4.0, 5.0, 6.0, 7.0])
    g = read_variable(IDL / "various_compressed.sav", "arrays.a")
    np.testing.assert_array_equal(g.values, [1.0, 2.0, 3.0])
    h = read_variable(IDL / "various_compressed.sav", "array5d")
    assert h.values.shape == (4, 3, 4, 6, 5)


def test_sav_errors_name_file_and_problem(tmp_path):
    with pytest.raises(ValidationInputError, match=r"array_float32_2d.sav: no variable 'chl'.*array2d"):
        read_variable(IDL / "array_float32_2d.sav", "chl")
    with pytest.raises(ValidationInputError, match="not numeric"):
        read_variable(IDL / "struct_arrays.sav", "arrays.d")
    bad = tmp_path / "truncated.sav"
    bad.write_bytes((IDL / "array_float32_2d.sav").read_bytes()[:100])
    with pytest.raises(ValidationInputError, match="truncated.sav: unreadable IDL SAVE"):
        read_variable(bad, "array2d")


def test_real_obpg_l3m():
    f = read_variable(L3M, "chlor_a")
    assert f.values.shape == (2160, 4320) and f.lat.shape == (2160,) and f.lon.shape == (4320,)
    valid = np.argwhere(np.isfinite(f.values))
    assert len(valid) == 11  # the README of the data: 11 valid pixels, fill -32767 masked
    assert f.values[1991, 4204] == pytest.approx(1.7119132, rel=1e-6)
    assert f.time_coverage == (np.datetime64("2007-12-31T18:09:01"), np.datetime64("2008-01-01T17:49:13"))


@pytest.mark.parametrize("fmt", ["NETCDF3_CLASSIC", "NETCDF4"])
def test_netcdf_packed_with_fill_and_groups(tmp_path, fmt):
    path = tmp_path / "legacy.nc"
    raw = np.array([[100, 200, -1], [300, 400, 500]], dtype=np.int16)
    with netCDF4.Dataset(path, "w", format=fmt) as ds:
        ds.createDimension("lat", 2)
        ds.createDimension("lon", 3)
        parent = ds if fmt == "NETCDF3_CLASSIC" else ds.createGroup("geophysical_data")
        la = ds.createVariable("lat", "f4", ("lat",))
        la.units = "degrees_north"
        la[:] = [48.0, 47.0]
        lo = ds.createVariable("lon", "f4", ("lon",))
        lo.units = "degrees_east"
        lo[:] = [-5.0, -4.0, -3.0]
        v = parent.createVariable("CHL_OC5", "i2", ("lat", "lon"), fill_value=np.int16(-1))
        v.scale_factor = 0.01
        v.add_offset = 0.5
        v.set_auto_maskandscale(False)
        v[:] = raw
    f = read_variable(path, "CHL_OC5")
    np.testing.assert_allclose(f.values, [[1.5, 2.5, np.nan], [3.5, 4.5, 5.5]], rtol=1e-6)
    np.testing.assert_array_equal(f.lat, [48.0, 47.0])
    if fmt == "NETCDF4":
        assert read_variable(path, "geophysical_data/CHL_OC5").values[1, 2] == pytest.approx(5.5)
    with pytest.raises(ValidationInputError, match=r"legacy.nc: no variable 'SPM'"):
        read_variable(path, "SPM")


def test_unreadable_and_unknown_files(tmp_path):
    with pytest.raises(ValidationInputError, match="no such file"):
        read_variable(tmp_path / "absent.nc", "chl")
    corrupt = tmp_path / "corrupt.nc"
    corrupt.write_bytes(b"\x89HDF\r\n\x1a\n" + b"\0" * 64)
    with pytest.raises(ValidationInputError, match="corrupt.nc: unreadable netCDF"):
        read_variable(corrupt, "chl")
    other = tmp_path / "notes.txt"
    other.write_text("hello")
    with pytest.raises(ValidationInputError, match="notes.txt: not a netCDF or IDL SAVE file and no descriptor"):
        read_variable(other, "chl")


def _write_flat(tmp_path, desc, payload: bytes, name="chl.bin"):
    (tmp_path / name).write_bytes(payload)
    d = tmp_path / (name + ".json")
    d.write_text(json.dumps(desc))
    return d


def test_flat_big_endian_int16_scaled_log10_with_fill(tmp_path):
    # 2 lines x 3 samples, IDL INT big-endian, v = 10**(raw*0.001 - 2), fill -999, land -1.
    raw = [0, 1000, -999, 2000, -1, 3000]
    desc = {"variable": "CHL", "dtype": 2, "byte_order": "big", "shape": [2, 3], "scale_factor": 0.001,
            "add_offset": -2.0, "log10": True, "fill_values": [-999], "land_value": -1, "row_order": "north_up",
            "grid": {"lat0": 50.0, "lon0": -6.0, "dlat": 0.5, "dlon": 0.25}}
    d = _write_flat(tmp_path, desc, struct.pack(">6h", *raw))
    f = read_variable(d, "CHL")
    np.testing.assert_allclose(f.values, [[0.01, 0.1, np.nan], [1.0, np.nan, 10.0]], rtol=1e-12)
    np.testing.assert_allclose(f.lat, [50.0, 49.5])  # north-up: latitude decreases down the rows
    np.testing.assert_allclose(f.lon, [-6.0, -5.75, -5.5])
    # The binary itself, found through its sidecar descriptor.
    assert read_variable(tmp_path / "chl.bin", "chl").values[1, 2] == pytest.approx(10.0)


def test_flat_little_endian_bil_with_f77_markers(tmp_path):
    # 2 bands x 2 lines x 2 samples stored band-interleaved-by-line, float32 little-endian,
    # in one Fortran unformatted record (4-byte little-endian length before and after).
    bsq = np.arange(8, dtype=float).reshape(2, 2, 2)  # [band, line, sample]
    stored = [bsq[b, l, s] for l in range(2) for b in range(2) for s in range(2)]
    payload = struct.pack("<I", 32) + struct.pack("<8f", *stored) + struct.pack("<I", 32)
    desc = {"variable": "rrs", "dtype": "f4", "byte_order": "little", "shape": [2, 2, 2], "interleave": "bil",
            "record_markers": "f77_4byte_le"}
    f = read_variable(_write_flat(tmp_path, desc, payload, "rrs.dat"), "rrs")
    np.testing.assert_array_equal(f.values, bsq)


def test_flat_descriptor_errors(tmp_path):
    base = {"variable": "CHL", "dtype": ">f4", "byte_order": "big", "shape": [2, 3]}
    d = _write_flat(tmp_path, base, b"\0" * 20)
    with pytest.raises(ValidationInputError, match=r"chl.bin: size 20 bytes, but descriptor chl.bin.json implies 24"):
        read_variable(d, "CHL")
    d = _write_flat(tmp_path, {k: v for k, v in base.items() if k != "byte_order"}, b"\0" * 24)
    with pytest.raises(ValidationInputError, match="descriptor lacks required field 'byte_order'"):
        read_variable(d, "CHL")
    d = _write_flat(tmp_path, base, b"\0" * 24)
    with pytest.raises(ValidationInputError, match="describes variable 'CHL', not 'SPM'"):
        read_variable(d, "SPM")
    d = _write_flat(tmp_path, {**base, "record_markers": "f77_4byte_be"}, b"\0\0\0\x05" + b"\0" * 24 + b"\0\0\0\x18")
    with pytest.raises(ValidationInputError, match="record markers 5/24 do not equal the payload 24"):
        read_variable(d, "CHL")
    (tmp_path / "broken.json").write_text("{not json")
    with pytest.raises(ValidationInputError, match="broken.json: malformed descriptor"):
        read_variable(tmp_path / "broken.json", "CHL")


def test_in_memory_mapping():
    f = read_variable({"chl": np.ma.masked_less(np.array([[1.0, -1.0]]), 0), "lat": [1.0], "lon": [2.0, 3.0]}, "CHL")
    np.testing.assert_array_equal(f.values, [[1.0, np.nan]])
    assert f.lat.tolist() == [1.0]
