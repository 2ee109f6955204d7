// strata stats | compact | check | repair | checkpoint: looking after a
// database as a whole.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "tools/strata/commands.h"
#include "tools/strata/progress.h"

namespace strata_tool {

namespace {

std::string Property(kv_db* db, const std::string& name) {
  char* text = nullptr;
  const int rc = kv_property(db, name.c_str(), &text);
  if (rc != KV_OK) ThrowKv("kv_property(" + name + ")", rc);
  std::string value(text);
  kv_free(text);
  return value;
}

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// One line of the "sstables" property.
struct TableInfo {
  int level = 0;
  uint64_t number = 0, bytes = 0, entries = 0;
  std::string smallest, largest;  // user keys, decoded from hex
};

std::vector<TableInfo> Tables(kv_db* db) {
  std::vector<TableInfo> tables;
  std::istringstream in(Property(db, "sstables"));
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    TableInfo t;
    std::string lo, hi, error;
    if (!(fields >> t.level >> t.number >> t.bytes >> t.entries >> lo >> hi)) continue;
    Decode(lo == "-" ? "" : lo, Format::kHex, &t.smallest, &error);
    Decode(hi == "-" ? "" : hi, Format::kHex, &t.largest, &error);
    tables.push_back(std::move(t));
  }
  return tables;
}

// ---- stats ---------------------------------------------------------------

// The engine's "stats" text: a level table, then "name: details" lines.
struct ParsedStats {
  struct Level {
    int level;
    uint64_t files, bytes;
  };
  std::vector<Level> levels;
  std::vector<std::pair<std::string, std::string>> sections;
};

ParsedStats ParseStats(const std::string& text) {
  ParsedStats out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    int level;
    unsigned long long files, bytes;
    if (std::sscanf(line.c_str(), "L%d %llu %llu", &level, &files, &bytes) == 3) {
      out.levels.push_back({level, files, bytes});
      continue;
    }
    const size_t colon = line.find(": ");
    if (colon != std::string::npos) out.sections.emplace_back(line.substr(0, colon), line.substr(colon + 2));
  }
  return out;
}

