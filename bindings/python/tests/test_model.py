"""A randomized model test: random puts, deletes and batches against a dict,
with reopens (small memtables, so flushes and compactions happen), checking
point reads, multi-get, ranges forward and reverse, prefixes, cursors and
snapshots against the model. Seeded; STRATA_PY_SEED picks other seeds."""

import bisect
import os
import random

import pytest

import strata

SEEDS = [int(s) for s in os.environ.get("STRATA_PY_SEED", "1,2,3").split(",")]


def random_key(rng):
    # A small alphabet with 0x00 and 0xff so keys share prefixes and hit the
    # byte-order edge cases.
    return bytes(rng.choice(b"\x00ab\xff") for _ in range(rng.randint(0, 5)))


def random_value(rng):
    return rng.randbytes(rng.choice((0, 1, 8, 100, 3000)))


def in_range(model_keys, start, stop):
    lo = 0 if start is None else bisect.bisect_left(model_keys, start)
    hi = len(model_keys) if stop is None else bisect.bisect_left(model_keys, stop)
    return model_keys[lo:max(lo, hi)]


def check(db, model, rng, snap=None, snap_model=None):
    keys = sorted(model)
    # Point reads, some absent.
    probes = [random_key(rng) for _ in range(30)] + rng.sample(keys, min(30, len(keys)))
    for key in probes:
        assert db.get(key) == model.get(key)
    assert db.multi_get(probes) == [model.get(k) for k in probes]
    # Ranges both ways.
    for _ in range(8):
        start = rng.choice([None, random_key(rng)])
        stop = rng.choice([None, random_key(rng)])
        expected = in_range(keys, start, stop)
        assert list(db.keys(start, stop)) == expected
        assert list(db.items(start, stop, reverse=True)) == [(k, model[k]) for k in
                                                             reversed(expected)]
    # Prefixes.
    for _ in range(5):
        prefix = random_key(rng)[:2]
        expected = [k for k in keys if k.startswith(prefix)]
        assert list(db.keys(prefix=prefix)) == expected
        assert list(db.values(prefix=prefix, reverse=True)) == [model[k] for k in
                                                                reversed(expected)]
    # A cursor: seeks land where bisect says.
    with db.iterator() as it:
        for _ in range(10):
            target = random_key(rng)
            i = bisect.bisect_left(keys, target)
            assert it.seek(target) == ((keys[i], model[keys[i]]) if i < len(keys) else None)
            j = bisect.bisect_right(keys, target) - 1
            assert it.seek_for_prev(target) == ((keys[j], model[keys[j]]) if j >= 0 else None)
            if j >= 1:
                assert it.prev() == (keys[j - 1], model[keys[j - 1]])
    # The snapshot still shows its moment.
    if snap is not None:
        snap_keys = sorted(snap_model)
        assert list(snap.items()) == [(k, snap_model[k]) for k in snap_keys]
        for key in probes[:10]:
            assert snap.get(key) == snap_model.get(key)
        prefix = random_key(rng)[:1]
        assert list(snap.keys(prefix=prefix, reverse=True)) == [
            k for k in reversed(snap_keys) if k.startswith(prefix)]


@pytest.mark.parametrize("seed", SEEDS)
def test_random_operations_match_a_dict(tmp_path, seed):
    rng = random.Random(seed)
    path = tmp_path / "db"
    options = dict(memtable_bytes="32K", memtable=rng.choice(["skiplist", "rbtree", "avl"]),
                   block_bytes=512, compression=rng.choice(["none", "lz4", "zstd"]))
    model: dict = {}
    db = strata.open(path, **options)
    snap = snap_model = None
    try:
        for round_ in range(6):
            for _ in range(400):
                op = rng.random()
                if op < 0.55:
                    key, value = random_key(rng), random_value(rng)
                    db.put(key, value, sync=rng.random() < 0.01)
                    model[key] = value
                elif op < 0.75:
                    key = rng.choice(list(model)) if model and rng.random() < 0.7 \
                        else random_key(rng)
                    db.delete(key)
                    model.pop(key, None)
                else:
                    with db.write_batch() as batch:
                        for _ in range(rng.randint(1, 10)):
                            key = random_key(rng)
                            if rng.random() < 0.7:
                                value = random_value(rng)
                                batch.put(key, value)
                                model[key] = value
                            else:
                                batch.delete(key)
                                model.pop(key, None)
                if snap is None and rng.random() < 0.005:
                    snap, snap_model = db.snapshot(), dict(model)
            check(db, model, rng, snap, snap_model)
            if rng.random() < 0.3:
                db.compact_range()
            if round_ % 2 == 1:  # reopen
                if snap is not None:
                    snap.close()
                    snap = snap_model = None
                db.close()
                db = strata.open(path, **options)
                check(db, model, rng)
    finally:
        if snap is not None:
            snap.close()
        db.close()
    with strata.open(path) as db:
        assert dict(db.items()) == model
