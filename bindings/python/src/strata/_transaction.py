"""Transaction: an optimistic transaction (kv_txn_*).

Ownership and threads: a Transaction owns one C kv_txn, freed by close() (or,
as a safety net only, when it is garbage-collected). Per kv.h it belongs to
one thread at a time; many transactions may run on one database at once.
A lock around every C call lets DB.close() (from any thread) close it
safely: DB.close() closes the transactions still open on it, discarding
their writes, and using one afterwards raises ClosedError.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Optional, TypeVar, Union, overload

from strata._convert import MISSING, BytesLike, as_c_bytes, to_bytes
from strata._errors import closed_error, raise_for
from strata._native import ffi, lib

if TYPE_CHECKING:
    from strata._db import DB

_D = TypeVar("_D")


class Transaction:
    """Reads and writes applied all at once at commit, or not at all.

    Reads see the transaction's own writes, else the database as it was when
    the transaction began. Writes stay invisible to others until commit(),
    which applies them atomically unless a key the transaction read or wrote
    was written by someone else since it began: then it raises ConflictError
    and applies nothing. Retry from the start on a conflict::

        while True:
            try:
                with db.transaction() as txn:
                    balance = int(txn.get(b"balance", b"0"))
                    txn.put(b"balance", str(balance + 1).encode())
                break                       # committed when the block ended
            except strata.ConflictError:
                continue                    # someone else wrote it: try again

    As a context manager it commits when the block ends normally (unless
    the block called commit() itself) and discards the writes when it raises. After commit() (successful or not)
    the transaction is finished: further calls raise InvalidArgumentError.
    """

    __slots__ = ("_db", "_handle", "_lock", "_closed", "_by_db", "_committed", "__weakref__")

    def __init__(self, db: "DB") -> None:
        # Internal: use DB.transaction().
        out = ffi.new("kv_txn **")
        db._call_txn_begin(out)
        self._db = db
        self._handle = ffi.gc(out[0], lib.kv_txn_free)
        self._lock = threading.Lock()
        self._closed = False
        self._by_db = False  # closed by its database's close(), not its own
        self._committed = False  # commit() was called, whatever its result

    def _check_open(self) -> Any:
        # REQUIRES: self._lock held.
        if self._closed:
            raise closed_error("transaction", self._by_db)
        return self._handle

    # ---- Reads and writes --------------------------------------------------

    @overload
    def get(self, key: BytesLike, default: None = None) -> Optional[bytes]: ...
    @overload
    def get(self, key: BytesLike, default: _D) -> Union[bytes, _D]: ...

    def get(self, key: Any, default: Any = None) -> Any:
        """The transaction's own latest write of `key`, else its value as of
        the transaction's start; `default` when absent (or deleted here).
        The key is checked for conflicts at commit."""
        k, k_len = as_c_bytes(key, "key")
        val = ffi.new("void **")
        val_len = ffi.new("size_t *")
        with self._lock:
            rc = lib.kv_txn_get(self._check_open(), k, k_len, val, val_len)
            raise_for(rc)
        if rc == lib.KV_NOT_FOUND:
            return default
        try:
            return to_bytes(val[0], val_len[0])
        finally:
            lib.kv_free(val[0])

    def __getitem__(self, key: BytesLike) -> bytes:
        """``txn[key]``: the value; KeyError if absent."""
        value: bytes = self.get(key, MISSING)  # or MISSING
        if value is MISSING:
            raise KeyError(key)
        return value

    def put(self, key: BytesLike, value: BytesLike) -> None:
        """Sets `key` to `value` when the transaction commits."""
        k, k_len = as_c_bytes(key, "key")
        v, v_len = as_c_bytes(value, "value")
        with self._lock:
            raise_for(lib.kv_txn_put(self._check_open(), k, k_len, v, v_len))

    def __setitem__(self, key: BytesLike, value: BytesLike) -> None:
        self.put(key, value)

    def delete(self, key: BytesLike) -> None:
        """Deletes `key` when the transaction commits (absent keys are fine)."""
        k, k_len = as_c_bytes(key, "key")
        with self._lock:
            raise_for(lib.kv_txn_delete(self._check_open(), k, k_len))

    def __delitem__(self, key: BytesLike) -> None:
        self.delete(key)

    def commit(self) -> None:
        """Applies every write of the transaction atomically, or raises
        ConflictError (nothing applied) when a key it read or wrote was
        written by someone else since it began. Finishes the transaction."""
        with self._lock:
            handle = self._check_open()
            self._committed = True
            raise_for(lib.kv_txn_commit(handle))

    # ---- Lifetime ----------------------------------------------------------

    def close(self) -> None:
        """Frees the transaction, discarding its writes if it was not
        committed. Safe to call more than once."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            handle = self._handle
            self._handle = None
            ffi.gc(handle, None)  # the finalizer must not free it again
            lib.kv_txn_free(handle)

    discard = close
    """discard(): close() under the name that says what happens to the writes."""

    def _close_by_db(self) -> None:
        with self._lock:
            if not self._closed:
                self._by_db = True
        self.close()

    @property
    def closed(self) -> bool:
        return self._closed

    def __enter__(self) -> "Transaction":
        return self

    def __exit__(self, exc_type: object, *exc_info: object) -> None:
        # A block that called commit() itself is not committed twice.
        try:
            if exc_type is None and not self._committed:
                self.commit()
        finally:
            self.close()
