package strata

import (
	"encoding/binary"
	"runtime"
	"sync"
)

// IterOptions choose what an Iterator walks. A nil *IterOptions walks every
// key of the latest state.
type IterOptions struct {
	// LowerBound is the first key the iterator may visit (inclusive); nil
	// means from the first key.
	LowerBound []byte
	// UpperBound is the key the iterator stops before (exclusive); nil means
	// to the last key. A non-nil empty UpperBound is the empty key, so the
	// range is empty.
	UpperBound []byte
	// Prefix, when non-nil, restricts the iterator to keys that begin with
	// it (strata computes the bounds, prefixes ending in 0xFF included). It
	// cannot be combined with LowerBound or UpperBound.
	Prefix []byte
	// Snapshot, when non-nil, makes the iterator read as of that snapshot.
	// Without one it reads the database as it is when NewIter returns.
	Snapshot *Snapshot
}

// Iterator is a cursor over an ordered range of keys, reading the database as
// it was when the iterator was created (or as of its snapshot). It is at an
// entry (Valid is true), before the first entry, or after the last. A new
// iterator is before the first, so Next moves to the first entry, as does
// First; from after the last, Prev moves to the last entry.
//
//	it, err := db.NewIter(&strata.IterOptions{Prefix: []byte("user/")})
//	if err != nil { ... }
//	defer it.Close()
//	for ok := it.First(); ok; ok = it.Next() {
//		use(it.Key(), it.Value())
//	}
//	if err := it.Error(); err != nil { ... }
//
// Every move returns whether the iterator is now at an entry; false means it
// moved off the range, or failed, which Error tells apart. After a failure
// every move fails the same way.
//
// Key and Value return slices that the iterator reuses: they are valid until
// the next move or Close, and must not be modified. Keep a copy (KeyCopy,
// ValueCopy, or bytes.Clone) to hold on to one.
//
// Every move is one crossing into C, except that a long run of Next calls
// reads ahead: after 8 single steps since the last other move, Next takes
// the next entries in one crossing (one kv_iter_next_batch) and copies them
// into a buffer that the following Next calls are served from,
// 2 entries at first, twice as many at each refill, up to 64 entries or
// 32 KiB. A scan thus pays one crossing per 64 entries, while a seek
// followed by a few steps makes strata read nothing it does not use (each
// entry read ahead costs strata a step, which is dearer than a crossing).
// Every other move (First, Last, Prev, the seeks) drops what was read
// ahead. Read-ahead changes no result: the iterator reads one consistent
// state either way. An error met while reading ahead is reported when Next
// reaches the entry it stopped at; a Prev before that reports it at once.
//
// An Iterator is not safe for concurrent use: one goroutine at a time. It
// must be closed. Closing its DB closes it too (a move in progress finishes
// first): the next move returns false and Error an error matching
// ErrClosed; Close then returns that error, or nil if there was no move. A
// finalizer frees a forgotten one, but only as a safety net.
type Iterator struct {
	db     *DB
	st     *iterState
	closed bool // Close was called

	at    cursorEntry // the current entry: borrowed C memory, or a view of ahead
	valid bool
	err   error

	// Copies of a borrowed at.key and at.value, made on demand and reused
	// across moves. Entries served from ahead are Go memory already.
	key, value             []byte
	keyCopied, valueCopied bool
	atAhead                bool // at is a view of ahead

	// Read-ahead of forward steps (see the type's doc). While entries are
	// buffered or a tail is set, strata's cursor is past the current entry.
	ahead     []byte      // entries copied by C: key length, value length, key, value
	aheadOff  int         // where the next unread entry starts
	aheadLeft int         // unread entries in ahead
	tail      cursorEntry // what follows them, when tailSet: an entry too big to copy, the end, or an error
	tailSet   bool
	steps     int // Next calls since the last other move, up to singleSteps
	stride    int // entries the next refill asks for
}

// Read-ahead limits: single steps before it starts, entries per crossing,
// and the buffer's size (an entry bigger than what is left of it is handed
// over uncopied, as after Prev).
const (
	singleSteps       = 8
	minReadAhead      = 2
	maxReadAhead      = 64
	maxReadAheadBytes = 32 << 10
	minReadAheadBytes = 512
)

// iterState is the part of an Iterator its DB can reach (see
// DB.dependents): the C handle, freed by Iterator.Close, by DB.Close or by
// the finalizer, whichever comes first. Every use of h, and every read of
// the C memory a move lent out, holds mu, so DB.Close, which may run on
// another goroutine, frees h only between two moves. The lock is never
// contended but by a Close, and costs a few nanoseconds a move.
type iterState struct {
	mu sync.Mutex
	h  iterHandle // nil once freed; guarded by mu
}

func (st *iterState) free() {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.h != nil {
		cIterFree(st.h)
		st.h = nil
	}
}

func (st *iterState) closeWithDB() { st.free() }

// NewIter returns an iterator over the range opts describe (nil: all keys).
func (d *DB) NewIter(opts *IterOptions) (*Iterator, error) {
	return d.newIter("DB.NewIter", opts, nil)
}

