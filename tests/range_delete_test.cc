// Range deletes (DB::DeleteRange, WriteBatch::DeleteRange): what they hide,
// from whom, and that flush, compaction, reopen, checkpoint and repair keep
// it so; that compaction drops the covered keys and then the tombstone.
// The randomised mix with everything else is in db_model_test.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>

#include "core/cache/block_cache.h"
#include "core/compaction/compaction_job.h"
#include "core/db/db.h"
#include "core/db/db_iterator.h"
#include "core/db/repair.h"
#include "core/filename.h"
#include "core/range_tombstone.h"
#include "core/table/table_builder.h"
#include "core/table/table_cache.h"
#include "support/db_test_util.h"
#include "support/temp_dir.h"

namespace strata {
namespace {

std::string Key(int i) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "k%06d", i);
  return buf;
}

class RangeDeleteTest : public ::testing::Test {
 protected:
  void Open() {
    db_.reset();
    Status s = DB::Open(options_, dir_.path(), &db_);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  std::string Get(std::string_view key, const Snapshot* snapshot = nullptr) {
    ReadOptions ro;
    ro.snapshot = snapshot;
    std::string value;
    Status s = db_->Get(ro, key, &value);
    if (s.IsNotFound()) return "NOT_FOUND";
    if (!s.ok()) return "ERROR: " + s.ToString();
    return value;
  }
  void PutRange(int from, int to, const std::string& tag = "v") {
    for (int i = from; i < to; ++i) {
      ASSERT_TRUE(db_->Put(WriteOptions(), Key(i), tag + std::to_string(i)).ok());
    }
  }
  std::map<std::string, std::string> Scan(const Snapshot* snapshot = nullptr) {
    std::map<std::string, std::string> out;
    Status s = test::ScanAll(db_.get(), &out, std::nullopt, std::nullopt, snapshot);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return out;
  }
  // The keys a backward walk shows, in ascending order.
  std::vector<std::string> ScanBackward() {
    std::vector<std::string> keys;
    auto it = db_->NewIterator(ReadOptions(), std::nullopt, std::nullopt);
    for (it->SeekToLast(); it->Valid(); it->Prev()) keys.insert(keys.begin(), std::string(it->key()));
    EXPECT_TRUE(it->status().ok());
    return keys;
  }
  uint64_t Property(std::string_view name) {
    std::string value;
    EXPECT_TRUE(db_->GetProperty(name, &value));
    return std::stoull(value);
  }
  // Checks that exactly keys [0, n) minus [lo, hi) are present.
  void ExpectAllBut(int n, int lo, int hi) {
    auto all = Scan();
    EXPECT_EQ(all.size(), static_cast<size_t>(n - (hi - lo)));
    for (int i = 0; i < n; ++i) {
      const bool deleted = i >= lo && i < hi;
      EXPECT_EQ(Get(Key(i)), deleted ? "NOT_FOUND" : "v" + std::to_string(i)) << Key(i);
      EXPECT_EQ(all.count(Key(i)), deleted ? 0u : 1u) << Key(i);
    }
    std::vector<std::string> expected;
    for (const auto& [k, v] : all) expected.push_back(k);
    EXPECT_EQ(ScanBackward(), expected);
  }

  Options options_ = test::SmallOptions();
  test::TempDir dir_;
  std::shared_ptr<DB> db_;
};

TEST(RangeTombstoneSetTest, AnswersTheNewestCoveringSequenceAtOrBelowTheRead) {
  RangeTombstoneSet set({{"b", "f", 10}, {"d", "h", 20}, {"x", "z", 5}});
  EXPECT_EQ(set.MaxCoveringSequence("a", 100), 0u);
  EXPECT_EQ(set.MaxCoveringSequence("b", 100), 10u);
  EXPECT_EQ(set.MaxCoveringSequence("c", 9), 0u);  // the read predates the tombstone
  EXPECT_EQ(set.MaxCoveringSequence("d", 100), 20u);
  EXPECT_EQ(set.MaxCoveringSequence("e", 15), 10u);
  EXPECT_EQ(set.MaxCoveringSequence("f", 100), 20u);  // end is exclusive for [b, f)
  EXPECT_EQ(set.MaxCoveringSequence("h", 100), 0u);
  EXPECT_EQ(set.MaxCoveringSequence("y", 100), 5u);
  EXPECT_EQ(set.MaxCoveringSequence("z", 100), 0u);
  EXPECT_TRUE(set.Covers("e", 9, 100));
  EXPECT_FALSE(set.Covers("e", 25, 100));  // written after both tombstones
}

TEST(RangeTombstoneSetTest, EncodingRoundTripsAndRejectsDamage) {
  RangeTombstoneList list{{"a", "b", 1}, {std::string("\0x", 2), "zz", 77}};
  std::string encoded;
  EncodeRangeTombstones(list, &encoded);
  std::string_view in = encoded;
  RangeTombstoneList back;
  ASSERT_TRUE(DecodeRangeTombstones(&in, &back).ok());
  EXPECT_TRUE(in.empty());
  EXPECT_EQ(back, list);
  for (size_t cut = 0; cut < encoded.size(); ++cut) {
    std::string_view truncated(encoded.data(), cut);
    EXPECT_FALSE(DecodeRangeTombstones(&truncated, &back).ok()) << cut;
  }
  std::string empty_range;
  EncodeRangeTombstones({{"b", "a", 3}}, &empty_range);
  in = empty_range;
  EXPECT_TRUE(DecodeRangeTombstones(&in, &back).IsCorruption());
}

TEST_F(RangeDeleteTest, HidesTheRangeFromGetsIteratorsAndMultiGet) {
  Open();
  PutRange(0, 1000);
  ASSERT_TRUE(db_->DeleteRange(WriteOptions(), Key(100), Key(200)).ok());
  ExpectAllBut(1000, 100, 200);
  std::vector<std::string> owned{Key(99), Key(100), Key(199), Key(200)};
  std::vector<std::string_view> views(owned.begin(), owned.end());
  std::vector<std::string> values;
  std::vector<Status> statuses;
  db_->MultiGet(ReadOptions(), views, &values, &statuses);
  EXPECT_TRUE(statuses[0].ok());
  EXPECT_TRUE(statuses[1].IsNotFound());
  EXPECT_TRUE(statuses[2].IsNotFound());
  EXPECT_TRUE(statuses[3].ok());
  // Seeks into the range land after it, both ways.
  auto it = db_->NewIterator(ReadOptions(), std::nullopt, std::nullopt);
  it->Seek(Key(150));
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), Key(200));
  it->SeekForPrev(Key(150));
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), Key(99));
}

