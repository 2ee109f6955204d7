#include "core/table/sst_file_writer.h"

#include "core/dbformat.h"
#include "core/table/table_builder.h"

namespace strata {

Status SstFileWriter::Open(const Options& options, const std::string& path,
                           std::unique_ptr<SstFileWriter>* out) {
  out->reset();
  Env* env = options.env != nullptr ? options.env : Env::Default();
  // A file already there is unlinked, never truncated: after a moving ingest
  // that failed or crashed before it removed its source name, that name is
  // a hard link to a live table of the database, whose bytes truncating it
  // would destroy.
  if (env->FileExists(path)) STRATA_RETURN_IF_ERROR(env->RemoveFile(path));
  std::unique_ptr<WritableFile> file;
  STRATA_RETURN_IF_ERROR(env->NewWritableFile(path, &file));
  out->reset(new SstFileWriter(env, path, std::move(file), options));
  return Status::OK();
}

SstFileWriter::SstFileWriter(Env* env, std::string path, std::unique_ptr<WritableFile> file,
                             const Options& options)
    : env_(env),
      path_(std::move(path)),
      file_(std::move(file)),
      builder_(std::make_unique<TableBuilder>(options, file_.get())) {
  builder_->AddGlobalSequenceProperty();
}

SstFileWriter::~SstFileWriter() {
  if (finished_) return;
  if (!builder_closed_) builder_->Abandon();
  builder_.reset();
  file_->Close();
  file_.reset();
  // Best effort: a partial table is useless, and an ingest refuses it anyway.
  env_->RemoveFile(path_);
}

Status SstFileWriter::Put(std::string_view key, std::string_view value) {
  return Add(key, value, /*deletion=*/false);
}

Status SstFileWriter::Delete(std::string_view key) { return Add(key, {}, /*deletion=*/true); }

Status SstFileWriter::Add(std::string_view key, std::string_view value, bool deletion) {
  if (finished_) return Status::InvalidArgument("the SST writer is already finished");
  if (!error_.ok()) return error_;
  // Checked here rather than left to the builder, whose errors are sticky:
  // a caller's ordering mistake must not cost the whole file.
  if (num_entries_ > 0 && CompareUserKeys(key, last_key_) <= 0) {
    return Status::InvalidArgument(
        "SST writer keys must be strictly increasing: a key sorts at or before the previous one; "
        "nothing was written");
  }
  scratch_.clear();
  AppendInternalKey(&scratch_, key, 0, deletion ? ValueKind::kDeletion : ValueKind::kValue);
  Status s = builder_->Add(scratch_, value);
  if (!s.ok()) {
    error_ = s;
    return s;
  }
  last_key_.assign(key);
  ++num_entries_;
  return Status::OK();
}

Status SstFileWriter::Finish() {
  if (finished_) return Status::InvalidArgument("the SST writer is already finished");
  if (!error_.ok()) return error_;
  if (num_entries_ == 0) {
    return Status::InvalidArgument("the SST writer has no entries: an empty table cannot be "
                                   "ingested; add at least one key");
  }
  Status s = builder_->Finish();
  builder_closed_ = true;
  if (s.ok()) s = file_->Sync();
  if (s.ok()) s = file_->Close();
  if (!s.ok()) {
    // The builder is closed now: nothing more can be added.
    error_ = s;
    return s;
  }
  file_size_ = builder_->FileSize();
  finished_ = true;
  return Status::OK();
}

}  // namespace strata
