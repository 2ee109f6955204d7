// Engine behaviour through the C++ DB class: basics, persistence across
// reopen, flush and compaction, snapshots, locking, large values.
#include "core/db/db.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <mutex>
#include <set>
#include <thread>

#include "core/db/db_iterator.h"
#include "core/filename.h"
#include "support/db_test_util.h"
#include "support/temp_dir.h"

namespace strata {
namespace {

class DBTest : public ::testing::TestWithParam<MemTableKind> {
 protected:
  void Open(Options o = test::SmallOptions()) {
    db_.reset();
    o.memtable = GetParam();
    Status s = DB::Open(o, dir_.path(), &db_);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  void Reopen() { Open(); }
  std::string Get(std::string_view key) {
    std::string value;
    Status s = db_->Get(ReadOptions(), key, &value);
    if (s.IsNotFound()) return "NOT_FOUND";
    if (!s.ok()) return "ERROR: " + s.ToString();
    return value;
  }
  void Put(std::string_view k, std::string_view v) {
    ASSERT_TRUE(db_->Put(WriteOptions(), k, v).ok());
  }
  void Delete(std::string_view k) { ASSERT_TRUE(db_->Delete(WriteOptions(), k).ok()); }

  test::TempDir dir_;
  std::shared_ptr<DB> db_;
};

TEST_P(DBTest, PutGetDelete) {
  Open();
  EXPECT_EQ(Get("a"), "NOT_FOUND");
  Put("a", "1");
  EXPECT_EQ(Get("a"), "1");
  Put("a", "2");
  EXPECT_EQ(Get("a"), "2");
  Delete("a");
  EXPECT_EQ(Get("a"), "NOT_FOUND");
  Delete("never-existed");
  EXPECT_EQ(Get("never-existed"), "NOT_FOUND");
}

TEST_P(DBTest, EmptyValueIsDistinctFromAbsentAndNulBytesWork) {
  Open();
  Put("empty", "");
  const std::string nul_key("k\0ey", 4);
  const std::string nul_value("\0\0v\0", 4);
  Put(nul_key, nul_value);
  Put("k", "short");
  EXPECT_EQ(Get("empty"), "");
  EXPECT_EQ(Get(nul_key), nul_value);
  EXPECT_EQ(Get("k"), "short");
  Put("", "empty key");
  EXPECT_EQ(Get(""), "empty key");
  ASSERT_TRUE(db_->Flush().ok());
  EXPECT_EQ(Get("empty"), "");
  EXPECT_EQ(Get(nul_key), nul_value);
  EXPECT_EQ(Get(""), "empty key");
}

TEST_P(DBTest, DataSurvivesReopenFromWalAndFromTables) {
  Open();
  for (int i = 0; i < 2000; ++i) Put("key" + std::to_string(i), "value" + std::to_string(i));
  Delete("key7");
  Reopen();  // memtables come back from the WAL
  EXPECT_EQ(Get("key1999"), "value1999");
  EXPECT_EQ(Get("key7"), "NOT_FOUND");
  ASSERT_TRUE(db_->Flush().ok());
  Reopen();  // now from tables
  EXPECT_EQ(Get("key0"), "value0");
  EXPECT_EQ(Get("key7"), "NOT_FOUND");
  std::map<std::string, std::string> all;
  ASSERT_TRUE(test::ScanAll(db_.get(), &all).ok());
  EXPECT_EQ(all.size(), 1999u);
}

TEST_P(DBTest, ManyMemtablesFlushInTheBackground) {
  Open();
  std::string value(1000, 'v');
  for (int i = 0; i < 3000; ++i) Put("key" + std::to_string(i), value + std::to_string(i));
  ASSERT_TRUE(db_->WaitForBackgroundWork().ok());
  int tables = 0;
  for (int level = 0; level < 7; ++level) {
    std::string count;
    ASSERT_TRUE(db_->GetProperty("num-files-at-level" + std::to_string(level), &count));
    tables += std::stoi(count);
  }
  EXPECT_GT(tables, 1);
  std::string l0;
  ASSERT_TRUE(db_->GetProperty("num-files-at-level0", &l0));
  // Background compaction keeps L0 below its trigger once work is done.
  EXPECT_LT(std::stoi(l0), test::SmallOptions().l0_compaction_trigger);
  for (int i = 0; i < 3000; i += 97) EXPECT_EQ(Get("key" + std::to_string(i)), value + std::to_string(i));
}

TEST_P(DBTest, CompactRangeMergesAndDropsDeletedData) {
  Open();
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 1000; ++i) Put("key" + std::to_string(i), "r" + std::to_string(round));
    ASSERT_TRUE(db_->Flush().ok());
  }
  for (int i = 0; i < 1000; i += 2) Delete("key" + std::to_string(i));
  ASSERT_TRUE(db_->CompactRange(nullptr, nullptr).ok());
  std::string l0, total;
  ASSERT_TRUE(db_->GetProperty("num-files-at-level0", &l0));
  EXPECT_EQ(l0, "0");
  std::map<std::string, std::string> all;
  ASSERT_TRUE(test::ScanAll(db_.get(), &all).ok());
  EXPECT_EQ(all.size(), 500u);
  for (const auto& [k, v] : all) EXPECT_EQ(v, "r2");
  // Obsolete tables are gone from the directory.
  std::vector<std::string> names;
  ASSERT_TRUE(Env::Default()->GetChildren(dir_.path(), &names).ok());
  int tables = 0;
  for (const auto& n : names) {
    uint64_t number;
    if (ParseFileName(n, &number) == FileKind::kTable) ++tables;
  }
  int live = 0;
  for (int level = 0; level < 7; ++level) {
    std::string count;
    ASSERT_TRUE(db_->GetProperty("num-files-at-level" + std::to_string(level), &count));
    live += std::stoi(count);
  }
  EXPECT_EQ(tables, live);
  Reopen();
  EXPECT_EQ(Get("key1"), "r2");
  EXPECT_EQ(Get("key2"), "NOT_FOUND");
}

TEST_P(DBTest, IteratorReadsAsOfItsCreation) {
  Open();
  Put("a", "1");
  Put("b", "2");
  auto it = db_->NewIterator(ReadOptions(), std::nullopt, std::nullopt);
  Put("a", "changed");
  Delete("b");
  Put("c", "3");
  ASSERT_TRUE(db_->Flush().ok());
  ASSERT_TRUE(db_->CompactRange(nullptr, nullptr).ok());
  std::vector<std::pair<std::string, std::string>> seen;
  for (it->SeekToFirst(); it->Valid(); it->Next()) seen.emplace_back(it->key(), it->value());
  ASSERT_TRUE(it->status().ok());
  EXPECT_EQ(seen, (std::vector<std::pair<std::string, std::string>>{{"a", "1"}, {"b", "2"}}));
}

TEST_P(DBTest, SnapshotsSurviveCompaction) {
  Open();
  Put("k", "old");
  const Snapshot* snap = db_->GetSnapshot();
  Put("k", "new");
  Delete("gone");
  ASSERT_TRUE(db_->CompactRange(nullptr, nullptr).ok());
  ReadOptions ro;
  ro.snapshot = snap;
  std::string value;
  ASSERT_TRUE(db_->Get(ro, "k", &value).ok());
  EXPECT_EQ(value, "old");
  EXPECT_EQ(Get("k"), "new");
  db_->ReleaseSnapshot(snap);
}

TEST_P(DBTest, RangeBoundsAreHalfOpen) {
  Open();
  for (char c = 'a'; c <= 'j'; ++c) Put(std::string(1, c), std::string(1, c));
  std::map<std::string, std::string> got;
  ASSERT_TRUE(test::ScanAll(db_.get(), &got, "c", "f").ok());
  EXPECT_EQ(got.size(), 3u);
  EXPECT_TRUE(got.count("c") && got.count("e") && !got.count("f"));
  ASSERT_TRUE(test::ScanAll(db_.get(), &got, std::nullopt, "b").ok());
  EXPECT_EQ(got.size(), 1u);
  ASSERT_TRUE(test::ScanAll(db_.get(), &got, "i", std::nullopt).ok());
  EXPECT_EQ(got.size(), 2u);
  ASSERT_TRUE(test::ScanAll(db_.get(), &got, "f", "c").ok());
  EXPECT_TRUE(got.empty());
}

TEST_P(DBTest, LargeValuesRoundTrip) {
  Open();
  std::string big(3 << 20, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 131 + 7);
  Put("big", big);
  EXPECT_EQ(Get("big"), big);
  ASSERT_TRUE(db_->Flush().ok());
  EXPECT_EQ(Get("big"), big);
  Reopen();
  EXPECT_EQ(Get("big"), big);
}

TEST_P(DBTest, TinyMemtableWithLargeValuesRotatesEveryWrite) {
  Options o = test::SmallOptions();
  o.memtable_bytes = 1024;
  Open(o);
  std::vector<std::string> values;
  for (int i = 0; i < 12; ++i) {
    values.push_back(std::string((i % 3 + 1) << 20, static_cast<char>('a' + i)));
    Put("key" + std::to_string(i), values.back());
  }
  ASSERT_TRUE(db_->WaitForBackgroundWork().ok());
  for (int i = 0; i < 12; ++i) EXPECT_EQ(Get("key" + std::to_string(i)), values[i]) << i;
  Open(o);
  for (int i = 0; i < 12; ++i) EXPECT_EQ(Get("key" + std::to_string(i)), values[i]) << i;
}

TEST_P(DBTest, SecondOpenerIsBusyInThisProcessAndAnother) {
  Open();
  std::shared_ptr<DB> second;
  Status s = DB::Open(test::SmallOptions(), dir_.path(), &second);
  EXPECT_TRUE(s.IsBusy()) << s.ToString();

  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    std::shared_ptr<DB> other;
    Status child = DB::Open(test::SmallOptions(), dir_.path(), &other);
    _exit(child.IsBusy() ? 0 : 1);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);

