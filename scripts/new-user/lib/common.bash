# Helpers shared by the new-user tests (scripts/new-user/*.sh; sourced, not
# run: the runner, scripts/test-new-user.sh, only runs the *.sh files).
# They set the scene a new user meets: a directory outside the clone, no
# build tree in sight, and none of the variables a developer of strata
# would have set.

# The clone the test runs from (its bindings are what the user points at).
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)

# Drops every variable that could point a build at strata's build tree or
# at a library elsewhere, so only what is installed can be found.
clean_environment() {
  local name
  for name in $(compgen -e); do
    case $name in
      STRATA_* | PKG_CONFIG_PATH | PKG_CONFIG_LIBDIR | LD_LIBRARY_PATH | LIBRARY_PATH | CPATH | \
        C_INCLUDE_PATH | CGO_CFLAGS | CGO_CPPFLAGS | CGO_LDFLAGS | GOFLAGS | GOWORK | CMAKE_PREFIX_PATH)
        unset "$name" ;;
    esac
  done
}

# Makes a scratch directory outside the clone, removed when the script exits
# (with the library, if install_library installed it); its path is in
# $scratch.
make_scratch() {
  scratch=$(mktemp -d "${TMPDIR:-/tmp}/strata-new-user-$1.XXXXXX")
  case $scratch in "$repo"/*) echo "new-user: $scratch is inside the clone" >&2; exit 1 ;; esac
  trap cleanup EXIT
}

cleanup() {
  rm -rf "$scratch"
  [[ -z ${installed_before:-} ]] || uninstall_library_if_new
}

# Installs the library the documented way (scripts/install-library.sh:
# cmake --install of the library-only build into /usr/local). When strata
# was not installed there before, uninstall_library_if_new removes it again
# (from the install manifest), so that other tests still find a machine
# with nothing installed.
install_library() {
  installed_before=0
  [[ -e /usr/local/lib/libstrata.so.0 ]] && installed_before=1
  # Directories the install may create, removed again if it did (when empty).
  new_dirs=()
  local dir
  for dir in /usr/local/include/strata /usr/local/lib/cmake/strata /usr/local/lib/cmake \
    /usr/local/lib/pkgconfig; do
    [[ -d $dir ]] || new_dirs+=("$dir")
  done
  echo "new-user: installing the library (scripts/install-library.sh)"
  bash "$repo/scripts/install-library.sh" >/dev/null
}

uninstall_library_if_new() {
  ((installed_before)) && return 0
  local manifest=$repo/build/library/install_manifest.txt sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  [[ -f $manifest ]] || return 0
  echo "new-user: removing the files it installed ($manifest)"
  xargs -d '\n' $sudo rm -f <"$manifest"
  local dir
  for dir in "${new_dirs[@]}"; do $sudo rmdir "$dir" 2>/dev/null || true; done
  $sudo ldconfig 2>/dev/null || true
}

# A C program that writes, reads, scans and closes, checking each result;
# it exits non-zero on the first surprise.
write_c_program() {
  cat >"$1/main.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strata/kv.h>

#define CHECK(cond)                                                          \
  do {                                                                       \
    if (!(cond)) {                                                           \
      fprintf(stderr, "new-user C: %s failed: %s\n", #cond, kv_last_error()); \
      exit(1);                                                               \
    }                                                                        \
  } while (0)

int main(int argc, char **argv) {
  CHECK(argc == 2);
  kv_db *db;
  CHECK(kv_open(argv[1], NULL, &db) == KV_OK);
  CHECK(kv_put(db, "fruit:apple", 11, "red", 3) == KV_OK);
  CHECK(kv_put(db, "fruit:kiwi", 10, "green", 5) == KV_OK);
  CHECK(kv_put(db, "veg:leek", 8, "white", 5) == KV_OK);
  void *val;
  size_t len;
  CHECK(kv_get(db, "fruit:kiwi", 10, &val, &len) == KV_OK);
  CHECK(len == 5 && memcmp(val, "green", 5) == 0);
  kv_free(val);
  CHECK(kv_get(db, "fruit:plum", 10, &val, &len) == KV_NOT_FOUND);

  kv_iter *it;
  const void *k, *v;
  size_t kl, vl;
  int n = 0, rc;
  CHECK(kv_iter_new(db, "fruit:", 6, "fruit;", 6, &it) == KV_OK);
  while ((rc = kv_iter_next(it, &k, &kl, &v, &vl)) == KV_OK) n++;
  CHECK(rc == KV_END && n == 2);
  kv_iter_free(it);
  CHECK(kv_close(db) == KV_OK);

  CHECK(kv_open(argv[1], NULL, &db) == KV_OK); /* reopened: the data is there */
  CHECK(kv_get(db, "veg:leek", 8, &val, &len) == KV_OK && len == 5);
  kv_free(val);
  CHECK(kv_close(db) == KV_OK);
  printf("new-user C: libstrata %s (header %s): wrote, read, scanned, closed\n", kv_version(),
         KV_VERSION_STRING);
  return strcmp(kv_version(), KV_VERSION_STRING) == 0 ? 0 : 1;
}
C
}

