#include "core/compaction/compaction_picker.h"

#include <algorithm>
#include <set>

#include "core/dbformat.h"

namespace strata {

uint64_t LevelTargetBytes(const Options& o, int level) {
  uint64_t target = o.level1_bytes;
  for (int l = 1; l < level; ++l) target *= static_cast<uint64_t>(o.level_size_multiplier);
  return target;
}

double LevelScore(const Version& v, const Options& o, int level) {
  if (level == 0) {
    return static_cast<double>(v.NumFiles(0)) / static_cast<double>(o.l0_compaction_trigger);
  }
  return static_cast<double>(v.LevelBytes(level)) /
         static_cast<double>(LevelTargetBytes(o, level));
}

namespace {

bool AnyBusy(const FileList& files) {
  return std::any_of(files.begin(), files.end(), [](const auto& f) { return f->being_compacted; });
}

// The user-key range covered by the files.
void Range(const FileList& files, std::string* smallest, std::string* largest) {
  bool first = true;
  for (const auto& f : files) {
    std::string_view s = ExtractUserKey(f->smallest), l = ExtractUserKey(f->largest);
    if (first || s < std::string_view(*smallest)) smallest->assign(s);
    if (first || l > std::string_view(*largest)) largest->assign(l);
    first = false;
  }
}

// Widens [*lo, *hi] (user keys; nullopt = open) to include f.
void Widen(const FileMetaData& f, std::optional<std::string>* lo, std::optional<std::string>* hi) {
  const std::string_view smallest = ExtractUserKey(f.smallest);
  const std::string_view largest = ExtractUserKey(f.largest);
  if (lo->has_value() && smallest < std::string_view(**lo)) lo->emplace(smallest);
  if (hi->has_value() && largest > std::string_view(**hi)) hi->emplace(largest);
}

}  // namespace

std::optional<PickedCompaction> PickCompaction(const Version& v, const Options& o,
                                               const std::string compact_pointers[kNumLevels],
                                               bool l0_read_triggered) {
  // Levels by descending score, so a busy level does not block the others.
  std::vector<std::pair<double, int>> scored;
  for (int level = 0; level < kNumLevels - 1; ++level) {
    double score = LevelScore(v, o, level);
    // Below its trigger, L0 still goes when reads asked for it, after any
    // level that is over its size.
    if (level == 0 && score < 1.0 && l0_read_triggered && v.NumFiles(0) > 0) score = 1.0;
    if (score >= 1.0) scored.emplace_back(score, level);
  }
  std::sort(scored.begin(), scored.end(), std::greater<>());

  for (const auto& [score, level] : scored) {
    PickedCompaction picked;
    picked.level = level;
    FileList inputs;
    if (level == 0) {
      inputs = v.files(0);
      if (AnyBusy(inputs)) continue;
    } else {
      // Round-robin: the first table after the last compacted key.
      const FileList& files = v.files(level);
      const std::string& pointer = compact_pointers[level];
      std::shared_ptr<FileMetaData> chosen;
      for (const auto& f : files) {
        if (!pointer.empty() && ExtractUserKey(f->smallest) <= std::string_view(pointer)) continue;
        if (!f->being_compacted) {
          chosen = f;
          break;
        }
      }
      if (!chosen) {
        for (const auto& f : files) {
          if (!f->being_compacted) {
            chosen = f;
            break;
          }
        }
      }
      if (!chosen) continue;
      inputs.push_back(chosen);
    }

    std::string smallest, largest;
    Range(inputs, &smallest, &largest);
    std::string_view lo(smallest), hi(largest);
    FileList next = v.Overlapping(level + 1, &lo, &hi);
    if (AnyBusy(next)) continue;

    picked.inputs.files[level] = inputs;
    picked.inputs.files[level + 1] = next;
    picked.inputs.output_level = level + 1;

    // Tombstones can go only if no deeper level may hold the keys.
    FileList all = inputs;
    all.insert(all.end(), next.begin(), next.end());
    Range(all, &smallest, &largest);
    lo = smallest;
    hi = largest;
    bool bottommost = true;
    for (int deeper = level + 2; deeper < kNumLevels; ++deeper) {
      if (!v.Overlapping(deeper, &lo, &hi).empty()) {
        bottommost = false;
        break;
      }
    }
    picked.inputs.bottommost = bottommost;
    picked.trivial_move = inputs.size() == 1 && next.empty() &&
                          (level > 0 || v.NumFiles(0) == 1);
    return picked;
  }
  return std::nullopt;
}

CompactionInputs PickRangeCompaction(const Version& v, const std::string_view* begin,
                                     const std::string_view* end) {
  std::optional<std::string> lo, hi;  // nullopt: open on that side
  if (begin != nullptr) lo.emplace(*begin);
  if (end != nullptr) hi.emplace(*end);

  CompactionInputs inputs;
  std::set<uint64_t> chosen;
  bool changed = true;
  while (changed) {
    changed = false;
    for (int level = 0; level < kNumLevels; ++level) {
      std::string_view lo_view, hi_view;
      if (lo) lo_view = *lo;
      if (hi) hi_view = *hi;
      for (const auto& f : v.Overlapping(level, lo ? &lo_view : nullptr, hi ? &hi_view : nullptr)) {
        if (!chosen.insert(f->number).second) continue;
        inputs.files[level].push_back(f);
        Widen(*f, &lo, &hi);
        changed = true;
      }
    }
  }
  // The closure adds a level's tables in the order it finds them, round by
  // round as the range widens; the level iterator of a level above 0 needs
  // them in key order (and L0's stay oldest first, as everywhere).
  for (int level = 0; level < kNumLevels; ++level) SortLevelFiles(level, &inputs.files[level]);

  int deepest = 0;
  for (int level = 0; level < kNumLevels; ++level) {
    if (!inputs.files[level].empty()) deepest = level;
  }
  inputs.output_level = std::max(1, deepest);
  inputs.bottommost = true;  // the closure holds every version of its keys
  return inputs;
}

}  // namespace strata
