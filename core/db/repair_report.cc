// RepairReport (repair.h): whether a repair lost anything, and the report
// as text for people (what `strata repair` prints).
#include <cinttypes>
#include <cstdio>

#include "core/db/repair.h"
#include "core/filename.h"

namespace strata {

namespace {

std::string Plural(uint64_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

bool RepairReport::Lossless() const {
  if (!salvaged.empty() || !missing.empty() || !missing_logs.empty()) return false;
  for (const auto& d : dropped) {
    if (d.held_data) return false;
  }
  for (const auto& l : logs) {
    if (l.records_dropped > 0 || l.bytes_skipped > 0) return false;
  }
  return true;
}

std::string RepairReport::ToString() const {
  std::string out = "repair of " + dbname + "\n";
  char line[512];
  out += "old manifest: " + old_manifest + "\n";
  if (!obsolete.empty()) {
    out += "tables left over from before (the old manifest had removed them; to the backup):";
    for (uint64_t n : obsolete) out += " " + TableBaseName(n);
    out += "\n";
  }
  if (!missing.empty()) {
    out += "tables the old manifest lists that are missing (lost):";
    for (uint64_t n : missing) out += " " + TableBaseName(n);
    out += "\n";
  }
  if (!missing_logs.empty()) {
    out += "logs the old manifest needs that are missing (lost):";
    for (uint64_t n : missing_logs) out += " " + LogBaseName(n);
    out += "\n";
  }
  out += "tables kept: " + std::to_string(kept.size()) + "\n";
  for (const auto& k : kept) {
    std::string renamed;
    if (k.number == 0) {
      renamed = " (merged, see below)";
    } else if (k.number != k.original_number) {
      renamed = " (now " + TableBaseName(k.number) + ")";
    }
    std::snprintf(line, sizeof(line), "  %s  %" PRIu64 " entries, %" PRIu64 " bytes%s\n",
                  TableBaseName(k.original_number).c_str(), k.entries, k.bytes, renamed.c_str());
    out += line;
  }
  out += "tables truncated (damaged blocks dropped, the rest kept): " +
         std::to_string(salvaged.size()) + "\n";
  for (const auto& s : salvaged) {
    std::string expected = s.entries_expected > 0 ? " of " + std::to_string(s.entries_expected) : "";
    std::snprintf(line, sizeof(line),
                  "  %s  kept %" PRIu64 "%s entries in %s (%s kept, %s dropped)\n",
                  TableBaseName(s.original_number).c_str(), s.entries_kept, expected.c_str(),
                  TableBaseName(s.number).c_str(), Plural(s.blocks_kept, "block", "blocks").c_str(),
                  Plural(s.blocks_dropped, "block", "blocks").c_str());
    out += line;
    out += "    why: " + s.damage + "\n";
  }
  out += "tables dropped: " + std::to_string(dropped.size()) + "\n";
  for (const auto& d : dropped) out += "  " + TableBaseName(d.number) + "  why: " + d.reason + "\n";
  out += "logs replayed: " + std::to_string(logs.size()) + "\n";
  for (const auto& l : logs) {
    std::string tables;
    for (uint64_t n : l.tables) tables += " " + TableBaseName(n);
    if (tables.empty()) tables = " (no data)";
    std::snprintf(line, sizeof(line),
                  "  %s  %" PRIu64 " records recovered (%" PRIu64 " operations), %" PRIu64
                  " records dropped, %" PRIu64 " damaged bytes skipped; into%s\n",
                  LogBaseName(l.number).c_str(), l.records, l.operations, l.records_dropped,
                  l.bytes_skipped, tables.c_str());
    out += line;
    if (l.damaged_stretches > 0) {
      out += "    " + Plural(l.damaged_stretches, "stretch", "stretches") +
             " of damaged bytes held no recognisable record; whatever records were there are "
             "lost\n";
    }
    if (!l.damage.empty()) out += "    note: " + l.damage + "\n";
  }
  for (const auto& m : merged) {
    out += "merged (versions interleaved, newest of each key kept):";
    for (uint64_t n : m.inputs) out += " " + TableBaseName(n);
    out += " ->";
    for (uint64_t n : m.outputs) out += " " + TableBaseName(n);
    out += "\n";
  }
  if (renumbered) {
    out += "renumbered: tables were given new numbers so that newer versions are read first\n";
  }
  std::snprintf(line, sizeof(line),
                "manifest: %s lists %" PRIu64 " tables (%" PRIu64
                " entries) in level 0; last sequence %" PRIu64 ", next file number %" PRIu64 "\n",
                ManifestFileName("", manifest_number).substr(1).c_str(), live_tables, live_entries,
                last_sequence, next_file_number);
  out += line;
  if (backup_dir.empty()) {
    out += "backup: none needed\n";
  } else {
    out += "backup: " + backup_dir + ":";
    for (const auto& name : backed_up) out += " " + name;
    out += "\n";
  }
  out += Lossless() ? "result: nothing was lost\n"
                    : "result: some data could not be recovered (see above)\n";
  return out;
}

}  // namespace strata
