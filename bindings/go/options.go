package strata

import (
	"sort"
	"strconv"
	"time"
)

// MemTableKind names the memtable's sorted container.
type MemTableKind string

// The memtable containers (docs/OPTIONS.md).
const (
	SkipList     MemTableKind = "skiplist" // the default: lock-free reads
	RedBlackTree MemTableKind = "rbtree"   // meant for write-heavy use
	AVLTree      MemTableKind = "avl"      // meant for read-heavy use
)

// MmapMode says which table files are read through a memory mapping.
type MmapMode string

// The modes; the zero value is strata's default, MmapAuto.
const (
	// MmapAuto maps a table while the live tables total at most
	// MmapReadsMaxSize (default: half the memory this process may use).
	MmapAuto   MmapMode = "auto"
	MmapAlways MmapMode = "true"  // map every table
	MmapNever  MmapMode = "false" // read every table with pread
)

// Compression names the codec for table blocks.
type Compression string

// The codecs (docs/OPTIONS.md). The codec is recorded per block, so it may
// change between opens of the same database.
const (
	NoCompression   Compression = "none" // the default
	LZ4Compression  Compression = "lz4"
	ZstdCompression Compression = "zstd"
)

// Options configure Open and Repair. The zero value of every field means
// strata's default: only fields that are set are passed on, so a default
// chosen by the library stays the library's. A nil *Options is all defaults.
// Values are checked by strata when the database opens; a bad one is an
// error matching ErrInvalidArgument whose message names the option.
//
// Sizes are byte counts. Options are copied by Open: changing them
// afterwards has no effect on the open database.
type Options struct {
	// ErrorIfExists fails Open if a database already exists at the path.
	ErrorIfExists bool
	// ErrorIfNotExists fails Open if there is no database at the path,
	// instead of creating one (create_if_missing=false).
	ErrorIfNotExists bool
	// ReadOnly opens an existing database as it stands and writes nothing
	// to its directory (read_only=true): any number of read-only DBs, in
	// this process or others, may have it open at once; a writer and
	// read-only DBs exclude each other (ErrBusy); writes, Flush,
	// CompactRange, Checkpoint and Begin fail with ErrNotSupported. A
	// missing database is never created.
	ReadOnly bool
	// Sync fsyncs the write-ahead log before every write is acknowledged,
	// so that acknowledged writes survive power loss. Without it they
	// survive a crash of the process (see WriteOptions for one write).
	Sync bool
	// WALBufferSize turns on the buffered write-ahead log (default 0, off):
	// unsynced writes gather in the process and reach the OS in one write
	// once this many bytes are buffered or WALBufferDelay after the first
	// of them (Pebble's default behaves alike). A crash of the process
	// loses what is still buffered; synced writes, Flush and Close write it
	// first. See docs/DURABILITY.md.
	WALBufferSize int64
	// WALBufferDelay bounds how long a buffered write waits before it
	// reaches the OS (default 10ms; whole milliseconds, rounded up).
	WALBufferDelay time.Duration
	// NoWALMmap writes the write-ahead log with one write(2) per write
	// group (wal_mmap=false) instead of copying records into a shared
	// mapping of the log (the default). Either way an acknowledged write
	// survives a crash of the process; the mapping saves a system call per
	// write. See docs/DURABILITY.md.
	NoWALMmap bool

	// MemTableSize is the size at which the memtable is flushed (default
	// 64 MiB; 1 KiB to 16 GiB).
	MemTableSize int64
	// MemTable picks the memtable's container (default SkipList).
	MemTable MemTableKind
	// MemTableHashIndex puts a hash index from key to its newest entry in
	// front of the memtable (memtable_index=hash): point lookups skip the
	// container's search, for read-heavy use, at some cost per write.
	MemTableHashIndex bool
	// MmapReads says which table files are read through a memory mapping
	// (mmap_reads; default MmapAuto): lookups of data that fits in memory
	// take no copy and no cache insert; once the tables outgrow memory,
	// pread is faster, which MmapAuto follows.
	MmapReads MmapMode
	// MmapReadsMaxSize is MmapAuto's bound on the live tables' total size
	// (mmap_reads_max_bytes; default half the memory this process may use:
	// physical memory or its cgroup's limit).
	MmapReadsMaxSize int64
	// BlockCacheSize is the block cache budget (default 64 MiB); negative
	// disables the cache.
	BlockCacheSize int64
	// BloomBitsPerKey sets the bloom filter bits per key of each table
	// (default 10, about 1% false positives); negative disables filters.
	BloomBitsPerKey int
	// BlockSize is the target size of a table's data blocks before
	// compression (default 4096).
	BlockSize int
	// NoBlockAlign lets data blocks straddle BlockSize boundaries
	// (block_align=false). By default, with no compression and a power of
	// two for BlockSize, each block fits in BlockSize and starts at a
	// multiple of it, so a lookup that misses memory reads one page.
	NoBlockAlign bool
	// Compression picks the codec for table blocks (default NoCompression).
	Compression Compression
	// BackgroundThreads is the number of flush and compaction threads
	// (default 2).
	BackgroundThreads int

	// Further tuning; docs/OPTIONS.md explains each.
	TableFileSize          int64 // table_file_bytes: target size of compacted tables
	MaxOpenFiles           int   // max_open_files: table readers kept open
	MaxImmutableMemTables  int   // max_immutable_memtables: full memtables before writers wait
	L0CompactionTrigger    int   // l0_compaction_trigger
	L0SlowdownTrigger      int   // l0_slowdown_trigger
	L0StopTrigger          int   // l0_stop_trigger
	Level1Size             int64 // level1_bytes: target size of level 1
	LevelSizeMultiplier    int   // level_size_multiplier: growth between levels
	BlockRestartInterval   int   // block_restart_interval: keys between restart points
	CompactionNice         int   // compaction_nice: how much nicer compaction threads run (default 5; negative: 0, not lowered)
	SkipChecksumOnDataRead bool  // verify_checksums=false: skip data block checks on reads
	ManualResume           bool  // auto_resume=false: after a full disk, only DB.Resume lets writes go on

	// Extra sets options by their kv.h names, as strings, after the typed
	// fields: for options newer than this package. A name strata does not
	// know is ErrInvalidArgument.
	Extra map[string]string
}

