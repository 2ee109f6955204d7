#include "tools/strata/tool.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

namespace strata_tool {

void ThrowKv(const std::string& what, int rc) {
  std::string message = what + ": " + kv_status_name(rc);
  const char* detail = kv_last_error();
  if (detail != nullptr && detail[0] != '\0') message += ": " + std::string(detail);
  throw ToolError(kExitEngineError, message);
}

OptionsHandle::OptionsHandle(const std::vector<std::string>& assignments)
    : options_(kv_options_new()) {
  if (options_ == nullptr) ThrowKv("kv_options_new", KV_NO_MEMORY);
  for (const auto& a : assignments) {
    const size_t eq = a.find('=');
    if (eq == std::string::npos || eq == 0) {
      kv_options_free(options_);
      throw ToolError(kExitUsage, "--option wants NAME=VALUE, got '" + a + "'");
    }
    const std::string name = a.substr(0, eq), value = a.substr(eq + 1);
    const int rc = kv_options_set(options_, name.c_str(), value.c_str());
    if (rc != KV_OK) {
      const std::string message = kv_last_error();
      kv_options_free(options_);
      // A bad option is the user's mistake, not the engine's.
      throw ToolError(kExitUsage, "--option " + a + ": " + message);
    }
  }
}

OptionsHandle::~OptionsHandle() { kv_options_free(options_); }

void OptionsHandle::Set(const std::string& name, const std::string& value) {
  const int rc = kv_options_set(options_, name.c_str(), value.c_str());
  if (rc != KV_OK) ThrowKv("kv_options_set(" + name + ")", rc);
}

const std::string& RequireDb(const GlobalOptions& g) {
  if (g.db.empty()) {
    throw ToolError(kExitUsage, "no database given: use --db DIR (or set STRATA_DB)");
  }
  return g.db;
}

Database::Database(const GlobalOptions& g, bool create, bool read_only) {
  const std::string& path = RequireDb(g);
  OptionsHandle options(g.options);
  // Set after the user's options: whether to create, and whether to write,
  // is the command's call.
  options.Set("create_if_missing", create ? "true" : "false");
  if (read_only) options.Set("read_only", "true");
  const int rc = kv_open(path.c_str(), options.get(), &db_);
  if (rc != KV_OK) ThrowKv("cannot open " + path, rc);
}

Database::~Database() {
  if (db_ != nullptr) kv_close(db_);
}

void Database::Close() {
  kv_db* db = db_;
  db_ = nullptr;
  const int rc = kv_close(db);
  if (rc != KV_OK) ThrowKv("kv_close", rc);
}

namespace {
std::string Indent(const std::string& text, const std::string& prefix) {
  std::string out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) out += line.empty() ? "\n" : prefix + line + "\n";
  return out;
}
}  // namespace

void SetManual(CLI::App* cmd, const std::string& summary, const std::string& description,
               const std::string& examples, const std::string& exit_status) {
  cmd->description(summary);  // ManualFormatter prints it as "strata NAME - summary"
  std::string footer = "DESCRIPTION\n" + Indent(description, "  ");
  if (!examples.empty()) footer += "\nEXAMPLES\n" + Indent(examples, "  ");
  footer += "\nEXIT STATUS\n" + Indent(exit_status, "  ");
  cmd->footer(footer);
}

std::string ManualFormatter::make_description(const CLI::App* app) const {
  if (app->get_parent() == nullptr) return Formatter::make_description(app);
  return "strata " + app->get_name() + " - " + app->get_description() + "\n";
}

std::string ReadWholeFile(const std::string& path) {
  if (path == "-") {
    return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ToolError(kExitBadInput, "cannot read " + path);
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw ToolError(kExitBadInput, "error reading " + path);
  return data;
}

std::string HumanBytes(double bytes) {
  static const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int unit = 0;
  while (bytes >= 1024 && unit < 4) {
    bytes /= 1024;
    ++unit;
  }
  char buf[32];
  std::snprintf(buf, sizeof(buf), unit == 0 ? "%.0f %s" : "%.1f %s", bytes, kUnits[unit]);
  return buf;
}

std::string HumanCount(double n) {
  char buf[32];
  if (n >= 1e9) {
    std::snprintf(buf, sizeof(buf), "%.2fG", n / 1e9);
  } else if (n >= 1e6) {
    std::snprintf(buf, sizeof(buf), "%.2fM", n / 1e6);
  } else if (n >= 1e4) {
    std::snprintf(buf, sizeof(buf), "%.1fk", n / 1e3);
  } else {
    std::snprintf(buf, sizeof(buf), "%.0f", n);
  }
  return buf;
}

}  // namespace strata_tool
