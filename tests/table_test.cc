// Tables: TableBuilder's files read back by TableReader, with every
// compression kind, against a std::map model; damage must surface as
// Corruption, never as data.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "core/cache/block_cache.h"
#include "core/checksum.h"
#include "core/coding.h"
#include "core/dbformat.h"
#include "core/env.h"
#include "core/options.h"
#include "core/table/format.h"
#include "core/table/table_builder.h"
#include "core/table/table_reader.h"
#include "support/temp_dir.h"

namespace strata {
namespace {

struct InternalKeyLess {
  bool operator()(const std::string& a, const std::string& b) const {
    return CompareInternalKeys(a, b) < 0;
  }
};
using Model = std::map<std::string, std::string, InternalKeyLess>;

std::string IKey(std::string_view user_key, SequenceNumber seq,
                 ValueKind kind = ValueKind::kValue) {
  std::string k;
  AppendInternalKey(&k, user_key, seq, kind);
  return k;
}

ValueKind KindOf(std::string_view ikey) {
  ParsedInternalKey p;
  EXPECT_TRUE(ParseInternalKey(ikey, &p));
  return p.kind;
}

Env* env() { return Env::Default(); }

// Writes `model` as a table at path; returns the file size.
uint64_t WriteTable(const std::string& path, const Options& options, const Model& model,
                    TableProperties* props = nullptr) {
  std::unique_ptr<WritableFile> file;
  EXPECT_TRUE(env()->NewWritableFile(path, &file).ok());
  TableBuilder builder(options, file.get());
  for (const auto& [k, v] : model) {
    Status s = builder.Add(k, v);
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
  EXPECT_EQ(builder.NumEntries(), model.size());
  Status s = builder.Finish();
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(file->Sync().ok());
  EXPECT_TRUE(file->Close().ok());
  uint64_t size = 0;
  EXPECT_TRUE(env()->GetFileSize(path, &size).ok());
  EXPECT_EQ(size, builder.FileSize());
  if (!model.empty()) {
    EXPECT_EQ(builder.smallest_key(), model.begin()->first);
    EXPECT_EQ(builder.largest_key(), model.rbegin()->first);
  }
  if (props) *props = builder.properties();
  return size;
}

Status OpenTable(const std::string& path, const Options& options, BlockCache* cache,
                 std::unique_ptr<TableReader>* out, uint64_t number = 7) {
  uint64_t size = 0;
  STRATA_RETURN_IF_ERROR(env()->GetFileSize(path, &size));
  std::unique_ptr<RandomAccessFile> file;
  // Mapped as the table cache maps it (Options::mmap_reads); kAuto's choice
  // is the table cache's, tested in db_mapping_test.cc.
  const bool mapped = options.mmap_reads == MmapReads::kAlways;
  STRATA_RETURN_IF_ERROR(mapped ? env()->NewMappedRandomAccessFile(path, &file)
                                : env()->NewRandomAccessFile(path, &file));
  if (mapped && env() == Env::Default() && file->mapped().empty()) {
    return Status::IOError("expected a mapped file: " + path);
  }
  return TableReader::Open(options, std::move(file), size, number, cache, out);
}

// The expected answer of TableReader::Get, from the model.
TableGetResult ModelGet(const Model& m, std::string_view user_key, SequenceNumber seq,
                        std::string* value) {
  LookupKey lk(user_key, seq);
  auto it = m.lower_bound(std::string(lk.internal_key()));
  if (it == m.end() || ExtractUserKey(it->first) != user_key) return TableGetResult::kNotFound;
  if (KindOf(it->first) == ValueKind::kDeletion) return TableGetResult::kDeletion;
  *value = it->second;
  return TableGetResult::kValue;
}

void ExpectScanMatches(TableReader* reader, const Model& m) {
  auto it = reader->NewIterator();
  auto expected = m.begin();
  for (it->SeekToFirst(); it->Valid(); it->Next(), ++expected) {
    ASSERT_NE(expected, m.end());
    ASSERT_EQ(it->key(), expected->first);
    ASSERT_EQ(it->value(), expected->second);
  }
  ASSERT_TRUE(it->status().ok()) << it->status().ToString();
  ASSERT_EQ(expected, m.end());

  auto back = m.rbegin();
  for (it->SeekToLast(); it->Valid(); it->Prev(), ++back) {
    ASSERT_NE(back, m.rend());
    ASSERT_EQ(it->key(), back->first);
    ASSERT_EQ(it->value(), back->second);
  }
  ASSERT_TRUE(it->status().ok()) << it->status().ToString();
  ASSERT_EQ(back, m.rend());
}

// Repetitive enough to compress.
std::string CompressibleValue(std::mt19937_64& rng, size_t len) {
  static const std::string kWords[] = {"alpha ", "beta ", "gamma ", "delta ", "epsilon "};
  std::string v;
  while (v.size() < len) v += kWords[rng() % 5];
  v.resize(len);
  return v;
}

class TableTest : public ::testing::Test {
 protected:
  test::TempDir dir_;
};

// Parameters: the compression, and whether the table is read through a
// mapping (Options::mmap_reads) or with pread.
class TableCompressionTest
    : public TableTest,
      public ::testing::WithParamInterface<std::tuple<CompressionKind, bool>> {
 protected:
  CompressionKind Compression() const { return std::get<0>(GetParam()); }
  bool Mapped() const { return std::get<1>(GetParam()); }
};

TEST_P(TableCompressionTest, RoundTrip100k) {
  Options options;
  options.compression = Compression();
  options.mmap_reads = Mapped() ? MmapReads::kAlways : MmapReads::kNever;
  std::mt19937_64 rng(static_cast<uint64_t>(Compression()) + 11);

  Model m;
  SequenceNumber seq = 1;
  std::vector<std::string> user_keys;
  for (int i = 0; i < 100000; ++i) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "user%08d", i * 2);  // odd numbers stay absent
    std::string user(buf);
    if (i % 10 == 3) user += std::string("\0tail\0", 6);  // NUL bytes inside keys
    user_keys.push_back(user);
    // Some keys get several versions (newest first in the table).
    int versions = i % 13 == 0 ? 3 : 1;
    for (int v = 0; v < versions; ++v) {
      ValueKind kind = (i + v) % 7 == 0 ? ValueKind::kDeletion : ValueKind::kValue;
      std::string value;
      if (kind == ValueKind::kValue && i % 11 != 0) value = CompressibleValue(rng, rng() % 120);
      m[IKey(user, seq++, kind)] = value;  // empty for deletions and every 11th key
    }
  }
  // The empty user key too.
  m[IKey("", seq++)] = "empty key";

