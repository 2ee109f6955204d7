// Promises found broken when strata was tried from outside, through the C
// ABI only, as a hostile user would (issue 14). Each test is the reproduction
// as it was reported; each failed before its fix.
//
//   1. kv_compact_range over a narrow range must not stop writes.
//   2. A batch refused for its size must be refused before anything stops.
//   3. Files in the directory numbered near 2^64 must never lead to new files
//      reusing live numbers (and overwriting live tables).
//   4. Tables swapped on disk are corruption, never "not found".
#include "strata/kv.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

#include "support/temp_dir.h"

namespace {

std::string Key(char prefix, int n, const char* suffix = "") {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%c%05d%s", prefix, n, suffix);
  return buf;
}

class CapiPromisesTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (db_ != nullptr) {
      EXPECT_EQ(kv_close(db_), KV_OK) << kv_last_error();
    }
  }

  // Opens the database with "name=value" options; fails the test on error.
  void Open(std::vector<std::pair<std::string, std::string>> options = {}) {
    kv_options* o = kv_options_new();
    for (const auto& [name, value] : options) {
      ASSERT_EQ(kv_options_set(o, name.c_str(), value.c_str()), KV_OK) << kv_last_error();
    }
    int rc = kv_open(dir_.path().c_str(), o, &db_);
    kv_options_free(o);
    ASSERT_EQ(rc, KV_OK) << kv_last_error();
  }
  void Close() {
    ASSERT_EQ(kv_close(db_), KV_OK) << kv_last_error();
    db_ = nullptr;
  }
  void Put(const std::string& k, const std::string& v) {
    ASSERT_EQ(kv_put(db_, k.data(), k.size(), v.data(), v.size()), KV_OK) << kv_last_error();
  }
  // The value of k, "<absent>", or "<status name: message>".
  std::string Get(const std::string& k) {
    void* v = nullptr;
    size_t len = 0;
    int rc = kv_get(db_, k.data(), k.size(), &v, &len);
    if (rc == KV_NOT_FOUND) return "<absent>";
    if (rc != KV_OK) return std::string("<") + kv_status_name(rc) + ": " + kv_last_error() + ">";
    std::string out(static_cast<char*>(v), len);
    kv_free(v);
    return out;
  }
  // Writes still go through: the database did not stop itself.
  void ExpectWritesWork() {
    EXPECT_EQ(kv_put(db_, "after", 5, "x", 1), KV_OK) << kv_last_error();
    EXPECT_EQ(Get("after"), "x");
    EXPECT_EQ(kv_delete(db_, "after", 5), KV_OK) << kv_last_error();
  }
  std::vector<std::string> Files(const std::string& suffix) {
    std::vector<std::string> out;
    DIR* d = opendir(dir_.path().c_str());
    while (dirent* e = readdir(d)) {
      std::string name = e->d_name;
      if (name.size() > suffix.size() && name.ends_with(suffix)) out.push_back(name);
    }
    closedir(d);
    std::sort(out.begin(), out.end());
    return out;
  }
  void Touch(const std::string& name) {
    int fd = ::open(dir_.Sub(name).c_str(), O_CREAT | O_WRONLY, 0644);
    ASSERT_GE(fd, 0);
    ::close(fd);
  }

  strata::test::TempDir dir_;
  kv_db* db_ = nullptr;
};

