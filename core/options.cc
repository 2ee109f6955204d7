#include "core/options.h"

#include <charconv>
#include <cstring>
#include <functional>
#include <limits>
#include <map>

namespace strata {

namespace {

bool ParseBool(std::string_view v, bool* out) {
  std::string lower;
  for (char c : v) lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  if (lower == "true" || lower == "1" || lower == "yes" || lower == "on") {
    *out = true;
    return true;
  }
  if (lower == "false" || lower == "0" || lower == "no" || lower == "off") {
    *out = false;
    return true;
  }
  return false;
}

// A byte count with an optional binary suffix: 4096, 64M, 64MiB, 1g.
bool ParseSize(std::string_view v, uint64_t* out) {
  uint64_t n = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || end == v.data()) return false;
  std::string_view suffix(end, v.data() + v.size() - end);
  uint64_t mult = 1;
  if (suffix.empty() || suffix == "B" || suffix == "b") {
    mult = 1;
  } else {
    char unit = suffix[0];
    std::string_view rest = suffix.substr(1);
    if (!(rest.empty() || rest == "B" || rest == "iB" || rest == "b" || rest == "ib")) return false;
    switch (unit) {
      case 'k': case 'K': mult = 1ull << 10; break;
      case 'm': case 'M': mult = 1ull << 20; break;
      case 'g': case 'G': mult = 1ull << 30; break;
      case 't': case 'T': mult = 1ull << 40; break;
      default: return false;
    }
  }
  if (n > std::numeric_limits<uint64_t>::max() / mult) return false;
  *out = n * mult;
  return true;
}

bool ParseInt(std::string_view v, long long lo, long long hi, int* out) {
  long long n = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || end != v.data() + v.size() || n < lo || n > hi) return false;
  *out = static_cast<int>(n);
  return true;
}

Status BadValue(std::string_view name, std::string_view value, std::string_view expected) {
  std::string msg = "option '";
  msg.append(name);
  msg += "': invalid value '";
  msg.append(value);
  msg += "' (expected ";
  msg.append(expected);
  msg += ")";
  return Status::InvalidArgument(msg);
}

// One settable option: how to parse it into Options and how to print it.
struct OptionSpec {
  std::function<Status(Options*, std::string_view name, std::string_view value)> set;
  std::function<std::string(const Options&)> get;
};

template <typename Field>
OptionSpec BoolOption(Field field) {
  return {[field](Options* o, std::string_view n, std::string_view v) {
            if (!ParseBool(v, &(o->*field))) return BadValue(n, v, "true or false");
            return Status::OK();
          },
          [field](const Options& o) { return std::string(o.*field ? "true" : "false"); }};
}

template <typename Field>
OptionSpec SizeOption(Field field, uint64_t min, uint64_t max) {
  return {[field, min, max](Options* o, std::string_view n, std::string_view v) {
            uint64_t size;
            if (!ParseSize(v, &size)) return BadValue(n, v, "a byte count such as 4096 or 64M");
            if (size < min || size > max) {
              return BadValue(n, v, "between " + std::to_string(min) + " and " + std::to_string(max) +
                                        " bytes");
            }
            o->*field = static_cast<std::remove_reference_t<decltype(o->*field)>>(size);
            return Status::OK();
          },
          [field](const Options& o) { return std::to_string(o.*field); }};
}

template <typename Field>
OptionSpec IntOption(Field field, int min, int max) {
  return {[field, min, max](Options* o, std::string_view n, std::string_view v) {
            if (!ParseInt(v, min, max, &(o->*field))) {
              return BadValue(n, v,
                              "an integer from " + std::to_string(min) + " to " + std::to_string(max));
            }
            return Status::OK();
          },
          [field](const Options& o) { return std::to_string(o.*field); }};
}

