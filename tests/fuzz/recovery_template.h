// The database every wal_recovery_fuzzer input starts from, shared with
// make_seeds.cc so that the seed WALs continue its sequence numbers.
//
// kTemplateKeys keys (TemplateKey(i) -> TemplateValue(i)), each written by its
// own put, so key i has sequence number i + 1 and the last sequence number is
// kTemplateKeys; then flushed into a table, and the database closed. What is
// left is a manifest, one table and an empty live WAL, which an input then
// replaces, as if the process had crashed after writing that log.
//
// Every function works through the Env it is given (Env::Default() for
// make_seeds.cc's files on disk, a MemEnv for wal_recovery_fuzzer.cc).
//
// Thread safety: functions over a directory nobody else uses.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

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

// The options the template is built and reopened with, on `env`: one
// background thread is plenty for a database this small.
inline Options RecoveryOptions(Env* env) {
  Options o;
  o.background_threads = 1;
  o.env = env;
  return o;
}

inline Status BuildRecoveryTemplate(Env* env, const std::string& dir) {
  std::shared_ptr<DB> db;
  STRATA_RETURN_IF_ERROR(DB::Open(RecoveryOptions(env), dir, &db));
  for (int i = 0; i < kTemplateKeys; ++i) {
    STRATA_RETURN_IF_ERROR(db->Put(WriteOptions(), TemplateKey(i), TemplateValue(i)));
  }
  return db->Flush();
}

// The live WAL of a closed database: the log file with the largest number
// ("" when there is none).
inline std::string LiveWalPath(Env* env, const std::string& dir) {
  uint64_t best = 0;
  std::vector<std::string> names;
  if (!env->GetChildren(dir, &names).ok()) return std::string();
  for (const auto& name : names) {
    uint64_t number = 0;
    if (ParseFileName(name, &number) == FileKind::kLog && number > best) best = number;
  }
  return best == 0 ? std::string() : LogFileName(dir, best);
}

}  // namespace strata::fuzz
