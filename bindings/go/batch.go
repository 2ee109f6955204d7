package strata

import "runtime"

// Batch collects puts and deletes that DB.Write (or Commit) applies
// atomically: all of them or none, as seen by readers and across crashes.
// Later operations on the same key win over earlier ones. A batch can be
// written many times, and reused after Clear.
//
// A Batch is not safe for concurrent use: one goroutine at a time. Its
// operations are copied into strata's memory as they are added, so the
// slices passed in may be reused as soon as each call returns. Close it when
// done (a finalizer frees a forgotten one, but only as a safety net).
type Batch struct {
	db *DB
	h  batchHandle
}

// NewBatch returns an empty batch for d. It panics only if strata cannot
// allocate it, as Go does when out of memory.
func (d *DB) NewBatch() *Batch {
	h, err := cBatchNew()
	if err != nil {
		panic(err)
	}
	b := &Batch{db: d, h: h}
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
	err := cBatchPut(b.h, key, value)
	runtime.KeepAlive(b)
	return err
}

// Delete adds "remove key".
func (b *Batch) Delete(key []byte) error {
	if b.h == nil {
		return closedError("Batch.Delete")
	}
	err := cBatchDelete(b.h, key)
	runtime.KeepAlive(b)
	return err
}

// Clear empties the batch for reuse. It does nothing on a closed batch.
func (b *Batch) Clear() {
	if b.h != nil {
		cBatchClear(b.h)
		runtime.KeepAlive(b)
	}
}

// Count returns the number of operations in the batch (0 once closed).
func (b *Batch) Count() int {
	if b.h == nil {
		return 0
	}
	n := cBatchCount(b.h)
	runtime.KeepAlive(b)
	return n
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
	b.h = nil
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
	err = cWrite(h, b.h, opts.flags())
	runtime.KeepAlive(b)
	return d.done("DB.Write", err)
}
