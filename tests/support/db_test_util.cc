#include "support/db_test_util.h"

namespace strata::test {

Options SmallOptions() {
  Options o;
  o.memtable_bytes = 64 << 10;
  o.block_bytes = 1024;
  o.table_file_bytes = 128 << 10;
  o.block_cache_bytes = 1 << 20;
  // A stop stays a stop until the test calls Resume: a retry on a timer
  // would race with what the test checks. Tests of the retry turn it on.
  o.auto_resume = false;
  return o;
}

Status ScanAll(DB* db, std::map<std::string, std::string>* out, std::optional<std::string> lower,
               std::optional<std::string> upper, const Snapshot* snapshot) {
  out->clear();
  ReadOptions ro;
  ro.snapshot = snapshot;
  auto it = db->NewIterator(ro, std::move(lower), std::move(upper));
  std::string previous;
  bool first = true;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    std::string key(it->key());
    if (!first && key <= previous) return Status::Corruption("iterator out of order at " + key);
    first = false;
    previous = key;
    (*out)[key] = std::string(it->value());
  }
  return it->status();
}

}  // namespace strata::test
