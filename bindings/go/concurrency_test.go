package strata

import (
	"errors"
	"fmt"
	"sync"
	"testing"
)

// Goroutines write and read one DB at once: each writer owns a key range and
// checks its own writes as it goes, readers scan and multi-get everything,
// and a snapshot taken mid-way must read as one consistent moment. Run
// under -race, this also checks the binding adds no data race of its own.
func TestConcurrentWritersAndReaders(t *testing.T) {
	db := openTemp(t, &Options{MemTableSize: 64 << 10})
	const writers, perWriter = 4, 1000
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	report := func(err error) {
		select {
		case errs <- err:
		default:
		}
	}
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			b := db.NewBatch()
			defer b.Close()
			for i := 0; i < perWriter; i++ {
				k := []byte(fmt.Sprintf("w%d/%05d", w, i))
				v := []byte(fmt.Sprintf("v%d", i))
				var err error
				if i%10 == 0 { // every tenth through a batch of two
					b.Clear()
					b.Put(k, v)
					b.Put([]byte(fmt.Sprintf("w%d/last", w)), v)
					err = db.Write(b, nil)
				} else {
					err = db.Put(k, v, nil)
				}
				if err != nil {
					report(err)
					return
				}
				got, err := db.Get(k)
				if err != nil || string(got) != string(v) {
					report(fmt.Errorf("writer %d read back %q, %v", w, got, err))
					return
				}
			}
		}(w)
	}
	stop := make(chan struct{})
	var readers sync.WaitGroup
	for r := 0; r < 3; r++ {
		readers.Add(1)
		go func(r int) {
			defer readers.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				switch r {
				case 0: // ordered scans: keys strictly ascending
					var prev []byte
					for kv, err := range db.All(nil, nil) {
						if err != nil {
							report(err)
							return
						}
						if prev != nil && string(kv.Key) <= string(prev) {
							report(fmt.Errorf("scan out of order: %q after %q", kv.Key, prev))
							return
						}
						prev = kv.Key
					}
				case 1: // multi-gets of keys that may or may not exist yet
					keys := [][]byte{[]byte("w0/00001"), []byte("w1/00100"), []byte("w3/last")}
					if _, err := db.MultiGet(keys); err != nil {
						report(err)
						return
					}
				case 2: // a snapshot reads the same twice, whatever is written meanwhile
					s, err := db.NewSnapshot()
					if err != nil {
						report(err)
						return
					}
					first := countAll(s)
					if second := countAll(s); first != second {
						report(fmt.Errorf("snapshot read %d then %d entries", first, second))
					}
					s.Close()
				}
			}
		}(r)
	}
	wg.Wait()
	close(stop)
	readers.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	n := countAll(db)
	if want := writers * (perWriter + 1); n != want {
		t.Fatalf("%d entries, want %d", n, want)
	}
}

func countAll(r interface {
	NewIter(*IterOptions) (*Iterator, error)
}) int {
	it, err := r.NewIter(nil)
	if err != nil {
		return -1
	}
	defer it.Close()
	n := 0
	for ok := it.First(); ok; ok = it.Next() {
		n++
	}
	return n
}

// Close while other goroutines are mid-call: each call either completes or
// fails with ErrClosed; nothing crashes and nothing else goes wrong.
func TestCloseWhileInUse(t *testing.T) {
	for round := 0; round < 5; round++ {
		db, err := Open(t.TempDir(), nil)
		if err != nil {
			t.Fatal(err)
		}
		var wg, busy sync.WaitGroup
		errs := make(chan error, 8)
		for g := 0; g < 4; g++ {
			wg.Add(1)
			busy.Add(1)
			go func(g int) {
				defer wg.Done()
				for i := 0; ; i++ {
					if i == 20 {
						busy.Done() // well under way: Close may come now
					}
					k := []byte(fmt.Sprintf("%d/%d", g, i))
					err := db.Put(k, k, nil)
					if err == nil {
						_, err = db.Get(k)
					}
					if err != nil {
						if i < 20 {
							busy.Done()
						}
						if !errors.Is(err, ErrClosed) {
							errs <- err
						}
						return
					}
				}
			}(g)
		}
		busy.Wait()
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("round %d: %v, want success or ErrClosed", round, err)
		}
	}
}

// Iterators and batches on many goroutines, one each, with the DB shared.
func TestIteratorPerGoroutine(t *testing.T) {
	db := fiveKeys(t)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				if n := countAll(db); n < 5 {
					t.Errorf("goroutine %d saw %d entries", g, n)
					return
				}
				if err := db.Put([]byte(fmt.Sprintf("g%d", g)), nil, nil); err != nil {
					t.Error(err)
					return
				}
			}
		}(g)
	}
	wg.Wait()
}
