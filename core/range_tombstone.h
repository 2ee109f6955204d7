// Range tombstones: the deletion of every key in [start, end) as of one
// sequence number, written by kv_delete_range in constant time.
//
// A range tombstone hides every version of every key in its range whose
// sequence number is below its own, for readers whose sequence number is at
// or above its own. Unlike a point tombstone it is not stored among the
// internal keys it hides: it lives beside them (in the memtable's list, in a
// table's properties, in the manifest's record of that table), and a read
// asks the read's RangeTombstoneSet whether the newest version it found is
// covered. That makes the answer independent of where in the tree a
// tombstone sits, so flushes and compactions may carry tombstones in any
// table they write (docs/ARCHITECTURE.md, "Range deletes").
//
// Thread safety: RangeTombstone is a value; a RangeTombstoneSet is immutable
// after construction and safe from many threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/dbformat.h"
#include "core/status.h"

namespace strata {

struct RangeTombstone {
  std::string start;  // inclusive
  std::string end;    // exclusive; start < end
  SequenceNumber sequence = 0;

  bool Contains(std::string_view user_key) const { return user_key >= start && user_key < end; }
  // Whether [start, end) meets the user-key range [smallest, largest].
  bool Overlaps(std::string_view smallest, std::string_view largest) const {
    return start <= largest && smallest < end;
  }
  bool operator==(const RangeTombstone&) const = default;
};

using RangeTombstoneList = std::vector<RangeTombstone>;

// The encoding shared by a table's properties and the manifest
// (docs/FORMATS.md): varint32 count, then per tombstone the start and end
// (each varint32 length + bytes) and the sequence number (varint64).
void EncodeRangeTombstones(const RangeTombstoneList& tombstones, std::string* dst);
// Consumes an encoded list from the front of *input. Corruption when it is
// truncated or a tombstone is empty (start >= end) or its sequence number is
// out of range.
Status DecodeRangeTombstones(std::string_view* input, RangeTombstoneList* out);

// Every range tombstone a read must honour, split into fragments that do
// not overlap, each with the sequence numbers of the tombstones covering it,
// so that asking about one key is two binary searches.
class RangeTombstoneSet {
 public:
  explicit RangeTombstoneSet(const RangeTombstoneList& tombstones);

  // The largest sequence number, at most `read_sequence`, of a tombstone
  // covering user_key; 0 when none does (no write has sequence number 0).
  SequenceNumber MaxCoveringSequence(std::string_view user_key,
                                     SequenceNumber read_sequence) const;

  // Whether the version of user_key written at `sequence` is hidden from a
  // reader at `read_sequence` by a tombstone.
  bool Covers(std::string_view user_key, SequenceNumber sequence,
              SequenceNumber read_sequence) const {
    return MaxCoveringSequence(user_key, read_sequence) > sequence;
  }

  bool empty() const { return fragments_.empty(); }

 private:
  struct Fragment {
    std::string start;                    // this fragment is [start, next fragment's start)
    std::vector<SequenceNumber> sequences;  // ascending; empty: a gap between tombstones
  };
  std::vector<Fragment> fragments_;  // by start; the last one is always a gap
};

// A set of the tombstones of these lists, or null when they hold none (the
// common case, which then costs a read one pointer test).
std::shared_ptr<const RangeTombstoneSet> MakeRangeTombstoneSet(
    const std::vector<const RangeTombstoneList*>& lists);

}  // namespace strata