void AddStats(CLI::App& app, GlobalOptions& g) {
  auto* cmd = app.add_subcommand("stats", "show the engine's statistics");
  struct Args {
    bool json = false, tables = false;
  };
  auto a = std::make_shared<Args>();
  cmd->add_flag("--json", a->json, "one JSON object instead of tables");
  cmd->add_flag("-t,--tables", a->tables, "also list every live table");
  SetManual(cmd, "show the engine's statistics",
            "Opens the database and prints kv_property(\"stats\"): tables and bytes per\n"
            "level, memtables, writes, flushes, compactions, write amplification, block\n"
            "cache, stalls and reads (counters start at zero when the database opens, so\n"
            "they describe this open). --tables lists every live table with its level,\n"
            "size, entry count and key range. --json prints the same as one object:\n"
            "levels, total_table_bytes, memtable_bytes, last_sequence, sections (the other\n"
            "lines by name) and, with --tables, tables.",
            "strata --db /tmp/db stats\n"
            "strata --db /tmp/db stats --json --tables | jq .levels",
            "0 printed, 2 usage error, 3 engine error");
  cmd->callback([&g, a] {
    Database db(g, /*create=*/false);
    const ParsedStats stats = ParseStats(Property(db.get(), "stats"));
    const uint64_t table_bytes = std::stoull(Property(db.get(), "total-table-bytes"));
    const uint64_t memtable_bytes = std::stoull(Property(db.get(), "memtable-bytes"));
    const uint64_t last_sequence = std::stoull(Property(db.get(), "last-sequence"));
    std::vector<TableInfo> tables;
    if (a->tables) tables = Tables(db.get());
    if (a->json) {
      nlohmann::json j;
      j["levels"] = nlohmann::json::array();
      for (const auto& l : stats.levels) {
        j["levels"].push_back({{"level", l.level}, {"files", l.files}, {"bytes", l.bytes}});
      }
      j["total_table_bytes"] = table_bytes;
      j["memtable_bytes"] = memtable_bytes;
      j["last_sequence"] = last_sequence;
      j["sections"] = nlohmann::json::object();
      for (const auto& [name, text] : stats.sections) j["sections"][name] = text;
      if (a->tables) {
        j["tables"] = nlohmann::json::array();
        for (const auto& t : tables) {
          j["tables"].push_back({{"level", t.level},
                                 {"number", t.number},
                                 {"bytes", t.bytes},
                                 {"entries", t.entries},
                                 {"smallest", Encode(t.smallest, Format::kText)},
                                 {"largest", Encode(t.largest, Format::kText)}});
        }
      }
      std::printf("%s\n", j.dump(2).c_str());
      return;
    }
    std::printf("%-6s %7s %14s\n", "level", "tables", "size");
    uint64_t files = 0;
    for (const auto& l : stats.levels) {
      if (l.files == 0 && l.level > 0) continue;
      std::printf("L%-5d %7llu %14s\n", l.level, static_cast<unsigned long long>(l.files),
                  HumanBytes(static_cast<double>(l.bytes)).c_str());
      files += l.files;
    }
    std::printf("%-6s %7llu %14s\n", "total", static_cast<unsigned long long>(files),
                HumanBytes(static_cast<double>(table_bytes)).c_str());
    std::printf("\n%-20s %s\n", "memtable bytes", HumanBytes(static_cast<double>(memtable_bytes)).c_str());
    std::printf("%-20s %llu\n", "last sequence", static_cast<unsigned long long>(last_sequence));
    for (const auto& [name, text] : stats.sections) {
      if (name == "sequence") continue;  // shown above
      std::printf("%-20s %s\n", name.c_str(), text.c_str());
    }
    if (a->tables) {
      std::printf("\n%-5s %8s %12s %10s  %s\n", "level", "table", "size", "entries", "key range");
      for (const auto& t : tables) {
        std::printf("L%-4d %08llu %12s %10llu  %s .. %s\n", t.level,
                    static_cast<unsigned long long>(t.number),
                    HumanBytes(static_cast<double>(t.bytes)).c_str(),
                    static_cast<unsigned long long>(t.entries),
                    Encode(t.smallest, Format::kText).c_str(),
                    Encode(t.largest, Format::kText).c_str());
      }
    }
  });
}

// ---- compact -------------------------------------------------------------

