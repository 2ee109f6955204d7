#include "core/db/db_iterator.h"

namespace strata {

namespace {

class DBIterator final : public Iterator {
 public:
  DBIterator(std::unique_ptr<InternalIterator> internal, SequenceNumber sequence,
             std::shared_ptr<const RangeTombstoneSet> range_deletions,
             std::optional<std::string> lower, std::optional<std::string> upper)
      : internal_(std::move(internal)),
        sequence_(sequence),
        range_deletions_(std::move(range_deletions)),
        lower_(std::move(lower)),
        upper_(std::move(upper)) {}

  bool Valid() const override { return valid_; }

  std::string_view key() const override {
    return direction_ == kForward ? key_ : std::string_view(saved_key_);
  }
  std::string_view value() const override {
    return direction_ == kForward ? value_ : std::string_view(saved_value_);
  }
  Status status() const override { return status_.ok() ? internal_->status() : status_; }

  void SeekToFirst() override {
    direction_ = kForward;
    if (lower_) {
      LookupKey target(*lower_, sequence_);
      internal_->Seek(target.internal_key());
    } else {
      internal_->SeekToFirst();
    }
    FindNextUserEntry(/*skipping=*/false);
  }

  void Seek(std::string_view user_key) override {
    direction_ = kForward;
    if (lower_ && user_key < std::string_view(*lower_)) user_key = *lower_;
    LookupKey target(user_key, sequence_);
    internal_->Seek(target.internal_key());
    FindNextUserEntry(/*skipping=*/false);
  }

  void SeekToLast() override {
    direction_ = kReverse;
    if (upper_) {
      PositionBefore(*upper_);
    } else {
      internal_->SeekToLast();
    }
    FindPrevUserEntry();
  }

  void SeekForPrev(std::string_view user_key) override {
    if (upper_ && user_key >= std::string_view(*upper_)) {
      SeekToLast();
      return;
    }
    direction_ = kReverse;
    // Every version of user_key sorts before the first entry of any larger
    // key, so positioning before the first key > user_key leaves all of them
    // for the backward scan.
    LookupKey first_of_key(user_key, kMaxSequenceNumber);
    internal_->Seek(first_of_key.internal_key());
    while (internal_->Valid()) {
      ParsedInternalKey ikey;
      if (!Parse(&ikey)) return;
      if (ikey.user_key != user_key) break;
      internal_->Next();
    }
    StepBackFromSeek();
    FindPrevUserEntry();
  }

  void Next() override {
    if (direction_ == kReverse) {
      // The internal iterator sits just before the entries of the saved key;
      // step into them, and skip them (and anything older) below.
      direction_ = kForward;
      if (internal_->Valid()) {
        internal_->Next();
      } else if (internal_->status().ok()) {
        internal_->SeekToFirst();
      }
      skip_key_ = saved_key_;
    } else {
      skip_key_.assign(key_);
    }
    FindNextUserEntry(/*skipping=*/true);
  }

  void Prev() override {
    if (direction_ == kForward) {
      // The internal iterator is on the entry shown; walk back past every
      // version of its key so the backward scan starts below it.
      saved_key_.assign(key_);
      direction_ = kReverse;
      while (true) {
        internal_->Prev();
        if (!internal_->Valid()) break;
        ParsedInternalKey ikey;
        if (!Parse(&ikey)) return;
        if (ikey.user_key < std::string_view(saved_key_)) break;
      }
    }
    FindPrevUserEntry();
  }

 private:
  enum Direction { kForward, kReverse };

  // The kind of a visible entry as the user sees it: a version a range
  // tombstone covers counts as deleted.
  ValueKind VisibleKind(const ParsedInternalKey& ikey) const {
    if (ikey.kind == ValueKind::kValue && range_deletions_ != nullptr &&
        range_deletions_->Covers(ikey.user_key, ikey.sequence, sequence_)) {
      return ValueKind::kDeletion;
    }
    return ikey.kind;
  }

  bool Parse(ParsedInternalKey* ikey) {
    if (!ParseInternalKey(internal_->key(), ikey)) {
      status_ = Status::Corruption("malformed internal key in iterator");
      valid_ = false;
      return false;
    }
    return true;
  }

