package strata

import (
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"testing"
)

// openWith opens a database in dir holding keys a, b and c, with the key
// as the value.
func openWith(t *testing.T, dir string) *DB {
	t.Helper()
	db, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"a", "b", "c"} {
		mustPut(t, db, k, k)
	}
	return db
}

// Closing a DB closes the iterators and snapshots still open on it, so the
// directory is released at once: the next Open succeeds (before, it
// returned ErrBusy until the last of them was closed).
func TestCloseReleasesTheDirectoryWithIteratorsAndSnapshotsOpen(t *testing.T) {
	dir := t.TempDir()
	db := openWith(t, dir)
	it1, _ := db.NewIter(nil)
	if !it1.First() { // one at an entry, borrowing strata's memory
		t.Fatal(it1.Error())
	}
	it2, _ := db.NewIter(&IterOptions{Prefix: []byte("b")}) // one never moved
	snap, _ := db.NewSnapshot()
	it3, _ := snap.NewIter(nil) // one reading through the snapshot
	for ok := it3.First(); ok; ok = it3.Next() {
	}
	if err := db.Close(); err != nil {
		t.Fatalf("Close with iterators and a snapshot open: %v", err)
	}
	db2, err := Open(dir, nil)
	if err != nil {
		t.Fatalf("Open after Close: %v (the iterators kept the directory locked)", err)
	}
	mustGet(t, db2, "c", "c")
	if err := db2.Close(); err != nil {
		t.Fatal(err)
	}

	// Every use afterwards is ErrClosed, and none touches freed memory.
	if it1.Key() != nil || it1.Value() != nil || it1.KeyCopy() != nil {
		t.Fatal("Key/Value of an iterator its DB closed should be nil")
	}
	wantErr(t, "Error after DB.Close", it1.Error(), ErrClosed)
	if it1.Next() || it1.First() || it1.SeekGE([]byte("a")) || it1.Valid() {
		t.Fatal("a move succeeded after DB.Close")
	}
	wantErr(t, "Iterator.Close after a failed move", it1.Close(), ErrClosed)
	wantErr(t, "second Iterator.Close", it1.Close(), ErrClosed)

	if err := it2.Close(); err != nil {
		t.Fatalf("Close of an unmoved iterator its DB closed: %v, want nil", err)
	}
	if it3.Prev() {
		t.Fatal("Prev after DB.Close")
	}
	wantErr(t, "Prev after DB.Close", it3.Error(), ErrClosed)
	it3.Close()

	_, err = snap.Get([]byte("a"))
	wantErr(t, "Snapshot.Get after DB.Close", err, ErrClosed)
	_, err = snap.MultiGet([][]byte{[]byte("a")})
	wantErr(t, "Snapshot.MultiGet after DB.Close", err, ErrClosed)
	_, err = snap.NewIter(nil)
	wantErr(t, "Snapshot.NewIter after DB.Close", err, ErrClosed)
	if snap.Sequence() != 0 {
		t.Fatal("Sequence of a closed snapshot should be 0")
	}
	for _, err := range snap.All(nil, nil) {
		wantErr(t, "Snapshot.All after DB.Close", err, ErrClosed)
	}
	if err := snap.Close(); err != nil {
		t.Fatalf("Snapshot.Close after DB.Close: %v, want nil", err)
	}
	wantErr(t, "second Snapshot.Close", snap.Close(), ErrClosed)
}

// The error names what happened, so a program that closed too early can
// tell from the message.
func TestClosedWithDBErrorSaysSo(t *testing.T) {
	db := openWith(t, t.TempDir())
	it, _ := db.NewIter(nil)
	defer it.Close()
	db.Close()
	it.First()
	var e *Error
	if !errors.As(it.Error(), &e) || e.Message != "Iterator: its DB: already closed" {
		t.Fatalf("error %v should say the iterator's DB was closed", it.Error())
	}
}

// A range loop whose DB is closed inside the loop ends with one ErrClosed.
func TestCloseInsideARangeLoop(t *testing.T) {
	dir := t.TempDir()
	db := openWith(t, dir)
	var got []string
	var errs []error
	for kv, err := range db.All(nil, nil) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		got = append(got, string(kv.Key))
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if !slices.Equal(got, []string{"a"}) || len(errs) != 1 || !errors.Is(errs[0], ErrClosed) {
		t.Fatalf("entries %v, errors %v; want [a] then one ErrClosed", got, errs)
	}
	db2, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	db2.Close()
}