TEST_F(RangeDeleteTest, WritesAfterTheTombstoneAreVisible) {
  Open();
  PutRange(0, 100);
  ASSERT_TRUE(db_->DeleteRange(WriteOptions(), Key(0), Key(100)).ok());
  ASSERT_TRUE(db_->Put(WriteOptions(), Key(50), "new").ok());
  EXPECT_EQ(Get(Key(50)), "new");
  EXPECT_EQ(Scan().size(), 1u);
  ASSERT_TRUE(db_->Flush().ok());
  ASSERT_TRUE(db_->CompactRange(nullptr, nullptr).ok());
  EXPECT_EQ(Get(Key(50)), "new");
  EXPECT_EQ(Get(Key(51)), "NOT_FOUND");
}

TEST_F(RangeDeleteTest, OrderWithinABatchDecides) {
  Open();
  PutRange(0, 10);
  WriteBatch batch;
  batch.Put(Key(20), "before");  // deleted by the range after it
  batch.DeleteRange(Key(0), Key(30));
  batch.Put(Key(5), "after");  // survives
  ASSERT_TRUE(db_->Write(WriteOptions(), batch).ok());
  auto all = Scan();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[Key(5)], "after");
}

TEST_F(RangeDeleteTest, EmptyOrReversedRangeIsANoOp) {
  Open();
  PutRange(0, 10);
  const uint64_t before = Property("last-sequence");
  ASSERT_TRUE(db_->DeleteRange(WriteOptions(), Key(5), Key(5)).ok());
  ASSERT_TRUE(db_->DeleteRange(WriteOptions(), Key(7), Key(2)).ok());
  WriteBatch batch;
  batch.DeleteRange(Key(9), Key(1));
  EXPECT_EQ(batch.Count(), 0u);
  EXPECT_EQ(Property("last-sequence"), before);
  EXPECT_EQ(Property("range-deletions"), 0u);
  EXPECT_EQ(Scan().size(), 10u);
}