const std::map<std::string, OptionSpec, std::less<>>& Specs() {
  static const auto* specs = new std::map<std::string, OptionSpec, std::less<>>{
      {"create_if_missing", BoolOption(&Options::create_if_missing)},
      {"error_if_exists", BoolOption(&Options::error_if_exists)},
      {"read_only", BoolOption(&Options::read_only)},
      {"sync", BoolOption(&Options::sync)},
      {"verify_checksums", BoolOption(&Options::verify_checksums)},
      {"mmap_reads_max_bytes", SizeOption(&Options::mmap_reads_max_bytes, 0, 1ull << 50)},
      {"auto_resume", BoolOption(&Options::auto_resume)},
      {"memtable_bytes", SizeOption(&Options::memtable_bytes, 1 << 10, 1ull << 34)},
      {"wal_buffer_bytes", SizeOption(&Options::wal_buffer_bytes, 0, 1ull << 30)},
      {"wal_buffer_delay_ms", IntOption(&Options::wal_buffer_delay_ms, 1, 60000)},
      {"wal_mmap", BoolOption(&Options::wal_mmap)},
      {"block_cache_bytes", SizeOption(&Options::block_cache_bytes, 0, 1ull << 40)},
      {"block_bytes", SizeOption(&Options::block_bytes, 64, 64ull << 20)},
      {"block_align", BoolOption(&Options::block_align)},
      {"table_file_bytes", SizeOption(&Options::table_file_bytes, 1 << 10, 1ull << 34)},
      {"level1_bytes", SizeOption(&Options::level1_bytes, 1 << 20, 1ull << 40)},
      {"bloom_bits_per_key", IntOption(&Options::bloom_bits_per_key, 0, 64)},
      {"block_restart_interval", IntOption(&Options::block_restart_interval, 1, 1024)},
      {"background_threads", IntOption(&Options::background_threads, 1, 64)},
      {"compaction_nice", IntOption(&Options::compaction_nice, 0, 19)},
      {"max_open_files", IntOption(&Options::max_open_files, 16, 1 << 20)},
      {"max_immutable_memtables", IntOption(&Options::max_immutable_memtables, 1, 64)},
      {"l0_compaction_trigger", IntOption(&Options::l0_compaction_trigger, 1, 1000)},
      {"l0_slowdown_trigger", IntOption(&Options::l0_slowdown_trigger, 1, 1000)},
      {"l0_stop_trigger", IntOption(&Options::l0_stop_trigger, 1, 1000)},
      {"level_size_multiplier", IntOption(&Options::level_size_multiplier, 2, 100)},
      {"memtable",
       {[](Options* o, std::string_view n, std::string_view v) {
          if (v == "skiplist") {
            o->memtable = MemTableKind::kSkipList;
          } else if (v == "rbtree") {
            o->memtable = MemTableKind::kRedBlackTree;
          } else if (v == "avl") {
            o->memtable = MemTableKind::kAvlTree;
          } else {
            return BadValue(n, v, "skiplist, rbtree or avl");
          }
          return Status::OK();
        },
        [](const Options& o) { return std::string(MemTableKindName(o.memtable)); }}},
      {"memtable_index",
       {[](Options* o, std::string_view n, std::string_view v) {
          if (v == "none") {
            o->memtable_index = MemTableIndexKind::kNone;
          } else if (v == "hash") {
            o->memtable_index = MemTableIndexKind::kHash;
          } else {
            return BadValue(n, v, "none or hash");
          }
          return Status::OK();
        },
        [](const Options& o) { return std::string(MemTableIndexKindName(o.memtable_index)); }}},
      {"mmap_reads",
       {[](Options* o, std::string_view n, std::string_view v) {
          bool on;
          if (v == "auto") {
            o->mmap_reads = MmapReads::kAuto;
          } else if (ParseBool(v, &on)) {
            o->mmap_reads = on ? MmapReads::kAlways : MmapReads::kNever;
          } else {
            return BadValue(n, v, "auto, true or false");
          }
          return Status::OK();
        },
        [](const Options& o) { return std::string(MmapReadsName(o.mmap_reads)); }}},
      {"compression",
       {[](Options* o, std::string_view n, std::string_view v) {
          if (v == "none") {
            o->compression = CompressionKind::kNone;
          } else if (v == "lz4") {
            o->compression = CompressionKind::kLz4;
          } else if (v == "zstd") {
            o->compression = CompressionKind::kZstd;
          } else {
            return BadValue(n, v, "none, lz4 or zstd");
          }
          return Status::OK();
        },
        [](const Options& o) { return std::string(CompressionKindName(o.compression)); }}},
  };
  return *specs;
}

}  // namespace

const char* MemTableKindName(MemTableKind kind) {
  switch (kind) {
    case MemTableKind::kSkipList: return "skiplist";
    case MemTableKind::kRedBlackTree: return "rbtree";
    case MemTableKind::kAvlTree: return "avl";
  }
  return "unknown";
}

const char* MemTableIndexKindName(MemTableIndexKind kind) {
  switch (kind) {
    case MemTableIndexKind::kNone: return "none";
    case MemTableIndexKind::kHash: return "hash";
  }
  return "unknown";
}

const char* MmapReadsName(MmapReads mode) {
  switch (mode) {
    case MmapReads::kAuto: return "auto";
    case MmapReads::kAlways: return "true";
    case MmapReads::kNever: return "false";
  }
  return "unknown";
}

const char* CompressionKindName(CompressionKind kind) {
  switch (kind) {
    case CompressionKind::kNone: return "none";
    case CompressionKind::kLz4: return "lz4";
    case CompressionKind::kZstd: return "zstd";
  }
  return "unknown";
}

Status Options::Set(std::string_view name, std::string_view value) {
  const auto& specs = Specs();
  auto it = specs.find(name);
  if (it == specs.end()) {
    std::string msg = "unknown option '";
    msg.append(name);
    msg += "'";
    return Status::InvalidArgument(msg);
  }
  return it->second.set(this, name, value);
}

Status Options::Get(std::string_view name, std::string* value) const {
  const auto& specs = Specs();
  auto it = specs.find(name);
  if (it == specs.end()) {
    std::string msg = "unknown option '";
    msg.append(name);
    msg += "'";
    return Status::InvalidArgument(msg);
  }
  *value = it->second.get(*this);
  return Status::OK();
}

const std::vector<std::string>& Options::Names() {
  static const auto* names = [] {
    auto* v = new std::vector<std::string>();
    for (const auto& [name, spec] : Specs()) v->push_back(name);
    return v;
  }();
  return *names;
}

Status Options::Validate() const {
  if (read_only && error_if_exists) {
    // A read-only open needs an existing database, which error_if_exists refuses.
    return Status::InvalidArgument("read_only and error_if_exists cannot both be true");
  }
  if (l0_slowdown_trigger < l0_compaction_trigger) {
    return Status::InvalidArgument("l0_slowdown_trigger must be at least l0_compaction_trigger");
  }
  if (l0_stop_trigger < l0_slowdown_trigger) {
    return Status::InvalidArgument("l0_stop_trigger must be at least l0_slowdown_trigger");
  }
  return Status::OK();
}

}  // namespace strata