  const std::string path = dir_.Sub("t.sst");
  TableProperties built;
  const uint64_t size = WriteTable(path, options, m, &built);

  BlockCache cache(8 << 20);
  std::unique_ptr<TableReader> reader;
  ASSERT_TRUE(OpenTable(path, options, &cache, &reader).ok());

  const TableProperties& p = reader->properties();
  EXPECT_EQ(p.num_entries, m.size());
  uint64_t deletions = 0;
  for (const auto& [k, v] : m) deletions += KindOf(k) == ValueKind::kDeletion;
  EXPECT_EQ(p.num_deletions, deletions);
  EXPECT_EQ(p.smallest_key, m.begin()->first);
  EXPECT_EQ(p.largest_key, m.rbegin()->first);
  EXPECT_EQ(p.compression, Compression());
  EXPECT_EQ(p.smallest_sequence, 1u);
  EXPECT_EQ(p.largest_sequence, seq - 1);
  EXPECT_EQ(p.num_data_blocks, built.num_data_blocks);
  EXPECT_GT(p.num_data_blocks, 100u);
  EXPECT_EQ(p.bloom_bits_per_key, 10u);
  EXPECT_GT(p.filter_bytes, 0u);
  EXPECT_EQ(p.data_bytes + p.index_bytes + p.filter_bytes, built.data_bytes + built.index_bytes +
                                                               built.filter_bytes);
  EXPECT_LT(p.data_bytes, size);
  if (Compression() != CompressionKind::kNone) {
    // The values compress well: the data must have shrunk.
    EXPECT_LT(p.data_bytes, (p.raw_key_bytes + p.raw_value_bytes) * 3 / 4);
  }

  ExpectScanMatches(reader.get(), m);

  // Every present key, at the newest snapshot and at an older one.
  std::string value;
  TableGetResult result;
  for (size_t i = 0; i < user_keys.size(); ++i) {
    const std::string& user = user_keys[i];
    for (SequenceNumber snap : {kMaxSequenceNumber, static_cast<SequenceNumber>(rng() % seq)}) {
      std::string expected_value;
      TableGetResult expected = ModelGet(m, user, snap, &expected_value);
      ASSERT_TRUE(reader->Get(LookupKey(user, snap), &result, &value).ok());
      ASSERT_EQ(result, expected) << i;
      if (expected == TableGetResult::kValue) {
        ASSERT_EQ(value, expected_value) << i;
      }
    }
  }
  ASSERT_TRUE(reader->Get(LookupKey("", kMaxSequenceNumber), &result, &value).ok());
  ASSERT_EQ(result, TableGetResult::kValue);
  EXPECT_EQ(value, "empty key");

  // Absent keys: between, before and after the present ones.
  int absent_hits_filter = 0;
  for (int i = 0; i < 20000; ++i) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "user%08d", i * 2 + 1);
    ASSERT_TRUE(reader->Get(LookupKey(buf, kMaxSequenceNumber), &result, &value).ok());
    ASSERT_EQ(result, TableGetResult::kNotFound) << buf;
    absent_hits_filter += reader->KeyMayMatch(buf);
  }
  EXPECT_LT(absent_hits_filter, 20000 * 2 / 100);
  for (std::string absent : {std::string("a"), std::string("zzz"), std::string("user"),
                             std::string("user00000006\0", 13), std::string(1, '\0')}) {
    ASSERT_TRUE(reader->Get(LookupKey(absent, kMaxSequenceNumber), &result, &value).ok());
    EXPECT_EQ(result, TableGetResult::kNotFound);
  }

  // Random seeks against the model, with steps either way.
  auto it = reader->NewIterator();
  for (int trial = 0; trial < 2000; ++trial) {
    std::string target = IKey(user_keys[rng() % user_keys.size()] + (trial % 3 ? "" : "~"),
                              rng() % seq);
    auto expected = m.lower_bound(target);
    it->Seek(target);
    ASSERT_EQ(it->Valid(), expected != m.end());
    if (!it->Valid()) continue;
    ASSERT_EQ(it->key(), expected->first);
    for (int step = 0; step < 3; ++step) {
      if (trial % 2) {
        it->Next();
        ++expected;
        ASSERT_EQ(it->Valid(), expected != m.end());
      } else {
        it->Prev();
        if (expected == m.begin()) {
          ASSERT_FALSE(it->Valid());
          break;
        }
        --expected;
      }
      if (!it->Valid()) break;
      ASSERT_EQ(it->key(), expected->first);
      ASSERT_EQ(it->value(), expected->second);
    }
  }
  ASSERT_TRUE(it->status().ok());

  // ApproximateOffsetOf grows with the key and stays inside the data.
  uint64_t last = 0;
  for (size_t i = 0; i < user_keys.size(); i += 997) {
    uint64_t off = reader->ApproximateOffsetOf(IKey(user_keys[i], kMaxSequenceNumber));
    EXPECT_GE(off, last);
    last = off;
  }
  EXPECT_LE(reader->ApproximateOffsetOf(IKey("zzzz", 1)), size);
  EXPECT_GT(reader->ApproximateOffsetOf(IKey("zzzz", 1)), size / 2);
  EXPECT_EQ(reader->ApproximateOffsetOf(IKey("", kMaxSequenceNumber)), 0u);
}

