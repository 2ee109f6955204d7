"""Finds (or builds) libstrata for the build of the Python package.

Used at build time only, by setup.py's build_ext; never installed.
The library is looked for in this order:

1. ``STRATA_BUILD_DIR``: a strata build tree (the directory holding
   ``libstrata.so`` and ``pkgconfig-uninstalled/strata.pc``). The extension
   links to it with an rpath into that tree.
2. ``pkg-config strata``: an installed strata (``cmake --install``).
3. The strata source tree this package sits in (``../..`` from here): it is
   configured and built with cmake into the setuptools build directory, and
   the library is bundled into the package next to the extension.

``STRATA_BUILD_FROM_SOURCE=1`` skips 1 and 2. ``STRATA_BUNDLE_LIBRARY=1``
copies a library found by 1 or 2 into the package as well, so that the wheel
works without it (what a wheel meant for other machines wants).
"""

from __future__ import annotations

import dataclasses
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PACKAGE_ROOT = HERE.parent
REPO_ROOT = PACKAGE_ROOT.parent.parent
HEADER_RELATIVE = Path("strata") / "kv.h"


class LibraryNotFound(RuntimeError):
    """No usable libstrata, with a message that says what to do."""


@dataclasses.dataclass
class StrataLibrary:
    include_dirs: list[str]
    library_dirs: list[str]
    # Directories the extension searches at run time (rpath). "$ORIGIN" when
    # the library is bundled next to the extension.
    runtime_dirs: list[str]
    # The file to copy into the package (the SONAME file, libstrata.so.0),
    # or None when the extension uses the library where it is.
    bundle: Path | None
    how: str


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def _soname_file(library_dir: Path) -> Path:
    """The file the dynamic loader will look for: libstrata.so.<major>."""
    candidates = sorted(library_dir.glob("libstrata.so.[0-9]*"), key=lambda p: len(p.name))
    if not candidates:
        raise LibraryNotFound(f"no libstrata.so.<major> in {library_dir} to bundle")
    return candidates[0]


def _bundled(found: StrataLibrary) -> StrataLibrary:
    return dataclasses.replace(
        found, runtime_dirs=["$ORIGIN"], bundle=_soname_file(Path(found.library_dirs[0]))
    )


def _pkg_config(args: list[str], pkg_config_path: str | None = None) -> list[str] | None:
    exe = shutil.which("pkg-config")
    if exe is None:
        return None
    env = dict(os.environ)
    if pkg_config_path:
        env["PKG_CONFIG_PATH"] = pkg_config_path + os.pathsep + env.get("PKG_CONFIG_PATH", "")
    proc = subprocess.run([exe, *args, "strata"], env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        return None
    return shlex.split(proc.stdout)


def _from_pc_file(pc: Path) -> tuple[list[str], list[str]]:
    """Reads includedir/libdir from a strata.pc without pkg-config (enough for
    the simple files strata writes)."""
    values: dict[str, str] = {"pcfiledir": str(pc.parent)}
    for line in pc.read_text().splitlines():
        name, sep, value = line.partition("=")
        if sep and name.strip().isidentifier():
            for key, known in values.items():
                value = value.replace("${%s}" % key, known)
            values[name.strip()] = value.strip()
    return [values["includedir"]], [values["libdir"]]


def _from_build_dir(build_dir: Path) -> StrataLibrary:
    if not (build_dir / "libstrata.so").exists():
        raise LibraryNotFound(
            f"STRATA_BUILD_DIR={build_dir} holds no libstrata.so; build strata there first "
            f"(cmake --build {build_dir}) or unset STRATA_BUILD_DIR"
        )
    pc_dir = build_dir / "pkgconfig-uninstalled"
    flags = _pkg_config(["--cflags", "--libs"], str(pc_dir))
    if flags is not None:
        include_dirs = [f[2:] for f in flags if f.startswith("-I")]
    else:
        include_dirs, _ = _from_pc_file(pc_dir / "strata.pc")
    return StrataLibrary(include_dirs, [str(build_dir)], [str(build_dir)], None,
                         f"the build tree {build_dir}")


def _from_pkg_config() -> StrataLibrary | None:
    flags = _pkg_config(["--cflags", "--libs"])
    if flags is None:
        return None
    include_dirs = [f[2:] for f in flags if f.startswith("-I")]
    library_dirs = [f[2:] for f in flags if f.startswith("-L")]
    if not library_dirs:
        return None
    return StrataLibrary(include_dirs, library_dirs, list(library_dirs), None,
                         "pkg-config (" + library_dirs[0] + ")")


def _build_from_source(work_dir: Path) -> StrataLibrary:
    if not (REPO_ROOT / "CMakeLists.txt").exists() or not (
        REPO_ROOT / "capi" / "include" / HEADER_RELATIVE
    ).exists():
        raise LibraryNotFound(
            "libstrata was not found: set STRATA_BUILD_DIR to a strata build directory, "
            "install strata where pkg-config finds it, or build this package from within "
            "the strata source tree so that it can build the library itself"
        )
    cmake = shutil.which("cmake")
    if cmake is None:
        raise LibraryNotFound(
            "building libstrata from source needs cmake (and a C++20 compiler, pkg-config, "
            "xxhash, lz4, zstd): run scripts/setup-deps.sh from the strata tree, or set "
            "STRATA_BUILD_DIR to an existing build"
        )
    build_dir = work_dir / "libstrata"
    configure = [cmake, "-S", str(REPO_ROOT), "-B", str(build_dir),
                 "-DCMAKE_BUILD_TYPE=Release",
                 "-DSTRATA_BUILD_TESTS=OFF", "-DSTRATA_BUILD_EXAMPLES=OFF"]
    if shutil.which("ninja"):
        configure += ["-G", "Ninja"]
    jobs = os.environ.get("CMAKE_BUILD_PARALLEL_LEVEL") or str(os.cpu_count() or 2)
    print(f"strata: building libstrata from {REPO_ROOT} in {build_dir}", file=sys.stderr)
    for command in (configure, [cmake, "--build", str(build_dir), "--target", "strata",
                                "-j", jobs]):
        if subprocess.run(command).returncode != 0:
            raise LibraryNotFound(
                "building libstrata with cmake failed (see above); scripts/setup-deps.sh "
                "installs what the build needs"
            )
    found = StrataLibrary([str(REPO_ROOT / "capi" / "include")], [str(build_dir)], [],
                          None, f"built from source in {build_dir}")
    return _bundled(found)


def locate(work_dir: Path) -> StrataLibrary:
    """Finds libstrata as the module docstring says. `work_dir` is where a
    from-source build goes."""
    found: StrataLibrary | None = None
    if not _env_flag("STRATA_BUILD_FROM_SOURCE"):
        build_dir = os.environ.get("STRATA_BUILD_DIR")
        if build_dir:
            found = _from_build_dir(Path(build_dir).resolve())
        else:
            found = _from_pkg_config()
    if found is None:
        return _build_from_source(work_dir)
    if _env_flag("STRATA_BUNDLE_LIBRARY"):
        found = _bundled(found)
    return found
