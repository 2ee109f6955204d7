package raftstore

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/raft"
	strata "github.com/strata-kv/strata/bindings/go"
)

func openStore(t testing.TB, dir string) *Store {
	t.Helper()
	s, err := Open(dir, nil)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

func newTestStore(t testing.TB) (*Store, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "db")
	s := openStore(t, dir)
	t.Cleanup(func() { s.Close() })
	return s, dir
}

func entry(index uint64, data string) *raft.Log {
	return &raft.Log{Index: index, Term: 1, Data: []byte(data)}
}

func entries(from, to uint64) []*raft.Log {
	var out []*raft.Log
	for i := from; i <= to; i++ {
		out = append(out, entry(i, fmt.Sprintf("entry %d", i)))
	}
	return out
}

func wantIndexes(t *testing.T, s *Store, first, last uint64) {
	t.Helper()
	f, err := s.FirstIndex()
	if err != nil {
		t.Fatalf("FirstIndex: %v", err)
	}
	l, err := s.LastIndex()
	if err != nil {
		t.Fatalf("LastIndex: %v", err)
	}
	if f != first || l != last {
		t.Fatalf("first, last = %d, %d; want %d, %d", f, l, first, last)
	}
}

func wantLog(t *testing.T, s *Store, want *raft.Log) {
	t.Helper()
	var got raft.Log
	if err := s.GetLog(want.Index, &got); err != nil {
		t.Fatalf("GetLog(%d): %v", want.Index, err)
	}
	if !want.AppendedAt.Equal(got.AppendedAt) {
		t.Fatalf("GetLog(%d).AppendedAt = %v, want %v", want.Index, got.AppendedAt, want.AppendedAt)
	}
	got.AppendedAt = want.AppendedAt
	if !reflect.DeepEqual(&got, want) {
		t.Fatalf("GetLog(%d) = %#v, want %#v", want.Index, &got, want)
	}
}

func wantMissing(t *testing.T, s *Store, indexes ...uint64) {
	t.Helper()
	for _, i := range indexes {
		if err := s.GetLog(i, new(raft.Log)); err != raft.ErrLogNotFound {
			t.Fatalf("GetLog(%d) = %v, want raft.ErrLogNotFound", i, err)
		}
	}
}

func TestEmptyStore(t *testing.T) {
	s, _ := newTestStore(t)
	wantIndexes(t, s, 0, 0)
	wantMissing(t, s, 0, 1, ^uint64(0))
	if !s.IsMonotonic() {
		t.Fatal("IsMonotonic = false")
	}
	// Deleting from an empty log is not an error.
	if err := s.DeleteRange(1, 100); err != nil {
		t.Fatalf("DeleteRange on empty log: %v", err)
	}
	if err := s.StoreLogs(nil); err != nil {
		t.Fatalf("StoreLogs(nil): %v", err)
	}
	wantIndexes(t, s, 0, 0)
}

func TestStoreAndGet(t *testing.T) {
	s, _ := newTestStore(t)
	logs := []*raft.Log{
		{Index: 1, Term: 1, Type: raft.LogConfiguration, Data: []byte("conf")},
		{Index: 2, Term: 1, Type: raft.LogCommand, Data: []byte("cmd"), Extensions: []byte{0, 1, 2}},
		{Index: 3, Term: 2, Type: raft.LogNoop},                          // nil Data
		{Index: 4, Term: 2, Type: raft.LogCommand, Data: []byte{}},       // empty, not nil
		{Index: 5, Term: 3, Type: raft.LogBarrier, Extensions: []byte{}}, // empty extensions
		{Index: 6, Term: ^uint64(0), Data: []byte("a\x00b"), AppendedAt: time.Unix(1700000000, 123456789)},
		{Index: 7, Term: 4, AppendedAt: time.Unix(-5, 7)}, // before 1970
	}
	if err := s.StoreLogs(logs); err != nil {
		t.Fatalf("StoreLogs: %v", err)
	}
	wantIndexes(t, s, 1, 7)
	for _, l := range logs {
		wantLog(t, s, l)
	}
	// StoreLog, one entry.
	one := &raft.Log{Index: 8, Term: 4, Data: []byte("one")}
	if err := s.StoreLog(one); err != nil {
		t.Fatalf("StoreLog: %v", err)
	}
	wantLog(t, s, one)
	wantIndexes(t, s, 1, 8)
	// Storing at an index again replaces the entry (raft does after it
	// truncates a conflicting suffix).
	again := &raft.Log{Index: 8, Term: 5, Data: []byte("replaced")}
	if err := s.StoreLog(again); err != nil {
		t.Fatalf("StoreLog: %v", err)
	}
	wantLog(t, s, again)
	wantMissing(t, s, 0, 9)
}

