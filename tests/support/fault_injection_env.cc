#include "support/fault_injection_env.h"

#include <cerrno>
#include <cstdio>
#include <algorithm>
#include <filesystem>
#include <vector>

namespace strata::test {

namespace {

using Op = FaultInjectionEnv::Op;

class FaultWritableFile : public WritableFile {
 public:
  FaultWritableFile(FaultInjectionEnv* env, std::string path, uint64_t node,
                    std::unique_ptr<WritableFile> base)
      : env_(env), path_(std::move(path)), node_(node), base_(std::move(base)) {}

  Status Append(std::string_view data) override {
    bool torn = false;
    Status s = env_->BeforeOp(Op::kAppend, path_, /*mutating=*/true, &torn);
    if (!s.ok()) {
      // A torn write: part of the data made it before the device failed.
      if (torn && base_->Append(data.substr(0, data.size() / 2)).ok()) base_->Flush();
      return s;
    }
    const uint64_t fits = env_->ReserveSpace(data.size());
    if (fits < data.size()) {
      // A full disk: write(2) stores what fits and then fails.
      if (base_->Append(data.substr(0, fits)).ok()) base_->Flush();
      return Status::FromErrno("write " + path_ + " (injected)", ENOSPC);
    }
    return base_->Append(data);
  }

  Status Flush() override {
    if (env_->crashed()) return Status::IOError("flush " + path_ + ": the machine is off");
    return base_->Flush();
  }

  Status Sync() override {
    STRATA_RETURN_IF_ERROR(env_->BeforeOp(Op::kSync, path_, /*mutating=*/true));
    STRATA_RETURN_IF_ERROR(env_->forward_syncs() ? base_->Sync() : base_->Flush());
    env_->RecordSync(node_, base_->Size());
    return Status::OK();
  }

  Status Close() override { return base_->Close(); }
  uint64_t Size() const override { return base_->Size(); }
  Status Truncate(uint64_t size) override {
    if (env_->crashed()) return Status::IOError("truncate " + path_ + ": the machine is off");
    STRATA_RETURN_IF_ERROR(base_->Truncate(size));
    env_->RecordTruncate(node_, size);
    return Status::OK();
  }

 private:
  FaultInjectionEnv* env_;
  std::string path_;
  uint64_t node_;
  std::unique_ptr<WritableFile> base_;
};

class FaultSequentialFile : public SequentialFile {
 public:
  FaultSequentialFile(FaultInjectionEnv* env, std::string path,
                      std::unique_ptr<SequentialFile> base)
      : env_(env), path_(std::move(path)), base_(std::move(base)) {}

  Status Read(size_t n, std::string_view* result, char* scratch) override {
    *result = std::string_view();
    STRATA_RETURN_IF_ERROR(env_->BeforeOp(Op::kSequentialRead, path_, /*mutating=*/false));
    return base_->Read(n, result, scratch);
  }
  Status Skip(uint64_t n) override { return base_->Skip(n); }

 private:
  FaultInjectionEnv* env_;
  std::string path_;
  std::unique_ptr<SequentialFile> base_;
};

class FaultRandomAccessFile : public RandomAccessFile {
 public:
  FaultRandomAccessFile(FaultInjectionEnv* env, std::string path,
                        std::unique_ptr<RandomAccessFile> base)
      : env_(env), path_(std::move(path)), base_(std::move(base)) {}

  Status Read(uint64_t offset, size_t n, std::string_view* result,
              char* scratch) const override {
    *result = std::string_view();
    STRATA_RETURN_IF_ERROR(env_->BeforeOp(Op::kRandomRead, path_, /*mutating=*/false));
    return base_->Read(offset, n, result, scratch);
  }

