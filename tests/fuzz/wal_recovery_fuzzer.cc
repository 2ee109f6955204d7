// Fuzz target: crash recovery (DB::Open replaying a write-ahead log into the
// memtable) over arbitrary WAL bytes, end to end on a real database.
//
// Every input starts from the same small database (recovery_template.h: 30
// keys in a table, an empty live WAL), built once at start-up; its files are
// written afresh for each input, the input replacing the live WAL as if the
// process had crashed after writing it, and the database is opened.
//
// Where the files live: by default in a new in-memory Env per input
// (core/mem_env.h), so an input costs what recovery costs and nothing is
// left over from the one before. With STRATA_FUZZ_ON_DISK=1 in the
// environment, in a per-process scratch directory on real files through
// Env::Default() (process_dir.h) instead: it puts PosixEnv under the same
// inputs, for 15-45% more CPU per input even on /dev/shm (docs/RELIABILITY.md).
//
// Input: byte 0 is a mode, the rest is the WAL.
//   mode bit 0  reseal: recompute every record's checksums first (see
//               log_reseal.h), so that mutations reach the batch decoder and
//               the replay instead of stopping at a checksum.
//
// The oracle decodes the same log independently (log::Reader, then
// WriteBatch) and predicts the outcome:
//  - Open fails with Corruption exactly when the log is damaged before its
//    tail, a record does not decode as a write batch, or the non-empty
//    batches' sequence numbers do not strictly increase or run past the
//    largest (kMaxSequenceNumber); a torn tail is cut and the open succeeds.
//  - After a successful open, every key reads (by Get and by a full scan in
//    both directions) as its newest version by sequence number, over the
//    template's versions and the log's; a key whose newest sequence number
//    is both in the template's table and in the log is only required to
//    read without error. A new write
//    afterwards is readable, and so is everything after closing and
//    reopening (recovery is repeatable).
#include <cstdint>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/db/db.h"
#include "core/db/db_iterator.h"
#include "core/dbformat.h"
#include "core/mem_env.h"
#include "core/wal/log_reader.h"
#include "core/write_batch.h"
#include "fuzz/fuzz_check.h"
#include "fuzz/log_reseal.h"
#include "fuzz/memory_files.h"
#include "fuzz/process_dir.h"
#include "fuzz/recovery_template.h"

