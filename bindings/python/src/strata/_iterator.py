"""Iterator, a cursor over a key range, and RangeIterator, the Python
iterator that ``items()``, ``keys()`` and ``values()`` return.

Ownership and threads: each owns one C kv_iter, freed by close() (or, as a
safety net only, when the object is garbage-collected; a RangeIterator also
frees it as soon as it is exhausted). Per kv.h an
iterator belongs to one thread at a time; a lock serialises calls on one
object anyway, so that misuse from two threads, or close() from another
thread while a move runs, waits instead of crashing. Closing the database
closes its open iterators (DB.close() calls _close_by_db): a cursor then
raises ClosedError, and so does a walk that had not ended (a walk the user
closed early just ends). An iterator reads the database as it was when it was
created.
"""

from __future__ import annotations

import threading
import typing
from pickle import loads as _loads
from typing import Any, Generic, Optional, Tuple, TypeVar

from strata._convert import BytesLike, as_c_bytes, unpack_chars as _unpack
from strata._errors import closed_error, pending_error, raise_for
from strata._native import ffi, lib

_T = TypeVar("_T")
Entry = Tuple[bytes, bytes]

_OK = lib.KV_OK
_END = lib.KV_END
_next = lib.kv_iter_next

# What __next__ yields.
ITEMS, KEYS, VALUES = 0, 1, 2


