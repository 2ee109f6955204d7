"""delete_range on the database and in a batch: what it hides, from whom, and
that it survives a flush, a reopen and a compaction."""

import pytest

import strata


def fill(db, n=500):
    with db.write_batch() as batch:
        for i in range(n):
            batch.put(b"k%05d" % i, b"v%d" % i)


def test_delete_range_hides_the_range_from_reads_and_scans(db):
    fill(db)
    db.delete_range(b"k00100", b"k00200")
    assert db.get(b"k00099") == b"v99"
    assert db.get(b"k00100") is None
    assert db.get(b"k00199") is None
    assert db.get(b"k00200") == b"v200"
    keys = list(db.keys())
    assert len(keys) == 400
    assert b"k00150" not in keys
    assert list(db.keys(reverse=True)) == keys[::-1]
    assert db.multi_get([b"k00099", b"k00100"]) == [b"v99", None]


def test_snapshot_taken_before_still_sees_the_keys(db):
    fill(db, 50)
    with db.snapshot() as snap:
        db.delete_range(b"k", b"l")
        assert list(db.keys()) == []
        assert db.get(b"k00007", snapshot=snap) == b"v7"
        assert len(list(db.keys(snapshot=snap))) == 50


def test_empty_or_reversed_range_is_a_no_op(db):
    fill(db, 10)
    before = db.property("last-sequence")
    db.delete_range(b"k00005", b"k00005")
    db.delete_range(b"k00009", b"k00001")
    assert db.property("last-sequence") == before
    assert len(list(db.keys())) == 10


def test_batch_delete_range_is_ordered_with_the_batch(db):
    fill(db, 10)
    with db.write_batch() as batch:
        batch.put(b"k00020", b"before")
        batch.delete_range(b"k00000", b"k00030")
        batch.put(b"k00005", b"after")
        batch.delete_range(b"z", b"a")  # reversed: adds nothing
        assert len(batch) == 3
    assert list(db.items()) == [(b"k00005", b"after")]


def test_survives_reopen_and_compaction_drops_the_tombstone(db_path):
    with strata.open(db_path) as db:
        fill(db)
        db.delete_range(b"k00000", b"k00400")
    with strata.open(db_path) as db:
        assert len(list(db.keys())) == 100
        db.flush()
        assert db.property("range-deletions") == "1"
        db.compact_range()
        assert db.property("range-deletions") == "0"
        assert db.get(b"k00399") is None
        assert db.get(b"k00400") == b"v400"


def test_bad_arguments(db):
    with pytest.raises(TypeError):
        db.delete_range("a", b"b")
    with pytest.raises(strata.InvalidArgumentError):
        db.delete_range(b"a", b"x" * 70000)
    db.close()
    with pytest.raises(strata.ClosedError):
        db.delete_range(b"a", b"b")
