#include "core/slab_pool.h"

#include <sys/mman.h>

#include <new>

namespace strata {

namespace {

char* MapSlab() {
  void* p = ::mmap(nullptr, SlabPool::kSlabBytes, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  return static_cast<char*>(p);
}

void ReleaseSlab(char* slab) { ::munmap(slab, SlabPool::kSlabBytes); }

}  // namespace

SlabPool::SlabPool(size_t max_bytes) : max_slabs_(max_bytes / kSlabBytes) {
  // Give runs in destructors (an arena's): keeping a slab must not allocate.
  slabs_.reserve(max_slabs_);
}

SlabPool::~SlabPool() {
  for (char* slab : slabs_) ReleaseSlab(slab);
}

char* SlabPool::Take() {
  {
    MutexLock lock(mu_);
    if (!slabs_.empty()) {
      char* slab = slabs_.back();
      slabs_.pop_back();
      return slab;
    }
  }
  return MapSlab();
}

void SlabPool::Give(char* slab) {
  {
    MutexLock lock(mu_);
    if (slabs_.size() < max_slabs_) {
      slabs_.push_back(slab);  // never reallocates: reserved by the constructor
      return;
    }
  }
  ReleaseSlab(slab);
}

size_t SlabPool::kept() const {
  MutexLock lock(mu_);
  return slabs_.size();
}

}  // namespace strata
