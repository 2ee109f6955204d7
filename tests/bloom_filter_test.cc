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
  // With k = 7 and 10 bits per key the theoretical rate of a flat filter is
  // (1 - e^(-7/10))^7 ~= 0.82%; the cache-local one pays a little for the
  // uneven load of its lines, staying within 1.6 times that.
  const double theory = std::pow(1 - std::exp(-7.0 / 10.0), 7);
  for (uint64_t n : {1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull}) {
    BloomFilterBuilder builder(10);
    for (uint64_t i = 0; i < n; ++i) builder.AddKey(Key(i));
    std::string filter = builder.Finish();
    // Whole 64-byte lines, at least one, plus k and the marker.
    EXPECT_LE(filter.size(), (std::max<uint64_t>(n * 10, 512) + 511) / 512 * 64 + 2) << n;
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

// Tables written before the cache-local layout keep their flat filters.
TEST(BloomFilterTest, FlatFiltersStillRead) {
  std::string all_set(64, '\xff');
  all_set.push_back(7);
  EXPECT_TRUE(BloomFilterReader(all_set).KeyMayMatch("anything"));
  std::string none_set(64, '\0');
  none_set.push_back(7);
  EXPECT_FALSE(BloomFilterReader(none_set).KeyMayMatch("anything"));
}

TEST(BloomFilterTest, CacheLocalLayoutAndItsMalformedForms) {
  BloomFilterBuilder builder(10);
  builder.AddKey("present");
  const std::string filter = builder.Finish();
  ASSERT_EQ(filter.size(), 64u + 2);  // one line, k, marker
  EXPECT_EQ(static_cast<unsigned char>(filter.back()), kCacheLocalMarker);
  EXPECT_EQ(filter[filter.size() - 2], 7);
  EXPECT_TRUE(BloomFilterReader(filter).KeyMayMatch("present"));

  std::string empty_line(64, '\0');
  empty_line += '\x07';
  empty_line += static_cast<char>(kCacheLocalMarker);
  EXPECT_FALSE(BloomFilterReader(empty_line).KeyMayMatch("present"));
  // Malformed: not whole lines, no line at all, k out of range.
  std::string ragged(63, '\0');
  ragged += '\x07';
  ragged += static_cast<char>(kCacheLocalMarker);
  EXPECT_TRUE(BloomFilterReader(ragged).KeyMayMatch("present"));
  EXPECT_TRUE(BloomFilterReader(std::string("\x07\xff", 2)).KeyMayMatch("present"));
  std::string bad_k = empty_line;
  bad_k[64] = 31;
  EXPECT_TRUE(BloomFilterReader(bad_k).KeyMayMatch("present"));
  bad_k[64] = 0;
  EXPECT_TRUE(BloomFilterReader(bad_k).KeyMayMatch("present"));
}

}  // namespace
}  // namespace strata
