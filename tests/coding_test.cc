#include "core/coding.h"

#include <gtest/gtest.h>

#include <limits>
#include <random>

namespace strata {
namespace {

TEST(CodingTest, FixedRoundTrip) {
  std::string s;
  PutFixed32(&s, 0xdeadbeef);
  PutFixed64(&s, 0x0123456789abcdefull);
  ASSERT_EQ(s.size(), 12u);
  EXPECT_EQ(DecodeFixed32(s.data()), 0xdeadbeefu);
  EXPECT_EQ(DecodeFixed64(s.data() + 4), 0x0123456789abcdefull);
}

TEST(CodingTest, VarintRoundTripAtEveryWidth) {
  std::vector<uint64_t> values = {0, 1, 127, 128, 16383, 16384, UINT32_MAX,
                                  uint64_t{UINT32_MAX} + 1, std::numeric_limits<uint64_t>::max()};
  std::mt19937_64 rng(7);
  for (int i = 0; i < 1000; ++i) values.push_back(rng() >> (rng() % 64));
  std::string s;
  for (uint64_t v : values) PutVarint64(&s, v);
  std::string_view in(s);
  for (uint64_t v : values) {
    uint64_t got;
    ASSERT_TRUE(GetVarint64(&in, &got));
    EXPECT_EQ(got, v);
  }
  EXPECT_TRUE(in.empty());
}

TEST(CodingTest, Varint32RejectsOverflowAndTruncation) {
  std::string s;
  PutVarint64(&s, uint64_t{UINT32_MAX} + 1);
  std::string_view in(s);
  uint32_t v;
  EXPECT_FALSE(GetVarint32(&in, &v));

  std::string t;
  PutVarint32(&t, 300);
  std::string_view truncated(t.data(), t.size() - 1);
  EXPECT_FALSE(GetVarint32(&truncated, &v));
}

TEST(CodingTest, LengthPrefixedHandlesNulBytesAndTruncation) {
  std::string s;
  PutLengthPrefixed(&s, std::string_view("a\0b", 3));
  std::string_view in(s);
  std::string_view out;
  ASSERT_TRUE(GetLengthPrefixed(&in, &out));
  EXPECT_EQ(out, std::string_view("a\0b", 3));

  std::string_view cut(s.data(), s.size() - 1);
  EXPECT_FALSE(GetLengthPrefixed(&cut, &out));
}

}  // namespace
}  // namespace strata
