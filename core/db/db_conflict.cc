// The conflict check of optimistic transactions (DB::CommitIfUnchanged):
// has any of a transaction's keys been written since it began?
//
// The answer is the sequence number of each key's newest version, wherever
// it is. Sources are consulted newest first (the memtable, the immutable
// memtables, L0 newest first, then one table per deeper level), so the first
// version found is the newest, and the search for a key ends there. A range
// tombstone covering the key counts as a write at its sequence number.
//
// Why it is exact: the transaction holds a snapshot at `since` until its
// commit returns, so compaction keeps every version newer than `since`
// (it only merges away versions no snapshot can tell apart) and never
// rewrites their sequence numbers. A newer write is therefore still visible
// here, with its own number.
#include "core/db/db.h"
#include "core/iterator.h"
#include "core/memtable/memtable.h"
#include "core/range_tombstone.h"
#include "core/table/table_cache.h"
#include "core/table/table_reader.h"
#include "core/version/version.h"

namespace strata {

namespace {

// Positions `it` at the newest entry of user_key; true with *seq set when
// there is one. Iterators over internal keys order the newest version of a
// key first, and the lookup key at kMaxSequenceNumber sorts before them all.
bool SeekNewest(InternalIterator* it, const LookupKey& lookup, SequenceNumber* seq) {
  it->Seek(lookup.internal_key());
  if (!it->Valid()) return false;
  ParsedInternalKey parsed;
  if (!ParseInternalKey(it->key(), &parsed)) return false;
  if (parsed.user_key != lookup.user_key()) return false;
  *seq = parsed.sequence;
  return true;
}

}  // namespace

Status DB::NewestSequence(const SuperVersion& sv, std::string_view key, SequenceNumber* seq,
                          bool* found) {
  *found = false;
  const LookupKey lookup(key, kMaxSequenceNumber);
  if (SeekNewest(sv.mem->NewIterator().get(), lookup, seq)) {
    *found = true;
    return Status::OK();
  }
  for (const auto& imm : sv.imms) {
    if (SeekNewest(imm->NewIterator().get(), lookup, seq)) {
      *found = true;
      return Status::OK();
    }
  }
  Status s;
  sv.version->ForEachTableForKey(key, [&](int, const FileMetaData& f) {
    std::shared_ptr<TableReader> reader;
    s = table_cache_->FindTable(f, &reader);
    if (!s.ok()) return false;
    // The filter answers most tables that never held the key without a
    // block read.
    if (!reader->KeyMayMatch(key)) return true;
    std::unique_ptr<InternalIterator> it = reader->NewIterator();
    if (SeekNewest(it.get(), lookup, seq)) {
      *found = true;
      return false;
    }
    s = it->status();
    return s.ok();
  });
  return s;
}

Status DB::CheckUnchanged(const std::vector<std::string_view>& keys, SequenceNumber since) {
  // Nothing at all was written since: no key can have changed. The common
  // case of an uncontended transaction costs no lookup.
  if (last_sequence_.load() <= since) return Status::OK();
  const std::shared_ptr<const SuperVersion> sv = super_version_.load();
  for (std::string_view key : keys) {
    SequenceNumber seq = 0;
    bool found = false;
    STRATA_RETURN_IF_ERROR(NewestSequence(*sv, key, &seq, &found));
    // A range delete over the key is a write to it too.
    if (sv->range_deletions != nullptr) {
      const SequenceNumber deleted =
          sv->range_deletions->MaxCoveringSequence(key, kMaxSequenceNumber);
      if (deleted > since && (!found || deleted > seq)) {
        seq = deleted;
        found = true;
      }
    }
    if (found && seq > since) {
      return Status::Conflict("the transaction conflicts with a write made after it began (key " +
                              std::to_string(key.size()) + " bytes long, written at sequence " +
                              std::to_string(seq) + ", after " + std::to_string(since) +
                              "); nothing of it was applied");
    }
  }
  return Status::OK();
}

}  // namespace strata
