"""oceancolour: ocean-colour processing (chlorophyll-a, SPM, turbidity, light
attenuation) with a Rust core.

Every algorithm takes ``rrs``, a mapping from a sensor's nominal band
wavelength in nm (``443`` or ``"Rrs_443"``) to array-likes of remote-sensing
reflectance Rrs in sr-1, plus the sensor name (see :func:`sensors`). Arrays
of any shape broadcast together; results are float32 numpy arrays of the
broadcast shape, NaN where the input is invalid. Invalid arguments raise
:class:`OceanColourError`, a :class:`ValueError`.

>>> import oceancolour as oc
>>> oc.chl_ocx({443: 0.008, 490: 0.006, 510: 0.0035, 555: 0.0018}, sensor="seawifs")
"""

import importlib.abc as _importlib_abc
import importlib.util as _importlib_util
import os as _os
import sys as _sys

from oceancolour._core import (
    Oc5Table,
    OceanColourError,
    OceanColourFileError,
    __version__,
    chl_ci,
    chl_eunosat,
    chl_oc5,
    chl_oc5ci,
    chl_oci,
    chl_ocx,
    ci_coefficient_sets,
    convolve_bands,
    defaults,
    forward_rrs,
    get_num_threads,
    kd490,
    kd490_morel,
    kdpar_morel,
    oc5_class,
    ocx_coefficient_sets,
    owt_dominant,
    process,
    product_info,
    products,
    sensor_info,
    sensors,
    set_num_threads,
    spm_gohin,
    spm_nechad,
    turbidity_dogliotti,
    turbidity_nechad,
)
from oceancolour import _core
from oceancolour import _errors
from oceancolour import fusion

# A forked child has none of the parent's worker threads: let it build its own pool.
if hasattr(_os, "register_at_fork"):
    _os.register_at_fork(after_in_child=_core._forget_pool_after_fork)



class _RegisterAccessorAfterXarray(_importlib_abc.MetaPathFinder):
    """Registers ds.oc right after xarray is first imported, so that
    ``import oceancolour`` does not pay xarray's import time (a second or more)
    in programs that never use it, such as the CLI."""

    def find_spec(self, name, path=None, target=None):  # type: ignore[no-untyped-def]
        if name != "xarray":
            return None
        _sys.meta_path.remove(self)
        spec = _importlib_util.find_spec("xarray")
        if spec is None or spec.loader is None:
            return spec
        exec_xarray = spec.loader.exec_module

        def exec_and_register(module):  # type: ignore[no-untyped-def]
            exec_xarray(module)
            from oceancolour import xarray  # noqa: F401  (registers ds.oc)

        spec.loader.exec_module = exec_and_register  # type: ignore[method-assign]
        return spec


# numpy is the only hard dependency: the ds.oc accessor exists when xarray is
# installed (pip install "oceancolour[xarray]"), from xarray's first import.
if "xarray" in _sys.modules:
    from oceancolour import xarray as _xarray  # noqa: F401  (registers ds.oc)
elif _importlib_util.find_spec("xarray") is not None:
    _sys.meta_path.insert(0, _RegisterAccessorAfterXarray())

__all__ = [
    "Oc5Table",
    "OceanColourError",
    "OceanColourFileError",
    "__version__",
    "chl_ci",
    "chl_eunosat",
    "chl_oc5",
    "chl_oc5ci",
    "chl_oci",
    "chl_ocx",
    "ci_coefficient_sets",
    "convolve_bands",
    "defaults",
    "forward_rrs",
    "fusion",
    "get_num_threads",
    "kd490",
    "kd490_morel",
    "kdpar_morel",
    "oc5_class",
    "ocx_coefficient_sets",
    "owt_dominant",
    "process",
    "product_info",
    "products",
    "sensor_info",
    "sensors",
    "set_num_threads",
    "spm_gohin",
    "spm_nechad",
    "turbidity_dogliotti",
    "turbidity_nechad",
]


# pyo3's TypeError/OverflowError for an argument it cannot convert -> OceanColourError naming it.
_errors.wrap_module_functions(globals(), __all__)
_errors.wrap_class_methods(Oc5Table, ["build", "open_table", "load", "save", "import_raw", "interpolate"])


def __getattr__(name: str):
    # oceancolour.validate needs the optional `validate` extra: import it on first use only.
    if name == "validate":
        import importlib

        return importlib.import_module("oceancolour.validate")
    raise AttributeError(f"module 'oceancolour' has no attribute {name!r}")
