package strata

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func fill(t *testing.T, db *DB, n int, prefix string) {
	t.Helper()
	b := db.NewBatch()
	defer b.Close()
	for i := 0; i < n; i++ {
		b.Put([]byte(fmt.Sprintf("%s%05d", prefix, i)), []byte(strings.Repeat("v", 100)))
	}
	if err := db.Write(b, nil); err != nil {
		t.Fatal(err)
	}
}

func TestFlushCompactAndProperties(t *testing.T) {
	db := openTemp(t, nil)
	filesAt := func(level int) int {
		t.Helper()
		v, err := db.Property(fmt.Sprintf("num-files-at-level%d", level))
		if err != nil {
			t.Fatal(err)
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			t.Fatalf("num-files-at-level%d = %q", level, v)
		}
		return n
	}
	for round := 0; round < 3; round++ {
		fill(t, db, 200, fmt.Sprintf("r%d/", round))
		if err := db.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.WaitCompactions(); err != nil {
		t.Fatal(err)
	}
	// Writes were never stopped: nothing to resume.
	if err := db.Resume(); err != nil {
		t.Fatal(err)
	}
	total := 0
	for l := 0; l < 7; l++ {
		total += filesAt(l)
	}
	if total == 0 {
		t.Fatal("no table after three flushes")
	}
	if err := db.CompactRange(nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := db.CompactRange([]byte("r1/"), []byte("r2/")); err != nil {
		t.Fatal(err)
	}
	if filesAt(0) != 0 {
		t.Fatalf("level 0 holds %d tables after a full compaction", filesAt(0))
	}
	seq, err := db.Property("last-sequence")
	if err != nil || seq != "600" {
		t.Fatalf("last-sequence = %q, %v; want 600", seq, err)
	}
	bytes, err := db.Property("total-table-bytes")
	if n, _ := strconv.Atoi(bytes); err != nil || n <= 0 {
		t.Fatalf("total-table-bytes = %q, %v", bytes, err)
	}
	stats, err := db.Stats()
	if err != nil || !strings.Contains(strings.ToLower(stats), "level") {
		t.Fatalf("stats = %q, %v", stats, err)
	}
	_, err = db.Property("no-such-property")
	wantErr(t, "unknown property", err, ErrInvalidArgument)
	_, err = db.Property("stats\x00")
	wantErr(t, "property with NUL", err, ErrInvalidArgument)
	mustGet(t, db, "r1/00007", strings.Repeat("v", 100))
	if err := db.Verify(); err != nil {
		t.Fatalf("Verify of a sound database: %v", err)
	}
}

func TestCheckpoint(t *testing.T) {
	db := openTemp(t, nil)
	fill(t, db, 300, "t/")
	if err := db.Flush(); err != nil {
		t.Fatal(err)
	}
	mustPut(t, db, "log-only", "yes") // only in the write-ahead log
	dir := filepath.Join(t.TempDir(), "checkpoint")
	if err := db.Checkpoint(dir); err != nil {
		t.Fatal(err)
	}
	mustPut(t, db, "after", "not in the checkpoint")
	wantErr(t, "checkpoint into an existing directory", db.Checkpoint(dir), ErrInvalidArgument)
	wantErr(t, "checkpoint dir with NUL", db.Checkpoint("a\x00b"), ErrInvalidArgument)

	cp, err := Open(dir, &Options{ErrorIfNotExists: true})
	if err != nil {
		t.Fatalf("opening the checkpoint: %v", err)
	}
	defer cp.Close()
	mustGet(t, cp, "log-only", "yes")
	mustGet(t, cp, "t/00299", strings.Repeat("v", 100))
	mustBeAbsent(t, cp, "after")
	if err := cp.Verify(); err != nil {
		t.Fatal(err)
	}
}

// Damage inside a table is found by Verify and reported by reads, never
// returned as data.
func TestVerifyFindsCorruption(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir, &Options{Compression: NoCompression})
	if err != nil {
		t.Fatal(err)
	}
	fill(t, db, 500, "k")
	if err := db.Flush(); err != nil {
		t.Fatal(err)
	}
	db.Close()
	tables, _ := filepath.Glob(filepath.Join(dir, "*.sst"))
	if len(tables) == 0 {
		t.Fatal("no table file")
	}
	data, err := os.ReadFile(tables[0])
	if err != nil {
		t.Fatal(err)
	}
	for i := 100; i < 200; i++ { // inside the first data block
		data[i] ^= 0xff
	}
	if err := os.WriteFile(tables[0], data, 0o644); err != nil {
		t.Fatal(err)
	}
	db, err = Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Verify()
	wantErr(t, "Verify", err, ErrCorruption)
	// The message names the file, by its name or its number.
	base := filepath.Base(tables[0])
	number, _ := strconv.Atoi(strings.TrimSuffix(base, ".sst"))
	if !strings.Contains(err.Error(), base) && !strings.Contains(err.Error(), fmt.Sprintf("file %d", number)) {
		t.Errorf("%v does not name %s", err, base)
	}
	_, err = db.Get([]byte("k00000"))
	wantErr(t, "Get from the damaged block", err, ErrCorruption)
	it, _ := db.NewIter(nil)
	if it.First() {
		t.Fatal("iterated over a damaged block")
	}
	wantErr(t, "iterator", it.Error(), ErrCorruption)
	wantErr(t, "iterator Close", it.Close(), ErrCorruption)
	for _, err := range db.All(nil, nil) {
		wantErr(t, "All", err, ErrCorruption)
	}
}
