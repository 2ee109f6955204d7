// Fuzz target: the table reader (core/table/table_reader) over arbitrary file
// bytes, through an in-memory RandomAccessFile: Open (footer, index, filter
// and properties blocks), point lookups, and full scans both ways, with data
// block checksums verified or not.
//
// Input: byte 0 is a mode, the rest is the table file.
//   mode bit 0  verify_checksums (Options): check data block checksums.
//   mode bit 1  reseal: before opening, recompute the footer checksum and the
//               trailer checksum of every block the footer and the index
//               name. Without it a mutation almost always stops at a
//               checksum; with it the mutated bytes reach the footer's
//               handles, the decompressors, the block parser and the
//               properties decoder.
//   mode bit 2  read through a block cache (the cached path of data blocks).
//
// Checks, beyond "no crash, no sanitizer report":
//  - Open fails only with Corruption or NotSupported (an in-memory file has
//    no I/O errors, and nothing here is an invalid argument);
//  - lookups, scans and seeks fail only with Corruption or NotSupported, and
//    never hand out an entry whose key is too short to be an internal key.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/cache/block_cache.h"
#include "core/checksum.h"
#include "core/coding.h"
#include "core/dbformat.h"
#include "core/options.h"
#include "core/table/block.h"
#include "core/table/format.h"
#include "core/table/table_reader.h"
#include "fuzz/fuzz_check.h"
#include "fuzz/memory_files.h"

namespace {

using namespace strata;

// Lookups per input: enough to reach every data block of a seed table
// (whose blocks hold a few entries each), few enough to keep inputs fast.
constexpr size_t kMaxLookups = 16;

bool Within(const BlockHandle& h, uint64_t limit) {
  return h.offset() <= limit && h.size() <= limit - h.offset() &&
         kBlockTrailerBytes <= limit - h.offset() - h.size();
}

void ResealBlock(std::string* file, const BlockHandle& h) {
  if (!Within(h, file->size())) return;
  char* contents = file->data() + h.offset();
  const size_t n = static_cast<size_t>(h.size());
  EncodeFixed32(contents + n + 1, Checksum32(contents, n + 1));
}

// Makes every checksum the reader will check match the (mutated) bytes.
void Reseal(std::string* file) {
  if (file->size() < Footer::kEncodedLength) return;
  char* footer = file->data() + file->size() - Footer::kEncodedLength;
  EncodeFixed32(footer + Footer::kHandleAreaBytes + 4,
                Checksum32(footer, Footer::kHandleAreaBytes + 4));
  std::string_view handles(footer, Footer::kHandleAreaBytes);
  BlockHandle index, filter, properties;
  if (!index.DecodeFrom(&handles).ok() || !filter.DecodeFrom(&handles).ok() ||
      !properties.DecodeFrom(&handles).ok()) {
    return;
  }
  ResealBlock(file, index);
  ResealBlock(file, filter);
  ResealBlock(file, properties);

  // Data blocks: named by the index block's values.
  fuzz::StringRandomAccessFile reader(*file);
  BlockContents contents;
  if (!Within(index, file->size()) || !ReadBlock(&reader, index, false, &contents).ok()) return;
  Block index_block(std::move(contents));
  std::vector<BlockHandle> data_blocks;
  std::unique_ptr<InternalIterator> it = index_block.NewIterator(BlockKeyOrder::kInternalKey);
  for (it->SeekToFirst(); it->Valid() && data_blocks.size() < 4096; it->Next()) {
    std::string_view v = it->value();
    BlockHandle h;
    if (h.DecodeFrom(&v).ok()) data_blocks.push_back(h);
  }
  for (const BlockHandle& h : data_blocks) ResealBlock(file, h);
}

void CheckReadStatus(const Status& s, const char* where) {
  FUZZ_CHECK(s.ok() || s.IsCorruption() || s.IsNotSupported(), "%s: %s", where,
             s.ToString().c_str());
}

// A table iterator hands out raw entries: a damaged kind byte in a block whose
// checksum was not verified passes through, and every consumer (DBIterator,
// compaction, Get, verify) parses the key and reports Corruption. What the
// block layer does promise is that every key is long enough to parse.
void CheckEntry(const InternalIterator& it, const char* where) {
  FUZZ_CHECK(it.key().size() >= kInternalKeyTrailerBytes,
             "%s handed out a key of %zu bytes, too short for an internal key", where,
             it.key().size());
}

void ExerciseReader(const TableReader& reader, std::string_view file) {
  reader.properties().ToString();
  std::vector<std::string> keys;  // internal keys met in the scan

  TableReadOptions read_options;
  std::unique_ptr<InternalIterator> it = reader.NewIterator(read_options);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    CheckEntry(*it, "forward scan");
    if (keys.size() < kMaxLookups) keys.emplace_back(it->key());
  }
  CheckReadStatus(it->status(), "forward scan");
  int steps = 0;
  for (it->SeekToLast(); it->Valid() && steps < 256; it->Prev(), ++steps) {
    CheckEntry(*it, "backward scan");
  }
  CheckReadStatus(it->status(), "backward scan");

  // Lookups: the keys met, plus user keys cut from the file's bytes (which
  // exercises the bloom filter's negative answers).
  std::vector<std::string> user_keys;
  for (const std::string& k : keys) user_keys.emplace_back(ExtractUserKey(k));
  for (size_t len : {size_t{0}, size_t{4}, size_t{16}}) {
    if (len <= file.size()) user_keys.emplace_back(file.substr(file.size() / 2, len));
  }
  for (size_t i = 0; i < user_keys.size(); ++i) {
    const std::string& user_key = user_keys[i];
    // Alternately the newest version and (mostly) none visible.
    for (SequenceNumber seq : {i % 2 == 0 ? kMaxSequenceNumber : SequenceNumber{1}}) {
      LookupKey lookup(user_key, seq);
      TableGetResult result;
      std::string value;
      CheckReadStatus(reader.Get(lookup, &result, &value, read_options), "Get");
      it->Seek(lookup.internal_key());
      if (it->Valid()) {
        CheckEntry(*it, "seek");
        it->Prev();
      }
      CheckReadStatus(it->status(), "seek");
      reader.ApproximateOffsetOf(lookup.internal_key());
      reader.KeyMayMatch(user_key);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t mode = data[0];
  std::string file(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (mode & 2) Reseal(&file);

  Options options;
  options.verify_checksums = (mode & 1) != 0;
  std::unique_ptr<BlockCache> cache;
  if (mode & 4) cache = std::make_unique<BlockCache>(1 << 20, 0);

  std::unique_ptr<TableReader> reader;
  Status s = TableReader::Open(options, std::make_unique<fuzz::StringRandomAccessFile>(file),
                               file.size(), /*file_number=*/7, cache.get(), &reader);
  CheckReadStatus(s, "Open");
  FUZZ_CHECK(s.ok() == (reader != nullptr), "Open's status and output disagree");
  if (!s.ok()) return 0;
  ExerciseReader(*reader, file);
  if (cache) ExerciseReader(*reader, file);  // again, now served from the cache
  return 0;
}
