// strata: the command-line tool for strata databases (docs/TOOL.md).
//
//   strata [--db DIR] [-o NAME=VALUE]... COMMAND [ARGS]
//
// Every subcommand has a man-page-like --help. Exit statuses are in tool.h.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "tools/strata/commands.h"
#include "tools/strata/tool.h"

namespace {

const char kOverview[] =
    "DESCRIPTION\n"
    "  Inspects and maintains a strata database directory: reads and writes keys,\n"
    "  bulk loads and dumps, statistics, compaction, integrity checks, repair,\n"
    "  checkpoints, a look inside single table and log files, and the benchmark.\n"
    "  Everything except `sst` and `wal` goes through the public C ABI (strata/kv.h),\n"
    "  so the tool sees a database exactly as any program using the library does.\n"
    "  `strata COMMAND --help` describes each command in full.\n"
    "\n"
    "EXIT STATUS\n"
    "  0  success (found, sound, nothing lost)\n"
    "  1  a negative answer: key not found (get), database unsound (check), data\n"
    "     lost (repair), damaged file (sst, wal), wrong answer (bench)\n"
    "  2  usage error: bad command line\n"
    "  3  engine or I/O error: cannot open, busy, unwritable output...\n"
    "  4  malformed or unreadable input data (load, put --value-file)\n"
    "\n"
    "ENVIRONMENT\n"
    "  STRATA_DB  the database directory when --db is not given\n";

// The first word on the command line that is neither a global option nor
// an option's value: the command the user meant ("" if none).
std::string FirstWord(CLI::App& app, int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--") return i + 1 < argc ? argv[i + 1] : "";
    if (arg.empty() || arg[0] != '-') return arg;
    // Options that take a separate value: skip the value too.
    const std::string name = arg.substr(0, arg.find('='));
    if (arg.find('=') == std::string::npos && name.size() > 1) {
      const CLI::Option* opt = nullptr;
      try {
        opt = app.get_option(name);
      } catch (const CLI::Error&) {
      }
      if (opt != nullptr && opt->get_items_expected_min() > 0 && !(name.size() == 2 && arg.size() > 2)) ++i;
    }
  }
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  using namespace strata_tool;
  std::ios::sync_with_stdio(false);  // `load -` reads stdin through iostreams
  CLI::App app("strata - inspect and maintain strata key-value databases", "strata");
  app.set_version_flag("-V,--version", std::string("strata ") + kv_version());
  app.require_subcommand(1, 1);
  app.fallthrough();  // global options may also follow the command
  auto formatter = std::make_shared<ManualFormatter>();
  formatter->column_width(34);
  app.formatter(formatter);  // before the subcommands, which copy it
  GlobalOptions g;
  app.add_option("-d,--db", g.db, "database directory")->envname("STRATA_DB");
  app.add_option("-o,--option", g.options,
                 "engine option NAME=VALUE for kv_options_set (repeatable), e.g.\n"
                 "-o compression=lz4 -o block_cache_bytes=256M")
      ->type_name("NAME=VALUE")
      ->allow_extra_args(false);
  app.add_flag("-q,--quiet", g.quiet, "no progress bars");
  app.footer(kOverview);

  AddReadWriteCommands(app, g);
  AddLoadDumpCommands(app, g);
  AddMaintenanceCommands(app, g);
  AddFileCommands(app, g);
  AddBenchCommand(app, g);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    const std::string word = FirstWord(app, argc, argv);
    const auto commands = app.get_subcommands([](const CLI::App*) { return true; });
    const bool known = std::any_of(commands.begin(), commands.end(),
                                   [&](const CLI::App* c) { return c->get_name() == word; });
    if (!word.empty() && !known) {
      std::fprintf(stderr, "strata: unknown command '%s'\n", word.c_str());
    } else {
      std::fprintf(stderr, "strata: %s\n", e.what());
    }
    std::fprintf(stderr, "Run 'strata --help' or 'strata COMMAND --help' for usage.\n");
    return kExitUsage;
  } catch (const ToolError& e) {
    std::fflush(stdout);
    if (e.what()[0] != '\0') std::fprintf(stderr, "strata: %s\n", e.what());
    return e.exit_code();
  } catch (const std::exception& e) {
    std::fflush(stdout);
    std::fprintf(stderr, "strata: %s\n", e.what());
    return kExitEngineError;
  }
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
    std::fprintf(stderr, "strata: error writing output\n");
    return kExitEngineError;
  }
  return g.exit_code;
}
