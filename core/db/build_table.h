// AddMemTable: what a flush writes for a memtable, in one place for the two
// writers of memtables: DB flush (DB::WriteLevel0Table) and repair's log
// conversion (repair_log.h).
//
// Thread safety: the memtable must not change meanwhile (it is immutable, or
// private to the caller); the builder belongs to the caller.
#pragma once

#include "core/memtable/memtable.h"
#include "core/status.h"
#include "core/table/table_file_builder.h"

namespace strata {

// True when the memtable holds nothing to write (no entry, no range tombstone).
bool MemTableIsEmpty(const MemTable& mem);

// Adds every entry of `mem` to `table` in order, and its range tombstones. A
// memtable of range tombstones alone gets one point tombstone at the first
// range's start with that range's sequence number: a table needs an entry
// for its key range, and this one hides nothing the range does not hide
// already. REQUIRES: !MemTableIsEmpty(*mem).
Status AddMemTable(MemTable* mem, TableFileBuilder* table);

}  // namespace strata
