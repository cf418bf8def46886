"""Python exceptions that fit: a file problem is an OSError (and still an
OceanColourError), a bad argument a ValueError."""

import pytest

import oceancolour as oc


def test_a_missing_file_raises_an_oserror_that_is_an_oceancolour_error(tmp_path):
    missing = tmp_path / "no_table.nc"
    with pytest.raises(OSError, match="no_table.nc") as e:
        oc.Oc5Table.load(missing)
    assert isinstance(e.value, oc.OceanColourFileError) and isinstance(e.value, oc.OceanColourError)


def test_a_bad_argument_raises_a_valueerror_not_an_oserror():
    with pytest.raises(ValueError, match="chl_oc9") as e:
        oc.product_info("chl_oc9")
    assert isinstance(e.value, oc.OceanColourError) and not isinstance(e.value, OSError)
