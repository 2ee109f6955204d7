// The write-ahead log written through a shared mapping (option wal_mmap,
// core/posix_mapped_log_file.h): records read back across windows, the
// reserved zeros until close, Truncate, a process killed mid-append leaving
// a clean torn tail, and a database killed after its writes keeping them.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "core/env.h"
#include "core/filename.h"
#include "core/wal/log_reader.h"
#include "core/wal/log_writer.h"
#include "strata/kv.h"
#include "support/temp_dir.h"

namespace strata {
namespace {

constexpr uint64_t kWindowBytes = 1 << 20;

class MappedLogFileTest : public ::testing::Test {
 protected:
  test::TempDir dir_;
  std::string path_ = dir_.Sub("000007.log");

  std::unique_ptr<log::Writer> NewWriter() {
    std::unique_ptr<WritableFile> file;
    Status s = Env::Default()->NewExclusiveMappedWritableFile(path_, &file);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return std::make_unique<log::Writer>(std::move(file));
  }

  uint64_t FileSize() {
    uint64_t size = 0;
    EXPECT_TRUE(Env::Default()->GetFileSize(path_, &size).ok());
    return size;
  }

  // Every record of the log, read as recovery does.
  std::vector<std::string> ReadAll(Status* status, bool* torn) {
    std::unique_ptr<SequentialFile> file;
    EXPECT_TRUE(Env::Default()->NewSequentialFile(path_, &file).ok());
    log::Reader reader(std::move(file), path_, FileSize());
    std::vector<std::string> out;
    std::string record;
    while (reader.ReadRecord(&record)) out.push_back(record);
    *status = reader.status();
    *torn = reader.torn_tail();
    return out;
  }
};

// Record i of a deterministic sequence, of varied sizes.
std::string Record(int i) {
  std::string r(static_cast<size_t>(1 + (i * 7919) % 3000), '\0');
  for (size_t j = 0; j < r.size(); ++j) r[j] = static_cast<char>('a' + (i + j) % 26);
  return r;
}

TEST_F(MappedLogFileTest, RecordsAcrossWindowsReadBackAndCloseTrimsTheReservedSpace) {
  auto writer = NewWriter();
  std::vector<std::string> records;
  for (int i = 0; i < 2000; ++i) records.push_back(Record(i));
  records.push_back(std::string(3 * kWindowBytes + 123, 'L'));  // spans four windows
  records.push_back("after the large one");
  for (const auto& r : records) ASSERT_TRUE(writer->AddRecord(r).ok());
  ASSERT_TRUE(writer->Flush().ok());

  // Open, the file ends in reserved zeros up to a window boundary; the
  // records read back all the same.
  const uint64_t logical = writer->Size();
  EXPECT_GT(FileSize(), logical);
  EXPECT_EQ(FileSize() % kWindowBytes, 0u);
  Status s;
  bool torn = false;
  EXPECT_EQ(ReadAll(&s, &torn), records);
  EXPECT_TRUE(s.ok()) << s.ToString();

  ASSERT_TRUE(writer->Sync().ok());
  ASSERT_TRUE(writer->Close().ok());
  EXPECT_EQ(FileSize(), logical);
  EXPECT_EQ(ReadAll(&s, &torn), records);
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_FALSE(torn);
}

TEST_F(MappedLogFileTest, TruncateCutsARecordAndTheNextAppendGoesOnThere) {
  auto writer = NewWriter();
  ASSERT_TRUE(writer->AddRecord("one").ok());
  const uint64_t good = writer->Size();
  ASSERT_TRUE(writer->AddRecord(std::string(kWindowBytes + 10, 'x')).ok());  // into window 2
  ASSERT_TRUE(writer->Truncate(good).ok());
  ASSERT_TRUE(writer->AddRecord("two").ok());
  // Before close: the cut record's bytes are zeros again, so nothing but
  // the two records and zeros remains.
  Status s;
  bool torn = false;
  EXPECT_EQ(ReadAll(&s, &torn), (std::vector<std::string>{"one", "two"}));
  EXPECT_TRUE(s.ok()) << s.ToString();
  ASSERT_TRUE(writer->Close().ok());
  EXPECT_EQ(FileSize(), 2 * 12 + 6u);
  EXPECT_EQ(ReadAll(&s, &torn), (std::vector<std::string>{"one", "two"}));
  EXPECT_FALSE(torn);
}

TEST_F(MappedLogFileTest, CreatingAnExistingFileFailsAndLeavesItAlone) {
  ASSERT_TRUE(WriteFileAtomically(Env::Default(), dir_.path(), "000007.log", "precious").ok());
  std::unique_ptr<WritableFile> file;
  EXPECT_FALSE(Env::Default()->NewExclusiveMappedWritableFile(path_, &file).ok());
  std::string data;
  ASSERT_TRUE(ReadFileToString(Env::Default(), path_, &data).ok());
  EXPECT_EQ(data, "precious");
}

// A child appends records of a known sequence until it is SIGKILLed at a
// random moment; whatever the moment, the log reads back as an exact prefix
// of the sequence, stopping at a clean torn tail or end (never corruption).
// Large records make a kill in the middle of a copy likely.
TEST_F(MappedLogFileTest, AProcessKilledMidAppendLeavesAPrefixOfItsRecords) {
  std::mt19937 rng(11);
  int torn_tails = 0;
  for (int round = 0; round < 20; ++round) {
    std::remove(path_.c_str());
    int ready[2];
    ASSERT_EQ(::pipe(ready), 0);
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(ready[0]);
      std::unique_ptr<WritableFile> file;
      if (!Env::Default()->NewExclusiveMappedWritableFile(path_, &file).ok()) ::_exit(2);
      log::Writer writer(std::move(file));
      (void)!::write(ready[1], "r", 1);
      for (int i = 0;; ++i) {
        std::string r = Record(i);
        if (i % 3 == 0) r.append(64 * 1024, static_cast<char>('A' + i % 26));
        if (!writer.AddRecord(r).ok()) ::_exit(3);
      }
    }
    ::close(ready[1]);
    char c;
    ASSERT_EQ(::read(ready[0], &c, 1), 1);
    ::close(ready[0]);
    std::this_thread::sleep_for(std::chrono::microseconds(2000 + rng() % 20000));
    ::kill(pid, SIGKILL);
    int wstatus = 0;
    ASSERT_EQ(::waitpid(pid, &wstatus, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(wstatus)) << "the child exited by itself: " << wstatus;

    Status s;
    bool torn = false;
    const std::vector<std::string> got = ReadAll(&s, &torn);
    ASSERT_TRUE(s.ok()) << "round " << round << ": " << s.ToString();
    ASSERT_GT(got.size(), 0u) << "round " << round;
    for (size_t i = 0; i < got.size(); ++i) {
      std::string want = Record(static_cast<int>(i));
      if (i % 3 == 0) want.append(64 * 1024, static_cast<char>('A' + i % 26));
      ASSERT_EQ(got[i], want) << "round " << round << ", record " << i;
    }
    if (torn) ++torn_tails;
  }
  // The reserved zeros after the last record read as a torn tail: every
  // round ends in one, so the reader did reach the end of each log.
  EXPECT_EQ(torn_tails, 20);
}

// Bytes of the log files in dir.
uint64_t LogBytesIn(const test::TempDir& dir) {
  std::vector<std::string> names;
  EXPECT_TRUE(Env::Default()->GetChildren(dir.path(), &names).ok());
  uint64_t total = 0;
  for (const auto& n : names) {
    uint64_t number = 0;
    if (ParseFileName(n, &number) != FileKind::kLog) continue;
    uint64_t size = 0;
    EXPECT_TRUE(Env::Default()->GetFileSize(dir.Sub(n), &size).ok());
    total += size;
  }
  return total;
}

// Through the C ABI: with wal_mmap (the default) the live log has reserved
// space; acknowledged writes survive a SIGKILL of the process that made
// them; with wal_mmap=false the log is written with write(2) and holds
// exactly its records.
class WalMmapDbTest : public ::testing::Test {
 protected:
  test::TempDir dir_;

