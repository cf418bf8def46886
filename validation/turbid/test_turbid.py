"""Issue 14 prototypes on the repository's CoastColour calibration half.

- The numpy Nechad 2010 per-band formula (written from Nechad et al. 2010) at 665 nm
  reproduces the library's spm_nechad (independent implementations).
- The switching SPM prototype meets the issue's SPM thresholds: log10 RMSD <= Nechad
  2010 665 in every TSM class, overall median ratio within 0.8-1.25.
- The bounded OC5 prototype (c1-2) equals the current table (c1-1) wherever R >= R*,
  so Case-1 anchoring is untouched, and its correction of OCx is never larger than c1-1's where R < R*.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]
oc = pytest.importorskip("oceancolour")

from evaluate import CLASSES, extra_bands, nechad_band, spm_switching, stats  # noqa: E402
from oc5 import ccrr_rows  # noqa: E402
from oc5_bound import R_STAR_MERIS, bounded_oc5  # noqa: E402


@pytest.fixture(scope="module")
def cc():
    d = ccrr_rows()
    d["rrs"] = {b: d[b].astype(np.float32) for b in (412, 443, 490, 510, 560, 620, 665)}
    return d


def test_numpy_nechad_matches_library(cc):
    lib = np.asarray(oc.spm_nechad(cc["rrs"], "meris"), float)
    mine = nechad_band(np.pi * cc[665], 665)
    ok = np.isfinite(lib) & np.isfinite(mine)
    assert ok.sum() > 100
    np.testing.assert_allclose(mine[ok], lib[ok], rtol=2e-3)


def test_switching_spm_meets_issue_thresholds(cc):
    tsm = cc["tsm"]
    raw = spm_switching(extra_bands())
    fit = np.isfinite(raw) & np.isfinite(tsm) & (raw > 0) & (tsm > 0)
    spm = np.median(tsm[fit] / raw[fit]) * raw
    nechad = np.asarray(oc.spm_nechad(cc["rrs"], "meris"), float)
    for name, lo, hi in CLASSES:
        m = (tsm > lo) & (tsm <= hi)
        s, n = stats(np.where(m, spm, np.nan), tsm), stats(np.where(m, nechad, np.nan), tsm)
        assert s["rmsd"] <= n["rmsd"], (name, s, n)
    assert 0.8 <= stats(spm, tsm)["med"] <= 1.25


def test_bounded_oc5_keeps_clear_water(cc):
    rrs = cc["rrs"]
    old = np.asarray(oc.chl_oc5(rrs, "meris", table=oc.Oc5Table.open_table("meris")), float)
    a = next(s for s in oc.ocx_coefficient_sets("meris") if s["default"])["a"]
    new = bounded_oc5(old, rrs, a)
    r = np.max([rrs[b] for b in (443, 490, 510)], axis=0) / rrs[560]
    clear = np.isfinite(old) & (r >= R_STAR_MERIS) & (old < 1000)
    assert clear.sum() > 15
    np.testing.assert_allclose(new[clear], old[clear], rtol=1e-3)
    ocx = np.asarray(oc.chl_ocx({b: rrs[b] for b in (443, 490, 510, 560)}, "meris"), float)
    turbid = np.isfinite(old) & np.isfinite(new) & np.isfinite(ocx) & (r < R_STAR_MERIS) & (old < 1000)
    assert turbid.sum() > 20
    # the bounded correction is never larger (in log chl) than the c1-1 correction
    assert np.all(np.abs(np.log10(new / ocx))[turbid] <= np.abs(np.log10(old / ocx))[turbid] + 1e-3)
