package strata

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"sort"
	"strconv"
	"testing"
)

// The model test runs random operations against strata and against a Go map
// side by side and checks that every read agrees: point reads, multi-gets,
// iteration forward and backward over random bounds and prefixes, seeks,
// snapshots; with batches, flushes, compactions and reopens in between.
// STRATA_MODEL_SEED picks the random seed (default fixed, for repeatable
// runs); a failure prints the seed.

type model map[string]string

func (m model) clone() model {
	c := make(model, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

func (m model) sortedKeys() []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// inRange returns the model's keys in [lower, upper) (nil bounds open) that
// begin with prefix, ascending.
func (m model) inRange(lower, upper, prefix []byte) []string {
	var out []string
	for _, k := range m.sortedKeys() {
		kb := []byte(k)
		if lower != nil && bytes.Compare(kb, lower) < 0 || upper != nil && bytes.Compare(kb, upper) >= 0 {
			continue
		}
		if prefix != nil && !bytes.HasPrefix(kb, prefix) {
			continue
		}
		out = append(out, k)
	}
	return out
}

// Keys from a small alphabet, so that they share prefixes, collide often,
// and include the empty key, NULs and 0xFF bytes.
func randomKey(r *rand.Rand) []byte {
	alphabet := []byte{0x00, 'a', 'b', 'c', 0xff}
	k := make([]byte, r.IntN(5))
	for i := range k {
		k[i] = alphabet[r.IntN(len(alphabet))]
	}
	return k
}

func randomValue(r *rand.Rand) []byte {
	v := make([]byte, r.IntN(40))
	for i := range v {
		v[i] = byte(r.IntN(256))
	}
	return v
}

func modelSeed(t *testing.T) uint64 {
	if s := os.Getenv("STRATA_MODEL_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("STRATA_MODEL_SEED=%q: %v", s, err)
		}
		return n
	}
	return 20240611
}

func TestModel(t *testing.T) {
	for i, kind := range []MemTableKind{SkipList, RedBlackTree, AVLTree} {
		t.Run(string(kind), func(t *testing.T) {
			seed := modelSeed(t) + uint64(i)
			t.Logf("seed %d", seed)
			runModel(t, rand.New(rand.NewPCG(seed, seed)), &Options{
				MemTable: kind, MemTableSize: 16 << 10, L0CompactionTrigger: 2,
				BlockSize: 256, BlockCacheSize: 64 << 10,
			})
		})
	}
}

type pinned struct {
	snap  *Snapshot
	state model
}

func runModel(t *testing.T, r *rand.Rand, opts *Options) {
	dir := t.TempDir()
	db, err := Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { db.Close() }()
	m := model{}
	var snaps []pinned
	closeSnaps := func() {
		for _, p := range snaps {
			if err := p.snap.Close(); err != nil {
				t.Fatal(err)
			}
		}
		snaps = nil
	}
	defer closeSnaps()

	const steps = 1500
	for step := 0; step < steps; step++ {
		switch op := r.IntN(100); {
		case op < 30:
			k, v := randomKey(r), randomValue(r)
			if err := db.Put(k, v, nil); err != nil {
				t.Fatalf("step %d: Put: %v", step, err)
			}
			m[string(k)] = string(v)
		case op < 40:
			k := randomKey(r)
			if err := db.Delete(k, nil); err != nil {
				t.Fatalf("step %d: Delete: %v", step, err)
			}
			delete(m, string(k))
		case op < 48:
			b := db.NewBatch()
			pending := m.clone()
			for n := r.IntN(8); n >= 0; n-- {
				k := randomKey(r)
				if r.IntN(3) == 0 {
					b.Delete(k)
					delete(pending, string(k))
				} else {
					v := randomValue(r)
					b.Put(k, v)
					pending[string(k)] = string(v)
				}
			}
			if err := db.Write(b, nil); err != nil {
				t.Fatalf("step %d: Write: %v", step, err)
			}
			b.Close()
			m = pending
		case op < 60:
			k := randomKey(r)
			checkGet(t, step, "DB", func(k []byte) ([]byte, error) { return db.Get(k) }, m, k)
		case op < 65:
			checkMultiGet(t, step, db.MultiGet, m, r)
		case op < 80:
			checkIteration(t, step, r, db.NewIter, m, nil)
		case op < 85:
			if len(snaps) < 3 {
				s, err := db.NewSnapshot()
				if err != nil {
					t.Fatal(err)
				}
				snaps = append(snaps, pinned{s, m.clone()})
			}
		case op < 92 && len(snaps) > 0:
			p := snaps[r.IntN(len(snaps))]
			checkGet(t, step, "Snapshot", p.snap.Get, p.state, randomKey(r))
			checkMultiGet(t, step, p.snap.MultiGet, p.state, r)
			checkIteration(t, step, r, p.snap.NewIter, p.state, p.snap)
		case op < 94:
			if err := db.Flush(); err != nil {
				t.Fatal(err)
			}
		case op < 96:
			if err := db.CompactRange(randomBound(r), randomBound(r)); err != nil {
				t.Fatal(err)
			}
		case op < 98:
			checkIteration(t, step, r, db.NewIter, m, nil)
		default:
			// Reopen: snapshots must go first, or the engine stays up.
			closeSnaps()
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			if db, err = Open(dir, opts); err != nil {
				t.Fatalf("step %d: reopen: %v", step, err)
			}
			checkIteration(t, step, r, db.NewIter, m, nil)
		}
	}
	if got, want := collectSeq(t, db.All(nil, nil)), m.sortedKeys(); len(got) != len(want) {
		t.Fatalf("end: %d entries, model has %d", len(got), len(want))
	}
	if err := db.Verify(); err != nil {
		t.Fatal(err)
	}
}

func randomBound(r *rand.Rand) []byte {
	if r.IntN(3) == 0 {
		return nil
	}
	return randomKey(r)
}

func checkGet(t *testing.T, step int, who string, get func([]byte) ([]byte, error), m model, k []byte) {
	t.Helper()
	got, err := get(k)
	want, ok := m[string(k)]
	switch {
	case !ok && !errors.Is(err, ErrNotFound):
		t.Fatalf("step %d: %s.Get(%q) = %q, %v; want not found", step, who, k, got, err)
	case ok && (err != nil || string(got) != want || got == nil):
		t.Fatalf("step %d: %s.Get(%q) = %q, %v; want %q", step, who, k, got, err, want)
	}
}

func checkMultiGet(t *testing.T, step int, multiGet func([][]byte) ([][]byte, error), m model, r *rand.Rand) {
	t.Helper()
	keys := make([][]byte, r.IntN(10))
	for i := range keys {
		keys[i] = randomKey(r)
	}
	vals, err := multiGet(keys)
	if err != nil {
		t.Fatalf("step %d: MultiGet: %v", step, err)
	}
	for i, k := range keys {
		want, ok := m[string(k)]
		if ok != (vals[i] != nil) || string(vals[i]) != want {
			t.Fatalf("step %d: MultiGet key %q = %q; want %q (present %v)", step, k, vals[i], want, ok)
		}
	}
}

// checkIteration opens an iterator over random bounds or a random prefix and
// checks a full walk in a random direction, then a few seeks and steps.
func checkIteration(t *testing.T, step int, r *rand.Rand,
	newIter func(*IterOptions) (*Iterator, error), m model, snap *Snapshot) {
	t.Helper()
	var o IterOptions
	if r.IntN(3) == 0 {
		o.Prefix = randomKey(r)
		o.Prefix = o.Prefix[:min(len(o.Prefix), r.IntN(3))]
	} else {
		o.LowerBound, o.UpperBound = randomBound(r), randomBound(r)
	}
	if snap != nil && r.IntN(2) == 0 {
		o.Snapshot = snap
	}
	want := m.inRange(o.LowerBound, o.UpperBound, o.Prefix)
	it, err := newIter(&o)
	if err != nil {
		t.Fatalf("step %d: NewIter: %v", step, err)
	}
	defer it.Close()
	desc := fmt.Sprintf("step %d: [%q, %q) prefix %q", step, o.LowerBound, o.UpperBound, o.Prefix)

	var got []string
	backward := r.IntN(2) == 0
	if backward {
		for ok := it.Last(); ok; ok = it.Prev() {
			got = append(got, string(it.Key()))
		}
		slices.Reverse(got)
	} else {
		for ok := it.First(); ok; ok = it.Next() {
			got = append(got, string(it.Key()))
			if string(it.Value()) != m[string(it.Key())] {
				t.Fatalf("%s: value of %q = %q, want %q", desc, it.Key(), it.Value(), m[string(it.Key())])
			}
		}
	}
	if it.Error() != nil {
		t.Fatalf("%s: %v", desc, it.Error())
	}
	if !slices.Equal(got, want) {
		t.Fatalf("%s backward=%v:\n got %q\nwant %q", desc, backward, got, want)
	}

	for n := 0; n < 4; n++ {
		target := randomKey(r)
		var ok bool
		var expect int // index into want, -1 for none
		switch r.IntN(3) {
		case 0:
			ok = it.SeekGE(target)
			expect = sort.SearchStrings(want, string(target))
			if expect == len(want) {
				expect = -1
			}
		case 1:
			ok = it.SeekLT(target)
			expect = sort.SearchStrings(want, string(target)) - 1
		default:
			ok = it.SeekLE(target)
			expect = sort.Search(len(want), func(i int) bool { return want[i] > string(target) }) - 1
		}
		if ok != (expect >= 0) || ok && string(it.Key()) != want[expect] {
			t.Fatalf("%s: seek %q: at %q (%v), want index %d of %q", desc, target, it.Key(), ok, expect, want)
		}
		if !ok {
			continue
		}
		// One step on in either direction from the seek.
		if r.IntN(2) == 0 {
			ok = it.Next()
			expect++
			if expect == len(want) {
				expect = -1
			}
		} else {
			ok = it.Prev()
			expect--
		}
		if ok != (expect >= 0) || ok && string(it.Key()) != want[expect] {
			t.Fatalf("%s: step after seek %q: at %q (%v), want index %d", desc, target, it.Key(), ok, expect)
		}
	}
}
