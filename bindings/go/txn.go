package strata

import (
	"runtime"
	"sync"
)

// Txn is an optimistic transaction: Get reads the transaction's own writes,
// else the database as it was when Begin returned; Put and Delete are
// buffered, invisible to others; Commit applies them atomically, or, when a
// key the transaction read or wrote was written by anyone else since Begin,
// applies nothing and returns an error matching ErrConflict. Nothing is
// locked meanwhile: on a conflict, retry from Begin.
//
//	for {
//		txn, err := db.Begin()
//		if err != nil { return err }
//		v, err := txn.Get(key)
//		...
//		txn.Put(key, newValue)
//		err = txn.Commit()
//		txn.Discard()
//		if !errors.Is(err, strata.ErrConflict) { return err }
//	}
//
// A Txn is not safe for concurrent use: one goroutine at a time. Many
// transactions may run on one DB at once. After Commit (whatever its
// result) the transaction is finished: Get, Put, Delete and Commit return
// errors matching ErrInvalidArgument. Discard releases it and its snapshot;
// call it (deferred) in every case, also after Commit. Closing its DB
// discards it too; using it afterwards fails with ErrClosed. A finalizer
// discards a forgotten one, but only as a safety net.
type Txn struct {
	db        *DB
	st        *txnState
	discarded bool
}

// txnState is the part of a Txn its DB can reach (see DB.dependents): the C
// handle, freed by Discard, by DB.Close or by the finalizer, whichever comes
// first. Calls hold mu while they use h, so DB.Close frees it only between
// calls.
type txnState struct {
	mu   sync.Mutex
	h    txnHandle // nil once freed; guarded by mu
	byDB bool      // guarded by mu: DB.Close freed h
}

func (st *txnState) free() {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.h != nil {
		cTxnFree(st.h)
		st.h = nil
	}
}

func (st *txnState) closeWithDB() {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.h != nil {
		cTxnFree(st.h)
		st.h, st.byDB = nil, true
	}
}

// Begin starts an optimistic transaction reading the database as it is now.
// On a read-only DB it fails with ErrNotSupported.
func (d *DB) Begin() (*Txn, error) {
	h, err := d.handle("DB.Begin")
	if err != nil {
		return nil, err
	}
	th, err := cTxnBegin(h)
	if err = d.done("DB.Begin", err); err != nil {
		return nil, err
	}
	st := &txnState{h: th}
	if !d.adopt(st) { // Close began meanwhile
		cTxnFree(th)
		return nil, closedError("DB.Begin")
	}
	t := &Txn{db: d, st: st}
	runtime.SetFinalizer(t, (*Txn).finalize)
	return t, nil
}

func (t *Txn) finalize() {
	t.st.free()
	t.db.forget(t.st)
}

// call runs fn with the C handle, or returns ErrClosed.
func (t *Txn) call(what string, fn func(txnHandle) error) error {
	if t == nil {
		return newError(statusInvalidArgument, what+": nil *Txn")
	}
	if t.discarded {
		return closedError(what)
	}
	t.st.mu.Lock()
	defer t.st.mu.Unlock()
	if t.st.h == nil {
		return closedError(what + ": its DB")
	}
	err := fn(t.st.h)
	runtime.KeepAlive(t)
	return err
}

// Get returns a copy of key's value: the transaction's own latest write of
// it, else its value as of Begin; an error matching ErrNotFound when absent
// (or deleted by this transaction). The key is checked for conflicts at
// Commit.
func (t *Txn) Get(key []byte) ([]byte, error) {
	var value []byte
	err := t.call("Txn.Get", func(h txnHandle) error {
		var err error
		value, err = cTxnGet(h, key)
		return err
	})
	return value, err
}

// Put sets key to value when the transaction commits.
func (t *Txn) Put(key, value []byte) error {
	return t.call("Txn.Put", func(h txnHandle) error { return cTxnPut(h, key, value) })
}

// Delete deletes key when the transaction commits (an absent key is fine).
func (t *Txn) Delete(key []byte) error {
	return t.call("Txn.Delete", func(h txnHandle) error { return cTxnDelete(h, key) })
}

// Commit applies every write of the transaction atomically, or returns an
// error matching ErrConflict, having applied nothing, when a key it read or
// wrote was written by someone else since Begin. It finishes the
// transaction; Discard must still be called.
func (t *Txn) Commit() error {
	return t.call("Txn.Commit", cTxnCommit)
}

// Discard releases the transaction, dropping its writes if it was not
// committed. Calling it more than once, or after its DB was closed, is fine.
func (t *Txn) Discard() {
	if t == nil || t.discarded {
		return
	}
	t.discarded = true
	runtime.SetFinalizer(t, nil)
	t.st.free()
	t.db.forget(t.st)
}
