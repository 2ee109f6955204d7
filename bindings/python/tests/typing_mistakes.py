"""Calls that `mypy --strict` must reject: each line marked `# error` misuses
the API in a way the docs forbid. test_typing.py checks that mypy reports
exactly the marked lines, which shows the package's hints are precise (an Any
in the wrong place would let these through silently). Never run."""

from __future__ import annotations

from typing import List, Optional

import strata


def mistakes(db: strata.DB, snap: strata.Snapshot) -> None:
    db.put("text key", b"value")  # error: str is not bytes-like
    db.put(b"key", 42)  # error: nor is an int
    db.get(b"key", snapshot=db)  # error: snapshot must be a Snapshot
    value: bytes = db.get(b"key")  # error: may be None
    at: bytes = db.get(b"key", snapshot=snap)  # error: may be None
    snap.items(start="a")  # error: str bound
    snap.keys(prefix=1)  # error: int prefix
    db.iterator().seek("k")  # error: str target
    pairs: List[bytes] = list(db.items())  # error: items are (key, value) pairs
    keys: List[str] = list(db.keys())  # error: keys are bytes
    first: Optional[bytes] = db.iterator().first()  # error: an entry is a pair
    strata.open(3)  # error: not a path
    db.multi_get(["a"])  # error: str keys
    db.write(object())  # error: not a WriteBatch
