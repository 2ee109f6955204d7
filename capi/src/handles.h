// The structs behind kv.h's opaque handles, and the guard that makes a kv_db
// safe to close while other threads may still be calling into it.
//
// Ownership: kv_options, kv_batch, kv_iter, kv_snapshot and kv_txn are freed
// by their kv_*_free.
// A kv_db's engine reference is dropped by kv_close, but the small struct is
// kept for the life of the process so that a call through a closed handle is
// detected (its state says closed) instead of reading freed memory.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/db/db.h"
#include "core/db/db_iterator.h"
#include "core/db/optimistic_transaction.h"
#include "core/options.h"
#include "core/write_batch.h"

// Distinct tags, so a handle of one kind passed as another is caught.
inline constexpr uint64_t kOptionsMagic = 0x5354524F50545331ull;  // "STROPTS1"
inline constexpr uint64_t kBatchMagic = 0x5354524241544331ull;    // "STRBATC1"
inline constexpr uint64_t kDbMagic = 0x5354524442484E31ull;       // "STRDBHN1"
inline constexpr uint64_t kIterMagic = 0x5354524954455231ull;     // "STRITER1"
inline constexpr uint64_t kSnapshotMagic = 0x5354525348415031ull; // "STRSHAP1"
inline constexpr uint64_t kTxnMagic = 0x53545254584E5331ull;      // "STRTXNS1"
inline constexpr uint64_t kFreedMagic = 0xDEADDEADDEADDEADull;

struct kv_options {
  uint64_t magic = kOptionsMagic;
  strata::Options options;
};

struct kv_batch {
  uint64_t magic = kBatchMagic;
  strata::WriteBatch batch;
};

struct kv_db {
  uint64_t magic = kDbMagic;
  std::atomic<bool> closed{false};
  // Calls in progress; kv_close waits for them to leave before it drops the
  // engine.
  std::atomic<int64_t> in_flight{0};
  std::shared_ptr<strata::DB> db;
};

// The cursor of kv.h: at an entry (it->Valid()), before the first, after the
// last, or failed with a status that every later move repeats.
struct kv_iter {
  enum class Position { kBeforeFirst, kAtEntry, kAfterLast, kFailed };
  uint64_t magic = kIterMagic;
  std::unique_ptr<strata::Iterator> it;
  Position position = Position::kBeforeFirst;
  int failed_code = 0;
  std::string failed_message;
  // kv_iter_next_batch's output, reused from call to call so that a scan
  // allocates only while its batches grow: the keys and values back to back,
  // and their lengths (key, value, key, value, ...). What the last call
  // handed out points here.
  std::string batch_data;
  std::vector<size_t> batch_lens;
};

// A pinned snapshot. It holds the engine like an iterator does, so freeing it
// after kv_close is safe; `owner` identifies the kv_db it must be used with.
struct kv_snapshot {
  uint64_t magic = kSnapshotMagic;
  const kv_db* owner = nullptr;
  std::shared_ptr<strata::DB> db;
  const strata::Snapshot* snapshot = nullptr;
};

// An optimistic transaction. It holds the engine (through the transaction)
// like a snapshot does, so freeing it after kv_close is safe; `owner` is the
// kv_db it began on, whose guard every call but kv_txn_free takes.
struct kv_txn {
  uint64_t magic = kTxnMagic;
  kv_db* owner = nullptr;
  std::unique_ptr<strata::OptimisticTransaction> txn;
};

// Holds a kv_db open for the duration of one call. ok() is false when the
// handle is closed (or closing); the call must then fail.
class DbCallGuard {
 public:
  explicit DbCallGuard(kv_db* db) : db_(db) {
    db_->in_flight.fetch_add(1, std::memory_order_seq_cst);
    ok_ = !db_->closed.load(std::memory_order_seq_cst);
  }
  ~DbCallGuard() { db_->in_flight.fetch_sub(1, std::memory_order_seq_cst); }
  DbCallGuard(const DbCallGuard&) = delete;
  DbCallGuard& operator=(const DbCallGuard&) = delete;
  bool ok() const { return ok_; }

 private:
  kv_db* db_;
  bool ok_;
};
