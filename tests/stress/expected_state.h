// ExpectedState: what strata-stress's oracle knows about every key, kept in a
// memory-mapped file so that it outlives a SIGKILLed worker (the kernel
// keeps the shared pages) and is read by the verifier process afterwards.
//
// Per key: the acknowledged value id (the last write to it that returned
// KV_OK) and the pending value id (a write issued and not yet acknowledged,
// or kNoPending). A worker sets `pending` before it calls strata and sets
// `acknowledged` then clears `pending` after KV_OK, each a single aligned
// 32-bit store. Whenever the worker dies, a key's value in the database must
// therefore be its acknowledged one, or its pending one if that is set.
//
// Per worker thread: the batch it has in flight (keys, new ids, and the ids
// they replace), so the verifier can check the batch is all or nothing.
//
// Thread safety: keys are written by the one worker thread that holds the
// key's lock (see worker.cc); the verifier runs alone. Counters are atomic.
// Ownership: the object owns the mapping; the file stays.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

namespace strata::stress {

inline constexpr uint32_t kNoPending = 0xFFFFFFFFu;
inline constexpr uint32_t kMaxBatch = 8;
inline constexpr uint32_t kMaxThreads = 64;

struct KeySlot {
  uint32_t acknowledged;  // 0: absent
  uint32_t pending;       // kNoPending, 0 (a delete) or a value id
  uint32_t next_id;       // the last id handed out for this key
  uint32_t reserved;
};

struct BatchSlot {
  uint32_t length;  // 0: no batch in flight
  uint32_t keys[kMaxBatch];
  uint32_t new_ids[kMaxBatch];
  uint32_t old_ids[kMaxBatch];
};

// Totals over the whole run, for the report.
struct Counters {
  uint64_t cycles;
  uint64_t cycles_sync;        // cycles whose worker wrote with sync=true
  uint64_t acknowledged_ops;   // writes (puts, deletes, batches) that returned KV_OK
  uint64_t checked_reads;      // reads checked against the oracle while writing
  uint64_t keys_verified;      // key checks after kills
  uint64_t pending_found_new;  // in-flight writes found applied after a kill
  uint64_t pending_found_old;  // in-flight writes found not applied
  uint64_t batches_checked;    // in-flight batches checked for atomicity
};

class ExpectedState {
 public:
  // Maps `path`, creating it for `num_keys` keys if it does not exist.
  // Returns false (with a message on stderr) on failure or a mismatch.
  bool Open(const std::string& path, uint32_t num_keys);
  ~ExpectedState();

  uint32_t num_keys() const;
  KeySlot& key(uint32_t index);
  BatchSlot& batch(uint32_t thread);
  Counters& counters();

  // Atomic views of the mapped words (std::atomic_ref over shared memory).
  static uint32_t Load(const uint32_t& word);
  static void Store(uint32_t& word, uint32_t value);
  static void Add(uint64_t& counter, uint64_t n);

  // Flushes the mapping to the file (msync).
  void Sync();

 private:
  void* base_ = nullptr;
  size_t bytes_ = 0;
};

}  // namespace strata::stress
