"""The regression suite: every case of validation/cases.py against its checked-in
reference output, plus the checks against external truth that make the references
trustworthy (NASA's own chlor_a values, NASA's own BinIndex)."""

import numpy as np
import pytest

pytest.importorskip("pandas")
netCDF4 = pytest.importorskip("netCDF4")

import cases  # noqa: E402


@pytest.mark.parametrize("case", sorted(cases.CASES))
def test_case_matches_reference(case):
    fn, rtol = cases.CASES[case]
    try:
        out = fn()
    except cases.Unavailable as e:
        pytest.skip(str(e))
    ref = cases.load_reference(case)
    assert ref is not None, f"no reference for {case}: run python validation/regenerate.py {case}"
    diff = cases.differences(out, ref, rtol)
    assert not diff, f"{case} differs from validation/references/{case}.json:\n" + "\n".join(diff)


def test_seawifs_oc4v6_reproduces_nasa_r2018():
    out = cases.seawifs_r2018_oc4v6()
    assert out["gate"]["status"] == "PASS", out["gate"]["reason"]
    # NASA's values, read independently of oceancolour.validate (README of the data).
    np.testing.assert_allclose(out["nasa_r2018_chlor_a"], [0.75878936, 1.7119132], rtol=1e-7)
    np.testing.assert_allclose(out["bin_centres"], [[-77.375, 165.3178], [-75.958333, 170.55344]], atol=1e-4)


def test_isin_rows_match_the_files_bin_index():
    with netCDF4.Dataset(cases.DATA / "S2008001.L3b_DAY_RRS.nc") as ds:
        index = ds["level-3_binned_data"]["BinIndex"][:]
    _, numbin, basebin = cases.isin_rows(len(index))
    np.testing.assert_array_equal(numbin, index["max"])
    # This real file leaves start_num = 0 in its 270 northernmost rows (beyond 67.5 N, no
    # data in the January polar night); every row it does fill matches the formula.
    filled = index["start_num"] > 0
    assert filled.sum() == 1890
    np.testing.assert_array_equal(basebin[filled], index["start_num"][filled])


def test_differences_reports_changes():
    old = {"a": 1.0, "b": [1, 2], "c": "x"}
    assert cases.differences({"a": 1.0 + 1e-9, "b": [1, 2], "c": "x"}, old, 1e-6) == []
    diff = cases.differences({"a": 1.1, "b": [1, 3], "d": 0}, old, 1e-6)
    assert diff == ["a: 1.0 -> 1.1 (+0.1 relative)", "b[1]: 2 -> 3", "c: removed (was 'x')", "d: new 0"]
