// BlockCache: a sharded LRU cache of decoded table blocks, bounded in bytes.
//
// Keys are (cache id, block offset): every TableReader takes a fresh id from
// NewId(), so blocks of different tables, or of a table reopened after its
// file number was reused, never collide. Values are shared_ptr<const Block>:
// a reader that got a block keeps it valid however long it holds it, even if
// the cache evicts it meanwhile, so eviction never invalidates memory in use.
// (Such a block is no longer counted here: the budget bounds what the cache
// holds, and pinned blocks are bounded by the iterators that pin them.)
//
// Each of up to 16 shards is a mutex, a hash map and an intrusive LRU list;
// the key's hash picks the shard, so concurrent readers of different blocks
// rarely contend. The byte budget is split evenly among shards, and the
// number of shards is chosen so that each gets at least 512 KiB (a tiny cache
// with 16 shards could hold almost nothing).
//
// Reservations: a table reader keeps its index and filter blocks in memory
// for as long as it is open rather than caching them (a lookup must never
// wait to re-read them), and charges their bytes to the cache with Reserve().
// Reserved bytes shrink the budget left for blocks, so the configured budget
// bounds index + filter + cached data blocks together.
//
// A capacity of 0 disables caching: Insert keeps nothing and Lookup misses.
//
// Thread safety: every method is safe to call from many threads at once.
// Counters are read without locks and may be momentarily inconsistent with
// one another. Lifetime: the cache must outlive every reservation and every
// TableReader that uses it.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace strata {

class Block;

class BlockCache {
 public:
  // shard_bits < 0 picks the number of shards from the capacity (at most
  // 2^4); 0 makes one shard, which gives an exact LRU (tests).
  explicit BlockCache(size_t capacity_bytes, int shard_bits = -1);
  ~BlockCache();
  BlockCache(const BlockCache&) = delete;
  BlockCache& operator=(const BlockCache&) = delete;

  // A fresh cache id for a table reader; never 0, never repeated.
  uint64_t NewId() { return next_id_.fetch_add(1, std::memory_order_relaxed); }

  // The cached block, or null on a miss.
  std::shared_ptr<const Block> Lookup(uint64_t id, uint64_t offset);

  // Caches `block` under (id, offset), replacing any block already there, and
  // evicts least recently used blocks of its shard until the shard fits its
  // budget. A block larger than a shard's whole budget is not cached.
  // `charge` is the memory the block holds (Block::charge()).
  void Insert(uint64_t id, uint64_t offset, std::shared_ptr<const Block> block, size_t charge);

  // Drops (id, offset) if cached.
  void Erase(uint64_t id, uint64_t offset);

  // Bytes charged against the budget without being cached. Releases its
  // charge when destroyed. Move-only.
  class Reservation {
   public:
    Reservation() = default;
    Reservation(Reservation&& other) noexcept { *this = std::move(other); }
    Reservation& operator=(Reservation&& other) noexcept;
    ~Reservation() { Release(); }
    size_t bytes() const { return bytes_; }

   private:
    friend class BlockCache;
    Reservation(BlockCache* cache, size_t bytes) : cache_(cache), bytes_(bytes) {}
    void Release();
    BlockCache* cache_ = nullptr;
    size_t bytes_ = 0;
  };
  // Charges `bytes` to the budget, evicting blocks now to make room.
  Reservation Reserve(size_t bytes);

  struct Stats {
    uint64_t hits = 0;
    uint64_t misses = 0;
    uint64_t inserts = 0;
    uint64_t evictions = 0;   // blocks dropped to respect the budget
    size_t bytes_in_use = 0;  // charges of the blocks cached now
    size_t reserved_bytes = 0;
    size_t entries = 0;
    size_t capacity = 0;
  };
  Stats GetStats() const;

  size_t capacity() const { return capacity_; }
  int num_shards() const { return num_shards_; }

 private:
  class Shard;

  Shard& ShardFor(uint64_t hash) const;
  // The budget of each shard: (capacity - reserved) / shards, at least 0.
  size_t ShardBudget() const;
  void ReleaseReservation(size_t bytes);

  const size_t capacity_;
  int shard_bits_ = 0;
  int num_shards_ = 1;
  std::unique_ptr<Shard[]> shards_;
  std::atomic<uint64_t> next_id_{1};
  std::atomic<size_t> reserved_{0};
};

}  // namespace strata