void AddCompact(CLI::App& app, GlobalOptions& g) {
  auto* cmd = app.add_subcommand("compact", "merge tables, dropping overwritten data");
  struct Args {
    std::string start, end;
    unsigned slices = 16;
    FormatOptions formats;
  };
  auto a = std::make_shared<Args>();
  auto* start = cmd->add_option("--start", a->start, "first key of the range (default: the first)");
  auto* end = cmd->add_option("--end", a->end, "end of the range, exclusive (default: the last)");
  cmd->add_option("--slices", a->slices, "compact in about this many key ranges, for progress")
      ->capture_default_str()
      ->check(CLI::Range(1u, 1000u));
  AddFormatOptions(cmd, &a->formats);
  SetManual(cmd, "merge tables, dropping overwritten data",
            std::string(
                "Compacts the keys in [--start, --end) (everything by default): every table\n"
                "holding them is merged into one sorted run, dropping versions and\n"
                "tombstones nothing can read any more, then waits for background work to\n"
                "finish. To show progress, the range is cut at table boundaries into about\n"
                "--slices pieces of similar size, compacted one after another (the result\n"
                "is the same as one call); the bar counts table bytes done. Prints the\n"
                "tables per level before and after.\n\n") +
                kFormatsHelp,
            "strata --db /tmp/db compact\n"
            "strata --db /tmp/db compact --start user: --end user;",
            "0 done, 2 usage error, 3 engine error");
  cmd->callback([&g, a, start, end] {
    const Format kf = a->formats.key();
    std::optional<std::string> lo, hi;
    if (start->count() > 0) lo = DecodeArgument(a->start, kf, "--start");
    if (end->count() > 0) hi = DecodeArgument(a->end, kf, "--end");
    Database db(g, /*create=*/false);
    const auto summary = [&db] {
      std::string s;
      for (int level = 0; level < 7; ++level) {
        const std::string n = Property(db.get(), "num-files-at-level" + std::to_string(level));
        if (n != "0") s += " L" + std::to_string(level) + "=" + n;
      }
      return (s.empty() ? std::string(" none") : s) + " (" +
             HumanBytes(std::stod(Property(db.get(), "total-table-bytes"))) + ")";
    };
    const std::string before = summary();

    // Slice boundaries: table start keys inside the range, chosen so each
    // slice covers about the same table bytes.
    std::vector<TableInfo> tables = Tables(db.get());
    std::erase_if(tables, [&](const TableInfo& t) {
      return (lo && t.largest < *lo) || (hi && t.smallest >= *hi);
    });
    std::sort(tables.begin(), tables.end(),
              [](const TableInfo& x, const TableInfo& y) { return x.smallest < y.smallest; });
    uint64_t total = 0;
    for (const auto& t : tables) total += t.bytes;
    std::vector<std::optional<std::string>> bounds = {lo};
    std::vector<uint64_t> slice_bytes = {0};
    uint64_t acc = 0;
    for (const auto& t : tables) {
      const uint64_t target = total * slice_bytes.size() / a->slices;
      if (acc >= target && acc > 0 && (!bounds.back() || t.smallest > *bounds.back()) &&
          (!lo || t.smallest > *lo)) {
        bounds.push_back(t.smallest);
        slice_bytes.push_back(0);
      }
      acc += t.bytes;
      slice_bytes.back() += t.bytes;
    }
    bounds.push_back(hi);

    Progress progress("compact", "slices", total, !g.quiet);
    std::atomic<uint64_t> slices_done{0}, bytes_done{0};
    std::mutex mu;
    std::condition_variable cv;
    bool finished = false;
    std::thread watcher([&] {
      std::unique_lock lock(mu);
      while (!cv.wait_for(lock, std::chrono::milliseconds(100), [&] { return finished; })) {
        progress.Refresh(slices_done.load(), bytes_done.load());
      }
    });
    const auto t0 = std::chrono::steady_clock::now();
    int rc = KV_OK;
    for (size_t i = 0; i + 1 < bounds.size() && rc == KV_OK; ++i) {
      const auto& b = bounds[i];
      const auto& e = bounds[i + 1];
      rc = kv_compact_range(db.get(), b ? b->data() : nullptr, b ? b->size() : 0,
                            e ? e->data() : nullptr, e ? e->size() : 0);
      slices_done.fetch_add(1);
      bytes_done.fetch_add(slice_bytes[i]);
    }
    if (rc == KV_OK) rc = kv_wait_compactions(db.get());
    {
      std::lock_guard lock(mu);
      finished = true;
    }
    cv.notify_all();
    watcher.join();
    progress.Finish();
    if (rc != KV_OK) ThrowKv("kv_compact_range", rc);
    std::printf("compacted in %.2f s (%zu slices)\n", Seconds(t0), bounds.size() - 1);
    std::printf("tables before:%s\n", before.c_str());
    std::printf("tables after: %s\n", summary().c_str());
    db.Close();
  });
}

// ---- check ---------------------------------------------------------------

