"""SstWriter and DB.ingest: files written outside the database, then added
to it atomically, moved or copied."""

import os

import pytest

import strata


def write_sst(path, items, **options):
    with strata.SstWriter(path, **options) as writer:
        for key, value in items:
            if value is None:
                writer.delete(key)
            else:
                writer.put(key, value)
    return path


def keys_range(prefix, start, stop):
    return [(b"%s%05d" % (prefix, i), b"v%d" % i) for i in range(start, stop)]


def test_ingested_keys_are_visible_and_newer_than_earlier_writes(db, tmp_path):
    db.put(b"a00003", b"old")
    db.put(b"a00005", b"doomed")
    db.put(b"z", b"untouched")
    sst = write_sst(tmp_path / "one.sst",
                    keys_range(b"a", 0, 5) + [(b"a00005", None)] + keys_range(b"a", 6, 100))
    db.ingest([sst])
    assert db.get(b"a00003") == b"v3"            # newer than the put before
    assert db.get(b"a00005") is None             # the file's tombstone hides it
    assert db.get(b"a00099") == b"v99"
    assert db.get(b"z") == b"untouched"
    assert len(list(db.keys())) == 99 + 1
    db.put(b"a00003", b"after")                  # later writes win over the file
    assert db.get(b"a00003") == b"after"


def test_snapshot_taken_before_does_not_see_the_file(db, tmp_path):
    db.put(b"b00001", b"before")
    sst = write_sst(tmp_path / "one.sst", keys_range(b"b", 0, 10))
    with db.snapshot() as snap:
        db.ingest([sst])
        assert db.get(b"b00001", snapshot=snap) == b"before"
        assert list(db.keys(snapshot=snap)) == [b"b00001"]
        assert db.get(b"b00001") == b"v1"
        assert len(list(db.keys())) == 10


def test_unsorted_put_raises_and_the_writer_stays_usable(tmp_path):
    path = tmp_path / "w.sst"
    with strata.SstWriter(path) as writer:
        writer.put(b"k2", b"x")
        with pytest.raises(strata.InvalidArgumentError):
            writer.put(b"k1", b"x")
        with pytest.raises(strata.InvalidArgumentError):
            writer.put(b"k2", b"again")          # equal is not increasing
        with pytest.raises(strata.InvalidArgumentError):
            writer.delete(b"k0")
        writer.put(b"k3", b"y")
    assert writer.finished and writer.closed
    with strata.open(tmp_path / "db") as db:
        db.ingest([path])
        assert list(db.items()) == [(b"k2", b"x"), (b"k3", b"y")]


def test_exception_in_the_block_removes_the_partial_file(tmp_path):
    path = tmp_path / "partial.sst"
    with pytest.raises(RuntimeError):
        with strata.SstWriter(path) as writer:
            writer.put(b"k", b"v")
            assert path.exists()
            raise RuntimeError("boom")
    assert writer.closed and not writer.finished
    assert not path.exists()


def test_explicit_finish_and_close(tmp_path):
    path = tmp_path / "w.sst"
    writer = strata.SstWriter(path, block_bytes=1024, compression="none")
    writer.put(b"k", b"v")
    writer.finish()
    with pytest.raises(strata.InvalidArgumentError):
        writer.put(b"l", b"v")                   # only close() after finish
    writer.close()
    writer.close()                               # twice is fine
    with pytest.raises(strata.ClosedError):
        writer.put(b"m", b"v")
    assert path.exists()                         # finished: kept


def test_finish_with_nothing_added_raises(tmp_path):
    writer = strata.SstWriter(tmp_path / "empty.sst")
    with pytest.raises(strata.InvalidArgumentError):
        writer.finish()
    writer.close()
    assert not (tmp_path / "empty.sst").exists()


def test_bad_option_raises_and_writes_nothing(tmp_path):
    with pytest.raises(strata.InvalidArgumentError):
        strata.SstWriter(tmp_path / "w.sst", no_such_option=1)
    assert not (tmp_path / "w.sst").exists()


def test_overlapping_files_are_refused_and_nothing_changes(db, tmp_path):
    db.put(b"c00001", b"mine")
    first = write_sst(tmp_path / "1.sst", keys_range(b"c", 0, 50))
    second = write_sst(tmp_path / "2.sst", keys_range(b"c", 40, 90))
    sequence = db.property("last-sequence")
    tables = db.property("sstables")
    with pytest.raises(strata.InvalidArgumentError):
        db.ingest([first, second], move=True)
    assert list(db.items()) == [(b"c00001", b"mine")]
    assert db.property("last-sequence") == sequence
    assert db.property("sstables") == tables
    assert first.exists() and second.exists()    # refused: not moved


def test_unfinished_file_is_refused(db, tmp_path):
    path = tmp_path / "w.sst"
    writer = strata.SstWriter(path)
    writer.put(b"k", b"v")
    try:
        with pytest.raises(strata.CorruptionError):
            db.ingest([path])
        assert db.get(b"k") is None
    finally:
        writer.close()


def test_move_removes_the_source_and_copy_keeps_it(db, tmp_path):
    moved = write_sst(tmp_path / "moved.sst", keys_range(b"d", 0, 20))
    copied = write_sst(tmp_path / "copied.sst", keys_range(b"e", 0, 20))
    copied_bytes = copied.read_bytes()
    db.ingest([moved], move=True)
    assert not moved.exists()
    db.ingest([copied])
    assert copied.read_bytes() == copied_bytes
    assert len(list(db.keys(prefix=b"d"))) == 20
    assert len(list(db.keys(prefix=b"e"))) == 20
    db.put(b"e00003", b"newer")
    db.ingest([copied])                          # the kept copy can go in again,
    assert db.get(b"e00003") == b"v3"            # newer than the put


def test_several_files_at_once_and_after_reopen(db_path, tmp_path):
    files = [write_sst(tmp_path / f"{i}.sst", keys_range(b"f%d-" % i, 0, 300))
             for i in range(3)]
    with strata.open(db_path) as db:
        db.put(b"f1-00007", b"older")
        db.ingest(files, move=True)
        assert db.get(b"f1-00007") == b"v7"
    with strata.open(db_path) as db:
        assert len(list(db.keys())) == 900
        assert db.get(b"f1-00007") == b"v7"
        assert db.get(b"f2-00299") == b"v299"
        db.compact_range()
        db.verify()
        assert db.get(b"f0-00000") == b"v0"


def test_ingest_takes_a_list_not_one_path(db, tmp_path):
    sst = write_sst(tmp_path / "one.sst", [(b"k", b"v")])
    with pytest.raises(TypeError):
        db.ingest(str(sst))
    with pytest.raises(TypeError):
        db.ingest(sst)
    db.ingest([os.fsencode(sst)])                # bytes paths work
    assert db.get(b"k") == b"v"


def test_ingest_on_a_closed_database_raises_closed_error(db_path, tmp_path):
    sst = write_sst(tmp_path / "one.sst", [(b"k", b"v")])
    db = strata.open(db_path)
    db.close()
    with pytest.raises(strata.ClosedError):
        db.ingest([sst])
