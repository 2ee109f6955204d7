// Fuzz target: the C ABI (capi/include/strata/kv.h) driven by a sequence of
// calls decoded from the input, on a small real database, checked call by
// call against the ordered map and cursor of kv_model.h. Any divergence from
// the model, any unexpected status, and any crash or sanitizer report aborts.
//
// Each input gets a fresh database, destroyed with kv_destroy when the input
// ends. By default it lives in a new in-memory Env per input
// (core/mem_env.h), installed under the C ABI through its internal hook
// (capi/src/capi_env.h): kv_open, kv_checkpoint, kv_destroy and everything
// the engine does then go through it, so an input costs what the engine's
// work costs and leaves nothing behind for the next. With STRATA_FUZZ_ON_DISK=1
// in the environment it lives on real files through Env::Default(), in a
// per-process directory (process_dir.h: /dev/shm when usable): that puts
// PosixEnv under the same sequences, for 10-25% more CPU per input (most of
// an input's cost is the engine's own work; docs/RELIABILITY.md). At exit
// the process prints how many sequences and operations it ran.
//
// Input layout (FuzzInput, front to back):
//   option count   1 byte (mod 6), then per option a name and a value, each
//                  either picked from kOptionNames/kOptionValues or raw bytes;
//                  random option strings must give KV_OK or
//                  KV_INVALID_ARGUMENT. create_if_missing=true and
//                  error_if_exists=false are then forced, so that the input
//                  always runs on a fresh database it can reopen.
//   operations     until the input ends or kMaxOps: an opcode byte, then its
//                  operands (keys, values, slots, flags). See Sequence::Step.
//
// The operations cover puts, deletes, gets (latest and at a snapshot), atomic
// batches, up to kIterSlots iterators held across writes and moved every way
// (next, prev, first, last, seek, seek_for_prev) over ranges, prefixes and
// snapshots, snapshots, multi-gets, flushes, compactions, properties,
// kv_verify, checkpoints (opened and compared), close-and-reopen (open
// iterators must keep working after kv_close, a second open must be KV_BUSY
// until they are freed, and a reopened database must hold exactly the model),
// and calls with NULL handles and pointers, over-long lengths and unknown
// flags, which must all be KV_INVALID_ARGUMENT with a message and change
// nothing.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "fuzz/fuzz_check.h"
#include "fuzz/fuzz_input.h"
#include "fuzz/kv_model.h"
#include "capi/src/capi_env.h"
#include "core/mem_env.h"
#include "fuzz/process_dir.h"
#include "strata/kv.h"

namespace {

using strata::fuzz::FuzzInput;
using strata::fuzz::KeyRange;
using strata::fuzz::KvModel;
using strata::fuzz::ModelCursor;

constexpr size_t kMaxOps = 256;
constexpr int kIterSlots = 4;
constexpr int kSnapshotSlots = 2;
// Flushes, compactions, reopens, checkpoints and verifies touch files; a few
// per input keep one execution in the milliseconds.
constexpr int kMaxFileOps = 6;

// The option names of kv.h and docs/OPTIONS.md; an index past the end means
// "raw bytes instead".
const char* const kOptionNames[] = {
    "create_if_missing", "error_if_exists", "sync", "memtable_bytes", "memtable",
    "block_cache_bytes", "bloom_bits_per_key", "block_bytes", "compression",
    "background_threads", "verify_checksums", "table_file_bytes", "level1_bytes",
    "block_restart_interval", "max_open_files", "max_immutable_memtables",
    "l0_compaction_trigger", "l0_slowdown_trigger", "l0_stop_trigger", "level_size_multiplier"};
const char* const kOptionValues[] = {
    "0",    "1",   "2",   "4",       "16",     "64",   "true", "false", "yes", "off",
    "1K",   "4K",  "64K", "1M",      "64M",    "1G",   "1T",   "skiplist", "rbtree", "avl",
    "none", "lz4", "zstd", "",       "-1",     "4096", "18446744073709551616", "12 ", "0x10",
    "1KiB"};
const char* const kPropertyNames[] = {
    "stats", "num-files-at-level0", "num-files-at-level1", "num-files-at-level6",
    "num-files-at-level7", "total-table-bytes", "memtable-bytes", "last-sequence", "sstables"};

// STRATA_FUZZ_ON_DISK=1: this process's scratch directory on disk, else null.
std::string* g_disk_dir = nullptr;
// The directory each input's databases go in, inside its in-memory Env.
constexpr char kMemBaseDir[] = "/fuzz";
// Totals for the line printed at exit: libFuzzer counts inputs, but one
// input here is a whole sequence of calls.
uint64_t g_sequences = 0;
uint64_t g_operations = 0;

void AtExit() {
  std::fprintf(stderr, "capi_sequence: %llu sequences, %llu operations\n",
               static_cast<unsigned long long>(g_sequences),
               static_cast<unsigned long long>(g_operations));
  if (g_disk_dir != nullptr) strata::fuzz::RemoveProcessDir(*g_disk_dir);
}

std::string_view AsView(const void* p, size_t n) {
  return std::string_view(static_cast<const char*>(p), n);
}

class Sequence {
 public:
  // `base_dir` exists and is empty, in the Env the C ABI uses.
  Sequence(const uint8_t* data, size_t size, const std::string& base_dir)
      : in_(data, size), path_(base_dir + "/db"), checkpoint_path_(base_dir + "/ckpt") {}

