// FaultInjectionEnv: an Env for tests that fails I/O on demand and simulates
// power loss.
//
// - Error injection: after ArmFailures(kind, after_n), the (after_n+1)-th and
//   every later operation of that kind fails with an I/O error until
//   Disarm(). Kinds: appends, syncs (file and directory), new writable files.
// - Power loss: DropUnsyncedData() cuts every file written through this Env
//   back to the bytes it had at its last Sync, and removes files whose
//   creation no directory fsync made durable. Call it after the database is
//   gone (destroyed without further writes), then reopen.
//   Renames are treated as durable at once (a simplification; CURRENT is
//   only ever renamed after the directory holding its target was synced).
//
// Thread safety: safe for concurrent use; one mutex guards the bookkeeping.
#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <string>

#include "core/env.h"

namespace strata::test {

class FaultInjectionEnv : public EnvWrapper {
 public:
  enum class Op { kAppend, kSync, kNewWritableFile };

  FaultInjectionEnv() : EnvWrapper(Env::Default()) {}

  void ArmFailures(Op op, int after_n);
  void Disarm();
  int failures_injected() const { return failures_injected_.load(); }

  Status DropUnsyncedData();

  Status NewWritableFile(const std::string& path, std::unique_ptr<WritableFile>* out) override;
  Status SyncDir(const std::string& dir) override;
  Status RemoveFile(const std::string& path) override;
  Status RenameFile(const std::string& from, const std::string& to) override;

  // Called by this Env's files.
  Status MaybeFail(Op op, const std::string& path);
  void RecordAppend(const std::string& path, uint64_t size);
  void RecordSync(const std::string& path, uint64_t size);

 private:
  struct FileState {
    uint64_t synced_bytes = 0;
    bool creation_durable = false;
  };

  std::mutex mu_;
  std::map<std::string, FileState> files_;  // GUARDED_BY(mu_)
  bool armed_ = false;                       // GUARDED_BY(mu_)
  Op armed_op_ = Op::kAppend;                // GUARDED_BY(mu_)
  int remaining_before_failure_ = 0;         // GUARDED_BY(mu_)
  std::atomic<int> failures_injected_{0};
};

}  // namespace strata::test
