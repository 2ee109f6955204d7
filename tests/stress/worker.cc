// The worker: many threads doing random puts, deletes (some as one-key
// range deletes), batches (some written as optimistic transactions or as
// bulk ingests of a table file), point reads,
// multi-gets, range reads (exact ones over locked keys and checked-in-shape
// ones over busy keys), snapshot reads, flushes, range compactions (over
// random, one-key, between-keys, empty and reversed ranges, and after
// reshaping the levels so a narrow range closes over several tables of one
// level, the layout of issue 14's first report), checkpoints checked against
// the oracle, and refused writes (over-long keys and values in puts, deletes
// and batches) that must leave the database writable, on a key space,
// recording each write in the expected state before and after strata
// acknowledges it. It runs until the crash loop kills it.
//
// Each key has a lock, held from before a write's `pending` is recorded
// until its `acknowledged` is, and around a read that must match the
// oracle exactly; batches take their keys' locks in key order. So one key
// has at most one write in flight, which is what the verifier relies on.
//
// Any wrong answer, or any error from strata (there are no injected faults
// here), ends the process at once with exit status 3 and a message.
#include <unistd.h>

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "expected_state.h"
#include "strata/kv.h"
#include "stress_options.h"
#include "value_codec.h"

namespace strata::stress {

namespace {

[[noreturn]] void Die(const char* format, ...) {
  va_list args;
  va_start(args, format);
  std::fprintf(stderr, "strata-stress worker: ");
  std::vfprintf(stderr, format, args);
  std::fprintf(stderr, "\n");
  va_end(args);
  std::fflush(stderr);
  _exit(3);
}

void CheckOk(int rc, const char* what) {
  if (rc != KV_OK) Die("%s returned %s: %s", what, kv_status_name(rc), kv_last_error());
}

class Worker {
 public:
  Worker(const StressOptions& o, ExpectedState* state, kv_db* db)
      : o_(o), state_(state), db_(db), locks_(o.keys) {}

  void Thread(uint32_t t) {
    std::mt19937_64 rng(o_.seed * 1000003 + t);
    for (uint64_t op = 0; o_.ops == 0 || op < o_.ops; ++op) {
      const int r = static_cast<int>(rng() % 1000);
      if (r < 350) {
        Write(t, rng, 1, /*allow_delete=*/false);
      } else if (r < 450) {
        Write(t, rng, 1, /*allow_delete=*/true);
      } else if (r < 600) {
        Write(t, rng, 2 + rng() % (kMaxBatch - 1), /*allow_delete=*/true);
      } else if (r < 780) {
        PointRead(rng);
      } else if (r < 830) {
        MultiRead(rng);
      } else if (r < 880) {
        ExactRange(rng);
      } else if (r < 940) {
        BusyRange(rng);
      } else if (r < 975) {
        SnapshotRead(rng);
      } else if (r < 990) {
        CheckOk(kv_flush(db_), "kv_flush");
      } else if (r < 996) {
        CompactRange(rng);
      } else if (r < 998) {
        RefusedWrite(rng);
      } else if (r < 999) {
        Checkpoint(t, rng);
      } else {
        Reshape(rng);
      }
    }
  }

 private:
  std::vector<uint32_t> DistinctKeys(std::mt19937_64& rng, size_t n) {
    std::vector<uint32_t> keys;
    while (keys.size() < n) {
      const uint32_t k = static_cast<uint32_t>(rng() % o_.keys);
      if (std::find(keys.begin(), keys.end(), k) == keys.end()) keys.push_back(k);
    }
    std::sort(keys.begin(), keys.end());
    return keys;
  }

  void LockAll(const std::vector<uint32_t>& keys) {
    for (uint32_t k : keys) locks_[k].lock();
  }
  void UnlockAll(const std::vector<uint32_t>& keys) {
    for (uint32_t k : keys) locks_[k].unlock();
  }

