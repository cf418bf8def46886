"""The ``oceancolour`` command (installed by pip as a console script; also
``python -m oceancolour``): the same program as the Rust binary, plus the
Python subcommands ``lut`` (OC5 tables), ``validate`` / ``matchup`` (which need
the ``validate`` extra: pandas, scipy, matplotlib) and ``export`` (Zarr and
Cloud-Optimised GeoTIFF; the ``export`` extra)."""

import logging
import signal
import sys

from oceancolour import _core

# Subcommand of `oceancolour` -> subcommand of `python -m oceancolour.validate`.
PYTHON_SUBCOMMANDS = {"validate": "compare", "matchup": "matchup"}


def _global_options(args: list[str]) -> tuple[list[str], list[str]]:
    """Splits the global options (``-q``/``--quiet``, ``-v``/``--verbose``, ``--log-format``) in front
    of the subcommand from the rest, so they work for the Python subcommands too."""
    i = 0
    while i < len(args):
        if args[i] in ("-q", "--quiet", "-v", "--verbose") or args[i].startswith("--log-format="):
            i += 1
        elif args[i] == "--log-format" and i + 1 < len(args):
            i += 2
        else:
            break
    return args[:i], args[i:]


def _terminate(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def main() -> None:
    # `oceancolour info f | head -1`: a closed pipe ends the command quietly, as for any Unix
    # tool, instead of a BrokenPipeError traceback or a Rust panic (Python ignores SIGPIPE).
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    # SIGTERM (PBS at walltime, `kill`) stops a run as Ctrl-C does: partial outputs are
    # removed, then the exit code is 143 (128 + SIGTERM), as for the Rust binary.
    signal.signal(signal.SIGTERM, _terminate)
    options, args = _global_options(sys.argv[1:])
    if args and (args[0] in ("lut", "export") or args[0] in PYTHON_SUBCOMMANDS):
        quiet = any(o in ("-q", "--quiet") for o in options)
        verbose = any(o in ("-v", "--verbose") for o in options)
        level = logging.WARNING if quiet else logging.DEBUG if verbose else logging.INFO
        logging.basicConfig(level=level, format="%(levelname)s %(message)s")
    if args and args[0] == "lut":
        from oceancolour.lut import main as lut_main

        sys.exit(lut_main(args[1:]))
    if args and args[0] == "export":
        from oceancolour.export import main as export_main

        sys.exit(export_main(args[1:]))
    if args and args[0] in PYTHON_SUBCOMMANDS:
        from oceancolour.validate.__main__ import main as validate_main

        sys.exit(validate_main([PYTHON_SUBCOMMANDS[args[0]], *args[1:]], prog=f"oceancolour {args[0]}"))
    sys.exit(_core.cli_main(["oceancolour", *options, *args]))


if __name__ == "__main__":
    main()
