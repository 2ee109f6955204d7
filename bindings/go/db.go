package strata

import (
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
)

// DB is an open strata database: a directory holding an ordered map from
// byte-string keys to byte-string values.
//
// A DB is safe for concurrent use by many goroutines, Close included: calls
// that are running when Close is called finish first, and later calls return
// an error matching ErrClosed. Close it when done; a DB that becomes
// unreachable without Close is closed by a finalizer, but only as a safety
// net, at a time the garbage collector picks, while the directory stays
// locked against other openers until then. Closing a DB also closes the
// iterators and snapshots still open on it, so that Close releases the
// directory (see Close).
//
// Keys and values passed in are read during the call only and may be reused
// as soon as it returns. Values returned are the caller's own copies.
type DB struct {
	h      dbHandle
	path   string
	closed atomic.Bool

	// The iterators and snapshots open on this DB, which Close closes. They
	// are held by their inner state (iterState, snapState), never by the
	// *Iterator or *Snapshot the program holds, so that a forgotten one
	// still becomes unreachable and its finalizer still runs.
	mu         sync.Mutex
	dependents map[dependent]struct{} // guarded by mu
	shut       bool                   // guarded by mu: Close took the dependents; no new ones
}

// dependent is the part of an iterator or snapshot that its DB can reach:
// closeWithDB frees its C handle, after any call using it has returned.
type dependent interface {
	closeWithDB()
}

// adopt records a new iterator or snapshot, so that Close closes it. It
// returns false, having recorded nothing, once Close has begun: the caller
// then frees what it made and reports ErrClosed.
func (d *DB) adopt(dep dependent) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.shut {
		return false
	}
	if d.dependents == nil {
		d.dependents = make(map[dependent]struct{})
	}
	d.dependents[dep] = struct{}{}
	return true
}

// forget drops an iterator or snapshot that was closed on its own.
func (d *DB) forget(dep dependent) {
	d.mu.Lock()
	delete(d.dependents, dep)
	d.mu.Unlock()
}

// closeDependents closes every iterator and snapshot still open, and
// refuses new ones. Each close waits for a call in progress on that
// iterator or snapshot to return.
func (d *DB) closeDependents() {
	d.mu.Lock()
	d.shut = true
	deps := d.dependents
	d.dependents = nil
	d.mu.Unlock()
	for dep := range deps {
		dep.closeWithDB()
	}
}

// Open opens the database in directory path, creating it unless
// opts.ErrorIfNotExists is set. opts may be nil for strata's defaults.
//
// A database already open, by another DB in this process or by another
// process, gives an error matching ErrBusy. Bad options give one matching
// ErrInvalidArgument that names the option.
func Open(path string, opts *Options) (*DB, error) {
	var h dbHandle
	err := withCOptions(opts, func(o optionsHandle) error {
		var err error
		h, err = cOpen(path, o)
		return err
	})
	if err != nil {
		return nil, err
	}
	d := &DB{h: h, path: path}
	runtime.SetFinalizer(d, (*DB).finalize)
	return d, nil
}

// Path returns the directory the database was opened from.
func (d *DB) Path() string { return d.path }

// Close closes the database, and with it the iterators and snapshots still
// open on it (as plyvel does), so that when Close returns strata has shut
// the engine down and released the directory: the next Open of the path
// succeeds. Using such an iterator or snapshot afterwards fails with an
// error matching ErrClosed; closing it is still allowed, and returns nil.
//
// Calls in progress when Close is called, on the DB or on its iterators and
// snapshots, finish first; later ones return ErrClosed. Closing twice
// returns an error matching ErrClosed.
func (d *DB) Close() error {
	if !d.closed.CompareAndSwap(false, true) {
		return closedError("DB.Close")
	}
	runtime.SetFinalizer(d, nil)
	d.closeDependents()
	err := cClose(d.h)
	runtime.KeepAlive(d)
	return err
}

// finalize closes a DB that became unreachable unclosed. Its iterators and
// snapshots are unreachable too (each holds its DB), so closing them here
// only frees their handles before their own finalizers would.
func (d *DB) finalize() {
	if d.closed.CompareAndSwap(false, true) {
		d.closeDependents()
		_ = cClose(d.h)
	}
}

// handle returns the C handle for a call named `what`, or ErrClosed.
func (d *DB) handle(what string) (dbHandle, error) {
	if d == nil {
		return nil, newError(statusInvalidArgument, what+": nil *DB")
	}
	if d.closed.Load() {
		return nil, closedError(what)
	}
	return d.h, nil
}

// done finishes a call: it keeps d alive until the C call has returned (so
// the finalizer cannot close the handle under it), and reports a call that
// raced with Close, which strata rejects as an invalid argument, as ErrClosed.
func (d *DB) done(what string, err error) error {
	runtime.KeepAlive(d)
	if err != nil && d.closed.Load() {
		var e *Error
		if errors.As(err, &e) && e.Code == statusInvalidArgument {
			return closedError(what)
		}
	}
	return err
}

// Put sets key to value. opts may be nil (see WriteOptions). An empty value
// is a value, distinct from an absent key.
func (d *DB) Put(key, value []byte, opts *WriteOptions) error {
	h, err := d.handle("DB.Put")
	if err != nil {
		return err
	}
	return d.done("DB.Put", cPut(h, key, value, opts.flags()))
}

// Get returns a copy of the value of key, which the caller owns, or an error
// matching ErrNotFound if the key is absent. An empty value is a non-nil
// empty slice. It costs one crossing into C for values up to 4 KiB (two
// above); MultiGet pays one for many keys.
func (d *DB) Get(key []byte) ([]byte, error) {
	return d.get("DB.Get", nil, key)
}

func (d *DB) get(what string, snap snapshotHandle, key []byte) ([]byte, error) {
	h, err := d.handle(what)
	if err != nil {
		return nil, err
	}
	v, err := cGet(h, snap, key)
	return v, d.done(what, err)
}

// Delete removes key. Deleting an absent key is not an error. opts may be
// nil.
func (d *DB) Delete(key []byte, opts *WriteOptions) error {
	h, err := d.handle("DB.Delete")
	if err != nil {
		return err
	}
	return d.done("DB.Delete", cDelete(h, key, opts.flags()))
}

// DeleteRange removes every key in [start, end) with one range tombstone, in
// constant time whatever the number of keys (as RocksDB's and Pebble's
// DeleteRange). Snapshots and iterators made before it still see the keys;
// compaction reclaims their space. An empty or reversed range (start >= end)
// does nothing. It follows the database's Sync option.
func (d *DB) DeleteRange(start, end []byte) error {
	h, err := d.handle("DB.DeleteRange")
	if err != nil {
		return err
	}
	return d.done("DB.DeleteRange", cDeleteRange(h, start, end))
}

// MultiGet looks up many keys at once, as of one moment, in a single call
// into strata: the keys travel packed in one buffer and the values come back
// in one, so the per-call cost of cgo is paid once. values[i] is the value of
// keys[i]: nil if the key is absent, a non-nil slice (empty for an empty
// value) if present. The values share one allocation; each is capped so that
// appending to one never overwrites another. Keys may repeat and come in any
// order. If any lookup fails, MultiGet returns that error and no values.
func (d *DB) MultiGet(keys [][]byte) (values [][]byte, err error) {
	return d.multiGet("DB.MultiGet", nil, keys)
}

func (d *DB) multiGet(what string, snap snapshotHandle, keys [][]byte) ([][]byte, error) {
	h, err := d.handle(what)
	if err != nil {
		return nil, err
	}
	values, err := cMultiGet(h, snap, keys)
	return values, d.done(what, err)
}
