#include "core/filename.h"

#include <charconv>
#include <cstdio>

namespace strata {

namespace {
std::string Numbered(const std::string& dbname, uint64_t number, const char* suffix) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "/%06llu.%s", static_cast<unsigned long long>(number), suffix);
  return dbname + buf;
}

bool ParseNumber(std::string_view digits, uint64_t* number) {
  if (digits.empty()) return false;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), *number);
  return ec == std::errc() && end == digits.data() + digits.size();
}
}  // namespace

std::string CurrentFileName(const std::string& dbname) { return dbname + "/CURRENT"; }
std::string LockFileName(const std::string& dbname) { return dbname + "/LOCK"; }

std::string ManifestFileName(const std::string& dbname, uint64_t number) {
  char buf[40];
  std::snprintf(buf, sizeof(buf), "/MANIFEST-%06llu", static_cast<unsigned long long>(number));
  return dbname + buf;
}

std::string LogFileName(const std::string& dbname, uint64_t number) {
  return Numbered(dbname, number, "log");
}
std::string TableFileName(const std::string& dbname, uint64_t number) {
  return Numbered(dbname, number, "sst");
}
std::string TempFileName(const std::string& dbname, uint64_t number) {
  return Numbered(dbname, number, "dbtmp");
}
std::string TableBaseName(uint64_t number) { return TableFileName("", number).substr(1); }
std::string LogBaseName(uint64_t number) { return LogFileName("", number).substr(1); }

FileKind ParseFileName(std::string_view name, uint64_t* number) {
  *number = 0;
  if (name == "CURRENT") return FileKind::kCurrent;
  if (name == "LOCK") return FileKind::kLock;
  FileKind kind = FileKind::kUnknown;
  std::string_view digits;
  if (name.starts_with("MANIFEST-")) {
    kind = FileKind::kManifest;
    digits = name.substr(9);
  } else {
    const size_t dot = name.find('.');
    if (dot == std::string_view::npos) return FileKind::kUnknown;
    const std::string_view suffix = name.substr(dot + 1);
    if (suffix == "log") {
      kind = FileKind::kLog;
    } else if (suffix == "sst") {
      kind = FileKind::kTable;
    } else if (suffix == "dbtmp") {
      kind = FileKind::kTemp;
    } else {
      return FileKind::kUnknown;
    }
    digits = name.substr(0, dot);
  }
  if (!ParseNumber(digits, number)) {
    // All digits, but too many for 64 bits: ours in shape, not in range.
    const bool all_digits = !digits.empty() && digits.find_first_not_of("0123456789") ==
                                                   std::string_view::npos;
    *number = 0;
    return all_digits ? FileKind::kOutOfRange : FileKind::kUnknown;
  }
  return *number > kMaxFileNumber ? FileKind::kOutOfRange : kind;
}

bool IsCurrentTempFile(std::string_view name) { return name == "CURRENT.tmp"; }

std::string OutOfRangeFileMessage(const std::string& dbname, std::string_view name) {
  return dbname + " holds " + std::string(name) + ", numbered beyond any file strata creates (" +
         std::to_string(kMaxFileNumber) + "): it is not a file of this database; move it away";
}

}  // namespace strata
