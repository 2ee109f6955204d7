// Faults forced through the Env seam: failed WAL appends and syncs, failed
// table creation during flush, and power loss (unsynced data dropped). After
// each: the caller sees an error, nothing acknowledged is lost, and the
// database reopens cleanly.
#include <gtest/gtest.h>

#include <map>

#include "core/db/db.h"
#include "support/db_test_util.h"
#include "support/fault_injection_env.h"
#include "support/temp_dir.h"

namespace strata {
namespace {

using Op = test::FaultInjectionEnv::Op;

class FaultInjectionTest : public ::testing::Test {
 protected:
  Status Open(bool sync) {
    db_.reset();
    Options o = test::SmallOptions();
    o.env = &env_;
    o.sync = sync;
    return DB::Open(o, dir_.path(), &db_);
  }

  void ExpectContents(const std::map<std::string, std::string>& expected) {
    std::map<std::string, std::string> got;
    ASSERT_TRUE(test::ScanAll(db_.get(), &got).ok());
    EXPECT_EQ(got, expected);
  }

  test::TempDir dir_;
  test::FaultInjectionEnv env_;
  std::shared_ptr<DB> db_;
};

TEST_F(FaultInjectionTest, FailedWalAppendIsReportedAndStopsWrites) {
  ASSERT_TRUE(Open(false).ok());
  std::map<std::string, std::string> acknowledged;
  for (int i = 0; i < 100; ++i) {
    std::string k = "k" + std::to_string(i);
    ASSERT_TRUE(db_->Put(WriteOptions(), k, "v").ok());
    acknowledged[k] = "v";
  }
  env_.ArmFailures(Op::kAppend, 0);
  Status s = db_->Put(WriteOptions(), "bad", std::string(200000, 'x'));
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  env_.Disarm();
  // The log may end in a partial record now: later writes must not follow it.
  EXPECT_FALSE(db_->Put(WriteOptions(), "after", "v").ok());
  ASSERT_TRUE(Open(false).ok());
  std::string value;
  EXPECT_TRUE(db_->Get(ReadOptions(), "after", &value).IsNotFound());
  ExpectContents(acknowledged);
  EXPECT_TRUE(db_->Put(WriteOptions(), "after", "v").ok());
}

TEST_F(FaultInjectionTest, FailedSyncOfADurableWriteIsReported) {
  ASSERT_TRUE(Open(true).ok());
  ASSERT_TRUE(db_->Put(WriteOptions(), "good", "1").ok());
  env_.ArmFailures(Op::kSync, 0);
  EXPECT_TRUE(db_->Put(WriteOptions(), "bad", "2").IsIOError());
  env_.Disarm();
  ASSERT_TRUE(Open(true).ok());
  std::string value;
  ASSERT_TRUE(db_->Get(ReadOptions(), "good", &value).ok());
  EXPECT_EQ(value, "1");
}

TEST_F(FaultInjectionTest, FailedFlushSurfacesAndLosesNothing) {
  ASSERT_TRUE(Open(false).ok());
  std::map<std::string, std::string> acknowledged;
  for (int i = 0; i < 500; ++i) {
    std::string k = "key" + std::to_string(i);
    ASSERT_TRUE(db_->Put(WriteOptions(), k, std::string(50, 'a' + i % 26)).ok());
    acknowledged[k] = std::string(50, 'a' + i % 26);
  }
  // The flush creates a new WAL first, then the table: fail the table.
  env_.ArmFailures(Op::kNewWritableFile, 1);
  Status s = db_->Flush();
  EXPECT_FALSE(s.ok());
  EXPECT_GE(env_.failures_injected(), 1);
  // A background error stops writes rather than letting them pile up.
  EXPECT_FALSE(db_->Put(WriteOptions(), "later", "x").ok());
  std::string stats;
  ASSERT_TRUE(db_->GetProperty("stats", &stats));
  EXPECT_NE(stats.find("background error"), std::string::npos);
  env_.Disarm();
  ASSERT_TRUE(Open(false).ok());
  ExpectContents(acknowledged);
  ASSERT_TRUE(db_->Flush().ok());
  ASSERT_TRUE(Open(false).ok());
  ExpectContents(acknowledged);
}

TEST_F(FaultInjectionTest, PowerLossKeepsEverySyncedWrite) {
  std::map<std::string, std::string> acknowledged;
  for (int round = 0; round < 5; ++round) {
    ASSERT_TRUE(Open(true).ok());
    ExpectContents(acknowledged);
    for (int i = 0; i < 400; ++i) {
      std::string k = "r" + std::to_string(round) + "-" + std::to_string(i);
      std::string v(100 + i % 200, static_cast<char>('a' + round));
      ASSERT_TRUE(db_->Put(WriteOptions(), k, v).ok());
      acknowledged[k] = v;
      if (i % 100 == 0) {
        ASSERT_TRUE(db_->Delete(WriteOptions(), "r0-" + std::to_string(i + 1)).ok());
        acknowledged.erase("r0-" + std::to_string(i + 1));
      }
    }
    if (round % 2 == 1) {
      ASSERT_TRUE(db_->Flush().ok());
    }
    db_.reset();
    ASSERT_TRUE(env_.DropUnsyncedData().ok());
  }
  ASSERT_TRUE(Open(true).ok());
  ExpectContents(acknowledged);
}

TEST_F(FaultInjectionTest, PowerLossWithoutSyncKeepsAConsistentPrefix) {
  // With sync=false nothing is promised across power loss, but what comes
  // back must still be a prefix of the writes: no torn batch, no damage.
  ASSERT_TRUE(Open(false).ok());
  for (int i = 0; i < 1000; ++i) {
    WriteBatch batch;
    batch.Put("a" + std::to_string(i), "x");
    batch.Put("b" + std::to_string(i), "x");
    ASSERT_TRUE(db_->Write(WriteOptions(), batch).ok());
  }
  db_.reset();
  ASSERT_TRUE(env_.DropUnsyncedData().ok());
  Status s = Open(false);
  ASSERT_TRUE(s.ok()) << s.ToString();
  std::map<std::string, std::string> got;
  ASSERT_TRUE(test::ScanAll(db_.get(), &got).ok());
  for (int i = 0; i < 1000; ++i) {
    bool a = got.count("a" + std::to_string(i)) > 0;
    bool b = got.count("b" + std::to_string(i)) > 0;
    EXPECT_EQ(a, b) << "batch " << i << " torn";
  }
}

}  // namespace
}  // namespace strata
