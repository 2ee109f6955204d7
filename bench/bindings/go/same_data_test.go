package stratabench

import (
	"bytes"
	"errors"
	"sort"
	"testing"

	"github.com/cockroachdb/pebble/v2"
	strata "github.com/strata-kv/strata/bindings/go"
)

// TestEnginesHoldTheSameData loads a small dataset into both engines with
// the benchmarks' own loaders and settings, then checks that a full scan of
// each gives exactly the dataset's keys in order with their values, and
// that absent keys are absent from both: what the benchmarks compare is the
// same data.
func TestEnginesHoldTheSameData(t *testing.T) {
	const n = 20_000
	d := newDataset(n)
	dir := t.TempDir()

	sdb, err := loadStrata(dir, d)
	if err != nil {
		t.Fatal(err)
	}
	defer sdb.Close()
	cache := pebble.NewCache(blockCacheBytes)
	defer cache.Unref()
	pdb, err := loadPebble(dir, d, cache)
	if err != nil {
		t.Fatal(err)
	}
	defer pdb.Close()

	want := make([]int, n) // dataset indexes in key order
	for i := range want {
		want[i] = i
	}
	sort.Slice(want, func(a, b int) bool { return bytes.Compare(d.key(want[a]), d.key(want[b])) < 0 })

	sit, err := sdb.NewIter(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer sit.Close()
	pit, err := pdb.NewIter(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer pit.Close()
	sok, pok := sit.First(), pit.First()
	for pos, i := range want {
		if !sok || !pok {
			t.Fatalf("entry %d of %d: strata has one: %v, pebble has one: %v", pos, n, sok, pok)
		}
		pv, err := pit.ValueAndErr()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(sit.Key(), d.key(i)) || !bytes.Equal(sit.Value(), d.value(i)) {
			t.Fatalf("strata entry %d: %x=%x, want %x=%x", pos, sit.Key(), sit.Value(), d.key(i), d.value(i))
		}
		if !bytes.Equal(pit.Key(), d.key(i)) || !bytes.Equal(pv, d.value(i)) {
			t.Fatalf("pebble entry %d: %x=%x, want %x=%x", pos, pit.Key(), pv, d.key(i), d.value(i))
		}
		sok, pok = sit.Next(), pit.Next()
	}
	if sok || pok {
		t.Fatalf("more than %d entries: strata %v, pebble %v", n, sok, pok)
	}
	if err := errors.Join(sit.Error(), pit.Error()); err != nil {
		t.Fatal(err)
	}

	missing, key := newKeyStream(seedMissing), make([]byte, keyBytes)
	for i := 0; i < 1000; i++ {
		missing.fill(key)
		if _, err := sdb.Get(key); !errors.Is(err, strata.ErrNotFound) {
			t.Fatalf("strata Get(%x) of an absent key: %v", key, err)
		}
		if _, _, err := pdb.Get(key); !errors.Is(err, pebble.ErrNotFound) {
			t.Fatalf("pebble Get(%x) of an absent key: %v", key, err)
		}
	}
}
