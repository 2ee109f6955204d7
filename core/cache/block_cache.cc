#include "core/cache/block_cache.h"

#include <algorithm>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "core/checksum.h"
#include "core/coding.h"
#include "core/table/block.h"

namespace strata {

namespace {

constexpr int kMaxShardBits = 4;
constexpr size_t kMinShardBytes = 512 * 1024;

struct CacheKey {
  uint64_t id;
  uint64_t offset;
  bool operator==(const CacheKey&) const = default;
};

uint64_t HashKey(const CacheKey& key) {
  char buf[16];
  EncodeFixed64(buf, key.id);
  EncodeFixed64(buf + 8, key.offset);
  return Hash64(buf, sizeof(buf));
}

struct CacheKeyHash {
  size_t operator()(const CacheKey& key) const { return static_cast<size_t>(HashKey(key)); }
};

using Garbage = std::vector<std::shared_ptr<const Block>>;

}  // namespace

// One LRU partition. Its counters are atomics so GetStats can read them
// without the lock; they are only written under it.
class alignas(64) BlockCache::Shard {
 public:
  Shard() { lru_.prev = lru_.next = &lru_; }
  Shard(const Shard&) = delete;
  Shard& operator=(const Shard&) = delete;

  std::shared_ptr<const Block> Lookup(const CacheKey& key) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = map_.find(key);
    if (it == map_.end()) {
      Bump(misses);
      return nullptr;
    }
    Node* node = &it->second;
    Unlink(node);
    PushFront(node);
    Bump(hits);
    return node->block;
  }

