"""Shared fixtures of the strata Python tests.

Every test runs on the real file system, in pytest's tmp_path. Tests that
need programs from a strata build tree (the C fixture writer, a C compiler
for the reader) find the tree through STRATA_BUILD_DIR, as
scripts/test-python.sh sets it; without it they fail with a message saying
so rather than skip.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import strata

REPO_ROOT = Path(__file__).resolve().parents[3]


def build_dir() -> Path:
    value = os.environ.get("STRATA_BUILD_DIR")
    if not value:
        pytest.fail("STRATA_BUILD_DIR is not set: point it at a strata build tree "
                    "(scripts/test-python.sh does)")
    path = Path(value)
    if not (path / "libstrata.so").exists():
        pytest.fail(f"STRATA_BUILD_DIR={path} holds no libstrata.so")
    return path


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "db"


@pytest.fixture
def db(db_path: Path):
    with strata.open(db_path) as handle:
        yield handle
