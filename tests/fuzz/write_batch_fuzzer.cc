// Fuzz target: the write batch decoder (core/write_batch: SetContents and
// Iterate), which decodes every WAL record at recovery, over arbitrary bytes.
//
// Input: the encoded batch, exactly as a WAL record's payload holds it.
//
// Checks, beyond "no crash, no sanitizer report":
//  - SetContents refuses exactly the inputs shorter than the header, and a
//    failed Iterate is Corruption;
//  - a batch that decodes is re-encoded by Put/Delete into one that decodes to
//    the same operations, count and sequence, and Append of it onto itself
//    doubles them (the group-commit path);
//  - replayed into a MemTable the way recovery does (operation i at sequence
//    + i), every key reads back as the batch's last operation on it.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/dbformat.h"
#include "core/memtable/memtable.h"
#include "core/write_batch.h"
#include "fuzz/fuzz_check.h"

namespace {

using namespace strata;

struct Op {
  enum Kind { kPut, kDelete, kDeleteRange } kind;
  std::string key;
  std::string value;
  bool operator==(const Op&) const = default;
};

struct Recorder : WriteBatch::Handler {
  std::vector<Op> ops;
  void Put(std::string_view k, std::string_view v) override {
    ops.push_back({Op::kPut, std::string(k), std::string(v)});
  }
  void Delete(std::string_view k) override { ops.push_back({Op::kDelete, std::string(k), {}}); }
  void DeleteRange(std::string_view s, std::string_view e) override {
    ops.push_back({Op::kDeleteRange, std::string(s), std::string(e)});
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  WriteBatch batch;
  Status s = batch.SetContents(input);
  FUZZ_CHECK(s.ok() == (size >= kWriteBatchHeaderBytes), "SetContents(%zu bytes): %s", size,
             s.ToString().c_str());
  if (!s.ok()) return 0;
  FUZZ_CHECK(batch.Contents() == input, "SetContents did not keep the bytes");

  Recorder decoded;
  s = batch.Iterate(&decoded);
  if (!s.ok()) {
    FUZZ_CHECK(s.IsCorruption(), "Iterate failed with %s", s.ToString().c_str());
    return 0;
  }
  FUZZ_CHECK(decoded.ops.size() == batch.Count(), "%zu ops decoded, header says %u",
             decoded.ops.size(), batch.Count());

  // Re-encode through the public builder.
  WriteBatch rebuilt;
  rebuilt.SetSequence(batch.Sequence());
  for (const Op& op : decoded.ops) {
    switch (op.kind) {
      case Op::kPut: rebuilt.Put(op.key, op.value); break;
      case Op::kDelete: rebuilt.Delete(op.key); break;
      case Op::kDeleteRange: rebuilt.DeleteRange(op.key, op.value); break;
    }
  }
  Recorder again;
  FUZZ_CHECK(rebuilt.Iterate(&again).ok(), "a rebuilt batch does not decode");
  FUZZ_CHECK(again.ops == decoded.ops, "the rebuilt batch decodes differently");
  FUZZ_CHECK(rebuilt.Count() == batch.Count() && rebuilt.Sequence() == batch.Sequence(),
             "the rebuilt batch has another count or sequence");

  WriteBatch doubled = rebuilt;
  doubled.Append(rebuilt);
  Recorder twice;
  FUZZ_CHECK(doubled.Iterate(&twice).ok(), "an appended batch does not decode");
  FUZZ_CHECK(twice.ops.size() == 2 * decoded.ops.size() &&
                 std::equal(decoded.ops.begin(), decoded.ops.end(), twice.ops.begin()) &&
                 std::equal(decoded.ops.begin(), decoded.ops.end(),
                            twice.ops.begin() + decoded.ops.size()),
             "Append did not concatenate the operations");

  // Replay like recovery. MemTable::Add requires sequences <= the maximum;
  // a batch whose numbers would pass it is left out here (see
  // docs/RELIABILITY.md: recovery itself must refuse such a record).
  const SequenceNumber first = batch.Sequence();
  if (decoded.ops.empty() || first > kMaxSequenceNumber ||
      decoded.ops.size() - 1 > kMaxSequenceNumber - first) {
    return 0;
  }
  MemTable mem(MemTableKind::kSkipList);
  std::map<std::string, std::optional<std::string>> last;  // nullopt: deleted
  SequenceNumber seq = first;
  for (const Op& op : decoded.ops) {
    if (op.kind == Op::kDeleteRange) {
      // Kept beside the entries: a memtable lookup does not apply it (the
      // engine asks the read's RangeTombstoneSet), so `last` is unchanged.
      mem.AddRangeDeletion(seq++, op.key, op.value);
      continue;
    }
    const bool is_put = op.kind == Op::kPut;
    mem.Add(seq++, is_put ? ValueKind::kValue : ValueKind::kDeletion, op.key, op.value);
    last[op.key] = is_put ? std::optional<std::string>(op.value) : std::nullopt;
  }
  FUZZ_CHECK(mem.RangeDeletions().size() == mem.NumRangeDeletions(),
             "the memtable lost a range delete");
  for (const auto& [key, expected] : last) {
    std::string value;
    MemTable::LookupResult r = mem.Get(LookupKey(key, kMaxSequenceNumber), &value);
    if (expected) {
      FUZZ_CHECK(r == MemTable::LookupResult::kFound && value == *expected,
                 "replayed key reads back wrong");
    } else {
      FUZZ_CHECK(r == MemTable::LookupResult::kDeleted, "replayed delete reads back wrong");
    }
  }
  return 0;
}
