"""DB: one open strata database.

Ownership and threads: a DB owns one C kv_db handle. It may be used from
many threads at once, and close() may be called from any thread, also while
other threads are inside calls: the C library lets calls in progress finish
and makes every later call fail with InvalidArgumentError ("closed"). The
GIL is released during every engine call, so threads really run in parallel
inside the engine.

close() closes the cursors, walks, snapshots and transactions still open on the database
first (as plyvel does), so it really closes it: the engine shuts down and
the directory's LOCK is released before close() returns, and those handles
raise ClosedError when used afterwards. The DB keeps them in a WeakSet, so it
does not keep them alive. If a DB is garbage-collected without close(), a
finalizer closes its C handle and leaves the others alone: under kv.h's rule
they keep working and the engine shuts down when the last is freed, so
finalizers may run in any order. That is a safety net, not a substitute for
close() or ``with``.
"""

from __future__ import annotations

import os
import threading
import weakref
from pickle import loads as _loads
from typing import (Any, Dict, Iterable, List, Optional, Protocol, Tuple, TypeVar, Union,
                    overload)

from strata._batch import WriteBatch
from strata._convert import (MISSING, BytesLike, StrPath, ValueOut, as_c_bound, as_c_bytes,
                             c_string, unpack_chars, values_out)
from strata._errors import (ClosedError, Error, InvalidArgumentError, NoMemoryError,
                            closed_error, pending_error, raise_for)
from strata._iterator import ITEMS, KEYS, VALUES, Iterator, RangeIterator
from strata._native import ffi, lib
from strata._options import CONTRACT_OPTIONS, new_options, read_options
from strata._snapshot import Snapshot
from strata._transaction import Transaction

_D = TypeVar("_D")
_SYNC = lib.KV_WRITE_SYNC
# The hot calls, bound once: a module global is cheaper to reach than an
# attribute of `lib` on every call.
_kv_put = lib.kv_put
# kv_get_into / kv_get_into_at into this thread's buffer (get_copy.c).
_get_copy = lib.strata_get_copy
_get_copy_at = lib.strata_get_copy_at
_contains = lib.strata_contains
_ABSENT = lib.STRATA_ABSENT
_PRESENT = lib.KV_OK
_multi_get = lib.strata_multi_get
_free = lib.strata_free
_NULL = ffi.NULL
_INVALID_ARGUMENT = lib.KV_INVALID_ARGUMENT


def _get_grown(out: ValueOut, get: Any, args: Tuple[Any, ...], n: int) -> Tuple[ValueOut, int]:
    """Reads a value that did not fit in this thread's buffer (`out`) again,
    into a buffer of its size: the thread's own grown up to ValueOut.KEPT_MAX,
    a buffer for this call beyond. The value may have been overwritten
    meanwhile by a larger one, hence the loop. Returns the buffer read into
    and get's result (a length that fits, STRATA_ABSENT or an error)."""
    while True:
        if n <= ValueOut.KEPT_MAX:
            out.grow(n)
        else:
            out = ValueOut(n)
        n = get(*args, out.c)
        if n <= out.cap:
            return out, n


class _Child(Protocol):
    """What DB.close() closes: a cursor, a walk, a snapshot or a transaction."""

    def _close_by_db(self) -> None: ...


_C = TypeVar("_C", bound=_Child)


