"""Command line: ``python -m oceancolour.validate compare|matchup ...``.

Exit codes: 0 all gates passed, 1 a gate failed, 2 usage, input or environment error (one
line naming the file and the problem, or the extra to install), 3 internal error (a bug:
the traceback is printed), so that 1 always means a failed gate."""

from __future__ import annotations

import argparse
import sys
import traceback
from typing import Sequence

from oceancolour._cli import ArgumentParser, fail
from oceancolour._extras import MissingExtraError
from oceancolour.validate.readers import ValidationInputError


def _pairs(items: Sequence[str], what: str) -> dict[str, str]:
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key or not value:
            raise ValidationInputError(f"{what} {item!r}: expected NAME=VALUE")
        out[key] = value
    return out


def _number_or_text(v: str) -> float | str:
    try:
        return float(v)
    except ValueError:
        return v


def _parser(prog: str) -> argparse.ArgumentParser:
    p = ArgumentParser(prog=prog, description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    c = sub.add_parser("compare", help="compare a candidate product with a reference (legacy) product")
    c.add_argument("--reference", nargs="+", required=True, help="netCDF, IDL .sav or flat-binary descriptor (.json/.toml) files")
    c.add_argument("--candidate", nargs="+", required=True)
    c.add_argument("--variables", nargs="*", default=[], metavar="CAND=REF",
                   help="candidate variable = reference variable, e.g. chl=CHL_OC5")
    c.add_argument("--tolerance", nargs="*", default=[], metavar="VAR=GATE",
                   help="gate per candidate variable: rel:X, abs:X or log10:X, optionally @PERCENT")
    c.add_argument("--max-coverage-diff", type=float, default=0.0, metavar="FRACTION",
                   help="allowed share of pixels valid in one product only (default 0)")
    c.add_argument("--fill-value", type=float, action="append", default=[], help="extra fill value (repeatable)")
    c.add_argument("--report", metavar="DIR", help="write summary.md/.html/.json and PNG plots here")
    m = sub.add_parser("matchup", help="match in situ stations with gridded products")
    m.add_argument("--insitu", required=True, help="CSV table (gzip allowed)")
    m.add_argument("--products", nargs="+", required=True, metavar="ALG=FILE:VARIABLE",
                   help="one per file; repeat an algorithm name for a time series of files")
    m.add_argument("--columns", nargs="+", required=True, metavar="KEY=COLUMN",
                   help="lat=, lon=, insitu= and optional time= (one column, or year,month,day[,hour,minute,second])")
    m.add_argument("--box", type=int, default=3)
    m.add_argument("--min-valid", type=int)
    m.add_argument("--time-window", default="3h", help="e.g. 3h, 1D, or 'none'")
    m.add_argument("--statistic", choices=("median", "filtered_mean"), default="median")
    m.add_argument("--max-cv", type=float)
    m.add_argument("--na-value", action="append", default=[], help="extra missing-value marker in the table (repeatable)")
    m.add_argument("--linear", action="store_true", help="linear plot axes (default: log, for chl/SPM)")
    m.add_argument("--report", metavar="DIR")
    return p


def _compare(args: argparse.Namespace) -> int:
    from oceancolour.validate.compare import compare

    report = compare(args.reference, args.candidate, variables=_pairs(args.variables, "--variables") or None,
                     tolerances=_pairs(args.tolerance, "--tolerance"), report_dir=args.report,
                     max_coverage_diff=args.max_coverage_diff, fill_values=args.fill_value)
    print(report.summary())
    if args.report:
        print(f"report: {args.report}/summary.html")
    return report.exit_code


def _matchup(args: argparse.Namespace) -> int:
    from oceancolour.validate.matchup import Product, matchup

    products: dict[str, list[Product]] = {}
    for item in args.products:
        name, sep, rest = item.partition("=")
        path, sep2, var = rest.rpartition(":")
        if not (sep and sep2 and name and path and var):
            raise ValidationInputError(f"--products {item!r}: expected ALGORITHM=FILE:VARIABLE")
        products.setdefault(name, []).append(Product(path, var))
    columns = {k: (v.split(",") if k == "time" and "," in v else v) for k, v in _pairs(args.columns, "--columns").items()}
    report = matchup(args.insitu, products, box=args.box, min_valid=args.min_valid,
                     time_window=None if args.time_window.lower() == "none" else args.time_window,
                     columns=columns, statistic=args.statistic, max_cv=args.max_cv,
                     na_values=[_number_or_text(v) for v in args.na_value],
                     log_scale=not args.linear, report_dir=args.report)
    print(report.describe())
    print(report.table[["n", "bias_log10", "rmsd_log10", "median_ratio", "mdape_pct"]].to_string())
    return 0


def main(argv: Sequence[str] | None = None, prog: str = "python -m oceancolour.validate") -> int:
    """Run the command line ``argv`` (default sys.argv[1:]) and return the exit code.
    ``prog`` names the command in usage messages (e.g. "oceancolour")."""
    args = _parser(prog).parse_args(argv)
    try:
        return _compare(args) if args.command == "compare" else _matchup(args)
    except (ValidationInputError, MissingExtraError) as e:
        return fail(e)
    except Exception:
        traceback.print_exc()
        return fail("internal error of oceancolour (a bug: please report it with the traceback above)", 3)


if __name__ == "__main__":
    sys.exit(main())
