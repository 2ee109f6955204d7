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
//    length or probe count byte; one shorter than 2 bytes, or with a probe
//    count outside 1..30, answers "may match" for everything (the reader's
//    documented safe answer).
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
  const bool uninterpretable =
      raw_filter.size() < 2 || static_cast<unsigned char>(raw_filter.back()) < 1 ||
      static_cast<unsigned char>(raw_filter.back()) > 30;
  for (std::string_view k : keys) {
    const bool may_match = reader.KeyMayMatch(k);
    FUZZ_CHECK(may_match || !uninterpretable,
               "a filter of %zu bytes it cannot interpret denied a key", raw_filter.size());
  }
  return 0;
}
