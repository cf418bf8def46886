"""The README's Python code blocks type-check against the stubs (mypy, so the quick start's
dict[int, np.ndarray] must be accepted) and the quick start runs; they cannot rot."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BLOCKS = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), re.S)


def test_readme_has_python_blocks():
    assert len(BLOCKS) >= 2


def test_quick_start_runs():
    exec(compile(BLOCKS[0], "README.md[quick start]", "exec"), {})


@pytest.mark.parametrize("i", [0] + [i for i, b in enumerate(BLOCKS) if "Oc5Table" in b])
def test_readme_blocks_type_check(tmp_path, i):
    pytest.importorskip("mypy")
    assert "..." not in BLOCKS[i], "an ellipsis placeholder in a README block"
    f = tmp_path / f"readme_{i}.py"
    f.write_text(BLOCKS[i])
    r = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-error-summary", str(f)],
                       cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
