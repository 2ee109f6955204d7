// FuzzInput: reads a fuzzer's byte string as a stream of small decisions
// (numbers, flags, byte strings), so that one target can turn arbitrary bytes
// into a structured test case.
//
// Every read is total: when the bytes run out, numbers read as 0, flags as
// false and strings as empty, so a target never needs to check for the end
// except to stop looping. The mapping is deliberately simple and stable
// (each decision takes the next bytes, front to back): a small mutation of
// the input then changes a small part of the test case, which is what makes
// coverage-guided mutation effective, and a committed corpus file keeps
// meaning the same thing.
//
// Thread safety: one thread at a time. Lifetime: borrows the bytes, which must
// outlive the FuzzInput and every string_view it hands out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace strata::fuzz {

class FuzzInput {
 public:
  FuzzInput(const uint8_t* data, size_t size)
      : rest_(reinterpret_cast<const char*>(data), size) {}
  explicit FuzzInput(std::string_view bytes) : rest_(bytes) {}

  bool empty() const { return rest_.empty(); }
  size_t remaining() const { return rest_.size(); }

  // The next byte, or 0 at the end.
  uint8_t Byte() {
    if (rest_.empty()) return 0;
    const uint8_t b = static_cast<uint8_t>(rest_[0]);
    rest_.remove_prefix(1);
    return b;
  }

  // A number in [0, max], from as few bytes as max needs (little-endian).
  uint64_t Below(uint64_t max_inclusive) {
    uint64_t v = 0;
    for (uint64_t range = max_inclusive; range != 0; range >>= 8) v = (v << 8) | Byte();
    return max_inclusive == UINT64_MAX ? v : v % (max_inclusive + 1);
  }

  bool Flag() { return (Byte() & 1) != 0; }

  // A byte string: one length byte (capped at max_len), then that many bytes
  // (fewer if the input ends first). Lengths above 250 are rare by design of
  // the length byte; targets that want long strings use Take.
  std::string_view String(size_t max_len) {
    size_t n = Byte();
    if (n > max_len) n = n % (max_len + 1);
    return Take(n);
  }

  // The next n bytes (fewer at the end).
  std::string_view Take(size_t n) {
    if (n > rest_.size()) n = rest_.size();
    std::string_view out = rest_.substr(0, n);
    rest_.remove_prefix(n);
    return out;
  }

  // Everything not yet read.
  std::string_view Rest() {
    std::string_view out = rest_;
    rest_ = {};
    return out;
  }

 private:
  std::string_view rest_;
};

}  // namespace strata::fuzz
