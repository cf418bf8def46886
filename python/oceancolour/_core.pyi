"""Type stubs for the compiled core (src/python)."""

import os
from typing import Any, Literal, Mapping, Sequence, TypedDict, final, overload, type_check_only

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

@type_check_only
class Oc5Axis(TypedDict):
    variable: str
    unit: str
    min: float
    step: float
    n: int
    order: int
    description: str

@final
class Oc5Table:
    @staticmethod
    def build(
        sensor: str,
        shape: tuple[int, int, int] = ...,
        f0: Mapping[int, float] | None = None,
        ocx: str = "default",
        tau: float = 0.5,
        chl_cap: float = 5.0,
    ) -> Oc5Table: ...
    @staticmethod
    def open_table(sensor: str) -> Oc5Table: ...
    @staticmethod
    def load(path: str | os.PathLike[str]) -> Oc5Table: ...
    def save(self, path: str | os.PathLike[str]) -> None: ...
    @staticmethod
    def import_raw(
        path_or_array: str | os.PathLike[str] | npt.ArrayLike,
        sensor: str,
        f0: Mapping[int, float] | None = None,
        axes: Sequence[tuple[float, float]] | None = None,
    ) -> Oc5Table: ...
    @property
    def values(self) -> _F32Array: ...
    @property
    def node_flags(self) -> npt.NDArray[np.uint8] | None: ...
    @property
    def axes(self) -> list[Oc5Axis]: ...
    @property
    def shape(self) -> tuple[int, int, int]: ...
    @property
    def sensor(self) -> str: ...
    @property
    def version(self) -> str: ...
    @property
    def bands(self) -> dict[str, Any]: ...
    @property
    def f0(self) -> dict[int, float]: ...
    @property
    def metadata(self) -> dict[str, str]: ...
    def interpolate(self, nlw_green: npt.ArrayLike, nlw_412: npt.ArrayLike, ratio: npt.ArrayLike) -> _F32Array: ...

_Oc5TableArg = Oc5Table | Literal["per-pixel"] | None

@overload
def chl_oc5(rrs: _RrsMapping, sensor: str, table: _Oc5TableArg = None, return_status: Literal[False] = False) -> _F32Array: ...
@overload
def chl_oc5(
    rrs: _RrsMapping, sensor: str, table: _Oc5TableArg = None, *, return_status: Literal[True]
) -> tuple[_F32Array, npt.NDArray[np.uint8]]: ...
def chl_oc5ci(
    rrs: _RrsMapping,
    sensor: str,
    table: Oc5Table | None = None,
    ci: str = ...,
    thresholds: tuple[float, float] | None = None,
) -> _F32Array: ...
def spm_gohin(
    rrs: _RrsMapping,
    sensor: str,
    chl: npt.ArrayLike | None = None,
    table: _Oc5TableArg = None,
    mineral_scale: float | None = None,
) -> _F32Array: ...
def forward_rrs(
    chl: npt.ArrayLike,
    acdm443: npt.ArrayLike | None,
    spm: npt.ArrayLike,
    sensor: str,
    mineral_scale: float | None = None,
) -> dict[int, _F32Array]: ...
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

@type_check_only
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