  // A put or delete (n == 1) or a batch of n distinct keys.
  void Write(uint32_t t, std::mt19937_64& rng, size_t n, bool allow_delete) {
    const std::vector<uint32_t> keys = DistinctKeys(rng, n);
    LockAll(keys);
    BatchSlot& slot = state_->batch(t);
    ExpectedState::Store(slot.length, 0);
    std::vector<uint32_t> ids(n);
    for (size_t i = 0; i < n; ++i) {
      KeySlot& k = state_->key(keys[i]);
      const bool del = allow_delete && rng() % 3 == 0;
      ids[i] = del ? 0 : ExpectedState::Load(k.next_id) + 1;
      if (!del) ExpectedState::Store(k.next_id, ids[i]);
      slot.keys[i] = keys[i];
      slot.new_ids[i] = ids[i];
      slot.old_ids[i] = ExpectedState::Load(k.acknowledged);
    }
    if (n > 1) ExpectedState::Store(slot.length, static_cast<uint32_t>(n));
    for (size_t i = 0; i < n; ++i) ExpectedState::Store(state_->key(keys[i]).pending, ids[i]);

    unsigned flags = 0;
    if (o_.sync != "on" && rng() % 20 == 0) flags = KV_WRITE_SYNC;
    int rc;
    if (n == 1) {
      const std::string key = EncodeKey(keys[0]);
      if (ids[0] == 0 && rng() % 4 == 0) {
        // A range delete of exactly this key: [key, key + "\0").
        const std::string end = key + '\0';
        rc = kv_delete_range(db_, key.data(), key.size(), end.data(), end.size());
      } else if (ids[0] == 0) {
        rc = kv_delete_ex(db_, key.data(), key.size(), flags);
      } else {
        const std::string value = EncodeValue(keys[0], ids[0]);
        rc = kv_put_ex(db_, key.data(), key.size(), value.data(), value.size(), flags);
      }
    } else {
      // The same all-or-nothing write three ways: a batch, an optimistic
      // transaction (which cannot conflict: this thread holds the keys'
      // locks) or a bulk ingest of a table file.
      const int how = static_cast<int>(rng() % 40);
      if (how == 0) {
        rc = Ingest(t, keys, ids);
      } else if (how < 5) {
        rc = Transaction(keys, ids);
      } else {
        kv_batch* batch = kv_batch_new();
        for (size_t i = 0; i < n; ++i) {
          const std::string key = EncodeKey(keys[i]);
          if (ids[i] == 0) {
            CheckOk(kv_batch_delete(batch, key.data(), key.size()), "kv_batch_delete");
          } else {
            const std::string value = EncodeValue(keys[i], ids[i]);
            CheckOk(kv_batch_put(batch, key.data(), key.size(), value.data(), value.size()),
                    "kv_batch_put");
          }
        }
        rc = kv_write_ex(db_, batch, flags);
        kv_batch_free(batch);
      }
    }
    CheckOk(rc, n == 1 ? "a put or delete" : "a batch, transaction or ingest");
    for (size_t i = 0; i < n; ++i) {
      KeySlot& k = state_->key(keys[i]);
      ExpectedState::Store(k.acknowledged, ids[i]);
      ExpectedState::Store(k.pending, kNoPending);
    }
    ExpectedState::Store(slot.length, 0);
    ExpectedState::Add(state_->counters().acknowledged_ops, 1);
    UnlockAll(keys);
  }

  // Writes keys[i] := ids[i] (0: delete) in one optimistic transaction.
  int Transaction(const std::vector<uint32_t>& keys, const std::vector<uint32_t>& ids) {
    kv_txn* txn = nullptr;
    CheckOk(kv_txn_begin(db_, &txn), "kv_txn_begin");
    for (size_t i = 0; i < keys.size(); ++i) {
      const std::string key = EncodeKey(keys[i]);
      if (ids[i] == 0) {
        CheckOk(kv_txn_delete(txn, key.data(), key.size()), "kv_txn_delete");
      } else {
        const std::string value = EncodeValue(keys[i], ids[i]);
        CheckOk(kv_txn_put(txn, key.data(), key.size(), value.data(), value.size()),
                "kv_txn_put");
      }
    }
    const int rc = kv_txn_commit(txn);
    kv_txn_free(txn);
    return rc;
  }

