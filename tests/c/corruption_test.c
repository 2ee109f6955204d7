/*
 * corruption_test.c — damages the files of a strata database the way disks
 * and crashes do and checks that the library notices instead of returning
 * wrong data. (a) A byte flipped in the middle of a table (.sst, after
 * kv_flush): reading every key through kv_get and through an iterator must
 * report KV_CORRUPTION somewhere, and no read may return a value other than
 * the one written or silently miss a key. (b) A byte flipped in the middle of
 * a write-ahead log record that has more records after it: kv_open must fail
 * with KV_CORRUPTION (never replay damaged data) and leave the directory
 * unlocked. (c) A log cut off in the middle of its last record (a torn tail,
 * what a crash during an append leaves): kv_open must succeed, the intact
 * prefix of the writes must be readable and nothing after it, and later
 * writes must survive another reopen. (d) Zeros after the last record (space
 * a writer preallocated): kv_open succeeds with every write. (e) A byte
 * flipped in the middle of the MANIFEST, (f) a MANIFEST that CURRENT names
 * but that is gone, and (g) a table that is gone: kv_open or the reads that
 * need the lost file report an error; the database never silently comes up
 * with fewer keys (in particular, a missing manifest must not make
 * create_if_missing start an empty database). The logs for
 * (b)-(d) come from a child process that writes with sync=false and is then
 * SIGKILLed, so its memtable is never flushed into a table. File names
 * follow DESIGN.md: NNNNNN.sst, NNNNNN.log, MANIFEST-NNNNNN, CURRENT.
 *
 * Usage: corruption_test [PARENT_DIR]   (default $TMPDIR or /tmp)
 * Prints "N passed, N failed" and exits non-zero on any failure.
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE 1

#include <dirent.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "strata/kv.h"
#include "test_util.h"

#define SST_KEYS 20000
#define SST_VALUE_BYTES 100
#define WAL_KEYS 2000
#define WAL_VALUE_BYTES 40

static size_t make_key(int i, char *buf, size_t cap) {
  return (size_t)snprintf(buf, cap, "key%08d", i);
}

/* Deterministic bytes for value i (any byte value, NULs included). */
static void make_value(int i, unsigned char *buf, size_t n) {
  uint32_t x = (uint32_t)i * 2654435761u + 12345u;
  size_t j;
  for (j = 0; j < n; j++) {
    x = x * 1103515245u + 12345u;
    buf[j] = (unsigned char)(x >> 16);
  }
}

/* ---- (a) a damaged table ------------------------------------------------ */