TEST_P(TableCompressionTest, LargeAndEmptyValues) {
  Options options;
  options.compression = Compression();
  options.mmap_reads = Mapped() ? MmapReads::kAlways : MmapReads::kNever;
  std::mt19937_64 rng(3);
  Model m;
  std::string random_big(3 << 20, '\0');
  for (auto& c : random_big) c = static_cast<char>(rng());
  m[IKey("a", 1)] = "";
  m[IKey("b", 2)] = random_big;                           // incompressible, 3 MiB
  m[IKey("c", 3)] = std::string(3 << 20, 'x');            // compressible, 3 MiB
  m[IKey(std::string("d\0d", 3), 4)] = "";                // NUL in key, empty value
  m[IKey("e", 5, ValueKind::kDeletion)] = "";
  m[IKey("f", 6)] = CompressibleValue(rng, (3 << 20) + 17);
  m[IKey("g", 7)] = "small";

  const std::string path = dir_.Sub("big.sst");
  WriteTable(path, options, m);
  BlockCache cache(16 << 20);
  std::unique_ptr<TableReader> reader;
  ASSERT_TRUE(OpenTable(path, options, &cache, &reader).ok());
  ExpectScanMatches(reader.get(), m);

  std::string value = "junk";
  TableGetResult result;
  ASSERT_TRUE(reader->Get(LookupKey("a", 10), &result, &value).ok());
  EXPECT_EQ(result, TableGetResult::kValue);
  EXPECT_EQ(value, "");
  ASSERT_TRUE(reader->Get(LookupKey("b", 10), &result, &value).ok());
  EXPECT_EQ(result, TableGetResult::kValue);
  EXPECT_EQ(value, random_big);
  ASSERT_TRUE(reader->Get(LookupKey("c", 10), &result, &value).ok());
  EXPECT_EQ(value, std::string(3 << 20, 'x'));
  ASSERT_TRUE(reader->Get(LookupKey(std::string("d\0d", 3), 10), &result, &value).ok());
  EXPECT_EQ(result, TableGetResult::kValue);
  EXPECT_EQ(value, "");
  ASSERT_TRUE(reader->Get(LookupKey("d", 10), &result, &value).ok());
  EXPECT_EQ(result, TableGetResult::kNotFound);
  ASSERT_TRUE(reader->Get(LookupKey("e", 10), &result, &value).ok());
  EXPECT_EQ(result, TableGetResult::kDeletion);
  // A snapshot older than every version of "c" sees nothing.
  ASSERT_TRUE(reader->Get(LookupKey("c", 2), &result, &value).ok());
  EXPECT_EQ(result, TableGetResult::kNotFound);
}

std::string ParamName(const ::testing::TestParamInfo<std::tuple<CompressionKind, bool>>& info) {
  return std::string(CompressionKindName(std::get<0>(info.param))) +
         (std::get<1>(info.param) ? "_mapped" : "_pread");
}

INSTANTIATE_TEST_SUITE_P(Compression, TableCompressionTest,
                         ::testing::Combine(::testing::Values(CompressionKind::kNone,
                                                              CompressionKind::kLz4,
                                                              CompressionKind::kZstd),
                                            ::testing::Bool()),
                         ParamName);

TEST_F(TableTest, EmptyTable) {
  Options options;
  const std::string path = dir_.Sub("empty.sst");
  WriteTable(path, options, Model());
  std::unique_ptr<TableReader> reader;
  ASSERT_TRUE(OpenTable(path, options, nullptr, &reader).ok());
  EXPECT_EQ(reader->properties().num_entries, 0u);
  auto it = reader->NewIterator();
  it->SeekToFirst();
  EXPECT_FALSE(it->Valid());
  it->SeekToLast();
  EXPECT_FALSE(it->Valid());
  it->Seek(IKey("a", 1));
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().ok());
  std::string value;
  TableGetResult result;
  ASSERT_TRUE(reader->Get(LookupKey("a", 1), &result, &value).ok());
  EXPECT_EQ(result, TableGetResult::kNotFound);
}

TEST_F(TableTest, NoFilterWhenBitsPerKeyIsZero) {
  Options options;
  options.bloom_bits_per_key = 0;
  Model m;
  for (int i = 0; i < 1000; ++i) m[IKey("k" + std::to_string(i), 1)] = "v";
  const std::string path = dir_.Sub("nofilter.sst");
  WriteTable(path, options, m);
  std::unique_ptr<TableReader> reader;
  ASSERT_TRUE(OpenTable(path, options, nullptr, &reader).ok());
  EXPECT_EQ(reader->properties().filter_bytes, 0u);
  EXPECT_TRUE(reader->KeyMayMatch("absent"));
  std::string value;
  TableGetResult result;
  ASSERT_TRUE(reader->Get(LookupKey("k5", 9), &result, &value).ok());
  EXPECT_EQ(result, TableGetResult::kValue);
  ASSERT_TRUE(reader->Get(LookupKey("absent", 9), &result, &value).ok());
  EXPECT_EQ(result, TableGetResult::kNotFound);
}

