package strata

import (
	"bytes"
	"fmt"
	"runtime"
)

// Batch collects puts, deletes and range deletes that DB.Write (or Commit) applies
// atomically: all of them or none, as seen by readers and across crashes.
// Later operations on the same key win over earlier ones. A batch can be
// written many times, and reused after Clear.
//
// A Batch is not safe for concurrent use: one goroutine at a time. Its
// operations are copied as they are added, so the slices passed in may be
// reused as soon as each call returns. They are copied into a Go buffer
// first and handed to strata in bulk, 64 KiB at a time and in the crossing
// into C that writes the batch, so adding an operation costs no crossing
// (Put and Delete check in Go what strata would refuse, and refuse it at
// once). Close it when done (a finalizer frees a forgotten one, but only as
// a safety net).
type Batch struct {
	db *DB
	h  batchHandle

	pending    []byte // operations not yet handed to strata (appendBatchOp)
	pendingOps int
	handedOps  int   // operations in strata's batch
	sizeBound  int64 // at least the byte size strata gives the whole batch
}

const (
	// batchHandOverBytes is how much a batch buffers before handing its
	// operations to strata; an operation bigger than that goes straight in.
	batchHandOverBytes = 64 << 10
	// strata refuses a put that would take its batch past 2 GiB, counting
	// its encoding (core/write_batch.cc: a 12-byte header, then per
	// operation a tag and two varint32 lengths). sizeBound over-counts that
	// encoding, so while it stays under the limit strata cannot refuse;
	// near it, puts go to strata one by one and strata decides.
	batchMaxBytes        = 2 * int64(MaxValueLen)
	batchHeaderBound     = 64
	batchOpOverheadBound = 16
)

// NewBatch returns an empty batch for d. It panics only if strata cannot
// allocate it, as Go does when out of memory.
func (d *DB) NewBatch() *Batch {
	h, err := cBatchNew()
	if err != nil {
		panic(err)
	}
	b := &Batch{db: d, h: h, sizeBound: batchHeaderBound}
	runtime.SetFinalizer(b, (*Batch).finalize)
	return b
}

func (b *Batch) finalize() {
	if b.h != nil {
		cBatchFree(b.h)
		b.h = nil
	}
}

// Put adds "set key to value".
func (b *Batch) Put(key, value []byte) error {
	if b.h == nil {
		return closedError("Batch.Put")
	}
	if err := checkKeyLen("Batch.Put", key); err != nil {
		return err
	}
	if len(value) > MaxValueLen {
		return newError(statusInvalidArgument, fmt.Sprintf(
			"Batch.Put: value of %d bytes exceeds KV_MAX_VALUE_LEN (%d)", len(value), MaxValueLen))
	}
	return b.add(batchOpPut, key, value)
}

// Delete adds "remove key".
func (b *Batch) Delete(key []byte) error {
	if b.h == nil {
		return closedError("Batch.Delete")
	}
	if err := checkKeyLen("Batch.Delete", key); err != nil {
		return err
	}
	return b.add(batchOpDelete, key, nil)
}

// DeleteRange adds "remove every key in [start, end)" (see DB.DeleteRange),
// ordered with the batch's other operations. An empty or reversed range
// (start >= end) adds nothing.
func (b *Batch) DeleteRange(start, end []byte) error {
	if b.h == nil {
		return closedError("Batch.DeleteRange")
	}
	if err := checkKeyLen("Batch.DeleteRange", start); err != nil {
		return err
	}
	if err := checkKeyLen("Batch.DeleteRange", end); err != nil {
		return err
	}
	if bytes.Compare(start, end) >= 0 {
		return nil
	}
	return b.add(batchOpDeleteRange, start, end)
}

// checkKeyLen refuses a key strata would refuse, with strata's words.
func checkKeyLen(what string, key []byte) error {
	if len(key) > MaxKeyLen {
		return newError(statusInvalidArgument, fmt.Sprintf(
			"%s: key of %d bytes exceeds KV_MAX_KEY_LEN (%d)", what, len(key), MaxKeyLen))
	}
	return nil
}

// add buffers an operation, or hands it straight to strata when it is big
// or the batch is near strata's size limit.
func (b *Batch) add(kind byte, key, value []byte) error {
	bound := int64(len(key)+len(value)) + batchOpOverheadBound
	if len(key)+len(value) >= batchHandOverBytes || b.sizeBound+bound > batchMaxBytes {
		if err := b.handOver(); err != nil {
			return err
		}
		var err error
		switch kind {
		case batchOpPut:
			err = cBatchPut(b.h, key, value)
		case batchOpDelete:
			err = cBatchDelete(b.h, key)
		default:
			err = cBatchDeleteRange(b.h, key, value)
		}
		runtime.KeepAlive(b)
		if err != nil {
			return err
		}
		b.handedOps++
		b.sizeBound += bound
		return nil
	}
	b.pending = appendBatchOp(b.pending, kind, key, value)
	b.pendingOps++
	b.sizeBound += bound
	if len(b.pending) >= batchHandOverBytes {
		return b.handOver()
	}
	return nil
}

// handOver moves the buffered operations into strata's batch. It fails
// only if strata runs out of memory, which leaves the batch's contents
// unspecified (Clear it).
func (b *Batch) handOver() error {
	if b.pendingOps == 0 {
		return nil
	}
	err := cBatchAppend(b.h, b.pending)
	runtime.KeepAlive(b)
	b.handedOps += b.pendingOps
	b.pending, b.pendingOps = b.pending[:0], 0
	return err
}

// Clear empties the batch for reuse. It does nothing on a closed batch.
func (b *Batch) Clear() {
	if b.h == nil {
		return
	}
	if b.handedOps > 0 {
		cBatchClear(b.h)
		runtime.KeepAlive(b)
	}
	b.pending, b.pendingOps, b.handedOps, b.sizeBound = b.pending[:0], 0, 0, batchHeaderBound
}

// Count returns the number of operations in the batch (0 once closed).
func (b *Batch) Count() int {
	if b.h == nil {
		return 0
	}
	return b.handedOps + b.pendingOps
}

// Commit writes the batch to the DB that made it; see DB.Write.
func (b *Batch) Commit(opts *WriteOptions) error {
	return b.db.Write(b, opts)
}

// Close frees the batch. Closing twice returns an error matching ErrClosed.
func (b *Batch) Close() error {
	if b.h == nil {
		return closedError("Batch.Close")
	}
	runtime.SetFinalizer(b, nil)
	cBatchFree(b.h)
	b.h, b.pending, b.pendingOps, b.handedOps = nil, nil, 0, 0
	return nil
}

// Write applies every operation of b atomically. opts may be nil (see
// WriteOptions). The batch is unchanged and may be written again.
func (d *DB) Write(b *Batch, opts *WriteOptions) error {
	h, err := d.handle("DB.Write")
	if err != nil {
		return err
	}
	if b == nil {
		return newError(statusInvalidArgument, "DB.Write: nil *Batch")
	}
	if b.h == nil {
		return closedError("DB.Write: batch")
	}
	// The buffered operations join strata's batch in the same crossing as
	// the write; from then on they are strata's, whatever the write's fate.
	err = cWrite(h, b.h, b.pending, opts.flags())
	runtime.KeepAlive(b)
	b.handedOps += b.pendingOps
	b.pending, b.pendingOps = b.pending[:0], 0
	return d.done("DB.Write", err)
}
