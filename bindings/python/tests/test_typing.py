"""The package's type hints, as a user of mypy meets them, checked against
the installed package (its py.typed):

- typing_program.py, a program making every documented call with its
  variables annotated as the docs promise, passes `mypy --strict`, and runs;
- typing_mistakes.py, a list of misuses, is rejected by mypy on exactly the
  lines marked `# error`, so the hints are precise rather than Any;
- the package itself passes `mypy --strict`."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
PROGRAM = HERE / "typing_program.py"
MISTAKES = HERE / "typing_mistakes.py"


def mypy(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    try:
        import mypy  # noqa: F401
    except ImportError:
        pytest.fail("mypy is not installed in this environment (scripts/test-python.sh "
                    "installs it)")
    # Run from an empty directory, so that mypy reads the installed package,
    # not a source tree next to the program.
    return subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-incremental",
                           "--no-error-summary", *args],
                          cwd=cwd, capture_output=True, text=True, timeout=300)


def test_mypy_strict_accepts_a_program_using_every_documented_call(tmp_path):
    result = mypy(str(PROGRAM), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_rejects_each_misuse(tmp_path):
    marked = {number for number, line in enumerate(MISTAKES.read_text().splitlines(), 1)
              if "  # error:" in line}
    assert len(marked) >= 10
    result = mypy(str(MISTAKES), cwd=tmp_path)
    reported = {int(n) for n in re.findall(r"typing_mistakes\.py:(\d+): error", result.stdout)}
    assert reported == marked, result.stdout + result.stderr


def test_mypy_strict_accepts_the_package(tmp_path):
    # -p: the installed package, as a module (errors in it are reported).
    result = mypy("-p", "strata", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_typing_program_runs(tmp_path):
    result = subprocess.run([sys.executable, str(PROGRAM), str(tmp_path)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "typing_program: done" in result.stdout
