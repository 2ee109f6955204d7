// DB::Writer: one caller waiting in the write queue (see db_write.cc).
#pragma once

#include <condition_variable>

#include "core/db/db.h"

namespace strata {

struct DB::Writer {
  const WriteBatch* batch = nullptr;  // null: a request to switch the memtable (Flush)
  bool sync = false;
  bool done = false;  // GUARDED_BY(DB::mu_)
  Status status;      // GUARDED_BY(DB::mu_)
  std::condition_variable cv;
};

}  // namespace strata
