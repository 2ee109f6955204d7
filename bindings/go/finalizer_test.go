package strata

import (
	"runtime"
	"testing"
	"time"
)

// reopenAfterGC collects garbage until dir can be opened again (finalizers
// run on their own goroutine, some time after a collection), or fails.
func reopenAfterGC(t *testing.T, dir string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		runtime.GC()
		db, err := Open(dir, nil)
		if err == nil {
			db.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("still not reopenable after collections: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A DB dropped without Close is closed by its finalizer, releasing the
// directory. (Only a safety net: Close is the way.)
func TestFinalizerClosesAForgottenDB(t *testing.T) {
	dir := t.TempDir()
	func() {
		db, err := Open(dir, nil)
		if err != nil {
			t.Fatal(err)
		}
		mustPut(t, db, "k", "v")
	}()
	reopenAfterGC(t, dir)
}

// Iterators, snapshots and batches dropped without Close are freed by their
// finalizers, in whatever order they run, so the engine they hold shuts down.
func TestFinalizersFreeForgottenHandles(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	mustPut(t, db, "k", "v")
	func() {
		it, _ := db.NewIter(nil)
		it.First()
		snap, _ := db.NewSnapshot()
		snap.Get([]byte("k"))
		b := db.NewBatch()
		b.Put([]byte("x"), nil)
	}()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	reopenAfterGC(t, dir)
}
