#include "core/db/optimistic_transaction.h"

#include <vector>

namespace strata {

Status OptimisticTransaction::Begin(std::shared_ptr<DB> db,
                                    std::unique_ptr<OptimisticTransaction>* out) {
  out->reset();
  STRATA_RETURN_IF_ERROR(db->CheckWritable("a transaction"));
  const Snapshot* snapshot = db->GetSnapshot();
  out->reset(new OptimisticTransaction(std::move(db), snapshot));
  return Status::OK();
}

OptimisticTransaction::OptimisticTransaction(std::shared_ptr<DB> db, const Snapshot* snapshot)
    : db_(std::move(db)), snapshot_(snapshot) {}

OptimisticTransaction::~OptimisticTransaction() { Finish(); }

void OptimisticTransaction::Finish() {
  finished_ = true;
  if (snapshot_ != nullptr) {
    db_->ReleaseSnapshot(snapshot_);
    snapshot_ = nullptr;
  }
}

SequenceNumber OptimisticTransaction::sequence() const {
  return snapshot_ != nullptr ? snapshot_->sequence() : 0;
}

Status OptimisticTransaction::CheckActive(const char* what) const {
  if (!finished_) return Status::OK();
  return Status::InvalidArgument(std::string(what) +
                                 ": the transaction is finished (it was committed or conflicted); "
                                 "begin a new one");
}

Status OptimisticTransaction::Get(std::string_view key, std::string* value) {
  STRATA_RETURN_IF_ERROR(CheckActive("get"));
  auto own = writes_.find(key);
  if (own != writes_.end()) {
    if (!own->second.has_value()) return Status::NotFound();
    *value = *own->second;
    return Status::OK();
  }
  // Recorded before the read: a failed read still made the transaction
  // depend on the key (the caller may act on the failure).
  reads_.emplace(key);
  ReadOptions ro;
  ro.snapshot = snapshot_;
  return db_->Get(ro, key, value);
}

Status OptimisticTransaction::Put(std::string_view key, std::string_view value) {
  STRATA_RETURN_IF_ERROR(CheckActive("put"));
  if (batch_.ByteSizeAfterPut(key.size(), value.size()) > kMaxWriteBatchBytes) {
    return Status::InvalidArgument("the transaction's writes would exceed " +
                                   std::to_string(kMaxWriteBatchBytes) +
                                   " bytes; the put was not added");
  }
  batch_.Put(key, value);
  writes_.insert_or_assign(std::string(key), std::optional<std::string>(std::string(value)));
  return Status::OK();
}

Status OptimisticTransaction::Delete(std::string_view key) {
  STRATA_RETURN_IF_ERROR(CheckActive("delete"));
  if (batch_.ByteSizeAfterDelete(key.size()) > kMaxWriteBatchBytes) {
    return Status::InvalidArgument("the transaction's writes would exceed " +
                                   std::to_string(kMaxWriteBatchBytes) +
                                   " bytes; the delete was not added");
  }
  batch_.Delete(key);
  writes_.insert_or_assign(std::string(key), std::nullopt);
  return Status::OK();
}

Status OptimisticTransaction::Commit(const WriteOptions& wo) {
  STRATA_RETURN_IF_ERROR(CheckActive("commit"));
  std::vector<std::string_view> keys;
  keys.reserve(reads_.size() + writes_.size());
  for (const auto& key : reads_) keys.push_back(key);
  for (const auto& [key, value] : writes_) {
    if (!reads_.count(key)) keys.push_back(key);
  }
  // The snapshot is held until the commit returns: it keeps the versions
  // the conflict check looks for (DB::CommitIfUnchanged's REQUIREMENT).
  Status s = db_->CommitIfUnchanged(wo, batch_, keys, snapshot_->sequence());
  Finish();
  return s;
}

}  // namespace strata
