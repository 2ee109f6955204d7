"""Threads: concurrent writers and readers on one DB, close from another
thread, and proof that the GIL is released during engine calls."""

import sys
import threading
import time

import pytest

import strata


def run_threads(targets):
    errors = []

    def wrap(fn):
        def run():
            try:
                fn()
            except BaseException as e:  # reported to the main thread
                errors.append(e)
        return run

    threads = [threading.Thread(target=wrap(fn)) for fn in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
        assert not t.is_alive(), "a thread hung"
    if errors:
        raise errors[0]


def test_concurrent_writers_and_readers(tmp_path):
    with strata.open(tmp_path / "db", memtable_bytes="256K") as db:
        writers, rounds = 4, 300
        done = threading.Event()

        def writer(w):
            def run():
                for r in range(rounds):
                    # A pair written atomically: readers must never see them differ.
                    with db.write_batch() as batch:
                        batch.put(b"pair/%d/a" % w, b"%d" % r)
                        batch.put(b"pair/%d/b" % w, b"%d" % r)
                    db.put(b"w%d/%05d" % (w, r), b"x" * (r % 50))
                    if r % 7 == 0:
                        db.delete(b"w%d/%05d" % (w, r - 7))
            return run

        def reader():
            seen = 0
            while not done.is_set() or seen < 50:
                seen += 1
                for w in range(writers):
                    with db.snapshot() as snap:
                        a, b = snap.multi_get([b"pair/%d/a" % w, b"pair/%d/b" % w])
                        assert a == b
                    items = list(db.items(prefix=b"pair/%d/" % w))
                    if items:
                        assert items[0][1] == items[1][1]
                keys = list(db.keys(b"w0/", b"w0/\xff"))
                assert keys == sorted(keys)

        def writers_then_done():
            run_threads([writer(w) for w in range(writers)])
            done.set()

        run_threads([writers_then_done] + [reader for _ in range(3)])
        for w in range(writers):
            assert db.get(b"pair/%d/a" % w) == b"%d" % (rounds - 1)
            kept = [k for k in db.keys(prefix=b"w%d/" % w)]
            expected = [b"w%d/%05d" % (w, r) for r in range(rounds)
                        if not (r + 7 < rounds and (r + 7) % 7 == 0)]
            assert kept == expected


def test_close_from_another_thread_while_others_work(tmp_path):
    db = strata.open(tmp_path / "db")
    stop_errors = []
    started = threading.Barrier(5)

    def worker(i):
        def run():
            started.wait()
            n = 0
            while True:
                try:
                    db.put(b"%d/%d" % (i, n), b"v")
                    db.get(b"%d/%d" % (i, n // 2))
                    list(db.keys(prefix=b"%d/" % i, reverse=True))[:1]
                    n += 1
                except strata.InvalidArgumentError as e:
                    stop_errors.append(str(e))
                    return
        return run

    def closer():
        started.wait()
        time.sleep(0.2)
        db.close()

    run_threads([worker(i) for i in range(4)] + [closer])
    assert len(stop_errors) == 4 and all("closed" in e for e in stop_errors)
    with strata.open(tmp_path / "db") as again:  # everything shut down cleanly
        assert again.get(b"0/0") == b"v"


def test_iterator_closed_from_another_thread(db):
    for i in range(5000):
        db.put(b"%05d" % i, b"v")
    it = db.iterator()
    outcome = []

    def walk():
        try:
            for _ in it:
                pass
            outcome.append("finished")
        except strata.InvalidArgumentError:
            outcome.append("closed")

    t = threading.Thread(target=walk)
    t.start()
    it.close()  # either before, during or after the walk: never a crash
    t.join()
    assert outcome in (["finished"], ["closed"])


def test_other_threads_run_during_an_engine_call(tmp_path):
    """The GIL is released inside engine calls: while one thread is in a long
    kv_multi_get, another thread keeps counting. The switch interval is raised
    (to 30 s, far beyond the call) so that the counting thread could not get the GIL any other way: if the
    call held the GIL, the count would not move at all."""
    with strata.open(tmp_path / "db") as db:
        with db.write_batch() as batch:
            for i in range(20000):
                batch.put(b"key%06d" % i, b"v" * 20)
        keys = [b"key%06d" % (i % 25000) for i in range(200000)]
        count = 0
        stop = False

        def counter():
            nonlocal count
            while not stop:
                count += 1
                time.sleep(0)  # gives the GIL back at once when the main thread wants it

        old_interval = sys.getswitchinterval()
        t = threading.Thread(target=counter)
        t.start()
        try:
            time.sleep(0.05)  # let the counter start
            sys.setswitchinterval(30.0)
            before = count
            started = time.perf_counter()
            values = db.multi_get(keys)
            elapsed = time.perf_counter() - started
            progress = count - before
        finally:
            sys.setswitchinterval(old_interval)
            stop = True
            t.join()
        assert values[0] == b"v" * 20 and values[-1] is None
        assert elapsed < 25, "the call took too long for this test to tell anything"
        assert progress >= 100, (
            f"another thread made {progress} steps during a {elapsed:.2f}s engine call: "
            "the GIL was held")


def test_every_generated_wrapper_releases_the_gil(tmp_path):
    """cffi's generated code for the extension: every wrapper of a C
    function releases the GIL around the call (none was declared to keep it)."""
    import importlib.util
    import re

    from conftest import REPO_ROOT

    builder_path = REPO_ROOT / "bindings" / "python" / "strata_build" / "ffi_builder.py"
    spec = importlib.util.spec_from_file_location("strata_ffi_builder", builder_path)
    builder = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(builder)
    source = tmp_path / "generated.c"
    builder.ffibuilder.emit_c_code(str(source))
    wrappers = re.split(r"\n(?=static PyObject \*\n_cffi_f_)", source.read_text())[1:]
    assert len(wrappers) >= 48
    for wrapper in wrappers:
        name = re.search(r"_cffi_f_(\w+)", wrapper).group(1)
        assert "Py_BEGIN_ALLOW_THREADS" in wrapper, f"{name} keeps the GIL"


def test_close_while_other_threads_open_iterators_and_snapshots(tmp_path):
    # Threads keep making cursors, walks and snapshots while another closes
    # the database. Whatever each thread was doing, the handles it holds end
    # with ClosedError, none is left pinning the engine, and the directory
    # opens again right after close() returns.
    path = tmp_path / "db"
    for round_ in range(5):
        db = strata.open(path)
        for i in range(200):
            db.put(b"%03d" % i, b"v")
        started = threading.Barrier(5)
        errors = []
        held = []

        def maker(i):
            def run():
                started.wait()
                try:
                    while True:
                        kind = len(held) % 3
                        if kind == 0:
                            handle = db.iterator()
                            handle.first()
                        elif kind == 1:
                            handle = db.items()
                            next(handle)
                        else:
                            handle = db.snapshot()
                            handle.get(b"001")
                        held.append(handle)
                except strata.ClosedError:
                    return
                except BaseException as e:
                    errors.append(e)
            return run

        def closer():
            started.wait()
            time.sleep(0.05)
            db.close()

        run_threads([maker(i) for i in range(4)] + [closer])
        assert errors == []
        with strata.open(path) as again:
            assert again.get(b"199") == b"v"
        assert held, "no handle was made before the close"
        assert all(h.closed for h in held)
