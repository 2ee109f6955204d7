// Snapshots: sequence numbers that reads may pin.
//
// A snapshot pins a sequence number: reads through it see exactly the writes
// with smaller or equal sequence numbers, and compaction keeps every version
// such a read could need. SnapshotList is the set of pinned sequence numbers.
//
// Thread safety: SnapshotList REQUIRES the database mutex. A Snapshot is
// immutable and may be read from any thread.
#pragma once

#include <set>

#include "core/dbformat.h"

namespace strata {

class Snapshot {
 public:
  explicit Snapshot(SequenceNumber seq) : sequence_(seq) {}
  SequenceNumber sequence() const { return sequence_; }

 private:
  SequenceNumber sequence_;
};

class SnapshotList {
 public:
  void Add(SequenceNumber seq) { pinned_.insert(seq); }
  void Remove(SequenceNumber seq) {
    auto it = pinned_.find(seq);
    if (it != pinned_.end()) pinned_.erase(it);
  }
  // The oldest pinned sequence number, or `latest` when none is pinned.
  SequenceNumber Oldest(SequenceNumber latest) const {
    return pinned_.empty() ? latest : *pinned_.begin();
  }
  size_t size() const { return pinned_.size(); }

 private:
  std::multiset<SequenceNumber> pinned_;
};

}  // namespace strata
