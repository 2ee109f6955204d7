// Arena: a bump allocator for memory that lives exactly as long as its owner.
//
// A memtable allocates every entry and every container node here and frees
// nothing until the memtable itself dies, so per-allocation bookkeeping would
// be pure overhead: the arena carves requests out of 4 KiB blocks and releases
// all blocks at once in its destructor.
//
// Two ends of a block are used: aligned requests (container nodes holding
// pointers) are taken from the front, unaligned ones (encoded entries, which
// are plain bytes) from the back. Mixing the two therefore never spends bytes
// on alignment padding.
//
// Requests larger than a quarter block get a block of their own, sized
// exactly. That bounds the waste at the tail of a block to a quarter block
// and lets a single multi-megabyte value cost only its own size.
//
// Regular blocks are carved from 256 KiB slabs mapped straight from the
// operating system, or taken from a SlabPool when the arena has one (a
// database's memtables share one, so a dead memtable's slabs serve the
// next), and large blocks of 64 KiB or more are mapped on their own; all are
// unmapped, or the slabs given back to the pool, when the arena dies. Why not malloc: a memtable frees
// tens of megabytes of 4 KiB blocks at once, and glibc's malloc keeps such
// memory in its heap without reusing it well, so the process's resident
// size grew by a memtable's worth over and over (measured: 80 MiB above the
// live memtables after a 2-million-key fill). Untouched slab pages cost no
// memory, and MemoryUsage counts blocks handed out, not slabs.
//
// Thread safety: Allocate and AllocateAligned REQUIRE external
// synchronisation (one allocating thread at a time). MemoryUsage may be
// called from any thread at any time, concurrently with allocation.
//
// Ownership: the arena owns every block; a pointer it hands out is valid
// until the arena is destroyed. Allocation failure throws std::bad_alloc.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <vector>

#include "core/slab_pool.h"

namespace strata {

class Arena {
 public:
  // Size of a regular block. Requests above kBlockBytes / 4 get their own.
  static constexpr size_t kBlockBytes = 4096;
  // The strongest alignment AllocateAligned supports.
  static constexpr size_t kMaxAlignment = alignof(std::max_align_t);
  // What MemoryUsage counts per block beyond its bytes: the arena's record
  // of it.
  static constexpr size_t kBlockOverheadBytes = 3 * sizeof(void*);

  // `pool`, when given, supplies the slabs and takes them back.
  explicit Arena(std::shared_ptr<SlabPool> pool = nullptr) : pool_(std::move(pool)) {}
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;
  ~Arena();

  // Returns `bytes` of uninitialised memory with no alignment guarantee.
  // A request for 0 bytes returns a valid, distinct pointer (1 byte is used).
  char* Allocate(size_t bytes);

  // Returns `bytes` of uninitialised memory aligned to `alignment`.
  // REQUIRES: alignment is a power of two no larger than kMaxAlignment.
  char* AllocateAligned(size_t bytes, size_t alignment = kMaxAlignment);

  // Bytes obtained from the system so far, including the unused tails of
  // blocks and the per-block bookkeeping: what the arena costs, not what was
  // requested from it. Never decreases.
  size_t MemoryUsage() const { return memory_usage_.load(std::memory_order_relaxed); }

 private:
  // Memory obtained from the system: a slab of the pool, mapped (slabs when
  // there is no pool, and large blocks) or from operator new (middle-sized
  // blocks).
  enum class Source : unsigned char { kSlab, kMapped, kHeap };
  struct Region {
    char* memory;
    size_t bytes;
    Source source;
  };
  static constexpr size_t kSlabBytes = SlabPool::kSlabBytes;
  static constexpr size_t kMapOwnBlockBytes = 64 * 1024;

  char* AllocateFallback(size_t bytes, size_t alignment, bool aligned);
  // Obtains a block of exactly `bytes`, aligned to kMaxAlignment.
  char* NewBlock(size_t bytes);
  // Records a region, freeing it if recording fails.
  void Track(Region region);
  void Release(const Region& region);

  const std::shared_ptr<SlabPool> pool_;

  // The free range of the current regular block: aligned requests advance
  // free_begin_, unaligned ones pull free_end_ back.
  char* free_begin_ = nullptr;
  char* free_end_ = nullptr;
  // What is left of the current slab, cut into regular blocks.
  char* slab_next_ = nullptr;
  char* slab_end_ = nullptr;

  std::vector<Region> regions_;
  static_assert(sizeof(Region) == kBlockOverheadBytes);

  // Written only by the allocating thread; atomic so that other threads (the
  // write path deciding when a memtable is full, a stats call) can read it.
  std::atomic<size_t> memory_usage_{0};
};

}  // namespace strata
