// VersionSet on its own, over an in-memory Env: edits logged and applied,
// the state recovered from the manifest by a fresh VersionSet (as a reopen
// does), file numbers never handed out twice, levels' order and key ranges,
// an edit that would break level order refused, and the manifest's damage
// rules (a torn tail dropped, a missing CURRENT or needed log refused).
#include <gtest/gtest.h>

#include <algorithm>
#include <mutex>
#include <set>

#include "core/filename.h"
#include "core/mem_env.h"
#include "core/mutex.h"
#include "core/version/version_set.h"
#include "support/vector_iterator.h"

namespace strata {
namespace {

using test::IKey;

constexpr const char* kDb = "/db";

FileMetaData Table(uint64_t number, std::string_view smallest, std::string_view largest,
                   uint64_t size = 1000, SequenceNumber seq = 1) {
  FileMetaData f;
  f.number = number;
  f.file_size = size;
  f.smallest = IKey(smallest, seq);
  f.largest = IKey(largest, seq);
  f.num_entries = 10;
  f.smallest_sequence = seq;
  return f;
}

std::vector<uint64_t> Numbers(const FileList& files) {
  std::vector<uint64_t> out;
  for (const auto& f : files) out.push_back(f->number);
  return out;
}

class VersionSetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_ = NewMemEnv();
    ASSERT_TRUE(env_->CreateDir(kDb).ok());
  }

  std::unique_ptr<VersionSet> Fresh() { return std::make_unique<VersionSet>(kDb, env_.get()); }

  Status Apply(VersionSet* vs, VersionEdit* edit) {
    MutexLock lock(mu_);
    return vs->LogAndApply(edit, &mu_);
  }

  // A log file the manifest may name as the oldest one needed.
  void CreateLog(uint64_t number) {
    std::unique_ptr<WritableFile> f;
    ASSERT_TRUE(env_->NewWritableFile(LogFileName(kDb, number), &f).ok());
    ASSERT_TRUE(f->Close().ok());
  }

  std::string Current() {
    std::string s;
    EXPECT_TRUE(ReadFileToString(env_.get(), CurrentFileName(kDb), &s).ok());
    return s;
  }

  std::unique_ptr<Env> env_;
  Mutex mu_;
};

TEST_F(VersionSetTest, ANewDatabaseRecoversEmpty) {
  auto vs = Fresh();
  ASSERT_TRUE(vs->CreateNew().ok());
  const uint64_t manifest = vs->manifest_number();
  EXPECT_EQ(Current(), ManifestFileName(kDb, manifest).substr(std::string(kDb).size() + 1) + "\n");

  auto reopened = Fresh();
  Status s = reopened->Recover();
  ASSERT_TRUE(s.ok()) << s.ToString();
  for (int level = 0; level < kNumLevels; ++level) EXPECT_EQ(reopened->current()->NumFiles(level), 0);
  EXPECT_EQ(reopened->last_sequence(), 0u);
  // Each open starts a new manifest, numbered above the one it replayed.
  EXPECT_GT(reopened->manifest_number(), manifest);
  EXPECT_GT(reopened->next_file_number(), reopened->manifest_number());
}