 private:
  FaultInjectionEnv* env_;
  std::string path_;
  std::unique_ptr<RandomAccessFile> base_;
};

// The first `limit` bytes of the file at path, as the target Env reads it.
Status ReadPrefix(Env* env, const std::string& path, uint64_t limit, std::string* out) {
  STRATA_RETURN_IF_ERROR(ReadFileToString(env, path, out));
  if (out->size() > limit) out->resize(limit);
  return Status::OK();
}

}  // namespace

const char* FaultInjectionEnv::OpName(Op op) {
  switch (op) {
    case Op::kAppend: return "append";
    case Op::kSync: return "sync";
    case Op::kSyncDir: return "sync-dir";
    case Op::kSequentialRead: return "sequential-read";
    case Op::kRandomRead: return "random-read";
    case Op::kCreate: return "create";
    case Op::kRename: return "rename";
    case Op::kLink: return "link";
    case Op::kRemove: return "remove";
  }
  return "?";
}

FaultInjectionEnv::FaultInjectionEnv() : FaultInjectionEnv(Env::Default()) {}
FaultInjectionEnv::FaultInjectionEnv(Env* target) : EnvWrapper(target) {}
FaultInjectionEnv::~FaultInjectionEnv() = default;

void FaultInjectionEnv::Arm(const Fault& fault) {
  std::lock_guard lock(mu_);
  fault_ = fault;
  fault_seen_ = 0;
  fault_failed_ = 0;
}

void FaultInjectionEnv::ArmFailures(Op op, int after_n) {
  Fault fault;
  fault.op = op;
  fault.skip = after_n;
  Arm(fault);
}

void FaultInjectionEnv::Disarm() {
  std::lock_guard lock(mu_);
  fault_.reset();
}

void FaultInjectionEnv::SetFreeSpace(uint64_t bytes) {
  std::lock_guard lock(mu_);
  free_space_ = bytes;
}

void FaultInjectionEnv::ClearFreeSpace() {
  std::lock_guard lock(mu_);
  free_space_.reset();
}

void FaultInjectionEnv::CrashAfter(uint64_t n) {
  std::lock_guard lock(mu_);
  crash_countdown_ = n;
}

Status FaultInjectionEnv::InjectedError(const std::string& path, Error error, const char* what) {
  failures_injected_.fetch_add(1);
  return Status::FromErrno(std::string(what) + " " + path + " (injected)",
                           error == Error::kNoSpace ? ENOSPC : EIO);
}

Status FaultInjectionEnv::BeforeOp(Op op, const std::string& path, bool mutating, bool* torn) {
  std::lock_guard lock(mu_);
  if (trace_) std::fprintf(stderr, "[fault env] %s %s\n", OpName(op), path.c_str());
  op_counts_[static_cast<int>(op)].fetch_add(1);
  if (mutating) {
    mutating_ops_.fetch_add(1);
    if (!crashed_.load() && crash_countdown_) {
      if (*crash_countdown_ == 0) {
        crashed_.store(true);
      } else {
        --*crash_countdown_;
      }
    }
    if (crashed_.load()) {
      failures_injected_.fetch_add(1);
      return Status::IOError(std::string(OpName(op)) + " " + path +
                             ": the machine is off (simulated power loss)");
    }
  }
  if (!fault_ || fault_->op != op) return Status::OK();
  if (!fault_->path_substring.empty() && path.find(fault_->path_substring) == std::string::npos) {
    return Status::OK();
  }
  if (fault_seen_++ < fault_->skip) return Status::OK();
  if (fault_->count >= 0 && fault_failed_ >= fault_->count) return Status::OK();
  ++fault_failed_;
  if (torn != nullptr) *torn = fault_->torn;
  return InjectedError(path, fault_->error, OpName(op));
}

uint64_t FaultInjectionEnv::ReserveSpace(uint64_t want) {
  std::lock_guard lock(mu_);
  if (!free_space_) return want;
  const uint64_t fits = std::min(want, *free_space_);
  *free_space_ -= fits;
  if (fits < want) failures_injected_.fetch_add(1);
  return fits;
}

void FaultInjectionEnv::RecordTruncate(uint64_t node, uint64_t size) {
  std::lock_guard lock(mu_);
  mutating_ops_.fetch_add(1);
  auto it = nodes_.find(node);
  if (it != nodes_.end()) it->second.synced = std::min(it->second.synced, size);
}

void FaultInjectionEnv::RecordSync(uint64_t node, uint64_t size) {
  std::lock_guard lock(mu_);
  auto it = nodes_.find(node);
  if (it != nodes_.end()) it->second.synced = size;
}

std::string FaultInjectionEnv::DirOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

std::string FaultInjectionEnv::BaseOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

uint64_t FaultInjectionEnv::NewNode(uint64_t synced) {
  const uint64_t id = next_node_++;
  nodes_[id].synced = synced;
  return id;
}

void FaultInjectionEnv::TrackDir(const std::string& dir) {
  if (durable_.count(dir)) return;
  auto& entries = durable_[dir];
  std::vector<std::string> names;
  if (!target()->GetChildren(dir, &names).ok()) return;
  for (const auto& name : names) {
    const std::string path = dir + "/" + name;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) continue;
    uint64_t size = 0;
    if (!target()->GetFileSize(path, &size).ok()) continue;
    const uint64_t node = NewNode(size);
    live_[path] = node;
    entries[name] = node;
  }
}

