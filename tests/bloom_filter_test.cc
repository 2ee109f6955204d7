// The table bloom filter: no false negatives, a false-positive rate near the
// theory, and safe answers for bytes it cannot interpret.
#include "core/table/bloom_filter.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "core/coding.h"

namespace strata {
namespace {

std::string Key(uint64_t i) {
  std::string k;
  PutFixed64(&k, i);
  return k;
}

TEST(BloomFilterTest, ProbeCount) {
  EXPECT_EQ(BloomProbesForBitsPerKey(10), 7);
  EXPECT_EQ(BloomProbesForBitsPerKey(1), 1);
  EXPECT_EQ(BloomProbesForBitsPerKey(0), 1);
  EXPECT_EQ(BloomProbesForBitsPerKey(16), 11);
  EXPECT_EQ(BloomProbesForBitsPerKey(100), 30);
}

TEST(BloomFilterTest, EmptyFilterMatchesLittle) {
  BloomFilterBuilder builder(10);
  std::string filter = builder.Finish();
  BloomFilterReader reader(filter);
  EXPECT_FALSE(reader.KeyMayMatch("hello"));
  EXPECT_FALSE(reader.KeyMayMatch(""));
}

TEST(BloomFilterTest, SmallFilter) {
  BloomFilterBuilder builder(10);
  builder.AddKey("hello");
  builder.AddKey("world");
  builder.AddKey(std::string("nul\0inside", 10));
  builder.AddKey("");
  std::string filter = builder.Finish();
  BloomFilterReader reader(filter);
  EXPECT_TRUE(reader.KeyMayMatch("hello"));
  EXPECT_TRUE(reader.KeyMayMatch("world"));
  EXPECT_TRUE(reader.KeyMayMatch(std::string("nul\0inside", 10)));
  EXPECT_TRUE(reader.KeyMayMatch(""));
  EXPECT_FALSE(reader.KeyMayMatch("x"));
  EXPECT_FALSE(reader.KeyMayMatch("nul"));
}

TEST(BloomFilterTest, ConsecutiveDuplicatesStoredOnce) {
  BloomFilterBuilder builder(10);
  for (int i = 0; i < 5; ++i) builder.AddKey("same");
  builder.AddKey("other");
  EXPECT_EQ(builder.num_keys(), 2u);
}

TEST(BloomFilterTest, FalsePositiveRateNearTheory) {
  // With k = 7 and 10 bits per key the theoretical rate is
  // (1 - e^(-7/10))^7 ~= 0.82%.
  const double theory = std::pow(1 - std::exp(-7.0 / 10.0), 7);
  for (uint64_t n : {1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull}) {
    BloomFilterBuilder builder(10);
    for (uint64_t i = 0; i < n; ++i) builder.AddKey(Key(i));
    std::string filter = builder.Finish();
    EXPECT_LE(filter.size(), std::max<uint64_t>(n * 10 / 8, 8) + 2) << n;
    BloomFilterReader reader(filter);
    for (uint64_t i = 0; i < n; ++i) {
      ASSERT_TRUE(reader.KeyMayMatch(Key(i))) << "false negative for key " << i << " of " << n;
    }
    const uint64_t probes = 100000;
    uint64_t hits = 0;
    for (uint64_t i = 0; i < probes; ++i) hits += reader.KeyMayMatch(Key(i + 1000000000ull));
    const double rate = static_cast<double>(hits) / probes;
    EXPECT_LT(rate, 0.02) << "n=" << n;
    if (n >= 1000) {
      EXPECT_LT(rate, theory * 1.6) << "n=" << n << " theory " << theory;
    }
  }
}

TEST(BloomFilterTest, BuilderStartsOverAfterFinish) {
  BloomFilterBuilder builder(10);
  builder.AddKey("first");
  std::string a = builder.Finish();
  builder.AddKey("second");
  std::string b = builder.Finish();
  EXPECT_TRUE(BloomFilterReader(a).KeyMayMatch("first"));
  EXPECT_TRUE(BloomFilterReader(b).KeyMayMatch("second"));
  EXPECT_FALSE(BloomFilterReader(b).KeyMayMatch("first"));
}

TEST(BloomFilterTest, UninterpretableBytesMayMatch) {
  EXPECT_TRUE(BloomFilterReader("").KeyMayMatch("k"));
  EXPECT_TRUE(BloomFilterReader("\x07").KeyMayMatch("k"));
  std::string zero_bits(9, '\0');
  zero_bits[8] = 0;  // k = 0: reserved
  EXPECT_TRUE(BloomFilterReader(zero_bits).KeyMayMatch("k"));
  zero_bits[8] = 31;  // k > 30: reserved
  EXPECT_TRUE(BloomFilterReader(zero_bits).KeyMayMatch("k"));
  zero_bits[8] = 7;  // a valid empty filter
  EXPECT_FALSE(BloomFilterReader(zero_bits).KeyMayMatch("k"));
}

}  // namespace
}  // namespace strata
