// ProcessMemoryLimit's reading of cgroup limits (core/memory_limit.h), on
// hierarchies laid out in a temporary directory as /sys/fs/cgroup lays them.
#include "core/memory_limit.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "support/temp_dir.h"

namespace strata {
namespace {

namespace fs = std::filesystem;

constexpr uint64_t kGiB = 1ull << 30;

class MemoryLimitTest : public ::testing::Test {
 protected:
  // Writes `text` to root/relative, making the directories on the way.
  void Write(const std::string& relative, const std::string& text) {
    const fs::path file = fs::path(root_.path()) / relative;
    fs::create_directories(file.parent_path());
    std::ofstream(file) << text << "\n";
  }
  uint64_t Limit(const std::string& proc_self_cgroup, uint64_t physical = 24 * kGiB) {
    return MemoryLimitFrom(proc_self_cgroup, root_.path(), physical);
  }

  test::TempDir root_;
};

TEST_F(MemoryLimitTest, NoCgroupMeansPhysicalMemory) {
  EXPECT_EQ(Limit(""), 24 * kGiB);
  EXPECT_EQ(Limit("12:memory:/user.slice\n0::/user.slice\n"), 24 * kGiB);  // no files
}

TEST_F(MemoryLimitTest, VersionOneLimitOfTheProcessCgroup) {
  Write("memory/user.slice/bench/memory.limit_in_bytes", std::to_string(512ull << 20));
  EXPECT_EQ(Limit("4:cpu,cpuacct:/user.slice\n12:memory:/user.slice/bench\n"), 512ull << 20);
}

TEST_F(MemoryLimitTest, AnAncestorsLowerLimitBindsTheChild) {
  Write("memory/a/memory.limit_in_bytes", std::to_string(kGiB));
  Write("memory/a/b/memory.limit_in_bytes", "9223372036854771712");  // v1's "unlimited"
  EXPECT_EQ(Limit("7:memory:/a/b\n"), kGiB);
  // The root's own limit counts too (a container's view of its cgroup).
  Write("memory/memory.limit_in_bytes", std::to_string(kGiB / 2));
  EXPECT_EQ(Limit("7:memory:/docker/abc\n"), kGiB / 2);
}

TEST_F(MemoryLimitTest, MemoryControllerSharingAHierarchy) {
  Write("memory/x/memory.limit_in_bytes", std::to_string(3 * kGiB));
  EXPECT_EQ(Limit("5:blkio,memory:/x\n"), 3 * kGiB);
  EXPECT_EQ(Limit("5:blkio,memoryx:/x\n"), 24 * kGiB);  // not the memory controller
}

TEST_F(MemoryLimitTest, VersionTwoMaxAndNumbers) {
  Write("system.slice/app.service/memory.max", "max");
  Write("system.slice/memory.max", std::to_string(2 * kGiB));
  EXPECT_EQ(Limit("0::/system.slice/app.service\n"), 2 * kGiB);
  Write("system.slice/memory.max", "max");
  EXPECT_EQ(Limit("0::/system.slice/app.service\n"), 24 * kGiB);
}

TEST_F(MemoryLimitTest, PhysicalMemoryBelowTheLimitWins) {
  Write("memory/small/memory.limit_in_bytes", std::to_string(8 * kGiB));
  EXPECT_EQ(Limit("3:memory:/small\n", 4 * kGiB), 4 * kGiB);
}

TEST_F(MemoryLimitTest, GarbageIsIgnored) {
  Write("memory/g/memory.limit_in_bytes", "lots");
  Write("h/memory.max", "-5");
  EXPECT_EQ(Limit("3:memory:/g\n0::/h\nnot a cgroup line\n::\n"), 24 * kGiB);
}

TEST(ProcessMemoryLimitTest, IsAtMostPhysicalMemory) {
  const uint64_t physical =
      static_cast<uint64_t>(sysconf(_SC_PHYS_PAGES)) * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  const uint64_t limit = ProcessMemoryLimit();
  EXPECT_GT(limit, 0u);
  EXPECT_LE(limit, physical);
}

}  // namespace
}  // namespace strata
