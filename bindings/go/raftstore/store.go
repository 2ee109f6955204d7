// Package raftstore stores hashicorp/raft's log and stable state in a strata
// database: a Store is a raft.LogStore, a raft.StableStore and a
// raft.MonotonicLogStore, the three storage interfaces raft.NewRaft takes
// besides the snapshot store.
//
// # Keys
//
// One strata database holds both: log entries under the prefix "l" followed
// by the entry's index as 8 big-endian bytes (so the engine's key order is
// index order, and the first and last entries are the first and last keys of
// the prefix), and stable keys under the prefix "s" followed by raft's own
// key. The value of a log entry is its encoding (codec.go).
//
// # Durability
//
// Every write is synced (strata.Sync) before it returns: StoreLogs writes
// all its entries as one atomic batch, so after a crash either all of them
// are there or none is, and concurrent writers share one fsync through
// strata's group commit. Set and SetUint64 are synced the same way, since
// raft relies on the current term and vote surviving a crash.
//
// # Errors
//
// A missing log entry is raft.ErrLogNotFound and a missing stable key is
// ErrKeyNotFound, whose text is exactly "not found" because hashicorp/raft
// tells a missing key from a failure by that text. Every call on a closed
// Store returns an error matching ErrClosed (and strata.ErrClosed). An entry
// whose stored bytes cannot be decoded returns an error matching ErrCorrupt
// that names its index; a damaged database found by strata matches
// strata.ErrCorruption. Errors from strata keep their strata sentinel
// (errors.Is(err, strata.ErrIO) for a full disk, for instance).
//
// # Concurrency
//
// A Store is safe for concurrent use. Writes (StoreLogs, DeleteRange) are
// serialized by the Store, which keeps the first and last index in memory so
// FirstIndex and LastIndex cost no read; reads go straight to strata.
package raftstore

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"sync"

	"github.com/hashicorp/raft"
	strata "github.com/strata-kv/strata/bindings/go"
)

var (
	// ErrKeyNotFound is Get's and GetUint64's error for a key never set. Its
	// text is "not found", the text hashicorp/raft compares errors against.
	ErrKeyNotFound = errors.New("not found")
	// ErrClosed is returned by every call on a closed Store. Such an error
	// also matches strata.ErrClosed.
	ErrClosed = errors.New("raftstore: store is closed")
	// ErrCorrupt marks a log entry or stable value whose stored bytes are
	// not a valid encoding: the store is damaged.
	ErrCorrupt = errors.New("raftstore: corrupt entry")
)

// Key prefixes: one byte each, so the two spaces never interleave.
const (
	logPrefix    = 'l'
	stablePrefix = 's'
)

// Options configure Open.
type Options struct {
	// Strata is passed to strata.Open; nil means strata's defaults. Its Sync
	// field does not matter: the Store syncs each of its writes anyway.
	Strata *strata.Options
}

// Store is a raft.LogStore, raft.StableStore and raft.MonotonicLogStore on a
// strata database. Make one with Open (the Store owns the database) or New
// (the caller does). It is safe for concurrent use; Close it when done.
type Store struct {
	db   *strata.DB
	owns bool // Close closes db

	// mu serializes writes and guards the fields below. Readers of first and
	// last take it too; GetLog and Get do not.
	mu     sync.Mutex
	closed bool
	first  uint64 // index of the first entry, 0 when there is none
	last   uint64 // index of the last entry, 0 when there is none
}

// Interfaces the Store implements, checked at compile time.
var (
	_ raft.LogStore          = (*Store)(nil)
	_ raft.StableStore       = (*Store)(nil)
	_ raft.MonotonicLogStore = (*Store)(nil)
)

// Open opens (creating it if missing) the strata database at path and
// returns a Store over it that closes the database on Close.
func Open(path string, opts *Options) (*Store, error) {
	var so *strata.Options
	if opts != nil {
		so = opts.Strata
	}
	db, err := strata.Open(path, so)
	if err != nil {
		return nil, fmt.Errorf("raftstore: open %s: %w", path, err)
	}
	s, err := newStore(db, true)
	if err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// New returns a Store over db, an open strata database the caller keeps and
// closes after the Store. The database may hold other keys, outside the
// prefixes "l" and "s".
func New(db *strata.DB) (*Store, error) {
	return newStore(db, false)
}

func newStore(db *strata.DB, owns bool) (*Store, error) {
	s := &Store{db: db, owns: owns}
	var err error
	if s.first, err = s.seekFirst(0); err != nil {
		return nil, err
	}
	if s.last, err = s.seekLast(^uint64(0)); err != nil {
		return nil, err
	}
	return s, nil
}

// DB returns the strata database under the Store.
func (s *Store) DB() *strata.DB { return s.db }

// Close makes every later call fail with ErrClosed and, for a Store made by
// Open, closes the database. Closing twice returns ErrClosed.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return closedErr("Close")
	}
	s.closed = true
	if s.owns {
		if err := s.db.Close(); err != nil {
			return fmt.Errorf("raftstore: close: %w", err)
		}
	}
	return nil
}

