#include "memory_cgroup.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "engine.h"

namespace strata_bench {
namespace {

std::string read_first_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text << std::flush;
  if (!out) throw BenchError("cannot write '" + text + "' to " + path + ": " + std::strerror(errno));
}

// The mount point and mount root of the cgroup v1 hierarchy holding the
// memory controller, from /proc/self/mountinfo:
//   id parent major:minor root mount-point options - fstype source super-options
bool find_memory_mount(std::string* mount_point, std::string* mount_root) {
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    size_t dash = line.find(" - ");
    if (dash == std::string::npos) continue;
    std::istringstream head(line.substr(0, dash)), tail(line.substr(dash + 3));
    std::string id, parent, dev, root, point, fstype, source, super;
    head >> id >> parent >> dev >> root >> point;
    tail >> fstype >> source >> super;
    if (fstype != "cgroup") continue;
    std::istringstream opts(super);
    std::string opt;
    while (std::getline(opts, opt, ','))
      if (opt == "memory") {
        *mount_point = point;
        *mount_root = root;
        return true;
      }
  }
  return false;
}

}  // namespace

std::string MemoryCgroup::current_cgroup_dir() {
  std::string mount_point, mount_root;
  if (!find_memory_mount(&mount_point, &mount_root))
    throw BenchError(
        "no cgroup v1 memory controller is mounted (see /proc/self/mountinfo); --mem-mb needs "
        "one");
  // /proc/self/cgroup lines: hierarchy-id:controllers:path
  std::ifstream in("/proc/self/cgroup");
  std::string line;
  while (std::getline(in, line)) {
    size_t first = line.find(':'), second = line.find(':', first + 1);
    if (first == std::string::npos || second == std::string::npos) continue;
    std::istringstream controllers(line.substr(first + 1, second - first - 1));
    std::string c;
    bool memory = false;
    while (std::getline(controllers, c, ',')) memory = memory || c == "memory";
    if (!memory) continue;
    std::string path = line.substr(second + 1);
    // Inside a container the mount's root may be a prefix of our path.
    if (mount_root != "/" && path.rfind(mount_root, 0) == 0) path = path.substr(mount_root.size());
    if (path.empty() || path == "/") return mount_point;
    return mount_point + path;
  }
  throw BenchError("/proc/self/cgroup names no memory cgroup for this process");
}

MemoryCgroup::MemoryCgroup(const std::string& name, uint64_t limit_bytes) {
  dir_ = current_cgroup_dir() + "/" + name;
  if (mkdir(dir_.c_str(), 0755) != 0 && errno != EEXIST)
    throw BenchError("cannot create the memory cgroup " + dir_ + ": " + std::strerror(errno));
  try {
    write_file(dir_ + "/memory.limit_in_bytes", std::to_string(limit_bytes));
    uint64_t applied = std::stoull(read_first_line(dir_ + "/memory.limit_in_bytes"));
    // The kernel rounds to pages; anything far off means the limit did not apply.
    if (applied > limit_bytes + 4096 || applied + 4096 < limit_bytes)
      throw BenchError("memory cgroup " + dir_ + " took a limit of " + std::to_string(applied) +
                       " bytes instead of " + std::to_string(limit_bytes));
  } catch (...) {
    rmdir(dir_.c_str());
    throw;
  }
}

MemoryCgroup::~MemoryCgroup() {
  // Drop the page cache charged here, then remove the (now empty) group.
  // Both are best effort: a leftover group is harmless and named after us.
  std::ofstream(dir_ + "/memory.force_empty") << "0" << std::flush;
  rmdir(dir_.c_str());
}

uint64_t MemoryCgroup::max_usage_bytes() const {
  std::string text = read_first_line(dir_ + "/memory.max_usage_in_bytes");
  return text.empty() ? 0 : std::stoull(text);
}

uint64_t MemoryCgroup::oom_kills() const {
  std::ifstream in(dir_ + "/memory.oom_control");
  std::string name;
  uint64_t value;
  while (in >> name >> value)
    if (name == "oom_kill") return value;
  return 0;
}

}  // namespace strata_bench