class Iterator:
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
    entry when it has not moved yet); it stays open at the end, so it can
    move back. For plain walks, ``db.items()`` and friends (RangeIterator)
    are faster.
    """

    __slots__ = ("_handle", "_lock", "_key", "_key_len", "_val", "_val_len", "_key_chars",
                 "_val_chars", "_reverse", "_fresh", "_by_db", "__weakref__")

    def __init__(self, handle: Any, reverse: bool) -> None:
        # Internal: use DB.iterator() to make one.
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
        self._reverse = reverse
        self._fresh = True  # no move yet: a reverse walk starts with last()
        self._by_db = False  # closed by its database's close(), not its own

    # ---- Python iteration --------------------------------------------------

    def __iter__(self) -> "Iterator":
        return self

    def __next__(self) -> Entry:
        if self._reverse:
            entry = self._move(lib.kv_iter_last if self._fresh else lib.kv_iter_prev)
        else:
            entry = self._move(_next)
        if entry is None:
            raise StopIteration
        return entry

    # ---- Cursor moves ------------------------------------------------------

    def _move(self, move: Any, target: Any = None) -> Optional[Entry]:
        if target is not None:
            t, t_len = as_c_bytes(target, "target")
        with self._lock:
            handle = self._handle
            if handle is None:
                raise closed_error("iterator", self._by_db)
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

    def seek(self, target: BytesLike) -> Optional[Entry]:
        """Moves to the first key >= `target` (clamped to the range); None
        when there is none (the cursor is then after the last entry)."""
        if target is None:
            raise TypeError("target must be bytes-like, not None")
        return self._move(lib.kv_iter_seek, target)

    def seek_for_prev(self, target: BytesLike) -> Optional[Entry]:
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
        to call more than once; later moves raise ClosedError."""
        with self._lock:
            self._free_locked()

    def _close_by_db(self) -> None:
        # DB.close(): waits for a move in progress, then frees the iterator.
        with self._lock:
            if self._handle is not None:
                self._by_db = True
                self._free_locked()

    @property
    def closed(self) -> bool:
        """True once close() ran."""
        return self._handle is None

    def __enter__(self) -> "Iterator":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class RangeIterator(Generic[_T]):
    """The Python iterator of ``db.items()``, ``db.keys()`` and
    ``db.values()`` (and their snapshot versions): yields ``(key, value)``
    pairs, keys or values of a range, in order or reversed, as of its
    creation. It frees its C iterator as soon as it is exhausted; close()
    (or ``with``) frees it early::

        with db.items(prefix=b"user/") as walk:
            first = next(walk, None)

    It reads ahead: entries are fetched from C in growing batches (up to
    256 entries or 256 KiB per call), which changes nothing visible, since
    the walk reads a fixed snapshot, but saves a crossing into C per entry
    (see walk_ahead.c). A forward walk takes each batch with one
    kv_iter_next_batch call; a reverse walk moves entry by entry inside C.
    """

    __slots__ = ("_handle", "_lock", "_want", "_reverse", "_first_move", "_then_move",
                 "_ready", "_batch_max", "_buf", "_cap", "_count", "_used", "_pending",
                 "_key", "_key_len", "_val", "_val_len", "_key_chars", "_val_chars",
                 "_batch_out", "_fetches", "_by_db", "__weakref__")

    def __init__(self, handle: Any, kind: int, reverse: bool) -> None:
        # Internal: use DB.items(), DB.keys() or DB.values() to make one.
        self._handle = ffi.gc(handle, lib.kv_iter_free)
        self._lock = threading.Lock()
        self._want = _WANT[kind]
        self._reverse = reverse
        # Calls into C that fetched entries: tests read it to see batching.
        self._fetches = 0
        self._first_move = lib.STRATA_MOVE_LAST if reverse else lib.STRATA_MOVE_NEXT
        self._then_move = lib.STRATA_MOVE_PREV if reverse else lib.STRATA_MOVE_NEXT
        self._ready: Any = iter(())  # entries fetched, not yet yielded
        self._batch_max = 0  # no buffers yet: made at the first fetch
        self._cap = 0
        # Closed by its database's close() before it ended: the walk raises
        # ClosedError instead of ending, so a loop cannot take a cut-short
        # range for the whole of it.
        self._by_db = False

    def __iter__(self) -> "typing.Iterator[_T]":
        # A generator over the same state rather than self: a for loop then
        # resumes a generator per entry instead of calling __next__, about
        # twice as fast. Mixing next(walk) and for loops, or several loops
        # over one walk, still yields each entry once, in order: all of them
        # draw from self._ready.
        return self._generate()

    def _generate(self) -> "typing.Iterator[_T]":
        while True:
            yield from self._ready
            with self._lock:
                if self._handle is None:
                    if self._by_db:
                        raise closed_error("walk", True)
                    return
                self._ready = iter(self._fetch_locked())

    def __next__(self) -> _T:
        for entry in self._ready:
            return entry  # type: ignore[no-any-return]
        with self._lock:
            for entry in self._ready:  # another thread fetched meanwhile
                return entry  # type: ignore[no-any-return]
            if self._handle is None:
                if self._by_db:
                    raise closed_error("walk", True)
                raise StopIteration
            batch = self._fetch_locked()
            self._ready = iter(batch)
        for entry in self._ready:
            return entry  # type: ignore[no-any-return]
        raise StopIteration

    def _grow_locked(self) -> None:
        # Small first batches, so that next(db.items(...)) reads little;
        # larger ones as the walk goes on.
        self._batch_max = min(_MAX_BATCH, max(8, self._batch_max * 4))
        cap = min(_MAX_BUFFER, max(4096, self._cap * 4))
        if cap != self._cap:
            self._cap = cap
            self._buf = ffi.new("char[]", cap)
        if not hasattr(self, "_count"):
            self._count = ffi.new("size_t *")
            self._used = ffi.new("size_t *")
            self._pending = ffi.new("int *")
            self._key = ffi.new("const void **")
            self._key_len = ffi.new("size_t *")
            self._val = ffi.new("const void **")
            self._val_len = ffi.new("size_t *")
            self._key_chars = ffi.cast("char **", self._key)
            self._val_chars = ffi.cast("char **", self._val)
            self._batch_out = ffi.new("strata_batch_out *")

    def _fetch_locked(self) -> "list[Any]":
        """The next batch of entries (empty at the end, when the C iterator
        is freed). REQUIRES: the lock held, the handle open."""
        if self._batch_max < _MAX_BATCH or self._cap < _MAX_BUFFER:
            self._grow_locked()
        self._fetches += 1
        if not self._reverse:
            return self._fetch_batch_locked()
        batch_max = self._batch_max
        rc = _walk_ahead(self._handle, self._first_move, self._then_move, self._want,
                         self._buf, self._cap, batch_max, self._count, self._used,
                         self._pending, self._key, self._key_len, self._val, self._val_len)
        self._first_move = self._then_move
        error = pending_error(rc)  # read now: the message is per thread and per call
        # The entries, as a pickled list that walk_ahead.c wrote (the C
        # unpickler builds every bytes and tuple without running Python code
        # per entry).
        entries: "list[Any]" = _loads(ffi.buffer(self._buf, self._used[0]))
        if rc == _OK:
            if self._pending[0]:  # an entry too big for the buffer: copy it directly
                key = _unpack(self._key_chars[0], self._key_len[0])
                value = _unpack(self._val_chars[0], self._val_len[0])
                want = self._want
                entries.append((key, value) if want == _WANT_ITEMS else
                               key if want == _WANT_KEYS else value)
            return entries
        if rc == _END:
            self._free_locked()
            return entries
        if entries:
            # Yield what was read before the failure; the next fetch repeats
            # the error (a failed kv_iter keeps returning it).
            return entries
        if error is not None:
            raise error
        raise AssertionError(f"strata_walk_ahead returned {rc}")

    def _fetch_batch_locked(self) -> "list[Any]":
        """_fetch_locked of a forward walk: one kv_iter_next_batch, pickled
        in C (walk_ahead.c)."""
        batch_max = self._batch_max
        # The byte budget leaves room in the buffer for the pickle's framing;
        # a batch can still pass it by its last entry (STRATA_NEEDS_ROOM).
        budget = self._cap - _FRAME_OVERHEAD - batch_max * _ENTRY_OVERHEAD
        out = self._batch_out
        rc = _walk_batch(self._handle, self._want, self._buf, self._cap, batch_max,
                         max(budget, 0), out)
        if rc == _OK:
            return _loads(ffi.buffer(self._buf, out.used))  # type: ignore[no-any-return]
        if rc == _NEEDS_ROOM:
            buf = ffi.new("char[]", out.used)
            _pickle_batch(out, self._want, buf)
            return _loads(ffi.buffer(buf, out.used))  # type: ignore[no-any-return]
        if rc == _END:
            self._free_locked()
            return []
        error = pending_error(rc)
        if error is not None:
            raise error
        raise AssertionError(f"strata_walk_batch returned {rc}")

    def _free_locked(self) -> None:
        handle = self._handle
        if handle is not None:
            self._handle = None
            ffi.gc(handle, None)  # the finalizer must not free it again
            lib.kv_iter_free(handle)

    def close(self) -> None:
        """Frees the C iterator now; the walk then ends (StopIteration).
        Safe to call more than once."""
        with self._lock:
            for _ in self._ready:  # drop what was fetched: loops in progress end too
                pass
            self._free_locked()

    def _close_by_db(self) -> None:
        # DB.close(): a walk that already ended stays ended; one that had not
        # drops what it fetched and raises ClosedError from now on.
        with self._lock:
            if self._handle is not None:
                for _ in self._ready:
                    pass
                self._by_db = True
                self._free_locked()

    @property
    def closed(self) -> bool:
        """True once the walk was exhausted or closed."""
        return self._handle is None

    def __enter__(self) -> "RangeIterator[_T]":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


_walk_ahead = lib.strata_walk_ahead
_walk_batch = lib.strata_walk_batch
_pickle_batch = lib.strata_pickle_batch
_NEEDS_ROOM = lib.STRATA_NEEDS_ROOM
_ENTRY_OVERHEAD = lib.STRATA_ENTRY_OVERHEAD
_FRAME_OVERHEAD = lib.STRATA_FRAME_OVERHEAD
_WANT_KEYS = lib.STRATA_WANT_KEY
_WANT_VALUES = lib.STRATA_WANT_VALUE
_WANT_ITEMS = _WANT_KEYS | _WANT_VALUES
_WANT = {ITEMS: _WANT_ITEMS, KEYS: _WANT_KEYS, VALUES: _WANT_VALUES}
_MAX_BATCH = 256
_MAX_BUFFER = 256 * 1024