TEST_F(RangeDeleteTest, SnapshotsAndIteratorsTakenBeforeStillSeeTheKeys) {
  Open();
  PutRange(0, 300);
  const Snapshot* snapshot = db_->GetSnapshot();
  auto early = db_->NewIterator(ReadOptions(), std::nullopt, std::nullopt);
  ASSERT_TRUE(db_->DeleteRange(WriteOptions(), Key(0), Key(300)).ok());
  EXPECT_TRUE(Scan().empty());
  EXPECT_EQ(Get(Key(7), snapshot), "v7");
  ASSERT_TRUE(db_->Flush().ok());
  ASSERT_TRUE(db_->CompactRange(nullptr, nullptr).ok());
  // The snapshot keeps both the keys and the tombstone alive.
  EXPECT_EQ(Scan(snapshot).size(), 300u);
  EXPECT_EQ(Get(Key(299), snapshot), "v299");
  size_t n = 0;
  for (early->SeekToFirst(); early->Valid(); early->Next()) ++n;
  EXPECT_EQ(n, 300u);
  EXPECT_TRUE(Scan().empty());
  EXPECT_GE(Property("range-deletions"), 1u);
  early.reset();
  db_->ReleaseSnapshot(snapshot);
  ASSERT_TRUE(db_->CompactRange(nullptr, nullptr).ok());
  EXPECT_TRUE(Scan().empty());
  EXPECT_EQ(Property("range-deletions"), 0u);
}

TEST_F(RangeDeleteTest, SurvivesReopenFromTheLogAndFromTables) {
  Open();
  PutRange(0, 500);
  ASSERT_TRUE(db_->Flush().ok());
  ASSERT_TRUE(db_->DeleteRange(WriteOptions(), Key(100), Key(400)).ok());
  Open();  // replayed from the log
  ExpectAllBut(500, 100, 400);
  ASSERT_TRUE(db_->Flush().ok());  // a table of the tombstone alone
  Open();  // from the manifest
  ExpectAllBut(500, 100, 400);
  EXPECT_EQ(Property("range-deletions"), 1u);
}

TEST_F(RangeDeleteTest, CompactionDropsTheKeysAndThenTheTombstone) {
  options_.table_file_bytes = 16 << 10;
  Open();
  PutRange(0, 5000);
  ASSERT_TRUE(db_->Flush().ok());
  ASSERT_TRUE(db_->CompactRange(nullptr, nullptr).ok());
  const uint64_t full = Property("total-table-bytes");
  ASSERT_TRUE(db_->DeleteRange(WriteOptions(), Key(0), Key(4000)).ok());
  ASSERT_TRUE(db_->Flush().ok());
  ExpectAllBut(5000, 0, 4000);
  // A compaction of part of the range keeps the tombstone: tables outside
  // it still hold keys it hides.
  const std::string a = Key(0), b = Key(10);
  std::string_view av(a), bv(b);
  ASSERT_TRUE(db_->CompactRange(&av, &bv).ok());
  ExpectAllBut(5000, 0, 4000);
  EXPECT_EQ(Property("range-deletions"), 1u);
  ASSERT_TRUE(db_->CompactRange(nullptr, nullptr).ok());
  ExpectAllBut(5000, 0, 4000);
  EXPECT_EQ(Property("range-deletions"), 0u);
  EXPECT_LT(Property("total-table-bytes"), full / 2);
  Open();
  ExpectAllBut(5000, 0, 4000);
}

