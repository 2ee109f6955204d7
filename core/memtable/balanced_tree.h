// BalancedTree<Tree, Node>: what RedBlackTree and AvlTree have in common, a
// binary search tree with parent links behind a reader/writer lock. They
// are two variations of one idea and differ only in how an insert restores
// balance (and in the invariants their checks verify); everything else is
// here, once: the insert's search and linking, rotations, lower bound,
// cursors, the locking and the height.
//
// The variation is a compile-time one (CRTP): Tree derives from
// BalancedTree<Tree, Node> and provides, as members the base may call
// (friend the base if they are private),
//   void RebalanceAfterInsert(Node* node) REQUIRES(mu_);
//       restores balance after `node` was linked as a leaf;
//   static void AfterRotation(Node* lower, Node* upper);
//       updates per-node balance data after a rotation put `lower` under
//       `upper` (the AVL tree's heights; nothing for the red-black tree).
// Node has `const char* const entry`, `Node* left, *right, *parent` (all
// null at first), a constructor from the entry, and the Tree's own data.
// No virtual call is added: SortedContainer's virtual methods (final here)
// reach the Tree's steps through static calls.
//
// Locking. Rotations rewrite several links at once, so unlike the skip list
// a tree cannot be read while it is being restructured. A reader/writer lock
// (WriterPriorityMutex: readers cannot starve the writer; see
// sorted_container.h) guards the shape (every node's links and balance
// data, and root_):
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

#include <algorithm>
#include <cassert>
#include <memory>
#include <new>
#include <string_view>

#include "core/arena.h"
#include "core/memtable/sorted_container.h"
#include "core/thread_annotations.h"

namespace strata {

template <typename Tree, typename NodeType>
class BalancedTree : public SortedContainer {
 public:
  using Node = NodeType;

  // REQUIRES: arena outlives the tree.
  explicit BalancedTree(Arena* arena) : arena_(arena) {}

  char* AllocateEntry(size_t bytes) final { return arena_->Allocate(bytes); }
  void Insert(const char* entry) final;
  void InsertAllocated(const char* entry) final { Insert(entry); }
  const char* LowerBound(std::string_view internal_key) const final;
  std::unique_ptr<Cursor> NewCursor() const final;

  // Nodes on the longest root-to-leaf path; 0 for an empty tree. Walks the
  // whole tree with the lock held shared: for tests and debugging.
  int Height() const;

 protected:
  // x with right child y becomes y with left child x; y's left subtree
  // (keys between x and y) moves over to become x's right subtree. Returns
  // y, the subtree's new root.
  Node* RotateLeft(Node* x) REQUIRES(mu_);
  // The mirror image of RotateLeft; returns x's former left child.
  Node* RotateRight(Node* x) REQUIRES(mu_);

  mutable WriterPriorityMutex mu_;
  // The writer also reads it without the lock (see Locking above).
  Node* root_ GUARDED_BY(mu_) = nullptr;

 private:
  class TreeCursor;

  // The parent under which a node with `key` is linked (null for the root),
  // and on which side. Runs without the lock, which only the single writer
  // may do (see Locking above); the analysis cannot know that, hence off.
  Node* FindInsertPoint(std::string_view key, bool* as_left) const NO_THREAD_SAFETY_ANALYSIS;
  Node* LowerBoundNode(std::string_view internal_key) const REQUIRES_SHARED(mu_);
  // Replaces old_child (a child of parent, or the root when parent is null)
  // with new_child.
  void ReplaceChild(Node* parent, Node* old_child, Node* new_child) REQUIRES(mu_);

  // In-order navigation by parent pointers. REQUIRES: mu_ held.
  static Node* Leftmost(Node* node);
  static Node* Rightmost(Node* node);
  static Node* Successor(Node* node);
  static Node* Predecessor(Node* node);
  static int SubtreeHeight(const Node* node);

