// MemTableHashIndex: an optional map from user key to the newest entry the
// memtable holds for it (Options::memtable_index = hash).
//
// A point lookup in the sorted container costs a search of O(log n) nodes,
// most of them cache misses once the memtable outgrows the cache. With the
// index, a lookup for the newest version hashes the key and reads one short
// chain: a key the memtable does not hold is answered without touching the
// container at all, and a key it holds is answered from its newest entry
// when that entry is visible to the reader (no snapshot older than it).
// Only a reader whose snapshot predates the newest entry falls back to the
// container. The price is paid by the writer: one chain walk and, for a new
// key, one node per insert.
//
// The bucket array is fixed when the memtable is made, sized from the
// memtable's budget; chains grow with the number of distinct keys beyond
// it. Nodes live in the memtable's arena and are never removed.
//
// Thread safety: Record REQUIRES one writer at a time (the memtable's);
// Newest may run on any number of threads concurrently with it. A reader
// sees either the entry before or after a concurrent Record, never a torn
// one.
// Ownership: entries and nodes belong to the memtable's arena, which must
// outlive the index.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "core/arena.h"

namespace strata {

class MemTableHashIndex {
 public:
  // `expected_bytes`: the memtable's budget, from which the bucket count is
  // chosen (about one bucket per 128 bytes of entries, a power of two).
  MemTableHashIndex(Arena* arena, size_t expected_bytes);
  MemTableHashIndex(const MemTableHashIndex&) = delete;
  MemTableHashIndex& operator=(const MemTableHashIndex&) = delete;
  ~MemTableHashIndex();

  // Records `entry` (a memtable entry, see sorted_container.h) for its user
  // key if it is newer than the entry recorded so far: entries may arrive
  // in any order (recovery links them sorted, oldest version last).
  void Record(const char* entry);

  // The newest entry recorded for `user_key`, or null if it has none.
  const char* Newest(std::string_view user_key) const;

  // Bytes taken by the bucket array (the nodes are charged to the arena).
  size_t BucketBytes() const { return bucket_count_ * sizeof(std::atomic<Node*>); }

 private:
  struct Node {
    std::atomic<const char*> entry;
    Node* next;  // written before the node is published, never after
    uint64_t hash;
  };

  std::atomic<Node*>* Bucket(uint64_t hash) const { return &buckets_[hash & (bucket_count_ - 1)]; }

  Arena* const arena_;
  const size_t bucket_count_;
  // Zero-filled by calloc, so untouched buckets cost no memory until used.
  std::atomic<Node*>* const buckets_;
};

}  // namespace strata