namespace {

using namespace strata;

// The template database's files, name -> bytes, and its live WAL's name.
std::map<std::string, std::string>* g_template_files = nullptr;
std::string* g_wal_name = nullptr;
// STRATA_FUZZ_ON_DISK=1: this process's scratch directory on disk, else null.
std::string* g_disk_dir = nullptr;

// The newest version of one key, as the oracle sees it.
struct Version {
  SequenceNumber seq = 0;
  std::optional<std::string> value;  // nullopt: deleted
  bool ambiguous = false;            // two operations share the newest seq
};
using Expected = std::map<std::string, Version>;

void Apply(Expected* expected, std::string_view key, SequenceNumber seq,
           std::optional<std::string> value) {
  auto [it, inserted] = expected->try_emplace(std::string(key));
  Version& v = it->second;
  if (inserted || seq > v.seq) {
    v = Version{seq, std::move(value), false};
  } else if (seq == v.seq) {
    v.ambiguous = true;
  }
}

struct Collector : WriteBatch::Handler {
  Expected* expected;
  SequenceNumber seq;
  void Put(std::string_view k, std::string_view v) override {
    Apply(expected, k, seq++, std::string(v));
  }
  void Delete(std::string_view k) override { Apply(expected, k, seq++, std::nullopt); }
  // Hides every older version of the keys in [start, end): valid logs come
  // in sequence order, so every version seen so far is older.
  void DeleteRange(std::string_view start, std::string_view end) override {
    for (auto it = expected->lower_bound(std::string(start));
         it != expected->end() && it->first < end; ++it) {
      if (it->second.seq < seq) it->second = Version{seq, std::nullopt, false};
    }
    ++seq;
  }
};

struct NullHandler : WriteBatch::Handler {
  void Put(std::string_view, std::string_view) override {}
  void Delete(std::string_view) override {}
  void DeleteRange(std::string_view, std::string_view) override {}
};

// Decodes the WAL the way recovery does. Returns whether the open must
// succeed; fills *expected when it must.
bool Predict(const std::string& wal, Expected* expected) {
  for (int i = 0; i < fuzz::kTemplateKeys; ++i) {
    Apply(expected, fuzz::TemplateKey(i), SequenceNumber(i + 1), fuzz::TemplateValue(i));
  }
  log::Reader reader(std::make_unique<fuzz::StringSequentialFile>(wal), "wal", wal.size());
  std::string record;
  SequenceNumber last = 0;
  while (reader.ReadRecord(&record)) {
    WriteBatch batch;
    NullHandler null;
    if (!batch.SetContents(record).ok() || !batch.Iterate(&null).ok()) return false;
    const SequenceNumber first = batch.Sequence();
    if (batch.Count() > 0) {
      if (first > kMaxSequenceNumber || batch.Count() - 1 > kMaxSequenceNumber - first) {
        return false;
      }
      if (first <= last) return false;  // sequence numbers must strictly increase
      last = first + batch.Count() - 1;
    }
    Collector collector;
    collector.expected = expected;
    collector.seq = first;
    batch.Iterate(&collector);
  }
  return reader.status().ok();
}

// The database must read exactly as `expected` says.
void CheckContents(DB* db, const Expected& expected, const char* when) {
  for (const auto& [key, v] : expected) {
    std::string value;
    Status s = db->Get(ReadOptions(), key, &value);
    if (v.ambiguous) {
      FUZZ_CHECK(s.ok() || s.IsNotFound(), "%s: Get of an ambiguous key: %s", when,
                 s.ToString().c_str());
      continue;
    }
    if (v.value) {
      FUZZ_CHECK(s.ok() && value == *v.value, "%s: Get of a key (%zu bytes) gave %s, not its value",
                 when, key.size(), s.ToString().c_str());
    } else {
      FUZZ_CHECK(s.IsNotFound(), "%s: Get of a deleted key gave %s", when, s.ToString().c_str());
    }
  }

  // Forward and backward scans: ordered, and only keys the oracle allows.
  std::unique_ptr<Iterator> it = db->NewIterator(ReadOptions(), std::nullopt, std::nullopt);
  std::vector<std::string> forward;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const std::string key(it->key());
    FUZZ_CHECK(forward.empty() || forward.back() < key, "%s: scan out of order", when);
    auto e = expected.find(key);
    FUZZ_CHECK(e != expected.end(), "%s: the scan returned a key never written", when);
    FUZZ_CHECK(e->second.ambiguous || (e->second.value && it->value() == *e->second.value),
               "%s: the scan returned a deleted key or a wrong value", when);
    forward.push_back(key);
  }
  FUZZ_CHECK(it->status().ok(), "%s: scan failed: %s", when, it->status().ToString().c_str());
  const std::set<std::string> scanned(forward.begin(), forward.end());
  for (const auto& [key, v] : expected) {
    FUZZ_CHECK(v.ambiguous || !v.value || scanned.count(key) == 1, "%s: the scan missed a key",
               when);
  }
  size_t back = forward.size();
  for (it->SeekToLast(); it->Valid(); it->Prev()) {
    FUZZ_CHECK(back > 0 && forward[back - 1] == it->key(), "%s: backward scan differs", when);
    --back;
  }
  FUZZ_CHECK(back == 0 && it->status().ok(), "%s: backward scan ended early", when);
}

void WriteFile(Env* env, const std::string& path, std::string_view bytes) {
  std::unique_ptr<WritableFile> file;
  Status s = env->NewWritableFile(path, &file);
  if (s.ok()) s = file->Append(bytes);
  if (s.ok()) s = file->Close();
  FUZZ_CHECK(s.ok(), "cannot write %s: %s", path.c_str(), s.ToString().c_str());
}

