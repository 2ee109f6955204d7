"""Snapshots and multi-get."""

import threading

import pytest

import strata


def test_snapshot_reads(db):
    db.put(b"a", b"1")
    db.put(b"b", b"1")
    with db.snapshot() as snap:
        db.put(b"a", b"2")
        db.delete(b"b")
        db.put(b"c", b"2")
        assert snap.get(b"a") == b"1" and snap[b"b"] == b"1"
        assert snap.get(b"c") is None and snap.get(b"c", b"d") == b"d"
        assert b"b" in snap and b"c" not in snap
        with pytest.raises(KeyError):
            snap[b"c"]
        assert list(snap.items()) == [(b"a", b"1"), (b"b", b"1")]
        assert list(snap.keys(reverse=True)) == [b"b", b"a"]
        assert list(snap.values(b"b")) == [b"1"]
        assert list(snap.keys(prefix=b"a")) == [b"a"]
        assert snap.multi_get([b"a", b"b", b"c"]) == [b"1", b"1", None]
        assert db.get(b"a", snapshot=snap) == b"1"
        assert list(db.keys(snapshot=snap)) == [b"a", b"b"]
        with snap.iterator() as it:
            assert it.last() == (b"b", b"1")
        assert snap.db is db
    assert db.multi_get([b"a", b"b", b"c"]) == [b"2", None, b"2"]


def test_sequence(db):
    with db.snapshot() as first:
        db.put(b"a", b"1")
        db.put(b"b", b"1")
        with db.snapshot() as second:
            assert second.sequence == first.sequence + 2
            assert str(second.sequence) == db.property("last-sequence")


def test_iterator_outlives_its_snapshot(db):
    db.put(b"a", b"1")
    snap = db.snapshot()
    db.put(b"a", b"2")
    walk = snap.items()
    snap.close()
    assert list(walk) == [(b"a", b"1")]


def test_closed_snapshot(db):
    snap = db.snapshot()
    snap.close()
    snap.close()
    assert snap.closed
    for call in (lambda: snap.get(b"a"), lambda: snap.items(), lambda: snap.multi_get([b"a"]),
                 lambda: snap.sequence, lambda: db.get(b"a", snapshot=snap)):
        with pytest.raises(strata.InvalidArgumentError, match="closed"):
            call()


def test_snapshot_of_another_db(tmp_path):
    with strata.open(tmp_path / "one") as one, strata.open(tmp_path / "two") as two:
        with one.snapshot() as snap:
            with pytest.raises(strata.InvalidArgumentError):
                two.get(b"a", snapshot=snap)
            with pytest.raises(strata.InvalidArgumentError):
                two.items(snapshot=snap)


def test_snapshot_closed_with_its_db(db_path):
    db = strata.open(db_path)
    db.put(b"a", b"1")
    snap = db.snapshot()
    other = db.snapshot()
    other.close()
    db.close()
    assert snap.closed
    with strata.open(db_path) as again:  # the snapshot no longer holds the LOCK
        assert again.get(b"a") == b"1"
    for call in (lambda: snap.get(b"a"), lambda: snap[b"a"], lambda: b"a" in snap,
                 lambda: snap.multi_get([b"a"]), lambda: snap.items(),
                 lambda: snap.iterator(), lambda: snap.sequence):
        with pytest.raises(strata.ClosedError, match="database was closed"):
            call()
    with pytest.raises(strata.ClosedError, match="snapshot is closed") as info:
        other.get(b"a")
    assert "database" not in str(info.value)  # it was closed by itself
    snap.close()  # still fine


def test_snapshot_shared_by_threads_and_closed_meanwhile(db):
    for i in range(200):
        db.put(b"k%03d" % i, b"old")
    snap = db.snapshot()
    for i in range(200):
        db.put(b"k%03d" % i, b"new")
    errors = []
    closed_seen = threading.Event()

    def reader():
        try:
            while True:
                try:
                    values = snap.multi_get([b"k%03d" % i for i in range(200)])
                    assert values == [b"old"] * 200
                    assert snap.get(b"k007") == b"old"
                except strata.InvalidArgumentError as e:
                    assert "closed" in str(e)
                    closed_seen.set()
                    return
        except BaseException as e:  # reported to the main thread
            errors.append(e)

    threads = [threading.Thread(target=reader) for _ in range(4)]
    for t in threads:
        t.start()
    threading.Event().wait(0.2)
    snap.close()  # while readers are inside calls
    for t in threads:
        t.join()
    assert errors == []
    assert closed_seen.is_set()


def test_multi_get(db):
    for i in range(100):
        db.put(b"k%03d" % i, b"v%03d" % i * (i % 5))
    keys = [b"k%03d" % i for i in range(0, 120, 3)] + [b"k000", b"", b"k050"]
    expected = [db.get(k) for k in keys]
    assert db.multi_get(keys) == expected
    assert db.multi_get(iter(keys)) == expected  # any iterable
    assert db.multi_get([]) == []
    assert db.multi_get([b"k005", bytearray(b"k006"), memoryview(b"k007")]) == [
        db.get(b"k005"), db.get(b"k006"), db.get(b"k007")]
    assert db.multi_get([b"k000"]) == [b""]  # empty value, not None
