"""What the Python subcommands of ``oceancolour`` (lut, validate, matchup) share: usage
errors on one line and the exit codes of environment errors."""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn


class ArgumentParser(argparse.ArgumentParser):
    """argparse whose usage errors are one line (``PROG: error: MESSAGE (see PROG --help)``), exit 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def fail(message: object, code: int = 2) -> int:
    """Print ``error: MESSAGE`` on one line of stderr and return ``code``."""
    print(f"error: {' '.join(str(message).split())}", file=sys.stderr)
    return code