// newIter makes an iterator; snap is used when opts names no snapshot.
func (d *DB) newIter(what string, opts *IterOptions, snap *Snapshot) (*Iterator, error) {
	var o IterOptions
	if opts != nil {
		o = *opts
	}
	if o.Snapshot != nil {
		if snap != nil && o.Snapshot != snap {
			return nil, newError(statusInvalidArgument,
				what+": IterOptions.Snapshot is another snapshot than the one iterated")
		}
		snap = o.Snapshot
	}
	if o.Prefix != nil && (o.LowerBound != nil || o.UpperBound != nil) {
		return nil, newError(statusInvalidArgument,
			what+": IterOptions.Prefix cannot be combined with LowerBound or UpperBound")
	}
	var sh snapshotHandle
	if snap != nil {
		if snap.db != d {
			return nil, newError(statusInvalidArgument,
				what+": the snapshot belongs to another DB")
		}
		var err error
		if sh, err = snap.acquire(what + ": snapshot"); err != nil {
			return nil, err
		}
		defer snap.release()
	}
	h, err := d.handle(what)
	if err != nil {
		return nil, err
	}
	var ih iterHandle
	if o.Prefix != nil {
		ih, err = cIterNewPrefix(h, sh, o.Prefix)
	} else {
		ih, err = cIterNew(h, sh, o.LowerBound, o.UpperBound)
	}
	if err = d.done(what, err); err != nil {
		return nil, err
	}
	st := &iterState{h: ih}
	if !d.adopt(st) { // Close began meanwhile
		cIterFree(ih)
		return nil, closedError(what)
	}
	it := &Iterator{db: d, st: st}
	runtime.SetFinalizer(it, (*Iterator).finalize)
	return it, nil
}

func (it *Iterator) finalize() {
	it.st.free()
	it.db.forget(it.st)
}

// lock takes the handle for a move and reports whether the iterator may
// move: not closed, by Close or with its DB (either sets ErrClosed), and
// not failed. When it returns true the caller must unlock.
func (it *Iterator) lock() bool {
	if it.closed {
		it.valid, it.err = false, closedError("Iterator")
		return false
	}
	// Failed for good, as kv.h describes. (strata itself lets a cursor go on
	// after a seek whose target it rejected; the binding keeps the simpler
	// rule, so Error always explains the last false.)
	if it.err != nil {
		return false
	}
	return it.lockOpen()
}

func (it *Iterator) unlock() { it.st.mu.Unlock() }

// lockOpen takes the lock over the C handle and reports true; or, when
// DB.Close has freed the handle already, releases it, marks the iterator
// closed and reports false.
func (it *Iterator) lockOpen() bool {
	it.st.mu.Lock()
	if it.st.h == nil {
		it.st.mu.Unlock()
		it.closedWithDB()
		return false
	}
	return true
}

// closedWithDB records that DB.Close closed the iterator: it is off any
// entry, and Error says why.
func (it *Iterator) closedWithDB() {
	it.valid, it.err = false, closedError("Iterator: its DB")
	it.at, it.aheadLeft, it.tail, it.tailSet = cursorEntry{}, 0, cursorEntry{}, false
}

// borrow reports whether the current entry's memory may be read, and makes
// it safe until unborrow: when the entry is strata's memory (not read
// ahead, which is Go memory), it takes the lock, so DB.Close cannot free
// it meanwhile. false, with the iterator marked closed and nothing to
// unborrow, when DB.Close has freed it already. (No closure is returned:
// one would cost an allocation on every Key and Value.)
func (it *Iterator) borrow() bool {
	if it.atAhead {
		return true
	}
	return it.lockOpen()
}

func (it *Iterator) unborrow() {
	if !it.atAhead {
		it.st.mu.Unlock()
	}
}

// move performs one cursor move other than a read-ahead Next and records
// where it landed.
func (it *Iterator) move(m iterMove, target []byte) bool {
	if !it.lock() {
		return false
	}
	defer it.unlock()
	if it.aheadLeft > 0 || it.tailSet {
		// strata's cursor is past the current entry. Only Prev, the one
		// relative move that comes here, cares: the entry before this one
		// is the last key below it.
		if m == movePrev {
			m, target = moveSeekLT, it.at.key
		}
		it.aheadLeft, it.tail, it.tailSet = 0, cursorEntry{}, false
	}
	it.steps = 0
	e := cIterMove(it.st.h, m, target)
	it.land(e, false)
	return it.valid
}

// land makes e the current entry (or end, or failure).
func (it *Iterator) land(e cursorEntry, fromAhead bool) {
	it.at, it.atAhead, it.keyCopied, it.valueCopied = e, fromAhead, false, false
	it.valid = !e.end && e.err == nil
	if e.err != nil {
		it.err = e.err
	}
}

