#include "core/memtable/red_black_tree.h"

#include <string>
#include <string_view>

namespace strata {

void RedBlackTree::RebalanceAfterInsert(Node* node) {
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

}  // namespace

std::string RedBlackTree::CheckInvariants() const {
  ReaderMutexLock lock(mu_);
  if (root_ == nullptr) return {};
  if (root_->red) return "red root";
  std::string error;
  CheckSubtree(root_, static_cast<const Node*>(nullptr), nullptr, nullptr, &error);
  return error;
}

}  // namespace strata