// closedError matches both ErrClosed and strata.ErrClosed.
type closedError struct{ op string }

func (e *closedError) Error() string { return "raftstore: " + e.op + ": store is closed" }

func (e *closedError) Is(target error) bool {
	return target == ErrClosed || target == strata.ErrClosed
}

func closedErr(op string) error { return &closedError{op: op} }

// wrap names the operation on an error from strata; a closed database (the
// caller's, for a Store made by New) reads as a closed Store.
func (s *Store) wrap(op string, err error) error {
	if errors.Is(err, strata.ErrClosed) {
		return &closedError{op: op + " (" + err.Error() + ")"}
	}
	return fmt.Errorf("raftstore: %s: %w", op, err)
}

func (s *Store) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// logKey is the key of the entry at index: the log prefix, then the index
// big-endian.
func logKey(index uint64) []byte {
	k := make([]byte, 9)
	k[0] = logPrefix
	binary.BigEndian.PutUint64(k[1:], index)
	return k
}

func stableKey(key []byte) []byte {
	k := make([]byte, 0, 1+len(key))
	return append(append(k, stablePrefix), key...)
}

// logEnd is the key just past the log prefix.
var logEnd = []byte{logPrefix + 1}

// FirstIndex returns the index of the first entry, 0 when the log is empty.
func (s *Store) FirstIndex() (uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return 0, closedErr("FirstIndex")
	}
	return s.first, nil
}

// LastIndex returns the index of the last entry, 0 when the log is empty.
func (s *Store) LastIndex() (uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return 0, closedErr("LastIndex")
	}
	return s.last, nil
}

// seekFirst returns the index of the first entry at or after from, 0 if
// there is none. The iterator's lower bound starts it past any deleted
// entries before from, whose tombstones it would otherwise step over.
func (s *Store) seekFirst(from uint64) (uint64, error) {
	it, err := s.db.NewIter(&strata.IterOptions{LowerBound: logKey(from), UpperBound: logEnd})
	if err != nil {
		return 0, s.wrap("FirstIndex", err)
	}
	defer it.Close()
	if !it.First() {
		if err := it.Error(); err != nil {
			return 0, s.wrap("FirstIndex", err)
		}
		return 0, nil
	}
	return indexOf(it.Key())
}

// seekLast returns the index of the last entry at or before upTo, 0 if there
// is none.
func (s *Store) seekLast(upTo uint64) (uint64, error) {
	upper := logEnd
	if upTo != ^uint64(0) {
		upper = logKey(upTo + 1)
	}
	it, err := s.db.NewIter(&strata.IterOptions{LowerBound: []byte{logPrefix}, UpperBound: upper})
	if err != nil {
		return 0, s.wrap("LastIndex", err)
	}
	defer it.Close()
	if !it.Last() {
		if err := it.Error(); err != nil {
			return 0, s.wrap("LastIndex", err)
		}
		return 0, nil
	}
	return indexOf(it.Key())
}

func indexOf(key []byte) (uint64, error) {
	if len(key) != 9 || key[0] != logPrefix {
		return 0, fmt.Errorf("%w: log key %x is not the prefix and 8 bytes", ErrCorrupt, key)
	}
	return binary.BigEndian.Uint64(key[1:]), nil
}

// GetLog reads the entry at index into log; raft.ErrLogNotFound if there is
// none.
func (s *Store) GetLog(index uint64, log *raft.Log) error {
	if s.isClosed() {
		return closedErr("GetLog")
	}
	v, err := s.db.Get(logKey(index))
	if errors.Is(err, strata.ErrNotFound) {
		return raft.ErrLogNotFound
	}
	if err != nil {
		return s.wrap(fmt.Sprintf("GetLog(%d)", index), err)
	}
	if err := decodeLog(v, index, log); err != nil {
		return fmt.Errorf("raftstore: GetLog(%d): %w", index, err)
	}
	return nil
}

// StoreLog stores one entry; see StoreLogs.
func (s *Store) StoreLog(log *raft.Log) error {
	return s.StoreLogs([]*raft.Log{log})
}