// The compaction job alone: level-0 inputs whose every entry a tombstone
// hides, while (say) a deeper level still holds keys it hides. The output
// must still carry the tombstone, in a table of one harmless point
// tombstone.
TEST(RangeDeleteCompactionJobTest, CarriesTombstonesWhenEveryEntryIsDropped) {
  test::TempDir dir;
  Options options;
  BlockCache block_cache(1 << 20);
  TableCache tables(dir.path(), options, &block_cache, 10);
  const RangeTombstone tombstone{Key(0), Key(100), 50};
  auto write_table = [&](uint64_t number, int from, int to, SequenceNumber seq) {
    auto meta = std::make_shared<FileMetaData>();
    meta->number = number;
    std::unique_ptr<WritableFile> file;
    EXPECT_TRUE(Env::Default()->NewWritableFile(TableFileName(dir.path(), number), &file).ok());
    TableBuilder builder(options, file.get());
    for (int i = from; i < to; ++i) {
      std::string k;
      AppendInternalKey(&k, Key(i), seq, ValueKind::kValue);
      if (i == from) meta->smallest = k;
      meta->largest = k;
      EXPECT_TRUE(builder.Add(k, "v").ok());
    }
    if (number == 2) {
      builder.AddRangeDeletion(tombstone);
      meta->range_deletions = {tombstone};
    }
    EXPECT_TRUE(builder.Finish().ok());
    EXPECT_TRUE(file->Close().ok());
    meta->file_size = builder.FileSize();
    meta->num_entries = builder.NumEntries();
    return meta;
  };
  CompactionInputs inputs;
  inputs.files[0] = {write_table(1, 10, 20, 5), write_table(2, 30, 40, 7)};
  inputs.output_level = 1;
  inputs.oldest_snapshot = 60;
  inputs.range_deletions = MakeRangeTombstoneSet({&inputs.files[0][1]->range_deletions});
  inputs.range_deletions_applied = 50;
  inputs.carried_range_deletions = {tombstone};
  uint64_t next = 10;
  CompactionJob job(options, dir.path(), Env::Default(), &tables, [&] { return next++; });
  CompactionResult result;
  Status s = job.Run(inputs, &result);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(result.entries_dropped, 20u);
  ASSERT_EQ(result.outputs.size(), 1u);
  const FileMetaData& out = result.outputs[0];
  EXPECT_EQ(out.num_entries, 1u);
  EXPECT_EQ(out.num_deletions, 1u);
  EXPECT_EQ(out.range_deletions, RangeTombstoneList{tombstone});
  EXPECT_EQ(out.range_deletions_applied, 50u);
  // The spare is a point tombstone within the inputs' key range.
  ParsedInternalKey spare;
  ASSERT_TRUE(ParseInternalKey(out.smallest, &spare));
  EXPECT_EQ(spare.kind, ValueKind::kDeletion);
  EXPECT_TRUE(spare.user_key >= Key(10) && spare.user_key < Key(40));
  std::shared_ptr<TableReader> reader;
  ASSERT_TRUE(tables.FindTable(out, &reader).ok());
  EXPECT_EQ(reader->properties().range_deletions, RangeTombstoneList{tombstone});

  // With nothing to carry, nothing is written.
  inputs.carried_range_deletions.clear();
  ASSERT_TRUE(job.Run(inputs, &result).ok());
  EXPECT_TRUE(result.outputs.empty());
}

TEST_F(RangeDeleteTest, CheckpointKeepsTheTombstone) {
  Open();
  PutRange(0, 200);
  ASSERT_TRUE(db_->DeleteRange(WriteOptions(), Key(50), Key(150)).ok());
  test::TempDir copy_parent;
  const std::string copy = copy_parent.path() + "/copy";
  ASSERT_TRUE(db_->Checkpoint(copy).ok());
  db_.reset();
  std::shared_ptr<DB> db;
  ASSERT_TRUE(DB::Open(options_, copy, &db).ok());
  std::map<std::string, std::string> all;
  ASSERT_TRUE(test::ScanAll(db.get(), &all).ok());
  EXPECT_EQ(all.size(), 100u);
  EXPECT_EQ(all.count(Key(50)), 0u);
  EXPECT_EQ(all.count(Key(150)), 1u);
}

TEST_F(RangeDeleteTest, RepairKeepsTombstonesFromTablesAndLogs) {
  Open();
  PutRange(0, 300);
  ASSERT_TRUE(db_->Flush().ok());
  ASSERT_TRUE(db_->DeleteRange(WriteOptions(), Key(0), Key(100)).ok());
  ASSERT_TRUE(db_->Flush().ok());  // this tombstone is in a table
  ASSERT_TRUE(db_->DeleteRange(WriteOptions(), Key(200), Key(250)).ok());  // this one in the log
  db_.reset();
  // Lose the manifest: repair rebuilds it from the tables and the log.
  std::vector<std::string> names;
  ASSERT_TRUE(Env::Default()->GetChildren(dir_.path(), &names).ok());
  for (const auto& name : names) {
    uint64_t number;
    const FileKind kind = ParseFileName(name, &number);
    if (kind == FileKind::kManifest || kind == FileKind::kCurrent) {
      ASSERT_TRUE(Env::Default()->RemoveFile(dir_.path() + "/" + name).ok());
    }
  }
  RepairReport report;
  Status s = RepairDB(options_, dir_.path(), &report);
  ASSERT_TRUE(s.ok()) << s.ToString();
  Open();
  auto all = Scan();
  EXPECT_EQ(all.size(), 150u);
  EXPECT_EQ(Get(Key(99)), "NOT_FOUND");
  EXPECT_EQ(Get(Key(100)), "v100");
  EXPECT_EQ(Get(Key(220)), "NOT_FOUND");
  EXPECT_EQ(Get(Key(250)), "v250");
}

}  // namespace
}  // namespace strata
