#include "core/table/table_file_builder.h"

#include <algorithm>

#include "core/filename.h"
#include "core/table/table_builder.h"
#include "core/table/table_cache.h"
#include "core/table/table_reader.h"

namespace strata {

TableFileBuilder::TableFileBuilder(const Options& options, Env* env, std::string dbname,
                                   uint64_t number)
    : options_(options), env_(env), dbname_(std::move(dbname)), number_(number) {}

TableFileBuilder::~TableFileBuilder() {
  if (!done_) Abandon();
}

Status TableFileBuilder::Add(std::string_view internal_key, std::string_view value) {
  if (!builder_) {
    STRATA_RETURN_IF_ERROR(env_->NewExclusiveWritableFile(TempFileName(dbname_, number_), &file_));
    builder_ = std::make_unique<TableBuilder>(options_, file_.get());
    smallest_.assign(internal_key);
  }
  largest_.assign(internal_key);
  if (internal_key.size() >= 8) {
    max_sequence_ = std::max(max_sequence_, ExtractTrailer(internal_key) >> 8);
  }
  return builder_->Add(internal_key, value);
}

void TableFileBuilder::AddRangeDeletion(const RangeTombstone& tombstone) {
  max_sequence_ = std::max(max_sequence_, tombstone.sequence);
  range_deletions_.push_back(tombstone);
}

uint64_t TableFileBuilder::NumEntries() const { return builder_ ? builder_->NumEntries() : 0; }

uint64_t TableFileBuilder::FileSize() const { return builder_ ? builder_->FileSize() : 0; }

Status TableFileBuilder::Finish(TableCache* cache, FileMetaData* meta) {
  if (NumEntries() == 0) {
    Abandon();
    return Status::InvalidArgument("table " + std::to_string(number_) + " has no entries");
  }
  done_ = true;
  const std::string temp = TempFileName(dbname_, number_);
  const std::string final_name = TableFileName(dbname_, number_);
  for (const RangeTombstone& t : range_deletions_) builder_->AddRangeDeletion(t);
  Status s = builder_->Finish();
  if (s.ok()) s = file_->Sync();
  if (s.ok()) s = file_->Close();
  file_.reset();
  bool renamed = false;
  if (s.ok()) {
    s = env_->RenameFile(temp, final_name);
    renamed = s.ok();
  }
  // The new name must be durable before any manifest can list it.
  if (s.ok()) s = env_->SyncDir(dbname_);
  FileMetaData out;
  if (s.ok()) {
    out = *meta;
    out.number = number_;
    out.file_size = builder_->FileSize();
    out.smallest = smallest_;
    out.largest = largest_;
    out.num_entries = builder_->NumEntries();
    out.num_deletions = builder_->properties().num_deletions;
    out.smallest_sequence = builder_->properties().smallest_sequence;
    out.range_deletions = range_deletions_;
    if (cache != nullptr) {
      std::shared_ptr<TableReader> reader;
      s = cache->FindTable(out, &reader);
    } else {
      std::unique_ptr<RandomAccessFile> file;
      std::unique_ptr<TableReader> reader;
      s = env_->NewRandomAccessFile(final_name, &file);
      if (s.ok()) {
        s = TableReader::Open(options_, std::move(file), out.file_size, number_, nullptr, &reader);
      }
    }
  }
  if (!s.ok()) {
    env_->RemoveFile(renamed ? final_name : temp);
    return s;
  }
  *meta = std::move(out);
  return Status::OK();
}

void TableFileBuilder::Abandon() {
  done_ = true;
  if (!builder_) return;
  builder_->Abandon();
  file_.reset();
  env_->RemoveFile(TempFileName(dbname_, number_));
}

}  // namespace strata
