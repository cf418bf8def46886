"""Misaligned float32 buffers, as unpickled on dask workers (pickle protocol 5
out-of-band frames), give the same result as aligned copies, not a panic."""

import numpy as np

import oceancolour as oc


def misaligned(values):
    buf = np.zeros(values.size * 4 + 1, np.uint8)
    out = buf[1:].view(np.float32).reshape(values.shape)
    out[...] = values
    assert not out.flags.aligned and out.flags.c_contiguous
    return out


def test_misaligned_inputs_equal_aligned_ones():
    rng = np.random.default_rng(0)
    rrs = {nm: rng.uniform(0.001, 0.01, (7, 5)).astype(np.float32) for nm in (443, 490, 510, 555)}
    expected = oc.chl_ocx(rrs, "seawifs")
    got = oc.chl_ocx({nm: misaligned(v) for nm, v in rrs.items()}, "seawifs")
    np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(oc.kd490_morel(misaligned(expected)), oc.kd490_morel(expected))
