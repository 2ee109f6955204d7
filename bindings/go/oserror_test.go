package strata

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// Opening a database that does not exist, with creation forbidden, is "no
// such file": fs.ErrNotExist matches it, and so does ErrInvalidArgument,
// its code in kv.h. This also pins strata's message (missingDatabase).
func TestOpenMissingIsNotExist(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing")
	_, err := Open(missing, &Options{ErrorIfNotExists: true})
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Open of a missing database: %v, want one matching fs.ErrNotExist", err)
	}
	wantErr(t, "Open of a missing database", err, ErrInvalidArgument)
	var errno syscall.Errno
	if !errors.As(err, &errno) || errno != syscall.ENOENT {
		t.Fatalf("errors.As gives %v, want ENOENT", errno)
	}
	if _, statErr := os.Stat(missing); !errors.Is(statErr, fs.ErrNotExist) {
		t.Fatal("Open with ErrorIfNotExists created the directory")
	}

	// A directory that exists but holds no database.
	empty := filepath.Join(dir, "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	_, err = Open(empty, &Options{ErrorIfNotExists: true})
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Open of an empty directory: %v, want one matching fs.ErrNotExist", err)
	}
}

// Failures of system calls carry their errno: a path through a regular
// file is "not a directory", a missing parent is "no such file".
func TestOSErrorsAreWrapped(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "a-file")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Open(filepath.Join(file, "db"), nil)
	if !errors.Is(err, syscall.ENOTDIR) {
		t.Fatalf("Open under a regular file: %v, want one matching ENOTDIR", err)
	}
	wantErr(t, "Open under a regular file", err, ErrIO)

	_, err = Open(filepath.Join(dir, "no", "such", "parent"), nil)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Open under a missing parent: %v, want one matching fs.ErrNotExist", err)
	}

	db := openTemp(t, nil)
	err = db.Checkpoint(filepath.Join(dir, "no", "such", "checkpoint"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Checkpoint under a missing parent: %v, want one matching fs.ErrNotExist", err)
	}

	if os.Geteuid() != 0 { // root passes every permission check
		locked := filepath.Join(dir, "locked")
		if err := os.Mkdir(locked, 0o500); err != nil {
			t.Fatal(err)
		}
		_, err = Open(filepath.Join(locked, "db"), nil)
		if !errors.Is(err, fs.ErrPermission) {
			t.Fatalf("Open in a read-only directory: %v, want one matching fs.ErrPermission", err)
		}
	}
}

// Errors that do not come from the operating system wrap nothing, and
// errors.Is keeps matching only their own sentinel.
func TestOnlyOSErrorsUnwrap(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_, err = Open(dir, nil)
	wantErr(t, "second open", err, ErrBusy)
	if errors.Unwrap(err) != nil || errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("a busy error wraps %v", errors.Unwrap(err))
	}
	_, err = Open(dir, &Options{Extra: map[string]string{"no_such_option": "1"}})
	if errors.Unwrap(err) != nil {
		t.Fatalf("an unknown option wraps %v", errors.Unwrap(err))
	}
	// A message that merely ends like strerror text, under a code that is
	// not about files, is not taken for an OS error.
	if e := fromC(statusCorruption, "block 7: No such file or directory"); e.Unwrap() != nil {
		t.Fatal("a corruption message was taken for an OS error")
	}
	if e := fromC(statusIOError, "write x: No space left on device"); !errors.Is(e, syscall.ENOSPC) {
		t.Fatal("ENOSPC not recognised")
	}
}
