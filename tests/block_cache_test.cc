// The block cache: LRU order, the byte budget, reservations, counters, and
// blocks staying valid for their holders after eviction.
#include "core/cache/block_cache.h"

#include <gtest/gtest.h>

#include <random>
#include <thread>
#include <vector>

#include "core/table/block.h"
#include "core/table/block_builder.h"

namespace strata {
namespace {

// A small well-formed block whose single key tells which block it is.
std::shared_ptr<const Block> MakeBlock(const std::string& tag) {
  BlockBuilder b(16);
  b.Add(tag, "value of " + tag);
  return std::make_shared<const Block>(BlockContents{std::string(b.Finish())});
}

std::string TagOf(const std::shared_ptr<const Block>& block) {
  auto it = block->NewIterator(BlockKeyOrder::kBytewise);
  it->SeekToFirst();
  return it->Valid() ? std::string(it->key()) : "";
}

TEST(BlockCacheTest, HitsAndMisses) {
  BlockCache cache(1 << 20, 0);
  EXPECT_EQ(cache.Lookup(1, 0), nullptr);
  cache.Insert(1, 0, MakeBlock("a"), 100);
  cache.Insert(1, 4096, MakeBlock("b"), 100);
  cache.Insert(2, 0, MakeBlock("c"), 100);  // same offset, other table
  EXPECT_EQ(TagOf(cache.Lookup(1, 0)), "a");
  EXPECT_EQ(TagOf(cache.Lookup(1, 4096)), "b");
  EXPECT_EQ(TagOf(cache.Lookup(2, 0)), "c");
  EXPECT_EQ(cache.Lookup(2, 4096), nullptr);
  BlockCache::Stats s = cache.GetStats();
  EXPECT_EQ(s.hits, 3u);
  EXPECT_EQ(s.misses, 2u);
  EXPECT_EQ(s.inserts, 3u);
  EXPECT_EQ(s.evictions, 0u);
  EXPECT_EQ(s.bytes_in_use, 300u);
  EXPECT_EQ(s.entries, 3u);
  EXPECT_EQ(s.capacity, size_t{1 << 20});

  cache.Erase(1, 0);
  EXPECT_EQ(cache.Lookup(1, 0), nullptr);
  EXPECT_EQ(cache.GetStats().bytes_in_use, 200u);
}

TEST(BlockCacheTest, ReplacingAnEntryUpdatesItsCharge) {
  BlockCache cache(1000, 0);
  cache.Insert(1, 0, MakeBlock("old"), 400);
  cache.Insert(1, 0, MakeBlock("new"), 100);
  EXPECT_EQ(TagOf(cache.Lookup(1, 0)), "new");
  EXPECT_EQ(cache.GetStats().bytes_in_use, 100u);
  EXPECT_EQ(cache.GetStats().entries, 1u);
}

TEST(BlockCacheTest, EvictsLeastRecentlyUsedWithinBudget) {
  BlockCache cache(1000, 0);  // one shard: exact LRU
  for (uint64_t i = 0; i < 10; ++i) cache.Insert(1, i, MakeBlock(std::to_string(i)), 100);
  EXPECT_EQ(cache.GetStats().bytes_in_use, 1000u);
  EXPECT_EQ(cache.GetStats().evictions, 0u);

  // Touch 0 so that 1 is now the oldest.
  ASSERT_NE(cache.Lookup(1, 0), nullptr);
  cache.Insert(1, 10, MakeBlock("10"), 100);
  EXPECT_EQ(cache.GetStats().evictions, 1u);
  EXPECT_NE(cache.Lookup(1, 0), nullptr);
  EXPECT_EQ(cache.Lookup(1, 1), nullptr);
  EXPECT_LE(cache.GetStats().bytes_in_use, 1000u);

  // A big entry pushes out as many as it needs.
  cache.Insert(1, 11, MakeBlock("11"), 450);
  BlockCache::Stats s = cache.GetStats();
  EXPECT_LE(s.bytes_in_use, 1000u);
  EXPECT_EQ(s.evictions, 1u + 5u);
  EXPECT_EQ(cache.Lookup(1, 2), nullptr);
  EXPECT_NE(cache.Lookup(1, 11), nullptr);

  // Larger than the whole budget: not cached at all.
  cache.Insert(1, 12, MakeBlock("12"), 1001);
  EXPECT_EQ(cache.Lookup(1, 12), nullptr);
  EXPECT_LE(cache.GetStats().bytes_in_use, 1000u);
}

TEST(BlockCacheTest, EvictedBlocksStayValidForTheirHolders) {
  BlockCache cache(100, 0);
  cache.Insert(1, 0, MakeBlock("pinned"), 100);
  std::shared_ptr<const Block> held = cache.Lookup(1, 0);
  // A reader pins the block it walks as a table's iterator does.
  std::shared_ptr<const Block> pinned = cache.Lookup(1, 0);
  auto iter = pinned->NewIterator(BlockKeyOrder::kBytewise);
  cache.Insert(1, 1, MakeBlock("other"), 100);  // evicts "pinned"
  EXPECT_EQ(cache.Lookup(1, 0), nullptr);
  EXPECT_EQ(TagOf(held), "pinned");
  held.reset();
  iter->SeekToFirst();
  ASSERT_TRUE(iter->Valid());
  EXPECT_EQ(iter->key(), "pinned");
  EXPECT_EQ(iter->value(), "value of pinned");
}

TEST(BlockCacheTest, ZeroCapacityCachesNothing) {
  BlockCache cache(0);
  cache.Insert(1, 0, MakeBlock("a"), 1);
  EXPECT_EQ(cache.Lookup(1, 0), nullptr);
  EXPECT_EQ(cache.GetStats().bytes_in_use, 0u);
  EXPECT_EQ(cache.GetStats().inserts, 0u);
  EXPECT_EQ(cache.GetStats().misses, 1u);
}

TEST(BlockCacheTest, ReservationsShrinkTheBudget) {
  BlockCache cache(1000, 0);
  for (uint64_t i = 0; i < 10; ++i) cache.Insert(1, i, MakeBlock("x"), 100);
  {
    BlockCache::Reservation r = cache.Reserve(300);
    EXPECT_EQ(r.bytes(), 300u);
    BlockCache::Stats s = cache.GetStats();
    EXPECT_EQ(s.reserved_bytes, 300u);
    EXPECT_LE(s.bytes_in_use, 700u);
    EXPECT_EQ(s.evictions, 3u);
    // The oldest went first.
    EXPECT_EQ(cache.Lookup(1, 0), nullptr);
    EXPECT_NE(cache.Lookup(1, 9), nullptr);
    BlockCache::Reservation moved = std::move(r);
    EXPECT_EQ(cache.GetStats().reserved_bytes, 300u);
  }
  EXPECT_EQ(cache.GetStats().reserved_bytes, 0u);
  for (uint64_t i = 20; i < 30; ++i) cache.Insert(1, i, MakeBlock("y"), 100);
  EXPECT_EQ(cache.GetStats().bytes_in_use, 1000u);

  // Reserving more than the capacity leaves no room for blocks.
  BlockCache::Reservation all = cache.Reserve(5000);
  EXPECT_EQ(cache.GetStats().bytes_in_use, 0u);
  cache.Insert(1, 99, MakeBlock("z"), 1);
  EXPECT_EQ(cache.Lookup(1, 99), nullptr);
}

TEST(BlockCacheTest, ShardCountFollowsCapacity) {
  EXPECT_EQ(BlockCache(0).num_shards(), 1);
  EXPECT_EQ(BlockCache(1 << 20).num_shards(), 2);
  EXPECT_EQ(BlockCache(64 << 20).num_shards(), 16);
  EXPECT_EQ(BlockCache(64 << 20, 2).num_shards(), 4);
}

TEST(BlockCacheTest, NewIdsAreUnique) {
  BlockCache cache(1000);
  uint64_t a = cache.NewId();
  uint64_t b = cache.NewId();
  EXPECT_NE(a, 0u);
  EXPECT_NE(a, b);
}

TEST(BlockCacheTest, ShardedBudgetHoldsUnderConcurrency) {
  const size_t capacity = 8 << 20;
  BlockCache cache(capacity);
  ASSERT_EQ(cache.num_shards(), 16);
  std::vector<std::shared_ptr<const Block>> blocks;
  for (int i = 0; i < 64; ++i) blocks.push_back(MakeBlock(std::to_string(i)));

  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937_64 rng(t);
      for (int i = 0; i < 50000; ++i) {
        uint64_t offset = rng() % 4096;
        if (auto b = cache.Lookup(1, offset)) {
          // Values are never mixed up between keys.
          ASSERT_EQ(TagOf(b), std::to_string(offset % 64));
        } else {
          cache.Insert(1, offset, blocks[offset % 64], 4096 + rng() % 8192);
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  BlockCache::Stats s = cache.GetStats();
  EXPECT_LE(s.bytes_in_use, capacity);
  EXPECT_GT(s.evictions, 0u);
  EXPECT_EQ(s.hits + s.misses, 4u * 50000u);
  // Racing misses may insert the same key twice (a replacement), never lose one.
  EXPECT_GE(s.inserts - s.evictions, s.entries);
}

}  // namespace
}  // namespace strata
