// Read-only opens through the C ABI (option read_only): shared with other
// read-only handles in this process and in others, exclusive against a
// writer, writing nothing at all to the directory, refusing writes.
#include "strata/kv.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "support/temp_dir.h"

namespace {

namespace fs = std::filesystem;

// Every entry of a directory with its size and modification time, and the
// directory's own mtime: any file created, removed, renamed or written
// changes it.
std::map<std::string, std::pair<uint64_t, int64_t>> Listing(const std::string& dir) {
  std::map<std::string, std::pair<uint64_t, int64_t>> out;
  auto mtime_ns = [](const std::string& path) {
    struct stat st {};
    EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
    return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  };
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string path = entry.path().string();
    out[entry.path().filename().string()] = {fs::file_size(path), mtime_ns(path)};
  }
  out["."] = {0, mtime_ns(dir)};
  return out;
}

kv_options* ReadOnlyOptions() {
  kv_options* o = kv_options_new();
  EXPECT_EQ(kv_options_set(o, "read_only", "true"), KV_OK) << kv_last_error();
  return o;
}

class ReadOnlyTest : public ::testing::Test {
 protected:
  // A database with tables and with writes that are only in the log: keys
  // "t000".."t499" flushed, "w000".."w199" not.
  void SetUp() override {
    path_ = dir_.Sub("db");
    kv_db* db = nullptr;
    ASSERT_EQ(kv_open(path_.c_str(), nullptr, &db), KV_OK) << kv_last_error();
    for (int i = 0; i < 500; ++i) Put(db, Key("t", i), "table" + std::to_string(i));
    ASSERT_EQ(kv_flush(db), KV_OK) << kv_last_error();
    for (int i = 0; i < 200; ++i) Put(db, Key("w", i), "wal" + std::to_string(i));
    ASSERT_EQ(kv_close(db), KV_OK);
  }

  static std::string Key(const char* prefix, int i) {
    char buf[16];
    std::snprintf(buf, sizeof(buf), "%s%03d", prefix, i);
    return buf;
  }
  static void Put(kv_db* db, const std::string& k, const std::string& v) {
    ASSERT_EQ(kv_put(db, k.data(), k.size(), v.data(), v.size()), KV_OK) << kv_last_error();
  }
  static std::string Get(kv_db* db, const std::string& k) {
    void* v = nullptr;
    size_t n = 0;
    int rc = kv_get(db, k.data(), k.size(), &v, &n);
    if (rc != KV_OK) return "<" + std::string(kv_status_name(rc)) + ">";
    std::string out(static_cast<char*>(v), n);
    kv_free(v);
    return out;
  }
  kv_db* OpenReadOnly(int expect = KV_OK) {
    kv_options* o = ReadOnlyOptions();
    kv_db* db = nullptr;
    int rc = kv_open(path_.c_str(), o, &db);
    kv_options_free(o);
    EXPECT_EQ(rc, expect) << kv_last_error();
    return db;
  }
  static int Count(kv_db* db) {
    kv_iter* it = nullptr;
    EXPECT_EQ(kv_iter_new(db, nullptr, 0, nullptr, 0, &it), KV_OK);
    int n = 0;
    while (kv_iter_next(it, nullptr, nullptr, nullptr, nullptr) == KV_OK) ++n;
    kv_iter_free(it);
    return n;
  }

  strata::test::TempDir dir_;
  std::string path_;
};

TEST_F(ReadOnlyTest, SeesTablesAndUnflushedLogAndWritesNothing) {
  const auto before = Listing(path_);
  // mtimes have a coarse granularity on some filesystems: a write within the
  // same tick would go unseen without this pause.
  usleep(20000);
  kv_db* a = OpenReadOnly();
  kv_db* b = OpenReadOnly();  // a second read-only handle in this process
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(Get(a, "t123"), "table123");
  EXPECT_EQ(Get(a, "w150"), "wal150");  // replayed from the log, in memory
  EXPECT_EQ(Get(b, "w199"), "wal199");
  EXPECT_EQ(Get(b, "x"), "<KV_NOT_FOUND>");
  EXPECT_EQ(Count(a), 700);
  EXPECT_EQ(Count(b), 700);
  EXPECT_EQ(kv_verify(a), KV_OK) << kv_last_error();
  kv_snapshot* snap = nullptr;
  ASSERT_EQ(kv_snapshot_new(a, &snap), KV_OK);
  kv_snapshot_free(snap);
  EXPECT_EQ(kv_wait_compactions(a), KV_OK);  // nothing to wait for; must not hang
  char* prop = nullptr;
  ASSERT_EQ(kv_property(a, "last-sequence", &prop), KV_OK);
  EXPECT_EQ(std::string(prop), "700");
  kv_free(prop);
  EXPECT_EQ(kv_close(a), KV_OK);
  EXPECT_EQ(kv_close(b), KV_OK);
  EXPECT_EQ(Listing(path_), before);
}

