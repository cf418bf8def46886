"""Type stubs for the compiled core (src/python)."""

from typing import Any, Mapping, TypedDict, type_check_only

import numpy as np
import numpy.typing as npt

__version__: str

class OceanColourError(ValueError): ...

_RrsMapping = Mapping[int | str, npt.ArrayLike]
_F32Array = npt.NDArray[np.float32]

@type_check_only
class BandInfo(TypedDict):
    nominal: int
    centre_nm: float
    f0: float | None
    id: str | None

@type_check_only
class SensorInfo(TypedDict):
    name: str
    instrument: str
    platform: str
    bands: list[BandInfo]
    band_roles: dict[str, Any]
    default_ocx: str
    kd2: str
    f0_unit: str
    f0_source: str

@type_check_only
class OcxSetInfo(TypedDict):
    name: str
    blue_bands: list[int]
    green_band: int
    a: list[float]
    source: str
    default: bool

@type_check_only
class CiSetInfo(TypedDict):
    name: str
    a: list[float]
    thresholds: list[float]
    source: str

def sensors() -> list[str]: ...
def sensor_info(sensor: str) -> SensorInfo: ...
def ocx_coefficient_sets(sensor: str) -> list[OcxSetInfo]: ...
def ci_coefficient_sets() -> list[CiSetInfo]: ...
def chl_ocx(rrs: _RrsMapping, sensor: str, coefficients: str = "default") -> _F32Array: ...
def chl_ci(rrs: _RrsMapping, sensor: str, coefficients: str = "hu2019") -> _F32Array: ...
def chl_oci(
    rrs: _RrsMapping,
    sensor: str,
    ocx: str = "default",
    ci: str = "hu2019",
    thresholds: tuple[float, float] | None = None,
) -> _F32Array: ...
def kd490(rrs: _RrsMapping, sensor: str, coefficients: str = "default") -> _F32Array: ...
def kd490_morel(chl: npt.ArrayLike, coefficients: str = "morel2007") -> _F32Array: ...
def kdpar_morel(kd490: npt.ArrayLike, depth: str = "first") -> _F32Array: ...
def spm_nechad(rrs: _RrsMapping, sensor: str, wavelength: int | None = None) -> _F32Array: ...
def turbidity_nechad(rrs: _RrsMapping, sensor: str, wavelength: int | None = None) -> _F32Array: ...
def turbidity_dogliotti(rrs: _RrsMapping, sensor: str) -> _F32Array: ...
def set_num_threads(n: int) -> None: ...
def get_num_threads() -> int: ...
def _forget_pool_after_fork() -> None: ...
