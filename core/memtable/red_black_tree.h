// RedBlackTree: a SortedContainer meant for write-heavy use.
//
// A red-black tree keeps its height within 2*log2(n+1) while repairing an
// insert with at most two rotations plus recolouring, so the part of an
// insert that has to exclude readers is short and nearly constant. (The AVL
// tree in avl_tree.h trades the other way: shorter searches, more repair.)
//
// The search, linking, rotations, lower bound, cursors and locking are
// BalancedTree's (balanced_tree.h), shared with the AVL tree; this file is
// the red-black rebalancing and its checks.
//
// Thread safety and ownership: see core/memtable/sorted_container.h. Nodes
// live in the Arena and are never freed before the tree is destroyed.
#pragma once

#include <string>

#include "core/arena.h"
#include "core/memtable/balanced_tree.h"
#include "core/thread_annotations.h"

namespace strata {

// A node of a RedBlackTree (BalancedTree's Node requirements).
struct RedBlackTreeNode {
  explicit RedBlackTreeNode(const char* e) : entry(e) {}

  const char* const entry;
  // Shape, guarded by the tree's mu_.
  RedBlackTreeNode* left = nullptr;
  RedBlackTreeNode* right = nullptr;
  RedBlackTreeNode* parent = nullptr;
  bool red = true;  // a new node is red, so inserting it keeps black heights
};

class RedBlackTree final : public BalancedTree<RedBlackTree, RedBlackTreeNode> {
 public:
  // REQUIRES: arena outlives the tree.
  explicit RedBlackTree(Arena* arena) : BalancedTree(arena) {}

  // For tests and debugging; takes the lock shared and walks the whole tree.
  // Returns an empty string when the tree is a valid red-black tree (strict
  // key order, consistent parent links, black root, no red node with a red
  // child, one black height on every path), or a description of the first
  // violation found.
  std::string CheckInvariants() const;

 private:
  friend class BalancedTree<RedBlackTree, RedBlackTreeNode>;

  // Restores the red-black rules after `node` was linked as a red leaf.
  void RebalanceAfterInsert(Node* node) REQUIRES(mu_);
  // Colours do not depend on the shape below a node: nothing to update.
  static void AfterRotation(Node* /*lower*/, Node* /*upper*/) {}
};

}  // namespace strata
