// The fault-injecting Env itself: its power-loss model (file data and
// directory entries revert to what an fsync made durable), its injected
// errors, full disk and crash points. The database tests trust these
// semantics, so they are pinned here on plain files.
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "support/fault_injection_env.h"
#include "support/temp_dir.h"

namespace strata {
namespace {

using Env_ = test::FaultInjectionEnv;
using Op = Env_::Op;

class FaultInjectionEnvTest : public ::testing::Test {
 protected:
  std::string Path(const std::string& name) const { return dir_.Sub(name); }

  // Creates `name` through the fault env holding `synced` (fsynced) then
  // `unsynced` (written, not fsynced).
  void Write(const std::string& name, const std::string& synced, const std::string& unsynced = "") {
    std::unique_ptr<WritableFile> f;
    ASSERT_TRUE(env_.NewWritableFile(Path(name), &f).ok());
    ASSERT_TRUE(f->Append(synced).ok());
    ASSERT_TRUE(f->Sync().ok());
    ASSERT_TRUE(f->Append(unsynced).ok());
    ASSERT_TRUE(f->Close().ok());
  }

  // The file's contents, or "<absent>".
  std::string Read(const std::string& name) {
    std::string data;
    if (!Env::Default()->FileExists(Path(name))) return "<absent>";
    EXPECT_TRUE(ReadFileToString(Env::Default(), Path(name), &data).ok());
    return data;
  }

  std::vector<std::string> Children() {
    std::vector<std::string> names;
    EXPECT_TRUE(Env::Default()->GetChildren(dir_.path(), &names).ok());
    std::sort(names.begin(), names.end());
    return names;
  }