  ~Sequence() {
    if (options_ != nullptr) kv_options_free(options_);
  }

  void Run() {
    if (!Open()) return;
    ++g_sequences;
    for (size_t ops = 0; ops < kMaxOps && !in_.empty(); ++ops) {
      Step();
      ++g_operations;
    }
    Finish();
  }

 private:
  struct IterSlot {
    kv_iter* it = nullptr;
    std::unique_ptr<ModelCursor> model;
  };
  struct SnapshotSlot {
    kv_snapshot* snap = nullptr;
    std::shared_ptr<const KvModel> model;
  };

  // ---- Checks ------------------------------------------------------------

  static void Expect(int rc, int expected, const char* call) {
    FUZZ_CHECK(rc == expected, "%s returned %s (%s), expected %s", call, kv_status_name(rc),
               kv_last_error(), kv_status_name(expected));
    if (rc < 0) FUZZ_CHECK(kv_last_error()[0] != '\0', "%s failed without a message", call);
  }

  static void ExpectInvalid(int rc, const char* call) { Expect(rc, KV_INVALID_ARGUMENT, call); }

  // Every entry of the database, in order, must be the model's.
  void CheckFullScan(kv_db* db, const KvModel& model, const char* when) {
    kv_iter* it = nullptr;
    Expect(kv_iter_new(db, nullptr, 0, nullptr, 0, &it), KV_OK, "kv_iter_new (full scan)");
    auto expected = model.begin();
    const void *k, *v;
    size_t kl, vl;
    int rc;
    while ((rc = kv_iter_next(it, &k, &kl, &v, &vl)) == KV_OK) {
      FUZZ_CHECK(expected != model.end(), "%s: the database holds a key the model lacks", when);
      FUZZ_CHECK(AsView(k, kl) == expected->first && AsView(v, vl) == expected->second,
                 "%s: an entry differs from the model", when);
      ++expected;
    }
    Expect(rc, KV_END, "kv_iter_next (full scan)");
    FUZZ_CHECK(expected == model.end(), "%s: the database lacks %zu keys of the model", when,
               static_cast<size_t>(std::distance(expected, model.end())));
    kv_iter_free(it);
  }

  // ---- Decoding operands -------------------------------------------------

  // Keys: mostly from a tiny space (collisions, NUL and 0xFF bytes, the empty
  // key), sometimes raw bytes, rarely the longest legal key.
  std::string Key() {
    const uint8_t b = in_.Byte();
    switch (b >> 6) {
      case 0:
      case 1: {
        static constexpr char kSymbols[4] = {'a', 'b', '\0', '\xff'};
        const uint8_t pick = in_.Byte();
        std::string key;
        for (int i = 0; i < (b & 3); ++i) key.push_back(kSymbols[(pick >> (2 * i)) & 3]);
        return key;
      }
      case 2:
        return std::string(in_.String(24));
      default:
        if ((b & 0x3F) == 0x3F) return std::string(KV_MAX_KEY_LEN, 'k');
        return std::string(in_.String(8));
    }
  }

  // Values: short raw bytes (empty included), rarely 128 KiB, which spans
  // many blocks and fills a small memtable.
  std::string Value() {
    const uint8_t b = in_.Byte();
    if (b == 0xFF) return std::string(size_t{1} << 17, static_cast<char>(in_.Byte()));
    return std::string(in_.Take(b % 48));
  }

  // kv.h allows NULL for a pointer whose length is 0; alternate between NULL
  // and a real pointer for empty keys and values.
  const void* Ptr(const std::string& s) {
    if (!s.empty()) return s.data();
    return (null_toggle_++ & 1) != 0 ? nullptr : s.data();
  }

  // A snapshot to read at: NULL (latest) or one of the slots.
  SnapshotSlot* PickSnapshot() {
    const uint8_t b = in_.Byte() % (kSnapshotSlots + 1);
    if (b == kSnapshotSlots) return nullptr;
    return snapshots_[b].snap != nullptr ? &snapshots_[b] : nullptr;
  }

