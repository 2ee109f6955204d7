// RepairDB (core/db/repair.h): what survives a destroyed manifest, damaged
// tables and damaged logs, and that newer versions still win afterwards.
#include "core/db/repair.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <tuple>

#include "core/db/db.h"
#include "core/filename.h"
#include "core/table/table_builder.h"
#include "support/db_test_util.h"
#include "support/fault_injection_env.h"
#include "support/temp_dir.h"

namespace strata {
namespace {

Env* env() { return Env::Default(); }

std::vector<uint64_t> FilesOfKind(const std::string& dir, FileKind want) {
  std::vector<std::string> names;
  EXPECT_TRUE(env()->GetChildren(dir, &names).ok());
  std::vector<uint64_t> out;
  for (const auto& name : names) {
    uint64_t number;
    if (ParseFileName(name, &number) == want) out.push_back(number);
  }
  std::sort(out.begin(), out.end());
  return out;
}

void RemoveManifestAndCurrent(const std::string& dir) {
  std::vector<std::string> names;
  ASSERT_TRUE(env()->GetChildren(dir, &names).ok());
  for (const auto& name : names) {
    uint64_t number;
    const FileKind kind = ParseFileName(name, &number);
    if (kind == FileKind::kManifest || kind == FileKind::kCurrent) {
      ASSERT_TRUE(env()->RemoveFile(dir + "/" + name).ok());
    }
  }
}

// Flips one byte of a file in place.
void FlipByte(const std::string& path, uint64_t offset) {
  std::FILE* f = std::fopen(path.c_str(), "r+b");
  ASSERT_NE(f, nullptr) << path;
  ASSERT_EQ(std::fseek(f, static_cast<long>(offset), SEEK_SET), 0);
  int c = std::fgetc(f);
  ASSERT_NE(c, EOF);
  ASSERT_EQ(std::fseek(f, static_cast<long>(offset), SEEK_SET), 0);
  std::fputc(c ^ 0x5a, f);
  std::fclose(f);
}

uint64_t FileSize(const std::string& path) {
  uint64_t size = 0;
  EXPECT_TRUE(env()->GetFileSize(path, &size).ok());
  return size;
}

std::string Key(int i) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "key%06d", i);
  return buf;
}

// One entry of a hand-made table.
using Entry = std::tuple<std::string, SequenceNumber, ValueKind, std::string>;

// Writes table `number` in dir from entries given in internal-key order.
void WriteTable(const std::string& dir, uint64_t number, const std::vector<Entry>& entries) {
  std::unique_ptr<WritableFile> file;
  ASSERT_TRUE(env()->NewWritableFile(TableFileName(dir, number), &file).ok());
  TableBuilder builder(test::SmallOptions(), file.get());
  for (const auto& [key, seq, kind, value] : entries) {
    std::string ikey;
    AppendInternalKey(&ikey, key, seq, kind);
    ASSERT_TRUE(builder.Add(ikey, value).ok());
  }
  ASSERT_TRUE(builder.Finish().ok());
  ASSERT_TRUE(file->Close().ok());
}

