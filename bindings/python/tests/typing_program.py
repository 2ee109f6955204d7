"""A user program that makes every call docs/PYTHON.md documents, written the
way a user of type hints writes it: `mypy --strict` must accept it as it is
(test_typing.py checks that), and it runs, checking what each call returns.

The annotations on the left of each assignment are the point: they pin the
type each call is declared to return, so a declaration that grows looser
(Any) or wrong fails the check, and a call a user may make with the types
the docs promise (a snapshot= on get, an array or mmap as a key, bytes
bounds on a snapshot's walks) must type-check.

    python typing_program.py DIR      # DIR: an empty directory
"""

from __future__ import annotations

import array
import mmap
import os
import sys
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Tuple, Union

import strata


def keys_values(db: strata.DB, path: Path) -> None:
    db.put(b"apple", b"red")
    db[b"banana"] = b"yellow"
    db.put(b"k", b"v", sync=True)
    db.put(bytearray(b"cherry"), memoryview(b"dark red"))
    db.put(array.array("B", b"date"), b"")
    with open(path / "key-file", "w+b") as f:
        f.write(b"fig")
        f.flush()
        with mmap.mmap(f.fileno(), 0) as mapped:
            db.put(mapped, b"purple")
            found: Optional[bytes] = db.get(mapped)
            assert found == b"purple"

    value: Optional[bytes] = db.get(b"apple")
    assert value == b"red"
    absent: Optional[bytes] = db.get(b"nope")
    assert absent is None
    with_default: bytes = db.get(b"nope", b"?")
    assert with_default == b"?"
    other_default: Union[bytes, int] = db.get(b"nope", 0)
    assert other_default == 0
    item: bytes = db[b"banana"]
    assert item == b"yellow"
    try:
        db[b"nope"]
    except KeyError:
        pass
    present: bool = b"apple" in db
    assert present
    db.delete(b"banana")
    db.delete(b"banana", sync=True)
    del db[b"k"]
    many: List[Optional[bytes]] = db.multi_get([b"apple", b"nope", bytearray(b"cherry")])
    assert many == [b"red", None, b"dark red"]


def batches(db: strata.DB) -> None:
    with db.write_batch() as batch:
        batch.put(b"fruit:kiwi", b"green")
        batch[b"fruit:lime"] = b"green"
        batch.delete(b"apple")
        del batch[b"nothing"]
        count: int = len(batch)
        assert count == 4
    with db.write_batch(sync=True) as synced:
        synced.put(b"apple", b"red")
    reused = db.write_batch()
    reused.put(b"x", b"1")
    reused.write()
    reused.clear()
    reused.close()
    closed: bool = reused.closed
    assert closed
    free = strata.WriteBatch()
    free.put(b"y", b"2")
    db.write(free)
    db.write(free, sync=True)
    free.close()


def walks(db: strata.DB) -> None:
    pairs: List[Tuple[bytes, bytes]] = list(db.items())
    assert (b"apple", b"red") in pairs
    fruit: Dict[bytes, bytes] = dict(db.items(prefix=b"fruit:"))
    assert fruit == {b"fruit:kiwi": b"green", b"fruit:lime": b"green"}
    keys: List[bytes] = list(db.keys(b"b", b"f", reverse=True))
    assert keys == [b"date", b"cherry"]
    values: List[bytes] = list(db.values(bytearray(b"a"), memoryview(b"b")))
    assert values == [b"red"]
    every_key: List[bytes] = [key for key in db]
    assert every_key == sorted(every_key)
    walk: strata.RangeIterator[bytes] = db.values(prefix=b"fruit:")
    with walk:
        first: Optional[bytes] = next(walk, None)
        assert first == b"green"
    ended: bool = walk.closed
    assert ended
    lazy: Iterator[Tuple[bytes, bytes]] = iter(db.items(b"a", None))
    assert next(lazy) == (b"apple", b"red")

    with db.iterator(prefix=b"fruit:") as it:
        entry: Optional[Tuple[bytes, bytes]] = it.seek(b"fruit:l")
        assert entry == (b"fruit:lime", b"green")
        assert it.seek_for_prev(bytearray(b"fruit:l")) == (b"fruit:kiwi", b"green")
        assert it.prev() is None
        assert it.next() == (b"fruit:kiwi", b"green")
        assert it.first() == (b"fruit:kiwi", b"green")
        assert it.last() == (b"fruit:lime", b"green")
        cursor: strata.Iterator = it
        rest: List[Tuple[bytes, bytes]] = [pair for pair in cursor]
        assert rest == []
    with db.iterator(b"a", b"d", reverse=True) as backward:
        assert [key for key, _ in backward] == [b"cherry", b"apple"]


