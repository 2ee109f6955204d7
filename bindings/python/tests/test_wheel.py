"""What the installed package is made of, as the wheel shipped it: an abi3
extension that finds libstrata.so.0 beside it through RUNPATH=$ORIGIN and
nothing else, a stripped library with lz4, zstd, xxhash and libstdc++ linked
in (needing only the C library at run time), the distribution's name, version
and wheel tag. Every wheel of strata-kv must pass this, whoever built it."""

import re
import subprocess
from importlib import metadata
from pathlib import Path

import pytest

import strata
from strata import _strata_cffi

PACKAGE = Path(strata.__file__).resolve().parent
EXTENSION = Path(_strata_cffi.__file__).resolve()
LIBRARY = PACKAGE / "libstrata.so.0"
# What the bundled code may ask the loader for: glibc's own libraries.
SYSTEM = {"libc.so.6", "libm.so.6", "libpthread.so.0", "libdl.so.2", "librt.so.1",
          "ld-linux-x86-64.so.2", "ld-linux-aarch64.so.1"}


def dynamic(path: Path) -> str:
    try:
        return subprocess.run(["readelf", "-d", str(path)], check=True, capture_output=True,
                              text=True).stdout
    except FileNotFoundError:
        pytest.fail("readelf (Debian's binutils) is needed to inspect the extension")


def needed(path: Path) -> set:
    return set(re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", dynamic(path)))


def test_distribution_name_and_version():
    dist = metadata.distribution("strata-kv")
    assert dist.metadata["Name"] == "strata-kv"
    assert dist.version == strata.__version__ == strata.library_version()
    assert (PACKAGE / "py.typed").exists()


def test_wheel_is_abi3():
    wheel = metadata.distribution("strata-kv").read_text("WHEEL") or ""
    tags = re.findall(r"^Tag: (\S+)$", wheel, re.M)
    assert tags and all(t.startswith("cp39-abi3-") for t in tags), wheel
    assert EXTENSION.name == "_strata_cffi.abi3.so"


def test_extension_finds_the_library_through_origin_only():
    text = dynamic(EXTENSION)
    paths = re.findall(r"\((?:RPATH|RUNPATH)\)\s+Library r(?:un)?path: \[([^\]]*)\]", text)
    assert paths == ["$ORIGIN"], text  # no build-tree directory, ever
    assert "libstrata.so.0" in needed(EXTENSION)
    assert LIBRARY.is_file() and not LIBRARY.is_symlink()
    assert sorted(p.name for p in PACKAGE.glob("libstrata*")) == ["libstrata.so.0"]


def test_library_needs_only_the_c_library():
    assert needed(LIBRARY) <= SYSTEM, needed(LIBRARY)
    assert needed(EXTENSION) - {"libstrata.so.0"} <= SYSTEM


def test_library_is_stripped():
    sections = subprocess.run(["readelf", "-S", "-W", str(LIBRARY)], check=True,
                              capture_output=True, text=True).stdout
    assert ".symtab" not in sections
    assert ".debug_info" not in sections
    assert LIBRARY.stat().st_size < 8 << 20  # 18 MB with debug info, under 2 MB without
