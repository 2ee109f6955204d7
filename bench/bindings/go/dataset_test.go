package stratabench

import (
	"encoding/binary"
	"math/rand/v2"
)

// The data both engines hold: n random 16-byte keys with 100-byte values,
// the same bytes for each engine because every stream of keys comes from a
// PCG generator with a fixed seed.
const (
	keyBytes   = 16
	valueBytes = 100

	seedLoad    = 1 // the preloaded keys
	seedMissing = 2 // keys that are in neither engine
	seedPut     = 3 // fresh keys for the put benchmarks
	seedReads   = 4 // which preloaded key each read picks
)

type dataset struct {
	n      int
	keys   []byte // n keys of keyBytes each, back to back, in load order
	values []byte // random bytes that values are cut from
}

func newDataset(n int) *dataset {
	d := &dataset{n: n, keys: make([]byte, n*keyBytes), values: make([]byte, 1<<20)}
	keys := newKeyStream(seedLoad)
	for i := 0; i < n; i++ {
		keys.fill(d.keys[i*keyBytes : (i+1)*keyBytes])
	}
	r := rand.New(rand.NewPCG(seedLoad, 1))
	for i := 0; i+8 <= len(d.values); i += 8 {
		binary.LittleEndian.PutUint64(d.values[i:], r.Uint64())
	}
	return d
}

// key returns preloaded key i, a capped view into the dataset (not a copy).
func (d *dataset) key(i int) []byte {
	return d.keys[i*keyBytes : (i+1)*keyBytes : (i+1)*keyBytes]
}

// value returns the value written with the i-th key of any stream: a
// 100-byte window of the random pool, so values differ from key to key
// without costing a generator call in the timed loops.
func (d *dataset) value(i int) []byte {
	off := (i * 7919) % (len(d.values) - valueBytes)
	return d.values[off : off+valueBytes : off+valueBytes]
}

// keyStream yields random 16-byte keys from a seeded generator: two engines
// given streams with the same seed see the same keys in the same order.
type keyStream struct{ r *rand.PCG }

func newKeyStream(seed uint64) *keyStream { return &keyStream{rand.NewPCG(seed, 0)} }

// fill writes the next key into buf (keyBytes long).
func (s *keyStream) fill(buf []byte) {
	binary.LittleEndian.PutUint64(buf[0:8], s.r.Uint64())
	binary.LittleEndian.PutUint64(buf[8:16], s.r.Uint64())
}
