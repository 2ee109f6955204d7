"""WriteBatch: puts and deletes applied atomically by one write.

Ownership and threads: a WriteBatch owns one C kv_batch, freed by close()
(or, as a safety net only, when it is garbage-collected). Per kv.h a batch
belongs to one thread at a time; a lock serialises calls on one WriteBatch
anyway, so that misuse from two threads waits instead of corrupting it.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Optional

from strata._convert import BytesLike, as_c_bytes
from strata._errors import NoMemoryError, closed_error, raise_for
from strata._native import ffi, lib

if TYPE_CHECKING:
    from strata._db import DB

_batch_put = lib.kv_batch_put


class WriteBatch:
    """An ordered list of puts and deletes that ``write()`` applies all at
    once or not at all; later operations on a key win over earlier ones.

    As a context manager (``with db.write_batch() as batch:``) it is written
    when the block ends normally and discarded if the block raises::

        with db.write_batch(sync=True) as batch:
            batch.put(b"a", b"1")
            batch.delete(b"b")
        # written here, fsynced because sync=True

    A batch may be written several times and reused after clear().
    """

    __slots__ = ("_db", "_sync", "_handle", "_lock", "__weakref__")

    def __init__(self, db: Optional["DB"] = None, *, sync: bool = False) -> None:
        """A new empty batch. `db` and `sync` are what write() uses; a batch
        without a db is written with ``some_db.write(batch)``."""
        handle = lib.kv_batch_new()
        if handle == ffi.NULL:
            raise NoMemoryError("kv_batch_new: out of memory")
        self._handle = ffi.gc(handle, lib.kv_batch_free)
        self._db = db
        self._sync = bool(sync)
        self._lock = threading.Lock()

    def _checked_handle(self) -> Any:
        handle = self._handle
        if handle is None:
            raise closed_error("write batch")
        return handle

    def put(self, key: BytesLike, value: BytesLike) -> None:
        """Adds a put of `key` = `value`."""
        # bytes, the common case, goes straight to C (this is the per-item
        # path of every batch, so no helper calls on it); as_c_bytes handles
        # and checks everything else.
        if type(key) is bytes:
            k, k_len = key, len(key)
        else:
            k, k_len = as_c_bytes(key, "key")
        if type(value) is bytes:
            v, v_len = value, len(value)
        else:
            v, v_len = as_c_bytes(value, "value")
        with self._lock:
            handle = self._handle
            if handle is None:
                raise closed_error("write batch")
            rc = _batch_put(handle, k, k_len, v, v_len)
        if rc:
            raise_for(rc)  # the message is the thread's own: the lock is not needed

    def __setitem__(self, key: BytesLike, value: BytesLike) -> None:
        self.put(key, value)

    def delete(self, key: BytesLike) -> None:
        """Adds a delete of `key` (deleting an absent key is not an error)."""
        k, k_len = as_c_bytes(key, "key")
        with self._lock:
            rc = lib.kv_batch_delete(self._checked_handle(), k, k_len)
            if rc:
                raise_for(rc)

    def __delitem__(self, key: BytesLike) -> None:
        self.delete(key)

    def delete_range(self, start: BytesLike, stop: BytesLike) -> None:
        """Adds a delete of every key in ``[start, stop)`` (see
        DB.delete_range); ordered with the batch's other operations. An empty
        or reversed range adds nothing."""
        s, s_len = as_c_bytes(start, "start")
        e, e_len = as_c_bytes(stop, "stop")
        with self._lock:
            rc = lib.kv_batch_delete_range(self._checked_handle(), s, s_len, e, e_len)
            if rc:
                raise_for(rc)

    def clear(self) -> None:
        """Removes every operation, keeping the batch usable."""
        with self._lock:
            lib.kv_batch_clear(self._checked_handle())

    def __len__(self) -> int:
        """The number of operations in the batch."""
        with self._lock:
            return int(lib.kv_batch_count(self._checked_handle()))

    def write(self) -> None:
        """Applies the batch to its database (the one that made it), with the
        sync setting given when it was made. The batch stays as it is."""
        if self._db is None:
            raise TypeError("this batch has no database: use db.write(batch)")
        self._db.write(self, sync=self._sync)

    def _write_to(self, db_handle: Any, flags: int) -> None:
        # Internal: DB.write() calls this, holding the batch's lock meanwhile.
        with self._lock:
            handle = self._checked_handle()
            rc = lib.kv_write_ex(db_handle, handle, flags) if flags else lib.kv_write(
                db_handle, handle)
            if rc:
                raise_for(rc)

    def close(self) -> None:
        """Frees the batch without writing it. Safe to call more than once."""
        with self._lock:
            handle = self._handle
            if handle is not None:
                self._handle = None
                ffi.gc(handle, None)  # the finalizer must not free it again
                lib.kv_batch_free(handle)

    @property
    def closed(self) -> bool:
        return self._handle is None

    def __enter__(self) -> "WriteBatch":
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        try:
            if exc_type is None:
                self.write()
        finally:
            self.close()