class RepairTest : public ::testing::Test {
 protected:
  void Open(Options o = test::SmallOptions()) {
    db_.reset();
    Status s = DB::Open(o, dir_.path(), &db_);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  void Close() { db_.reset(); }
  void Put(const std::string& k, const std::string& v) {
    ASSERT_TRUE(db_->Put(WriteOptions(), k, v).ok());
    model_[k] = v;
  }
  void Delete(const std::string& k) {
    ASSERT_TRUE(db_->Delete(WriteOptions(), k).ok());
    model_.erase(k);
  }
  std::string Get(const std::string& key) {
    std::string value;
    Status s = db_->Get(ReadOptions(), key, &value);
    if (s.IsNotFound()) return "NOT_FOUND";
    if (!s.ok()) return "ERROR: " + s.ToString();
    return value;
  }
  RepairReport Repair(Options o = test::SmallOptions()) {
    RepairReport report;
    Status s = RepairDB(o, dir_.path(), &report);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return report;
  }
  // Opens the repaired database and checks it holds exactly `expected`.
  void ExpectContents(const std::map<std::string, std::string>& expected) {
    Open();
    std::map<std::string, std::string> actual;
    Status s = test::ScanAll(db_.get(), &actual);
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(actual.size(), expected.size());
    EXPECT_TRUE(actual == expected);
    for (const auto& [k, v] : expected) ASSERT_EQ(Get(k), v) << k;
    EXPECT_TRUE(db_->Verify().ok());
  }

  test::TempDir dir_;
  std::shared_ptr<DB> db_;
  std::map<std::string, std::string> model_;
};

TEST_F(RepairTest, ManifestDestroyedRecoversEveryTableAndTheLog) {
  Open();
  // Enough to flush several tables (64 KiB memtables) and compact some,
  // with overwrites and deletes across them; the last writes stay in the WAL.
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 1500; ++i) Put(Key(i * 7 % 1500), "v" + std::to_string(round) + "-" + Key(i));
    for (int i = round; i < 1500; i += 10) Delete(Key(i));
    ASSERT_TRUE(db_->Flush().ok());
  }
  ASSERT_TRUE(db_->WaitForBackgroundWork().ok());
  for (int i = 0; i < 50; ++i) Put(Key(i), "in-the-log-" + std::to_string(i));
  Close();

  const std::vector<uint64_t> tables = FilesOfKind(dir_.path(), FileKind::kTable);
  ASSERT_GE(tables.size(), 2u);
  ASSERT_FALSE(FilesOfKind(dir_.path(), FileKind::kLog).empty());
  RemoveManifestAndCurrent(dir_.path());
  {
    std::shared_ptr<DB> db;
    ASSERT_FALSE(DB::Open([] { auto o = test::SmallOptions(); o.create_if_missing = false; return o; }(),
                          dir_.path(), &db).ok());
  }

  RepairReport report = Repair();
  EXPECT_EQ(report.kept.size(), tables.size()) << report.ToString();
  EXPECT_TRUE(report.salvaged.empty());
  EXPECT_TRUE(report.dropped.empty());
  ASSERT_FALSE(report.logs.empty());
  uint64_t operations = 0;
  for (const auto& log : report.logs) operations += log.operations;
  EXPECT_GE(operations, 50u);
  EXPECT_TRUE(report.Lossless()) << report.ToString();
  EXPECT_NE(report.ToString().find("tables kept: " + std::to_string(tables.size())),
            std::string::npos);
  // The logs went to the backup; nothing is left for the next open to replay.
  ASSERT_FALSE(report.backup_dir.empty());
  EXPECT_TRUE(env()->FileExists(report.backup_dir));
  EXPECT_TRUE(FilesOfKind(dir_.path(), FileKind::kLog).empty());
  for (const auto& log : report.logs) {
    EXPECT_TRUE(env()->FileExists(LogFileName(report.backup_dir, log.number)));
  }

  ExpectContents(model_);
  // Writes after the repair get sequence numbers above the recovered ones.
  Put(Key(3), "after-repair");
  Close();
  Open();
  EXPECT_EQ(Get(Key(3)), "after-repair");
}

TEST_F(RepairTest, ManifestDestroyedAfterCompactionsIntoDeeperLevels) {
  // Tiny levels, so background compaction spreads the data over several
  // levels and compaction outputs hold old versions under new numbers.
  Options o = test::SmallOptions();
  o.memtable_bytes = 16 << 10;
  o.table_file_bytes = 8 << 10;
  o.level1_bytes = 32 << 10;
  o.level_size_multiplier = 2;
  Open(o);
  uint64_t state = 42;
  for (int i = 0; i < 12000; ++i) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    const std::string k = Key(static_cast<int>((state >> 33) % 1500));
    if ((state >> 20) % 10 == 0) {
      Delete(k);
    } else {
      Put(k, "v" + std::to_string(i) + std::string(80, '.'));
    }
  }
  ASSERT_TRUE(db_->WaitForBackgroundWork().ok());
  std::string deepest;
  int levels_used = 0;
  for (int level = 0; level < kNumLevels; ++level) {
    std::string n;
    ASSERT_TRUE(db_->GetProperty("num-files-at-level" + std::to_string(level), &n));
    if (n != "0") ++levels_used;
  }
  ASSERT_GE(levels_used, 2);
  Close();
  RemoveManifestAndCurrent(dir_.path());

  RepairReport report = Repair(o);
  EXPECT_TRUE(report.Lossless()) << report.ToString();
  ExpectContents(model_);
}

