"""Range reads: items/keys/values over [start, stop), reverse, prefixes,
the explicit cursor, and iterators after db.close()."""

import pytest

import strata

KEYS = [b"", b"a", b"a\x00", b"ab", b"abc", b"b", b"ba", b"c", b"c\xff", b"c\xff\xff",
        b"d\xff\x00"]


@pytest.fixture
def filled(db):
    for i, key in enumerate(KEYS):
        db.put(key, b"v%d" % i)
    return db


def value(key):
    return b"v%d" % KEYS.index(key)


def test_all_items_in_order(filled):
    assert list(filled.items()) == [(k, value(k)) for k in KEYS]
    assert list(filled.keys()) == KEYS
    assert list(filled.values()) == [value(k) for k in KEYS]


@pytest.mark.parametrize("start,stop", [(None, None), (b"a", b"b"), (b"", b"a"), (b"ab", None),
                                        (None, b"ab"), (b"b", b"b"), (b"z", None),
                                        (b"c", b"a"), (b"a\x00", b"c\xff\xff")])
def test_ranges_forward_and_reverse(filled, start, stop):
    expected = [k for k in KEYS if (start is None or k >= start) and (stop is None or k < stop)]
    assert list(filled.keys(start, stop)) == expected
    assert list(filled.keys(start, stop, reverse=True)) == expected[::-1]
    assert list(filled.items(start=start, stop=stop)) == [(k, value(k)) for k in expected]
    assert list(filled.values(start, stop, reverse=True)) == [value(k) for k in expected[::-1]]


@pytest.mark.parametrize("prefix", [b"", b"a", b"ab", b"c\xff", b"d\xff", b"zz", b"a\x00"])
def test_prefixes(filled, prefix):
    expected = [k for k in KEYS if k.startswith(prefix)]
    assert list(filled.keys(prefix=prefix)) == expected
    assert list(filled.keys(prefix=prefix, reverse=True)) == expected[::-1]
    assert list(filled.items(prefix=bytearray(prefix))) == [(k, value(k)) for k in expected]


def test_empty_bound_is_a_real_bound(filled):
    # b"" as stop excludes everything (nothing is < the empty key), unlike None.
    assert list(filled.keys(None, b"")) == []
    assert list(filled.keys(b"", None)) == KEYS


def test_iterator_sees_creation_state(filled):
    walk = filled.items()
    filled.put(b"aa", b"new")
    filled.delete(b"b")
    assert list(walk) == [(k, value(k)) for k in KEYS]
    assert b"aa" in list(filled.keys())


def test_walk_closes_itself_when_exhausted(filled):
    walk = filled.keys(b"a", b"b")
    assert len(list(walk)) == 4
    assert walk.closed
    assert next(walk, None) is None  # still just exhausted


def test_cursor_moves(filled):
    with filled.iterator() as it:
        assert it.prev() is None  # before the first: stays there
        assert it.next() == (b"", value(b""))
        assert it.seek(b"ab") == (b"ab", value(b"ab"))
        assert it.seek(b"abd") == (b"b", value(b"b"))
        assert it.prev() == (b"abc", value(b"abc"))
        assert it.seek_for_prev(b"bz") == (b"ba", value(b"ba"))
        assert it.seek_for_prev(b"ba") == (b"ba", value(b"ba"))
        assert it.last() == (b"d\xff\x00", value(b"d\xff\x00"))
        assert it.next() is None  # off the end...
        assert it.prev() == (b"d\xff\x00", value(b"d\xff\x00"))  # ...and back
        assert it.first() == (b"", value(b""))
        assert it.prev() is None
        assert it.next() == (b"", value(b""))
        assert it.seek(b"zzz") is None
        assert it.seek_for_prev(b"") == (b"", value(b""))
        assert it.seek(bytearray(b"c")) == (b"c", value(b"c"))
        # Python iteration continues from the cursor.
        assert [k for k, _ in it] == [b"c\xff", b"c\xff\xff", b"d\xff\x00"]
        assert it.prev() == (b"d\xff\x00", value(b"d\xff\x00"))  # not closed at the end
    assert it.closed


def test_cursor_targets_clamp_to_range(filled):
    with filled.iterator(b"ab", b"c") as it:
        assert it.seek(b"a") == (b"ab", value(b"ab"))
        assert it.seek(b"zz") is None
        assert it.seek_for_prev(b"zz") == (b"ba", value(b"ba"))
        assert it.seek_for_prev(b"a") is None
        assert it.first() == (b"ab", value(b"ab"))
        assert it.last() == (b"ba", value(b"ba"))
    with filled.iterator(prefix=b"c") as it:
        assert it.last() == (b"c\xff\xff", value(b"c\xff\xff"))
        assert it.seek(b"b") == (b"c", value(b"c"))


def test_reverse_cursor(filled):
    with filled.iterator(b"a", b"b", reverse=True) as it:
        assert list(it) == [(k, value(k)) for k in (b"abc", b"ab", b"a\x00", b"a")]
    with filled.iterator(reverse=True) as it:
        assert it.seek(b"b") == (b"b", value(b"b"))
        assert next(it) == (b"abc", value(b"abc"))  # continues backward from the seek


def test_empty_range_cursor(filled):
    with filled.iterator(b"x", b"y") as it:
        assert it.first() is None and it.last() is None
        assert it.next() is None and it.prev() is None
        assert list(it) == []


def test_closed_iterator_raises(filled):
    it = filled.iterator()
    it.close()
    it.close()
    for move in (it.next, it.prev, it.first, it.last, lambda: it.seek(b"a"),
                 lambda: it.seek_for_prev(b"a"), lambda: next(it)):
        with pytest.raises(strata.InvalidArgumentError, match="closed"):
            move()
    walk = filled.items()
    walk.close()
    assert list(walk) == []  # an items() walk closed early is just over