// Writes the template database into `dir` (made empty first), with `wal` as
// its live WAL.
void LayOutDatabase(Env* env, const std::string& dir, std::string_view wal) {
  std::vector<std::string> leftovers;
  if (env->GetChildren(dir, &leftovers).ok()) {
    for (const auto& name : leftovers) env->RemoveFile(dir + "/" + name);
  }
  Status s = env->CreateDir(dir);
  FUZZ_CHECK(s.ok(), "cannot create %s: %s", dir.c_str(), s.ToString().c_str());
  for (const auto& [name, bytes] : *g_template_files) {
    WriteFile(env, dir + "/" + name, name == *g_wal_name ? wal : std::string_view(bytes));
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // The template is built in memory either way; only its bytes are kept.
  std::unique_ptr<Env> env = NewMemEnv();
  const std::string dir = "/template";
  Status s = fuzz::BuildRecoveryTemplate(env.get(), dir);
  FUZZ_CHECK(s.ok(), "building the template database: %s", s.ToString().c_str());
  const std::string wal = fuzz::LiveWalPath(env.get(), dir);
  FUZZ_CHECK(!wal.empty(), "the template database has no WAL");
  g_wal_name = new std::string(wal.substr(dir.size() + 1));
  g_template_files = new std::map<std::string, std::string>();
  std::vector<std::string> names;
  s = env->GetChildren(dir, &names);
  FUZZ_CHECK(s.ok(), "listing the template: %s", s.ToString().c_str());
  for (const auto& name : names) {
    s = ReadFileToString(env.get(), dir + "/" + name, &(*g_template_files)[name]);
    FUZZ_CHECK(s.ok(), "reading the template: %s", s.ToString().c_str());
  }

  const char* on_disk = std::getenv("STRATA_FUZZ_ON_DISK");
  if (on_disk != nullptr && std::string_view(on_disk) == "1") {
    g_disk_dir = new std::string(fuzz::MakeProcessDir("strata-fuzz-recovery-"));
    std::atexit([] { fuzz::RemoveProcessDir(*g_disk_dir); });
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string wal(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] & 1) fuzz::ResealLogRecords(&wal);

  // Declared before the database, so that it is destroyed after it.
  std::unique_ptr<Env> mem_env;
  Env* env;
  std::string dir;
  if (g_disk_dir != nullptr) {
    env = Env::Default();
    dir = *g_disk_dir + "/db";
  } else {
    mem_env = NewMemEnv();
    env = mem_env.get();
    dir = "/db";
  }
  LayOutDatabase(env, dir, wal);

  Expected expected;
  const bool must_open = Predict(wal, &expected);
  SequenceNumber newest = 0;
  for (const auto& [key, v] : expected) newest = std::max(newest, v.seq);

  std::shared_ptr<DB> db;
  Status s = DB::Open(fuzz::RecoveryOptions(env), dir, &db);
  if (!must_open) {
    FUZZ_CHECK(s.IsCorruption(), "a damaged WAL opened with %s", s.ToString().c_str());
    return 0;
  }
  FUZZ_CHECK(s.ok(), "a sound WAL failed to open: %s", s.ToString().c_str());
  CheckContents(db.get(), expected, "after recovery");

  // Writing on: a new version must win over every recovered one. When the
  // log used up the sequence numbers there is none left to give it.
  if (newest < kMaxSequenceNumber) {
    const std::string key = fuzz::TemplateKey(0);
    s = db->Put(WriteOptions(), key, "written after recovery");
    FUZZ_CHECK(s.ok(), "a write after recovery failed: %s", s.ToString().c_str());
    Apply(&expected, key, newest + 1, std::string("written after recovery"));
  }
  db.reset();
  s = DB::Open(fuzz::RecoveryOptions(env), dir, &db);
  FUZZ_CHECK(s.ok(), "reopening after recovery failed: %s", s.ToString().c_str());
  CheckContents(db.get(), expected, "after reopening");
  return 0;
}