  db_.reset();
  Open();  // released on close
}

TEST_P(DBTest, CreateIfMissingAndErrorIfExists) {
  Options o = test::SmallOptions();
  o.create_if_missing = false;
  std::shared_ptr<DB> db;
  EXPECT_TRUE(DB::Open(o, dir_.Sub("missing"), &db).IsInvalidArgument());
  Open();
  db_.reset();
  o.create_if_missing = true;
  o.error_if_exists = true;
  EXPECT_TRUE(DB::Open(o, dir_.path(), &db).IsInvalidArgument());
}

TEST_P(DBTest, ConcurrentWritersAndReaders) {
  Open();
  constexpr int kThreads = 4;
  constexpr int kPerThread = 3000;
  std::atomic<bool> failed{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::string key = "t" + std::to_string(t) + "-" + std::to_string(i);
        if (!db_->Put(WriteOptions(), key, key).ok()) failed = true;
        std::string value;
        if (!db_->Get(ReadOptions(), key, &value).ok() || value != key) failed = true;
      }
    });
  }
  std::thread scanner([&] {
    for (int i = 0; i < 20; ++i) {
      std::map<std::string, std::string> all;
      if (!test::ScanAll(db_.get(), &all).ok()) failed = true;
    }
  });
  for (auto& t : threads) t.join();
  scanner.join();
  EXPECT_FALSE(failed);
  std::map<std::string, std::string> all;
  ASSERT_TRUE(test::ScanAll(db_.get(), &all).ok());
  EXPECT_EQ(all.size(), static_cast<size_t>(kThreads * kPerThread));
}

