#include "engine.h"

namespace strata_bench {

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
  if (name == "strata") return strata_version();
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
