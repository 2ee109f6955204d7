#include "core/arena.h"

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

char* Arena::NewBlock(size_t bytes) {
  // Owned from the moment it exists: if recording it in blocks_ throws, the
  // unique_ptr still frees it.
  std::unique_ptr<char, BlockDeleter> block(static_cast<char*>(::operator new(bytes)));
  char* result = block.get();
  blocks_.push_back(std::move(block));
  memory_usage_.fetch_add(bytes + sizeof(blocks_[0]), std::memory_order_relaxed);
  return result;
}

}  // namespace strata