TEST_F(TableTest, OutOfOrderAddIsRefused) {
  Options options;
  std::unique_ptr<WritableFile> file;
  ASSERT_TRUE(env()->NewWritableFile(dir_.Sub("bad.sst"), &file).ok());
  TableBuilder builder(options, file.get());
  ASSERT_TRUE(builder.Add(IKey("b", 5), "v").ok());
  EXPECT_TRUE(builder.Add(IKey("a", 5), "v").IsInvalidArgument());
  // Same user key, higher sequence sorts first: also out of order.
  EXPECT_TRUE(builder.Add(IKey("c", 1), "v").IsInvalidArgument());  // sticky
  EXPECT_TRUE(builder.Finish().IsInvalidArgument());

  std::unique_ptr<WritableFile> file2;
  ASSERT_TRUE(env()->NewWritableFile(dir_.Sub("bad2.sst"), &file2).ok());
  TableBuilder b2(options, file2.get());
  ASSERT_TRUE(b2.Add(IKey("k", 5), "v").ok());
  EXPECT_TRUE(b2.Add(IKey("k", 6), "v").IsInvalidArgument());
  b2.Abandon();

  std::unique_ptr<WritableFile> file3;
  ASSERT_TRUE(env()->NewWritableFile(dir_.Sub("bad3.sst"), &file3).ok());
  TableBuilder b3(options, file3.get());
  EXPECT_TRUE(b3.Add("short", "v").IsInvalidArgument());
  b3.Abandon();
}

// A table spread over many blocks, for the damage tests.
Model ManyBlocksModel() {
  Model m;
  std::mt19937_64 rng(17);
  for (int i = 0; i < 5000; ++i) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "key%06d", i);
    m[IKey(buf, i + 1)] = CompressibleValue(rng, 50 + rng() % 50);
  }
  return m;
}

void FlipByte(const std::string& path, uint64_t offset) {
  std::string data;
  ASSERT_TRUE(ReadFileToString(env(), path, &data).ok());
  ASSERT_LT(offset, data.size());
  data[offset] ^= 0x40;
  std::unique_ptr<WritableFile> f;
  ASSERT_TRUE(env()->NewWritableFile(path, &f).ok());
  ASSERT_TRUE(f->Append(data).ok());
  ASSERT_TRUE(f->Close().ok());
}

class TableDamageTest : public TableCompressionTest {};

TEST_P(TableDamageTest, FlippedDataByteIsCorruptionOnGetAndScan) {
  Options options;
  options.compression = Compression();
  options.mmap_reads = Mapped() ? MmapReads::kAlways : MmapReads::kNever;
  const Model m = ManyBlocksModel();
  const std::string path = dir_.Sub("damaged.sst");
  WriteTable(path, options, m);

  // Find the block holding a key in the middle, then damage it.
  uint64_t block_offset;
  uint64_t next_block_offset;
  {
    std::unique_ptr<TableReader> reader;
    ASSERT_TRUE(OpenTable(path, options, nullptr, &reader).ok());
    block_offset = reader->ApproximateOffsetOf(IKey("key002500", kMaxSequenceNumber));
    next_block_offset = reader->ApproximateOffsetOf(IKey("key002600", kMaxSequenceNumber));
    ASSERT_GT(block_offset, 0u);
    ASSERT_GT(next_block_offset, block_offset + 12);
  }
  FlipByte(path, block_offset + 10);

  BlockCache cache(1 << 20);
  std::unique_ptr<TableReader> reader;
  ASSERT_TRUE(OpenTable(path, options, &cache, &reader).ok());

  std::string value;
  TableGetResult result;
  Status s = reader->Get(LookupKey("key002500", kMaxSequenceNumber), &result, &value);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_EQ(result, TableGetResult::kNotFound);
  EXPECT_NE(s.message().find("offset " + std::to_string(block_offset)), std::string::npos)
      << s.ToString();
  // Other blocks still answer.
  ASSERT_TRUE(reader->Get(LookupKey("key000001", kMaxSequenceNumber), &result, &value).ok());
  EXPECT_EQ(result, TableGetResult::kValue);

  // A forward scan yields correct entries up to the damage, then stops with
  // Corruption; never a wrong entry.
  auto it = reader->NewIterator();
  auto expected = m.begin();
  size_t seen = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next(), ++expected, ++seen) {
    ASSERT_NE(expected, m.end());
    ASSERT_EQ(it->key(), expected->first);
    ASSERT_EQ(it->value(), expected->second);
  }
  EXPECT_TRUE(it->status().IsCorruption()) << it->status().ToString();
  EXPECT_GT(seen, 1000u);
  EXPECT_LT(seen, 2600u);
  // Backward from the end, likewise.
  auto it2 = reader->NewIterator();
  auto back = m.rbegin();
  for (it2->SeekToLast(); it2->Valid(); it2->Prev(), ++back) {
    ASSERT_EQ(it2->key(), back->first);
    ASSERT_EQ(it2->value(), back->second);
  }
  EXPECT_TRUE(it2->status().IsCorruption());
  // Seeking into the damaged block.
  auto it3 = reader->NewIterator();
  it3->Seek(IKey("key002500", kMaxSequenceNumber));
  EXPECT_FALSE(it3->Valid());
  EXPECT_TRUE(it3->status().IsCorruption());
}

