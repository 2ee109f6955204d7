#include "progress_meter.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>

#include "process_stats.h"

namespace strata_bench {
namespace {

std::string human(double v) {
  char buf[32];
  if (v >= 1e6)
    std::snprintf(buf, sizeof buf, "%.1fM", v / 1e6);
  else if (v >= 1e3)
    std::snprintf(buf, sizeof buf, "%.0fK", v / 1e3);
  else
    std::snprintf(buf, sizeof buf, "%.0f", v);
  return buf;
}

}  // namespace

ProgressMeter::ProgressMeter(std::string label, uint64_t total)
    : label_(std::move(label)),
      total_(total),
      phase_start_nanos_(now_nanos()),
      terminal_(isatty(STDERR_FILENO) == 1),
      thread_([this] { run(); }) {}

ProgressMeter::~ProgressMeter() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
  if (terminal_) std::fprintf(stderr, "\r\033[K");
}

void ProgressMeter::phase(const std::string& label, uint64_t total) {
  std::lock_guard<std::mutex> lock(mu_);
  label_ = label;
  total_ = total;
  phase_start_nanos_ = now_nanos();
  done_.store(0, std::memory_order_relaxed);
}

void ProgressMeter::run() {
  const auto period = terminal_ ? std::chrono::milliseconds(500) : std::chrono::seconds(10);
  std::unique_lock<std::mutex> lock(mu_);
  while (!wake_.wait_for(lock, period, [this] { return stop_; })) print();
}

// Called with mu_ held.
void ProgressMeter::print() {
  uint64_t done = done_.load(std::memory_order_relaxed);
  double seconds = static_cast<double>(now_nanos() - phase_start_nanos_) / 1e9;
  std::string line = "  " + label_;
  if (total_ > 0) {
    char pct[16];
    std::snprintf(pct, sizeof pct, "  %3.0f%%", 100.0 * static_cast<double>(done) /
                                                     static_cast<double>(total_));
    line += pct;
    line += "  " + human(static_cast<double>(done)) + "/" + human(static_cast<double>(total_)) +
            " ops";
  }
  if (done > 0 && seconds > 0) line += "  " + human(static_cast<double>(done) / seconds) + " ops/s";
  char elapsed[32];
  std::snprintf(elapsed, sizeof elapsed, "  %.0fs", seconds);
  line += elapsed;
  if (terminal_)
    std::fprintf(stderr, "\r\033[K%s", line.c_str());
  else
    std::fprintf(stderr, "%s\n", line.c_str());
  std::fflush(stderr);
}

}  // namespace strata_bench
