// The database every wal_recovery_fuzzer input starts from, shared with
// make_seeds.cc so that the seed WALs continue its sequence numbers.
//
// kTemplateKeys keys (TemplateKey(i) -> TemplateValue(i)), each written by its
// own put, so key i has sequence number i + 1 and the last sequence number is
// kTemplateKeys; then flushed into a table, and the database closed. What is
// left is a manifest, one table and an empty live WAL, which an input then
// replaces, as if the process had crashed after writing that log.
//
// Thread safety: functions over a directory nobody else uses.
#pragma once

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "core/db/db.h"
#include "core/filename.h"
#include "core/options.h"

namespace strata::fuzz {

inline constexpr int kTemplateKeys = 30;

inline std::string TemplateKey(int i) {
  char key[8];
  std::snprintf(key, sizeof(key), "t%02d", i);
  return key;
}

inline std::string TemplateValue(int i) { return "template-value-" + std::to_string(i); }

// The options the template is built and reopened with: one background thread
// is plenty for a database this small.
inline Options RecoveryOptions() {
  Options o;
  o.background_threads = 1;
  return o;
}

inline Status BuildRecoveryTemplate(const std::string& dir) {
  std::shared_ptr<DB> db;
  STRATA_RETURN_IF_ERROR(DB::Open(RecoveryOptions(), dir, &db));
  for (int i = 0; i < kTemplateKeys; ++i) {
    STRATA_RETURN_IF_ERROR(db->Put(WriteOptions(), TemplateKey(i), TemplateValue(i)));
  }
  return db->Flush();
}

// The live WAL of a closed database: the log file with the largest number.
inline std::string LiveWalPath(const std::string& dir) {
  uint64_t best = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    uint64_t number = 0;
    if (ParseFileName(entry.path().filename().string(), &number) == FileKind::kLog &&
        number > best) {
      best = number;
    }
  }
  return best == 0 ? std::string() : LogFileName(dir, best);
}

}  // namespace strata::fuzz
