// The verifier: after a worker was killed, opens the database (recovery),
// reads every key by a full scan and by point reads, and checks each against
// the expected state:
//   - the value is well formed and belongs to its key (never damaged data);
//   - it is the acknowledged value, or the pending one if a write was in
//     flight (with a process kill the OS keeps everything written, so with
//     sync on or off no acknowledged write may be missing);
//   - a batch in flight is there entirely or not at all;
//   - kv_verify finds every checksum sound.
// Then it settles the expected state (acknowledged := what was found,
// nothing pending) for the next cycle. Exit status 0 when all held.
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "expected_state.h"
#include "strata/kv.h"
#include "stress_options.h"
#include "value_codec.h"

namespace strata::stress {

int RunVerifier(const StressOptions& o) {
  ExpectedState state;
  if (!state.Open(o.state_path(), o.keys)) return 2;
  kv_options* opts = kv_options_new();
  kv_options_set(opts, "create_if_missing", "false");
  kv_db* db = nullptr;
  int rc = kv_open(o.db_path().c_str(), opts, &db);
  kv_options_free(opts);
  if (rc != KV_OK) {
    std::fprintf(stderr, "strata-stress verify: kv_open after the kill: %s: %s\n",
                 kv_status_name(rc), kv_last_error());
    return 1;
  }
  int failures = 0;
  auto fail = [&failures](const std::string& what) {
    if (failures++ < 20) std::fprintf(stderr, "strata-stress verify: %s\n", what.c_str());
  };

  // Everything, by one scan.
  std::vector<uint32_t> found(o.keys, 0);
  kv_iter* it = nullptr;
  rc = kv_iter_new(db, nullptr, 0, nullptr, 0, &it);
  if (rc == KV_OK) {
    const void *k, *v;
    size_t kl, vl;
    int64_t previous = -1;
    while ((rc = kv_iter_next(it, &k, &kl, &v, &vl)) == KV_OK) {
      std::optional<uint32_t> index = DecodeKey(std::string_view(static_cast<const char*>(k), kl));
      if (!index || *index >= o.keys || static_cast<int64_t>(*index) <= previous) {
        fail("the scan returned a key that was never written, or out of order");
        continue;
      }
      previous = *index;
      std::optional<uint32_t> id =
          DecodeValue(*index, std::string_view(static_cast<const char*>(v), vl));
      if (!id) {
        fail("key " + std::to_string(*index) + " holds a damaged value");
        continue;
      }
      found[*index] = *id;
    }
    kv_iter_free(it);
  }
  if (rc != KV_END) {
    fail(std::string("the scan failed: ") + kv_status_name(rc) + ": " + kv_last_error());
  }

  // Every key again by point reads: the same answers through another path.
  for (uint32_t i = 0; i < o.keys; ++i) {
    const std::string key = EncodeKey(i);
    void* value = nullptr;
    size_t len = 0;
    rc = kv_get(db, key.data(), key.size(), &value, &len);
    uint32_t id = 0;
    if (rc == KV_OK) {
      std::optional<uint32_t> decoded =
          DecodeValue(i, std::string_view(static_cast<const char*>(value), len));
      id = decoded.value_or(0xFFFFFFFEu);
    } else if (rc != KV_NOT_FOUND) {
      fail("kv_get of key " + std::to_string(i) + ": " + kv_status_name(rc));
    }
    kv_free(value);
    if (id != found[i]) {
      fail("key " + std::to_string(i) + ": kv_get and the scan disagree (" + std::to_string(id) +
           " vs " + std::to_string(found[i]) + ")");
    }
  }

  // Against the oracle.
  Counters& counters = state.counters();
  uint64_t found_new = 0, found_old = 0;
  for (uint32_t i = 0; i < o.keys; ++i) {
    const KeySlot& slot = state.key(i);
    const uint32_t acked = ExpectedState::Load(slot.acknowledged);
    const uint32_t pending = ExpectedState::Load(slot.pending);
    const bool in_flight = pending != kNoPending && pending != acked;
    if (found[i] == acked) {
      if (in_flight) ++found_old;
      continue;
    }
    if (in_flight && found[i] == pending) {
      ++found_new;
      continue;
    }
    fail("key " + std::to_string(i) + ": found value id " + std::to_string(found[i]) +
         ", but the acknowledged one is " + std::to_string(acked) +
         (pending != kNoPending ? " (pending " + std::to_string(pending) + ")" : "") +
         (found[i] < acked || (acked != 0 && found[i] == 0) ? ": AN ACKNOWLEDGED WRITE WAS LOST"
                                                            : ": a value no write made"));
  }
  uint64_t batches = 0;
  for (uint32_t t = 0; t < kMaxThreads; ++t) {
    const BatchSlot& b = state.batch(t);
    const uint32_t n = ExpectedState::Load(b.length);
    if (n == 0) continue;
    ++batches;
    int applied = 0, not_applied = 0;
    for (uint32_t j = 0; j < n && j < kMaxBatch; ++j) {
      if (b.new_ids[j] == b.old_ids[j]) continue;  // deleting an absent key changes nothing
      if (found[b.keys[j]] == b.new_ids[j]) {
        ++applied;
      } else if (found[b.keys[j]] == b.old_ids[j]) {
        ++not_applied;
      }
    }
    if (applied > 0 && not_applied > 0) {
      fail("a batch of " + std::to_string(n) + " keys from thread " + std::to_string(t) +
           " was applied in part (" + std::to_string(applied) + " applied, " +
           std::to_string(not_applied) + " not)");
    }
  }

  rc = kv_verify(db);
  if (rc != KV_OK) {
    fail(std::string("kv_verify: ") + kv_status_name(rc) + ": " + kv_last_error());
  }
  rc = kv_close(db);
  if (rc != KV_OK) fail(std::string("kv_close: ") + kv_last_error());
  if (failures > 0) {
    std::fprintf(stderr, "strata-stress verify: %d problems\n", failures);
    return 1;
  }

  // Settle: what is there now is what the next cycle starts from.
  for (uint32_t i = 0; i < o.keys; ++i) {
    KeySlot& slot = state.key(i);
    ExpectedState::Store(slot.acknowledged, found[i]);
    ExpectedState::Store(slot.pending, kNoPending);
  }
  for (uint32_t t = 0; t < kMaxThreads; ++t) ExpectedState::Store(state.batch(t).length, 0);
  ExpectedState::Add(counters.keys_verified, o.keys);
  ExpectedState::Add(counters.pending_found_new, found_new);
  ExpectedState::Add(counters.pending_found_old, found_old);
  ExpectedState::Add(counters.batches_checked, batches);
  state.Sync();
  return 0;
}

}  // namespace strata::stress
