// SkipList: the default SortedContainer, with lock-free reads.
//
// A probabilistic ordered list: level 0 links every node in order, and each
// higher level links a random quarter of the nodes of the level below, so a
// search skips ahead on the high levels and refines on the low ones, taking
// O(log n) steps expected. Its appeal for a memtable is that inserting only
// ever adds links and never moves a node, so readers need no lock at all.
//
// Invariants (the lock-free reads rely on each of them):
//  1. Nodes are allocated in the Arena and are never unlinked or freed
//     before the SkipList is destroyed. A node pointer a reader holds, or a
//     cursor keeps between calls, therefore stays valid.
//  2. A node's entry is written before the node is published and
//     never changes afterwards. The entry lives inside the node's own
//     allocation, right after its header, and the links sit just before
//     the header: [link h-1 .. link 0][header][entry]. A step of a search
//     thus reads one place in memory, not a node and then a distant entry.
//  3. There is one writer at a time (the caller's synchronisation). It fills
//     in a new node's own forward links first, then publishes the node by
//     storing it into its predecessors' links with release stores; readers
//     load every link with acquire loads. A reader that reaches a node
//     through a link therefore sees the node's entry and its own links fully
//     initialised.
//  4. The writer links a new node bottom-up, level 0 first. Level 0 always
//     holds every published node in order, and every list at level i is a
//     sublist of the list at level i-1. A reader that meets a half-linked
//     node sees a valid, if slightly less effective, skip list; the moment
//     the level-0 release store lands is when the insert takes effect.
//  5. max_height_ only grows. A reader that loads a stale (smaller) value
//     just starts its search lower; one that loads the new value before the
//     head's new links are visible finds null links there and steps down.
//     Relaxed ordering is enough for it.
//  6. A node's tag (the first 7 bytes of its user key, and its height) is written
//     with its entry, before publication, and never changes; comparisons use
//     it first and read the entry only when prefixes are equal.
//  7. No two entries have equal internal keys (the SortedContainer
//     contract), so the order is strict and Seek / Prev are well defined.
//
// Costs: Next is one acquire load. Prev has no back links to follow (they
// could not be published atomically with the forward ones), so it searches
// from the head for the last node before the current one: O(log n).
//
// Thread safety and ownership: see core/memtable/sorted_container.h.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string_view>

#include "core/arena.h"
#include "core/memtable/sorted_container.h"

namespace strata {

class SkipList final : public SortedContainer {
 public:
  // REQUIRES: arena outlives the list.
  explicit SkipList(Arena* arena);

  char* AllocateEntry(size_t bytes) override;
  void Insert(const char* entry) override;
  void InsertAllocated(const char* entry) override;
  const char* LowerBound(std::string_view internal_key) const override;
  std::unique_ptr<Cursor> NewCursor() const override;

  // Levels a node can span. With a quarter of the nodes promoted per level,
  // 12 levels keep searches logarithmic up to about 4^12 = 16 million
  // entries, far more than a memtable of the default size holds.
  static constexpr int kMaxHeight = 12;

 private:
  struct Node;
  class SkipListCursor;

  // 1 in kBranching nodes of a level also appears on the level above.
  static constexpr uint32_t kBranching = 4;

  // A node of `height` links with room for `entry_bytes` of entry.
  Node* NewNode(int height, size_t entry_bytes);
  // Links an allocated, filled-in node into the list (one writer).
  void Link(Node* node);
  int RandomHeight();

  // The first node >= key, or nullptr. When prev is not null it receives, for
  // each level below the current height, the last node < key on that level.
  Node* FindGreaterOrEqual(std::string_view key, Node** prev) const;
  // Like FindGreaterOrEqual with prev, from the finger. REQUIRES: key belongs
  // right after last_inserted_ (CanInsertAfterFinger).
  void FindFromFinger(std::string_view key, uint64_t key_prefix, Node** prev) const;
  bool CanInsertAfterFinger(std::string_view key, uint64_t key_prefix) const;
  // The last node < key, or head_ when there is none.
  Node* FindLessThan(std::string_view key) const;
  // The last node, or head_ when the list is empty.
  Node* FindLast() const;

  Arena* const arena_;
  // A sentinel of full height with no entry; never compared.
  Node* const head_;
  // The height of the tallest node so far (invariant 5).
  std::atomic<int> max_height_;
  // Random state for node heights; used by the writer only.
  uint64_t random_state_;
  // The node AllocateEntry made for the next Insert, and its height; used by
  // the writer only.
  Node* pending_node_ = nullptr;
  // The finger: the last node inserted and, per level, the last node at or
  // before it. An insert of a key that belongs right after the last one (an
  // ascending stream: sequential keys, or a sorted log replay) starts its
  // search from here instead of from the head, which makes it O(1). Used by
  // the writer only; finger_[level] is head_ where no node precedes.
  Node* last_inserted_ = nullptr;
  Node* finger_[kMaxHeight];
};

}  // namespace strata
