"""examples/python/example.py runs and prints what it promises."""

import subprocess
import sys

from conftest import REPO_ROOT


def test_example_runs(tmp_path):
    example = REPO_ROOT / "examples" / "python" / "example.py"
    result = subprocess.run([sys.executable, str(example), str(tmp_path / "db")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "apple = b'red'" in result.stdout
    assert "fruit:kiwi = b'green'" in result.stdout
    assert "example: done" in result.stdout
