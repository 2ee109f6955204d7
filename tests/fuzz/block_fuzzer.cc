// Fuzz target: the block parser and its iterator (core/table/block), which
// decode every data, index and properties block read from a table, over
// arbitrary block contents (what ReadBlock hands Block once the trailer is
// stripped and the block decompressed).
//
// Input: the block's bytes. Each input is read both as an internal-key block
// (data and index blocks) and as a bytewise block (the properties block,
// which is also decoded as TableProperties).
//
// The iterator is driven every way the engine drives it: a forward scan, a
// backward scan, seeks to every key met and to targets taken from the input
// (including targets too short to be internal keys), and steps both ways
// after each seek.
//
// Checks, beyond "no crash, no sanitizer report":
//  - an iterator stops with OK or Corruption, and once it reports Corruption
//    it stays invalid;
//  - when the forward scan is clean and its keys strictly increase, those
//    entries, laid out again by BlockBuilder (with the input's restart
//    interval), read back identically forward, backward and by Seek: the
//    builder and the parser agree on every key and value.
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/dbformat.h"
#include "core/table/block.h"
#include "core/table/block_builder.h"
#include "core/table/table_properties.h"
#include "fuzz/fuzz_check.h"

namespace {

using namespace strata;
using Entries = std::vector<std::pair<std::string, std::string>>;

// Long Prev walks are quadratic in a block with few restart points; this
// bound keeps one input fast without losing coverage.
constexpr int kMaxBackwardSteps = 256;

void CheckStatus(const InternalIterator& it, const char* where) {
  const Status s = it.status();
  FUZZ_CHECK(s.ok() || s.IsCorruption(), "%s: %s", where, s.ToString().c_str());
  FUZZ_CHECK(s.ok() || !it.Valid(), "%s: valid after Corruption", where);
}

int Compare(BlockKeyOrder order, std::string_view a, std::string_view b) {
  return order == BlockKeyOrder::kInternalKey ? CompareInternalKeys(a, b) : a.compare(b);
}

// Scans forward; true when the scan ended cleanly.
bool ScanForward(InternalIterator* it, Entries* out) {
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    out->emplace_back(std::string(it->key()), std::string(it->value()));
  }
  CheckStatus(*it, "forward scan");
  return it->status().ok();
}

bool ScanBackward(InternalIterator* it, Entries* out, int max_steps) {
  int steps = 0;
  for (it->SeekToLast(); it->Valid() && steps < max_steps; it->Prev(), ++steps) {
    out->emplace_back(std::string(it->key()), std::string(it->value()));
  }
  CheckStatus(*it, "backward scan");
  return it->status().ok();
}

void SeekAndStep(InternalIterator* it, std::string_view target) {
  it->Seek(target);
  CheckStatus(*it, "seek");
  if (it->Valid()) {
    it->Next();
    CheckStatus(*it, "next after seek");
  }
  it->Seek(target);
  if (it->Valid()) {
    it->Prev();
    CheckStatus(*it, "prev after seek");
  }
}

// Lays `entries` out with BlockBuilder and checks the parser reads them back.
void CheckRoundTrip(const Entries& entries, BlockKeyOrder order, int restart_interval) {
  BlockBuilder builder(restart_interval);
  for (const auto& [k, v] : entries) builder.Add(k, v);
  Block block(BlockContents{std::string(builder.Finish())});
  FUZZ_CHECK(block.well_formed(), "a built block is malformed");
  std::unique_ptr<InternalIterator> it = block.NewIterator(order);

  Entries forward;
  FUZZ_CHECK(ScanForward(it.get(), &forward), "a built block fails a forward scan");
  FUZZ_CHECK(forward == entries, "a built block reads back %zu entries of %zu differently",
             forward.size(), entries.size());
  Entries backward;
  FUZZ_CHECK(ScanBackward(it.get(), &backward, static_cast<int>(entries.size()) + 1),
             "a built block fails a backward scan");
  FUZZ_CHECK(Entries(backward.rbegin(), backward.rend()) == entries,
             "a built block reads back differently backward");
  for (size_t i = 0; i < entries.size(); ++i) {
    it->Seek(entries[i].first);
    FUZZ_CHECK(it->Valid() && it->key() == entries[i].first && it->value() == entries[i].second,
               "Seek to built entry %zu of %zu misses it", i, entries.size());
  }
}

void FuzzOneOrder(std::string_view input, BlockKeyOrder order) {
  Block block(BlockContents{std::string(input)});
  std::unique_ptr<InternalIterator> it = block.NewIterator(order);
  CheckStatus(*it, "new iterator");

  Entries forward;
  const bool clean = ScanForward(it.get(), &forward);
  Entries backward;
  ScanBackward(it.get(), &backward, kMaxBackwardSteps);

  // Seek targets: every key met (capped), and slices of the input itself,
  // some shorter than an internal key's trailer.
  size_t seeks = 0;
  for (const auto& entry : forward) {
    if (++seeks > 16) break;
    SeekAndStep(it.get(), entry.first);
  }
  for (size_t len : {size_t{0}, size_t{3}, size_t{8}, size_t{12}, size_t{24}}) {
    if (len <= input.size()) {
      SeekAndStep(it.get(), input.substr(0, len));
      SeekAndStep(it.get(), input.substr(input.size() - len));
    }
  }

  if (order == BlockKeyOrder::kBytewise) {
    TableProperties props;
    Status s = props.DecodeFrom(block);
    FUZZ_CHECK(s.ok() || s.IsCorruption(), "properties: %s", s.ToString().c_str());
    if (s.ok()) props.ToString();
  }

  if (!clean) return;
  for (size_t i = 1; i < forward.size(); ++i) {
    if (Compare(order, forward[i - 1].first, forward[i].first) >= 0) return;
  }
  const int restart_interval = input.empty() ? 1 : 1 + static_cast<unsigned char>(input[0]) % 32;
  CheckRoundTrip(forward, order, restart_interval);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  FuzzOneOrder(input, BlockKeyOrder::kInternalKey);
  FuzzOneOrder(input, BlockKeyOrder::kBytewise);
  return 0;
}