  // The model a read through `slot` must see.
  std::shared_ptr<const KvModel> ModelFor(const SnapshotSlot* slot) {
    if (slot != nullptr) return slot->model;
    if (frozen_ == nullptr) frozen_ = std::make_shared<const KvModel>(model_);
    return frozen_;
  }

  void Changed() { frozen_.reset(); }

  // ---- Lifecycle -----------------------------------------------------------

  bool Open() {
    options_ = kv_options_new();
    FUZZ_CHECK(options_ != nullptr, "kv_options_new failed");
    const int count = in_.Byte() % 6;
    for (int i = 0; i < count; ++i) {
      const uint8_t n = in_.Byte();
      const std::string name = n < std::size(kOptionNames) * 8
                                   ? kOptionNames[n % std::size(kOptionNames)]
                                   : std::string(in_.String(16));
      const uint8_t v = in_.Byte();
      const std::string value = v < std::size(kOptionValues) * 6
                                    ? kOptionValues[v % std::size(kOptionValues)]
                                    : std::string(in_.String(16));
      const int rc = kv_options_set(options_, name.c_str(), value.c_str());
      FUZZ_CHECK(rc == KV_OK || rc == KV_INVALID_ARGUMENT, "kv_options_set(%s) returned %s",
                 name.c_str(), kv_status_name(rc));
    }
    Expect(kv_options_set(options_, "create_if_missing", "true"), KV_OK, "kv_options_set");
    Expect(kv_options_set(options_, "error_if_exists", "false"), KV_OK, "kv_options_set");

    const int rc = kv_open(path_.c_str(), options_, &db_);
    if (rc == KV_INVALID_ARGUMENT) {
      // Options that are valid one by one but not together (the L0 triggers).
      FUZZ_CHECK(db_ == nullptr, "a failed kv_open handed out a handle");
      return false;
    }
    Expect(rc, KV_OK, "kv_open");
    return true;
  }

  void FreeIterators() {
    for (IterSlot& slot : iters_) {
      kv_iter_free(slot.it);
      slot = IterSlot();
    }
  }

  void FreeSnapshots() {
    for (SnapshotSlot& slot : snapshots_) {
      kv_snapshot_free(slot.snap);
      slot = SnapshotSlot();
    }
  }

  void Finish() {
    FreeIterators();
    FreeSnapshots();
    CheckFullScan(db_, model_, "at the end");
    Expect(kv_close(db_), KV_OK, "kv_close");
    db_ = nullptr;
    Expect(kv_destroy(path_.c_str()), KV_OK, "kv_destroy");
  }

  // ---- Operations ----------------------------------------------------------

  void Step() {
    const uint8_t op = in_.Byte() % 32;
    if (op < 6) return Put();
    if (op < 8) return Delete();
    if (op < 11) return Get();
    if (op < 12) return GetAt();
    if (op < 14) return Batch();
    if (op < 16) return NewIterator();
    if (op < 21) return MoveIterator();
    if (op < 22) return FreeIterator();
    if (op < 23) return NewSnapshot();
    if (op < 24) return FreeSnapshot();
    if (op < 25) return MultiGet();
    if (op < 30) {
      if (file_ops_ >= kMaxFileOps) return;
      ++file_ops_;
      switch (op) {
        case 25: return Flush();
        case 26: return CompactRange();
        case 27: return Expect(kv_wait_compactions(db_), KV_OK, "kv_wait_compactions");
        case 28: return Reopen();
        default: return in_.Flag() ? Checkpoint() : Expect(kv_verify(db_), KV_OK, "kv_verify");
      }
    }
    if (op < 31) return Property();
    return BadArguments();
  }

  void Put() {
    const std::string key = Key(), value = Value();
    const uint8_t how = in_.Byte() % 3;
    const int rc = how == 0 ? kv_put(db_, Ptr(key), key.size(), Ptr(value), value.size())
                            : kv_put_ex(db_, Ptr(key), key.size(), Ptr(value), value.size(),
                                        how == 2 ? KV_WRITE_SYNC : 0u);
    Expect(rc, KV_OK, "kv_put");
    model_[key] = value;
    Changed();
  }

  void Delete() {
    const std::string key = Key();
    const uint8_t how = in_.Byte() % 3;
    const int rc = how == 0 ? kv_delete(db_, Ptr(key), key.size())
                            : kv_delete_ex(db_, Ptr(key), key.size(),
                                           how == 2 ? KV_WRITE_SYNC : 0u);
    Expect(rc, KV_OK, "kv_delete");
    model_.erase(key);
    Changed();
  }