TEST_F(VersionSetTest, LoggedEditsAreRecoveredAfterReopen) {
  auto vs = Fresh();
  ASSERT_TRUE(vs->CreateNew().ok());
  const uint64_t log = vs->NewFileNumber();
  CreateLog(log);

  VersionEdit first;
  first.SetLogNumber(log);
  first.SetLastSequence(100);
  FileMetaData with_tombstone = Table(vs->NewFileNumber(), "k", "p", 3000);
  with_tombstone.range_deletions.push_back({"l", "n", 90});
  with_tombstone.range_deletions_applied = 80;
  const uint64_t l0_a = vs->NewFileNumber(), l0_b = vs->NewFileNumber();
  first.AddFile(0, Table(l0_a, "a", "m"));
  first.AddFile(0, Table(l0_b, "c", "z"));  // L0 tables may overlap
  first.AddFile(1, with_tombstone);
  first.AddFile(1, Table(vs->NewFileNumber(), "a", "f", 2000));
  ASSERT_TRUE(Apply(vs.get(), &first).ok());

  VersionEdit second;  // an L0 table compacted into L2
  second.RemoveFile(0, l0_a);
  const uint64_t l2 = vs->NewFileNumber();
  second.AddFile(2, Table(l2, "a", "m", 5000, 50));
  second.SetLastSequence(120);
  ASSERT_TRUE(Apply(vs.get(), &second).ok());
  const uint64_t next_before = vs->next_file_number();

  auto check = [&](VersionSet* v) {
    const Version& cur = *v->current();
    EXPECT_EQ(Numbers(cur.files(0)), (std::vector<uint64_t>{l0_b}));
    ASSERT_EQ(cur.NumFiles(1), 2);
    // Level 1 in key order, whatever order the edit listed them in.
    EXPECT_EQ(ExtractUserKey(cur.files(1)[0]->smallest), "a");
    EXPECT_EQ(ExtractUserKey(cur.files(1)[1]->smallest), "k");
    EXPECT_EQ(cur.files(1)[0]->file_size, 2000u);
    EXPECT_EQ(cur.files(1)[1]->range_deletions, with_tombstone.range_deletions);
    EXPECT_EQ(cur.files(1)[1]->range_deletions_applied, 80u);
    EXPECT_EQ(Numbers(cur.files(2)), (std::vector<uint64_t>{l2}));
    // The smallest sequence number is recorded (kNewFileWithRangeDeletions)
    // only for a table with range-tombstone information; other tables
    // recover it as 0, "unknown" (file_metadata.h).
    EXPECT_EQ(cur.files(1)[1]->smallest_sequence, 1u);
    EXPECT_EQ(cur.LevelBytes(1), 5000u);
    EXPECT_EQ(cur.TotalBytes(), 1000u + 5000u + 5000u);
    EXPECT_EQ(cur.DeepestNonEmptyLevel(), 2);
    EXPECT_EQ(cur.range_deletion_list(), with_tombstone.range_deletions);
    EXPECT_EQ(v->last_sequence(), 120u);
    EXPECT_EQ(v->log_number(), log);
  };
  check(vs.get());

  auto reopened = Fresh();
  Status s = reopened->Recover();
  ASSERT_TRUE(s.ok()) << s.ToString();
  check(reopened.get());
  // No number used before the reopen is handed out again.
  EXPECT_GE(reopened->next_file_number(), next_before);
  EXPECT_GT(reopened->NewFileNumber(), reopened->manifest_number());

  // And a second reopen, from the snapshot the first one wrote.
  reopened.reset();
  auto again = Fresh();
  ASSERT_TRUE(again->Recover().ok());
  check(again.get());
}

TEST_F(VersionSetTest, FileNumbersAreNeverHandedOutTwice) {
  auto vs = Fresh();
  ASSERT_TRUE(vs->CreateNew().ok());
  const uint64_t a = vs->NewFileNumber();
  const uint64_t b = vs->NewFileNumber();
  EXPECT_GT(b, a);
  EXPECT_GT(a, vs->manifest_number());
  vs->MarkFileNumberUsed(1000);
  EXPECT_EQ(vs->NewFileNumber(), 1001u);
  vs->MarkFileNumberUsed(5);  // below: no effect
  EXPECT_EQ(vs->NewFileNumber(), 1002u);

  // A table numbered high is recorded; after a reopen the counter is past it
  // even though the edit that added it was logged before MarkFileNumberUsed.
  VersionEdit edit;
  edit.AddFile(1, Table(5000, "a", "b"));
  ASSERT_TRUE(Apply(vs.get(), &edit).ok());
  auto reopened = Fresh();
  ASSERT_TRUE(reopened->Recover().ok());
  EXPECT_GT(reopened->NewFileNumber(), 1002u);
}

