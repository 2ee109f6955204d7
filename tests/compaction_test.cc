// Leveled compaction end to end: random operations far past many memtable
// sizes checked against a model while iterators and snapshots are held open
// across background compactions and reopens; the shape of the levels once
// compaction settles; obsolete tables deleted only after their last reader;
// and processes killed in the middle of compactions.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "core/db/db.h"
#include "core/db/db_iterator.h"
#include "core/filename.h"
#include "support/db_test_util.h"
#include "support/temp_dir.h"

namespace strata {
namespace {

using Model = std::map<std::string, std::string>;

struct TableInfo {
  int level;
  uint64_t number;
  uint64_t bytes;
  std::string smallest_hex;
  std::string largest_hex;
};

std::vector<TableInfo> Tables(DB* db) {
  std::string text;
  EXPECT_TRUE(db->GetProperty("sstables", &text));
  std::vector<TableInfo> out;
  std::istringstream in(text);
  TableInfo t;
  uint64_t entries;
  while (in >> t.level >> t.number >> t.bytes >> entries >> t.smallest_hex >> t.largest_hex) {
    out.push_back(t);
  }
  return out;
}

std::set<uint64_t> TableFilesOnDisk(const std::string& dir) {
  std::vector<std::string> names;
  EXPECT_TRUE(Env::Default()->GetChildren(dir, &names).ok());
  std::set<uint64_t> out;
  for (const auto& name : names) {
    uint64_t number;
    if (ParseFileName(name, &number) == FileKind::kTable) out.insert(number);
  }
  return out;
}

// Options under which a few megabytes of writes build several levels.
Options CompactionOptions() {
  Options o = test::SmallOptions();
  o.memtable_bytes = 64 << 10;
  o.table_file_bytes = 64 << 10;
  o.level1_bytes = 256 << 10;
  o.level_size_multiplier = 4;
  o.l0_compaction_trigger = 2;
  return o;
}

class CompactionTest : public ::testing::Test {
 protected:
  void Open(const Options& o = CompactionOptions()) {
    db_.reset();
    Status s = DB::Open(o, dir_.path(), &db_);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  std::string Value(uint64_t key_number, uint64_t version) {
    std::string v = "v" + std::to_string(version) + "-" + std::to_string(key_number) + "-";
    v.resize(100 + key_number % 150, static_cast<char>('a' + version % 26));
    return v;
  }

  // Flushes keys k0..k1999 into tables (*pinned), opens an iterator on them,
  // then overwrites and compacts every key: the iterator is left the only
  // reader of those tables, whose files are still on disk.
  void PinReplacedTables(std::set<uint64_t>* pinned, std::unique_ptr<Iterator>* it) {
    for (int i = 0; i < 2000; ++i) {
      ASSERT_TRUE(db_->Put(WriteOptions(), "k" + std::to_string(i), Value(i, 1)).ok());
    }
    ASSERT_TRUE(db_->Flush().ok());
    ASSERT_TRUE(db_->WaitForBackgroundWork().ok());
    *pinned = TableFilesOnDisk(dir_.path());
    ASSERT_FALSE(pinned->empty());
    *it = db_->NewIterator(ReadOptions(), std::nullopt, std::nullopt);
    (*it)->SeekToFirst();
    ASSERT_TRUE((*it)->Valid());
    for (int i = 0; i < 2000; ++i) {
      ASSERT_TRUE(db_->Put(WriteOptions(), "k" + std::to_string(i), Value(i, 2)).ok());
    }
    ASSERT_TRUE(db_->CompactRange(nullptr, nullptr).ok());
    ASSERT_TRUE(db_->WaitForBackgroundWork().ok());
    for (uint64_t n : *pinned) ASSERT_TRUE(TableFilesOnDisk(dir_.path()).count(n));
  }

  void ExpectScan(const Model& expected, const Snapshot* snapshot = nullptr) {
    Model got;
    Status s = test::ScanAll(db_.get(), &got, std::nullopt, std::nullopt, snapshot);
    ASSERT_TRUE(s.ok()) << s.ToString();
    ASSERT_EQ(got.size(), expected.size());
    ASSERT_TRUE(got == expected);
  }

  // Keys key10000..key12999 spread over three overlapping L0 tables (every
  // third key in each), which writes alone never compact.
  void OpenWithThreeOverlappingL0Tables(int bloom_bits_per_key) {
    Options o = CompactionOptions();
    o.l0_compaction_trigger = 8;
    o.memtable_bytes = 1 << 20;
    o.bloom_bits_per_key = bloom_bits_per_key;
    Open(o);
    for (int table = 0; table < 3; ++table) {
      for (int i = table; i < 3000; i += 3) {
        ASSERT_TRUE(db_->Put(WriteOptions(), "key" + std::to_string(10000 + i), "v").ok());
      }
      ASSERT_TRUE(db_->Flush().ok());
    }
    ASSERT_TRUE(db_->WaitForBackgroundWork().ok());
  }

  test::TempDir dir_;
  std::shared_ptr<DB> db_;
};

TEST_F(CompactionTest, ModelHoldsWithIteratorsAndSnapshotsOpenDuringCompactions) {
  Open();
  std::mt19937_64 rng(7);
  Model model;
  struct Held {
    std::unique_ptr<Iterator> it;
    const Snapshot* snapshot;
    Model expected;
  };
  std::vector<Held> held;
  constexpr int kKeys = 3000;
  uint64_t version = 0;
  // About 12 MB of writes: some 190 memtables' worth, compacted down to L3.
  for (int round = 0; round < 6; ++round) {
    for (int i = 0; i < 15000; ++i) {
      const uint64_t k = rng() % kKeys;
      char key[16];
      std::snprintf(key, sizeof(key), "key%06llu", static_cast<unsigned long long>(k));
      if (rng() % 8 == 0) {
        ASSERT_TRUE(db_->Delete(WriteOptions(), key).ok());
        model.erase(key);
      } else {
        std::string v = Value(k, ++version);
        ASSERT_TRUE(db_->Put(WriteOptions(), key, v).ok());
        model[key] = v;
      }
      if (i % 5000 == 2500 && held.size() < 4) {
        Held h;
        ReadOptions ro;
        h.snapshot = db_->GetSnapshot();
        ro.snapshot = h.snapshot;
        h.it = db_->NewIterator(ro, std::nullopt, std::nullopt);
        h.expected = model;
        held.push_back(std::move(h));
      }
    }
    // Every held view still reads exactly its state after the compactions
    // that ran meanwhile (and dropped versions newer views no longer need).
    ASSERT_TRUE(db_->WaitForBackgroundWork().ok());
    for (auto& h : held) {
      Model got;
      for (h.it->SeekToFirst(); h.it->Valid(); h.it->Next()) {
        got[std::string(h.it->key())] = std::string(h.it->value());
      }
      ASSERT_TRUE(h.it->status().ok()) << h.it->status().ToString();
      ASSERT_TRUE(got == h.expected) << "held iterator, round " << round;
      ExpectScan(h.expected, h.snapshot);
    }
    ExpectScan(model);
    if (round % 2 == 1) {
      // Release the oldest view, so compaction may drop what only it needed,
      // and reopen with the rest dropped too.
      for (auto& h : held) db_->ReleaseSnapshot(h.snapshot);
      held.clear();
      Open();
      ExpectScan(model);
    }
  }
  for (auto& h : held) db_->ReleaseSnapshot(h.snapshot);
  held.clear();
  ASSERT_TRUE(db_->WaitForBackgroundWork().ok());
  std::string deepest;
  ASSERT_TRUE(db_->GetProperty("num-files-at-level2", &deepest));
  EXPECT_GT(std::stoi(deepest), 0) << "the data should have reached L2";
  ExpectScan(model);
}

TEST_F(CompactionTest, LevelsStayBoundedDisjointAndSpaceIsReclaimed) {
  const Options o = CompactionOptions();
  Open(o);
  std::mt19937_64 rng(11);
  constexpr int kKeys = 4000;
  Model model;
  // Overwrite the same key space many times: without compaction the live
  // data would be about 8 times larger than the logical data.
  for (int pass = 0; pass < 8; ++pass) {
    for (int i = 0; i < kKeys; ++i) {
      const uint64_t k = rng() % kKeys;
      char key[16];
      std::snprintf(key, sizeof(key), "key%06llu", static_cast<unsigned long long>(k));
      std::string v = Value(k, pass);
      ASSERT_TRUE(db_->Put(WriteOptions(), key, v).ok());
      model[key] = v;
    }
  }
  ASSERT_TRUE(db_->Flush().ok());
  ASSERT_TRUE(db_->WaitForBackgroundWork().ok());

  const auto tables = Tables(db_.get());
  ASSERT_FALSE(tables.empty());
  std::map<int, std::vector<TableInfo>> by_level;
  uint64_t total = 0;
  for (const auto& t : tables) {
    by_level[t.level].push_back(t);
    total += t.bytes;
  }
  // Compaction stops only when every level scores below 1.
  EXPECT_LT(static_cast<int>(by_level[0].size()), o.l0_compaction_trigger);
  uint64_t target = o.level1_bytes;
  for (int level = 1; level < kNumLevels - 1; ++level) {
    uint64_t bytes = 0;
    for (const auto& t : by_level[level]) bytes += t.bytes;
    EXPECT_LT(bytes, target) << "level " << level;
    target *= o.level_size_multiplier;
  }
  for (int level = 1; level < kNumLevels; ++level) {
    auto& files = by_level[level];
    // Tables are cut near table_file_bytes (a table ends between user keys).
    for (const auto& t : files) EXPECT_LE(t.bytes, o.table_file_bytes + (16 << 10));
    // Ordered and disjoint (hex of bytewise keys orders like the keys,
    // since every key here has the same length).
    std::sort(files.begin(), files.end(),
              [](const TableInfo& a, const TableInfo& b) { return a.smallest_hex < b.smallest_hex; });
    for (size_t i = 1; i < files.size(); ++i) {
      EXPECT_LT(files[i - 1].largest_hex, files[i].smallest_hex) << "level " << level;
    }
  }
  // Space: the overwritten versions are gone. The logical data is about
  // 4000 * (9 + 175) bytes = 0.7 MB; the raw writes were 8 times that.
  uint64_t logical = 0;
  for (const auto& [k, v] : model) logical += k.size() + v.size();
  EXPECT_LT(total, logical * 2) << "space amplification " << double(total) / double(logical);
  // No table file lingers on disk beyond the live ones.
  std::set<uint64_t> live;
  for (const auto& t : tables) live.insert(t.number);
  EXPECT_EQ(TableFilesOnDisk(dir_.path()), live);
  ExpectScan(model);
}

TEST_F(CompactionTest, ObsoleteTablesOutliveTheirLastReaderOnly) {
  Open();
  for (int i = 0; i < 2000; ++i) {
    ASSERT_TRUE(db_->Put(WriteOptions(), "k" + std::to_string(i), Value(i, 1)).ok());
  }
  ASSERT_TRUE(db_->Flush().ok());
  ASSERT_TRUE(db_->WaitForBackgroundWork().ok());
  const std::set<uint64_t> before = TableFilesOnDisk(dir_.path());
  ASSERT_FALSE(before.empty());

  auto it = db_->NewIterator(ReadOptions(), std::nullopt, std::nullopt);
  it->SeekToFirst();
  ASSERT_TRUE(it->Valid());
  // Rewrite everything and compact it all: every table the iterator reads
  // is replaced.
  for (int i = 0; i < 2000; ++i) {
    ASSERT_TRUE(db_->Put(WriteOptions(), "k" + std::to_string(i), Value(i, 2)).ok());
  }
  ASSERT_TRUE(db_->CompactRange(nullptr, nullptr).ok());
  std::set<uint64_t> live;
  for (const auto& t : Tables(db_.get())) live.insert(t.number);
  for (uint64_t n : before) {
    EXPECT_EQ(live.count(n), 0u) << "table " << n << " should have been compacted away";
    EXPECT_TRUE(TableFilesOnDisk(dir_.path()).count(n)) << "table " << n << " is still being read";
  }
  // The iterator still reads its version through the old files.
  int seen = 0;
  for (; it->Valid(); it->Next()) {
    ASSERT_EQ(it->value().substr(0, 3), "v1-");
    ++seen;
  }
  ASSERT_TRUE(it->status().ok()) << it->status().ToString();
  EXPECT_EQ(seen, 2000);

  // Once it is gone, the next background pass removes them.
  it.reset();
  ASSERT_TRUE(db_->Put(WriteOptions(), "trigger", "x").ok());
  ASSERT_TRUE(db_->Flush().ok());
  ASSERT_TRUE(db_->WaitForBackgroundWork().ok());
  const std::set<uint64_t> after = TableFilesOnDisk(dir_.path());
  for (uint64_t n : before) EXPECT_EQ(after.count(n), 0u) << "table " << n << " leaked";
}

TEST_F(CompactionTest, CloseRemovesTablesWhoseLastReaderWentAfterTheLastPass) {
  Open();
  std::set<uint64_t> before;
  std::unique_ptr<Iterator> it;
  ASSERT_NO_FATAL_FAILURE(PinReplacedTables(&before, &it));
  // The reader goes, no background work follows, and the database closes:
  // the old tables must not wait for the next open to be removed.
  it.reset();
  db_.reset();
  const std::set<uint64_t> after = TableFilesOnDisk(dir_.path());
  for (uint64_t n : before) EXPECT_EQ(after.count(n), 0u) << "table " << n << " left after close";
}

TEST_F(CompactionTest, TablesGoAsSoonAsTheLastIteratorPinningThemIsFreed) {
  Open();
  std::set<uint64_t> before;
  std::unique_ptr<Iterator> it;
  ASSERT_NO_FATAL_FAILURE(PinReplacedTables(&before, &it));
  // The reader goes, and nothing else happens: no flush, no compaction.
  it.reset();
  ASSERT_TRUE(db_->WaitForBackgroundWork().ok());
  const std::set<uint64_t> after = TableFilesOnDisk(dir_.path());
  for (uint64_t n : before) {
    EXPECT_EQ(after.count(n), 0u) << "table " << n << " outlived the last iterator using it";
  }
  std::string v;
  ASSERT_TRUE(db_->Get(ReadOptions(), "k7", &v).ok());
  EXPECT_EQ(v, Value(7, 2));
}

// Read-triggered compaction: three overlapping L0 tables below the count
// trigger are merged down once reads have paid enough extra block reads for
// them, by point reads in one case (without bloom filters, so every probe of
// an L0 table reads a block) and by iterator seeks in the other.
class ReadTriggeredCompactionTest : public CompactionTest,
                                   public ::testing::WithParamInterface<bool> {};

TEST_P(ReadTriggeredCompactionTest, OverlappingL0IsMergedDownByReads) {
  const bool by_iterators = GetParam();
  ASSERT_NO_FATAL_FAILURE(OpenWithThreeOverlappingL0Tables(/*bloom_bits_per_key=*/0));
  std::string l0;
  ASSERT_TRUE(db_->GetProperty("num-files-at-level0", &l0));
  ASSERT_EQ(l0, "3");

  // Small tables get the minimum budget, 100 wasted seeks; a few more
  // reads than that must trigger the compaction, and far fewer must not.
  for (int i = 0; i < 50; ++i) {
    if (by_iterators) {
      auto it = db_->NewIterator(ReadOptions(), std::nullopt, std::nullopt);
      it->Seek("key" + std::to_string(10000 + i * 3));
      ASSERT_TRUE(it->Valid()) << it->status().ToString();
    } else {
      std::string v;
      // Keys of the oldest table: the two newer ones are probed first.
      ASSERT_TRUE(db_->Get(ReadOptions(), "key" + std::to_string(10000 + i * 3), &v).ok());
    }
  }
  ASSERT_TRUE(db_->WaitForBackgroundWork().ok());
  ASSERT_TRUE(db_->GetProperty("num-files-at-level0", &l0));
  ASSERT_EQ(l0, "3") << "50 reads are below the budget";

  for (int i = 50; i < 200; ++i) {
    if (by_iterators) {
      auto it = db_->NewIterator(ReadOptions(), std::nullopt, std::nullopt);
      it->Seek("key" + std::to_string(10000 + i * 3));
    } else {
      std::string v;
      ASSERT_TRUE(db_->Get(ReadOptions(), "key" + std::to_string(10000 + i * 3), &v).ok());
    }
  }
  ASSERT_TRUE(db_->WaitForBackgroundWork().ok());
  ASSERT_TRUE(db_->GetProperty("num-files-at-level0", &l0));
  EXPECT_EQ(l0, "0");
  std::string stats;
  ASSERT_TRUE(db_->GetProperty("stats", &stats));
  EXPECT_NE(stats.find("(1 read-triggered)"), std::string::npos) << stats;
  Model model;
  for (int i = 0; i < 3000; ++i) model["key" + std::to_string(10000 + i)] = "v";
  ExpectScan(model);
}

INSTANTIATE_TEST_SUITE_P(PointReadsAndSeeks, ReadTriggeredCompactionTest, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "Seeks" : "PointReads"; });

// With bloom filters a point read that passes an L0 table without the key is
// answered by the filter, reading no block: such probes cost no I/O and must
// not set off a compaction (which, on a large database, would rewrite level 1
// in the middle of a read workload).
TEST_F(CompactionTest, PointReadsAnsweredByL0FiltersDoNotTriggerCompaction) {
  ASSERT_NO_FATAL_FAILURE(OpenWithThreeOverlappingL0Tables(/*bloom_bits_per_key=*/10));
  // Four times the budget of 100 wasted block reads per table, each read
  // probing the two newer tables first.
  for (int round = 0; round < 4; ++round) {
    for (int i = 0; i < 1000; ++i) {
      std::string v;
      ASSERT_TRUE(db_->Get(ReadOptions(), "key" + std::to_string(10000 + i * 3), &v).ok());
    }
  }
  ASSERT_TRUE(db_->WaitForBackgroundWork().ok());
  std::string l0;
  ASSERT_TRUE(db_->GetProperty("num-files-at-level0", &l0));
  // A few filter false positives (about 1%) are charged; far from a budget.
  EXPECT_EQ(l0, "3");
  std::string stats;
  ASSERT_TRUE(db_->GetProperty("stats", &stats));
  EXPECT_NE(stats.find("(0 read-triggered)"), std::string::npos) << stats;
}

// A child process writes keys 0, 1, 2, ... with tiny memtables, so flushes
// and compactions run constantly, and publishes in shared memory how many
// writes were acknowledged. The parent kills it at a random moment, reopens,
// and checks every acknowledged write and that no orphan table remains.
TEST_F(CompactionTest, KilledDuringCompactionsLosesNothingAndLeaksNoFiles) {
  auto* acknowledged = static_cast<std::atomic<int64_t>*>(mmap(
      nullptr, sizeof(std::atomic<int64_t>), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
  ASSERT_NE(acknowledged, MAP_FAILED);
  new (acknowledged) std::atomic<int64_t>(0);
  Options o = CompactionOptions();
  o.memtable_bytes = 32 << 10;
  std::mt19937_64 rng(99);
  int compactions_seen = 0;

  for (int cycle = 0; cycle < 6; ++cycle) {
    const int64_t start = acknowledged->load();
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      std::shared_ptr<DB> db;
      if (!DB::Open(o, dir_.path(), &db).ok()) _exit(3);
      for (int64_t i = start;; ++i) {
        char key[24];
        std::snprintf(key, sizeof(key), "key%09lld", static_cast<long long>(i % 20000));
        if (!db->Put(WriteOptions(), key, Value(i % 20000, i)).ok()) _exit(4);
        acknowledged->store(i + 1);
      }
    }
    usleep(static_cast<useconds_t>(150000 + rng() % 350000));
    ASSERT_EQ(kill(pid, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status)) << "child exited on its own with " << WEXITSTATUS(status);

    Open(o);
    // Open removed whatever the killed process left half-made. Checked
    // before any read: a reader pins the tables of its version, and tables it
    // outlives are removed by the next background pass, not at once. (Wait
    // first: a flush of the replayed logs may be writing a table not yet
    // live.)
    ASSERT_TRUE(db_->WaitForBackgroundWork().ok());
    {
      std::set<uint64_t> live;
      for (const auto& t : Tables(db_.get())) live.insert(t.number);
      for (uint64_t n : TableFilesOnDisk(dir_.path())) {
        EXPECT_TRUE(live.count(n)) << "orphan table " << n << " after cycle " << cycle;
      }
      if (live.size() > 1) ++compactions_seen;
    }
    const int64_t acked = acknowledged->load();
    ASSERT_GT(acked, start) << "the child made no progress in cycle " << cycle;
    // The newest acknowledged version of every key written so far.
    for (int64_t k = 0; k < std::min<int64_t>(acked, 20000); ++k) {
      int64_t newest = k + ((acked - 1 - k) / 20000) * 20000;
      char key[24];
      std::snprintf(key, sizeof(key), "key%09lld", static_cast<long long>(k));
      std::string value;
      Status s = db_->Get(ReadOptions(), key, &value);
      ASSERT_TRUE(s.ok()) << "cycle " << cycle << " key " << key << ": " << s.ToString();
      // A write in flight at the kill may or may not have landed.
      if (value != Value(k, newest)) {
        ASSERT_EQ(value, Value(k, newest + 20000)) << "cycle " << cycle << " key " << key;
        ASSERT_EQ(newest + 20000, acked) << "only the write in flight may be newer";
      }
    }
    db_.reset();
  }
  EXPECT_GT(compactions_seen, 0);
  munmap(acknowledged, sizeof(std::atomic<int64_t>));
}

}  // namespace
}  // namespace strata
