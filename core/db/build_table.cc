#include "core/db/build_table.h"

#include <string>

namespace strata {

bool MemTableIsEmpty(const MemTable& mem) {
  return mem.NumEntries() == 0 && mem.NumRangeDeletions() == 0;
}

Status AddMemTable(MemTable* mem, TableFileBuilder* table) {
  auto it = mem->NewIterator();
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    STRATA_RETURN_IF_ERROR(table->Add(it->key(), it->value()));
  }
  STRATA_RETURN_IF_ERROR(it->status());
  const RangeTombstoneList tombstones = mem->RangeDeletions();
  if (table->NumEntries() == 0) {
    if (tombstones.empty()) return Status::InvalidArgument("the memtable is empty");
    std::string spare;
    AppendInternalKey(&spare, tombstones.front().start, tombstones.front().sequence,
                      ValueKind::kDeletion);
    STRATA_RETURN_IF_ERROR(table->Add(spare, {}));
  }
  for (const RangeTombstone& t : tombstones) table->AddRangeDeletion(t);
  return Status::OK();
}

}  // namespace strata
