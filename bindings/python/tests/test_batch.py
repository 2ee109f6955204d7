"""WriteBatch: atomic on exit, discarded on exception, reusable."""

import pytest

import strata


def test_written_on_exit(db):
    db.put(b"gone", b"x")
    with db.write_batch() as batch:
        batch.put(b"a", b"1")
        batch[b"b"] = b"2"
        batch.delete(b"gone")
        del batch[b"nothing"]
        assert len(batch) == 4
        assert db.get(b"a") is None  # nothing visible before the write
    assert batch.closed
    assert dict(db.items()) == {b"a": b"1", b"b": b"2"}


def test_discarded_on_exception(db):
    with pytest.raises(KeyError):
        with db.write_batch() as batch:
            batch.put(b"a", b"1")
            raise KeyError("boom")
    assert batch.closed
    assert db.get(b"a") is None


def test_later_operations_win(db):
    with db.write_batch() as batch:
        batch.put(b"k", b"1")
        batch.delete(b"k")
        batch.put(b"k", b"3")
        batch.put(b"j", b"1")
        batch.delete(b"j")
    assert db.get(b"k") == b"3" and db.get(b"j") is None


def test_sync_batch_survives_reopen(db_path):
    with strata.open(db_path) as db:
        with db.write_batch(sync=True) as batch:
            for i in range(50):
                batch.put(b"%02d" % i, b"v")
    with strata.open(db_path) as db:
        assert len(list(db.keys())) == 50


def test_batch_is_atomic_for_a_snapshot(db):
    with db.snapshot() as before:
        with db.write_batch() as batch:
            batch.put(b"x", b"1")
            batch.put(b"y", b"1")
        assert before.multi_get([b"x", b"y"]) == [None, None]
    assert db.multi_get([b"x", b"y"]) == [b"1", b"1"]


def test_explicit_batch_write_clear_reuse(db):
    batch = db.write_batch()
    batch.put(b"a", b"1")
    batch.write()
    batch.write()  # writing twice is allowed
    assert db.get(b"a") == b"1"
    batch.clear()
    assert len(batch) == 0
    batch.put(b"b", b"2")
    db.write(batch, sync=True)
    assert db.get(b"b") == b"2"
    batch.close()
    batch.close()
    with pytest.raises(strata.InvalidArgumentError, match="closed"):
        batch.put(b"c", b"3")
    with pytest.raises(strata.InvalidArgumentError, match="closed"):
        len(batch)
    with pytest.raises(strata.InvalidArgumentError, match="closed"):
        db.write(batch)


def test_standalone_batch(db):
    batch = strata.WriteBatch()
    batch.put(b"s", b"1")
    with pytest.raises(TypeError, match="db.write"):
        batch.write()
    db.write(batch)
    assert db.get(b"s") == b"1"
    batch.close()


def test_empty_batch(db):
    with db.write_batch():
        pass
    assert list(db.items()) == []
