package strata

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"
)

// Next reads ahead (iterator.go); these tests check that no sequence of
// moves can tell: every move lands where a cursor without read-ahead would,
// with entries big enough to skip the buffer, empty keys and values, and
// Prev or a seek at every point of a refill.

// readAheadDB holds n keys (the empty key first) whose values are of mixed
// sizes, some bigger than the read-ahead buffer; it returns the keys in
// order and their values.
func readAheadDB(t *testing.T, n int, seed uint64) (*DB, [][]byte, map[string][]byte) {
	t.Helper()
	db := openTemp(t, nil)
	r := rand.New(rand.NewPCG(seed, 0))
	sizes := []int{0, 1, 100, 3000, maxReadAheadBytes - 20, maxReadAheadBytes + 1000}
	values := map[string][]byte{}
	keys := [][]byte{{}}
	for len(keys) < n {
		keys = append(keys, []byte(fmt.Sprintf("k%06d", r.IntN(1_000_000))))
	}
	b := db.NewBatch()
	defer b.Close()
	for _, k := range keys {
		v := bytes.Repeat([]byte{byte(len(k))}, sizes[r.IntN(len(sizes))])
		values[string(k)] = v
		if err := b.Put(k, v); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Write(b, nil); err != nil {
		t.Fatal(err)
	}
	sorted := make([][]byte, 0, len(values))
	for k := range values {
		sorted = append(sorted, []byte(k))
	}
	sort.Slice(sorted, func(i, j int) bool { return bytes.Compare(sorted[i], sorted[j]) < 0 })
	return db, sorted, values
}

// A cursor model over the sorted keys: pos is an index, -1 (before the
// first) or len(keys) (after the last).
type cursorModel struct {
	keys [][]byte
	pos  int
}

func (m *cursorModel) valid() bool { return m.pos >= 0 && m.pos < len(m.keys) }

func (m *cursorModel) next() {
	if m.pos < len(m.keys) {
		m.pos++
	}
}

func (m *cursorModel) prev() {
	if m.pos >= 0 {
		m.pos--
	}
}

func (m *cursorModel) seekGE(k []byte) {
	m.pos = sort.Search(len(m.keys), func(i int) bool { return bytes.Compare(m.keys[i], k) >= 0 })
}

func (m *cursorModel) seekLT(k []byte) { m.seekGE(k); m.pos-- }

func checkAt(t *testing.T, step int, op string, it *Iterator, ok bool, m *cursorModel, values map[string][]byte) {
	t.Helper()
	if ok != m.valid() || it.Valid() != ok {
		t.Fatalf("step %d (%s): ok %v, Valid %v, want %v (model at %d of %d); err %v",
			step, op, ok, it.Valid(), m.valid(), m.pos, len(m.keys), it.Error())
	}
	if !ok {
		if it.Key() != nil || it.Value() != nil {
			t.Fatalf("step %d (%s): not valid but has an entry", step, op)
		}
		return
	}
	want := m.keys[m.pos]
	if !bytes.Equal(it.Key(), want) || !bytes.Equal(it.Value(), values[string(want)]) {
		t.Fatalf("step %d (%s): at %q (%d value bytes), want %q (%d)", step, op, it.Key(),
			len(it.Value()), want, len(values[string(want)]))
	}
	if it.Key() == nil || it.Value() == nil {
		t.Fatalf("step %d (%s): an empty key or value must be a non-nil empty slice", step, op)
	}
}

// Random moves, mostly runs of Next (so that refills of every size happen),
// checked against the model after each.
func TestIteratorReadAheadModel(t *testing.T) {
	db, keys, values := readAheadDB(t, 400, 7)
	it, err := db.NewIter(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	m := &cursorModel{keys: keys, pos: -1}
	r := rand.New(rand.NewPCG(8, 0))
	for step := 0; step < 3000; step++ {
		var ok bool
		var op string
		switch x := r.IntN(100); {
		case x < 80:
			// A run of Nexts, long enough at times for every refill size.
			for run := r.IntN(120); run > 0; run-- {
				ok = it.Next()
				m.next()
				checkAt(t, step, "Next", it, ok, m, values)
			}
			op, ok = "Next", it.Next()
			m.next()
		case x < 90:
			op, ok = "Prev", it.Prev()
			m.prev()
		case x < 94:
			k := keys[r.IntN(len(keys))]
			op, ok = fmt.Sprintf("SeekGE(%q)", k), it.SeekGE(k)
			m.seekGE(k)
		case x < 97:
			k := keys[r.IntN(len(keys))]
			op, ok = fmt.Sprintf("SeekLT(%q)", k), it.SeekLT(k)
			m.seekLT(k)
		case x < 99:
			op, ok = "First", it.First()
			m.pos = 0
		default:
			op, ok = "Last", it.Last()
			m.pos = len(keys) - 1
		}
		checkAt(t, step, op, it, ok, m, values)
	}
	if err := it.Error(); err != nil {
		t.Fatal(err)
	}
}

// Prev after k Nexts, for every k: over the single steps, across refills of
// every size (2, 4, ... 64 entries) and at the end, where strata's cursor has run off the range while
// the iterator is still at the last entries.
func TestIteratorPrevAfterReadAhead(t *testing.T) {
	db, keys, values := readAheadDB(t, 150, 9)
	for k := 1; k <= len(keys)+1; k++ {
		it, err := db.NewIter(nil)
		if err != nil {
			t.Fatal(err)
		}
		m := &cursorModel{keys: keys, pos: -1}
		for i := 0; i < k; i++ {
			ok := it.Next()
			m.next()
			checkAt(t, i, "Next", it, ok, m, values)
		}
		ok := it.Prev()
		m.prev()
		checkAt(t, k, "Prev", it, ok, m, values)
		ok = it.Next()
		m.next()
		checkAt(t, k+1, "Next after Prev", it, ok, m, values)
		if err := it.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// The range form walks through the read-ahead too, entries still the
// caller's own.
func TestAllReadsAhead(t *testing.T) {
	db, keys, values := readAheadDB(t, 300, 10)
	var kept []KV
	for kv, err := range db.All(nil, nil) {
		if err != nil {
			t.Fatal(err)
		}
		kept = append(kept, kv)
	}
	if len(kept) != len(keys) {
		t.Fatalf("%d entries, want %d", len(kept), len(keys))
	}
	for i, kv := range kept {
		if !bytes.Equal(kv.Key, keys[i]) || !bytes.Equal(kv.Value, values[string(keys[i])]) {
			t.Fatalf("entry %d: %q (%d bytes), want %q", i, kv.Key, len(kv.Value), keys[i])
		}
	}
}

// A scan crosses into C once per batch (one kv_iter_next_batch each), not
// once per entry: 5000 entries after the first single steps come in batches
// of up to maxReadAhead, and a batch smaller than the count asks for (the
// byte budget) still yields every entry once, in order.
func TestScanCrossesOncePerBatch(t *testing.T) {
	db := openTemp(t, nil)
	const n = 5000
	b := db.NewBatch()
	defer b.Close()
	for i := 0; i < n; i++ {
		// Some values big enough that a batch stops on bytes, not count.
		v := bytes.Repeat([]byte{'v'}, (i%7)*1000)
		if err := b.Put([]byte(fmt.Sprintf("k%05d", i)), v); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Write(b, nil); err != nil {
		t.Fatal(err)
	}
	before := fillCrossings.Load()
	i := 0
	for kv, err := range db.All(nil, nil) {
		if err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("k%05d", i); string(kv.Key) != want || len(kv.Value) != (i%7)*1000 {
			t.Fatalf("entry %d: %q with %d bytes, want %q with %d", i, kv.Key, len(kv.Value), want, (i%7)*1000)
		}
		i++
	}
	if i != n {
		t.Fatalf("%d entries, want %d", i, n)
	}
	crossings := fillCrossings.Load() - before
	// At most 64 entries or 32 KiB (about 10 entries of these) per batch.
	if crossings < n/64 || crossings > n/5 {
		t.Fatalf("%d batches for %d entries", crossings, n)
	}
	t.Logf("%d entries in %d batches", n, crossings)
}
