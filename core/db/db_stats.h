// DbStats: counters reported by the "stats" property.
//
// Thread safety: every counter is an atomic; relaxed ordering suffices since
// they are only reported, never used to synchronise.
#pragma once

#include <atomic>
#include <cstdint>

namespace strata {

struct DbStats {
  std::atomic<uint64_t> user_bytes_written{0};
  std::atomic<uint64_t> wal_bytes_written{0};
  std::atomic<uint64_t> writes{0};
  std::atomic<uint64_t> write_groups{0};
  std::atomic<uint64_t> wal_syncs{0};
  std::atomic<uint64_t> flushes{0};
  std::atomic<uint64_t> flush_bytes_written{0};
  std::atomic<uint64_t> compactions{0};
  std::atomic<uint64_t> trivial_moves{0};
  std::atomic<uint64_t> read_triggered_compactions{0};
  std::atomic<uint64_t> compaction_bytes_read{0};
  std::atomic<uint64_t> compaction_bytes_written{0};
  std::atomic<uint64_t> stall_micros{0};
  std::atomic<uint64_t> slowdowns{0};
  std::atomic<uint64_t> stops{0};
  std::atomic<uint64_t> resumes{0};  // stops for lack of space undone by Resume
  std::atomic<uint64_t> max_stall_micros{0};
  std::atomic<uint64_t> gets{0};
  std::atomic<uint64_t> iterators{0};

  void AddStall(uint64_t micros) {
    stall_micros.fetch_add(micros, std::memory_order_relaxed);
    uint64_t prev = max_stall_micros.load(std::memory_order_relaxed);
    while (micros > prev &&
           !max_stall_micros.compare_exchange_weak(prev, micros, std::memory_order_relaxed)) {
    }
  }
};

}  // namespace strata
