package strata

import (
	"bytes"
	"math/rand/v2"
	"slices"
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

// Operations are buffered in Go and handed to strata in bulk (batch.go):
// whatever the mix of small operations, ones too big to buffer, hand-overs
// and rewrites, the batch applies exactly its operations in order, and
// Count agrees with strata's own count.
func TestBatchBufferingKeepsOrder(t *testing.T) {
	db := openTemp(t, nil)
	b := db.NewBatch()
	defer b.Close()
	r := rand.New(rand.NewPCG(11, 0))
	model := map[string][]byte{}
	// Mostly small operations, so that many are buffered when one that goes
	// straight to strata (the last size) comes, and now and then one that
	// fills the buffer and hands it over.
	sizes := []int{0, 10, 100, 1000, 1000, 1000, batchHandOverBytes - 20, batchHandOverBytes + 5}
	keys := []string{"", "a", "b"}
	for round := 0; round < 4; round++ {
		staged := map[string][]byte{}
		var deleted []string
		for i := 0; i < 300; i++ {
			k := keys[r.IntN(len(keys))]
			if r.IntN(4) == 0 {
				if err := b.Delete([]byte(k)); err != nil {
					t.Fatal(err)
				}
				delete(staged, k)
				deleted = append(deleted, k)
				continue
			}
			v := bytes.Repeat([]byte{byte(i)}, sizes[r.IntN(len(sizes))])
			if err := b.Put([]byte(k), v); err != nil {
				t.Fatal(err)
			}
			staged[k] = v
			deleted = slices.DeleteFunc(deleted, func(d string) bool { return d == k })
		}
		if got, want := b.Count(), int(cBatchCount(b.h)); got != want+b.pendingOps {
			t.Fatalf("round %d: Count %d, strata holds %d and %d are buffered", round, got, want, b.pendingOps)
		}
		if b.Count() != 300 {
			t.Fatalf("round %d: Count %d, want 300", round, b.Count())
		}
		for i := 0; i < 2; i++ { // a batch can be written again
			if err := db.Write(b, nil); err != nil {
				t.Fatal(err)
			}
		}
		if int(cBatchCount(b.h)) != 300 || b.Count() != 300 {
			t.Fatalf("round %d: after Write strata holds %d operations, Count %d", round, cBatchCount(b.h), b.Count())
		}
		for _, k := range deleted {
			delete(model, k)
		}
		for k, v := range staged {
			model[k] = v
		}
		for _, k := range keys {
			got, err := db.Get([]byte(k))
			want, ok := model[k]
			if !ok {
				wantErr(t, "Get of a deleted key", err, ErrNotFound)
				continue
			}
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("round %d: key %q holds %d bytes (%v), want %d", round, k, len(got), err, len(want))
			}
		}
		b.Clear()
		if b.Count() != 0 || cBatchCount(b.h) != 0 {
			t.Fatalf("after Clear: Count %d, strata holds %d", b.Count(), cBatchCount(b.h))
		}
	}
}
