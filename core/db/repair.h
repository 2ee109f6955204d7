// RepairDB: rebuilds the manifest of a closed database from the tables and
// write-ahead logs that can still be read.
//
// What it does, in order (docs/TOOL.md describes it for operators):
//  1. Takes LOCK (Busy if the database is open anywhere).
//  2. If the old manifest still reads, sets aside the tables it had removed
//     (compaction inputs a crash left behind: listing them again could
//     resurrect deleted keys) and notes the tables it lists that are gone.
//     Then reads every other table through with checksums on. A table that reads
//     through cleanly is kept as it is. A table with damaged data blocks is
//     salvaged: every data block that still reads and parses is copied into a
//     new table, the damaged ones are dropped. A table whose footer or index
//     cannot be read is dropped whole.
//  3. Replays every WAL and converts it into new tables. Past a damaged
//     record it carries on with the next intact one, counting the records
//     and bytes it had to skip.
//  4. Orders the recovered tables: all of them go to level 0, where a point
//     read consults tables newest file number first and stops at the first
//     that holds the key. Tables carry each entry's sequence number, so the
//     repairer reads them all once more and numbers them so that, for every
//     key, the table holding its newest version comes first. Tables whose
//     versions interleave so that no such numbering exists are merged into
//     new tables (keeping the newest version of each key). Compaction later
//     sorts level 0 into deeper levels as usual.
//  5. Writes a fresh manifest listing them, with the largest sequence number
//     seen and a next file number above every file in the directory, and
//     switches CURRENT to it atomically.
//  6. Moves what it replaced (the old CURRENT and manifests, the logs it
//     converted, damaged or merged tables) into a new subdirectory
//     `backup-<UTC time>/`; nothing is deleted except names of tables that
//     stay live under another number.
//
// Until step 5, the database directory is unchanged apart from new table
// files, so a repair that fails or crashes midway leaves the database as it
// was (and can be run again). Only damage (Corruption) makes the repairer
// drop data; an I/O error or a table written by a newer strata stops it with
// that error before anything changes.
//
// Thread safety: safe to call from any thread; one repair per directory at a
// time (LOCK enforces it).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/options.h"
#include "core/status.h"

namespace strata {

// What a repair found and did. Table and log numbers are file numbers
// (000012.sst is 12).
struct RepairReport {
  // A table that read through cleanly and stays live.
  struct KeptTable {
    uint64_t original_number = 0;
    uint64_t number = 0;  // its number after repair (differs when renumbered)
    uint64_t entries = 0;
    uint64_t bytes = 0;
  };
  // A table with damaged data blocks, whose readable blocks were copied.
  struct SalvagedTable {
    uint64_t original_number = 0;
    uint64_t number = 0;  // the new table holding what was kept; 0 if nothing was
    uint64_t entries_kept = 0;
    uint64_t entries_expected = 0;  // from its properties; 0 when unknown
    uint64_t blocks_kept = 0;
    uint64_t blocks_dropped = 0;
    std::string damage;  // the first problem found
  };
  // A table nothing could be read from.
  struct DroppedTable {
    uint64_t number = 0;
    std::string reason;
    bool held_data = true;  // false for a table with no entries: nothing lost
  };
  // A WAL replayed into new tables.
  struct RecoveredLog {
    uint64_t number = 0;
    uint64_t records = 0;     // records replayed
    uint64_t operations = 0;  // puts and deletes in them
    // Records lost: damaged ones whose header still gave their length, and
    // intact ones holding a malformed batch.
    uint64_t records_dropped = 0;
    // Bytes not replayed: damaged records and stretches where no record
    // could be recognised (zeros at the end of the file are not counted).
    uint64_t bytes_skipped = 0;
    // Stretches of bytes_skipped where no record could be recognised: each
    // lost at least part of one record, how many is unknown.
    uint64_t damaged_stretches = 0;
    std::string damage;            // the first problem found; empty if none
    std::vector<uint64_t> tables;  // the new tables holding its data
  };
  // Tables merged because their versions interleaved (see step 4).
  struct MergedTables {
    std::vector<uint64_t> inputs;
    std::vector<uint64_t> outputs;
  };

  std::string dbname;
  // What the old manifest said: its name and table count, or why it could
  // not be used.
  std::string old_manifest;
  std::vector<uint64_t> obsolete;  // tables it had removed: set aside, not used
  std::vector<uint64_t> missing;   // tables it lists that are not on disk
  // The log it names as the oldest one still needed, when that log is not on
  // disk: the writes in it are lost.
  std::vector<uint64_t> missing_logs;
  std::vector<KeptTable> kept;
  std::vector<SalvagedTable> salvaged;
  std::vector<DroppedTable> dropped;
  std::vector<RecoveredLog> logs;
  std::vector<MergedTables> merged;
  bool renumbered = false;  // kept tables were given new numbers (step 4)

  uint64_t manifest_number = 0;
  uint64_t live_tables = 0;
  uint64_t live_entries = 0;
  uint64_t last_sequence = 0;
  uint64_t next_file_number = 0;

  std::string backup_dir;           // empty when nothing had to be moved
  std::vector<std::string> backed_up;  // names moved there

  // True when nothing was dropped: no damaged block, table, or log record,
  // and no table or needed log the old manifest names is missing.
  bool Lossless() const;
  // The report as text for people: one section per list above.
  std::string ToString() const;
};

// Repairs the database in directory `dbname` (see the top of this file).
// `options` supplies the Env and how new tables are built (block size,
// compression, bloom filter) and the memtable kind used to sort WAL
// contents. On success *report (which must not be null) says what was
// recovered and dropped. Errors: InvalidArgument when `dbname` does not
// exist or holds no strata files; Busy when the database is open; IOError;
// NotSupported for a table from a newer format version.
Status RepairDB(const Options& options, const std::string& dbname, RepairReport* report);

}  // namespace strata