static void test_sst_flip(const char *root) {
  char dir[4096], sst[4096];
  unsigned char want[SST_VALUE_BYTES];
  char key[32];
  int i, rc;
  tu_join(dir, sizeof dir, root, "sst");
  printf("(a) byte flipped in the middle of a table\n");

  kv_db *db = NULL;
  CHECK_OK(kv_open(dir, NULL, &db));
  if (db == NULL) return;
  int put_failures = 0;
  for (i = 0; i < SST_KEYS; i++) {
    size_t kl = make_key(i, key, sizeof key);
    make_value(i, want, sizeof want);
    if (kv_put(db, key, kl, want, sizeof want) != KV_OK) put_failures++;
  }
  CHECK(put_failures == 0);
  CHECK_OK(kv_flush(db));
  CHECK_OK(kv_wait_compactions(db));
  CHECK_OK(kv_close(db));

  int tables = tu_find_largest(dir, ".sst", sst, sizeof sst);
  CHECK(tables >= 1);
  if (tables < 1) return;
  struct stat st;
  if (stat(sst, &st) != 0) tu_die("stat %s", sst);
  long long at = (long long)st.st_size / 2;
  CHECK(tu_flip_byte(sst, at) == 0);
  printf("    flipped byte %lld of %s (%lld bytes, %d tables)\n", at, sst,
         (long long)st.st_size, tables);

  db = NULL;
  rc = kv_open(dir, NULL, &db);
  if (rc == KV_CORRUPTION) {
    /* Verifying tables at open is allowed: the damage was reported. */
    printf("    kv_open reported it: %s\n", kv_last_error());
    CHECK(db == NULL);
    return;
  }
  CHECK_OK(rc);
  if (db == NULL) return;

  /* Point reads. */
  int good = 0, corrupt = 0, wrong = 0, missing = 0, other = 0;
  for (i = 0; i < SST_KEYS; i++) {
    size_t kl = make_key(i, key, sizeof key);
    void *v = NULL;
    size_t vl = 0;
    make_value(i, want, sizeof want);
    rc = kv_get(db, key, kl, &v, &vl);
    if (rc == KV_OK) {
      if (vl == sizeof want && memcmp(v, want, vl) == 0) {
        good++;
      } else {
        if (wrong++ < 3) fprintf(stderr, "    kv_get(%s): WRONG VALUE (%zu bytes)\n", key, vl);
      }
    } else if (rc == KV_CORRUPTION) {
      if (corrupt++ == 0) printf("    kv_get(%s): KV_CORRUPTION: %s\n", key, kv_last_error());
    } else if (rc == KV_NOT_FOUND) {
      if (missing++ < 3) fprintf(stderr, "    kv_get(%s): KV_NOT_FOUND, silently lost\n", key);
    } else {
      if (other++ < 3) {
        fprintf(stderr, "    kv_get(%s): %s: %s\n", key, kv_status_name(rc), kv_last_error());
      }
    }
    kv_free(v);
  }
  printf("    kv_get: %d good, %d KV_CORRUPTION, %d wrong, %d missing, %d other errors\n", good,
         corrupt, wrong, missing, other);
  CHECK(corrupt > 0);
  CHECK(wrong == 0);
  CHECK(missing == 0);
  CHECK(other == 0);
  CHECK(good > 0); /* the rest of the table is still readable */

  /* A scan: entries in order with the right values, then KV_CORRUPTION;
   * never KV_END after silently skipping the damaged part. */
  kv_iter *it = NULL;
  CHECK_OK(kv_iter_new(db, NULL, 0, NULL, 0, &it));
  if (it != NULL) {
    int next = 0, bad = 0, skipped = 0;
    const void *k, *v;
    size_t kl, vl;
    while ((rc = kv_iter_next(it, &k, &kl, &v, &vl)) == KV_OK) {
      int idx = -1;
      char text[32];
      snprintf(text, sizeof text, "%.*s", (int)(kl < 31 ? kl : 31), (const char *)k);
      if (sscanf(text, "key%d", &idx) != 1 || idx < next || idx >= SST_KEYS) {
        if (bad++ < 3) fprintf(stderr, "    scan: unexpected key \"%s\"\n", text);
        continue;
      }
      if (idx > next) {
        if (skipped == 0) {
          fprintf(stderr, "    scan: skipped from key %d to key %d without an error\n", next,
                  idx);
        }
        skipped += idx - next;
      }
      make_value(idx, want, sizeof want);
      if (vl != sizeof want || memcmp(v, want, vl) != 0) {
        if (bad++ < 3) fprintf(stderr, "    scan: WRONG VALUE for %s\n", text);
      }
      next = idx + 1;
    }
    printf("    scan: %d entries, then %s%s%s\n", next, kv_status_name(rc),
           rc < 0 ? ": " : "", rc < 0 ? kv_last_error() : "");
    CHECK_STATUS(rc, KV_CORRUPTION);
    CHECK(bad == 0);
    CHECK(skipped == 0);
    kv_iter_free(it);
  }
  CHECK_OK(kv_close(db));
}

/* ---- (b)-(d) damaged write-ahead logs ------------------------------------ */

/* Forks a child that writes WAL_KEYS puts to dir with sync=false and then
 * kills itself, leaving everything in the write-ahead log. Returns the pid;
 * the caller waits for it. Called before this process uses strata at all, so
 * that the child starts from a clean library. */
static pid_t spawn_wal_writer(const char *dir) {
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  if (pid < 0) tu_die("fork");
  if (pid > 0) return pid;
  kv_db *db = NULL;
  int rc = kv_open(dir, NULL, &db);
  if (rc != KV_OK) {
    fprintf(stderr, "wal writer: kv_open(%s): %s: %s\n", dir, kv_status_name(rc),
            kv_last_error());
    _exit(3);
  }
  int i;
  for (i = 0; i < WAL_KEYS; i++) {
    char key[32];
    unsigned char val[WAL_VALUE_BYTES];
    size_t kl = make_key(i, key, sizeof key);
    make_value(i, val, sizeof val);
    rc = kv_put(db, key, kl, val, sizeof val);
    if (rc != KV_OK) {
      fprintf(stderr, "wal writer: kv_put: %s: %s\n", kv_status_name(rc), kv_last_error());
      _exit(4);
    }
  }
  /* Die without closing: no flush, no clean shutdown. */
  raise(SIGKILL);
  _exit(5);
}

