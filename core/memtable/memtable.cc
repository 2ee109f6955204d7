#include "core/memtable/memtable.h"

#include <cassert>

namespace strata {

namespace {

// Adapts a container cursor to the engine's iterator interface. Decoding is
// done on demand: key() and value() are a varint read away from the entry,
// and a scan that only looks at keys never touches the values.
class MemTableIterator final : public InternalIterator {
 public:
  explicit MemTableIterator(std::unique_ptr<SortedContainer::Cursor> cursor)
      : cursor_(std::move(cursor)) {}

  bool Valid() const override { return cursor_->Valid(); }
  void SeekToFirst() override { cursor_->SeekToFirst(); }
  void SeekToLast() override { cursor_->SeekToLast(); }
  void Seek(std::string_view target) override {
    assert(target.size() >= kInternalKeyTrailerBytes);
    cursor_->Seek(target);
  }
  void Next() override {
    assert(Valid());
    cursor_->Next();
  }
  void Prev() override {
    assert(Valid());
    cursor_->Prev();
  }
  std::string_view key() const override {
    assert(Valid());
    return EntryInternalKey(cursor_->entry());
  }
  std::string_view value() const override {
    assert(Valid());
    return DecodeEntry(cursor_->entry()).value;
  }
  // Reading memory cannot fail.
  Status status() const override { return Status::OK(); }

 private:
  const std::unique_ptr<SortedContainer::Cursor> cursor_;
};

}  // namespace

MemTable::MemTable(MemTableKind kind)
    : kind_(kind),
      container_(NewSortedContainer(kind, &arena_)),
      empty_usage_(arena_.MemoryUsage()) {}

MemTable::~MemTable() = default;

void MemTable::Add(SequenceNumber seq, ValueKind kind, std::string_view user_key,
                   std::string_view value) {
  if (kind == ValueKind::kDeletion) value = {};
  char* entry = container_->AllocateEntry(EncodedEntrySize(user_key, value));
  EncodeEntryInto(entry, user_key, seq, kind, value);
  container_->Insert(entry);
  // Counted after the insert, with release ordering (paired with the
  // acquire loads in NumEntries/NumDeletions), so that a reader that sees a
  // count can find at least that many entries.
  if (kind == ValueKind::kDeletion) num_deletions_.fetch_add(1, std::memory_order_release);
  num_entries_.fetch_add(1, std::memory_order_release);
}

MemTable::LookupResult MemTable::Get(const LookupKey& key, std::string* value) const {
  // Internal keys of one user key are ordered newest first, and the lookup
  // key carries the reader's sequence with the largest kind, so the first
  // entry at or after it is the newest version visible to the reader — if
  // that entry belongs to the same user key at all.
  const char* entry = container_->LowerBound(key.internal_key());
  if (entry == nullptr) return LookupResult::kAbsent;
  const DecodedEntry decoded = DecodeEntry(entry);
  if (ExtractUserKey(decoded.internal_key) != key.user_key()) return LookupResult::kAbsent;
  const auto kind = static_cast<ValueKind>(ExtractTrailer(decoded.internal_key) & 0xff);
  if (kind == ValueKind::kDeletion) return LookupResult::kDeleted;
  value->assign(decoded.value.data(), decoded.value.size());
  return LookupResult::kFound;
}

std::unique_ptr<InternalIterator> MemTable::NewIterator() const {
  return std::make_unique<MemTableIterator>(container_->NewCursor());
}

size_t MemTable::ApproximateMemoryUsage() const { return arena_.MemoryUsage(); }

}  // namespace strata
