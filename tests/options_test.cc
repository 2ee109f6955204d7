#include "core/options.h"

#include <gtest/gtest.h>

namespace strata {
namespace {

TEST(OptionsTest, ContractNamesAreSettable) {
  Options o;
  EXPECT_TRUE(o.Set("create_if_missing", "false").ok());
  EXPECT_FALSE(o.create_if_missing);
  EXPECT_TRUE(o.Set("error_if_exists", "yes").ok());
  EXPECT_TRUE(o.error_if_exists);
  EXPECT_TRUE(o.Set("sync", "1").ok());
  EXPECT_TRUE(o.sync);
  EXPECT_TRUE(o.Set("memtable_bytes", "8M").ok());
  EXPECT_EQ(o.memtable_bytes, 8u << 20);
  EXPECT_TRUE(o.Set("memtable", "avl").ok());
  EXPECT_EQ(o.memtable, MemTableKind::kAvlTree);
  EXPECT_TRUE(o.Set("block_cache_bytes", "1048576").ok());
  EXPECT_EQ(o.block_cache_bytes, 1u << 20);
  EXPECT_TRUE(o.Set("bloom_bits_per_key", "12").ok());
  EXPECT_EQ(o.bloom_bits_per_key, 12);
  EXPECT_TRUE(o.Set("block_bytes", "16KiB").ok());
  EXPECT_EQ(o.block_bytes, 16u << 10);
  EXPECT_TRUE(o.Set("compression", "zstd").ok());
  EXPECT_EQ(o.compression, CompressionKind::kZstd);
  EXPECT_TRUE(o.Set("background_threads", "3").ok());
  EXPECT_EQ(o.background_threads, 3);
}

TEST(OptionsTest, GetReturnsWhatSetAccepts) {
  Options o;
  for (const auto& name : Options::Names()) {
    std::string value;
    ASSERT_TRUE(o.Get(name, &value).ok()) << name;
    Options copy;
    EXPECT_TRUE(copy.Set(name, value).ok()) << name << "=" << value;
  }
}

TEST(OptionsTest, BadNamesAndValuesNameTheOption) {
  Options o;
  Status s = o.Set("no_such_option", "1");
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(s.message().find("no_such_option"), std::string::npos);

  for (auto [name, value] : std::vector<std::pair<const char*, const char*>>{
           {"sync", "maybe"}, {"memtable_bytes", "lots"}, {"memtable_bytes", "12X"},
           {"memtable_bytes", "-5"}, {"memtable", "btree"}, {"bloom_bits_per_key", "1.5"},
           {"bloom_bits_per_key", "1000"}, {"background_threads", "0"},
           {"compression", "snappy"}, {"block_bytes", ""}, {"memtable_bytes", "99999999999999999999G"}}) {
    Status bad = o.Set(name, value);
    EXPECT_TRUE(bad.IsInvalidArgument()) << name << "=" << value;
    EXPECT_NE(bad.message().find(name), std::string::npos) << bad.message();
  }
}

}  // namespace
}  // namespace strata