TEST_F(VersionSetTest, LevelsKeepTheirOrderAndAnswerKeyRangeQueries) {
  auto vs = Fresh();
  ASSERT_TRUE(vs->CreateNew().ok());
  VersionEdit edit;
  edit.AddFile(0, Table(21, "c", "k"));
  edit.AddFile(0, Table(20, "a", "e"));  // older, listed second
  edit.AddFile(1, Table(32, "p", "t"));
  edit.AddFile(1, Table(30, "a", "d"));
  edit.AddFile(1, Table(31, "f", "h"));
  ASSERT_TRUE(Apply(vs.get(), &edit).ok());
  const Version& v = *vs->current();

  EXPECT_EQ(Numbers(v.files(0)), (std::vector<uint64_t>{20, 21}));  // oldest first
  EXPECT_EQ(Numbers(v.files(1)), (std::vector<uint64_t>{30, 31, 32}));  // by key

  // A point read consults L0 newest first, then the one L1 table of the key.
  EXPECT_EQ(Numbers(v.FilesForKey(0, "d")), (std::vector<uint64_t>{21, 20}));
  EXPECT_EQ(Numbers(v.FilesForKey(1, "g")), (std::vector<uint64_t>{31}));
  EXPECT_TRUE(v.FilesForKey(1, "e").empty());  // between two tables
  EXPECT_TRUE(v.FilesForKey(1, "z").empty());
  std::vector<std::pair<int, uint64_t>> visited;
  v.ForEachTableForKey("c", [&](int level, const FileMetaData& f) {
    visited.emplace_back(level, f.number);
    return true;
  });
  EXPECT_EQ(visited, (std::vector<std::pair<int, uint64_t>>{{0, 21}, {0, 20}, {1, 30}}));

  std::string_view lo = "e", hi = "g";
  EXPECT_EQ(Numbers(v.Overlapping(1, &lo, &hi)), (std::vector<uint64_t>{31}));
  lo = "d";  // inclusive bounds on both sides
  hi = "p";
  EXPECT_EQ(Numbers(v.Overlapping(1, &lo, &hi)), (std::vector<uint64_t>{30, 31, 32}));
  EXPECT_EQ(Numbers(v.Overlapping(1, nullptr, &lo)), (std::vector<uint64_t>{30}));
  EXPECT_EQ(Numbers(v.Overlapping(1, &hi, nullptr)), (std::vector<uint64_t>{32}));
  EXPECT_EQ(Numbers(v.Overlapping(1, nullptr, nullptr)), (std::vector<uint64_t>{30, 31, 32}));
  lo = "u";
  hi = "z";
  EXPECT_TRUE(v.Overlapping(1, &lo, &hi).empty());
}

TEST_F(VersionSetTest, AnEditThatWouldOverlapTablesOfALevelIsRefused) {
  auto vs = Fresh();
  ASSERT_TRUE(vs->CreateNew().ok());
  VersionEdit good;
  good.AddFile(1, Table(30, "a", "f"));
  ASSERT_TRUE(Apply(vs.get(), &good).ok());
  auto before = vs->current();

  VersionEdit bad;
  bad.AddFile(1, Table(31, "e", "k"));  // overlaps table 30
  Status s = Apply(vs.get(), &bad);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_EQ(vs->current(), before);  // nothing installed

  // The refusal wrote nothing, so the manifest takes later edits and a
  // reopen sees no trace of the refused one.
  VersionEdit later;
  later.AddFile(1, Table(32, "g", "k"));
  ASSERT_TRUE(Apply(vs.get(), &later).ok());
  auto reopened = Fresh();
  ASSERT_TRUE(reopened->Recover().ok());
  EXPECT_EQ(Numbers(reopened->current()->files(1)), (std::vector<uint64_t>{30, 32}));
}

