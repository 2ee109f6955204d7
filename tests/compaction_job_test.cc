// CompactionJob on its own: real input tables written with TableBuilder into
// an in-memory Env, inputs chosen by hand, and the outputs read back through
// a TableCache. Covers outputs cut at table_file_bytes between user keys,
// versions no snapshot can see dropped, point tombstones dropped only at the
// bottom, range tombstones applied and carried, inputs out of key order
// refused before anything is written, and a failed input leaving no output
// behind.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "core/compaction/compaction_job.h"
#include "core/compaction/compaction_picker.h"
#include "core/filename.h"
#include "core/mem_env.h"
#include "core/table/table_builder.h"
#include "core/table/table_cache.h"
#include "core/version/version_edit.h"
#include "support/vector_iterator.h"

namespace strata {
namespace {

using test::Entries;
using test::IKey;

constexpr const char* kDb = "/db";

std::string Del(std::string_view user_key, SequenceNumber seq) {
  return IKey(user_key, seq, ValueKind::kDeletion);
}

class CompactionJobTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_ = NewMemEnv();
    ASSERT_TRUE(env_->CreateDir(kDb).ok());
    options_.env = env_.get();
    options_.block_bytes = 512;
    tables_ = std::make_unique<TableCache>(kDb, options_, nullptr, 100);
  }

  // Writes a table of these entries (any order) and describes it as the
  // manifest would.
  std::shared_ptr<FileMetaData> WriteTable(Entries entries) {
    std::sort(entries.begin(), entries.end(),
              [](const auto& a, const auto& b) { return CompareInternalKeys(a.first, b.first) < 0; });
    auto meta = std::make_shared<FileMetaData>();
    meta->number = next_number_++;
    std::unique_ptr<WritableFile> file;
    EXPECT_TRUE(env_->NewWritableFile(TableFileName(kDb, meta->number), &file).ok());
    TableBuilder builder(options_, file.get());
    for (const auto& [k, v] : entries) EXPECT_TRUE(builder.Add(k, v).ok());
    EXPECT_TRUE(builder.Finish().ok());
    EXPECT_TRUE(file->Close().ok());
    meta->file_size = builder.FileSize();
    meta->num_entries = builder.NumEntries();
    meta->smallest = entries.front().first;
    meta->largest = entries.back().first;
    meta->smallest_sequence = builder.properties().smallest_sequence;
    return meta;
  }

  Status Run(const CompactionInputs& inputs, CompactionResult* result) {
    CompactionJob job(options_, kDb, env_.get(), tables_.get(), [this] { return next_number_++; });
    return job.Run(inputs, result);
  }

  Entries ReadTable(const FileMetaData& meta) {
    Entries out;
    auto it = tables_->NewIterator(meta);
    for (it->SeekToFirst(); it->Valid(); it->Next()) out.emplace_back(it->key(), it->value());
    EXPECT_TRUE(it->status().ok()) << it->status().ToString();
    return out;
  }

  Entries ReadAll(const CompactionResult& result) {
    Entries out;
    for (const auto& meta : result.outputs) {
      Entries part = ReadTable(meta);
      out.insert(out.end(), part.begin(), part.end());
    }
    return out;
  }