// 1. The closure of a narrow range over several level-1 tables used to list
// them out of key order; the merge then fed the table builder keys out of
// order, and the failure stopped every write until reopen.
TEST_F(CapiPromisesTest, NarrowCompactRangeKeepsWritesGoing) {
  Open({{"table_file_bytes", "65536"},
        {"memtable_bytes", "1048576"},
        {"l0_compaction_trigger", "2"},
        {"level1_bytes", "1048576"}});
  const std::string value(100, 'v');
  for (char p = 'b'; p <= 'e'; ++p) {
    for (int i = 0; i < 100000; i += 10) Put(Key(p, i), value);
  }
  ASSERT_EQ(kv_compact_range(db_, nullptr, 0, nullptr, 0), KV_OK) << kv_last_error();
  ASSERT_EQ(kv_compact_range(db_, nullptr, 0, nullptr, 0), KV_OK) << kv_last_error();
  for (char p = 'a'; p <= 'f'; ++p) {
    for (int i = 0; i < 100000; i += 200) Put(Key(p, i, "z"), value);
    if (p == 'c' || p == 'f') {
      ASSERT_EQ(kv_flush(db_), KV_OK) << kv_last_error();
    }
  }
  const std::string k = Key('e', 50000, "z");
  EXPECT_EQ(kv_compact_range(db_, k.data(), k.size(), k.data(), k.size()), KV_OK)
      << kv_last_error();
  ExpectWritesWork();
  // Nothing was lost or reordered on the way.
  EXPECT_EQ(Get(Key('b', 10)), value);
  EXPECT_EQ(Get(Key('e', 99990)), value);
  EXPECT_EQ(Get(Key('e', 50000, "z")), value);
  EXPECT_EQ(kv_verify(db_), KV_OK) << kv_last_error();
  kv_iter* it = nullptr;
  ASSERT_EQ(kv_iter_new(db_, nullptr, 0, nullptr, 0, &it), KV_OK);
  const void *kp, *vp;
  size_t kl, vl;
  std::string last;
  size_t n = 0;
  int rc;
  while ((rc = kv_iter_next(it, &kp, &kl, &vp, &vl)) == KV_OK) {
    std::string key(static_cast<const char*>(kp), kl);
    EXPECT_LT(last, key);
    last = key;
    ++n;
  }
  EXPECT_EQ(rc, KV_END);
  kv_iter_free(it);
  EXPECT_EQ(n, 4u * 10000 + 6u * 500);
}

// 2. kv_batch_delete added to a batch past the size the log can take; the
// write failed inside the write path and stopped every later write. The
// batch now refuses the entry that would pass KV_MAX_BATCH_BYTES, and a
// refused write stops nothing. (About 2 GiB of memory for a moment; the
// engine's own refusal of a batch past the limit, DB::Write, needs one
// built past it, which only the C++ API can do.)
TEST_F(CapiPromisesTest, OversizedBatchIsRefusedWithoutStoppingWrites) {
  Open();
  kv_batch* b = kv_batch_new();
  ASSERT_NE(b, nullptr);
  {
    std::string big(KV_MAX_VALUE_LEN - 1024, 'x');
    ASSERT_EQ(kv_batch_put(b, "big1", 4, big.data(), big.size()), KV_OK) << kv_last_error();
    ASSERT_EQ(kv_batch_put(b, "big2", 4, big.data(), big.size()), KV_OK) << kv_last_error();
  }
  std::string key(KV_MAX_KEY_LEN, 'k');
  int rc = KV_OK;
  int added = 0;
  for (int i = 0; i < 17500 && rc == KV_OK; ++i) {
    std::memcpy(key.data(), &i, sizeof(i));
    rc = kv_batch_delete(b, key.data(), key.size());
    if (rc == KV_OK) ++added;
  }
  EXPECT_EQ(rc, KV_INVALID_ARGUMENT);
  EXPECT_NE(std::string(kv_last_error()).find("KV_MAX_BATCH_BYTES"), std::string::npos)
      << kv_last_error();
  EXPECT_LT(added, 17500);
  // The refused entry left the batch as it was (writing all 2 GiB of it
  // would only cost the suite time and disk: a batch within the limit is
  // an ordinary write).
  EXPECT_EQ(kv_batch_count(b), static_cast<size_t>(2 + added));
  kv_batch_clear(b);
  ASSERT_EQ(kv_batch_put(b, "small", 5, "v", 1), KV_OK) << kv_last_error();
  EXPECT_EQ(kv_write(db_, b), KV_OK) << kv_last_error();
  kv_batch_free(b);
  ExpectWritesWork();
  EXPECT_EQ(Get("small"), "v");
}

