// MemEnv (core/mem_env.h): its filesystem model pinned call by call (files
// as shared bytes, directories, rename, hard links, truncation, locks, the
// error codes PosixEnv would give), its thread safety, and the engine and the
// C ABI running unchanged on it, with nothing reaching the disk.
#include "core/mem_env.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "capi/src/capi_env.h"
#include "core/db/db.h"
#include "core/db/destroy.h"
#include "core/db/repair.h"
#include "core/filename.h"
#include "strata/kv.h"
#include "support/db_test_util.h"
#include "support/temp_dir.h"

namespace strata {
namespace {

class MemEnvTest : public ::testing::Test {
 protected:
  void Write(const std::string& path, std::string_view data) {
    std::unique_ptr<WritableFile> f;
    Status s = env_->NewWritableFile(path, &f);
    ASSERT_TRUE(s.ok()) << s.ToString();
    ASSERT_TRUE(f->Append(data).ok());
    ASSERT_TRUE(f->Close().ok());
  }

  // The file's contents, or "<error: ...>".
  std::string Read(const std::string& path) {
    std::string data;
    Status s = ReadFileToString(env_.get(), path, &data);
    return s.ok() ? data : "<error: " + s.ToString() + ">";
  }

  std::vector<std::string> Children(const std::string& dir) {
    std::vector<std::string> names;
    Status s = env_->GetChildren(dir, &names);
    EXPECT_TRUE(s.ok()) << s.ToString();
    std::sort(names.begin(), names.end());
    return names;
  }

