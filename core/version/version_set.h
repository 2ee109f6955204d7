// VersionSet: the manifest, the current Version, and the database's counters
// (next file number, last sequence, oldest live WAL).
//
// The manifest is a log (core/wal/log_format.h) of VersionEdits. The first
// record of a manifest is a full snapshot; CURRENT names the live manifest and
// is replaced atomically (temp file, fsync, rename, directory fsync). Each
// open writes a fresh manifest, so manifests never grow without bound across
// restarts.
//
// Thread safety: every method REQUIRES the database mutex, passed to
// LogAndApply so it can drop it during manifest I/O. NewFileNumber is atomic
// and may be called without the mutex.
#pragma once

#include <atomic>
#include <functional>
#include <list>
#include <memory>
#include <set>
#include <string>

#include "core/env.h"
#include "core/mutex.h"
#include "core/options.h"
#include "core/thread_annotations.h"
#include "core/version/version.h"
#include "core/version/version_edit.h"
#include "core/wal/log_writer.h"

namespace strata {

class VersionSet {
 public:
  VersionSet(std::string dbname, Env* env);
  VersionSet(const VersionSet&) = delete;
  VersionSet& operator=(const VersionSet&) = delete;

  // Creates the manifest of a new, empty database.
  Status CreateNew();
  // Loads CURRENT and replays its manifest, then starts a new manifest with a
  // snapshot of the recovered state. Corruption on damage anywhere but a torn
  // tail of the manifest (an edit whose write never completed was never acted
  // on, so dropping it is safe). With start_manifest false (a read-only
  // open) nothing is written: the state is loaded and LogAndApply must not
  // be called.
  Status Recover(bool start_manifest = true);

  // Writes the edit to the manifest (synced) and installs the resulting
  // Version as current. Fills in next file number and last sequence. After
  // a failed manifest write every later call fails with that error: the
  // manifest may end in a partial record, and an edit appended after it
  // would turn a torn tail into damage in the middle. Reopening starts a new
  // manifest.
  // REQUIRES: mu, the database mutex, held; it is released during I/O and
  // held again on return. Manifest writers are serialised internally.
  Status LogAndApply(VersionEdit* edit, Mutex* mu) REQUIRES(mu);

  std::shared_ptr<const Version> current() const { return current_; }

  uint64_t NewFileNumber() { return next_file_number_.fetch_add(1); }
  // Ensures later file numbers are above n (used during recovery).
  void MarkFileNumberUsed(uint64_t n);
  uint64_t next_file_number() const { return next_file_number_.load(); }

  uint64_t last_sequence() const { return last_sequence_; }
  void SetLastSequence(uint64_t s) { last_sequence_ = s; }
  // WALs numbered below this are already in tables.
  uint64_t log_number() const { return log_number_; }
  uint64_t manifest_number() const { return manifest_number_; }

  // Adds the file numbers of tables in every Version still held by anyone.
  void AddLiveFiles(std::set<uint64_t>* live);

  // Called with each Version made current, where it is installed (under the
  // database mutex during LogAndApply; single-threaded during Recover): the
  // database tells its table cache the live tables' size this way.
  void SetOnInstall(std::function<void(const Version&)> on_install) {
    on_install_ = std::move(on_install);
  }

 private:
  Status WriteSnapshotManifest();
  void Install(std::shared_ptr<Version> v);

  const std::string dbname_;
  Env* const env_;
  std::atomic<uint64_t> next_file_number_{2};
  uint64_t last_sequence_ = 0;
  uint64_t log_number_ = 0;
  uint64_t manifest_number_ = 0;
  std::shared_ptr<const Version> current_;
  std::list<std::weak_ptr<const Version>> versions_;
  std::function<void(const Version&)> on_install_;
  std::unique_ptr<log::Writer> manifest_;
  bool manifest_busy_ = false;
  Status manifest_error_;  // the first failed manifest write, if any
  CondVar manifest_cv_;
};

}  // namespace strata
