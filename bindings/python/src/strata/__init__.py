"""strata: an embeddable ordered key-value store (an LSM tree), from Python.

A thin binding over strata's C ABI (libstrata, ``strata/kv.h``) built with
cffi. Keys and values are bytes; the GIL is released during every engine
call; every handle has an explicit close() and works as a context manager.

    import strata

    with strata.open("/tmp/example-db") as db:
        db[b"apple"] = b"red"
        with db.write_batch() as batch:          # atomic
            batch.put(b"fruit:kiwi", b"green")
            batch.delete(b"apple")
        for key, value in db.items(prefix=b"fruit:"):
            print(key, value)

See docs/PYTHON.md in the strata tree for the whole API.
"""

from strata._admin import destroy, repair
from strata._batch import WriteBatch
from strata._convert import BytesLike
from strata._db import DB, open
from strata._errors import (
    BusyError,
    ClosedError,
    ConflictError,
    CorruptionError,
    Error,
    InternalError,
    InvalidArgumentError,
    NoMemoryError,
    NotSupportedError,
    StrataIOError,
)
from strata._iterator import Iterator, RangeIterator
from strata._native import ffi as _ffi
from strata._native import lib as _lib
from strata._options import CONTRACT_OPTIONS, resolve_options
from strata._snapshot import Snapshot
from strata._sst_writer import SstWriter
from strata._transaction import Transaction

__version__ = "0.3.0"

MAX_KEY_LEN: int = _lib.KV_MAX_KEY_LEN
"""The longest key strata accepts, in bytes (64 KiB)."""
MAX_VALUE_LEN: int = _lib.KV_MAX_VALUE_LEN
"""The longest value strata accepts, in bytes (1 GiB)."""

HEADER_VERSION: str = "%d.%d.%d" % (
    _lib.KV_VERSION_MAJOR, _lib.KV_VERSION_MINOR, _lib.KV_VERSION_PATCH)
"""The version of kv.h this package was compiled against."""


def library_version() -> str:
    """The version of the libstrata loaded at run time (kv_version())."""
    version: str = _ffi.string(_lib.kv_version()).decode("ascii")
    return version


__all__ = [
    "BusyError",
    "BytesLike",
    "CONTRACT_OPTIONS",
    "ClosedError",
    "ConflictError",
    "CorruptionError",
    "DB",
    "Error",
    "HEADER_VERSION",
    "InternalError",
    "InvalidArgumentError",
    "Iterator",
    "MAX_KEY_LEN",
    "MAX_VALUE_LEN",
    "NoMemoryError",
    "NotSupportedError",
    "RangeIterator",
    "Snapshot",
    "SstWriter",
    "StrataIOError",
    "Transaction",
    "WriteBatch",
    "destroy",
    "library_version",
    "open",
    "repair",
    "resolve_options",
]