  // Writes keys[i] := ids[i] (0: delete) as one table file (keys in the
  // encoded order), moved into the database by kv_ingest.
  int Ingest(uint32_t t, const std::vector<uint32_t>& keys, const std::vector<uint32_t>& ids) {
    std::vector<std::pair<std::string, size_t>> order;
    for (size_t i = 0; i < keys.size(); ++i) order.emplace_back(EncodeKey(keys[i]), i);
    std::sort(order.begin(), order.end());
    // A file left by a worker killed before its ingest is rewritten here.
    const std::string path = o_.root + "/ingest-" + std::to_string(t) + ".sst";
    kv_sst_writer* writer = nullptr;
    CheckOk(kv_sst_writer_new(path.c_str(), nullptr, &writer), "kv_sst_writer_new");
    for (const auto& [key, i] : order) {
      if (ids[i] == 0) {
        CheckOk(kv_sst_writer_delete(writer, key.data(), key.size()), "kv_sst_writer_delete");
      } else {
        const std::string value = EncodeValue(keys[i], ids[i]);
        CheckOk(kv_sst_writer_put(writer, key.data(), key.size(), value.data(), value.size()),
                "kv_sst_writer_put");
      }
    }
    CheckOk(kv_sst_writer_finish(writer), "kv_sst_writer_finish");
    kv_sst_writer_free(writer);
    const char* paths[] = {path.c_str()};
    return kv_ingest(db_, paths, 1, KV_INGEST_MOVE);
  }

  // kv_compact_range over a random range, one key, the gap after a key
  // (which no table boundary equals), nothing at all, or a reversed range.
  void CompactRange(std::mt19937_64& rng) {
    std::string a = EncodeKey(static_cast<uint32_t>(rng() % o_.keys));
    std::string b = EncodeKey(static_cast<uint32_t>(rng() % o_.keys));
    switch (rng() % 5) {
      case 0: if (b < a) std::swap(a, b); break;     // a random range
      case 1: b = a; break;                           // one key
      case 2: a += '\xff'; b = a; break;              // between two keys
      case 3: a.clear(); b.clear(); break;            // empty strings: [ "", "" ]
      default: if (a < b) std::swap(a, b); break;     // reversed
    }
    CheckOk(kv_compact_range(db_, a.data(), a.size(), b.data(), b.size()), "kv_compact_range");
  }

  // Calls that must be refused for their arguments and stop nothing: the
  // next write of this thread (any op after this) must still succeed.
  void RefusedWrite(std::mt19937_64& rng) {
    const std::string long_key(KV_MAX_KEY_LEN + 1, 'k');
    const std::string key = EncodeKey(static_cast<uint32_t>(rng() % o_.keys));
    if (kv_put(db_, long_key.data(), long_key.size(), "v", 1) != KV_INVALID_ARGUMENT) {
      Die("kv_put of an over-long key was not KV_INVALID_ARGUMENT");
    }
    if (kv_delete(db_, long_key.data(), long_key.size()) != KV_INVALID_ARGUMENT) {
      Die("kv_delete of an over-long key was not KV_INVALID_ARGUMENT");
    }
    kv_batch* batch = kv_batch_new();
    if (kv_batch_delete(batch, long_key.data(), long_key.size()) != KV_INVALID_ARGUMENT) {
      Die("kv_batch_delete of an over-long key was not KV_INVALID_ARGUMENT");
    }
    // A value just over the limit: refused before a byte is copied.
    if (kv_batch_put(batch, key.data(), key.size(), long_key.data(), KV_MAX_VALUE_LEN + 1) !=
        KV_INVALID_ARGUMENT) {
      Die("kv_batch_put of an over-long value was not KV_INVALID_ARGUMENT");
    }
    if (kv_batch_count(batch) != 0) Die("a refused entry was added to a batch");
    CheckOk(kv_write(db_, batch), "kv_write of an empty batch");
    kv_batch_free(batch);
  }

