"""The ``oceancolour`` command (installed by pip as a console script; also
``python -m oceancolour``): the same program as the Rust binary, plus the
Python subcommands ``lut`` (OC5 tables), ``validate`` / ``matchup`` (which need
the ``validate`` extra: pandas, scipy, matplotlib) and ``export`` (Zarr and
Cloud-Optimised GeoTIFF; the ``export`` extra)."""

import datetime
import json
import logging
import os
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


def _options_after(args: list[str]) -> tuple[list[str], list[str]]:
    """Takes the global options out of the arguments of a Python subcommand (up to ``--``), so that
    ``oceancolour lut -q ...`` works as ``oceancolour -q lut ...``, as clap's global options do for
    the Rust subcommands; none of the Python subcommands has options of these names."""
    options: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(args):
        if args[i] == "--":
            rest.extend(args[i:])
            break
        if args[i] in ("-q", "--quiet", "-v", "--verbose") or args[i].startswith("--log-format="):
            options.append(args[i])
            i += 1
        elif args[i] == "--log-format" and i + 1 < len(args):
            options.extend(args[i : i + 2])
            i += 2
        else:
            rest.append(args[i])
            i += 1
    return options, rest


class _JsonRecords(logging.Formatter):
    """One JSON object per record, as the Rust side writes them (src/chain/log.rs): time (UTC,
    milliseconds), level (Rust's names) and message, keys sorted."""

    LEVELS = {"WARNING": "WARN", "CRITICAL": "ERROR"}

    def format(self, record: logging.LogRecord) -> str:
        t = datetime.datetime.fromtimestamp(record.created, datetime.timezone.utc)
        time = t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"
        level = self.LEVELS.get(record.levelname, record.levelname)
        return json.dumps({"level": level, "message": record.getMessage(), "time": time}, sort_keys=True)


def _log_format(options: list[str]) -> str:
    fmt = "text"
    for i, o in enumerate(options):
        if o.startswith("--log-format="):
            fmt = o.split("=", 1)[1]
        elif o == "--log-format":
            fmt = options[i + 1]
    return fmt


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
        after, rest = _options_after(args[1:])
        options, args = options + after, [args[0], *rest]
        quiet = any(o in ("-q", "--quiet") for o in options)
        verbose = any(o in ("-v", "--verbose") for o in options)
        level = logging.WARNING if quiet else logging.DEBUG if verbose else logging.INFO
        fmt = _log_format(options)
        if fmt not in ("text", "json"):
            print(f"error: --log-format {fmt!r}: text or json", file=sys.stderr)
            sys.exit(2)
        handler = logging.StreamHandler()
        handler.setFormatter(_JsonRecords() if fmt == "json" else logging.Formatter("%(levelname)s %(message)s"))
        logging.basicConfig(level=level, handlers=[handler])
    if args and args[0] == "lut":
        from oceancolour.lut import main as lut_main

        sys.exit(lut_main(args[1:]))
    if args and args[0] == "export":
        from oceancolour.export import main as export_main

        sys.exit(export_main(args[1:]))
    if args and args[0] in PYTHON_SUBCOMMANDS:
        from oceancolour.validate.__main__ import main as validate_main

        sys.exit(validate_main([PYTHON_SUBCOMMANDS[args[0]], *args[1:]], prog=f"oceancolour {args[0]}"))
    try:
        code = _core.cli_main(["oceancolour", *options, *args])
    except (SystemExit, KeyboardInterrupt, _core.OceanColourError) as e:
        # A signal, or a read hung inside HDF5 (the run's thread may still hold the netCDF
        # library): leave without the interpreter's clean-up, which could wait on that thread.
        if isinstance(e, _core.OceanColourError):
            print(f"error: {e}", file=sys.stderr)
        code = e.code if isinstance(e, SystemExit) and isinstance(e.code, int) else 130 if isinstance(e, KeyboardInterrupt) else 1
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    main()
