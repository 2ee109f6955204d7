// TempDir: a fresh directory under $TMPDIR (or /tmp), removed with its
// contents when the object goes away unless STRATA_KEEP_TEST_DIRS is set.
#pragma once

#include <string>

namespace strata::test {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // path() + "/" + name.
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Removes a file or a directory tree; missing paths are ignored.
void RemoveTree(const std::string& path);

}  // namespace strata::test
