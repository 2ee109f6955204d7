// FaultInjectionEnv: an Env for tests that fails I/O on demand and simulates
// power loss, over the real filesystem.
//
// Error injection. Arm(fault) makes matching operations fail: the first
// `fault.skip` matching operations go through, then `fault.count` of them
// (or every later one, with count -1) fail with an I/O error whose message
// reads like the real one ("...: Input/output error" for kIO, "...: No space
// left on device" for kNoSpace). An append can be torn: a prefix of its bytes
// reaches the file before the failure, as when write(2) stops part way.
// SetFreeSpace(n) models a disk with n bytes left: appends past it write what
// fits and fail with ENOSPC until ClearFreeSpace() (the space returns).
//
// Power loss. The Env tracks, like a journaling filesystem that promises no
// more than POSIX does, what an fsync has made durable:
//   - a file's data up to the size it had at its last successful Sync;
//   - a directory's entries (files created, renamed, hard-linked or removed
//     in it) as they were at its last successful SyncDir.
// SimulatePowerLoss() rewrites the real files to that durable state: data
// appended since the last Sync is cut off, files created since the last
// SyncDir of their directory disappear, removed files come back with their
// durable contents, and a rename not yet made durable is undone (the old
// target reappears, the source name returns). Directories it has not seen a
// mutation in, and files that existed before it first touched a directory,
// count as durable. Call it only once the database is gone.
//
// Crash points. CrashAfter(n) lets n more mutating operations (appends,
// syncs, creations, renames, links, removals, truncations) through and makes
// the rest fail, as if the machine stopped there: nothing written after that
// point reaches the disk. Follow it with SimulatePowerLoss().
//
// Real fsyncs are not issued by default: durability is simulated here, so
// they would only make the tests slower. Sync still hands buffered bytes to
// the kernel. set_forward_syncs(true) issues them too.
//
// Thread safety: safe for concurrent use; one mutex guards the bookkeeping.
// Files handed out must not outlive the Env.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "core/env.h"

namespace strata::test {

class FaultInjectionEnv : public EnvWrapper {
 public:
  // The operations a fault can target.
  enum class Op {
    kAppend,          // WritableFile::Append
    kSync,            // WritableFile::Sync
    kSyncDir,         // Env::SyncDir
    kSequentialRead,  // SequentialFile::Read (WAL and manifest replay)
    kRandomRead,      // RandomAccessFile::Read (tables)
    kCreate,          // Env::NewWritableFile
    kRename,          // Env::RenameFile
    kLink,            // Env::LinkFile
    kRemove,          // Env::RemoveFile
  };
  static constexpr int kNumOps = 9;
  static const char* OpName(Op op);

  enum class Error { kIO, kNoSpace };

  struct Fault {
    Op op = Op::kAppend;
    Error error = Error::kIO;
    int skip = 0;    // matching operations allowed through before the first failure
    int count = -1;  // failures before the fault disarms itself; -1: until Disarm()
    // Only operations on paths containing this (empty: every path).
    std::string path_substring;
    // kAppend only: half of the bytes reach the file (handed to the kernel)
    // before the failure.
    bool torn = false;
  };

  FaultInjectionEnv();
  explicit FaultInjectionEnv(Env* target);
  ~FaultInjectionEnv() override;

  // Replaces the armed fault, if any.
  void Arm(const Fault& fault);
  // Shorthand for an I/O error on every `op` after `after_n` good ones.
  void ArmFailures(Op op, int after_n);
  void Disarm();
  // Failures injected so far (faults, full disk and crash points together).
  int failures_injected() const { return failures_injected_.load(); }

  // A disk with `bytes` free from now on; ClearFreeSpace makes it unlimited.
  void SetFreeSpace(uint64_t bytes);
  void ClearFreeSpace();

  // Lets `n` more mutating operations through, then fails every later one.
  void CrashAfter(uint64_t n);
  bool crashed() const { return crashed_.load(); }

  // Rewrites the files to their durable state (see above), then reactivates
  // the filesystem: afterwards everything on disk counts as durable.
  Status SimulatePowerLoss();
  // Historical name of SimulatePowerLoss.
  Status DropUnsyncedData() { return SimulatePowerLoss(); }

