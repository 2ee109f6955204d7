// Which tables a database reads through a mapping (option mmap_reads), seen
// through the C ABI's "mapped-table-bytes" property: "auto" (the default)
// maps while the live tables total at most mmap_reads_max_bytes, "true"
// always, "false" never.
#include <gtest/gtest.h>

#include <string>

#include "strata/kv.h"
#include "support/temp_dir.h"

namespace {

class DbMappingTest : public ::testing::Test {
 protected:
  void TearDown() override { Close(); }

  // Opens the database with the given mmap_reads options ("" leaves one
  // unset).
  void Open(const std::string& mode, const std::string& max_bytes) {
    Close();
    kv_options* o = kv_options_new();
    if (!mode.empty()) {
      ASSERT_EQ(kv_options_set(o, "mmap_reads", mode.c_str()), KV_OK);
    }
    if (!max_bytes.empty()) {
      ASSERT_EQ(kv_options_set(o, "mmap_reads_max_bytes", max_bytes.c_str()), KV_OK);
    }
    const int status = kv_open(dir_.path().c_str(), o, &db_);
    kv_options_free(o);
    ASSERT_EQ(status, KV_OK) << kv_last_error();
  }
  void Close() {
    if (db_ != nullptr) {
      EXPECT_EQ(kv_close(db_), KV_OK);
    }
    db_ = nullptr;
  }

  // Writes keys first .. first + n - 1 with 1000-byte values, flushes them
  // into a table and reads each back (which opens the table).
  void FillFlushAndRead(int first, int n) {
    const std::string value(1000, 'v');
    for (int i = first; i < first + n; ++i) {
      const std::string k = Key(i);
      ASSERT_EQ(kv_put(db_, k.data(), k.size(), value.data(), value.size()), KV_OK);
    }
    ASSERT_EQ(kv_flush(db_), KV_OK);
    Read(first, n);
  }
  void Read(int first, int n) {
    for (int i = first; i < first + n; ++i) {
      const std::string k = Key(i);
      void* v = nullptr;
      size_t len = 0;
      ASSERT_EQ(kv_get(db_, k.data(), k.size(), &v, &len), KV_OK) << k;
      ASSERT_EQ(len, 1000u);
      kv_free(v);
    }
  }
  static std::string Key(int i) { return "key" + std::to_string(100000 + i); }

  uint64_t Property(const char* name) {
    char* text = nullptr;
    EXPECT_EQ(kv_property(db_, name, &text), KV_OK) << kv_last_error();
    const uint64_t n = text != nullptr ? std::stoull(text) : 0;
    kv_free(text);
    return n;
  }

  strata::test::TempDir dir_;
  kv_db* db_ = nullptr;
};

TEST_F(DbMappingTest, AutoMapsTablesThatFitTheBound) {
  Open("", "");  // the default: auto, bound at half of this process's memory
  FillFlushAndRead(0, 200);
  EXPECT_GT(Property("total-table-bytes"), 200u * 1000);
  EXPECT_EQ(Property("mapped-table-bytes"), Property("total-table-bytes"));
}

TEST_F(DbMappingTest, AutoReadsWithPreadOnceTheTablesOutgrowTheBound) {
  Open("auto", "150K");
  FillFlushAndRead(0, 100);  // a table of about 100 KB: within the bound
  const uint64_t first_table = Property("mapped-table-bytes");
  EXPECT_GT(first_table, 100u * 1000);
  EXPECT_EQ(first_table, Property("total-table-bytes"));
  // Another table of other keys, as large: with the first it passes the
  // bound, so it is read with pread; the first stays mapped while open.
  FillFlushAndRead(100, 100);
  EXPECT_GT(Property("total-table-bytes"), 150u * 1024);
  EXPECT_EQ(Property("mapped-table-bytes"), first_table);

  // Reopened, each table is opened against the live tables' whole size:
  // none is mapped, though either alone would fit, and every key reads back.
  Open("auto", "150K");
  Read(0, 200);
  EXPECT_EQ(Property("mapped-table-bytes"), 0u);
}

TEST_F(DbMappingTest, TrueAndFalseIgnoreTheBound) {
  Open("true", "1K");
  FillFlushAndRead(0, 100);
  EXPECT_EQ(Property("mapped-table-bytes"), Property("total-table-bytes"));
  Open("false", "");
  Read(0, 100);
  EXPECT_EQ(Property("mapped-table-bytes"), 0u);
}

TEST_F(DbMappingTest, OptionValuesAreCheckedAndPrinted) {
  kv_options* o = kv_options_new();
  char* value = nullptr;
  ASSERT_EQ(kv_options_get(o, "mmap_reads", &value), KV_OK);
  EXPECT_STREQ(value, "auto");
  kv_free(value);
  EXPECT_EQ(kv_options_set(o, "mmap_reads", "sometimes"), KV_INVALID_ARGUMENT);
  EXPECT_NE(std::string(kv_last_error()).find("auto, true or false"), std::string::npos);
  ASSERT_EQ(kv_options_set(o, "mmap_reads", "yes"), KV_OK);
  ASSERT_EQ(kv_options_get(o, "mmap_reads", &value), KV_OK);
  EXPECT_STREQ(value, "true");
  kv_free(value);
  EXPECT_EQ(kv_options_set(o, "mmap_reads_max_bytes", "-1"), KV_INVALID_ARGUMENT);
  ASSERT_EQ(kv_options_set(o, "mmap_reads_max_bytes", "2G"), KV_OK);
  ASSERT_EQ(kv_options_get(o, "mmap_reads_max_bytes", &value), KV_OK);
  EXPECT_STREQ(value, "2147483648");
  kv_free(value);
  kv_options_free(o);
}

}  // namespace
