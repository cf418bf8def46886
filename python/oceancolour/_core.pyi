"""Type stubs for the compiled core (src/python)."""

import os
from typing import Any, Callable, Literal, Mapping, Sequence, TypedDict, final, overload, type_check_only

import numpy as np
import numpy.typing as npt

__version__: str

class OceanColourError(ValueError): ...
class OceanColourFileError(OceanColourError, OSError): ...

# A union of Mappings, not Mapping[int | str, ...]: Mapping keys are invariant, so the
# latter would reject the dict[int, np.ndarray] users pass.
_RrsMapping = Mapping[int, npt.ArrayLike] | Mapping[str, npt.ArrayLike]
_F32Array = npt.NDArray[np.float32]

@type_check_only
class BandInfo(TypedDict):
    nominal: int
    centre_nm: float
    f0: float | None
    f0_sets: dict[str, float | None]
    id: str | None
    f0_from_registry: bool

@type_check_only
class SensorInfo(TypedDict):
    name: str
    instrument: str
    platform: str
    platform_aliases: list[str]
    product_name_prefixes: list[str]
    coefficients_as: str
    source: str
    registry_file: str
    equator_crossing_hour: float | None
    bands: list[BandInfo]
    band_roles: dict[str, Any]
    default_ocx: str
    kd2: str
    f0_unit: str
    f0_set: str
    f0_sources: dict[str, str]

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
        f0: str | Mapping[int, float] | None = None,
        ocx: str = "default",
        tau: float | None = None,
        chl_cap: float = 5.0,
        recipe: str = "open-oc5-c1-2",
    ) -> Oc5Table: ...
    @staticmethod
    def open_table(sensor: str, recipe: str = "open-oc5-c1-2") -> Oc5Table: ...
    @staticmethod
    def load(path: str | os.PathLike[str]) -> Oc5Table: ...
    def save(self, path: str | os.PathLike[str]) -> None: ...
    @staticmethod
    def import_raw(
        path_or_array: str | os.PathLike[str] | npt.ArrayLike,
        sensor: str,
        f0: str | Mapping[int, float] | None = None,
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
def chl_oc5(
    rrs: _RrsMapping,
    sensor: str,
    table: _Oc5TableArg = None,
    return_status: Literal[False] = False,
    recipe: str | None = None,
    return_uncertainty: Literal[False] = False,
    return_bias: Literal[False] = False,
    rrs_uncertainty: float | _RrsMapping | None = None,
    band_correlation: float = 0.0,
    bias_corrected: bool = False,
    return_class: Literal[False] = False,
    class_version: str = "B",
) -> _F32Array: ...
@overload
def chl_oc5(
    rrs: _RrsMapping, sensor: str, table: _Oc5TableArg = None, *, return_status: Literal[True], recipe: str | None = None
) -> tuple[_F32Array, npt.NDArray[np.uint8]]: ...
@overload
def chl_oc5(
    rrs: _RrsMapping,
    sensor: str,
    table: _Oc5TableArg = None,
    return_status: bool = False,
    recipe: str | None = None,
    return_uncertainty: bool = False,
    return_bias: bool = False,
    rrs_uncertainty: float | _RrsMapping | None = None,
    band_correlation: float = 0.0,
    bias_corrected: bool = False,
    return_class: bool = False,
    class_version: str = "B",
) -> _F32Array | tuple[npt.NDArray[Any], ...]: ...
@overload
def chl_oc5ci(
    rrs: _RrsMapping,
    sensor: str,
    table: Oc5Table | None = None,
    ci: str = "hu2012",
    thresholds: tuple[float, float] | None = None,
    recipe: str | None = None,
    return_uncertainty: Literal[False] = False,
    return_bias: Literal[False] = False,
    rrs_uncertainty: float | _RrsMapping | None = None,
    band_correlation: float = 0.0,
    bias_corrected: bool = False,
) -> _F32Array: ...
@overload
def chl_oc5ci(
    rrs: _RrsMapping,
    sensor: str,
    table: Oc5Table | None = None,
    ci: str = "hu2012",
    thresholds: tuple[float, float] | None = None,
    recipe: str | None = None,
    return_uncertainty: bool = False,
    return_bias: bool = False,
    rrs_uncertainty: float | _RrsMapping | None = None,
    band_correlation: float = 0.0,
    bias_corrected: bool = False,
) -> _F32Array | tuple[_F32Array, ...]: ...
@overload
def spm_gohin(
    rrs: _RrsMapping,
    sensor: str,
    chl: npt.ArrayLike | None = None,
    table: _Oc5TableArg = None,
    mineral_scale: float | None = None,
    algorithm: str = "nechad-switching",
    switch: tuple[float, float] | None = None,
    calibration: float | None = None,
    recipe: str | None = None,
    return_uncertainty: Literal[False] = False,
    return_bias: Literal[False] = False,
    rrs_uncertainty: float | _RrsMapping | None = None,
    band_correlation: float = 0.0,
    bias_corrected: bool = False,
) -> _F32Array: ...
@overload
def spm_gohin(
    rrs: _RrsMapping,
    sensor: str,
    chl: npt.ArrayLike | None = None,
    table: _Oc5TableArg = None,
    mineral_scale: float | None = None,
    algorithm: str = "nechad-switching",
    switch: tuple[float, float] | None = None,
    calibration: float | None = None,
    recipe: str | None = None,
    return_uncertainty: bool = False,
    return_bias: bool = False,
    rrs_uncertainty: float | _RrsMapping | None = None,
    band_correlation: float = 0.0,
    bias_corrected: bool = False,
) -> _F32Array | tuple[_F32Array, ...]: ...
def chl_eunosat(
    rrs: _RrsMapping,
    sensor: str,
    constants: str = "a016-p106",
    version: str = "A",
    table: _Oc5TableArg = None,
    recipe: str | None = None,
) -> _F32Array: ...
def oc5_class(rrs: _RrsMapping, sensor: str, table: _Oc5TableArg = None, version: str = "B") -> npt.NDArray[np.uint8]: ...
@overload
def owt_dominant(rrs: _RrsMapping, sensor: str, return_memberships: Literal[False] = False) -> npt.NDArray[np.uint8]: ...
@overload
def owt_dominant(
    rrs: _RrsMapping, sensor: str, return_memberships: Literal[True]
) -> tuple[npt.NDArray[np.uint8], _F32Array]: ...
def forward_rrs(
    chl: npt.ArrayLike,
    acdm443: npt.ArrayLike | None,
    spm: npt.ArrayLike,
    sensor: str,
    mineral_scale: float | None = None,
) -> dict[int, _F32Array]: ...
def defaults() -> dict[str, dict[str, Any]]: ...
def sensors() -> list[str]: ...
def sensor_info(sensor: str) -> SensorInfo: ...
def products() -> list[str]: ...
def product_info(name: str, sensor: str | None = None, **choices: Any) -> dict[str, Any]: ...
def ocx_coefficient_sets(sensor: str) -> list[OcxSetInfo]: ...
def ci_coefficient_sets() -> list[CiSetInfo]: ...
def convolve_bands(
    rrs_hyper: npt.ArrayLike,
    wavelengths: Sequence[float],
    target_sensor: str,
    weighting: str = "f0",
) -> tuple[_F32Array, list[int]]: ...
@overload
def chl_ocx(
    rrs: _RrsMapping,
    sensor: str,
    coefficients: str = "default",
    return_uncertainty: Literal[False] = False,
    return_bias: Literal[False] = False,
    rrs_uncertainty: float | _RrsMapping | None = None,
    band_correlation: float = 0.0,
    bias_corrected: bool = False,
) -> _F32Array: ...
@overload
def chl_ocx(
    rrs: _RrsMapping,
    sensor: str,
    coefficients: str = "default",
    return_uncertainty: bool = False,
    return_bias: bool = False,
    rrs_uncertainty: float | _RrsMapping | None = None,
    band_correlation: float = 0.0,
    bias_corrected: bool = False,
) -> _F32Array | tuple[_F32Array, ...]: ...
def chl_ci(rrs: _RrsMapping, sensor: str, coefficients: str = "hu2019") -> _F32Array: ...
@overload
def chl_oci(
    rrs: _RrsMapping,
    sensor: str,
    ocx: str = "default",
    ci: str = "hu2019",
    thresholds: tuple[float, float] | None = None,
    return_uncertainty: Literal[False] = False,
    return_bias: Literal[False] = False,
    rrs_uncertainty: float | _RrsMapping | None = None,
    band_correlation: float = 0.0,
    bias_corrected: bool = False,
) -> _F32Array: ...
@overload
def chl_oci(
    rrs: _RrsMapping,
    sensor: str,
    ocx: str = "default",
    ci: str = "hu2019",
    thresholds: tuple[float, float] | None = None,
    return_uncertainty: bool = False,
    return_bias: bool = False,
    rrs_uncertainty: float | _RrsMapping | None = None,
    band_correlation: float = 0.0,
    bias_corrected: bool = False,
) -> _F32Array | tuple[_F32Array, ...]: ...
@overload
def kd490(
    rrs: _RrsMapping,
    sensor: str,
    coefficients: str = "default",
    return_uncertainty: Literal[False] = False,
    return_bias: Literal[False] = False,
    rrs_uncertainty: float | _RrsMapping | None = None,
    band_correlation: float = 0.0,
    bias_corrected: bool = False,
) -> _F32Array: ...
@overload
def kd490(
    rrs: _RrsMapping,
    sensor: str,
    coefficients: str = "default",
    return_uncertainty: bool = False,
    return_bias: bool = False,
    rrs_uncertainty: float | _RrsMapping | None = None,
    band_correlation: float = 0.0,
    bias_corrected: bool = False,
) -> _F32Array | tuple[_F32Array, ...]: ...
def kd490_morel(chl: npt.ArrayLike, coefficients: str = "morel2007") -> _F32Array: ...
def kdpar_morel(kd490: npt.ArrayLike, depth: str = "first") -> _F32Array: ...
@overload
def spm_nechad(
    rrs: _RrsMapping,
    sensor: str,
    wavelength: int | None = None,
    return_uncertainty: Literal[False] = False,
    return_bias: Literal[False] = False,
    rrs_uncertainty: float | _RrsMapping | None = None,
    band_correlation: float = 0.0,
    bias_corrected: bool = False,
) -> _F32Array: ...
@overload
def spm_nechad(
    rrs: _RrsMapping,
    sensor: str,
    wavelength: int | None = None,
    return_uncertainty: bool = False,
    return_bias: bool = False,
    rrs_uncertainty: float | _RrsMapping | None = None,
    band_correlation: float = 0.0,
    bias_corrected: bool = False,
) -> _F32Array | tuple[_F32Array, ...]: ...
def turbidity_nechad(rrs: _RrsMapping, sensor: str, wavelength: int | None = None) -> _F32Array: ...
def turbidity_dogliotti(rrs: _RrsMapping, sensor: str) -> _F32Array: ...
def set_num_threads(n: int) -> None: ...
def get_num_threads() -> int: ...
def _forget_pool_after_fork() -> None: ...
def _sensor_from_metadata(instrument: str | None, platform: str | None, product_name: str | None = None) -> str | None: ...

# Fusion (exposed as oceancolour.fusion). A grid is the number of ISIN rows or
# (lon_min, lon_max, lat_min, lat_max, dlon, dlat).
_GridSpec = int | tuple[float, float, float, float, float, float]

@type_check_only
class IsinGridInfo(TypedDict):
    nrows: int
    total_bins: int
    start_num: npt.NDArray[np.uint64]
    max: npt.NDArray[np.uint64]
    lat: npt.NDArray[np.float64]

@type_check_only
class Binned(TypedDict):
    averaging: str
    mean: npt.NDArray[np.float64]
    stdev: npt.NDArray[np.float64]
    bin: npt.NDArray[np.uint64]
    sum: npt.NDArray[np.float64]
    sum_squared: npt.NDArray[np.float64]
    weights: npt.NDArray[np.float64]
    nobs: npt.NDArray[np.uint32]
    nscenes: npt.NDArray[np.uint32]

@type_check_only
class MergedFields(TypedDict):
    value: _F32Array
    sigma: _F32Array
    spread: _F32Array
    sensors: npt.NDArray[np.uint32]
    count: npt.NDArray[np.uint8]

@type_check_only
class VariogramSpec(TypedDict):
    model: str
    psill: float
    range: float
    nugget: float

def isin_grid(nrows: int) -> IsinGridInfo: ...
def grid_cell(lon: npt.ArrayLike, lat: npt.ArrayLike, grid: _GridSpec) -> npt.NDArray[np.uint64]: ...
def grid_centre(cells: npt.ArrayLike, grid: _GridSpec) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]: ...
def regular_grid(
    lon_min: float, lon_max: float, lat_min: float, lat_max: float, dlon: float, dlat: float
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]: ...
def bin_l2(
    lon: npt.ArrayLike,
    lat: npt.ArrayLike,
    value: npt.ArrayLike,
    scene: npt.ArrayLike,
    grid: _GridSpec,
    averaging: str = "arithmetic",
    min_obs: int = 1,
) -> Binned: ...
def composite(parts: list[Binned]) -> Binned: ...
def band_shift(rrs: Mapping[float, npt.ArrayLike], targets: Sequence[float]) -> dict[float, _F32Array]: ...

