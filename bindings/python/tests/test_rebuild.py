"""The scratch-directory bug stays fixed: setup.py used to keep its scratch
files in one place, so a wheel built after an ordinary install reused an
extension whose RUNPATH pointed into the build tree, and `import strata`
failed once that tree was gone. Here one CMake build directory serves an
ordinary install and then a wheel build, as a developer's would; the wheel's
extension must carry RUNPATH=$ORIGIN and nothing else, and the wheel,
installed in a new virtual environment, must import and work from another
directory after the build directory is deleted.

scripts/test-python.sh builds the package exactly so (an ordinary install
into $STRATA_PYTHON_WORK/ordinary, then the wheel it tests into
$STRATA_PYTHON_WORK/dist, from one build directory), and this test checks
those. Run without STRATA_PYTHON_WORK, it builds both itself in a temporary
directory (libstrata once from the sources: a few minutes on two cores),
which needs scikit-build-core and cffi in this environment (the build runs
without isolation, with this interpreter). Either way it needs pip access to
cffi for the new environment; scripts/test-python.sh provides both."""

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import strata

from conftest import REPO_ROOT

PACKAGE_DIR = REPO_ROOT / "bindings" / "python"


def pip(*args: str, python: str = sys.executable) -> None:
    subprocess.run([python, "-m", "pip", "--disable-pip-version-check", "-q", *args],
                   check=True, timeout=1800,
                   env={**os.environ, "CMAKE_BUILD_PARALLEL_LEVEL":
                        os.environ.get("CMAKE_BUILD_PARALLEL_LEVEL", "2")})


def runpaths(path: Path) -> list:
    text = subprocess.run(["readelf", "-d", str(path)], check=True, capture_output=True,
                          text=True).stdout
    return re.findall(r"\((?:RPATH|RUNPATH)\)\s+Library r(?:un)?path: \[([^\]]*)\]", text)


def build_ordinary_and_wheel(tmp_path: Path) -> tuple:
    """An ordinary install, then a wheel from the same build directory, as
    scripts/test-python.sh does; returns (ordinary install dir, wheel dir)."""
    try:
        import scikit_build_core  # noqa: F401
    except ImportError:
        pytest.fail("scikit-build-core is not installed here (scripts/test-python.sh "
                    "installs it)")
    build = tmp_path / "cmake-build"
    common = ["--no-deps", "--no-build-isolation", f"--config-settings=build-dir={build}"]
    # 1. An ordinary install (into a directory of its own), filling the build dir.
    pip("install", *common, "--target", str(tmp_path / "ordinary"), str(PACKAGE_DIR))
    assert (build / "CMakeCache.txt").exists(), "the build directory was not used"
    # 2. A wheel from the same, now warm, build directory.
    pip("wheel", *common, "-w", str(tmp_path / "dist"), str(PACKAGE_DIR))
    shutil.rmtree(build)
    return tmp_path / "ordinary", tmp_path / "dist"


def test_wheel_built_after_an_ordinary_install_is_self_contained(tmp_path):
    work = os.environ.get("STRATA_PYTHON_WORK")
    if work:
        ordinary, dist = Path(work) / "ordinary", Path(work) / "dist"
        assert (Path(work) / "cmake-build" / "CMakeCache.txt").exists(), \
            "scripts/test-python.sh did not build in one build directory"
    else:
        ordinary, dist = build_ordinary_and_wheel(tmp_path)
    (wheel,) = dist.glob("strata_kv-*.whl")
    unpacked = tmp_path / "unpacked"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(unpacked)
    (extension,) = (unpacked / "strata").glob("_strata_cffi*.so")
    assert runpaths(extension) == ["$ORIGIN"]
    installed_ordinary = next((ordinary / "strata").glob("_strata_cffi*.so"))
    assert runpaths(installed_ordinary) == ["$ORIGIN"]

    # 3. No build tree in sight (the new environment only has the wheel); a
    # new environment; another directory.
    venv = tmp_path / "user-venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    user_python = str(venv / "bin" / "python")
    pip("install", str(wheel), python=user_python)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    program = (
        "import strata, sys\n"
        "assert strata.__file__.startswith(sys.prefix), strata.__file__\n"
        "with strata.open('db') as db:\n"
        "    db.put(b'k', b'v')\n"
        "    assert list(db.items()) == [(b'k', b'v')]\n"
        "print('imported', strata.library_version())\n")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("STRATA_", "PYTHON", "LD_LIBRARY_PATH"))}
    result = subprocess.run([user_python, "-c", program], cwd=elsewhere, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["imported", strata.__version__]