// 2b. The same limit for puts: the entry that would pass it is refused.
TEST_F(CapiPromisesTest, BatchPutPastTheLimitIsRefused) {
  kv_batch* b = kv_batch_new();
  std::string big(KV_MAX_VALUE_LEN, 'x');
  ASSERT_EQ(kv_batch_put(b, "a", 1, big.data(), big.size()), KV_OK) << kv_last_error();
  ASSERT_EQ(kv_batch_put(b, "b", 1, big.data(), big.size() - 64), KV_OK) << kv_last_error();
  EXPECT_EQ(kv_batch_put(b, "c", 1, big.data(), 64), KV_INVALID_ARGUMENT);
  EXPECT_EQ(kv_batch_count(b), 2u);
  kv_batch_free(b);
}

// 3a. A stray file numbered 2^64 - 1 made the file counter wrap to 0, and new
// tables were created (O_TRUNC) over live ones: old values came back with no
// error. Now the database refuses to open until the file is moved away, and
// says which file.
TEST_F(CapiPromisesTest, FileNumberedNearTwoToTheSixtyFourIsRefused) {
  Open();
  for (int i = 0; i < 3000; ++i) Put(Key('k', i), "old");
  ASSERT_EQ(kv_flush(db_), KV_OK) << kv_last_error();
  Close();
  Touch("18446744073709551615.dbtmp");

  kv_db* db = nullptr;
  EXPECT_EQ(kv_open(dir_.path().c_str(), nullptr, &db), KV_CORRUPTION);
  EXPECT_EQ(db, nullptr);
  EXPECT_NE(std::string(kv_last_error()).find("18446744073709551615.dbtmp"), std::string::npos)
      << kv_last_error();

  // Moved away, the database opens as it was, and overwrites stick.
  ASSERT_EQ(std::remove(dir_.Sub("18446744073709551615.dbtmp").c_str()), 0);
  Open();
  for (int i = 0; i < 3000; ++i) Put(Key('k', i), "new");
  ASSERT_EQ(kv_flush(db_), KV_OK) << kv_last_error();
  Close();
  Open();
  int old_values = 0;
  for (int i = 0; i < 3000; ++i) old_values += Get(Key('k', i)) != "new";
  EXPECT_EQ(old_values, 0);
}

// 3b. Names too long for 64 bits, and numbers just inside 64 bits, are both
// beyond the counter's range.
TEST_F(CapiPromisesTest, EveryOutOfRangeNameIsRefused) {
  for (const char* name : {"18446744073709551614.sst", "99999999999999999999999.log",
                           "MANIFEST-18446744073709551615", "72057594037927936.sst"}) {
    SCOPED_TRACE(name);
    Open();
    Put("k", "v");
    Close();
    Touch(name);
    kv_db* db = nullptr;
    EXPECT_EQ(kv_open(dir_.path().c_str(), nullptr, &db), KV_CORRUPTION);
    EXPECT_NE(std::string(kv_last_error()).find(name), std::string::npos) << kv_last_error();
    ASSERT_EQ(std::remove(dir_.Sub(name).c_str()), 0);
  }
  // Names that are not ours at all are ignored.
  Touch("notes.txt");
  Touch("12abc.sst");
  Open();
  EXPECT_EQ(Get("k"), "v");
}

