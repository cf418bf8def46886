"""Type stubs for the compiled core (src/python)."""

import os
from typing import Any, Mapping, Sequence, TypedDict

import numpy as np
import numpy.typing as npt

__version__: str

class OceanColourError(ValueError): ...

RrsMapping = Mapping[int | str, npt.ArrayLike]
F32Array = npt.NDArray[np.float32]

class BandInfo(TypedDict):
    nominal: int
    centre_nm: float
    f0: float | None

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

class OcxSetInfo(TypedDict):
    name: str
    blue_bands: list[int]
    green_band: int
    a: list[float]
    source: str
    default: bool

class CiSetInfo(TypedDict):
    name: str
    a: list[float]
    thresholds: list[float]
    source: str

def sensors() -> list[str]: ...
def sensor_info(sensor: str) -> SensorInfo: ...
def ocx_coefficient_sets(sensor: str) -> list[OcxSetInfo]: ...
def ci_coefficient_sets() -> list[CiSetInfo]: ...
def chl_ocx(rrs: RrsMapping, sensor: str, coefficients: str = "default") -> F32Array: ...
def chl_ci(rrs: RrsMapping, sensor: str, coefficients: str = "hu2019") -> F32Array: ...
def chl_oci(
    rrs: RrsMapping,
    sensor: str,
    ocx: str = "default",
    ci: str = "hu2019",
    thresholds: tuple[float, float] | None = None,
) -> F32Array: ...
def kd490(rrs: RrsMapping, sensor: str, coefficients: str = "default") -> F32Array: ...
def kd490_morel(chl: npt.ArrayLike, coefficients: str = "morel2007") -> F32Array: ...
def kdpar_morel(kd490: npt.ArrayLike, depth: str = "first") -> F32Array: ...
def spm_nechad(rrs: RrsMapping, sensor: str, wavelength: int | None = None) -> F32Array: ...
def turbidity_nechad(rrs: RrsMapping, sensor: str, wavelength: int | None = None) -> F32Array: ...
def turbidity_dogliotti(rrs: RrsMapping, sensor: str) -> F32Array: ...
def set_num_threads(n: int) -> None: ...
def get_num_threads() -> int: ...
def _forget_pool_after_fork() -> None: ...

class ProcessReport(TypedDict):
    written: list[str]
    skipped: list[str]
    failed: list[tuple[str, str]]

def process(
    inputs: Sequence[str | os.PathLike[str]],
    outdir: str | os.PathLike[str],
    products: Sequence[str] | None = None,
    config: str | os.PathLike[str] | None = None,
    sensor: str | None = None,
    overwrite: bool = False,
    quicklook: bool | None = None,
) -> ProcessReport: ...
def cli_main(argv: list[str]) -> int: ...
