#include "core/memtable/sorted_container.h"

#include <cstring>
#include <limits>

#include "core/memtable/avl_tree.h"
#include "core/memtable/red_black_tree.h"
#include "core/memtable/skip_list.h"

namespace strata {

SortedContainer::Cursor::~Cursor() = default;
SortedContainer::~SortedContainer() = default;

std::unique_ptr<SortedContainer> NewSortedContainer(MemTableKind kind, Arena* arena) {
  switch (kind) {
    case MemTableKind::kSkipList:
      return std::make_unique<SkipList>(arena);
    case MemTableKind::kRedBlackTree:
      return std::make_unique<RedBlackTree>(arena);
    case MemTableKind::kAvlTree:
      return std::make_unique<AvlTree>(arena);
  }
  // Options::Set only produces the kinds above; reaching here means memory
  // corruption or a new kind without a container.
  assert(false && "unknown MemTableKind");
  return std::make_unique<SkipList>(arena);
}

size_t EncodedEntrySize(std::string_view user_key, std::string_view value) {
  const size_t key_size = user_key.size() + kInternalKeyTrailerBytes;
  return VarintLength(key_size) + key_size + VarintLength(value.size()) + value.size();
}

void EncodeEntryInto(char* buffer, std::string_view user_key, SequenceNumber seq, ValueKind kind,
                     std::string_view value) {
  const size_t key_size = user_key.size() + kInternalKeyTrailerBytes;
  assert(key_size <= std::numeric_limits<uint32_t>::max());
  assert(value.size() <= std::numeric_limits<uint32_t>::max());
  assert(seq <= kMaxSequenceNumber);
  char* p = EncodeVarint32(buffer, static_cast<uint32_t>(key_size));
  // An empty user key or value may have a null data(); memcpy must not see it.
  if (!user_key.empty()) std::memcpy(p, user_key.data(), user_key.size());
  p += user_key.size();
  EncodeFixed64(p, PackSequenceAndKind(seq, kind));
  p += kInternalKeyTrailerBytes;
  p = EncodeVarint32(p, static_cast<uint32_t>(value.size()));
  if (!value.empty()) std::memcpy(p, value.data(), value.size());
  assert(p + value.size() == buffer + EncodedEntrySize(user_key, value));
}

const char* EncodeEntry(Arena* arena, std::string_view user_key, SequenceNumber seq,
                        ValueKind kind, std::string_view value) {
  // Entries are plain bytes, so they take the arena's unaligned path.
  char* const entry = arena->Allocate(EncodedEntrySize(user_key, value));
  EncodeEntryInto(entry, user_key, seq, kind, value);
  return entry;
}

size_t EntrySize(const char* entry) {
  const DecodedEntry decoded = DecodeEntry(entry);
  return static_cast<size_t>(decoded.value.data() + decoded.value.size() - entry);
}

}  // namespace strata
