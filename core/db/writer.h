// DB::Writer: one caller waiting in the write queue (see db_write.cc).
#pragma once

#include <string_view>
#include <vector>

#include "core/db/db.h"
#include "core/mutex.h"

namespace strata {

struct DB::Writer {
  const WriteBatch* batch = nullptr;  // null: a request to switch the memtable (Flush)
  bool sync = false;
  // Set by CommitIfUnchanged: before its batch is applied, the writer fails
  // with Conflict if any of these keys has a version newer than
  // `unchanged_since`. Such a writer is always a group of its own (its check
  // must see every write before it applied, and its failure must drop no
  // one else's batch).
  const std::vector<std::string_view>* unchanged_keys = nullptr;
  SequenceNumber unchanged_since = 0;
  bool done = false;  // GUARDED_BY(DB::mu_)
  Status status;      // GUARDED_BY(DB::mu_)
  CondVar cv;
};

}  // namespace strata
