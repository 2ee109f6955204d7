package strata

import (
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
)

func mustBegin(t testing.TB, db *DB) *Txn {
	t.Helper()
	txn, err := db.Begin()
	if err != nil {
		t.Fatalf("Begin: %v", err)
	}
	return txn
}

func TestTxnReadsOwnWritesAndItsSnapshot(t *testing.T) {
	db := openTemp(t, nil)
	mustPut(t, db, "a", "1")
	mustPut(t, db, "gone", "x")
	txn := mustBegin(t, db)
	defer txn.Discard()
	if v, err := txn.Get([]byte("a")); err != nil || string(v) != "1" {
		t.Fatalf("Get(a) = %q, %v", v, err)
	}
	if err := txn.Put([]byte("a"), []byte("2")); err != nil {
		t.Fatal(err)
	}
	if err := txn.Put([]byte("empty"), []byte{}); err != nil {
		t.Fatal(err)
	}
	if err := txn.Delete([]byte("gone")); err != nil {
		t.Fatal(err)
	}
	mustPut(t, db, "later", "v") // after Begin: invisible to txn
	peek := mustBegin(t, db)     // (a read of it would make txn conflict: a second txn looks)
	defer peek.Discard()
	if v, err := txn.Get([]byte("a")); err != nil || string(v) != "2" {
		t.Fatalf("own write: %q, %v", v, err)
	}
	if v, err := txn.Get([]byte("empty")); err != nil || v == nil || len(v) != 0 {
		t.Fatalf("empty value: %q (nil %v), %v", v, v == nil, err)
	}
	_, err := txn.Get([]byte("gone"))
	wantErr(t, "Get(gone)", err, ErrNotFound)
	if v, err := peek.Get([]byte("later")); err != nil || string(v) != "v" {
		t.Fatalf("a later txn misses the write: %q, %v", v, err)
	}
	mustGet(t, db, "a", "1") // not applied before Commit
	if err := txn.Commit(); err != nil {
		t.Fatal(err)
	}
	mustGet(t, db, "a", "2")
	// The snapshot: a transaction does not see what was written after it
	// began (and, having read it, conflicts).
	old := mustBegin(t, db)
	defer old.Discard()
	mustPut(t, db, "a", "3")
	if v, err := old.Get([]byte("a")); err != nil || string(v) != "2" {
		t.Fatalf("snapshot read: %q, %v", v, err)
	}
	_, err = old.Get([]byte("newer"))
	mustPut(t, db, "newer", "x")
	wantErr(t, "Get(newer)", err, ErrNotFound)
	wantErr(t, "Commit after reading changed keys", old.Commit(), ErrConflict)
	mustGet(t, db, "empty", "")
	mustBeAbsent(t, db, "gone")
}

func TestTxnConflictAppliesNothing(t *testing.T) {
	db := openTemp(t, nil)
	mustPut(t, db, "balance", "10")
	txn := mustBegin(t, db)
	defer txn.Discard()
	if _, err := txn.Get([]byte("balance")); err != nil {
		t.Fatal(err)
	}
	txn.Put([]byte("other"), []byte("x"))
	mustPut(t, db, "balance", "99")
	err := txn.Commit()
	wantErr(t, "Commit", err, ErrConflict)
	var e *Error
	if !errors.As(err, &e) || e.Code != -8 {
		t.Fatalf("Commit error %#v, want code -8", err)
	}
	mustBeAbsent(t, db, "other")
	mustGet(t, db, "balance", "99")
	// Finished: further calls are argument errors.
	wantErr(t, "Put after Commit", txn.Put([]byte("k"), nil), ErrInvalidArgument)
	wantErr(t, "Commit twice", txn.Commit(), ErrInvalidArgument)

	// A key only written, changed by someone else, conflicts too.
	blind := mustBegin(t, db)
	defer blind.Discard()
	blind.Put([]byte("w"), []byte("mine"))
	if err := db.Delete([]byte("w"), nil); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "blind Commit", blind.Commit(), ErrConflict)

	// Untouched keys do not.
	calm := mustBegin(t, db)
	defer calm.Discard()
	calm.Get([]byte("mine"))
	calm.Put([]byte("mine"), []byte("1"))
	mustPut(t, db, "min", "x")
	mustPut(t, db, "mine0", "x")
	if err := calm.Commit(); err != nil {
		t.Fatal(err)
	}
	mustGet(t, db, "mine", "1")
}

func TestTxnClosedWithItsDB(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	txn := mustBegin(t, db)
	txn.Put([]byte("k"), []byte("v"))
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "Commit after DB.Close", txn.Commit(), ErrClosed)
	txn.Discard()
	txn.Discard()
	again, err := Open(dir, nil) // the lock was released
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	mustBeAbsent(t, again, "k")
}