# A new Go module that requires the binding through a replace pointing at
# the clone, exactly as docs/GO.md shows, and a program that writes, reads,
# scans and closes (with an iterator and a snapshot left open, which Close
# must close so the reopen succeeds).
write_go_program() {
  cat >"$1/go.mod" <<MOD
module example.com/newuser

go 1.23

require github.com/strata-kv/strata/bindings/go v0.0.0

replace github.com/strata-kv/strata/bindings/go => $repo/bindings/go
MOD
  cat >"$1/main.go" <<'GO'
package main

import (
	"errors"
	"fmt"
	"io/fs"
	"log"
	"os"
	"path/filepath"

	strata "github.com/strata-kv/strata/bindings/go"
)

func main() {
	path := filepath.Join(os.Args[1], "db")
	db, err := strata.Open(path, nil)
	if err != nil {
		log.Fatal(err)
	}
	for k, v := range map[string]string{"fruit:apple": "red", "fruit:kiwi": "green", "veg:leek": "white"} {
		if err := db.Put([]byte(k), []byte(v), nil); err != nil {
			log.Fatal(err)
		}
	}
	if v, err := db.Get([]byte("fruit:kiwi")); err != nil || string(v) != "green" {
		log.Fatalf("Get: %q, %v", v, err)
	}
	if _, err := db.Get([]byte("fruit:plum")); !errors.Is(err, strata.ErrNotFound) {
		log.Fatalf("Get of an absent key: %v", err)
	}
	var keys []string
	for kv, err := range db.Prefix([]byte("fruit:")) {
		if err != nil {
			log.Fatal(err)
		}
		keys = append(keys, string(kv.Key))
	}
	if fmt.Sprint(keys) != "[fruit:apple fruit:kiwi]" {
		log.Fatalf("scan: %v", keys)
	}
	it, _ := db.NewIter(nil) // forgotten on purpose: Close closes them
	it.First()
	snap, _ := db.NewSnapshot()
	_ = snap
	if err := db.Close(); err != nil {
		log.Fatal(err)
	}
	db, err = strata.Open(path, &strata.Options{ErrorIfNotExists: true})
	if err != nil {
		log.Fatalf("reopen after Close: %v", err)
	}
	if v, err := db.Get([]byte("veg:leek")); err != nil || string(v) != "white" {
		log.Fatalf("Get after reopen: %q, %v", v, err)
	}
	if err := db.Close(); err != nil {
		log.Fatal(err)
	}
	_, err = strata.Open(filepath.Join(os.Args[1], "missing"), &strata.Options{ErrorIfNotExists: true})
	if !errors.Is(err, fs.ErrNotExist) {
		log.Fatalf("Open of a missing database: %v, want fs.ErrNotExist", err)
	}
	fmt.Printf("new-user Go: libstrata %s: wrote, read, scanned, closed, reopened\n", strata.Version())
}
GO
}

# The go command: on PATH, or where the official tarball puts it.
find_go() {
  go=$(command -v go || true)
  [[ -n $go ]] || { [[ -x /usr/local/go/bin/go ]] && go=/usr/local/go/bin/go; }
  [[ -n $go ]] || { echo "new-user: no go command (Go 1.23 or newer is needed)" >&2; exit 1; }
  command -v cc >/dev/null || { echo "new-user: cgo needs a C compiler (cc)" >&2; exit 1; }
}
