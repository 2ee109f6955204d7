package strata

import (
	"slices"
	"testing"
)

func TestSnapshotReadsAsOfItsCreation(t *testing.T) {
	db := openTemp(t, nil)
	mustPut(t, db, "a", "1")
	mustPut(t, db, "b", "1")
	snap, err := db.NewSnapshot()
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()
	seq := snap.Sequence()
	mustPut(t, db, "a", "2")
	db.Delete([]byte("b"), nil)
	mustPut(t, db, "c", "2")
	// The writes survive a flush and a compaction without showing through.
	if err := db.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := db.CompactRange(nil, nil); err != nil {
		t.Fatal(err)
	}

	if v, err := snap.Get([]byte("a")); err != nil || string(v) != "1" {
		t.Fatalf("snap a = %q, %v", v, err)
	}
	if v, err := snap.Get([]byte("b")); err != nil || string(v) != "1" {
		t.Fatalf("snap b = %q, %v", v, err)
	}
	_, err = snap.Get([]byte("c"))
	wantErr(t, "snap c", err, ErrNotFound)
	mustGet(t, db, "a", "2")

	vals, err := snap.MultiGet([][]byte{[]byte("a"), []byte("b"), []byte("c")})
	if err != nil || string(vals[0]) != "1" || string(vals[1]) != "1" || vals[2] != nil {
		t.Fatalf("snap MultiGet = %q, %v", vals, err)
	}

	it, err := snap.NewIter(nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := collect(t, it, it.First()); !slices.Equal(got, []string{"a=1", "b=1"}) {
		t.Fatalf("snap iterator: %v", got)
	}
	it.Close()
	it, err = db.NewIter(&IterOptions{Snapshot: snap, Prefix: []byte("b")})
	if err != nil {
		t.Fatal(err)
	}
	if got := collect(t, it, it.First()); !slices.Equal(got, []string{"b=1"}) {
		t.Fatalf("IterOptions.Snapshot with a prefix: %v", got)
	}
	it.Close()
	if got := collectSeq(t, snap.All(nil, nil)); !slices.Equal(got, []string{"a=1", "b=1"}) {
		t.Fatalf("snap.All: %v", got)
	}
	if got := collectSeq(t, snap.Backward(nil, nil)); !slices.Equal(got, []string{"b=1", "a=1"}) {
		t.Fatalf("snap.Backward: %v", got)
	}
	if got := collectSeq(t, snap.Prefix([]byte("a"))); !slices.Equal(got, []string{"a=1"}) {
		t.Fatalf("snap.Prefix: %v", got)
	}

	later, _ := db.NewSnapshot()
	defer later.Close()
	if later.Sequence() <= seq {
		t.Fatalf("sequence %d after writes, was %d", later.Sequence(), seq)
	}
	if v, _ := later.Get([]byte("c")); string(v) != "2" {
		t.Fatal("a later snapshot sees the later writes")
	}
}

func TestSnapshotMisuse(t *testing.T) {
	db := openTemp(t, nil)
	other := openTemp(t, nil)
	snap, _ := db.NewSnapshot()
	otherSnap, _ := other.NewSnapshot()
	defer otherSnap.Close()
	_, err := db.NewIter(&IterOptions{Snapshot: otherSnap})
	wantErr(t, "snapshot of another DB", err, ErrInvalidArgument)
	_, err = snap.NewIter(&IterOptions{Snapshot: otherSnap})
	wantErr(t, "two snapshots", err, ErrInvalidArgument)

	if err := snap.Close(); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "second Close", snap.Close(), ErrClosed)
	_, err = snap.Get([]byte("a"))
	wantErr(t, "Get", err, ErrClosed)
	_, err = snap.MultiGet([][]byte{[]byte("a")})
	wantErr(t, "MultiGet", err, ErrClosed)
	_, err = snap.NewIter(nil)
	wantErr(t, "NewIter", err, ErrClosed)
	_, err = db.NewIter(&IterOptions{Snapshot: snap})
	wantErr(t, "IterOptions.Snapshot", err, ErrClosed)
	for _, err := range snap.All(nil, nil) {
		wantErr(t, "All", err, ErrClosed)
	}
	if snap.Sequence() != 0 {
		t.Fatal("closed snapshot has a sequence")
	}
}
