// SlabPool: slabs given back are handed out again, up to the bound, and an
// arena with a pool returns its slabs there when it dies.
#include "core/slab_pool.h"

#include <gtest/gtest.h>

#include <cstring>
#include <set>
#include <thread>
#include <vector>

#include "core/arena.h"

namespace strata {
namespace {

TEST(SlabPoolTest, AGivenSlabIsTakenAgainWithItsPagesInPlace) {
  SlabPool pool(4 * SlabPool::kSlabBytes);
  char* slab = pool.Take();
  std::memset(slab, 'x', SlabPool::kSlabBytes);  // every byte writable
  pool.Give(slab);
  EXPECT_EQ(pool.kept(), 1u);
  char* again = pool.Take();
  EXPECT_EQ(again, slab);
  EXPECT_EQ(again[SlabPool::kSlabBytes - 1], 'x');  // not a new mapping
  EXPECT_EQ(pool.kept(), 0u);
  pool.Give(again);
}

TEST(SlabPoolTest, KeepsNoMoreThanItsBound) {
  SlabPool pool(3 * SlabPool::kSlabBytes);
  std::vector<char*> slabs;
  for (int i = 0; i < 5; ++i) slabs.push_back(pool.Take());
  for (char* slab : slabs) pool.Give(slab);
  EXPECT_EQ(pool.kept(), 3u);
}

TEST(SlabPoolTest, ABoundBelowOneSlabKeepsNothing) {
  SlabPool pool(SlabPool::kSlabBytes - 1);
  pool.Give(pool.Take());
  EXPECT_EQ(pool.kept(), 0u);
}

TEST(SlabPoolTest, ThreadsTakeAndGiveConcurrently) {
  SlabPool pool(8 * SlabPool::kSlabBytes);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&pool, t] {
      for (int i = 0; i < 200; ++i) {
        char* a = pool.Take();
        char* b = pool.Take();
        a[0] = static_cast<char>(t);
        b[0] = static_cast<char>(t);
        EXPECT_NE(a, b);
        pool.Give(a);
        pool.Give(b);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_LE(pool.kept(), 8u);
}

TEST(SlabPoolTest, AnArenaGivesItsSlabsBackAndTheNextReusesThem) {
  auto pool = std::make_shared<SlabPool>(64 * SlabPool::kSlabBytes);
  std::set<char*> first_slabs;
  {
    Arena arena(pool);
    // Regular blocks, enough for several slabs, and one block of its own
    // (mapped alone, never pooled).
    for (size_t i = 0; i < 3 * SlabPool::kSlabBytes / 1000; ++i) arena.Allocate(1000);
    arena.Allocate(1 << 20);
  }
  const size_t kept = pool->kept();
  EXPECT_GE(kept, 3u);
  EXPECT_LE(kept, 7u);
  std::vector<char*> taken;
  for (size_t i = 0; i < kept; ++i) taken.push_back(pool->Take());
  for (char* slab : taken) first_slabs.insert(slab);
  for (char* slab : taken) pool->Give(slab);
  {
    Arena arena(pool);
    char* p = arena.Allocate(16);
    // The new arena's first block lies in one of the kept slabs.
    bool in_kept = false;
    for (char* slab : first_slabs) {
      if (p >= slab && p < slab + SlabPool::kSlabBytes) in_kept = true;
    }
    EXPECT_TRUE(in_kept);
    EXPECT_EQ(pool->kept(), kept - 1);
  }
  EXPECT_EQ(pool->kept(), kept);
}

}  // namespace
}  // namespace strata
