// kv.h: iterators, a cursor over [start, end) that moves both ways.
#include <algorithm>

#include "capi/src/capi_util.h"
#include "core/db/prefix.h"

using namespace strata::capi;

namespace {

using Position = kv_iter::Position;

int NewIter(const char* where, kv_db* db, const kv_snapshot* snap,
            std::optional<std::string> lower, std::optional<std::string> upper, kv_iter** out) {
  DbCallGuard guard(db);
  if (!guard.ok()) return ClosedError(where);
  strata::ReadOptions ro;
  if (snap != nullptr) ro.snapshot = snap->snapshot;
  auto it = std::make_unique<kv_iter>();
  it->it = db->db->NewIterator(ro, std::move(lower), std::move(upper));
  *out = it.release();
  return KV_OK;
}

int NewRangeIter(const char* where, kv_db* db, const kv_snapshot* snap, const void* start,
                 size_t start_len, const void* end, size_t end_len, kv_iter** out) {
  return Guarded(where, [&] {
    if (out == nullptr) return Fail(KV_INVALID_ARGUMENT, std::string(where) + ": out is NULL");
    *out = nullptr;
    if (int rc = CheckDb(where, db); rc != KV_OK) return rc;
    if (int rc = CheckSnapshot(where, db, snap); rc != KV_OK) return rc;
    std::optional<std::string> lower, upper;
    if (int rc = OptionalBound(where, "start", start, start_len, &lower); rc != KV_OK) return rc;
    if (int rc = OptionalBound(where, "end", end, end_len, &upper); rc != KV_OK) return rc;
    return NewIter(where, db, snap, std::move(lower), std::move(upper), out);
  });
}

void ClearOutputs(const void** key, size_t* key_len, const void** val, size_t* val_len) {
  if (key != nullptr) *key = nullptr;
  if (key_len != nullptr) *key_len = 0;
  if (val != nullptr) *val = nullptr;
  if (val_len != nullptr) *val_len = 0;
}

// After a move: records where the cursor now is and returns KV_OK when it is
// at an entry, KV_END when the move left the range (the cursor is then at
// `off_range`), or the read error that failed the iterator for good.
int Settle(kv_iter* it, Position off_range) {
  if (!it->it->Valid()) {
    strata::Status s = it->it->status();
    if (!s.ok()) {
      // An iterator reports only KV_OK, KV_END or an error; an internal
      // "not found" here means something the database lists is missing.
      int rc = FromStatus(s);
      if (rc > 0) rc = Fail(KV_CORRUPTION, s.message());
      it->position = Position::kFailed;
      it->failed_code = rc;
      it->failed_message = LastError();
      return rc;
    }
    it->position = off_range;
    return KV_END;
  }
  it->position = Position::kAtEntry;
  return KV_OK;
}

// kv_iter_next's move; false when it is a no-op (already after the last).
bool StepForward(kv_iter* it) {
  switch (it->position) {
    case Position::kBeforeFirst: it->it->SeekToFirst(); return true;
    case Position::kAtEntry: it->it->Next(); return true;
    default: return false;  // after the last: stays there
  }
}

// Runs `move` on a usable iterator, then reports where it landed. `off_range`
// is where the cursor is when the move left the range.
template <typename Move>
int MoveAndReport(const char* where, kv_iter* it, Position off_range, const void** key,
                  size_t* key_len, const void** val, size_t* val_len, Move&& move) {
  return Guarded(where, [&] {
    if (int rc = CheckIter(where, it); rc != KV_OK) return rc;
    ClearOutputs(key, key_len, val, val_len);
    if (it->position == Position::kFailed) return Fail(it->failed_code, it->failed_message);
    if (!move()) return KV_END;  // the move was a no-op off the range
    if (int rc = Settle(it, off_range); rc != KV_OK) return rc;
    // A key of length 0 still gets a non-NULL pointer.
    static const char kEmpty[1] = {0};
    std::string_view k = it->it->key();
    std::string_view v = it->it->value();
    if (key != nullptr) *key = k.data() != nullptr ? k.data() : kEmpty;
    if (key_len != nullptr) *key_len = k.size();
    if (val != nullptr) *val = v.data() != nullptr ? v.data() : kEmpty;
    if (val_len != nullptr) *val_len = v.size();
    return KV_OK;
  });
}

// Sizes a batch's buffers once, from its first entry, for the whole batch
// the limits allow (at most 1 MiB guessed ahead): a fresh iterator's first
// batch of 100 entries would otherwise grow its buffer about eight times,
// copying it each time. Entries larger than the first still grow it.
void ReserveBatch(kv_iter* it, size_t entry_bytes, size_t max_entries, size_t max_bytes) {
  constexpr size_t kMaxGuess = size_t{1} << 20;
  const size_t per_entry = std::max<size_t>(entry_bytes, 1);
  const size_t entries = std::min(max_entries, std::min(max_bytes, kMaxGuess) / per_entry + 1);
  // Neither reserve shrinks a buffer an earlier batch grew.
  it->batch_lens.reserve(2 * entries);
  it->batch_data.reserve(entries * per_entry);
}

int CheckTarget(const char* where, const void* target, size_t target_len) {
  if (target == nullptr && target_len != 0) {
    return Fail(KV_INVALID_ARGUMENT, std::string(where) + ": target is NULL but its length is not 0");
  }
  if (target_len > KV_MAX_KEY_LEN) {
    return Fail(KV_INVALID_ARGUMENT, std::string(where) + ": target exceeds KV_MAX_KEY_LEN");
  }
  return KV_OK;
}

}  // namespace

