// Prefix bounds: the half-open key range that holds exactly the keys with a
// given prefix.
//
// Thread safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace strata {

// The shortest key greater than every key that starts with `prefix`, or
// nullopt when no such key exists (the prefix is empty or all 0xFF bytes, so
// the range is open above). Trailing 0xFF bytes are dropped and the last
// remaining byte is incremented: "ab\xff" -> "ac".
std::optional<std::string> PrefixSuccessor(std::string_view prefix);

}  // namespace strata
