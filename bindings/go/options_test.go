package strata

import (
	"strings"
	"testing"
	"time"
)

func TestEffectiveDefaults(t *testing.T) {
	got, err := (*Options)(nil).Effective()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"create_if_missing": "true", "error_if_exists": "false", "sync": "false",
		"memtable": "skiplist", "compression": "none", "bloom_bits_per_key": "10",
		"block_bytes": "4096", "background_threads": "2", "verify_checksums": "true",
		"auto_resume": "true", "read_only": "false",
	}
	for name, v := range want {
		if got[name] != v {
			t.Errorf("default %s = %q, want %q", name, got[name], v)
		}
	}
	if len(got) != len(optionNames) {
		t.Errorf("Effective reported %d options, want %d", len(got), len(optionNames))
	}
}

// Every typed field reaches strata under its kv.h name.
func TestEveryFieldIsPassedOn(t *testing.T) {
	o := &Options{
		ErrorIfExists: true, ErrorIfNotExists: true, Sync: true,
		MemTableSize: 1 << 20, MemTable: AVLTree, BlockCacheSize: 1 << 21,
		BloomBitsPerKey: 7, BlockSize: 8192, Compression: LZ4Compression,
		BackgroundThreads: 3, TableFileSize: 3 << 20, MaxOpenFiles: 99,
		MaxImmutableMemTables: 4, L0CompactionTrigger: 5, L0SlowdownTrigger: 14,
		L0StopTrigger: 30, Level1Size: 8 << 20, LevelSizeMultiplier: 8,
		BlockRestartInterval: 32, SkipChecksumOnDataRead: true, CompactionNice: 3,
		ManualResume: true, ReadOnly: true, WALBufferSize: 1 << 16,
		WALBufferDelay: 1500 * time.Microsecond, MemTableHashIndex: true, MmapReads: MmapNever,
		MmapReadsMaxSize: 1 << 30, NoWALMmap: true, NoBlockAlign: true,
	}
	want := map[string]string{
		"create_if_missing": "false", "error_if_exists": "true", "sync": "true",
		"memtable_bytes": "1048576", "memtable": "avl", "block_cache_bytes": "2097152",
		"bloom_bits_per_key": "7", "block_bytes": "8192", "compression": "lz4",
		"background_threads": "3", "table_file_bytes": "3145728", "max_open_files": "99",
		"max_immutable_memtables": "4", "l0_compaction_trigger": "5",
		"l0_slowdown_trigger": "14", "l0_stop_trigger": "30", "level1_bytes": "8388608",
		"level_size_multiplier": "8", "block_restart_interval": "32",
		"verify_checksums": "false", "compaction_nice": "3", "auto_resume": "false",
		"read_only": "true", "wal_buffer_bytes": "65536", "wal_buffer_delay_ms": "2",
		"memtable_index": "hash", "mmap_reads": "false", "mmap_reads_max_bytes": "1073741824",
		"wal_mmap": "false", "block_align": "false",
	}
	got, err := o.Effective()
	if err != nil {
		t.Fatal(err)
	}
	if len(want) != len(optionNames) {
		t.Fatalf("this test covers %d options, the package knows %d", len(want), len(optionNames))
	}
	for name, v := range want {
		if got[name] != v {
			t.Errorf("%s = %q, want %q", name, got[name], v)
		}
	}
}

func TestNegativeMeansDisabled(t *testing.T) {
	got, err := (&Options{BlockCacheSize: -1, BloomBitsPerKey: -1}).Effective()
	if err != nil {
		t.Fatal(err)
	}
	if got["block_cache_bytes"] != "0" || got["bloom_bits_per_key"] != "0" {
		t.Fatalf("cache %s, bloom %s; want both 0", got["block_cache_bytes"], got["bloom_bits_per_key"])
	}
}

func TestExtraOptions(t *testing.T) {
	got, err := (&Options{Extra: map[string]string{"memtable_bytes": "2M"}}).Effective()
	if err != nil || got["memtable_bytes"] != "2097152" {
		t.Fatalf("Extra memtable_bytes=2M: %q, %v", got["memtable_bytes"], err)
	}
	_, err = Open(t.TempDir(), &Options{Extra: map[string]string{"no_such_option": "1"}})
	wantErr(t, "unknown option", err, ErrInvalidArgument)
	if !strings.Contains(err.Error(), "no_such_option") {
		t.Fatalf("%v does not name the option", err)
	}
}

func TestBadOptionValuesNameTheOption(t *testing.T) {
	cases := []struct {
		opts *Options
		name string
	}{
		{&Options{MemTable: "btree"}, "memtable"},
		{&Options{Compression: "snappy"}, "compression"},
		{&Options{MemTableSize: -5}, "memtable_bytes"},
		{&Options{MemTableSize: 10}, "memtable_bytes"}, // below 1 KiB
		{&Options{BackgroundThreads: 1000}, "background_threads"},
		{&Options{BlockSize: -1}, "block_bytes"},
		{&Options{Extra: map[string]string{"sync": "maybe"}}, "sync"},
		{&Options{Extra: map[string]string{"sync\x00": "true"}}, "sync"},
	}
	for _, c := range cases {
		_, err := Open(t.TempDir(), c.opts)
		wantErr(t, c.name, err, ErrInvalidArgument)
		if !strings.Contains(err.Error(), c.name) {
			t.Errorf("%v does not name %s", err, c.name)
		}
		if _, err := c.opts.Effective(); err == nil {
			t.Errorf("Effective accepted a bad %s", c.name)
		}
	}
}

// A database opened with every option set to a non-default works and keeps
// its data across a reopen with other settings (compression is per block).
func TestOpenWithEveryOption(t *testing.T) {
	dir := t.TempDir()
	for _, o := range []*Options{
		{Sync: true, MemTableSize: 4 << 10, MemTable: RedBlackTree, BlockCacheSize: -1,
			BloomBitsPerKey: -1, BlockSize: 512, Compression: ZstdCompression,
			BackgroundThreads: 1, TableFileSize: 64 << 10, MaxOpenFiles: 20,
			MaxImmutableMemTables: 1, L0CompactionTrigger: 2, L0SlowdownTrigger: 8,
			L0StopTrigger: 12, Level1Size: 1 << 20, LevelSizeMultiplier: 4,
			BlockRestartInterval: 4, SkipChecksumOnDataRead: true},
		{ErrorIfNotExists: true, MemTable: AVLTree, Compression: LZ4Compression},
	} {
		db, err := Open(dir, o)
		if err != nil {
			t.Fatalf("Open(%+v): %v", o, err)
		}
		// Batches of 50, so that Sync costs few fsyncs while small memtables
		// still flush several times.
		b := db.NewBatch()
		for i := 0; i < 300; i++ {
			b.Put([]byte{byte(i >> 8), byte(i)}, []byte(strings.Repeat("v", i)))
			if i%50 == 49 {
				if err := b.Commit(nil); err != nil {
					t.Fatal(err)
				}
				b.Clear()
			}
		}
		b.Close()
		for i := 0; i < 300; i++ {
			v, err := db.Get([]byte{byte(i >> 8), byte(i)})
			if err != nil || len(v) != i {
				t.Fatalf("key %d: %d bytes, %v", i, len(v), err)
			}
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
}
