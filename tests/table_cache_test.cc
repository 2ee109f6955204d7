// The table cache: opens on a miss, keeps at most max_open_tables, shares
// concurrent opens, forgets evicted tables, and reports open failures.
#include "core/table/table_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <random>
#include <thread>
#include <vector>

#include "core/cache/block_cache.h"
#include "core/dbformat.h"
#include "core/filename.h"
#include "core/table/table_builder.h"
#include "support/temp_dir.h"

namespace strata {
namespace {

std::string IKey(std::string_view user_key, SequenceNumber seq) {
  std::string k;
  AppendInternalKey(&k, user_key, seq, ValueKind::kValue);
  return k;
}

std::string UserKey(uint64_t table, int i) {
  return "t" + std::to_string(table) + "-" + std::to_string(1000 + i);
}
std::string ValueFor(uint64_t table, int i) { return "value " + UserKey(table, i); }

// A table as a caller that knows only its number and size names it (no key
// range or entry count to check).
FileMetaData Meta(uint64_t number, uint64_t file_size) {
  FileMetaData meta;
  meta.number = number;
  meta.file_size = file_size;
  return meta;
}

// Table `number` as the manifest records it (WriteTable's 500 keys).
FileMetaData ManifestEntry(uint64_t number, uint64_t file_size) {
  FileMetaData meta = Meta(number, file_size);
  meta.smallest = IKey(UserKey(number, 0), 5);
  meta.largest = IKey(UserKey(number, 499), 5);
  meta.num_entries = 500;
  return meta;
}

// Counts opens so tests can tell a cache hit from a reopen.
class CountingEnv : public EnvWrapper {
 public:
  CountingEnv() : EnvWrapper(Env::Default()) {}
  Status NewRandomAccessFile(const std::string& p, std::unique_ptr<RandomAccessFile>* o) override {
    opens.fetch_add(1);
    return EnvWrapper::NewRandomAccessFile(p, o);
  }
  std::atomic<int> opens{0};
};

class TableCacheTest : public ::testing::Test {
 protected:
  // Writes table `number` with 500 keys; returns its size.
  uint64_t WriteTable(uint64_t number) {
    std::unique_ptr<WritableFile> file;
    EXPECT_TRUE(Env::Default()->NewWritableFile(TableFileName(dir_.path(), number), &file).ok());
    TableBuilder builder(options_, file.get());
    for (int i = 0; i < 500; ++i) {
      EXPECT_TRUE(builder.Add(IKey(UserKey(number, i), 5), ValueFor(number, i)).ok());
    }
    EXPECT_TRUE(builder.Finish().ok());
    EXPECT_TRUE(file->Close().ok());
    sizes_[number] = builder.FileSize();
    return builder.FileSize();
  }

  void SetUp() override {
    options_.env = &env_;
    for (uint64_t n = 1; n <= 5; ++n) WriteTable(n);
  }