void AddCheck(CLI::App& app, GlobalOptions& g) {
  auto* cmd = app.add_subcommand("check", "verify every checksum; exit status says if sound");
  auto scan = std::make_shared<bool>(false);
  cmd->add_flag("--scan", *scan, "also read every entry through an iterator");
  SetManual(cmd, "verify every checksum; the exit status says if sound",
            "Opens the database (which replays its logs: a damaged log record makes the\n"
            "open fail with KV_CORRUPTION, reported here as unsound) and runs kv_verify,\n"
            "which reads every block of every live table checking checksums, key order\n"
            "and the manifest's key ranges. --scan then also reads every entry through\n"
            "an ordinary iterator. Prints SOUND or UNSOUND with the reason.\n\n"
            "The database is opened read-only (the option read_only): nothing is written\n"
            "to it, and other read-only handles may have it open meanwhile, but not a\n"
            "writer (KV_BUSY). Run `strata repair` on an unsound database.",
            "strata --db /tmp/db check && echo fine",
            "0 sound, 1 unsound (corruption found, named on stdout), 2 usage error,\n"
            "3 could not check (missing database, busy, I/O error)");
  cmd->callback([&g, scan] {
    const std::string& path = RequireDb(g);
    OptionsHandle options(g.options);
    options.Set("create_if_missing", "false");
    options.Set("read_only", "true");
    kv_db* raw = nullptr;
    int rc = kv_open(path.c_str(), options.get(), &raw);
    if (rc == KV_CORRUPTION) {
      std::printf("UNSOUND: %s cannot be opened: %s\n", path.c_str(), kv_last_error());
      g.exit_code = kExitNo;
      return;
    }
    if (rc != KV_OK) ThrowKv("cannot open " + path, rc);
    std::unique_ptr<kv_db, int (*)(kv_db*)> db(raw, kv_close);
    const auto t0 = std::chrono::steady_clock::now();
    rc = kv_verify(raw);
    if (rc == KV_CORRUPTION) {
      std::printf("UNSOUND: %s\n", kv_last_error());
      g.exit_code = kExitNo;
      return;
    }
    if (rc != KV_OK) ThrowKv("kv_verify", rc);
    uint64_t entries = 0;
    if (*scan) {
      kv_iter* it = nullptr;
      rc = kv_iter_new(raw, nullptr, 0, nullptr, 0, &it);
      if (rc != KV_OK) ThrowKv("kv_iter_new", rc);
      while ((rc = kv_iter_next(it, nullptr, nullptr, nullptr, nullptr)) == KV_OK) ++entries;
      const std::string message = kv_last_error();
      kv_iter_free(it);
      if (rc == KV_CORRUPTION) {
        std::printf("UNSOUND: %s\n", message.c_str());
        g.exit_code = kExitNo;
        return;
      }
      if (rc != KV_END) ThrowKv("kv_iter_next", rc);
    }
    uint64_t tables = 0;
    for (int level = 0; level < 7; ++level) {
      tables += std::stoull(Property(raw, "num-files-at-level" + std::to_string(level)));
    }
    std::printf("SOUND: %llu tables (%s) verified", static_cast<unsigned long long>(tables),
                HumanBytes(std::stod(Property(raw, "total-table-bytes"))).c_str());
    if (*scan) std::printf(", %llu entries read", static_cast<unsigned long long>(entries));
    std::printf(" in %.2f s\n", Seconds(t0));
    if (kv_close(db.release()) != KV_OK) ThrowKv("kv_close", KV_IO_ERROR);
  });
}

// ---- repair --------------------------------------------------------------

// Holds the LOCK file of a database directory (the engine's own flock), so
// that nobody opens it while it is copied.
class DirectoryLock {
 public:
  explicit DirectoryLock(const std::string& dir) {
    const std::string path = dir + "/LOCK";
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) return;  // no LOCK file: nothing has the database open
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      ::close(fd_);
      throw ToolError(kExitEngineError, dir + " is open in another process (KV_BUSY)");
    }
  }
  ~DirectoryLock() {
    if (fd_ >= 0) ::close(fd_);
  }
  DirectoryLock(const DirectoryLock&) = delete;
  DirectoryLock& operator=(const DirectoryLock&) = delete;

 private:
  int fd_ = -1;
};

