// RedBlackTree: a SortedContainer meant for write-heavy use.
//
// A red-black tree keeps its height within 2*log2(n+1) while repairing an
// insert with at most two rotations plus recolouring, so the part of an
// insert that has to exclude readers is short and nearly constant. (The AVL
// tree in avl_tree.h trades the other way: shorter searches, more repair.)
//
// Locking. Rotations rewrite several links at once, so unlike the skip list
// a tree cannot be read while it is being restructured. A reader/writer lock
// (WriterPriorityMutex: a std::shared_mutex under which readers cannot
// starve the writer; see sorted_container.h) guards the tree shape (every
// node's links and colour, and root_):
//   - Insert takes it exclusively, and only for the linking and the
//     rebalancing. The search for the insertion point runs without the lock:
//     the single writer is the only thread that ever changes the shape, so
//     its own reads cannot race with anything, and readers only read.
//   - LowerBound and every cursor operation take it shared, for the duration
//     of that one call. A cursor keeps a node pointer between calls, without
//     the lock. Nodes are never freed or removed, only moved around by
//     rotations, so the node is still in the tree when the cursor next takes
//     the lock; the cursor then finds the node's successor or predecessor by
//     following parent pointers in the tree's current shape (never a path
//     remembered from an earlier call). In-order neighbours are a property
//     of the set of entries, not of the shape, so Next and Prev return the
//     right entry however many rotations happened in between.
//   - A node's entry is written before the node is linked, under the
//     exclusive lock, and never changes; entry() reads it without the lock.
//
// Thread safety and ownership: see core/memtable/sorted_container.h. Nodes
// live in the Arena and are never freed before the tree is destroyed.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/arena.h"
#include "core/memtable/sorted_container.h"

namespace strata {

class RedBlackTree final : public SortedContainer {
 public:
  // REQUIRES: arena outlives the tree.
  explicit RedBlackTree(Arena* arena) : arena_(arena) {}

  char* AllocateEntry(size_t bytes) override { return arena_->Allocate(bytes); }
  void Insert(const char* entry) override;
  void InsertAllocated(const char* entry) override { Insert(entry); }
  const char* LowerBound(std::string_view internal_key) const override;
  std::unique_ptr<Cursor> NewCursor() const override;

  // For tests and debugging; both take the lock shared and walk the whole
  // tree. CheckInvariants returns an empty string when the tree is a valid
  // red-black tree (strict key order, consistent parent links, black root,
  // no red node with a red child, one black height on every path), or a
  // description of the first violation found.
  std::string CheckInvariants() const;
  // Nodes on the longest root-to-leaf path; 0 for an empty tree.
  int Height() const;

 private:
  struct Node;
  class TreeCursor;

  Node* NewNode(const char* entry);
  // The rebalancing steps. REQUIRES: mu_ held exclusively.
  void RotateLeft(Node* x);
  void RotateRight(Node* x);
  void RepairAfterInsert(Node* node);
  // REQUIRES: mu_ held (shared is enough).
  Node* LowerBoundNode(std::string_view internal_key) const;

  Arena* const arena_;
  mutable WriterPriorityMutex mu_;
  // Guarded by mu_ for readers; the writer may read it without the lock.
  Node* root_ = nullptr;
};

}  // namespace strata
