// The engine calls behind kv.h's 0.2 additions, beyond what the model test
// walks: prefix bounds, multi-get against single gets, codecs across
// reopens, checkpoints taken during a write stream, per-call durable writes
// on a database opened with sync=false, destroy.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <random>
#include <thread>

#include "core/db/db.h"
#include "core/db/db_iterator.h"
#include "core/db/destroy.h"
#include "core/db/prefix.h"
#include "support/db_test_util.h"
#include "support/fault_injection_env.h"
#include "support/temp_dir.h"

namespace strata {
namespace {

using Model = std::map<std::string, std::string>;

std::shared_ptr<DB> OpenOrDie(const Options& o, const std::string& path) {
  std::shared_ptr<DB> db;
  Status s = DB::Open(o, path, &db);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return db;
}

TEST(PrefixSuccessorTest, IncrementsTheLastByteThatCanBe) {
  EXPECT_EQ(PrefixSuccessor("abc"), std::optional<std::string>("abd"));
  EXPECT_EQ(PrefixSuccessor(std::string("a\xff", 2)), std::optional<std::string>("b"));
  EXPECT_EQ(PrefixSuccessor(std::string("a\xfe\xff\xff", 4)),
            std::optional<std::string>(std::string("a\xff", 2)));
  EXPECT_EQ(PrefixSuccessor(std::string("\0", 1)), std::optional<std::string>("\x01"));
  EXPECT_EQ(PrefixSuccessor(""), std::nullopt);
  EXPECT_EQ(PrefixSuccessor(std::string("\xff\xff\xff", 3)), std::nullopt);
}

TEST(PrefixSuccessorTest, BoundsExactlyTheKeysWithThePrefix) {
  std::mt19937 rng(3);
  const std::string alphabet("\x00\x01\x7f\x80\xfe\xff", 6);
  auto random_key = [&](size_t max_len) {
    std::string k(rng() % (max_len + 1), '\0');
    for (char& c : k) c = alphabet[rng() % alphabet.size()];
    return k;
  };
  for (int i = 0; i < 20000; ++i) {
    const std::string prefix = random_key(3), key = random_key(5);
    const auto upper = PrefixSuccessor(prefix);
    const bool in_range = key >= prefix && (!upper || key < *upper);
    ASSERT_EQ(in_range, key.starts_with(prefix));
  }
}

class DBApiTest : public ::testing::Test {
 protected:
  test::TempDir dir_;
};

TEST_F(DBApiTest, MultiGetEqualsSingleGetsAcrossMemtablesAndLevels) {
  auto db = OpenOrDie(test::SmallOptions(), dir_.path());
  std::mt19937_64 rng(5);
  for (int i = 0; i < 20000; ++i) {
    const std::string k = "k" + std::to_string(rng() % 5000);
    if (rng() % 5 == 0) {
      ASSERT_TRUE(db->Delete(WriteOptions(), k).ok());
    } else {
      ASSERT_TRUE(db->Put(WriteOptions(), k, std::string(rng() % 200, 'a' + i % 26)).ok());
    }
    if (i == 12000) {
      ASSERT_TRUE(db->CompactRange(nullptr, nullptr).ok());
    }
  }
  std::vector<std::string> keys;
  for (int i = 0; i < 6000; ++i) keys.push_back("k" + std::to_string(rng() % 6000));
  std::vector<std::string_view> views(keys.begin(), keys.end());
  std::vector<std::string> values;
  std::vector<Status> statuses;
  db->MultiGet(ReadOptions(), views, &values, &statuses);
  int found = 0;
  for (size_t i = 0; i < keys.size(); ++i) {
    std::string single;
    Status s = db->Get(ReadOptions(), keys[i], &single);
    ASSERT_EQ(s.code(), statuses[i].code()) << keys[i];
    if (s.ok()) {
      ASSERT_EQ(single, values[i]) << keys[i];
      ++found;
    }
  }
  EXPECT_GT(found, 1000);
  EXPECT_LT(found, 6000);
}

// Each codec round trips, and a database keeps reading its older tables when
// reopened with another codec (the codec is recorded per block).
TEST_F(DBApiTest, CodecsRoundTripAndMixAcrossReopens) {
  Model model;
  std::mt19937_64 rng(9);
  int round = 0;
  for (CompressionKind kind : {CompressionKind::kLz4, CompressionKind::kZstd,
                               CompressionKind::kNone, CompressionKind::kLz4}) {
    Options o = test::SmallOptions();
    o.compression = kind;
    auto db = OpenOrDie(o, dir_.path());
    // Compressible values, so every codec has work to do.
    for (int i = 0; i < 4000; ++i) {
      const std::string k = "key" + std::to_string(rng() % 6000);
      std::string v = "round " + std::to_string(round) + " " + std::string(50 + rng() % 200, 'x');
      ASSERT_TRUE(db->Put(WriteOptions(), k, v).ok());
      model[k] = v;
    }
    ASSERT_TRUE(db->Flush().ok());
    if (round == 1) {
      // Rewrites lz4 and zstd tables into zstd ones.
      ASSERT_TRUE(db->CompactRange(nullptr, nullptr).ok());
    }
    ASSERT_TRUE(db->WaitForBackgroundWork().ok());
    Model got;
    ASSERT_TRUE(test::ScanAll(db.get(), &got).ok());
    ASSERT_TRUE(got == model) << CompressionKindName(kind);
    ASSERT_TRUE(db->Verify().ok());
    ++round;
  }
}

// The same compressible data takes far less table space under either codec
// (which shows the option is applied, not just accepted).
TEST_F(DBApiTest, CodecsShrinkCompressibleTables) {
  std::map<CompressionKind, uint64_t> bytes;
  for (CompressionKind kind :
       {CompressionKind::kNone, CompressionKind::kLz4, CompressionKind::kZstd}) {
    Options o = test::SmallOptions();
    o.compression = kind;
    auto db = OpenOrDie(o, dir_.Sub(CompressionKindName(kind)));
    for (int i = 0; i < 5000; ++i) {
      ASSERT_TRUE(db->Put(WriteOptions(), "key" + std::to_string(i),
                          "value " + std::to_string(i % 10) + std::string(200, 'y'))
                      .ok());
    }
    ASSERT_TRUE(db->CompactRange(nullptr, nullptr).ok());
    std::string total;
    ASSERT_TRUE(db->GetProperty("total-table-bytes", &total));
    bytes[kind] = std::stoull(total);
  }
  EXPECT_LT(bytes[CompressionKind::kLz4] * 3, bytes[CompressionKind::kNone]);
  EXPECT_LT(bytes[CompressionKind::kZstd] * 3, bytes[CompressionKind::kNone]);
}

TEST_F(DBApiTest, CheckpointDuringAWriteStreamIsOneMomentOfIt) {
  Options o = test::SmallOptions();
  auto db = OpenOrDie(o, dir_.path());
  // The writer commits batch n as keys "b<n>-0".."b<n>-9" plus "counter" = n,
  // atomically. A copy of one moment holds counter = c and exactly batches
  // 0..c.
  std::atomic<bool> stop{false};
  std::atomic<int> committed{0};
  std::thread writer([&] {
    for (int n = 0; !stop.load(); ++n) {
      WriteBatch batch;
      for (int j = 0; j < 10; ++j) {
        batch.Put("b" + std::to_string(n) + "-" + std::to_string(j), std::string(100, 'v'));
      }
      batch.Put("counter", std::to_string(n));
      if (!db->Write(WriteOptions(), batch).ok()) return;
      committed.store(n + 1);
    }
  });
  while (committed.load() < 300) std::this_thread::yield();
  const int before = committed.load();
  const std::string copy = dir_.Sub("copy");
  ASSERT_TRUE(db->Checkpoint(copy).ok());
  const int after = committed.load();
  while (committed.load() < after + 200) std::this_thread::yield();  // keep writing past it
  stop.store(true);
  writer.join();

  auto restored = OpenOrDie(Options(), copy);
  ASSERT_TRUE(restored->Verify().ok());
  std::string counter;
  ASSERT_TRUE(restored->Get(ReadOptions(), "counter", &counter).ok());
  const int c = std::stoi(counter);
  EXPECT_GE(c + 1, before);
  EXPECT_LE(c + 1, after + 1);  // the batch in flight at the end may be in
  Model got;
  ASSERT_TRUE(test::ScanAll(restored.get(), &got).ok());
  EXPECT_EQ(got.size(), static_cast<size_t>((c + 1) * 10 + 1));
  for (int n = 0; n <= c; ++n) {
    ASSERT_TRUE(got.count("b" + std::to_string(n) + "-9")) << "batch " << n;
  }
  // The copy is a database of its own: writes to it stay there.
  ASSERT_TRUE(restored->Put(WriteOptions(), "copy-only", "1").ok());
  std::string v;
  EXPECT_TRUE(db->Get(ReadOptions(), "copy-only", &v).IsNotFound());
  EXPECT_TRUE(db->Checkpoint(copy).IsInvalidArgument());
}

TEST_F(DBApiTest, PerCallSyncSurvivesPowerLossOnAnUnsyncedDatabase) {
  test::FaultInjectionEnv env;
  Options o = test::SmallOptions();
  o.env = &env;
  o.sync = false;
  {
    auto db = OpenOrDie(o, dir_.path());
    WriteOptions durable;
    durable.sync = true;
    for (int i = 0; i < 50; ++i) {
      ASSERT_TRUE(db->Put(WriteOptions(), "plain" + std::to_string(i), "p").ok());
      ASSERT_TRUE(db->Put(durable, "durable" + std::to_string(i), "d").ok());
    }
    ASSERT_TRUE(db->Put(WriteOptions(), "after-the-last-sync", "lost").ok());
  }
  ASSERT_TRUE(env.DropUnsyncedData().ok());
  auto db = OpenOrDie(o, dir_.path());
  std::string v;
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(db->Get(ReadOptions(), "durable" + std::to_string(i), &v).ok()) << i;
    // A synced write also makes every earlier write durable (one log).
    ASSERT_TRUE(db->Get(ReadOptions(), "plain" + std::to_string(i), &v).ok()) << i;
  }
  // Nothing synced the last write: power loss took it. (This is what makes
  // the test able to fail if the Env did not drop unsynced data.)
  EXPECT_TRUE(db->Get(ReadOptions(), "after-the-last-sync", &v).IsNotFound());
}

// A synced write makes every earlier write durable, also those in an older
// log whose memtable is not flushed yet (held back here by pausing the
// background work).
TEST_F(DBApiTest, PerCallSyncAlsoSyncsOlderLogs) {
  test::FaultInjectionEnv env;
  Options o = test::SmallOptions();
  o.env = &env;
  o.sync = false;
  o.memtable_bytes = 64 << 10;
  {
    auto db = OpenOrDie(o, dir_.path());
    db->PauseBackgroundWork();
    for (int i = 0; i < 100; ++i) {
      ASSERT_TRUE(db->Put(WriteOptions(), "old-log-" + std::to_string(i), "x").ok());
    }
    // Past memtable_bytes: the next write switches to a new log, leaving the
    // old memtable (and its unsynced log) waiting for a flush.
    ASSERT_TRUE(db->Put(WriteOptions(), "big", std::string(80 << 10, 'b')).ok());
    WriteOptions durable;
    durable.sync = true;
    ASSERT_TRUE(db->Put(durable, "synced", "s").ok());
    std::string imms;
    ASSERT_TRUE(db->GetProperty("stats", &imms));
    EXPECT_NE(imms.find("immutable 1"), std::string::npos) << imms;
    // Closed still paused: the old memtable is never flushed.
  }
  ASSERT_TRUE(env.SimulatePowerLoss().ok());
  auto db = OpenOrDie(o, dir_.path());
  std::string v;
  ASSERT_TRUE(db->Get(ReadOptions(), "synced", &v).ok());
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(db->Get(ReadOptions(), "old-log-" + std::to_string(i), &v).ok()) << i;
  }
  ASSERT_TRUE(db->Get(ReadOptions(), "big", &v).ok());
}

