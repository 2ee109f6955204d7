// Helpers for engine-level tests: opening a DB in a temp dir and reading all
// of it through an iterator.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "core/db/db.h"
#include "core/db/db_iterator.h"

namespace strata::test {

// Small sizes so tests exercise rotation, flush and many tables quickly;
// auto_resume off (a stop for lack of space lasts until Resume).
Options SmallOptions();

// Every (key, value) the iterator yields, or the error it ends with.
Status ScanAll(DB* db, std::map<std::string, std::string>* out,
               std::optional<std::string> lower = std::nullopt,
               std::optional<std::string> upper = std::nullopt,
               const Snapshot* snapshot = nullptr);

}  // namespace strata::test