// optionSetting is one option by its kv.h name.
type optionSetting struct{ name, value string }

// settings lists the options that o sets, by their kv.h names, in a fixed
// order (Extra's names sorted, last).
func (o *Options) settings() []optionSetting {
	if o == nil {
		return nil
	}
	var s []optionSetting
	flag := func(name string, set bool, value string) {
		if set {
			s = append(s, optionSetting{name, value})
		}
	}
	// Zero is the default; a negative value means "none", which strata
	// spells 0; anything else is passed on as is (strata checks ranges).
	sizeOrOff := func(name string, v int64) {
		switch {
		case v < 0:
			s = append(s, optionSetting{name, "0"})
		case v > 0:
			s = append(s, optionSetting{name, strconv.FormatInt(v, 10)})
		}
	}
	number := func(name string, v int64) {
		if v != 0 {
			s = append(s, optionSetting{name, strconv.FormatInt(v, 10)})
		}
	}
	flag("create_if_missing", o.ErrorIfNotExists, "false")
	flag("error_if_exists", o.ErrorIfExists, "true")
	flag("read_only", o.ReadOnly, "true")
	flag("sync", o.Sync, "true")
	number("wal_buffer_bytes", o.WALBufferSize)
	if o.WALBufferDelay > 0 {
		ms := (o.WALBufferDelay + time.Millisecond - 1) / time.Millisecond
		s = append(s, optionSetting{"wal_buffer_delay_ms", strconv.FormatInt(int64(ms), 10)})
	}
	flag("wal_mmap", o.NoWALMmap, "false")
	number("memtable_bytes", o.MemTableSize)
	flag("memtable", o.MemTable != "", string(o.MemTable))
	flag("memtable_index", o.MemTableHashIndex, "hash")
	flag("mmap_reads", o.MmapReads != "", string(o.MmapReads))
	number("mmap_reads_max_bytes", o.MmapReadsMaxSize)
	sizeOrOff("block_cache_bytes", o.BlockCacheSize)
	sizeOrOff("bloom_bits_per_key", int64(o.BloomBitsPerKey))
	number("block_bytes", int64(o.BlockSize))
	flag("block_align", o.NoBlockAlign, "false")
	flag("compression", o.Compression != "", string(o.Compression))
	number("background_threads", int64(o.BackgroundThreads))
	number("table_file_bytes", o.TableFileSize)
	number("max_open_files", int64(o.MaxOpenFiles))
	number("max_immutable_memtables", int64(o.MaxImmutableMemTables))
	number("l0_compaction_trigger", int64(o.L0CompactionTrigger))
	number("l0_slowdown_trigger", int64(o.L0SlowdownTrigger))
	number("l0_stop_trigger", int64(o.L0StopTrigger))
	number("level1_bytes", o.Level1Size)
	number("level_size_multiplier", int64(o.LevelSizeMultiplier))
	number("block_restart_interval", int64(o.BlockRestartInterval))
	sizeOrOff("compaction_nice", int64(o.CompactionNice))
	flag("verify_checksums", o.SkipChecksumOnDataRead, "false")
	flag("auto_resume", o.ManualResume, "false")
	names := make([]string, 0, len(o.Extra))
	for name := range o.Extra {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		s = append(s, optionSetting{name, o.Extra[name]})
	}
	return s
}