  // Positions the internal iterator on the last entry whose user key is below
  // `user_key`, or makes it invalid when there is none.
  void PositionBefore(std::string_view user_key) {
    LookupKey first_of_key(user_key, kMaxSequenceNumber);
    internal_->Seek(first_of_key.internal_key());
    StepBackFromSeek();
  }

  // After a Seek: moves to the entry before the one found, or to the last
  // entry when the seek ran off the end.
  void StepBackFromSeek() {
    if (internal_->Valid()) {
      internal_->Prev();
    } else if (internal_->status().ok()) {
      internal_->SeekToLast();
    }
  }

  // Forward: moves to the first entry that is the newest visible version of
  // a user key, is not a tombstone, and (when `skipping`) is after skip_key_.
  void FindNextUserEntry(bool skipping) {
    valid_ = false;
    for (; internal_->Valid(); internal_->Next()) {
      ParsedInternalKey ikey;
      if (!Parse(&ikey)) return;
      if (ikey.sequence > sequence_) continue;  // written after this iterator's snapshot
      if (upper_ && ikey.user_key >= std::string_view(*upper_)) return;
      if (skipping && ikey.user_key <= std::string_view(skip_key_)) continue;
      if (VisibleKind(ikey) == ValueKind::kDeletion) {
        // Hide this key and its older versions.
        skip_key_.assign(ikey.user_key);
        skipping = true;
        continue;
      }
      // Both stay valid until internal_ moves.
      key_ = ikey.user_key;
      value_ = internal_->value();
      valid_ = true;
      return;
    }
  }

  // Backward: scans entries downwards from the internal position, keeping the
  // newest visible version of the key it is in, until it reaches an older
  // key after having found a value. Ends positioned just before the entries
  // of the key it shows (saved in saved_key_ / saved_value_).
  void FindPrevUserEntry() {
    valid_ = false;
    ValueKind kind = ValueKind::kDeletion;  // "nothing found yet"
    for (; internal_->Valid(); internal_->Prev()) {
      ParsedInternalKey ikey;
      if (!Parse(&ikey)) return;
      if (lower_ && ikey.user_key < std::string_view(*lower_)) break;
      if (ikey.sequence > sequence_) continue;
      if (kind != ValueKind::kDeletion && ikey.user_key < std::string_view(saved_key_)) {
        break;  // the key saved is complete: an older key begins here
      }
      // Entries of one key arrive oldest first, so each visible one replaces
      // what was saved for it.
      kind = VisibleKind(ikey);
      if (kind == ValueKind::kDeletion) {
        saved_key_.clear();
        saved_value_.clear();
      } else {
        saved_key_.assign(ikey.user_key);
        const std::string_view v = internal_->value();
        // Do not keep a huge buffer alive after one large value.
        if (saved_value_.capacity() > v.size() + (1 << 20)) std::string().swap(saved_value_);
        saved_value_.assign(v);
      }
    }
    if (!status().ok()) return;
    valid_ = kind != ValueKind::kDeletion;
  }

  std::unique_ptr<InternalIterator> internal_;
  const SequenceNumber sequence_;
  const std::shared_ptr<const RangeTombstoneSet> range_deletions_;  // null: none
  const std::optional<std::string> lower_;
  const std::optional<std::string> upper_;
  Direction direction_ = kForward;
  bool valid_ = false;
  // Forward: the entry shown, pointing into internal_.
  std::string_view key_;
  std::string_view value_;
  std::string skip_key_;
  // Reverse: copies of the entry shown.
  std::string saved_key_;
  std::string saved_value_;
  Status status_;
};

}  // namespace

std::unique_ptr<Iterator> NewDBIterator(std::unique_ptr<InternalIterator> internal,
                                        SequenceNumber sequence,
                                        std::shared_ptr<const RangeTombstoneSet> range_deletions,
                                        std::optional<std::string> lower,
                                        std::optional<std::string> upper) {
  return std::make_unique<DBIterator>(std::move(internal), sequence, std::move(range_deletions),
                                      std::move(lower), std::move(upper));
}

}  // namespace strata
