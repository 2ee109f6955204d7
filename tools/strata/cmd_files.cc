// strata sst | wal: print what one table or log file holds. These read single
// files with the engine's own readers (core/), not through the C ABI: there
// is no database to open, and the point is to see the file's insides.
#include <CLI/CLI.hpp>
#include <cinttypes>
#include <cstdio>
#include <memory>

#include "core/dbformat.h"
#include "core/env.h"
#include "core/filename.h"
#include "core/options.h"
#include "core/table/table_reader.h"
#include "core/version/version_edit.h"
#include "core/wal/log_reader.h"
#include "core/write_batch.h"
#include "tools/strata/commands.h"

namespace strata_tool {

namespace {

std::string BaseName(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// The file number in a table or log name (for messages), or 0.
uint64_t FileNumber(const std::string& path) {
  uint64_t number = 0;
  strata::ParseFileName(BaseName(path), &number);
  return number;
}

int ExitFor(const strata::Status& s) { return s.IsCorruption() ? kExitNo : kExitEngineError; }

void AddSst(CLI::App& app, GlobalOptions&) {
  auto* cmd = app.add_subcommand("sst", "print a table file's properties and entries");
  struct Args {
    std::string file;
    bool entries = false;
    uint64_t limit = 0;
    FormatOptions formats;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("FILE", a->file, "an .sst file")->required()->check(CLI::ExistingFile);
  cmd->add_flag("-e,--entries", a->entries, "print the entries");
  cmd->add_option("-n,--limit", a->limit, "print at most N entries (0: all)");
  AddFormatOptions(cmd, &a->formats);
  SetManual(cmd, "print a table file's properties and entries",
            std::string(
                "Opens one table file on its own (no database needed; it may be in use),\n"
                "prints its properties (entry counts, key range, sequence range, block\n"
                "sizes, compression, bloom filter, creator), then reads every entry with\n"
                "checksums on, checking that keys ascend. --entries prints each entry as\n"
                "KEY<TAB>@SEQUENCE<TAB>put|del<TAB>VALUE: every version the table holds,\n"
                "tombstones included, newest first within a key.\n\n") +
                kFormatsHelp,
            "strata sst /tmp/db/000012.sst\n"
            "strata sst /tmp/db/000012.sst --entries --limit 20 --format hex",
            "0 the table reads through, 1 damage found (named), 2 usage error,\n"
            "3 the file cannot be read");
  cmd->callback([a] {
    strata::Env* env = strata::Env::Default();
    const Format kf = a->formats.key(), vf = a->formats.value();
    uint64_t size = 0;
    std::unique_ptr<strata::RandomAccessFile> file;
    strata::Status s = env->GetFileSize(a->file, &size);
    if (s.ok()) s = env->NewRandomAccessFile(a->file, &file);
    if (!s.ok()) throw ToolError(kExitEngineError, s.ToString());
    strata::Options options;
    options.verify_checksums = true;
    std::unique_ptr<strata::TableReader> table;
    s = strata::TableReader::Open(options, std::move(file), size, FileNumber(a->file), nullptr,
                                  &table);
    if (!s.ok()) throw ToolError(ExitFor(s), a->file + ": " + s.ToString());
    const strata::TableProperties& p = table->properties();
    std::printf("table %s: %" PRIu64 " bytes\n", a->file.c_str(), size);
    std::string props = p.ToString();
    std::fputs(props.c_str(), stdout);
    if (!props.empty() && props.back() != '\n') std::fputs("\n", stdout);

    auto it = table->NewIterator();
    uint64_t n = 0, printed = 0, deletions = 0;
    std::string previous;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      strata::ParsedInternalKey parsed;
      if (!strata::ParseInternalKey(it->key(), &parsed)) {
        throw ToolError(kExitNo, a->file + ": malformed internal key in entry " + std::to_string(n));
      }
      if (n > 0 && strata::CompareInternalKeys(previous, it->key()) >= 0) {
        throw ToolError(kExitNo, a->file + ": keys out of order at entry " + std::to_string(n));
      }
      previous.assign(it->key());
      ++n;
      const bool is_delete = parsed.kind == strata::ValueKind::kDeletion;
      if (is_delete) ++deletions;
      if (a->entries && (a->limit == 0 || printed < a->limit)) {
        if (printed == 0) std::printf("\n");
        ++printed;
        std::string line = Encode(parsed.user_key, kf) + "\t@" + std::to_string(parsed.sequence) +
                           (is_delete ? "\tdel\t" : "\tput\t");
        if (!is_delete) line += Encode(it->value(), vf);
        line += "\n";
        std::fwrite(line.data(), 1, line.size(), stdout);
      }
    }
    if (!it->status().ok()) {
      std::printf("\nDAMAGED after %" PRIu64 " entries: %s\n", n, it->status().ToString().c_str());
      throw ToolError(ExitFor(it->status()), "");
    }
    if (n != p.num_entries) {
      throw ToolError(kExitNo, a->file + ": " + std::to_string(n) +
                                   " entries read, the properties say " +
                                   std::to_string(p.num_entries));
    }
    std::printf("\n%" PRIu64 " entries (%" PRIu64 " tombstones) read, every checksum holds\n", n,
                deletions);
  });
}

void AddWal(CLI::App& app, GlobalOptions&) {
  auto* cmd = app.add_subcommand("wal", "print the records of a log (or manifest) file");
  struct Args {
    std::string file;
    bool ops = false;
    uint64_t limit = 0;
    FormatOptions formats;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("FILE", a->file, "a .log file, or a MANIFEST-* file")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_flag("-p,--ops", a->ops, "print each put and delete of each record");
  cmd->add_option("-n,--limit", a->limit, "print at most N records (0: all)");
  AddFormatOptions(cmd, &a->formats);
  SetManual(cmd, "print the records of a log (or manifest) file",
            std::string(
                "Reads a write-ahead log record by record, checking each checksum, and\n"
                "prints one line per record: its offset, first sequence number, number of\n"
                "operations and size; --ops adds each operation (put KEY VALUE / del KEY).\n"
                "The last line says how the log ends: cleanly, at a torn tail (a write cut\n"
                "short by a crash, never acknowledged, cut off at the next open), or at\n"
                "damage in the middle (what `strata check` reports as unsound).\n"
                "A MANIFEST-* file (same record format) prints its version edits.\n\n") +
                kFormatsHelp,
            "strata wal /tmp/db/000007.log --ops --limit 5\n"
            "strata wal /tmp/db/MANIFEST-000005",
            "0 the log reads cleanly (a torn tail included), 1 damage in the middle,\n"
            "2 usage error, 3 the file cannot be read");
  cmd->callback([a] {
    strata::Env* env = strata::Env::Default();
    const Format kf = a->formats.key(), vf = a->formats.value();
    uint64_t size = 0;
    std::unique_ptr<strata::SequentialFile> file;
    strata::Status s = env->GetFileSize(a->file, &size);
    if (s.ok()) s = env->NewSequentialFile(a->file, &file);
    if (!s.ok()) throw ToolError(kExitEngineError, s.ToString());
    uint64_t number = 0;
    const bool manifest =
        strata::ParseFileName(BaseName(a->file), &number) == strata::FileKind::kManifest;
    strata::log::Reader reader(std::move(file), a->file, size);

    struct Printer : strata::WriteBatch::Handler {
      Format kf, vf;
      strata::SequenceNumber seq;
      void Put(std::string_view k, std::string_view v) override {
        std::string line = "    @" + std::to_string(seq++) + " put " + Encode(k, kf) + "\t" +
                           Encode(v, vf) + "\n";
        std::fwrite(line.data(), 1, line.size(), stdout);
      }
      void Delete(std::string_view k) override {
        std::string line = "    @" + std::to_string(seq++) + " del " + Encode(k, kf) + "\n";
        std::fwrite(line.data(), 1, line.size(), stdout);
      }
      void DeleteRange(std::string_view start, std::string_view end) override {
        std::string line = "    @" + std::to_string(seq++) + " delrange " + Encode(start, kf) +
                           "\t" + Encode(end, kf) + "\n";
        std::fwrite(line.data(), 1, line.size(), stdout);
      }
    };

    std::string record;
    uint64_t records = 0, operations = 0, offset = 0;
    strata::SequenceNumber first_seq = 0, last_seq = 0;
    bool bad_batch = false;
    while (reader.ReadRecord(&record)) {
      const bool print = a->limit == 0 || records < a->limit;
      ++records;
      if (manifest) {
        strata::VersionEdit edit;
        s = edit.DecodeFrom(record);
        if (print) {
          std::printf("record %" PRIu64 " at offset %" PRIu64 ": %s\n", records, offset,
                      s.ok() ? edit.DebugString().c_str() : s.ToString().c_str());
        }
        if (!s.ok()) bad_batch = true;
      } else {
        strata::WriteBatch batch;
        s = batch.SetContents(record);
        if (s.ok()) s = batch.Validate();
        if (!s.ok()) {
          std::printf("record %" PRIu64 " at offset %" PRIu64 ": MALFORMED BATCH: %s\n", records,
                      offset, s.ToString().c_str());
          bad_batch = true;
        } else {
          if (batch.Count() > 0) {
            if (first_seq == 0) first_seq = batch.Sequence();
            last_seq = batch.Sequence() + batch.Count() - 1;
          }
          operations += batch.Count();
          if (print) {
            std::printf("record %" PRIu64 " at offset %" PRIu64 ": sequence %" PRIu64
                        ", %u operations, %zu bytes\n",
                        records, offset, batch.Sequence(), batch.Count(), record.size());
            if (a->ops) {
              Printer printer;
              printer.kf = kf;
              printer.vf = vf;
              printer.seq = batch.Sequence();
              batch.Iterate(&printer);
            }
          }
        }
      }
      offset = reader.end_of_good_records();
    }
    std::printf("\n%" PRIu64 " records", records);
    if (!manifest) {
      std::printf(", %" PRIu64 " operations", operations);
      if (operations > 0) std::printf(", sequences %" PRIu64 "..%" PRIu64, first_seq, last_seq);
    }
    std::printf("; %" PRIu64 " of %" PRIu64 " bytes read\n", reader.end_of_good_records(), size);
    if (!reader.status().ok()) {
      std::printf("DAMAGED: %s\n", reader.status().ToString().c_str());
      throw ToolError(ExitFor(reader.status()), "");
    }
    if (reader.torn_tail()) {
      std::printf("ends at a torn tail at offset %" PRIu64
                  " (a write cut short by a crash; never acknowledged)\n",
                  reader.end_of_good_records());
    } else {
      std::printf("ends cleanly\n");
    }
    if (bad_batch) throw ToolError(kExitNo, "some records hold malformed contents");
  });
}

}  // namespace

void AddFileCommands(CLI::App& app, GlobalOptions& g) {
  AddSst(app, g);
  AddWal(app, g);
}

}  // namespace strata_tool
