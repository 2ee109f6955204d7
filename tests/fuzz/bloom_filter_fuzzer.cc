// Fuzz target: the bloom filter reader (core/table/bloom_filter), which reads
// every table's filter block, over arbitrary filter bytes; and the builder,
// whose filters must never deny a key that was added.
//
// Input: a list of keys, then the filter bytes:
//   bits_per_key : 1 byte (taken modulo 65, the option's range; 0 = no filter)
//   key_count    : 1 byte
//   keys         : key_count length-prefixed strings (FuzzInput::String)
//   filter       : the rest of the input
//
// Checks, beyond "no crash, no sanitizer report":
//  - a filter built from the keys answers "may match" for every one of them
//    (no false negatives, at any bits_per_key);
//  - the raw filter bytes answer without reading outside them, whatever their
//    length or probe count byte; one the reader cannot interpret answers "may
//    match" for everything (its documented safe answer): shorter than 2
//    bytes; a flat filter (any last byte but 0xFF) whose last byte, the probe
//    count, is outside 1..30; a cache-local filter (last byte 0xFF) whose
//    probe count (the byte before) is outside 1..30 or whose body is empty or
//    not whole 64-byte lines.
#include <cstdint>
#include <string>
#include <vector>

#include "core/table/bloom_filter.h"
#include "fuzz/fuzz_check.h"
#include "fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace strata;
  fuzz::FuzzInput in(data, size);
  const int bits_per_key = static_cast<int>(in.Byte() % 65);
  const size_t key_count = in.Byte();
  std::vector<std::string_view> keys;
  for (size_t i = 0; i < key_count && !in.empty(); ++i) keys.push_back(in.String(255));
  // The filter is a copy so that ASan bounds it exactly.
  const std::string raw_filter(in.Rest());

  if (bits_per_key > 0) {
    BloomFilterBuilder builder(bits_per_key);
    for (std::string_view k : keys) builder.AddKey(k);
    const std::string built = builder.Finish();
    BloomFilterReader reader(built);
    for (size_t i = 0; i < keys.size(); ++i) {
      FUZZ_CHECK(reader.KeyMayMatch(keys[i]), "false negative for key %zu of %zu at %d bits/key",
                 i, keys.size(), bits_per_key);
    }
  }

  BloomFilterReader reader(raw_filter);
  bool uninterpretable = raw_filter.size() < 2;
  if (!uninterpretable) {
    const unsigned last = static_cast<unsigned char>(raw_filter.back());
    if (last == 0xFF) {
      const unsigned probes = static_cast<unsigned char>(raw_filter[raw_filter.size() - 2]);
      const size_t body = raw_filter.size() - 2;
      uninterpretable = probes < 1 || probes > 30 || body == 0 || body % 64 != 0;
    } else {
      uninterpretable = last < 1 || last > 30;
    }
  }
  for (std::string_view k : keys) {
    const bool may_match = reader.KeyMayMatch(k);
    FUZZ_CHECK(may_match || !uninterpretable,
               "a filter of %zu bytes it cannot interpret denied a key", raw_filter.size());
  }
  return 0;
}
