"""SstWriter: a table file written outside any database, for DB.ingest
(kv_sst_writer_*).

Ownership and threads: an SstWriter owns one C kv_sst_writer, freed by
close() (or, as a safety net only, when it is garbage-collected); freeing a
writer that was not finished removes its partial file. Per kv.h a writer is
used by one thread at a time; a lock around every C call makes a misuse from
two threads safe rather than undefined. A writer is not tied to a database.
"""

from __future__ import annotations

import os
import threading
from typing import Any

from strata._convert import BytesLike, StrPath, as_c_bytes, c_string
from strata._errors import closed_error, raise_for
from strata._native import ffi, lib
from strata._options import new_options


class SstWriter:
    """Writes a sorted table file at `path` for DB.ingest (a file already
    there is unlinked, never truncated): a large sorted data set loaded
    without the write-ahead log or the memtable. Options are strata.open's; those that shape a table apply
    (block_bytes, compression, bloom_bits_per_key, ...), the others are
    checked and ignored.

    Keys must be added in strictly increasing bytewise order: a key at or
    before the previous one raises InvalidArgumentError, is not written, and
    the writer stays usable::

        with strata.SstWriter("/tmp/part-1.sst") as writer:
            for key, value in sorted_items:
                writer.put(key, value)
        db.ingest(["/tmp/part-1.sst"], move=True)

    As a context manager it finishes the file when the block ends normally
    (unless the block called finish() itself) and removes the partial file
    when the block raises. After finish() the writer takes only close().
    """

    __slots__ = ("_path", "_handle", "_lock", "_closed", "_finished", "__weakref__")

    def __init__(self, path: StrPath, **options: Any) -> None:
        c_path = c_string(path, "path")
        c_options = new_options(options)
        try:
            out = ffi.new("kv_sst_writer **")
            raise_for(lib.kv_sst_writer_new(c_path, c_options, out))
        finally:
            lib.kv_options_free(c_options)
        self._path = os.fsdecode(c_path)
        self._handle = ffi.gc(out[0], lib.kv_sst_writer_free)
        self._lock = threading.Lock()
        self._closed = False
        self._finished = False

    def _check_open(self) -> Any:
        # REQUIRES: self._lock held.
        if self._closed:
            raise closed_error("SST writer")
        return self._handle

    @property
    def path(self) -> str:
        """The file being written."""
        return self._path

    def put(self, key: BytesLike, value: BytesLike) -> None:
        """Adds `key` with `value`; `key` must sort after every key added
        before (InvalidArgumentError otherwise)."""
        k, k_len = as_c_bytes(key, "key")
        v, v_len = as_c_bytes(value, "value")
        with self._lock:
            raise_for(lib.kv_sst_writer_put(self._check_open(), k, k_len, v, v_len))

    def delete(self, key: BytesLike) -> None:
        """Adds a tombstone for `key`: once ingested, it hides the key's
        older versions. Same order rule as put()."""
        k, k_len = as_c_bytes(key, "key")
        with self._lock:
            raise_for(lib.kv_sst_writer_delete(self._check_open(), k, k_len))

    def finish(self) -> None:
        """Completes and fsyncs the file, ready for DB.ingest.
        InvalidArgumentError when nothing was added, or when already
        finished."""
        with self._lock:
            handle = self._check_open()
            raise_for(lib.kv_sst_writer_finish(handle))
            self._finished = True

    @property
    def finished(self) -> bool:
        return self._finished

    def close(self) -> None:
        """Frees the writer; a file not finished is removed. Safe to call
        more than once."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            handle = self._handle
            self._handle = None
            ffi.gc(handle, None)  # the finalizer must not free it again
            lib.kv_sst_writer_free(handle)

    @property
    def closed(self) -> bool:
        return self._closed

    def __enter__(self) -> "SstWriter":
        return self

    def __exit__(self, exc_type: object, *exc_info: object) -> None:
        try:
            if exc_type is None and not self._finished:
                self.finish()
        finally:
            self.close()

    def __repr__(self) -> str:
        state = "closed" if self._closed else "finished" if self._finished else "open"
        return f"<strata.SstWriter {self._path!r} {state}>"
