#include "fsync_probe.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "engine.h"
#include "process_stats.h"

namespace strata_bench {

double measure_fsync_rate(const std::string& dir, uint64_t ops, double max_seconds,
                          uint64_t record_bytes) {
  const std::string path = dir + "/fsync-probe.tmp";
  int fd = open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) throw BenchError("fsync probe: cannot create " + path + ": " + std::strerror(errno));
  std::vector<char> record(record_bytes, 'r');
  uint64_t done = 0;
  const uint64_t deadline_nanos = static_cast<uint64_t>(max_seconds * 1e9);
  const uint64_t t0 = now_nanos();
  uint64_t elapsed = 0;
  while (done < ops && elapsed < deadline_nanos) {
    if (write(fd, record.data(), record.size()) != static_cast<ssize_t>(record.size()) ||
        fdatasync(fd) != 0) {
      int e = errno;
      close(fd);
      unlink(path.c_str());
      throw BenchError("fsync probe: " + path + ": " + std::strerror(e));
    }
    ++done;
    elapsed = now_nanos() - t0;
  }
  close(fd);
  unlink(path.c_str());
  return static_cast<double>(done) / (static_cast<double>(elapsed) / 1e9);
}

}  // namespace strata_bench
