// The reference semantics of kv.h's reads, for the C ABI sequence fuzzer: the
// database as an ordered map, and kv.h's two-way cursor over a frozen copy of
// it, written from the header's prose alone (never from capi/ or core/), so
// that the fuzzer compares the engine with the contract rather than with
// itself.
//
// Thread safety: value types; one thread at a time. A ModelCursor shares its
// frozen map, which nothing modifies.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "strata/kv.h"

namespace strata::fuzz {

using KvModel = std::map<std::string, std::string>;

// The keys an iterator walks: [lower, upper) (nullopt: open), further limited
// to the keys that begin with `prefix` when one is set (kv_iter_new_prefix).
struct KeyRange {
  std::optional<std::string> lower;
  std::optional<std::string> upper;
  std::optional<std::string> prefix;

  bool Contains(std::string_view key) const {
    if (lower && key < *lower) return false;
    if (upper && key >= *upper) return false;
    return !prefix || key.substr(0, prefix->size()) == *prefix;
  }
};

// kv.h's cursor: before the first entry of its range, at an entry, or after
// the last. Every move returns KV_OK (now at key()/value()) or KV_END (moved
// off the range, to the side the header names for that move).
class ModelCursor {
 public:
  ModelCursor(std::shared_ptr<const KvModel> data, KeyRange range)
      : data_(std::move(data)), range_(std::move(range)) {}

  // From "before the first" to the first; from an entry to the next; "after
  // the last" stays there.
  int Next() {
    switch (pos_) {
      case Pos::kBeforeFirst: return Land(FirstFrom(data_->begin()), Pos::kAfterLast);
      case Pos::kAt: return Land(FirstFrom(std::next(at_)), Pos::kAfterLast);
      case Pos::kAfterLast: return KV_END;
    }
    return KV_END;
  }
  // The mirror image of Next.
  int Prev() {
    switch (pos_) {
      case Pos::kAfterLast: return Land(LastBefore(data_->end()), Pos::kBeforeFirst);
      case Pos::kAt: return Land(LastBefore(at_), Pos::kBeforeFirst);
      case Pos::kBeforeFirst: return KV_END;
    }
    return KV_END;
  }
  int First() { return Land(FirstFrom(data_->begin()), Pos::kAfterLast); }
  int Last() { return Land(LastBefore(data_->end()), Pos::kBeforeFirst); }
  // The first key >= target inside the range (a target below the range
  // clamps to its start).
  int Seek(std::string_view target) {
    return Land(FirstFrom(data_->lower_bound(std::string(target))), Pos::kAfterLast);
  }
  // The last key <= target inside the range.
  int SeekForPrev(std::string_view target) {
    return Land(LastBefore(data_->upper_bound(std::string(target))), Pos::kBeforeFirst);
  }

  // REQUIRES: the last move returned KV_OK.
  const std::string& key() const { return at_->first; }
  const std::string& value() const { return at_->second; }

 private:
  enum class Pos { kBeforeFirst, kAt, kAfterLast };
  using It = KvModel::const_iterator;

  // The first in-range entry at or after `from`, or end().
  It FirstFrom(It from) const {
    for (It it = from; it != data_->end(); ++it) {
      if (range_.Contains(it->first)) return it;
    }
    return data_->end();
  }
  // The last in-range entry strictly before `before`, or end().
  It LastBefore(It before) const {
    for (It it = before; it != data_->begin();) {
      --it;
      if (range_.Contains(it->first)) return it;
    }
    return data_->end();
  }
  int Land(It it, Pos off_range) {
    if (it == data_->end()) {
      pos_ = off_range;
      return KV_END;
    }
    pos_ = Pos::kAt;
    at_ = it;
    return KV_OK;
  }

  std::shared_ptr<const KvModel> data_;
  KeyRange range_;
  Pos pos_ = Pos::kBeforeFirst;
  It at_;
};

}  // namespace strata::fuzz
