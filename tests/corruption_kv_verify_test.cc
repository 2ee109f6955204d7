// kv_verify through the C ABI: it reads every block of every live table from
// disk, so it finds damage that reads served from the block cache cannot
// see, names the damaged file, and is a plain KV_OK on a sound database.
// (corruption_matrix_test.cc checks it against every kind of damage.)
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "strata/kv.h"
#include "support/temp_dir.h"

namespace {

namespace fs = std::filesystem;

class KvVerifyTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(/*mmap_reads=*/true); }
  void Open(bool mmap_reads) {
    if (db_ != nullptr) {
      ASSERT_EQ(kv_close(db_), KV_OK);
    }
    db_ = nullptr;
    kv_options* o = kv_options_new();
    ASSERT_EQ(kv_options_set(o, "block_bytes", "512"), KV_OK);
    ASSERT_EQ(kv_options_set(o, "mmap_reads", mmap_reads ? "true" : "false"), KV_OK);
    ASSERT_EQ(kv_open(path_.c_str(), o, &db_), KV_OK) << kv_last_error();
    kv_options_free(o);
  }
  void TearDown() override {
    if (db_ != nullptr) kv_close(db_);
  }

  void Fill(int n) {
    for (int i = 0; i < n; ++i) {
      const std::string k = "key" + std::to_string(10000 + i);
      const std::string v(100, static_cast<char>('a' + i % 26));
      ASSERT_EQ(kv_put(db_, k.data(), k.size(), v.data(), v.size()), KV_OK);
    }
  }

  // Reads every key, so that the blocks sit in the block cache.
  void ReadAll(int n) {
    for (int i = 0; i < n; ++i) {
      const std::string k = "key" + std::to_string(10000 + i);
      void* v = nullptr;
      size_t len = 0;
      ASSERT_EQ(kv_get(db_, k.data(), k.size(), &v, &len), KV_OK) << k;
      kv_free(v);
    }
  }

  // Flips one bit of the byte a third of the way into `table`: inside its
  // data blocks.
  static void FlipByteInTheMiddle(const std::string& table) {
    const auto at = static_cast<std::streamoff>(fs::file_size(table) / 3);
    std::fstream f(table, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(at);
    char c;
    f.get(c);
    f.seekp(at);
    f.put(static_cast<char>(c ^ 0x10));
  }

  std::vector<std::string> Tables() {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(path_)) {
      if (e.path().extension() == ".sst") out.push_back(e.path().string());
    }
    return out;
  }

  strata::test::TempDir dir_;
  const std::string path_ = dir_.Sub("db");
  kv_db* db_ = nullptr;
};

TEST_F(KvVerifyTest, SoundDatabaseVerifies) {
  EXPECT_EQ(kv_verify(db_), KV_OK) << kv_last_error();  // empty
  Fill(200);
  EXPECT_EQ(kv_verify(db_), KV_OK) << kv_last_error();  // memtable only
  ASSERT_EQ(kv_flush(db_), KV_OK);
  Fill(300);
  ASSERT_EQ(kv_flush(db_), KV_OK);
  ASSERT_EQ(kv_compact_range(db_, nullptr, 0, nullptr, 0), KV_OK);
  EXPECT_EQ(kv_verify(db_), KV_OK) << kv_last_error();
}

TEST_F(KvVerifyTest, FindsDamageTheBlockCacheHides) {
  // Data blocks go through the block cache only when tables are read with
  // pread (a mapped table's uncompressed blocks are read in place).
  Open(/*mmap_reads=*/false);
  Fill(2000);
  ASSERT_EQ(kv_flush(db_), KV_OK);
  ASSERT_EQ(kv_wait_compactions(db_), KV_OK);
  ReadAll(2000);
  std::vector<std::string> tables = Tables();
  ASSERT_EQ(tables.size(), 1u);
  FlipByteInTheMiddle(tables[0]);  // under the open database
  ReadAll(2000);  // served from the cache: the damage is invisible to reads
  EXPECT_EQ(kv_verify(db_), KV_CORRUPTION);
  const std::string message = kv_last_error();
  EXPECT_NE(message.find(fs::path(tables[0]).filename().string()), std::string::npos) << message;
  EXPECT_NE(message.find("checksum"), std::string::npos) << message;
}

// A mapped table's blocks are read where they lie and checked on their first
// read: damage done under the open database to a block not yet read is seen
// by that read, and verify names it.
TEST_F(KvVerifyTest, MappedReadsCheckABlockOnItsFirstRead) {
  Fill(2000);
  ASSERT_EQ(kv_flush(db_), KV_OK);
  ASSERT_EQ(kv_wait_compactions(db_), KV_OK);
  std::vector<std::string> tables = Tables();
  ASSERT_EQ(tables.size(), 1u);
  FlipByteInTheMiddle(tables[0]);
  int corrupt = 0;
  for (int i = 0; i < 2000; ++i) {
    const std::string k = "key" + std::to_string(10000 + i);
    void* v = nullptr;
    size_t len = 0;
    const int rc = kv_get(db_, k.data(), k.size(), &v, &len);
    if (rc == KV_OK) kv_free(v);
    if (rc == KV_CORRUPTION) {
      ++corrupt;
      EXPECT_NE(std::string(kv_last_error()).find("checksum"), std::string::npos) << kv_last_error();
    } else {
      EXPECT_EQ(rc, KV_OK) << k << ": " << kv_last_error();
    }
  }
  EXPECT_GT(corrupt, 0);  // the keys of the damaged 512-byte block, no others
  EXPECT_LT(corrupt, 20);
  EXPECT_EQ(kv_verify(db_), KV_CORRUPTION);
}

TEST_F(KvVerifyTest, FindsATruncatedTable) {
  Fill(500);
  ASSERT_EQ(kv_flush(db_), KV_OK);
  ASSERT_EQ(kv_wait_compactions(db_), KV_OK);
  ASSERT_EQ(kv_close(db_), KV_OK);
  db_ = nullptr;
  std::vector<std::string> tables = Tables();
  ASSERT_EQ(tables.size(), 1u);
  fs::resize_file(tables[0], fs::file_size(tables[0]) - 1);
  ASSERT_EQ(kv_open(path_.c_str(), nullptr, &db_), KV_OK) << kv_last_error();
  EXPECT_EQ(kv_verify(db_), KV_CORRUPTION);
  EXPECT_NE(std::string(kv_last_error()).find(fs::path(tables[0]).filename().string()),
            std::string::npos)
      << kv_last_error();
}

TEST_F(KvVerifyTest, BadHandlesAreInvalidArguments) {
  EXPECT_EQ(kv_verify(nullptr), KV_INVALID_ARGUMENT);
  EXPECT_NE(std::string(kv_last_error()), "");
  ASSERT_EQ(kv_close(db_), KV_OK);
  EXPECT_EQ(kv_verify(db_), KV_INVALID_ARGUMENT);  // a closed handle
  db_ = nullptr;
}

}  // namespace
