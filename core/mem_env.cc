// MemEnv: see mem_env.h for the model. Layout of the state:
//
//   files_   normalised path -> FileNode (the bytes; shared by hard links and
//            open handles, so a name can go while a handle still reads)
//   dirs_    normalised paths of the directories; "" and "/" always
//   locked_  paths currently locked through LockFile or LockFileShared
//
// One mutex (mu_) guards the three maps; each FileNode has its own mutex for
// its bytes, so reading a table never waits for the directory lock. Lock
// order: mu_ before a FileNode's mutex, never the other way round (FileNode
// methods take no other lock).
#include "core/mem_env.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace strata {

namespace {

// The bytes of one file, like an inode: every name and open handle of the
// file holds a reference.
//
// The bytes are kept in blocks of kBlockBytes rather than one string: a
// growing WAL or table then never moves what it already holds, and each
// block is an allocation small enough for malloc's (and ASan's) free lists,
// where one big string would be reallocated and copied as it grows and,
// past 128 KiB under ASan, mapped and unmapped each time (9% of the C ABI
// fuzzer's time went to that).
class FileNode {
 public:
  uint64_t Size() const {
    std::lock_guard lock(mu_);
    return size_;
  }

  // Copies up to n bytes at offset into scratch; fewer at the end of the file.
  std::string_view Read(uint64_t offset, size_t n, char* scratch) const {
    std::lock_guard lock(mu_);
    if (offset >= size_) return {};
    n = static_cast<size_t>(std::min<uint64_t>(n, size_ - offset));
    size_t copied = 0;
    while (copied < n) {
      const uint64_t at = offset + copied;
      const std::string& block = blocks_[static_cast<size_t>(at / kBlockBytes)];
      const size_t within = static_cast<size_t>(at % kBlockBytes);
      const size_t take = std::min(n - copied, block.size() - within);
      std::memcpy(scratch + copied, block.data() + within, take);
      copied += take;
    }
    return std::string_view(scratch, n);
  }

  void Append(std::string_view bytes) {
    std::lock_guard lock(mu_);
    AppendLocked(bytes);
  }

  // Replaces bytes.size() bytes at offset. REQUIRES: they lie within the file.
  void Overwrite(uint64_t offset, std::string_view bytes) {
    std::lock_guard lock(mu_);
    while (!bytes.empty()) {
      std::string& block = blocks_[static_cast<size_t>(offset / kBlockBytes)];
      const size_t within = static_cast<size_t>(offset % kBlockBytes);
      const size_t take = std::min(bytes.size(), block.size() - within);
      std::memcpy(block.data() + within, bytes.data(), take);
      bytes.remove_prefix(take);
      offset += take;
    }
  }

  // Cuts or extends (with zero bytes, as truncate(2) does) to `size` bytes.
  void Resize(uint64_t size) {
    std::lock_guard lock(mu_);
    if (size >= size_) {
      const std::string zeros(kBlockBytes, '\0');
      while (size_ < size) {
        AppendLocked(std::string_view(zeros).substr(
            0, static_cast<size_t>(std::min<uint64_t>(kBlockBytes, size - size_))));
      }
      return;
    }
    // Whole blocks past the new end go; the last one kept is cut.
    blocks_.resize(static_cast<size_t>((size + kBlockBytes - 1) / kBlockBytes));
    if (!blocks_.empty()) {
      blocks_.back().resize(static_cast<size_t>(size - (blocks_.size() - 1) * kBlockBytes));
    }
    size_ = size;
  }

 private:
  static constexpr size_t kBlockBytes = 64 * 1024;

  // REQUIRES: mu_ held.
  void AppendLocked(std::string_view bytes) {
    while (!bytes.empty()) {
      if (blocks_.empty() || blocks_.back().size() == kBlockBytes) blocks_.emplace_back();
      std::string& block = blocks_.back();
      const size_t take = std::min(bytes.size(), kBlockBytes - block.size());
      block.append(bytes.data(), take);
      bytes.remove_prefix(take);
      size_ += take;
    }
  }

