// Per-call options for reads and writes.
#pragma once

#include "core/dbformat.h"

namespace strata {

class Snapshot;

struct WriteOptions {
  // fsync the WAL before acknowledging. The database's `sync` option is the
  // default; a caller may ask for a durable write on a database opened with
  // sync=false.
  bool sync = false;
};

struct ReadOptions {
  // Read as of this snapshot; null reads the latest state.
  const Snapshot* snapshot = nullptr;
};

}  // namespace strata