  // Operations of each kind seen so far, failed ones included.
  uint64_t op_count(Op op) const { return op_counts_[static_cast<int>(op)].load(); }
  uint64_t mutating_ops() const { return mutating_ops_.load(); }

  void set_forward_syncs(bool forward) { forward_syncs_ = forward; }
  // Prints every operation to stderr (for replaying a failure by hand).
  void set_trace(bool trace) { trace_ = trace; }

  // Env overrides.
  Status NewSequentialFile(const std::string& path, std::unique_ptr<SequentialFile>* out) override;
  Status NewRandomAccessFile(const std::string& path,
                             std::unique_ptr<RandomAccessFile>* out) override;
  Status NewWritableFile(const std::string& path, std::unique_ptr<WritableFile>* out) override;
  Status NewExclusiveWritableFile(const std::string& path,
                                  std::unique_ptr<WritableFile>* out) override;
  Status RemoveFile(const std::string& path) override;
  Status RenameFile(const std::string& from, const std::string& to) override;
  Status LinkFile(const std::string& from, const std::string& to) override;
  Status SyncDir(const std::string& dir) override;
  Status TruncateFile(const std::string& path, uint64_t size) override;

  // Used by this Env's files; not for tests.
  Status BeforeOp(Op op, const std::string& path, bool mutating, bool* torn = nullptr);
  // How many of `want` bytes fit on the disk now (all of them when unlimited).
  uint64_t ReserveSpace(uint64_t want);
  void RecordSync(uint64_t node, uint64_t size);
  // An open file was cut to `size` bytes: no more of it than that is durable.
  void RecordTruncate(uint64_t node, uint64_t size);
  bool forward_syncs() const { return forward_syncs_; }

 private:
  // NewWritableFile and NewExclusiveWritableFile: the same bookkeeping.
  Status Create(const std::string& path, bool exclusive, std::unique_ptr<WritableFile>* out);
  // A file's identity, like an inode: names come and go, the node stays.
  struct Node {
    uint64_t synced = 0;               // bytes durable by fsync
    std::optional<std::string> saved;  // durable bytes, kept once no live name holds them
  };

  static std::string DirOf(const std::string& path);
  static std::string BaseOf(const std::string& path);
  // Starts tracking dir: its current regular files count as durable.
  void TrackDir(const std::string& dir);
  uint64_t NewNode(uint64_t synced);
  // Keeps the durable bytes of the node at `path` if losing its live name
  // would lose them. REQUIRES: mu_ held.
  void SaveIfLastDurableCopy(const std::string& path);
  bool DurablyNamed(uint64_t node) const;
  bool LiveNamed(uint64_t node, const std::string& except) const;
  void CollectUnreferencedNodes();
  Status InjectedError(const std::string& path, Error error, const char* what);

  bool forward_syncs_ = false;
  bool trace_ = false;
  mutable std::mutex mu_;
  // Live names (full paths) in tracked directories -> node.
  std::map<std::string, uint64_t> live_;                              // GUARDED_BY(mu_)
  // Per tracked directory: its entries as of its last SyncDir.
  std::map<std::string, std::map<std::string, uint64_t>> durable_;    // GUARDED_BY(mu_)
  std::map<uint64_t, Node> nodes_;                                    // GUARDED_BY(mu_)
  uint64_t next_node_ = 1;                                            // GUARDED_BY(mu_)

  std::optional<Fault> fault_;                // GUARDED_BY(mu_)
  int fault_seen_ = 0;                        // GUARDED_BY(mu_)
  int fault_failed_ = 0;                      // GUARDED_BY(mu_)
  std::optional<uint64_t> free_space_;        // GUARDED_BY(mu_)
  std::optional<uint64_t> crash_countdown_;   // GUARDED_BY(mu_)

  std::atomic<bool> crashed_{false};
  std::atomic<int> failures_injected_{0};
  std::atomic<uint64_t> mutating_ops_{0};
  std::atomic<uint64_t> op_counts_[kNumOps] = {};
};

}  // namespace strata::test