  std::vector<std::string> TableFiles() {
    std::vector<std::string> names, out;
    EXPECT_TRUE(env_->GetChildren(kDb, &names).ok());
    for (const auto& n : names) {
      uint64_t number;
      if (ParseFileName(n, &number) == FileKind::kTable) out.push_back(n);
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  std::unique_ptr<Env> env_;
  Options options_;
  std::unique_ptr<TableCache> tables_;
  uint64_t next_number_ = 10;
};

std::vector<std::string> KeysOf(const Entries& entries) {
  std::vector<std::string> out;
  for (const auto& e : entries) out.push_back(e.first);
  return out;
}

TEST_F(CompactionJobTest, OutputsAreCutAtTableFileBytesOnlyBetweenUserKeys) {
  options_.table_file_bytes = 4096;
  // Three versions of each key, all kept (oldest_snapshot 0: a reader may
  // still be on any of them), spread over an L0 table and an L1 table.
  Entries newer, older, expected;
  const std::string value(100, 'v');
  for (int i = 0; i < 300; ++i) {
    char key[16];
    std::snprintf(key, sizeof key, "key%05d", i);
    newer.emplace_back(IKey(key, 1000 + i), value);
    older.emplace_back(IKey(key, 500 + i), value);
    older.emplace_back(IKey(key, 1 + i), value);
  }
  expected = newer;
  expected.insert(expected.end(), older.begin(), older.end());
  std::sort(expected.begin(), expected.end(),
            [](const auto& a, const auto& b) { return CompareInternalKeys(a.first, b.first) < 0; });
  CompactionInputs inputs;
  inputs.files[0].push_back(WriteTable(newer));
  inputs.files[1].push_back(WriteTable(older));
  inputs.output_level = 1;
  inputs.bottommost = true;
  inputs.oldest_snapshot = 0;

  CompactionResult result;
  Status s = Run(inputs, &result);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_GT(result.outputs.size(), 5u);
  EXPECT_EQ(result.entries_dropped, 0u);
  EXPECT_EQ(ReadAll(result), expected);

  uint64_t written = 0;
  for (size_t i = 0; i < result.outputs.size(); ++i) {
    const FileMetaData& out = result.outputs[i];
    written += out.file_size;
    // Every table but the last reached the size before it was cut, and was
    // cut at the first user-key boundary after: at most one key's versions
    // (three entries of ~120 bytes) and the table's trailer past the limit.
    if (i + 1 < result.outputs.size()) {
      EXPECT_GE(out.file_size, options_.table_file_bytes) << "output " << i;
      EXPECT_LT(out.file_size, options_.table_file_bytes + 2048) << "output " << i;
      // No user key straddles two tables of the level.
      EXPECT_LT(ExtractUserKey(out.largest), ExtractUserKey(result.outputs[i + 1].smallest));
    }
    const Entries contents = ReadTable(out);
    EXPECT_EQ(out.smallest, contents.front().first);
    EXPECT_EQ(out.largest, contents.back().first);
    EXPECT_EQ(out.num_entries, contents.size());
    uint64_t size = 0;
    ASSERT_TRUE(env_->GetFileSize(TableFileName(kDb, out.number), &size).ok());
    EXPECT_EQ(size, out.file_size);
  }
  EXPECT_EQ(result.bytes_written, written);
  EXPECT_EQ(result.bytes_read, inputs.InputBytes());
}

TEST_F(CompactionJobTest, VersionsNoSnapshotCanSeeAreDropped) {
  CompactionInputs inputs;
  inputs.files[0].push_back(WriteTable({{IKey("a", 10), "a10"}, {IKey("b", 12), "b12"}}));
  inputs.files[1].push_back(
      WriteTable({{IKey("a", 5), "a5"}, {IKey("b", 3), "b3"}, {IKey("c", 4), "c4"}}));
  inputs.output_level = 1;
  inputs.bottommost = true;
  inputs.oldest_snapshot = 11;  // a reader at 11 sees a@10 (not a@5) and b@3 (not b@12)

  CompactionResult result;
  ASSERT_TRUE(Run(inputs, &result).ok());
  EXPECT_EQ(ReadAll(result), (Entries{{IKey("a", 10), "a10"},
                                      {IKey("b", 12), "b12"},
                                      {IKey("b", 3), "b3"},
                                      {IKey("c", 4), "c4"}}));
  EXPECT_EQ(result.entries_dropped, 1u);

  // With every reader past 12, only the newest version of each key stays.
  inputs.oldest_snapshot = 100;
  ASSERT_TRUE(Run(inputs, &result).ok());
  EXPECT_EQ(ReadAll(result),
            (Entries{{IKey("a", 10), "a10"}, {IKey("b", 12), "b12"}, {IKey("c", 4), "c4"}}));
  EXPECT_EQ(result.entries_dropped, 2u);
}

TEST_F(CompactionJobTest, TombstonesAreDroppedOnlyAtTheBottomLevel) {
  CompactionInputs inputs;
  inputs.files[0].push_back(
      WriteTable({{Del("a", 10), ""}, {Del("b", 11), ""}, {Del("c", 30), ""}}));
  inputs.files[1].push_back(WriteTable({{IKey("a", 5), "a5"}, {IKey("d", 6), "d6"}}));
  inputs.output_level = 1;
  inputs.oldest_snapshot = 20;

  // Not the bottom: a level below may hold older versions of a and b, which
  // the tombstones must go on hiding. a@5 is shadowed for every reader.
  inputs.bottommost = false;
  CompactionResult result;
  ASSERT_TRUE(Run(inputs, &result).ok());
  EXPECT_EQ(KeysOf(ReadAll(result)),
            (std::vector<std::string>{Del("a", 10), Del("b", 11), Del("c", 30), IKey("d", 6)}));
  ASSERT_EQ(result.outputs.size(), 1u);
  EXPECT_EQ(result.outputs[0].num_deletions, 3u);

  // The bottom: the tombstones every reader sees go, with what they hid.
  // c's is newer than the oldest reader (at 20), so it stays: a tombstone
  // goes only once every reader sees it.
  inputs.bottommost = true;
  ASSERT_TRUE(Run(inputs, &result).ok());
  EXPECT_EQ(KeysOf(ReadAll(result)), (std::vector<std::string>{Del("c", 30), IKey("d", 6)}));
  EXPECT_EQ(result.entries_dropped, 3u);
}

TEST_F(CompactionJobTest, NothingLeftWritesNoTable) {
  CompactionInputs inputs;
  inputs.files[0].push_back(WriteTable({{Del("a", 10), ""}}));
  inputs.files[1].push_back(WriteTable({{IKey("a", 5), "a5"}}));
  inputs.output_level = 1;
  inputs.bottommost = true;
  inputs.oldest_snapshot = 20;
  const auto before = TableFiles();
  CompactionResult result;
  ASSERT_TRUE(Run(inputs, &result).ok());
  EXPECT_TRUE(result.outputs.empty());
  EXPECT_EQ(result.bytes_written, 0u);
  EXPECT_EQ(TableFiles(), before);
}

TEST_F(CompactionJobTest, RangeTombstonesHideWhatEveryReaderSeesThemHide) {
  const RangeTombstoneList tombstones = {{"b", "d", 15}};
  CompactionInputs inputs;
  inputs.files[1].push_back(WriteTable({{IKey("a", 1), "a1"},
                                        {IKey("b", 10), "b10"},
                                        {IKey("c", 16), "c16"},
                                        {IKey("c2", 14), "c2"},
                                        {IKey("d", 5), "d5"}}));
  inputs.output_level = 2;
  inputs.bottommost = true;
  inputs.range_deletions = MakeRangeTombstoneSet({&tombstones});
  inputs.range_deletions_applied = 15;

  // Every reader (from 20 on) sees the tombstone: b@10 and c2@14 go; c@16
  // is newer than it, and a and d lie outside [b, d).
  inputs.oldest_snapshot = 20;
  CompactionResult result;
  ASSERT_TRUE(Run(inputs, &result).ok());
  EXPECT_EQ(KeysOf(ReadAll(result)),
            (std::vector<std::string>{IKey("a", 1), IKey("c", 16), IKey("d", 5)}));
  EXPECT_EQ(result.entries_dropped, 2u);
  ASSERT_EQ(result.outputs.size(), 1u);
  EXPECT_EQ(result.outputs[0].range_deletions_applied, 15u);
  EXPECT_TRUE(result.outputs[0].range_deletions.empty());  // nothing asked to be carried

  // A reader at 12 predates the tombstone and must still see b@10 and c2.
  inputs.oldest_snapshot = 12;
  ASSERT_TRUE(Run(inputs, &result).ok());
  EXPECT_EQ(ReadAll(result).size(), 5u);
}

TEST_F(CompactionJobTest, CarriedRangeTombstonesGoIntoTheFirstOutputOnly) {
  options_.table_file_bytes = 1024;
  const RangeTombstoneList carried = {{"k000", "k100", 7}, {"x", "y", 8}};
  Entries entries;
  for (int i = 0; i < 100; ++i) {
    char key[8];
    std::snprintf(key, sizeof key, "k%03d", i);
    entries.emplace_back(IKey(key, 100 + i), std::string(50, 'v'));  // newer than the tombstones
  }
  CompactionInputs inputs;
  inputs.files[1].push_back(WriteTable(entries));
  inputs.output_level = 1;
  inputs.oldest_snapshot = 1000;
  inputs.range_deletions = MakeRangeTombstoneSet({&carried});
  inputs.carried_range_deletions = carried;

  CompactionResult result;
  ASSERT_TRUE(Run(inputs, &result).ok());
  ASSERT_GT(result.outputs.size(), 1u);
  EXPECT_EQ(result.outputs[0].range_deletions, carried);
  for (size_t i = 1; i < result.outputs.size(); ++i) {
    EXPECT_TRUE(result.outputs[i].range_deletions.empty()) << "output " << i;
  }
  // The first output's table carries them too, for a repair or a reopen to find.
  std::shared_ptr<TableReader> reader;
  ASSERT_TRUE(tables_->FindTable(result.outputs[0], &reader).ok());
  EXPECT_EQ(reader->properties().range_deletions, carried);
  EXPECT_EQ(ReadAll(result), entries);
}

TEST_F(CompactionJobTest, CarriedRangeTombstonesKeepATableWhenEveryEntryWasDropped) {
  const RangeTombstoneList carried = {{"b", "d", 15}};
  CompactionInputs inputs;
  inputs.files[1].push_back(WriteTable({{IKey("b", 10), "b10"}, {IKey("c", 3), "c3"}}));
  inputs.output_level = 1;
  inputs.bottommost = false;
  inputs.oldest_snapshot = 20;
  inputs.range_deletions = MakeRangeTombstoneSet({&carried});
  inputs.carried_range_deletions = carried;

  CompactionResult result;
  ASSERT_TRUE(Run(inputs, &result).ok());
  ASSERT_EQ(result.outputs.size(), 1u);
  EXPECT_EQ(result.outputs[0].range_deletions, carried);
  // Its one entry is a point tombstone standing in for a dropped version:
  // it hides nothing any reader could see.
  EXPECT_EQ(KeysOf(ReadAll(result)), (std::vector<std::string>{Del("b", 10)}));
}

TEST_F(CompactionJobTest, InputsOutOfKeyOrderAreRefusedBeforeAnythingIsWritten) {
  CompactionInputs inputs;
  inputs.files[1].push_back(WriteTable({{IKey("m", 1), "m"}, {IKey("p", 1), "p"}}));
  inputs.files[1].push_back(WriteTable({{IKey("a", 2), "a"}, {IKey("c", 2), "c"}}));
  inputs.output_level = 1;
  const auto before = TableFiles();
  CompactionResult result;
  Status s = Run(inputs, &result);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_TRUE(result.outputs.empty());
  EXPECT_EQ(TableFiles(), before);

  // Overlapping tables of one level are refused the same way.
  inputs.files[1].clear();
  inputs.files[1].push_back(WriteTable({{IKey("a", 3), "a"}, {IKey("f", 3), "f"}}));
  inputs.files[1].push_back(WriteTable({{IKey("e", 4), "e"}, {IKey("g", 4), "g"}}));
  EXPECT_TRUE(Run(inputs, &result).IsInvalidArgument());
}

TEST_F(CompactionJobTest, AFailedInputLeavesNoOutputBehind) {
  options_.table_file_bytes = 1024;
  Entries first;
  for (int i = 0; i < 60; ++i) {
    char key[8];
    std::snprintf(key, sizeof key, "a%03d", i);
    first.emplace_back(IKey(key, 1), std::string(50, 'v'));
  }
  CompactionInputs inputs;
  inputs.files[1].push_back(WriteTable(first));
  auto missing = WriteTable({{IKey("z", 1), "z"}});
  inputs.files[1].push_back(missing);
  inputs.output_level = 2;
  // The second table of the level is gone: the level iterator reaches it
  // only after the first table's entries have gone into outputs.
  ASSERT_TRUE(env_->RemoveFile(TableFileName(kDb, missing->number)).ok());
  const auto before = TableFiles();
  const uint64_t first_output = next_number_;

  CompactionResult result;
  Status s = Run(inputs, &result);
  EXPECT_FALSE(s.ok());
  EXPECT_GT(next_number_, first_output + 1);  // several outputs had been started
  EXPECT_TRUE(result.outputs.empty());
  EXPECT_EQ(TableFiles(), before);  // the outputs it had written are removed
}

// Issue 14's first reproduction end to end below the DB: level 2 and level 1
// cut into small tables whose boundaries do not line up, a one-key range
// picked by PickRangeCompaction, and the job run over what it picked. Before
// the picker sorted each level, the job was handed a level's tables out of
// key order ("table keys added out of order").
TEST_F(CompactionJobTest, ARangePickedOverMisalignedLevelsCompactsInKeyOrder) {
  auto table = [&](const char* prefix, int from, int to, int step, SequenceNumber seq,
                   const char* suffix) {
    Entries entries;
    for (int i = from; i <= to; i += step) {
      char key[32];
      std::snprintf(key, sizeof key, "%s%05d%s", prefix, i, suffix);
      entries.emplace_back(IKey(key, seq), key);
    }
    return WriteTable(entries);
  };
  VersionEdit edit;
  // Level 2: the first writes, step 10.
  edit.AddFile(2, *table("e", 0, 30000, 10, 1, ""));
  edit.AddFile(2, *table("e", 30010, 45000, 10, 1, ""));
  edit.AddFile(2, *table("e", 45010, 55000, 10, 1, ""));
  edit.AddFile(2, *table("e", 55010, 65000, 10, 1, ""));
  edit.AddFile(2, *table("e", 65010, 99990, 10, 1, ""));
  // Level 1: later writes between them ("z" suffix), step 200.
  edit.AddFile(1, *table("e", 0, 20000, 200, 2, "z"));
  edit.AddFile(1, *table("e", 20200, 40000, 200, 2, "z"));
  edit.AddFile(1, *table("e", 40200, 60000, 200, 2, "z"));
  edit.AddFile(1, *table("e", 60200, 99800, 200, 2, "z"));
  VersionBuilder builder(nullptr);
  builder.Apply(edit);
  std::string error;
  auto version = builder.Build(&error);
  ASSERT_EQ(error, "");

  std::string_view key = "e50000z";
  CompactionInputs inputs = PickRangeCompaction(*version, &key, &key);
  ASSERT_EQ(inputs.files[1].size(), 4u);
  ASSERT_EQ(inputs.files[2].size(), 5u);
  inputs.oldest_snapshot = 10;
  CompactionResult result;
  Status s = Run(inputs, &result);
  ASSERT_TRUE(s.ok()) << s.ToString();
  const Entries out = ReadAll(result);
  EXPECT_EQ(out.size(), 10000u + 500u);
  EXPECT_TRUE(std::is_sorted(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return CompareInternalKeys(a.first, b.first) < 0;
  }));
}

}  // namespace
}  // namespace strata