bool FaultInjectionEnv::DurablyNamed(uint64_t node) const {
  for (const auto& [dir, entries] : durable_) {
    for (const auto& [name, n] : entries) {
      if (n == node) return true;
    }
  }
  return false;
}

bool FaultInjectionEnv::LiveNamed(uint64_t node, const std::string& except) const {
  for (const auto& [path, n] : live_) {
    if (n == node && path != except) return true;
  }
  return false;
}

void FaultInjectionEnv::SaveIfLastDurableCopy(const std::string& path) {
  auto it = live_.find(path);
  if (it == live_.end()) return;
  Node& node = nodes_[it->second];
  if (node.saved || !DurablyNamed(it->second) || LiveNamed(it->second, path)) return;
  std::string bytes;
  if (ReadPrefix(target(), path, node.synced, &bytes).ok()) node.saved = std::move(bytes);
}

void FaultInjectionEnv::CollectUnreferencedNodes() {
  for (auto it = nodes_.begin(); it != nodes_.end();) {
    if (!DurablyNamed(it->first) && !LiveNamed(it->first, std::string())) {
      it = nodes_.erase(it);
    } else {
      ++it;
    }
  }
}

Status FaultInjectionEnv::NewSequentialFile(const std::string& path,
                                            std::unique_ptr<SequentialFile>* out) {
  std::unique_ptr<SequentialFile> base;
  STRATA_RETURN_IF_ERROR(target()->NewSequentialFile(path, &base));
  *out = std::make_unique<FaultSequentialFile>(this, path, std::move(base));
  return Status::OK();
}

Status FaultInjectionEnv::NewRandomAccessFile(const std::string& path,
                                              std::unique_ptr<RandomAccessFile>* out) {
  std::unique_ptr<RandomAccessFile> base;
  STRATA_RETURN_IF_ERROR(target()->NewRandomAccessFile(path, &base));
  *out = std::make_unique<FaultRandomAccessFile>(this, path, std::move(base));
  return Status::OK();
}

Status FaultInjectionEnv::NewWritableFile(const std::string& path,
                                          std::unique_ptr<WritableFile>* out) {
  return Create(path, /*exclusive=*/false, out);
}

Status FaultInjectionEnv::NewExclusiveWritableFile(const std::string& path,
                                                   std::unique_ptr<WritableFile>* out) {
  return Create(path, /*exclusive=*/true, out);
}

Status FaultInjectionEnv::Create(const std::string& path, bool exclusive,
                                 std::unique_ptr<WritableFile>* out) {
  out->reset();
  STRATA_RETURN_IF_ERROR(BeforeOp(Op::kCreate, path, /*mutating=*/true));
  std::lock_guard lock(mu_);
  TrackDir(DirOf(path));
  std::unique_ptr<WritableFile> base;
  STRATA_RETURN_IF_ERROR(exclusive ? target()->NewExclusiveWritableFile(path, &base)
                                   : target()->NewWritableFile(path, &base));
  uint64_t node;
  auto it = live_.find(path);
  if (it != live_.end()) {
    // The same inode, truncated: whatever it held durably is gone (the
    // pessimistic reading of a truncation racing a power loss).
    node = it->second;
    nodes_[node].synced = 0;
  } else {
    node = NewNode(0);
    live_[path] = node;
  }
  *out = std::make_unique<FaultWritableFile>(this, path, node, std::move(base));
  return Status::OK();
}

Status FaultInjectionEnv::RemoveFile(const std::string& path) {
  STRATA_RETURN_IF_ERROR(BeforeOp(Op::kRemove, path, /*mutating=*/true));
  std::lock_guard lock(mu_);
  TrackDir(DirOf(path));
  SaveIfLastDurableCopy(path);
  STRATA_RETURN_IF_ERROR(target()->RemoveFile(path));
  live_.erase(path);
  return Status::OK();
}

Status FaultInjectionEnv::RenameFile(const std::string& from, const std::string& to) {
  STRATA_RETURN_IF_ERROR(BeforeOp(Op::kRename, from, /*mutating=*/true));
  std::lock_guard lock(mu_);
  TrackDir(DirOf(from));
  TrackDir(DirOf(to));
  SaveIfLastDurableCopy(to);
  STRATA_RETURN_IF_ERROR(target()->RenameFile(from, to));
  auto it = live_.find(from);
  uint64_t node;
  if (it != live_.end()) {
    node = it->second;
    live_.erase(it);
  } else {
    uint64_t size = 0;
    target()->GetFileSize(to, &size);
    node = NewNode(size);
  }
  live_[to] = node;
  return Status::OK();
}

