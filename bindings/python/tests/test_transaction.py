"""Optimistic transactions, read-only opens and approximate sizes."""

import multiprocessing
import os
import threading

import pytest

import strata


# ---- Transactions -------------------------------------------------------------


def test_reads_own_writes_and_the_snapshot_then_commits(db):
    db.put(b"a", b"1")
    db.put(b"gone", b"x")
    with db.transaction() as txn:
        assert txn.get(b"a") == b"1"
        txn.put(b"a", b"2")
        txn[b"b"] = b""
        del txn[b"gone"]
        assert txn[b"a"] == b"2" and txn.get(b"b") == b""
        assert txn.get(b"gone") is None and txn.get(b"gone", b"d") == b"d"
        with pytest.raises(KeyError):
            txn[b"gone"]
        assert db.get(b"a") == b"1" and db.get(b"b") is None  # not yet applied
    assert db.get(b"a") == b"2" and db.get(b"b") == b"" and db.get(b"gone") is None
    # Reads are as of the begin (and reading a key changed since conflicts).
    txn = db.transaction()
    db.put(b"a", b"3")
    db.put(b"later", b"v")
    assert txn.get(b"a") == b"2" and txn.get(b"later") is None
    with pytest.raises(strata.ConflictError):
        txn.commit()
    txn.close()


def test_conflict_raises_and_applies_nothing(db):
    db.put(b"balance", b"10")
    with pytest.raises(strata.ConflictError) as info:
        with db.transaction() as txn:
            assert txn.get(b"balance") == b"10"
            txn.put(b"other", b"x")
            db.put(b"balance", b"99")  # someone else wins the race
    assert info.value.status == -8 and info.value.status_name == "KV_CONFLICT"
    assert isinstance(info.value, strata.Error)
    assert db.get(b"other") is None and db.get(b"balance") == b"99"


def test_conflict_on_a_written_key_and_finished_state(db):
    txn = db.transaction()
    txn.put(b"k", b"mine")
    db.put(b"k", b"theirs")
    with pytest.raises(strata.ConflictError):
        txn.commit()
    with pytest.raises(strata.InvalidArgumentError, match="finished"):
        txn.put(b"k", b"again")
    txn.close()
    txn.close()  # twice is fine
    with pytest.raises(strata.ClosedError):
        txn.get(b"k")
    assert db.get(b"k") == b"theirs"


def test_exception_discards_and_explicit_commit_is_not_repeated(db):
    with pytest.raises(RuntimeError):
        with db.transaction() as txn:
            txn.put(b"k", b"v")
            raise RuntimeError("boom")
    assert txn.closed and db.get(b"k") is None
    with db.transaction() as txn:
        txn.put(b"k", b"v")
        txn.commit()
    assert db.get(b"k") == b"v"


def test_untouched_keys_do_not_conflict(db):
    with db.transaction() as txn:
        txn.get(b"mine")
        txn.put(b"mine", b"1")
        db.put(b"min", b"x")
        db.put(b"mine0", b"x")
    assert db.get(b"mine") == b"1"


def test_close_of_the_database_closes_its_transactions(db_path):
    db = strata.open(db_path)
    txn = db.transaction()
    txn.put(b"k", b"v")
    db.close()
    with pytest.raises(strata.ClosedError, match="database was closed"):
        txn.commit()
    with strata.open(db_path) as again:  # the LOCK was released
        assert again.get(b"k") is None


def test_threads_incrementing_counters_with_retries_are_exact(db):
    counters = [b"c%d" % i for i in range(3)]
    for c in counters:
        db.put(c, b"0")
    threads, increments = 4, 150
    conflicts = []

    def work(seed):
        n = 0
        for i in range(increments):
            a = counters[(seed + i) % 3]
            b = counters[(seed + i + 1) % 3]
            while True:
                try:
                    with db.transaction() as txn:
                        for key in (a, b):
                            txn.put(key, b"%d" % (int(txn[key]) + 1))
                    break
                except strata.ConflictError:
                    n += 1
        conflicts.append(n)

    pool = [threading.Thread(target=work, args=(t,)) for t in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    assert sum(int(db[c]) for c in counters) == 2 * threads * increments
    assert len(conflicts) == threads


# ---- Read-only opens ---------------------------------------------------------


def _listing(path):
    return {name: (os.stat(path / name).st_size, os.stat(path / name).st_mtime_ns)
            for name in os.listdir(path)} | {".": os.stat(path).st_mtime_ns}


def _read_in_child(path, queue):
    try:
        with strata.open(path, read_only=True) as db:
            queue.put(db.get(b"k"))
    except strata.Error as e:
        queue.put(e.status_name)


def test_read_only_handles_share_and_exclude_a_writer(db_path):
    with strata.open(db_path) as db:
        db.put(b"k", b"in the log only")
    before = _listing(db_path)
    with strata.open(db_path, read_only=True) as a, strata.open(db_path, read_only=True) as b:
        assert a.options["read_only"] == "true"
        assert a.get(b"k") == b"in the log only" and b[b"k"] == b"in the log only"
        with pytest.raises(strata.BusyError):
            strata.open(db_path)
        # Another process shares the lock too.
        ctx = multiprocessing.get_context("spawn")
        queue = ctx.Queue()
        child = ctx.Process(target=_read_in_child, args=(str(db_path), queue))
        child.start()
        assert queue.get(timeout=60) == b"in the log only"
        child.join()
        for call in (lambda: a.put(b"x", b"y"), lambda: a.delete(b"k"), a.flush,
                     a.compact_range, a.transaction):
            with pytest.raises(strata.NotSupportedError, match="read-only"):
                call()
        a.wait_compactions()
    assert _listing(db_path) == before
    with strata.open(db_path) as writer:
        with pytest.raises(strata.BusyError):
            strata.open(db_path, read_only=True)
        writer.put(b"k", b"2")


def test_read_only_creates_nothing(tmp_path):
    missing = tmp_path / "missing"
    with pytest.raises(strata.InvalidArgumentError):
        strata.open(missing, read_only=True)
    assert not missing.exists()


# ---- Approximate sizes -------------------------------------------------------


def test_approximate_size(db):
    assert db.approximate_size() == 0
    value = os.urandom(1000)
    for i in range(2000):
        db.put(b"k%05d" % i, value)
    db.flush()
    everything = db.approximate_size()
    assert 2000 * 1000 < everything < 2000 * 1200
    half = db.approximate_size(b"k00000", b"k01000")
    assert everything * 0.4 < half < everything * 0.6
    assert db.approximate_size(b"k00500", b"k00500") == 0
    assert db.approximate_size(b"z") == 0 and db.approximate_size(None, b"a") == 0
    with pytest.raises(TypeError):
        db.approximate_size("k")