  // A checkpoint taken while this thread holds the locks of a few keys must
  // hold exactly their acknowledged values, and be sound.
  void Checkpoint(uint32_t t, std::mt19937_64& rng) {
    const std::vector<uint32_t> keys = DistinctKeys(rng, 8);
    const std::string dir = o_.root + "/checkpoint-" + std::to_string(t);
    // What a worker killed in the middle of a checkpoint left is a half-made
    // database; kv_destroy must take all of it away.
    CheckOk(kv_destroy(dir.c_str()), "kv_destroy of a checkpoint");
    if (access(dir.c_str(), F_OK) == 0) Die("kv_destroy left %s behind", dir.c_str());
    LockAll(keys);
    CheckOk(kv_checkpoint(db_, dir.c_str()), "kv_checkpoint");
    kv_db* copy = nullptr;
    CheckOk(kv_open(dir.c_str(), nullptr, &copy), "kv_open of a checkpoint");
    for (uint32_t index : keys) {
      const std::string key = EncodeKey(index);
      void* value = nullptr;
      size_t len = 0;
      const int rc = kv_get(copy, key.data(), key.size(), &value, &len);
      Expect(index, rc, value, len, "kv_get in a checkpoint");
      kv_free(value);
    }
    UnlockAll(keys);
    CheckOk(kv_verify(copy), "kv_verify of a checkpoint");
    CheckOk(kv_close(copy), "kv_close of a checkpoint");
    CheckOk(kv_destroy(dir.c_str()), "kv_destroy of a checkpoint");
  }

  // Pushes everything to the deepest level, then writes a sparse run across
  // the whole key space with flushes between its parts, so that one level
  // holds several small tables over a deeper level's big ones; then a
  // narrow compaction inside one of them (the first report of issue 14).
  void Reshape(std::mt19937_64& rng) {
    CheckOk(kv_compact_range(db_, nullptr, 0, nullptr, 0), "kv_compact_range (all)");
    const uint32_t step = std::max<uint32_t>(1, o_.keys / 64);
    for (uint32_t start = static_cast<uint32_t>(rng() % step); start < o_.keys; start += step) {
      std::lock_guard lock(locks_[start]);
      KeySlot& k = state_->key(start);
      const uint32_t id = ExpectedState::Load(k.next_id) + 1;
      ExpectedState::Store(k.next_id, id);
      ExpectedState::Store(k.pending, id);
      const std::string key = EncodeKey(start), value = EncodeValue(start, id);
      CheckOk(kv_put(db_, key.data(), key.size(), value.data(), value.size()), "kv_put");
      ExpectedState::Store(k.acknowledged, id);
      ExpectedState::Store(k.pending, kNoPending);
      ExpectedState::Add(state_->counters().acknowledged_ops, 1);
      if (start % (step * 16) < step) CheckOk(kv_flush(db_), "kv_flush");
    }
    CheckOk(kv_flush(db_), "kv_flush");
    std::string narrow = EncodeKey(static_cast<uint32_t>(rng() % o_.keys)) + '\xff';
    CheckOk(kv_compact_range(db_, narrow.data(), narrow.size(), narrow.data(), narrow.size()),
            "kv_compact_range (narrow, after reshaping)");
  }

  // Checks one read result for key `index` against its acknowledged id.
  void Expect(uint32_t index, int rc, const void* value, size_t len, const char* how) {
    const uint32_t want = ExpectedState::Load(state_->key(index).acknowledged);
    if (want == 0) {
      if (rc != KV_NOT_FOUND) {
        Die("%s of key %u: %s, expected KV_NOT_FOUND (%s)", how, index, kv_status_name(rc),
            kv_last_error());
      }
      return;
    }
    if (rc != KV_OK) {
      Die("%s of key %u: %s, expected value id %u (%s)", how, index, kv_status_name(rc), want,
          kv_last_error());
    }
    std::optional<uint32_t> got =
        DecodeValue(index, std::string_view(static_cast<const char*>(value), len));
    if (!got || *got != want) {
      Die("%s of key %u: value id %d, expected %u", how, index, got ? static_cast<int>(*got) : -1,
          want);
    }
  }

  void PointRead(std::mt19937_64& rng) {
    const uint32_t index = static_cast<uint32_t>(rng() % o_.keys);
    std::lock_guard lock(locks_[index]);
    const std::string key = EncodeKey(index);
    void* value = nullptr;
    size_t len = 0;
    const int rc = kv_get(db_, key.data(), key.size(), &value, &len);
    Expect(index, rc, value, len, "kv_get");
    kv_free(value);
    ExpectedState::Add(state_->counters().checked_reads, 1);
  }