TEST_P(TableDamageTest, UnverifiedDamageNeverCrashes) {
  Options options;
  options.compression = Compression();
  options.mmap_reads = Mapped() ? MmapReads::kAlways : MmapReads::kNever;
  options.verify_checksums = false;
  const Model m = ManyBlocksModel();
  const std::string path = dir_.Sub("unverified.sst");
  const uint64_t size = WriteTable(path, options, m);
  std::string pristine;
  ASSERT_TRUE(ReadFileToString(env(), path, &pristine).ok());
  std::unique_ptr<TableReader> probe;
  ASSERT_TRUE(OpenTable(path, options, nullptr, &probe).ok());
  const uint64_t data_end = probe->properties().data_bytes;
  probe.reset();

  std::mt19937_64 rng(1);
  for (int trial = 0; trial < 40; ++trial) {
    std::string data = pristine;
    for (int i = 0; i < 5; ++i) data[rng() % data_end] ^= static_cast<char>(1 + rng() % 255);
    std::unique_ptr<WritableFile> f;
    ASSERT_TRUE(env()->NewWritableFile(path, &f).ok());
    ASSERT_TRUE(f->Append(data).ok());
    ASSERT_TRUE(f->Close().ok());
    std::unique_ptr<TableReader> reader;
    ASSERT_TRUE(OpenTable(path, options, nullptr, &reader).ok());
    auto it = reader->NewIterator();
    size_t steps = 0;
    for (it->SeekToFirst(); it->Valid() && steps < 20000; it->Next()) ++steps;
    EXPECT_TRUE(it->status().ok() || it->status().IsCorruption()) << it->status().ToString();
    std::string value;
    TableGetResult result;
    Status s = reader->Get(LookupKey("key001234", kMaxSequenceNumber), &result, &value);
    EXPECT_TRUE(s.ok() || s.IsCorruption()) << s.ToString();
  }
  EXPECT_GT(size, data_end);
}

INSTANTIATE_TEST_SUITE_P(Compression, TableDamageTest,
                         ::testing::Combine(::testing::Values(CompressionKind::kNone,
                                                              CompressionKind::kLz4,
                                                              CompressionKind::kZstd),
                                            ::testing::Bool()),
                         ParamName);

TEST_F(TableTest, TruncatedFileFailsOpen) {
  Options options;
  const Model m = ManyBlocksModel();
  const std::string path = dir_.Sub("trunc.sst");
  const uint64_t size = WriteTable(path, options, m);
  for (uint64_t cut : {uint64_t{0}, uint64_t{10}, uint64_t{Footer::kEncodedLength - 1},
                       uint64_t{Footer::kEncodedLength}, size / 2, size - 1}) {
    std::unique_ptr<RandomAccessFile> file;
    ASSERT_TRUE(env()->NewRandomAccessFile(path, &file).ok());
    // Tell the reader the file is shorter, as a torn copy would be.
    std::unique_ptr<TableReader> reader;
    Status s = TableReader::Open(options, std::move(file), cut, 1, nullptr, &reader);
    EXPECT_TRUE(s.IsCorruption()) << cut << ": " << s.ToString();
    EXPECT_EQ(reader, nullptr);
  }
  // Truncated on disk, with the true (new) size.
  ASSERT_TRUE(env()->TruncateFile(path, size - 100).ok());
  std::unique_ptr<TableReader> reader;
  EXPECT_TRUE(OpenTable(path, options, nullptr, &reader).IsCorruption());
  // A file claiming to be longer than it is: short reads are Corruption too.
  std::unique_ptr<RandomAccessFile> file;
  ASSERT_TRUE(env()->NewRandomAccessFile(path, &file).ok());
  EXPECT_TRUE(TableReader::Open(options, std::move(file), size, 1, nullptr, &reader).IsCorruption());
}

TEST_F(TableTest, BadFooterFailsOpen) {
  Options options;
  const Model m = ManyBlocksModel();
  const std::string path = dir_.Sub("footer.sst");
  const uint64_t size = WriteTable(path, options, m);
  std::string pristine;
  ASSERT_TRUE(ReadFileToString(env(), path, &pristine).ok());
  auto restore = [&] {
    std::unique_ptr<WritableFile> f;
    ASSERT_TRUE(env()->NewWritableFile(path, &f).ok());
    ASSERT_TRUE(f->Append(pristine).ok());
    ASSERT_TRUE(f->Close().ok());
  };
  const uint64_t footer = size - Footer::kEncodedLength;

  // Magic number.
  FlipByte(path, size - 3);
  std::unique_ptr<TableReader> reader;
  Status s = OpenTable(path, options, nullptr, &reader);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("magic"), std::string::npos) << s.ToString();
  restore();

  // Every byte of the handles, version and checksum is covered.
  for (uint64_t off = footer; off < size - 8; off += 3) {
    FlipByte(path, off);
    s = OpenTable(path, options, nullptr, &reader);
    EXPECT_TRUE(s.IsCorruption()) << off - footer << ": " << s.ToString();
    restore();
  }

  // Damage to the index block (which Open always verifies).
  ASSERT_TRUE(OpenTable(path, options, nullptr, &reader).ok());
  const uint64_t index_offset = reader->properties().data_bytes + reader->properties().filter_bytes;
  reader.reset();
  FlipByte(path, index_offset + 5);
  s = OpenTable(path, options, nullptr, &reader);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  restore();

  // Not a table at all.
  std::unique_ptr<WritableFile> f;
  ASSERT_TRUE(env()->NewWritableFile(path, &f).ok());
  ASSERT_TRUE(f->Append(std::string(4096, 'z')).ok());
  ASSERT_TRUE(f->Close().ok());
  EXPECT_TRUE(OpenTable(path, options, nullptr, &reader).IsCorruption());
}

