#include "key_space.h"

namespace strata_bench {

Key::Key(uint64_t number) {
  for (size_t i = kKeyBytes; i-- > 0;) {
    bytes_[i] = static_cast<char>('0' + number % 10);
    number /= 10;
  }
}

uint64_t RandomStream::next() {
  uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

uint64_t RandomStream::below(uint64_t bound) {
  // Multiply-shift: the bias is below 2^-32 for the bounds used here.
  return static_cast<uint64_t>((static_cast<unsigned __int128>(next()) * bound) >> 64);
}

Permutation::Permutation(uint64_t n, uint64_t seed) : n_(n) {
  unsigned bits = 2;
  while (bits < 64 && (uint64_t{1} << bits) < n) bits += 2;  // even, so halves are equal
  half_bits_ = bits / 2;
  half_mask_ = (uint64_t{1} << half_bits_) - 1;
  RandomStream keys(seed);
  for (auto& k : round_keys_) k = keys.next();
}

uint64_t Permutation::at(uint64_t i) const {
  uint64_t x = i;
  do {  // cycle walking: a value outside [0, n) is permuted again until inside
    uint64_t left = x >> half_bits_, right = x & half_mask_;
    for (uint64_t key : round_keys_) {
      RandomStream mix(right ^ key);
      uint64_t f = mix.next() & half_mask_;
      uint64_t next_right = left ^ f;
      left = right;
      right = next_right;
    }
    x = (left << half_bits_) | right;
  } while (x >= n_);
  return x;
}

ValueSource::ValueSource(uint64_t seed) : data_(1 << 20) {
  RandomStream random(seed);
  for (char& c : data_) c = static_cast<char>(random.next());
}

std::string_view ValueSource::next() {
  if (position_ + kValueBytes > data_.size()) position_ = 0;
  std::string_view v(data_.data() + position_, kValueBytes);
  position_ += 97;  // not a multiple of the value size: consecutive values differ
  return v;
}

}  // namespace strata_bench
