"""Write LICENSE-THIRD-PARTY.md: the licences of everything the wheel bundles.

    python tools/third_party_notices.py           # (re)write the file
    python tools/third_party_notices.py --check   # exit 1 if the committed file is out of date

The extension module oceancolour/_core links statically the C libraries built from source by
the netcdf crate's `static` feature (HDF5, netCDF-C, zlib) and the Rust crates of Cargo.lock
that are compiled into it (normal dependencies on x86_64 Linux with the `python` feature).
Their licence files are read from the crates' sources in cargo's registry (the same sources
the build compiles), so the texts are the ones shipped with each version; identical texts
are printed once. Every other crate of Cargo.lock is listed by name as build-time only
(build scripts, proc-macros, tests, benches) or as used on other platforms only, so that
tests/python/test_licences.py can check that no crate of Cargo.lock is missing.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "LICENSE-THIRD-PARTY.md"
TARGET = "x86_64-unknown-linux-gnu"
LICENCE_FILE = re.compile(r"^(LICEN[CS]E|COPYING|COPYRIGHT|NOTICE|UNLICENSE)([-_.].*)?$", re.IGNORECASE)


def cargo_metadata() -> dict:
    cmd = ["cargo", "metadata", "--format-version", "1", "--locked", "--offline", "--features", "python",
           "--filter-platform", TARGET, "--manifest-path", str(ROOT / "Cargo.toml")]
    return json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)


def bundled_ids(meta: dict) -> set[str]:
    """Packages compiled into the extension: reachable from the root through normal
    dependencies, proc-macros excluded (they run in the compiler)."""
    nodes = {n["id"]: n for n in meta["resolve"]["nodes"]}
    packages = {p["id"]: p for p in meta["packages"]}
    root = meta["resolve"]["root"]
    seen, todo = set(), [root]
    while todo:
        for dep in nodes[todo.pop()]["deps"]:
            if any(k["kind"] is None for k in dep["dep_kinds"]) and dep["pkg"] not in seen:
                if not any("proc-macro" in t["kind"] for t in packages[dep["pkg"]]["targets"]):
                    seen.add(dep["pkg"])
                    todo.append(dep["pkg"])
    return seen


def licence_texts(package: dict) -> list[tuple[str, str]]:
    folder = Path(package["manifest_path"]).parent
    files = sorted(p for p in folder.iterdir() if p.is_file() and LICENCE_FILE.match(p.name))
    if package.get("license_file"):
        files.append(folder / package["license_file"])
    return [(p.name, p.read_text(errors="replace").strip()) for p in dict.fromkeys(files)]


def _first_comment(path: Path) -> str:
    text = path.read_text(errors="replace")
    start, end = text.index("/*"), text.index("*/")
    return "\n".join(line.rstrip() for line in text[start:end + 2].splitlines())


def c_libraries(packages: dict[str, dict]) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """(name and version, where it comes from, [(title, text)]) of each C library linked in."""
    def src(name: str) -> Path:
        return Path(packages[name]["manifest_path"]).parent

    hdf5, netcdf, zlib = src("hdf5-metno-src") / "ext" / "hdf5", src("netcdf-src") / "source", src("libz-sys") / "src" / "zlib"
    h5 = (hdf5 / "src" / "H5public.h").read_text()
    h5_version = ".".join(re.search(rf"#define H5_VERS_{k} (\d+)", h5)[1] for k in ("MAJOR", "MINOR", "RELEASE"))
    nc_version = re.search(r"VERSION (\d+\.\d+\.\d+)", (netcdf / "CMakeLists.txt").read_text().split("project(", 1)[1])[1]
    z_version = re.search(r'#define ZLIB_VERSION "([^"]+)"', (zlib / "zlib.h").read_text())[1]
    d = netcdf / "libdispatch"
    return [
        (f"HDF5 {h5_version}", f"The HDF Group; source in the crate hdf5-metno-src {packages['hdf5-metno-src']['version']}",
         [("LICENSE", (hdf5 / "LICENSE").read_text().strip())]),
        (f"netCDF-C {nc_version}", f"UCAR/Unidata; source in the crate netcdf-src {packages['netcdf-src']['version']}",
         [("COPYRIGHT", (netcdf / "COPYRIGHT").read_text().strip()),
          ("libdispatch/utf8proc.c (utf8proc, compiled into netCDF-C)", _first_comment(d / "utf8proc.c")),
          ("libdispatch/dcrc64.c (CRC-64 by Mark Adler, compiled into netCDF-C)", _first_comment(d / "dcrc64.c")),
          ("libdispatch/dcrc32.c (CRC-32 from zlib, compiled into netCDF-C)", _first_comment(d / "dcrc32.c")),
          ("libsrc/lookup3.c (hash by Bob Jenkins, public domain, compiled into netCDF-C)",
           _first_comment(netcdf / "libsrc" / "lookup3.c"))]),
        (f"zlib {z_version}", f"Jean-loup Gailly and Mark Adler; source in the crate libz-sys {packages['libz-sys']['version']}",
         [("LICENSE", (zlib / "LICENSE").read_text().strip())]),
    ]


def render() -> str:
    meta = cargo_metadata()
    packages = {p["id"]: p for p in meta["packages"]}
    by_name = {p["name"]: p for p in meta["packages"]}
    inside = bundled_ids(meta)
    lock = tomllib.loads((ROOT / "Cargo.lock").read_text())["package"]
    here = {(p["name"], p["version"]) for p in meta["packages"]}
    root = packages[meta["resolve"]["root"]]
    in_wheel = sorted((packages[i] for i in inside), key=lambda p: (p["name"], p["version"]))
    wheel_keys = {(p["name"], p["version"]) for p in in_wheel}
    build_only = sorted(k for k in here if k not in wheel_keys and k != (root["name"], root["version"]))
    elsewhere = sorted((p["name"], p["version"]) for p in lock if (p["name"], p["version"]) not in here)

    out = ["# Third-party software in oceancolour", "",
           "oceancolour is licensed under the Apache License 2.0 (LICENSE). Its compiled extension module",
           "(`oceancolour/_core`, in the wheel) contains the C libraries and Rust crates below, each under",
           "its own licence, reproduced here. Generated by `python tools/third_party_notices.py` from",
           f"Cargo.lock and the crates' sources (target {TARGET}); do not edit by hand.", "",
           "## C libraries (built from source and linked statically)", ""]
    for name, origin, texts in c_libraries(by_name):
        out += [f"### {name}", "", f"{origin}.", ""]
        for title, text in texts:
            out += [f"#### {title}", "", "```text", text, "```", ""]

    out += ["## Fonts embedded in the extension module", ""]
    for font in sorted((ROOT / "src" / "formats" / "fonts").glob("*.ttf")):
        out += [f"### {font.name}", "", "```text", (font.parent / "LICENSE.txt").read_text().strip(), "```", ""]

    out += ["## Rust crates compiled into the extension module", "", "| crate | version | licence |", "|---|---|---|"]
    texts: dict[str, tuple[str, list[str]]] = {}
    missing, no_file = [], []
    for p in in_wheel:
        found = licence_texts(p)
        out.append(f"| {p['name']} | {p['version']} | {p['license'] or 'see its licence file'} |")
        if not found:
            # A crate whose package ships no licence file: under an OR with Apache-2.0 we take
            # Apache-2.0, whose text is this project's LICENSE.
            if "Apache-2.0" in re.split(r"\s+OR\s+|/", p["license"] or ""):
                no_file.append(f"{p['name']} {p['version']} ({', '.join(p['authors']) or 'its authors'})")
            else:
                missing.append(p["name"])
        for fname, text in found:
            key = hashlib.sha256(re.sub(r"\s+", " ", text).encode()).hexdigest()
            texts.setdefault(key, (text, []))[1].append(f"{p['name']} {p['version']} ({fname})")
    if missing:
        sys.exit(f"no licence file in the sources of: {', '.join(missing)}")
    if no_file:
        out += ["", "These crates ship no licence file in their package; they are used under Apache-2.0 (one of",
                "their licence options), whose text is oceancolour's LICENSE: " + "; ".join(no_file) + "."]
    out += ["", "### Licence texts of the crates", "",
            "Each text as shipped by the crates named above it (identical texts once).", ""]
    for text, users in sorted(texts.values(), key=lambda t: t[1][0]):
        out += [f"#### {', '.join(users)}", "", "```text", text.replace("```", "'''"), "```", ""]
    out += ["## Crates of Cargo.lock not in the wheel", "",
            "Not compiled into the extension module (build scripts, proc-macros, tests and benchmarks,",
            "options not enabled):", "",
            ", ".join(f"{n} {v}" for n, v in build_only), "",
            "Used on other platforms only (not on x86_64 Linux):", "",
            ", ".join(f"{n} {v}" for n, v in elsewhere), ""]
    return "\n".join(out)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--check", action="store_true", help="compare with the committed file instead of writing it")
    text = render()
    if p.parse_args().check:
        if not OUTPUT.exists() or OUTPUT.read_text() != text:
            print(f"{OUTPUT.name} is out of date: run python tools/third_party_notices.py", file=sys.stderr)
            return 1
        return 0
    OUTPUT.write_text(text)
    print(f"wrote {OUTPUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