TEST_F(TableTest, BlockCacheServesRepeatedReads) {
  Options options;
  options.mmap_reads = MmapReads::kNever;  // a mapped table's uncompressed blocks bypass the cache
  const Model m = ManyBlocksModel();
  const std::string path = dir_.Sub("cached.sst");
  WriteTable(path, options, m);
  BlockCache cache(4 << 20, 0);
  std::unique_ptr<TableReader> reader;
  ASSERT_TRUE(OpenTable(path, options, &cache, &reader).ok());
  EXPECT_EQ(cache.GetStats().reserved_bytes, reader->metadata_bytes());
  EXPECT_GT(reader->metadata_bytes(), 0u);

  std::string value;
  TableGetResult result;
  ASSERT_TRUE(reader->Get(LookupKey("key000100", kMaxSequenceNumber), &result, &value).ok());
  BlockCache::Stats s1 = cache.GetStats();
  EXPECT_EQ(s1.misses, 1u);
  EXPECT_EQ(s1.inserts, 1u);
  ASSERT_TRUE(reader->Get(LookupKey("key000100", kMaxSequenceNumber), &result, &value).ok());
  BlockCache::Stats s2 = cache.GetStats();
  EXPECT_EQ(s2.hits, s1.hits + 1);
  EXPECT_EQ(s2.misses, s1.misses);

  // Absent keys are answered by the filter: no block is even looked up.
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(reader->Get(LookupKey("nokey" + std::to_string(i), kMaxSequenceNumber), &result,
                            &value)
                    .ok());
  }
  BlockCache::Stats s3 = cache.GetStats();
  EXPECT_LE(s3.hits + s3.misses, s2.hits + s2.misses + 5);

  // fill_cache = false reads without inserting.
  TableReadOptions no_fill;
  no_fill.fill_cache = false;
  auto it = reader->NewIterator(no_fill);
  size_t n = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) ++n;
  EXPECT_EQ(n, m.size());
  EXPECT_EQ(cache.GetStats().inserts, s3.inserts);

  // Closing the reader gives its reservation back.
  it.reset();
  reader.reset();
  EXPECT_EQ(cache.GetStats().reserved_bytes, 0u);
}

// A file that counts which of its two read paths each read took.
class ReadPathCountingFile final : public RandomAccessFile {
 public:
  explicit ReadPathCountingFile(std::unique_ptr<RandomAccessFile> base) : base_(std::move(base)) {}
  Status Read(uint64_t offset, size_t n, std::string_view* result, char* scratch) const override {
    ++lookups;
    return base_->Read(offset, n, result, scratch);
  }
  Status ReadInSequence(uint64_t offset, size_t n, std::string_view* result,
                        char* scratch) const override {
    ++in_sequence;
    return base_->ReadInSequence(offset, n, result, scratch);
  }
  mutable int lookups = 0;
  mutable int in_sequence = 0;

 private:
  std::unique_ptr<RandomAccessFile> base_;
};

// A point read's data block comes through Read (PosixEnv's has no
// read-ahead, so a lookup costs only its block's pages); an iterator's and a
// compaction's come through ReadInSequence (with read-ahead).
TEST_F(TableTest, LookupsReadAloneAndIteratorsReadInSequence) {
  Options options;
  options.mmap_reads = MmapReads::kNever;
  const Model m = ManyBlocksModel();
  const std::string path = dir_.Sub("paths.sst");
  const uint64_t size = WriteTable(path, options, m);
  std::unique_ptr<RandomAccessFile> base;
  ASSERT_TRUE(env()->NewRandomAccessFile(path, &base).ok());
  auto counting = std::make_unique<ReadPathCountingFile>(std::move(base));
  ReadPathCountingFile* file = counting.get();
  std::unique_ptr<TableReader> reader;
  ASSERT_TRUE(TableReader::Open(options, std::move(counting), size, 7, nullptr, &reader).ok());
  EXPECT_EQ(file->in_sequence, 0);  // footer, index, properties, filter: read alone

  const int at_open = file->lookups;
  std::string value;
  TableGetResult result;
  ASSERT_TRUE(reader->Get(LookupKey("key000100", kMaxSequenceNumber), &result, &value).ok());
  ASSERT_EQ(result, TableGetResult::kValue);
  EXPECT_EQ(file->lookups, at_open + 1);
  EXPECT_EQ(file->in_sequence, 0);

  size_t n = 0;
  auto it = reader->NewIterator(TableReadOptions{});
  for (it->SeekToFirst(); it->Valid(); it->Next()) ++n;
  ASSERT_TRUE(it->status().ok());
  EXPECT_EQ(n, m.size());
  EXPECT_EQ(file->lookups, at_open + 1);
  EXPECT_GT(file->in_sequence, 10);  // ManyBlocksModel spans many blocks
}

// The iterator keeps what it reads alive: the blocks it pins (pread) or the
// mapping (mmap_reads) outlive the reader and the file's name.
TEST_F(TableTest, IteratorOutlivesReader) {
  for (bool mapped : {false, true}) {
    SCOPED_TRACE(mapped ? "mapped" : "pread");
    Options options;
    options.mmap_reads = mapped ? MmapReads::kAlways : MmapReads::kNever;
    const Model m = ManyBlocksModel();
    const std::string path = dir_.Sub("outlive.sst");
    WriteTable(path, options, m);
    BlockCache cache(64 << 10, 0);  // small: blocks get evicted while pinned
    std::unique_ptr<TableReader> reader;
    ASSERT_TRUE(OpenTable(path, options, &cache, &reader).ok());
    auto it = reader->NewIterator();
    it->SeekToFirst();
    reader.reset();
    ASSERT_TRUE(env()->RemoveFile(path).ok());  // the open file lives on
    auto expected = m.begin();
    for (; it->Valid(); it->Next(), ++expected) {
      ASSERT_NE(expected, m.end());
      ASSERT_EQ(it->key(), expected->first);
      ASSERT_EQ(it->value(), expected->second);
    }
    EXPECT_EQ(expected, m.end());
    EXPECT_TRUE(it->status().ok());
    if (!mapped) {
      EXPECT_GT(cache.GetStats().evictions, 0u);
    }
    EXPECT_LE(cache.GetStats().bytes_in_use + cache.GetStats().reserved_bytes, size_t{64 << 10});
  }
}

