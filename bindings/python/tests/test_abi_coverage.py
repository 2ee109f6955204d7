"""The binding covers the whole C ABI: every function kv.h declares is bound
(declared to cffi) and called by the package, and every status code has its
exception class. Fails when kv.h grows and the binding does not."""

import re
from pathlib import Path

import strata
from strata._errors import _CLASS_OF_STATUS
from strata._native import lib

from conftest import REPO_ROOT

HEADER = REPO_ROOT / "capi" / "include" / "strata" / "kv.h"
PACKAGE = Path(strata.__file__).resolve().parent
CDEF = Path(__file__).resolve().parents[1] / "strata_build" / "kv_cdef.h"


def header_functions() -> set[str]:
    text = HEADER.read_text()
    names = set(re.findall(r"KV_EXPORT[^;(]*?\b(kv_\w+)\s*\(", text))
    assert len(names) >= 40, f"parsed only {len(names)} functions from {HEADER}"
    return names


def test_every_header_function_is_declared_to_cffi():
    cdef = set(re.findall(r"\b(kv_\w+)\s*\(", CDEF.read_text()))
    assert header_functions() - cdef == set()
    assert cdef - header_functions() == set()


def test_every_header_function_is_in_the_compiled_module():
    missing = [name for name in header_functions() if not hasattr(lib, name)]
    assert missing == []


def test_every_header_function_is_called_by_the_package():
    # Called from Python (lib.kv_x) or from the binding's C glue (kv_x(...)).
    python = "\n".join(p.read_text() for p in PACKAGE.glob("*.py"))
    glue = "\n".join(p.read_text() for p in CDEF.parent.glob("*.c"))
    # kv_get and kv_get_at are covered by their successors (issue 16): get
    # reads with kv_get_into, which spares the allocation and kv_free.
    superseded = {"kv_get": "kv_get_into", "kv_get_at": "kv_get_into_at"}
    unused = sorted(n for n in header_functions()
                    if not re.search(r"\b_?lib\.%s\b" % superseded.get(n, n), python)
                    and not re.search(r"\b%s\(" % superseded.get(n, n), glue))
    assert unused == []


def test_every_error_code_has_an_exception_class():
    codes = dict(re.findall(r"#define (KV_[A-Z_]+) \((-\d+)\)", HEADER.read_text()))
    assert codes, "no negative status codes parsed from kv.h"
    for name, value in codes.items():
        cls = _CLASS_OF_STATUS.get(int(value))
        assert cls is not None, f"{name} has no exception class"
        assert issubclass(cls, strata.Error)
        err = cls("message")
        assert err.status == int(value) and err.status_name == name


def test_versions_match():
    assert strata.HEADER_VERSION == strata.library_version()
    assert strata.__version__ == strata.HEADER_VERSION
    assert strata.MAX_KEY_LEN == 65536 and strata.MAX_VALUE_LEN == 1 << 30
