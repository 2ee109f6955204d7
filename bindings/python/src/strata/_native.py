"""The compiled cffi module: ``ffi`` (types, buffers) and ``lib`` (the kv_*
functions of libstrata). Every other module reaches C through here.

Each ``lib.kv_*`` call releases the GIL for its duration (cffi API mode)."""

from strata._strata_cffi import ffi, lib  # type: ignore[import-not-found,unused-ignore]

__all__ = ["ffi", "lib"]
