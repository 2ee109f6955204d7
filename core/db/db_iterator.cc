#include "core/db/db_iterator.h"

namespace strata {

namespace {

class DBIterator final : public Iterator {
 public:
  DBIterator(std::unique_ptr<InternalIterator> internal, SequenceNumber sequence,
             std::optional<std::string> lower, std::optional<std::string> upper)
      : internal_(std::move(internal)),
        sequence_(sequence),
        lower_(std::move(lower)),
        upper_(std::move(upper)) {}

  bool Valid() const override { return valid_; }

  void SeekToFirst() override {
    if (lower_) {
      Seek(*lower_);
      return;
    }
    internal_->SeekToFirst();
    FindNextVisible(/*skipping=*/false);
  }

  void Seek(std::string_view user_key) override {
    if (lower_ && user_key < std::string_view(*lower_)) user_key = *lower_;
    LookupKey target(user_key, sequence_);
    internal_->Seek(target.internal_key());
    FindNextVisible(/*skipping=*/false);
  }

  void Next() override {
    // Skip the remaining (older) versions of the current key.
    skip_key_.assign(key_);
    FindNextVisible(/*skipping=*/true);
  }

  std::string_view key() const override { return key_; }
  std::string_view value() const override { return value_; }
  Status status() const override { return status_.ok() ? internal_->status() : status_; }

 private:
  // Moves to the first entry that is the newest visible version of a user
  // key, is not a tombstone, and (when `skipping`) is not skip_key_.
  void FindNextVisible(bool skipping) {
    valid_ = false;
    for (; internal_->Valid(); internal_->Next()) {
      ParsedInternalKey ikey;
      if (!ParseInternalKey(internal_->key(), &ikey)) {
        status_ = Status::Corruption("malformed internal key in iterator");
        return;
      }
      if (ikey.sequence > sequence_) continue;  // written after this iterator's snapshot
      if (upper_ && ikey.user_key >= std::string_view(*upper_)) return;
      if (skipping && ikey.user_key == std::string_view(skip_key_)) continue;
      if (ikey.kind == ValueKind::kDeletion) {
        // Hide this key and its older versions.
        skip_key_.assign(ikey.user_key);
        skipping = true;
        continue;
      }
      // Both stay valid until internal_ moves, which only Next/Seek do.
      key_ = ikey.user_key;
      value_ = internal_->value();
      valid_ = true;
      return;
    }
  }

  std::unique_ptr<InternalIterator> internal_;
  const SequenceNumber sequence_;
  const std::optional<std::string> lower_;
  const std::optional<std::string> upper_;
  bool valid_ = false;
  std::string_view key_;
  std::string_view value_;
  std::string skip_key_;
  Status status_;
};

}  // namespace

std::unique_ptr<Iterator> NewDBIterator(std::unique_ptr<InternalIterator> internal,
                                        SequenceNumber sequence,
                                        std::optional<std::string> lower,
                                        std::optional<std::string> upper) {
  return std::make_unique<DBIterator>(std::move(internal), sequence, std::move(lower),
                                      std::move(upper));
}

}  // namespace strata
