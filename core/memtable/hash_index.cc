#include "core/memtable/hash_index.h"

#include <bit>
#include <cstdlib>
#include <new>

#include "core/checksum.h"
#include "core/dbformat.h"
#include "core/memtable/sorted_container.h"

namespace strata {

namespace {

size_t BucketCountFor(size_t expected_bytes) {
  const size_t wanted = std::max<size_t>(expected_bytes / 128, 1024);
  return std::bit_ceil(std::min<size_t>(wanted, size_t{1} << 28));
}

}  // namespace

MemTableHashIndex::MemTableHashIndex(Arena* arena, size_t expected_bytes)
    : arena_(arena),
      bucket_count_(BucketCountFor(expected_bytes)),
      buckets_(static_cast<std::atomic<Node*>*>(
          std::calloc(bucket_count_, sizeof(std::atomic<Node*>)))) {
  // A zero-filled std::atomic<Node*> is a null pointer on every platform
  // strata builds for; calloc leaves the pages untouched until written.
  static_assert(std::atomic<Node*>::is_always_lock_free);
  if (buckets_ == nullptr) throw std::bad_alloc();
}

MemTableHashIndex::~MemTableHashIndex() { std::free(buckets_); }

void MemTableHashIndex::Record(const char* entry) {
  const std::string_view internal_key = EntryInternalKey(entry);
  const std::string_view user_key = ExtractUserKey(internal_key);
  const uint64_t hash = Hash64(user_key);
  std::atomic<Node*>* bucket = Bucket(hash);
  for (Node* n = bucket->load(std::memory_order_relaxed); n != nullptr; n = n->next) {
    if (n->hash != hash) continue;
    const char* current = n->entry.load(std::memory_order_relaxed);
    const std::string_view current_key = EntryInternalKey(current);
    if (ExtractUserKey(current_key) != user_key) continue;
    // Newer means a larger sequence number (the trailer orders by it).
    if (ExtractTrailer(internal_key) > ExtractTrailer(current_key)) {
      n->entry.store(entry, std::memory_order_release);
    }
    return;
  }
  void* memory = arena_->AllocateAligned(sizeof(Node));
  Node* node = new (memory) Node{{entry}, bucket->load(std::memory_order_relaxed), hash};
  // Release: a reader that finds the node sees its fields and the entry.
  bucket->store(node, std::memory_order_release);
}

const char* MemTableHashIndex::Newest(std::string_view user_key) const {
  const uint64_t hash = Hash64(user_key);
  for (Node* n = Bucket(hash)->load(std::memory_order_acquire); n != nullptr; n = n->next) {
    if (n->hash != hash) continue;
    const char* entry = n->entry.load(std::memory_order_acquire);
    if (ExtractUserKey(EntryInternalKey(entry)) == user_key) return entry;
  }
  return nullptr;
}

}  // namespace strata
