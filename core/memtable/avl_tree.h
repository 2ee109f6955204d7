// AvlTree: a SortedContainer meant for read-heavy use.
//
// An AVL tree keeps the heights of every node's two subtrees within one of
// each other, so its height stays under 1.45*log2(n+2), shorter than a
// red-black tree's bound of 2*log2(n+1): lookups and seeks visit fewer nodes.
// The price is paid on insert, which updates the heights along the search
// path and may rotate (once or twice, at a single node) to restore balance.
//
// The search, linking, rotations, lower bound, cursors and locking are
// BalancedTree's (balanced_tree.h), shared with the red-black tree; this
// file is the AVL rebalancing, the heights it keeps and its checks.
//
// Thread safety and ownership: see core/memtable/sorted_container.h. Nodes
// live in the Arena and are never freed before the tree is destroyed.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>

#include "core/arena.h"
#include "core/memtable/balanced_tree.h"
#include "core/thread_annotations.h"

namespace strata {

// A node of an AvlTree (BalancedTree's Node requirements).
struct AvlTreeNode {
  explicit AvlTreeNode(const char* e) : entry(e) {}

  const char* const entry;
  // Shape, guarded by the tree's mu_.
  AvlTreeNode* left = nullptr;
  AvlTreeNode* right = nullptr;
  AvlTreeNode* parent = nullptr;
  // Nodes on the longest path down from here, this one included. An AVL tree
  // of height 255 would need more nodes than memory has bytes.
  uint8_t height = 1;
};

class AvlTree final : public BalancedTree<AvlTree, AvlTreeNode> {
 public:
  // REQUIRES: arena outlives the tree.
  explicit AvlTree(Arena* arena) : BalancedTree(arena) {}

  // For tests and debugging; takes the lock shared and walks the whole tree.
  // Returns an empty string when the tree is a valid AVL tree (strict key
  // order, consistent parent links, every stored height correct, every
  // balance factor in [-1, 1]), or a description of the first violation
  // found.
  std::string CheckInvariants() const;

 private:
  friend class BalancedTree<AvlTree, AvlTreeNode>;

  // Updates heights from the new leaf `node` upwards and rotates once (or
  // twice, at a single node) where a balance factor left [-1, 1].
  void RebalanceAfterInsert(Node* node) REQUIRES(mu_);
  // A rotation put `lower` under `upper`: both heights change, lower's first.
  static void AfterRotation(Node* lower, Node* upper) {
    UpdateHeight(lower);
    UpdateHeight(upper);
  }

  static int HeightOf(const Node* node) { return node == nullptr ? 0 : node->height; }
  static void UpdateHeight(Node* node) {
    node->height =
        static_cast<uint8_t>(1 + std::max(HeightOf(node->left), HeightOf(node->right)));
  }
  static int BalanceOf(const Node* node) { return HeightOf(node->left) - HeightOf(node->right); }
};

}  // namespace strata
