"""Calls on a database directory that is not open: repair and destroy."""

from __future__ import annotations

from typing import Any

from strata._convert import StrPath, c_string
from strata._errors import pending_error, raise_for
from strata._native import ffi, lib
from strata._options import new_options


def repair(path: StrPath, **options: Any) -> str:
    """Rebuilds the manifest of the (closed) database at `path` from the
    tables and logs that can still be read, keeping a backup of what it
    replaces, and returns the library's report of what was recovered and
    exactly what was dropped. BusyError if the database is open. Options are
    those of open() (the ones that matter for reading its files)."""
    c_path = c_string(path, "path")
    c_options = new_options(options) if options else ffi.NULL
    report = ffi.new("char **")
    try:
        rc = lib.kv_repair(c_path, c_options, report)
        error = pending_error(rc)
        try:
            text = "" if report[0] == ffi.NULL else ffi.string(report[0]).decode(
                "utf-8", "replace")
        finally:
            lib.kv_free(report[0])
        if error is not None:
            if text:
                error.report = text  # type: ignore[attr-defined]
            raise error
        return text
    finally:
        if c_options != ffi.NULL:
            lib.kv_options_free(c_options)


def destroy(path: StrPath) -> None:
    """Deletes the database at `path`: its files, then the directory if it
    is left empty. BusyError if it is open; nothing happens if there is no
    database there."""
    raise_for(lib.kv_destroy(c_string(path, "path")))
