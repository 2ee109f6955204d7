"""Databases crossing languages: the fixture written by the C program
strata-fixture-writer (tests/fixture/README.md) read in Python, and a
database written in Python read by a C program (read_db.c, compiled here
against the build tree's libstrata)."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

import strata

from conftest import build_dir


def fixture_contents():
    expected = {}
    for i in range(1000):
        if i % 10 != 3:
            expected[b"fixture/%04d" % i] = b"value-%04d" % i
    expected[b"\x00\xff\x00\x01"] = b"\x00\x00\xff"
    expected[b"empty"] = b""
    assert len(expected) == 902
    return expected


def test_reads_the_fixture_written_by_c(tmp_path):
    writer = build_dir() / "tests" / "fixture" / "strata-fixture-writer"
    if not writer.exists():
        pytest.fail(f"{writer} is missing: build the strata tree (target "
                    "strata-fixture-writer) first")
    path = tmp_path / "fixture"
    subprocess.run([str(writer), str(path)], check=True)
    expected = fixture_contents()
    with strata.open(path, create_if_missing=False) as db:
        items = list(db.items())
        assert items == sorted(expected.items())  # all 902, exactly, in order
        assert list(db.items(reverse=True)) == items[::-1]
        for key, value in expected.items():
            assert db[key] == value
        assert db.multi_get(list(expected)) == list(expected.values())
        for i in range(3, 1000, 10):
            assert db.get(b"fixture/%04d" % i) is None
        assert len(list(db.keys(prefix=b"fixture/"))) == 900
        db.verify()


def compile_reader(tmp_path: Path) -> Path:
    compiler = shutil.which(os.environ.get("CC", "cc")) or shutil.which("gcc")
    if compiler is None:
        pytest.fail("no C compiler (cc) to build read_db.c")
    tree = build_dir()
    pc_dir = tree / "pkgconfig-uninstalled"
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "strata"], check=True,
                           capture_output=True, text=True,
                           env={**os.environ, "PKG_CONFIG_PATH": str(pc_dir)}).stdout.split()
    program = tmp_path / "read_db"
    source = Path(__file__).with_name("read_db.c")
    subprocess.run([compiler, "-std=c99", "-Wall", "-Werror", "-o", str(program), str(source),
                    *flags], check=True)
    return program


def test_c_reads_what_python_wrote(tmp_path):
    program = compile_reader(tmp_path)
    path = tmp_path / "from-python"
    written = {b"\x00": b"", b"\xff" * 3: b"\x00\x01", b"plain": b"text" * 100}
    written.update({b"k%04d" % i: os.urandom(i % 40) for i in range(1500)})
    with strata.open(path, memtable_bytes="64K") as db:
        for key, value in list(written.items())[:700]:
            db.put(key, value)
        db.flush()  # some in a table, the rest only in the log
        with db.write_batch() as batch:
            for key, value in list(written.items())[700:]:
                batch.put(key, value)
        db.delete(b"k0001")
        del written[b"k0001"]
    out = subprocess.run([str(program), str(path)], check=True, capture_output=True,
                         text=True).stdout
    read = [tuple(bytes.fromhex(part) for part in line.split(" ")) for line in
            out.splitlines()]
    assert read == sorted(written.items())
