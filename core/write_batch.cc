#include "core/write_batch.h"

#include "core/coding.h"
#include "core/wal/log_format.h"

namespace strata {

static_assert(kMaxWriteBatchBytes <= log::kMaxPayloadBytes,
              "a batch DB::Write accepts must fit one WAL record");

WriteBatch::WriteBatch() { Clear(); }

void WriteBatch::Clear() {
  has_range_deletion_ = false;
  rep_.clear();
  rep_.resize(kWriteBatchHeaderBytes);
}

uint32_t WriteBatch::Count() const { return DecodeFixed32(rep_.data() + 8); }

SequenceNumber WriteBatch::Sequence() const { return DecodeFixed64(rep_.data()); }

void WriteBatch::SetSequence(SequenceNumber seq) { EncodeFixed64(rep_.data(), seq); }

void WriteBatch::Put(std::string_view key, std::string_view value) {
  EncodeFixed32(rep_.data() + 8, Count() + 1);
  rep_.push_back(static_cast<char>(ValueKind::kValue));
  PutLengthPrefixed(&rep_, key);
  PutLengthPrefixed(&rep_, value);
}

size_t WriteBatch::ByteSizeAfterPut(size_t key_len, size_t value_len) const {
  return ByteSizeAfterDelete(key_len) + VarintLength(value_len) + value_len;
}

size_t WriteBatch::ByteSizeAfterDelete(size_t key_len) const {
  return rep_.size() + 1 + VarintLength(key_len) + key_len;
}

void WriteBatch::Delete(std::string_view key) {
  EncodeFixed32(rep_.data() + 8, Count() + 1);
  rep_.push_back(static_cast<char>(ValueKind::kDeletion));
  PutLengthPrefixed(&rep_, key);
}

void WriteBatch::DeleteRange(std::string_view start, std::string_view end) {
  if (!(start < end)) return;
  EncodeFixed32(rep_.data() + 8, Count() + 1);
  rep_.push_back(kBatchRangeDeletion);
  PutLengthPrefixed(&rep_, start);
  PutLengthPrefixed(&rep_, end);
  has_range_deletion_ = true;
}

size_t WriteBatch::ByteSizeAfterDeleteRange(size_t start_len, size_t end_len) const {
  return ByteSizeAfterDelete(start_len) + VarintLength(end_len) + end_len;
}

void WriteBatch::Append(const WriteBatch& src) {
  has_range_deletion_ |= src.has_range_deletion_;
  EncodeFixed32(rep_.data() + 8, Count() + src.Count());
  rep_.append(src.rep_.data() + kWriteBatchHeaderBytes, src.rep_.size() - kWriteBatchHeaderBytes);
}

Status WriteBatch::SetContents(std::string_view contents) {
  if (contents.size() < kWriteBatchHeaderBytes) {
    return Status::Corruption("write batch shorter than its header");
  }
  rep_.assign(contents.data(), contents.size());
  // Known only after Iterate; a batch read back is never written again.
  has_range_deletion_ = true;
  return Status::OK();
}

Status WriteBatch::Validate() const {
  // Parsing is the check: a handler that keeps nothing.
  struct Ignore : Handler {
    void Put(std::string_view, std::string_view) override {}
    void Delete(std::string_view) override {}
    void DeleteRange(std::string_view, std::string_view) override {}
  } ignore;
  STRATA_RETURN_IF_ERROR(Iterate(&ignore));
  const uint32_t count = Count();
  if (count > 0 && (Sequence() > kMaxSequenceNumber || count - 1 > kMaxSequenceNumber - Sequence())) {
    return Status::Corruption("write batch: its sequence numbers exceed the largest");
  }
  return Status::OK();
}

Status WriteBatch::Iterate(Handler* handler) const {
  std::string_view input(rep_);
  input.remove_prefix(kWriteBatchHeaderBytes);
  uint32_t found = 0;
  while (!input.empty()) {
    const char kind = input[0];
    input.remove_prefix(1);
    std::string_view key, value;
    if (kind == static_cast<char>(ValueKind::kValue)) {
      if (!GetLengthPrefixed(&input, &key) || !GetLengthPrefixed(&input, &value)) {
        return Status::Corruption("write batch: truncated put");
      }
      handler->Put(key, value);
    } else if (kind == static_cast<char>(ValueKind::kDeletion)) {
      if (!GetLengthPrefixed(&input, &key)) return Status::Corruption("write batch: truncated delete");
      handler->Delete(key);
    } else if (kind == kBatchRangeDeletion) {
      if (!GetLengthPrefixed(&input, &key) || !GetLengthPrefixed(&input, &value)) {
        return Status::Corruption("write batch: truncated range delete");
      }
      if (!(key < value)) return Status::Corruption("write batch: an empty range delete");
      handler->DeleteRange(key, value);
    } else {
      return Status::Corruption("write batch: unknown operation kind");
    }
    ++found;
  }
  if (found != Count()) return Status::Corruption("write batch: count does not match contents");
  return Status::OK();
}

}  // namespace strata