func TestGaps(t *testing.T) {
	s, _ := newTestStore(t)
	if err := s.StoreLogs(entries(10, 12)); err != nil {
		t.Fatal(err)
	}
	wantIndexes(t, s, 10, 12)
	if err := s.StoreLogs(entries(20, 21)); err != nil {
		t.Fatal(err)
	}
	wantIndexes(t, s, 10, 21)
	wantMissing(t, s, 9, 13, 19, 22)
	// An entry before the first lowers the first index.
	if err := s.StoreLog(entry(5, "early")); err != nil {
		t.Fatal(err)
	}
	wantIndexes(t, s, 5, 21)
	// Deleting the first run moves the first index across the gap.
	if err := s.DeleteRange(5, 12); err != nil {
		t.Fatal(err)
	}
	wantIndexes(t, s, 20, 21)
	// Deleting the last run moves the last index back across the gap.
	if err := s.StoreLogs(entries(30, 31)); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteRange(25, 40); err != nil {
		t.Fatal(err)
	}
	wantIndexes(t, s, 20, 21)
	wantLog(t, s, entry(21, "entry 21"))
}

func TestDeleteRange(t *testing.T) {
	s, _ := newTestStore(t)
	if err := s.StoreLogs(entries(1, 100)); err != nil {
		t.Fatal(err)
	}
	// A prefix, as raft's log compaction deletes.
	if err := s.DeleteRange(1, 40); err != nil {
		t.Fatal(err)
	}
	wantIndexes(t, s, 41, 100)
	wantMissing(t, s, 1, 20, 40)
	wantLog(t, s, entry(41, "entry 41"))
	// A suffix, as raft deletes entries that conflict with the leader's.
	if err := s.DeleteRange(91, 100); err != nil {
		t.Fatal(err)
	}
	wantIndexes(t, s, 41, 90)
	wantMissing(t, s, 91, 100)
	// The middle: the ends stay.
	if err := s.DeleteRange(50, 60); err != nil {
		t.Fatal(err)
	}
	wantIndexes(t, s, 41, 90)
	wantMissing(t, s, 50, 55, 60)
	wantLog(t, s, entry(49, "entry 49"))
	wantLog(t, s, entry(61, "entry 61"))
	// Ranges outside what is stored, and an inverted one, change nothing.
	for _, r := range [][2]uint64{{1, 40}, {91, 1000}, {70, 69}} {
		if err := s.DeleteRange(r[0], r[1]); err != nil {
			t.Fatalf("DeleteRange(%d, %d): %v", r[0], r[1], err)
		}
	}
	wantIndexes(t, s, 41, 90)
	// A range wider than the log empties it, up to the largest index.
	if err := s.DeleteRange(0, ^uint64(0)); err != nil {
		t.Fatal(err)
	}
	wantIndexes(t, s, 0, 0)
	wantMissing(t, s, 41, 70, 90)
	// And the log starts again.
	if err := s.StoreLogs(entries(200, 201)); err != nil {
		t.Fatal(err)
	}
	wantIndexes(t, s, 200, 201)
}

func TestLargeEntries(t *testing.T) {
	s, _ := newTestStore(t)
	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<18) // 4 MiB
	logs := []*raft.Log{
		{Index: 1, Term: 1, Data: big},
		{Index: 2, Term: 1, Data: big[:1<<20], Extensions: big[:1<<16]},
	}
	if err := s.StoreLogs(logs); err != nil {
		t.Fatalf("StoreLogs: %v", err)
	}
	for _, l := range logs {
		wantLog(t, s, l)
	}
	// Many entries in one batch.
	many := entries(3, 5002)
	for _, l := range many {
		l.Data = bytes.Repeat([]byte{byte(l.Index)}, 1024)
	}
	if err := s.StoreLogs(many); err != nil {
		t.Fatalf("StoreLogs of 5000 entries: %v", err)
	}
	wantIndexes(t, s, 1, 5002)
	wantLog(t, s, many[2500])
}

