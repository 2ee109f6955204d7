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

import threading
from typing import Any, Optional, Union

from strata._native import ffi

BytesLike = Union[bytes, bytearray, memoryview]
"""What strata accepts as a key or value: any object with the buffer
protocol (this alias names the common ones for type checkers)."""

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


class GetBuffer:
    """What one strata_get_copy call (get_copy.c) writes to: a buffer for
    values up to CAPACITY bytes, the value's length, and the pointer to a
    larger value (with a `char **` view of it). Each thread keeps one (see
    thread_get_buffer): a call cannot re-enter itself on one thread, and
    ffi.new per call would cost more than the engine's lookup of a cached
    key."""

    CAPACITY = 16 * 1024

    __slots__ = ("buf", "length", "big", "big_chars")

    def __init__(self) -> None:
        self.buf = ffi.new("char[]", self.CAPACITY)
        self.length = ffi.new("size_t *")
        self.big = ffi.new("void **")
        self.big_chars = ffi.cast("char **", self.big)


_per_thread = threading.local()


def thread_get_buffer() -> GetBuffer:
    """This thread's GetBuffer."""
    try:
        out: GetBuffer = _per_thread.get_buffer
        return out
    except AttributeError:
        out = _per_thread.get_buffer = GetBuffer()
        return out


def c_string(obj: Any, what: str) -> bytes:
    """A NUL-terminated C string argument (paths, option names and values)
    from str (encoded with the file system encoding for paths), bytes or
    os.PathLike. Refuses embedded NUL bytes, which C would cut at."""
    import os

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
