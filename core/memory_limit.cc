#include "core/memory_limit.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace strata {

namespace {

// The number in a limit file, or 0 when the file is missing, says "max"
// (cgroup v2's "no limit") or holds anything but a number.
uint64_t ReadLimitFile(const std::string& path) {
  std::ifstream in(path);
  std::string text;
  if (!in || !(in >> text) || text.empty() || text[0] < '0' || text[0] > '9') return 0;
  errno = 0;
  char* end = nullptr;
  const unsigned long long v = std::strtoull(text.c_str(), &end, 10);
  if (errno != 0 || *end != '\0') return 0;
  return v;
}

// Lowers *limit by the limit file `file_name` in `dir` + path and each of the
// path's ancestors (a child cgroup is also bound by its parents' limits).
void ApplyLimits(const std::string& dir, std::string path, const char* file_name,
                 uint64_t* limit) {
  while (true) {
    const uint64_t v = ReadLimitFile(dir + path + (path.ends_with('/') ? "" : "/") + file_name);
    if (v != 0) *limit = std::min(*limit, v);
    if (path.empty() || path == "/") return;
    const size_t slash = path.find_last_of('/');
    path.resize(slash == std::string::npos ? 0 : slash);
  }
}

// Whether the comma-separated controller list names the memory controller.
bool NamesMemoryController(std::string_view controllers) {
  while (!controllers.empty()) {
    const size_t comma = controllers.find(',');
    if (controllers.substr(0, comma) == "memory") return true;
    if (comma == std::string_view::npos) return false;
    controllers.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace

uint64_t MemoryLimitFrom(std::string_view proc_self_cgroup, const std::string& cgroup_root,
                         uint64_t physical_bytes) {
  uint64_t limit = physical_bytes;
  std::istringstream lines{std::string(proc_self_cgroup)};
  std::string line;
  while (std::getline(lines, line)) {
    // "hierarchy-id:controller-list:path"; v2's line is "0::path".
    const size_t first = line.find(':');
    const size_t second = first == std::string::npos ? first : line.find(':', first + 1);
    if (second == std::string::npos) continue;
    const std::string_view controllers = std::string_view(line).substr(first + 1, second - first - 1);
    const std::string path = line.substr(second + 1);
    if (controllers.empty()) {
      ApplyLimits(cgroup_root, path, "memory.max", &limit);
    } else if (NamesMemoryController(controllers)) {
      ApplyLimits(cgroup_root + "/memory", path, "memory.limit_in_bytes", &limit);
    }
  }
  return limit;
}

uint64_t ProcessMemoryLimit() {
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page_size = sysconf(_SC_PAGESIZE);
  uint64_t physical = pages > 0 && page_size > 0
                          ? static_cast<uint64_t>(pages) * static_cast<uint64_t>(page_size)
                          : UINT64_MAX;
  std::ifstream in("/proc/self/cgroup");
  std::stringstream text;
  if (in) text << in.rdbuf();
  return MemoryLimitFrom(text.str(), "/sys/fs/cgroup", physical);
}

}  // namespace strata
