"""Optional dependencies: the extras of pyproject.toml (``pip install "oceancolour[NAME]"``).

A feature that needs one imports it inside ``with needs(extra, feature):``; when the import
fails, :class:`MissingExtraError` (an ImportError) names the missing module and the pip
command that installs it, and the command line turns it into one line and exit code 2."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator


class MissingExtraError(ImportError):
    """An optional dependency cannot be imported; the message says which extra installs it."""


@contextmanager
def needs(extra: str, feature: str) -> Iterator[None]:
    """Turn an ImportError raised in the block into a MissingExtraError for ``extra``."""
    try:
        yield
    except MissingExtraError:
        raise
    except ImportError as e:
        module = e.name or "a dependency"
        why = "is not installed" if isinstance(e, ModuleNotFoundError) else f"cannot be imported ({e})"
        raise MissingExtraError(f'{feature} needs {module}, which {why}: pip install "oceancolour[{extra}]"',
                                name=e.name) from None
