// DB::ApproximateSize: the on-disk bytes of a key range.
#include "core/db/db.h"
#include "core/table/table_cache.h"
#include "core/table/table_reader.h"
#include "core/version/version.h"

namespace strata {

Status DB::ApproximateSize(const std::optional<std::string>& start,
                           const std::optional<std::string>& end, uint64_t* bytes) {
  *bytes = 0;
  if (start && end && *start >= *end) return Status::OK();
  const std::shared_ptr<const SuperVersion> sv = super_version_.load();
  // The first internal key of a user key (its newest possible version): the
  // offset of the block where the key's entries begin, or would.
  auto offset_of = [](const TableReader& reader, const std::string& user_key) {
    return reader.ApproximateOffsetOf(LookupKey(user_key, kMaxSequenceNumber).internal_key());
  };
  uint64_t total = 0;
  for (int level = 0; level < kNumLevels; ++level) {
    for (const auto& f : sv->version->files(level)) {
      const std::string_view smallest = ExtractUserKey(f->smallest);
      const std::string_view largest = ExtractUserKey(f->largest);
      if (end && smallest >= *end) continue;
      if (start && largest < *start) continue;
      const bool cut_front = start && *start > smallest;
      const bool cut_back = end && *end <= largest;
      if (!cut_front && !cut_back) {
        total += f->file_size;  // wholly inside: its index and filter count too
        continue;
      }
      std::shared_ptr<TableReader> reader;
      STRATA_RETURN_IF_ERROR(table_cache_->FindTable(*f, &reader));
      const uint64_t from = cut_front ? offset_of(*reader, *start) : 0;
      const uint64_t to = cut_back ? offset_of(*reader, *end) : f->file_size;
      if (to > from) total += to - from;
    }
  }
  *bytes = total;
  return Status::OK();
}

}  // namespace strata
