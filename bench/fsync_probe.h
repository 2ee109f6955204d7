// fsync_probe.h — the fsync limit of the disk under the benchmark directory:
// how many times a second one thread can append a WAL-sized record to a file
// and fdatasync it. No engine can acknowledge more single-threaded durable
// writes than this; fillsync1 is judged against it.
//
// Thread safety: none needed; called by the driver between children.
#pragma once

#include <cstdint>
#include <string>

namespace strata_bench {

// Appends `record_bytes` and fdatasyncs, `ops` times (stopping early after
// `max_seconds`), in a scratch file inside `dir` that it removes. Returns
// operations per second. Throws BenchError on an I/O error.
double measure_fsync_rate(const std::string& dir, uint64_t ops, double max_seconds,
                          uint64_t record_bytes = 128);

}  // namespace strata_bench