TEST_F(DBApiTest, DestroyRemovesOnlyAClosedDatabasesFiles) {
  const std::string path = dir_.Sub("db");
  {
    auto db = OpenOrDie(test::SmallOptions(), path);
    for (int i = 0; i < 3000; ++i) ASSERT_TRUE(db->Put(WriteOptions(), std::to_string(i), "x").ok());
    ASSERT_TRUE(db->Flush().ok());
    EXPECT_TRUE(DestroyDB(Env::Default(), path).IsBusy());
  }
  // A file strata did not make survives, and so does the directory.
  Env* env = Env::Default();
  {
    std::unique_ptr<WritableFile> f;
    ASSERT_TRUE(env->NewWritableFile(path + "/notes.txt", &f).ok());
    ASSERT_TRUE(f->Close().ok());
  }
  ASSERT_TRUE(DestroyDB(env, path).ok());
  std::vector<std::string> left;
  ASSERT_TRUE(env->GetChildren(path, &left).ok());
  EXPECT_EQ(left, std::vector<std::string>{"notes.txt"});
  ASSERT_TRUE(env->RemoveFile(path + "/notes.txt").ok());
  ASSERT_TRUE(DestroyDB(env, path).ok());
  EXPECT_FALSE(env->FileExists(path));
}

}  // namespace
}  // namespace strata
