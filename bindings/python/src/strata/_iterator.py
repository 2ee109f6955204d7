"""Iterator: a cursor over a key range, and the Python iterator that
``items()``, ``keys()`` and ``values()`` return.

Ownership and threads: an Iterator owns one C kv_iter, freed by close() (or,
as a safety net only, when the object is garbage-collected). Per kv.h an
iterator belongs to one thread at a time; a lock serialises calls on one
Iterator anyway, so that misuse from two threads, or close() from another
thread while a move runs, waits instead of crashing. The database may be
closed while an iterator is open: the iterator keeps working (it pins the
engine until it is closed). It reads the database as it was when it was
created.
"""

from __future__ import annotations

import threading
from typing import Any, Generic, Optional, Tuple, TypeVar

from strata._convert import as_c_bytes, unpack_chars as _unpack
from strata._errors import closed_error, raise_for
from strata._native import ffi, lib

_T = TypeVar("_T")
Entry = Tuple[bytes, bytes]

_OK = lib.KV_OK
_END = lib.KV_END
_next = lib.kv_iter_next

# What __next__ yields.
ITEMS, KEYS, VALUES = 0, 1, 2


class Iterator(Generic[_T]):
    """A cursor over the keys of ``[start, stop)`` (or of a prefix), in
    bytewise order, as of its creation (or of its snapshot).

    A new cursor is before the first entry. Each move returns the entry it
    lands on as ``(key, value)``, or None when it moves off the range::

        with db.iterator(b"a", b"n") as it:
            entry = it.seek(b"f")        # first key >= b"f"
            entry = it.prev()            # the one before it
            entry = it.last()

    It is also a Python iterator: ``for key, value in it`` walks forward
    from where it is (backward for ``reverse=True``, starting at the last
    entry). ``db.items()``, ``db.keys()`` and ``db.values()`` return
    Iterators that yield items, keys or values and close themselves when
    exhausted.
    """

    __slots__ = ("_handle", "_lock", "_key", "_key_len", "_val", "_val_len", "_key_chars",
                 "_val_chars", "_kind", "_reverse", "_fresh", "_close_at_end", "__weakref__")

    def __init__(self, handle: Any, kind: int, reverse: bool, close_at_end: bool) -> None:
        # Internal: use DB.iterator(), DB.items()... to make one.
        self._handle = ffi.gc(handle, lib.kv_iter_free)
        self._lock = threading.Lock()
        # Out parameters of every move, made once: the iterator is used by one
        # thread at a time (under _lock), so they can be reused. The `char **`
        # views let unpack_chars copy without a cast per entry.
        self._key = ffi.new("const void **")
        self._key_len = ffi.new("size_t *")
        self._val = ffi.new("const void **")
        self._val_len = ffi.new("size_t *")
        self._key_chars = ffi.cast("char **", self._key)
        self._val_chars = ffi.cast("char **", self._val)
        self._kind = kind
        self._reverse = reverse
        self._fresh = True  # no move yet: a reverse walk starts with last()
        self._close_at_end = close_at_end

    # ---- Python iteration --------------------------------------------------

    def __iter__(self) -> "Iterator[_T]":
        return self

    def __next__(self) -> _T:
        # The hot path of every range read: kept flat on purpose.
        with self._lock:
            handle = self._handle
            if handle is None:
                if self._close_at_end:
                    raise StopIteration  # exhausted and freed earlier
                raise closed_error("iterator")
            if self._reverse:
                move = lib.kv_iter_last if self._fresh else lib.kv_iter_prev
                self._fresh = False
            else:
                move = _next
            rc = move(handle, self._key, self._key_len, self._val, self._val_len)
            if rc == _OK:
                kind = self._kind
                if kind == ITEMS:
                    return (_unpack(self._key_chars[0], self._key_len[0]),  # type: ignore
                            _unpack(self._val_chars[0], self._val_len[0]))
                if kind == KEYS:
                    return _unpack(self._key_chars[0], self._key_len[0])  # type: ignore
                return _unpack(self._val_chars[0], self._val_len[0])  # type: ignore
            if rc == _END:
                if self._close_at_end:
                    self._free_locked()
                raise StopIteration
            raise_for(rc)
            raise AssertionError(f"kv_iter move returned {rc}")

    # ---- Cursor moves ------------------------------------------------------

    def _move(self, move: Any, target: Any = None) -> Optional[Entry]:
        if target is not None:
            t, t_len = as_c_bytes(target, "target")
        with self._lock:
            handle = self._handle
            if handle is None:
                raise closed_error("iterator")
            self._fresh = False
            if target is None:
                rc = move(handle, self._key, self._key_len, self._val, self._val_len)
            else:
                rc = move(handle, t, t_len, self._key, self._key_len, self._val, self._val_len)
            if rc == _OK:
                return (_unpack(self._key_chars[0], self._key_len[0]),
                        _unpack(self._val_chars[0], self._val_len[0]))
            if rc == _END:
                return None
            raise_for(rc)
            raise AssertionError(f"kv_iter move returned {rc}")

    def next(self) -> Optional[Entry]:
        """Moves one entry forward (from before the first: to the first).
        Returns it, or None when that leaves the range."""
        return self._move(lib.kv_iter_next)

    def prev(self) -> Optional[Entry]:
        """Moves one entry backward (from after the last: to the last).
        Returns it, or None when that leaves the range."""
        return self._move(lib.kv_iter_prev)

    def first(self) -> Optional[Entry]:
        """Moves to the first entry of the range (None if it is empty)."""
        return self._move(lib.kv_iter_first)

    def last(self) -> Optional[Entry]:
        """Moves to the last entry of the range (None if it is empty)."""
        return self._move(lib.kv_iter_last)

    def seek(self, target: Any) -> Optional[Entry]:
        """Moves to the first key >= `target` (clamped to the range); None
        when there is none (the cursor is then after the last entry)."""
        if target is None:
            raise TypeError("target must be bytes-like, not None")
        return self._move(lib.kv_iter_seek, target)

    def seek_for_prev(self, target: Any) -> Optional[Entry]:
        """Moves to the last key <= `target` (clamped to the range); None
        when there is none (the cursor is then before the first entry)."""
        if target is None:
            raise TypeError("target must be bytes-like, not None")
        return self._move(lib.kv_iter_seek_for_prev, target)

    # ---- Lifetime ----------------------------------------------------------

    def _free_locked(self) -> None:
        handle = self._handle
        if handle is not None:
            self._handle = None
            ffi.gc(handle, None)  # the finalizer must not free it again
            lib.kv_iter_free(handle)

    def close(self) -> None:
        """Frees the C iterator (and with it the engine state it pins). Safe
        to call more than once; later moves raise InvalidArgumentError."""
        with self._lock:
            self._free_locked()

    @property
    def closed(self) -> bool:
        """True once close() ran (or an items()/keys()/values() walk ended)."""
        return self._handle is None

    def __enter__(self) -> "Iterator[_T]":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
