#include "core/arena.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cassert>
#include <cstdint>
#include <new>

namespace strata {

// ::operator new(size_t) returns memory aligned to this, which is what makes
// the start of every block satisfy any alignment AllocateAligned accepts.
static_assert(__STDCPP_DEFAULT_NEW_ALIGNMENT__ >= Arena::kMaxAlignment);

namespace {
constexpr size_t kLargeRequestBytes = Arena::kBlockBytes / 4;

[[maybe_unused]] bool IsPowerOfTwo(size_t v) { return v != 0 && (v & (v - 1)) == 0; }
}  // namespace

char* Arena::Allocate(size_t bytes) {
  if (bytes == 0) bytes = 1;  // every call gets a distinct address
  if (bytes <= static_cast<size_t>(free_end_ - free_begin_)) {
    free_end_ -= bytes;
    return free_end_;
  }
  return AllocateFallback(bytes, 1, /*aligned=*/false);
}

char* Arena::AllocateAligned(size_t bytes, size_t alignment) {
  assert(IsPowerOfTwo(alignment) && alignment <= kMaxAlignment);
  if (bytes == 0) bytes = 1;
  size_t misalignment = reinterpret_cast<uintptr_t>(free_begin_) & (alignment - 1);
  size_t padding = misalignment == 0 ? 0 : alignment - misalignment;
  size_t available = static_cast<size_t>(free_end_ - free_begin_);
  // Written as two comparisons so that a huge `bytes` cannot overflow.
  if (padding <= available && bytes <= available - padding) {
    char* result = free_begin_ + padding;
    free_begin_ = result + bytes;
    return result;
  }
  return AllocateFallback(bytes, alignment, /*aligned=*/true);
}

char* Arena::AllocateFallback(size_t bytes, size_t alignment, bool aligned) {
  if (bytes > kLargeRequestBytes) {
    // A block of its own; the current block keeps serving small requests, so
    // a large value does not throw away the rest of it.
    return NewBlock(bytes);
  }
  // Abandon what is left of the current block (less than kLargeRequestBytes
  // plus padding would have been needed, so the waste is bounded) and start a
  // new one. Its start is maximally aligned, so the retry cannot fail.
  char* block = NewBlock(kBlockBytes);
  free_begin_ = block;
  free_end_ = block + kBlockBytes;
  return aligned ? AllocateAligned(bytes, alignment) : Allocate(bytes);
}

namespace {

char* MapOrThrow(size_t bytes) {
  void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  return static_cast<char*>(p);
}

size_t RoundUpToPage(size_t bytes) {
  static const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  return (bytes + page - 1) / page * page;
}

}  // namespace

Arena::~Arena() {
  for (const Region& r : regions_) Release(r);
}

void Arena::Release(const Region& region) {
  switch (region.source) {
    case Source::kSlab: pool_->Give(region.memory); break;
    case Source::kMapped: ::munmap(region.memory, region.bytes); break;
    case Source::kHeap: ::operator delete(region.memory); break;
  }
}

void Arena::Track(Region region) {
  try {
    regions_.push_back(region);
  } catch (...) {
    Release(region);
    throw;
  }
}

char* Arena::NewBlock(size_t bytes) {
  char* result;
  if (bytes == kBlockBytes) {
    if (static_cast<size_t>(slab_end_ - slab_next_) < kBlockBytes) {
      // Without a pool a slab is a mapping like a large block's.
      char* slab = pool_ != nullptr ? pool_->Take() : MapOrThrow(kSlabBytes);
      Track({slab, kSlabBytes, pool_ != nullptr ? Source::kSlab : Source::kMapped});
      slab_next_ = slab;
      slab_end_ = slab + kSlabBytes;
    }
    result = slab_next_;
    slab_next_ += kBlockBytes;
  } else if (bytes >= kMapOwnBlockBytes) {
    const size_t mapped = RoundUpToPage(bytes);
    result = MapOrThrow(mapped);
    Track({result, mapped, Source::kMapped});
  } else {
    result = static_cast<char*>(::operator new(bytes));
    Track({result, bytes, Source::kHeap});
  }
  memory_usage_.fetch_add(bytes + kBlockOverheadBytes, std::memory_order_relaxed);
  return result;
}

}  // namespace strata