@final
class Correction:
    @property
    def method(self) -> str: ...
    @property
    def chain(self) -> list[str]: ...
    @property
    def period(self) -> str: ...
    @property
    def n_pairs(self) -> int: ...
    @property
    def bias_before(self) -> float: ...
    @property
    def spread_before(self) -> float: ...
    @property
    def bias_after(self) -> float: ...
    @property
    def spread_after(self) -> float: ...
    @property
    def coefficients(self) -> dict[str, Any]: ...
    def apply(self, values: npt.ArrayLike, doy: npt.ArrayLike | float | None = None) -> _F32Array: ...
    def save(self, path: str | os.PathLike[str]) -> None: ...
    @staticmethod
    def load(path: str | os.PathLike[str]) -> Correction: ...

def fit_intercalibration(
    sensor: npt.ArrayLike,
    reference: npt.ArrayLike,
    method: str = "log_offset",
    *,
    sensor_name: str = "sensor",
    reference_name: str = "reference",
    reference_correction: Correction | None = None,
    doy: npt.ArrayLike | float | None = None,
    period: str = "",
    nq: int = 101,
    block: tuple[int, int] | None = None,
    nseason: int = 12,
    window_days: float = 30.0,
    min_pairs: int = 30,
) -> Correction: ...
def merge(
    values: list[npt.ArrayLike],
    error_variance: list[npt.ArrayLike],
    space: str = "log10",
    corrections: list[Correction | None] | None = None,
    doy: float = 0.0,
) -> MergedFields: ...
def fit_variogram(
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    z: npt.ArrayLike,
    model: str = "exponential",
    nlags: int = 20,
    max_lag: float | None = None,
    max_points: int = 3000,
) -> dict[str, Any]: ...
def krige(
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    z: npt.ArrayLike,
    xt: npt.ArrayLike,
    yt: npt.ArrayLike,
    variogram: VariogramSpec | Mapping[str, Any],
    k: int = 32,
    noise_variance: npt.ArrayLike | None = None,
    mean: float | None = None,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]: ...
def _l4_grid(
    values: npt.ArrayLike,
    first_guess_log10: npt.ArrayLike,
    variogram: VariogramSpec | Mapping[str, Any],
    k: int,
    dx: float,
    dy: float,
    noise_variance: npt.ArrayLike | None,
    mean: float | None,
    lat: npt.ArrayLike | None = None,
    lon: npt.ArrayLike | None = None,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]: ...
def first_guess_log10(
    climatology: npt.ArrayLike, previous: npt.ArrayLike | None = None, alpha: float = 0.0
) -> npt.NDArray[np.float64]: ...
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
    jobs: int = 2,
    progress: Callable[[str, int, int], object] | None = None,
    sensor_bands: str | None = None,
    uncertainty: bool | None = None,
    bias_correct: bool | None = None,
) -> ProcessReport: ...
def cli_main(argv: list[str]) -> int: ...
