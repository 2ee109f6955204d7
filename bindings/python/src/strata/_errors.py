"""Exceptions: one class per C status code, each carrying the C message.

Status codes come from kv.h. ``raise_for(status)`` turns a failing code into
the matching exception, reading ``kv_last_error()`` for the calling thread;
it must be called right after the failing call, before any other call into
strata on this thread, because the message is per thread and overwritten by
the next call.

Where a Python built-in exception means the same thing, the class also
derives from it (InvalidArgumentError is a ValueError, StrataIOError an
OSError, NoMemoryError a MemoryError, NotSupportedError a
NotImplementedError), so generic handlers catch them too.
"""

from __future__ import annotations

from strata._native import ffi, lib


class Error(Exception):
    """Base of every error strata reports.

    Attributes:
        status: the C status code (a negative ``KV_*`` value).
        status_name: its name, e.g. ``"KV_CORRUPTION"``.
        message: the C library's message for the failure.
    """

    status: int
    status_name: str
    message: str

    def __init__(self, message: str, status: int | None = None) -> None:
        if status is None:
            status = _STATUS_OF_CLASS.get(type(self), lib.KV_INTERNAL)
        self.status = status
        self.status_name = ffi.string(lib.kv_status_name(status)).decode("ascii", "replace")
        self.message = message
        super().__init__(message)

    def __str__(self) -> str:
        return f"{self.message} [{self.status_name}]"

    def __reduce__(self) -> "tuple[type[Error], tuple[str, int]]":  # keeps the subclasses picklable (e.g. across processes)
        return (type(self), (self.message, self.status))


class InvalidArgumentError(Error, ValueError):
    """KV_INVALID_ARGUMENT: a bad option, an over-long key, a closed handle..."""


class ClosedError(InvalidArgumentError):
    """A handle used after it was closed: a database, a cursor, a snapshot
    or a batch after its close(), and a cursor, walk or snapshot after the
    close() of its database (which closes them). An InvalidArgumentError,
    the class the C library uses for a closed handle, so handlers written
    for that catch it too."""


class StrataIOError(Error, OSError):
    """KV_IO_ERROR: the operating system refused a file operation."""


class CorruptionError(Error):
    """KV_CORRUPTION: data on disk failed a checksum or an order check."""


class BusyError(Error):
    """KV_BUSY: the database is open in another handle or process."""


class NoMemoryError(Error, MemoryError):
    """KV_NO_MEMORY: an allocation failed."""


class NotSupportedError(Error, NotImplementedError):
    """KV_NOT_SUPPORTED: the library does not support this operation."""


class InternalError(Error):
    """KV_INTERNAL: a bug in strata; the message says what."""


class ConflictError(Error):
    """KV_CONFLICT: a transaction's commit found that a key it read or wrote
    was written by someone else after it began; nothing of it was applied.
    Retry the transaction from the start."""


_CLASS_OF_STATUS: dict[int, type[Error]] = {
    lib.KV_INVALID_ARGUMENT: InvalidArgumentError,
    lib.KV_IO_ERROR: StrataIOError,
    lib.KV_CORRUPTION: CorruptionError,
    lib.KV_BUSY: BusyError,
    lib.KV_NO_MEMORY: NoMemoryError,
    lib.KV_NOT_SUPPORTED: NotSupportedError,
    lib.KV_INTERNAL: InternalError,
    lib.KV_CONFLICT: ConflictError,
}
_STATUS_OF_CLASS = {cls: status for status, cls in _CLASS_OF_STATUS.items()}
_STATUS_OF_CLASS[ClosedError] = lib.KV_INVALID_ARGUMENT


def error_for(status: int, message: str) -> Error:
    """The exception for a failing status code (an unknown negative code, from
    a newer library, becomes a plain Error)."""
    cls = _CLASS_OF_STATUS.get(status, Error)
    return cls(message, status)


def pending_error(status: int) -> "Error | None":
    """The exception for `status` if it is an error, with the thread's C
    message read now (before a later call into strata replaces it), else
    None. For callers that must run other C calls before raising."""
    if status < 0:
        return error_for(status, ffi.string(lib.kv_last_error()).decode("utf-8", "replace"))
    return None


def raise_for(status: int) -> None:
    """Raises the exception for `status` if it is an error (negative); KV_OK,
    KV_NOT_FOUND and KV_END are ordinary results and return."""
    if status < 0:
        raise error_for(status, ffi.string(lib.kv_last_error()).decode("utf-8", "replace"))


def closed_error(what: str, by_db: bool = False) -> ClosedError:
    """The error for a Python handle used after its close(), or (`by_db`)
    after the close() of the database it belongs to."""
    why = " (its database was closed)" if by_db else ""
    return ClosedError(f"{what} is closed{why}", lib.KV_INVALID_ARGUMENT)