TEST_F(ReadOnlyTest, WritesAreNotSupported) {
  kv_db* db = OpenReadOnly();
  ASSERT_NE(db, nullptr);
  const auto before = Listing(path_);
  auto refused = [](int rc) {
    EXPECT_EQ(rc, KV_NOT_SUPPORTED);
    EXPECT_NE(std::string(kv_last_error()).find("read-only"), std::string::npos)
        << kv_last_error();
  };
  refused(kv_put(db, "a", 1, "b", 1));
  refused(kv_put_ex(db, "a", 1, "b", 1, KV_WRITE_SYNC));
  refused(kv_delete(db, "t001", 4));
  refused(kv_delete_ex(db, "t001", 4, 0));
  kv_batch* batch = kv_batch_new();
  ASSERT_EQ(kv_batch_put(batch, "a", 1, "b", 1), KV_OK);
  refused(kv_write(db, batch));
  refused(kv_write_ex(db, batch, 0));
  kv_batch_free(batch);
  refused(kv_flush(db));
  refused(kv_compact_range(db, nullptr, 0, nullptr, 0));
  const std::string checkpoint = dir_.Sub("checkpoint");
  refused(kv_checkpoint(db, checkpoint.c_str()));
  EXPECT_FALSE(fs::exists(checkpoint));
  refused(kv_resume(db));
  kv_txn* txn = nullptr;
  refused(kv_txn_begin(db, &txn));
  EXPECT_EQ(txn, nullptr);
  EXPECT_EQ(Get(db, "t001"), "table1");  // nothing was applied
  EXPECT_EQ(Get(db, "a"), "<KV_NOT_FOUND>");
  EXPECT_EQ(kv_close(db), KV_OK);
  EXPECT_EQ(Listing(path_), before);
}

TEST_F(ReadOnlyTest, WriterAndReadOnlyExcludeEachOther) {
  kv_db* reader = OpenReadOnly();
  ASSERT_NE(reader, nullptr);
  kv_db* writer = nullptr;
  EXPECT_EQ(kv_open(path_.c_str(), nullptr, &writer), KV_BUSY);
  EXPECT_EQ(writer, nullptr);
  EXPECT_EQ(kv_destroy(path_.c_str()), KV_BUSY);
  EXPECT_EQ(kv_repair(path_.c_str(), nullptr, nullptr), KV_BUSY);
  EXPECT_EQ(kv_close(reader), KV_OK);

  ASSERT_EQ(kv_open(path_.c_str(), nullptr, &writer), KV_OK) << kv_last_error();
  OpenReadOnly(KV_BUSY);
  EXPECT_EQ(kv_close(writer), KV_OK);
  kv_db* again = OpenReadOnly();  // released on the writer's close
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(kv_close(again), KV_OK);
}

// The lock is flock(2)'s: shared across processes as well.
TEST_F(ReadOnlyTest, SharedWithAnotherProcessExclusiveAgainstItsWriter) {
  kv_db* reader = OpenReadOnly();
  ASSERT_NE(reader, nullptr);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // The child: a read-only handle beside the parent's, and a writer that
    // must be refused. Exit codes name what failed.
    kv_options* o = kv_options_new();
    kv_options_set(o, "read_only", "true");
    kv_db* db = nullptr;
    if (kv_open(path_.c_str(), o, &db) != KV_OK) _exit(2);
    void* v = nullptr;
    size_t n = 0;
    if (kv_get(db, "w042", 4, &v, &n) != KV_OK || std::string(static_cast<char*>(v), n) != "wal42") {
      _exit(3);
    }
    kv_free(v);
    kv_db* writer = nullptr;
    if (kv_open(path_.c_str(), nullptr, &writer) != KV_BUSY) _exit(4);
    kv_close(db);
    kv_options_free(o);
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(kv_close(reader), KV_OK);

  // And a writer in another process keeps read-only handles out.
  int ready[2], done[2];
  ASSERT_EQ(pipe(ready), 0);
  ASSERT_EQ(pipe(done), 0);
  pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    kv_db* writer = nullptr;
    char c = kv_open(path_.c_str(), nullptr, &writer) == KV_OK ? 'y' : 'n';
    if (write(ready[1], &c, 1) != 1) _exit(2);
    if (read(done[0], &c, 1) != 1) _exit(3);
    kv_close(writer);
    _exit(0);
  }
  char c = 0;
  ASSERT_EQ(read(ready[0], &c, 1), 1);
  EXPECT_EQ(c, 'y');
  OpenReadOnly(KV_BUSY);
  ASSERT_EQ(write(done[1], "x", 1), 1);
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  for (int fd : {ready[0], ready[1], done[0], done[1]}) close(fd);
}

