// WriteBatch: an ordered list of puts and deletes applied atomically.
//
// Its encoding is also the WAL record payload (docs/FORMATS.md):
//   sequence : fixed64  sequence number of the first operation
//   count    : fixed32  number of operations
//   then per operation:
//     kind   : 1 byte   1 = put, 0 = delete, 2 = range delete
//     key    : varint32 length + bytes (a range delete's start)
//     value  : varint32 length + bytes (puts only; a range delete's end)
// Operation i gets sequence number `sequence + i`, so a later operation on
// the same key wins.
//
// Thread safety: one thread at a time; a const batch may be read by many.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/dbformat.h"
#include "core/status.h"

namespace strata {

class WriteBatch {
 public:
  // Receives the operations of a batch in order.
  class Handler {
   public:
    virtual ~Handler() = default;
    virtual void Put(std::string_view key, std::string_view value) = 0;
    virtual void Delete(std::string_view key) = 0;
    // Every key in [start, end); start < end.
    virtual void DeleteRange(std::string_view start, std::string_view end) = 0;
  };

  WriteBatch();

  void Put(std::string_view key, std::string_view value);
  void Delete(std::string_view key);
  // Deletes every key in [start, end) (a range tombstone, range_tombstone.h).
  // An empty or reversed range adds nothing.
  void DeleteRange(std::string_view start, std::string_view end);
  void Clear();

  uint32_t Count() const;
  size_t ByteSize() const { return rep_.size(); }
  // ByteSize() after a Put or Delete of keys and values of these lengths:
  // lets a caller refuse an entry that would take the batch past
  // kMaxWriteBatchBytes before adding it.
  size_t ByteSizeAfterPut(size_t key_len, size_t value_len) const;
  size_t ByteSizeAfterDelete(size_t key_len) const;
  size_t ByteSizeAfterDeleteRange(size_t start_len, size_t end_len) const;
  // Whether the batch holds a range delete (the write path then republishes
  // what readers consult; see DB::RunWriter).
  bool HasRangeDeletion() const { return has_range_deletion_; }
  SequenceNumber Sequence() const;
  void SetSequence(SequenceNumber seq);

  // Appends src's operations to this batch (group commit).
  void Append(const WriteBatch& src);

  // Calls the handler for each operation; Corruption if the encoding is bad.
  Status Iterate(Handler* handler) const;

  std::string_view Contents() const { return rep_; }
  // Replaces the contents with an encoded batch read from a WAL; the caller
  // must Validate it before trusting Count() or Sequence().
  Status SetContents(std::string_view contents);

  // Checks a batch read back: its operations parse, there are Count() of
  // them, and its sequence numbers Sequence() .. Sequence() + Count() - 1 do
  // not pass kMaxSequenceNumber (past it they would wrap in the internal
  // keys). Corruption saying what is wrong otherwise. A log's checksums vouch
  // for its bytes, not for their sense: recovery, repair and the tool all
  // check a record's batch here before using it.
  Status Validate() const;

 private:
  std::string rep_;
  bool has_range_deletion_ = false;
};

// The operation kind byte of a range delete in the encoding above. Never
// the kind of an internal key: range tombstones are kept beside the keys.
inline constexpr char kBatchRangeDeletion = 2;

inline constexpr size_t kWriteBatchHeaderBytes = 12;
// The largest batch DB::Write accepts (ByteSize()); larger ones are refused
// before anything is written. It fits one WAL record (log::kMaxPayloadBytes)
// with room to spare, and is the C ABI's KV_MAX_BATCH_BYTES.
inline constexpr size_t kMaxWriteBatchBytes = size_t{2} << 30;

}  // namespace strata
