// FileMetaData: what the manifest records about one table.
//
// Thread safety: immutable once published in a Version, except
// `being_compacted`, which is only touched under the database mutex.
#pragma once

#include <cstdint>
#include <string>

namespace strata {

inline constexpr int kNumLevels = 7;

struct FileMetaData {
  uint64_t number = 0;
  uint64_t file_size = 0;
  std::string smallest;  // internal key
  std::string largest;   // internal key
  uint64_t num_entries = 0;
  uint64_t num_deletions = 0;
  // Set while a compaction has this file as an input. Guarded by DB mutex.
  bool being_compacted = false;
};

}  // namespace strata
