// OptimisticTransaction: read-modify-write without locks, validated at commit
// (RocksDB's OptimisticTransactionDB is the model).
//
// A transaction takes a snapshot when it begins. Get reads the transaction's
// own writes first, else the database as of that snapshot. Put and Delete
// are buffered in the transaction, invisible to everyone else. Commit hands
// the buffered writes to DB::CommitIfUnchanged together with every key the
// transaction read or wrote: if any of them was written by anyone after the
// transaction began, the commit returns Conflict and applies nothing;
// otherwise it applies all of the writes atomically. Nothing is locked
// meanwhile, so transactions never wait for each other; under contention the
// losers retry.
//
// Once Commit has returned (OK, Conflict, or any other error) the
// transaction is finished: every later call returns InvalidArgument. The
// snapshot is released then, or by the destructor of an unfinished one
// (which discards its writes).
//
// Thread safety: one thread at a time. Many transactions on one DB may run
// concurrently from many threads.
// Lifetime: holds a reference to the DB, so it may outlive its opener's.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "core/db/db.h"
#include "core/status.h"
#include "core/write_batch.h"

namespace strata {

class OptimisticTransaction {
 public:
  // Begins a transaction on db: NotSupported on a read-only database (it
  // could never commit). On failure *out is null.
  static Status Begin(std::shared_ptr<DB> db, std::unique_ptr<OptimisticTransaction>* out);

  ~OptimisticTransaction();
  OptimisticTransaction(const OptimisticTransaction&) = delete;
  OptimisticTransaction& operator=(const OptimisticTransaction&) = delete;

  // The transaction's own latest write of key, else the database as of the
  // begin. NotFound when absent (or deleted by this transaction). The key
  // joins the set checked at commit.
  Status Get(std::string_view key, std::string* value);
  // Buffered until Commit. InvalidArgument when the writes would pass
  // kMaxWriteBatchBytes (nothing is added then).
  Status Put(std::string_view key, std::string_view value);
  Status Delete(std::string_view key);

  // Applies every buffered write atomically, or returns Conflict (nothing
  // applied) when a key read or written here was written by someone else
  // since Begin. Finishes the transaction whatever the result.
  Status Commit(const WriteOptions& wo);

  bool finished() const { return finished_; }
  // The sequence number the transaction reads at.
  SequenceNumber sequence() const;

 private:
  OptimisticTransaction(std::shared_ptr<DB> db, const Snapshot* snapshot);
  Status CheckActive(const char* what) const;
  void Finish();

  std::shared_ptr<DB> db_;
  const Snapshot* snapshot_;  // owned: released by Finish
  // The writes in order, as they will be applied (a later one on a key wins).
  WriteBatch batch_;
  // Each key's latest write here, for reading one's own writes: a value, or
  // nullopt for a delete.
  std::map<std::string, std::optional<std::string>, std::less<>> writes_;
  // Keys read here (written ones are in writes_); both are checked at commit.
  std::set<std::string, std::less<>> reads_;
  bool finished_ = false;
};

}  // namespace strata
