// Fuzz target: the version edit decoder (core/version/version_edit
// DecodeFrom), which decodes every manifest record when a database opens,
// over arbitrary bytes; decoded edits are then applied the way manifest
// replay applies them (VersionBuilder).
//
// Input: the encoded edit, exactly as a manifest record's payload holds it.
//
// Checks, beyond "no crash, no sanitizer report":
//  - a failed decode is Corruption;
//  - a decoded edit survives EncodeTo then DecodeFrom unchanged, and encodes
//    to the same bytes the second time (the encoding is canonical);
//  - applied to an empty VersionBuilder, an edit gives a Version whose every
//    level >= 1 is sorted and disjoint, or Build reports why not.
#include <cstdint>
#include <string>

#include "core/dbformat.h"
#include "core/version/version.h"
#include "core/version/version_edit.h"
#include "fuzz/fuzz_check.h"

namespace {

using namespace strata;

bool SameFiles(const VersionEdit& a, const VersionEdit& b) {
  if (a.new_files().size() != b.new_files().size()) return false;
  for (size_t i = 0; i < a.new_files().size(); ++i) {
    const auto& [la, fa] = a.new_files()[i];
    const auto& [lb, fb] = b.new_files()[i];
    if (la != lb || fa.number != fb.number || fa.file_size != fb.file_size ||
        fa.smallest != fb.smallest || fa.largest != fb.largest ||
        fa.num_entries != fb.num_entries || fa.num_deletions != fb.num_deletions) {
      return false;
    }
  }
  return a.deleted_files() == b.deleted_files();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  VersionEdit edit;
  Status s = edit.DecodeFrom(input);
  if (!s.ok()) {
    FUZZ_CHECK(s.IsCorruption(), "DecodeFrom failed with %s", s.ToString().c_str());
    return 0;
  }

  std::string encoded;
  edit.EncodeTo(&encoded);
  VersionEdit decoded;
  s = decoded.DecodeFrom(encoded);
  FUZZ_CHECK(s.ok(), "a re-encoded edit does not decode: %s", s.ToString().c_str());
  FUZZ_CHECK(decoded.log_number() == edit.log_number() &&
                 decoded.next_file_number() == edit.next_file_number() &&
                 decoded.last_sequence() == edit.last_sequence() && SameFiles(edit, decoded),
             "round trip changed the edit: %s became %s", edit.DebugString().c_str(),
             decoded.DebugString().c_str());
  std::string reencoded;
  decoded.EncodeTo(&reencoded);
  FUZZ_CHECK(reencoded == encoded, "the encoding is not canonical");

  VersionBuilder builder(nullptr);
  builder.Apply(edit);
  std::string error;
  std::shared_ptr<Version> version = builder.Build(&error);
  FUZZ_CHECK(version != nullptr, "Build returned no version");
  if (!error.empty()) return 0;
  for (int level = 1; level < kNumLevels; ++level) {
    const FileList& files = version->files(level);
    for (size_t i = 1; i < files.size(); ++i) {
      FUZZ_CHECK(ExtractUserKey(files[i - 1]->largest) < ExtractUserKey(files[i]->smallest),
                 "level %d holds overlapping tables without an error", level);
    }
  }
  // Lookups and overlap queries walk the levels the way reads do.
  for (int level = 0; level < kNumLevels; ++level) {
    for (const auto& f : version->files(level)) {
      version->FilesForKey(level, ExtractUserKey(f->smallest));
      const std::string_view lo = ExtractUserKey(f->smallest), hi = ExtractUserKey(f->largest);
      version->Overlapping(level, &lo, &hi);
    }
  }
  return 0;
}
