// progress_meter.h — a child's progress line on stderr while a step runs:
// "  strata fillrandom  42%  1.1M/2.0M ops  312K ops/s". On a terminal it is
// rewritten in place twice a second; otherwise (a log file) a line is added
// every 10 seconds, so long runs show they are alive without flooding a log.
//
// Thread safety: add() may be called from any thread; the meter's own thread
// only reads the counter. Construct and destroy on one thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace strata_bench {

class ProgressMeter {
 public:
  // `label` names the step; `total` is the operation count expected (0 if
  // unknown). Starts the meter's thread.
  ProgressMeter(std::string label, uint64_t total);
  ~ProgressMeter();  // stops the thread and clears a terminal line

  ProgressMeter(const ProgressMeter&) = delete;
  ProgressMeter& operator=(const ProgressMeter&) = delete;

  void add(uint64_t ops) { done_.fetch_add(ops, std::memory_order_relaxed); }
  // Restarts the count for a new phase of the step (e.g. "settle").
  void phase(const std::string& label, uint64_t total);

 private:
  void run();
  void print();

  std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::string label_;
  uint64_t total_;
  uint64_t phase_start_nanos_;
  std::atomic<uint64_t> done_{0};
  const bool terminal_;
  std::thread thread_;
};

}  // namespace strata_bench
