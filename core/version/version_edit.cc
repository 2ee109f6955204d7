#include "core/version/version_edit.h"

#include "core/coding.h"
#include "core/filename.h"

namespace strata {

namespace {
// Tags are never renumbered.
enum Tag : uint32_t {
  kLogNumber = 1,
  kNextFileNumber = 2,
  kLastSequence = 3,
  kDeletedFile = 4,
  kNewFile = 5,
  // kNewFile's fields, then the table's smallest sequence number, its range
  // tombstones (range_tombstone.h) and range_deletions_applied. Written only
  // for tables that have range tombstones or applied some, so that a
  // database that never deletes a range keeps a manifest older strata reads.
  kNewFileWithRangeDeletions = 6,
};

bool GetLevel(std::string_view* input, int* level) {
  uint32_t v;
  if (!GetVarint32(input, &v) || v >= static_cast<uint32_t>(kNumLevels)) return false;
  *level = static_cast<int>(v);
  return true;
}
}  // namespace

void VersionEdit::EncodeTo(std::string* dst) const {
  if (log_number_) {
    PutVarint32(dst, kLogNumber);
    PutVarint64(dst, *log_number_);
  }
  if (next_file_number_) {
    PutVarint32(dst, kNextFileNumber);
    PutVarint64(dst, *next_file_number_);
  }
  if (last_sequence_) {
    PutVarint32(dst, kLastSequence);
    PutVarint64(dst, *last_sequence_);
  }
  for (const auto& [level, number] : deleted_files_) {
    PutVarint32(dst, kDeletedFile);
    PutVarint32(dst, static_cast<uint32_t>(level));
    PutVarint64(dst, number);
  }
  for (const auto& [level, f] : new_files_) {
    const bool extended = !f.range_deletions.empty() || f.range_deletions_applied != 0;
    PutVarint32(dst, extended ? kNewFileWithRangeDeletions : kNewFile);
    PutVarint32(dst, static_cast<uint32_t>(level));
    PutVarint64(dst, f.number);
    PutVarint64(dst, f.file_size);
    PutLengthPrefixed(dst, f.smallest);
    PutLengthPrefixed(dst, f.largest);
    PutVarint64(dst, f.num_entries);
    PutVarint64(dst, f.num_deletions);
    if (extended) {
      PutVarint64(dst, f.smallest_sequence);
      EncodeRangeTombstones(f.range_deletions, dst);
      PutVarint64(dst, f.range_deletions_applied);
    }
  }
}

Status VersionEdit::DecodeFrom(std::string_view input) {
  *this = VersionEdit();
  while (!input.empty()) {
    uint32_t tag;
    if (!GetVarint32(&input, &tag)) return Status::Corruption("version edit: bad tag");
    uint64_t v;
    switch (tag) {
      case kLogNumber:
        if (!GetVarint64(&input, &v)) return Status::Corruption("version edit: bad log number");
        log_number_ = v;
        break;
      case kNextFileNumber:
        if (!GetVarint64(&input, &v)) return Status::Corruption("version edit: bad next file number");
        // kMaxFileNumber + 1: the counter after the last number it may give.
        if (v > kMaxFileNumber + 1) {
          return Status::Corruption("version edit: next file number " + std::to_string(v) +
                                    " is beyond the largest file number");
        }
        next_file_number_ = v;
        break;
      case kLastSequence:
        if (!GetVarint64(&input, &v)) return Status::Corruption("version edit: bad last sequence");
        last_sequence_ = v;
        break;
      case kDeletedFile: {
        int level;
        if (!GetLevel(&input, &level) || !GetVarint64(&input, &v)) {
          return Status::Corruption("version edit: bad deleted file");
        }
        deleted_files_.emplace(level, v);
        break;
      }
      case kNewFile:
      case kNewFileWithRangeDeletions: {
        int level;
        FileMetaData f;
        std::string_view smallest, largest;
        if (!GetLevel(&input, &level) || !GetVarint64(&input, &f.number) ||
            !GetVarint64(&input, &f.file_size) || !GetLengthPrefixed(&input, &smallest) ||
            !GetLengthPrefixed(&input, &largest) || !GetVarint64(&input, &f.num_entries) ||
            !GetVarint64(&input, &f.num_deletions) || smallest.size() < 8 || largest.size() < 8) {
          return Status::Corruption("version edit: bad new file");
        }
        if (f.number > kMaxFileNumber) {
          return Status::Corruption("version edit: table number " + std::to_string(f.number) +
                                    " is beyond the largest file number");
        }
        if (tag == kNewFileWithRangeDeletions) {
          Status t;
          if (!GetVarint64(&input, &f.smallest_sequence)) t = Status::Corruption("truncated");
          if (t.ok()) t = DecodeRangeTombstones(&input, &f.range_deletions);
          if (t.ok() && !GetVarint64(&input, &f.range_deletions_applied)) {
            t = Status::Corruption("truncated");
          }
          if (!t.ok()) return Status::Corruption("version edit: bad new file: " + t.message());
        }
        f.smallest.assign(smallest);
        f.largest.assign(largest);
        new_files_.emplace_back(level, std::move(f));
        break;
      }
      default:
        return Status::Corruption("version edit: unknown tag " + std::to_string(tag));
    }
  }
  return Status::OK();
}

std::string VersionEdit::DebugString() const {
  std::string out = "VersionEdit {";
  if (log_number_) out += " log_number=" + std::to_string(*log_number_);
  if (next_file_number_) out += " next_file=" + std::to_string(*next_file_number_);
  if (last_sequence_) out += " last_seq=" + std::to_string(*last_sequence_);
  for (const auto& [level, number] : deleted_files_) {
    out += " -L" + std::to_string(level) + ":" + std::to_string(number);
  }
  for (const auto& [level, f] : new_files_) {
    out += " +L" + std::to_string(level) + ":" + std::to_string(f.number) + "(" +
           std::to_string(f.file_size) + "B)";
  }
  out += " }";
  return out;
}

}  // namespace strata
