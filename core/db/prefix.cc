#include "core/db/prefix.h"

namespace strata {

std::optional<std::string> PrefixSuccessor(std::string_view prefix) {
  std::string upper(prefix);
  while (!upper.empty()) {
    auto& last = reinterpret_cast<unsigned char&>(upper.back());
    if (last != 0xFF) {
      ++last;
      return upper;
    }
    // "a\xff" has no successor of the same length: every key beginning with
    // it is below "b", so carry into the byte before.
    upper.pop_back();
  }
  return std::nullopt;
}

}  // namespace strata