  void CheckGet(int rc, void* val, size_t val_len, const KvModel& model, const std::string& key,
                const char* call) {
    auto it = model.find(key);
    if (it == model.end()) {
      Expect(rc, KV_NOT_FOUND, call);
      FUZZ_CHECK(val == nullptr && val_len == 0, "%s: KV_NOT_FOUND with a value", call);
    } else {
      Expect(rc, KV_OK, call);
      FUZZ_CHECK(val != nullptr, "%s: KV_OK with a NULL value", call);
      FUZZ_CHECK(AsView(val, val_len) == it->second, "%s: the value differs from the model",
                 call);
    }
    kv_free(val);
  }

  void Get() {
    const std::string key = Key();
    void* val = nullptr;
    size_t len = 0;
    const int rc = kv_get(db_, Ptr(key), key.size(), &val, &len);
    CheckGet(rc, val, len, model_, key, "kv_get");
  }

  void GetAt() {
    SnapshotSlot* slot = PickSnapshot();
    const std::string key = Key();
    void* val = nullptr;
    size_t len = 0;
    const int rc = kv_get_at(db_, slot ? slot->snap : nullptr, Ptr(key), key.size(), &val, &len);
    CheckGet(rc, val, len, *ModelFor(slot), key, "kv_get_at");
  }

  void Batch() {
    kv_batch* b = kv_batch_new();
    FUZZ_CHECK(b != nullptr, "kv_batch_new failed");
    struct Op {
      bool put;
      std::string key, value;
    };
    std::vector<Op> ops;
    const int n = in_.Byte() % 9;
    for (int i = 0; i < n; ++i) {
      Op op{in_.Flag(), Key(), {}};
      if (op.put) {
        op.value = Value();
        Expect(kv_batch_put(b, Ptr(op.key), op.key.size(), Ptr(op.value), op.value.size()), KV_OK,
               "kv_batch_put");
      } else {
        Expect(kv_batch_delete(b, Ptr(op.key), op.key.size()), KV_OK, "kv_batch_delete");
      }
      ops.push_back(std::move(op));
    }
    FUZZ_CHECK(kv_batch_count(b) == ops.size(), "kv_batch_count is %zu, expected %zu",
               kv_batch_count(b), ops.size());
    const uint8_t how = in_.Byte() % 5;
    if (how == 4) {
      // A cleared batch writes nothing.
      kv_batch_clear(b);
      FUZZ_CHECK(kv_batch_count(b) == 0, "kv_batch_clear left operations");
      ops.clear();
    }
    const int rc = how == 0 || how == 4 ? kv_write(db_, b)
                                        : kv_write_ex(db_, b, how == 2 ? KV_WRITE_SYNC : 0u);
    Expect(rc, KV_OK, "kv_write");
    if (how == 3) Expect(kv_write(db_, b), KV_OK, "kv_write (again)");  // a batch is reusable
    kv_batch_free(b);
    for (const Op& op : ops) {
      if (op.put) {
        model_[op.key] = op.value;
      } else {
        model_.erase(op.key);
      }
    }
    Changed();
  }

  void NewIterator() {
    IterSlot& slot = iters_[in_.Byte() % kIterSlots];
    kv_iter_free(slot.it);
    slot = IterSlot();

    const uint8_t kind = in_.Byte() % 4;
    SnapshotSlot* snap = kind >= 2 ? PickSnapshot() : nullptr;
    KeyRange range;
    kv_iter* it = nullptr;
    int rc;
    if (kind == 2) {
      const std::string prefix = Key();
      range.prefix = prefix;
      rc = kv_iter_new_prefix(db_, snap ? snap->snap : nullptr, Ptr(prefix), prefix.size(), &it);
    } else {
      // Bounds: a present bound is a key, even an empty one (non-NULL).
      if (kind != 0 && in_.Flag()) range.lower = Key();
      if (kind != 0 && in_.Flag()) range.upper = Key();
      const void* lo = range.lower ? range.lower->data() : nullptr;
      const void* hi = range.upper ? range.upper->data() : nullptr;
      const size_t lo_len = range.lower ? range.lower->size() : 0;
      const size_t hi_len = range.upper ? range.upper->size() : 0;
      rc = kind == 3 ? kv_iter_new_at(db_, snap ? snap->snap : nullptr, lo, lo_len, hi, hi_len, &it)
                     : kv_iter_new(db_, lo, lo_len, hi, hi_len, &it);
    }
    Expect(rc, KV_OK, "kv_iter_new");
    slot.it = it;
    slot.model = std::make_unique<ModelCursor>(ModelFor(snap), std::move(range));
  }

