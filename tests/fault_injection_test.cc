// Faults forced through the Env seam, one situation at a time: failed and
// torn WAL appends, failed syncs, failed flushes and compactions, a full
// disk, read errors in reads and in recovery, failed renames and links, and
// power loss. After each: the caller sees an error, nothing acknowledged is
// lost, and the database reopens cleanly. fault_sweep_test.cc sweeps the
// same faults over every point of a longer workload.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <thread>

#include "core/db/db.h"
#include "core/db/repair.h"
#include "support/db_test_util.h"
#include "support/fault_injection_env.h"
#include "support/temp_dir.h"

namespace strata {
namespace {

using FaultEnv = test::FaultInjectionEnv;
using Op = FaultEnv::Op;

class FaultInjectionTest : public ::testing::Test {
 protected:
  Options MakeOptions(bool sync) {
    Options o = test::SmallOptions();
    o.env = &env_;
    o.sync = sync;
    return o;
  }

  Status Open(bool sync) {
    db_.reset();
    return DB::Open(MakeOptions(sync), db_path_, &db_);
  }

  Status OpenWith(const Options& o) {
    db_.reset();
    return DB::Open(o, db_path_, &db_);
  }

  void ExpectContents(const std::map<std::string, std::string>& expected) {
    std::map<std::string, std::string> got;
    Status s = test::ScanAll(db_.get(), &got);
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(got.size(), expected.size());
    EXPECT_TRUE(got == expected);
  }

  // Writes n keys "<prefix><i>" with `value_bytes`-byte values, all of which
  // must succeed, into `acknowledged`.
  void WriteKeys(const std::string& prefix, int n, size_t value_bytes,
                 std::map<std::string, std::string>* acknowledged) {
    for (int i = 0; i < n; ++i) {
      std::string k = prefix + std::to_string(i);
      std::string v(value_bytes, static_cast<char>('a' + i % 26));
      ASSERT_TRUE(db_->Put(WriteOptions(), k, v).ok()) << k;
      (*acknowledged)[k] = v;
    }
  }

