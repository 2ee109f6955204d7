// PosixEnv's files for random access: both read paths return the file's
// bytes; a table file opened for lookups reads in sequence through one more
// descriptor, opened once, on the first such read, even after the file's
// name is gone, and never with a descriptor in the upper half of the
// process's limit; a mapped file's reads need no second descriptor; closing
// gives every descriptor back.
#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "core/env.h"
#include "support/temp_dir.h"

namespace strata {
namespace {

int OpenDescriptors() {
  int n = 0;
  DIR* d = ::opendir("/proc/self/fd");
  if (d == nullptr) return -1;
  while (struct dirent* e = ::readdir(d)) {
    if (e->d_name[0] != '.') ++n;
  }
  ::closedir(d);
  return n - 1;  // the directory stream's own descriptor
}

class PosixEnvTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::mt19937_64 rng(5);
    contents_.resize(1 << 20);
    for (char& c : contents_) c = static_cast<char>(rng());
    path_ = dir_.Sub("table.sst");
    std::unique_ptr<WritableFile> f;
    ASSERT_TRUE(Env::Default()->NewWritableFile(path_, &f).ok());
    ASSERT_TRUE(f->Append(contents_).ok());
    ASSERT_TRUE(f->Close().ok());
  }

  // Reads n bytes at offset both ways and checks them against the file.
  void ExpectBothPathsRead(const RandomAccessFile& file, uint64_t offset, size_t n) {
    std::string scratch(n, '\0');
    std::string_view got;
    ASSERT_TRUE(file.Read(offset, n, &got, scratch.data()).ok());
    EXPECT_EQ(got, std::string_view(contents_).substr(offset, n));
    ASSERT_TRUE(file.ReadInSequence(offset, n, &got, scratch.data()).ok());
    EXPECT_EQ(got, std::string_view(contents_).substr(offset, n));
  }

  test::TempDir dir_;
  std::string path_;
  std::string contents_;
};

TEST_F(PosixEnvTest, LookupFileReadsInSequenceThroughOneMoreDescriptor) {
  const int before = OpenDescriptors();
  ASSERT_GE(before, 0);
  std::unique_ptr<RandomAccessFile> file;
  ASSERT_TRUE(Env::Default()->NewRandomAccessFile(path_, &file).ok());
  EXPECT_EQ(OpenDescriptors(), before + 1);

  std::string scratch(4096, '\0');
  std::string_view got;
  ASSERT_TRUE(file->Read(4096, 4096, &got, scratch.data()).ok());
  EXPECT_EQ(OpenDescriptors(), before + 1);  // lookups need no second one

  ExpectBothPathsRead(*file, 0, 4096);
  EXPECT_EQ(OpenDescriptors(), before + 2);
  std::mt19937_64 rng(9);
  for (int i = 0; i < 50; ++i) {
    const size_t n = 1 + rng() % 20000;
    ExpectBothPathsRead(*file, rng() % (contents_.size() - n), n);
  }
  EXPECT_EQ(OpenDescriptors(), before + 2);  // opened once

  // Past the end: a short read on both paths.
  ASSERT_TRUE(file->ReadInSequence(contents_.size() - 10, 100, &got, scratch.data()).ok());
  EXPECT_EQ(got.size(), 10u);

  file.reset();
  EXPECT_EQ(OpenDescriptors(), before);
}

TEST_F(PosixEnvTest, ReadsInSequenceAfterTheNameIsGone) {
  // A compaction may delete a table while an iterator still reads it.
  std::unique_ptr<RandomAccessFile> file;
  ASSERT_TRUE(Env::Default()->NewRandomAccessFile(path_, &file).ok());
  ASSERT_TRUE(Env::Default()->RemoveFile(path_).ok());
  ExpectBothPathsRead(*file, 123456, 70000);
}

// With the process's descriptors past half its limit, a file reads in
// sequence through its one descriptor rather than take another: the rest of
// the limit is left for opening tables.
TEST_F(PosixEnvTest, NoSecondDescriptorInTheUpperHalfOfTheLimit) {
  struct rlimit saved;
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &saved), 0);
  const int in_use = OpenDescriptors();
  struct rlimit low = saved;
  low.rlim_cur = static_cast<rlim_t>(2 * (in_use + 8));
  ASSERT_LE(low.rlim_cur, saved.rlim_max);
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &low), 0);
  // Fill the lower half, so that the next descriptor is in the upper one.
  std::vector<int> fillers;
  while (true) {
    const int fd = ::dup(0);
    ASSERT_GE(fd, 0);
    fillers.push_back(fd);
    if (fd >= static_cast<int>(low.rlim_cur / 2) - 2) break;
  }
  std::unique_ptr<RandomAccessFile> file;
  Status s = Env::Default()->NewRandomAccessFile(path_, &file);
  const int with_file = OpenDescriptors();
  if (s.ok()) ExpectBothPathsRead(*file, 4096, 100000);
  const int after_reads = OpenDescriptors();
  file.reset();
  for (int fd : fillers) ::close(fd);
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &saved), 0);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(after_reads, with_file);
}

TEST_F(PosixEnvTest, MappedFileReadsBothWaysWithOneDescriptor) {
  const int before = OpenDescriptors();
  std::unique_ptr<RandomAccessFile> file;
  ASSERT_TRUE(Env::Default()->NewMappedRandomAccessFile(path_, &file).ok());
  ASSERT_EQ(file->mapped(), contents_);
  ExpectBothPathsRead(*file, 777, 300000);
  EXPECT_EQ(OpenDescriptors(), before + 1);
  file.reset();
  EXPECT_EQ(OpenDescriptors(), before);
}

}  // namespace
}  // namespace strata
