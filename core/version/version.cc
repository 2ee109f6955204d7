#include "core/version/version.h"

#include <algorithm>

#include "core/dbformat.h"
#include "core/version/version_edit.h"

namespace strata {

namespace {
std::string_view SmallestUser(const FileMetaData& f) { return ExtractUserKey(f.smallest); }
std::string_view LargestUser(const FileMetaData& f) { return ExtractUserKey(f.largest); }
}  // namespace

void SortLevelFiles(int level, FileList* files) {
  if (level == 0) {
    std::sort(files->begin(), files->end(),
              [](const auto& a, const auto& b) { return a->number < b->number; });
  } else {
    std::sort(files->begin(), files->end(), [](const auto& a, const auto& b) {
      return CompareInternalKeys(a->smallest, b->smallest) < 0;
    });
  }
}

uint64_t Version::LevelBytes(int level) const {
  uint64_t total = 0;
  for (const auto& f : files_[level]) total += f->file_size;
  return total;
}

uint64_t Version::TotalBytes() const {
  uint64_t total = 0;
  for (int level = 0; level < kNumLevels; ++level) total += LevelBytes(level);
  return total;
}

int Version::DeepestNonEmptyLevel() const {
  for (int level = kNumLevels - 1; level > 0; --level) {
    if (!files_[level].empty()) return level;
  }
  return 0;
}

FileList Version::FilesForKey(int level, std::string_view user_key) const {
  FileList out;
  const FileList& files = files_[level];
  if (level == 0) {
    for (auto it = files.rbegin(); it != files.rend(); ++it) {
      const FileMetaData& f = **it;
      if (user_key >= SmallestUser(f) && user_key <= LargestUser(f)) out.push_back(*it);
    }
    return out;
  }
  // The first table whose largest key is >= user_key.
  auto it = std::lower_bound(files.begin(), files.end(), user_key,
                             [](const std::shared_ptr<FileMetaData>& f, std::string_view k) {
                               return LargestUser(*f) < k;
                             });
  if (it != files.end() && user_key >= SmallestUser(**it)) out.push_back(*it);
  return out;
}

FileList Version::Overlapping(int level, const std::string_view* begin,
                              const std::string_view* end) const {
  FileList out;
  for (const auto& f : files_[level]) {
    if (begin != nullptr && LargestUser(*f) < *begin) continue;
    if (end != nullptr && SmallestUser(*f) > *end) continue;
    out.push_back(f);
  }
  return out;
}

VersionBuilder::VersionBuilder(const Version* base) {
  if (base != nullptr) {
    for (int level = 0; level < kNumLevels; ++level) files_[level] = base->files(level);
  }
}

void VersionBuilder::Apply(const VersionEdit& edit) {
  for (const auto& [level, number] : edit.deleted_files()) {
    auto& files = files_[level];
    files.erase(std::remove_if(files.begin(), files.end(),
                               [number = number](const auto& f) { return f->number == number; }),
                files.end());
  }
  for (const auto& [level, meta] : edit.new_files()) {
    auto f = std::make_shared<FileMetaData>(meta);
    uint64_t compaction_bytes = f->file_size;
    if (level == 0) {
      for (const auto& g : files_[1]) {
        if (LargestUser(*g) >= SmallestUser(*f) && SmallestUser(*g) <= LargestUser(*f)) {
          compaction_bytes += g->file_size;
        }
      }
    }
    f->allowed_seeks.store(FileMetaData::InitialAllowedSeeks(compaction_bytes),
                           std::memory_order_relaxed);
    f->being_compacted = false;
    files_[level].push_back(std::move(f));
  }
}

std::shared_ptr<Version> VersionBuilder::Build(std::string* error) const {
  auto v = std::make_shared<Version>();
  for (int level = 0; level < kNumLevels; ++level) {
    FileList files = files_[level];
    SortLevelFiles(level, &files);
    if (level > 0) {
      for (size_t i = 1; i < files.size(); ++i) {
        if (ExtractUserKey(files[i - 1]->largest) >= ExtractUserKey(files[i]->smallest)) {
          *error = "overlapping tables " + std::to_string(files[i - 1]->number) + " and " +
                   std::to_string(files[i]->number) + " in level " + std::to_string(level);
        }
      }
    }
    v->files_[level] = std::move(files);
  }
  // A tombstone carried by several tables (a compaction may write one into
  // each of its outputs) is listed once.
  for (int level = 0; level < kNumLevels; ++level) {
    for (const auto& f : v->files_[level]) {
      for (const RangeTombstone& t : f->range_deletions) {
        if (std::find(v->range_deletion_list_.begin(), v->range_deletion_list_.end(), t) ==
            v->range_deletion_list_.end()) {
          v->range_deletion_list_.push_back(t);
        }
      }
    }
  }
  v->range_deletions_ = MakeRangeTombstoneSet({&v->range_deletion_list_});
  return v;
}

}  // namespace strata
