#include "core/table/table_builder.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <chrono>

#include "core/checksum.h"
#include "core/coding.h"
#include "core/dbformat.h"
#include "core/table/separator.h"

namespace strata {

namespace {

uint64_t UnixSecondsNow() {
  // Informational only (properties), so the wall clock rather than the Env's
  // monotonic one.
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

}  // namespace

TableBuilder::TableBuilder(const Options& options, WritableFile* file)
    : options_(options),
      // Compressed blocks have no fixed size to align: padding each to the
      // unit would give back on disk what compression saved.
      align_bytes_(options.block_align && options.compression == CompressionKind::kNone &&
                           std::has_single_bit(options.block_bytes)
                       ? options.block_bytes
                       : 0),
      file_(file),
      data_block_(options.block_restart_interval),
      // Every index key is a restart point: a Seek in the index is a pure
      // binary search, and the index's prefix compression would save little
      // on keys that already differ early (separators are shortened).
      index_block_(1) {
  if (options_.bloom_bits_per_key > 0) {
    filter_ = std::make_unique<BloomFilterBuilder>(options_.bloom_bits_per_key);
  }
  props_.compression = options_.compression;
  props_.bloom_bits_per_key = static_cast<uint64_t>(std::max(options_.bloom_bits_per_key, 0));
  props_.block_bytes = options_.block_bytes;
  props_.block_restart_interval =
      static_cast<uint64_t>(std::max(options_.block_restart_interval, 1));
  props_.creator = "strata (table format " + std::to_string(kTableFormatVersion) + ")";
}

TableBuilder::~TableBuilder() { assert(closed_); }

Status TableBuilder::Fail(Status s) {
  if (status_.ok()) status_ = std::move(s);
  return status_;
}

Status TableBuilder::Add(std::string_view internal_key, std::string_view value) {
  assert(!closed_);
  if (closed_) return Fail(Status::InvalidArgument("TableBuilder::Add after Finish or Abandon"));
  if (!status_.ok()) return status_;
  if (internal_key.size() < kInternalKeyTrailerBytes) {
    return Fail(Status::InvalidArgument("internal key of " + std::to_string(internal_key.size()) +
                                        " bytes is shorter than its trailer"));
  }
  const bool first = props_.num_entries == 0;
  // A broken order would make the table unreadable by binary search; one
  // comparison per entry is cheap insurance against a caller's bug.
  if (!first && CompareInternalKeys(internal_key, last_key_) <= 0) {
    return Fail(Status::InvalidArgument("table keys added out of order"));
  }

  if (align_bytes_ != 0 && !data_block_.empty() &&
      data_block_.SizeEstimateAfter(internal_key, value) + kBlockTrailerBytes > align_bytes_) {
    FlushDataBlock();
    if (!status_.ok()) return status_;
  }
  if (pending_index_entry_) {
    assert(data_block_.empty());
    std::string handle;
    pending_handle_.EncodeTo(&handle);
    index_block_.Add(IndexSeparator(last_key_, internal_key), handle);
    pending_index_entry_ = false;
  }
  if (filter_) filter_->AddKey(ExtractUserKey(internal_key));

  const uint64_t trailer = ExtractTrailer(internal_key);
  const SequenceNumber seq = trailer >> 8;
  if (first) {
    props_.smallest_key.assign(internal_key);
    props_.smallest_sequence = props_.largest_sequence = seq;
  } else {
    props_.smallest_sequence = std::min(props_.smallest_sequence, seq);
    props_.largest_sequence = std::max(props_.largest_sequence, seq);
  }
  if ((trailer & 0xff) == static_cast<uint64_t>(ValueKind::kDeletion)) ++props_.num_deletions;
  ++props_.num_entries;
  props_.raw_key_bytes += internal_key.size();
  props_.raw_value_bytes += value.size();
  last_key_.assign(internal_key);

  data_block_.Add(internal_key, value);
  // An aligned block ends before the entry that would overflow it (above).
  if (align_bytes_ == 0 && data_block_.CurrentSizeEstimate() >= options_.block_bytes) {
    FlushDataBlock();
  }
  return status_;
}

void TableBuilder::FlushDataBlock() {
  if (data_block_.empty() || !status_.ok()) return;
  if (align_bytes_ != 0) PadToAlignment();
  WriteBlock(data_block_.Finish(), options_.compression, &pending_handle_);
  data_block_.Reset();
  if (!status_.ok()) return;
  pending_index_entry_ = true;
  ++props_.num_data_blocks;
  props_.data_bytes += pending_handle_.size() + kBlockTrailerBytes;
}

void TableBuilder::PadToAlignment() {
  const size_t gap = (align_bytes_ - offset_ % align_bytes_) % align_bytes_;
  if (gap == 0 || !status_.ok()) return;
  static constexpr char kZeros[4096] = {};
  for (size_t left = gap; left > 0;) {
    const size_t n = std::min(left, sizeof(kZeros));
    Status s = file_->Append(std::string_view(kZeros, n));
    if (!s.ok()) {
      Fail(std::move(s));
      return;
    }
    left -= n;
  }
  offset_ += gap;
}

void TableBuilder::WriteBlock(std::string_view raw, CompressionKind kind, BlockHandle* handle) {
  if (!status_.ok()) return;
  if (raw.size() > kMaxBlockBytes) {
    Fail(Status::InvalidArgument("table block of " + std::to_string(raw.size()) +
                                 " bytes exceeds the format's limit"));
    return;
  }
  std::string_view stored;
  const CompressionKind used = compressor_.Compress(raw, kind, &stored);
  handle->set_offset(offset_);
  handle->set_size(stored.size());

  char trailer[kBlockTrailerBytes];
  trailer[0] = static_cast<char>(used);
  EncodeFixed32(trailer + 1, Checksum32Extend(stored.data(), stored.size(), trailer, 1));
  Status s = file_->Append(stored);
  if (s.ok()) s = file_->Append(std::string_view(trailer, kBlockTrailerBytes));
  if (!s.ok()) {
    Fail(std::move(s));
    return;
  }
  offset_ += stored.size() + kBlockTrailerBytes;
}

void TableBuilder::AddRangeDeletion(const RangeTombstone& tombstone) {
  assert(!closed_ && tombstone.start < tombstone.end);
  props_.range_deletions.push_back(tombstone);
}

Status TableBuilder::Finish() {
  assert(!closed_);
  if (closed_) return Fail(Status::InvalidArgument("TableBuilder::Finish called twice"));
  FlushDataBlock();
  closed_ = true;
  if (!status_.ok()) return status_;

  Footer footer;
  if (filter_) {
    // Filter bits are random: compressing them would only cost time.
    WriteBlock(filter_->Finish(), CompressionKind::kNone, &footer.filter_handle);
    props_.filter_bytes = footer.filter_handle.size() + kBlockTrailerBytes;
  }

  if (pending_index_entry_) {
    std::string handle;
    pending_handle_.EncodeTo(&handle);
    index_block_.Add(IndexSuccessor(last_key_), handle);
    pending_index_entry_ = false;
  }
  WriteBlock(index_block_.Finish(), options_.compression, &footer.index_handle);
  props_.index_bytes = footer.index_handle.size() + kBlockTrailerBytes;

  props_.largest_key = last_key_;
  props_.creation_time = UnixSecondsNow();
  WriteBlock(props_.Encode(), CompressionKind::kNone, &footer.properties_handle);
  if (!status_.ok()) return status_;

  std::string encoded;
  footer.EncodeTo(&encoded);
  Status s = file_->Append(encoded);
  if (!s.ok()) return Fail(std::move(s));
  offset_ += encoded.size();
  return status_;
}

void TableBuilder::Abandon() {
  assert(!closed_);
  closed_ = true;
}

}  // namespace strata