TEST_F(RepairTest, IntactDatabaseKeepsItsTablesAndBacksUpTheOldManifest) {
  Open();
  for (int i = 0; i < 500; ++i) Put(Key(i), "value" + std::to_string(i));
  ASSERT_TRUE(db_->Flush().ok());
  Close();
  const std::vector<uint64_t> tables = FilesOfKind(dir_.path(), FileKind::kTable);
  const std::vector<uint64_t> manifests = FilesOfKind(dir_.path(), FileKind::kManifest);

  RepairReport report = Repair();
  EXPECT_TRUE(report.Lossless()) << report.ToString();
  EXPECT_EQ(report.kept.size(), tables.size());
  EXPECT_TRUE(env()->FileExists(report.backup_dir + "/CURRENT"));
  for (uint64_t m : manifests) {
    EXPECT_TRUE(env()->FileExists(ManifestFileName(report.backup_dir, m)));
  }
  ExpectContents(model_);
}

TEST_F(RepairTest, CorruptedTableIsReportedAndTheRestRecovered) {
  Open();
  // Three tables with disjoint keys, so what each holds is known.
  std::vector<std::map<std::string, std::string>> per_table(3);
  for (int t = 0; t < 3; ++t) {
    for (int i = 0; i < 400; ++i) {
      const std::string k = "t" + std::to_string(t) + "-" + Key(i);
      Put(k, std::string(40, static_cast<char>('a' + t)) + std::to_string(i));
      per_table[t][k] = model_[k];
    }
    ASSERT_TRUE(db_->Flush().ok());
  }
  Close();
  const std::vector<uint64_t> tables = FilesOfKind(dir_.path(), FileKind::kTable);
  ASSERT_EQ(tables.size(), 3u);
  // Table 0: one data block damaged (the first). Table 1: its footer.
  FlipByte(TableFileName(dir_.path(), tables[0]), 10);
  FlipByte(TableFileName(dir_.path(), tables[1]), FileSize(TableFileName(dir_.path(), tables[1])) - 3);
  RemoveManifestAndCurrent(dir_.path());

  RepairReport report = Repair();
  const std::string text = report.ToString();
  EXPECT_FALSE(report.Lossless());
  ASSERT_EQ(report.kept.size(), 1u) << text;
  EXPECT_EQ(report.kept[0].original_number, tables[2]);
  EXPECT_EQ(report.kept[0].entries, 400u);

  ASSERT_EQ(report.salvaged.size(), 1u) << text;
  const auto& salvaged = report.salvaged[0];
  EXPECT_EQ(salvaged.original_number, tables[0]);
  EXPECT_EQ(salvaged.blocks_dropped, 1u);
  EXPECT_GT(salvaged.blocks_kept, 0u);
  EXPECT_EQ(salvaged.entries_expected, 400u);
  EXPECT_LT(salvaged.entries_kept, 400u);
  EXPECT_GT(salvaged.entries_kept, 300u);
  EXPECT_NE(salvaged.number, 0u);

  ASSERT_EQ(report.dropped.size(), 1u) << text;
  EXPECT_EQ(report.dropped[0].number, tables[1]);
  EXPECT_NE(report.dropped[0].reason.find("magic"), std::string::npos) << text;
  EXPECT_NE(text.find("tables dropped: 1"), std::string::npos) << text;
  // Both damaged originals are in the backup, untouched.
  EXPECT_TRUE(env()->FileExists(TableFileName(report.backup_dir, tables[0])));
  EXPECT_TRUE(env()->FileExists(TableFileName(report.backup_dir, tables[1])));

  // Table 2 whole, table 0 from its second block on, nothing of table 1.
  Open();
  for (const auto& [k, v] : per_table[2]) ASSERT_EQ(Get(k), v);
  for (const auto& [k, v] : per_table[1]) ASSERT_EQ(Get(k), "NOT_FOUND");
  uint64_t found = 0;
  bool lost_a_prefix = true;
  for (const auto& [k, v] : per_table[0]) {
    const std::string got = Get(k);
    if (got == v) {
      ++found;
    } else {
      ASSERT_EQ(got, "NOT_FOUND");
      if (found > 0) lost_a_prefix = false;  // the damage was in the first block
    }
  }
  EXPECT_EQ(found, salvaged.entries_kept);
  EXPECT_TRUE(lost_a_prefix);
  EXPECT_TRUE(db_->Verify().ok());
}

