package strata

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPutGetDelete(t *testing.T) {
	db := openTemp(t, nil)
	mustPut(t, db, "apple", "red")
	mustGet(t, db, "apple", "red")
	mustPut(t, db, "apple", "green")
	mustGet(t, db, "apple", "green")
	if err := db.Delete([]byte("apple"), nil); err != nil {
		t.Fatal(err)
	}
	mustBeAbsent(t, db, "apple")
	if err := db.Delete([]byte("never-there"), nil); err != nil {
		t.Fatalf("deleting an absent key: %v", err)
	}
}

func TestBinaryKeysEmptyValuesAndEmptyKey(t *testing.T) {
	db := openTemp(t, nil)
	binKey := []byte{0, 0xff, 0, 1}
	binVal := []byte{0, 0, 0xff}
	if err := db.Put(binKey, binVal, nil); err != nil {
		t.Fatal(err)
	}
	if err := db.Put([]byte("empty"), nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := db.Put(nil, []byte("the empty key"), nil); err != nil {
		t.Fatal(err)
	}
	got, err := db.Get(binKey)
	if err != nil || !bytes.Equal(got, binVal) {
		t.Fatalf("binary key: %q, %v", got, err)
	}
	got, err = db.Get([]byte("empty"))
	if err != nil || got == nil || len(got) != 0 {
		t.Fatalf("empty value: %#v, %v; want a non-nil empty slice", got, err)
	}
	got, err = db.Get([]byte{})
	if err != nil || string(got) != "the empty key" {
		t.Fatalf("empty key: %q, %v", got, err)
	}
}

func TestGetReturnsACopyTheCallerOwns(t *testing.T) {
	db := openTemp(t, nil)
	key, val := []byte("k"), []byte("value")
	mustPut(t, db, string(key), string(val))
	// The inputs may be reused at once: strata copied them.
	key[0], val[0] = 'x', 'x'
	got, _ := db.Get([]byte("k"))
	got[0] = 'Z' // the copy is ours to change
	mustGet(t, db, "k", "value")
}

func TestWriteOptionsSync(t *testing.T) {
	db := openTemp(t, nil)
	if err := db.Put([]byte("a"), []byte("1"), Sync); err != nil {
		t.Fatal(err)
	}
	if err := db.Put([]byte("b"), []byte("2"), NoSync); err != nil {
		t.Fatal(err)
	}
	if err := db.Delete([]byte("b"), Sync); err != nil {
		t.Fatal(err)
	}
	mustGet(t, db, "a", "1")
	mustBeAbsent(t, db, "b")
}

func TestReopenKeepsData(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if db.Path() != dir {
		t.Fatalf("Path() = %q", db.Path())
	}
	mustPut(t, db, "k", "v")
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = Open(dir, &Options{ErrorIfNotExists: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	mustGet(t, db, "k", "v")
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Open(dir, nil)
	wantErr(t, "second open", err, ErrBusy)
	var se *Error
	if !errors.As(err, &se) || se.Code != statusBusy || !strings.Contains(se.Message, "LOCK") {
		t.Fatalf("busy error %#v should carry KV_BUSY and strata's message", err)
	}
	if !strings.Contains(err.Error(), "KV_BUSY") {
		t.Fatalf("Error() = %q should name the code", err.Error())
	}
	db.Close()

	_, err = Open(dir, &Options{ErrorIfExists: true})
	wantErr(t, "ErrorIfExists", err, ErrInvalidArgument)
	_, err = Open(filepath.Join(dir, "missing"), &Options{ErrorIfNotExists: true})
	if err == nil {
		t.Fatal("ErrorIfNotExists opened a missing database")
	}
	_, err = Open("", nil)
	wantErr(t, "empty path", err, ErrInvalidArgument)
	_, err = Open("bad\x00path", nil)
	wantErr(t, "path with NUL", err, ErrInvalidArgument)

	// A file where the directory should be.
	file := filepath.Join(dir, "a-file")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Open(file, nil)
	if err == nil {
		t.Fatal("opened a regular file as a database")
	}
}

func TestBadKeysAndValues(t *testing.T) {
	db := openTemp(t, nil)
	long := bytes.Repeat([]byte("k"), MaxKeyLen+1)
	wantErr(t, "Put long key", db.Put(long, nil, nil), ErrInvalidArgument)
	_, err := db.Get(long)
	wantErr(t, "Get long key", err, ErrInvalidArgument)
	wantErr(t, "Delete long key", db.Delete(long, nil), ErrInvalidArgument)
	_, err = db.MultiGet([][]byte{[]byte("ok"), long})
	wantErr(t, "MultiGet long key", err, ErrInvalidArgument)
	// The longest allowed key works.
	max := bytes.Repeat([]byte("k"), MaxKeyLen)
	if err := db.Put(max, []byte("v"), nil); err != nil {
		t.Fatalf("Put of a MaxKeyLen key: %v", err)
	}
	if err := db.Put([]byte("a"), nil, &WriteOptions{Sync: true}); err != nil {
		t.Fatal(err)
	}
}

func TestNilReceiversAreErrorsNotCrashes(t *testing.T) {
	var db *DB
	wantErr(t, "nil DB Put", db.Put([]byte("a"), nil, nil), ErrInvalidArgument)
	_, err := db.Get([]byte("a"))
	wantErr(t, "nil DB Get", err, ErrInvalidArgument)
	var s *Snapshot
	_, err = s.Get([]byte("a"))
	wantErr(t, "nil Snapshot Get", err, ErrInvalidArgument)
	real := openTemp(t, nil)
	wantErr(t, "Write nil batch", real.Write(nil, nil), ErrInvalidArgument)
}

// Every call on a closed DB returns ErrClosed (which is also an invalid
// argument, as kv.h classes it), and nothing crashes.
func TestClosedDBRejectsEveryCall(t *testing.T) {
	db, err := Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	b := db.NewBatch()
	defer b.Close()
	b.Put([]byte("k"), []byte("v"))
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	k := []byte("k")
	check := func(what string, err error) {
		t.Helper()
		wantErr(t, what, err, ErrClosed)
		wantErr(t, what, err, ErrInvalidArgument)
	}
	check("Close", db.Close())
	check("Put", db.Put(k, k, nil))
	_, err = db.Get(k)
	check("Get", err)
	check("Delete", db.Delete(k, nil))
	check("Write", db.Write(b, nil))
	check("Commit", b.Commit(nil))
	_, err = db.MultiGet([][]byte{k})
	check("MultiGet", err)
	_, err = db.NewIter(nil)
	check("NewIter", err)
	_, err = db.NewSnapshot()
	check("NewSnapshot", err)
	check("Flush", db.Flush())
	check("WaitCompactions", db.WaitCompactions())
	check("Resume", db.Resume())
	check("CompactRange", db.CompactRange(nil, nil))
	_, err = db.Stats()
	check("Stats", err)
	_, err = db.Property("last-sequence")
	check("Property", err)
	check("Checkpoint", db.Checkpoint(filepath.Join(t.TempDir(), "cp")))
	check("Verify", db.Verify())
	for _, err := range db.All(nil, nil) {
		check("All", err)
	}
	n := 0
	for _, err := range db.Prefix([]byte("k")) {
		check("Prefix", err)
		n++
	}
	if n != 1 {
		t.Fatalf("Prefix on a closed DB yielded %d times, want the error once", n)
	}
}

func TestVersion(t *testing.T) {
	if Version() == "" || HeaderVersion == "" {
		t.Fatal("empty version")
	}
	if Version() != HeaderVersion {
		t.Fatalf("library %s, header %s: built against another strata than the one loaded",
			Version(), HeaderVersion)
	}
}

func TestErrorIsMatchesOnlyItsSentinel(t *testing.T) {
	sentinels := map[int]error{
		statusInvalidArgument: ErrInvalidArgument, statusIOError: ErrIO,
		statusCorruption: ErrCorruption, statusBusy: ErrBusy, statusNoMemory: ErrNoMemory,
		statusNotSupported: ErrNotSupported, statusInternal: ErrInternal,
	}
	all := []error{ErrNotFound, ErrInvalidArgument, ErrIO, ErrCorruption, ErrBusy, ErrNoMemory,
		ErrNotSupported, ErrInternal, ErrClosed}
	for code, want := range sentinels {
		err := error(newError(code, "m"))
		for _, s := range all {
			if errors.Is(err, s) != (s == want) {
				t.Errorf("code %d: errors.Is(%v) = %v", code, s, !(s == want))
			}
		}
		if !strings.Contains(err.Error(), statusName(code)) {
			t.Errorf("code %d: %q does not name the code", code, err.Error())
		}
	}
	closed := closedError("X")
	if !errors.Is(closed, ErrClosed) || !errors.Is(closed, ErrInvalidArgument) ||
		errors.Is(closed, ErrBusy) {
		t.Error("a closed-handle error matches ErrClosed and ErrInvalidArgument only")
	}
}

// Get copies values up to the scratch size in one crossing and larger ones
// from strata's own buffer: both paths, and the boundary between them.
func TestGetValueSizes(t *testing.T) {
	db := openTemp(t, nil)
	for _, n := range []int{0, 1, getScratchLen - 1, getScratchLen, getScratchLen + 1, 1 << 20} {
		v := bytes.Repeat([]byte{byte(n)}, n)
		k := []byte(fmt.Sprintf("size-%d", n))
		if err := db.Put(k, v, nil); err != nil {
			t.Fatal(err)
		}
		got, err := db.Get(k)
		if err != nil || !bytes.Equal(got, v) || got == nil || cap(got) != n {
			t.Fatalf("%d bytes: got %d bytes (cap %d), %v", n, len(got), cap(got), err)
		}
	}
}
