#include "core/memtable/avl_tree.h"

#include <algorithm>
#include <string>
#include <string_view>

namespace strata {

void AvlTree::RebalanceAfterInsert(Node* node) {
  // A new leaf has height 1 and nothing below it to balance.
  node = node->parent;
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
  ReaderMutexLock lock(mu_);
  std::string error;
  CheckSubtree(root_, static_cast<const Node*>(nullptr), nullptr, nullptr, &error);
  return error;
}

}  // namespace strata
