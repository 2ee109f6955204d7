#include "report.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

namespace strata_bench {

using nlohmann::json;

namespace {

// One row of the table: a value found at `path` (keys separated by '.') in
// the result of `workload`, times `scale`.
struct MetricDef {
  const char* workload;
  const char* path;
  const char* label;
  const char* unit;
  bool higher_is_better;
  double scale;
};

// The rows, in table order. Peak RSS and the cgroup peak are computed from
// every step of an engine's round, not from one workload's result.
const MetricDef kMetrics[] = {
    {"fillseq", "ops_per_sec", "fillseq", "ops/s", true, 1},
    {"fillrandom", "ops_per_sec", "fillrandom", "ops/s", true, 1},
    {"fillrandom", "latency.max_us", "fillrandom longest write", "ms", false, 1e-3},
    {"fillrandom", "slow_write_seconds", "fillrandom time in writes >= 1 ms", "s", false, 1},
    {"overwrite", "ops_per_sec", "overwrite", "ops/s", true, 1},
    {"readrandom", "ops_per_sec", "readrandom", "ops/s", true, 1},
    {"readrandom", "latency.p50_us", "readrandom p50", "us", false, 1},
    {"readrandom", "latency.p99_us", "readrandom p99", "us", false, 1},
    {"readrandom", "latency.p999_us", "readrandom p99.9", "us", false, 1},
    {"readrandom8", "ops_per_sec", "readrandom, 8 threads", "ops/s", true, 1},
    {"readrandom8", "latency.p99_us", "readrandom, 8 threads, p99", "us", false, 1},
    {"readmissing", "ops_per_sec", "readmissing", "ops/s", true, 1},
    {"seekrandom", "ops_per_sec", "seekrandom + next 100", "ops/s", true, 1},
    {"readwhilewriting", "ops_per_sec", "readwhilewriting (reader)", "ops/s", true, 1},
    {"readwhilewriting", "writer_ops_per_sec", "readwhilewriting (writer)", "ops/s", true, 1},
    {"fillsync1", "ops_per_sec", "fillsync, 1 thread", "ops/s", true, 1},
    {"fillsync8", "ops_per_sec", "fillsync, 8 threads", "ops/s", true, 1},
    {"reopen", "open_seconds", "reopen after SIGKILL", "s", false, 1},
    {"reopen", "wal_bytes", "reopen: WAL replayed", "MiB", false, 1.0 / 1048576},
    {"fillrandom", "write_amp", "write amplification, fillrandom", "x", false, 1},
    {"overwrite", "write_amp", "write amplification, overwrite", "x", false, 1},
    {"fillrandom", "space_amp", "space amplification, after fillrandom", "x", false, 1},
    {"overwrite", "space_amp", "space amplification, after overwrite", "x", false, 1},
};

std::optional<double> lookup(const json& result, const std::string& path) {
  const json* node = &result;
  std::istringstream parts(path);
  std::string part;
  while (std::getline(parts, part, '.')) {
    if (!node->is_object() || !node->contains(part)) return std::nullopt;
    node = &(*node)[part];
  }
  if (!node->is_number()) return std::nullopt;
  return node->get<double>();
}

std::optional<double> median(std::vector<double> values) {
  if (values.empty()) return std::nullopt;
  std::sort(values.begin(), values.end());
  size_t n = values.size();
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

json make_row(const std::string& workload, const std::string& metric, const std::string& label,
              const std::string& unit, bool higher_is_better,
              const std::map<std::string, std::vector<double>>& samples,
              const std::vector<std::string>& engines) {
  json row{{"workload", workload}, {"metric", metric},  {"label", label},
           {"unit", unit},         {"higher_is_better", higher_is_better}};
  json values = json::object(), ratios = json::object(), rounds = json::object();
  for (const auto& e : engines) {
    auto it = samples.find(e);
    std::optional<double> m = it == samples.end() ? std::nullopt : median(it->second);
    values[e] = m ? json(*m) : json(nullptr);
    rounds[e] = it == samples.end() ? json::array() : json(it->second);
  }
  if (values.contains("strata") && values["strata"].is_number()) {
    double s = values["strata"].get<double>();
    for (const auto& e : engines) {
      if (e == "strata") continue;
      ratios[e] = values[e].is_number() && values[e].get<double>() != 0
                      ? json(s / values[e].get<double>())
                      : json(nullptr);
    }
  }
  row["values"] = values;
  row["ratios"] = ratios;
  row["rounds"] = rounds;
  return row;
}

std::string format_number(double v, const std::string& unit) {
  char buf[64];
  if (unit == "ops/s") {
    // Thousands separators: 1,234,567.
    std::string digits = std::to_string(static_cast<long long>(std::llround(v)));
    std::string out;
    for (size_t i = 0; i < digits.size(); ++i) {
      if (i && (digits.size() - i) % 3 == 0) out += ',';
      out += digits[i];
    }
    return out;
  }
  if (unit == "MiB")
    std::snprintf(buf, sizeof buf, "%.0f", v);
  else if (unit == "x")
    std::snprintf(buf, sizeof buf, "%.2f", v);
  else if (v >= 100)
    std::snprintf(buf, sizeof buf, "%.0f", v);
  else if (v >= 10)
    std::snprintf(buf, sizeof buf, "%.1f", v);
  else
    std::snprintf(buf, sizeof buf, "%.3g", v);
  return buf;
}

std::string first_line_of(const std::string& path, const std::string& prefix) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(prefix, 0) == 0) return line.substr(prefix.size());
  return "";
}

std::string trim(std::string s) {
  size_t b = s.find_first_not_of(" \t:"), e = s.find_last_not_of(" \t");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

}  // namespace

json machine_info(const std::string& dir) {
  json m;
  m["cpu"] = trim(first_line_of("/proc/cpuinfo", "model name"));
  m["logical_cpus"] = std::thread::hardware_concurrency();
  std::string mem = trim(first_line_of("/proc/meminfo", "MemTotal:"));
  m["memory_bytes"] = std::stoull(mem.empty() ? "0" : mem) * 1024;
  struct utsname u {};
  if (uname(&u) == 0) m["kernel"] = std::string(u.sysname) + " " + u.release;
  // The filesystem holding dir: the longest mount point that prefixes it.
  std::ifstream in("/proc/self/mountinfo");
  std::string line, best_point, best_type, best_source;
  while (std::getline(in, line)) {
    size_t dash = line.find(" - ");
    if (dash == std::string::npos) continue;
    std::istringstream head(line.substr(0, dash)), tail(line.substr(dash + 3));
    std::string id, parent, dev, root, point, fstype, source;
    head >> id >> parent >> dev >> root >> point;
    tail >> fstype >> source;
    bool prefix = dir.rfind(point, 0) == 0 &&
                  (point == "/" || dir.size() == point.size() || dir[point.size()] == '/');
    if (prefix && point.size() >= best_point.size()) {
      best_point = point;
      best_type = fstype;
      best_source = source;
    }
  }
  m["filesystem"] = best_type;
  m["device"] = best_source;
  m["mount_point"] = best_point;
  return m;
}

json summarize(const json& runs, const json& fsync_rates, const std::vector<std::string>& engines,
               bool with_cgroup) {
  json rows = json::array();
  for (const MetricDef& d : kMetrics) {
    std::map<std::string, std::vector<double>> samples;
    bool seen = false;
    for (const json& run : runs) {
      if (run["workload"] != d.workload) continue;
      seen = true;
      if (!run.value("ok", false)) continue;
      if (auto v = lookup(run["result"], d.path)) samples[run["engine"]].push_back(*v * d.scale);
    }
    if (seen)
      rows.push_back(make_row(d.workload, d.path, d.label, d.unit, d.higher_is_better, samples,
                              engines));
  }
  // Peak memory: the largest of an engine's steps in a round (reopen aside:
  // it runs with a bigger memtable), then the median over rounds.
  // The child's own peak RSS (rusage), the part of it that is not mapped
  // file pages (sampled by the step itself, in its result), and with a
  // cgroup, the cgroup's peak.
  struct MemoryRow {
    const char* section;
    const char* field;
    const char* label;
  };
  for (const MemoryRow& m : {MemoryRow{"child", "peak_rss_bytes", "peak RSS (largest step)"},
                             MemoryRow{"result", "peak_anon_rss_bytes",
                                       "peak RSS without mapped files (largest step)"},
                             MemoryRow{"child", "cgroup_peak_bytes",
                                       "peak cgroup memory, page cache included (largest step)"}}) {
    if (std::string(m.field) == "cgroup_peak_bytes" && !with_cgroup) continue;
    std::map<std::pair<std::string, int>, double> per_round;
    for (const json& run : runs) {
      if (!run.value("ok", false) || run["workload"] == "reopen") continue;
      if (!run.contains(m.section) || !run[m.section].is_object() ||
          !run[m.section].contains(m.field)) {
        continue;
      }
      auto key = std::make_pair(run["engine"].get<std::string>(), run["round"].get<int>());
      double v = run[m.section][m.field].get<double>() / 1048576.0;
      per_round[key] = std::max(per_round[key], v);
    }
    std::map<std::string, std::vector<double>> samples;
    for (const auto& [key, v] : per_round) samples[key.first].push_back(v);
    if (!samples.empty())
      rows.push_back(make_row("all", m.field, m.label, "MiB", false, samples, engines));
  }
  json summary{{"rows", rows}};
  std::vector<double> rates;
  for (const json& r : fsync_rates) rates.push_back(r.get<double>());
  if (auto m = median(rates)) summary["fsync_limit_ops_per_sec"] = *m;
  return summary;
}

std::string markdown_report(const json& doc) {
  const json& meta = doc["meta"];
  const json& config = doc["config"];
  const json& summary = doc["summary"];
  std::vector<std::string> engines = config["engines"].get<std::vector<std::string>>();
  std::ostringstream out;
  out << "| workload | unit | ";
  for (const auto& e : engines) out << e << " | ";
  for (const auto& e : engines)
    if (e != "strata") out << "strata / " << e << " | ";
  out << "\n|---|---|";
  for (size_t i = 0; i < engines.size() * 2 - 1; ++i) out << "---:|";
  out << "\n";
  for (const json& row : summary["rows"]) {
    const std::string unit = row["unit"];
    out << "| " << row["label"].get<std::string>() << " | " << unit
        << (row["higher_is_better"].get<bool>() ? " ↑" : " ↓") << " | ";
    for (const auto& e : engines) {
      const json& v = row["values"][e];
      out << (v.is_number() ? format_number(v.get<double>(), unit) : "–") << " | ";
    }
    for (const auto& e : engines) {
      if (e == "strata") continue;
      const json& r = row["ratios"].value(e, json(nullptr));
      char buf[32] = "–";
      if (r.is_number()) std::snprintf(buf, sizeof buf, "%.2f", r.get<double>());
      out << buf << " | ";
    }
    out << "\n";
  }
  out << "\n";
  if (summary.contains("fsync_limit_ops_per_sec"))
    out << "- fsync limit of the disk (one thread appending 128 bytes + fdatasync): "
        << format_number(summary["fsync_limit_ops_per_sec"].get<double>(), "ops/s")
        << " ops/s.\n";
  out << "- Medians of " << config["rounds"].get<int>() << " round(s); ↑ higher is better, ↓ lower "
      << "is better; the ratio columns are strata ÷ peer.\n";
  out << "- Sizes: " << config["num"].get<uint64_t>() << " keys of 16 bytes with 100-byte values, "
      << config["reads"].get<uint64_t>() << " reads (" << config["reads_while_writing"].get<uint64_t>()
      << " while writing), " << config["seeks"].get<uint64_t>()
      << " seeks, " << config["sync_ops"].get<uint64_t>() << " fsynced writes per fillsync";
  if (config.value("max_step_seconds", 0.0) > 0)
    out << "; reads and fillsync stop after " << config["max_step_seconds"].get<double>()
        << " s each (the rates are over what they did)";
  if (config["mem_mb"].get<uint64_t>() > 0)
    out << ", each engine process in a " << config["mem_mb"].get<uint64_t>()
        << " MiB memory cgroup (page cache included)";
  out << ".\n";
  out << "- Machine: " << meta["machine"]["cpu"].get<std::string>() << ", "
      << meta["machine"]["logical_cpus"].get<int>() << " logical CPUs, "
      << meta["machine"]["memory_bytes"].get<uint64_t>() / (1ull << 30) << " GiB RAM, "
      << meta["machine"].value("kernel", "") << ", " << meta["machine"]["filesystem"].get<std::string>()
      << " on " << meta["machine"]["device"].get<std::string>() << ".\n";
  out << "- Engines:";
  for (const auto& e : engines)
    out << " " << e << " " << meta["versions"].value(e, "?")
        << (e == engines.back() ? "." : ",");
  out << "\n- Run " << meta["date"].get<std::string>() << ": `" << meta["command"].get<std::string>()
      << "`\n";
  return out.str();
}

}  // namespace strata_bench
