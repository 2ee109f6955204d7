package stratabench

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2"
	strata "github.com/strata-kv/strata/bindings/go"
)

// The benchmarks share one preloaded database per engine per process,
// loaded the first time a benchmark of that engine runs (its load is not
// timed) and removed by TestMain at the end. Environment:
//
//	STRATA_GOBENCH_KEYS  preloaded keys (default 1000000)
//	STRATA_GOBENCH_DIR   where the databases go (default: a new directory
//	                     under $TMPDIR, removed at the end)

var (
	benchKeys = 1_000_000
	benchDir  string // the databases' parent directory
	ownDir    bool   // benchDir was made here, so it is removed at the end

	dataOnce sync.Once
	data     *dataset

	strataOnce   sync.Once
	strataShared *strataEngine
	strataErr    error

	strataBufferedOnce   sync.Once
	strataBufferedShared *strataEngine
	strataBufferedErr    error

	pebbleOnce   sync.Once
	pebbleShared *pebbleEngine
	pebbleErr    error
)

// strataEngine is the shared strata database and the stream of fresh keys
// the put benchmarks continue across runs.
type strataEngine struct {
	db   *strata.DB
	puts *keyStream
}

type pebbleEngine struct {
	db    *pebble.DB
	cache *pebble.Cache
	puts  *keyStream
}

func TestMain(m *testing.M) {
	if s := os.Getenv("STRATA_GOBENCH_KEYS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1000 {
			fmt.Fprintf(os.Stderr, "STRATA_GOBENCH_KEYS=%q: want a whole number of at least 1000\n", s)
			os.Exit(2)
		}
		benchKeys = n
	}
	benchDir = os.Getenv("STRATA_GOBENCH_DIR")
	if benchDir == "" {
		dir, err := os.MkdirTemp("", "strata-gobench-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		benchDir, ownDir = dir, true
	}
	// Configuration lines in the benchfmt format, ahead of every result
	// (bench/bindings/go.sh adds Pebble's and Go's versions, which a test
	// binary cannot see).
	fmt.Printf("strata: %s\n", strata.Version())
	fmt.Printf("keys: %d\nkey-bytes: %d\nvalue-bytes: %d\n", benchKeys, keyBytes, valueBytes)

	code := m.Run()

	if strataShared != nil {
		if err := strataShared.db.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "closing strata:", err)
			code = 1
		}
	}
	if strataBufferedShared != nil {
		if err := strataBufferedShared.db.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "closing strata (buffered WAL):", err)
			code = 1
		}
	}
	if pebbleShared != nil {
		if err := pebbleShared.db.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "closing pebble:", err)
			code = 1
		}
		pebbleShared.cache.Unref()
	}
	if ownDir {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

func sharedData() *dataset {
	dataOnce.Do(func() { data = newDataset(benchKeys) })
	return data
}

// sharedStrata returns the preloaded strata database, loading it on first
// use. Lines starting with "#" are not benchfmt results, so the load time
// can be printed between them.
func sharedStrata(b *testing.B) *strataEngine {
	b.Helper()
	strataOnce.Do(func() {
		start := time.Now()
		db, err := loadStrata(benchDir, sharedData())
		if err != nil {
			strataErr = fmt.Errorf("loading strata: %w", err)
			return
		}
		fmt.Printf("# strata: loaded %d keys, flushed and compacted in %.1fs\n", benchKeys,
			time.Since(start).Seconds())
		strataShared = &strataEngine{db: db, puts: newKeyStream(seedPut)}
	})
	if strataErr != nil {
		b.Fatal(strataErr)
	}
	return strataShared
}

// sharedStrataBuffered is sharedStrata with the buffered WAL
// (strataBufferedOptions), a database of its own.
func sharedStrataBuffered(b *testing.B) *strataEngine {
	b.Helper()
	strataBufferedOnce.Do(func() {
		start := time.Now()
		db, err := loadStrataWith(filepath.Join(benchDir, "strata-walbuffer"), strataBufferedOptions(),
			sharedData())
		if err != nil {
			strataBufferedErr = fmt.Errorf("loading strata (buffered WAL): %w", err)
			return
		}
		fmt.Printf("# strata (buffered WAL): loaded %d keys, flushed and compacted in %.1fs\n",
			benchKeys, time.Since(start).Seconds())
		strataBufferedShared = &strataEngine{db: db, puts: newKeyStream(seedPut)}
	})
	if strataBufferedErr != nil {
		b.Fatal(strataBufferedErr)
	}
	return strataBufferedShared
}

func sharedPebble(b *testing.B) *pebbleEngine {
	b.Helper()
	pebbleOnce.Do(func() {
		start := time.Now()
		cache := pebble.NewCache(blockCacheBytes)
		db, err := loadPebble(benchDir, sharedData(), cache)
		if err != nil {
			cache.Unref()
			pebbleErr = fmt.Errorf("loading pebble: %w", err)
			return
		}
		fmt.Printf("# pebble: loaded %d keys, flushed and compacted in %.1fs\n", benchKeys,
			time.Since(start).Seconds())
		pebbleShared = &pebbleEngine{db: db, cache: cache, puts: newKeyStream(seedPut)}
	})
	if pebbleErr != nil {
		b.Fatal(pebbleErr)
	}
	return pebbleShared
}
