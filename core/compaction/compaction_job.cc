#include "core/compaction/compaction_job.h"

#include "core/filename.h"
#include "core/iter/level_iterator.h"
#include "core/iter/merging_iterator.h"
#include "core/table/table_file_builder.h"
#include "core/table/table_cache.h"

namespace strata {

uint64_t CompactionInputs::InputBytes() const {
  uint64_t total = 0;
  for (const auto& level : files) {
    for (const auto& f : level) total += f->file_size;
  }
  return total;
}

bool CompactionInputs::empty() const {
  for (const auto& level : files) {
    if (!level.empty()) return false;
  }
  return true;
}

CompactionJob::CompactionJob(const Options& options, std::string dbname, Env* env,
                             TableCache* tables, std::function<uint64_t()> new_file_number)
    : options_(options),
      dbname_(std::move(dbname)),
      env_(env),
      tables_(tables),
      new_file_number_(std::move(new_file_number)) {}

Status CompactionJob::CheckInputs(const CompactionInputs& inputs) {
  for (int level = 1; level < kNumLevels; ++level) {
    const FileList& files = inputs.files[level];
    for (size_t i = 1; i < files.size(); ++i) {
      if (ExtractUserKey(files[i - 1]->largest) >= ExtractUserKey(files[i]->smallest)) {
        return Status::InvalidArgument(
            "compaction inputs of level " + std::to_string(level) + " are not in key order: table " +
            std::to_string(files[i - 1]->number) + " is listed before table " +
            std::to_string(files[i]->number));
      }
    }
  }
  return Status::OK();
}

Status CompactionJob::Run(const CompactionInputs& inputs, CompactionResult* result) {
  *result = CompactionResult();
  // A level iterator concatenates a level's tables as listed: out of order,
  // the merge would hand the table builder keys out of order halfway through.
  STRATA_RETURN_IF_ERROR(CheckInputs(inputs));
  // One pass over cold tables must not push the hot blocks out of the cache,
  // and reads them with pread and the kernel's read-ahead even when they are
  // mapped (table_reader.h).
  TableReadOptions no_fill;
  no_fill.fill_cache = false;
  no_fill.read_in_place = false;
  std::vector<std::unique_ptr<InternalIterator>> children;
  for (int level = 0; level < kNumLevels; ++level) {
    const FileList& files = inputs.files[level];
    if (files.empty()) continue;
    if (level == 0) {
      for (const auto& f : files) {
        children.push_back(tables_->NewIterator(*f, no_fill));
      }
    } else {
      TableCache* tables = tables_;
      children.push_back(NewLevelIterator(files, [tables, no_fill](const FileMetaData& f) {
        return tables->NewIterator(f, no_fill);
      }));
    }
  }
  result->bytes_read = inputs.InputBytes();
  auto input = NewMergingIterator(std::move(children));

  std::unique_ptr<TableFileBuilder> builder;
  FileMetaData meta;
  Status s;

  // A version dropped because no reader can see it anyway (hidden by a range
  // tombstone, or a point tombstone with nothing below): written back as a
  // point tombstone it still hides nothing visible. It gives the carried
  // range tombstones a table when every entry was dropped.
  std::string spare;
  bool has_spare = false;
  // Opens the next output table; the first one carries the range tombstones.
  auto open_output = [&](std::string_view first_key, std::string_view first_value) -> Status {
    meta = FileMetaData();
    meta.range_deletions_applied = inputs.range_deletions_applied;
    builder = std::make_unique<TableFileBuilder>(options_, env_, dbname_, new_file_number_());
    if (result->outputs.empty()) {
      for (const RangeTombstone& t : inputs.carried_range_deletions) builder->AddRangeDeletion(t);
    }
    return builder->Add(first_key, first_value);
  };

  std::string current_user_key;
  bool has_current_user_key = false;
  SequenceNumber last_sequence_for_key = kMaxSequenceNumber;

  for (input->SeekToFirst(); input->Valid() && s.ok(); input->Next()) {
    std::string_view key = input->key();
    ParsedInternalKey ikey;
    if (!ParseInternalKey(key, &ikey)) {
      s = Status::Corruption("compaction input holds a malformed internal key");
      break;
    }
    const bool new_user_key = !has_current_user_key || ikey.user_key != current_user_key;
    if (new_user_key) {
      current_user_key.assign(ikey.user_key);
      has_current_user_key = true;
      last_sequence_for_key = kMaxSequenceNumber;
      // Cut only between user keys.
      if (builder && builder->FileSize() >= options_.table_file_bytes) {
        s = builder->Finish(tables_, &meta);  // reads it back before it is published
        builder.reset();
        if (!s.ok()) break;
        result->bytes_written += meta.file_size;
        result->outputs.push_back(meta);
      }
    }

    bool drop = false;
    bool unseen = false;  // dropped, and no reader could see it anyway
    if (last_sequence_for_key <= inputs.oldest_snapshot) {
      // A newer version of this key is visible to every reader.
      drop = true;
    } else if (ikey.kind == ValueKind::kDeletion && ikey.sequence <= inputs.oldest_snapshot &&
               inputs.bottommost) {
      // Nothing older lies below to hide, and every reader sees the deletion.
      drop = unseen = true;
    } else if (inputs.range_deletions != nullptr &&
               inputs.range_deletions->Covers(ikey.user_key, ikey.sequence,
                                              inputs.oldest_snapshot)) {
      // Every reader sees a range tombstone that hides this version.
      drop = unseen = true;
    }
    last_sequence_for_key = ikey.sequence;
    if (drop) {
      ++result->entries_dropped;
      if (unseen && !has_spare) {
        spare.clear();
        AppendInternalKey(&spare, ikey.user_key, ikey.sequence, ValueKind::kDeletion);
        has_spare = true;
      }
      continue;
    }

    if (!builder) {
      s = open_output(key, input->value());
    } else {
      s = builder->Add(key, input->value());
    }
  }
  if (s.ok()) s = input->status();
  if (s.ok() && !builder && result->outputs.empty() && !inputs.carried_range_deletions.empty()) {
    if (has_spare) {
      s = open_output(spare, {});
    } else {
      s = Status::InvalidArgument("compaction inputs hold no entry to carry range tombstones");
    }
  }
  if (s.ok() && builder) {
    s = builder->Finish(tables_, &meta);
    builder.reset();
    if (s.ok()) {
      result->bytes_written += meta.file_size;
      result->outputs.push_back(meta);
    }
  }
  if (!s.ok()) {
    builder.reset();  // abandons the table being written
    // The finished outputs are nobody's: no Version lists them.
    for (const FileMetaData& f : result->outputs) {
      env_->RemoveFile(TableFileName(dbname_, f.number));
    }
    result->outputs.clear();
  }
  return s;
}

}  // namespace strata
