"""The cffi builder of ``strata._strata_cffi`` (out-of-line API mode).

The package's CMakeLists.txt runs this file (``python ffi_builder.py
OUT.c``) to write the extension's C source, then compiles and links it
against libstrata itself. cffi generates a C extension that includes the real
``strata/kv.h`` and calls the library directly, so the C compiler checks
every declaration of kv_cdef.h against the header.

The binding's own C glue (walk_ahead.c, get_copy.c, multi_get.c: fewer
crossings into C on the hot paths, only kv.h calls; pickle_out.c, which the
first and last share) is compiled into the same extension.

The GIL: cffi's API-mode wrappers release the GIL around every call into C
(Py_BEGIN_ALLOW_THREADS in the generated code), so each engine call lets
other Python threads run. tests/test_threads.py checks that this holds.
"""

from pathlib import Path

from cffi import FFI

HERE = Path(__file__).resolve().parent
# The binding's own C glue: each file says why it exists. pickle_out.c comes
# first: the others use it.
GLUE = ("pickle_out.c", "walk_ahead.c", "get_copy.c", "multi_get.c")

ffibuilder = FFI()
ffibuilder.cdef((HERE / "kv_cdef.h").read_text())
ffibuilder.cdef((HERE / "glue_cdef.h").read_text())
ffibuilder.set_source(
    "strata._strata_cffi",
    '#include "strata/kv.h"\n' + "".join((HERE / name).read_text() for name in GLUE),
)

if __name__ == "__main__":
    # python ffi_builder.py [OUT.c]: writes the extension's C source (what
    # CMake compiles; also handy for reading what cffi generates).
    import sys

    ffibuilder.emit_c_code(sys.argv[1] if len(sys.argv) > 1 else "_strata_cffi.c")