TEST_F(VersionSetTest, ATornLastEditIsDroppedOnRecovery) {
  auto vs = Fresh();
  ASSERT_TRUE(vs->CreateNew().ok());
  VersionEdit first;
  first.AddFile(1, Table(30, "a", "f"));
  ASSERT_TRUE(Apply(vs.get(), &first).ok());
  VersionEdit second;
  second.AddFile(1, Table(31, "g", "k"));
  ASSERT_TRUE(Apply(vs.get(), &second).ok());
  const std::string manifest = ManifestFileName(kDb, vs->manifest_number());
  vs.reset();

  uint64_t size = 0;
  ASSERT_TRUE(env_->GetFileSize(manifest, &size).ok());
  ASSERT_TRUE(env_->TruncateFile(manifest, size - 3).ok());  // the second edit's write never completed
  auto reopened = Fresh();
  Status s = reopened->Recover();
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(Numbers(reopened->current()->files(1)), (std::vector<uint64_t>{30}));
}

TEST_F(VersionSetTest, RecoveryRefusesWhatItCannotTrust) {
  // No CURRENT at all.
  EXPECT_TRUE(Fresh()->Recover().IsCorruption());

  auto vs = Fresh();
  ASSERT_TRUE(vs->CreateNew().ok());
  const uint64_t log = vs->NewFileNumber();
  VersionEdit edit;
  edit.SetLogNumber(log);  // names a log that does not exist
  ASSERT_TRUE(Apply(vs.get(), &edit).ok());
  vs.reset();
  Status s = Fresh()->Recover();
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.ToString().find("missing"), std::string::npos) << s.ToString();

  CreateLog(log);
  EXPECT_TRUE(Fresh()->Recover().ok());

  // CURRENT naming something that is not a manifest.
  ASSERT_TRUE(WriteFileAtomically(env_.get(), kDb, "CURRENT", "000005.sst\n").ok());
  EXPECT_TRUE(Fresh()->Recover().IsCorruption());
  // CURRENT without its newline (a torn write of CURRENT itself).
  ASSERT_TRUE(WriteFileAtomically(env_.get(), kDb, "CURRENT", "MANIFEST-000001").ok());
  EXPECT_TRUE(Fresh()->Recover().IsCorruption());
}

TEST_F(VersionSetTest, AReadOnlyRecoveryWritesNothing) {
  auto vs = Fresh();
  ASSERT_TRUE(vs->CreateNew().ok());
  VersionEdit edit;
  edit.AddFile(0, Table(40, "a", "b"));
  ASSERT_TRUE(Apply(vs.get(), &edit).ok());
  vs.reset();
  std::vector<std::string> before, after;
  ASSERT_TRUE(env_->GetChildren(kDb, &before).ok());
  const std::string current = Current();

  auto ro = Fresh();
  ASSERT_TRUE(ro->Recover(/*start_manifest=*/false).ok());
  EXPECT_EQ(Numbers(ro->current()->files(0)), (std::vector<uint64_t>{40}));
  ASSERT_TRUE(env_->GetChildren(kDb, &after).ok());
  std::sort(before.begin(), before.end());
  std::sort(after.begin(), after.end());
  EXPECT_EQ(before, after);
  EXPECT_EQ(Current(), current);
}

TEST_F(VersionSetTest, LiveFilesIncludeThoseOfVersionsStillHeld) {
  auto vs = Fresh();
  ASSERT_TRUE(vs->CreateNew().ok());
  VersionEdit add;
  add.AddFile(0, Table(50, "a", "b"));
  ASSERT_TRUE(Apply(vs.get(), &add).ok());
  auto held = vs->current();  // a reader still on the old Version
  VersionEdit replace;
  replace.RemoveFile(0, 50);
  replace.AddFile(1, Table(51, "a", "b"));
  ASSERT_TRUE(Apply(vs.get(), &replace).ok());

  std::set<uint64_t> live;
  vs->AddLiveFiles(&live);
  EXPECT_EQ(live, (std::set<uint64_t>{50, 51}));
  held.reset();
  live.clear();
  vs->AddLiveFiles(&live);
  EXPECT_EQ(live, (std::set<uint64_t>{51}));
}

}  // namespace
}  // namespace strata