  mutable std::mutex mu_;
  // Every block but the last holds exactly kBlockBytes.
  std::vector<std::string> blocks_;  // GUARDED_BY(mu_)
  uint64_t size_ = 0;                // GUARDED_BY(mu_); the sum of the blocks' sizes
};

using NodePtr = std::shared_ptr<FileNode>;

class MemSequentialFile final : public SequentialFile {
 public:
  explicit MemSequentialFile(NodePtr node) : node_(std::move(node)) {}

  Status Read(size_t n, std::string_view* result, char* scratch) override {
    *result = node_->Read(pos_, n, scratch);
    pos_ += result->size();
    return Status::OK();
  }

  Status Skip(uint64_t n) override {
    // Like lseek(2), skipping past the end is allowed; reads there find
    // nothing.
    pos_ += n;
    return Status::OK();
  }

 private:
  const NodePtr node_;
  uint64_t pos_ = 0;
};

class MemRandomAccessFile final : public RandomAccessFile {
 public:
  explicit MemRandomAccessFile(NodePtr node) : node_(std::move(node)) {}

  Status Read(uint64_t offset, size_t n, std::string_view* result,
              char* scratch) const override {
    *result = node_->Read(offset, n, scratch);
    return Status::OK();
  }

 private:
  const NodePtr node_;
};

class MemWritableFile final : public WritableFile {
 public:
  MemWritableFile(std::string path, NodePtr node) : path_(std::move(path)), node_(std::move(node)) {}

  // Appends go straight into the shared bytes: there is no user-space buffer
  // to lose, so Flush and Sync have nothing to do. After Close every call
  // fails, as it would on a closed descriptor.
  Status Append(std::string_view data) override {
    if (closed_) return Closed("write");
    node_->Append(data);
    size_ += data.size();
    return Status::OK();
  }
  Status Flush() override { return closed_ ? Closed("write") : Status::OK(); }
  Status Sync() override { return closed_ ? Closed("fdatasync") : Status::OK(); }
  Status Close() override {
    closed_ = true;
    return Status::OK();
  }
  uint64_t Size() const override { return size_; }
  // Appends go on at the node's end, so cutting the node is all it takes.
  Status Truncate(uint64_t size) override {
    if (closed_) return Closed("ftruncate");
    node_->Resize(size);
    size_ = size;
    return Status::OK();
  }

 private:
  Status Closed(const char* what) const {
    return Status::FromErrno(std::string(what) + " " + path_, EBADF);
  }

