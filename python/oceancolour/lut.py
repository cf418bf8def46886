"""``oceancolour lut``: inspect, convert and build OC5 tables from the command line.

    oceancolour lut inspect TABLE                  # axes, sensor, F0, version, metadata, value range
    oceancolour lut convert RAW.npy OUT.nc --sensor olci-a [--f0 rbins-oc5 | --f0 412=171.4 560=180.0]
                                                   # operational raw 200^3 .npy -> self-describing netCDF
    oceancolour lut build --sensor meris -o OUT.nc [--f0 fonom-thuillier2003]
                                                   # this library's open OC5-like table

--f0 names an F0 set (fonom-thuillier2003: NASA l2gen's, the default of `build`;
obpg-rsr2009; rbins-oc5: the operational raw tables' convention, the default of
`convert`) or gives NM=F0 pairs for the 412 and green bands; the table records it.

Exit codes: 0 ok, 2 usage or input error (message names the file and problem).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Sequence

import numpy as np

import oceancolour as oc
from oceancolour._cli import ArgumentParser, fail


def _f0(pairs: Sequence[str] | None) -> str | dict[int, float] | None:
    if not pairs:
        return None
    if len(pairs) == 1 and "=" not in pairs[0]:
        return pairs[0]  # an F0 set name
    out = {}
    for p in pairs:
        nm, _, value = p.partition("=")
        out[int(nm)] = float(value)
    return out


def _node_count(text: str) -> int:
    """An axis size of a table: trilinear interpolation needs two nodes or more."""
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 2:
        raise argparse.ArgumentTypeError(f"{text!r} is not a node count (a whole number >= 2)")
    return n


def _load(path: str) -> oc.Oc5Table:
    if not Path(path).exists():
        raise oc.OceanColourError(f"{path}: no such file")
    return oc.Oc5Table.load(path)


def _inspect(args: argparse.Namespace) -> None:
    t = _load(args.table)
    v = t.values
    finite = v[np.isfinite(v)]
    print(f"{args.table}: OC5 table for {t.sensor}, version {t.version}, shape {t.shape}")
    for a in t.axes:
        print(f"  axis {a}")
    print(f"  bands {t.bands}, F0 (mW cm-2 um-1) {t.f0}, F0 convention {t.metadata.get('f0_set', 'not recorded')}")
    print(f"  chl (mg m-3): {finite.size} finite of {v.size} nodes, min {finite.min():.4g}, max {finite.max():.4g}")
    for k, val in sorted(t.metadata.items()):
        print(f"  {k}: {val}")


def _convert(args: argparse.Namespace) -> None:
    if not Path(args.raw).exists():
        raise oc.OceanColourError(f"{args.raw}: no such file")
    t = oc.Oc5Table.import_raw(args.raw, args.sensor, f0=_f0(args.f0))
    t.save(args.output)
    print(f"wrote {args.output} ({t.sensor}, shape {t.shape})")


def _build(args: argparse.Namespace) -> None:
    t = oc.Oc5Table.build(args.sensor, shape=tuple(args.shape), f0=_f0(args.f0), recipe=args.recipe)
    t.save(args.output)
    print(f"wrote {args.output} (open OC5-like table for {t.sensor}, recipe {t.version}, shape {t.shape}; not Ifremer's table)")


def main(argv: Sequence[str] | None = None, prog: str = "oceancolour lut") -> int:
    """Run ``oceancolour lut inspect|convert|build`` (see the module docstring) and return its exit code.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments after the program name, e.g. ``["inspect", "oc5.nc"]``; default
        ``sys.argv[1:]``.
    prog : str, default "oceancolour lut"
        The program name shown in usage and error messages.

    Returns
    -------
    int
        0 on success; 2 on an input error (missing or unreadable file, unknown sensor,
        bad F0), after printing ``error: MESSAGE`` (naming the file and the problem) on
        one line of stderr.

    Raises
    ------
    SystemExit
        From argparse: code 2 on a usage error (unknown subcommand or option, missing
        argument, a ``--shape`` that is not whole numbers >= 2), with a one-line message on
        stderr; code 0 after ``--help``.

    Examples
    --------
    Build a small open table (20 nodes per axis; chlorophyll in mg m-3 on nLw axes in
    mW cm-2 um-1 sr-1) in a temporary folder and describe it:

    >>> import tempfile
    >>> from pathlib import Path
    >>> from oceancolour import lut
    >>> table = str(Path(tempfile.mkdtemp()) / "oc5_seawifs.nc")
    >>> lut.main(["build", "--sensor", "seawifs", "--shape", "20", "20", "20", "-o", table])
    wrote /...oc5_seawifs.nc (open OC5-like table for seawifs, recipe open-oc5-c1-2, shape (20, 20, 20); not Ifremer's table)
    0
    >>> lut.main(["inspect", table])
    /...oc5_seawifs.nc: OC5 table for seawifs, version open-oc5-c1-2, shape (20, 20, 20)
      axis {'variable': 'nLw_green', 'unit': 'mW cm-2 um-1 sr-1', ...}
    ...
      chl (mg m-3): 7220 finite of 8000 nodes, min 0.001, max 1000
    ...
    0
    >>> lut.main(["inspect", table + ".missing"])  # prints "error: ...: no such file" on stderr
    2
    >>> try:
    ...     lut.main(["inspect"])
    ... except SystemExit as e:
    ...     print("exit code", e.code)
    exit code 2
    """
    parser = ArgumentParser(prog=prog, description="Inspect, convert and build OC5 tables.")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("inspect", help="describe a table file")
    p.add_argument("table")
    p.set_defaults(run=_inspect)
    p = sub.add_parser("convert", help="operational raw .npy (axis order [green, 412, ratio]) to netCDF")
    p.add_argument("raw")
    p.add_argument("output")
    p.add_argument("--sensor", required=True)
    p.add_argument("--f0", nargs="*", metavar="SET|NM=F0",
                   help="F0 convention of the table's nLw axes: a set name (default rbins-oc5) or NM=F0 (mW cm-2 um-1) pairs")
    p.set_defaults(run=_convert)
    p = sub.add_parser("build", help="build this library's open OC5-like table for a sensor")
    p.add_argument("--sensor", required=True)
    p.add_argument("-o", "--output", required=True)
    p.add_argument("--shape", nargs=3, type=_node_count, default=[200, 200, 200], metavar=("GREEN", "NLW412", "RATIO"),
                   help="nodes on each axis (default 200 200 200, as the operational tables)")
    p.add_argument("--f0", nargs="*", metavar="SET|NM=F0",
                   help="F0 of the nLw axes: a set name (default fonom-thuillier2003) or NM=F0 (mW cm-2 um-1) pairs")
    p.add_argument("--recipe", default="open-oc5-c1-2", choices=["open-oc5-c1-2", "open-oc5-c1-1"],
                   help="open-table recipe (default open-oc5-c1-2: correction bounded at the reference ratio; "
                        "open-oc5-c1-1: the earlier rule)")
    p.set_defaults(run=_build)
    args = parser.parse_args(argv)
    try:
        args.run(args)
    except (oc.OceanColourError, OSError, ValueError, MemoryError) as e:
        return fail(e)
    return 0


if __name__ == "__main__":
    sys.exit(main())