TEST_F(ReadOnlyTest, CreatesNothingWhereThereIsNoDatabase) {
  kv_options* o = ReadOnlyOptions();
  kv_db* db = nullptr;
  // No directory: not created, whatever create_if_missing says.
  const std::string missing = dir_.Sub("missing");
  ASSERT_EQ(kv_options_set(o, "create_if_missing", "true"), KV_OK);
  EXPECT_EQ(kv_open(missing.c_str(), o, &db), KV_INVALID_ARGUMENT);
  EXPECT_FALSE(fs::exists(missing));
  // An empty directory stays empty.
  const std::string empty = dir_.Sub("empty");
  fs::create_directory(empty);
  EXPECT_EQ(kv_open(empty.c_str(), o, &db), KV_INVALID_ARGUMENT);
  EXPECT_TRUE(fs::is_empty(empty));
  // A database whose CURRENT is gone is reported, not replaced.
  fs::remove(path_ + "/CURRENT");
  const auto before = Listing(path_);
  EXPECT_EQ(kv_open(path_.c_str(), o, &db), KV_CORRUPTION);
  EXPECT_EQ(db, nullptr);
  EXPECT_EQ(Listing(path_), before);
  // A CURRENT naming nothing, the same.
  {
    FILE* f = std::fopen((path_ + "/CURRENT").c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs("MANIFEST-999999\n", f);
    std::fclose(f);
  }
  const auto damaged = Listing(path_);
  EXPECT_EQ(kv_open(path_.c_str(), o, &db), KV_CORRUPTION);
  EXPECT_EQ(Listing(path_), damaged);
  // read_only with error_if_exists cannot be met.
  ASSERT_EQ(kv_options_set(o, "error_if_exists", "true"), KV_OK);
  EXPECT_EQ(kv_open(empty.c_str(), o, &db), KV_INVALID_ARGUMENT);
  kv_options_free(o);
}

TEST_F(ReadOnlyTest, OpensACheckpointWithoutLockFileAndCreatesNone) {
  kv_db* writer = nullptr;
  ASSERT_EQ(kv_open(path_.c_str(), nullptr, &writer), KV_OK);
  const std::string copy = dir_.Sub("copy");
  ASSERT_EQ(kv_checkpoint(writer, copy.c_str()), KV_OK) << kv_last_error();
  ASSERT_EQ(kv_close(writer), KV_OK);
  fs::remove(copy + "/LOCK");  // if the checkpoint made one: test the case without
  const auto before = Listing(copy);
  kv_options* o = ReadOnlyOptions();
  kv_db* db = nullptr;
  ASSERT_EQ(kv_open(copy.c_str(), o, &db), KV_OK) << kv_last_error();
  kv_options_free(o);
  EXPECT_EQ(Get(db, "w010"), "wal10");
  EXPECT_EQ(Count(db), 700);
  EXPECT_EQ(kv_close(db), KV_OK);
  EXPECT_EQ(Listing(copy), before);
}

TEST(ReadOnlyOption, ReadsBackAndRejectsBadValues) {
  kv_options* o = kv_options_new();
  char* value = nullptr;
  ASSERT_EQ(kv_options_get(o, "read_only", &value), KV_OK);
  EXPECT_EQ(std::string(value), "false");
  kv_free(value);
  ASSERT_EQ(kv_options_set(o, "read_only", "yes"), KV_OK);
  ASSERT_EQ(kv_options_get(o, "read_only", &value), KV_OK);
  EXPECT_EQ(std::string(value), "true");
  kv_free(value);
  EXPECT_EQ(kv_options_set(o, "read_only", "maybe"), KV_INVALID_ARGUMENT);
  EXPECT_NE(std::string(kv_last_error()).find("read_only"), std::string::npos);
  kv_options_free(o);
}

}  // namespace
