#include "driver.h"

#include <signal.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>

#include "child_process.h"
#include "engine.h"
#include "fsync_probe.h"
#include "memory_cgroup.h"
#include "process_stats.h"
#include "report.h"

namespace strata_bench {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Ctrl-C or SIGTERM: the handler kills the running child (so the driver's
// wait returns at once) and the driver stops after that step, removing its
// databases and cgroups on the way out.
volatile sig_atomic_t g_interrupted = 0;
std::atomic<pid_t> g_running_child{0};
static_assert(std::atomic<pid_t>::is_always_lock_free, "used in a signal handler");

extern "C" void on_interrupt(int) {
  g_interrupted = 1;
  pid_t child = g_running_child.load();
  if (child > 0) kill(child, SIGKILL);
}

void install_interrupt_handlers() {
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

struct Interrupted {};

void stop_if_interrupted() {
  if (g_interrupted) throw Interrupted{};
}

// One child to run: `step` in `subdir` of the engine's round directory,
// recorded under `workload` ("" for an unrecorded setup step).
struct PlannedStep {
  std::string step;
  std::string workload;
  std::string subdir;
  bool fresh;         // remove the directory before the step
  bool remove_after;  // remove it after the step
};

bool contains(const std::vector<std::string>& list, const std::string& s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

// The steps one engine runs in a round, in order. The read workloads and
// overwrite need a loaded database: fillrandom makes it, and runs unrecorded
// when it was not asked for itself.
std::vector<PlannedStep> plan(const std::vector<std::string>& workloads) {
  std::vector<PlannedStep> steps;
  auto want = [&](const char* w) { return contains(workloads, w); };
  if (want("fillseq")) steps.push_back({"fillseq", "fillseq", "fillseq", true, true});
  const std::vector<std::string> on_loaded_db{"overwrite",  "readrandom",      "readrandom8",
                                              "readmissing", "seekrandom", "readwhilewriting"};
  bool needs_db = want("fillrandom");
  for (const auto& w : on_loaded_db) needs_db = needs_db || want(w.c_str());
  if (needs_db) {
    steps.push_back({"fillrandom", want("fillrandom") ? "fillrandom" : "", "db", true, false});
    for (const auto& w : on_loaded_db)
      if (want(w.c_str())) steps.push_back({w, w, "db", false, false});
    steps.back().remove_after = true;
  }
  if (want("fillsync1")) steps.push_back({"fillsync1", "fillsync1", "sync1", true, true});
  if (want("fillsync8")) steps.push_back({"fillsync8", "fillsync8", "sync8", true, true});
  if (want("reopen")) {
    steps.push_back({"reopen-fill", "", "reopen", true, false});
    steps.push_back({"reopen", "reopen", "reopen", false, true});
  }
  return steps;
}

std::string utc_now() {
  std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", std::gmtime(&t));
  return buf;
}

std::string clock_text(double seconds) {
  char buf[32];
  long s = static_cast<long>(seconds);
  std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
  return buf;
}

// A one-line summary of a step's result for the progress line.
std::string headline(const json& r) {
  char buf[160];
  if (r.contains("open_seconds")) {
    std::snprintf(buf, sizeof buf, "open %.3f s after SIGKILL, %.0f MiB of WAL",
                  r["open_seconds"].get<double>(), r["wal_bytes"].get<double>() / 1048576);
    return buf;
  }
  if (r.value("killed", false)) return "killed with SIGKILL after writing";
  if (!r.contains("ops_per_sec")) return "done";
  std::snprintf(buf, sizeof buf, "%.0f ops/s, p50 %.1f us, p99 %.1f us",
                r["ops_per_sec"].get<double>(), r["latency"]["p50_us"].get<double>(),
                r["latency"]["p99_us"].get<double>());
  std::string text = buf;
  if (r.contains("write_amp")) {
    std::snprintf(buf, sizeof buf, ", write amp %.2f, space amp %.2f",
                  r["write_amp"].get<double>(), r["space_amp"].get<double>());
    text += buf;
  }
  return text;
}

void warn_if_short_of_space(const std::string& dir, const WorkloadConfig& w) {
  struct statvfs st {};
  if (statvfs(dir.c_str(), &st) != 0) return;
  double free_bytes = static_cast<double>(st.f_bavail) * static_cast<double>(st.f_frsize);
  // The loaded database with overwrite's garbage, plus fillseq's, roughly.
  double needed = 4.0 * static_cast<double>(w.num) * 116.0 + 3.0 * w.reopen_bytes;
  if (free_bytes < needed)
    std::fprintf(stderr,
                 "strata-bench: warning: %.1f GiB free under %s, the run may need about "
                 "%.1f GiB\n",
                 free_bytes / (1ull << 30), dir.c_str(), needed / (1ull << 30));
}

class Driver {
 public:
  explicit Driver(const BenchConfig& config) : config_(config), executable_(self_executable()) {}

  int run();

 private:
  void make_base_dir();
  // Runs one engine's steps of one round, appending to runs_.
  void run_engine_round(int round, const std::string& engine);
  // Starts a child for `step`; its cgroup (if any) goes in *cgroup.
  std::unique_ptr<ChildProcess> start(const std::string& step, const std::string& engine,
                                      const std::string& dir,
                                      std::unique_ptr<MemoryCgroup>* cgroup);
  // The record of a finished child; ok when it exited 0 and printed a result.
  json finish(ChildProcess& child, MemoryCgroup* cgroup, uint64_t t0, const std::string& step);
  void progress(int round, const std::string& engine, const PlannedStep& step,
                const json& record);

  const BenchConfig& config_;
  const std::string executable_;
  std::string base_dir_;
  bool base_dir_is_ours_ = false;
  json runs_ = json::array();
  json fsync_rates_ = json::array();
  size_t steps_total_ = 0, steps_done_ = 0;
  uint64_t round_start_nanos_ = 0;
  double first_round_seconds_ = 0;  // 0 until the first round is over
  uint64_t cgroup_serial_ = 0;
  uint64_t start_nanos_ = now_nanos();
  bool failed_ = false;
};

void Driver::make_base_dir() {
  std::string parent = config_.dir;
  if (parent.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    parent = tmp && *tmp ? tmp : "/tmp";
  }
  std::error_code ec;
  fs::create_directories(parent, ec);
  if (ec) throw BenchError("cannot create " + parent + ": " + ec.message());
  std::string pattern = fs::absolute(parent).string() + "/strata-bench-XXXXXX";
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  if (mkdtemp(buf.data()) == nullptr)
    throw BenchError("cannot create a directory under " + parent + ": " + std::strerror(errno));
  base_dir_ = buf.data();
  base_dir_is_ours_ = true;
}

std::unique_ptr<ChildProcess> Driver::start(const std::string& step, const std::string& engine,
                                            const std::string& dir,
                                            std::unique_ptr<MemoryCgroup>* cgroup) {
  if (config_.mem_mb > 0) {
    std::string name = "strata-bench-" + std::to_string(getpid()) + "-" +
                       std::to_string(++cgroup_serial_);
    *cgroup = std::make_unique<MemoryCgroup>(name, config_.mem_mb << 20);
  }
  std::vector<std::string> args{"strata-bench"};
  for (auto& a : child_arguments(config_, step, engine, dir)) args.push_back(std::move(a));
  return std::make_unique<ChildProcess>(executable_, args, cgroup->get());
}

json Driver::finish(ChildProcess& child, MemoryCgroup* cgroup, uint64_t t0,
                    const std::string& step) {
  ChildProcess::Exit exit = child.wait();
  json record;
  record["child"] = {{"peak_rss_bytes", static_cast<uint64_t>(exit.usage.ru_maxrss) * 1024},
                     {"wall_seconds", static_cast<double>(now_nanos() - t0) / 1e9},
                     {"exit", exit.describe()}};
  if (cgroup) {
    record["child"]["cgroup_peak_bytes"] = cgroup->max_usage_bytes();
    record["child"]["cgroup_oom_kills"] = cgroup->oom_kills();
  }
  std::string output = child.remaining_output();
  while (!output.empty() && output.back() == '\n') output.pop_back();
  std::string last_line = output.substr(output.rfind('\n') == std::string::npos
                                            ? 0
                                            : output.rfind('\n') + 1);
  if (!exit.ok()) {
    std::string why = "the " + step + " process ended with " + exit.describe();
    if (cgroup && cgroup->oom_kills() > 0)
      why += " (killed by the memory cgroup's OOM killer: --mem-mb " +
             std::to_string(config_.mem_mb) + " is too small for it)";
    record["ok"] = false;
    record["error"] = why;
    return record;
  }
  try {
    record["result"] = json::parse(last_line);
    record["ok"] = true;
  } catch (const json::exception& e) {
    record["ok"] = false;
    record["error"] = "the " + step + " process printed no result (" + e.what() + ")";
  }
  return record;
}

void Driver::progress(int round, const std::string& engine, const PlannedStep& step,
                      const json& record) {
  ++steps_done_;
  double elapsed = static_cast<double>(now_nanos() - start_nanos_) / 1e9;
  // The first round's time is the best guess of the others'; until it is
  // known, assume every step takes the average step's time so far.
  double eta = elapsed / static_cast<double>(steps_done_) *
               static_cast<double>(steps_total_ - steps_done_);
  if (first_round_seconds_ > 0) {
    double in_round = static_cast<double>(now_nanos() - round_start_nanos_) / 1e9;
    eta = std::max(0.0, first_round_seconds_ * static_cast<double>(config_.rounds - round) -
                            in_round);
  }
  std::string what = step.workload.empty() ? step.step + " (setup)" : step.workload;
  std::string outcome = record.value("ok", false) ? headline(record["result"])
                                                  : "FAILED: " + record.value("error", "");
  std::fprintf(stderr, "[%zu/%zu %s, ~%s left] round %d/%llu %s %s: %s\n", steps_done_,
               steps_total_, clock_text(elapsed).c_str(), clock_text(eta).c_str(), round + 1,
               static_cast<unsigned long long>(config_.rounds), engine.c_str(), what.c_str(),
               outcome.c_str());
}

void Driver::run_engine_round(int round, const std::string& engine) {
  const std::string engine_dir = base_dir_ + "/round" + std::to_string(round + 1) + "-" + engine;
  std::vector<PlannedStep> steps = plan(config_.workloads);
  bool db_broken = false;  // a failed step on the shared database skips the rest
  for (size_t i = 0; i < steps.size(); ++i) {
    const PlannedStep& s = steps[i];
    const std::string dir = engine_dir + "/" + s.subdir;
    std::error_code ec;
    if (s.fresh) {
      fs::remove_all(dir, ec);
      fs::create_directories(fs::path(dir).parent_path(), ec);
      if (s.subdir == "db") db_broken = false;
    }
    json record;
    if (s.subdir == "db" && db_broken) {
      record = {{"ok", false}, {"error", "skipped: an earlier step on its database failed"}};
    } else {
      std::unique_ptr<MemoryCgroup> cgroup;
      uint64_t t0 = now_nanos();
      stop_if_interrupted();
      try {
        auto child = start(s.step, engine, dir, &cgroup);
        g_running_child = child->pid();
        if (s.step == "reopen-fill") {
          // Wait until the child has written everything, then kill it.
          std::string line;
          bool ready = false;
          while (!ready && child->read_line(&line)) ready = line == "ready";
          if (ready) child->kill_now();
          record = finish(*child, cgroup.get(), t0, s.step);
          if (ready) {
            record = {{"ok", true}, {"result", {{"killed", true}}}, {"child", record["child"]}};
          } else if (record.value("ok", false)) {
            record = {{"ok", false}, {"error", "reopen-fill exited without saying ready"}};
          }
        } else {
          record = finish(*child, cgroup.get(), t0, s.step);
        }
        g_running_child = 0;
        stop_if_interrupted();
      } catch (const BenchError& e) {
        record = {{"ok", false}, {"error", e.what()}};
      }
    }
    if (!record.value("ok", false)) {
      failed_ = true;
      if (s.subdir == "db") db_broken = true;
      if (s.step == "reopen-fill") ++i;  // nothing to reopen
    }
    if (!s.workload.empty() || !record.value("ok", false)) {
      record["round"] = round;
      record["engine"] = engine;
      record["workload"] = s.workload.empty() ? s.step : s.workload;
      runs_.push_back(record);
    }
    progress(round, engine, s, record);
    if ((s.remove_after || (s.step == "reopen-fill" && !record.value("ok", false))) &&
        !config_.keep)
      fs::remove_all(dir, ec);
  }
  if (!config_.keep) {
    std::error_code ec;
    fs::remove_all(engine_dir, ec);
  }
}

int Driver::run() {
  if (config_.mem_mb > 0) {
    // Fail now, not after the first child: make and drop one cgroup.
    MemoryCgroup probe("strata-bench-" + std::to_string(getpid()) + "-probe",
                       config_.mem_mb << 20);
  }
  make_base_dir();
  warn_if_short_of_space(base_dir_, config_.workload);
  steps_total_ = plan(config_.workloads).size() * config_.engines.size() * config_.rounds;
  std::fprintf(stderr, "strata-bench: %zu engines x %llu rounds, %zu steps, databases under %s\n",
               config_.engines.size(), static_cast<unsigned long long>(config_.rounds),
               steps_total_, base_dir_.c_str());
  const bool measure_fsync = contains(config_.workloads, "fillsync1") ||
                             contains(config_.workloads, "fillsync8");
  install_interrupt_handlers();
  try {
    for (int round = 0; round < static_cast<int>(config_.rounds); ++round) {
      stop_if_interrupted();
      round_start_nanos_ = now_nanos();
      if (measure_fsync) fsync_rates_.push_back(measure_fsync_rate(base_dir_, 300, 2.0));
      const size_t n = config_.engines.size();
      for (size_t k = 0; k < n; ++k) run_engine_round(round, config_.engines[(k + round) % n]);
      if (round == 0)
        first_round_seconds_ = static_cast<double>(now_nanos() - round_start_nanos_) / 1e9;
    }
  } catch (const Interrupted&) {
    std::error_code ec;
    if (!config_.keep) fs::remove_all(base_dir_, ec);
    throw BenchError(config_.keep ? "interrupted; the databases are kept in " + base_dir_
                                  : "interrupted; its databases were removed");
  }

  json doc;
  json versions = json::object();
  for (const auto& e : config_.engines) versions[e] = engine_version(e);
  doc["meta"] = {{"date", utc_now()},
                 {"command", config_.command_line},
                 {"label", config_.label},
                 {"machine", machine_info(base_dir_)},
                 {"versions", versions},
                 {"total_seconds", static_cast<double>(now_nanos() - start_nanos_) / 1e9}};
  const WorkloadConfig& w = config_.workload;
  doc["config"] = {{"engines", config_.engines},
                   {"workloads", config_.workloads},
                   {"rounds", config_.rounds},
                   {"num", w.num},
                   {"reads", w.reads},
                   {"reads_while_writing", w.reads_while_writing},
                   {"seeks", w.seeks},
                   {"scan_length", w.scan_length},
                   {"sync_ops", w.sync_ops},
                   {"reopen_bytes", w.reopen_bytes},
                   {"seed", w.seed},
                   {"max_step_seconds", w.max_step_seconds},
                   {"mem_mb", config_.mem_mb},
                   {"settings",
                    {{"memtable_bytes", w.settings.memtable_bytes},
                     {"block_cache_bytes", w.settings.block_cache_bytes},
                     {"bloom_bits_per_key", w.settings.bloom_bits_per_key},
                     {"block_bytes", w.settings.block_bytes},
                     {"background_threads", w.settings.background_threads},
                     {"compression", "none"},
                     {"wal", true},
                     {"sync", "off except fillsync"}}}};
  doc["summary"] = summarize(runs_, fsync_rates_, config_.engines, config_.mem_mb > 0);
  doc["runs"] = runs_;
  doc["fsync_rates"] = fsync_rates_;
  if (base_dir_is_ours_ && !config_.keep) {
    std::error_code ec;
    fs::remove_all(base_dir_, ec);
  }

  std::string markdown = markdown_report(doc);
  std::printf("%s", markdown.c_str());
  std::fflush(stdout);
  auto write_file = [](const std::string& path, const std::string& text) {
    std::ofstream out(path);
    out << text;
    if (!out.flush()) throw BenchError("cannot write " + path);
  };
  if (!config_.json_path.empty()) write_file(config_.json_path, doc.dump(2) + "\n");
  if (!config_.markdown_path.empty()) write_file(config_.markdown_path, markdown);
  if (failed_) {
    std::fprintf(stderr, "strata-bench: some steps failed:\n");
    for (const json& r : runs_)
      if (!r.value("ok", false))
        std::fprintf(stderr, "  round %d %s %s: %s\n", r["round"].get<int>() + 1,
                     r["engine"].get<std::string>().c_str(),
                     r["workload"].get<std::string>().c_str(),
                     r["error"].get<std::string>().c_str());
  }
  return failed_ ? 1 : 0;
}

}  // namespace

int run_driver(const BenchConfig& config) {
  Driver driver(config);
  return driver.run();
}

}  // namespace strata_bench
