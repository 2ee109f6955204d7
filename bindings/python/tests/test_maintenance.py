"""flush, compactions, properties, checkpoint, verify, destroy, repair."""

import os
from pathlib import Path

import pytest

import strata


def fill(db, n=2000, tag=b""):
    with db.write_batch() as batch:
        for i in range(n):
            batch.put(b"key%05d" % i, tag + b"value%05d" % i)


def test_flush_compact_wait(db):
    fill(db)
    assert db.property("num-files-at-level0") == "0"
    db.flush()
    assert int(db.property("num-files-at-level0")) == 1
    fill(db, tag=b"2")
    db.flush()
    db.compact_range()
    db.wait_compactions()
    db.resume()  # writes were never stopped: nothing to do
    assert db.property("num-files-at-level0") == "0"
    assert int(db.property("total-table-bytes")) > 0
    db.compact_range(b"key00100", b"key00200")
    db.compact_range(start=b"key01000")
    db.compact_range(stop=bytearray(b"key00010"))
    assert db.get(b"key01999") == b"2value01999"


def test_properties_and_stats(db):
    fill(db, 10)
    stats = db.stats()
    assert isinstance(stats, str) and "L0" in stats
    assert db.property("last-sequence") == "10"
    assert int(db.property("memtable-bytes")) > 0
    for level in range(7):
        assert db.property(f"num-files-at-level{level}").isdigit()
    assert db.property("sstables") == ""
    db.put(b"", b"empty key")
    db.put(b"\xffz", b"v")
    db.flush()
    level, number, size, entries, smallest, largest = db.property("sstables").split()
    assert (level, entries, smallest, largest) == ("0", "12", "-", "ff7a")
    with pytest.raises(strata.InvalidArgumentError):
        db.property("no-such-property")
    with pytest.raises(strata.InvalidArgumentError):
        db.property("num-files-at-level9")
    with pytest.raises(TypeError):
        db.property(3)


def test_checkpoint(db, tmp_path):
    fill(db)
    db.flush()
    db.put(b"tail", b"only in the log")
    copy = tmp_path / "ckpt"
    db.checkpoint(copy)
    db.put(b"after", b"not in the copy")
    with strata.open(copy) as snapshot_db:
        assert snapshot_db.get(b"tail") == b"only in the log"
        assert snapshot_db.get(b"after") is None
        assert len(list(snapshot_db.keys())) == 2001
    with pytest.raises(strata.Error):
        db.checkpoint(copy)  # must not exist yet


def test_verify(db):
    fill(db)
    db.flush()
    db.verify()


def _flip_bytes_in_tables(path: Path) -> int:
    tables = [p for p in path.iterdir() if p.suffix == ".sst"]
    for table in tables:
        data = bytearray(table.read_bytes())
        for offset in range(100, min(len(data), 2000), 7):
            data[offset] ^= 0x5A
        table.write_bytes(bytes(data))
    return len(tables)


def test_verify_reports_corruption(db_path):
    with strata.open(db_path) as db:
        fill(db)
        db.flush()
    assert _flip_bytes_in_tables(db_path) >= 1, sorted(os.listdir(db_path))
    with strata.open(db_path) as db:
        with pytest.raises(strata.CorruptionError) as info:
            db.verify()
        assert info.value.status == -3 and info.value.message
        with pytest.raises(strata.CorruptionError):
            list(db.items())


def test_destroy(db_path):
    with strata.open(db_path) as db:
        fill(db, 10)
        with pytest.raises(strata.BusyError):
            strata.destroy(db_path)
    strata.destroy(db_path)
    assert not db_path.exists()
    strata.destroy(db_path)  # nothing there: fine
    with pytest.raises(ValueError):
        strata.destroy("a\0b")


def test_repair_argument_checks(db_path):
    with pytest.raises(TypeError):
        strata.repair(None)
    with pytest.raises(ValueError, match="NUL"):
        strata.repair("a\0b")
    with pytest.raises(strata.InvalidArgumentError, match="bogus"):
        strata.repair(db_path, bogus=True)
    with pytest.raises(TypeError):
        strata.repair(db_path, memtable_bytes=None)


def test_repair_rebuilds_a_lost_manifest(db_path):
    expected = {}
    with strata.open(db_path, memtable_bytes="64K") as db:
        for i in range(3000):
            key, value = b"key%05d" % i, b"value%05d" % i * 3
            db.put(key, value)
            expected[key] = value
        db.flush()
        db.put(b"in-the-log", b"only")  # never flushed: repair replays the log
        expected[b"in-the-log"] = b"only"
        with pytest.raises(strata.BusyError):
            strata.repair(db_path)  # not while it is open
    for name in os.listdir(db_path):
        if name == "CURRENT" or name.startswith("MANIFEST-"):
            os.remove(db_path / name)
    report = strata.repair(db_path, background_threads=1)
    assert isinstance(report, str) and "tables" in report
    with strata.open(db_path, create_if_missing=False) as db:
        assert dict(db.items()) == expected
        db.verify()
    assert strata.repair(str(db_path))  # repairing a sound database is harmless
    with strata.open(db_path) as db:
        assert db.get(b"in-the-log") == b"only"
