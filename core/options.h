// Options: how a database is opened and tuned.
//
// Every field can be set by name with Options::Set, which is what the C ABI's
// kv_options_set and every binding use; docs/OPTIONS.md lists them. Options
// are copied when a database opens, so changing an Options object afterwards
// affects nothing already open.
//
// Thread safety: a value type; not synchronised.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace strata {

class Env;

enum class MemTableKind { kSkipList, kRedBlackTree, kAvlTree };
enum class MemTableIndexKind { kNone, kHash };

// Options::mmap_reads: map every table, none, or while they fit in memory.
enum class MmapReads { kAuto, kAlways, kNever };
enum class CompressionKind : unsigned char { kNone = 0, kLz4 = 1, kZstd = 2 };

struct Options {
  // Open-time behaviour.
  bool create_if_missing = true;
  bool error_if_exists = false;
  // Open the database as it stands and write nothing to its directory: the
  // logs are replayed in memory, no log, manifest, CURRENT or table is
  // created, nothing is flushed, compacted or deleted, and LOCK is taken
  // shared (Env::LockFileShared), so read-only handles coexist and exclude
  // writers. create_if_missing has no effect; writes are NotSupported.
  bool read_only = false;

  // When true every write is fsynced before it is acknowledged.
  bool sync = false;
  // Buffered WAL (off at 0, the default): unsynced writes gather in the
  // process and reach the OS in one write once this many bytes are buffered
  // or wal_buffer_delay_ms after the first of them, whichever comes first.
  // A crash of the process loses what is still buffered (at most the last
  // wal_buffer_delay_ms of writes); a crash of the machine could lose as
  // much unbuffered. Synced writes, flushes and close write the buffer
  // first. RocksDB's manual_wal_flush and Pebble's default do the same.
  size_t wal_buffer_bytes = 0;
  int wal_buffer_delay_ms = 10;
  // The WAL is written through a shared memory mapping of the file
  // (core/posix_mapped_log_file.h): a record is in the OS's page cache once
  // it is copied there, so it survives a crash of the process as a write(2)
  // does, without a system call per write. false: one write(2) per write
  // group. The promises are the same either way (docs/DURABILITY.md).
  bool wal_mmap = true;

  // Memtable.
  size_t memtable_bytes = 64ull << 20;
  MemTableKind memtable = MemTableKind::kSkipList;
  // hash: a hash index from user key to its newest memtable entry, for
  // point lookups without the container's search (memtable/hash_index.h);
  // costs the writer a hash and a chain walk per insert.
  MemTableIndexKind memtable_index = MemTableIndexKind::kNone;
  // Immutable memtables waiting for flush before writers wait.
  int max_immutable_memtables = 2;

  // Tables.
  size_t block_cache_bytes = 64ull << 20;
  int bloom_bits_per_key = 10;
  size_t block_bytes = 4096;
  // With no compression and a power of two for block_bytes: each data block
  // and its trailer fit in block_bytes and start at a multiple of it, so a
  // lookup that misses memory reads one page from storage rather than the
  // two a 4 KiB block straddling a page boundary costs (RocksDB's
  // block_align). Costs the gaps: about half an entry per block.
  bool block_align = true;
  int block_restart_interval = 16;
  CompressionKind compression = CompressionKind::kNone;
  // Whether open table files are read through a memory mapping (RocksDB's
  // allow_mmap_reads, LevelDB's default on 64-bit): an uncompressed data
  // block is then read where it lies, with no copy, no system call and no
  // block-cache insert, which makes lookups of data that fits in memory much
  // cheaper (readrandom 1.5x to 2x); the block cache keeps only decompressed
  // blocks. Once the tables outgrow memory, faulting mapped pages in and out
  // costs more than pread into the cache (readrandom 0.71x at 10M keys in
  // 512 MiB, docs/BENCHMARKS.md), hence kAuto: a table is mapped when it is
  // opened while the live tables total at most mmap_reads_max_bytes, and
  // read with pread otherwise. Pages are mapped MADV_RANDOM; compactions read
  // with pread either way.
  MmapReads mmap_reads = MmapReads::kAuto;
  // kAuto's bound on the live tables' total size; 0 means half of what this
  // process may keep in memory (physical memory or its cgroup's limit,
  // core/memory_limit.h).
  uint64_t mmap_reads_max_bytes = 0;
  size_t table_file_bytes = 64ull << 20;
  int max_open_files = 1000;

  // Background work. With two or more threads, one flushes and the others
  // compact; the compacting threads run `compaction_nice` steps nicer than
  // the process (0 keeps them at its priority), so that on busy cores they
  // give way to writers and the flusher, as RocksDB's low-priority pool does.
  int background_threads = 2;
  int compaction_nice = 5;
  // After writes stop for lack of space, the flushing thread retries
  // (DB::Resume) on a back-off from 200 ms to 10 s; false leaves it to
  // kv_resume (RocksDB's max_bgerror_resume_count = 0).
  bool auto_resume = true;
  // L0 table counts at which compaction starts, writes slow, and writes wait.
  int l0_compaction_trigger = 4;
  int l0_slowdown_trigger = 12;
  int l0_stop_trigger = 20;
  // Target size of level 1; each deeper level is level_size_multiplier times larger.
  uint64_t level1_bytes = 256ull << 20;
  int level_size_multiplier = 10;

  // Checks every block read against its checksum (always on for the WAL and
  // manifest); off skips the check on data blocks for speed.
  bool verify_checksums = true;

  // The filesystem seam; null means Env::Default(). Not settable by name.
  Env* env = nullptr;

  // Sets the option `name` from its text form. Booleans take true/false,
  // 1/0, yes/no, on/off; sizes take a byte count with an optional K, M, G
  // (or KiB, MiB, GiB) suffix. Unknown names and malformed values give
  // InvalidArgument naming the option.
  Status Set(std::string_view name, std::string_view value);

  // The text form of option `name`, as Set accepts it.
  Status Get(std::string_view name, std::string* value) const;

  // Every name Set accepts.
  static const std::vector<std::string>& Names();

  // Checks cross-field constraints; called by open.
  Status Validate() const;
};

const char* MemTableKindName(MemTableKind kind);
const char* MemTableIndexKindName(MemTableIndexKind kind);
const char* MmapReadsName(MmapReads mode);
const char* CompressionKindName(CompressionKind kind);

}  // namespace strata
