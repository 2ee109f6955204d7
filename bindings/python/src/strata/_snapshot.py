"""Snapshot: a read-only view of the database pinned at one point.

Ownership and threads: a Snapshot owns one C kv_snapshot, freed by close()
(or, as a safety net only, when it is garbage-collected). Per kv.h it may be
used from many threads at once. close() may be called from any thread while
other threads read through it: it waits for no one, but the C snapshot is
freed only when the last read in progress has finished (a use count), so no
call ever sees freed memory. Iterators made from a snapshot do not need it
afterwards: they keep their own view. Closing the database closes its open
snapshots the same way (DB.close() calls _close_by_db); reads through one
then raise ClosedError.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Iterable, List, Optional, Tuple, TypeVar, Union, overload

from strata._convert import MISSING, BytesLike
from strata._errors import closed_error
from strata._native import ffi, lib

if TYPE_CHECKING:
    from strata._db import DB
    from strata._iterator import Iterator, RangeIterator

_D = TypeVar("_D")


class Snapshot:
    """The database as it was when ``db.snapshot()`` returned.

    Reads through it see exactly the writes acknowledged before it was taken::

        with db.snapshot() as snap:
            db.put(b"k", b"new")
            snap.get(b"k")              # the value before the put
            for key, value in snap.items(prefix=b"user/"): ...

    Hold snapshots briefly: while one is open, compaction keeps the versions
    it may read. Reads go through the database, so they fail once the
    database is closed; close() itself works at any time.
    """

    __slots__ = ("_db", "_handle", "_lock", "_users", "_closing", "_by_db", "__weakref__")

    def __init__(self, db: "DB") -> None:
        # Internal: use DB.snapshot().
        out = ffi.new("kv_snapshot **")
        db._call_snapshot_new(out)
        self._db = db
        self._handle = ffi.gc(out[0], lib.kv_snapshot_free)
        self._lock = threading.Lock()
        self._users = 0
        self._closing = False
        self._by_db = False  # closed by its database's close(), not its own

    # ---- Use counting (for DB's *_at calls) ----------------------------------

    def _acquire(self) -> Any:
        """The C handle, counted as in use until _release()."""
        with self._lock:
            if self._closing:
                raise closed_error("snapshot", self._by_db)
            self._users += 1
            return self._handle

    def _release(self) -> None:
        with self._lock:
            self._users -= 1
            if self._closing and self._users == 0:
                self._free_locked()

    def _free_locked(self) -> None:
        handle = self._handle
        if handle is not None:
            self._handle = None
            ffi.gc(handle, None)  # the finalizer must not free it again
            lib.kv_snapshot_free(handle)

    # ---- Reads -------------------------------------------------------------

    @property
    def sequence(self) -> int:
        """The sequence number this snapshot reads at."""
        handle = self._acquire()
        try:
            return int(lib.kv_snapshot_sequence(handle))
        finally:
            self._release()

    @property
    def db(self) -> "DB":
        """The database this snapshot belongs to."""
        return self._db

    @overload
    def get(self, key: BytesLike, default: None = None) -> Optional[bytes]: ...
    @overload
    def get(self, key: BytesLike, default: _D) -> Union[bytes, _D]: ...

    def get(self, key: Any, default: Any = None) -> Any:
        """The value of `key` as of the snapshot, or `default`."""
        return self._db.get(key, default, snapshot=self)

    def __getitem__(self, key: BytesLike) -> bytes:
        """The value of `key` as of the snapshot; KeyError if absent."""
        value: bytes = self._db.get(key, MISSING, snapshot=self)  # or MISSING
        if value is MISSING:
            raise KeyError(key)
        return value

    def __contains__(self, key: BytesLike) -> bool:
        return self._db._contains_at(key, self)

    def multi_get(self, keys: Iterable[BytesLike]) -> List[Optional[bytes]]:
        """db.multi_get(keys) as of the snapshot."""
        return self._db.multi_get(keys, snapshot=self)

    def iterator(self, start: Optional[BytesLike] = None, stop: Optional[BytesLike] = None,
                 *, prefix: Optional[BytesLike] = None,
                 reverse: bool = False) -> "Iterator":
        """db.iterator(...) as of the snapshot."""
        return self._db.iterator(start, stop, prefix=prefix, reverse=reverse, snapshot=self)

    def items(self, start: Optional[BytesLike] = None, stop: Optional[BytesLike] = None,
              *, prefix: Optional[BytesLike] = None,
              reverse: bool = False) -> "RangeIterator[Tuple[bytes, bytes]]":
        """db.items(...) as of the snapshot."""
        return self._db.items(start, stop, prefix=prefix, reverse=reverse, snapshot=self)

    def keys(self, start: Optional[BytesLike] = None, stop: Optional[BytesLike] = None,
             *, prefix: Optional[BytesLike] = None,
             reverse: bool = False) -> "RangeIterator[bytes]":
        """db.keys(...) as of the snapshot."""
        return self._db.keys(start, stop, prefix=prefix, reverse=reverse, snapshot=self)

    def values(self, start: Optional[BytesLike] = None, stop: Optional[BytesLike] = None,
               *, prefix: Optional[BytesLike] = None,
               reverse: bool = False) -> "RangeIterator[bytes]":
        """db.values(...) as of the snapshot."""
        return self._db.values(start, stop, prefix=prefix, reverse=reverse, snapshot=self)

    # ---- Lifetime ----------------------------------------------------------

    def close(self) -> None:
        """Releases the snapshot (once reads in progress have finished). Safe
        to call more than once and from any thread."""
        with self._lock:
            if self._closing:
                return
            self._closing = True
            if self._users == 0:
                self._free_locked()

    def _close_by_db(self) -> None:
        # DB.close(): as close(); reads in progress finish first (use count).
        with self._lock:
            if not self._closing:
                self._by_db = True
        self.close()

    @property
    def closed(self) -> bool:
        return self._closing

    def __enter__(self) -> "Snapshot":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

