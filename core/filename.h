// The names of the files in a database directory (docs/FORMATS.md):
//   CURRENT             names the live manifest
//   LOCK                held by the process that has the database open
//   MANIFEST-NNNNNN     log of version edits
//   NNNNNN.log          write-ahead log of one memtable
//   NNNNNN.sst          a table
//   NNNNNN.dbtmp        a file being written (removed on open if left over)
// File numbers come from one counter, so a newer file has a larger number.
// The counter never passes kMaxFileNumber: a numbered name beyond it was not
// made by strata (a stray or hostile file), and counting on from it would
// wrap the counter onto the numbers of live files.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace strata {

// kOutOfRange: named like a manifest, log, table or temporary file, but
// numbered beyond kMaxFileNumber. kUnknown: any other name, not ours.
enum class FileKind { kCurrent, kLock, kManifest, kLog, kTable, kTemp, kOutOfRange, kUnknown };

inline constexpr uint64_t kMaxFileNumber = (uint64_t{1} << 56) - 1;

std::string CurrentFileName(const std::string& dbname);
std::string LockFileName(const std::string& dbname);
std::string ManifestFileName(const std::string& dbname, uint64_t number);
std::string LogFileName(const std::string& dbname, uint64_t number);
std::string TableFileName(const std::string& dbname, uint64_t number);
std::string TempFileName(const std::string& dbname, uint64_t number);
// A table's or log's name within its directory ("000012.sst"), for reports
// and for moving a file into a subdirectory.
std::string TableBaseName(uint64_t number);
std::string LogBaseName(uint64_t number);

// Classifies a directory entry's name; *number is set for numbered kinds
// (and is at most kMaxFileNumber for every kind but kOutOfRange).
FileKind ParseFileName(std::string_view name, uint64_t* number);

// "CURRENT.tmp": CURRENT being replaced (WriteFileAtomically), or what a
// crash in the middle of that left. Not a FileKind: file removal passes must
// leave it alone while it may be in use; only kv_destroy removes it.
bool IsCurrentTempFile(std::string_view name);

// The error for a database directory that holds a kOutOfRange file: the
// database refuses to open (and repair to run) until it is moved away.
std::string OutOfRangeFileMessage(const std::string& dbname, std::string_view name);

}  // namespace strata
