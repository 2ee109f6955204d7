#include "core/cache/block_cache.h"

#include <algorithm>
#include <vector>

#include "core/checksum.h"
#include "core/coding.h"
#include "core/mutex.h"
#include "core/table/block.h"
#include "core/thread_annotations.h"

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

using Garbage = std::vector<std::shared_ptr<const Block>>;

}  // namespace

// One LRU partition. Its counters are atomics so GetStats can read them
// without the lock; they are only written under it.
//
// Entries live in separately allocated nodes (stable addresses for the LRU
// links), found through an open-addressing index of (hash, node) slots with
// linear probing: a lookup usually reads one slot and then the node it
// needs anyway, where a node-based hash map chases a bucket, a list link and
// the node before it can compare a key.
class alignas(64) BlockCache::Shard {
 public:
  Shard() { lru_.prev = lru_.next = &lru_; }
  Shard(const Shard&) = delete;
  Shard& operator=(const Shard&) = delete;
  ~Shard() {
    for (Node* n = lru_.next; n != &lru_;) {
      Node* next = n->next;
      delete n;
      n = next;
    }
  }

  std::shared_ptr<const Block> Lookup(const CacheKey& key, uint64_t hash) EXCLUDES(mu_) {
    MutexLock lock(mu_);
    Node* node = FindLocked(key, hash);
    if (node == nullptr) {
      Bump(misses);
      return nullptr;
    }
    Unlink(node);
    PushFront(node);
    Bump(hits);
    return node->block;
  }

  void Insert(const CacheKey& key, uint64_t hash, std::shared_ptr<const Block> block,
              size_t charge, size_t budget, Garbage* garbage) EXCLUDES(mu_) {
    MutexLock lock(mu_);
    if (charge > budget) {
      // Caching it would evict the whole shard for one block that would then
      // be evicted itself at the next insert. Drop any stale copy.
      EraseLocked(key, hash, garbage);
      return;
    }
    Node* node = FindLocked(key, hash);
    if (node == nullptr) {
      node = new Node();
      node->key = key;
      node->hash = hash;
      AddToIndex(node);
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

  void Erase(const CacheKey& key, uint64_t hash, Garbage* garbage) EXCLUDES(mu_) {
    MutexLock lock(mu_);
    EraseLocked(key, hash, garbage);
  }

  void EvictTo(size_t budget, Garbage* garbage) EXCLUDES(mu_) {
    MutexLock lock(mu_);
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
    uint64_t hash = 0;
    std::shared_ptr<const Block> block;
    size_t charge = 0;
    Node* prev = nullptr;
    Node* next = nullptr;
  };
  // An index slot: empty (node null), a tombstone (a deleted entry that
  // probes must step over), or a live node.
  struct Slot {
    uint64_t hash = 0;
    Node* node = nullptr;
  };
  static Node* Tombstone() {
    static Node tombstone;
    return &tombstone;
  }

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
  void PushFront(Node* node) REQUIRES(mu_) {
    node->next = lru_.next;
    node->prev = &lru_;
    lru_.next->prev = node;
    lru_.next = node;
  }

  // The slot holding key, or the slots' size when absent. The index's low
  // hash bits pick the home slot (the shard was picked by the high ones).
  size_t FindSlot(const CacheKey& key, uint64_t hash) const REQUIRES(mu_) {
    if (slots_.empty()) return 0;
    const size_t mask = slots_.size() - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
      const Slot& slot = slots_[i];
      if (slot.node == nullptr) return slots_.size();
      if (slot.hash == hash && slot.node != Tombstone() && slot.node->key == key) return i;
    }
  }

  Node* FindLocked(const CacheKey& key, uint64_t hash) const REQUIRES(mu_) {
    const size_t i = FindSlot(key, hash);
    return i == slots_.size() ? nullptr : slots_[i].node;
  }

  void AddToIndex(Node* node) REQUIRES(mu_) {
    // Keep at least a quarter of the slots empty (tombstones count as used),
    // so probes stay short and always end.
    if ((used_slots_ + 1) * 4 > slots_.size() * 3) Rehash();
    const size_t mask = slots_.size() - 1;
    size_t i = node->hash & mask;
    while (slots_[i].node != nullptr && slots_[i].node != Tombstone()) i = (i + 1) & mask;
    if (slots_[i].node == nullptr) ++used_slots_;
    slots_[i] = {node->hash, node};
  }

  // Rebuilds the index without tombstones, sized for twice the live entries.
  void Rehash() REQUIRES(mu_) {
    const size_t live = entries.load(std::memory_order_relaxed);
    size_t capacity = 16;
    while (capacity < (live + 1) * 2) capacity *= 2;
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(capacity, Slot{});
    used_slots_ = 0;
    const size_t mask = capacity - 1;
    for (const Slot& slot : old) {
      if (slot.node == nullptr || slot.node == Tombstone()) continue;
      size_t i = slot.hash & mask;
      while (slots_[i].node != nullptr) i = (i + 1) & mask;
      slots_[i] = slot;
      ++used_slots_;
    }
  }

  // Removes node from the list and the index; its block goes to *garbage so
  // that freeing it (possibly megabytes) happens after the lock is dropped.
  void RemoveLocked(Node* node, Garbage* garbage) REQUIRES(mu_) {
    Unlink(node);
    SetUsage(usage.load(std::memory_order_relaxed) - node->charge);
    entries.store(entries.load(std::memory_order_relaxed) - 1, std::memory_order_relaxed);
    garbage->push_back(std::move(node->block));
    const size_t i = FindSlot(node->key, node->hash);
    if (i != slots_.size()) slots_[i].node = Tombstone();
    delete node;
  }

  void EraseLocked(const CacheKey& key, uint64_t hash, Garbage* garbage) REQUIRES(mu_) {
    if (Node* node = FindLocked(key, hash)) RemoveLocked(node, garbage);
  }

  void EvictToLocked(size_t budget, Garbage* garbage) REQUIRES(mu_) {
    while (usage.load(std::memory_order_relaxed) > budget && lru_.prev != &lru_) {
      RemoveLocked(lru_.prev, garbage);
      Bump(evictions);
    }
  }

  Mutex mu_;
  std::vector<Slot> slots_ GUARDED_BY(mu_);  // power-of-two size, or empty
  size_t used_slots_ GUARDED_BY(mu_) = 0;    // live entries and tombstones
  // Sentinel: lru_.next is the most recently used, lru_.prev the least.
  Node lru_ GUARDED_BY(mu_);
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
  const uint64_t hash = HashKey(key);
  return ShardFor(hash).Lookup(key, hash);
}

void BlockCache::Insert(uint64_t id, uint64_t offset, std::shared_ptr<const Block> block,
                        size_t charge) {
  if (capacity_ == 0) return;
  const CacheKey key{id, offset};
  Garbage garbage;
  const uint64_t hash = HashKey(key);
  ShardFor(hash).Insert(key, hash, std::move(block), charge, ShardBudget(), &garbage);
}

void BlockCache::Erase(uint64_t id, uint64_t offset) {
  const CacheKey key{id, offset};
  Garbage garbage;
  const uint64_t hash = HashKey(key);
  ShardFor(hash).Erase(key, hash, &garbage);
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