extern "C" {

int kv_iter_new(kv_db* db, const void* start, size_t start_len, const void* end, size_t end_len,
                kv_iter** out) {
  return NewRangeIter("kv_iter_new", db, nullptr, start, start_len, end, end_len, out);
}

int kv_iter_new_at(kv_db* db, const kv_snapshot* snap, const void* start, size_t start_len,
                   const void* end, size_t end_len, kv_iter** out) {
  return NewRangeIter("kv_iter_new_at", db, snap, start, start_len, end, end_len, out);
}

int kv_iter_new_prefix(kv_db* db, const kv_snapshot* snap, const void* prefix, size_t prefix_len,
                       kv_iter** out) {
  constexpr const char* kWhere = "kv_iter_new_prefix";
  return Guarded(kWhere, [&] {
    if (out == nullptr) return Fail(KV_INVALID_ARGUMENT, "kv_iter_new_prefix: out is NULL");
    *out = nullptr;
    if (int rc = CheckDb(kWhere, db); rc != KV_OK) return rc;
    if (int rc = CheckSnapshot(kWhere, db, snap); rc != KV_OK) return rc;
    if (prefix == nullptr && prefix_len != 0) {
      return Fail(KV_INVALID_ARGUMENT, "kv_iter_new_prefix: prefix is NULL but its length is not 0");
    }
    if (prefix_len > KV_MAX_KEY_LEN) {
      return Fail(KV_INVALID_ARGUMENT, "kv_iter_new_prefix: prefix exceeds KV_MAX_KEY_LEN");
    }
    std::string lower(Bytes(prefix, prefix_len));
    std::optional<std::string> upper = strata::PrefixSuccessor(lower);
    return NewIter(kWhere, db, snap, std::move(lower), std::move(upper), out);
  });
}

int kv_iter_next(kv_iter* it, const void** key, size_t* key_len, const void** val,
                 size_t* val_len) {
  return MoveAndReport("kv_iter_next", it, Position::kAfterLast, key, key_len, val, val_len,
                       [&] { return StepForward(it); });
}

int kv_iter_next_batch(kv_iter* it, size_t max_entries, size_t max_bytes, size_t* count,
                       const void** data, const size_t** lens) {
  constexpr const char* kWhere = "kv_iter_next_batch";
  return Guarded(kWhere, [&] {
    if (count != nullptr) *count = 0;
    if (data != nullptr) *data = nullptr;
    if (lens != nullptr) *lens = nullptr;
    if (int rc = CheckIter(kWhere, it); rc != KV_OK) return rc;
    if (count == nullptr || data == nullptr || lens == nullptr) {
      return Fail(KV_INVALID_ARGUMENT, "kv_iter_next_batch: count, data and lens must not be NULL");
    }
    if (max_entries == 0) {
      return Fail(KV_INVALID_ARGUMENT, "kv_iter_next_batch: max_entries is 0");
    }
    if (it->position == Position::kFailed) return Fail(it->failed_code, it->failed_message);
    it->batch_data.clear();
    it->batch_lens.clear();
    size_t n = 0;
    int rc = KV_OK;
    // Exactly kv_iter_next's moves, one per entry; the limits are checked
    // after an entry is added, so the batch never looks ahead (the cursor is
    // at its last entry) and always holds at least one.
    while (true) {
      rc = StepForward(it) ? Settle(it, Position::kAfterLast) : KV_END;
      if (rc != KV_OK) break;
      std::string_view k = it->it->key();
      std::string_view v = it->it->value();
      if (n == 0) ReserveBatch(it, k.size() + v.size(), max_entries, max_bytes);
      it->batch_data.append(k);
      it->batch_data.append(v);
      it->batch_lens.push_back(k.size());
      it->batch_lens.push_back(v.size());
      if (++n == max_entries || it->batch_data.size() >= max_bytes) break;
    }
    if (n == 0) return rc;  // KV_END, or the error that failed the iterator
    // A read error after some entries: they are good and handed out now; the
    // iterator is failed, so the next call returns the error.
    if (rc < 0) ClearLastError();
    static const char kEmpty[1] = {0};
    *count = n;
    *data = it->batch_data.empty() ? kEmpty : it->batch_data.data();
    *lens = it->batch_lens.data();
    return KV_OK;
  });
}

int kv_iter_prev(kv_iter* it, const void** key, size_t* key_len, const void** val,
                 size_t* val_len) {
  return MoveAndReport("kv_iter_prev", it, Position::kBeforeFirst, key, key_len, val, val_len, [&] {
    switch (it->position) {
      case Position::kAfterLast: it->it->SeekToLast(); return true;
      case Position::kAtEntry: it->it->Prev(); return true;
      default: return false;  // before the first: stays there
    }
  });
}

int kv_iter_first(kv_iter* it, const void** key, size_t* key_len, const void** val,
                  size_t* val_len) {
  return MoveAndReport("kv_iter_first", it, Position::kAfterLast, key, key_len, val, val_len, [&] {
    it->it->SeekToFirst();
    return true;
  });
}

int kv_iter_last(kv_iter* it, const void** key, size_t* key_len, const void** val,
                 size_t* val_len) {
  return MoveAndReport("kv_iter_last", it, Position::kBeforeFirst, key, key_len, val, val_len, [&] {
    it->it->SeekToLast();
    return true;
  });
}

int kv_iter_seek(kv_iter* it, const void* target, size_t target_len, const void** key,
                 size_t* key_len, const void** val, size_t* val_len) {
  if (int rc = Guarded("kv_iter_seek", [&] { return CheckTarget("kv_iter_seek", target, target_len); });
      rc != KV_OK) {
    ClearOutputs(key, key_len, val, val_len);
    return rc;
  }
  return MoveAndReport("kv_iter_seek", it, Position::kAfterLast, key, key_len, val, val_len, [&] {
    it->it->Seek(Bytes(target, target_len));
    return true;
  });
}

int kv_iter_seek_for_prev(kv_iter* it, const void* target, size_t target_len, const void** key,
                          size_t* key_len, const void** val, size_t* val_len) {
  if (int rc = Guarded("kv_iter_seek_for_prev",
                       [&] { return CheckTarget("kv_iter_seek_for_prev", target, target_len); });
      rc != KV_OK) {
    ClearOutputs(key, key_len, val, val_len);
    return rc;
  }
  return MoveAndReport("kv_iter_seek_for_prev", it, Position::kBeforeFirst, key, key_len, val,
                       val_len, [&] {
                         it->it->SeekForPrev(Bytes(target, target_len));
                         return true;
                       });
}

void kv_iter_free(kv_iter* it) {
  if (it == nullptr || it->magic != kIterMagic) return;
  it->magic = kFreedMagic;
  try {
    delete it;
  } catch (...) {
  }
}

}  // extern "C"