  void MultiRead(std::mt19937_64& rng) {
    const std::vector<uint32_t> keys = DistinctKeys(rng, 2 + rng() % 5);
    LockAll(keys);
    std::string packed;
    std::vector<size_t> lens;
    for (uint32_t k : keys) {
      packed += EncodeKey(k);
      lens.push_back(5);
    }
    void* buffer = nullptr;
    std::vector<const void*> vals(keys.size());
    std::vector<size_t> val_lens(keys.size());
    std::vector<int> statuses(keys.size());
    const int rc = kv_multi_get(db_, nullptr, keys.size(), packed.data(), lens.data(), &buffer,
                                vals.data(), val_lens.data(), statuses.data());
    if (rc != KV_OK) Die("kv_multi_get returned %s: %s", kv_status_name(rc), kv_last_error());
    for (size_t i = 0; i < keys.size(); ++i) {
      Expect(keys[i], statuses[i], vals[i], val_lens[i], "kv_multi_get");
    }
    kv_free(buffer);
    UnlockAll(keys);
    ExpectedState::Add(state_->counters().checked_reads, keys.size());
  }

  // A range of locked keys must read back exactly, forwards or backwards.
  void ExactRange(std::mt19937_64& rng) {
    const uint32_t first = static_cast<uint32_t>(rng() % o_.keys);
    const uint32_t end = std::min<uint32_t>(o_.keys, first + 8);
    std::vector<uint32_t> keys;
    for (uint32_t k = first; k < end; ++k) keys.push_back(k);
    LockAll(keys);
    std::vector<uint32_t> want;
    for (uint32_t k : keys) {
      if (ExpectedState::Load(state_->key(k).acknowledged) != 0) want.push_back(k);
    }
    const bool backward = rng() % 2 == 0;
    if (backward) std::reverse(want.begin(), want.end());
    const std::string lo = EncodeKey(first), hi = EncodeKey(end);
    kv_iter* it = nullptr;
    CheckOk(kv_iter_new(db_, lo.data(), lo.size(), hi.data(), hi.size(), &it), "kv_iter_new");
    size_t i = 0;
    const void *k, *v;
    size_t kl, vl;
    int rc = backward ? kv_iter_last(it, &k, &kl, &v, &vl) : kv_iter_next(it, &k, &kl, &v, &vl);
    for (; rc == KV_OK; ++i) {
      std::optional<uint32_t> index = DecodeKey(std::string_view(static_cast<const char*>(k), kl));
      if (!index || i >= want.size() || *index != want[i]) {
        Die("range read of keys [%u, %u) %s: unexpected key at position %zu", first, end,
            backward ? "backwards" : "forwards", i);
      }
      Expect(*index, KV_OK, v, vl, "range read");
      rc = backward ? kv_iter_prev(it, &k, &kl, &v, &vl) : kv_iter_next(it, &k, &kl, &v, &vl);
    }
    if (rc != KV_END) Die("range read returned %s: %s", kv_status_name(rc), kv_last_error());
    if (i != want.size()) Die("range read of keys [%u, %u) missed keys", first, end);
    kv_iter_free(it);
    UnlockAll(keys);
    ExpectedState::Add(state_->counters().checked_reads, keys.size());
  }

