// strata load | dump: bulk import from and export to TSV or JSON lines.
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <vector>

#include "tools/strata/commands.h"
#include "tools/strata/progress.h"
#include "tools/strata/records.h"

namespace strata_tool {

namespace {

const char kRecordsHelp[] =
    "Record formats (--input / --output):\n"
    "  tsv     KEY<TAB>VALUE per line; in text format, tabs, newlines and\n"
    "          backslashes inside keys and values are escaped (\\t \\n \\\\)\n"
    "  jsonl   {\"key\": \"...\", \"value\": \"...\"} per line\n"
    "Empty lines and CRLF line ends are accepted on input.\n\n";

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// The size of a regular file behind fd, or 0 (a pipe, a terminal).
uint64_t RegularFileSize(int fd) {
  struct stat st;
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) return static_cast<uint64_t>(st.st_size);
  return 0;
}

uint64_t Property(kv_db* db, const char* name) {
  char* text = nullptr;
  if (kv_property(db, name, &text) != KV_OK) return 0;
  const uint64_t v = std::strtoull(text, nullptr, 10);
  kv_free(text);
  return v;
}

// Where `load --sorted` writes its table files: entries go through SST
// writers into files beside the database directory (the same filesystem, so
// the ingest moves them by hard link), or into the temporary directory when
// that one is not writable, and are ingested all at once at the end. A file
// is cut at table_file_bytes of keys and values, so the tables ingested are
// the size compaction would make. Files not ingested are removed on every
// way out.
class SortedLoad {
 public:
  SortedLoad(const std::string& db_path, const std::vector<std::string>& options)
      : options_(options) {
    namespace fs = std::filesystem;
    const fs::path db = fs::absolute(db_path).lexically_normal();
    const fs::path dir = db.has_filename() ? db : db.parent_path();
    dirs_ = {dir.parent_path().string(), fs::temp_directory_path().string()};
    stem_ = "." + dir.filename().string() + ".load-" + std::to_string(getpid()) + "-";
    char* text = nullptr;
    if (kv_options_get(options_.get(), "table_file_bytes", &text) == KV_OK) {
      file_bytes_ = std::strtoull(text, nullptr, 10);
      kv_free(text);
    }
  }
  ~SortedLoad() {
    writer_.reset();  // removes an unfinished file
    for (const auto& path : finished_) std::remove(path.c_str());
  }
  SortedLoad(const SortedLoad&) = delete;
  SortedLoad& operator=(const SortedLoad&) = delete;

  // Adds one entry. REQUIRES: key sorts after the previous one (the caller
  // checks, to name the line).
  void Put(const std::string& key, const std::string& value) {
    if (writer_ == nullptr) Open();
    const int rc = kv_sst_writer_put(writer_.get(), key.data(), key.size(), value.data(),
                                     value.size());
    if (rc != KV_OK) ThrowKv("kv_sst_writer_put", rc);
    bytes_ += key.size() + value.size();
    if (file_bytes_ > 0 && bytes_ >= file_bytes_) FinishFile();
  }

  // Finishes the last file and ingests them all, moved into the database.
  // Returns the number of files ingested (0 for an empty input).
  size_t Ingest(kv_db* db) {
    if (writer_ != nullptr) FinishFile();
    if (finished_.empty()) return 0;
    std::vector<const char*> paths;
    for (const auto& path : finished_) paths.push_back(path.c_str());
    const int rc = kv_ingest(db, paths.data(), paths.size(), KV_INGEST_MOVE);
    if (rc != KV_OK) ThrowKv("kv_ingest", rc);
    const size_t n = finished_.size();
    finished_.clear();  // moved: nothing left to remove
    return n;
  }

 private:
  void Open() {
    int rc = KV_OK;
    for (const auto& dir : dirs_) {
      path_ = (std::filesystem::path(dir) / (stem_ + std::to_string(finished_.size()) + ".sst"))
                  .string();
      kv_sst_writer* w = nullptr;
      rc = kv_sst_writer_new(path_.c_str(), options_.get(), &w);
      if (rc == KV_OK) {
        writer_.reset(w);
        // Later files go where this one could be written.
        dirs_ = {dir};
        return;
      }
    }
    ThrowKv("kv_sst_writer_new(" + path_ + ")", rc);
  }

