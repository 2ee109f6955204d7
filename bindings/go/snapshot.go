package strata

import "runtime"

// Snapshot pins the database as it was when NewSnapshot returned: reads
// through it see exactly the writes acknowledged before that moment, however
// the database changes afterwards.
//
// A Snapshot is safe for concurrent use by many goroutines, except Close,
// which must come after every other use has returned. Close it when done:
// while it lives, compaction keeps every version it may read, so space taken
// by overwritten data is not reclaimed. It may be closed after its DB is
// closed (reads through it then fail with ErrClosed). A finalizer frees a
// forgotten one, but only as a safety net.
type Snapshot struct {
	db *DB
	h  snapshotHandle
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
	s := &Snapshot{db: d, h: sh}
	runtime.SetFinalizer(s, (*Snapshot).finalize)
	return s, nil
}

func (s *Snapshot) finalize() {
	if s.h != nil {
		cSnapshotFree(s.h)
		s.h = nil
	}
}

// handle returns the C handle for a call named `what`, or ErrClosed.
func (s *Snapshot) handle(what string) (snapshotHandle, error) {
	if s == nil {
		return nil, newError(statusInvalidArgument, what+": nil *Snapshot")
	}
	if s.h == nil {
		return nil, closedError(what)
	}
	return s.h, nil
}

// Sequence returns the sequence number the snapshot reads at: writes with a
// higher sequence are invisible to it. 0 once closed.
func (s *Snapshot) Sequence() uint64 {
	if s.h == nil {
		return 0
	}
	seq := cSnapshotSequence(s.h)
	runtime.KeepAlive(s)
	return seq
}

// Get returns a copy of the value key had at the snapshot, or an error
// matching ErrNotFound.
func (s *Snapshot) Get(key []byte) ([]byte, error) {
	h, err := s.handle("Snapshot.Get")
	if err != nil {
		return nil, err
	}
	v, err := s.db.get("Snapshot.Get", h, key)
	runtime.KeepAlive(s)
	return v, err
}

// MultiGet is DB.MultiGet as of the snapshot.
func (s *Snapshot) MultiGet(keys [][]byte) ([][]byte, error) {
	h, err := s.handle("Snapshot.MultiGet")
	if err != nil {
		return nil, err
	}
	v, err := s.db.multiGet("Snapshot.MultiGet", h, keys)
	runtime.KeepAlive(s)
	return v, err
}

// NewIter returns an iterator reading as of the snapshot. opts.Snapshot must
// be nil or s.
func (s *Snapshot) NewIter(opts *IterOptions) (*Iterator, error) {
	if _, err := s.handle("Snapshot.NewIter"); err != nil {
		return nil, err
	}
	return s.db.newIter("Snapshot.NewIter", opts, s)
}

// Close releases the snapshot. Closing twice returns an error matching
// ErrClosed.
func (s *Snapshot) Close() error {
	if s.h == nil {
		return closedError("Snapshot.Close")
	}
	runtime.SetFinalizer(s, nil)
	cSnapshotFree(s.h)
	s.h = nil
	return nil
}
