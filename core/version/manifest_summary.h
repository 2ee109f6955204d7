// ReadManifestSummary: what a database's live manifest says about its files,
// read without building a Version, for a caller that must cope with a
// database that does not open (repair). VersionSet::Recover is the reader
// for opening.
//
// Thread safety: a pure function of the files; nobody may change CURRENT or
// the manifest meanwhile (LOCK).
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include "core/env.h"
#include "core/status.h"

namespace strata {

struct ManifestSummary {
  std::string name;                // the manifest CURRENT names ("MANIFEST-000012")
  std::set<uint64_t> live_tables;  // the tables its edits leave listed
  uint64_t next_file_number = 0;
  // The oldest log still needed, when an edit recorded one.
  std::optional<uint64_t> log_number;
};

// Reads CURRENT and replays every edit of the manifest it names. On failure
// (Corruption; IOError) the message says briefly what could not be read, with
// no database path: "CURRENT is damaged", "MANIFEST-000014 is missing", ...
// A manifest without a next file number is incomplete (Corruption).
Status ReadManifestSummary(Env* env, const std::string& dbname, ManifestSummary* out);

}  // namespace strata
