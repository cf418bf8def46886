"""xarray integration: the ``ds.oc`` Dataset accessor.

Importing this module (``import oceancolour`` does it when xarray is
installed) registers ``oc`` on every :class:`xarray.Dataset`::

    ds = xr.open_dataset("AQUA_MODIS.20240101T120000.L2.OC.nc", group="geophysical_data")
    chl = ds.oc.chl_ocx(sensor="modis-aqua")      # DataArray, mg m-3, CF attributes
    ds = xr.open_mfdataset("S3A_OL_2_WFR____*.SEN3/Oa*_reflectance.nc", chunks={})
    spm = ds.oc.spm_nechad()                      # sensor from the attributes, lazy with dask

Rrs variables are found by name: ``Rrs_443`` / ``rrs_443`` / ``RRS443`` (Rrs,
sr-1; OBPG and CMEMS), or ``Oa04_reflectance`` (OLCI) and ``M03_rho_w``
(MERIS), which hold water-leaving reflectance rho_w and are divided by pi
(Rrs = rho_w / pi, formats.md s4.3). The band number -> wavelength mapping
is the sensor registry's (:func:`oceancolour.sensor_info`, key ``id``).
Pass ``bands={443: "my_rrs_443", ...}`` (names or DataArrays of Rrs in sr-1)
to override. The sensor comes from ``sensor=``, else from the global
attributes ``instrument``/``platform`` (OBPG) or ``product_name`` (ESA
Sentinel-3/Envisat names such as ``S3A_OL_2_WFR____...``).

Every product is one :func:`xarray.apply_ufunc` call with
``dask="parallelized"``: numpy-backed inputs give numpy-backed results,
dask-backed inputs stay lazy and keep their chunks, one task per chunk. Each
product's CF metadata and the bands it reads come from the core's product
registry (:func:`oceancolour.products`, :func:`oceancolour.product_info`),
the same rows the CLI writes into its files; :data:`PRODUCTS` is a view of it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Hashable, Mapping, Sequence

import numpy as np

from oceancolour import _core
from oceancolour._extras import needs

with needs("xarray", "oceancolour.xarray"):
    import xarray as xr

__all__ = ["PRODUCTS", "Product", "OceanColourAccessor", "l4", "merge"]

@dataclass(frozen=True)
class Product:
    """CF metadata of one product (a row of the core's product registry,
    :func:`oceancolour.product_info`) and the core function computing it."""

    function: str  #: name in oceancolour._core, called as f(rrs, sensor, **kwargs)
    standard_name: str | None
    units: str
    long_name: str
    references: str
    comment: str = ""
    #: Wavelength (nm) the quantity is defined at, written as the scalar
    #: coordinate ``radiation_wavelength`` (CF: Kd without one is spectrally integrated).
    wavelength_nm: float | None = None
    #: The per-pixel layers of the registry row ("uncertainty", "bias", ...).
    layers: tuple[str, ...] = ()


def _registry_row(name: str) -> Product:
    info = _core.product_info(name)
    return Product(
        name,
        info["standard_name"],
        info["units"],
        info["long_name"],
        info["references"],
        info["comment"],
        info["radiation_wavelength_nm"],
        tuple(layer["name"] for layer in info["layers"]),
    )


#: One row per product of the core's registry (``oc.products()``) whose
#: function ``oc.<name>(rrs, sensor, **kwargs)`` is in this build; the
#: accessor keeps no metadata of its own. ``ds.oc.<key>()`` exists for every row.
PRODUCTS: dict[str, Product] = {n: _registry_row(n) for n in _core.products() if hasattr(_core, n)}

_RRS_NAME = re.compile(r"^(?:Rrs|rrs|RRS)_?(\d{3,4})$")
_RHO_W_NAME = re.compile(r"^(\w+?)_(?:reflectance|rho_w)$")


def _norm(s: object) -> str:
    return re.sub(r"[^a-z0-9]", "", str(s).lower())


def detect_sensor(attrs: Mapping[Hashable, Any]) -> str:
    """The registry name of the sensor described by a dataset's global attributes.

    Reads ``instrument`` and ``platform`` (OBPG Level-2/3 files; ``mission``
    is accepted for ``platform``) or an ESA ``product_name``
    (``S3A_OL_2_WFR____...``). Raises :class:`OceanColourError` naming what
    it read when no single registry sensor matches.

    Parameters
    ----------
    attrs : mapping
        A dataset's global attributes (``ds.attrs``).

    Returns
    -------
    str
        The registry sensor name, e.g. ``"olci-a"``.

    Raises
    ------
    OceanColourError
        No single registry sensor matches the attributes (a ``ValueError``).

    Examples
    --------
    >>> from oceancolour.xarray import detect_sensor
    >>> detect_sensor({"instrument": "SeaWiFS", "platform": "OrbView-2"})
    'seawifs'
    >>> detect_sensor({"product_name": "S3A_OL_2_WFR____20200101"})
    'olci-a'
    """
    instrument, platform = attrs.get("instrument"), attrs.get("platform", attrs.get("mission"))
    product_name = attrs.get("product_name")
    seen = f"instrument={instrument!r}, platform={platform!r}, product_name={product_name!r}"
    # The registry's platform aliases and ESA product-name prefixes (src/sensors/registry.toml,
    # user files of OCEANCOLOUR_SENSORS): the one copy, shared with the file readers.
    name = _core._sensor_from_metadata(
        None if instrument is None else str(instrument),
        None if platform is None else str(platform),
        None if product_name is None else str(product_name),
    )
    if name is None:
        if instrument is None or platform is None:
            raise _core.OceanColourError(f"cannot tell the sensor from the attributes ({seen}): pass sensor=")
        # A partial platform ("Sentinel-3") names several registry rows: say which.
        inst, plat = _norm(instrument), _norm(platform)
        partial = [
            n
            for n in _core.sensors()
            for info in [_core.sensor_info(n)]
            if _norm(info["instrument"]) == inst
            and plat
            and any(plat in _norm(a) for a in [info["platform"], *info["platform_aliases"]])
        ]
        found = "several sensors: " + ", ".join(partial) if len(partial) > 1 else "no sensor of the registry"
        raise _core.OceanColourError(f"attributes ({seen}) match {found}; pass sensor= (one of {_core.sensors()})")
    return name


@dataclass(frozen=True)
class _Band:
    nominal: int
    data: xr.DataArray
    rho_w: bool  # holds rho_w, to be divided by pi


def find_rrs(ds: xr.Dataset, sensor: str, bands: Mapping[int, Hashable | xr.DataArray] | None = None) -> list[_Band]:
    """The Rrs bands of ``sensor`` found in ``ds``, by wavelength (see the module docstring).

    Parameters
    ----------
    ds : xarray.Dataset
        Dataset holding Rrs (sr-1) or rho_w variables.
    sensor : str
        Registry sensor name.
    bands : mapping of {int: str or xarray.DataArray}, optional
        Explicit ``{wavelength_nm: variable name or DataArray}``; default found by name.

    Returns
    -------
    list
        One entry per band found: ``nominal`` (nm), ``data`` (the DataArray) and
        ``rho_w`` (True when the variable holds rho_w, to be divided by pi).

    Raises
    ------
    OceanColourError
        Unknown sensor, or an explicit band not in the dataset (a ``ValueError``).

    Examples
    --------
    >>> from oceancolour.xarray import find_rrs
    >>> import xarray as xr
    >>> rrs = {443: 0.008, 490: 0.006, 510: 0.0035, 555: 0.0018}
    >>> ds = xr.Dataset({f"Rrs_{b}": ("y", [v, v]) for b, v in rrs.items()},
    ...                 attrs={"instrument": "SeaWiFS", "platform": "OrbView-2"})
    >>> [b.nominal for b in find_rrs(ds, "seawifs")]
    [443, 490, 510, 555]
    """
    info = _core.sensor_info(sensor)
    nominals = {b["nominal"] for b in info["bands"]}
    by_id = {b["id"]: b["nominal"] for b in info["bands"] if b["id"]}
    if bands is not None:
        out = []
        for nm, v in bands.items():
            if int(nm) not in nominals:
                raise _core.OceanColourError(f"band {nm} is not a {sensor} band (bands: {sorted(nominals)})")
            out.append(_Band(int(nm), v if isinstance(v, xr.DataArray) else ds[v], rho_w=False))
        return out
    found: dict[int, tuple[Hashable, bool]] = {}
    for name in ds.data_vars:
        m, r = _RRS_NAME.match(str(name)), _RHO_W_NAME.match(str(name))
        if m and int(m[1]) in nominals:
            nm, rho_w = int(m[1]), False
        elif r and r[1] in by_id:
            nm, rho_w = by_id[r[1]], True
        else:
            continue
        if nm in found:
            raise _core.OceanColourError(
                f"two variables hold band {nm} nm: {found[nm][0]!r} and {name!r}; pass bands={{{nm}: name, ...}}"
            )
        found[nm] = (name, rho_w)
    if not found:
        ids = ", ".join(f"{i}_reflectance" for i in by_id) or "none"
        raise _core.OceanColourError(
            f"no {sensor} Rrs variables found: looked for Rrs_NNN/RRSNNN with NNN in {sorted(nominals)} and "
            f"rho_w variables ({ids}); variables present: {list(ds.data_vars)}; pass bands={{443: name, ...}}"
        )
    return [_Band(nm, ds[name], rho_w) for nm, (name, rho_w) in sorted(found.items())]


def _rrs_block(wavelengths: tuple[int, ...], rho_w: tuple[bool, ...], blocks: tuple[np.ndarray, ...]) -> dict:
    return {nm: (b / np.pi if r else b) for nm, r, b in zip(wavelengths, rho_w, blocks)}


def _block_kwargs(p: Product, sensor: str, inputs: list[_Band], kwargs: dict, sigma_keys: tuple) -> dict:
    """What each block's call needs: the product's function, the sensor, the bands in order
    (then the keys of per-band Rrs uncertainties, whose blocks follow the bands')."""
    return {"function": p.function, "sensor": sensor, "wavelengths": tuple(b.nominal for b in inputs),
            "rho_w": tuple(b.rho_w for b in inputs), "kwargs": kwargs, "sigma_keys": sigma_keys}


def _call_block(blocks: tuple[np.ndarray, ...], function: str, sensor: str, wavelengths: tuple[int, ...],
                rho_w: tuple[bool, ...], kwargs: dict, sigma_keys: tuple) -> Any:
    n = len(wavelengths)
    if sigma_keys:
        kwargs = {**kwargs, "rrs_uncertainty": dict(zip(sigma_keys, blocks[n:]))}
    return getattr(_core, function)(_rrs_block(wavelengths, rho_w, blocks[:n]), sensor, **kwargs)


def _compute_block(*blocks: np.ndarray, **block_kwargs: Any) -> np.ndarray:
    """One chunk: Rrs blocks in, the product out (float32). Module-level so
    that dask pickles it by reference and workers import it."""
    return _call_block(blocks, **block_kwargs)


def _compute_layers(*blocks: np.ndarray, **block_kwargs: Any) -> tuple[np.ndarray, ...]:
    """One chunk: the product and the layers ``kwargs`` asks for (a tuple)."""
    return tuple(_call_block(blocks, **block_kwargs))


#: Keywords of the product functions that return layers, and the layer each gives.
_LAYER_KEYWORDS = {"return_uncertainty": "uncertainty", "return_bias": "bias"}

#: CF attributes of the layers (docs/uncertainty.md; "dex" is not a UDUNITS unit).
_LAYER_ATTRS = {
    "uncertainty": {
        "units": "1",
        "long_name": "1-sigma uncertainty of log10({name}) (dex)",
        "comment": "Membership-weighted class RMSD of Moore et al. 2009 water types (this library's fit on NOMAD and "
        "CoastColour, src/quality/class_stats.csv), combined in quadrature with any propagated Rrs uncertainty; "
        "the linear-space interval is [value 10^-u, value 10^u]. docs/uncertainty.md",
    },
    "bias": {
        "units": "1",
        "long_name": "Expected bias of log10({name}) (dex; log10 product - log10 truth)",
        "comment": "Membership-weighted class bias of Moore et al. 2009 water types (this library's fit). docs/uncertainty.md",
    },
}


def _bands_used(function: str, sensor: str, kwargs: dict, layers: bool = False) -> tuple[int, ...]:
    """The Rrs bands (nominal nm) ``function`` reads for ``sensor`` under
    ``kwargs``, from the product registry (with those of its layers when
    ``layers``); this also validates the arguments before any dask graph is built."""
    choices = {k: v for k, v in kwargs.items() if k in ("rrs_uncertainty", "band_correlation", "bias_corrected")}
    other = {k: v for k, v in kwargs.items() if k not in choices and k not in _LAYER_KEYWORDS}
    info = _core.product_info(function, sensor, **other, **choices)
    return tuple(info["bands"]) + (tuple(info.get("layer_bands", ())) if layers else ())


@xr.register_dataset_accessor("oc")
class OceanColourAccessor:
    """Ocean-colour products of a Dataset holding Rrs (or OLCI/MERIS rho_w) bands.

    Each product method takes ``sensor`` (a registry name, default: from the
    attributes), ``bands`` (explicit ``{wavelength_nm: variable name or
    DataArray}`` of Rrs in sr-1, default: found by name) and the keyword
    arguments of the core function of the same name, and returns a float32
    DataArray named after the product with CF attributes. NaN marks invalid
    pixels.
    """

    def __init__(self, ds: xr.Dataset) -> None:
        self._ds = ds

    def sensor(self, sensor: str | None = None) -> str:
        """The registry sensor name: ``sensor`` checked against the registry, else detected from the attributes.

        Parameters
        ----------
        sensor : str, optional
            A registry sensor name; default detected from ``ds.attrs``.

        Returns
        -------
        str
            The registry sensor name.

        Raises
        ------
        OceanColourError
            Unknown sensor, or none detected (a ``ValueError``).

        Examples
        --------
        >>> import xarray as xr
        >>> rrs = {443: 0.008, 490: 0.006, 510: 0.0035, 555: 0.0018}
        >>> ds = xr.Dataset({f"Rrs_{b}": ("y", [v, v]) for b, v in rrs.items()},
        ...                 attrs={"instrument": "SeaWiFS", "platform": "OrbView-2"})
        >>> ds.oc.sensor()
        'seawifs'
        """
        return _core.sensor_info(sensor)["name"] if sensor else detect_sensor(self._ds.attrs)

    def rrs(
        self, sensor: str | None = None, bands: Mapping[int, Hashable | xr.DataArray] | None = None
    ) -> dict[int, xr.DataArray]:
        """The Rrs (sr-1) DataArrays by nominal wavelength (nm); rho_w variables divided by pi (lazily).

        Parameters
        ----------
        sensor : str, optional
            A registry sensor name; default detected from ``ds.attrs``.
        bands : mapping of {int: str or xarray.DataArray}, optional
            Explicit ``{wavelength_nm: variable name or DataArray}``; default found by name.

        Returns
        -------
        dict of {int: xarray.DataArray}
            Rrs (sr-1) per nominal band (nm).

        Raises
        ------
        OceanColourError
            Unknown or undetected sensor, explicit band not found (a ``ValueError``).

        Examples
        --------
        >>> import xarray as xr
        >>> rrs = {443: 0.008, 490: 0.006, 510: 0.0035, 555: 0.0018}
        >>> ds = xr.Dataset({f"Rrs_{b}": ("y", [v, v]) for b, v in rrs.items()},
        ...                 attrs={"instrument": "SeaWiFS", "platform": "OrbView-2"})
        >>> sorted(ds.oc.rrs())
        [443, 490, 510, 555]
        """
        return {
            b.nominal: (b.data / np.pi if b.rho_w else b.data) for b in find_rrs(self._ds, self.sensor(sensor), bands)
        }

    def product(
        self,
        name: str,
        sensor: str | None = None,
        bands: Mapping[int, Hashable | xr.DataArray] | None = None,
        **kwargs: Any,
    ) -> Any:
        """Computes product ``name`` (a key of :data:`PRODUCTS`); see the class docstring.

        With ``return_uncertainty=True`` and/or ``return_bias=True`` (products with an
        uncertainty), returns a Dataset holding the product (its ``ancillary_variables``
        naming the layers), ``<name>_uncertainty`` and/or ``<name>_bias`` (dex).

        Parameters
        ----------
        name : str
            Product name (see :func:`oceancolour.products`).
        sensor : str, optional
            A registry sensor name; default detected from ``ds.attrs``.
        bands : mapping of {int: str or xarray.DataArray}, optional
            Explicit ``{wavelength_nm: variable name or DataArray}``; default found by name.
        **kwargs
            Keyword arguments of the core function of the same name.

        Returns
        -------
        xarray.DataArray or xarray.Dataset
            The float32 product (units in its ``units`` attribute, e.g. mg m-3) with
            CF attributes; a Dataset when layers are asked.

        Raises
        ------
        OceanColourError
            Unknown product, sensor or keyword argument, missing band (a ``ValueError``).

        Examples
        --------
        >>> import xarray as xr
        >>> rrs = {443: 0.008, 490: 0.006, 510: 0.0035, 555: 0.0018}
        >>> ds = xr.Dataset({f"Rrs_{b}": ("y", [v, v]) for b, v in rrs.items()},
        ...                 attrs={"instrument": "SeaWiFS", "platform": "OrbView-2"})
        >>> chl = ds.oc.product("chl_ocx")
        >>> chl.name, chl.attrs["units"], np.round(chl.values, 3)
        ('chl_ocx', 'mg m-3', array([0.123, 0.123], dtype=float32))
        """
        if name not in PRODUCTS or not hasattr(_core, PRODUCTS[name].function):
            available = [k for k, p in PRODUCTS.items() if hasattr(_core, p.function)]
            raise _core.OceanColourError(f"unknown product {name!r}; available: {available}")
        p = PRODUCTS[name]
        sensor = self.sensor(sensor)
        found = find_rrs(self._ds, sensor, bands)
        wanted = [layer for k, layer in _LAYER_KEYWORDS.items() if kwargs.get(k)]
        if wanted and not set(wanted) <= set(p.layers):
            raise _core.OceanColourError(f"{name} has no {', '.join(wanted)} layer (its layers: {list(p.layers) or 'none'})")
        used = set(_bands_used(p.function, sensor, kwargs, layers=bool(wanted)))
        inputs = [b for b in found if b.nominal in used]
        # Per-band Rrs uncertainties travel as inputs beside the bands (chunked alike), and
        # only where a layer is asked: the value alone never reads them.
        per_band = isinstance(kwargs.get("rrs_uncertainty"), Mapping)
        sigma = self._rrs_sigma(kwargs["rrs_uncertainty"]) if per_band and wanted else []
        call = {k: v for k, v in kwargs.items() if not (per_band and k == "rrs_uncertainty")}
        data = [*(b.data for b in inputs), *(da for _, da in sigma)]
        block_kwargs = _block_kwargs(p, sensor, inputs, call, tuple(k for k, _ in sigma))
        if wanted:
            return self._with_layers(name, p, sensor, inputs, kwargs, wanted, data, block_kwargs)
        out = xr.apply_ufunc(_compute_block, *data, kwargs=block_kwargs, dask="parallelized", output_dtypes=[np.float32])
        return self._finish(name, p, sensor, inputs, kwargs, out)

    def _rrs_sigma(self, value: Mapping) -> list[tuple[Any, xr.DataArray]]:
        """Per-band 1-sigma Rrs uncertainties (sr-1) given as ``{band: variable name or
        DataArray}``, as (key, DataArray) pairs."""
        pairs = []
        for k, v in value.items():
            if isinstance(v, str):
                if v not in self._ds:
                    raise _core.OceanColourError(f"rrs_uncertainty: band {k}: no variable {v!r} in the Dataset")
                v = self._ds[v]
            if not isinstance(v, xr.DataArray):
                raise _core.OceanColourError(
                    f"rrs_uncertainty: band {k}: give a variable name or a DataArray (got {type(v).__name__})")
            pairs.append((k, v))
        return pairs

    def _finish(self, name: str, p: Product, sensor: str, inputs: list[_Band], kwargs: dict, out: xr.DataArray) -> xr.DataArray:
        def shown(v: Any) -> str:  # per-band uncertainty arrays by name, not by value
            if isinstance(v, Mapping):
                return "{" + ", ".join(f"{k!r}: {getattr(a, 'name', a)!r}" for k, a in v.items()) + "}"
            return repr(v)
        call = ", ".join([f"sensor={sensor!r}"] + [f"{k}={shown(v)}" for k, v in kwargs.items() if k not in _LAYER_KEYWORDS])
        out.attrs = {
            **({"standard_name": p.standard_name} if p.standard_name else {}),
            "units": p.units,
            "long_name": p.long_name,
            "references": p.references,
            **({"comment": p.comment} if p.comment else {}),
            "algorithm": f"oceancolour {_core.__version__} {p.function}({call})",
            "input_bands": ", ".join(f"{b.nominal} nm: {b.data.name}" + (" / pi" if b.rho_w else "") for b in inputs),
        }
        if p.wavelength_nm is not None:
            wl = xr.DataArray(p.wavelength_nm, attrs={"standard_name": "radiation_wavelength", "units": "nm"})
            out = out.assign_coords(radiation_wavelength=wl)
        return out.rename(name)

    def _with_layers(self, name: str, p: Product, sensor: str, inputs: list[_Band], kwargs: dict, wanted: list[str],
                     data: list[xr.DataArray], block_kwargs: dict) -> xr.Dataset:
        outs = xr.apply_ufunc(
            _compute_layers,
            *data,
            kwargs=block_kwargs,
            dask="parallelized",
            output_core_dims=[[] for _ in range(1 + len(wanted))],
            output_dtypes=[np.float32] * (1 + len(wanted)),
        )
        value = self._finish(name, p, sensor, inputs, kwargs, outs[0])
        names = [f"{name}_{layer}" for layer in wanted]
        value.attrs["ancillary_variables"] = " ".join(names)
        layers = {}
        for layer, var, da in zip(wanted, names, outs[1:]):
            attrs = {k: v.format(name=name) for k, v in _LAYER_ATTRS[layer].items()}
            layers[var] = da.assign_attrs(attrs).rename(var)
        return xr.Dataset({name: value, **layers})

    def uncertainty(self, name: str, sensor: str | None = None, bands: Mapping[int, Hashable | xr.DataArray] | None = None,
                    **kwargs: Any) -> xr.DataArray:
        """``<name>_uncertainty``: the 1-sigma uncertainty of log10 of product ``name`` (dex), a DataArray.

        Parameters
        ----------
        name : str
            Product name with an uncertainty layer (e.g. ``"chl_ocx"``).
        sensor : str, optional
            A registry sensor name; default detected from ``ds.attrs``.
        bands : mapping of {int: str or xarray.DataArray}, optional
            Explicit ``{wavelength_nm: variable name or DataArray}``; default found by name.
        **kwargs
            Keyword arguments of the core function (``rrs_uncertainty``, ...).

        Returns
        -------
        xarray.DataArray
            ``<name>_uncertainty`` (dex), float32.

        Raises
        ------
        OceanColourError
            Product without an uncertainty layer, missing band (a ``ValueError``).

        Examples
        --------
        >>> import xarray as xr
        >>> rrs = {443: 0.008, 490: 0.006, 510: 0.0035, 555: 0.0018}
        >>> ds = xr.Dataset({f"Rrs_{b}": ("y", [v, v]) for b, v in rrs.items()},
        ...                 attrs={"instrument": "SeaWiFS", "platform": "OrbView-2"})
        >>> ds["Rrs_412"] = ("y", [0.009, 0.009])
        >>> ds["Rrs_670"] = ("y", [0.0002, 0.0002])
        >>> u = ds.oc.uncertainty("chl_ocx")
        >>> u.name, np.round(u.values, 3)
        ('chl_ocx_uncertainty', array([0.163, 0.163], dtype=float32))
        """
        return self.product(name, sensor, bands, return_uncertainty=True, **kwargs)[f"{name}_uncertainty"]


#: A clear-water Rrs spectrum (sr-1) on the OLCI bands (nm), for the generated
#: methods' examples: OLCI holds every band a product of the registry reads.
_EXAMPLE_RRS = {400: 0.0085, 412: 0.009, 443: 0.008, 490: 0.006, 510: 0.0035, 560: 0.0017, 620: 0.0004,
                665: 0.00018, 674: 0.00016, 681: 0.00015, 709: 0.00008, 754: 0.00005, 779: 0.00004, 865: 0.00001}

_METHOD_PARAMETERS = """    Parameters
    ----------
    sensor : str, optional
        A registry sensor name; default detected from ``ds.attrs``.
    bands : mapping of {int: str or xarray.DataArray}, optional
        Explicit ``{wavelength_nm: variable name or DataArray}``; default found by name.
    **kwargs
        Keyword arguments of :func:`oceancolour.%s` (``coefficients`` and the
        other coefficient choices, ``return_uncertainty``, ...).
"""


def _example(call: str, units: str) -> str:
    """A running example of a generated method on a one-pixel OLCI-A Dataset."""
    return f"""    Examples
    --------
    >>> import xarray as xr
    >>> rrs = {_EXAMPLE_RRS!r}
    >>> ds = xr.Dataset({{f"Rrs_{{b}}": ("y", [v]) for b, v in rrs.items()}},
    ...                 attrs={{"instrument": "OLCI", "platform": "Sentinel-3A"}})
    >>> da = ds.oc.{call}()
    >>> da.name, da.attrs["units"], da.shape
    ({call!r}, {units!r}, (1,))
"""


def _product_method(name: str, p: Product) -> Callable[..., xr.DataArray]:
    def method(
        self: OceanColourAccessor,
        sensor: str | None = None,
        bands: Mapping[int, Hashable | xr.DataArray] | None = None,
        **kwargs: Any,
    ) -> xr.DataArray:
        return self.product(name, sensor, bands, **kwargs)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = (
        f"""{p.long_name} ({p.units}) as a DataArray with CF attributes
    (:func:`oceancolour.{p.function}` on the Dataset's Rrs).

    References: {p.references}.

{_METHOD_PARAMETERS % p.function}
    Returns
    -------
    xarray.DataArray
        The float32 product in {p.units}, named ``{name}``, with CF attributes.

    Raises
    ------
    OceanColourError
        Unknown sensor or keyword argument, missing band (a ``ValueError``).

{_example(name, p.units)}"""
    )
    return method


def _uncertainty_method(name: str) -> Callable[..., xr.DataArray]:
    def method(
        self: OceanColourAccessor,
        sensor: str | None = None,
        bands: Mapping[int, Hashable | xr.DataArray] | None = None,
        **kwargs: Any,
    ) -> xr.DataArray:
        return self.uncertainty(name, sensor, bands, **kwargs)

    method.__name__ = method.__qualname__ = f"{name}_uncertainty"
    method.__doc__ = (
        f"""1-sigma uncertainty of log10({name}) (dex) as a DataArray named {name}_uncertainty.

    Keyword arguments as {name} (``rrs_uncertainty``, ``band_correlation``,
    ``bias_corrected`` among them).

{_METHOD_PARAMETERS % PRODUCTS[name].function}
    Returns
    -------
    xarray.DataArray
        The per-pixel uncertainty in log10 units (dex), named ``{name}_uncertainty``.

    Raises
    ------
    OceanColourError
        Unknown sensor or keyword argument, missing band (a ``ValueError``).

{_example(f"{name}_uncertainty", "1")}"""
    )
    return method


for _name, _p in PRODUCTS.items():
    if hasattr(_core, _p.function):
        setattr(OceanColourAccessor, _name, _product_method(_name, _p))
        if "uncertainty" in _p.layers:
            setattr(OceanColourAccessor, f"{_name}_uncertainty", _uncertainty_method(_name))


# ---------------------------------------------------------------- fusion

def _aligned(arrays: Sequence[xr.DataArray], what: str) -> None:
    try:
        xr.align(*arrays, join="exact")
    except ValueError as e:
        raise _core.OceanColourError(f"{what} must share dims and coordinates: {e}") from None
    if any(a.dims != arrays[0].dims for a in arrays):
        raise _core.OceanColourError(f"{what} must have the same dims, got {[a.dims for a in arrays]}")


def merge(
    values: Sequence[xr.DataArray],
    error_variance: Sequence[float | xr.DataArray],
    space: str = "log10",
    corrections: Sequence[_core.Correction | None] | None = None,
    doy: float = 0.0,
    names: Sequence[str] | None = None,
) -> xr.Dataset:
    """Merges same-day fields of several sensors on one lat/lon grid (DataArrays with
    the same dims and coordinates, NaN where missing): inverse-error-variance weighted
    mean in log10 space (GlobColour AVW, Pottier et al. 2006), as
    :func:`oceancolour.fusion.merge`, which documents the arguments.

    Returns a Dataset on the inputs' coordinates: ``value`` (the first input's
    attributes and units, e.g. mg m-3), ``sigma`` and ``spread`` (merging space),
    ``count`` and ``sensors`` (bit s set when sensor s contributed; ``flag_masks`` /
    ``flag_meanings`` name them from ``names`` or the DataArrays' names). Dask-backed
    inputs are computed.

    Parameters
    ----------
    values : sequence of xarray.DataArray
        One field per sensor (e.g. chl in mg m-3), same dims and coordinates.
    error_variance : sequence of float or xarray.DataArray
        Per sensor error variance (log10 units^2 for ``space="log10"``).
    space : {"log10", "linear"}, default "log10"
        Where the mean is taken.
    corrections : sequence of Correction or None, optional
        Per sensor intercalibration applied first (None for the reference).
    doy : float, default 0.0
        Day of year, for space-and-season corrections.
    names : sequence of str, optional
        Sensor labels for ``flag_meanings``; default the DataArrays' names.

    Returns
    -------
    xarray.Dataset
        ``value``, ``sigma``, ``spread``, ``count``, ``sensors``.

    Raises
    ------
    OceanColourError
        No field, fields not aligned, names of the wrong length (a ``ValueError``).

    Examples
    --------
    >>> import xarray as xr
    >>> from oceancolour.xarray import merge
    >>> coords = {"lat": [40.0], "lon": [0.0, 1.0]}
    >>> a = xr.DataArray([[1.0, 2.0]], dims=("lat", "lon"), coords=coords, name="modis")
    >>> b = xr.DataArray([[4.0, np.nan]], dims=("lat", "lon"), coords=coords, name="olci")
    >>> m = merge([a, b], [0.01, 0.01])
    >>> m["value"].values, m["count"].values, m["sensors"].attrs["flag_meanings"]
    (array([[2., 2.]], dtype=float32), array([[2, 1]], dtype=uint8), 'modis olci')
    """
    from oceancolour import fusion

    if not values:
        raise _core.OceanColourError("merge needs at least one DataArray")
    _aligned(list(values), "the sensors' fields")
    labels = list(names) if names is not None else [str(v.name) if v.name is not None else f"sensor{s}" for s, v in enumerate(values)]
    if len(labels) != len(values):
        raise _core.OceanColourError(f"{len(labels)} names for {len(values)} fields")
    errs: list[Any] = [np.asarray(e.values if isinstance(e, xr.DataArray) else e, dtype=np.float32) for e in error_variance]
    out = fusion.merge([np.asarray(v.values) for v in values], errs, space=space,
                       corrections=None if corrections is None else list(corrections), doy=doy)
    first = values[0]
    unit = "1 (log10 units)" if space == "log10" else first.attrs.get("units", "")

    def var(data: Any, attrs: dict[str, Any]) -> xr.DataArray:
        return xr.DataArray(data, coords=first.coords, dims=first.dims, attrs=attrs)

    ds = xr.Dataset(
        {
            "value": var(out["value"], {**first.attrs, "long_name": f"{first.attrs.get('long_name', first.name)}, merged ({len(values)} sensors)"}),
            "sigma": var(out["sigma"], {"long_name": f"error standard deviation of the merged value, {space} space", "units": unit}),
            "spread": var(out["spread"], {"long_name": f"weighted standard deviation between the sensors, {space} space", "units": unit}),
            "count": var(out["count"], {"long_name": "number of sensors contributing"}),
            "sensors": var(
                out["sensors"],
                {"standard_name": "status_flag", "flag_masks": np.array([1 << s for s in range(len(values))], dtype=np.uint32),
                 "flag_meanings": " ".join(labels)},
            ),
        }
    )
    ds.attrs["method"] = f"oceancolour {_core.__version__} merge: inverse-error-variance mean in {space} space (Pottier et al. 2006)"
    return ds


def _lat_lon(da: xr.DataArray) -> tuple[np.ndarray, np.ndarray]:
    """The 1-D latitude and longitude axes (degrees) of a 2-D DataArray."""
    lat_name = next((c for c in ("lat", "latitude") if c in da.coords), None)
    lon_name = next((c for c in ("lon", "longitude") if c in da.coords), None)
    if lat_name is None or lon_name is None or da.coords[lat_name].ndim != 1 or da.coords[lon_name].ndim != 1:
        raise _core.OceanColourError("give dx and dy, or a DataArray with 1-D lat/lon coordinates in degrees")
    if da.dims != (da.coords[lat_name].dims[0], da.coords[lon_name].dims[0]):
        raise _core.OceanColourError(f"l4 needs (lat, lon) dimension order, got {da.dims}")
    return np.asarray(da.coords[lat_name], float), np.asarray(da.coords[lon_name], float)


def l4(
    values: xr.DataArray,
    first_guess_log10: xr.DataArray,
    variogram: Mapping[str, Any],
    k: int = 32,
    dx: float | None = None,
    dy: float | None = None,
    noise_variance: xr.DataArray | float | None = None,
    simple: bool = False,
) -> xr.Dataset:
    """Gap-free field of a 2-D (lat, lon) DataArray with gaps: ordinary kriging of the
    log10 anomalies to ``first_guess_log10`` (a DataArray on the same coordinates),
    as :func:`oceancolour.fusion.l4` (Saulquin et al. 2011 family), which documents
    the arguments. Distances: by default km, the cells placed from the 1-D lat/lon
    coordinates on a sinusoidal projection (as ``oceancolour l4``); or give ``dx`` and
    ``dy`` (even spacing, the variogram's distance unit).

    Returns a Dataset on the input's coordinates: ``value`` (10^estimate, the input's
    attributes), ``log10``, ``variance`` (kriging error variance, log10 units^2),
    ``observed``; the variogram, k, dx and dy are recorded in its attributes.

    Parameters
    ----------
    values : xarray.DataArray
        2-D (lat, lon) field (e.g. chl in mg m-3); NaN or <= 0 missing.
    first_guess_log10 : xarray.DataArray
        First guess in log10 on the same coordinates.
    variogram : mapping
        ``model``, ``psill``, ``range`` (km by default), ``nugget``.
    k : int, default 32
        Nearest observed cells used per cell.
    dx : float, optional
        Even cell spacing along lon (with `dy`), the variogram's distance unit.
    dy : float, optional
        Even cell spacing along lat.
    noise_variance : float or xarray.DataArray, optional
        Observation noise variance per cell (log10 units^2).
    simple : bool, default False
        Simple kriging around the first guess.

    Returns
    -------
    xarray.Dataset
        ``value``, ``log10``, ``variance``, ``observed``.

    Raises
    ------
    OceanColourError
        Not 2-D, not aligned, only one of dx/dy, no 1-D lat/lon (a ``ValueError``).

    Examples
    --------
    >>> import xarray as xr
    >>> from oceancolour.xarray import l4
    >>> v = {"model": "exponential", "psill": 0.1, "range": 500.0, "nugget": 0.0}
    >>> chl = xr.DataArray([[1.0, np.nan], [1.0, 1.0]], dims=("lat", "lon"),
    ...                    coords={"lat": [41.0, 40.0], "lon": [0.0, 1.0]}, name="chl")
    >>> out = l4(chl, xr.zeros_like(chl), v)
    >>> np.round(out["value"].values, 3)
    array([[1., 1.],
           [1., 1.]])
    """
    from oceancolour import fusion

    if values.ndim != 2:
        raise _core.OceanColourError(f"l4 needs a 2-D (lat, lon) DataArray, got dims {values.dims}")
    _aligned([values, first_guess_log10], "values and first_guess_log10")
    if (dx is None) != (dy is None):
        raise _core.OceanColourError("give both dx and dy, or neither (then distances are km from lat/lon)")
    lat, lon = _lat_lon(values) if dx is None else (None, None)
    noise = noise_variance.values if isinstance(noise_variance, xr.DataArray) else noise_variance
    out = fusion.l4(np.asarray(values.values), np.asarray(first_guess_log10.values), variogram, k=k,
                    dx=1.0 if dx is None else dx, dy=1.0 if dy is None else dy, noise_variance=noise, simple=simple,
                    lat=lat, lon=lon)

    def var(key: str, attrs: dict[str, Any]) -> xr.DataArray:
        return xr.DataArray(out[key], coords=values.coords, dims=values.dims, attrs=attrs)

    ds = xr.Dataset(
        {
            "value": var("value", {**values.attrs, "long_name": f"{values.attrs.get('long_name', values.name)}, gap-free (kriging)"}),
            "log10": var("log10", {"long_name": "log10 of the kriging estimate", "units": "1"}),
            "variance": var("variance", {"long_name": "kriging error variance of the log10 estimate", "units": "1 (log10 units squared)"}),
            "observed": var("observed", {"long_name": "cell observed in the input"}),
        }
    )
    ds.attrs.update({f"variogram_{key}": val for key, val in variogram.items()})
    distances = "km on a sinusoidal projection of lat/lon" if dx is None else f"even spacing dx={dx}, dy={dy}"
    ds.attrs.update({"kriging_neighbours": k, "distances": distances,
                     "method": f"oceancolour {_core.__version__} l4: ordinary kriging of log10 anomalies to a first guess"})
    return ds
