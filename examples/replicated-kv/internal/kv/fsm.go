package kv

import (
	"archive/tar"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/raft"
	strata "github.com/strata-kv/strata/bindings/go"
)

// Keys in the state machine's database: user data under dataPrefix, the
// service's own records under "m/": the index of the last applied log entry
// (written in the same batch as the entry's ops, so the two never disagree)
// and each node's HTTP address.
var (
	dataPrefix     = []byte("d")
	metaApplied    = []byte("m/applied")
	metaNodePrefix = []byte("m/node/")
)

// FSM is the replicated state machine: a strata database in dir/fsm that
// raft's committed commands are applied to, in log order.
//
// Snapshot makes a strata checkpoint (hard links, so it is quick and does
// not hold up Apply) and Persist streams it as a tar archive; Restore
// unpacks an archive beside the database, checks it opens, and swaps it in
// with two renames. A crash between the renames leaves fsm.old, which Open
// puts back (raft restores the latest snapshot at start anyway).
type FSM struct {
	dir    string
	logger hclog.Logger

	mu sync.RWMutex // held for reading by every use of db, for writing by the swap
	db *strata.DB

	applied atomic.Uint64 // index of the last command applied

	notifyMu sync.Mutex
	changed  chan struct{} // closed and replaced after each apply
	seq      atomic.Uint64 // names temporary checkpoint directories
}

// OpenFSM opens (or creates) the state machine under dir.
func OpenFSM(dir string, logger hclog.Logger) (*FSM, error) {
	f := &FSM{dir: dir, logger: logger, changed: make(chan struct{})}
	live, old := f.path("fsm"), f.path("fsm.old")
	if _, err := os.Stat(live); errors.Is(err, fs.ErrNotExist) {
		if _, err := os.Stat(old); err == nil {
			logger.Warn("state machine swap was interrupted; taking back the previous database")
			if err := os.Rename(old, live); err != nil {
				return nil, err
			}
		}
	}
	// Leftovers of interrupted snapshots and restores.
	for _, pattern := range []string{"fsm.old", "fsm.restore", "snap-*"} {
		matches, _ := filepath.Glob(f.path(pattern))
		for _, m := range matches {
			os.RemoveAll(m)
		}
	}
	db, err := strata.Open(live, nil)
	if err != nil {
		return nil, err
	}
	f.db = db
	if err := f.loadApplied(); err != nil {
		db.Close()
		return nil, err
	}
	return f, nil
}

func (f *FSM) path(name string) string { return filepath.Join(f.dir, name) }

func (f *FSM) loadApplied() error {
	v, err := f.db.Get(metaApplied)
	switch {
	case errors.Is(err, strata.ErrNotFound):
		f.applied.Store(0)
	case err != nil:
		return err
	case len(v) != 8:
		return fmt.Errorf("state machine: applied index of %d bytes", len(v))
	default:
		f.applied.Store(binary.BigEndian.Uint64(v))
	}
	return nil
}

// Close closes the database.
func (f *FSM) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.db.Close()
}

// Applied is the index of the last command applied.
func (f *FSM) Applied() uint64 { return f.applied.Load() }

// changedCh returns a channel that is closed after the next apply or
// restore.
func (f *FSM) changedCh() <-chan struct{} {
	f.notifyMu.Lock()
	defer f.notifyMu.Unlock()
	return f.changed
}

func (f *FSM) notify() {
	f.notifyMu.Lock()
	close(f.changed)
	f.changed = make(chan struct{})
	f.notifyMu.Unlock()
}

// applyResult is what Raft.Apply's future returns for a command.
type applyResult struct{ err error }

// Apply applies one committed command: its ops and the new applied index in
// one strata batch. It is not synced: after a crash raft restores the latest
// snapshot and replays the log after it, so the state machine never needs
// to be more durable than the log. A command that does not decode (which the
// leader never proposes) changes nothing on every node alike. A write that
// fails, a full disk for instance, cannot be skipped without the nodes
// diverging, so the process stops; on restart it replays from the log.
func (f *FSM) Apply(l *raft.Log) any {
	ops, decodeErr := decodeCommand(l.Data)
	if decodeErr == nil {
		for _, op := range ops {
			if !validDBKey(op.Key) {
				decodeErr = fmt.Errorf("%w: key %q outside the data and node spaces", errBadCommand, op.Key)
				break
			}
		}
	}
	f.mu.RLock()
	b := f.db.NewBatch()
	var err error
	if decodeErr == nil {
		for _, op := range ops {
			if op.Delete {
				err = b.Delete(op.Key)
			} else {
				err = b.Put(op.Key, op.Value)
			}
			if err != nil {
				break
			}
		}
	}
	if err == nil {
		var idx [8]byte
		binary.BigEndian.PutUint64(idx[:], l.Index)
		if err = b.Put(metaApplied, idx[:]); err == nil {
			err = f.db.Write(b, nil)
		}
	}
	b.Close()
	f.mu.RUnlock()
	if err != nil {
		f.logger.Error("state machine cannot apply a committed entry; stopping", "index", l.Index, "error", err)
		os.Exit(3)
	}
	f.applied.Store(l.Index)
	f.notify()
	return applyResult{err: decodeErr}
}