// Point reads keep their SuperVersion and table readers per thread
// (super_version_slots.h): each must still see its own latest write across
// memtable switches, flushes and compactions running beside it.
TEST_P(DBTest, ReadsFollowSwitchesFlushesAndCompactionsOnEveryThread) {
  Options o = test::SmallOptions();
  o.memtable_bytes = 16 << 10;
  Open(o);
  constexpr int kThreads = 6;
  constexpr int kRounds = 1500;
  std::atomic<bool> failed{false};
  std::atomic<int> running{kThreads};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const std::string key = "thread" + std::to_string(t);
      for (int i = 0; i < kRounds && !failed; ++i) {
        const std::string value = std::to_string(i) + std::string(100, 'v');
        if (!db_->Put(WriteOptions(), key, value).ok()) failed = true;
        std::string read;
        Status s = db_->Get(ReadOptions(), key, &read);
        if (!s.ok() || read != value) {
          ADD_FAILURE() << key << " round " << i << ": " << s.ToString();
          failed = true;
        }
      }
      --running;
    });
  }
  std::thread compactor([&] {
    while (running > 0) {
      if (!db_->CompactRange(nullptr, nullptr).ok()) failed = true;
    }
  });
  for (auto& t : threads) t.join();
  compactor.join();
  EXPECT_FALSE(failed);
}

// A thread's slot holds readers of the tables it read; they must go when a
// compaction replaces those tables, or the files stay open after deletion.
TEST_P(DBTest, TablesReadByAnIdleThreadAreClosedOnceCompactedAway) {
  Open();
  for (int i = 0; i < 200; ++i) Put("k" + std::to_string(i), "v1");
  ASSERT_TRUE(db_->Flush().ok());
  for (int i = 0; i < 200; ++i) Put("k" + std::to_string(i), "v2");
  ASSERT_TRUE(db_->Flush().ok());
  std::thread([&] {
    for (int i = 0; i < 200; ++i) EXPECT_EQ(Get("k" + std::to_string(i)), "v2");
  }).join();
  EXPECT_EQ(Get("k1"), "v2");  // this thread's slot too
  auto tables_in_dir = [&] {
    std::set<std::string> tables;
    for (const auto& entry : std::filesystem::directory_iterator(dir_.path())) {
      if (entry.path().extension() == ".sst") tables.insert(entry.path().filename());
    }
    return tables;
  };
  const std::set<std::string> before = tables_in_dir();
  ASSERT_EQ(before.size(), 2u);
  ASSERT_TRUE(db_->CompactRange(nullptr, nullptr).ok());
  ASSERT_TRUE(db_->WaitForBackgroundWork().ok());
  // A slot still holding the old SuperVersion would keep its tables live.
  for (const std::string& name : tables_in_dir()) EXPECT_EQ(before.count(name), 0u) << name;
  std::vector<std::string> deleted_tables;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    std::error_code ec;
    const std::string target = std::filesystem::read_symlink(entry.path(), ec).string();
    if (!ec && target.starts_with(dir_.path()) && target.ends_with(".sst (deleted)")) {
      deleted_tables.push_back(target);
    }
  }
  EXPECT_TRUE(deleted_tables.empty()) << deleted_tables.front();
  EXPECT_EQ(Get("k1"), "v2");
}