// StoreLogs stores the entries as one atomic, synced write: when it returns
// nil all of them are durable, and after a crash either all or none are
// there. An entry at an index already stored replaces it.
func (s *Store) StoreLogs(logs []*raft.Log) error {
	if len(logs) == 0 {
		return nil
	}
	b := s.db.NewBatch()
	defer b.Close()
	var buf []byte
	lo, hi := logs[0].Index, logs[0].Index
	for _, l := range logs {
		buf = encodeLog(buf[:0], l)
		if err := b.Put(logKey(l.Index), buf); err != nil {
			return fmt.Errorf("raftstore: StoreLogs: entry %d: %w", l.Index, err)
		}
		lo, hi = min(lo, l.Index), max(hi, l.Index)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return closedErr("StoreLogs")
	}
	if err := s.db.Write(b, strata.Sync); err != nil {
		return s.wrap("StoreLogs", err)
	}
	if s.first == 0 || lo < s.first {
		s.first = lo
	}
	if hi > s.last {
		s.last = hi
	}
	return nil
}

// DeleteRange deletes the entries from min to max, both included.
func (s *Store) DeleteRange(min, max uint64) error {
	if min > max {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return closedErr("DeleteRange")
	}
	if s.first == 0 || max < s.first || min > s.last {
		return nil // nothing stored in the range
	}
	// Only the stored part of the range needs tombstones.
	lo, hi := maxU(min, s.first), minU(max, s.last)
	if err := s.deleteLogKeys(lo, hi); err != nil {
		return s.wrap(fmt.Sprintf("DeleteRange(%d, %d)", min, max), err)
	}
	var err error
	switch {
	case lo == s.first && hi == s.last:
		s.first, s.last = 0, 0
	case lo == s.first:
		s.first, err = s.seekFirst(hi + 1)
	case hi == s.last:
		s.last, err = s.seekLast(lo - 1)
	}
	return err
}

// deleteLogKeys deletes the log keys of indexes lo..hi (both included) in
// one synced write holding one range tombstone (kv_delete_range through a
// batch, so that it is synced like every other write of the store): its cost
// does not grow with the number of entries, and compaction reclaims their
// space later.
func (s *Store) deleteLogKeys(lo, hi uint64) error {
	end := logEnd
	if hi < math.MaxUint64 {
		end = logKey(hi + 1)
	}
	b := s.db.NewBatch()
	defer b.Close()
	if err := b.DeleteRange(logKey(lo), end); err != nil {
		return err
	}
	return s.db.Write(b, strata.Sync)
}

func minU(a, b uint64) uint64 {
	if a < b {
		return a
	}
	return b
}

func maxU(a, b uint64) uint64 {
	if a > b {
		return a
	}
	return b
}

// IsMonotonic reports true: after restoring a snapshot, raft then deletes
// the whole log instead of leaving a gap before the entries that follow.
// The store would handle a gap (the cached indexes follow any DeleteRange),
// but an empty log is the plainer state, and deleting the whole log costs
// one range tombstone.
func (s *Store) IsMonotonic() bool { return true }

// Set stores val under key, synced.
func (s *Store) Set(key, val []byte) error { return s.set("Set", key, val) }

func (s *Store) set(op string, key, val []byte) error {
	if s.isClosed() {
		return closedErr(op)
	}
	if err := s.db.Put(stableKey(key), val, strata.Sync); err != nil {
		return s.wrap(fmt.Sprintf("%s(%q)", op, key), err)
	}
	return nil
}

// Get returns the value of key, or ErrKeyNotFound.
func (s *Store) Get(key []byte) ([]byte, error) { return s.get("Get", key) }

func (s *Store) get(op string, key []byte) ([]byte, error) {
	if s.isClosed() {
		return nil, closedErr(op)
	}
	v, err := s.db.Get(stableKey(key))
	if errors.Is(err, strata.ErrNotFound) {
		return nil, ErrKeyNotFound
	}
	if err != nil {
		return nil, s.wrap(fmt.Sprintf("%s(%q)", op, key), err)
	}
	return v, nil
}

// SetUint64 stores val under key as 8 big-endian bytes, synced.
func (s *Store) SetUint64(key []byte, val uint64) error {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], val)
	return s.set("SetUint64", key, b[:])
}

// GetUint64 returns the value SetUint64 stored under key, or ErrKeyNotFound.
func (s *Store) GetUint64(key []byte) (uint64, error) {
	v, err := s.get("GetUint64", key)
	if err != nil {
		return 0, err
	}
	if len(v) != 8 {
		return 0, fmt.Errorf("raftstore: GetUint64(%q): %w: value of %d bytes, not 8", key, ErrCorrupt, len(v))
	}
	return binary.BigEndian.Uint64(v), nil
}
