// strata load | dump: bulk import from and export to TSV or JSON lines.
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>

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

void AddLoad(CLI::App& app, GlobalOptions& g) {
  auto* cmd = app.add_subcommand("load", "write entries from a TSV or JSON-lines file");
  struct Args {
    std::string file, input = "tsv";
    uint64_t batch = 1000;
    bool sync = false, skip_bad = false;
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
                "terminal a progress bar (entries/s, ETA) is drawn on stderr.\n\n") +
                kRecordsHelp + kFormatsHelp,
            "strata --db /tmp/db load data.tsv\n"
            "strata --db /tmp/db dump | strata --db /tmp/copy load -\n"
            "strata --db /tmp/db load --input jsonl --format base64 export.jsonl",
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
          flush();
          throw ToolError(kExitBadInput, name + ":" + std::to_string(line_number) + ": " + error +
                                             " (" + std::to_string(entries) +
                                             " entries before it were loaded)");
        }
        ++bad;
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
    progress.Finish();
    db.Close();
    const double s = Seconds(start);
    std::printf("loaded %llu entries from %s in %.2f s (%s entries/s)",
                static_cast<unsigned long long>(entries), name.c_str(), s,
                HumanCount(s > 0 ? static_cast<double>(entries) / s : 0).c_str());
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