class DB:
    """An open strata database in the directory `path`.

    Options are given by name, as in docs/OPTIONS.md, and checked by the C
    library (an unknown name or a bad value raises InvalidArgumentError)::

        with strata.DB("/tmp/db", memtable_bytes="16M", compression="zstd") as db:
            db.put(b"key", b"value")
            db[b"other"] = b"value"
            assert db.get(b"key") == b"value"

    Booleans, ints and strings are accepted as option values. Keys and values
    are bytes: any bytes-like object is accepted as input (bytes, bytearray,
    memoryview...), `str` raises TypeError, and what strata returns is always
    `bytes`. A second DB on the same directory, in this process or another,
    raises BusyError. With ``read_only=True`` the database is opened as it
    stands and nothing is written to it: any number of read-only DBs may be
    open on a directory at once (in this process or others), a writer and
    read-only DBs exclude each other (BusyError), and writes raise
    NotSupportedError.
    """

    def __init__(self, path: StrPath, **options: Any) -> None:
        c_path = c_string(path, "path")
        c_options = new_options(options)
        try:
            # Read back before opening, so nothing can fail once the handle
            # exists (it would hold the directory's LOCK until collected).
            names = CONTRACT_OPTIONS + tuple(n for n in options if n not in CONTRACT_OPTIONS)
            self._options = read_options(c_options, names)
            out = ffi.new("kv_db **")
            raise_for(lib.kv_open(c_path, c_options, out))
        finally:
            lib.kv_options_free(c_options)
        self._path = os.fsdecode(c_path)
        self._handle = ffi.gc(out[0], lib.kv_close)
        self._close_lock = threading.Lock()
        self._closed = False
        # The cursors, walks, snapshots and transactions open on this database, for close();
        # guarded by _close_lock.
        self._children: "weakref.WeakSet[Any]" = weakref.WeakSet()

    # ---- Identity and lifetime ---------------------------------------------

    @property
    def path(self) -> str:
        """The directory of the database."""
        return self._path

    @property
    def options(self) -> Dict[str, str]:
        """The options the database was opened with (every contract option,
        and any other named at open), as the library prints them."""
        return dict(self._options)

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        """Closes the database, and with it the cursors, walks, snapshots and transactions
        still open on it (using them afterwards raises ClosedError), so the
        engine shuts down and the directory can be opened again at once.
        Safe from any thread and safe to call twice (the second call does
        nothing). Write batches are not tied to the open database and stay
        usable (writing one to a closed database raises ClosedError)."""
        with self._close_lock:
            if self._closed:
                return
            self._closed = True
            ffi.gc(self._handle, None)  # the finalizer must not close it again
            children = list(self._children)
            self._children.clear()
        # Each close waits for a call in progress on that handle (its lock or
        # use count) and frees the C handle, so kv_close below, which waits
        # for calls in progress on the database, is the last reference to
        # the engine and shuts it down.
        for child in children:
            child._close_by_db()
        # The kv_db struct itself stays allocated, so later calls fail cleanly.
        raise_for(lib.kv_close(self._handle))

    def _adopt(self, child: _C) -> _C:
        """Registers a new cursor, walk or snapshot, so that close() closes
        it. If close() ran meanwhile (another thread), the new handle was made
        just before kv_close and would keep the engine alive: it is closed
        here and ClosedError raised, as if it had been asked for a moment
        later."""
        with self._close_lock:
            if not self._closed:
                self._children.add(child)
                return child
        child._close_by_db()
        raise closed_error("database")

    def _pending_error(self, status: int) -> Optional[Error]:
        """pending_error(status), as ClosedError when this database is closed
        (the C library says KV_INVALID_ARGUMENT for a closed handle)."""
        error = pending_error(status)
        if status == _INVALID_ARGUMENT and self._closed and error is not None:
            return ClosedError(error.message, status)
        return error

    def _raise_for(self, status: int) -> None:
        """raise_for(status), as ClosedError when this database is closed."""
        error = self._pending_error(status)
        if error is not None:
            raise error

    def __enter__(self) -> "DB":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        return f"<strata.DB {self._path!r} {state}>"

    # ---- Single keys -------------------------------------------------------

    def put(self, key: BytesLike, value: BytesLike, sync: bool = False) -> None:
        """Sets `key` to `value`. With sync=True this write is fsynced before
        put returns (it survives power loss) even if the database was opened
        with sync=False."""
        # bytes, the common case, goes straight to C; as_c_bytes handles and
        # checks everything else.
        if type(key) is bytes:
            k, k_len = key, len(key)
        else:
            k, k_len = as_c_bytes(key, "key")
        if type(value) is bytes:
            v, v_len = value, len(value)
        else:
            v, v_len = as_c_bytes(value, "value")
        if sync:
            rc = lib.kv_put_ex(self._handle, k, k_len, v, v_len, _SYNC)
        else:
            rc = _kv_put(self._handle, k, k_len, v, v_len)
        if rc:
            self._raise_for(rc)

    # Without a default (or with None) the result is Optional[bytes]; with
    # one it is bytes or the default's type. `snapshot` goes with either.
    @overload
    def get(self, key: BytesLike, default: None = None, *,
            snapshot: Optional[Snapshot] = None) -> Optional[bytes]: ...
    @overload
    def get(self, key: BytesLike, default: _D, *,
            snapshot: Optional[Snapshot] = None) -> Union[bytes, _D]: ...

    def get(self, key: Any, default: Any = None, *, snapshot: Optional[Snapshot] = None) -> Any:
        """The value of `key`, or `default` when it is absent. An empty value
        is returned as b"", distinct from absent. With `snapshot`, as of that
        snapshot."""
        if type(key) is bytes:
            k, k_len = key, len(key)
        else:
            k, k_len = as_c_bytes(key, "key")
        out = values_out.out
        if snapshot is None:
            n = _get_copy(self._handle, k, k_len, out.c)
            if n > out.cap:  # did not fit: nothing was copied
                out, n = _get_grown(out, _get_copy, (self._handle, k, k_len), n)
        else:
            snap = _snapshot_handle(snapshot)
            try:
                n = _get_copy_at(self._handle, snap, k, k_len, out.c)
                if n > out.cap:
                    out, n = _get_grown(out, _get_copy_at, (self._handle, snap, k, k_len), n)
                error = self._pending_error(n) if n != _ABSENT else None
            finally:
                snapshot._release()
            if error is not None:
                raise error
        if n >= 0:  # present: n is the value's length, the value in out.buf
            return unpack_chars(out.buf, n)
        if n == _ABSENT:
            return default
        self._raise_for(n)

    def delete(self, key: BytesLike, sync: bool = False) -> None:
        """Deletes `key`; deleting an absent key is not an error. sync as for
        put()."""
        if type(key) is bytes:
            k, k_len = key, len(key)
        else:
            k, k_len = as_c_bytes(key, "key")
        if sync:
            rc = lib.kv_delete_ex(self._handle, k, k_len, _SYNC)
        else:
            rc = lib.kv_delete(self._handle, k, k_len)
        if rc:
            self._raise_for(rc)

    def delete_range(self, start: BytesLike, stop: BytesLike) -> None:
        """Deletes every key in ``[start, stop)`` with one range tombstone, in
        constant time whatever the number of keys (RocksDB's and Pebble's
        DeleteRange). Snapshots and iterators made before still see the keys;
        compaction reclaims their space. An empty or reversed range
        (start >= stop) does nothing."""
        s, s_len = as_c_bytes(start, "start")
        e, e_len = as_c_bytes(stop, "stop")
        rc = lib.kv_delete_range(self._handle, s, s_len, e, e_len)
        if rc:
            self._raise_for(rc)

    def __getitem__(self, key: BytesLike) -> bytes:
        """``db[key]``: the value; KeyError if absent."""
        value: bytes = self.get(key, MISSING)  # or MISSING
        if value is MISSING:
            raise KeyError(key)
        return value

    def __setitem__(self, key: BytesLike, value: BytesLike) -> None:
        """``db[key] = value``: put(key, value)."""
        self.put(key, value)

    def __delitem__(self, key: BytesLike) -> None:
        """``del db[key]``: delete(key). Unlike a dict it does not raise
        KeyError for an absent key: a delete is a blind write in an LSM tree,
        and checking first would cost a read."""
        self.delete(key)

    def __contains__(self, key: BytesLike) -> bool:
        """``key in db``: a lookup that does not copy the value."""
        if type(key) is bytes:
            k, k_len = key, len(key)
        else:
            k, k_len = as_c_bytes(key, "key")
        rc = _contains(self._handle, _NULL, k, k_len)
        if rc == _PRESENT:
            return True
        if rc < 0:
            self._raise_for(rc)
        return False

    def _contains_at(self, key: Any, snapshot: Snapshot) -> bool:
        """``key in snapshot``."""
        k, k_len = as_c_bytes(key, "key")
        snap = _snapshot_handle(snapshot)
        try:
            rc = _contains(self._handle, snap, k, k_len)
            error = self._pending_error(rc)
        finally:
            snapshot._release()
        if error is not None:
            raise error
        return bool(rc == _PRESENT)

    def multi_get(self, keys: Iterable[BytesLike], *,
                  snapshot: Optional[Snapshot] = None) -> List[Optional[bytes]]:
        """The values of `keys` (None for each absent one), in the same
        order, read as of one point in time (`snapshot`, or one taken for
        the call) in a single call into the engine."""
        keys = list(keys)
        lengths = [len(k) if type(k) is bytes else as_c_bytes(k, "key")[1] for k in keys]
        packed = b"".join(keys)  # the keys back to back, as kv_multi_get takes them
        out = ffi.new("char **")
        out_len = ffi.new("size_t *")
        snap = _NULL if snapshot is None else _snapshot_handle(snapshot)
        try:
            rc = _multi_get(self._handle, snap, len(keys), packed,
                            ffi.new("size_t[]", lengths), out, out_len)
            error = self._pending_error(rc)
        finally:
            if snapshot is not None:
                snapshot._release()
        if error is not None:
            raise error
        if out[0] == _NULL:
            raise NoMemoryError("multi_get: out of memory for the values of "
                                f"{len(keys)} keys", lib.KV_NO_MEMORY)
        try:
            # The values as a pickled list (multi_get.c): the C unpickler makes
            # every bytes object, with no Python code per key.
            values: List[Optional[bytes]] = _loads(ffi.buffer(out[0], out_len[0]))
            return values
        finally:
            _free(out[0])

    # ---- Batches -----------------------------------------------------------

    def write_batch(self, sync: bool = False) -> WriteBatch:
        """A new WriteBatch for this database; as a context manager it is
        written (fsynced if `sync`) when the block ends normally and discarded
        if it raises."""
        return WriteBatch(self, sync=sync)

    def write(self, batch: WriteBatch, sync: bool = False) -> None:
        """Applies `batch` atomically: all of its operations or none."""
        if not isinstance(batch, WriteBatch):
            raise TypeError(f"batch must be a strata.WriteBatch, not {type(batch).__name__}")
        try:
            batch._write_to(self._handle, _SYNC if sync else 0)
        except InvalidArgumentError as e:
            if self._closed and not isinstance(e, ClosedError):
                raise ClosedError(e.message, e.status) from None
            raise

    # ---- Range reads -------------------------------------------------------

    def _new_iter(self, start: Any, stop: Any, prefix: Any,
                  snapshot: Optional[Snapshot]) -> Any:
        """A new C kv_iter (the caller wraps it at once)."""
        out = ffi.new("kv_iter **")
        snap = ffi.NULL if snapshot is None else _snapshot_handle(snapshot)
        try:
            if prefix is not None:
                if start is not None or stop is not None:
                    raise TypeError("prefix cannot be combined with start or stop")
                p, p_len = as_c_bytes(prefix, "prefix")
                rc = lib.kv_iter_new_prefix(self._handle, snap, p, p_len, out)
            else:
                s, s_len = as_c_bound(start, "start")
                e, e_len = as_c_bound(stop, "stop")
                if snapshot is None:
                    rc = lib.kv_iter_new(self._handle, s, s_len, e, e_len, out)
                else:
                    rc = lib.kv_iter_new_at(self._handle, snap, s, s_len, e, e_len, out)
            self._raise_for(rc)
        finally:
            if snapshot is not None:
                snapshot._release()
        return out[0]

    def iterator(self, start: Optional[BytesLike] = None, stop: Optional[BytesLike] = None,
                 *, prefix: Optional[BytesLike] = None, reverse: bool = False,
                 snapshot: Optional[Snapshot] = None) -> Iterator:
        """A cursor (Iterator) over ``[start, stop)`` (None: open), or over
        the keys beginning with `prefix`, with seek/seek_for_prev/first/last/
        next/prev. Close it (or use ``with``) when done."""
        return self._adopt(Iterator(self._new_iter(start, stop, prefix, snapshot), reverse))

    def items(self, start: Optional[BytesLike] = None, stop: Optional[BytesLike] = None,
              *, prefix: Optional[BytesLike] = None, reverse: bool = False,
              snapshot: Optional[Snapshot] = None) -> RangeIterator[Tuple[bytes, bytes]]:
        """``(key, value)`` pairs of ``[start, stop)`` (or of `prefix`) in key
        order, or reversed. The walk sees the database as of this call (or of
        `snapshot`); it frees its C iterator when exhausted or closed."""
        return self._adopt(
            RangeIterator(self._new_iter(start, stop, prefix, snapshot), ITEMS, reverse))

    def keys(self, start: Optional[BytesLike] = None, stop: Optional[BytesLike] = None,
             *, prefix: Optional[BytesLike] = None, reverse: bool = False,
             snapshot: Optional[Snapshot] = None) -> RangeIterator[bytes]:
        """Like items(), yielding only keys."""
        return self._adopt(
            RangeIterator(self._new_iter(start, stop, prefix, snapshot), KEYS, reverse))

    def values(self, start: Optional[BytesLike] = None, stop: Optional[BytesLike] = None,
               *, prefix: Optional[BytesLike] = None, reverse: bool = False,
               snapshot: Optional[Snapshot] = None) -> RangeIterator[bytes]:
        """Like items(), yielding only values."""
        return self._adopt(
            RangeIterator(self._new_iter(start, stop, prefix, snapshot), VALUES, reverse))

    def __iter__(self) -> RangeIterator[bytes]:
        """``for key in db``: every key in order."""
        return self.keys()

    def snapshot(self) -> Snapshot:
        """A Snapshot of the database as it is now (close it, or use
        ``with``, when done)."""
        return self._adopt(Snapshot(self))

    def _call_snapshot_new(self, out: Any) -> None:
        self._raise_for(lib.kv_snapshot_new(self._handle, out))

    def transaction(self) -> Transaction:
        """A new optimistic Transaction: reads see its own writes, else the
        database as of now; commit() applies its writes atomically or raises
        ConflictError when a key it read or wrote changed meanwhile. As a
        context manager it commits at the end of the block (discarding on an
        exception). NotSupportedError on a read-only database."""
        return self._adopt(Transaction(self))

    def _call_txn_begin(self, out: Any) -> None:
        self._raise_for(lib.kv_txn_begin(self._handle, out))

    # ---- Maintenance -------------------------------------------------------

    def flush(self) -> None:
        """Writes the memtable to a table; returns when it is durable."""
        self._raise_for(lib.kv_flush(self._handle))

    def wait_compactions(self) -> None:
        """Returns when no flush or compaction is pending or running."""
        self._raise_for(lib.kv_wait_compactions(self._handle))

    def resume(self) -> None:
        """Lets writes go on after they stopped for lack of disk space, once
        space is freed, without reopening (the database also retries by
        itself). Raises the stop's error when it is not a lack of space."""
        raise_for(lib.kv_resume(self._handle))

    def compact_range(self, start: Optional[BytesLike] = None,
                      stop: Optional[BytesLike] = None) -> None:
        """Compacts the tables holding keys in ``[start, stop)`` (None: open)
        into one sorted run, dropping what no reader can see."""
        s, s_len = as_c_bound(start, "start")
        e, e_len = as_c_bound(stop, "stop")
        self._raise_for(lib.kv_compact_range(self._handle, s, s_len, e, e_len))

    def property(self, name: str) -> str:
        """A property of the database as text: "stats", "num-files-at-levelN"
        (N = 0..6), "total-table-bytes", "memtable-bytes", "last-sequence",
        "sstables" (one line per live table: "LEVEL NUMBER BYTES ENTRIES
        SMALLEST LARGEST", keys in hex, "-" for the empty key). An unknown
        name raises InvalidArgumentError."""
        out = ffi.new("char **")
        self._raise_for(lib.kv_property(self._handle, c_string(name, "property name"), out))
        try:
            text: str = ffi.string(out[0]).decode("utf-8", "replace")
            return text
        finally:
            lib.kv_free(out[0])

    def stats(self) -> str:
        """A human-readable summary: levels, files, bytes, memtables, cache,
        writes, stalls (the "stats" property)."""
        return self.property("stats")

    def checkpoint(self, directory: StrPath) -> None:
        """Makes an openable, consistent copy of the database in `directory`,
        which must not exist yet. Tables are hard-linked when possible.
        Writes may continue meanwhile; the copy holds every write acknowledged
        before the call."""
        self._raise_for(lib.kv_checkpoint(self._handle, c_string(directory, "directory")))

    def approximate_size(self, start: Optional[BytesLike] = None,
                         stop: Optional[BytesLike] = None) -> int:
        """The approximate bytes the database's tables take on disk for keys
        in ``[start, stop)`` (None: open), from the tables' indexes. Writes
        not yet flushed from the memtable count 0."""
        s, s_len = as_c_bound(start, "start")
        e, e_len = as_c_bound(stop, "stop")
        out = ffi.new("uint64_t *")
        self._raise_for(lib.kv_approximate_size(self._handle, s, s_len, e, e_len, out))
        return int(out[0])

    def ingest(self, paths: Iterable[StrPath], move: bool = False) -> None:
        """Adds the table files finished by SstWriters to the database
        atomically: their entries become visible together, newer than every
        write before the call (snapshots taken before do not see them), each
        file at the deepest level none of whose tables overlaps it. With
        move=True the files are moved into the database (their names
        removed); otherwise they are copied and left as they were. Files that
        overlap each other, are empty, were already ingested or were not
        written by an SstWriter raise InvalidArgumentError, unfinished or
        damaged ones CorruptionError; either way nothing changes."""
        if isinstance(paths, (str, bytes, os.PathLike)):
            raise TypeError("paths must be a list of paths, not one path")
        c_paths = [ffi.new("char[]", c_string(p, "path")) for p in paths]
        array = ffi.new("const char *[]", c_paths)  # c_paths keeps the strings alive
        flags = lib.KV_INGEST_MOVE if move else 0
        self._raise_for(lib.kv_ingest(self._handle, array, len(c_paths), flags))

    def verify(self) -> None:
        """Reads every block of every live table and checks checksums and
        order; raises CorruptionError naming the first bad file. Reads the
        whole database."""
        self._raise_for(lib.kv_verify(self._handle))


def _snapshot_handle(snapshot: Any) -> Any:
    """The C handle of `snapshot`, marked in use: the caller must call
    snapshot._release() after the C call."""
    if not isinstance(snapshot, Snapshot):
        raise TypeError(f"snapshot must be a strata.Snapshot, not {type(snapshot).__name__}")
    return snapshot._acquire()


def open(path: StrPath, **options: Any) -> DB:  # noqa: A001 (the module-level verb)
    """Opens the database in `path` (creating it unless
    ``create_if_missing=False``): the same as ``strata.DB(path, **options)``."""
    return DB(path, **options)
