/*
 * test_util.h — the small amount of scaffolding shared by the C test
 * programs in tests/c (capi_conformance, crash_test, corruption_test): a
 * CHECK macro that counts passes and failures and prints where a check failed
 * together with kv_last_error(), the closing "N passed, N failed" line,
 * temporary directories made with mkdtemp and removed afterwards, and helpers
 * to find and damage the files of a database directory. These programs are
 * plain C on purpose: they test libstrata.so exactly as a C user sees it,
 * through kv.h and nothing else, so they must not share code with the C++
 * engine. Every function here is static inline so that each program compiles
 * on its own.
 */
#ifndef STRATA_TESTS_C_TEST_UTIL_H
#define STRATA_TESTS_C_TEST_UTIL_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "strata/kv.h"

static int tu_passed = 0;
static int tu_failed = 0;

/* Counts one check. On failure prints the location, the expression and the
 * thread's last strata error (which may be stale if the failing call did not
 * go through strata). */
#define CHECK(cond)                                                                     \
  do {                                                                                  \
    if (cond) {                                                                         \
      tu_passed++;                                                                      \
    } else {                                                                            \
      tu_failed++;                                                                      \
      fprintf(stderr, "FAIL %s:%d: %s (kv_last_error: \"%s\")\n", __FILE__, __LINE__, \
              #cond, kv_last_error());                                                  \
    }                                                                                   \
  } while (0)

/* Checks that an expression yields the expected status and prints both names
 * when it does not. */
#define CHECK_STATUS(expr, want)                                                    \
  do {                                                                              \
    int tu_got_ = (expr);                                                           \
    int tu_want_ = (want);                                                          \
    if (tu_got_ == tu_want_) {                                                      \
      tu_passed++;                                                                  \
    } else {                                                                        \
      tu_failed++;                                                                  \
      fprintf(stderr, "FAIL %s:%d: %s returned %s (%d), want %s (kv_last_error: \"%s\")\n", \
              __FILE__, __LINE__, #expr, kv_status_name(tu_got_), tu_got_,         \
              kv_status_name(tu_want_), kv_last_error());                           \
    }                                                                               \
  } while (0)

#define CHECK_OK(expr) CHECK_STATUS((expr), KV_OK)

/* Prints the closing line and returns the process exit status. */
static inline int tu_finish(void) {
  printf("%d passed, %d failed\n", tu_passed, tu_failed);
  fflush(stdout);
  return tu_failed == 0 ? 0 : 1;
}

/* Aborts the program: used when a precondition of the whole test (a
 * directory, a fork) cannot be had, so that continuing makes no sense. */
static inline void tu_die(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "fatal: ");
  vfprintf(stderr, fmt, ap);
  fprintf(stderr, "\n");
  va_end(ap);
  exit(2);
}

/* Makes a fresh directory "<parent>/<prefix>-XXXXXX" and writes its path to
 * buf. parent NULL or "" means $TMPDIR, else /tmp. */
/* Opens (creating) a database at path with a 64 KiB memtable, so that a few
 * hundred writes reach tables; dies on failure. */
static inline kv_db *tu_open_small_memtable(const char *path) {
  kv_options *o = kv_options_new();
  kv_options_set(o, "memtable_bytes", "65536");
  kv_db *db = NULL;
  int rc = kv_open(path, o, &db);
  kv_options_free(o);
  if (rc != KV_OK) tu_die("open %s: %s: %s", path, kv_status_name(rc), kv_last_error());
  return db;
}

static inline void tu_make_temp_dir(const char *parent, const char *prefix, char *buf,
                                    size_t cap) {
  if (parent == NULL || parent[0] == '\0') parent = getenv("TMPDIR");
  if (parent == NULL || parent[0] == '\0') parent = "/tmp";
  int n = snprintf(buf, cap, "%s/%s-XXXXXX", parent, prefix);
  if (n < 0 || (size_t)n >= cap) tu_die("temporary directory path too long");
  if (mkdtemp(buf) == NULL) tu_die("mkdtemp %s: %s", buf, strerror(errno));
}