// Closing a large mapped log took 11-15 ms on ext4; done by the writer that
// switched memtables, it stalled that write. Logs are closed by the
// flushing thread instead, and still closed.
TEST_P(DBTest, LogsSetAsideAreClosedByTheBackgroundNotByTheWriter) {
  class CloseRecordingEnv : public EnvWrapper {
   public:
    CloseRecordingEnv() : EnvWrapper(Env::Default()) {}
    Status NewExclusiveWritableFile(const std::string& path,
                                    std::unique_ptr<WritableFile>* out) override {
      STRATA_RETURN_IF_ERROR(target()->NewExclusiveWritableFile(path, out));
      if (path.ends_with(".log")) *out = std::make_unique<Recording>(std::move(*out), this);
      return Status::OK();
    }
    Status NewExclusiveMappedWritableFile(const std::string& path,
                                          std::unique_ptr<WritableFile>* out) override {
      STRATA_RETURN_IF_ERROR(target()->NewExclusiveMappedWritableFile(path, out));
      if (path.ends_with(".log")) *out = std::make_unique<Recording>(std::move(*out), this);
      return Status::OK();
    }
    std::mutex mu;
    std::vector<std::thread::id> closers;

   private:
    class Recording : public WritableFile {
     public:
      Recording(std::unique_ptr<WritableFile> file, CloseRecordingEnv* env)
          : file_(std::move(file)), env_(env) {}
      Status Append(std::string_view data) override { return file_->Append(data); }
      Status Flush() override { return file_->Flush(); }
      Status Sync() override { return file_->Sync(); }
      Status Close() override {
        std::lock_guard<std::mutex> lock(env_->mu);
        env_->closers.push_back(std::this_thread::get_id());
        return file_->Close();
      }
      uint64_t Size() const override { return file_->Size(); }
      Status Truncate(uint64_t size) override { return file_->Truncate(size); }

     private:
      std::unique_ptr<WritableFile> file_;
      CloseRecordingEnv* env_;
    };
  };
  CloseRecordingEnv env;
  for (const bool sync : {false, true}) {
    SCOPED_TRACE(sync ? "sync" : "no sync");
    {
      std::lock_guard<std::mutex> lock(env.mu);
      env.closers.clear();  // the last database's own close, on this thread
    }
    Options o = test::SmallOptions();
    o.env = &env;
    o.sync = sync;
    o.memtable_bytes = 64 << 10;
    test::TempDir dir;
    std::shared_ptr<DB> db;
    ASSERT_TRUE(DB::Open(o, dir.path(), &db).ok());
    for (int i = 0; i < 3000; ++i) {
      ASSERT_TRUE(db->Put(WriteOptions(), "key" + std::to_string(i), std::string(100, 'v')).ok());
    }
    ASSERT_TRUE(db->WaitForBackgroundWork().ok());
    std::lock_guard<std::mutex> lock(env.mu);
    EXPECT_GE(env.closers.size(), 3u);  // logs were set aside, and closed
    for (std::thread::id closer : env.closers) EXPECT_NE(closer, std::this_thread::get_id());
  }
}

TEST_P(DBTest, IteratorKeepsEngineAliveAfterDbReferenceIsDropped) {
  Open();
  for (int i = 0; i < 100; ++i) Put("k" + std::to_string(i), "v");
  auto it = db_->NewIterator(ReadOptions(), std::nullopt, std::nullopt);
  db_.reset();
  int n = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) ++n;
  EXPECT_EQ(n, 100);
  std::shared_ptr<DB> again;
  EXPECT_TRUE(DB::Open(test::SmallOptions(), dir_.path(), &again).IsBusy());
  it.reset();
  EXPECT_TRUE(DB::Open(test::SmallOptions(), dir_.path(), &again).ok());
}

INSTANTIATE_TEST_SUITE_P(AllMemTables, DBTest,
                         ::testing::Values(MemTableKind::kSkipList, MemTableKind::kRedBlackTree,
                                           MemTableKind::kAvlTree),
                         [](const auto& info) { return std::string(MemTableKindName(info.param)); });

}  // namespace
}  // namespace strata