TEST_F(RepairTest, DamagedLogRecordIsSkippedAndLaterRecordsRecovered) {
  Options big = test::SmallOptions();
  big.memtable_bytes = 8 << 20;  // everything stays in the one log
  Open(big);
  for (int i = 0; i < 200; ++i) Put(Key(i), "value-" + std::to_string(i) + std::string(50, 'x'));
  Close();
  const std::vector<uint64_t> logs = FilesOfKind(dir_.path(), FileKind::kLog);
  ASSERT_EQ(logs.size(), 1u);
  const std::string log = LogFileName(dir_.path(), logs[0]);
  // Each record is one put; damage a payload byte of one in the middle.
  FlipByte(log, FileSize(log) / 2);

  RepairReport report = Repair(big);
  ASSERT_EQ(report.logs.size(), 1u);
  EXPECT_EQ(report.logs[0].records, 199u) << report.ToString();
  EXPECT_EQ(report.logs[0].records_dropped, 1u);
  EXPECT_GT(report.logs[0].bytes_skipped, 0u);
  EXPECT_FALSE(report.logs[0].damage.empty());
  EXPECT_FALSE(report.Lossless());

  Open(big);
  int missing = 0;
  for (int i = 0; i < 200; ++i) {
    const std::string got = Get(Key(i));
    if (got == "NOT_FOUND") {
      ++missing;
    } else {
      EXPECT_EQ(got, model_[Key(i)]);
    }
  }
  EXPECT_EQ(missing, 1);
  // The records after the damaged one came back too.
  EXPECT_EQ(Get(Key(199)), model_[Key(199)]);
}

TEST_F(RepairTest, NewerVersionsShadowOlderOnesAfterRepair) {
  Open();
  // Versions of the same keys spread over tables and the log, newest last.
  Put("a", "1");
  Put("b", "1");
  Put("c", "1");
  ASSERT_TRUE(db_->Flush().ok());
  Put("a", "2");
  Delete("b");
  ASSERT_TRUE(db_->Flush().ok());
  Put("a", "3");
  Put("c", "3");
  Close();
  RemoveManifestAndCurrent(dir_.path());
  Repair();
  ExpectContents(model_);
  EXPECT_EQ(Get("a"), "3");
  EXPECT_EQ(Get("b"), "NOT_FOUND");
  EXPECT_EQ(Get("c"), "3");
}

TEST_F(RepairTest, TableNumbersAreReorderedWhenAnOlderTableHasTheLargerNumber) {
  // Compaction outputs can hold old versions under new numbers. Table 9
  // holds the older version of "k"; table 4 the newer one. Level 0 is read
  // by descending number, so keeping the numbers would resurrect "old".
  ASSERT_TRUE(env()->CreateDir(dir_.path()).ok());
  WriteTable(dir_.path(), 4, {{"k", 20, ValueKind::kValue, "new"}, {"x", 21, ValueKind::kDeletion, ""}});
  WriteTable(dir_.path(), 9,
             {{"a", 2, ValueKind::kValue, "a-old"},
              {"k", 3, ValueKind::kValue, "old"},
              {"x", 4, ValueKind::kValue, "x-old"}});
  RepairReport report = Repair();
  EXPECT_TRUE(report.renumbered) << report.ToString();
  EXPECT_EQ(report.last_sequence, 21u);
  ASSERT_EQ(report.kept.size(), 2u);
  ExpectContents({{"a", "a-old"}, {"k", "new"}});
  EXPECT_EQ(Get("x"), "NOT_FOUND");
  // New writes still win over everything recovered.
  ASSERT_TRUE(db_->Put(WriteOptions(), "k", "newest").ok());
  EXPECT_EQ(Get("k"), "newest");
}

TEST_F(RepairTest, TablesWhoseVersionsInterleaveAreMerged) {
  // Table 5 has the newest "a", table 6 the newest "b": no order of the two
  // tables lets both win, so the repairer merges them.
  ASSERT_TRUE(env()->CreateDir(dir_.path()).ok());
  WriteTable(dir_.path(), 5, {{"a", 10, ValueKind::kValue, "a-new"}, {"b", 1, ValueKind::kValue, "b-old"}});
  WriteTable(dir_.path(), 6, {{"a", 2, ValueKind::kValue, "a-old"}, {"b", 11, ValueKind::kValue, "b-new"}});
  WriteTable(dir_.path(), 7, {{"z", 3, ValueKind::kValue, "z"}});
  RepairReport report = Repair();
  ASSERT_EQ(report.merged.size(), 1u) << report.ToString();
  EXPECT_EQ(report.merged[0].inputs, (std::vector<uint64_t>{5, 6}));
  EXPECT_TRUE(report.Lossless());
  EXPECT_TRUE(env()->FileExists(TableFileName(report.backup_dir, 5)));
  ExpectContents({{"a", "a-new"}, {"b", "b-new"}, {"z", "z"}});
}