  void FinishFile() {
    const int rc = kv_sst_writer_finish(writer_.get());
    if (rc != KV_OK) ThrowKv("kv_sst_writer_finish(" + path_ + ")", rc);
    finished_.push_back(path_);  // before the free, which keeps a finished file
    writer_.reset();
    bytes_ = 0;
  }

  OptionsHandle options_;
  std::vector<std::string> dirs_;
  std::string stem_, path_;
  uint64_t file_bytes_ = 0, bytes_ = 0;
  std::unique_ptr<kv_sst_writer, void (*)(kv_sst_writer*)> writer_{nullptr, kv_sst_writer_free};
  std::vector<std::string> finished_;
};

void AddLoad(CLI::App& app, GlobalOptions& g) {
  auto* cmd = app.add_subcommand("load", "write entries from a TSV or JSON-lines file");
  struct Args {
    std::string file, input = "tsv";
    uint64_t batch = 1000;
    bool sync = false, skip_bad = false, sorted = false;
    FormatOptions formats;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("FILE", a->file, "input file, or - for stdin")->required();
  cmd->add_option("-i,--input", a->input, "tsv or jsonl")->capture_default_str();
  cmd->add_option("-b,--batch", a->batch, "entries per atomic batch")
      ->capture_default_str()
      ->check(CLI::Range(uint64_t{1}, uint64_t{1} << 24));
  cmd->add_flag("--sync", a->sync, "fsync each batch");
  cmd->add_flag("--skip-bad", a->skip_bad, "skip malformed lines (counted) instead of stopping");
  cmd->add_flag("--sorted", a->sorted,
                "input in strictly increasing key order: write table files and ingest them "
                "(bulk ingest), all or nothing")
      ->excludes("--batch")
      ->excludes("--sync");
  AddFormatOptions(cmd, &a->formats);
  SetManual(cmd, "write entries from a TSV or JSON-lines file",
            std::string(
                "Reads entries from FILE (or stdin with -) and puts them into the database,\n"
                "creating it if needed, in batches of --batch entries; each batch is atomic,\n"
                "the load as a whole is not. A later line for the same key wins. `dump`\n"
                "writes exactly this format, so dump | load copies a database, binary keys\n"
                "and values included.\n\n"
                "A malformed line stops the load with its line number (entries before it\n"
                "are written); --skip-bad skips such lines and reports how many. On a\n"
                "terminal a progress bar (entries/s, ETA) is drawn on stderr.\n\n"
                "With --sorted the input must be in strictly increasing key order (bytewise,\n"
                "as `dump` writes it). The entries bypass the log and the memtable: they are\n"
                "written into table files beside the database directory (or in the\n"
                "temporary directory), which are then ingested (moved in) at once, newer than\n"
                "everything already there. A key at or before the previous one stops the load\n"
                "with its line number (status 4), as does a malformed line without\n"
                "--skip-bad; either way nothing is loaded and the files are removed.\n\n") +
                kRecordsHelp + kFormatsHelp,
            "strata --db /tmp/db load data.tsv\n"
            "strata --db /tmp/db dump | strata --db /tmp/copy load -\n"
            "strata --db /tmp/db load --input jsonl --format base64 export.jsonl\n"
            "strata --db /tmp/a dump | strata --db /tmp/b load --sorted -",
            "0 loaded, 2 usage error, 3 engine error, 4 malformed or unreadable input");
  cmd->callback([&g, a] {
    const RecordCodec codec(ParseRecordFormat(a->input), a->formats.key(), a->formats.value());
    std::ifstream file;
    std::istream* in = &std::cin;
    uint64_t total = RegularFileSize(STDIN_FILENO);
    const std::string name = a->file == "-" ? "<stdin>" : a->file;
    if (a->file != "-") {
      file.open(a->file, std::ios::binary);
      if (!file) throw ToolError(kExitBadInput, "cannot open " + a->file);
      in = &file;
      struct stat st;
      total = stat(a->file.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
    }
    Database db(g, /*create=*/true);
    std::unique_ptr<SortedLoad> sorted;
    if (a->sorted) sorted = std::make_unique<SortedLoad>(g.db, g.options);
    std::string previous_key;
    kv_batch* batch = kv_batch_new();
    if (batch == nullptr) ThrowKv("kv_batch_new", KV_NO_MEMORY);
    std::unique_ptr<kv_batch, void (*)(kv_batch*)> owner(batch, kv_batch_free);
    const unsigned flags = a->sync ? KV_WRITE_SYNC : 0u;
    auto flush = [&] {
      if (kv_batch_count(batch) == 0) return;
      const int rc = kv_write_ex(db.get(), batch, flags);
      if (rc != KV_OK) ThrowKv("kv_write", rc);
      kv_batch_clear(batch);
    };

    Progress progress("load", "entries", total, !g.quiet);
    const auto start = std::chrono::steady_clock::now();
    uint64_t line_number = 0, entries = 0, bad = 0, bytes = 0;
    std::string line, key, value, error;
    while (std::getline(*in, line)) {
      ++line_number;
      bytes += line.size() + 1;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.empty()) continue;
      if (!codec.Parse(line, &key, &value, &error)) {
        if (!a->skip_bad) {
          if (sorted != nullptr) {
            throw ToolError(kExitBadInput, name + ":" + std::to_string(line_number) + ": " +
                                               error + " (nothing was loaded)");
          }
          flush();
          throw ToolError(kExitBadInput, name + ":" + std::to_string(line_number) + ": " + error +
                                             " (" + std::to_string(entries) +
                                             " entries before it were loaded)");
        }
        ++bad;
        continue;
      }
      if (sorted != nullptr) {
        if (entries > 0 && key <= previous_key) {  // std::string compares as memcmp does
          throw ToolError(kExitBadInput,
                          name + ":" + std::to_string(line_number) +
                              ": key is not after the previous key (--sorted needs the input in "
                              "strictly increasing key order; nothing was loaded)");
        }
        previous_key = key;
        sorted->Put(key, value);
        ++entries;
        progress.Update(entries, bytes);
        continue;
      }
      const int rc = kv_batch_put(batch, key.data(), key.size(), value.data(), value.size());
      if (rc != KV_OK) {
        throw ToolError(kExitBadInput, name + ":" + std::to_string(line_number) + ": " +
                                           kv_last_error());
      }
      ++entries;
      if (kv_batch_count(batch) >= a->batch) flush();
      progress.Update(entries, bytes);
    }
    if (in->bad()) throw ToolError(kExitBadInput, "error reading " + name);
    flush();
    const size_t tables = sorted != nullptr ? sorted->Ingest(db.get()) : 0;
    progress.Finish();
    db.Close();
    const double s = Seconds(start);
    std::printf("loaded %llu entries from %s in %.2f s (%s entries/s)",
                static_cast<unsigned long long>(entries), name.c_str(), s,
                HumanCount(s > 0 ? static_cast<double>(entries) / s : 0).c_str());
    if (a->sorted) std::printf("; ingested as %zu table file%s", tables, tables == 1 ? "" : "s");
    if (bad > 0) std::printf("; skipped %llu malformed lines", static_cast<unsigned long long>(bad));
    std::printf("\n");
  });
}

void AddDump(CLI::App& app, GlobalOptions& g) {
  auto* cmd = app.add_subcommand("dump", "write every entry as TSV or JSON lines");
  struct Args {
    std::string file = "-", output = "tsv", start, end, prefix;
    FormatOptions formats;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("FILE", a->file, "output file, or - for stdout (the default)");
  cmd->add_option("-o,--output", a->output, "tsv or jsonl")->capture_default_str();
  auto* start = cmd->add_option("--start", a->start, "first key (inclusive)");
  auto* end = cmd->add_option("--end", a->end, "end key (exclusive)");
  cmd->add_option("--prefix", a->prefix, "only keys that begin with this")
      ->excludes(start)
      ->excludes(end);
  AddFormatOptions(cmd, &a->formats);
  SetManual(cmd, "write every entry as TSV or JSON lines",
            std::string(
                "Writes every entry (or those in [--start, --end), or with --prefix) in key\n"
                "order to FILE or stdout, in the form `load` reads: text format escapes\n"
                "make the output exact for any bytes, so dump | load round-trips a\n"
                "database. The dump reads one consistent snapshot. A progress bar with an\n"
                "estimated ETA is drawn on stderr when it is a terminal and the output is\n"
                "not going to that same terminal.\n\n") +
                kRecordsHelp + kFormatsHelp,
            "strata --db /tmp/db dump backup.tsv\n"
            "strata --db /tmp/db dump --output jsonl --format base64 > export.jsonl",
            "0 written, 2 usage error, 3 engine error or unwritable output");
  cmd->callback([&g, a, start, end] {
    const Format kf = a->formats.key(), vf = a->formats.value();
    const RecordCodec codec(ParseRecordFormat(a->output), kf, vf);
    std::string lo, hi, pre;
    if (start->count() > 0) lo = DecodeArgument(a->start, kf, "--start");
    if (end->count() > 0) hi = DecodeArgument(a->end, kf, "--end");
    const bool by_prefix = !a->prefix.empty();
    if (by_prefix) pre = DecodeArgument(a->prefix, kf, "--prefix");

    std::FILE* out = stdout;
    const bool to_stdout = a->file == "-";
    if (!to_stdout) {
      out = std::fopen(a->file.c_str(), "wb");
      if (out == nullptr) throw ToolError(kExitEngineError, "cannot create " + a->file);
    }
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> closer(to_stdout ? nullptr : out, std::fclose);

    Database db(g, /*create=*/false, /*read_only=*/true);
    // The bytes the scan will roughly read, for the progress estimate.
    const uint64_t estimate =
        Property(db.get(), "total-table-bytes") + Property(db.get(), "memtable-bytes");
    kv_iter* it = nullptr;
    int rc = by_prefix ? kv_iter_new_prefix(db.get(), nullptr, pre.data(), pre.size(), &it)
                       : kv_iter_new(db.get(), start->count() > 0 ? lo.c_str() : nullptr, lo.size(),
                                     end->count() > 0 ? hi.c_str() : nullptr, hi.size(), &it);
    if (rc != KV_OK) ThrowKv("kv_iter_new", rc);
    std::unique_ptr<kv_iter, void (*)(kv_iter*)> owner(it, kv_iter_free);
    const bool draw = !g.quiet && !(to_stdout && isatty(STDOUT_FILENO));
    Progress progress("dump", "entries", estimate, draw);
    uint64_t n = 0, bytes = 0;
    const void *k, *v;
    size_t kl, vl;
    std::string line;
    while ((rc = kv_iter_next(it, &k, &kl, &v, &vl)) == KV_OK) {
      line = codec.Format(std::string_view(static_cast<const char*>(k), kl),
                          std::string_view(static_cast<const char*>(v), vl));
      line += '\n';
      if (std::fwrite(line.data(), 1, line.size(), out) != line.size()) break;
      ++n;
      // Tables and memtables store more than the bytes themselves (a
      // sequence number, lengths, index or list links): about 16 a entry.
      bytes += kl + vl + 16;
      // The estimate counts table bytes; never claim to be done early.
      progress.Update(n, std::min(bytes, estimate - estimate / 100));
    }
    if (rc != KV_OK && rc != KV_END) ThrowKv("kv_iter_next", rc);
    progress.Finish();
    if (std::fflush(out) != 0 || std::ferror(out)) {
      throw ToolError(kExitEngineError, "error writing " + (to_stdout ? "stdout" : a->file));
    }
    if (!to_stdout) {
      closer.reset();
      std::fprintf(stderr, "dumped %llu entries to %s\n", static_cast<unsigned long long>(n),
                   a->file.c_str());
    }
  });
}

}  // namespace

void AddLoadDumpCommands(CLI::App& app, GlobalOptions& g) {
  AddLoad(app, g);
  AddDump(app, g);
}

}  // namespace strata_tool
