// The order of level-0 tables a repair must respect (core/db/repair.h, step
// 4): for every user key, the table holding its newest version must be read
// before every other table holding the key. These are the graph pieces of
// that: finding which table must precede which, the groups that cannot be
// ordered (cycles), and an order newest first.
//
// Thread safety: pure functions; a TaggedMerge belongs to one thread.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <queue>
#include <set>
#include <string_view>
#include <vector>

#include "core/dbformat.h"
#include "core/iterator.h"
#include "core/status.h"

namespace strata {

// Merges the entries of several tables in internal-key order and says which
// table each came from.
class TaggedMerge {
 public:
  // Takes ownership of the iterators; source i is iterators[i].
  explicit TaggedMerge(std::vector<std::unique_ptr<InternalIterator>> iterators)
      : iterators_(std::move(iterators)) {
    for (size_t i = 0; i < iterators_.size(); ++i) {
      iterators_[i]->SeekToFirst();
      Push(i);
    }
  }

  bool Valid() const { return status_.ok() && !heap_.empty(); }
  size_t source() const { return heap_.top(); }
  std::string_view key() const { return iterators_[heap_.top()]->key(); }
  std::string_view value() const { return iterators_[heap_.top()]->value(); }
  void Next() {
    const size_t i = heap_.top();
    heap_.pop();
    iterators_[i]->Next();
    Push(i);
  }
  Status status() const { return status_; }

 private:
  void Push(size_t i) {
    if (iterators_[i]->Valid()) {
      heap_.push(i);
    } else if (status_.ok() && !iterators_[i]->status().ok()) {
      status_ = iterators_[i]->status();
    }
  }

  struct After {
    const TaggedMerge* merge;
    // The priority queue puts the "largest" on top, so this orders
    // backwards: smaller internal keys (then lower sources) come out first.
    bool operator()(size_t a, size_t b) const {
      const int c = CompareInternalKeys(merge->iterators_[a]->key(), merge->iterators_[b]->key());
      return c != 0 ? c > 0 : a > b;
    }
  };

  std::vector<std::unique_ptr<InternalIterator>> iterators_;
  std::priority_queue<size_t, std::vector<size_t>, After> heap_{After{this}};
  Status status_;
};

// Reads the tables (iterators[i] is table i) together and records, for each
// user key, that the table holding its newest version must come before every
// other table holding the key: (*edges)[a] holds b when a must come first.
Status FindPrecedence(std::vector<std::unique_ptr<InternalIterator>> iterators,
                      std::vector<std::set<size_t>>* edges);

// Groups of tables that depend on each other in a cycle (strongly connected
// components of two or more tables).
std::vector<std::vector<size_t>> Cycles(const std::vector<std::set<size_t>>& edges);

// An order of all tables that respects `edges`, choosing among the tables
// free to go next the newest (`older(a, b)`: a holds older data than b).
// Corruption if the edges hold a cycle.
Status NewestFirst(const std::vector<std::set<size_t>>& edges,
                   const std::function<bool(size_t, size_t)>& older, std::vector<size_t>* order);

}  // namespace strata
