#include "core/db/super_version_slots.h"

#include "core/table/table_reader.h"

namespace strata {

size_t SuperVersionSlots::ThisThreadSlot() {
  // Threads take slots in the order they first read; past kSlots threads
  // share them (a shared slot in use sends the other thread the slow way).
  static std::atomic<size_t> next_thread{0};
  thread_local const size_t slot = next_thread.fetch_add(1, std::memory_order_relaxed) % kSlots;
  return slot;
}

void SuperVersionSlots::Lease::Return() {
  Held* expected = InUse();
  // Release: the next holder of the slot sees what this one cached.
  if (!word_->compare_exchange_strong(expected, held_, std::memory_order_release,
                                      std::memory_order_relaxed)) {
    delete held_;  // invalidated while in use: stale
  }
  held_ = nullptr;
}

void SuperVersionSlots::Invalidate() {
  for (Slot& slot : slots_) {
    // Acquire: this thread deletes what the last holder wrote.
    Held* held = slot.held.exchange(nullptr, std::memory_order_acq_rel);
    if (held != nullptr && held != InUse()) delete held;
  }
}

uint64_t SuperVersionSlots::Gets() const {
  uint64_t gets = 0;
  for (const Slot& slot : slots_) gets += slot.gets.load(std::memory_order_relaxed);
  return gets;
}

}  // namespace strata
