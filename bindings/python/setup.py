"""Build of the strata Python package: metadata is in pyproject.toml; this
file adds the cffi extension and the step that finds (or builds) libstrata
and, when asked to or when it built it, bundles it into the package."""

import os
import shutil
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_ext import build_ext

sys.path.insert(0, str(Path(__file__).resolve().parent / "strata_build"))
from locate_library import locate  # noqa: E402


class BuildExtWithStrata(build_ext):
    """build_ext that points the cffi extension at libstrata first."""

    def run(self):
        found = locate(Path(self.build_temp).resolve())
        print(f"strata: using libstrata from {found.how}", file=sys.stderr)
        for ext in self.extensions:
            ext.include_dirs = found.include_dirs + list(ext.include_dirs)
            ext.library_dirs = found.library_dirs + list(ext.library_dirs)
            ext.runtime_library_dirs = found.runtime_dirs + list(ext.runtime_library_dirs or [])
        super().run()
        if found.bundle is not None:
            # The loader looks for the SONAME (libstrata.so.0) in $ORIGIN, the
            # directory of the extension, which is the package directory.
            package_dir = Path(self.get_ext_fullpath("strata._strata_cffi")).parent
            target = package_dir / found.bundle.name
            shutil.copyfile(found.bundle, target)  # follows the symlink
            print(f"strata: bundled {found.bundle} as {target}", file=sys.stderr)


def _build_locations():
    """With STRATA_BUILD_DIR set, setuptools' scratch files go there rather
    than into the source tree."""
    build_dir = os.environ.get("STRATA_BUILD_DIR")
    if not build_dir:
        return {}
    scratch = Path(build_dir).resolve() / "python-binding"
    scratch.mkdir(parents=True, exist_ok=True)
    return {
        "build": {"build_base": str(scratch / "setuptools")},
        "egg_info": {"egg_base": str(scratch)},
    }


setup(
    cffi_modules=["strata_build/ffi_builder.py:ffibuilder"],
    cmdclass={"build_ext": BuildExtWithStrata},
    options=_build_locations(),
)
