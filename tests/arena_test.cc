// Tests for core/arena.h: allocations are disjoint, aligned and durable, large
// requests get their own block, and the usage figure is honest and readable
// from another thread.
#include "core/arena.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <random>
#include <thread>
#include <vector>

namespace strata {
namespace {

bool IsAligned(const char* p, size_t alignment) {
  return reinterpret_cast<uintptr_t>(p) % alignment == 0;
}

TEST(ArenaTest, NewArenaUsesNoMemory) {
  Arena arena;
  EXPECT_EQ(arena.MemoryUsage(), 0u);
}

TEST(ArenaTest, AllocationsAreDisjointAlignedAndKeepTheirContents) {
  struct Allocation {
    char* data;
    size_t size;
    unsigned char fill;
  };
  Arena arena;
  std::mt19937 rng(301);
  std::vector<Allocation> allocations;
  size_t requested = 0;
  for (int i = 0; i < 20000; ++i) {
    size_t size;
    switch (rng() % 10) {
      case 0:
        size = 0;
        break;
      case 1:
        size = 1000 + rng() % 20000;  // often above the large-request threshold
        break;
      default:
        size = 1 + rng() % 200;
    }
    char* p;
    if (rng() % 2 == 0) {
      const size_t alignment = size_t{1} << (rng() % 5);  // 1 .. 16
      p = arena.AllocateAligned(size, alignment);
      ASSERT_TRUE(IsAligned(p, alignment)) << "alignment " << alignment;
    } else {
      p = arena.Allocate(size);
    }
    ASSERT_NE(p, nullptr);
    const auto fill = static_cast<unsigned char>(i);
    std::memset(p, fill, size);
    allocations.push_back({p, size, fill});
    requested += size;
    ASSERT_GE(arena.MemoryUsage(), requested);
  }
  // Any overlap would have let a later memset overwrite an earlier block.
  for (const Allocation& a : allocations) {
    for (size_t j = 0; j < a.size; ++j) {
      ASSERT_EQ(static_cast<unsigned char>(a.data[j]), a.fill);
    }
  }
}

TEST(ArenaTest, ZeroByteAllocationsAreDistinct) {
  Arena arena;
  char* a = arena.Allocate(0);
  char* b = arena.Allocate(0);
  char* c = arena.AllocateAligned(0, 8);
  char* d = arena.AllocateAligned(0, 8);
  EXPECT_NE(a, nullptr);
  EXPECT_NE(a, b);
  EXPECT_NE(c, d);
}

TEST(ArenaTest, MixedAlignedAndUnalignedRequestsShareABlockWithoutPadding) {
  Arena arena;
  // Odd-sized unaligned requests must not disturb the alignment of the
  // aligned ones, which are taken from the other end of the block.
  for (int i = 0; i < 100; ++i) {
    arena.Allocate(3);
    char* p = arena.AllocateAligned(8, 8);
    EXPECT_TRUE(IsAligned(p, 8));
  }
  // 100 * (3 + 8) bytes fit in one block.
  EXPECT_EQ(arena.MemoryUsage(), Arena::kBlockBytes + Arena::kBlockOverheadBytes);
}

TEST(ArenaTest, LargeRequestGetsItsOwnBlockAndKeepsTheCurrentOne) {
  Arena arena;
  arena.Allocate(100);
  const size_t one_block = arena.MemoryUsage();
  EXPECT_EQ(one_block, Arena::kBlockBytes + Arena::kBlockOverheadBytes);

  constexpr size_t kBig = 3u << 20;  // a 3 MiB value
  char* big = arena.Allocate(kBig);
  // Exactly its size plus bookkeeping: no rounding to blocks.
  EXPECT_EQ(arena.MemoryUsage(), one_block + kBig + Arena::kBlockOverheadBytes);
  std::memset(big, 0x5a, kBig);

  // The small block was not abandoned for the large request.
  arena.Allocate(100);
  EXPECT_EQ(arena.MemoryUsage(), one_block + kBig + Arena::kBlockOverheadBytes);

  char* big_aligned = arena.AllocateAligned(kBig, 16);
  EXPECT_TRUE(IsAligned(big_aligned, 16));
  std::memset(big_aligned, 0xa5, kBig);
  for (size_t i = 0; i < kBig; i += 4093) {
    ASSERT_EQ(static_cast<unsigned char>(big[i]), 0x5a);
    ASSERT_EQ(static_cast<unsigned char>(big_aligned[i]), 0xa5);
  }
}

TEST(ArenaTest, WasteIsBoundedForSmallRequests) {
  Arena arena;
  std::mt19937 rng(7);
  size_t requested = 0;
  for (int i = 0; i < 50000; ++i) {
    size_t size = 1 + rng() % (Arena::kBlockBytes / 4);  // all "small"
    arena.Allocate(size);
    requested += size;
  }
  // A block is abandoned only when less than a quarter block is left in it,
  // so at least three quarters of every block is used.
  EXPECT_GE(arena.MemoryUsage(), requested);
  constexpr size_t kBlockCost = Arena::kBlockBytes + Arena::kBlockOverheadBytes;
  constexpr size_t kMinUsedPerBlock = Arena::kBlockBytes * 3 / 4;
  EXPECT_LE(arena.MemoryUsage(), requested * kBlockCost / kMinUsedPerBlock + 2 * kBlockCost);
}

TEST(ArenaTest, MemoryUsageIsReadableWhileAllocating) {
  Arena arena;
  std::atomic<bool> done{false};
  size_t last_seen = 0;
  bool went_backwards = false;
  std::thread observer([&] {
    while (!done.load(std::memory_order_acquire)) {
      size_t now = arena.MemoryUsage();
      if (now < last_seen) went_backwards = true;
      last_seen = now;
    }
  });
  for (int i = 0; i < 20000; ++i) arena.Allocate(1 + i % 700);
  done.store(true, std::memory_order_release);
  observer.join();
  EXPECT_FALSE(went_backwards);
  EXPECT_LE(last_seen, arena.MemoryUsage());
  EXPECT_GT(arena.MemoryUsage(), 0u);
}

}  // namespace
}  // namespace strata