  // Moves one iterator and compares where it lands with the model's cursor.
  void MoveOne(IterSlot& slot, uint8_t move) {
    const void *k = nullptr, *v = nullptr;
    size_t kl = 0, vl = 0;
    // Any output pointer may be NULL; then only the status is compared.
    const bool want = (move & 0x80) == 0;
    const void** kp = want ? &k : nullptr;
    const void** vp = want ? &v : nullptr;
    size_t* klp = want ? &kl : nullptr;
    size_t* vlp = want ? &vl : nullptr;
    int rc, expected;
    const char* call;
    switch (move % 6) {
      case 0:
        call = "kv_iter_next";
        rc = kv_iter_next(slot.it, kp, klp, vp, vlp);
        expected = slot.model->Next();
        break;
      case 1:
        call = "kv_iter_prev";
        rc = kv_iter_prev(slot.it, kp, klp, vp, vlp);
        expected = slot.model->Prev();
        break;
      case 2:
        call = "kv_iter_first";
        rc = kv_iter_first(slot.it, kp, klp, vp, vlp);
        expected = slot.model->First();
        break;
      case 3:
        call = "kv_iter_last";
        rc = kv_iter_last(slot.it, kp, klp, vp, vlp);
        expected = slot.model->Last();
        break;
      case 4: {
        call = "kv_iter_seek";
        const std::string target = Key();
        rc = kv_iter_seek(slot.it, Ptr(target), target.size(), kp, klp, vp, vlp);
        expected = slot.model->Seek(target);
        break;
      }
      default: {
        call = "kv_iter_seek_for_prev";
        const std::string target = Key();
        rc = kv_iter_seek_for_prev(slot.it, Ptr(target), target.size(), kp, klp, vp, vlp);
        expected = slot.model->SeekForPrev(target);
        break;
      }
    }
    Expect(rc, expected, call);
    if (rc == KV_OK && want) {
      FUZZ_CHECK(k != nullptr && v != nullptr, "%s: KV_OK with NULL outputs", call);
      FUZZ_CHECK(AsView(k, kl) == slot.model->key(), "%s: the key differs from the model", call);
      FUZZ_CHECK(AsView(v, vl) == slot.model->value(), "%s: the value differs from the model",
                 call);
    }
  }

  void MoveIterator() {
    IterSlot& slot = iters_[in_.Byte() % kIterSlots];
    const uint8_t move = in_.Byte();
    if (slot.it == nullptr) {
      ExpectInvalid(kv_iter_next(nullptr, nullptr, nullptr, nullptr, nullptr),
                    "kv_iter_next(NULL)");
      return;
    }
    MoveOne(slot, move);
  }

  void FreeIterator() {
    IterSlot& slot = iters_[in_.Byte() % kIterSlots];
    kv_iter_free(slot.it);  // NULL is allowed
    slot = IterSlot();
  }

  void NewSnapshot() {
    SnapshotSlot& slot = snapshots_[in_.Byte() % kSnapshotSlots];
    kv_snapshot_free(slot.snap);
    slot = SnapshotSlot();
    Expect(kv_snapshot_new(db_, &slot.snap), KV_OK, "kv_snapshot_new");
    FUZZ_CHECK(kv_snapshot_sequence(slot.snap) >= last_snapshot_sequence_,
               "snapshot sequence numbers went backwards");
    last_snapshot_sequence_ = kv_snapshot_sequence(slot.snap);
    slot.model = ModelFor(nullptr);
  }

  void FreeSnapshot() {
    SnapshotSlot& slot = snapshots_[in_.Byte() % kSnapshotSlots];
    kv_snapshot_free(slot.snap);  // NULL is allowed
    slot = SnapshotSlot();
  }

  void MultiGet() {
    SnapshotSlot* snap = PickSnapshot();
    const size_t n = in_.Byte() % 9;
    std::vector<std::string> keys;
    std::string packed;
    std::vector<size_t> key_lens;
    for (size_t i = 0; i < n; ++i) {
      keys.push_back(Key());
      packed += keys.back();
      key_lens.push_back(keys.back().size());
    }
    const bool want_vals = in_.Flag();
    void* buffer = nullptr;
    std::vector<const void*> vals(n, reinterpret_cast<const void*>(1));
    std::vector<size_t> val_lens(n, 7);
    std::vector<int> statuses(n, 99);
    const int rc = kv_multi_get(db_, snap ? snap->snap : nullptr, n, Ptr(packed), key_lens.data(),
                                &buffer, want_vals ? vals.data() : nullptr, val_lens.data(),
                                statuses.data());
    Expect(rc, KV_OK, "kv_multi_get");
    const std::shared_ptr<const KvModel> model = ModelFor(snap);
    // Values are packed in key order in *buffer.
    const char* cursor = static_cast<const char*>(buffer);
    bool any_found = false;
    for (size_t i = 0; i < n; ++i) {
      auto it = model->find(keys[i]);
      if (it == model->end()) {
        FUZZ_CHECK(statuses[i] == KV_NOT_FOUND && val_lens[i] == 0,
                   "kv_multi_get key %zu: %s, expected KV_NOT_FOUND", i,
                   kv_status_name(statuses[i]));
        if (want_vals) FUZZ_CHECK(vals[i] == nullptr, "a value pointer for an absent key");
        continue;
      }
      any_found = true;
      FUZZ_CHECK(statuses[i] == KV_OK, "kv_multi_get key %zu: %s, expected KV_OK", i,
                 kv_status_name(statuses[i]));
      FUZZ_CHECK(cursor != nullptr && AsView(cursor, val_lens[i]) == it->second,
                 "kv_multi_get key %zu: the value differs from the model", i);
      if (want_vals) FUZZ_CHECK(vals[i] == cursor, "kv_multi_get: vals[%zu] is misplaced", i);
      cursor += val_lens[i];
    }
    FUZZ_CHECK(any_found == (buffer != nullptr), "kv_multi_get: buffer %s with %s found",
               buffer ? "set" : "NULL", any_found ? "values" : "nothing");
    kv_free(buffer);
  }

