package strata

import (
	"slices"
	"testing"
)

func TestRangeForms(t *testing.T) {
	db := fiveKeys(t)
	if got := collectSeq(t, db.All(nil, nil)); !slices.Equal(got, []string{"a=A", "b=B", "c=C", "d=D", "e=E"}) {
		t.Fatalf("All: %v", got)
	}
	if got := collectSeq(t, db.All([]byte("b"), []byte("d"))); !slices.Equal(got, []string{"b=B", "c=C"}) {
		t.Fatalf("All[b,d): %v", got)
	}
	if got := collectSeq(t, db.Backward([]byte("b"), nil)); !slices.Equal(got, []string{"e=E", "d=D", "c=C", "b=B"}) {
		t.Fatalf("Backward[b,): %v", got)
	}
	mustPut(t, db, "cc", "CC")
	if got := collectSeq(t, db.Prefix([]byte("c"))); !slices.Equal(got, []string{"c=C", "cc=CC"}) {
		t.Fatalf("Prefix c: %v", got)
	}
	if got := collectSeq(t, db.Prefix(nil)); len(got) != 6 {
		t.Fatalf("Prefix nil: %v", got)
	}
	// A sequence can be ranged over again and reads afresh.
	seq := db.All(nil, []byte("b"))
	collectSeq(t, seq)
	mustPut(t, db, "aa", "AA")
	if got := collectSeq(t, seq); !slices.Equal(got, []string{"a=A", "aa=AA"}) {
		t.Fatalf("second range over one sequence: %v", got)
	}
}

// Entries yielded are the caller's: kept past the loop, they do not change.
func TestRangeEntriesAreOwned(t *testing.T) {
	db := fiveKeys(t)
	mustPut(t, db, "empty", "")
	var kept []KV
	for kv, err := range db.All(nil, nil) {
		if err != nil {
			t.Fatal(err)
		}
		kept = append(kept, kv)
	}
	if len(kept) != 6 || string(kept[0].Key) != "a" || string(kept[4].Value) != "E" {
		t.Fatalf("kept entries changed: %q", kept)
	}
	// Appending to a key does not spill into its value.
	k := append(kept[1].Key, 'X')
	if string(k) != "bX" || string(kept[1].Value) != "B" {
		t.Fatal("appending to a yielded key overwrote its value")
	}
	var empty KV
	for _, kv := range kept {
		if string(kv.Key) == "empty" {
			empty = kv
		}
	}
	if empty.Value == nil || len(empty.Value) != 0 {
		t.Fatalf("an empty value is a non-nil empty slice, got %#v", empty.Value)
	}
}

// Breaking out of a loop closes its iterator: otherwise the engine would
// stay up after DB.Close and a reopen would be refused.
func TestRangeBreakClosesTheIterator(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"a", "b", "c"} {
		mustPut(t, db, k, k)
	}
	for kv, err := range db.All(nil, nil) {
		if err != nil || string(kv.Key) != "a" {
			t.Fatal(kv, err)
		}
		break
	}
	for range db.Backward(nil, nil) {
		break
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = Open(dir, nil)
	if err != nil {
		t.Fatalf("reopen: %v (an iterator was left open)", err)
	}
	db.Close()
}

func TestRangeYieldsErrorsOnce(t *testing.T) {
	db := openTemp(t, nil)
	long := make([]byte, MaxKeyLen+1)
	n := 0
	for kv, err := range db.All(long, nil) {
		n++
		wantErr(t, "over-long start", err, ErrInvalidArgument)
		if kv.Key != nil || kv.Value != nil {
			t.Fatal("an error comes with a zero KV")
		}
	}
	if n != 1 {
		t.Fatalf("yielded %d times, want once", n)
	}
}