  uint64_t LogBytes() { return LogBytesIn(dir_); }
};

kv_db* OpenWith(const std::string& path, const char* wal_mmap) {
  kv_options* o = kv_options_new();
  if (wal_mmap != nullptr) {
    EXPECT_EQ(kv_options_set(o, "wal_mmap", wal_mmap), KV_OK);
  }
  kv_db* db = nullptr;
  const int status = kv_open(path.c_str(), o, &db);
  kv_options_free(o);
  EXPECT_EQ(status, KV_OK) << kv_last_error();
  return db;
}

TEST_F(WalMmapDbTest, TheOptionChoosesHowTheLogIsWritten) {
  kv_db* db = OpenWith(dir_.path(), nullptr);
  ASSERT_NE(db, nullptr);
  ASSERT_EQ(kv_put(db, "k", 1, "v", 1), KV_OK);
  EXPECT_EQ(LogBytes(), kWindowBytes);  // the reserved first window
  ASSERT_EQ(kv_close(db), KV_OK);

  test::TempDir other;
  db = OpenWith(other.path(), "false");
  ASSERT_NE(db, nullptr);
  ASSERT_EQ(kv_put(db, "k", 1, "v", 1), KV_OK);
  const uint64_t log_bytes = LogBytesIn(other);
  EXPECT_GT(log_bytes, 0u);
  EXPECT_LT(log_bytes, 100u);  // one small record, no reserved space
  ASSERT_EQ(kv_close(db), KV_OK);

  kv_options* o = kv_options_new();
  EXPECT_EQ(kv_options_set(o, "wal_mmap", "sometimes"), KV_INVALID_ARGUMENT);
  kv_options_free(o);
}

TEST_F(WalMmapDbTest, AcknowledgedWritesSurviveAKillOfTheProcess) {
  int acked[2];
  ASSERT_EQ(::pipe(acked), 0);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(acked[0]);
    kv_options* o = kv_options_new();
    kv_db* db = nullptr;
    if (kv_open(dir_.path().c_str(), o, &db) != KV_OK) ::_exit(2);
    for (int i = 0;; ++i) {
      const std::string k = "key" + std::to_string(i);
      const std::string v = Record(i);
      if (kv_put(db, k.data(), k.size(), v.data(), v.size()) != KV_OK) ::_exit(3);
      // Acknowledged: the parent may count on it from here.
      if (::write(acked[1], &i, sizeof i) != sizeof i) ::_exit(4);
    }
  }
  ::close(acked[1]);
  int last = -1;
  for (int n = 0; n < 5000; ++n) {
    ASSERT_EQ(::read(acked[0], &last, sizeof last), static_cast<ssize_t>(sizeof last));
  }
  ::kill(pid, SIGKILL);
  int got;
  while (::read(acked[0], &got, sizeof got) == static_cast<ssize_t>(sizeof got)) last = got;
  ::close(acked[0]);
  ASSERT_EQ(::waitpid(pid, nullptr, 0), pid);
  // Killed, not closed: the log still has its reserved space.
  EXPECT_GT(LogBytes(), 0u);
  EXPECT_EQ(LogBytes() % kWindowBytes, 0u);

  kv_db* db = OpenWith(dir_.path(), nullptr);
  ASSERT_NE(db, nullptr);
  for (int i = 0; i <= last; ++i) {
    const std::string k = "key" + std::to_string(i);
    void* v = nullptr;
    size_t len = 0;
    ASSERT_EQ(kv_get(db, k.data(), k.size(), &v, &len), KV_OK) << k << " of " << last;
    EXPECT_EQ(std::string(static_cast<char*>(v), len), Record(i)) << k;
    kv_free(v);
  }
  ASSERT_EQ(kv_close(db), KV_OK);
}

}  // namespace
}  // namespace strata
