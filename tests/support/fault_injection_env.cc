#include "support/fault_injection_env.h"

namespace strata::test {

namespace {

std::string DirOf(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

class FaultInjectionFile : public WritableFile {
 public:
  FaultInjectionFile(FaultInjectionEnv* env, std::string path, std::unique_ptr<WritableFile> base)
      : env_(env), path_(std::move(path)), base_(std::move(base)) {}

  Status Append(std::string_view data) override {
    STRATA_RETURN_IF_ERROR(env_->MaybeFail(FaultInjectionEnv::Op::kAppend, path_));
    STRATA_RETURN_IF_ERROR(base_->Append(data));
    env_->RecordAppend(path_, base_->Size());
    return Status::OK();
  }
  Status Flush() override { return base_->Flush(); }
  Status Sync() override {
    STRATA_RETURN_IF_ERROR(env_->MaybeFail(FaultInjectionEnv::Op::kSync, path_));
    STRATA_RETURN_IF_ERROR(base_->Sync());
    env_->RecordSync(path_, base_->Size());
    return Status::OK();
  }
  Status Close() override { return base_->Close(); }
  uint64_t Size() const override { return base_->Size(); }

 private:
  FaultInjectionEnv* env_;
  std::string path_;
  std::unique_ptr<WritableFile> base_;
};

}  // namespace

void FaultInjectionEnv::ArmFailures(Op op, int after_n) {
  std::lock_guard lock(mu_);
  armed_ = true;
  armed_op_ = op;
  remaining_before_failure_ = after_n;
}

void FaultInjectionEnv::Disarm() {
  std::lock_guard lock(mu_);
  armed_ = false;
}

Status FaultInjectionEnv::MaybeFail(Op op, const std::string& path) {
  std::lock_guard lock(mu_);
  if (!armed_ || op != armed_op_) return Status::OK();
  if (remaining_before_failure_ > 0) {
    --remaining_before_failure_;
    return Status::OK();
  }
  failures_injected_.fetch_add(1);
  return Status::IOError("injected fault on " + path);
}

void FaultInjectionEnv::RecordAppend(const std::string& path, uint64_t) {
  std::lock_guard lock(mu_);
  files_.try_emplace(path);
}

void FaultInjectionEnv::RecordSync(const std::string& path, uint64_t size) {
  std::lock_guard lock(mu_);
  files_[path].synced_bytes = size;
}

Status FaultInjectionEnv::NewWritableFile(const std::string& path,
                                          std::unique_ptr<WritableFile>* out) {
  STRATA_RETURN_IF_ERROR(MaybeFail(Op::kNewWritableFile, path));
  std::unique_ptr<WritableFile> base;
  STRATA_RETURN_IF_ERROR(target()->NewWritableFile(path, &base));
  {
    std::lock_guard lock(mu_);
    files_[path] = FileState{};  // created or truncated: nothing durable yet
  }
  *out = std::make_unique<FaultInjectionFile>(this, path, std::move(base));
  return Status::OK();
}

Status FaultInjectionEnv::SyncDir(const std::string& dir) {
  STRATA_RETURN_IF_ERROR(MaybeFail(Op::kSync, dir));
  STRATA_RETURN_IF_ERROR(target()->SyncDir(dir));
  std::lock_guard lock(mu_);
  for (auto& [path, state] : files_) {
    if (DirOf(path) == dir) state.creation_durable = true;
  }
  return Status::OK();
}

Status FaultInjectionEnv::RemoveFile(const std::string& path) {
  {
    std::lock_guard lock(mu_);
    files_.erase(path);
  }
  return target()->RemoveFile(path);
}

Status FaultInjectionEnv::RenameFile(const std::string& from, const std::string& to) {
  STRATA_RETURN_IF_ERROR(target()->RenameFile(from, to));
  std::lock_guard lock(mu_);
  auto it = files_.find(from);
  if (it != files_.end()) {
    FileState state = it->second;
    files_.erase(it);
    files_[to] = state;
  }
  return Status::OK();
}

Status FaultInjectionEnv::DropUnsyncedData() {
  std::lock_guard lock(mu_);
  for (auto it = files_.begin(); it != files_.end();) {
    const auto& [path, state] = *it;
    if (!state.creation_durable) {
      target()->RemoveFile(path);
      it = files_.erase(it);
      continue;
    }
    uint64_t size = 0;
    if (target()->GetFileSize(path, &size).ok() && size > state.synced_bytes) {
      STRATA_RETURN_IF_ERROR(target()->TruncateFile(path, state.synced_bytes));
    }
    ++it;
  }
  return Status::OK();
}

}  // namespace strata::test