  test::TempDir dir_;
  test::FaultInjectionEnv env_;
};

TEST_F(FaultInjectionEnvTest, PowerLossCutsDataAppendedAfterTheLastSync) {
  Write("a", "durable", "-lost");
  ASSERT_TRUE(env_.SyncDir(dir_.path()).ok());
  EXPECT_EQ(Read("a"), "durable-lost");
  ASSERT_TRUE(env_.SimulatePowerLoss().ok());
  EXPECT_EQ(Read("a"), "durable");
}

TEST_F(FaultInjectionEnvTest, FileNeverSyncedIsEmptyAfterPowerLoss) {
  std::unique_ptr<WritableFile> f;
  ASSERT_TRUE(env_.NewWritableFile(Path("a"), &f).ok());
  ASSERT_TRUE(f->Append("never synced").ok());
  ASSERT_TRUE(f->Close().ok());
  ASSERT_TRUE(env_.SyncDir(dir_.path()).ok());
  ASSERT_TRUE(env_.SimulatePowerLoss().ok());
  EXPECT_EQ(Read("a"), "");
}

TEST_F(FaultInjectionEnvTest, CreationWithoutDirectorySyncIsUndone) {
  Write("a", "synced data, unsynced name");
  ASSERT_TRUE(env_.SimulatePowerLoss().ok());
  EXPECT_EQ(Read("a"), "<absent>");
}

TEST_F(FaultInjectionEnvTest, FilesPresentBeforeTheEnvSawThemAreDurable) {
  {
    std::unique_ptr<WritableFile> f;
    ASSERT_TRUE(Env::Default()->NewWritableFile(Path("old"), &f).ok());
    ASSERT_TRUE(f->Append("old contents").ok());
    ASSERT_TRUE(f->Close().ok());
  }
  Write("new", "x");  // the env starts tracking the directory here
  ASSERT_TRUE(env_.SimulatePowerLoss().ok());
  EXPECT_EQ(Read("old"), "old contents");
  EXPECT_EQ(Read("new"), "<absent>");
}

TEST_F(FaultInjectionEnvTest, RemovalWithoutDirectorySyncIsUndone) {
  Write("a", "keep me", "-but not me");
  ASSERT_TRUE(env_.SyncDir(dir_.path()).ok());
  ASSERT_TRUE(env_.RemoveFile(Path("a")).ok());
  EXPECT_EQ(Read("a"), "<absent>");
  ASSERT_TRUE(env_.SimulatePowerLoss().ok());
  EXPECT_EQ(Read("a"), "keep me");

  ASSERT_TRUE(env_.RemoveFile(Path("a")).ok());
  ASSERT_TRUE(env_.SyncDir(dir_.path()).ok());
  ASSERT_TRUE(env_.SimulatePowerLoss().ok());
  EXPECT_EQ(Read("a"), "<absent>");
}

TEST_F(FaultInjectionEnvTest, RenameOverAFileWithoutDirectorySyncIsUndone) {
  // The CURRENT dance: a synced temporary file renamed over the old one.
  Write("CURRENT", "old\n");
  ASSERT_TRUE(env_.SyncDir(dir_.path()).ok());
  Write("CURRENT.tmp", "new\n");
  ASSERT_TRUE(env_.RenameFile(Path("CURRENT.tmp"), Path("CURRENT")).ok());
  EXPECT_EQ(Read("CURRENT"), "new\n");
  ASSERT_TRUE(env_.SimulatePowerLoss().ok());
  EXPECT_EQ(Read("CURRENT"), "old\n");
  EXPECT_EQ(Read("CURRENT.tmp"), "<absent>");  // its creation was never made durable either

  Write("CURRENT.tmp", "new\n");
  ASSERT_TRUE(env_.RenameFile(Path("CURRENT.tmp"), Path("CURRENT")).ok());
  ASSERT_TRUE(env_.SyncDir(dir_.path()).ok());
  ASSERT_TRUE(env_.SimulatePowerLoss().ok());
  EXPECT_EQ(Read("CURRENT"), "new\n");
  EXPECT_EQ(Children(), std::vector<std::string>({"CURRENT"}));
}

TEST_F(FaultInjectionEnvTest, RenameOfADurableFileWithoutDirectorySyncIsUndone) {
  Write("from", "contents");
  ASSERT_TRUE(env_.SyncDir(dir_.path()).ok());
  ASSERT_TRUE(env_.RenameFile(Path("from"), Path("to")).ok());
  ASSERT_TRUE(env_.SimulatePowerLoss().ok());
  EXPECT_EQ(Read("from"), "contents");
  EXPECT_EQ(Read("to"), "<absent>");
}

TEST_F(FaultInjectionEnvTest, HardLinkNeedsASyncOfItsOwnDirectory) {
  const std::string other = dir_.Sub("copy");
  ASSERT_TRUE(Env::Default()->CreateDir(other).ok());
  Write("t", "table");
  ASSERT_TRUE(env_.SyncDir(dir_.path()).ok());
  ASSERT_TRUE(env_.LinkFile(Path("t"), other + "/t").ok());
  ASSERT_TRUE(env_.SyncDir(dir_.path()).ok());  // the wrong directory
  ASSERT_TRUE(env_.SimulatePowerLoss().ok());
  EXPECT_FALSE(Env::Default()->FileExists(other + "/t"));
  EXPECT_EQ(Read("t"), "table");

  ASSERT_TRUE(env_.LinkFile(Path("t"), other + "/t").ok());
  ASSERT_TRUE(env_.SyncDir(other).ok());
  ASSERT_TRUE(env_.RemoveFile(Path("t")).ok());
  ASSERT_TRUE(env_.SyncDir(dir_.path()).ok());
  ASSERT_TRUE(env_.SimulatePowerLoss().ok());
  std::string data;
  ASSERT_TRUE(ReadFileToString(Env::Default(), other + "/t", &data).ok());
  EXPECT_EQ(data, "table");
}

TEST_F(FaultInjectionEnvTest, EveryOperationKindCanFailWithEioOrEnospc) {
  Write("a", "abc");
  ASSERT_TRUE(env_.SyncDir(dir_.path()).ok());
  for (auto error : {Env_::Error::kIO, Env_::Error::kNoSpace}) {
    const std::string expected = error == Env_::Error::kIO ? "Input/output error"
                                                           : "No space left on device";
    auto arm = [&](Op op) {
      Env_::Fault fault;
      fault.op = op;
      fault.error = error;
      env_.Arm(fault);
    };
    auto expect_injected = [&](const Status& s, Op op) {
      EXPECT_TRUE(s.IsIOError()) << Env_::OpName(op) << ": " << s.ToString();
      EXPECT_NE(s.message().find(expected), std::string::npos) << s.ToString();
      EXPECT_NE(s.message().find("injected"), std::string::npos) << s.ToString();
    };
    std::unique_ptr<WritableFile> w;
    ASSERT_TRUE(env_.NewWritableFile(Path("w"), &w).ok());
    arm(Op::kAppend);
    expect_injected(w->Append("x"), Op::kAppend);
    arm(Op::kSync);
    expect_injected(w->Sync(), Op::kSync);
    arm(Op::kSyncDir);
    expect_injected(env_.SyncDir(dir_.path()), Op::kSyncDir);
    arm(Op::kCreate);
    std::unique_ptr<WritableFile> w2;
    expect_injected(env_.NewWritableFile(Path("w2"), &w2), Op::kCreate);
    EXPECT_EQ(w2, nullptr);
    arm(Op::kRename);
    expect_injected(env_.RenameFile(Path("a"), Path("b")), Op::kRename);
    arm(Op::kLink);
    expect_injected(env_.LinkFile(Path("a"), Path("b")), Op::kLink);
    arm(Op::kRemove);
    expect_injected(env_.RemoveFile(Path("w")), Op::kRemove);

    char scratch[8];
    std::string_view got;
    std::unique_ptr<SequentialFile> seq;
    ASSERT_TRUE(env_.NewSequentialFile(Path("a"), &seq).ok());
    arm(Op::kSequentialRead);
    expect_injected(seq->Read(3, &got, scratch), Op::kSequentialRead);
    std::unique_ptr<RandomAccessFile> ra;
    ASSERT_TRUE(env_.NewRandomAccessFile(Path("a"), &ra).ok());
    arm(Op::kRandomRead);
    expect_injected(ra->Read(0, 3, &got, scratch), Op::kRandomRead);
    env_.Disarm();
    ASSERT_TRUE(ra->Read(0, 3, &got, scratch).ok());
    EXPECT_EQ(got, "abc");
    EXPECT_EQ(Read("b"), "<absent>");  // failed renames and links did nothing
    EXPECT_EQ(Read("a"), "abc");
  }
  EXPECT_EQ(env_.failures_injected(), 2 * Env_::kNumOps);
}

TEST_F(FaultInjectionEnvTest, SkipCountAndPathFilterSelectWhichOperationsFail) {
  Env_::Fault fault;
  fault.op = Op::kAppend;
  fault.skip = 2;
  fault.count = 1;
  fault.path_substring = ".log";
  env_.Arm(fault);
  std::unique_ptr<WritableFile> log, sst;
  ASSERT_TRUE(env_.NewWritableFile(Path("1.log"), &log).ok());
  ASSERT_TRUE(env_.NewWritableFile(Path("2.sst"), &sst).ok());
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(sst->Append("s").ok());
  EXPECT_TRUE(log->Append("1").ok());
  EXPECT_TRUE(log->Append("2").ok());
  EXPECT_FALSE(log->Append("3").ok());
  EXPECT_TRUE(log->Append("4").ok());
  ASSERT_TRUE(log->Close().ok());
  EXPECT_EQ(Read("1.log"), "124");
  EXPECT_EQ(env_.failures_injected(), 1);
}

TEST_F(FaultInjectionEnvTest, TornAppendLeavesHalfOfTheBytes) {
  Env_::Fault fault;
  fault.op = Op::kAppend;
  fault.skip = 1;
  fault.count = 1;
  fault.torn = true;
  env_.Arm(fault);
  std::unique_ptr<WritableFile> f;
  ASSERT_TRUE(env_.NewWritableFile(Path("a"), &f).ok());
  ASSERT_TRUE(f->Append("whole").ok());
  EXPECT_TRUE(f->Append("12345678").IsIOError());
  ASSERT_TRUE(f->Close().ok());
  EXPECT_EQ(Read("a"), "whole1234");
}

TEST_F(FaultInjectionEnvTest, FullDiskWritesWhatFitsUntilSpaceReturns) {
  env_.SetFreeSpace(10);
  std::unique_ptr<WritableFile> f;
  ASSERT_TRUE(env_.NewWritableFile(Path("a"), &f).ok());
  ASSERT_TRUE(f->Append("123456").ok());
  Status s = f->Append("789abc");
  EXPECT_TRUE(s.IsIOError());
  EXPECT_NE(s.message().find("No space left on device"), std::string::npos) << s.ToString();
  EXPECT_TRUE(f->Append("d").IsIOError());
  env_.ClearFreeSpace();
  ASSERT_TRUE(f->Append("!").ok());
  ASSERT_TRUE(f->Close().ok());
  EXPECT_EQ(Read("a"), "123456789a!");
}

TEST_F(FaultInjectionEnvTest, CrashPointStopsEveryLaterMutation) {
  Write("a", "synced");
  ASSERT_TRUE(env_.SyncDir(dir_.path()).ok());
  env_.CrashAfter(2);
  std::unique_ptr<WritableFile> f;
  ASSERT_TRUE(env_.NewWritableFile(Path("b"), &f).ok());  // 1
  ASSERT_TRUE(f->Append("b").ok());                       // 2
  EXPECT_FALSE(f->Sync().ok());                           // the machine stops here
  EXPECT_TRUE(env_.crashed());
  EXPECT_FALSE(env_.RemoveFile(Path("a")).ok());
  EXPECT_FALSE(env_.SyncDir(dir_.path()).ok());
  f.reset();
  ASSERT_TRUE(env_.SimulatePowerLoss().ok());
  EXPECT_FALSE(env_.crashed());
  EXPECT_EQ(Children(), std::vector<std::string>({"a"}));
  EXPECT_EQ(Read("a"), "synced");
  Write("c", "after the reboot");  // the filesystem works again
  EXPECT_EQ(Read("c"), "after the reboot");
}

}  // namespace
}  // namespace strata
