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

FileKind ParseFileName(std::string_view name, uint64_t* number) {
  *number = 0;
  if (name == "CURRENT") return FileKind::kCurrent;
  if (name == "LOCK") return FileKind::kLock;
  if (name.starts_with("MANIFEST-")) {
    return ParseNumber(name.substr(9), number) ? FileKind::kManifest : FileKind::kUnknown;
  }
  size_t dot = name.find('.');
  if (dot == std::string_view::npos) return FileKind::kUnknown;
  if (!ParseNumber(name.substr(0, dot), number)) return FileKind::kUnknown;
  std::string_view suffix = name.substr(dot + 1);
  if (suffix == "log") return FileKind::kLog;
  if (suffix == "sst") return FileKind::kTable;
  if (suffix == "dbtmp") return FileKind::kTemp;
  return FileKind::kUnknown;
}

}  // namespace strata
