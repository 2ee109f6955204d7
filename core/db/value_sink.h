// ValueSink: where DB::Get hands a found value, without copying it first.
//
// A sink is a borrowed reference to any callable taking std::string_view
// (RocksDB's PinnableSlice solves the same problem by pinning; a callback is
// simpler for a caller that only wants to copy the bytes once, into its own
// buffer). The view it receives points into a memtable's arena or a table's
// data block and is valid only during the call: copy what you keep.
//
// Ownership: a ValueSink does not own the callable; it must not outlive it
// (pass a lambda straight to DB::Get). Thread safety: as the callable's.
#pragma once

#include <string_view>
#include <type_traits>
#include <utility>

namespace strata {

class ValueSink {
 public:
  template <typename F, typename = std::enable_if_t<
                            !std::is_same_v<std::remove_cvref_t<F>, ValueSink> &&
                            std::is_invocable_v<F&, std::string_view>>>
  ValueSink(F&& fn)  // NOLINT(google-explicit-constructor): used like a function parameter
      : target_(const_cast<void*>(static_cast<const void*>(&fn))),
        call_([](void* target, std::string_view value) {
          (*static_cast<std::remove_reference_t<F>*>(target))(value);
        }) {}

  void operator()(std::string_view value) const { call_(target_, value); }

 private:
  void* target_;
  void (*call_)(void*, std::string_view);
};

}  // namespace strata
