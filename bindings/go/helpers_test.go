package strata

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
)

// openTemp opens a new database in a fresh temporary directory and closes it
// when the test ends (unless the test closed it already).
func openTemp(t testing.TB, opts *Options) *DB {
	t.Helper()
	db, err := Open(t.TempDir(), opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func mustPut(t testing.TB, db *DB, key, value string) {
	t.Helper()
	if err := db.Put([]byte(key), []byte(value), nil); err != nil {
		t.Fatalf("Put(%q): %v", key, err)
	}
}

// mustGet fails the test unless key holds want.
func mustGet(t testing.TB, db *DB, key, want string) {
	t.Helper()
	got, err := db.Get([]byte(key))
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	if !bytes.Equal(got, []byte(want)) {
		t.Fatalf("Get(%q) = %q, want %q", key, got, want)
	}
}

// mustBeAbsent fails the test unless key is absent.
func mustBeAbsent(t testing.TB, db *DB, key string) {
	t.Helper()
	if v, err := db.Get([]byte(key)); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get(%q) = %q, %v; want ErrNotFound", key, v, err)
	}
}

// wantErr fails the test unless err matches target.
func wantErr(t testing.TB, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: error %v, want one matching %v", what, err, target)
	}
}

// collect drains an iterator from its current position forward, as
// "key=value" strings.
func collect(t testing.TB, it *Iterator, ok bool) []string {
	t.Helper()
	var out []string
	for ; ok; ok = it.Next() {
		out = append(out, fmt.Sprintf("%s=%s", it.Key(), it.Value()))
	}
	if err := it.Error(); err != nil {
		t.Fatalf("iteration: %v", err)
	}
	return out
}

// collectSeq drains a range-over-func sequence as "key=value" strings.
func collectSeq(t testing.TB, seq func(func(KV, error) bool)) []string {
	t.Helper()
	var out []string
	for kv, err := range seq {
		if err != nil {
			t.Fatalf("iteration: %v", err)
		}
		out = append(out, fmt.Sprintf("%s=%s", kv.Key, kv.Value))
	}
	return out
}
