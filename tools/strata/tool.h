// Shared plumbing of the `strata` command-line tool: exit codes, the error
// that ends a command, the open database handle, and the options every
// subcommand accepts.
//
// The tool reaches the engine only through the public C ABI (strata/kv.h),
// so it behaves exactly as the library does for any other program; only
// `strata sst` and `strata wal`, which read single files, use the engine's
// internal readers.
//
// Thread safety: single-threaded, except that a Database may be used from a
// helper thread the way kv.h allows (`compact` watches progress that way).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "strata/kv.h"

#include <CLI/CLI.hpp>

namespace strata_tool {

// Exit statuses scripts can rely on (docs/TOOL.md).
enum ExitCode : int {
  kExitOk = 0,
  kExitNo = 1,           // get: no such key; check: unsound; repair: data lost; bench: mismatch
  kExitUsage = 2,        // bad command line
  kExitEngineError = 3,  // the engine returned an error (I/O, busy, corruption at open...)
  kExitBadInput = 4,     // malformed input data (load), unreadable input file
};

// Ends the running command: main() prints the message (if any) to stderr and
// exits with the code.
class ToolError : public std::runtime_error {
 public:
  ToolError(int exit_code, const std::string& message)
      : std::runtime_error(message), exit_code_(exit_code) {}
  int exit_code() const { return exit_code_; }

 private:
  int exit_code_;
};

// Throws ToolError(kExitEngineError) naming the failed call, the status and
// kv_last_error().
[[noreturn]] void ThrowKv(const std::string& what, int rc);

// Options shared by the subcommands that open a database.
struct GlobalOptions {
  std::string db;                    // --db, or $STRATA_DB
  std::vector<std::string> options;  // --option NAME=VALUE, in order
  bool quiet = false;                // --quiet: no progress bars
  int exit_code = kExitOk;           // set by the subcommand that ran
};

// An open database, closed when it goes out of scope.
class Database {
 public:
  // Opens g.db with g.options applied. With create false, a missing database
  // is an error rather than created. With read_only (the commands that only
  // read), it is opened with the option read_only: nothing is written to the
  // directory, and other read-only handles may have it open meanwhile.
  Database(const GlobalOptions& g, bool create, bool read_only = false);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  kv_db* get() const { return db_; }
  // Closes now, reporting a failure (the destructor ignores it).
  void Close();

 private:
  kv_db* db_ = nullptr;
};

// A kv_options holding g.options ("name=value" each), freed on destruction.
class OptionsHandle {
 public:
  explicit OptionsHandle(const std::vector<std::string>& assignments);
  ~OptionsHandle();
  OptionsHandle(const OptionsHandle&) = delete;
  OptionsHandle& operator=(const OptionsHandle&) = delete;
  kv_options* get() const { return options_; }
  void Set(const std::string& name, const std::string& value);

 private:
  kv_options* options_;
};

// The database path, or a usage error when none was given.
const std::string& RequireDb(const GlobalOptions& g);

// Help text laid out like a manual page: a subcommand's help starts with
// "strata NAME - summary".
class ManualFormatter : public CLI::Formatter {
 public:
  std::string make_description(const CLI::App* app) const override;
};

// Gives a subcommand a man-page-like --help: `summary` is the one-line NAME,
// `description` the DESCRIPTION paragraphs, `examples` shell lines, and
// `exit_status` how its status is to be read.
void SetManual(CLI::App* cmd, const std::string& summary, const std::string& description,
               const std::string& examples, const std::string& exit_status);

// A value read in full from a file ("-" for stdin).
std::string ReadWholeFile(const std::string& path);

// Bytes as "12.3 MiB".
std::string HumanBytes(double bytes);
// A count as "1.2M", "350k".
std::string HumanCount(double n);

}  // namespace strata_tool