  void Flush() { Expect(kv_flush(db_), KV_OK, "kv_flush"); }

  void CompactRange() {
    std::string lo, hi;
    const bool has_lo = in_.Flag(), has_hi = in_.Flag();
    if (has_lo) lo = Key();
    if (has_hi) hi = Key();
    Expect(kv_compact_range(db_, has_lo ? lo.data() : nullptr, lo.size(),
                            has_hi ? hi.data() : nullptr, hi.size()),
           KV_OK, "kv_compact_range");
  }

  void Property() {
    const uint8_t b = in_.Byte();
    const bool known = b < std::size(kPropertyNames) * 16;
    const std::string name =
        known ? kPropertyNames[b % std::size(kPropertyNames)] : std::string(in_.String(24));
    char* out = nullptr;
    const int rc = kv_property(db_, name.c_str(), &out);
    if (known && name != "num-files-at-level7") {
      Expect(rc, KV_OK, "kv_property");
    } else {
      FUZZ_CHECK(rc == KV_OK || rc == KV_INVALID_ARGUMENT, "kv_property(%s) returned %s",
                 name.c_str(), kv_status_name(rc));
    }
    FUZZ_CHECK((rc == KV_OK) == (out != nullptr), "kv_property: status and output disagree");
    kv_free(out);
  }

  void Checkpoint() {
    Expect(kv_checkpoint(db_, checkpoint_path_.c_str()), KV_OK, "kv_checkpoint");
    kv_db* copy = nullptr;
    Expect(kv_open(checkpoint_path_.c_str(), nullptr, &copy), KV_OK, "kv_open (checkpoint)");
    CheckFullScan(copy, model_, "in a checkpoint");
    // A snapshot belongs to the handle that made it.
    if (SnapshotSlot* slot = PickSnapshot()) {
      void* val = nullptr;
      size_t len = 0;
      ExpectInvalid(kv_get_at(copy, slot->snap, "a", 1, &val, &len),
                    "kv_get_at with another database's snapshot");
      kv_iter* it = nullptr;
      ExpectInvalid(kv_iter_new_at(copy, slot->snap, nullptr, 0, nullptr, 0, &it),
                    "kv_iter_new_at with another database's snapshot");
      FUZZ_CHECK(val == nullptr && it == nullptr, "a refused call handed out a result");
    }
    Expect(kv_close(copy), KV_OK, "kv_close (checkpoint)");
    Expect(kv_destroy(checkpoint_path_.c_str()), KV_OK, "kv_destroy (checkpoint)");
  }

  // kv_close with iterators and snapshots still open, then reopen.
  void Reopen() {
    kv_db* old = db_;
    Expect(kv_close(old), KV_OK, "kv_close");
    db_ = nullptr;
    // The closed handle stays detectable.
    void* val = nullptr;
    size_t len = 0;
    ExpectInvalid(kv_get(old, "a", 1, &val, &len), "kv_get on a closed handle");
    ExpectInvalid(kv_close(old), "kv_close twice");

    bool pinned = false;
    for (const IterSlot& slot : iters_) pinned |= slot.it != nullptr;
    for (const SnapshotSlot& slot : snapshots_) pinned |= slot.snap != nullptr;
    if (pinned) {
      // The engine lives on (and holds LOCK) until the last iterator and
      // snapshot go; the open iterators keep working meanwhile.
      kv_db* second = nullptr;
      Expect(kv_open(path_.c_str(), options_, &second), KV_BUSY, "kv_open while pinned");
      FUZZ_CHECK(second == nullptr, "a busy kv_open handed out a handle");
      for (IterSlot& slot : iters_) {
        if (slot.it != nullptr) MoveOne(slot, in_.Byte());
      }
      FreeIterators();
      FreeSnapshots();
    }
    Expect(kv_open(path_.c_str(), options_, &db_), KV_OK, "kv_open (reopen)");
    CheckFullScan(db_, model_, "after reopening");
  }