// A mapped table's blocks are read in place (no cache) unless the reader is
// asked for pread (compaction's read_in_place = false), which then goes
// through the cache like an unmapped table's reads.
TEST_F(TableTest, MappedTableReadsInPlaceUnlessAskedNotTo) {
  Options options;
  options.mmap_reads = MmapReads::kAlways;
  const Model m = ManyBlocksModel();
  const std::string path = dir_.Sub("inplace.sst");
  WriteTable(path, options, m);
  BlockCache cache(8 << 20, 0);
  std::unique_ptr<TableReader> reader;
  ASSERT_TRUE(OpenTable(path, options, &cache, &reader).ok());
  auto count = [&](const TableReadOptions& ro) {
    auto it = reader->NewIterator(ro);
    size_t n = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) ++n;
    EXPECT_TRUE(it->status().ok()) << it->status().ToString();
    return n;
  };
  EXPECT_EQ(count(TableReadOptions()), m.size());
  EXPECT_EQ(cache.GetStats().inserts, 0u);
  TableReadOptions pread;
  pread.read_in_place = false;
  EXPECT_EQ(count(pread), m.size());
  EXPECT_GT(cache.GetStats().inserts, 0u);
  std::string value;
  TableGetResult result;
  ASSERT_TRUE(reader->Get(LookupKey("key002500", kMaxSequenceNumber), &result, &value, pread).ok());
  EXPECT_EQ(result, TableGetResult::kValue);
}

// A mapped block's checksum is checked on its first read and remembered
// by a bit per granule of the file; with the smallest blocks the option
// allows (64 bytes), every other block damaged and the table read front to
// back, each damaged block must still be checked after the undamaged block
// before it set its bit: no two blocks may share one.
TEST_F(TableTest, MappedSmallBlocksAreEachCheckedOnTheirFirstRead) {
  Options options;
  options.mmap_reads = MmapReads::kAlways;
  options.block_bytes = 64;
  Model m;
  for (int i = 0; i < 2000; ++i) {
    char key[16];
    std::snprintf(key, sizeof(key), "k%05d", i);
    m[IKey(key, i + 1)] = "value" + std::to_string(i);
  }
  const std::string path = dir_.Sub("small-blocks.sst");
  WriteTable(path, options, m);

  std::vector<std::pair<std::string, uint64_t>> key_blocks;  // key, its block's offset
  std::vector<uint64_t> blocks;
  {
    std::unique_ptr<TableReader> reader;
    ASSERT_TRUE(OpenTable(path, options, nullptr, &reader).ok());
    ASSERT_TRUE(reader->mapped());
    for (const auto& [ikey, value] : m) {
      const uint64_t offset = reader->ApproximateOffsetOf(ikey);
      key_blocks.emplace_back(ikey, offset);
      if (blocks.empty() || blocks.back() != offset) blocks.push_back(offset);
    }
  }
  ASSERT_GT(blocks.size(), 200u);
  std::set<uint64_t> damaged;
  for (size_t i = 1; i < blocks.size(); i += 2) {
    ASSERT_TRUE(env()->OverwriteFileRange(path, blocks[i] + 3, "\xff").ok());
    damaged.insert(blocks[i]);
  }

  std::unique_ptr<TableReader> reader;
  ASSERT_TRUE(OpenTable(path, options, nullptr, &reader).ok());
  size_t corrupt = 0;
  for (const auto& [ikey, offset] : key_blocks) {
    std::string value;
    TableGetResult result;
    const std::string user_key(ExtractUserKey(ikey));
    Status s = reader->Get(LookupKey(user_key, kMaxSequenceNumber), &result, &value);
    if (damaged.count(offset) != 0) {
      EXPECT_TRUE(s.IsCorruption()) << user_key << " in the damaged block at " << offset << ": "
                                    << s.ToString() << " " << value;
      ++corrupt;
    } else {
      ASSERT_TRUE(s.ok()) << user_key << ": " << s.ToString();
      EXPECT_EQ(result, TableGetResult::kValue) << user_key;
      EXPECT_EQ(value, m.at(ikey)) << user_key;
    }
  }
  EXPECT_GT(corrupt, 100u);
}

// The offsets of the data blocks holding m's keys, in order, one per block.
std::vector<uint64_t> BlockOffsets(TableReader* reader, const Model& m) {
  std::vector<uint64_t> blocks;
  for (const auto& [ikey, value] : m) {
    const uint64_t offset = reader->ApproximateOffsetOf(ikey);
    if (blocks.empty() || blocks.back() != offset) blocks.push_back(offset);
  }
  return blocks;
}