  const std::string path_;
  const NodePtr node_;
  uint64_t size_ = 0;
  bool closed_ = false;
};

std::string Normalize(std::string_view path) {
  std::string out;
  out.reserve(path.size());
  for (char c : path) {
    if (c == '/' && !out.empty() && out.back() == '/') continue;
    out.push_back(c);
  }
  if (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

// The directory holding a normalised path: "" for a relative single name,
// "/" for an entry of the root (and for the root itself).
std::string ParentOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return "";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

class MemEnv final : public Env {
 public:
  MemEnv() : dirs_{"", "/"} {}

  ~MemEnv() override = default;

  Status NewSequentialFile(const std::string& path,
                           std::unique_ptr<SequentialFile>* out) override {
    out->reset();
    NodePtr node;
    STRATA_RETURN_IF_ERROR(OpenExisting(path, &node));
    *out = std::make_unique<MemSequentialFile>(std::move(node));
    return Status::OK();
  }

  Status NewRandomAccessFile(const std::string& path,
                             std::unique_ptr<RandomAccessFile>* out) override {
    out->reset();
    NodePtr node;
    STRATA_RETURN_IF_ERROR(OpenExisting(path, &node));
    *out = std::make_unique<MemRandomAccessFile>(std::move(node));
    return Status::OK();
  }

  Status NewWritableFile(const std::string& path, std::unique_ptr<WritableFile>* out) override {
    return OpenForWriting(path, /*exclusive=*/false, out);
  }

  Status NewExclusiveWritableFile(const std::string& path,
                                  std::unique_ptr<WritableFile>* out) override {
    return OpenForWriting(path, /*exclusive=*/true, out);
  }

  bool FileExists(const std::string& path) override {
    const std::string p = Normalize(path);
    std::lock_guard lock(mu_);
    return files_.count(p) > 0 || dirs_.count(p) > 0;
  }

  Status GetChildren(const std::string& dir, std::vector<std::string>* names) override {
    names->clear();
    const std::string d = Normalize(dir);
    std::lock_guard lock(mu_);
    if (dirs_.count(d) == 0) {
      if (files_.count(d) > 0) return Status::FromErrno("opendir " + dir, ENOTDIR);
      return Status::NotFound(dir + ": " + std::strerror(ENOENT));
    }
    const std::string prefix = d.empty() || d == "/" ? d : d + "/";
    CollectChildren(files_, prefix, names);
    CollectChildren(dirs_, prefix, names);
    std::sort(names->begin(), names->end());
    return Status::OK();
  }

  Status RemoveFile(const std::string& path) override {
    const std::string p = Normalize(path);
    std::lock_guard lock(mu_);
    auto it = files_.find(p);
    if (it == files_.end()) {
      return Status::FromErrno("unlink " + path, dirs_.count(p) > 0 ? EISDIR : ENOENT);
    }
    // Open handles keep the bytes (they hold the node); only the name goes.
    files_.erase(it);
    return Status::OK();
  }

  Status CreateDir(const std::string& path) override {
    const std::string p = Normalize(path);
    std::lock_guard lock(mu_);
    if (dirs_.count(p) > 0) return Status::OK();
    if (files_.count(p) > 0) {
      return Status::InvalidArgument(path + " exists and is not a directory");
    }
    STRATA_RETURN_IF_ERROR(CheckParent(p, "mkdir " + path));
    dirs_.insert(p);
    return Status::OK();
  }

  Status RemoveDir(const std::string& path) override {
    const std::string p = Normalize(path);
    std::lock_guard lock(mu_);
    if (dirs_.count(p) == 0) {
      return Status::FromErrno("rmdir " + path, files_.count(p) > 0 ? ENOTDIR : ENOENT);
    }
    if (p.empty() || p == "/") return Status::FromErrno("rmdir " + path, EBUSY);
    std::vector<std::string> children;
    const std::string prefix = p + "/";
    CollectChildren(files_, prefix, &children);
    CollectChildren(dirs_, prefix, &children);
    if (!children.empty()) return Status::FromErrno("rmdir " + path, ENOTEMPTY);
    dirs_.erase(p);
    return Status::OK();
  }

  Status GetFileSize(const std::string& path, uint64_t* size) override {
    const std::string p = Normalize(path);
    std::lock_guard lock(mu_);
    auto it = files_.find(p);
    if (it != files_.end()) {
      *size = it->second->Size();
      return Status::OK();
    }
    if (dirs_.count(p) > 0) {
      *size = 0;  // a directory has no bytes of its own here
      return Status::OK();
    }
    return Status::FromErrno("stat " + path, ENOENT);
  }

  Status RenameFile(const std::string& from, const std::string& to) override {
    const std::string f = Normalize(from), t = Normalize(to);
    const std::string context = "rename " + from + " to " + to;
    std::lock_guard lock(mu_);
    auto it = files_.find(f);
    if (it == files_.end()) {
      if (dirs_.count(f) > 0) return Status::NotSupported(context + ": MemEnv renames files only");
      return Status::FromErrno(context, ENOENT);
    }
    if (dirs_.count(t) > 0) return Status::FromErrno(context, EISDIR);
    STRATA_RETURN_IF_ERROR(CheckParent(t, context));
    if (f == t) return Status::OK();
    NodePtr node = std::move(it->second);
    files_.erase(it);
    files_[t] = std::move(node);  // replaces `to` atomically, as rename(2) does
    return Status::OK();
  }

  Status LinkFile(const std::string& from, const std::string& to) override {
    const std::string f = Normalize(from), t = Normalize(to);
    const std::string context = "link " + from + " to " + to;
    std::lock_guard lock(mu_);
    auto it = files_.find(f);
    if (it == files_.end()) {
      // link(2) of a directory is EPERM, which PosixEnv reports as NotSupported.
      if (dirs_.count(f) > 0) return Status::NotSupported("cannot hard-link a directory: " + from);
      return Status::FromErrno(context, ENOENT);
    }
    if (files_.count(t) > 0 || dirs_.count(t) > 0) return Status::FromErrno(context, EEXIST);
    STRATA_RETURN_IF_ERROR(CheckParent(t, context));
    files_[t] = it->second;
    return Status::OK();
  }

  Status SyncDir(const std::string& dir) override {
    // Nothing to make durable; but, as with open(2) on the directory, it must
    // exist.
    const std::string d = Normalize(dir);
    std::lock_guard lock(mu_);
    if (dirs_.count(d) > 0) return Status::OK();
    if (files_.count(d) > 0) return Status::FromErrno("open " + dir, ENOTDIR);
    return Status::NotFound(dir + ": " + std::strerror(ENOENT));
  }

  Status TruncateFile(const std::string& path, uint64_t size) override {
    const std::string p = Normalize(path);
    std::lock_guard lock(mu_);
    auto it = files_.find(p);
    if (it == files_.end()) {
      return Status::FromErrno("truncate " + path, dirs_.count(p) > 0 ? EISDIR : ENOENT);
    }
    it->second->Resize(size);
    return Status::OK();
  }

  Status OverwriteFileRange(const std::string& path, uint64_t offset,
                            std::string_view data) override {
    const std::string p = Normalize(path);
    std::lock_guard lock(mu_);
    auto it = files_.find(p);
    if (it == files_.end()) {
      return Status::FromErrno("open " + path, dirs_.count(p) > 0 ? EISDIR : ENOENT);
    }
    if (offset > it->second->Size() || data.size() > it->second->Size() - offset) {
      return Status::InvalidArgument("overwrite past the end of " + path);
    }
    it->second->Overwrite(offset, data);
    return Status::OK();
  }

  Status LockFile(const std::string& path, std::unique_ptr<FileLock>* lock) override {
    return Lock(path, /*shared=*/false, lock);
  }
  Status LockFileShared(const std::string& path, std::unique_ptr<FileLock>* lock) override {
    return Lock(path, /*shared=*/true, lock);
  }
  Status Lock(const std::string& path, bool shared, std::unique_ptr<FileLock>* lock);

  Status UnlockFile(std::unique_ptr<FileLock> lock) override {
    lock.reset();  // MemFileLock's destructor releases it
    return Status::OK();
  }

  uint64_t NowMicros() override {
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                     std::chrono::steady_clock::now().time_since_epoch())
                                     .count());
  }

  // Called by MemFileLock's destructor.
  void Release(const std::string& path) {
    std::lock_guard lock(mu_);
    auto it = locked_.find(path);
    if (it != locked_.end() && (it->second <= 1)) {
      locked_.erase(it);
    } else if (it != locked_.end()) {
      --it->second;  // one of several shared holders
    }
  }

 private:
  // Appends the names of the direct entries under `prefix` ("dir/", "/" for
  // the root, "" for the relative directory) found among the keys of `map`.
  template <typename Container>
  static void CollectChildren(const Container& map, const std::string& prefix,
                              std::vector<std::string>* names) {
    for (auto it = map.lower_bound(prefix); it != map.end(); ++it) {
      const std::string& key = KeyOf(*it);
      if (key.compare(0, prefix.size(), prefix) != 0) break;
      const std::string_view rest = std::string_view(key).substr(prefix.size());
      if (!rest.empty() && rest.find('/') == std::string_view::npos) names->emplace_back(rest);
    }
  }
  static const std::string& KeyOf(const std::string& key) { return key; }
  static const std::string& KeyOf(const std::pair<const std::string, NodePtr>& entry) {
    return entry.first;
  }

  // OK when the directory that would hold the normalised path p exists.
  // REQUIRES: mu_ held.
  Status CheckParent(const std::string& p, const std::string& context) const {
    const std::string parent = ParentOf(p);
    if (dirs_.count(parent) > 0) return Status::OK();
    if (files_.count(parent) > 0) return Status::FromErrno(context, ENOTDIR);
    // PosixEnv reports a missing file or directory on open as NotFound.
    return Status::NotFound(context + ": " + std::strerror(ENOENT));
  }

  Status OpenExisting(const std::string& path, NodePtr* node) {
    const std::string p = Normalize(path);
    std::lock_guard lock(mu_);
    auto it = files_.find(p);
    if (it == files_.end()) {
      if (dirs_.count(p) > 0) return Status::FromErrno("read " + path, EISDIR);
      return Status::NotFound(path + ": " + std::strerror(ENOENT));
    }
    *node = it->second;
    return Status::OK();
  }

  Status OpenForWriting(const std::string& path, bool exclusive,
                        std::unique_ptr<WritableFile>* out) {
    out->reset();
    const std::string p = Normalize(path);
    std::lock_guard lock(mu_);
    if (dirs_.count(p) > 0) {
      return Status::FromErrno("open " + path, exclusive ? EEXIST : EISDIR);
    }
    STRATA_RETURN_IF_ERROR(CheckParent(p, path));
    NodePtr& node = files_[p];
    if (node == nullptr) {
      node = std::make_shared<FileNode>();
    } else if (exclusive) {
      return Status::FromErrno("open " + path, EEXIST);  // left untouched
    } else {
      node->Resize(0);  // O_TRUNC: the same bytes, emptied, for every name
    }
    *out = std::make_unique<MemWritableFile>(path, node);
    return Status::OK();
  }

  std::mutex mu_;
  std::map<std::string, NodePtr> files_;  // GUARDED_BY(mu_)
  std::set<std::string> dirs_;            // GUARDED_BY(mu_)
  // Locked paths: -1 held exclusively, n > 0 held shared n times.
  std::map<std::string, int> locked_;     // GUARDED_BY(mu_)
};

class MemFileLock final : public FileLock {
 public:
  MemFileLock(MemEnv* env, std::string path) : env_(env), path_(std::move(path)) {}
  ~MemFileLock() override { env_->Release(path_); }

