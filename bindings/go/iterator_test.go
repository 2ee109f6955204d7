package strata

import (
	"bytes"
	"slices"
	"testing"
)

// fiveKeys makes a database holding a..e (values A..E), some of them in a
// table and some only in the memtable, so iteration merges both.
func fiveKeys(t *testing.T) *DB {
	t.Helper()
	db := openTemp(t, nil)
	mustPut(t, db, "a", "A")
	mustPut(t, db, "c", "C")
	mustPut(t, db, "e", "E")
	if err := db.Flush(); err != nil {
		t.Fatal(err)
	}
	mustPut(t, db, "b", "B")
	mustPut(t, db, "d", "D")
	return db
}

func TestIteratorForwardAndBackward(t *testing.T) {
	db := fiveKeys(t)
	it, err := db.NewIter(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	if it.Valid() || it.Key() != nil || it.Value() != nil {
		t.Fatal("a new iterator is before the first entry")
	}
	if got := collect(t, it, it.Next()); !slices.Equal(got, []string{"a=A", "b=B", "c=C", "d=D", "e=E"}) {
		t.Fatalf("forward from new: %v", got)
	}
	// After the last, Prev comes back to the last.
	var back []string
	for ok := it.Prev(); ok; ok = it.Prev() {
		back = append(back, string(it.Key()))
	}
	if !slices.Equal(back, []string{"e", "d", "c", "b", "a"}) {
		t.Fatalf("backward: %v", back)
	}
	if !it.Last() || string(it.Key()) != "e" || !it.First() || string(it.Value()) != "A" {
		t.Fatal("Last/First")
	}
	if it.Prev() || it.Valid() || it.Error() != nil {
		t.Fatal("Prev from the first moves off the start, without error")
	}
	if !it.Next() || string(it.Key()) != "a" {
		t.Fatal("Next from before the first goes to the first")
	}
}

func TestIteratorBounds(t *testing.T) {
	db := fiveKeys(t)
	cases := []struct {
		lower, upper []byte
		want         []string
	}{
		{[]byte("b"), []byte("d"), []string{"b=B", "c=C"}},
		{[]byte("bb"), nil, []string{"c=C", "d=D", "e=E"}},
		{nil, []byte("c"), []string{"a=A", "b=B"}},
		{[]byte{}, nil, []string{"a=A", "b=B", "c=C", "d=D", "e=E"}},
		{nil, []byte{}, nil}, // up to the empty key: nothing
		{[]byte("d"), []byte("b"), nil},
		{[]byte("x"), nil, nil},
	}
	for _, c := range cases {
		it, err := db.NewIter(&IterOptions{LowerBound: c.lower, UpperBound: c.upper})
		if err != nil {
			t.Fatal(err)
		}
		if got := collect(t, it, it.First()); !slices.Equal(got, c.want) {
			t.Errorf("[%q, %q): %v, want %v", c.lower, c.upper, got, c.want)
		}
		// Backward over the same range gives the reverse.
		var back []string
		for ok := it.Last(); ok; ok = it.Prev() {
			back = append(back, string(it.Key())+"="+string(it.Value()))
		}
		slices.Reverse(back)
		if !slices.Equal(back, c.want) {
			t.Errorf("[%q, %q) backward: %v", c.lower, c.upper, back)
		}
		it.Close()
	}
}

func TestIteratorSeeks(t *testing.T) {
	db := fiveKeys(t)
	it, err := db.NewIter(&IterOptions{LowerBound: []byte("b"), UpperBound: []byte("e")})
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	type seek struct {
		name   string
		move   func([]byte) bool
		target string
		want   string // "" = not valid
	}
	for _, s := range []seek{
		{"SeekGE", it.SeekGE, "c", "c"},
		{"SeekGE", it.SeekGE, "cc", "d"},
		{"SeekGE", it.SeekGE, "a", "b"}, // clamped to the lower bound
		{"SeekGE", it.SeekGE, "dd", ""}, // e is outside the range
		{"SeekLT", it.SeekLT, "c", "b"},
		{"SeekLT", it.SeekLT, "cc", "c"},
		{"SeekLT", it.SeekLT, "b", ""},
		{"SeekLT", it.SeekLT, "z", "d"}, // clamped to the upper bound
		{"SeekLE", it.SeekLE, "c", "c"},
		{"SeekLE", it.SeekLE, "cc", "c"},
		{"SeekLE", it.SeekLE, "a", ""},
		{"SeekLE", it.SeekLE, "z", "d"},
	} {
		ok := s.move([]byte(s.target))
		if got := string(it.Key()); ok != (s.want != "") || got != s.want {
			t.Errorf("%s(%q) = %v at %q, want %q", s.name, s.target, ok, got, s.want)
		}
		if it.Error() != nil {
			t.Fatal(it.Error())
		}
	}
	// Moving on from a seek.
	it.SeekGE([]byte("c"))
	if !it.Next() || string(it.Key()) != "d" || !it.Prev() || !it.Prev() || string(it.Key()) != "b" {
		t.Fatal("moving after a seek")
	}
	// SeekLT to the empty key finds nothing; SeekGE to it finds the first.
	db2 := openTemp(t, nil)
	mustPut(t, db2, "", "empty key")
	mustPut(t, db2, "a", "A")
	it2, _ := db2.NewIter(nil)
	defer it2.Close()
	if it2.SeekLT([]byte{}) || !it2.SeekGE(nil) || len(it2.Key()) != 0 || it2.Key() == nil {
		t.Fatal("seeks around the empty key")
	}
	if !it2.SeekLT([]byte("a")) || string(it2.Value()) != "empty key" {
		t.Fatal("SeekLT(a) should land on the empty key")
	}
}

func TestIteratorPrefix(t *testing.T) {
	db := openTemp(t, nil)
	for _, k := range []string{"a", "user/1", "user/2", "user0", "users", "\xff", "\xff\xff", "\xff\xff\x00", "\xff\xfe"} {
		mustPut(t, db, k, "v")
	}
	keysOf := func(prefix []byte) []string {
		it, err := db.NewIter(&IterOptions{Prefix: prefix})
		if err != nil {
			t.Fatal(err)
		}
		defer it.Close()
		var out []string
		for ok := it.First(); ok; ok = it.Next() {
			out = append(out, string(it.Key()))
		}
		return out
	}
	if got := keysOf([]byte("user/")); !slices.Equal(got, []string{"user/1", "user/2"}) {
		t.Errorf("user/: %v", got)
	}
	if got := keysOf([]byte("user")); !slices.Equal(got, []string{"user/1", "user/2", "user0", "users"}) {
		t.Errorf("user: %v", got)
	}
	if got := keysOf([]byte{0xff, 0xff}); !slices.Equal(got, []string{"\xff\xff", "\xff\xff\x00"}) {
		t.Errorf("ff ff: %q", got)
	}
	if got := keysOf([]byte{0xff}); len(got) != 4 {
		t.Errorf("ff: %q", got)
	}
	if got := keysOf([]byte{}); len(got) != 9 {
		t.Errorf("empty prefix walks everything: %q", got)
	}
	if got := keysOf([]byte("zzz")); got != nil {
		t.Errorf("zzz: %q", got)
	}
	_, err := db.NewIter(&IterOptions{Prefix: []byte("a"), LowerBound: []byte("a")})
	wantErr(t, "Prefix with a bound", err, ErrInvalidArgument)
}

// Key and Value are valid until the next move, in buffers the iterator
// reuses (so a slice kept too long shows some entry's bytes, never freed C
// memory); the copies are the caller's.
func TestIteratorKeyValueLifetime(t *testing.T) {
	db := fiveKeys(t)
	it, _ := db.NewIter(nil)
	defer it.Close()
	it.First()
	k, v := it.Key(), it.Value()
	kc, vc := it.KeyCopy(), it.ValueCopy()
	if !bytes.Equal(k, kc) || !bytes.Equal(v, vc) {
		t.Fatal("copies differ")
	}
	it.Next()
	if string(kc) != "a" || string(vc) != "A" {
		t.Fatal("a copy changed after a move")
	}
	if string(it.Key()) != "b" || string(it.Value()) != "B" {
		t.Fatalf("after Next: %q=%q, want b=B", it.Key(), it.Value())
	}
	// The slices from before the move are Go memory: the old entry (First
	// was copied into the iterator's buffers, Next came from its read-ahead
	// buffer) or, had both come from one buffer, a later one.
	if string(k) != "a" && string(k) != "b" || string(v) != "A" && string(v) != "B" {
		t.Fatalf("a kept slice holds %q=%q, neither the old entry nor the new", k, v)
	}
	it.Close()
	if it.KeyCopy() != nil || it.ValueCopy() != nil || it.Key() != nil {
		t.Fatal("a closed iterator has no entry")
	}
}

func TestIteratorCloseAndMisuse(t *testing.T) {
	db := fiveKeys(t)
	it, _ := db.NewIter(nil)
	it.First()
	if err := it.Close(); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "second Close", it.Close(), ErrClosed)
	if it.Next() || it.First() || it.SeekGE([]byte("a")) || it.Valid() {
		t.Fatal("a closed iterator moved")
	}
	wantErr(t, "Error after Close", it.Error(), ErrClosed)
	long := bytes.Repeat([]byte("k"), MaxKeyLen+1)
	_, err := db.NewIter(&IterOptions{LowerBound: long})
	wantErr(t, "over-long bound", err, ErrInvalidArgument)
	it2, _ := db.NewIter(nil)
	defer it2.Close()
	if it2.SeekGE(long) {
		t.Fatal("seek to an over-long key succeeded")
	}
	wantErr(t, "seek to an over-long key", it2.Error(), ErrInvalidArgument)
	if it2.First() {
		t.Fatal("a failed iterator moved")
	}
	wantErr(t, "Close of a failed iterator", it2.Close(), ErrInvalidArgument)
}

// An iterator reads the database as of its creation.
func TestIteratorIsAPointInTime(t *testing.T) {
	db := fiveKeys(t)
	it, _ := db.NewIter(nil)
	defer it.Close()
	mustPut(t, db, "aa", "new")
	db.Delete([]byte("c"), nil)
	if got := collect(t, it, it.First()); !slices.Equal(got, []string{"a=A", "b=B", "c=C", "d=D", "e=E"}) {
		t.Fatalf("iterator saw later writes: %v", got)
	}
}