func validDBKey(k []byte) bool {
	return (len(k) > len(dataPrefix) && bytes.HasPrefix(k, dataPrefix)) ||
		(len(k) > len(metaNodePrefix) && bytes.HasPrefix(k, metaNodePrefix))
}

// Get reads a key of the database as it is now (no consistency of its own:
// the HTTP layer decides when that is linearizable).
func (f *FSM) Get(key []byte) ([]byte, error) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.db.Get(key)
}

// Scan returns up to limit keys with the prefix, in order, from one
// consistent state.
func (f *FSM) Scan(prefix []byte, limit int) (keys, values [][]byte, err error) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	for kv, err := range f.db.Prefix(prefix) {
		if err != nil {
			return nil, nil, err
		}
		if len(keys) == limit {
			break
		}
		keys = append(keys, kv.Key)
		values = append(values, kv.Value)
	}
	return keys, values, nil
}

// Snapshot checkpoints the database. raft calls it between applies, so the
// checkpoint holds exactly the commands applied so far.
func (f *FSM) Snapshot() (raft.FSMSnapshot, error) {
	dir := f.path(fmt.Sprintf("snap-%d", f.seq.Add(1)))
	f.mu.RLock()
	err := f.db.Checkpoint(dir)
	f.mu.RUnlock()
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("state machine checkpoint: %w", err)
	}
	return &fsmSnapshot{dir: dir}, nil
}

type fsmSnapshot struct{ dir string }

// Persist streams the checkpoint's files as a tar archive.
func (s *fsmSnapshot) Persist(sink raft.SnapshotSink) error {
	if err := writeTar(sink, s.dir); err != nil {
		sink.Cancel()
		return err
	}
	return sink.Close()
}

// Release removes the checkpoint.
func (s *fsmSnapshot) Release() { os.RemoveAll(s.dir) }

func writeTar(w io.Writer, dir string) error {
	tw := tar.NewWriter(w)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		hdr, err := tar.FileInfoHeader(info, "")
		if err != nil {
			return err
		}
		hdr.Name = filepath.ToSlash(rel)
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if !d.Type().IsRegular() {
			return nil
		}
		fh, err := os.Open(p)
		if err != nil {
			return err
		}
		defer fh.Close()
		_, err = io.Copy(tw, fh)
		return err
	})
	if err != nil {
		return fmt.Errorf("state machine snapshot: %w", err)
	}
	return tw.Close()
}

// Restore replaces the database with the one in the archive.
func (f *FSM) Restore(rc io.ReadCloser) error {
	defer rc.Close()
	staging := f.path("fsm.restore")
	os.RemoveAll(staging)
	if err := readTar(rc, staging); err != nil {
		os.RemoveAll(staging)
		return fmt.Errorf("state machine restore: %w", err)
	}
	// The copy must open before it replaces anything.
	check, err := strata.Open(staging, &strata.Options{ErrorIfNotExists: true})
	if err != nil {
		os.RemoveAll(staging)
		return fmt.Errorf("state machine restore: the snapshot does not open: %w", err)
	}
	if err := check.Close(); err != nil {
		return err
	}
	if err := syncDir(staging); err != nil {
		return err
	}

	f.mu.Lock()
	defer f.mu.Unlock()
	live, old := f.path("fsm"), f.path("fsm.old")
	if err := f.db.Close(); err != nil {
		f.logger.Warn("closing the state machine before a restore", "error", err)
	}
	if err := os.Rename(live, old); err != nil {
		return f.reopenAfter(live, err)
	}
	if err := os.Rename(staging, live); err != nil {
		os.Rename(old, live)
		return f.reopenAfter(live, err)
	}
	if err := syncDir(f.dir); err != nil {
		return f.reopenAfter(live, err)
	}
	os.RemoveAll(old)
	db, err := strata.Open(live, nil)
	if err != nil {
		return fmt.Errorf("state machine restore: reopen: %w", err)
	}
	f.db = db
	if err := f.loadApplied(); err != nil {
		return err
	}
	f.notify()
	return nil
}

func (f *FSM) reopenAfter(live string, cause error) error {
	db, err := strata.Open(live, nil)
	if err != nil {
		return fmt.Errorf("state machine restore: %v; reopen: %w", cause, err)
	}
	f.db = db
	return fmt.Errorf("state machine restore: %w", cause)
}

// readTar unpacks an archive written by writeTar into dir, refusing any
// entry that is not a plain file or directory inside dir.
func readTar(r io.Reader, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		name := filepath.FromSlash(hdr.Name)
		if !filepath.IsLocal(name) || strings.Contains(hdr.Name, "\\") {
			return fmt.Errorf("archive entry %q leaves the directory", hdr.Name)
		}
		target := filepath.Join(dir, name)
		switch hdr.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(target, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			fh, err := os.OpenFile(target, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
			if err != nil {
				return err
			}
			_, err = io.Copy(fh, tr)
			if err == nil {
				err = fh.Sync()
			}
			if cerr := fh.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
		default:
			return fmt.Errorf("archive entry %q is not a file or directory", hdr.Name)
		}
	}
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
