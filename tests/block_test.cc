// Blocks: BlockBuilder's layout read back by Block's iterators, checked
// against a std::map model; malformed and mutated blocks must fail cleanly;
// index separators must separate.
#include "core/table/block.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <vector>

#include "core/coding.h"
#include "core/dbformat.h"
#include "core/table/block_builder.h"
#include "core/table/separator.h"

namespace strata {
namespace {

struct InternalKeyLess {
  bool operator()(const std::string& a, const std::string& b) const {
    return CompareInternalKeys(a, b) < 0;
  }
};
using Model = std::map<std::string, std::string, InternalKeyLess>;

std::string IKey(std::string_view user_key, SequenceNumber seq,
                 ValueKind kind = ValueKind::kValue) {
  std::string k;
  AppendInternalKey(&k, user_key, seq, kind);
  return k;
}

std::string RandomBytes(std::mt19937_64& rng, size_t len, int alphabet = 256) {
  std::string s(len, '\0');
  for (auto& c : s) c = static_cast<char>(rng() % alphabet);
  return s;
}

// Random user keys over a small alphabet (so keys share prefixes and NUL bytes
// appear), several versions of some.
Model RandomModel(std::mt19937_64& rng, size_t n) {
  Model m;
  while (m.size() < n) {
    std::string user = RandomBytes(rng, rng() % 12, 4);
    SequenceNumber seq = rng() % 1000;
    ValueKind kind = rng() % 5 == 0 ? ValueKind::kDeletion : ValueKind::kValue;
    m[IKey(user, seq, kind)] = RandomBytes(rng, rng() % 40);
  }
  return m;
}

std::shared_ptr<const Block> BuildBlock(const Model& m, int restart_interval) {
  BlockBuilder b(restart_interval);
  for (const auto& [k, v] : m) {
    // What a table builder keeping blocks within a bound asks before adding.
    const size_t after = b.SizeEstimateAfter(k, v);
    b.Add(k, v);
    EXPECT_EQ(b.CurrentSizeEstimate(), after);
  }
  EXPECT_EQ(b.num_entries(), m.size());
  size_t estimate = b.CurrentSizeEstimate();
  BlockContents contents{std::string(b.Finish())};
  EXPECT_EQ(contents.data.size(), estimate);
  return std::make_shared<const Block>(std::move(contents));
}

TEST(BlockTest, EmptyBlock) {
  BlockBuilder b(16);
  EXPECT_TRUE(b.empty());
  auto block = std::make_shared<const Block>(BlockContents{std::string(b.Finish())});
  ASSERT_TRUE(block->well_formed());
  auto it = block->NewIterator(BlockKeyOrder::kInternalKey);
  it->SeekToFirst();
  EXPECT_FALSE(it->Valid());
  it->SeekToLast();
  EXPECT_FALSE(it->Valid());
  it->Seek(IKey("a", 1));
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().ok());
}

class BlockRoundTripTest : public ::testing::TestWithParam<int> {};

TEST_P(BlockRoundTripTest, MatchesModel) {
  const int restart_interval = GetParam();
  std::mt19937_64 rng(restart_interval * 7919 + 1);
  for (size_t n : {1u, 2u, 17u, 500u, 3000u}) {
    Model m = RandomModel(rng, n);
    auto block = BuildBlock(m, restart_interval);
    auto it = block->NewIterator(BlockKeyOrder::kInternalKey);
    std::vector<std::pair<std::string, std::string>> entries(m.begin(), m.end());

    // Forward.
    size_t i = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next(), ++i) {
      ASSERT_LT(i, entries.size());
      ASSERT_EQ(it->key(), entries[i].first);
      ASSERT_EQ(it->value(), entries[i].second);
    }
    ASSERT_EQ(i, entries.size());
    ASSERT_TRUE(it->status().ok());

    // Backward.
    i = entries.size();
    for (it->SeekToLast(); it->Valid(); it->Prev()) {
      ASSERT_GT(i, 0u);
      --i;
      ASSERT_EQ(it->key(), entries[i].first);
      ASSERT_EQ(it->value(), entries[i].second);
    }
    ASSERT_EQ(i, 0u);

    // Seeks to present and absent keys, then a few steps either way.
    for (int trial = 0; trial < 300; ++trial) {
      std::string target = trial % 2 == 0 ? entries[rng() % entries.size()].first
                                          : IKey(RandomBytes(rng, rng() % 12, 4), rng() % 1000);
      auto expected = m.lower_bound(target);
      it->Seek(target);
      if (expected == m.end()) {
        ASSERT_FALSE(it->Valid());
        continue;
      }
      ASSERT_TRUE(it->Valid());
      ASSERT_EQ(it->key(), expected->first);
      auto model_it = expected;
      if (rng() % 2 == 0) {
        for (int step = 0; step < 5 && it->Valid(); ++step) {
          it->Next();
          ++model_it;
          ASSERT_EQ(it->Valid(), model_it != m.end());
          if (it->Valid()) {
            ASSERT_EQ(it->key(), model_it->first);
          }
        }
      } else {
        for (int step = 0; step < 5 && it->Valid(); ++step) {
          it->Prev();
          if (model_it == m.begin()) {
            ASSERT_FALSE(it->Valid());
            break;
          }
          --model_it;
          ASSERT_TRUE(it->Valid());
          ASSERT_EQ(it->key(), model_it->first);
          ASSERT_EQ(it->value(), model_it->second);
        }
      }
    }
    ASSERT_TRUE(it->status().ok());
  }
}