Status FaultInjectionEnv::LinkFile(const std::string& from, const std::string& to) {
  STRATA_RETURN_IF_ERROR(BeforeOp(Op::kLink, to, /*mutating=*/true));
  std::lock_guard lock(mu_);
  TrackDir(DirOf(from));
  TrackDir(DirOf(to));
  STRATA_RETURN_IF_ERROR(target()->LinkFile(from, to));
  auto it = live_.find(from);
  if (it != live_.end()) {
    live_[to] = it->second;
  } else {
    uint64_t size = 0;
    target()->GetFileSize(to, &size);
    live_[to] = NewNode(size);
  }
  return Status::OK();
}

Status FaultInjectionEnv::SyncDir(const std::string& dir) {
  STRATA_RETURN_IF_ERROR(BeforeOp(Op::kSyncDir, dir, /*mutating=*/true));
  if (forward_syncs_) STRATA_RETURN_IF_ERROR(target()->SyncDir(dir));
  std::lock_guard lock(mu_);
  TrackDir(dir);
  std::map<std::string, uint64_t> entries;
  for (const auto& [path, node] : live_) {
    if (DirOf(path) == dir) entries[BaseOf(path)] = node;
  }
  durable_[dir] = std::move(entries);
  CollectUnreferencedNodes();
  return Status::OK();
}

Status FaultInjectionEnv::TruncateFile(const std::string& path, uint64_t size) {
  if (crashed_.load()) return Status::IOError("truncate " + path + ": the machine is off");
  std::lock_guard lock(mu_);
  mutating_ops_.fetch_add(1);
  TrackDir(DirOf(path));
  STRATA_RETURN_IF_ERROR(target()->TruncateFile(path, size));
  auto it = live_.find(path);
  if (it != live_.end()) {
    Node& node = nodes_[it->second];
    node.synced = std::min(node.synced, size);
  }
  return Status::OK();
}

Status FaultInjectionEnv::SimulatePowerLoss() {
  std::lock_guard lock(mu_);
  // 1. The durable bytes of every durable name, read before anything moves.
  std::map<std::string, std::string> rewrites;
  std::map<std::string, uint64_t> truncations;
  for (const auto& [dir, entries] : durable_) {
    for (const auto& [name, id] : entries) {
      const std::string path = dir + "/" + name;
      const Node& node = nodes_[id];
      auto live = live_.find(path);
      if (live != live_.end() && live->second == id) {
        truncations[path] = node.synced;
        continue;
      }
      std::string bytes;
      if (node.saved) {
        bytes = *node.saved;
      } else {
        std::string source;
        for (const auto& [p, n] : live_) {
          if (n == id) source = p;
        }
        if (source.empty()) {
          return Status::IOError("fault injection lost the durable contents of " + path);
        }
        STRATA_RETURN_IF_ERROR(ReadPrefix(target(), source, node.synced, &bytes));
      }
      rewrites[path] = std::move(bytes);
    }
  }
  // 2. Names the directory never made durable (or that now name another
  // file) vanish.
  for (const auto& [path, id] : live_) {
    const auto& entries = durable_[DirOf(path)];
    auto durable = entries.find(BaseOf(path));
    if (durable == entries.end() || durable->second != id) {
      STRATA_RETURN_IF_ERROR(target()->RemoveFile(path));
    }
  }
  // 3. Durable names get their durable bytes back.
  for (const auto& [path, size] : truncations) {
    uint64_t now = 0;
    STRATA_RETURN_IF_ERROR(target()->GetFileSize(path, &now));
    if (now > size) STRATA_RETURN_IF_ERROR(target()->TruncateFile(path, size));
  }
  for (const auto& [path, bytes] : rewrites) {
    std::unique_ptr<WritableFile> file;
    STRATA_RETURN_IF_ERROR(target()->NewWritableFile(path, &file));
    STRATA_RETURN_IF_ERROR(file->Append(bytes));
    STRATA_RETURN_IF_ERROR(file->Close());
  }
  // 4. What is on disk now is durable; directories are tracked afresh.
  live_.clear();
  durable_.clear();
  nodes_.clear();
  crashed_.store(false);
  crash_countdown_.reset();
  return Status::OK();
}

}  // namespace strata::test