/* Removes a directory tree (database directories are flat, but a test's root
 * directory holds several of them). Returns 0 on success. */
static inline int tu_remove_tree(const char *path) {
  struct stat st;
  if (lstat(path, &st) != 0) return errno == ENOENT ? 0 : -1;
  if (!S_ISDIR(st.st_mode)) return unlink(path);
  DIR *d = opendir(path);
  if (d == NULL) return -1;
  int rc = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    char child[4096];
    int n = snprintf(child, sizeof child, "%s/%s", path, e->d_name);
    if (n < 0 || (size_t)n >= sizeof child || tu_remove_tree(child) != 0) rc = -1;
  }
  closedir(d);
  if (rmdir(path) != 0) rc = -1;
  return rc;
}

/* Joins a directory and a name into buf. */
static inline void tu_join(char *buf, size_t cap, const char *dir, const char *name) {
  int n = snprintf(buf, cap, "%s/%s", dir, name);
  if (n < 0 || (size_t)n >= cap) tu_die("path too long: %s/%s", dir, name);
}

/* True when `name` is six or more digits followed by `suffix` (".sst",
 * ".log"): the file names of tables and write-ahead logs. */
static inline int tu_is_numbered(const char *name, const char *suffix) {
  size_t n = strlen(name), s = strlen(suffix), i;
  if (n < s + 1 || strcmp(name + n - s, suffix) != 0) return 0;
  for (i = 0; i < n - s; i++) {
    if (name[i] < '0' || name[i] > '9') return 0;
  }
  return 1;
}

/* Counts the files in dir whose names are numbered with `suffix`, and writes
 * the path of the largest of them (by size; ties go to the larger number) to
 * buf. Returns the count. */
static inline int tu_find_largest(const char *dir, const char *suffix, char *buf, size_t cap) {
  DIR *d = opendir(dir);
  if (d == NULL) return 0;
  int count = 0;
  off_t best_size = -1;
  unsigned long long best_num = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (!tu_is_numbered(e->d_name, suffix)) continue;
    char path[4096];
    struct stat st;
    tu_join(path, sizeof path, dir, e->d_name);
    if (stat(path, &st) != 0) continue;
    unsigned long long num = strtoull(e->d_name, NULL, 10);
    count++;
    if (st.st_size > best_size || (st.st_size == best_size && num > best_num)) {
      best_size = st.st_size;
      best_num = num;
      snprintf(buf, cap, "%s", path);
    }
  }
  closedir(d);
  return count;
}

/* The length of a file up to and including its last non-zero byte, so that
 * space a writer preallocated (zeros) is not mistaken for records. -1 on
 * error. */
static inline long long tu_content_length(const char *path) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) return -1;
  struct stat st;
  if (fstat(fd, &st) != 0) {
    close(fd);
    return -1;
  }
  long long end = (long long)st.st_size;
  unsigned char buf[4096];
  while (end > 0) {
    long long start = end > (long long)sizeof buf ? end - (long long)sizeof buf : 0;
    ssize_t n = pread(fd, buf, (size_t)(end - start), (off_t)start);
    if (n != (ssize_t)(end - start)) {
      close(fd);
      return -1;
    }
    long long i;
    for (i = n - 1; i >= 0; i--) {
      if (buf[i] != 0) {
        close(fd);
        return start + i + 1;
      }
    }
    end = start;
  }
  close(fd);
  return 0;
}

/* Inverts every bit of the byte at `offset`. Returns 0 on success. */
static inline int tu_flip_byte(const char *path, long long offset) {
  int fd = open(path, O_RDWR);
  if (fd < 0) return -1;
  unsigned char b;
  int rc = -1;
  if (pread(fd, &b, 1, (off_t)offset) == 1) {
    b ^= 0xFF;
    if (pwrite(fd, &b, 1, (off_t)offset) == 1 && fsync(fd) == 0) rc = 0;
  }
  close(fd);
  return rc;
}

#endif /* STRATA_TESTS_C_TEST_UTIL_H */