func TestReopen(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "db")
	s := openStore(t, dir)
	if err := s.StoreLogs(entries(1, 500)); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteRange(1, 199); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteRange(451, 500); err != nil {
		t.Fatal(err)
	}
	if err := s.SetUint64([]byte("CurrentTerm"), 7); err != nil {
		t.Fatal(err)
	}
	if err := s.Set([]byte("LastVoteCand"), []byte("node-2")); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	// Once in memory only, once with the log flushed to tables.
	for round := 0; round < 2; round++ {
		s = openStore(t, dir)
		wantIndexes(t, s, 200, 450)
		wantMissing(t, s, 199, 451)
		wantLog(t, s, entry(200, "entry 200"))
		wantLog(t, s, entry(450, "entry 450"))
		if v, err := s.GetUint64([]byte("CurrentTerm")); err != nil || v != 7 {
			t.Fatalf("GetUint64 after reopen = %d, %v", v, err)
		}
		if v, err := s.Get([]byte("LastVoteCand")); err != nil || string(v) != "node-2" {
			t.Fatalf("Get after reopen = %q, %v", v, err)
		}
		if round == 0 {
			if err := s.DB().Flush(); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestStable(t *testing.T) {
	s, _ := newTestStore(t)
	_, err := s.Get([]byte("missing"))
	if err != ErrKeyNotFound || err.Error() != "not found" {
		t.Fatalf("Get of a missing key = %v, want ErrKeyNotFound with the text raft expects", err)
	}
	if _, err := s.GetUint64([]byte("missing")); err != ErrKeyNotFound {
		t.Fatalf("GetUint64 of a missing key = %v", err)
	}
	if err := s.Set([]byte("k"), []byte("v")); err != nil {
		t.Fatal(err)
	}
	if v, err := s.Get([]byte("k")); err != nil || string(v) != "v" {
		t.Fatalf("Get = %q, %v", v, err)
	}
	if err := s.Set([]byte("empty"), nil); err != nil {
		t.Fatal(err)
	}
	if v, err := s.Get([]byte("empty")); err != nil || len(v) != 0 {
		t.Fatalf("Get of an empty value = %q, %v", v, err)
	}
	if err := s.SetUint64([]byte("n"), 1<<63+5); err != nil {
		t.Fatal(err)
	}
	if v, err := s.GetUint64([]byte("n")); err != nil || v != 1<<63+5 {
		t.Fatalf("GetUint64 = %d, %v", v, err)
	}
	// A value that is not 8 bytes is damage, not a number.
	if _, err := s.GetUint64([]byte("k")); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("GetUint64 of a 1-byte value = %v, want ErrCorrupt", err)
	}
	// Stable keys never show up as log entries, whatever their bytes.
	if err := s.Set([]byte("\x00\x00\x00\x00\x00\x00\x00\x01"), []byte("x")); err != nil {
		t.Fatal(err)
	}
	wantIndexes(t, s, 0, 0)
	wantMissing(t, s, 1)
}

func TestClosedStore(t *testing.T) {
	s, _ := newTestStore(t)
	if err := s.StoreLogs(entries(1, 3)); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	calls := map[string]func() error{
		"FirstIndex":  func() error { _, err := s.FirstIndex(); return err },
		"LastIndex":   func() error { _, err := s.LastIndex(); return err },
		"GetLog":      func() error { return s.GetLog(1, new(raft.Log)) },
		"StoreLog":    func() error { return s.StoreLog(entry(4, "x")) },
		"StoreLogs":   func() error { return s.StoreLogs(entries(4, 5)) },
		"DeleteRange": func() error { return s.DeleteRange(1, 2) },
		"Set":         func() error { return s.Set([]byte("k"), []byte("v")) },
		"Get":         func() error { _, err := s.Get([]byte("k")); return err },
		"SetUint64":   func() error { return s.SetUint64([]byte("k"), 1) },
		"GetUint64":   func() error { _, err := s.GetUint64([]byte("k")); return err },
		"Close":       s.Close,
	}
	for name, call := range calls {
		err := call()
		if !errors.Is(err, ErrClosed) || !errors.Is(err, strata.ErrClosed) {
			t.Errorf("%s on a closed store = %v, want ErrClosed", name, err)
		} else if !strings.Contains(err.Error(), name) {
			t.Errorf("%s on a closed store: %q does not name the call", name, err)
		}
	}
}

// A Store made by New over a database its owner closed reports the closed
// database as a closed store.
func TestNewOverClosedDB(t *testing.T) {
	db, err := strata.Open(filepath.Join(t.TempDir(), "db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(db)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.StoreLogs(entries(1, 2)); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if err := s.GetLog(1, new(raft.Log)); !errors.Is(err, ErrClosed) {
		t.Fatalf("GetLog over a closed DB = %v, want ErrClosed", err)
	}
	if err := s.StoreLogs(entries(3, 3)); !errors.Is(err, ErrClosed) {
		t.Fatalf("StoreLogs over a closed DB = %v, want ErrClosed", err)
	}
	if _, err := s.Get([]byte("x")); !errors.Is(err, ErrClosed) {
		t.Fatalf("Get over a closed DB = %v, want ErrClosed", err)
	}
	// New does not close a database it does not own.
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

// Bytes under a log key that are not an entry's encoding are reported as
// damage naming the index, never returned as an entry.
func TestCorruptEntry(t *testing.T) {
	db, err := strata.Open(filepath.Join(t.TempDir(), "db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s, err := New(db)
	if err != nil {
		t.Fatal(err)
	}
	good := encodeLog(nil, &raft.Log{Index: 1, Term: 3, Data: []byte("data"), Extensions: []byte("ext"),
		AppendedAt: time.Unix(1700000000, 5)})
	bad := map[string][]byte{
		"empty":           {},
		"unknown version": append([]byte{9}, good[1:]...),
		"unknown flag":    append([]byte{good[0], good[1] | 0x80}, good[2:]...),
		"trailing byte":   append(append([]byte{}, good...), 0),
	}
	// Every strict prefix of a valid encoding is truncated.
	for n := 1; n < len(good); n++ {
		bad[fmt.Sprintf("first %d bytes", n)] = good[:n]
	}
	index := uint64(100)
	for name, v := range bad {
		index++
		if err := db.Put(logKey(index), v, nil); err != nil {
			t.Fatal(err)
		}
		err := s.GetLog(index, new(raft.Log))
		if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), fmt.Sprint(index)) {
			t.Errorf("%s: GetLog = %v, want ErrCorrupt naming index %d", name, err, index)
		}
	}
	// A key under the log prefix that is not 9 bytes is damage too: found
	// when the store opens and scans for its first and last index.
	if err := db.Put([]byte{logPrefix, 1}, []byte("x"), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := New(db); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("New over a bad log key = %v, want ErrCorrupt", err)
	}
}

// A database whose table files are damaged on disk: strata reports the
// damage (at open or at the read) and the store passes it on as
// strata.ErrCorruption, never as an entry or as "not found".
func TestDamagedTables(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "db")
	s := openStore(t, dir)
	logs := entries(1, 2000)
	for _, l := range logs {
		l.Data = bytes.Repeat([]byte{byte(l.Index)}, 512)
	}
	if err := s.StoreLogs(logs); err != nil {
		t.Fatal(err)
	}
	if err := s.DB().Flush(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	tables, _ := filepath.Glob(filepath.Join(dir, "*.sst"))
	if len(tables) == 0 {
		names, _ := os.ReadDir(dir)
		t.Fatalf("no *.sst table after Flush; the directory holds %v", names)
	}
	for _, name := range tables {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		// Overwrite data blocks through the first half of the file.
		for i := 100; i < len(b)/2; i += 97 {
			b[i] ^= 0x5a
		}
		if err := os.WriteFile(name, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s, err := Open(dir, nil)
	if err != nil {
		if !errors.Is(err, strata.ErrCorruption) {
			t.Fatalf("Open of a damaged store = %v, want strata.ErrCorruption", err)
		}
		return
	}
	defer s.Close()
	damaged := 0
	for _, l := range logs {
		var got raft.Log
		err := s.GetLog(l.Index, &got)
		switch {
		case err == nil:
			if !bytes.Equal(got.Data, l.Data) {
				t.Fatalf("GetLog(%d) returned wrong data from a damaged table", l.Index)
			}
		case errors.Is(err, strata.ErrCorruption):
			damaged++
		default:
			t.Fatalf("GetLog(%d) = %v, want the entry or strata.ErrCorruption", l.Index, err)
		}
	}
	if damaged == 0 {
		t.Fatal("no read reported the damage")
	}
}

// Readers and writers at once, as raft runs them: appends, reads of recent
// entries, and compaction of the head of the log (run with -race).
func TestConcurrentUse(t *testing.T) {
	s, _ := newTestStore(t)
	const total = 2000
	var wg sync.WaitGroup
	errc := make(chan error, 3)
	wg.Add(3)
	go func() { // the appender
		defer wg.Done()
		for i := uint64(1); i <= total; i += 10 {
			if err := s.StoreLogs(entries(i, i+9)); err != nil {
				errc <- err
				return
			}
		}
	}()
	go func() { // compaction keeps the last 100
		defer wg.Done()
		for {
			last, err := s.LastIndex()
			if err != nil {
				errc <- err
				return
			}
			if last > 100 {
				if err := s.DeleteRange(0, last-100); err != nil {
					errc <- err
					return
				}
			}
			if last >= total {
				return
			}
		}
	}()
	go func() { // a reader of the tail
		defer wg.Done()
		for {
			last, err := s.LastIndex()
			if err != nil {
				errc <- err
				return
			}
			if last == 0 {
				continue
			}
			var l raft.Log
			if err := s.GetLog(last, &l); err != nil {
				// Compaction may have passed it since LastIndex; that is
				// the only excuse for a missing entry.
				if first, _ := s.FirstIndex(); err == raft.ErrLogNotFound && first > last {
					continue
				}
				errc <- fmt.Errorf("GetLog(%d) of the last index: %v", last, err)
				return
			}
			if string(l.Data) != fmt.Sprintf("entry %d", last) {
				errc <- fmt.Errorf("GetLog(%d) = %q", last, l.Data)
				return
			}
			if last >= total {
				return
			}
		}
	}()
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}
	wantIndexes(t, s, total-99, total) // compaction keeps the last 100
}