TEST_F(RepairTest, TablesTheOldManifestRemovedStayOut) {
  // A compaction input left on disk by a crash still holds "doomed", whose
  // tombstone the compaction dropped along with it. Using it again would
  // bring the deleted key back.
  Open();
  for (int i = 0; i < 300; ++i) Put(Key(i), "v" + std::to_string(i));
  Put("doomed", "should stay deleted");
  ASSERT_TRUE(db_->Flush().ok());
  Close();
  const std::vector<uint64_t> before = FilesOfKind(dir_.path(), FileKind::kTable);
  ASSERT_EQ(before.size(), 1u);
  const std::string old_table = TableFileName(dir_.path(), before[0]);
  ASSERT_TRUE(CopyFile(env(), old_table, dir_.Sub("saved.sst")).ok());
  Open();
  Delete("doomed");
  ASSERT_TRUE(db_->CompactRange(nullptr, nullptr).ok());
  Close();
  ASSERT_FALSE(env()->FileExists(old_table));
  ASSERT_TRUE(env()->RenameFile(dir_.Sub("saved.sst"), old_table).ok());

  RepairReport report = Repair();
  ASSERT_EQ(report.obsolete, (std::vector<uint64_t>{before[0]})) << report.ToString();
  EXPECT_NE(report.old_manifest.find("read"), std::string::npos) << report.old_manifest;
  EXPECT_TRUE(report.Lossless()) << report.ToString();
  EXPECT_TRUE(env()->FileExists(TableFileName(report.backup_dir, before[0])));
  ExpectContents(model_);
  EXPECT_EQ(Get("doomed"), "NOT_FOUND");
}

TEST_F(RepairTest, TableListedButMissingIsReportedAsLost) {
  Open();
  for (int i = 0; i < 100; ++i) Put(Key(i), "first");
  ASSERT_TRUE(db_->Flush().ok());
  for (int i = 100; i < 200; ++i) Put(Key(i), "second");
  ASSERT_TRUE(db_->Flush().ok());
  Close();
  const std::vector<uint64_t> tables = FilesOfKind(dir_.path(), FileKind::kTable);
  ASSERT_EQ(tables.size(), 2u);
  ASSERT_TRUE(env()->RemoveFile(TableFileName(dir_.path(), tables[0])).ok());
  RepairReport report = Repair();
  EXPECT_EQ(report.missing, (std::vector<uint64_t>{tables[0]}));
  EXPECT_FALSE(report.Lossless());
  EXPECT_NE(report.ToString().find("missing (lost): " + std::string(TableFileName("", tables[0])).substr(1)),
            std::string::npos)
      << report.ToString();
  Open();
  EXPECT_EQ(Get(Key(150)), "second");
  EXPECT_EQ(Get(Key(50)), "NOT_FOUND");
}

TEST_F(RepairTest, OpenDatabaseIsBusy) {
  Open();
  Put("k", "v");
  RepairReport report;
  Status s = RepairDB(test::SmallOptions(), dir_.path(), &report);
  EXPECT_TRUE(s.IsBusy()) << s.ToString();
  EXPECT_EQ(Get("k"), "v");
}

TEST_F(RepairTest, MissingOrForeignDirectoryIsAnError) {
  RepairReport report;
  Status s = RepairDB(test::SmallOptions(), dir_.Sub("nothing-here"), &report);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  ASSERT_TRUE(env()->CreateDir(dir_.Sub("empty")).ok());
  s = RepairDB(test::SmallOptions(), dir_.Sub("empty"), &report);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_FALSE(env()->FileExists(dir_.Sub("empty") + "/CURRENT"));
}

TEST_F(RepairTest, RepairingTwiceChangesNothingMore) {
  Open();
  for (int i = 0; i < 800; ++i) Put(Key(i), std::to_string(i));
  Close();
  RemoveManifestAndCurrent(dir_.path());
  RepairReport first = Repair();
  RepairReport second = Repair();
  EXPECT_TRUE(second.Lossless());
  EXPECT_EQ(second.live_entries, first.live_entries);
  EXPECT_NE(second.backup_dir, first.backup_dir);
  ExpectContents(model_);
}

