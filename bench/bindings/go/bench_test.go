package stratabench

import (
	"math/rand/v2"
	"testing"

	"github.com/cockroachdb/pebble/v2"
	strata "github.com/strata-kv/strata/bindings/go"
)

// Every benchmark reports ns per item (one op = one key read or written,
// one entry scanned, or one seek with its ten steps), as sub-benchmarks
// engine=strata and engine=pebble of one function, so that
// `benchstat -col /engine` puts the two side by side. Both engines run the
// same loop over the same keys; where a loop does anything besides the
// engine call (picking a key, touching a byte of the value), it does the
// same for both.
//
// Benchmarks run in source order and each runs -count times before the
// next: reads first, on the freshly compacted databases; then the writes,
// which add fresh keys to the same databases and, after each timed run,
// wait (untimed) for the flushes and compactions they started.

// sink keeps the compiler from dropping reads whose results are unused.
var sink int

// BenchmarkCrossing measures what one call into C costs before strata does
// any work: a bare cgo call, a call of libstrata's cheapest function
// (kv_version), and the cheapest call through the binding
// (Snapshot.Sequence: the binding's handle check, kv_snapshot_sequence and
// runtime.KeepAlive). Pebble has no crossing.
func BenchmarkCrossing(b *testing.B) {
	b.Run("call=empty/engine=strata", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			EmptyCall()
		}
	})
	b.Run("call=kv_version/engine=strata", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			VersionCall()
		}
	})
	b.Run("call=Snapshot.Sequence/engine=strata", func(b *testing.B) {
		db, err := strata.Open(b.TempDir(), nil)
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		snap, err := db.NewSnapshot()
		if err != nil {
			b.Fatal(err)
		}
		defer snap.Close()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			sink += int(snap.Sequence())
		}
	})
}

// BenchmarkGet reads random preloaded keys. strata's Get returns a copy
// the caller owns (one allocation); Pebble's returns a view valid until the
// closer is closed, which is what its users get without copying.
func BenchmarkGet(b *testing.B) {
	b.Run("engine=strata", func(b *testing.B) {
		db, d := sharedStrata(b).db, sharedData()
		r := rand.New(rand.NewPCG(seedReads, 0))
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			v, err := db.Get(d.key(r.IntN(d.n)))
			if err != nil {
				b.Fatal(err)
			}
			sink += int(v[0])
		}
	})
	b.Run("engine=pebble", func(b *testing.B) {
		db, d := sharedPebble(b).db, sharedData()
		r := rand.New(rand.NewPCG(seedReads, 0))
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			v, closer, err := db.Get(d.key(r.IntN(d.n)))
			if err != nil {
				b.Fatal(err)
			}
			sink += int(v[0])
			closer.Close()
		}
	})
}

// BenchmarkGetMissing reads random keys that neither engine holds: mostly
// bloom filter checks.
func BenchmarkGetMissing(b *testing.B) {
	b.Run("engine=strata", func(b *testing.B) {
		db := sharedStrata(b).db
		missing, key := newKeyStream(seedMissing), make([]byte, keyBytes)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			missing.fill(key)
			if _, err := db.Get(key); err != strata.ErrNotFound {
				b.Fatalf("Get of an absent key: %v, want ErrNotFound", err)
			}
		}
	})
	b.Run("engine=pebble", func(b *testing.B) {
		db := sharedPebble(b).db
		missing, key := newKeyStream(seedMissing), make([]byte, keyBytes)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			missing.fill(key)
			if _, _, err := db.Get(key); err != pebble.ErrNotFound {
				b.Fatalf("Get of an absent key: %v, want ErrNotFound", err)
			}
		}
	})
}

// multiGetKeys is how many keys strata's MultiGet looks up per call.
const multiGetKeys = 100

// BenchmarkMultiGet100 reads random preloaded keys 100 at a time: strata in
// one MultiGet call (one crossing for 100 keys), Pebble, which has no
// multi-get, with 100 Gets. ns/op is per key.
func BenchmarkMultiGet100(b *testing.B) {
	b.Run("engine=strata", func(b *testing.B) {
		db, d := sharedStrata(b).db, sharedData()
		r := rand.New(rand.NewPCG(seedReads, 0))
		keys := make([][]byte, multiGetKeys)
		b.ResetTimer()
		for done := 0; done < b.N; done += len(keys) {
			keys = keys[:min(multiGetKeys, b.N-done)]
			for j := range keys {
				keys[j] = d.key(r.IntN(d.n))
			}
			values, err := db.MultiGet(keys)
			if err != nil {
				b.Fatal(err)
			}
			for _, v := range values {
				sink += int(v[0])
			}
		}
	})
	b.Run("engine=pebble", func(b *testing.B) {
		db, d := sharedPebble(b).db, sharedData()
		r := rand.New(rand.NewPCG(seedReads, 0))
		keys := make([][]byte, multiGetKeys)
		b.ResetTimer()
		for done := 0; done < b.N; done += len(keys) {
			keys = keys[:min(multiGetKeys, b.N-done)]
			for j := range keys {
				keys[j] = d.key(r.IntN(d.n))
			}
			for _, k := range keys {
				v, closer, err := db.Get(k)
				if err != nil {
					b.Fatal(err)
				}
				sink += int(v[0])
				closer.Close()
			}
		}
	})
}

