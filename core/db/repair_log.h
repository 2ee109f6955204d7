// ConvertLogToTables: repair's step 3 (repair.h) for one write-ahead log.
//
// The log is read in salvage mode (log::Reader::Mode::kSalvage): past a
// damaged record it carries on with the next intact one. Each record's batch
// is validated (WriteBatch::Validate; a malformed one is dropped and counted)
// and sorted into a memtable, and each full memtable is written as a table
// the way a flush writes it (AddMemTable), until the log ends.
//
// Thread safety: one call per log at a time; the callbacks run on the
// calling thread.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "core/db/repair.h"
#include "core/env.h"
#include "core/options.h"
#include "core/status.h"
#include "core/table/table_file_builder.h"

namespace strata {

// Converts log `number` of database `dbname`. `new_file_number` numbers each
// table; `publish` finishes it (TableFileBuilder::Finish) and takes it into
// the repair. *log receives what was recovered and dropped, and the numbers
// of the tables written. Returns I/O errors (damage is reported in *log).
Status ConvertLogToTables(const Options& options, Env* env, const std::string& dbname,
                          uint64_t number, const std::function<uint64_t()>& new_file_number,
                          const std::function<Status(TableFileBuilder*)>& publish,
                          RepairReport::RecoveredLog* log);

}  // namespace strata