def test_db_close_closes_its_iterators_and_releases_the_lock(db_path):
    db = strata.open(db_path, memtable_bytes="64K")
    for i in range(3000):
        db.put(b"key%05d" % i, b"value%05d" % i * 4)
    cursor = db.iterator()
    assert cursor.seek(b"key01000") == (b"key01000", b"value01000" * 4)
    walk = db.items()
    half = [next(walk) for _ in range(1500)]
    assert half[-1][0] == b"key01499"
    done = db.keys(prefix=b"key0000")
    assert len(list(done)) == 10  # ended before the close: stays ended
    closed_early = db.values()
    closed_early.close()
    db.close()
    with strata.open(db_path) as again:  # the LOCK is free at once
        assert again.get(b"key00000") == b"value00000" * 4
    for move in (cursor.next, cursor.prev, cursor.first, cursor.last,
                 lambda: cursor.seek(b"a"), lambda: next(cursor)):
        with pytest.raises(strata.ClosedError, match="database was closed"):
            move()
    assert cursor.closed and walk.closed
    # A walk cut short by the close raises rather than end as if the range
    # were over; loops too.
    with pytest.raises(strata.ClosedError, match="database was closed"):
        next(walk)
    with pytest.raises(strata.ClosedError):
        for _ in walk:
            pass
    assert list(done) == [] and list(closed_early) == []
    cursor.close()  # closing again is fine
    walk.close()
    with pytest.raises(strata.ClosedError):
        db.items()  # no new iterators
    with pytest.raises(strata.InvalidArgumentError):  # ClosedError is one
        db.iterator()


def test_closed_error_is_an_invalid_argument_error(db_path):
    assert issubclass(strata.ClosedError, strata.InvalidArgumentError)
    db = strata.open(db_path)
    db.close()
    with pytest.raises(strata.ClosedError, match="closed") as info:
        db.get(b"k")
    assert info.value.status_name == "KV_INVALID_ARGUMENT"
    with pytest.raises(strata.ClosedError):
        db.put(b"k", b"v")
    batch = strata.WriteBatch()
    batch.put(b"k", b"v")
    with pytest.raises(strata.ClosedError):
        db.write(batch)
    batch.close()


def test_iterator_of_a_closed_snapshot_is_closed_with_the_db(db_path):
    db = strata.open(db_path)
    db.put(b"a", b"1")
    snap = db.snapshot()
    cursor = snap.iterator()
    snap.close()
    assert cursor.first() == (b"a", b"1")  # outlives its snapshot
    db.close()
    with pytest.raises(strata.ClosedError):
        cursor.first()
    strata.open(db_path).close()


def test_db_iteration_protocol(filled):
    assert [k for k in filled] == KEYS


def test_walks_read_ahead_in_batches_of_any_size(db):
    # Entries bigger than the read-ahead buffer (copied on their own), small
    # ones around them, and enough entries to pass several batch sizes.
    big = {b"big%d" % i: bytes([i]) * (300_000 + i) for i in range(3)}
    small = {b"small%05d" % i: b"s%d" % i for i in range(1500)}
    for key, value in {**big, **small}.items():
        db.put(key, value)
    expected = sorted({**big, **small}.items())
    assert list(db.items()) == expected
    assert list(db.items(reverse=True)) == expected[::-1]
    assert list(db.keys()) == [k for k, _ in expected]
    assert list(db.values(reverse=True)) == [v for _, v in reversed(expected)]
    walk = db.items()
    assert next(walk) == expected[0]
    assert [next(walk) for _ in range(5)] == expected[1:6]
    walk.close()
    assert next(walk, None) is None


def test_forward_walks_fetch_batches_through_kv_iter_next_batch(db, monkeypatch):
    # One call into C per batch, not per entry: 2000 entries come in a
    # handful of fetches (the batches grow 8, 32, 128, then 256 entries),
    # and in exactly one per entry, plus the one that finds the end, when
    # a batch may hold only one entry. Either way the entries are the same.
    import strata._iterator as iterator_module
    expected = [(b"k%05d" % i, b"v" * (i % 40)) for i in range(2000)]
    for key, val in expected:
        db.put(key, val)
    walk = db.items()
    assert list(walk) == expected
    assert 8 <= walk._fetches <= 12
    monkeypatch.setattr(iterator_module, "_MAX_BATCH", 1)
    walk = db.items(start=b"k00100", stop=b"k00200")
    assert list(walk) == expected[100:200]
    assert walk._fetches == 101
    keys = db.keys(prefix=b"k019")
    assert list(keys) == [k for k, _ in expected[1900:2000]]
    assert keys._fetches == 101
    # Reverse walks move entry by entry inside C, in batches all the same.
    monkeypatch.undo()
    walk = db.values(reverse=True)
    assert list(walk) == [v for _, v in reversed(expected)]
    assert walk._fetches <= 12


def test_walk_shared_by_threads_yields_each_entry_once(db):
    import threading

    for i in range(5000):
        db.put(b"%05d" % i, b"v")
    walk = db.keys()
    seen = [[] for _ in range(4)]

    def drain(out):
        for key in walk:
            out.append(key)

    threads = [threading.Thread(target=drain, args=(out,)) for out in seen]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(sum(seen, [])) == [b"%05d" % i for i in range(5000)]


def test_next_and_for_loops_share_one_walk(db):
    for i in range(1000):
        db.put(b"%04d" % i, b"v")
    walk = db.keys()
    got = [next(walk), next(walk)]
    for key in walk:
        got.append(key)
        if len(got) == 500:
            break
    got.append(next(walk))
    got.extend(walk)  # a second loop goes on where the first stopped
    assert got == [b"%04d" % i for i in range(1000)]
    assert walk.closed
