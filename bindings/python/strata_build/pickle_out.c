/* pickle_out.c — compiled into the cffi extension (ffi_builder.py), first of
 * the binding's C glue: writing Python objects as a pickle, for the glue that
 * hands many values to Python at once (walk_ahead.c, multi_get.c).
 *
 * Why a pickle: Python's C unpickler (pickle.loads) turns it into `bytes`,
 * tuples, None and a list without running Python code per object, which
 * building them one by one from Python through cffi would. Only protocol 3
 * opcodes (Lib/pickletools.py documents them), a stable format.
 */
#include <stdint.h>
#include <string.h>

#define PICKLE_MARK '('
#define PICKLE_LIST 'l'
#define PICKLE_STOP '.'
#define PICKLE_NONE 'N'
#define PICKLE_TUPLE2 '\x86'
#define PICKLE_SHORT_BINBYTES 'C' /* 1-byte length */
#define PICKLE_BINBYTES 'B'       /* 4-byte little-endian length */

/* The most bytes strata_pickle_bytes adds besides the data itself. */
#define PICKLE_BYTES_OVERHEAD 5

/* Appends a pickled bytes object; returns the end of what it wrote. Lengths
 * fit 32 bits: keys are at most KV_MAX_KEY_LEN and values KV_MAX_VALUE_LEN
 * (1 GiB). */
static char *strata_pickle_bytes(char *out, const void *p, size_t n) {
  if (n < 256) {
    *out++ = PICKLE_SHORT_BINBYTES;
    *out++ = (char)n;
  } else {
    uint32_t len = (uint32_t)n;
    *out++ = PICKLE_BINBYTES;
    for (int i = 0; i < 4; i++) *out++ = (char)((len >> (8 * i)) & 0xff);
  }
  if (n) memcpy(out, p, n);
  return out + n;
}
