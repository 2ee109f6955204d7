package stratabench

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/bloom"
	strata "github.com/strata-kv/strata/bindings/go"
)

// The settings both engines get, mapped onto each one's options below and
// listed in docs/bench/bindings-go.md. Everything not set here is the
// engine's default.
const (
	memTableBytes   = 64 << 20
	blockCacheBytes = 64 << 20
	bloomBitsPerKey = 10
	loadBatchSize   = 1000
)

// strataOptions: strata's defaults already match, but each is set so that
// a change of default cannot change the comparison silently. Writes are
// unsynced (Sync false, the default, and nil WriteOptions per call).
func strataOptions() *strata.Options {
	return &strata.Options{
		MemTableSize:    memTableBytes,
		BlockCacheSize:  blockCacheBytes,
		BloomBitsPerKey: bloomBitsPerKey,
		Compression:     strata.NoCompression,
	}
}

// pebbleOptions: Pebble's defaults differ (4 MiB memtable, 8 MiB cache, no
// filters, Snappy on every level), so each is set; filters and compression
// are per level in Pebble, and every level gets the same. The format is the
// newest stable one, what a new store would choose. The caller owns cache
// and must Unref it after closing the DB.
func pebbleOptions(cache *pebble.Cache) *pebble.Options {
	o := &pebble.Options{
		MemTableSize:       memTableBytes,
		Cache:              cache,
		FormatMajorVersion: pebble.FormatNewest,
		Logger:             quietLogger{},
	}
	for i := range o.Levels {
		o.Levels[i].FilterPolicy = bloom.FilterPolicy(bloomBitsPerKey)
	}
	o.ApplyCompressionSettings(func() pebble.DBCompressionSettings { return pebble.DBCompressionNone })
	return o
}

// quietLogger drops Pebble's informational messages, which would otherwise
// land between benchmark results.
type quietLogger struct{}

func (quietLogger) Infof(string, ...any) {}
func (quietLogger) Errorf(format string, args ...any) {
	fmt.Printf("# pebble error: "+format+"\n", args...)
}
func (quietLogger) Fatalf(format string, args ...any) { panic(fmt.Sprintf(format, args...)) }

// loadStrata opens a strata database in dir/strata and writes every key of
// d in batches, then flushes and compacts everything, so that reads start
// from one sorted run with no background work pending.
func loadStrata(dir string, d *dataset) (*strata.DB, error) {
	return loadStrataWith(filepath.Join(dir, "strata"), strataOptions(), d)
}

// walBufferBytes is the buffered WAL's size for the benchmarks that compare
// it with Pebble's default WAL, which also buffers unsynced writes in the
// process and writes them out behind the caller.
const walBufferBytes = 512 << 10

// strataBufferedOptions: strataOptions with the buffered WAL.
func strataBufferedOptions() *strata.Options {
	o := strataOptions()
	o.WALBufferSize = walBufferBytes
	return o
}

// loadStrataWith is loadStrata into path with options o.
func loadStrataWith(path string, o *strata.Options, d *dataset) (*strata.DB, error) {
	db, err := strata.Open(path, o)
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*strata.DB, error) { db.Close(); return nil, err }
	batch := db.NewBatch()
	defer batch.Close()
	for i := 0; i < d.n; i++ {
		if err := batch.Put(d.key(i), d.value(i)); err != nil {
			return fail(err)
		}
		if batch.Count() == loadBatchSize || i == d.n-1 {
			if err := db.Write(batch, nil); err != nil {
				return fail(err)
			}
			batch.Clear()
		}
	}
	for _, step := range []func() error{db.Flush, func() error { return db.CompactRange(nil, nil) },
		db.WaitCompactions} {
		if err := step(); err != nil {
			return fail(err)
		}
	}
	return db, nil
}

// loadPebble is loadStrata for Pebble, in dir/pebble.
func loadPebble(dir string, d *dataset, cache *pebble.Cache) (*pebble.DB, error) {
	db, err := pebble.Open(filepath.Join(dir, "pebble"), pebbleOptions(cache))
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*pebble.DB, error) { db.Close(); return nil, err }
	batch := db.NewBatch()
	for i := 0; i < d.n; i++ {
		if err := batch.Set(d.key(i), d.value(i), nil); err != nil {
			return fail(err)
		}
		if int(batch.Count()) == loadBatchSize || i == d.n-1 {
			if err := batch.Commit(pebble.NoSync); err != nil {
				return fail(err)
			}
			batch.Reset()
		}
	}
	batch.Close()
	if err := db.Flush(); err != nil {
		return fail(err)
	}
	// Compact's end is exclusive: 17 bytes of 0xFF sort after every 16-byte key.
	end := []byte("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff")
	if err := db.Compact(context.Background(), []byte{}, end, true); err != nil {
		return fail(err)
	}
	pebbleQuiesce(db)
	return db, nil
}

// pebbleQuiesce returns once Pebble has had no flush or compaction running
// for three looks in a row, 10 ms apart (Pebble has no call that waits for
// background work; a compaction may start right after a flush ends).
func pebbleQuiesce(db *pebble.DB) {
	for idle := 0; idle < 3; {
		m := db.Metrics()
		if m.Compact.NumInProgress == 0 && m.Flush.NumInProgress == 0 {
			idle++
		} else {
			idle = 0
		}
		time.Sleep(10 * time.Millisecond)
	}
}