  std::unique_ptr<Env> env_ = NewMemEnv();
};

TEST_F(MemEnvTest, StartsWithOnlyTheRoot) {
  EXPECT_TRUE(env_->FileExists("/"));
  EXPECT_TRUE(Children("/").empty());
  EXPECT_FALSE(env_->FileExists("/tmp"));
  EXPECT_FALSE(env_->FileExists("/dev/null"));
}

TEST_F(MemEnvTest, WrittenBytesReadBackSequentiallyAndAtOffsets) {
  ASSERT_TRUE(env_->CreateDir("/d").ok());
  std::unique_ptr<WritableFile> w;
  ASSERT_TRUE(env_->NewWritableFile("/d/f", &w).ok());
  ASSERT_TRUE(w->Append("hello ").ok());
  ASSERT_TRUE(w->Append(std::string("wor\0ld", 6)).ok());
  EXPECT_EQ(w->Size(), 12u);
  ASSERT_TRUE(w->Flush().ok());
  ASSERT_TRUE(w->Sync().ok());
  ASSERT_TRUE(w->Close().ok());

  uint64_t size = 0;
  ASSERT_TRUE(env_->GetFileSize("/d/f", &size).ok());
  EXPECT_EQ(size, 12u);

  std::unique_ptr<SequentialFile> seq;
  ASSERT_TRUE(env_->NewSequentialFile("/d/f", &seq).ok());
  char scratch[16];
  std::string_view got;
  ASSERT_TRUE(seq->Read(5, &got, scratch).ok());
  EXPECT_EQ(got, "hello");
  ASSERT_TRUE(seq->Skip(1).ok());
  ASSERT_TRUE(seq->Read(16, &got, scratch).ok());
  EXPECT_EQ(got, std::string("wor\0ld", 6));  // short read: the end
  ASSERT_TRUE(seq->Read(16, &got, scratch).ok());
  EXPECT_TRUE(got.empty());
  ASSERT_TRUE(seq->Skip(100).ok());  // past the end, like lseek
  ASSERT_TRUE(seq->Read(16, &got, scratch).ok());
  EXPECT_TRUE(got.empty());

  std::unique_ptr<RandomAccessFile> ra;
  ASSERT_TRUE(env_->NewRandomAccessFile("/d/f", &ra).ok());
  ASSERT_TRUE(ra->Read(6, 3, &got, scratch).ok());
  EXPECT_EQ(got, "wor");
  EXPECT_EQ(got.data(), scratch);  // copied into scratch, as env.h says
  ASSERT_TRUE(ra->Read(10, 16, &got, scratch).ok());
  EXPECT_EQ(got, "ld");
  ASSERT_TRUE(ra->Read(12, 4, &got, scratch).ok());
  EXPECT_TRUE(got.empty());
  ASSERT_TRUE(ra->Read(1000, 4, &got, scratch).ok());
  EXPECT_TRUE(got.empty());
}

// Files are stored in 64 KiB blocks: reads, appends and truncations that
// cross block boundaries must see one contiguous file.
// WritableFile::Truncate (what DB::Resume uses to cut a record that failed
// half-way): the next append goes on from the cut.
TEST_F(MemEnvTest, AnOpenFileCutBackGoesOnFromTheCut) {
  std::unique_ptr<WritableFile> f;
  ASSERT_TRUE(env_->NewWritableFile("/log", &f).ok());
  ASSERT_TRUE(f->Append("whole-record|half-a-rec").ok());
  ASSERT_TRUE(f->Truncate(13).ok());
  EXPECT_EQ(f->Size(), 13u);
  ASSERT_TRUE(f->Append("next").ok());
  ASSERT_TRUE(f->Close().ok());
  EXPECT_EQ(Read("/log"), "whole-record|next");
  EXPECT_FALSE(f->Truncate(0).ok());  // closed
}

TEST_F(MemEnvTest, LargeFilesReadBackAcrossBlockBoundaries) {
  std::string expected;
  for (int i = 0; expected.size() < 300000; ++i) expected += std::to_string(i) + ",";
  std::unique_ptr<WritableFile> w;
  ASSERT_TRUE(env_->NewWritableFile("/big", &w).ok());
  // Appends of odd sizes, one larger than a block.
  size_t pos = 0;
  for (size_t piece : {1u, 65535u, 2u, 70000u, 3u}) {
    ASSERT_TRUE(w->Append(std::string_view(expected).substr(pos, piece)).ok());
    pos += piece;
  }
  ASSERT_TRUE(w->Append(std::string_view(expected).substr(pos)).ok());
  ASSERT_TRUE(w->Close().ok());
  EXPECT_EQ(Read("/big"), expected);

  std::unique_ptr<RandomAccessFile> ra;
  ASSERT_TRUE(env_->NewRandomAccessFile("/big", &ra).ok());
  std::string scratch(140000, '\0');
  for (uint64_t offset : {0ull, 65535ull, 65536ull, 100000ull, 131071ull, 299990ull}) {
    std::string_view got;
    ASSERT_TRUE(ra->Read(offset, scratch.size(), &got, scratch.data()).ok());
    EXPECT_EQ(got, std::string_view(expected).substr(offset, scratch.size())) << offset;
  }

  ASSERT_TRUE(env_->TruncateFile("/big", 131072).ok());  // exactly two blocks
  EXPECT_EQ(Read("/big"), expected.substr(0, 131072));
  ASSERT_TRUE(env_->TruncateFile("/big", 70000).ok());  // inside the second
  EXPECT_EQ(Read("/big"), expected.substr(0, 70000));
  ASSERT_TRUE(env_->TruncateFile("/big", 200000).ok());  // zeros over two blocks
  EXPECT_EQ(Read("/big"), expected.substr(0, 70000) + std::string(130000, '\0'));
  ASSERT_TRUE(env_->TruncateFile("/big", 0).ok());
  EXPECT_EQ(Read("/big"), "");
  uint64_t size = 1;
  ASSERT_TRUE(env_->GetFileSize("/big", &size).ok());
  EXPECT_EQ(size, 0u);
}

TEST_F(MemEnvTest, OpeningAMissingFileIsNotFoundAsOnPosix) {
  std::unique_ptr<SequentialFile> seq;
  std::unique_ptr<RandomAccessFile> ra;
  EXPECT_TRUE(env_->NewSequentialFile("/nope", &seq).IsNotFound());
  EXPECT_TRUE(env_->NewRandomAccessFile("/nope", &ra).IsNotFound());
  EXPECT_EQ(seq, nullptr);
  EXPECT_EQ(ra, nullptr);
  uint64_t size = 7;
  EXPECT_TRUE(env_->GetFileSize("/nope", &size).IsIOError());
  EXPECT_TRUE(env_->RemoveFile("/nope").IsIOError());
  EXPECT_TRUE(env_->TruncateFile("/nope", 0).IsIOError());
  EXPECT_TRUE(env_->RenameFile("/nope", "/other").IsIOError());
}

TEST_F(MemEnvTest, FilesAreCreatedOnlyInExistingDirectories) {
  std::unique_ptr<WritableFile> w;
  Status s = env_->NewWritableFile("/missing/f", &w);
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
  EXPECT_EQ(w, nullptr);
  EXPECT_TRUE(env_->NewExclusiveWritableFile("/missing/f", &w).IsNotFound());
  EXPECT_FALSE(env_->CreateDir("/missing/sub").ok());
  std::unique_ptr<FileLock> lock;
  EXPECT_FALSE(env_->LockFile("/missing/LOCK", &lock).ok());
  EXPECT_FALSE(env_->FileExists("/missing"));

  // A file is not a directory.
  Write("/file", "x");
  EXPECT_FALSE(env_->NewWritableFile("/file/f", &w).ok());
  EXPECT_TRUE(env_->CreateDir("/file").IsInvalidArgument());
  std::vector<std::string> names;
  EXPECT_FALSE(env_->GetChildren("/file", &names).ok());
  EXPECT_TRUE(env_->GetChildren("/missing", &names).IsNotFound());
}

TEST_F(MemEnvTest, DirectoriesListDirectEntriesByName) {
  ASSERT_TRUE(env_->CreateDir("/a").ok());
  ASSERT_TRUE(env_->CreateDir("/a").ok());  // exists already: fine
  ASSERT_TRUE(env_->CreateDir("/a/sub").ok());
  ASSERT_TRUE(env_->CreateDir("/ab").ok());  // shares a prefix, not a parent
  Write("/a/x", "1");
  Write("/a/sub/y", "2");
  Write("/ab/z", "3");
  EXPECT_EQ(Children("/a"), (std::vector<std::string>{"sub", "x"}));
  EXPECT_EQ(Children("/a/sub"), (std::vector<std::string>{"y"}));
  EXPECT_EQ(Children("/"), (std::vector<std::string>{"a", "ab"}));
  // Repeated and trailing slashes name the same entries.
  EXPECT_EQ(Children("//a/"), (std::vector<std::string>{"sub", "x"}));
  EXPECT_EQ(Read("/a//x"), "1");
  EXPECT_TRUE(env_->FileExists("/a/sub/"));

  EXPECT_TRUE(env_->RemoveDir("/a").IsIOError());  // not empty
  EXPECT_TRUE(env_->RemoveDir("/a/x").IsIOError());  // not a directory
  EXPECT_TRUE(env_->RemoveFile("/a/sub").IsIOError());  // not a file
  ASSERT_TRUE(env_->RemoveFile("/a/sub/y").ok());
  ASSERT_TRUE(env_->RemoveDir("/a/sub").ok());
  ASSERT_TRUE(env_->RemoveFile("/a/x").ok());
  ASSERT_TRUE(env_->RemoveDir("/a").ok());
  EXPECT_FALSE(env_->FileExists("/a"));
  EXPECT_EQ(Children("/"), (std::vector<std::string>{"ab"}));
  EXPECT_TRUE(env_->RemoveDir("/a").IsIOError());
  EXPECT_TRUE(env_->SyncDir("/ab").ok());
  EXPECT_TRUE(env_->SyncDir("/a").IsNotFound());
}

TEST_F(MemEnvTest, RelativeNamesLiveInTheCurrentDirectory) {
  ASSERT_TRUE(env_->CreateDir("db").ok());
  Write("db/CURRENT", "m");
  EXPECT_EQ(Children("db"), (std::vector<std::string>{"CURRENT"}));
  EXPECT_EQ(Children(""), (std::vector<std::string>{"db"}));
  EXPECT_TRUE(Children("/").empty());  // "db" is not "/db"
}

TEST_F(MemEnvTest, NewWritableFileEmptiesTheFileForEveryName) {
  Write("/f", "old contents");
  ASSERT_TRUE(env_->LinkFile("/f", "/g").ok());
  std::unique_ptr<RandomAccessFile> reader;
  ASSERT_TRUE(env_->NewRandomAccessFile("/g", &reader).ok());
  Write("/f", "new");
  // Like O_TRUNC on an inode: the other name and an open handle see it.
  EXPECT_EQ(Read("/g"), "new");
  char scratch[32];
  std::string_view got;
  ASSERT_TRUE(reader->Read(0, sizeof(scratch), &got, scratch).ok());
  EXPECT_EQ(got, "new");
}

TEST_F(MemEnvTest, ExclusiveCreationNeverTouchesAnExistingFile) {
  std::unique_ptr<WritableFile> w;
  ASSERT_TRUE(env_->NewExclusiveWritableFile("/new", &w).ok());
  ASSERT_TRUE(w->Append("first").ok());
  ASSERT_TRUE(w->Close().ok());

  Status s = env_->NewExclusiveWritableFile("/new", &w);
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_NE(s.ToString().find("File exists"), std::string::npos) << s.ToString();
  EXPECT_EQ(w, nullptr);
  EXPECT_EQ(Read("/new"), "first");

  ASSERT_TRUE(env_->CreateDir("/dir").ok());
  EXPECT_TRUE(env_->NewExclusiveWritableFile("/dir", &w).IsIOError());
  EXPECT_TRUE(env_->NewWritableFile("/dir", &w).IsIOError());
}

TEST_F(MemEnvTest, RenameReplacesTheTargetAtomically) {
  Write("/a", "A");
  Write("/b", "B");
  std::unique_ptr<SequentialFile> old_b;
  ASSERT_TRUE(env_->NewSequentialFile("/b", &old_b).ok());
  ASSERT_TRUE(env_->RenameFile("/a", "/b").ok());
  EXPECT_FALSE(env_->FileExists("/a"));
  EXPECT_EQ(Read("/b"), "A");
  // A handle on the replaced file still reads its bytes.
  char scratch[4];
  std::string_view got;
  ASSERT_TRUE(old_b->Read(4, &got, scratch).ok());
  EXPECT_EQ(got, "B");

  ASSERT_TRUE(env_->RenameFile("/b", "/b").ok());
  EXPECT_EQ(Read("/b"), "A");
  EXPECT_TRUE(env_->RenameFile("/b", "/nodir/b").IsNotFound());
  EXPECT_EQ(Read("/b"), "A");
  ASSERT_TRUE(env_->CreateDir("/d").ok());
  EXPECT_TRUE(env_->RenameFile("/b", "/d").IsIOError());  // a directory is in the way
  EXPECT_TRUE(env_->RenameFile("/d", "/e").IsNotSupported());
}

TEST_F(MemEnvTest, HardLinksShareBytesAndOutliveEachOther) {
  Write("/t", "table");
  ASSERT_TRUE(env_->LinkFile("/t", "/u").ok());
  EXPECT_TRUE(env_->LinkFile("/t", "/u").IsIOError());  // `to` must not exist
  EXPECT_TRUE(env_->LinkFile("/absent", "/v").IsIOError());
  ASSERT_TRUE(env_->CreateDir("/d").ok());
  EXPECT_TRUE(env_->LinkFile("/d", "/d2").IsNotSupported());
  ASSERT_TRUE(env_->RemoveFile("/t").ok());
  EXPECT_EQ(Read("/u"), "table");
  ASSERT_TRUE(env_->TruncateFile("/u", 3).ok());
  EXPECT_EQ(Read("/u"), "tab");
}

TEST_F(MemEnvTest, RemovedFileStaysReadableThroughOpenHandles) {
  Write("/wal", "records");
  std::unique_ptr<RandomAccessFile> ra;
  ASSERT_TRUE(env_->NewRandomAccessFile("/wal", &ra).ok());
  ASSERT_TRUE(env_->RemoveFile("/wal").ok());
  EXPECT_FALSE(env_->FileExists("/wal"));
  char scratch[16];
  std::string_view got;
  ASSERT_TRUE(ra->Read(0, sizeof(scratch), &got, scratch).ok());
  EXPECT_EQ(got, "records");
  // A new file of the same name is a different file.
  Write("/wal", "x");
  ASSERT_TRUE(ra->Read(0, sizeof(scratch), &got, scratch).ok());
  EXPECT_EQ(got, "records");
}

TEST_F(MemEnvTest, TruncateCutsAndExtendsWithZeros) {
  Write("/f", "0123456789");
  ASSERT_TRUE(env_->TruncateFile("/f", 4).ok());
  EXPECT_EQ(Read("/f"), "0123");
  ASSERT_TRUE(env_->TruncateFile("/f", 6).ok());
  EXPECT_EQ(Read("/f"), std::string("0123\0\0", 6));
  ASSERT_TRUE(env_->CreateDir("/d").ok());
  EXPECT_TRUE(env_->TruncateFile("/d", 0).IsIOError());
}

TEST_F(MemEnvTest, AWritableFileRefusesWorkAfterClose) {
  std::unique_ptr<WritableFile> w;
  ASSERT_TRUE(env_->NewWritableFile("/f", &w).ok());
  ASSERT_TRUE(w->Append("a").ok());
  ASSERT_TRUE(w->Close().ok());
  EXPECT_TRUE(w->Append("b").IsIOError());
  EXPECT_TRUE(w->Sync().IsIOError());
  EXPECT_TRUE(w->Close().ok());
  EXPECT_EQ(Read("/f"), "a");
}

TEST_F(MemEnvTest, ASecondLockOfAPathIsBusyUntilTheFirstIsReleased) {
  ASSERT_TRUE(env_->CreateDir("/db").ok());
  std::unique_ptr<FileLock> first, second;
  ASSERT_TRUE(env_->LockFile("/db/LOCK", &first).ok());
  EXPECT_TRUE(env_->FileExists("/db/LOCK"));  // created, as PosixEnv does
  Status s = env_->LockFile("/db/LOCK", &second);
  EXPECT_TRUE(s.IsBusy()) << s.ToString();
  EXPECT_EQ(second, nullptr);
  EXPECT_TRUE(env_->LockFile("/db//LOCK", &second).IsBusy());  // the same path
  // Other paths, and the same path in another MemEnv, are independent.
  std::unique_ptr<FileLock> other;
  ASSERT_TRUE(env_->LockFile("/db/OTHER", &other).ok());
  std::unique_ptr<Env> env2 = NewMemEnv();
  ASSERT_TRUE(env2->CreateDir("/db").ok());
  std::unique_ptr<FileLock> elsewhere;
  ASSERT_TRUE(env2->LockFile("/db/LOCK", &elsewhere).ok());

  ASSERT_TRUE(env_->UnlockFile(std::move(first)).ok());
  ASSERT_TRUE(env_->LockFile("/db/LOCK", &second).ok());
  // Dropping a lock without UnlockFile releases it too.
  second.reset();
  ASSERT_TRUE(env_->LockFile("/db/LOCK", &first).ok());
  ASSERT_TRUE(env_->UnlockFile(std::move(first)).ok());
  ASSERT_TRUE(env2->UnlockFile(std::move(elsewhere)).ok());
  ASSERT_TRUE(env_->UnlockFile(std::move(other)).ok());
}

// The same rules on both Envs (flock's LOCK_SH and LOCK_EX): shared locks
// coexist, and a shared and an exclusive lock exclude each other.
void CheckSharedLocks(Env* env, const std::string& dir) {
  const std::string path = dir + "/LOCK";
  std::unique_ptr<FileLock> a, b, x;
  // A shared lock never creates the file.
  EXPECT_TRUE(env->LockFileShared(path, &a).IsNotFound());
  EXPECT_FALSE(env->FileExists(path));
  ASSERT_TRUE(env->LockFile(path, &x).ok());
  EXPECT_TRUE(env->LockFileShared(path, &a).IsBusy());
  EXPECT_EQ(a, nullptr);
  ASSERT_TRUE(env->UnlockFile(std::move(x)).ok());
  ASSERT_TRUE(env->LockFileShared(path, &a).ok());
  ASSERT_TRUE(env->LockFileShared(path, &b).ok());
  EXPECT_TRUE(env->LockFile(path, &x).IsBusy());
  ASSERT_TRUE(env->UnlockFile(std::move(a)).ok());
  EXPECT_TRUE(env->LockFile(path, &x).IsBusy());  // b still holds it
  b.reset();
  ASSERT_TRUE(env->LockFile(path, &x).ok());
  ASSERT_TRUE(env->UnlockFile(std::move(x)).ok());
}

TEST_F(MemEnvTest, SharedLocksCoexistAndExcludeAnExclusiveOne) {
  ASSERT_TRUE(env_->CreateDir("/db").ok());
  CheckSharedLocks(env_.get(), "/db");
}

TEST(PosixEnvLockTest, SharedLocksCoexistAndExcludeAnExclusiveOne) {
  test::TempDir dir;
  CheckSharedLocks(Env::Default(), dir.path());
}

TEST_F(MemEnvTest, NowMicrosMovesForward) {
  const uint64_t a = env_->NowMicros();
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  EXPECT_GE(env_->NowMicros(), a + 1000);
}

TEST_F(MemEnvTest, ConcurrentWritersReadersAndLockersSeeAConsistentFilesystem) {
  ASSERT_TRUE(env_->CreateDir("/c").ok());
  Write("/c/shared", std::string(4096, 's'));
  constexpr int kThreads = 4;
  constexpr int kRounds = 200;
  std::atomic<int> holders{0};
  std::atomic<bool> failed{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::unique_ptr<RandomAccessFile> shared;
      if (!env_->NewRandomAccessFile("/c/shared", &shared).ok()) failed = true;
      for (int i = 0; i < kRounds && !failed; ++i) {
        const std::string path = "/c/f" + std::to_string(t) + "-" + std::to_string(i);
        std::unique_ptr<WritableFile> w;
        if (!env_->NewWritableFile(path, &w).ok() || !w->Append(path).ok() || !w->Close().ok()) {
          failed = true;
        }
        std::string back;
        if (!ReadFileToString(env_.get(), path, &back).ok() || back != path) failed = true;
        char scratch[64];
        std::string_view got;
        if (!shared->Read(static_cast<uint64_t>(i), 64, &got, scratch).ok() ||
            got != std::string(64, 's')) {
          failed = true;
        }
        std::vector<std::string> names;
        if (!env_->GetChildren("/c", &names).ok()) failed = true;
        if (i % 2 == 1 && !env_->RemoveFile(path).ok()) failed = true;
        // At most one thread holds the lock at any time.
        std::unique_ptr<FileLock> lock;
        Status s = env_->LockFile("/c/LOCK", &lock);
        if (s.ok()) {
          if (holders.fetch_add(1) != 0) failed = true;
          holders.fetch_sub(1);
          env_->UnlockFile(std::move(lock));
        } else if (!s.IsBusy()) {
          failed = true;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_FALSE(failed);
  // The shared file, LOCK, and the even-numbered files of every thread.
  EXPECT_EQ(Children("/c").size(), 2u + kThreads * kRounds / 2);
}

// ---- The engine on a MemEnv ----------------------------------------------

std::string Key(int i) { return "key" + std::to_string(100000 + i); }
std::string Value(int i, int round) {
  return std::string(100, static_cast<char>('a' + (i + round) % 26)) + std::to_string(round);
}

class MemEnvDBTest : public MemEnvTest {
 protected:
  Options DbOptions() {
    Options o = test::SmallOptions();
    o.env = env_.get();
    return o;
  }

  void CheckAll(DB* db, int n, int round) {
    for (int i = 0; i < n; ++i) {
      std::string value;
      Status s = db->Get(ReadOptions(), Key(i), &value);
      ASSERT_TRUE(s.ok()) << Key(i) << ": " << s.ToString();
      ASSERT_EQ(value, Value(i, round)) << Key(i);
    }
    std::map<std::string, std::string> all;
    ASSERT_TRUE(test::ScanAll(db, &all).ok());
    EXPECT_EQ(all.size(), static_cast<size_t>(n));
  }

  // A path no real filesystem here has, so a file the engine created
  // outside the Env would show up on disk.
  const std::string path_ = "/strata-mem-env-test/db";
};

TEST_F(MemEnvDBTest, TheEngineRunsUnchangedAndReopensFromMemory) {
  ASSERT_TRUE(env_->CreateDir("/strata-mem-env-test").ok());
  constexpr int kKeys = 3000;  // ~330 KB: several memtables, tables, levels
  {
    std::shared_ptr<DB> db;
    Status s = DB::Open(DbOptions(), path_, &db);
    ASSERT_TRUE(s.ok()) << s.ToString();
    for (int round = 0; round < 2; ++round) {
      for (int i = 0; i < kKeys; ++i) {
        ASSERT_TRUE(db->Put(WriteOptions(), Key(i), Value(i, round)).ok());
      }
      ASSERT_TRUE(db->Flush().ok());
    }
    ASSERT_TRUE(db->Delete(WriteOptions(), Key(kKeys)).ok());
    ASSERT_TRUE(db->CompactRange(nullptr, nullptr).ok());
    ASSERT_TRUE(db->WaitForBackgroundWork().ok());
    CheckAll(db.get(), kKeys, 1);
    ASSERT_TRUE(db->Verify().ok());

    // Locked while open, in this MemEnv only.
    std::shared_ptr<DB> second;
    EXPECT_TRUE(DB::Open(DbOptions(), path_, &second).IsBusy());

    // A checkpoint (hard links and a manifest) in the same Env.
    ASSERT_TRUE(db->Checkpoint("/strata-mem-env-test/ckpt").ok());
    // Unflushed writes are in the WAL only.
    for (int i = 0; i < 10; ++i) {
      ASSERT_TRUE(db->Put(WriteOptions(), Key(i), Value(i, 2)).ok());
    }
  }
  std::vector<std::string> names = Children(path_);
  int tables = 0, logs = 0;
  for (const auto& name : names) {
    uint64_t number;
    const FileKind kind = ParseFileName(name, &number);
    tables += kind == FileKind::kTable;
    logs += kind == FileKind::kLog;
  }
  EXPECT_GT(tables, 0);
  EXPECT_GT(logs, 0);
  EXPECT_TRUE(env_->FileExists(CurrentFileName(path_)));

  {
    std::shared_ptr<DB> db;
    Status s = DB::Open(DbOptions(), path_, &db);
    ASSERT_TRUE(s.ok()) << s.ToString();
    std::string value;
    for (int i = 0; i < kKeys; ++i) {
      ASSERT_TRUE(db->Get(ReadOptions(), Key(i), &value).ok()) << Key(i);
      EXPECT_EQ(value, Value(i, i < 10 ? 2 : 1)) << Key(i);
    }
    ASSERT_TRUE(db->Verify().ok());
  }
  {
    std::shared_ptr<DB> copy;
    Status s = DB::Open(DbOptions(), "/strata-mem-env-test/ckpt", &copy);
    ASSERT_TRUE(s.ok()) << s.ToString();
    CheckAll(copy.get(), kKeys, 1);
  }

  // Repair rebuilds the manifest from the tables, through the Env too.
  ASSERT_TRUE(env_->RemoveFile(CurrentFileName(path_)).ok());
  RepairReport report;
  Status s = RepairDB(DbOptions(), path_, &report);
  ASSERT_TRUE(s.ok()) << s.ToString();
  {
    std::shared_ptr<DB> db;
    s = DB::Open(DbOptions(), path_, &db);
    ASSERT_TRUE(s.ok()) << s.ToString();
    std::string value;
    ASSERT_TRUE(db->Get(ReadOptions(), Key(kKeys - 1), &value).ok());
    EXPECT_EQ(value, Value(kKeys - 1, 1));
  }

  ASSERT_TRUE(DestroyDB(env_.get(), "/strata-mem-env-test/ckpt").ok());
  EXPECT_FALSE(env_->FileExists("/strata-mem-env-test/ckpt"));
  // Nothing of it reached the real filesystem.
  EXPECT_FALSE(Env::Default()->FileExists("/strata-mem-env-test"));
}

// The internal hook (capi/src/capi_env.h) puts every path-taking C ABI call
// on the MemEnv: open, checkpoint, destroy, repair.
TEST_F(MemEnvTest, TheCApiRunsOnTheMemEnvThroughTheInternalHook) {
  ASSERT_TRUE(env_->CreateDir("/strata-mem-env-capi").ok());
  const char* path = "/strata-mem-env-capi/db";
  const char* ckpt = "/strata-mem-env-capi/ckpt";
  ASSERT_EQ(capi::SetEnvForTesting(env_.get()), nullptr);
  EXPECT_EQ(capi::CurrentEnv(), env_.get());

  kv_db* db = nullptr;
  ASSERT_EQ(kv_open(path, nullptr, &db), KV_OK) << kv_last_error();
  ASSERT_EQ(kv_put(db, "k", 1, "v", 1), KV_OK);
  ASSERT_EQ(kv_flush(db), KV_OK);
  ASSERT_EQ(kv_put(db, "k2", 2, "v2", 2), KV_OK);
  kv_db* busy = nullptr;
  EXPECT_EQ(kv_open(path, nullptr, &busy), KV_BUSY);
  EXPECT_EQ(kv_destroy(path), KV_BUSY);
  ASSERT_EQ(kv_checkpoint(db, ckpt), KV_OK) << kv_last_error();
  ASSERT_EQ(kv_verify(db), KV_OK);
  ASSERT_EQ(kv_close(db), KV_OK);
  EXPECT_TRUE(env_->FileExists(CurrentFileName(path)));
  EXPECT_TRUE(env_->FileExists(CurrentFileName(ckpt)));

  char* report = nullptr;
  ASSERT_EQ(kv_repair(path, nullptr, &report), KV_OK) << kv_last_error();
  kv_free(report);
  ASSERT_EQ(kv_open(ckpt, nullptr, &db), KV_OK) << kv_last_error();
  void* val = nullptr;
  size_t len = 0;
  ASSERT_EQ(kv_get(db, "k2", 2, &val, &len), KV_OK);
  EXPECT_EQ(std::string(static_cast<char*>(val), len), "v2");
  kv_free(val);
  ASSERT_EQ(kv_close(db), KV_OK);

  ASSERT_EQ(kv_destroy(path), KV_OK) << kv_last_error();
  ASSERT_EQ(kv_destroy(ckpt), KV_OK) << kv_last_error();
  // kv_destroy leaves what strata did not name: the repair's backup
  // directory of the files it replaced, and so the database's directory.
  EXPECT_EQ(Children("/strata-mem-env-capi"), std::vector<std::string>{"db"});
  const std::vector<std::string> left = Children(path);
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].rfind("backup-", 0), 0u) << left[0];
  EXPECT_FALSE(Env::Default()->FileExists("/strata-mem-env-capi"));

  EXPECT_EQ(capi::SetEnvForTesting(nullptr), env_.get());
  EXPECT_EQ(capi::CurrentEnv(), Env::Default());
}

}  // namespace
}  // namespace strata
