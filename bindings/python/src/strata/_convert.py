"""Conversions between Python objects and the C ABI's (pointer, length)
byte strings. One place, so that every call accepts and refuses the same
things.

Inputs are borrowed by C for the duration of one call (kv.h convention 3), so
nothing here copies: ``bytes`` goes to C as it is (cffi passes a bytes
object's own storage to a ``const char *`` parameter), other bytes-like
objects (bytearray, memoryview, array, mmap, numpy...) through
``ffi.from_buffer``, which also pins a resizable buffer such as a bytearray
while C reads it. ``str`` is refused: strata stores bytes, and guessing an
encoding would hide bugs.
"""

from __future__ import annotations

import array
import mmap
import os
import threading
from typing import TYPE_CHECKING, Any, Optional, Union

from strata._native import ffi

if TYPE_CHECKING:
    # For type checkers, exactly what the code accepts: any object with the
    # buffer protocol (PEP 688; typing_extensions ships with every type
    # checker, so the package needs it only while being checked).
    from typing_extensions import Buffer, TypeAlias

    BytesLike: TypeAlias = Buffer
else:
    BytesLike = Union[bytes, bytearray, memoryview, array.array, mmap.mmap]
"""What strata accepts as a key or value: any object with the buffer
protocol, C-contiguous (bytes, bytearray, memoryview, array.array, mmap,
numpy arrays...). Type checkers see typing_extensions.Buffer, which all of
them match; at run time the alias names the standard library's ones."""

StrPath = Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"]
"""A file system path: str, bytes or os.PathLike."""

MISSING: Any = object()
"""A default no caller can pass: tells "absent" from any value."""


def as_c_bytes(obj: Any, what: str) -> tuple[Any, int]:
    """(C argument, length) for a key, value or bound. Raises TypeError for
    str, None and objects without the buffer protocol."""
    if type(obj) is bytes:
        return obj, len(obj)
    if isinstance(obj, str):
        raise TypeError(
            f"{what} must be bytes-like, not str; encode it first, e.g. {what}.encode()"
        )
    if isinstance(obj, bytes):  # a bytes subclass
        return bytes(obj), len(obj)
    try:
        view = memoryview(obj)
    except TypeError:
        raise TypeError(
            f"{what} must be bytes-like (bytes, bytearray, memoryview...), "
            f"not {type(obj).__name__}"
        ) from None
    with view:
        if not view.c_contiguous:
            raise TypeError(f"{what} must be a contiguous buffer")
        length = view.nbytes
    return ffi.from_buffer("char[]", obj), length


def as_c_bound(obj: Optional[Any], what: str) -> tuple[Any, int]:
    """Like as_c_bytes, but None is an open bound (NULL, 0). An empty bytes
    object is a real bound (the empty key), as kv.h says."""
    if obj is None:
        return ffi.NULL, 0
    return as_c_bytes(obj, what)


def to_bytes(pointer: Any, length: int) -> bytes:
    """A new bytes object holding `length` bytes at `pointer` (a copy: the
    C memory is borrowed or about to be freed)."""
    data: bytes = ffi.buffer(pointer, length)[:]
    return data


unpack_chars = ffi.unpack
"""unpack_chars(char_pointer, length) -> bytes: the fastest copy out of C
memory cffi offers, for `char *` cdata. The hot paths (get, iteration) keep
a `char **` view of their `void **` out parameters (ffi.cast, once) so they
can use it without a cast per call."""


class ValueOut:
    """What one strata_get_copy call (get_copy.c) writes to: `c`, a
    `strata_value_out *` whose buffer (`buf`, `cap` bytes) receives a value
    that fits (kv_get_into). A value that does not fit is not copied; the
    caller grows the buffer (grow) and reads again. Each thread keeps one
    (see the thread-local `values_out`): a call cannot re-enter itself on one
    thread, and ffi.new per call would cost more than the engine's lookup of
    a cached key."""

    CAPACITY = 16 * 1024
    # A thread's buffer grows to hold larger values up to this size, and is
    # kept; a larger value gets a buffer of its own for the one call.
    KEPT_MAX = 1024 * 1024

    __slots__ = ("c", "buf", "cap")

    def __init__(self, cap: int = CAPACITY) -> None:
        self.cap = cap
        self.buf = ffi.new("char[]", cap)
        self.c = ffi.new("strata_value_out *", {"buf": self.buf, "cap": cap})
        # self.buf also keeps the buffer alive as long as c points into it.

    def grow(self, n: int) -> None:
        """Makes room for a value of n bytes (n > cap), at least doubling."""
        cap = max(n, min(2 * self.cap, self.KEPT_MAX))
        self.buf = ffi.new("char[]", cap)
        self.c.buf = self.buf
        self.c.cap = self.cap = cap


class _ThreadValuesOut(threading.local):
    """A threading.local whose `out` attribute is this thread's ValueOut,
    made on first use: reading it is one attribute lookup, cheaper than a
    function call on the get path."""

    def __init__(self) -> None:
        self.out = ValueOut()


values_out = _ThreadValuesOut()


def c_string(obj: Any, what: str) -> bytes:
    """A NUL-terminated C string argument (paths, option names and values)
    from str (encoded with the file system encoding for paths), bytes or
    os.PathLike. Refuses embedded NUL bytes, which C would cut at."""
    if isinstance(obj, os.PathLike):
        obj = os.fspath(obj)
    if isinstance(obj, str):
        data = os.fsencode(obj)
    elif isinstance(obj, bytes):
        data = obj
    else:
        raise TypeError(f"{what} must be str, bytes or os.PathLike, not {type(obj).__name__}")
    if b"\0" in data:
        raise ValueError(f"{what} must not contain NUL bytes")
    return data
