#include "core/memtable/red_black_tree.h"

#include <algorithm>
#include <cassert>
#include <mutex>
#include <new>
#include <shared_mutex>

namespace strata {

struct RedBlackTree::Node {
  explicit Node(const char* e) : entry(e) {}

  const char* const entry;
  // Shape, guarded by the tree's mu_.
  Node* left = nullptr;
  Node* right = nullptr;
  Node* parent = nullptr;
  bool red = true;  // a new node is red, so inserting it keeps black heights
};

namespace {

// In-order navigation by parent pointers. REQUIRES: the tree's lock held.
// Templates only so that they can be written outside the class, where its
// private Node type cannot be named.
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

RedBlackTree::Node* RedBlackTree::NewNode(const char* entry) {
  return new (arena_->AllocateAligned(sizeof(Node), alignof(Node))) Node(entry);
}

void RedBlackTree::Insert(const char* entry) {
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
  } else if (as_left) {
    parent->left = node;
  } else {
    parent->right = node;
  }
  RepairAfterInsert(node);
}

void RedBlackTree::RotateLeft(Node* x) {
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
}

void RedBlackTree::RotateRight(Node* x) {
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
}

void RedBlackTree::RepairAfterInsert(Node* node) {
  // The only rule a new red node can break is "no red node has a red
  // child", between node and its parent. Each round either fixes it with
  // rotations (and stops) or pushes it two levels up by recolouring.
  while (node->parent != nullptr && node->parent->red) {
    Node* parent = node->parent;
    // A red parent is never the root, so the grandparent exists.
    Node* grandparent = parent->parent;
    if (parent == grandparent->left) {
      Node* uncle = grandparent->right;
      if (uncle != nullptr && uncle->red) {
        // Red uncle: move the grandparent's blackness down one level.
        parent->red = false;
        uncle->red = false;
        grandparent->red = true;
        node = grandparent;
        continue;
      }
      if (node == parent->right) {
        // Inner grandchild: turn it into the outer case.
        RotateLeft(parent);
        node = parent;
        parent = node->parent;
      }
      parent->red = false;
      grandparent->red = true;
      RotateRight(grandparent);
    } else {
      Node* uncle = grandparent->left;
      if (uncle != nullptr && uncle->red) {
        parent->red = false;
        uncle->red = false;
        grandparent->red = true;
        node = grandparent;
        continue;
      }
      if (node == parent->left) {
        RotateRight(parent);
        node = parent;
        parent = node->parent;
      }
      parent->red = false;
      grandparent->red = true;
      RotateLeft(grandparent);
    }
  }
  root_->red = false;
}

RedBlackTree::Node* RedBlackTree::LowerBoundNode(std::string_view internal_key) const {
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

const char* RedBlackTree::LowerBound(std::string_view internal_key) const {
  std::shared_lock lock(mu_);
  Node* node = LowerBoundNode(internal_key);
  return node == nullptr ? nullptr : node->entry;
}

// ---- Cursor

class RedBlackTree::TreeCursor final : public SortedContainer::Cursor {
 public:
  explicit TreeCursor(const RedBlackTree* tree) : tree_(tree) {}

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
  const RedBlackTree* const tree_;
  Node* node_ = nullptr;
};

std::unique_ptr<SortedContainer::Cursor> RedBlackTree::NewCursor() const {
  return std::make_unique<TreeCursor>(this);
}

// ---- Checks

namespace {

// Returns the black height of the subtree, or -1 after writing a violation
// to *error. lower/upper bound the keys allowed in the subtree (exclusive).
template <typename N>
int CheckSubtree(const N* node, const N* parent, const char* lower, const char* upper,
                 std::string* error) {
  if (node == nullptr) return 1;  // null leaves count as black
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
  if (node->red && ((node->left != nullptr && node->left->red) ||
                    (node->right != nullptr && node->right->red))) {
    *error = "red node with a red child";
    return -1;
  }
  int left = CheckSubtree(node->left, node, lower, node->entry, error);
  if (left < 0) return -1;
  int right = CheckSubtree(node->right, node, node->entry, upper, error);
  if (right < 0) return -1;
  if (left != right) {
    *error = "unequal black heights";
    return -1;
  }
  return left + (node->red ? 0 : 1);
}

template <typename N>
int SubtreeHeight(const N* node) {
  if (node == nullptr) return 0;
  return 1 + std::max(SubtreeHeight(node->left), SubtreeHeight(node->right));
}

}  // namespace

std::string RedBlackTree::CheckInvariants() const {
  std::shared_lock lock(mu_);
  if (root_ == nullptr) return {};
  if (root_->red) return "red root";
  std::string error;
  CheckSubtree(root_, static_cast<const Node*>(nullptr), nullptr, nullptr, &error);
  return error;
}

int RedBlackTree::Height() const {
  std::shared_lock lock(mu_);
  return SubtreeHeight(root_);
}

}  // namespace strata