  test::TempDir dir_;
  std::string db_path_ = dir_.Sub("db");
  FaultEnv env_;
  std::shared_ptr<DB> db_;
};

TEST_F(FaultInjectionTest, FailedWalAppendIsReportedAndStopsWrites) {
  ASSERT_TRUE(Open(false).ok());
  std::map<std::string, std::string> acknowledged;
  WriteKeys("k", 100, 1, &acknowledged);
  env_.ArmFailures(Op::kAppend, 0);
  Status s = db_->Put(WriteOptions(), "bad", std::string(200000, 'x'));
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  env_.Disarm();
  // The log may end in a partial record now: later writes must not follow it.
  s = db_->Put(WriteOptions(), "after", "v");
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_NE(s.message().find("reopen"), std::string::npos) << s.ToString();
  ASSERT_TRUE(Open(false).ok());
  std::string value;
  EXPECT_TRUE(db_->Get(ReadOptions(), "after", &value).IsNotFound());
  ExpectContents(acknowledged);
  EXPECT_TRUE(db_->Put(WriteOptions(), "after", "v").ok());
}

TEST_F(FaultInjectionTest, TornWalAppendLeavesTheIntactPrefix) {
  ASSERT_TRUE(Open(false).ok());
  std::map<std::string, std::string> acknowledged;
  WriteKeys("k", 50, 40, &acknowledged);
  FaultEnv::Fault fault;
  fault.op = Op::kAppend;
  fault.path_substring = ".log";
  fault.torn = true;
  fault.skip = 1;  // the header goes out whole, the payload is torn
  fault.count = 1;
  env_.Arm(fault);
  EXPECT_TRUE(db_->Put(WriteOptions(), "torn", std::string(500, 't')).IsIOError());
  EXPECT_EQ(env_.failures_injected(), 1);
  ASSERT_TRUE(Open(false).ok());  // the half record is a torn tail, not damage
  ExpectContents(acknowledged);
  WriteKeys("more", 20, 40, &acknowledged);
  ASSERT_TRUE(Open(false).ok());
  ExpectContents(acknowledged);
  ASSERT_TRUE(db_->Verify().ok());
}

TEST_F(FaultInjectionTest, FailedSyncOfADurableWriteIsReported) {
  ASSERT_TRUE(Open(true).ok());
  ASSERT_TRUE(db_->Put(WriteOptions(), "good", "1").ok());
  env_.ArmFailures(Op::kSync, 0);
  EXPECT_TRUE(db_->Put(WriteOptions(), "bad", "2").IsIOError());
  env_.Disarm();
  EXPECT_TRUE(db_->Put(WriteOptions(), "later", "3").IsIOError());
  db_.reset();
  ASSERT_TRUE(env_.SimulatePowerLoss().ok());
  ASSERT_TRUE(Open(true).ok());
  std::string value;
  ASSERT_TRUE(db_->Get(ReadOptions(), "good", &value).ok());
  EXPECT_EQ(value, "1");
  EXPECT_TRUE(db_->Get(ReadOptions(), "bad", &value).IsNotFound());  // never reached the disk
}

TEST_F(FaultInjectionTest, FailedFlushSurfacesAndLosesNothing) {
  ASSERT_TRUE(Open(false).ok());
  std::map<std::string, std::string> acknowledged;
  for (int i = 0; i < 500; ++i) {
    std::string k = "key" + std::to_string(i);
    ASSERT_TRUE(db_->Put(WriteOptions(), k, std::string(50, 'a' + i % 26)).ok());
    acknowledged[k] = std::string(50, 'a' + i % 26);
  }
  ASSERT_TRUE(db_->WaitForBackgroundWork().ok());
  // The flush creates a new WAL first, then the table: fail the table.
  FaultEnv::Fault fault;
  fault.op = Op::kCreate;
  fault.path_substring = ".dbtmp";  // a table being written (table_file_builder.h)
  env_.Arm(fault);
  Status s = db_->Flush();
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_GE(env_.failures_injected(), 1);
  // A background error stops writes rather than letting them pile up, and
  // says what happened.
  s = db_->Put(WriteOptions(), "later", "x");
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_NE(s.message().find(".dbtmp"), std::string::npos) << s.ToString();
  EXPECT_NE(s.message().find("flush"), std::string::npos) << s.ToString();
  std::string stats;
  ASSERT_TRUE(db_->GetProperty("stats", &stats));
  EXPECT_NE(stats.find("background error"), std::string::npos);
  // Reads still work.
  std::string value;
  ASSERT_TRUE(db_->Get(ReadOptions(), "key7", &value).ok());
  EXPECT_EQ(value, acknowledged["key7"]);
  env_.Disarm();
  ASSERT_TRUE(Open(false).ok());
  ExpectContents(acknowledged);
  ASSERT_TRUE(db_->Flush().ok());
  ASSERT_TRUE(Open(false).ok());
  ExpectContents(acknowledged);
}

TEST_F(FaultInjectionTest, FailedBackgroundCompactionStopsWritesWithAClearError) {
  Options o = MakeOptions(false);
  o.l0_compaction_trigger = 2;
  o.background_threads = 1;
  ASSERT_TRUE(OpenWith(o).ok());
  std::map<std::string, std::string> acknowledged;
  WriteKeys("a", 200, 30, &acknowledged);
  ASSERT_TRUE(db_->Flush().ok());
  ASSERT_TRUE(db_->WaitForBackgroundWork().ok());
  // The next flush's table goes through; the compaction it triggers cannot
  // create its output.
  FaultEnv::Fault fault;
  fault.op = Op::kCreate;
  fault.path_substring = ".dbtmp";  // a table being written (table_file_builder.h)
  fault.skip = 1;
  env_.Arm(fault);
  WriteKeys("b", 200, 30, &acknowledged);
  // The flush itself succeeds, though Flush may already see the compaction
  // fail by the time it returns.
  Status s = db_->Flush();
  EXPECT_TRUE(s.ok() || s.message().find("compaction") != std::string::npos) << s.ToString();
  s = db_->WaitForBackgroundWork();
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_NE(s.message().find("compaction"), std::string::npos) << s.ToString();
  s = db_->Put(WriteOptions(), "later", "x");
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_NE(s.message().find("compaction"), std::string::npos) << s.ToString();
  ExpectContents(acknowledged);  // the inputs are still there
  env_.Disarm();
  ASSERT_TRUE(OpenWith(o).ok());
  ExpectContents(acknowledged);
  ASSERT_TRUE(db_->WaitForBackgroundWork().ok());
  std::string l0;
  ASSERT_TRUE(db_->GetProperty("num-files-at-level0", &l0));
  EXPECT_EQ(l0, "0");  // the compaction ran this time
  ExpectContents(acknowledged);
}

TEST_F(FaultInjectionTest, FullDiskStopsWritesAndSpaceReturningThenReopenRecovers) {
  // Policy (docs/DURABILITY.md): a full disk stops writes with the ENOSPC
  // error; reads keep working meanwhile. With auto_resume off (as here) the
  // stop lasts until Resume or a reopen; both recover everything.
  for (bool sync : {false, true}) {
    SCOPED_TRACE(sync ? "sync=true" : "sync=false");
    db_path_ = dir_.Sub(sync ? "db-sync" : "db-nosync");
    ASSERT_TRUE(Open(sync).ok());
    std::map<std::string, std::string> acknowledged;
    WriteKeys("k", 50, 100, &acknowledged);
    env_.SetFreeSpace(40 << 10);
    Status s;
    int i = 0;
    for (; i < 10000 && s.ok(); ++i) {
      std::string k = "fill" + std::to_string(i);
      s = db_->Put(WriteOptions(), k, std::string(300, 'f'));
      if (s.ok()) acknowledged[k] = std::string(300, 'f');
    }
    ASSERT_FALSE(s.ok()) << "the disk never filled";
    EXPECT_TRUE(s.IsIOError()) << s.ToString();
    EXPECT_NE(s.message().find("No space left on device"), std::string::npos) << s.ToString();
    env_.ClearFreeSpace();  // space returns...
    s = db_->Put(WriteOptions(), "still-stopped", "x");
    EXPECT_TRUE(s.IsIOError()) << "writes resumed without a reopen: " << s.ToString();
    std::string value;
    ASSERT_TRUE(db_->Get(ReadOptions(), "k3", &value).ok());  // reads keep working
    db_.reset();
    if (sync) {
      Status power_loss = env_.SimulatePowerLoss();
      ASSERT_TRUE(power_loss.ok()) << power_loss.ToString();
    }
    ASSERT_TRUE(Open(sync).ok());  // ...and a reopen recovers
    ExpectContents(acknowledged);
    WriteKeys("after", 100, 100, &acknowledged);
    ASSERT_TRUE(db_->Flush().ok());
    ASSERT_TRUE(Open(sync).ok());
    ExpectContents(acknowledged);
    db_.reset();
  }
}

TEST_F(FaultInjectionTest, FullDiskDuringFlushStopsWritesAndReopenRecovers) {
  ASSERT_TRUE(Open(false).ok());
  std::map<std::string, std::string> acknowledged;
  WriteKeys("k", 100, 100, &acknowledged);
  FaultEnv::Fault fault;
  fault.op = Op::kAppend;
  fault.error = FaultEnv::Error::kNoSpace;
  fault.path_substring = ".dbtmp";  // a table being written (table_file_builder.h)
  fault.torn = true;
  env_.Arm(fault);
  Status s = db_->Flush();
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_NE(s.message().find("No space left on device"), std::string::npos) << s.ToString();
  EXPECT_TRUE(db_->Put(WriteOptions(), "x", "y").IsIOError());
  env_.Disarm();
  ASSERT_TRUE(Open(false).ok());
  ExpectContents(acknowledged);
  ASSERT_TRUE(db_->Flush().ok());
  ASSERT_TRUE(db_->Verify().ok());
}

// Fills the disk (SetFreeSpace) until a put fails; returns that status.
// Keys written before are in *acknowledged; the refused key is "refused".
Status FillDisk(DB* db, FaultEnv* env, std::map<std::string, std::string>* acknowledged) {
  env->SetFreeSpace(40 << 10);
  for (int i = 0; i < 10000; ++i) {
    std::string k = "fill" + std::to_string(i);
    Status s = db->Put(WriteOptions(), k, std::string(300, 'f'));
    if (!s.ok()) {
      // The refused write's key, to check it never shows up.
      (*acknowledged).erase(k);
      return s;
    }
    (*acknowledged)[k] = std::string(300, 'f');
  }
  return Status::OK();
}

TEST_F(FaultInjectionTest, FullDiskResumesWithoutReopenAndLosesNothing) {
  for (bool sync : {false, true}) {
    SCOPED_TRACE(sync ? "sync=true" : "sync=false");
    db_path_ = dir_.Sub(sync ? "db-sync" : "db-nosync");
    ASSERT_TRUE(Open(sync).ok());
    std::map<std::string, std::string> acknowledged;
    WriteKeys("k", 50, 100, &acknowledged);
    Status s = FillDisk(db_.get(), &env_, &acknowledged);
    ASSERT_TRUE(s.IsNoSpace()) << s.ToString();
    s = db_->Put(WriteOptions(), "while-full", "x");
    EXPECT_TRUE(s.IsIOError()) << s.ToString();
    EXPECT_NE(s.message().find("kv_resume"), std::string::npos) << s.ToString();

    // Resuming while the disk is still full: the next write stops them again.
    ASSERT_TRUE(db_->Resume().ok());
    s = db_->Put(WriteOptions(), "still-full", std::string(300, 's'));
    EXPECT_TRUE(s.IsIOError()) << s.ToString();

    env_.ClearFreeSpace();  // space returns
    s = db_->Resume();
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_TRUE(db_->Resume().ok());  // nothing left to resume
    WriteKeys("after", 100, 100, &acknowledged);
    ASSERT_TRUE(db_->Flush().ok());
    // Every refused write stayed refused: none of them is half there.
    ExpectContents(acknowledged);

    db_.reset();
    if (sync) {
      Status power_loss = env_.SimulatePowerLoss();
      ASSERT_TRUE(power_loss.ok()) << power_loss.ToString();
    }
    ASSERT_TRUE(Open(sync).ok());
    ExpectContents(acknowledged);
    db_.reset();
  }
}

TEST_F(FaultInjectionTest, FullDiskResumesByItselfOnceSpaceReturns) {
  Options o = MakeOptions(false);
  o.auto_resume = true;
  ASSERT_TRUE(OpenWith(o).ok());
  std::map<std::string, std::string> acknowledged;
  WriteKeys("k", 50, 100, &acknowledged);
  Status s = FillDisk(db_.get(), &env_, &acknowledged);
  ASSERT_TRUE(s.IsNoSpace()) << s.ToString();
  env_.ClearFreeSpace();
  // No call: the flushing thread retries within its back-off (200 ms first).
  bool resumed = false;
  for (int i = 0; i < 300 && !resumed; ++i) {
    resumed = db_->Put(WriteOptions(), "resumed", "yes").ok();
    if (!resumed) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(resumed) << "writes did not resume within 15 s of space returning";
  acknowledged["resumed"] = "yes";
  std::string stats;
  ASSERT_TRUE(db_->GetProperty("stats", &stats));
  EXPECT_NE(stats.find("resumes after a lack of space: "), std::string::npos);
  EXPECT_EQ(stats.find("resumes after a lack of space: 0"), std::string::npos) << stats;
  ASSERT_TRUE(db_->Flush().ok());
  ExpectContents(acknowledged);
  ASSERT_TRUE(Open(false).ok());
  ExpectContents(acknowledged);
}

TEST_F(FaultInjectionTest, FullDiskDuringFlushResumes) {
  ASSERT_TRUE(Open(false).ok());
  std::map<std::string, std::string> acknowledged;
  WriteKeys("k", 100, 100, &acknowledged);
  FaultEnv::Fault fault;
  fault.op = Op::kAppend;
  fault.error = FaultEnv::Error::kNoSpace;
  fault.path_substring = ".dbtmp";  // a table being written (table_file_builder.h)
  fault.torn = true;
  env_.Arm(fault);
  EXPECT_TRUE(db_->Flush().IsNoSpace());
  EXPECT_TRUE(db_->Put(WriteOptions(), "x", "y").IsIOError());
  env_.Disarm();
  Status s = db_->Resume();
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_TRUE(db_->Flush().ok());
  WriteKeys("after", 10, 10, &acknowledged);
  ASSERT_TRUE(db_->Verify().ok());
  ExpectContents(acknowledged);
  ASSERT_TRUE(Open(false).ok());
  ExpectContents(acknowledged);
}

// Only a lack of space is undone by Resume: after an EIO, or a failed fsync
// of the log (whose pages the kernel may have dropped), writes stay stopped
// until a reopen.
TEST_F(FaultInjectionTest, ResumeDoesNotUndoOtherStops) {
  ASSERT_TRUE(Open(false).ok());
  std::map<std::string, std::string> acknowledged;
  WriteKeys("k", 20, 10, &acknowledged);
  env_.ArmFailures(Op::kAppend, 0);
  EXPECT_TRUE(db_->Put(WriteOptions(), "bad", std::string(200000, 'x')).IsIOError());
  env_.Disarm();
  Status s = db_->Resume();
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_NE(s.message().find("reopen"), std::string::npos) << s.ToString();
  EXPECT_TRUE(db_->Put(WriteOptions(), "after", "v").IsIOError());

  ASSERT_TRUE(Open(false).ok());
  FaultEnv::Fault fault;
  fault.op = Op::kSync;
  fault.error = FaultEnv::Error::kNoSpace;
  fault.path_substring = ".log";
  env_.Arm(fault);
  WriteOptions synced;
  synced.sync = true;
  s = db_->Put(synced, "synced", "v");
  EXPECT_TRUE(s.IsNoSpace()) << s.ToString();
  env_.Disarm();
  s = db_->Resume();
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_TRUE(db_->Put(WriteOptions(), "after", "v").IsIOError());
  ASSERT_TRUE(Open(false).ok());
  // The write whose fsync failed reached the log before the fsync: after the
  // reopen it may be there or not (an error means "not known to be
  // durable"); everything acknowledged must be.
  std::string value;
  if (db_->Get(ReadOptions(), "synced", &value).ok()) acknowledged["synced"] = "v";
  ExpectContents(acknowledged);
}

TEST_F(FaultInjectionTest, ReadErrorsAreReportedAndDoNotStopWrites) {
  ASSERT_TRUE(Open(false).ok());
  std::map<std::string, std::string> acknowledged;
  WriteKeys("k", 300, 50, &acknowledged);
  ASSERT_TRUE(db_->Flush().ok());
  ASSERT_TRUE(Open(false).ok());  // a cold cache: reads go to the table
  FaultEnv::Fault fault;
  fault.op = Op::kRandomRead;
  fault.count = 1;
  env_.Arm(fault);
  std::string value;
  Status s = db_->Get(ReadOptions(), "k10", &value);
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  ASSERT_TRUE(db_->Get(ReadOptions(), "k10", &value).ok());
  EXPECT_EQ(value, acknowledged["k10"]);
  ASSERT_TRUE(db_->Put(WriteOptions(), "new", "v").ok());
  acknowledged["new"] = "v";

  fault.count = 1;
  env_.Arm(fault);
  std::map<std::string, std::string> got;
  s = test::ScanAll(db_.get(), &got);
  // The open table is cached now; the first block read fails the scan, and
  // the scan says so rather than ending early.
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  ExpectContents(acknowledged);
}

TEST_F(FaultInjectionTest, ReadErrorDuringRecoveryFailsOpenThenReopenWorks) {
  ASSERT_TRUE(Open(true).ok());
  std::map<std::string, std::string> acknowledged;
  WriteKeys("k", 100, 50, &acknowledged);
  db_.reset();
  for (int skip = 0; skip < 4; ++skip) {
    FaultEnv::Fault fault;
    fault.op = Op::kSequentialRead;
    fault.skip = skip;
    fault.count = 1;
    env_.Arm(fault);
    Status s = Open(true);
    env_.Disarm();
    if (env_.failures_injected() == 0) break;
    EXPECT_TRUE(s.IsIOError()) << s.ToString();
    EXPECT_EQ(db_, nullptr);
    ASSERT_TRUE(Open(true).ok());
    ExpectContents(acknowledged);
    db_.reset();
  }
}

TEST_F(FaultInjectionTest, FailedRenameOfCurrentFailsOpenAndLosesNothing) {
  ASSERT_TRUE(Open(true).ok());
  std::map<std::string, std::string> acknowledged;
  WriteKeys("k", 200, 50, &acknowledged);
  ASSERT_TRUE(db_->Flush().ok());
  WriteKeys("w", 50, 50, &acknowledged);
  db_.reset();
  env_.ArmFailures(Op::kRename, 0);
  Status s = Open(true);
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  env_.Disarm();
  ASSERT_TRUE(env_.SimulatePowerLoss().ok());
  ASSERT_TRUE(Open(true).ok());
  ExpectContents(acknowledged);
}

TEST_F(FaultInjectionTest, FailedLinkFailsTheCheckpointOnly) {
  ASSERT_TRUE(Open(false).ok());
  std::map<std::string, std::string> acknowledged;
  WriteKeys("k", 200, 50, &acknowledged);
  ASSERT_TRUE(db_->Flush().ok());
  const std::string copy = dir_.Sub("copy");
  env_.ArmFailures(Op::kLink, 0);
  Status s = db_->Checkpoint(copy);
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_FALSE(Env::Default()->FileExists(copy)) << "a half-made checkpoint was left behind";
  env_.Disarm();
  WriteKeys("after", 10, 50, &acknowledged);  // the database itself is fine
  ASSERT_TRUE(db_->Checkpoint(copy).ok());
  std::shared_ptr<DB> checkpoint;
  ASSERT_TRUE(DB::Open(MakeOptions(false), copy, &checkpoint).ok());
  std::map<std::string, std::string> got;
  ASSERT_TRUE(test::ScanAll(checkpoint.get(), &got).ok());
  EXPECT_TRUE(got == acknowledged);
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
    ASSERT_TRUE(env_.SimulatePowerLoss().ok());
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
  ASSERT_TRUE(env_.SimulatePowerLoss().ok());
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

TEST_F(FaultInjectionTest, SyncedWriteOnAnUnsyncedDatabaseSurvivesPowerLoss) {
  // WriteOptions::sync (KV_WRITE_SYNC) on a sync=false database: that write,
  // and the unsynced writes before it in the same log, survive.
  ASSERT_TRUE(Open(false).ok());
  std::map<std::string, std::string> acknowledged;
  WriteKeys("k", 20, 10, &acknowledged);
  WriteOptions sync;
  sync.sync = true;
  ASSERT_TRUE(db_->Put(sync, "synced", "yes").ok());
  acknowledged["synced"] = "yes";
  ASSERT_TRUE(db_->Put(WriteOptions(), "unsynced", "maybe").ok());
  db_.reset();
  ASSERT_TRUE(env_.SimulatePowerLoss().ok());
  ASSERT_TRUE(Open(false).ok());
  ExpectContents(acknowledged);
}

TEST_F(FaultInjectionTest, PowerLossDuringTheOpensAfterARepairLosesNothing) {
  // A repaired manifest names no log; the opens after it must keep it
  // openable whenever the power goes, twice in a row.
  ASSERT_TRUE(Open(true).ok());
  std::map<std::string, std::string> acknowledged;
  WriteKeys("k", 300, 50, &acknowledged);
  ASSERT_TRUE(db_->Flush().ok());
  WriteKeys("w", 50, 50, &acknowledged);
  db_.reset();
  for (uint64_t point = 0;; ++point) {
    SCOPED_TRACE("power lost after " + std::to_string(point) + " operations of each open");
    RepairReport report;
    Status s = RepairDB(MakeOptions(true), db_path_, &report);
    ASSERT_TRUE(s.ok()) << s.ToString();
    bool crashed = false;
    for (int open = 0; open < 2; ++open) {
      env_.CrashAfter(point);
      Open(true);
      db_.reset();
      crashed |= env_.crashed();
      ASSERT_TRUE(env_.SimulatePowerLoss().ok());
    }
    s = Open(true);
    ASSERT_TRUE(s.ok()) << s.ToString();
    ExpectContents(acknowledged);
    db_.reset();
    if (!crashed || point > 60) break;
  }
}

TEST_F(FaultInjectionTest, FullDiskWithBufferedWalResumesAndLosesNothing) {
  // Buffered WAL: acknowledged writes still in the buffer when its write
  // fails for lack of space are kept and written again after the resume.
  Options o = MakeOptions(false);
  o.wal_buffer_bytes = 4096;
  o.wal_buffer_delay_ms = 60000;  // only a full buffer writes: the failure is a put's
  ASSERT_TRUE(OpenWith(o).ok());
  std::map<std::string, std::string> acknowledged;
  WriteKeys("k", 50, 100, &acknowledged);
  Status s = FillDisk(db_.get(), &env_, &acknowledged);
  ASSERT_TRUE(s.IsNoSpace()) << s.ToString();
  EXPECT_TRUE(db_->Put(WriteOptions(), "while-full", "x").IsIOError());
  env_.ClearFreeSpace();
  ASSERT_TRUE(db_->Resume().ok());
  WriteKeys("after", 100, 100, &acknowledged);
  ExpectContents(acknowledged);
  db_.reset();  // the close writes the buffer
  ASSERT_TRUE(OpenWith(o).ok());
  ExpectContents(acknowledged);
  db_.reset();
  // And a reopen that replays the logs with the default WAL sees the same.
  ASSERT_TRUE(Open(false).ok());
  ExpectContents(acknowledged);
}

TEST_F(FaultInjectionTest, FailedBufferedWalWriteByTheFlusherStopsAndResumes) {
  // The flusher thread's write fails (not a put's): writes stop with the
  // error, and after Resume the buffered writes reach the log.
  Options o = MakeOptions(false);
  o.wal_buffer_bytes = 1 << 20;
  o.wal_buffer_delay_ms = 5;
  ASSERT_TRUE(OpenWith(o).ok());
  std::map<std::string, std::string> acknowledged;
  FaultEnv::Fault fault;
  fault.op = Op::kAppend;
  fault.error = FaultEnv::Error::kNoSpace;
  fault.path_substring = ".log";
  fault.torn = true;
  fault.count = 1;
  env_.Arm(fault);
  Status s;
  for (int i = 0; i < 2000 && s.ok(); ++i) {
    const std::string k = "k" + std::to_string(i);
    s = db_->Put(WriteOptions(), k, std::string(100, 'v'));
    if (s.ok()) acknowledged[k] = std::string(100, 'v');
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_TRUE(s.IsIOError()) << "the flusher's failed write never stopped writes";
  EXPECT_NE(s.message().find("No space left on device"), std::string::npos) << s.ToString();
  env_.Disarm();
  ASSERT_TRUE(db_->Resume().ok());
  WriteKeys("after", 20, 100, &acknowledged);
  // Long enough for the flusher (5 ms) to write the buffer again.
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ExpectContents(acknowledged);
  db_.reset();
  ASSERT_TRUE(Open(false).ok());
  ExpectContents(acknowledged);
}

}  // namespace
}  // namespace strata
