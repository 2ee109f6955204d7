package strata

import (
	"fmt"
	"strings"
	"testing"
)

func fillKeys(t *testing.T, db *DB, n int) {
	t.Helper()
	b := db.NewBatch()
	defer b.Close()
	for i := 0; i < n; i++ {
		if err := b.Put([]byte(fmt.Sprintf("k%05d", i)), []byte(fmt.Sprintf("v%d", i))); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Write(b, nil); err != nil {
		t.Fatal(err)
	}
}

func countKeys(t *testing.T, seq func(yield func(KV, error) bool)) int {
	t.Helper()
	n := 0
	for _, err := range seq {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	return n
}

func TestDeleteRangeHidesTheRange(t *testing.T) {
	db := openTemp(t, nil)
	fillKeys(t, db, 500)
	snap, err := db.NewSnapshot()
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()
	if err := db.DeleteRange([]byte("k00100"), []byte("k00200")); err != nil {
		t.Fatal(err)
	}
	mustGet(t, db, "k00099", "v99")
	mustBeAbsent(t, db, "k00100")
	mustBeAbsent(t, db, "k00199")
	mustGet(t, db, "k00200", "v200")
	if n := countKeys(t, db.All(nil, nil)); n != 400 {
		t.Fatalf("All: %d keys, want 400", n)
	}
	if n := countKeys(t, db.Backward(nil, nil)); n != 400 {
		t.Fatalf("Backward: %d keys, want 400", n)
	}
	if n := countKeys(t, snap.All(nil, nil)); n != 500 {
		t.Fatalf("the snapshot taken before sees %d keys, want 500", n)
	}
	values, err := db.MultiGet([][]byte{[]byte("k00099"), []byte("k00150")})
	if err != nil || values[0] == nil || values[1] != nil {
		t.Fatalf("MultiGet = %q, %v", values, err)
	}
}

func TestDeleteRangeEmptyOrReversedIsANoOp(t *testing.T) {
	db := openTemp(t, nil)
	fillKeys(t, db, 10)
	before, _ := db.Property("last-sequence")
	if err := db.DeleteRange([]byte("k00005"), []byte("k00005")); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteRange([]byte("k00009"), []byte("k00001")); err != nil {
		t.Fatal(err)
	}
	after, _ := db.Property("last-sequence")
	if before != after {
		t.Fatalf("last-sequence moved from %s to %s", before, after)
	}
	if n := countKeys(t, db.All(nil, nil)); n != 10 {
		t.Fatalf("%d keys, want 10", n)
	}
}

func TestBatchDeleteRangeIsOrderedWithTheBatch(t *testing.T) {
	db := openTemp(t, nil)
	fillKeys(t, db, 10)
	b := db.NewBatch()
	defer b.Close()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(b.Put([]byte("k00020"), []byte("before")))
	must(b.DeleteRange([]byte("k00000"), []byte("k00030")))
	must(b.Put([]byte("k00005"), []byte("after")))
	must(b.DeleteRange([]byte("z"), []byte("a"))) // reversed: adds nothing
	// An operation too big to buffer goes straight to strata.
	big := []byte(strings.Repeat("x", 70<<10))
	if err := b.DeleteRange([]byte("a"), big); err == nil {
		t.Fatal("a range end over MaxKeyLen was accepted")
	}
	if b.Count() != 3 {
		t.Fatalf("Count = %d, want 3", b.Count())
	}
	must(db.Write(b, nil))
	var keys []string
	for kv, err := range db.All(nil, nil) {
		must(err)
		keys = append(keys, string(kv.Key)+"="+string(kv.Value))
	}
	if fmt.Sprint(keys) != "[k00005=after]" {
		t.Fatalf("after the batch: %v", keys)
	}
}

func TestDeleteRangeSurvivesReopenAndCompactionDropsIt(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	fillKeys(t, db, 500)
	if err := db.DeleteRange([]byte("k00000"), []byte("k00400")); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteRange([]byte("a"), []byte("b")); err == nil {
		t.Fatal("DeleteRange on a closed DB succeeded")
	}
	db, err = Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if n := countKeys(t, db.All(nil, nil)); n != 100 {
		t.Fatalf("after reopen: %d keys, want 100", n)
	}
	if err := db.Flush(); err != nil {
		t.Fatal(err)
	}
	if p, _ := db.Property("range-deletions"); p != "1" {
		t.Fatalf("range-deletions = %s before compaction, want 1", p)
	}
	if err := db.CompactRange(nil, nil); err != nil {
		t.Fatal(err)
	}
	if p, _ := db.Property("range-deletions"); p != "0" {
		t.Fatalf("range-deletions = %s after compaction, want 0", p)
	}
	mustBeAbsent(t, db, "k00399")
	mustGet(t, db, "k00400", "v400")
}