 private:
  MemEnv* const env_;  // not owned; outlives the lock (mem_env.h)
  const std::string path_;
};

Status MemEnv::Lock(const std::string& path, bool shared, std::unique_ptr<FileLock>* lock) {
  lock->reset();
  const std::string p = Normalize(path);
  std::lock_guard guard(mu_);
  if (dirs_.count(p) > 0) return Status::FromErrno("open " + path, EISDIR);
  STRATA_RETURN_IF_ERROR(CheckParent(p, path));
  auto held = locked_.find(p);
  if (shared) {
    // As PosixEnv: a shared lock never creates the file.
    if (files_.count(p) == 0) {
      return Status::NotFound(path + ": " + std::strerror(ENOENT));
    }
    if (held != locked_.end() && held->second < 0) {
      return Status::Busy("database is open for writing (lock held on " + path + ")");
    }
    ++locked_[p];
  } else {
    if (held != locked_.end()) {
      return Status::Busy("database is in use by another handle or process (lock held on " +
                          path + ")");
    }
    NodePtr& node = files_[p];
    if (node == nullptr) node = std::make_shared<FileNode>();
    locked_[p] = -1;
  }
  *lock = std::make_unique<MemFileLock>(this, p);
  return Status::OK();
}

}  // namespace

std::unique_ptr<Env> NewMemEnv() { return std::make_unique<MemEnv>(); }

}  // namespace strata