  test::TempDir dir_;
  CountingEnv env_;
  Options options_;
  std::map<uint64_t, uint64_t> sizes_;
  BlockCache block_cache_{1 << 20};
};

TEST_F(TableCacheTest, FindTableCachesReaders) {
  TableCache cache(dir_.path(), options_, &block_cache_, 10);
  std::shared_ptr<TableReader> a, b;
  ASSERT_TRUE(cache.FindTable(Meta(1, sizes_[1]), &a).ok());
  ASSERT_TRUE(cache.FindTable(Meta(1, sizes_[1]), &b).ok());
  EXPECT_EQ(a, b);
  EXPECT_EQ(env_.opens.load(), 1);
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(a->file_number(), 1u);
  EXPECT_EQ(a->properties().num_entries, 500u);
}

TEST_F(TableCacheTest, GetAndIterate) {
  TableCache cache(dir_.path(), options_, &block_cache_, 10);
  std::string value;
  TableGetResult result;
  for (uint64_t n = 1; n <= 5; ++n) {
    ASSERT_TRUE(cache.Get(Meta(n, sizes_[n]), LookupKey(UserKey(n, 42), 9), &result, &value).ok());
    ASSERT_EQ(result, TableGetResult::kValue);
    EXPECT_EQ(value, ValueFor(n, 42));
    ASSERT_TRUE(cache.Get(Meta(n, sizes_[n]), LookupKey(UserKey(n + 1, 42), 9), &result, &value).ok());
    EXPECT_EQ(result, TableGetResult::kNotFound);
  }
  auto it = cache.NewIterator(Meta(3, sizes_[3]));
  int count = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) ++count;
  EXPECT_TRUE(it->status().ok());
  EXPECT_EQ(count, 500);
}

TEST_F(TableCacheTest, BoundedByMaxOpenTables) {
  TableCache cache(dir_.path(), options_, &block_cache_, 2);
  std::shared_ptr<TableReader> t1, t2, t3, again;
  ASSERT_TRUE(cache.FindTable(Meta(1, sizes_[1]), &t1).ok());
  ASSERT_TRUE(cache.FindTable(Meta(2, sizes_[2]), &t2).ok());
  ASSERT_TRUE(cache.FindTable(Meta(1, sizes_[1]), &again).ok());  // 1 is now the most recent
  EXPECT_EQ(again, t1);
  ASSERT_TRUE(cache.FindTable(Meta(3, sizes_[3]), &t3).ok());  // evicts 2
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_EQ(env_.opens.load(), 3);
  ASSERT_TRUE(cache.FindTable(Meta(1, sizes_[1]), &again).ok());
  EXPECT_EQ(env_.opens.load(), 3);
  ASSERT_TRUE(cache.FindTable(Meta(2, sizes_[2]), &again).ok());
  EXPECT_EQ(env_.opens.load(), 4);
  EXPECT_NE(again, t2);
  // The evicted reader is still usable by whoever holds it.
  std::string value;
  TableGetResult result;
  ASSERT_TRUE(t2->Get(LookupKey(UserKey(2, 7), 9), &result, &value).ok());
  EXPECT_EQ(value, ValueFor(2, 7));
}

TEST_F(TableCacheTest, ZeroCapacityKeepsNothing) {
  TableCache cache(dir_.path(), options_, &block_cache_, 0);
  std::shared_ptr<TableReader> t;
  ASSERT_TRUE(cache.FindTable(Meta(1, sizes_[1]), &t).ok());
  ASSERT_TRUE(cache.FindTable(Meta(1, sizes_[1]), &t).ok());
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_EQ(env_.opens.load(), 2);
}

TEST_F(TableCacheTest, EvictForgetsTheTable) {
  TableCache cache(dir_.path(), options_, &block_cache_, 10);
  std::shared_ptr<TableReader> before;
  ASSERT_TRUE(cache.FindTable(Meta(4, sizes_[4]), &before).ok());
  auto it = cache.NewIterator(Meta(4, sizes_[4]));
  it->SeekToFirst();

  cache.Evict(4);
  EXPECT_EQ(cache.size(), 0u);
  ASSERT_TRUE(Env::Default()->RemoveFile(TableFileName(dir_.path(), 4)).ok());

  // The iterator and the held reader keep working on the deleted file.
  int count = 0;
  for (; it->Valid(); it->Next()) ++count;
  EXPECT_EQ(count, 500);
  std::string value;
  TableGetResult result;
  ASSERT_TRUE(before->Get(LookupKey(UserKey(4, 1), 9), &result, &value).ok());
  EXPECT_EQ(result, TableGetResult::kValue);

  // But the cache no longer finds it.
  std::shared_ptr<TableReader> after;
  Status s = cache.FindTable(Meta(4, sizes_[4]), &after);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(after, nullptr);
  cache.Evict(12345);  // unknown numbers are fine
}

TEST_F(TableCacheTest, OpenFailuresAreReportedAndNotCached) {
  TableCache cache(dir_.path(), options_, &block_cache_, 10);
  std::shared_ptr<TableReader> t;
  Status s = cache.FindTable(Meta(99, 1000), &t);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(t, nullptr);
  auto it = cache.NewIterator(Meta(99, 1000));
  it->SeekToFirst();
  EXPECT_FALSE(it->Valid());
  EXPECT_FALSE(it->status().ok());
  std::string value;
  TableGetResult result = TableGetResult::kValue;
  EXPECT_FALSE(cache.Get(Meta(99, 1000), LookupKey("k", 1), &result, &value).ok());
  EXPECT_EQ(result, TableGetResult::kNotFound);

  // A wrong size (as from a damaged manifest) is Corruption.
  s = cache.FindTable(Meta(1, sizes_[1] - 1), &t);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();

  // Once the file exists, the next call opens it: the failure was not kept.
  WriteTable(99);
  ASSERT_TRUE(cache.FindTable(Meta(99, sizes_[99]), &t).ok());
  EXPECT_EQ(cache.size(), 1u);
}

TEST_F(TableCacheTest, ConcurrentReaders) {
  TableCache cache(dir_.path(), options_, &block_cache_, 3);
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937_64 rng(t);
      std::string value;
      TableGetResult result;
      for (int i = 0; i < 3000; ++i) {
        uint64_t n = 1 + rng() % 5;
        int k = static_cast<int>(rng() % 500);
        Status s = cache.Get(Meta(n, sizes_.at(n)), LookupKey(UserKey(n, k), 9), &result, &value);
        if (!s.ok() || result != TableGetResult::kValue || value != ValueFor(n, k)) ++failures;
        if (i % 500 == 0) cache.Evict(n);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_LE(cache.size(), 3u);
}

TEST_F(TableCacheTest, OpensATableThatIsWhatTheManifestSays) {
  TableCache cache(dir_.path(), options_, &block_cache_, 10);
  std::shared_ptr<TableReader> t;
  EXPECT_TRUE(cache.FindTable(ManifestEntry(2, sizes_[2]), &t).ok());
}

// Two tables of the same size swapped on disk (a mistaken mv, a restored
// backup): the file under number 2 is table 3. Its blocks read fine, so a
// lookup would answer "not found" for every key of table 2; the open must
// refuse it instead.
TEST_F(TableCacheTest, ATableInAnotherTablesPlaceIsCorruption) {
  ASSERT_EQ(sizes_[2], sizes_[3]);
  const std::string two = TableFileName(dir_.path(), 2), three = TableFileName(dir_.path(), 3);
  ASSERT_TRUE(Env::Default()->RenameFile(two, dir_.path() + "/swap").ok());
  ASSERT_TRUE(Env::Default()->RenameFile(three, two).ok());
  ASSERT_TRUE(Env::Default()->RenameFile(dir_.path() + "/swap", three).ok());

  TableCache cache(dir_.path(), options_, &block_cache_, 10);
  std::shared_ptr<TableReader> t;
  Status s = cache.FindTable(ManifestEntry(2, sizes_[2]), &t);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("not the table"), std::string::npos) << s.ToString();
  EXPECT_EQ(t, nullptr);
  TableGetResult result;
  std::string value;
  s = cache.Get(ManifestEntry(2, sizes_[2]), LookupKey(UserKey(2, 42), 9), &result, &value);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  auto it = cache.NewIterator(ManifestEntry(3, sizes_[3]));
  it->SeekToFirst();
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().IsCorruption()) << it->status().ToString();
}

TEST_F(TableCacheTest, AnEntryCountThatDiffersIsCorruption) {
  TableCache cache(dir_.path(), options_, &block_cache_, 10);
  FileMetaData meta = ManifestEntry(1, sizes_[1]);
  meta.num_entries = 499;
  std::shared_ptr<TableReader> t;
  EXPECT_TRUE(cache.FindTable(meta, &t).IsCorruption());
}

}  // namespace
}  // namespace strata
