// The subcommands of `strata`, registered on the top-level CLI11 app by one
// function per group. Each sets its callback, which runs the command and
// leaves its exit status in GlobalOptions::exit_code (or throws ToolError).
//
// Ownership: the registered callbacks keep references to `g` and to option
// storage they allocate for the app's lifetime; both must outlive the app's
// parse.
#pragma once

#include <string>

#include "tools/strata/encoding.h"
#include "tools/strata/tool.h"

namespace CLI {
class App;
}

namespace strata_tool {

// --format / --key-format / --value-format, shared by the commands that read
// or print keys and values.
struct FormatOptions {
  std::string format = "text";
  std::string key_format;    // empty: as --format
  std::string value_format;  // empty: as --format
  Format key() const { return ParseFormat(key_format.empty() ? format : key_format); }
  Format value() const { return ParseFormat(value_format.empty() ? format : value_format); }
};
void AddFormatOptions(CLI::App* cmd, FormatOptions* f);
// The paragraph every such command's manual includes.
extern const char kFormatsHelp[];

void AddReadWriteCommands(CLI::App& app, GlobalOptions& g);   // get put delete scan
void AddLoadDumpCommands(CLI::App& app, GlobalOptions& g);    // load dump
void AddMaintenanceCommands(CLI::App& app, GlobalOptions& g); // stats compact check repair checkpoint
void AddFileCommands(CLI::App& app, GlobalOptions& g);        // sst wal
void AddBenchCommand(CLI::App& app, GlobalOptions& g);        // bench

}  // namespace strata_tool