// next is Next: the next buffered entry, refilling the buffer first when
// it is used up.
func (it *Iterator) next() bool {
	if !it.lock() {
		return false
	}
	defer it.unlock()
	if it.aheadLeft == 0 && !it.tailSet {
		if it.steps < singleSteps {
			it.steps++
			it.stride = minReadAhead
			e := cIterMove(it.st.h, moveNext, nil)
			it.land(e, false)
			return it.valid
		}
		it.refill()
	}
	if it.aheadLeft > 0 {
		b := it.ahead[it.aheadOff:]
		kl := int(binary.NativeEndian.Uint32(b[0:4]))
		vl := int(binary.NativeEndian.Uint32(b[4:8]))
		k := b[fillEntryHeader : fillEntryHeader+kl : fillEntryHeader+kl]
		v := b[fillEntryHeader+kl : fillEntryHeader+kl+vl : fillEntryHeader+kl+vl]
		it.aheadOff += fillEntryHeader + kl + vl
		it.aheadLeft--
		it.land(cursorEntry{key: k, value: v}, true)
		return true
	}
	e := it.tail
	it.tail, it.tailSet = cursorEntry{}, false
	it.land(e, false)
	return it.valid
}

// refill reads the next stride entries ahead in one crossing.
func (it *Iterator) refill() {
	want := it.stride
	size := min(max(want*minReadAheadBytes, minReadAheadBytes), maxReadAheadBytes)
	if len(it.ahead) < size {
		it.ahead = make([]byte, size)
	}
	r := cIterFill(it.st.h, it.ahead[:size], want)
	it.aheadOff, it.aheadLeft = 0, r.n
	it.tail, it.tailSet = r.tail, r.pending || r.tail.end || r.tail.err != nil
	it.stride = min(want*2, maxReadAhead)
}

// First moves to the first entry of the range.
func (it *Iterator) First() bool { return it.move(moveFirst, nil) }

// Last moves to the last entry of the range.
func (it *Iterator) Last() bool { return it.move(moveLast, nil) }

// Next moves one entry forward (from before the first: to the first),
// reading ahead as the type's doc describes.
func (it *Iterator) Next() bool { return it.next() }

// Prev moves one entry backward (from after the last: to the last).
func (it *Iterator) Prev() bool { return it.move(movePrev, nil) }

// SeekGE moves to the first key >= key. A key outside the range is clamped
// to it.
func (it *Iterator) SeekGE(key []byte) bool { return it.move(moveSeekGE, key) }

// SeekLT moves to the last key < key.
func (it *Iterator) SeekLT(key []byte) bool { return it.move(moveSeekLT, key) }

// SeekLE moves to the last key <= key (RocksDB's SeekForPrev).
func (it *Iterator) SeekLE(key []byte) bool { return it.move(moveSeekLE, key) }

// Valid reports whether the iterator is at an entry.
func (it *Iterator) Valid() bool { return it.valid }

// Key returns the current key, or nil when not Valid (the empty key is a
// non-nil empty slice). The slice is valid until the next move or Close.
func (it *Iterator) Key() []byte {
	if !it.valid {
		return nil
	}
	if it.atAhead {
		return it.at.key
	}
	if !it.keyCopied {
		if !it.borrow() {
			return nil
		}
		defer it.unborrow()
		if it.key == nil {
			it.key = make([]byte, 0, len(it.at.key))
		}
		it.key = append(it.key[:0], it.at.key...)
		it.keyCopied = true
	}
	return it.key
}

// Value returns the current value, or nil when not Valid (an empty value is
// a non-nil empty slice). The slice is valid until the next move or Close.
func (it *Iterator) Value() []byte {
	if !it.valid {
		return nil
	}
	if it.atAhead {
		return it.at.value
	}
	if !it.valueCopied {
		if !it.borrow() {
			return nil
		}
		defer it.unborrow()
		if it.value == nil {
			it.value = make([]byte, 0, len(it.at.value))
		}
		it.value = append(it.value[:0], it.at.value...)
		it.valueCopied = true
	}
	return it.value
}

// KeyCopy returns a copy of the current key that the caller owns, or nil.
func (it *Iterator) KeyCopy() []byte {
	if !it.valid {
		return nil
	}
	if !it.borrow() {
		return nil
	}
	defer it.unborrow()
	return append(make([]byte, 0, len(it.at.key)), it.at.key...)
}

// ValueCopy returns a copy of the current value that the caller owns, or nil.
func (it *Iterator) ValueCopy() []byte {
	if !it.valid {
		return nil
	}
	if !it.borrow() {
		return nil
	}
	defer it.unborrow()
	return append(make([]byte, 0, len(it.at.value)), it.at.value...)
}

// Error returns the error that stopped the iterator, if any: a read failure
// such as one matching ErrCorruption, or ErrClosed after Close. Moving off
// the end of the range is not an error.
func (it *Iterator) Error() error { return it.err }

// Close frees the iterator and returns Error's result (nil if it never
// failed, also when its DB closed it first and it was not moved since).
// Closing twice returns an error matching ErrClosed.
func (it *Iterator) Close() error {
	if it.closed {
		return closedError("Iterator.Close")
	}
	it.closed = true
	runtime.SetFinalizer(it, nil)
	it.st.free()
	it.db.forget(it.st)
	it.valid, it.at = false, cursorEntry{}
	it.ahead, it.aheadLeft, it.tail, it.tailSet = nil, 0, cursorEntry{}, false
	return it.err
}
