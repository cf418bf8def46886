"""The ``oceancolour`` command (installed by pip as a console script; also
``python -m oceancolour``): the same program as the Rust binary, plus the
``validate`` and ``matchup`` subcommands, which are Python (they need the
``validate`` extra: pandas, scipy, matplotlib)."""

import sys

from oceancolour import _core

# Subcommand of `oceancolour` -> subcommand of `python -m oceancolour.validate`.
PYTHON_SUBCOMMANDS = {"validate": "compare", "matchup": "matchup"}


def main() -> None:
    args = sys.argv[1:]
    if args and args[0] in PYTHON_SUBCOMMANDS:
        from oceancolour.validate.__main__ import main as validate_main

        sys.exit(validate_main([PYTHON_SUBCOMMANDS[args[0]], *args[1:]], prog=f"oceancolour {args[0]}"))
    sys.exit(_core.cli_main(["oceancolour", *args]))


if __name__ == "__main__":
    main()
