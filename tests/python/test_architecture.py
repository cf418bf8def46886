"""The rooms of docs/architecture.md import only downwards: the compute base,
the science (kernels, bio-optics, OC5, fusion, quality) and the product registry never
reach the file formats, the chain, the CLI or the Python glue; formats never
reach the chain."""

import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
UPPER = {"formats", "chain", "cli", "python"}
FORBIDDEN = {
    "compute": UPPER | {"kernels", "oc5", "fusion", "products", "bio_optical", "sensors", "coefficients"},
    "bio_optical": UPPER | {"kernels", "oc5", "fusion", "products"},
    "kernels": UPPER | {"oc5", "fusion", "products"},
    "oc5": UPPER | {"fusion", "products"},
    "fusion": UPPER | {"products", "kernels"},
    "quality": UPPER | {"products", "oc5"},
    "products": UPPER,
    "formats": {"chain", "cli", "python"},
    "chain": {"cli", "python"},
}


@pytest.mark.parametrize("room", sorted(FORBIDDEN))
def test_room_imports_only_downwards(room):
    bad = []
    for f in sorted((SRC / room).rglob("*.rs")):
        for n, line in enumerate(f.read_text().splitlines(), 1):
            for m in re.finditer(r"crate::([a-z_0-9]+)", line):
                if m.group(1) in FORBIDDEN[room]:
                    bad.append(f"{f.relative_to(SRC)}:{n}: {line.strip()}")
    assert not bad, "\n".join(bad)
