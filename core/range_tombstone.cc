#include "core/range_tombstone.h"

#include <algorithm>
#include <map>
#include <set>

#include "core/coding.h"

namespace strata {

void EncodeRangeTombstones(const RangeTombstoneList& tombstones, std::string* dst) {
  PutVarint32(dst, static_cast<uint32_t>(tombstones.size()));
  for (const RangeTombstone& t : tombstones) {
    PutLengthPrefixed(dst, t.start);
    PutLengthPrefixed(dst, t.end);
    PutVarint64(dst, t.sequence);
  }
}

Status DecodeRangeTombstones(std::string_view* input, RangeTombstoneList* out) {
  out->clear();
  uint32_t count;
  if (!GetVarint32(input, &count)) return Status::Corruption("range tombstones: bad count");
  // Each tombstone takes at least 3 bytes: a count beyond that is damage, and
  // must not size an allocation.
  if (count > input->size() / 3) return Status::Corruption("range tombstones: count too large");
  out->reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    std::string_view start, end;
    uint64_t sequence;
    if (!GetLengthPrefixed(input, &start) || !GetLengthPrefixed(input, &end) ||
        !GetVarint64(input, &sequence)) {
      return Status::Corruption("range tombstones: truncated");
    }
    if (start >= end) return Status::Corruption("range tombstones: an empty range");
    if (sequence == 0 || sequence > kMaxSequenceNumber) {
      return Status::Corruption("range tombstones: sequence number out of range");
    }
    out->push_back({std::string(start), std::string(end), sequence});
  }
  return Status::OK();
}

RangeTombstoneSet::RangeTombstoneSet(const RangeTombstoneList& tombstones) {
  // A sweep over the boundaries in key order: at each, the tombstones that
  // begin there join the active ones and those that end there leave.
  std::map<std::string_view, std::pair<std::vector<SequenceNumber>, std::vector<SequenceNumber>>>
      events;  // boundary -> (sequences starting, sequences ending)
  for (const RangeTombstone& t : tombstones) {
    events[t.start].first.push_back(t.sequence);
    events[t.end].second.push_back(t.sequence);
  }
  std::multiset<SequenceNumber> active;
  for (const auto& [boundary, change] : events) {
    for (SequenceNumber s : change.second) active.erase(active.find(s));
    for (SequenceNumber s : change.first) active.insert(s);
    std::vector<SequenceNumber> sequences(active.begin(), active.end());
    // Neighbours covered by the same tombstones are one fragment.
    if (!fragments_.empty() && fragments_.back().sequences == sequences) continue;
    fragments_.push_back({std::string(boundary), std::move(sequences)});
  }
}

SequenceNumber RangeTombstoneSet::MaxCoveringSequence(std::string_view user_key,
                                                      SequenceNumber read_sequence) const {
  // The last fragment starting at or before user_key.
  auto it = std::upper_bound(fragments_.begin(), fragments_.end(), user_key,
                             [](std::string_view key, const Fragment& f) { return key < f.start; });
  if (it == fragments_.begin()) return 0;
  const std::vector<SequenceNumber>& sequences = std::prev(it)->sequences;
  auto s = std::upper_bound(sequences.begin(), sequences.end(), read_sequence);
  return s == sequences.begin() ? 0 : *std::prev(s);
}

std::shared_ptr<const RangeTombstoneSet> MakeRangeTombstoneSet(
    const std::vector<const RangeTombstoneList*>& lists) {
  size_t total = 0;
  for (const RangeTombstoneList* list : lists) total += list->size();
  if (total == 0) return nullptr;
  RangeTombstoneList all;
  all.reserve(total);
  for (const RangeTombstoneList* list : lists) all.insert(all.end(), list->begin(), list->end());
  return std::make_shared<const RangeTombstoneSet>(all);
}

}  // namespace strata