INSTANTIATE_TEST_SUITE_P(RestartIntervals, BlockRoundTripTest, ::testing::Values(1, 2, 16, 1000));

TEST(BlockTest, BytewiseOrder) {
  BlockBuilder b(3);
  std::vector<std::string> keys = {"", "a", "ab", "abc", "b", std::string("b\0", 2), "zz"};
  for (const auto& k : keys) b.Add(k, "v" + k);
  Block block(BlockContents{std::string(b.Finish())});
  auto it = block.NewIterator(BlockKeyOrder::kBytewise);
  it->Seek("abb");
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), "abc");
  it->Seek("");
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), "");
  it->Seek("zzz");
  EXPECT_FALSE(it->Valid());
  it->Seek(std::string("b\0", 2));
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->value(), "v" + std::string("b\0", 2));
}

TEST(BlockTest, MalformedRestartArrays) {
  for (std::string bytes : {std::string(), std::string("\x01"), std::string("\x01\x00\x00", 3),
                            // zero restarts
                            std::string(4, '\0'),
                            // restart count larger than the block
                            std::string("\x00\x00\x00\x00\x05\x00\x00\x00", 8)}) {
    Block block(BlockContents{bytes});
    EXPECT_FALSE(block.well_formed()) << bytes.size();
    auto it = block.NewIterator(BlockKeyOrder::kInternalKey);
    it->SeekToFirst();
    EXPECT_FALSE(it->Valid());
    EXPECT_TRUE(it->status().IsCorruption());
  }
}

TEST(BlockTest, EntryPastTheEndIsCorruption) {
  // One entry claiming a 100-byte value in a 20-byte block.
  std::string bytes;
  bytes.push_back(0);    // shared
  bytes.push_back(9);    // unshared
  bytes.push_back(100);  // value length
  bytes += IKey("x", 1);
  PutFixed32(&bytes, 0);
  PutFixed32(&bytes, 1);
  Block block(BlockContents{bytes});
  ASSERT_TRUE(block.well_formed());
  auto it = block.NewIterator(BlockKeyOrder::kInternalKey);
  it->SeekToFirst();
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().IsCorruption()) << it->status().ToString();
  // The failure is sticky.
  it->SeekToLast();
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().IsCorruption());
}

TEST(BlockTest, ShortInternalKeyIsCorruption) {
  BlockBuilder b(16);
  b.Add("abc", "v");  // not an internal key
  Block block(BlockContents{std::string(b.Finish())});
  auto it = block.NewIterator(BlockKeyOrder::kInternalKey);
  it->SeekToFirst();
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().IsCorruption());
  // Read as bytewise, the same block is fine.
  auto raw = block.NewIterator(BlockKeyOrder::kBytewise);
  raw->SeekToFirst();
  ASSERT_TRUE(raw->Valid());
  EXPECT_EQ(raw->key(), "abc");
}

