"""Regenerate the reference outputs of the regression suite (validation/references/).

    python validation/regenerate.py [CASE ...] [--check]

Runs each case (all by default), prints what changed against the checked-in reference,
then overwrites it. With --check, only prints and exits 1 if anything changed. Review the
printed differences (and git diff) before committing new references."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile

import cases


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("case", nargs="*", choices=[[], *cases.CASES], metavar="CASE", help=", ".join(cases.CASES))
    p.add_argument("--check", action="store_true", help="print differences only; exit 1 if any")
    args = p.parse_args(argv)
    changed = False
    for case in args.case or list(cases.CASES):
        fn, rtol = cases.CASES[case]
        try:
            out = fn()
        except cases.Unavailable as e:
            print(f"{case}: skipped ({e})")
            continue
        old = cases.load_reference(case)
        diff = ["new reference"] if old is None else cases.differences(out, old, rtol)
        print(f"{case}: " + ("unchanged" if not diff else f"{len(diff)} change(s)"))
        for line in diff:
            print(f"    {line}")
        if diff:
            changed = True
            if not args.check:
                path = cases.reference_path(case)
                path.parent.mkdir(exist_ok=True)
                fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
                with os.fdopen(fd, "w") as f:
                    json.dump(out, f, indent=2, sort_keys=True)
                    f.write("\n")
                os.replace(tmp, path)
                print(f"    wrote {path}")
    return 1 if changed and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