/* Waits for a writer; 1 when it died by SIGKILL as planned. */
static int wait_writer(pid_t pid) {
  int status;
  if (waitpid(pid, &status, 0) != pid) return 0;
  if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) return 1;
  fprintf(stderr, "    the WAL writer exited with status %d instead of being killed\n",
          WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  return 0;
}

/* Finds the log that holds the writes; its content length in *len. */
static int find_log(const char *dir, char *log, size_t cap, long long *len) {
  int logs = tu_find_largest(dir, ".log", log, cap);
  char sst[4096];
  int tables = tu_find_largest(dir, ".sst", sst, sizeof sst);
  if (logs < 1) {
    fprintf(stderr, "    no NNNNNN.log file in %s\n", dir);
    return 0;
  }
  if (tables > 0) {
    fprintf(stderr, "    note: %d tables exist although nothing was flushed\n", tables);
  }
  *len = tu_content_length(log);
  /* WAL_KEYS records of at least key + value bytes each. */
  long long least = (long long)WAL_KEYS * (11 + WAL_VALUE_BYTES);
  if (*len < least) {
    fprintf(stderr, "    %s holds %lld bytes, expected at least %lld\n", log, *len, least);
    return 0;
  }
  return 1;
}

/* Counts the keys 0..WAL_KEYS-1 that read back intact from the front; writes
 * how many later keys are present anyway (or wrong) to *after. */
static int intact_prefix(kv_db *db, int *after, int *errors) {
  int i, prefix = -1;
  *after = 0;
  *errors = 0;
  for (i = 0; i < WAL_KEYS; i++) {
    char key[32];
    unsigned char want[WAL_VALUE_BYTES];
    size_t kl = make_key(i, key, sizeof key);
    make_value(i, want, sizeof want);
    void *v = NULL;
    size_t vl = 0;
    int rc = kv_get(db, key, kl, &v, &vl);
    int ok = rc == KV_OK && vl == sizeof want && memcmp(v, want, vl) == 0;
    kv_free(v);
    if (rc != KV_OK && rc != KV_NOT_FOUND) {
      if ((*errors)++ == 0) {
        fprintf(stderr, "    kv_get(%s): %s: %s\n", key, kv_status_name(rc), kv_last_error());
      }
    } else if (rc == KV_OK && !ok) {
      if ((*errors)++ == 0) fprintf(stderr, "    kv_get(%s): WRONG VALUE\n", key);
    }
    if (prefix < 0) {
      if (!ok) prefix = i;
    } else if (rc == KV_OK) {
      (*after)++;
    }
  }
  return prefix < 0 ? WAL_KEYS : prefix;
}

/* Flips a byte in the middle of the log: at the half-way offset, which with
 * equal-sized records is usually a record's start (its header), or with
 * `in_payload` half a record further on, inside a record's payload. */
static void test_wal_flip(const char *dir, pid_t writer, int in_payload) {
  char log[4096];
  long long len = 0;
  printf("(b) byte flipped in the middle of a write-ahead log%s\n",
         in_payload ? ", inside a record" : "");
  CHECK(wait_writer(writer));
  int found = find_log(dir, log, sizeof log, &len);
  CHECK(found);
  if (!found) return;
  long long at = len / 2 + (in_payload ? len / WAL_KEYS / 2 : 0);
  CHECK(tu_flip_byte(log, at) == 0);
  printf("    flipped byte %lld of %s (%lld bytes of records)\n", at, log, len);

  kv_db *db = (kv_db *)&db;
  int rc = kv_open(dir, NULL, &db);
  printf("    kv_open: %s%s%s\n", kv_status_name(rc), rc < 0 ? ": " : "",
         rc < 0 ? kv_last_error() : "");
  CHECK_STATUS(rc, KV_CORRUPTION);
  if (rc == KV_OK && db != NULL) {
    int after, errors;
    int prefix = intact_prefix(db, &after, &errors);
    fprintf(stderr, "    opened anyway: first %d keys intact, %d later keys present\n", prefix,
            after);
    kv_close(db);
    return;
  }
  CHECK(db == NULL);
  CHECK(kv_last_error()[0] != '\0');
  /* The failed open released the directory: a second attempt says the same
   * thing rather than KV_BUSY, and the damage is not "repaired" away. */
  db = NULL;
  CHECK_STATUS(kv_open(dir, NULL, &db), KV_CORRUPTION);
  if (db != NULL) kv_close(db);
}

