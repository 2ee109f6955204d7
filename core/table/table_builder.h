// TableBuilder: writes a sorted run of internal entries as a table file
// (format.h describes the layout).
//
// Entries go into data blocks of about Options::block_bytes (prefix-compressed,
// a restart point every Options::block_restart_interval keys, compressed with
// Options::compression when that saves at least 12.5%). Each finished block
// gets an index entry whose key separates it from the next block
// (separator.h). The user keys go into one bloom filter for the whole table
// (none when Options::bloom_bits_per_key is 0). Finish() appends the filter,
// properties and index blocks and the footer.
//
// Aligned blocks (Options::block_align, with no compression and a power of
// two for block_bytes): each data block with its trailer fits in block_bytes
// (a block ends before an entry that would overflow it) and starts at a
// multiple of block_bytes (the gap before it is zeros that no handle names),
// so reading a block from storage reads one page, or a whole number of
// pages, not one more. A single entry larger than that gets a block of its
// own, which is aligned but spans several units.
//
// Errors are sticky: after a write fails or a precondition is violated, every
// later Add and Finish returns that same status, and the file must be
// discarded.
//
// Thread safety: one thread at a time.
// Ownership: borrows `file`, which must outlive the builder. The builder
// neither syncs nor closes it: the caller does both after Finish().
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/env.h"
#include "core/options.h"
#include "core/status.h"
#include "core/table/block_builder.h"
#include "core/table/bloom_filter.h"
#include "core/table/format.h"
#include "core/table/table_properties.h"

namespace strata {

class TableBuilder {
 public:
  TableBuilder(const Options& options, WritableFile* file);
  // REQUIRES: Finish() or Abandon() has been called.
  ~TableBuilder();
  TableBuilder(const TableBuilder&) = delete;
  TableBuilder& operator=(const TableBuilder&) = delete;

  // Appends an entry. `internal_key` is a user key plus its 8-byte trailer
  // (core/dbformat.h).
  // REQUIRES: internal_key sorts strictly after every key added before
  // (CompareInternalKeys). A violation is not written: it returns (and
  // leaves) InvalidArgument, as does a key shorter than 8 bytes.
  // REQUIRES: Finish() and Abandon() have not been called.
  Status Add(std::string_view internal_key, std::string_view value);

  // Records a range tombstone the table carries (in its properties; see
  // range_tombstone.h). Any order, any range: it need not lie within the
  // table's keys. REQUIRES: start < end; Finish() and Abandon() not called.
  void AddRangeDeletion(const RangeTombstone& tombstone);

  // Writes the remaining data block, the filter, properties and index blocks
  // and the footer. Returns the first error met by the builder, if any.
  // REQUIRES: Finish() and Abandon() have not been called.
  Status Finish();

  // Makes the table carry the property strata.global_sequence (0 for now):
  // for tables written to be ingested (sst_file_writer.h), whose entries all
  // have sequence 0 until an ingest assigns one (global_sequence.h).
  // REQUIRES: Finish() and Abandon() have not been called.
  void AddGlobalSequenceProperty() { props_.has_global_sequence = true; }

  // Gives up on the table: nothing more is written. The caller deletes the
  // file. REQUIRES: Finish() and Abandon() have not been called.
  void Abandon();

  // The first error met so far.
  Status status() const { return status_; }

  uint64_t NumEntries() const { return props_.num_entries; }
  // Bytes written to the file so far; after Finish(), the table's size.
  uint64_t FileSize() const { return offset_; }
  // The first and last internal keys added; empty before the first Add.
  std::string_view smallest_key() const { return props_.smallest_key; }
  std::string_view largest_key() const { return last_key_; }
  // What has been recorded so far; complete after Finish().
  const TableProperties& properties() const { return props_; }

 private:
  // Ends the current data block, if it has entries, and writes it.
  void FlushDataBlock();
  // Writes zeros up to the next multiple of align_bytes_.
  void PadToAlignment();
  // Compresses (with `kind`, if it pays) and writes one block and its trailer;
  // *handle locates it.
  void WriteBlock(std::string_view raw, CompressionKind kind, BlockHandle* handle);
  Status Fail(Status s);

  const Options options_;
  // The unit data blocks are aligned to and fit in; 0: not aligned.
  const size_t align_bytes_;
  WritableFile* const file_;
  uint64_t offset_ = 0;
  Status status_;
  bool closed_ = false;

  BlockBuilder data_block_;
  BlockBuilder index_block_;
  std::unique_ptr<BloomFilterBuilder> filter_;  // null: no filter
  BlockCompressor compressor_;
  TableProperties props_;
  std::string last_key_;

  // The index entry of a data block is added only when the next block's
  // first key is known (or at Finish), so that its separator can be short.
  bool pending_index_entry_ = false;
  BlockHandle pending_handle_;
};

}  // namespace strata
