// The names of the files in a database directory (docs/FORMATS.md):
//   CURRENT             names the live manifest
//   LOCK                held by the process that has the database open
//   MANIFEST-NNNNNN     log of version edits
//   NNNNNN.log          write-ahead log of one memtable
//   NNNNNN.sst          a table
//   NNNNNN.dbtmp        a file being written (removed on open if left over)
// File numbers come from one counter, so a newer file has a larger number.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace strata {

enum class FileKind { kCurrent, kLock, kManifest, kLog, kTable, kTemp, kUnknown };

std::string CurrentFileName(const std::string& dbname);
std::string LockFileName(const std::string& dbname);
std::string ManifestFileName(const std::string& dbname, uint64_t number);
std::string LogFileName(const std::string& dbname, uint64_t number);
std::string TableFileName(const std::string& dbname, uint64_t number);
std::string TempFileName(const std::string& dbname, uint64_t number);

// Classifies a directory entry's name; *number is set for numbered kinds.
FileKind ParseFileName(std::string_view name, uint64_t* number);

}  // namespace strata
