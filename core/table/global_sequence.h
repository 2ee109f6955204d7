// The global sequence number of a table written for a bulk ingest.
//
// Such a table (sst_file_writer.h) stores every entry with sequence number 0
// and carries the property strata.global_sequence as a fixed 8-byte value in
// its properties block, which the table builder always stores uncompressed.
// When a database ingests the table it assigns one sequence number to all of
// its entries by overwriting those 8 bytes and the properties block's
// trailer checksum in place: the rest of the file, the footer included, is
// unchanged, so even a large table is patched with one small write.
// TableReader then presents every entry with that sequence number.
//
// Thread safety: a free function; the caller makes sure nothing else writes
// the file meanwhile (readers of an unpatched copy see the old value).
#pragma once

#include <string>

#include "core/dbformat.h"
#include "core/env.h"
#include "core/status.h"

namespace strata {

// Sets the table at `path`'s strata.global_sequence to `seq` and syncs the
// change. Corruption when the file is not a table, its properties block
// fails its checksum or is compressed; InvalidArgument when the table has no
// strata.global_sequence property (it was not written for ingestion). On
// failure the file may be unchanged or, after an I/O error, have a bad
// properties checksum (a reader then refuses it, never misreads it).
Status AssignGlobalSequence(Env* env, const std::string& path, SequenceNumber seq);

}  // namespace strata
