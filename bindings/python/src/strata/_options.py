"""Options by name, passed through to the C library's kv_options_set.

The C layer validates every name and value (an unknown name or a malformed
value is InvalidArgumentError naming it), so this module only turns Python
values into the strings kv.h expects: bool to "true"/"false", int to its
decimal digits, str as it is (e.g. ``memtable_bytes="64M"``).
"""

from __future__ import annotations

from typing import Any, Mapping

from strata._convert import c_string
from strata._errors import NoMemoryError, raise_for
from strata._native import ffi, lib

CONTRACT_OPTIONS = (
    "create_if_missing",
    "error_if_exists",
    "sync",
    "memtable_bytes",
    "memtable",
    "block_cache_bytes",
    "bloom_bits_per_key",
    "block_bytes",
    "compression",
    "background_threads",
)
"""The option names every binding exposes (docs/OPTIONS.md). The library
accepts further tuning options by name as well; see that page."""


def _option_text(name: str, value: Any) -> bytes:
    if isinstance(value, bool):
        return b"true" if value else b"false"
    if isinstance(value, int):
        return str(value).encode("ascii")
    if isinstance(value, str):
        return c_string(value, f"option {name}")
    raise TypeError(
        f"option {name} must be a bool, an int or a str, not {type(value).__name__}"
    )


def new_options(options: Mapping[str, Any]) -> Any:
    """A kv_options holding `options`, owned by the caller: free it with
    lib.kv_options_free (kv_open and kv_repair copy it)."""
    handle = lib.kv_options_new()
    if handle == ffi.NULL:
        raise NoMemoryError("kv_options_new: out of memory")
    try:
        for name, value in options.items():
            text = _option_text(name, value)
            raise_for(lib.kv_options_set(handle, c_string(name, "option name"), text))
    except BaseException:
        lib.kv_options_free(handle)
        raise
    return handle


def read_options(handle: Any, names: tuple[str, ...] = CONTRACT_OPTIONS) -> dict[str, str]:
    """The values of `names` in a kv_options, as the library prints them."""
    out = ffi.new("char **")
    values = {}
    for name in names:
        raise_for(lib.kv_options_get(handle, name.encode("ascii"), out))
        try:
            values[name] = ffi.string(out[0]).decode("utf-8", "replace")
        finally:
            lib.kv_free(out[0])
    return values


def resolve_options(**options: Any) -> dict[str, str]:
    """The effective value of every contract option (and of each option named
    here) after applying `options` to the defaults, as text. Raises
    InvalidArgumentError, like open() would, for a bad name or value.

    >>> strata.resolve_options(memtable="avl")["memtable"]
    'avl'
    """
    handle = new_options(options)
    try:
        names = CONTRACT_OPTIONS + tuple(n for n in options if n not in CONTRACT_OPTIONS)
        return read_options(handle, names)
    finally:
        lib.kv_options_free(handle)