// Every operation on a mutated block must terminate without reading out of
// bounds (AddressSanitizer checks the latter); errors must be Corruption.
TEST(BlockTest, MutatedBlocksNeverCrash) {
  std::mt19937_64 rng(99);
  Model m = RandomModel(rng, 200);
  BlockBuilder b(4);
  for (const auto& [k, v] : m) b.Add(k, v);
  const std::string good(b.Finish());
  for (int trial = 0; trial < 3000; ++trial) {
    std::string bytes = good;
    switch (trial % 3) {
      case 0:
        for (int flips = 1 + rng() % 4; flips > 0; --flips) {
          bytes[rng() % bytes.size()] ^= static_cast<char>(1 + rng() % 255);
        }
        break;
      case 1:
        bytes.resize(rng() % bytes.size());
        break;
      case 2:
        // Damage the restart array specifically.
        bytes[bytes.size() - 4 - 4 * (1 + rng() % 10) + rng() % 4] = static_cast<char>(rng());
        break;
    }
    // Exact-size heap copy so ASan sees any overread.
    Block block(BlockContents{std::string(bytes.data(), bytes.size())});
    auto it = block.NewIterator(BlockKeyOrder::kInternalKey);
    size_t steps = 0;
    for (it->SeekToFirst(); it->Valid() && steps < 10000; it->Next()) ++steps;
    for (it->SeekToLast(); it->Valid() && steps < 20000; it->Prev()) ++steps;
    it->Seek(IKey(RandomBytes(rng, 3, 4), 5));
    if (it->Valid()) {
      it->Next();
      if (it->Valid()) it->Prev();
    }
    EXPECT_TRUE(it->status().ok() || it->status().IsCorruption());
  }
}

TEST(SeparatorTest, SeparatesAndShortens) {
  // Shortened when there is room between the user keys.
  std::string last = IKey("abcdefgh", 5);
  std::string next = IKey("abzzzz", 9);
  std::string sep = IndexSeparator(last, next);
  EXPECT_LT(sep.size(), last.size());
  EXPECT_LE(CompareInternalKeys(last, sep), 0);
  EXPECT_LT(CompareInternalKeys(sep, next), 0);

  // Same user key, or one a prefix of the other: unchanged.
  EXPECT_EQ(IndexSeparator(IKey("k", 9), IKey("k", 3)), IKey("k", 9));
  EXPECT_EQ(IndexSeparator(IKey("ab", 1), IKey("abc", 1)), IKey("ab", 1));
  // Adjacent bytes: no room.
  EXPECT_EQ(IndexSeparator(IKey("a1", 1), IKey("b", 1)), IKey("a1", 1));

  std::string succ = IndexSuccessor(IKey("abc", 3));
  EXPECT_LE(CompareInternalKeys(IKey("abc", 3), succ), 0);
  EXPECT_EQ(ExtractUserKey(succ), "b");
  std::string ff = IKey(std::string(3, '\xff'), 1);
  EXPECT_EQ(IndexSuccessor(ff), ff);
}

TEST(SeparatorTest, RandomPairsKeepTheInvariant) {
  std::mt19937_64 rng(5);
  for (int i = 0; i < 20000; ++i) {
    std::string a = IKey(RandomBytes(rng, rng() % 6, i % 2 ? 256 : 3), rng() % 50);
    std::string b = IKey(RandomBytes(rng, rng() % 6, i % 2 ? 256 : 3), rng() % 50);
    int c = CompareInternalKeys(a, b);
    if (c == 0) continue;
    if (c > 0) std::swap(a, b);
    std::string sep = IndexSeparator(a, b);
    ASSERT_LE(CompareInternalKeys(a, sep), 0);
    ASSERT_LT(CompareInternalKeys(sep, b), 0);
    ASSERT_LE(sep.size(), a.size());
    std::string succ = IndexSuccessor(a);
    ASSERT_LE(CompareInternalKeys(a, succ), 0);
    ASSERT_LE(succ.size(), a.size());
  }
}

}  // namespace
}  // namespace strata