static void test_wal_torn_tail(const char *dir, pid_t writer) {
  char log[4096];
  long long len = 0;
  printf("(c) write-ahead log cut in the middle of a record (torn tail)\n");
  CHECK(wait_writer(writer));
  int found = find_log(dir, log, sizeof log, &len);
  CHECK(found);
  if (!found) return;
  /* Half way plus a few bytes: inside a record, whatever the record size. */
  long long cut = len / 2 + 5;
  CHECK(truncate(log, (off_t)cut) == 0);
  printf("    cut %s to %lld of %lld bytes\n", log, cut, len);

  kv_db *db = NULL;
  int rc = kv_open(dir, NULL, &db);
  CHECK_OK(rc);
  if (rc != KV_OK || db == NULL) return;
  int after, errors;
  int prefix = intact_prefix(db, &after, &errors);
  printf("    recovered the first %d of %d writes; %d later ones present\n", prefix, WAL_KEYS,
         after);
  CHECK(errors == 0);
  CHECK(after == 0);
  /* Records are all the same size, so the cut falls near the middle. */
  CHECK(prefix > WAL_KEYS / 4 && prefix < WAL_KEYS * 3 / 4);

  /* New writes after the cut survive another reopen (they must not be
   * appended behind the torn bytes where recovery would drop them). */
  CHECK_OK(kv_put(db, "after-recovery", 14, "yes", 3));
  CHECK_OK(kv_close(db));
  db = NULL;
  CHECK_OK(kv_open(dir, NULL, &db));
  if (db == NULL) return;
  void *v = NULL;
  size_t vl = 0;
  CHECK_OK(kv_get(db, "after-recovery", 14, &v, &vl));
  CHECK(vl == 3 && v != NULL && memcmp(v, "yes", 3) == 0);
  kv_free(v);
  int after2, errors2;
  CHECK(intact_prefix(db, &after2, &errors2) == prefix);
  CHECK(after2 == 0 && errors2 == 0);
  CHECK_OK(kv_close(db));
}

static void test_wal_zero_tail(const char *dir, pid_t writer) {
  char log[4096];
  long long len = 0;
  printf("(d) zeros after the last write-ahead log record\n");
  CHECK(wait_writer(writer));
  int found = find_log(dir, log, sizeof log, &len);
  CHECK(found);
  if (!found) return;
  /* Drop any zeros already there, then add 64 KiB of them. */
  CHECK(truncate(log, (off_t)len) == 0);
  CHECK(truncate(log, (off_t)(len + 65536)) == 0);

  kv_db *db = NULL;
  int rc = kv_open(dir, NULL, &db);
  CHECK_OK(rc);
  if (rc != KV_OK || db == NULL) return;
  int after, errors;
  int prefix = intact_prefix(db, &after, &errors);
  printf("    recovered %d of %d writes acknowledged before the kill\n", prefix, WAL_KEYS);
  /* sync=false writes reached the OS before the process died: all there. */
  CHECK(prefix == WAL_KEYS);
  CHECK(errors == 0);
  CHECK_OK(kv_put(db, "after-recovery", 14, "yes", 3));
  CHECK_OK(kv_close(db));
  db = NULL;
  CHECK_OK(kv_open(dir, NULL, &db));
  if (db == NULL) return;
  void *v = NULL;
  size_t vl = 0;
  CHECK_OK(kv_get(db, "after-recovery", 14, &v, &vl));
  kv_free(v);
  CHECK(intact_prefix(db, &after, &errors) == WAL_KEYS);
  CHECK_OK(kv_close(db));
}

/* ---- (e)-(g) damaged or missing metadata and tables ---------------------- */

/* Writes `rounds` flushed rounds of 2000 keys each (so the manifest holds
 * several edits and there are several tables) and closes. */
