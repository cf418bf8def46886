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

import os as _os

from oceancolour._core import (
    Oc5Table,
    OceanColourError,
    __version__,
    chl_ci,
    chl_oc5,
    chl_oc5ci,
    chl_oci,
    chl_ocx,
    ci_coefficient_sets,
    forward_rrs,
    get_num_threads,
    kd490,
    kd490_morel,
    kdpar_morel,
    ocx_coefficient_sets,
    sensor_info,
    sensors,
    set_num_threads,
    spm_gohin,
    spm_nechad,
    turbidity_dogliotti,
    turbidity_nechad,
)
from oceancolour import _core
from oceancolour import fusion

# A forked child has none of the parent's worker threads: let it build its own pool.
if hasattr(_os, "register_at_fork"):
    _os.register_at_fork(after_in_child=_core._forget_pool_after_fork)

__all__ = [
    "Oc5Table",
    "OceanColourError",
    "__version__",
    "chl_ci",
    "chl_oc5",
    "chl_oc5ci",
    "chl_oci",
    "chl_ocx",
    "ci_coefficient_sets",
    "forward_rrs",
    "fusion",
    "get_num_threads",
    "kd490",
    "kd490_morel",
    "kdpar_morel",
    "ocx_coefficient_sets",
    "sensor_info",
    "sensors",
    "set_num_threads",
    "spm_gohin",
    "spm_nechad",
    "turbidity_dogliotti",
    "turbidity_nechad",
]


def __getattr__(name: str):
    # oceancolour.validate needs the optional `validate` extra: import it on first use only.
    if name == "validate":
        import importlib

        return importlib.import_module("oceancolour.validate")
    raise AttributeError(f"module 'oceancolour' has no attribute {name!r}")
