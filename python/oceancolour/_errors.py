"""One rule for every public function of the Rust core: an argument of the wrong type or out of
range (``None``, a negative or huge int where a count is expected) raises the library's
:class:`OceanColourError` (a ``ValueError``) naming the argument, never a bare ``TypeError`` or
``OverflowError``. pyo3 checks argument types before the Rust code runs and raises those, worded
``argument 'NAME': ...``: this wrapper re-raises them (issue 17)."""

from __future__ import annotations

import functools
import inspect
from typing import Any, Callable, TypeVar

from oceancolour._core import OceanColourError

F = TypeVar("F", bound=Callable[..., Any])

#: How pyo3 words an argument it could not convert (when it names it).
_PYO3_ARGUMENT = "argument '"


def _suspects(bound: inspect.BoundArguments) -> list[str]:
    """The arguments given a value that a conversion typically refuses: None, an int that no
    64-bit count holds (negative, or >= 2**63), or a tuple/list holding one (a shape)."""

    def suspect(v: Any) -> bool:
        if isinstance(v, (tuple, list)):  # a shape or a pair of counts
            return any(suspect(x) for x in v)
        return v is None or (isinstance(v, int) and not isinstance(v, bool) and not 0 <= v < 2**63)

    return [name for name, v in bound.arguments.items() if suspect(v)]


def named_argument_errors(f: F) -> F:
    """``f`` with the ``TypeError``/``OverflowError`` of its argument conversions raised as
    ``OceanColourError``, naming the argument (pyo3's own name when it gives one, else the
    arguments holding None or an out-of-range int). A call Python itself refuses (a missing or
    unexpected argument) keeps its ``TypeError``."""
    try:
        signature: inspect.Signature | None = inspect.signature(f)
    except (TypeError, ValueError):
        signature = None

    @functools.wraps(f)
    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return f(*args, **kwargs)
        except (TypeError, OverflowError) as e:
            try:
                bound = signature.bind(*args, **kwargs) if signature is not None else None
            except TypeError:
                raise e from None  # Python's own refusal of the call
            message = str(e)
            if message.startswith(_PYO3_ARGUMENT):
                names, _, message = message[len(_PYO3_ARGUMENT):].partition("': ")
            else:
                names = " or ".join(_suspects(bound)) if bound is not None else ""
            kind = "out of range" if isinstance(e, OverflowError) else "of the wrong type"
            which = f" {names}" if names else ""
            raise OceanColourError(f"invalid argument{which} of {f.__name__}: {kind} ({message})") from None

    return call  # type: ignore[return-value]


def wrap_module_functions(namespace: dict[str, Any], names: list[str]) -> None:
    """Wraps, in ``namespace`` (a module's globals), every name of ``names`` that is a function of
    the Rust core."""
    for name in names:
        f = namespace.get(name)
        if callable(f) and type(f).__name__ == "builtin_function_or_method" and getattr(f, "__module__", "").startswith("oceancolour"):
            wrapped = named_argument_errors(f)
            # Pickled by reference (dask workers) as the wrapper it is, where it lives.
            wrapped.__module__ = namespace["__name__"]
            namespace[name] = wrapped


def wrap_class_methods(cls: type, names: list[str]) -> None:
    """Wraps the methods ``names`` of a Rust core class the same way: static methods stay static
    (``Oc5Table.build``), instance methods keep binding to the instance (``table.save``)."""
    for name in names:
        raw = inspect.getattr_static(cls, name)
        if isinstance(raw, staticmethod) or type(raw).__name__ == "builtin_function_or_method":
            f = getattr(cls, name)
            wrapped = named_argument_errors(f)
            wrapped.__qualname__ = f"{cls.__name__}.{name}"
            setattr(cls, name, staticmethod(wrapped))
        else:  # a method descriptor: the wrapper is a plain function, bound as methods are
            wrapped = named_argument_errors(raw)
            wrapped.__qualname__ = f"{cls.__name__}.{name}"
            setattr(cls, name, wrapped)
