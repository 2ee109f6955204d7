#include "core/table/table_properties.h"

#include <type_traits>
#include <map>

#include "core/coding.h"
#include "core/table/block.h"
#include "core/table/block_builder.h"

namespace strata {

namespace {

struct NumericProperty {
  const char* name;
  uint64_t TableProperties::*field;
};

// Names are part of the format: never rename one, only add.
constexpr NumericProperty kNumeric[] = {
    {"strata.block_bytes", &TableProperties::block_bytes},
    {"strata.block_restart_interval", &TableProperties::block_restart_interval},
    {"strata.bloom_bits_per_key", &TableProperties::bloom_bits_per_key},
    {"strata.creation_time", &TableProperties::creation_time},
    {"strata.data_bytes", &TableProperties::data_bytes},
    {"strata.filter_bytes", &TableProperties::filter_bytes},
    {"strata.index_bytes", &TableProperties::index_bytes},
    {"strata.largest_sequence", &TableProperties::largest_sequence},
    {"strata.num_data_blocks", &TableProperties::num_data_blocks},
    {"strata.num_deletions", &TableProperties::num_deletions},
    {"strata.num_entries", &TableProperties::num_entries},
    {"strata.raw_key_bytes", &TableProperties::raw_key_bytes},
    {"strata.raw_value_bytes", &TableProperties::raw_value_bytes},
    {"strata.smallest_sequence", &TableProperties::smallest_sequence},
};
static_assert(std::is_same_v<SequenceNumber, uint64_t>);

constexpr const char* kCompression = "strata.compression";
constexpr const char* kCreator = "strata.creator";
constexpr const char* kGlobalSequence = "strata.global_sequence";
constexpr const char* kLargestKey = "strata.largest_key";
constexpr const char* kRangeDeletions = "strata.range_deletions";
constexpr const char* kSmallestKey = "strata.smallest_key";

std::string Varint(uint64_t v) {
  std::string s;
  PutVarint64(&s, v);
  return s;
}

}  // namespace

std::string TableProperties::Encode() const {
  std::map<std::string, std::string> sorted;
  for (const auto& p : kNumeric) sorted[p.name] = Varint(this->*p.field);
  sorted[kCompression] = Varint(static_cast<uint64_t>(compression));
  sorted[kCreator] = creator;
  if (has_global_sequence) {
    std::string fixed;
    PutFixed64(&fixed, global_sequence);
    sorted[kGlobalSequence] = fixed;
  }
  sorted[kLargestKey] = largest_key;
  sorted[kSmallestKey] = smallest_key;
  if (!range_deletions.empty()) EncodeRangeTombstones(range_deletions, &sorted[kRangeDeletions]);

  BlockBuilder builder(1);
  for (const auto& [name, value] : sorted) builder.Add(name, value);
  return std::string(builder.Finish());
}

Status TableProperties::DecodeFrom(const Block& block) {
  *this = TableProperties();
  std::unique_ptr<InternalIterator> it = block.NewIterator(BlockKeyOrder::kBytewise);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const std::string_view name = it->key();
    const std::string_view value = it->value();
    bool known = false;
    for (const auto& p : kNumeric) {
      if (name == p.name) {
        std::string_view in = value;
        if (!GetVarint64(&in, &(this->*p.field)) || !in.empty()) {
          return Status::Corruption("table property " + std::string(name) + " is malformed");
        }
        known = true;
        break;
      }
    }
    if (known) continue;
    if (name == kCompression) {
      std::string_view in = value;
      uint64_t kind = 0;
      if (!GetVarint64(&in, &kind) || !in.empty() || kind > 255) {
        return Status::Corruption("table property strata.compression is malformed");
      }
      compression = static_cast<CompressionKind>(kind);
    } else if (name == kCreator) {
      creator.assign(value);
    } else if (name == kGlobalSequence) {
      if (value.size() != 8) {
        return Status::Corruption("table property strata.global_sequence is malformed");
      }
      has_global_sequence = true;
      global_sequence = DecodeFixed64(value.data());
    } else if (name == kLargestKey) {
      largest_key.assign(value);
    } else if (name == kSmallestKey) {
      smallest_key.assign(value);
    } else if (name == kRangeDeletions) {
      std::string_view in = value;
      Status s = DecodeRangeTombstones(&in, &range_deletions);
      if (s.ok() && !in.empty()) s = Status::Corruption("trailing bytes");
      if (!s.ok()) {
        return Status::Corruption("table property strata.range_deletions is malformed: " +
                                  s.message());
      }
    }
    // Anything else was written by a newer strata; skip it.
  }
  return it->status();
}

bool TableProperties::FindGlobalSequence(const Block& block, size_t* offset) {
  const std::string_view contents = block.contents();
  std::unique_ptr<InternalIterator> it = block.NewIterator(BlockKeyOrder::kBytewise);
  it->Seek(kGlobalSequence);
  if (!it->Valid() || it->key() != kGlobalSequence || it->value().size() != 8) return false;
  const std::string_view value = it->value();
  // Values are never prefix-compressed, so the value's bytes are the
  // block's own; check rather than assume.
  if (value.data() < contents.data() || value.data() + 8 > contents.data() + contents.size()) {
    return false;
  }
  *offset = static_cast<size_t>(value.data() - contents.data());
  return true;
}

std::string TableProperties::ToString() const {
  std::string out;
  for (const auto& p : kNumeric) {
    out += p.name;
    out += ": ";
    out += std::to_string(this->*p.field);
    out += '\n';
  }
  out += std::string(kCompression) + ": " + std::to_string(static_cast<int>(compression)) + '\n';
  out += std::string(kCreator) + ": " + creator + '\n';
  if (has_global_sequence) {
    out += std::string(kGlobalSequence) + ": " + std::to_string(global_sequence) + '\n';
  }
  // Keys may hold any bytes: show their lengths, not their contents.
  out += std::string(kSmallestKey) + ": " + std::to_string(smallest_key.size()) + " bytes\n";
  out += std::string(kLargestKey) + ": " + std::to_string(largest_key.size()) + " bytes\n";
  out += std::string(kRangeDeletions) + ": " + std::to_string(range_deletions.size()) + '\n';
  return out;
}

}  // namespace strata