static int build_tables(const char *dir, int rounds) {
  kv_db *db = NULL;
  int r, i, failures = 0;
  if (kv_open(dir, NULL, &db) != KV_OK) return 0;
  for (r = 0; r < rounds; r++) {
    for (i = r * 2000; i < (r + 1) * 2000; i++) {
      char key[32];
      unsigned char val[SST_VALUE_BYTES];
      size_t kl = make_key(i, key, sizeof key);
      make_value(i, val, sizeof val);
      if (kv_put(db, key, kl, val, sizeof val) != KV_OK) failures++;
    }
    if (kv_flush(db) != KV_OK) failures++;
  }
  if (kv_close(db) != KV_OK) failures++;
  return failures == 0;
}

/* Reads keys 0..n-1 after damage; counts good reads, errors (negative), and
 * silent losses or wrong values, which are never acceptable. */
static void read_after_damage(kv_db *db, int n, int *good, int *errors, int *silent) {
  int i;
  *good = *errors = *silent = 0;
  for (i = 0; i < n; i++) {
    char key[32];
    unsigned char want[SST_VALUE_BYTES];
    size_t kl = make_key(i, key, sizeof key);
    void *v = NULL;
    size_t vl = 0;
    make_value(i, want, sizeof want);
    int rc = kv_get(db, key, kl, &v, &vl);
    if (rc == KV_OK && vl == sizeof want && memcmp(v, want, vl) == 0) {
      (*good)++;
    } else if (rc < 0) {
      if ((*errors)++ == 0) {
        printf("    kv_get(%s): %s: %s\n", key, kv_status_name(rc), kv_last_error());
      }
    } else {
      if ((*silent)++ < 3) {
        fprintf(stderr, "    kv_get(%s): %s without an error\n", key,
                rc == KV_NOT_FOUND ? "KV_NOT_FOUND" : "a WRONG VALUE");
      }
    }
    kv_free(v);
  }
}

/* The MANIFEST-NNNNNN file of dir (the only one after a clean close). */
static int find_manifest(const char *dir, char *buf, size_t cap) {
  DIR *d = opendir(dir);
  struct dirent *e;
  int count = 0;
  if (d == NULL) return 0;
  while ((e = readdir(d)) != NULL) {
    if (strncmp(e->d_name, "MANIFEST-", 9) == 0) {
      tu_join(buf, cap, dir, e->d_name);
      count++;
    }
  }
  closedir(d);
  return count;
}

static void test_manifest_flip(const char *root) {
  char dir[4096], manifest[4096];
  const int rounds = 6;
  tu_join(dir, sizeof dir, root, "manifest-flip");
  printf("(e) byte flipped in the middle of the MANIFEST\n");
  CHECK(build_tables(dir, rounds));
  int manifests = find_manifest(dir, manifest, sizeof manifest);
  CHECK(manifests >= 1);
  if (manifests < 1) return;
  long long len = tu_content_length(manifest);
  CHECK(len > 0);
  if (len <= 0) return;
  CHECK(tu_flip_byte(manifest, len / 2) == 0);
  printf("    flipped byte %lld of %s (%lld bytes)\n", len / 2, manifest, len);

  kv_db *db = NULL;
  int rc = kv_open(dir, NULL, &db);
  printf("    kv_open: %s%s%s\n", kv_status_name(rc), rc < 0 ? ": " : "",
         rc < 0 ? kv_last_error() : "");
  if (rc == KV_OK && db != NULL) {
    /* Opening is only acceptable if nothing was lost. */
    int good, errors, silent;
    read_after_damage(db, rounds * 2000, &good, &errors, &silent);
    printf("    opened anyway: %d good reads, %d errors, %d silent losses\n", good, errors,
           silent);
    CHECK(silent == 0);
    kv_close(db);
  } else {
    CHECK_STATUS(rc, KV_CORRUPTION);
    CHECK(db == NULL);
  }
}