void AddRepair(CLI::App& app, GlobalOptions& g) {
  auto* cmd = app.add_subcommand("repair", "rebuild a damaged database from what can be read");
  auto output = std::make_shared<std::string>();
  cmd->add_option("--output", *output,
                  "copy the database into this new directory and repair the copy");
  SetManual(cmd, "rebuild a damaged database from what can be read",
            "Runs kv_repair on the (closed) database: every table that reads through is\n"
            "kept; a table with damaged blocks keeps its readable blocks; an unreadable\n"
            "table is dropped; every log is replayed as far as it is intact (and past\n"
            "damaged records) into new tables; a fresh manifest lists them all with\n"
            "sequence numbers intact, so newer versions still win. The old CURRENT,\n"
            "manifests, the logs and damaged tables are moved to a backup-<time>/\n"
            "subdirectory, never deleted. The report lists tables kept, truncated and\n"
            "dropped (and why), log records recovered and dropped, and the backup.\n\n"
            "In place by default. With --output DIR, the database's files are first\n"
            "copied into DIR (which must not exist; the source is locked meanwhile) and\n"
            "only the copy is repaired, leaving the original untouched.",
            "strata --db /tmp/db repair\n"
            "strata --db /tmp/db repair --output /tmp/db-repaired",
            "0 repaired with nothing lost, 1 repaired but some data could not be recovered\n"
            "(the report says what), 2 usage error, 3 repair failed (busy, I/O error; the\n"
            "database is then unchanged)");
  cmd->callback([&g, output] {
    std::string target = RequireDb(g);
    namespace fs = std::filesystem;
    if (!output->empty()) {
      std::error_code ec;
      if (!fs::is_directory(target, ec)) {
        throw ToolError(kExitEngineError, target + " is not a directory");
      }
      if (fs::exists(*output, ec)) {
        throw ToolError(kExitUsage, "--output " + *output + " already exists");
      }
      DirectoryLock lock(target);
      fs::create_directories(*output, ec);
      if (ec) throw ToolError(kExitEngineError, "cannot create " + *output + ": " + ec.message());
      uint64_t files = 0, bytes = 0;
      for (const auto& entry : fs::directory_iterator(target)) {
        // Only the database's own files: not LOCK, not earlier backups.
        if (!entry.is_regular_file() || entry.path().filename() == "LOCK") continue;
        fs::copy_file(entry.path(), fs::path(*output) / entry.path().filename(), ec);
        if (ec) {
          throw ToolError(kExitEngineError, "cannot copy " + entry.path().string() + ": " +
                                                ec.message());
        }
        ++files;
        bytes += entry.file_size();
      }
      std::printf("copied %llu files (%s) from %s to %s\n", static_cast<unsigned long long>(files),
                  HumanBytes(static_cast<double>(bytes)).c_str(), target.c_str(), output->c_str());
      target = *output;
    }
    OptionsHandle options(g.options);
    char* report = nullptr;
    const int rc = kv_repair(target.c_str(), options.get(), &report);
    if (rc != KV_OK) ThrowKv("kv_repair " + target, rc);
    const std::string text = report;
    kv_free(report);
    std::fputs(text.c_str(), stdout);
    // The report's last line says whether anything was lost (core/db/repair.cc).
    if (text.find("\nresult: nothing was lost") == std::string::npos) g.exit_code = kExitNo;
  });
}

// ---- checkpoint ------------------------------------------------------------

void AddCheckpoint(CLI::App& app, GlobalOptions& g) {
  auto* cmd = app.add_subcommand("checkpoint", "make a consistent copy of the database");
  auto dir = std::make_shared<std::string>();
  cmd->add_option("DIR", *dir, "the new directory (must not exist)")->required();
  SetManual(cmd, "make a consistent copy of the database",
            "Writes an openable copy of the database as of now into DIR, which must not\n"
            "exist. Tables are hard-linked when DIR is on the same filesystem (so the\n"
            "copy costs little space) and copied otherwise.",
            "strata --db /tmp/db checkpoint /tmp/db-copy",
            "0 written, 2 usage error, 3 engine error (including DIR existing)");
  cmd->callback([&g, dir] {
    Database db(g, /*create=*/false);
    const int rc = kv_checkpoint(db.get(), dir->c_str());
    if (rc != KV_OK) ThrowKv("kv_checkpoint", rc);
    db.Close();
    std::printf("checkpoint of %s written to %s\n", g.db.c_str(), dir->c_str());
  });
}

}  // namespace

void AddMaintenanceCommands(CLI::App& app, GlobalOptions& g) {
  AddStats(app, g);
  AddCompact(app, g);
  AddCheck(app, g);
  AddRepair(app, g);
  AddCheckpoint(app, g);
}

}  // namespace strata_tool
