package strata

import (
	"runtime"
	"sync"
)

// SstWriter writes a table file outside any database, for DB.Ingest: a
// large sorted data set loaded without the write-ahead log or the memtable.
// Keys must be added in strictly increasing bytewise order; a key at or
// before the previous one gives an error matching ErrInvalidArgument, is not
// written, and the writer stays usable.
//
// An SstWriter is not safe for concurrent use. Close must be called (it is
// safe after Finish, and more than once); closing a writer that was not
// finished removes its partial file. A finalizer closes a forgotten writer
// only as a safety net.
type SstWriter struct {
	mu sync.Mutex
	h  sstWriterHandle
}

// NewSstWriter creates the file at path (unlinking, never truncating, one
// already there). opts may be nil;
// its table settings (BlockBytes, Compression, BloomBitsPerKey, ...) shape
// the table.
func NewSstWriter(path string, opts *Options) (*SstWriter, error) {
	var h sstWriterHandle
	err := withCOptions(opts, func(o optionsHandle) error {
		var err error
		h, err = cSstWriterNew(path, o)
		return err
	})
	if err != nil {
		return nil, err
	}
	w := &SstWriter{h: h}
	runtime.SetFinalizer(w, (*SstWriter).Close)
	return w, nil
}

func (w *SstWriter) handle(what string) (sstWriterHandle, error) {
	if w == nil || w.h == nil {
		return nil, closedError(what)
	}
	return w.h, nil
}

// Put adds key with value. The slices may be modified once Put returns.
func (w *SstWriter) Put(key, value []byte) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	h, err := w.handle("SstWriter.Put")
	if err != nil {
		return err
	}
	return cSstWriterPut(h, key, value)
}

// Delete adds a tombstone for key: once ingested, it hides older versions.
func (w *SstWriter) Delete(key []byte) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	h, err := w.handle("SstWriter.Delete")
	if err != nil {
		return err
	}
	return cSstWriterDelete(h, key)
}

// Finish completes and syncs the file; after it only Close is allowed. An
// error matching ErrInvalidArgument when nothing was added.
func (w *SstWriter) Finish() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	h, err := w.handle("SstWriter.Finish")
	if err != nil {
		return err
	}
	return cSstWriterFinish(h)
}

// Close frees the writer, removing its file if it was not finished.
func (w *SstWriter) Close() error {
	if w == nil {
		return nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.h != nil {
		cSstWriterFree(w.h)
		w.h = nil
		runtime.SetFinalizer(w, nil)
	}
	return nil
}

// Ingest adds the files finished by SstWriters to the database atomically,
// newer than every write before the call, each at the deepest level none of
// whose tables overlaps it. With move the files are moved into the database
// (their names removed); otherwise they are copied. Files that overlap each
// other, are not finished or are damaged are refused as a whole (nothing
// changes).
func (d *DB) Ingest(paths []string, move bool) error {
	h, err := d.handle("DB.Ingest")
	if err != nil {
		return err
	}
	return d.done("DB.Ingest", cIngest(h, paths, move))
}
