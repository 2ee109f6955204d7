#include "core/memtable/avl_tree.h"

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <mutex>
#include <new>
#include <shared_mutex>

namespace strata {

struct AvlTree::Node {
  explicit Node(const char* e) : entry(e) {}

  const char* const entry;
  // Shape, guarded by the tree's mu_.
  Node* left = nullptr;
  Node* right = nullptr;
  Node* parent = nullptr;
  // Nodes on the longest path down from here, this one included. An AVL tree
  // of height 255 would need more nodes than memory has bytes.
  uint8_t height = 1;
};

namespace {

// Templates only so that they can be written outside the class, where its
// private Node type cannot be named.
template <typename N>
int HeightOf(const N* node) {
  return node == nullptr ? 0 : node->height;
}
template <typename N>
void UpdateHeight(N* node) {
  node->height = static_cast<uint8_t>(1 + std::max(HeightOf(node->left), HeightOf(node->right)));
}
template <typename N>
int BalanceOf(const N* node) {
  return HeightOf(node->left) - HeightOf(node->right);
}

// In-order navigation by parent pointers. REQUIRES: the tree's lock held.
template <typename N>
N* Leftmost(N* node) {
  while (node->left != nullptr) node = node->left;
  return node;
}
template <typename N>
N* Rightmost(N* node) {
  while (node->right != nullptr) node = node->right;
  return node;
}
template <typename N>
N* Successor(N* node) {
  if (node->right != nullptr) return Leftmost(node->right);
  // Climb while we come from a right child: those ancestors are smaller.
  N* parent = node->parent;
  while (parent != nullptr && node == parent->right) {
    node = parent;
    parent = parent->parent;
  }
  return parent;
}
template <typename N>
N* Predecessor(N* node) {
  if (node->left != nullptr) return Rightmost(node->left);
  N* parent = node->parent;
  while (parent != nullptr && node == parent->left) {
    node = parent;
    parent = parent->parent;
  }
  return parent;
}

}  // namespace

AvlTree::Node* AvlTree::NewNode(const char* entry) {
  return new (arena_->AllocateAligned(sizeof(Node), alignof(Node))) Node(entry);
}

void AvlTree::Insert(const char* entry) {
  Node* node = NewNode(entry);
  const std::string_view key = EntryInternalKey(entry);

  // Find the insertion point without the lock: only this thread (the single
  // writer) changes the shape, so nothing can move under it.
  Node* parent = nullptr;
  bool as_left = false;
  for (Node* x = root_; x != nullptr; x = as_left ? x->left : x->right) {
    parent = x;
    int cmp = CompareEntryToKey(x->entry, key);
    assert(cmp != 0 && "equal internal keys inserted twice");
    as_left = cmp > 0;
  }

  std::unique_lock lock(mu_);
  node->parent = parent;
  if (parent == nullptr) {
    root_ = node;
    return;
  }
  if (as_left) {
    parent->left = node;
  } else {
    parent->right = node;
  }
  RebalanceAfterInsert(parent);
}

AvlTree::Node* AvlTree::RotateLeft(Node* x) {
  // x with right child y becomes y with left child x; y's left subtree
  // (keys between x and y) moves over to become x's right subtree.
  Node* y = x->right;
  x->right = y->left;
  if (y->left != nullptr) y->left->parent = x;
  y->parent = x->parent;
  if (x->parent == nullptr) {
    root_ = y;
  } else if (x == x->parent->left) {
    x->parent->left = y;
  } else {
    x->parent->right = y;
  }
  y->left = x;
  x->parent = y;
  UpdateHeight(x);  // x is now below y: update it first
  UpdateHeight(y);
  return y;
}

AvlTree::Node* AvlTree::RotateRight(Node* x) {
  // The mirror image of RotateLeft.
  Node* y = x->left;
  x->left = y->right;
  if (y->right != nullptr) y->right->parent = x;
  y->parent = x->parent;
  if (x->parent == nullptr) {
    root_ = y;
  } else if (x == x->parent->right) {
    x->parent->right = y;
  } else {
    x->parent->left = y;
  }
  y->right = x;
  x->parent = y;
  UpdateHeight(x);
  UpdateHeight(y);
  return y;
}

void AvlTree::RebalanceAfterInsert(Node* node) {
  // Walk up from the new node's parent. Heights can only have grown by one
  // along this path. The walk stops at the first node whose height did not
  // change (nothing above it changes either) or after the first rotation: a
  // rotation after an insert restores the subtree to its height before the
  // insert, so again nothing above changes.
  while (node != nullptr) {
    const int old_height = node->height;
    UpdateHeight(node);
    const int balance = BalanceOf(node);
    if (balance > 1) {
      // Left-heavy. If the extra height is in the left child's right
      // subtree, a single right rotation would only move the imbalance to
      // the other side: rotate the child left first (left-right case).
      if (BalanceOf(node->left) < 0) RotateLeft(node->left);
      RotateRight(node);
      return;
    }
    if (balance < -1) {
      if (BalanceOf(node->right) > 0) RotateRight(node->right);
      RotateLeft(node);
      return;
    }
    if (node->height == old_height) return;
    node = node->parent;
  }
}

AvlTree::Node* AvlTree::LowerBoundNode(std::string_view internal_key) const {
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

const char* AvlTree::LowerBound(std::string_view internal_key) const {
  std::shared_lock lock(mu_);
  Node* node = LowerBoundNode(internal_key);
  return node == nullptr ? nullptr : node->entry;
}

// ---- Cursor

class AvlTree::TreeCursor final : public SortedContainer::Cursor {
 public:
  explicit TreeCursor(const AvlTree* tree) : tree_(tree) {}

  bool Valid() const override { return node_ != nullptr; }
  const char* entry() const override {
    assert(Valid());
    return node_->entry;  // immutable since before the node was linked
  }
  void Next() override {
    assert(Valid());
    std::shared_lock lock(tree_->mu_);
    node_ = Successor(node_);
  }
  void Prev() override {
    assert(Valid());
    std::shared_lock lock(tree_->mu_);
    node_ = Predecessor(node_);
  }
  void Seek(std::string_view internal_key) override {
    std::shared_lock lock(tree_->mu_);
    node_ = tree_->LowerBoundNode(internal_key);
  }
  void SeekToFirst() override {
    std::shared_lock lock(tree_->mu_);
    node_ = tree_->root_ == nullptr ? nullptr : Leftmost(tree_->root_);
  }
  void SeekToLast() override {
    std::shared_lock lock(tree_->mu_);
    node_ = tree_->root_ == nullptr ? nullptr : Rightmost(tree_->root_);
  }

 private:
  const AvlTree* const tree_;
  Node* node_ = nullptr;
};

std::unique_ptr<SortedContainer::Cursor> AvlTree::NewCursor() const {
  return std::make_unique<TreeCursor>(this);
}

// ---- Checks

namespace {

// Returns the subtree's true height, or -1 after writing a violation to
// *error. lower/upper bound the keys allowed in the subtree (exclusive).
template <typename N>
int CheckSubtree(const N* node, const N* parent, const char* lower, const char* upper,
                 std::string* error) {
  if (node == nullptr) return 0;
  if (node->parent != parent) {
    *error = "parent link mismatch";
    return -1;
  }
  std::string_view key = EntryInternalKey(node->entry);
  if ((lower != nullptr && CompareEntryToKey(lower, key) >= 0) ||
      (upper != nullptr && CompareEntryToKey(upper, key) <= 0)) {
    *error = "keys out of order";
    return -1;
  }
  int left = CheckSubtree(node->left, node, lower, node->entry, error);
  if (left < 0) return -1;
  int right = CheckSubtree(node->right, node, node->entry, upper, error);
  if (right < 0) return -1;
  int height = 1 + std::max(left, right);
  if (height != node->height) {
    *error = "stored height is wrong";
    return -1;
  }
  if (left - right > 1 || right - left > 1) {
    *error = "balance factor out of range";
    return -1;
  }
  return height;
}

}  // namespace

std::string AvlTree::CheckInvariants() const {
  std::shared_lock lock(mu_);
  std::string error;
  CheckSubtree(root_, static_cast<const Node*>(nullptr), nullptr, nullptr, &error);
  return error;
}

int AvlTree::Height() const {
  std::shared_lock lock(mu_);
  return HeightOf(root_);
}

}  // namespace strata
