// AvlTree: a SortedContainer meant for read-heavy use.
//
// An AVL tree keeps the heights of every node's two subtrees within one of
// each other, so its height stays under 1.45*log2(n+2), shorter than a
// red-black tree's bound of 2*log2(n+1): lookups and seeks visit fewer nodes.
// The price is paid on insert, which updates the heights along the search
// path and may rotate (once or twice, at a single node) to restore balance.
//
// Locking is the same scheme as RedBlackTree (red_black_tree.h); in short:
//   - A reader/writer lock (WriterPriorityMutex, sorted_container.h) guards
//     the shape (links, heights, root_). Insert searches without the lock
//     (the single writer is the only thread that changes the shape) and
//     takes it exclusively to link and rebalance.
//   - LowerBound and each cursor operation take it shared for that call. A
//     cursor keeps a node pointer between calls; nodes are never freed or
//     removed, so after re-taking the lock the cursor finds the successor or
//     predecessor by following parent pointers in the current shape, which
//     gives the right neighbour whatever rotations happened in between.
//   - A node's entry is immutable and written before the node is linked.
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

class AvlTree final : public SortedContainer {
 public:
  // REQUIRES: arena outlives the tree.
  explicit AvlTree(Arena* arena) : arena_(arena) {}

  char* AllocateEntry(size_t bytes) override { return arena_->Allocate(bytes); }
  void Insert(const char* entry) override;
  void InsertAllocated(const char* entry) override { Insert(entry); }
  const char* LowerBound(std::string_view internal_key) const override;
  std::unique_ptr<Cursor> NewCursor() const override;

  // For tests and debugging; both take the lock shared and walk the whole
  // tree. CheckInvariants returns an empty string when the tree is a valid
  // AVL tree (strict key order, consistent parent links, every stored height
  // correct, every balance factor in [-1, 1]), or a description of the first
  // violation found.
  std::string CheckInvariants() const;
  // Nodes on the longest root-to-leaf path; 0 for an empty tree.
  int Height() const;

 private:
  struct Node;
  class TreeCursor;

  Node* NewNode(const char* entry);
  // REQUIRES: mu_ held exclusively. Each returns the subtree's new root.
  Node* RotateLeft(Node* x);
  Node* RotateRight(Node* x);
  void RebalanceAfterInsert(Node* parent_of_new_node);
  // REQUIRES: mu_ held (shared is enough).
  Node* LowerBoundNode(std::string_view internal_key) const;

  Arena* const arena_;
  mutable WriterPriorityMutex mu_;
  // Guarded by mu_ for readers; the writer may read it without the lock.
  Node* root_ = nullptr;
};

}  // namespace strata