  Arena* const arena_;
};

// ---- Implementation (a template: it has to be in the header).

template <typename Tree, typename Node>
void BalancedTree<Tree, Node>::Insert(const char* entry) {
  Node* node = new (arena_->AllocateAligned(sizeof(Node), alignof(Node))) Node(entry);
  bool as_left = false;
  Node* parent = FindInsertPoint(EntryInternalKey(entry), &as_left);

  WriterMutexLock lock(mu_);
  node->parent = parent;
  if (parent == nullptr) {
    root_ = node;
  } else if (as_left) {
    parent->left = node;
  } else {
    parent->right = node;
  }
  static_cast<Tree*>(this)->RebalanceAfterInsert(node);
}

template <typename Tree, typename Node>
Node* BalancedTree<Tree, Node>::FindInsertPoint(std::string_view key, bool* as_left) const {
  Node* parent = nullptr;
  for (Node* x = root_; x != nullptr; x = *as_left ? x->left : x->right) {
    parent = x;
    const int cmp = CompareEntryToKey(x->entry, key);
    assert(cmp != 0 && "equal internal keys inserted twice");
    *as_left = cmp > 0;
  }
  return parent;
}

template <typename Tree, typename Node>
void BalancedTree<Tree, Node>::ReplaceChild(Node* parent, Node* old_child, Node* new_child) {
  if (parent == nullptr) {
    root_ = new_child;
  } else if (old_child == parent->left) {
    parent->left = new_child;
  } else {
    parent->right = new_child;
  }
}

template <typename Tree, typename Node>
Node* BalancedTree<Tree, Node>::RotateLeft(Node* x) {
  Node* y = x->right;
  x->right = y->left;
  if (y->left != nullptr) y->left->parent = x;
  y->parent = x->parent;
  ReplaceChild(x->parent, x, y);
  y->left = x;
  x->parent = y;
  Tree::AfterRotation(x, y);
  return y;
}

template <typename Tree, typename Node>
Node* BalancedTree<Tree, Node>::RotateRight(Node* x) {
  Node* y = x->left;
  x->left = y->right;
  if (y->right != nullptr) y->right->parent = x;
  y->parent = x->parent;
  ReplaceChild(x->parent, x, y);
  y->right = x;
  x->parent = y;
  Tree::AfterRotation(x, y);
  return y;
}

template <typename Tree, typename Node>
Node* BalancedTree<Tree, Node>::LowerBoundNode(std::string_view internal_key) const {
  Node* candidate = nullptr;
  Node* x = root_;
  while (x != nullptr) {
    if (CompareEntryToKey(x->entry, internal_key) >= 0) {
      candidate = x;  // x qualifies; a smaller one may be on the left
      x = x->left;
    } else {
      x = x->right;
    }
  }
  return candidate;
}

template <typename Tree, typename Node>
const char* BalancedTree<Tree, Node>::LowerBound(std::string_view internal_key) const {
  ReaderMutexLock lock(mu_);
  Node* node = LowerBoundNode(internal_key);
  return node == nullptr ? nullptr : node->entry;
}

template <typename Tree, typename Node>
Node* BalancedTree<Tree, Node>::Leftmost(Node* node) {
  while (node->left != nullptr) node = node->left;
  return node;
}

template <typename Tree, typename Node>
Node* BalancedTree<Tree, Node>::Rightmost(Node* node) {
  while (node->right != nullptr) node = node->right;
  return node;
}

template <typename Tree, typename Node>
Node* BalancedTree<Tree, Node>::Successor(Node* node) {
  if (node->right != nullptr) return Leftmost(node->right);
  // Climb while we come from a right child: those ancestors are smaller.
  Node* parent = node->parent;
  while (parent != nullptr && node == parent->right) {
    node = parent;
    parent = parent->parent;
  }
  return parent;
}

template <typename Tree, typename Node>
Node* BalancedTree<Tree, Node>::Predecessor(Node* node) {
  if (node->left != nullptr) return Rightmost(node->left);
  Node* parent = node->parent;
  while (parent != nullptr && node == parent->left) {
    node = parent;
    parent = parent->parent;
  }
  return parent;
}

template <typename Tree, typename Node>
int BalancedTree<Tree, Node>::SubtreeHeight(const Node* node) {
  if (node == nullptr) return 0;
  return 1 + std::max(SubtreeHeight(node->left), SubtreeHeight(node->right));
}

template <typename Tree, typename Node>
int BalancedTree<Tree, Node>::Height() const {
  ReaderMutexLock lock(mu_);
  return SubtreeHeight(root_);
}

// ---- Cursor

template <typename Tree, typename Node>
class BalancedTree<Tree, Node>::TreeCursor final : public SortedContainer::Cursor {
 public:
  explicit TreeCursor(const BalancedTree* tree) : tree_(tree) {}

  bool Valid() const override { return node_ != nullptr; }
  const char* entry() const override {
    assert(Valid());
    return node_->entry;  // immutable since before the node was linked
  }
  void Next() override {
    assert(Valid());
    ReaderMutexLock lock(tree_->mu_);
    node_ = Successor(node_);
  }
  void Prev() override {
    assert(Valid());
    ReaderMutexLock lock(tree_->mu_);
    node_ = Predecessor(node_);
  }
  void Seek(std::string_view internal_key) override {
    ReaderMutexLock lock(tree_->mu_);
    node_ = tree_->LowerBoundNode(internal_key);
  }
  void SeekToFirst() override {
    ReaderMutexLock lock(tree_->mu_);
    node_ = tree_->root_ == nullptr ? nullptr : Leftmost(tree_->root_);
  }
  void SeekToLast() override {
    ReaderMutexLock lock(tree_->mu_);
    node_ = tree_->root_ == nullptr ? nullptr : Rightmost(tree_->root_);
  }

 private:
  const BalancedTree* const tree_;
  Node* node_ = nullptr;
};

template <typename Tree, typename Node>
std::unique_ptr<SortedContainer::Cursor> BalancedTree<Tree, Node>::NewCursor() const {
  return std::make_unique<TreeCursor>(this);
}

}  // namespace strata