// 3c. The same stray table through repair: repair numbered its output after
// it, wrapped, and overwrote tables it was salvaging. It now refuses to run.
TEST_F(CapiPromisesTest, RepairRefusesAnOutOfRangeFile) {
  Open();
  for (int i = 0; i < 3000; ++i) Put(Key('k', i), "v");
  ASSERT_EQ(kv_flush(db_), KV_OK) << kv_last_error();
  Close();
  const std::vector<std::string> tables = Files(".sst");
  ASSERT_FALSE(tables.empty());
  Touch("18446744073709551614.sst");
  char* report = nullptr;
  EXPECT_EQ(kv_repair(dir_.path().c_str(), nullptr, &report), KV_INVALID_ARGUMENT);
  EXPECT_NE(std::string(kv_last_error()).find("18446744073709551614.sst"), std::string::npos)
      << kv_last_error();
  kv_free(report);
  // Nothing was touched.
  std::vector<std::string> after = Files(".sst");
  after.erase(std::remove(after.begin(), after.end(), "18446744073709551614.sst"), after.end());
  EXPECT_EQ(after, tables);
  ASSERT_EQ(std::remove(dir_.Sub("18446744073709551614.sst").c_str()), 0);
  Open();
  EXPECT_EQ(Get(Key('k', 2999)), "v");
}

// Found by the stress test: a checkpoint killed while it wrote CURRENT left
// CURRENT.tmp, which kv_destroy took for a foreign file, so it returned
// KV_OK and left the directory (and the next checkpoint there failed).
TEST_F(CapiPromisesTest, DestroyRemovesWhatACrashedCurrentUpdateLeft) {
  Open();
  Put("k", "v");
  Close();
  Touch("CURRENT.tmp");
  ASSERT_EQ(kv_destroy(dir_.path().c_str()), KV_OK) << kv_last_error();
  struct stat st;
  EXPECT_NE(::stat(dir_.path().c_str(), &st), 0) << "kv_destroy left the directory";
}

// 4. Three same-size level-0 tables, two of them swapped with mv: gets for
// present keys answered KV_NOT_FOUND. Now they are KV_CORRUPTION.
TEST_F(CapiPromisesTest, SwappedTablesAreCorruptionNotMissingKeys) {
  Open({{"l0_compaction_trigger", "8"}, {"compression", "none"}});
  const std::string value(100, 'v');
  // First a table of other keys, so that the three tables' sequence numbers
  // (recorded as varints in their properties) are all two bytes long and
  // the tables come out the same size.
  for (int i = 0; i < 200; ++i) Put(Key('0', i), value);
  ASSERT_EQ(kv_flush(db_), KV_OK) << kv_last_error();
  for (char p : {'a', 'b', 'c'}) {
    for (int i = 0; i < 300; ++i) Put(Key(p, i), value);
    ASSERT_EQ(kv_flush(db_), KV_OK) << kv_last_error();
  }
  Close();
  std::vector<std::string> tables = Files(".sst");
  ASSERT_EQ(tables.size(), 4u);
  tables.erase(tables.begin());
  struct stat st0, st1;
  ASSERT_EQ(::stat(dir_.Sub(tables[0]).c_str(), &st0), 0);
  ASSERT_EQ(::stat(dir_.Sub(tables[1]).c_str(), &st1), 0);
  ASSERT_EQ(st0.st_size, st1.st_size) << "the reproduction needs tables of one size";
  ASSERT_EQ(std::rename(dir_.Sub(tables[0]).c_str(), dir_.Sub("swap").c_str()), 0);
  ASSERT_EQ(std::rename(dir_.Sub(tables[1]).c_str(), dir_.Sub(tables[0]).c_str()), 0);
  ASSERT_EQ(std::rename(dir_.Sub("swap").c_str(), dir_.Sub(tables[1]).c_str()), 0);

  Open();
  int not_found = 0, corruption = 0, right = 0;
  for (char p : {'a', 'b', 'c'}) {
    for (int i = 0; i < 300; ++i) {
      const std::string got = Get(Key(p, i));
      not_found += got == "<absent>";
      corruption += got.starts_with("<KV_CORRUPTION");
      right += got == value;
    }
  }
  EXPECT_EQ(not_found, 0);
  EXPECT_GT(corruption, 0);
  EXPECT_EQ(right + corruption, 900);
  EXPECT_EQ(kv_verify(db_), KV_CORRUPTION);
}

}  // namespace
