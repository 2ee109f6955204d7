"""Finalizers are a safety net: handles dropped without close() are freed,
in any order, and the directory is released."""

import gc
import subprocess
import sys
import textwrap

import strata


def test_dropped_db_is_closed(db_path):
    db = strata.open(db_path)
    db.put(b"k", b"v")
    del db
    gc.collect()
    with strata.open(db_path) as again:  # LOCK released by the finalizer
        assert again.get(b"k") == b"v"


def test_dropped_handles_in_any_order(db_path):
    db = strata.open(db_path)
    for i in range(100):
        db.put(b"%03d" % i, b"v")
    walk = db.items()
    cursor = db.iterator()
    snap = db.snapshot()
    batch = db.write_batch()
    batch.put(b"never", b"written")
    assert next(walk) == (b"000", b"v")
    del db  # the database goes first: the others keep working
    gc.collect()
    assert cursor.last() == (b"099", b"v")
    assert len(list(walk)) == 99
    del cursor, snap, batch, walk
    gc.collect()
    with strata.open(db_path) as again:
        assert again.get(b"never") is None
        assert len(list(again.keys())) == 100


def test_interpreter_exit_with_open_handles(tmp_path):
    # Nothing closed explicitly, handles in reference cycles: the process
    # must exit cleanly and the data must be there afterwards.
    script = textwrap.dedent(f"""
        import strata
        db = strata.open({str(tmp_path / 'db')!r})
        db.put(b"k", b"v")
        it = db.items()
        snap = db.snapshot()
        cycle = [db, it, snap]
        cycle.append(cycle)
    """)
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)
    with strata.open(tmp_path / "db") as db:
        assert db.get(b"k") == b"v"