// The manifest's log number names the oldest log still needed: if that log
// is gone, its writes are lost, and the repair must say so (issue 15).
TEST_F(RepairTest, NeededLogThatIsMissingIsReportedAsLost) {
  Open();
  for (int i = 0; i < 100; ++i) Put(Key(i), "flushed");
  ASSERT_TRUE(db_->Flush().ok());
  for (int i = 0; i < 50; ++i) Put(Key(i), "only in the log");
  Close();
  const std::vector<uint64_t> logs = FilesOfKind(dir_.path(), FileKind::kLog);
  ASSERT_EQ(logs.size(), 1u);
  ASSERT_TRUE(env()->RemoveFile(LogFileName(dir_.path(), logs[0])).ok());
  RepairReport report = Repair();
  EXPECT_EQ(report.missing_logs, (std::vector<uint64_t>{logs[0]})) << report.ToString();
  EXPECT_FALSE(report.Lossless()) << report.ToString();
  const std::string name = LogFileName("", logs[0]).substr(1);
  EXPECT_NE(report.ToString().find("missing (lost): " + name), std::string::npos)
      << report.ToString();
  EXPECT_NE(report.ToString().find("result: some data could not be recovered"), std::string::npos);
  Open();
  EXPECT_EQ(Get(Key(10)), "flushed");
}

// A repair stopped at any point (the process killed: nothing after that point
// reaches the files, nothing is cleaned up) must leave a database that a
// second repair recovers whole (issue 15). The crash env stops every mutating
// operation after the first n; n runs over every point of a full repair.
TEST_F(RepairTest, RepairInterruptedAnywhereDoesNotPoisonTheRerun) {
  Open();
  for (int i = 0; i < 600; ++i) Put(Key(i), std::to_string(i));
  ASSERT_TRUE(db_->Flush().ok());
  for (int i = 0; i < 600; i += 3) Put(Key(i), "newer " + std::to_string(i));
  Close();
  RemoveManifestAndCurrent(dir_.path());
  const std::string pristine = dir_.Sub("pristine");
  ASSERT_TRUE(env()->CreateDir(pristine).ok());
  std::vector<std::string> names;
  ASSERT_TRUE(env()->GetChildren(dir_.path(), &names).ok());
  for (const auto& name : names) {
    uint64_t number;
    const FileKind kind = ParseFileName(name, &number);
    if (kind == FileKind::kTable || kind == FileKind::kLog) {
      ASSERT_TRUE(CopyFile(env(), dir_.path() + "/" + name, pristine + "/" + name).ok());
    }
  }
  const std::string db = dir_.Sub("db");
  // How many mutating operations a whole repair makes.
  uint64_t total = 0;
  {
    ASSERT_TRUE(env()->CreateDir(db).ok());
    ASSERT_TRUE(env()->GetChildren(pristine, &names).ok());
    for (const auto& name : names) {
      if (name != "." && name != "..") CopyFile(env(), pristine + "/" + name, db + "/" + name);
    }
    test::FaultInjectionEnv counting;
    Options o = test::SmallOptions();
    o.env = &counting;
    RepairReport report;
    ASSERT_TRUE(RepairDB(o, db, &report).ok());
    total = counting.mutating_ops();
    ASSERT_GT(total, 10u);
    std::filesystem::remove_all(db);
  }
  for (uint64_t n = 0; n < total; ++n) {
    SCOPED_TRACE("crash after " + std::to_string(n) + " of " + std::to_string(total) +
                 " mutating operations");
    ASSERT_TRUE(env()->CreateDir(db).ok());
    ASSERT_TRUE(env()->GetChildren(pristine, &names).ok());
    for (const auto& name : names) {
      if (name != "." && name != "..") {
        ASSERT_TRUE(CopyFile(env(), pristine + "/" + name, db + "/" + name).ok());
      }
    }
    {
      test::FaultInjectionEnv crashing;
      crashing.CrashAfter(n);
      Options o = test::SmallOptions();
      o.env = &crashing;
      RepairReport report;
      RepairDB(o, db, &report);  // fails at the crash point, or finishes
    }
    RepairReport report;
    Status s = RepairDB(test::SmallOptions(), db, &report);
    ASSERT_TRUE(s.ok()) << s.ToString();
    ASSERT_TRUE(report.Lossless()) << report.ToString();
    std::shared_ptr<DB> repaired;
    s = DB::Open(test::SmallOptions(), db, &repaired);
    ASSERT_TRUE(s.ok()) << s.ToString();
    std::map<std::string, std::string> actual;
    ASSERT_TRUE(test::ScanAll(repaired.get(), &actual).ok());
    ASSERT_TRUE(actual == model_) << actual.size() << " keys, expected " << model_.size();
    repaired.reset();
    std::filesystem::remove_all(db);
  }
}

}  // namespace
}  // namespace strata
