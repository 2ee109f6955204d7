// WriteBatch: an ordered list of puts and deletes applied atomically.
//
// Its encoding is also the WAL record payload (docs/FORMATS.md):
//   sequence : fixed64  sequence number of the first operation
//   count    : fixed32  number of operations
//   then per operation:
//     kind   : 1 byte   ValueKind (1 = put, 0 = delete)
//     key    : varint32 length + bytes
//     value  : varint32 length + bytes (puts only)
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
  };

  WriteBatch();

  void Put(std::string_view key, std::string_view value);
  void Delete(std::string_view key);
  void Clear();

  uint32_t Count() const;
  size_t ByteSize() const { return rep_.size(); }
  // ByteSize() after a Put or Delete of keys and values of these lengths:
  // lets a caller refuse an entry that would take the batch past
  // kMaxWriteBatchBytes before adding it.
  size_t ByteSizeAfterPut(size_t key_len, size_t value_len) const;
  size_t ByteSizeAfterDelete(size_t key_len) const;
  SequenceNumber Sequence() const;
  void SetSequence(SequenceNumber seq);

  // Appends src's operations to this batch (group commit).
  void Append(const WriteBatch& src);

  // Calls the handler for each operation; Corruption if the encoding is bad.
  Status Iterate(Handler* handler) const;

  std::string_view Contents() const { return rep_; }
  // Replaces the contents with an encoded batch read from a WAL; the caller
  // must Iterate to validate it.
  Status SetContents(std::string_view contents);

 private:
  std::string rep_;
};

inline constexpr size_t kWriteBatchHeaderBytes = 12;
// The largest batch DB::Write accepts (ByteSize()); larger ones are refused
// before anything is written. It fits one WAL record (log::kMaxPayloadBytes)
// with room to spare, and is the C ABI's KV_MAX_BATCH_BYTES.
inline constexpr size_t kMaxWriteBatchBytes = size_t{2} << 30;

}  // namespace strata
