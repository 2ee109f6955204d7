#include "expected_state.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace strata::stress {

namespace {

constexpr uint64_t kMagic = 0x3154415453525453ull;  // "STRSTAT1"

struct Header {
  uint64_t magic;
  uint32_t num_keys;
  uint32_t reserved;
  Counters counters;
};

size_t FileBytes(uint32_t num_keys) {
  return sizeof(Header) + sizeof(BatchSlot) * kMaxThreads + sizeof(KeySlot) * num_keys;
}

}  // namespace

bool ExpectedState::Open(const std::string& path, uint32_t num_keys) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    std::fprintf(stderr, "open %s: %s\n", path.c_str(), std::strerror(errno));
    return false;
  }
  struct stat st;
  ::fstat(fd, &st);
  const bool fresh = st.st_size == 0;
  bytes_ = FileBytes(num_keys);
  if (fresh && ::ftruncate(fd, static_cast<off_t>(bytes_)) != 0) {
    std::fprintf(stderr, "ftruncate %s: %s\n", path.c_str(), std::strerror(errno));
    ::close(fd);
    return false;
  }
  if (!fresh && static_cast<size_t>(st.st_size) != bytes_) {
    std::fprintf(stderr, "%s was made for another key count\n", path.c_str());
    ::close(fd);
    return false;
  }
  base_ = ::mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  ::close(fd);
  if (base_ == MAP_FAILED) {
    base_ = nullptr;
    std::fprintf(stderr, "mmap %s: %s\n", path.c_str(), std::strerror(errno));
    return false;
  }
  auto* header = static_cast<Header*>(base_);
  if (fresh) {
    header->magic = kMagic;
    header->num_keys = num_keys;
    for (uint32_t i = 0; i < num_keys; ++i) key(i) = KeySlot{0, kNoPending, 0, 0};
  } else if (header->magic != kMagic || header->num_keys != num_keys) {
    std::fprintf(stderr, "%s is not an expected-state file for %u keys\n", path.c_str(),
                 num_keys);
    return false;
  }
  return true;
}

ExpectedState::~ExpectedState() {
  if (base_ != nullptr) ::munmap(base_, bytes_);
}

uint32_t ExpectedState::num_keys() const { return static_cast<Header*>(base_)->num_keys; }

KeySlot& ExpectedState::key(uint32_t index) {
  auto* slots = reinterpret_cast<KeySlot*>(static_cast<char*>(base_) + sizeof(Header) +
                                           sizeof(BatchSlot) * kMaxThreads);
  return slots[index];
}

BatchSlot& ExpectedState::batch(uint32_t thread) {
  auto* slots = reinterpret_cast<BatchSlot*>(static_cast<char*>(base_) + sizeof(Header));
  return slots[thread];
}

Counters& ExpectedState::counters() { return static_cast<Header*>(base_)->counters; }

uint32_t ExpectedState::Load(const uint32_t& word) {
  // The word lives in a shared mapping; atomic_ref needs a mutable lvalue.
  return std::atomic_ref<uint32_t>(const_cast<uint32_t&>(word)).load(std::memory_order_acquire);
}

void ExpectedState::Store(uint32_t& word, uint32_t value) {
  std::atomic_ref<uint32_t>(word).store(value, std::memory_order_release);
}

void ExpectedState::Add(uint64_t& counter, uint64_t n) {
  std::atomic_ref<uint64_t>(counter).fetch_add(n, std::memory_order_relaxed);
}

void ExpectedState::Sync() {
  if (base_ != nullptr) ::msync(base_, bytes_, MS_SYNC);
}

}  // namespace strata::stress
