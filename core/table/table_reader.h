// TableReader: point lookups and ordered iteration over one table file.
//
// Open reads the footer, then the index, filter and properties blocks, which
// stay in memory for as long as the reader (or any iterator made from it)
// lives; their bytes are charged to the block cache as a reservation
// (block_cache.h). Data blocks are read on demand through the block cache,
// when there is one.
//
// Damage is always reported, never turned into data: a block whose checksum
// fails, that does not decompress, or whose entries do not parse gives
// Status::Corruption naming the table file and the block's offset (checksums
// are checked on data blocks when Options::verify_checksums is set, and always
// on the blocks Open reads).
//
// An ingested table (global_sequence.h) is read as if every entry had been
// written with its global sequence number: Get hides the entry from lookups
// at an older sequence, iterators return keys carrying it, and properties()
// reports it in the key range and sequence bounds.
//
// Thread safety: a TableReader is immutable after Open; Get, NewIterator and
// the accessors may be called from many threads at once. Each iterator
// belongs to one thread at a time.
//
// Lifetime: the reader's state is shared with its iterators, so an iterator
// stays valid after the TableReader itself is destroyed (the table cache may
// evict a reader while a scan is using it). The block cache passed to Open
// must outlive the reader and all its iterators.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/dbformat.h"
#include "core/env.h"
#include "core/iterator.h"
#include "core/options.h"
#include "core/status.h"
#include "core/table/table_properties.h"

namespace strata {

class Block;
class BlockCache;

// What a table knows about a lookup key.
enum class TableGetResult {
  kNotFound,  // the table holds no visible version of the key: look further
  kValue,     // the newest visible version is a value (returned)
  kDeletion,  // the newest visible version is a tombstone: the key is absent
};

// Per-read choices.
struct TableReadOptions {
  // Whether data blocks read from disk are added to the block cache.
  // Compactions turn it off so that one pass over cold tables does not push
  // the hot blocks out.
  bool fill_cache = true;
  // Whether a mapped table's uncompressed blocks may be read where they lie
  // (Options::mmap_reads). Compactions turn it off: a pass over whole tables
  // reads them with pread, where the kernel's read-ahead serves a sequential
  // scan (a mapping is MADV_RANDOM, one page per fault) and the pages read
  // are not left mapped in the process.
  bool read_in_place = true;
};

class TableReader {
 public:
  // Opens the table in `file`, whose size is file_size; `file_number` names
  // it in error messages and `cache` (may be null: no caching) serves its
  // data blocks. On success *out holds the reader, which owns the file. A
  // file too short for a footer, a bad magic number, a checksum mismatch in
  // the footer or the blocks read here, or handles pointing outside the file
  // give Corruption; a newer format version gives NotSupported. On failure
  // *out is null.
  static Status Open(const Options& options, std::unique_ptr<RandomAccessFile> file,
                     uint64_t file_size, uint64_t file_number, BlockCache* cache,
                     std::unique_ptr<TableReader>* out);

  ~TableReader();
  TableReader(const TableReader&) = delete;
  TableReader& operator=(const TableReader&) = delete;

  // Looks up key: finds the first entry whose internal key is >= the lookup
  // key (the newest version at or below its sequence) and, if it has the
  // lookup's user key, reports its kind in *result, and for a value stores
  // the value in *value. Otherwise *result is kNotFound. The bloom filter
  // answers most lookups of absent keys without reading a data block.
  // On failure (I/O error, Corruption) *result is kNotFound and *value is
  // unspecified.
  Status Get(const LookupKey& key, TableGetResult* result, std::string* value,
             const TableReadOptions& read_options = {}) const;

  // The data block a lookup last read, kept by a caller that looks up many
  // keys in order (multi-get): a next key in the same block skips the block
  // cache. One per table; owned by the caller, who must not share it
  // between threads.
  struct BlockPin {
    std::string handle;  // the index entry of the block
    std::shared_ptr<const Block> block;
  };
  // Get, reusing and updating *pin (may be null). *sequence (when not null)
  // receives the found version's sequence number when *result is kValue or
  // kDeletion, so that the caller can ask whether a range tombstone hides it.
  Status Get(const LookupKey& key, TableGetResult* result, std::string* value,
             const TableReadOptions& read_options, BlockPin* pin,
             SequenceNumber* sequence = nullptr) const;
  // The same lookup without a copy: for kValue, *value points into the data
  // block that *pin (required, not null) now holds, valid while *pin keeps
  // that block (until its next use or its destruction); or, for a block read
  // in place from a mapped table (Options::mmap_reads), into the mapping,
  // valid while this reader lives (*pin is then left as it was).
  Status Get(const LookupKey& key, TableGetResult* result, std::string_view* value,
             const TableReadOptions& read_options, BlockPin* pin,
             SequenceNumber* sequence = nullptr) const;

  // An iterator over every entry of the table in internal-key order (keys
  // are internal keys). Supports Seek, SeekToFirst, SeekToLast, Next, Prev.
  // It shares the reader's state and pins the data block it is on.
  std::unique_ptr<InternalIterator> NewIterator(const TableReadOptions& read_options = {}) const;

  // False only if no key with this user key was added to the table. True
  // when the table has no filter.
  bool KeyMayMatch(std::string_view user_key) const;
  // Prefetches the filter memory KeyMayMatch(user_key) will read (see
  // BloomFilterReader::Prefetch).
  void PrefetchFilter(std::string_view user_key) const;

  // The approximate file offset at which the data for internal_key begins
  // (or would begin): for estimating the bytes in a key range.
  uint64_t ApproximateOffsetOf(std::string_view internal_key) const;

  // Checks what no checksum covers in the data area: that the data blocks
  // the index names follow one another without overlapping, and that the
  // bytes between them (the gaps of aligned blocks, table_builder.h) are
  // zeros, as written. Reads those bytes from the file. For a full check
  // (DB::Verify), beside reading every entry.
  Status VerifyGaps() const;

  const TableProperties& properties() const;
  uint64_t file_number() const;
  uint64_t file_size() const;
  // Whether the file is read through a mapping (its uncompressed blocks in
  // place): the file was opened mapped and the mapping covers it.
  bool mapped() const;
  // The bytes of index and filter held in memory (charged to the cache).
  size_t metadata_bytes() const;

 private:
  // The reader's shared state (defined in table_reader.cc): owned jointly by
  // the reader and its iterators.
  struct Rep;
  class TableBlocks;  // what NewIterator's two-level iterator walks

  explicit TableReader(std::shared_ptr<const Rep> rep);

  std::shared_ptr<const Rep> rep_;
};

}  // namespace strata