  // A range over keys others are writing: every entry must be well formed,
  // in order, inside the range, and a value some write actually made.
  void BusyRange(std::mt19937_64& rng) {
    const uint32_t first = static_cast<uint32_t>(rng() % o_.keys);
    const uint32_t end = std::min<uint32_t>(o_.keys, first + 64);
    const std::string lo = EncodeKey(first), hi = EncodeKey(end);
    kv_iter* it = nullptr;
    CheckOk(kv_iter_new(db_, lo.data(), lo.size(), hi.data(), hi.size(), &it), "kv_iter_new");
    const void *k, *v;
    size_t kl, vl;
    int64_t previous = -1;
    int rc;
    while ((rc = kv_iter_next(it, &k, &kl, &v, &vl)) == KV_OK) {
      std::optional<uint32_t> index = DecodeKey(std::string_view(static_cast<const char*>(k), kl));
      if (!index || *index < first || *index >= end || static_cast<int64_t>(*index) <= previous) {
        Die("scan of keys [%u, %u): key out of place after %lld", first, end,
            static_cast<long long>(previous));
      }
      previous = *index;
      std::optional<uint32_t> id =
          DecodeValue(*index, std::string_view(static_cast<const char*>(v), vl));
      if (!id || *id > ExpectedState::Load(state_->key(*index).next_id)) {
        Die("scan: key %u holds a value no write made", *index);
      }
    }
    if (rc != KV_END) Die("scan returned %s: %s", kv_status_name(rc), kv_last_error());
    kv_iter_free(it);
  }

  // Two reads through one snapshot agree while other threads write.
  void SnapshotRead(std::mt19937_64& rng) {
    kv_snapshot* snap = nullptr;
    CheckOk(kv_snapshot_new(db_, &snap), "kv_snapshot_new");
    const std::vector<uint32_t> keys = DistinctKeys(rng, 4);
    std::string first[4];
    int first_rc[4];
    for (int round = 0; round < 2; ++round) {
      for (size_t i = 0; i < keys.size(); ++i) {
        const std::string key = EncodeKey(keys[i]);
        void* value = nullptr;
        size_t len = 0;
        const int rc = kv_get_at(db_, snap, key.data(), key.size(), &value, &len);
        if (rc != KV_OK && rc != KV_NOT_FOUND) {
          Die("kv_get_at returned %s: %s", kv_status_name(rc), kv_last_error());
        }
        std::string got = rc == KV_OK ? std::string(static_cast<char*>(value), len) : "";
        kv_free(value);
        if (round == 0) {
          first[i] = got;
          first_rc[i] = rc;
        } else if (rc != first_rc[i] || got != first[i]) {
          Die("a snapshot read of key %u changed under concurrent writes", keys[i]);
        }
      }
      if (round == 0) std::this_thread::yield();
    }
    kv_snapshot_free(snap);
  }

  const StressOptions& o_;
  ExpectedState* state_;
  kv_db* db_;
  std::vector<std::mutex> locks_;
};

}  // namespace

int RunWorker(const StressOptions& o) {
  ExpectedState state;
  if (!state.Open(o.state_path(), o.keys)) return 2;
  if (o.threads < 1 || o.threads > static_cast<int>(kMaxThreads)) {
    std::fprintf(stderr, "strata-stress worker: --threads must be 1..%u\n", kMaxThreads);
    return 2;
  }
  kv_options* opts = kv_options_new();
  const std::string memtable_bytes = std::to_string(o.memtable_bytes);
  const std::pair<const char*, std::string> settings[] = {
      {"sync", o.sync == "on" ? "true" : "false"},
      {"memtable", o.memtable},
      {"compression", o.compression},
      {"memtable_bytes", memtable_bytes},
      {"block_bytes", "1024"},
      {"table_file_bytes", "65536"},
      {"l0_compaction_trigger", "2"},
      {"level1_bytes", "1048576"},
      {"level_size_multiplier", "4"},
      {"background_threads", "2"},
  };
  for (const auto& [name, value] : settings) {
    CheckOk(kv_options_set(opts, name, value.c_str()), name);
  }
  kv_db* db = nullptr;
  const int rc = kv_open(o.db_path().c_str(), opts, &db);
  kv_options_free(opts);
  if (rc != KV_OK) {
    std::fprintf(stderr, "strata-stress worker: kv_open: %s: %s\n", kv_status_name(rc),
                 kv_last_error());
    return 3;
  }
  Worker worker(o, &state, db);
  std::vector<std::thread> threads;
  for (int t = 0; t < o.threads; ++t) {
    threads.emplace_back([&worker, t] { worker.Thread(static_cast<uint32_t>(t)); });
  }
  for (auto& t : threads) t.join();
  CheckOk(kv_close(db), "kv_close");
  return 0;
}

}  // namespace strata::stress