std::string RandomBytes(std::mt19937_64& rng, size_t len) {
  std::string s(len, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

// Entries of 40 to 400 bytes, and a few larger than a block.
Model MixedSizeModel() {
  std::mt19937_64 rng(11);
  Model m;
  for (int i = 0; i < 5000; ++i) {
    char key[16];
    std::snprintf(key, sizeof(key), "k%06d", i);
    const size_t len = i % 1000 == 500 ? 9000 : 40 + rng() % 360;
    m[IKey(key, i + 1)] = RandomBytes(rng, len);
  }
  return m;
}

TEST_F(TableTest, AlignedBlocksEachFitInTheirOwnUnit) {
  Options options;  // block_align, no compression, 4096-byte blocks: the defaults
  ASSERT_TRUE(options.block_align);
  const Model m = MixedSizeModel();
  const std::string path = dir_.Sub("aligned.sst");
  TableProperties props;
  WriteTable(path, options, m, &props);
  std::unique_ptr<TableReader> reader;
  ASSERT_TRUE(OpenTable(path, options, nullptr, &reader).ok());
  const std::vector<uint64_t> blocks = BlockOffsets(reader.get(), m);
  ASSERT_EQ(blocks.size(), props.num_data_blocks);
  uint64_t spans_of_one_unit = 0;
  for (size_t i = 0; i < blocks.size(); ++i) {
    EXPECT_EQ(blocks[i] % 4096, 0u) << "block " << i;
    if (i + 1 < blocks.size() && blocks[i + 1] - blocks[i] == 4096) ++spans_of_one_unit;
  }
  // All but the blocks holding one of the five large entries fit in one
  // unit, and blocks are not cut early: the gaps cost little.
  EXPECT_GE(spans_of_one_unit + 1 + 5, blocks.size() - 5);
  EXPECT_GT(static_cast<double>(props.data_bytes), 0.9 * static_cast<double>(blocks.size()) * 4096);
  ExpectScanMatches(reader.get(), m);
  for (const auto& [ikey, value] : m) {
    std::string got;
    TableGetResult result;
    ASSERT_TRUE(reader->Get(LookupKey(ExtractUserKey(ikey), kMaxSequenceNumber), &result, &got)
                    .ok());
    ASSERT_EQ(result, TableGetResult::kValue);
    ASSERT_EQ(got, value);
  }
  // The gaps are zeros, as the full check expects; a byte changed in one is
  // found.
  EXPECT_TRUE(reader->VerifyGaps().ok());
  reader.reset();
  ASSERT_TRUE(env()->OverwriteFileRange(path, blocks[1] - 1, "\x01").ok());
  ASSERT_TRUE(OpenTable(path, options, nullptr, &reader).ok());
  const Status s = reader->VerifyGaps();
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("offset " + std::to_string(blocks[1] - 1)), std::string::npos)
      << s.ToString();
}

TEST_F(TableTest, BlocksAreNotAlignedWhenCompressedOrAskedNotTo) {
  const Model m = MixedSizeModel();
  Options unaligned;
  unaligned.block_align = false;
  Options compressed;
  compressed.compression = CompressionKind::kLz4;
  Options odd_size;
  odd_size.block_bytes = 3000;  // not a power of two
  for (const Options& options : {unaligned, compressed, odd_size}) {
    const std::string path = dir_.Sub("unaligned.sst");
    WriteTable(path, options, m);
    std::unique_ptr<TableReader> reader;
    ASSERT_TRUE(OpenTable(path, options, nullptr, &reader).ok());
    const std::vector<uint64_t> blocks = BlockOffsets(reader.get(), m);
    size_t aligned = 0;
    for (size_t i = 1; i < blocks.size(); ++i) {
      if (blocks[i] % options.block_bytes == 0) ++aligned;
    }
    EXPECT_LT(aligned, blocks.size() / 4);
    ExpectScanMatches(reader.get(), m);
    EXPECT_TRUE(reader->VerifyGaps().ok());
  }
}

TEST(TableFormatTest, FooterRoundTrip) {
  Footer f;
  f.index_handle = BlockHandle(123456789012345ull, 77);
  f.filter_handle = BlockHandle(0, 0);
  f.properties_handle = BlockHandle(~0ull, ~0ull);
  std::string encoded;
  f.EncodeTo(&encoded);
  ASSERT_EQ(encoded.size(), Footer::kEncodedLength);
  Footer g;
  ASSERT_TRUE(g.DecodeFrom(encoded).ok());
  EXPECT_EQ(g.index_handle.offset(), 123456789012345ull);
  EXPECT_EQ(g.index_handle.size(), 77u);
  EXPECT_EQ(g.filter_handle.size(), 0u);
  EXPECT_EQ(g.properties_handle.offset(), ~0ull);
  EXPECT_TRUE(g.DecodeFrom(std::string_view(encoded).substr(1)).IsCorruption());
}

TEST(TableFormatTest, CompressionFallsBackWhenItDoesNotPay) {
  BlockCompressor c;
  std::mt19937_64 rng(4);
  std::string random(4096, '\0');
  for (auto& ch : random) ch = static_cast<char>(rng());
  std::string_view stored;
  EXPECT_EQ(c.Compress(random, CompressionKind::kLz4, &stored), CompressionKind::kNone);
  EXPECT_EQ(stored.data(), random.data());
  EXPECT_EQ(c.Compress(random, CompressionKind::kZstd, &stored), CompressionKind::kNone);
  std::string text(4096, 'a');
  EXPECT_EQ(c.Compress(text, CompressionKind::kLz4, &stored), CompressionKind::kLz4);
  EXPECT_LT(stored.size(), text.size() / 8);
  EXPECT_EQ(c.Compress(text, CompressionKind::kZstd, &stored), CompressionKind::kZstd);
  EXPECT_EQ(c.Compress(text, CompressionKind::kNone, &stored), CompressionKind::kNone);
  EXPECT_EQ(c.Compress("", CompressionKind::kZstd, &stored), CompressionKind::kNone);
}

// A block whose trailer names an unknown compression kind, with a valid
// checksum (a future writer) or without verification.
TEST_F(TableTest, UnknownCompressionKind) {
  const std::string path = dir_.Sub("kind.blk");
  std::string block = "contents";
  block.push_back(static_cast<char>(9));
  std::string trailer_checksum;
  PutFixed32(&trailer_checksum, Checksum32(block.data(), block.size()));
  block += trailer_checksum;
  std::unique_ptr<WritableFile> f;
  ASSERT_TRUE(env()->NewWritableFile(path, &f).ok());
  ASSERT_TRUE(f->Append(block).ok());
  ASSERT_TRUE(f->Close().ok());
  std::unique_ptr<RandomAccessFile> file;
  ASSERT_TRUE(env()->NewRandomAccessFile(path, &file).ok());
  BlockContents contents;
  Status s = ReadBlock(file.get(), BlockHandle(0, 8), true, &contents);
  EXPECT_TRUE(s.IsNotSupported()) << s.ToString();
  EXPECT_NE(s.message().find("compression kind 9"), std::string::npos);
  s = ReadBlock(file.get(), BlockHandle(0, 8), false, &contents);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  s = ReadBlock(file.get(), BlockHandle(0, 100), true, &contents);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
}

}  // namespace
}  // namespace strata
