"""The cffi builder of ``strata._strata_cffi`` (out-of-line API mode).

setup.py names this file in ``cffi_modules``. cffi generates a C extension
that includes the real ``strata/kv.h`` and calls the library directly, so the
C compiler checks every declaration of kv_cdef.h against the header. Where the
header and library are is decided later, by setup.py's build_ext (see
locate_library.py), which adds the include, library and run-time directories
to the extension before it is compiled.

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
    libraries=["strata"],
)

if __name__ == "__main__":
    # Emits the generated C file, for reading: python ffi_builder.py
    ffibuilder.emit_c_code("_strata_cffi.c")
