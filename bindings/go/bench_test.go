package strata

import (
	"encoding/binary"
	"testing"
)

// Benchmarks of the binding's per-call cost, run with
//
//	PKG_CONFIG_PATH=$STRATA_BUILD_DIR/pkgconfig-uninstalled go test -run - -bench . -benchmem
//
// Each reports ns per item. BenchmarkCrossing is one call into C that does
// almost nothing (kv_snapshot_sequence), the floor every other call pays;
// batches, MultiGet and iterators are how the binding spreads it over many
// items. bench/bindings/go runs the same kinds of benchmark beside Pebble.

const benchKeys = 100_000

func benchKey(buf []byte, i int) []byte {
	buf = append(buf[:0], "key:"...)
	return binary.BigEndian.AppendUint64(buf, uint64(i))
}

// benchDB holds benchKeys keys with 100-byte values, flushed and compacted.
func benchDB(b *testing.B) *DB {
	b.Helper()
	db := openTemp(b, nil)
	batch := db.NewBatch()
	defer batch.Close()
	value := make([]byte, 100)
	var key []byte
	for i := 0; i < benchKeys; i++ {
		key = benchKey(key, i)
		batch.Put(key, value)
		if batch.Count() == 1000 {
			if err := db.Write(batch, nil); err != nil {
				b.Fatal(err)
			}
			batch.Clear()
		}
	}
	if err := db.Write(batch, nil); err != nil {
		b.Fatal(err)
	}
	if err := db.CompactRange(nil, nil); err != nil {
		b.Fatal(err)
	}
	return db
}

func BenchmarkCrossing(b *testing.B) {
	snap, err := openTemp(b, nil).NewSnapshot()
	if err != nil {
		b.Fatal(err)
	}
	defer snap.Close()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		snap.Sequence()
	}
}

func BenchmarkPut(b *testing.B) {
	db := openTemp(b, nil)
	value := make([]byte, 100)
	var key []byte
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		key = benchKey(key, i)
		if err := db.Put(key, value, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBatchPut(b *testing.B) {
	db := openTemp(b, nil)
	batch := db.NewBatch()
	defer batch.Close()
	value := make([]byte, 100)
	var key []byte
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		key = benchKey(key, i)
		batch.Put(key, value)
		if batch.Count() == 1000 || i == b.N-1 {
			if err := db.Write(batch, nil); err != nil {
				b.Fatal(err)
			}
			batch.Clear()
		}
	}
}

func BenchmarkGet(b *testing.B) {
	db := benchDB(b)
	var key []byte
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		key = benchKey(key, (i*7919)%benchKeys)
		if _, err := db.Get(key); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMultiGet100(b *testing.B) {
	db := benchDB(b)
	keys := make([][]byte, 100)
	b.ResetTimer()
	for i := 0; i < b.N; i += len(keys) {
		for j := range keys {
			keys[j] = benchKey(keys[j], ((i+j)*7919)%benchKeys)
		}
		if _, err := db.MultiGet(keys); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkIteratorNext(b *testing.B) {
	db := benchDB(b)
	b.ResetTimer()
	for n := 0; n < b.N; {
		it, err := db.NewIter(nil)
		if err != nil {
			b.Fatal(err)
		}
		for ok := it.First(); ok && n < b.N; ok = it.Next() {
			_, _ = it.Key(), it.Value()
			n++
		}
		it.Close()
	}
}

func BenchmarkAll(b *testing.B) {
	db := benchDB(b)
	b.ResetTimer()
	for n := 0; n < b.N; {
		for _, err := range db.All(nil, nil) {
			if err != nil {
				b.Fatal(err)
			}
			if n++; n >= b.N {
				break
			}
		}
	}
}
