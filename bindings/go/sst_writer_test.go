package strata

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

func writeSst(t *testing.T, path string, from, to int, prefix string) {
	t.Helper()
	w, err := NewSstWriter(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	for i := from; i < to; i++ {
		if err := w.Put([]byte(fmt.Sprintf("key%06d", i)), []byte(fmt.Sprintf("%s%d", prefix, i))); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Finish(); err != nil {
		t.Fatal(err)
	}
}

func TestSstWriterOrderAndClose(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.sst")
	w, err := NewSstWriter(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Finish(); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("empty Finish: %v", err)
	}
	if err := w.Put([]byte("b"), []byte("1")); err != nil {
		t.Fatal(err)
	}
	if err := w.Put([]byte("a"), []byte("1")); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("out of order: %v", err)
	}
	if err := w.Delete([]byte("c")); err != nil {
		t.Fatal(err)
	}
	w.Close()
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("unfinished file kept: %v", err)
	}
	if err := w.Put([]byte("d"), nil); err == nil {
		t.Fatal("Put after Close succeeded")
	}
}

func TestIngest(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(filepath.Join(dir, "db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Put([]byte("key000005"), []byte("old"), nil); err != nil {
		t.Fatal(err)
	}
	a, b, c := filepath.Join(dir, "a.sst"), filepath.Join(dir, "b.sst"), filepath.Join(dir, "c.sst")
	writeSst(t, a, 0, 100, "a")
	writeSst(t, b, 50, 150, "b")
	writeSst(t, c, 200, 300, "c")
	if err := db.Ingest([]string{a, b}, true); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("overlapping files: %v", err)
	}
	if err := db.Ingest([]string{a}, false); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(a); err != nil {
		t.Fatalf("copy removed the source: %v", err)
	}
	if err := db.Ingest([]string{c}, true); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(c); !os.IsNotExist(err) {
		t.Fatalf("move kept the source: %v", err)
	}
	for key, want := range map[string]string{"key000005": "a5", "key000099": "a99", "key000250": "c250"} {
		got, err := db.Get([]byte(key))
		if err != nil || string(got) != want {
			t.Errorf("Get(%s) = %q, %v; want %q", key, got, err, want)
		}
	}
	if _, err := db.Get([]byte("key000120")); !errors.Is(err, ErrNotFound) {
		t.Errorf("key of the refused file: %v", err)
	}
}
