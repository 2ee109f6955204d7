package strata

import (
	"runtime"
	"sync"
)

// Snapshot pins the database as it was when NewSnapshot returned: reads
// through it see exactly the writes acknowledged before that moment, however
// the database changes afterwards.
//
// A Snapshot is safe for concurrent use by many goroutines, except Close,
// which must come after every other use has returned. Close it when done:
// while it lives, compaction keeps every version it may read, so space taken
// by overwritten data is not reclaimed. Closing its DB closes it too; reads
// through it then fail with ErrClosed, and its own Close returns nil. A
// finalizer frees a forgotten one, but only as a safety net.
type Snapshot struct {
	db     *DB
	st     *snapState
	closed bool // Close was called
}

// snapState is the part of a Snapshot its DB can reach (see DB.dependents):
// the C handle, freed by Snapshot.Close, by DB.Close or by the finalizer,
// whichever comes first. Reads hold mu shared while they use h, so DB.Close
// frees it only between reads.
type snapState struct {
	mu   sync.RWMutex
	h    snapshotHandle // nil once freed; guarded by mu
	byDB bool           // guarded by mu: DB.Close freed h
}

func (st *snapState) free() (byDB bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.h != nil {
		cSnapshotFree(st.h)
		st.h = nil
	}
	return st.byDB
}

func (st *snapState) closeWithDB() {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.h != nil {
		cSnapshotFree(st.h)
		st.h, st.byDB = nil, true
	}
}

// NewSnapshot pins the current state of the database.
func (d *DB) NewSnapshot() (*Snapshot, error) {
	h, err := d.handle("DB.NewSnapshot")
	if err != nil {
		return nil, err
	}
	sh, err := cSnapshotNew(h)
	if err = d.done("DB.NewSnapshot", err); err != nil {
		return nil, err
	}
	st := &snapState{h: sh}
	if !d.adopt(st) { // Close began meanwhile
		cSnapshotFree(sh)
		return nil, closedError("DB.NewSnapshot")
	}
	s := &Snapshot{db: d, st: st}
	runtime.SetFinalizer(s, (*Snapshot).finalize)
	return s, nil
}

func (s *Snapshot) finalize() {
	s.st.free()
	s.db.forget(s.st)
}

// acquire returns the C handle for a call named `what`, held until release,
// or ErrClosed.
func (s *Snapshot) acquire(what string) (snapshotHandle, error) {
	if s == nil {
		return nil, newError(statusInvalidArgument, what+": nil *Snapshot")
	}
	if s.closed {
		return nil, closedError(what)
	}
	s.st.mu.RLock()
	if s.st.h == nil {
		s.st.mu.RUnlock()
		return nil, closedError(what + ": its DB")
	}
	return s.st.h, nil
}

func (s *Snapshot) release() { s.st.mu.RUnlock() }

// Sequence returns the sequence number the snapshot reads at: writes with a
// higher sequence are invisible to it. 0 once closed.
func (s *Snapshot) Sequence() uint64 {
	h, err := s.acquire("Snapshot.Sequence")
	if err != nil {
		return 0
	}
	defer s.release()
	return cSnapshotSequence(h)
}

// Get returns a copy of the value key had at the snapshot, or an error
// matching ErrNotFound.
func (s *Snapshot) Get(key []byte) ([]byte, error) {
	h, err := s.acquire("Snapshot.Get")
	if err != nil {
		return nil, err
	}
	defer s.release()
	return s.db.get("Snapshot.Get", h, key)
}

// MultiGet is DB.MultiGet as of the snapshot.
func (s *Snapshot) MultiGet(keys [][]byte) ([][]byte, error) {
	h, err := s.acquire("Snapshot.MultiGet")
	if err != nil {
		return nil, err
	}
	defer s.release()
	return s.db.multiGet("Snapshot.MultiGet", h, keys)
}

// NewIter returns an iterator reading as of the snapshot. opts.Snapshot must
// be nil or s.
func (s *Snapshot) NewIter(opts *IterOptions) (*Iterator, error) {
	if _, err := s.acquire("Snapshot.NewIter"); err != nil {
		return nil, err
	}
	s.release()
	return s.db.newIter("Snapshot.NewIter", opts, s)
}

// Close releases the snapshot. After DB.Close has closed it, Close returns
// nil; closing twice returns an error matching ErrClosed.
func (s *Snapshot) Close() error {
	if s.closed {
		return closedError("Snapshot.Close")
	}
	s.closed = true
	runtime.SetFinalizer(s, nil)
	s.st.free()
	s.db.forget(s.st)
	return nil
}
