#include "core/memtable/memtable.h"

#include <algorithm>
#include <cassert>
#include <cstring>

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

MemTable::MemTable(MemTableKind kind) : MemTable(kind, MemTableIndexKind::kNone, 0) {}

MemTable::MemTable(MemTableKind kind, MemTableIndexKind index, size_t expected_bytes,
                   std::shared_ptr<SlabPool> slabs)
    : kind_(kind),
      arena_(std::move(slabs)),
      container_(NewSortedContainer(kind, &arena_)),
      index_(index == MemTableIndexKind::kHash
                 ? std::make_unique<MemTableHashIndex>(&arena_, expected_bytes)
                 : nullptr),
      empty_usage_(ApproximateMemoryUsage()) {}

MemTable::~MemTable() = default;

void MemTable::Add(SequenceNumber seq, ValueKind kind, std::string_view user_key,
                   std::string_view value) {
  if (kind == ValueKind::kDeletion) value = {};
  char* entry = container_->AllocateEntry(EncodedEntrySize(user_key, value));
  EncodeEntryInto(entry, user_key, seq, kind, value);
  container_->Insert(entry);
  if (index_) index_->Record(entry);
  // Counted after the insert, with release ordering (paired with the
  // acquire loads in NumEntries/NumDeletions), so that a reader that sees a
  // count can find at least that many entries.
  if (kind == ValueKind::kDeletion) num_deletions_.fetch_add(1, std::memory_order_release);
  num_entries_.fetch_add(1, std::memory_order_release);
}

const char* MemTable::AddUnlinked(SequenceNumber seq, ValueKind kind, std::string_view user_key,
                                  std::string_view value) {
  if (kind == ValueKind::kDeletion) value = {};
  char* entry = container_->AllocateEntry(EncodedEntrySize(user_key, value));
  EncodeEntryInto(entry, user_key, seq, kind, value);
  return entry;
}

namespace {

// A sort record: the first 16 bytes of the entry's user key, big-endian and
// zero-padded (so that comparing them orders like the keys, ties aside), and
// the entry. Sorting these moves 24 bytes and reads no entry unless two keys
// share 16 bytes, where sorting the entries themselves would miss the cache
// on every comparison.
struct SortRecord {
  uint64_t head;
  uint64_t tail;
  const char* entry;
};

SortRecord MakeSortRecord(const char* entry) {
  const std::string_view user_key = ExtractUserKey(EntryInternalKey(entry));
  unsigned char bytes[16] = {};
  std::memcpy(bytes, user_key.data(), std::min<size_t>(user_key.size(), 16));
  SortRecord r{0, 0, entry};
  for (int i = 0; i < 8; ++i) r.head = (r.head << 8) | bytes[i];
  for (int i = 8; i < 16; ++i) r.tail = (r.tail << 8) | bytes[i];
  return r;
}

}  // namespace

void MemTable::LinkAll(std::vector<const char*>* unlinked) {
  std::vector<SortRecord> records;
  records.reserve(unlinked->size());
  for (const char* e : *unlinked) records.push_back(MakeSortRecord(e));
  std::sort(records.begin(), records.end(), [](const SortRecord& a, const SortRecord& b) {
    if (a.head != b.head) return a.head < b.head;
    if (a.tail != b.tail) return a.tail < b.tail;
    return CompareInternalKeys(EntryInternalKey(a.entry), EntryInternalKey(b.entry)) < 0;
  });
  uint64_t deletions = 0;
  for (const SortRecord& r : records) {
    container_->InsertAllocated(r.entry);
    if (index_) index_->Record(r.entry);
    const uint64_t trailer = ExtractTrailer(EntryInternalKey(r.entry));
    if (static_cast<ValueKind>(trailer & 0xff) == ValueKind::kDeletion) ++deletions;
  }
  num_deletions_.fetch_add(deletions, std::memory_order_release);
  num_entries_.fetch_add(records.size(), std::memory_order_release);
  unlinked->clear();
}

void MemTable::AddRangeDeletion(SequenceNumber seq, std::string_view start,
                                std::string_view end) {
  // Charged to the arena like any entry, so that a memtable full of range
  // deletes is flushed like one full of puts.
  arena_.Allocate(start.size() + end.size() + sizeof(RangeTombstone));
  MutexLock lock(range_deletions_mu_);
  range_deletions_.push_back({std::string(start), std::string(end), seq});
  num_range_deletions_.fetch_add(1, std::memory_order_release);
}

RangeTombstoneList MemTable::RangeDeletions() const {
  MutexLock lock(range_deletions_mu_);
  return range_deletions_;
}

MemTable::LookupResult MemTable::Get(const LookupKey& key, std::string* value,
                                     SequenceNumber* sequence) const {
  std::string_view found;
  const LookupResult result = Get(key, &found, sequence);
  if (result == LookupResult::kFound) value->assign(found.data(), found.size());
  return result;
}

MemTable::LookupResult MemTable::Get(const LookupKey& key, std::string_view* value,
                                     SequenceNumber* sequence) const {
  // Internal keys of one user key are ordered newest first, and the lookup
  // key carries the reader's sequence with the largest kind, so the first
  // entry at or after it is the newest version visible to the reader — if
  // that entry belongs to the same user key at all.
  const char* entry = nullptr;
  if (index_) {
    // The index knows every key this memtable holds, and its newest entry:
    // that entry answers any reader that can see it; a reader whose
    // snapshot is older searches the container.
    entry = index_->Newest(key.user_key());
    if (entry == nullptr) return LookupResult::kAbsent;
    if ((ExtractTrailer(EntryInternalKey(entry)) >> 8) > key.sequence()) {
      entry = container_->LowerBound(key.internal_key());
    }
  } else {
    entry = container_->LowerBound(key.internal_key());
  }
  if (entry == nullptr) return LookupResult::kAbsent;
  const DecodedEntry decoded = DecodeEntry(entry);
  if (ExtractUserKey(decoded.internal_key) != key.user_key()) return LookupResult::kAbsent;
  const uint64_t trailer = ExtractTrailer(decoded.internal_key);
  if (sequence != nullptr) *sequence = trailer >> 8;
  const auto kind = static_cast<ValueKind>(trailer & 0xff);
  if (kind == ValueKind::kDeletion) return LookupResult::kDeleted;
  *value = decoded.value;
  return LookupResult::kFound;
}

std::unique_ptr<InternalIterator> MemTable::NewIterator() const {
  return std::make_unique<MemTableIterator>(container_->NewCursor());
}

size_t MemTable::ApproximateMemoryUsage() const {
  return arena_.MemoryUsage() + (index_ ? index_->BucketBytes() : 0);
}

}  // namespace strata