// Iterators and snapshots closed by their own Close before the DB are
// forgotten by it (the DB keeps no reference to them), and closing the DB
// afterwards is unaffected.
func TestDependentsClosedFirst(t *testing.T) {
	db := openWith(t, t.TempDir())
	for i := 0; i < 100; i++ {
		it, _ := db.NewIter(nil)
		it.First()
		it.Close()
		s, _ := db.NewSnapshot()
		s.Close()
	}
	db.mu.Lock()
	n := len(db.dependents)
	db.mu.Unlock()
	if n != 0 {
		t.Fatalf("the DB still tracks %d closed iterators and snapshots", n)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

// Close racing with iterators and snapshots in use on other goroutines:
// each move either completes or fails with ErrClosed, reads through
// snapshots likewise, nothing crashes (the race detector watches), and the
// directory is free once Close returns.
func TestCloseWhileIteratorsAndSnapshotsAreInUse(t *testing.T) {
	for round := 0; round < 5; round++ {
		dir := t.TempDir()
		db, err := Open(dir, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 2000; i++ {
			k := []byte(fmt.Sprintf("k%05d", i))
			if err := db.Put(k, k, nil); err != nil {
				t.Fatal(err)
			}
		}
		var wg, started sync.WaitGroup
		errs := make(chan error, 16)
		report := func(what string, err error) {
			if err != nil && !errors.Is(err, ErrClosed) {
				errs <- fmt.Errorf("%s: %w", what, err)
			}
		}
		for g := 0; g < 3; g++ {
			wg.Add(2)
			started.Add(2)
			go func() { // an iterator, walked back and forth with reads of each entry
				defer wg.Done()
				it, err := db.NewIter(nil)
				started.Done()
				if err != nil {
					report("NewIter", err)
					return
				}
				defer it.Close()
				for pass := 0; ; pass++ {
					ok := it.First()
					for ; ok; ok = it.Next() {
						k, v := it.Key(), it.Value()
						if k != nil && v == nil {
							// Close came between the two reads: Value is nil
							// then, and only then, with ErrClosed to say why.
							if !errors.Is(it.Error(), ErrClosed) {
								errs <- fmt.Errorf("entry %q: nil value, error %v", k, it.Error())
							}
							return
						}
						if k != nil && string(k) != string(v) {
							errs <- fmt.Errorf("entry %q=%q", k, v)
							return
						}
					}
					if it.Error() != nil {
						report("iteration", it.Error())
						return
					}
					if !it.SeekLT([]byte("k01000")) {
						report("SeekLT", it.Error())
						return
					}
				}
			}()
			go func() { // a snapshot, read from and iterated
				defer wg.Done()
				snap, err := db.NewSnapshot()
				started.Done()
				if err != nil {
					report("NewSnapshot", err)
					return
				}
				defer snap.Close()
				for i := 0; ; i++ {
					if _, err := snap.Get([]byte(fmt.Sprintf("k%05d", i%2000))); err != nil {
						report("Snapshot.Get", err)
						return
					}
					for _, err := range snap.Prefix([]byte("k001")) {
						if err != nil {
							report("Snapshot.Prefix", err)
							return
						}
					}
				}
			}()
		}
		started.Wait()
		runtime.Gosched()
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		db2, err := Open(dir, nil)
		if err != nil {
			t.Fatalf("round %d: Open after Close: %v", round, err)
		}
		db2.Close()
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("round %d: %v, want success or ErrClosed", round, err)
		}
	}
}

// NewIter and NewSnapshot racing with Close never leave a handle behind
// that keeps the directory locked.
func TestNewIterRacingWithClose(t *testing.T) {
	for round := 0; round < 20; round++ {
		dir := t.TempDir()
		db := openWith(t, dir)
		var wg sync.WaitGroup
		for g := 0; g < 4; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					it, err := db.NewIter(nil)
					if err != nil {
						return
					}
					it.First()
					s, err := db.NewSnapshot()
					if err != nil {
						return
					}
					_ = s // left open on purpose: Close must take it
				}
			}()
		}
		runtime.Gosched()
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		wg.Wait()
		db2, err := Open(dir, nil)
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		db2.Close()
	}
}