// optionNames are the kv.h names of every option this package knows, the
// ones Effective reports.
var optionNames = []string{
	"create_if_missing", "error_if_exists", "sync", "memtable_bytes", "memtable",
	"block_cache_bytes", "bloom_bits_per_key", "block_bytes", "compression",
	"background_threads", "table_file_bytes", "max_open_files", "max_immutable_memtables",
	"l0_compaction_trigger", "l0_slowdown_trigger", "l0_stop_trigger", "level1_bytes",
	"level_size_multiplier", "block_restart_interval", "verify_checksums", "compaction_nice",
	"auto_resume", "read_only", "wal_buffer_bytes", "wal_buffer_delay_ms",
	"memtable_index", "mmap_reads", "mmap_reads_max_bytes", "wal_mmap", "block_align",
}

// withCOptions builds strata's options object from o, runs fn with it and
// frees it. A nil o gives fn a nil handle: strata's defaults.
func withCOptions(o *Options, fn func(optionsHandle) error) error {
	if o == nil {
		return fn(nil)
	}
	h, err := cOptionsNew()
	if err != nil {
		return err
	}
	defer cOptionsFree(h)
	for _, s := range o.settings() {
		if err := cOptionsSet(h, s.name, s.value); err != nil {
			return err
		}
	}
	return fn(h)
}

// Effective returns the value strata would use for every option, by kv.h
// name, with its defaults filled in where o leaves a field zero (and Extra's
// names included). It is what Open would be given, for logging or checking a
// configuration; a bad value is reported as Open would report it.
func (o *Options) Effective() (map[string]string, error) {
	out := make(map[string]string, len(optionNames))
	if o == nil {
		o = &Options{}
	}
	err := withCOptions(o, func(h optionsHandle) error {
		names := append([]string(nil), optionNames...)
		for name := range o.Extra {
			names = append(names, name)
		}
		for _, name := range names {
			v, err := cOptionsGet(h, name)
			if err != nil {
				return err
			}
			out[name] = v
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// WriteOptions adjust one write (Put, Delete, Write). A nil *WriteOptions is
// the default: durable as the database's Sync option says.
type WriteOptions struct {
	// Sync makes this write durable (fsynced before it is acknowledged) even
	// on a database opened without Options.Sync. With Options.Sync every
	// write is synced whatever this says.
	Sync bool
}

// Sync and NoSync are ready-made WriteOptions, as in Pebble.
var (
	Sync   = &WriteOptions{Sync: true}
	NoSync = &WriteOptions{Sync: false}
)

func (w *WriteOptions) flags() uint {
	if w != nil && w.Sync {
		return writeSyncFlag
	}
	return 0
}
