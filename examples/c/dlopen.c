/*
 * dlopen.c — uses strata without linking against it: libstrata.so is loaded
 * at run time with dlopen and every kv_ function is looked up with dlsym.
 * This is how plugins, language runtimes (cffi's ABI mode, ctypes) and
 * programs that make strata optional use the library, and it shows that the
 * stable C ABI is all they need. kv.h is included only for the handle types,
 * the status codes and the version macros; the program checks that the
 * library it loaded has the major version the header describes.
 *
 * Usage: strata-example-dlopen [LIBRARY] [DB_DIR]
 *   LIBRARY defaults to "libstrata.so.0" (found through the usual search
 *   path, e.g. LD_LIBRARY_PATH); DB_DIR to /tmp/strata-example-dlopen.
 */
#define _POSIX_C_SOURCE 200809L

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strata/kv.h" /* types and constants only: nothing is linked */

/* The functions this program uses, resolved by name. */
static struct {
  const char *(*version)(void);
  const char *(*last_error)(void);
  const char *(*status_name)(int);
  kv_options *(*options_new)(void);
  int (*options_set)(kv_options *, const char *, const char *);
  void (*options_free)(kv_options *);
  int (*open)(const char *, const kv_options *, kv_db **);
  int (*close)(kv_db *);
  int (*put)(kv_db *, const void *, size_t, const void *, size_t);
  int (*get)(kv_db *, const void *, size_t, void **, size_t *);
  void (*free)(void *);
  int (*del)(kv_db *, const void *, size_t);
  kv_batch *(*batch_new)(void);
  int (*batch_put)(kv_batch *, const void *, size_t, const void *, size_t);
  void (*batch_free)(kv_batch *);
  int (*write)(kv_db *, const kv_batch *);
  int (*iter_new)(kv_db *, const void *, size_t, const void *, size_t, kv_iter **);
  int (*iter_next)(kv_iter *, const void **, size_t *, const void **, size_t *);
  void (*iter_free)(kv_iter *);
} kv;

/* dlsym returns an object pointer; POSIX guarantees it converts to a function
 * pointer, and copying the bytes keeps ISO C compilers quiet. */
static int load(void *lib, void *slot, size_t slot_size, const char *name) {
  void *sym = dlsym(lib, name);
  if (sym == NULL) {
    fprintf(stderr, "dlsym(%s): %s\n", name, dlerror());
    return -1;
  }
  memcpy(slot, &sym, slot_size);
  return 0;
}

#define LOAD(field, name) (load(lib, &kv.field, sizeof kv.field, name) == 0)

static void check(int rc, const char *what) {
  if (rc < 0) {
    fprintf(stderr, "%s failed: %s: %s\n", what, kv.status_name(rc), kv.last_error());
    exit(1);
  }
}

int main(int argc, char **argv) {
  const char *libpath = argc > 1 ? argv[1] : "libstrata.so.0";
  const char *path = argc > 2 ? argv[2] : "/tmp/strata-example-dlopen";

  void *lib = dlopen(libpath, RTLD_NOW | RTLD_LOCAL);
  if (lib == NULL) {
    fprintf(stderr, "dlopen(%s): %s\n", libpath, dlerror());
    return 1;
  }
  if (!(LOAD(version, "kv_version") && LOAD(last_error, "kv_last_error") &&
        LOAD(status_name, "kv_status_name") && LOAD(options_new, "kv_options_new") &&
        LOAD(options_set, "kv_options_set") && LOAD(options_free, "kv_options_free") &&
        LOAD(open, "kv_open") && LOAD(close, "kv_close") && LOAD(put, "kv_put") &&
        LOAD(get, "kv_get") && LOAD(free, "kv_free") && LOAD(del, "kv_delete") &&
        LOAD(batch_new, "kv_batch_new") && LOAD(batch_put, "kv_batch_put") &&
        LOAD(batch_free, "kv_batch_free") && LOAD(write, "kv_write") &&
        LOAD(iter_new, "kv_iter_new") && LOAD(iter_next, "kv_iter_next") &&
        LOAD(iter_free, "kv_iter_free"))) {
    return 1;
  }

  /* The header and the library must agree on the major version. */
  const char *version = kv.version();
  if (atoi(version) != KV_VERSION_MAJOR) {
    fprintf(stderr, "%s is version %s; this program was built for %s\n", libpath, version,
            KV_VERSION_STRING);
    return 1;
  }
  printf("loaded %s, strata %s\n", libpath, version);

  kv_db *db = NULL;
  kv_options *opts = kv.options_new();
  check(kv.options_set(opts, "memtable", "avl"), "kv_options_set");
  check(kv.open(path, opts, &db), "kv_open");
  kv.options_free(opts);

  check(kv.put(db, "greeting", 8, "hello", 5), "kv_put");
  void *val;
  size_t len;
  check(kv.get(db, "greeting", 8, &val, &len), "kv_get");
  printf("greeting = %.*s\n", (int)len, (const char *)val);
  kv.free(val);
  check(kv.del(db, "greeting", 8), "kv_delete");
  printf("greeting after delete: %s\n", kv.status_name(kv.get(db, "greeting", 8, &val, &len)));

  kv_batch *batch = kv.batch_new();
  check(kv.batch_put(batch, "n:1", 3, "one", 3), "kv_batch_put");
  check(kv.batch_put(batch, "n:2", 3, "two", 3), "kv_batch_put");
  check(kv.batch_put(batch, "n:3", 3, "three", 5), "kv_batch_put");
  check(kv.write(db, batch), "kv_write");
  kv.batch_free(batch);

  kv_iter *it;
  const void *k, *v;
  size_t klen, vlen;
  int rc;
  check(kv.iter_new(db, "n:", 2, NULL, 0, &it), "kv_iter_new");
  while ((rc = kv.iter_next(it, &k, &klen, &v, &vlen)) == KV_OK)
    printf("  %.*s = %.*s\n", (int)klen, (const char *)k, (int)vlen, (const char *)v);
  kv.iter_free(it);
  check(rc, "kv_iter_next");

  check(kv.close(db), "kv_close");
  /* Every handle is closed, so the library can go. */
  dlclose(lib);
  return 0;
}