def snapshots(db: strata.DB) -> None:
    with db.snapshot() as snap:
        db.put(b"date", b"brown")
        old: Optional[bytes] = snap.get(b"date")
        assert old == b""
        old_default: bytes = snap.get(b"nope", b"?")
        assert old_default == b"?"
        at_snapshot: Optional[bytes] = db.get(b"date", snapshot=snap)
        assert at_snapshot == b""
        at_snapshot_default: Union[bytes, str] = db.get(b"nope", "absent", snapshot=snap)
        assert at_snapshot_default == "absent"
        indexed: bytes = snap[b"date"]
        assert indexed == b""
        assert b"date" in snap
        listed: List[Optional[bytes]] = snap.multi_get([b"date", b"fruit:kiwi", b"nope"])
        assert listed == [b"", b"green", None]
        assert db.multi_get([b"date"], snapshot=snap) == [b""]
        snap_items: List[Tuple[bytes, bytes]] = list(snap.items(b"d", b"e"))
        assert snap_items == [(b"date", b"")]
        snap_keys: List[bytes] = list(snap.keys(prefix=b"fruit:", reverse=True))
        assert snap_keys == [b"fruit:lime", b"fruit:kiwi"]
        snap_values: List[bytes] = list(snap.values(bytearray(b"d"), b"e"))
        assert snap_values == [b""]
        assert list(db.items(b"d", b"e", snapshot=snap)) == [(b"date", b"")]
        with snap.iterator(prefix=b"fruit:") as it:
            assert it.first() == (b"fruit:kiwi", b"green")
        sequence: int = snap.sequence
        assert sequence > 0
        owner: strata.DB = snap.db
        assert owner is db
    assert snap.closed


def maintenance(db: strata.DB, path: Path) -> None:
    db.flush()
    db.compact_range()
    db.compact_range(b"a", b"z")
    db.wait_compactions()
    stats: str = db.stats()
    prop: str = db.property("num-files-at-level0")
    assert stats and prop.isdigit()
    db.checkpoint(path / "checkpoint")
    db.verify()
    opened_with: Dict[str, str] = db.options
    assert opened_with["memtable_bytes"] == str(16 << 20)
    where: str = db.path
    assert where.endswith("db")


def errors(path: Path) -> None:
    try:
        strata.open(path / "db")  # already open
    except strata.BusyError as e:
        status: int = e.status
        name: str = e.status_name
        message: str = e.message
        assert status < 0 and name == "KV_BUSY" and message
    try:
        strata.open(path / "bad", memtable="btree")
    except strata.InvalidArgumentError as e:
        assert isinstance(e, ValueError)
    for cls in (strata.Error, strata.ClosedError, strata.CorruptionError,
                strata.StrataIOError, strata.NoMemoryError, strata.NotSupportedError,
                strata.InternalError):
        assert issubclass(cls, strata.Error)


def main(directory: Path) -> None:
    version: str = strata.library_version()
    header: str = strata.HEADER_VERSION
    assert version == header == strata.__version__
    limits: Tuple[int, int] = (strata.MAX_KEY_LEN, strata.MAX_VALUE_LEN)
    assert limits == (65536, 1 << 30)
    names: Tuple[str, ...] = strata.CONTRACT_OPTIONS
    resolved: Dict[str, str] = strata.resolve_options(memtable="avl")
    assert resolved["memtable"] == "avl" and "memtable" in names

    db = strata.open(directory / "db", memtable_bytes="16M", compression="lz4",
                     create_if_missing=True, background_threads=2)
    with db:
        keys_values(db, directory)
        batches(db)
        walks(db)
        snapshots(db)
        maintenance(db, directory)
        errors(directory)
        walk = db.keys()
        snap = db.snapshot()
    closed: bool = db.closed
    assert closed
    try:
        next(walk)
    except strata.ClosedError:
        pass
    try:
        snap.get(b"apple")
    except strata.ClosedError:
        pass
    db.close()  # a second close does nothing

    with strata.DB(os.fsencode(directory / "db"), create_if_missing=False) as again:
        assert again.get(b"apple") == b"red"
    os.remove(directory / "db" / "CURRENT")
    report: str = strata.repair(directory / "db")
    assert report
    strata.destroy(str(directory / "checkpoint"))
    print("typing_program: done")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
