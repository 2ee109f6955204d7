// SstFileWriter: writes a table file outside any database, for a bulk ingest
// (DB::Ingest, kv_ingest).
//
// The caller adds user keys in strictly increasing bytewise order, each a
// value (Put) or a tombstone (Delete); they are stored as internal keys with
// sequence number 0 through the same TableBuilder that flushes use, with the
// table options of Options (block_bytes, compression, bloom_bits_per_key,
// block_restart_interval). The table carries strata.global_sequence = 0
// (global_sequence.h), which marks it as written here: the database that
// ingests it assigns one sequence number to every entry.
//
// A key out of order is refused with InvalidArgument and not written; the
// writer stays usable. Any other failure (an I/O error) is sticky.
//
// Thread safety: one thread at a time.
// Ownership: the writer owns its file. Destroying a writer that was not
// finished removes the partial file; a finished file belongs to the caller.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/env.h"
#include "core/options.h"
#include "core/status.h"

namespace strata {

class TableBuilder;

class SstFileWriter {
 public:
  // Creates the file at `path` through options.env (Env::Default() when
  // null), replacing one already there by unlinking it first: it may be a
  // hard link into a database (see Open). On failure *out is null.
  static Status Open(const Options& options, const std::string& path,
                     std::unique_ptr<SstFileWriter>* out);

  ~SstFileWriter();
  SstFileWriter(const SstFileWriter&) = delete;
  SstFileWriter& operator=(const SstFileWriter&) = delete;

  // REQUIRES (else InvalidArgument, nothing written): key sorts strictly
  // after every key added before, and Finish has not succeeded.
  Status Put(std::string_view key, std::string_view value);
  Status Delete(std::string_view key);

  // Completes the table: the index, filter and properties blocks, the
  // footer, then fsync and close. InvalidArgument (the writer still usable)
  // when nothing was added: an empty table cannot be ingested.
  Status Finish();

  bool finished() const { return finished_; }
  uint64_t num_entries() const { return num_entries_; }
  // The table's size once finished.
  uint64_t file_size() const { return file_size_; }
  const std::string& path() const { return path_; }

 private:
  SstFileWriter(Env* env, std::string path, std::unique_ptr<WritableFile> file,
                const Options& options);
  Status Add(std::string_view key, std::string_view value, bool deletion);

  Env* const env_;
  const std::string path_;
  std::unique_ptr<WritableFile> file_;
  std::unique_ptr<TableBuilder> builder_;
  std::string last_key_;  // user key
  std::string scratch_;   // the internal key being added
  uint64_t num_entries_ = 0;
  uint64_t file_size_ = 0;
  bool finished_ = false;
  bool builder_closed_ = false;  // Finish or Abandon was called on builder_
  Status error_;  // sticky: an I/O failure
};

}  // namespace strata