  // Calls with bad arguments: each must be KV_INVALID_ARGUMENT with a message
  // and change nothing. Over-long lengths come with a one-byte buffer: the
  // length must be refused before a byte is read.
  void BadArguments() {
    static const char kByte[1] = {'x'};
    const size_t too_long_key = KV_MAX_KEY_LEN + 1 + in_.Byte();
    void* val = nullptr;
    size_t len = 0;
    kv_iter* it = nullptr;
    kv_snapshot* snap = nullptr;
    char* text = nullptr;
    switch (in_.Byte() % 16) {
      case 0:
        ExpectInvalid(kv_put(nullptr, "k", 1, "v", 1), "kv_put(NULL db)");
        ExpectInvalid(kv_get(nullptr, "k", 1, &val, &len), "kv_get(NULL db)");
        break;
      case 1:
        ExpectInvalid(kv_put(db_, nullptr, 3, "v", 1), "kv_put(NULL key, 3)");
        ExpectInvalid(kv_put(db_, "k", 1, nullptr, 3), "kv_put(NULL value, 3)");
        break;
      case 2:
        ExpectInvalid(kv_put(db_, kByte, too_long_key, "v", 1), "kv_put(over-long key)");
        ExpectInvalid(kv_get(db_, kByte, too_long_key, &val, &len), "kv_get(over-long key)");
        ExpectInvalid(kv_delete(db_, kByte, too_long_key), "kv_delete(over-long key)");
        break;
      case 3:
        ExpectInvalid(kv_put(db_, "k", 1, kByte, KV_MAX_VALUE_LEN + 1 + in_.Byte()),
                      "kv_put(over-long value)");
        ExpectInvalid(kv_put(db_, "k", 1, kByte, SIZE_MAX), "kv_put(SIZE_MAX value)");
        break;
      case 4:
        ExpectInvalid(kv_get(db_, "k", 1, nullptr, &len), "kv_get(NULL val)");
        ExpectInvalid(kv_get(db_, "k", 1, &val, nullptr), "kv_get(NULL val_len)");
        break;
      case 5:
        ExpectInvalid(kv_put_ex(db_, "k", 1, "v", 1, 2u << (in_.Byte() % 31)),
                      "kv_put_ex(unknown flag)");
        ExpectInvalid(kv_delete_ex(db_, "k", 1, ~0u), "kv_delete_ex(unknown flags)");
        break;
      case 6:
        ExpectInvalid(kv_iter_new(db_, nullptr, 0, nullptr, 0, nullptr), "kv_iter_new(NULL out)");
        ExpectInvalid(kv_iter_new(db_, kByte, too_long_key, nullptr, 0, &it),
                      "kv_iter_new(over-long start)");
        ExpectInvalid(kv_iter_new(db_, nullptr, 4, nullptr, 0, &it), "kv_iter_new(NULL start, 4)");
        FUZZ_CHECK(it == nullptr, "a failed kv_iter_new handed out an iterator");
        break;
      case 7: {
        // A seek with a bad target does not move the iterator.
        IterSlot& slot = iters_[in_.Byte() % kIterSlots];
        ExpectInvalid(kv_iter_seek(slot.it, kByte, too_long_key, nullptr, nullptr, nullptr, nullptr),
                      "kv_iter_seek(over-long target)");
        ExpectInvalid(kv_iter_seek_for_prev(slot.it, nullptr, 2, nullptr, nullptr, nullptr, nullptr),
                      "kv_iter_seek_for_prev(NULL target, 2)");
        break;
      }
      case 8: {
        const size_t lens[2] = {1, too_long_key};
        size_t val_lens[2];
        int statuses[2];
        ExpectInvalid(kv_multi_get(db_, nullptr, 2, "kk", lens, &val, nullptr, val_lens, statuses),
                      "kv_multi_get(over-long key)");
        ExpectInvalid(kv_multi_get(db_, nullptr, 1, "k", lens, nullptr, nullptr, val_lens, statuses),
                      "kv_multi_get(NULL buffer)");
        ExpectInvalid(kv_multi_get(db_, nullptr, 1, "k", nullptr, &val, nullptr, val_lens, statuses),
                      "kv_multi_get(NULL key_lens)");
        FUZZ_CHECK(val == nullptr, "a failed kv_multi_get handed out a buffer");
        break;
      }
      case 9: {
        ExpectInvalid(kv_write(db_, nullptr), "kv_write(NULL batch)");
        ExpectInvalid(kv_batch_put(nullptr, "k", 1, "v", 1), "kv_batch_put(NULL batch)");
        kv_batch* b = kv_batch_new();
        ExpectInvalid(kv_batch_put(b, kByte, too_long_key, "v", 1), "kv_batch_put(over-long key)");
        ExpectInvalid(kv_batch_delete(b, nullptr, 1), "kv_batch_delete(NULL key, 1)");
        FUZZ_CHECK(kv_batch_count(b) == 0, "a refused operation entered the batch");
        Expect(kv_write(db_, b), KV_OK, "kv_write(empty batch)");
        kv_batch_free(b);
        break;
      }
      case 10:
        ExpectInvalid(kv_property(db_, nullptr, &text), "kv_property(NULL name)");
        ExpectInvalid(kv_property(db_, "stats", nullptr), "kv_property(NULL out)");
        ExpectInvalid(kv_property(db_, "no-such-property", &text), "kv_property(unknown)");
        FUZZ_CHECK(text == nullptr, "a failed kv_property handed out text");
        break;
      case 11:
        ExpectInvalid(kv_snapshot_new(nullptr, &snap), "kv_snapshot_new(NULL db)");
        ExpectInvalid(kv_snapshot_new(db_, nullptr), "kv_snapshot_new(NULL out)");
        FUZZ_CHECK(kv_snapshot_sequence(nullptr) == 0, "kv_snapshot_sequence(NULL) is not 0");
        kv_snapshot_free(nullptr);
        break;
      case 12:
        ExpectInvalid(kv_iter_new_prefix(db_, nullptr, nullptr, 5, &it),
                      "kv_iter_new_prefix(NULL prefix, 5)");
        ExpectInvalid(kv_iter_new_prefix(db_, nullptr, kByte, too_long_key, &it),
                      "kv_iter_new_prefix(over-long prefix)");
        FUZZ_CHECK(it == nullptr, "a failed kv_iter_new_prefix handed out an iterator");
        break;
      case 13:
        ExpectInvalid(kv_compact_range(db_, nullptr, 3, nullptr, 0), "kv_compact_range(NULL, 3)");
        ExpectInvalid(kv_checkpoint(db_, nullptr), "kv_checkpoint(NULL dir)");
        ExpectInvalid(kv_checkpoint(db_, ""), "kv_checkpoint(empty dir)");
        break;
      case 14: {
        kv_db* other = nullptr;
        ExpectInvalid(kv_open(nullptr, nullptr, &other), "kv_open(NULL path)");
        ExpectInvalid(kv_open("", nullptr, &other), "kv_open(empty path)");
        ExpectInvalid(kv_open(path_.c_str(), nullptr, nullptr), "kv_open(NULL out)");
        ExpectInvalid(kv_close(nullptr), "kv_close(NULL)");
        ExpectInvalid(kv_destroy(nullptr), "kv_destroy(NULL)");
        FUZZ_CHECK(other == nullptr, "a failed kv_open handed out a handle");
        break;
      }
      default:
        // A second handle on an open database.
        kv_db* other = nullptr;
        Expect(kv_open(path_.c_str(), nullptr, &other), KV_BUSY, "kv_open (second handle)");
        Expect(kv_destroy(path_.c_str()), KV_BUSY, "kv_destroy (open database)");
        FUZZ_CHECK(other == nullptr, "a busy kv_open handed out a handle");
        break;
    }
    FUZZ_CHECK(val == nullptr && len == 0, "a failed call handed out a value");
  }

