"""A tour of strata from Python: open with options, single keys, an atomic
batch, range and prefix reads both ways, a cursor, a snapshot, multi-get,
maintenance and a checkpoint.

    python examples/python/example.py [DIR]

DIR (default: a new temporary directory) must not hold anything else. Needs
the package: pip install ./bindings/python
"""

import sys
import tempfile
from pathlib import Path

import strata


def main(directory: Path) -> None:
    path = directory / "example-db"
    # Options by name (docs/OPTIONS.md); the C library validates them.
    with strata.open(path, memtable_bytes="16M", compression="lz4") as db:
        db.put(b"apple", b"red")
        db[b"banana"] = b"yellow"                  # the same as put
        print("apple =", db.get(b"apple"))          # b'red'
        print("cherry =", db.get(b"cherry"))        # None: absent
        db.put(b"date", b"", sync=True)             # an empty value, fsynced

        # All or nothing; discarded if the block raises.
        with db.write_batch() as batch:
            batch.put(b"fruit:kiwi", b"green")
            batch.put(b"fruit:lime", b"green")
            batch.put(b"fruit:plum", b"purple")
            batch.delete(b"banana")

        for key, value in db.items(prefix=b"fruit:"):
            print(key.decode(), "=", value)
        print("keys from 'b' to 'fruit:l', last first:",
              list(db.keys(b"b", b"fruit:l", reverse=True)))

        # A cursor that moves both ways.
        with db.iterator(prefix=b"fruit:") as it:
            print("seek('fruit:l') ->", it.seek(b"fruit:l"))
            print("prev ->", it.prev())
            print("last ->", it.last())

        # A snapshot keeps reading the past.
        with db.snapshot() as snap:
            db.put(b"apple", b"green")
            print("now:", db[b"apple"], "snapshot:", snap[b"apple"])
            print("multi_get:", snap.multi_get([b"apple", b"banana", b"date"]))

        try:
            db.put("not bytes", b"x")               # str is refused
        except TypeError as e:
            print("TypeError:", e)

        db.flush()
        db.compact_range()
        db.verify()
        print("tables at level 1:", db.property("num-files-at-level1"))
        db.checkpoint(directory / "example-copy")

    with strata.open(directory / "example-copy", create_if_missing=False) as copy:
        print("the copy holds", len(list(copy.keys())), "keys")
    strata.destroy(directory / "example-copy")
    print("example: done")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        target = Path(sys.argv[1])
        target.mkdir(parents=True, exist_ok=True)
        main(target)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            main(Path(tmp))
