// The buffered WAL (wal_buffer_bytes): what a crash of the process may lose
// and what it may not. Each case writes from a forked child that then dies
// without closing the database (_exit: no destructor, no flush), and the
// parent reopens what the child left.
//
// What must hold: the survivors are a prefix of the child's writes (a crash
// loses only the newest ones); a full buffer, a synced write, a flush and a
// close each write everything before them; and once the buffer has waited
// wal_buffer_delay_ms the writes are out even with no further call.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <string>
#include <thread>

#include "core/db/db.h"
#include "support/db_test_util.h"
#include "support/temp_dir.h"

namespace strata {
namespace {

std::string Key(int i) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "key%06d", i);
  return buf;
}

class BufferedWalTest : public ::testing::Test {
 protected:
  Options BufferedOptions(size_t buffer_bytes, int delay_ms) {
    Options o;
    o.wal_buffer_bytes = buffer_bytes;
    o.wal_buffer_delay_ms = delay_ms;
    o.auto_resume = false;
    return o;
  }

  // Runs `work` on a database opened with `o` in a child process that then
  // dies without closing it; fails the test if the child did not get there.
  void RunAndCrash(const Options& o, const std::function<bool(DB*)>& work) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      std::shared_ptr<DB> db;
      if (!DB::Open(o, path_, &db).ok()) _exit(2);
      _exit(work(db.get()) ? 0 : 3);
    }
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status)) << status;
    ASSERT_EQ(WEXITSTATUS(status), 0);
  }

  // How many of key 0, 1, 2, ... the reopened database holds, checking that
  // they are a prefix: no key after the first missing one survived.
  int SurvivingPrefix(int written) {
    std::shared_ptr<DB> db;
    Status s = DB::Open(Options(), path_, &db);
    EXPECT_TRUE(s.ok()) << s.ToString();
    if (!s.ok()) return -1;
    int prefix = 0;
    while (prefix < written) {
      std::string v;
      if (!db->Get(ReadOptions(), Key(prefix), &v).ok()) break;
      EXPECT_EQ(v, "value-" + Key(prefix));
      ++prefix;
    }
    for (int i = prefix; i < written; ++i) {
      std::string v;
      EXPECT_TRUE(db->Get(ReadOptions(), Key(i), &v).IsNotFound())
          << Key(i) << " survived after " << Key(prefix) << " was lost";
    }
    return prefix;
  }

  static bool PutRange(DB* db, int from, int to, bool sync_last = false) {
    for (int i = from; i < to; ++i) {
      WriteOptions wo;
      wo.sync = sync_last && i == to - 1;
      if (!db->Put(wo, Key(i), "value-" + Key(i)).ok()) return false;
    }
    return true;
  }

  test::TempDir dir_;
  std::string path_ = dir_.Sub("db");
};

TEST_F(BufferedWalTest, CrashLosesWhatIsStillBuffered) {
  // A buffer far larger than the writes and a delay far longer than the
  // test: the child's writes never leave the process.
  RunAndCrash(BufferedOptions(1 << 20, 60000), [](DB* db) { return PutRange(db, 0, 200); });
  EXPECT_EQ(SurvivingPrefix(200), 0);
}

TEST_F(BufferedWalTest, DefaultWalLosesNothingOnCrash) {
  RunAndCrash(Options(), [](DB* db) { return PutRange(db, 0, 200); });
  EXPECT_EQ(SurvivingPrefix(200), 200);
}

TEST_F(BufferedWalTest, FullBufferIsWrittenAndSurvivorsArePrefix) {
  // Each record is about 40 bytes: a 4 KiB buffer is written every ~100
  // puts, so at most the last ~100 of 2,000 can be lost.
  RunAndCrash(BufferedOptions(4096, 60000), [](DB* db) { return PutRange(db, 0, 2000); });
  const int survived = SurvivingPrefix(2000);
  EXPECT_GE(survived, 2000 - 4096 / 30);
  EXPECT_LT(survived, 2000);  // the tail was still buffered
}

TEST_F(BufferedWalTest, DelayBoundsWhatACrashLoses) {
  RunAndCrash(BufferedOptions(1 << 20, 20), [](DB* db) {
    if (!PutRange(db, 0, 300)) return false;
    // Ten times the delay, with no call into the database meanwhile.
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    return true;
  });
  EXPECT_EQ(SurvivingPrefix(300), 300);
}

TEST_F(BufferedWalTest, SyncedWriteWritesEverythingBeforeIt) {
  RunAndCrash(BufferedOptions(1 << 20, 60000),
              [](DB* db) { return PutRange(db, 0, 300, /*sync_last=*/true); });
  EXPECT_EQ(SurvivingPrefix(300), 300);
}

TEST_F(BufferedWalTest, FlushAndCloseWriteTheBuffer) {
  RunAndCrash(BufferedOptions(1 << 20, 60000), [](DB* db) {
    return PutRange(db, 0, 300) && db->Flush().ok() && PutRange(db, 300, 400);
  });
  // The memtable switch wrote the old log's buffer; the new log's 100 are lost.
  EXPECT_EQ(SurvivingPrefix(400), 300);

  {
    std::shared_ptr<DB> db;
    ASSERT_TRUE(DB::Open(BufferedOptions(1 << 20, 60000), path_, &db).ok());
    ASSERT_TRUE(PutRange(db.get(), 300, 600));
  }  // closed: the buffer is written
  EXPECT_EQ(SurvivingPrefix(600), 600);
}

TEST_F(BufferedWalTest, ManyMemtableSwitchesKeepThePrefix) {
  // Small memtables switch logs often: each switch must write the old log's
  // buffer before the new log takes writes, or a crash could keep a newer
  // log's writes and lose an older one's.
  Options o = BufferedOptions(8192, 60000);
  o.memtable_bytes = 32 << 10;
  RunAndCrash(o, [](DB* db) { return PutRange(db, 0, 5000); });
  const int survived = SurvivingPrefix(5000);
  EXPECT_GE(survived, 5000 - 8192 / 30);
}

}  // namespace
}  // namespace strata