  FuzzInput in_;
  const std::string path_;
  const std::string checkpoint_path_;
  kv_options* options_ = nullptr;
  kv_db* db_ = nullptr;
  KvModel model_;
  std::shared_ptr<const KvModel> frozen_;  // a copy of model_, made on demand
  IterSlot iters_[kIterSlots];
  SnapshotSlot snapshots_[kSnapshotSlots];
  uint64_t last_snapshot_sequence_ = 0;
  int file_ops_ = 0;
  unsigned null_toggle_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const char* on_disk = std::getenv("STRATA_FUZZ_ON_DISK");
  if (on_disk != nullptr && std::string_view(on_disk) == "1") {
    g_disk_dir = new std::string(strata::fuzz::MakeProcessDir("strata-fuzz-capi-"));
  }
  std::atexit(AtExit);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (g_disk_dir != nullptr) {
    Sequence(data, size, *g_disk_dir).Run();
    return 0;
  }
  // A Sequence closes every database and frees every iterator and snapshot
  // before it returns (or aborts), so nothing uses the Env once it is gone.
  std::unique_ptr<strata::Env> env = strata::NewMemEnv();
  const strata::Status s = env->CreateDir(kMemBaseDir);
  FUZZ_CHECK(s.ok(), "creating %s in memory: %s", kMemBaseDir, s.ToString().c_str());
  strata::capi::SetEnvForTesting(env.get());
  Sequence(data, size, kMemBaseDir).Run();
  strata::capi::SetEnvForTesting(nullptr);
  return 0;
}
