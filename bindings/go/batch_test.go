package strata

import (
	"bytes"
	"testing"
)

func TestBatchAppliesAllInOrder(t *testing.T) {
	db := openTemp(t, nil)
	mustPut(t, db, "gone", "x")
	b := db.NewBatch()
	defer b.Close()
	for _, op := range []struct{ k, v string }{{"a", "1"}, {"b", "2"}, {"a", "3"}} {
		if err := b.Put([]byte(op.k), []byte(op.v)); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Delete([]byte("gone")); err != nil {
		t.Fatal(err)
	}
	if b.Count() != 4 {
		t.Fatalf("Count = %d, want 4", b.Count())
	}
	// Nothing is visible before the write.
	mustBeAbsent(t, db, "a")
	if err := db.Write(b, nil); err != nil {
		t.Fatal(err)
	}
	mustGet(t, db, "a", "3") // the later operation wins
	mustGet(t, db, "b", "2")
	mustBeAbsent(t, db, "gone")
}

func TestBatchReuseClearCommitAndSync(t *testing.T) {
	db := openTemp(t, nil)
	b := db.NewBatch()
	defer b.Close()
	key := []byte("k1")
	b.Put(key, []byte("v1"))
	key[1] = '2' // the batch copied the key when it was added
	b.Put(key, []byte("v2"))
	if err := b.Commit(Sync); err != nil {
		t.Fatal(err)
	}
	mustGet(t, db, "k1", "v1")
	mustGet(t, db, "k2", "v2")
	b.Clear()
	if b.Count() != 0 {
		t.Fatalf("Count after Clear = %d", b.Count())
	}
	b.Delete([]byte("k1"))
	if err := db.Write(b, &WriteOptions{Sync: false}); err != nil {
		t.Fatal(err)
	}
	mustBeAbsent(t, db, "k1")
	// The batch can be written again; an empty one is fine too.
	if err := db.Write(b, nil); err != nil {
		t.Fatal(err)
	}
	b.Clear()
	if err := db.Write(b, nil); err != nil {
		t.Fatalf("empty batch: %v", err)
	}
}

func TestBatchBadInputAndClose(t *testing.T) {
	db := openTemp(t, nil)
	b := db.NewBatch()
	long := bytes.Repeat([]byte("k"), MaxKeyLen+1)
	wantErr(t, "Batch.Put long key", b.Put(long, nil), ErrInvalidArgument)
	wantErr(t, "Batch.Delete long key", b.Delete(long), ErrInvalidArgument)
	if b.Count() != 0 {
		t.Fatalf("a rejected operation was added: Count = %d", b.Count())
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "second Close", b.Close(), ErrClosed)
	wantErr(t, "Put after Close", b.Put([]byte("a"), nil), ErrClosed)
	wantErr(t, "Delete after Close", b.Delete([]byte("a")), ErrClosed)
	wantErr(t, "Write of a closed batch", db.Write(b, nil), ErrClosed)
	b.Clear()
	if b.Count() != 0 {
		t.Fatal("closed batch has a count")
	}
}

// A batch of many operations is one crossing for the write.
func TestBigBatch(t *testing.T) {
	db := openTemp(t, nil)
	b := db.NewBatch()
	defer b.Close()
	for i := 0; i < 10000; i++ {
		b.Put([]byte{byte(i >> 8), byte(i)}, []byte{byte(i)})
	}
	if err := db.Write(b, nil); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, err := range db.All(nil, nil) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 10000 {
		t.Fatalf("%d keys, want 10000", n)
	}
}