  void Insert(const CacheKey& key, std::shared_ptr<const Block> block, size_t charge,
              size_t budget, Garbage* garbage) {
    std::lock_guard<std::mutex> lock(mu_);
    if (charge > budget) {
      // Caching it would evict the whole shard for one block that would then
      // be evicted itself at the next insert. Drop any stale copy.
      EraseLocked(key, garbage);
      return;
    }
    auto [it, inserted] = map_.try_emplace(key);
    Node* node = &it->second;
    if (inserted) {
      node->key = key;
      entries.store(entries.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    } else {
      Unlink(node);
      SetUsage(usage.load(std::memory_order_relaxed) - node->charge);
      garbage->push_back(std::move(node->block));
    }
    node->block = std::move(block);
    node->charge = charge;
    PushFront(node);
    SetUsage(usage.load(std::memory_order_relaxed) + charge);
    Bump(inserts);
    EvictToLocked(budget, garbage);
  }

  void Erase(const CacheKey& key, Garbage* garbage) {
    std::lock_guard<std::mutex> lock(mu_);
    EraseLocked(key, garbage);
  }

  void EvictTo(size_t budget, Garbage* garbage) {
    std::lock_guard<std::mutex> lock(mu_);
    EvictToLocked(budget, garbage);
  }

  std::atomic<uint64_t> hits{0};
  std::atomic<uint64_t> misses{0};
  std::atomic<uint64_t> inserts{0};
  std::atomic<uint64_t> evictions{0};
  std::atomic<size_t> usage{0};
  std::atomic<size_t> entries{0};

 private:
  struct Node {
    CacheKey key{};
    std::shared_ptr<const Block> block;
    size_t charge = 0;
    Node* prev = nullptr;
    Node* next = nullptr;
  };

  // Single writer (we hold mu_), so load + store needs no read-modify-write.
  template <typename T>
  static void Bump(std::atomic<T>& counter) {
    counter.store(counter.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }
  void SetUsage(size_t v) { usage.store(v, std::memory_order_relaxed); }

  static void Unlink(Node* node) {
    node->prev->next = node->next;
    node->next->prev = node->prev;
  }
  void PushFront(Node* node) {
    node->next = lru_.next;
    node->prev = &lru_;
    lru_.next->prev = node;
    lru_.next = node;
  }

  // Removes node from the list and the map; its block goes to *garbage so
  // that freeing it (possibly megabytes) happens after the lock is dropped.
  void RemoveLocked(Node* node, Garbage* garbage) {
    Unlink(node);
    SetUsage(usage.load(std::memory_order_relaxed) - node->charge);
    entries.store(entries.load(std::memory_order_relaxed) - 1, std::memory_order_relaxed);
    garbage->push_back(std::move(node->block));
    map_.erase(node->key);  // destroys *node
  }

  void EraseLocked(const CacheKey& key, Garbage* garbage) {
    auto it = map_.find(key);
    if (it != map_.end()) RemoveLocked(&it->second, garbage);
  }

  void EvictToLocked(size_t budget, Garbage* garbage) {
    while (usage.load(std::memory_order_relaxed) > budget && lru_.prev != &lru_) {
      RemoveLocked(lru_.prev, garbage);
      Bump(evictions);
    }
  }

  std::mutex mu_;
  // unordered_map never moves its elements, so list links into them stay
  // valid across rehashing.
  std::unordered_map<CacheKey, Node, CacheKeyHash> map_;
  Node lru_;  // sentinel: lru_.next is the most recently used, lru_.prev the least
};

BlockCache::BlockCache(size_t capacity_bytes, int shard_bits) : capacity_(capacity_bytes) {
  if (shard_bits < 0) {
    shard_bits = 0;
    while (shard_bits < kMaxShardBits && (capacity_ >> (shard_bits + 1)) >= kMinShardBytes) {
      ++shard_bits;
    }
  }
  shard_bits_ = std::min(shard_bits, kMaxShardBits);
  num_shards_ = 1 << shard_bits_;
  shards_ = std::make_unique<Shard[]>(static_cast<size_t>(num_shards_));
}

BlockCache::~BlockCache() = default;

BlockCache::Shard& BlockCache::ShardFor(uint64_t hash) const {
  // The top bits: the map inside the shard uses the low ones.
  return shard_bits_ == 0 ? shards_[0] : shards_[hash >> (64 - shard_bits_)];
}

size_t BlockCache::ShardBudget() const {
  const size_t reserved = reserved_.load(std::memory_order_relaxed);
  return reserved >= capacity_ ? 0 : (capacity_ - reserved) / static_cast<size_t>(num_shards_);
}

std::shared_ptr<const Block> BlockCache::Lookup(uint64_t id, uint64_t offset) {
  const CacheKey key{id, offset};
  return ShardFor(HashKey(key)).Lookup(key);
}

void BlockCache::Insert(uint64_t id, uint64_t offset, std::shared_ptr<const Block> block,
                        size_t charge) {
  if (capacity_ == 0) return;
  const CacheKey key{id, offset};
  Garbage garbage;
  ShardFor(HashKey(key)).Insert(key, std::move(block), charge, ShardBudget(), &garbage);
}

void BlockCache::Erase(uint64_t id, uint64_t offset) {
  const CacheKey key{id, offset};
  Garbage garbage;
  ShardFor(HashKey(key)).Erase(key, &garbage);
}

BlockCache::Reservation BlockCache::Reserve(size_t bytes) {
  reserved_.fetch_add(bytes, std::memory_order_relaxed);
  const size_t budget = ShardBudget();
  for (int i = 0; i < num_shards_; ++i) {
    Garbage garbage;
    shards_[i].EvictTo(budget, &garbage);
  }
  return Reservation(this, bytes);
}

void BlockCache::ReleaseReservation(size_t bytes) {
  reserved_.fetch_sub(bytes, std::memory_order_relaxed);
}

BlockCache::Reservation& BlockCache::Reservation::operator=(Reservation&& other) noexcept {
  if (this != &other) {
    Release();
    cache_ = other.cache_;
    bytes_ = other.bytes_;
    other.cache_ = nullptr;
    other.bytes_ = 0;
  }
  return *this;
}

void BlockCache::Reservation::Release() {
  if (cache_ != nullptr) cache_->ReleaseReservation(bytes_);
  cache_ = nullptr;
  bytes_ = 0;
}

BlockCache::Stats BlockCache::GetStats() const {
  Stats s;
  for (int i = 0; i < num_shards_; ++i) {
    const Shard& shard = shards_[i];
    s.hits += shard.hits.load(std::memory_order_relaxed);
    s.misses += shard.misses.load(std::memory_order_relaxed);
    s.inserts += shard.inserts.load(std::memory_order_relaxed);
    s.evictions += shard.evictions.load(std::memory_order_relaxed);
    s.bytes_in_use += shard.usage.load(std::memory_order_relaxed);
    s.entries += shard.entries.load(std::memory_order_relaxed);
  }
  s.reserved_bytes = reserved_.load(std::memory_order_relaxed);
  s.capacity = capacity_;
  return s;
}

}  // namespace strata
