// SlabPool: the memory slabs a database's memtables are carved from, kept
// when a memtable dies for the next one instead of going back to the
// operating system.
//
// A 64 MiB memtable is 256 slabs of 256 KiB (core/arena.h). Unmapping them
// when a flushed memtable dies, and faulting fresh pages in for the next,
// took the process's address-space lock hundreds of times while the writer
// was faulting in pages of its own: a write stalled 5-10 ms after every
// flush on this machine. Slabs given back here are handed to the next
// arena as they are, their pages still resident, so a memtable's death is
// a few pushes onto a vector and its successor fills memory that is
// already there.
//
// Bounded: at most `max_bytes` are kept (the database passes its
// memtable_bytes, so a database holds at most one memtable's worth beyond
// its live memtables); slabs beyond the bound are unmapped.
//
// Thread safety: Take and Give are safe from any thread (a memtable dies on
// whichever thread drops it last). Ownership: the pool owns the slabs it
// keeps and unmaps them when destroyed; a slab taken belongs to the taker
// until given back.
#pragma once

#include <cstddef>
#include <vector>

#include "core/mutex.h"
#include "core/thread_annotations.h"

namespace strata {

class SlabPool {
 public:
  static constexpr size_t kSlabBytes = 256 * 1024;

  explicit SlabPool(size_t max_bytes);
  ~SlabPool();
  SlabPool(const SlabPool&) = delete;
  SlabPool& operator=(const SlabPool&) = delete;

  // A slab of kSlabBytes, aligned to a page: one kept here, or a new
  // mapping. Throws std::bad_alloc when none can be mapped.
  char* Take() EXCLUDES(mu_);
  // Keeps `slab` (from Take) for a later Take, or unmaps it when the pool
  // is full.
  void Give(char* slab) EXCLUDES(mu_);

  // Slabs kept now.
  size_t kept() const EXCLUDES(mu_);

 private:
  const size_t max_slabs_;
  mutable Mutex mu_;
  std::vector<char*> slabs_ GUARDED_BY(mu_);
};

}  // namespace strata
