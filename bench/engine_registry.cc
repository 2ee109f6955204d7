#include "engine.h"

namespace strata_bench {

namespace {

// "strata:a=1;b=2" -> {{"a","1"},{"b","2"}}; throws for a malformed list.
std::vector<std::pair<std::string, std::string>> strata_variant_options(std::string_view name) {
  std::vector<std::pair<std::string, std::string>> out;
  std::string_view rest = name.substr(name.find(':') + 1);
  while (!rest.empty()) {
    const size_t comma = rest.find(';');
    const std::string_view item = rest.substr(0, comma);
    const size_t eq = item.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      throw BenchError("engine '" + std::string(name) + "': expected strata:NAME=VALUE;NAME=VALUE");
    }
    out.emplace_back(std::string(item.substr(0, eq)), std::string(item.substr(eq + 1)));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
  }
  return out;
}

bool is_strata_variant(std::string_view name) { return name.starts_with("strata:"); }

}  // namespace

std::vector<std::string> compiled_engines() {
  std::vector<std::string> names{"strata"};
#ifdef STRATA_BENCH_HAVE_ROCKSDB
  names.emplace_back("rocksdb");
#endif
#ifdef STRATA_BENCH_HAVE_LEVELDB
  names.emplace_back("leveldb");
#endif
  return names;
}

std::string engine_version(std::string_view name) {
  if (name == "strata" || is_strata_variant(name)) return strata_version();
#ifdef STRATA_BENCH_HAVE_ROCKSDB
  if (name == "rocksdb") return rocksdb_version();
#endif
#ifdef STRATA_BENCH_HAVE_LEVELDB
  if (name == "leveldb") return leveldb_version();
#endif
  return "";
}

std::unique_ptr<Engine> open_engine(std::string_view name, const std::string& dir,
                                    const EngineSettings& settings) {
  if (name == "strata") return open_strata(dir, settings);
  if (is_strata_variant(name)) return open_strata(dir, settings, strata_variant_options(name));
#ifdef STRATA_BENCH_HAVE_ROCKSDB
  if (name == "rocksdb") return open_rocksdb(dir, settings);
#endif
#ifdef STRATA_BENCH_HAVE_LEVELDB
  if (name == "leveldb") return open_leveldb(dir, settings);
#endif
  throw BenchError("engine '" + std::string(name) +
                   "' is not compiled into this strata-bench (its library was not found "
                   "when it was built)");
}

}  // namespace strata_bench
