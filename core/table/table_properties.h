// TableProperties: facts about a table recorded when it is built, stored in
// its properties block and read back when it is opened.
//
// Stored as a block (block_builder.h) in bytewise key order whose keys are
// property names ("strata.num_entries", ...) and whose values are varint64s,
// or raw bytes for the keys and the creator string. A reader ignores names it
// does not know and leaves missing ones at their defaults, so properties can
// be added without a format version bump.
//
// Thread safety: a value type.
#pragma once

#include <cstdint>
#include <string>

#include "core/dbformat.h"
#include "core/options.h"
#include "core/range_tombstone.h"
#include "core/status.h"

namespace strata {

class Block;

struct TableProperties {
  uint64_t num_entries = 0;
  uint64_t num_deletions = 0;
  uint64_t num_data_blocks = 0;
  // Bytes of internal keys and of values added, before prefix compression
  // and block compression.
  uint64_t raw_key_bytes = 0;
  uint64_t raw_value_bytes = 0;
  // Bytes the data blocks, the index block and the filter block take in the
  // file, trailers included.
  uint64_t data_bytes = 0;
  uint64_t index_bytes = 0;
  uint64_t filter_bytes = 0;
  // The internal-key range of the table; empty when it has no entries.
  std::string smallest_key;
  std::string largest_key;
  SequenceNumber smallest_sequence = 0;
  SequenceNumber largest_sequence = 0;
  // The compression the builder was configured with; a block that did not
  // shrink enough is stored uncompressed regardless.
  CompressionKind compression = CompressionKind::kNone;
  uint64_t bloom_bits_per_key = 0;
  uint64_t block_bytes = 0;
  uint64_t block_restart_interval = 0;
  // Wall-clock seconds since the Unix epoch when the table was finished.
  uint64_t creation_time = 0;
  // The software that wrote the table, e.g. "strata 1".
  std::string creator;
  // The range tombstones the table carries (range_tombstone.h); stored only
  // when there are any. They are not among its entries and do not widen its
  // key range.
  RangeTombstoneList range_deletions;
  // Tables written for a bulk ingest (sst_file_writer.h) store every entry
  // with sequence number 0 and carry "strata.global_sequence", a fixed64 (so
  // that it can be patched in place, global_sequence.h) that is 0 until the
  // database ingesting the table assigns one sequence number to all of its
  // entries. Flush and compaction tables do not carry it. Absent: 0.
  bool has_global_sequence = false;
  SequenceNumber global_sequence = 0;

  // The finished properties block's contents.
  std::string Encode() const;
  // Reads the properties from a properties block. Corruption when the block
  // is malformed or a known property's value is.
  Status DecodeFrom(const Block& block);
  // Where the 8 bytes of strata.global_sequence's value lie inside the
  // properties block `block` (its uncompressed contents); false when the
  // table has no such property. For patching it in place.
  static bool FindGlobalSequence(const Block& block, size_t* offset);
  // One "name: value" line per property, for tools and debugging.
  std::string ToString() const;
};

}  // namespace strata