static void test_manifest_missing(const char *root) {
  char dir[4096], manifest[4096];
  tu_join(dir, sizeof dir, root, "manifest-missing");
  printf("(f) the MANIFEST named by CURRENT is missing\n");
  CHECK(build_tables(dir, 2));
  int manifests = find_manifest(dir, manifest, sizeof manifest);
  CHECK(manifests >= 1);
  if (manifests < 1) return;
  CHECK(unlink(manifest) == 0);

  kv_db *db = NULL;
  int rc = kv_open(dir, NULL, &db); /* create_if_missing is true by default */
  printf("    kv_open: %s%s%s\n", kv_status_name(rc), rc < 0 ? ": " : "",
         rc < 0 ? kv_last_error() : "");
  CHECK(rc < 0);
  CHECK(rc == KV_CORRUPTION || rc == KV_IO_ERROR);
  CHECK(db == NULL);
  if (rc == KV_OK && db != NULL) kv_close(db);
  /* Still refused the second time: the failed open created nothing. */
  db = NULL;
  rc = kv_open(dir, NULL, &db);
  CHECK(rc < 0);
  if (rc == KV_OK && db != NULL) kv_close(db);
}

static void test_table_missing(const char *root) {
  char dir[4096], sst[4096];
  const int rounds = 3;
  tu_join(dir, sizeof dir, root, "table-missing");
  printf("(g) a table file is missing\n");
  CHECK(build_tables(dir, rounds));
  int tables = tu_find_largest(dir, ".sst", sst, sizeof sst);
  CHECK(tables >= 1);
  if (tables < 1) return;
  CHECK(unlink(sst) == 0);
  printf("    removed %s (%d tables)\n", sst, tables);

  kv_db *db = NULL;
  int rc = kv_open(dir, NULL, &db);
  printf("    kv_open: %s%s%s\n", kv_status_name(rc), rc < 0 ? ": " : "",
         rc < 0 ? kv_last_error() : "");
  if (rc != KV_OK) {
    CHECK(rc == KV_CORRUPTION || rc == KV_IO_ERROR);
    return;
  }
  int good, errors, silent;
  read_after_damage(db, rounds * 2000, &good, &errors, &silent);
  printf("    kv_get: %d good, %d errors, %d silent losses\n", good, errors, silent);
  CHECK(errors > 0);
  CHECK(silent == 0);
  /* A scan over everything must end in an error too, not KV_END. */
  kv_iter *it = NULL;
  CHECK_OK(kv_iter_new(db, NULL, 0, NULL, 0, &it));
  if (it != NULL) {
    int n = 0;
    while ((rc = kv_iter_next(it, NULL, NULL, NULL, NULL)) == KV_OK) n++;
    printf("    scan: %d entries of %d, then %s%s%s\n", n, rounds * 2000, kv_status_name(rc),
           rc < 0 ? ": " : "", rc < 0 ? kv_last_error() : "");
    CHECK(rc < 0);
    kv_iter_free(it);
  }
  CHECK_OK(kv_close(db));
}

int main(int argc, char **argv) {
  char root[4096], wal_flip[4096], wal_flip2[4096], wal_torn[4096], wal_zero[4096];
  setvbuf(stdout, NULL, _IOLBF, 0);
  tu_make_temp_dir(argc > 1 ? argv[1] : NULL, "strata-corruption", root, sizeof root);
  printf("corruption_test: %s\n", root);

  /* Start the log writers first, while this process has not used strata. */
  tu_join(wal_flip, sizeof wal_flip, root, "wal-flip");
  tu_join(wal_flip2, sizeof wal_flip2, root, "wal-flip-payload");
  tu_join(wal_torn, sizeof wal_torn, root, "wal-torn");
  tu_join(wal_zero, sizeof wal_zero, root, "wal-zero");
  pid_t w_flip = spawn_wal_writer(wal_flip);
  pid_t w_flip2 = spawn_wal_writer(wal_flip2);
  pid_t w_torn = spawn_wal_writer(wal_torn);
  pid_t w_zero = spawn_wal_writer(wal_zero);

  test_sst_flip(root);
  test_wal_flip(wal_flip, w_flip, 0);
  test_wal_flip(wal_flip2, w_flip2, 1);
  test_wal_torn_tail(wal_torn, w_torn);
  test_wal_zero_tail(wal_zero, w_zero);
  test_manifest_flip(root);
  test_manifest_missing(root);
  test_table_missing(root);

  if (tu_failed == 0) {
    tu_remove_tree(root);
  } else {
    fprintf(stderr, "keeping %s for inspection\n", root);
  }
  return tu_finish();
}