// BenchmarkScan walks the whole database forward, reading every key and
// value; ns/op is per entry, the opening of an iterator for each full scan
// included.
func BenchmarkScan(b *testing.B) {
	b.Run("engine=strata", func(b *testing.B) {
		db := sharedStrata(b).db
		b.ResetTimer()
		for n := 0; n < b.N; {
			it, err := db.NewIter(nil)
			if err != nil {
				b.Fatal(err)
			}
			for ok := it.First(); ok && n < b.N; ok = it.Next() {
				sink += int(it.Key()[0]) + int(it.Value()[0])
				n++
			}
			if err := it.Close(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("engine=pebble", func(b *testing.B) {
		db := sharedPebble(b).db
		b.ResetTimer()
		for n := 0; n < b.N; {
			it, err := db.NewIter(nil)
			if err != nil {
				b.Fatal(err)
			}
			for ok := it.First(); ok && n < b.N; ok = it.Next() {
				v, err := it.ValueAndErr()
				if err != nil {
					b.Fatal(err)
				}
				sink += int(it.Key()[0]) + int(v[0])
				n++
			}
			if err := it.Close(); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkSeekNext10 seeks one iterator to a random preloaded key and
// reads the entry there and the ten after it; ns/op is per seek (1 seek,
// 10 steps, 11 entries read).
func BenchmarkSeekNext10(b *testing.B) {
	b.Run("engine=strata", func(b *testing.B) {
		db, d := sharedStrata(b).db, sharedData()
		r := rand.New(rand.NewPCG(seedReads, 0))
		it, err := db.NewIter(nil)
		if err != nil {
			b.Fatal(err)
		}
		defer it.Close()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			ok := it.SeekGE(d.key(r.IntN(d.n)))
			for step := 0; ok; step++ {
				sink += int(it.Key()[0]) + int(it.Value()[0])
				if step == 10 {
					break
				}
				ok = it.Next()
			}
		}
		if err := it.Error(); err != nil {
			b.Fatal(err)
		}
	})
	b.Run("engine=pebble", func(b *testing.B) {
		db, d := sharedPebble(b).db, sharedData()
		r := rand.New(rand.NewPCG(seedReads, 0))
		it, err := db.NewIter(nil)
		if err != nil {
			b.Fatal(err)
		}
		defer it.Close()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			ok := it.SeekGE(d.key(r.IntN(d.n)))
			for step := 0; ok; step++ {
				v, err := it.ValueAndErr()
				if err != nil {
					b.Fatal(err)
				}
				sink += int(it.Key()[0]) + int(v[0])
				if step == 10 {
					break
				}
				ok = it.Next()
			}
		}
		if err := it.Error(); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkPut writes fresh random keys one call each, unsynced.
func BenchmarkPut(b *testing.B) {
	b.Run("engine=strata", func(b *testing.B) { putStrata(b, sharedStrata(b)) })
	b.Run("engine=pebble", func(b *testing.B) { putPebble(b, sharedPebble(b)) })
}

// BenchmarkPutWALBuffer is BenchmarkPut with strata's buffered WAL
// (wal_buffer_bytes, 512 KiB) beside Pebble's default, which buffers too:
// both lose the writes still buffered if the process crashes.
func BenchmarkPutWALBuffer(b *testing.B) {
	b.Run("engine=strata", func(b *testing.B) { putStrata(b, sharedStrataBuffered(b)) })
	b.Run("engine=pebble", func(b *testing.B) { putPebble(b, sharedPebble(b)) })
}

// putStrata times b.N unsynced Puts of fresh random keys into e, then waits
// for the compactions they caused outside the timer.
func putStrata(b *testing.B, e *strataEngine) {
	d := sharedData()
	key := make([]byte, keyBytes)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		e.puts.fill(key)
		if err := e.db.Put(key, d.value(i), nil); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if err := e.db.WaitCompactions(); err != nil {
		b.Fatal(err)
	}
}

// putPebble is putStrata for Pebble (NoSync).
func putPebble(b *testing.B, e *pebbleEngine) {
	d := sharedData()
	key := make([]byte, keyBytes)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		e.puts.fill(key)
		if err := e.db.Set(key, d.value(i), pebble.NoSync); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	pebbleQuiesce(e.db)
}

// putBatchSize is how many puts one batch write carries.
const putBatchSize = 1000

// BenchmarkBatchPut writes fresh random keys in batches of 1000, one
// reused batch, unsynced; ns/op is per key.
func BenchmarkBatchPut(b *testing.B) {
	b.Run("engine=strata", func(b *testing.B) {
		e, d := sharedStrata(b), sharedData()
		key := make([]byte, keyBytes)
		batch := e.db.NewBatch()
		defer batch.Close()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			e.puts.fill(key)
			if err := batch.Put(key, d.value(i)); err != nil {
				b.Fatal(err)
			}
			if (i+1)%putBatchSize == 0 || i == b.N-1 {
				if err := e.db.Write(batch, nil); err != nil {
					b.Fatal(err)
				}
				batch.Clear()
			}
		}
		b.StopTimer()
		if err := e.db.WaitCompactions(); err != nil {
			b.Fatal(err)
		}
	})
	b.Run("engine=pebble", func(b *testing.B) {
		e, d := sharedPebble(b), sharedData()
		key := make([]byte, keyBytes)
		batch := e.db.NewBatch()
		defer batch.Close()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			e.puts.fill(key)
			if err := batch.Set(key, d.value(i), nil); err != nil {
				b.Fatal(err)
			}
			if (i+1)%putBatchSize == 0 || i == b.N-1 {
				if err := batch.Commit(pebble.NoSync); err != nil {
					b.Fatal(err)
				}
				batch.Reset()
			}
		}
		b.StopTimer()
		pebbleQuiesce(e.db)
	})
}