// Goroutines increment shared counters, retrying on ErrConflict: the sums
// come out exact, and the race really happened.
func TestTxnConcurrentIncrementsAreExact(t *testing.T) {
	db := openTemp(t, nil)
	const workers, increments, counters = 4, 200, 3
	for c := 0; c < counters; c++ {
		mustPut(t, db, fmt.Sprint("c", c), "0")
	}
	var mu sync.Mutex
	conflicts := 0
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < increments; i++ {
				keys := []string{fmt.Sprint("c", (w+i)%counters), fmt.Sprint("c", (w+i+1)%counters)}
				for {
					err := func() error {
						txn, err := db.Begin()
						if err != nil {
							return err
						}
						defer txn.Discard()
						for _, k := range keys {
							v, err := txn.Get([]byte(k))
							if err != nil {
								return err
							}
							n, _ := strconv.Atoi(string(v))
							if err := txn.Put([]byte(k), []byte(strconv.Itoa(n+1))); err != nil {
								return err
							}
						}
						return txn.Commit()
					}()
					if err == nil {
						break
					}
					if !errors.Is(err, ErrConflict) {
						errs <- err
						return
					}
					mu.Lock()
					conflicts++
					mu.Unlock()
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	total := 0
	for c := 0; c < counters; c++ {
		v, err := db.Get([]byte(fmt.Sprint("c", c)))
		if err != nil {
			t.Fatal(err)
		}
		n, _ := strconv.Atoi(string(v))
		total += n
	}
	if total != 2*workers*increments {
		t.Fatalf("counters sum to %d, want %d (%d conflicts retried)", total, 2*workers*increments, conflicts)
	}
	t.Logf("%d conflicts retried", conflicts)
}

func dirListing(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		info, err := os.Stat(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = fmt.Sprint(info.Size(), info.ModTime().UnixNano())
	}
	info, _ := os.Stat(dir)
	out["."] = fmt.Sprint(info.ModTime().UnixNano())
	return out
}

func TestReadOnlySharesExcludesWritersAndWritesNothing(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	mustPut(t, db, "k", "in the log")
	db.Close()
	before := dirListing(t, dir)
	ro := &Options{ReadOnly: true}
	a, err := Open(dir, ro)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Open(dir, ro)
	if err != nil {
		t.Fatal(err)
	}
	mustGet(t, a, "k", "in the log")
	mustGet(t, b, "k", "in the log")
	_, err = Open(dir, nil)
	wantErr(t, "writer beside readers", err, ErrBusy)
	wantErr(t, "Put", a.Put([]byte("x"), []byte("y"), nil), ErrNotSupported)
	wantErr(t, "Flush", a.Flush(), ErrNotSupported)
	wantErr(t, "CompactRange", a.CompactRange(nil, nil), ErrNotSupported)
	_, err = a.Begin()
	wantErr(t, "Begin", err, ErrNotSupported)
	// Another process shares the lock: this test binary, re-run as a helper.
	cmd := exec.Command(os.Args[0], "-test.run=^TestReadOnlyHelperProcess$")
	cmd.Env = append(os.Environ(), "STRATA_RO_HELPER_DIR="+dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("read-only open in another process: %v\n%s", err, out)
	}
	a.Close()
	b.Close()
	if after := dirListing(t, dir); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Fatalf("read-only handles changed the directory:\nbefore %v\nafter  %v", before, after)
	}
	w, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	_, err = Open(dir, ro)
	wantErr(t, "reader beside a writer", err, ErrBusy)
	_, err = Open(filepath.Join(dir, "missing"), ro)
	wantErr(t, "missing database", err, ErrInvalidArgument)
	if _, err := os.Stat(filepath.Join(dir, "missing")); !os.IsNotExist(err) {
		t.Fatalf("a read-only open created the missing directory: %v", err)
	}
}

// Not a test on its own: the second process of the test above.
func TestReadOnlyHelperProcess(t *testing.T) {
	dir := os.Getenv("STRATA_RO_HELPER_DIR")
	if dir == "" {
		t.Skip("run by TestReadOnlySharesExcludesWritersAndWritesNothing")
	}
	db, err := Open(dir, &Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	mustGet(t, db, "k", "in the log")
}

func TestApproximateSize(t *testing.T) {
	db := openTemp(t, nil)
	if n, err := db.ApproximateSize(nil, nil); err != nil || n != 0 {
		t.Fatalf("empty database: %d, %v", n, err)
	}
	value := make([]byte, 1000)
	rand.Read(value)
	for i := 0; i < 2000; i++ {
		if err := db.Put([]byte(fmt.Sprintf("k%05d", i)), value, nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Flush(); err != nil {
		t.Fatal(err)
	}
	all, err := db.ApproximateSize(nil, nil)
	if err != nil || all < 2000*1000 || all > 2000*1200 {
		t.Fatalf("everything: %d, %v", all, err)
	}
	half, err := db.ApproximateSize([]byte("k00000"), []byte("k01000"))
	if err != nil || half < all*4/10 || half > all*6/10 {
		t.Fatalf("half: %d of %d, %v", half, all, err)
	}
	if n, err := db.ApproximateSize([]byte("z"), nil); err != nil || n != 0 {
		t.Fatalf("past the end: %d, %v", n, err)
	}
	if n, err := db.ApproximateSize([]byte{}, []byte{}); err != nil || n != 0 {
		t.Fatalf("[empty key, empty key): %d, %v", n, err)
	}
}
