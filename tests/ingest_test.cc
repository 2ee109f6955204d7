// Bulk ingest: SstFileWriter (core/table/sst_file_writer.h), the global
// sequence number (core/table/global_sequence.h) and DB::Ingest.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "core/db/db.h"
#include "core/db/repair.h"
#include "core/filename.h"
#include "core/table/global_sequence.h"
#include "core/table/sst_file_writer.h"
#include "core/table/table_reader.h"
#include "support/db_test_util.h"
#include "support/temp_dir.h"

namespace strata {
namespace {

Env* env() { return Env::Default(); }

std::string Key(int i) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "key%06d", i);
  return buf;
}

// Writes keys [from, to) with values "<prefix><i>"; every `delete_every`th
// key (0: none) as a tombstone.
void WriteSst(const std::string& path, int from, int to, const std::string& prefix,
              int delete_every = 0) {
  std::unique_ptr<SstFileWriter> w;
  ASSERT_TRUE(SstFileWriter::Open(test::SmallOptions(), path, &w).ok());
  for (int i = from; i < to; ++i) {
    if (delete_every > 0 && i % delete_every == 0) {
      ASSERT_TRUE(w->Delete(Key(i)).ok());
    } else {
      ASSERT_TRUE(w->Put(Key(i), prefix + std::to_string(i)).ok());
    }
  }
  ASSERT_TRUE(w->Finish().ok());
}

std::string Get(DB* db, const std::string& key, const Snapshot* snap = nullptr) {
  ReadOptions ro;
  ro.snapshot = snap;
  std::string value;
  Status s = db->Get(ro, key, &value);
  if (s.IsNotFound()) return "NOT_FOUND";
  if (!s.ok()) return "ERROR: " + s.ToString();
  return value;
}

int FilesAt(DB* db, int level) {
  std::string v;
  EXPECT_TRUE(db->GetProperty("num-files-at-level" + std::to_string(level), &v));
  return std::stoi(v);
}

// The level holding the only table, or -1.
int LevelOfOnlyTable(DB* db) {
  int found = -1;
  for (int level = 0; level < kNumLevels; ++level) {
    if (FilesAt(db, level) > 0) {
      EXPECT_EQ(found, -1);
      found = level;
    }
  }
  return found;
}

class IngestTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }
  void Reopen() {
    db_.reset();
    ASSERT_TRUE(DB::Open(test::SmallOptions(), dir_.Sub("db"), &db_).ok());
  }
  void Put(const std::string& k, const std::string& v) {
    ASSERT_TRUE(db_->Put(WriteOptions(), k, v).ok());
  }
  std::string Sst(const std::string& name) { return dir_.Sub(name); }
  // The path of one of the database's tables (the last listed), or "".
  std::string SomeTablePath() {
    std::vector<std::string> names;
    EXPECT_TRUE(env()->GetChildren(dir_.Sub("db"), &names).ok());
    std::string table;
    for (const auto& name : names) {
      uint64_t number;
      if (ParseFileName(name, &number) == FileKind::kTable) table = dir_.Sub("db/" + name);
    }
    return table;
  }

  test::TempDir dir_;
  std::shared_ptr<DB> db_;
};

TEST(SstFileWriterTest, RefusesKeysOutOfOrderAndStaysUsable) {
  test::TempDir dir;
  const std::string path = dir.Sub("a.sst");
  std::unique_ptr<SstFileWriter> w;
  ASSERT_TRUE(SstFileWriter::Open(test::SmallOptions(), path, &w).ok());
  ASSERT_TRUE(w->Put("b", "1").ok());
  EXPECT_TRUE(w->Put("a", "x").IsInvalidArgument());
  EXPECT_TRUE(w->Put("b", "x").IsInvalidArgument());
  EXPECT_TRUE(w->Delete("b").IsInvalidArgument());
  ASSERT_TRUE(w->Delete("c").ok());
  ASSERT_TRUE(w->Put("d", "4").ok());
  ASSERT_TRUE(w->Finish().ok());
  EXPECT_EQ(w->num_entries(), 3u);
  EXPECT_TRUE(w->Put("e", "5").IsInvalidArgument());
  EXPECT_TRUE(w->Finish().IsInvalidArgument());

  uint64_t size = 0;
  ASSERT_TRUE(env()->GetFileSize(path, &size).ok());
  std::unique_ptr<RandomAccessFile> file;
  ASSERT_TRUE(env()->NewRandomAccessFile(path, &file).ok());
  std::unique_ptr<TableReader> reader;
  ASSERT_TRUE(TableReader::Open(Options(), std::move(file), size, 1, nullptr, &reader).ok());
  EXPECT_TRUE(reader->properties().has_global_sequence);
  EXPECT_EQ(reader->properties().global_sequence, 0u);
  EXPECT_EQ(reader->properties().num_deletions, 1u);
}

TEST(SstFileWriterTest, EmptyFinishRefusedAndUnfinishedFileRemoved) {
  test::TempDir dir;
  const std::string path = dir.Sub("a.sst");
  {
    std::unique_ptr<SstFileWriter> w;
    ASSERT_TRUE(SstFileWriter::Open(test::SmallOptions(), path, &w).ok());
    EXPECT_TRUE(w->Finish().IsInvalidArgument());
    ASSERT_TRUE(w->Put("a", "1").ok());
    EXPECT_TRUE(env()->FileExists(path));
  }
  EXPECT_FALSE(env()->FileExists(path));
}

TEST(GlobalSequenceTest, AssignedSequenceIsReadBackByGetAndIterators) {
  test::TempDir dir;
  const std::string path = dir.Sub("a.sst");
  WriteSst(path, 0, 500, "v", /*delete_every=*/7);
  ASSERT_TRUE(AssignGlobalSequence(env(), path, 42).ok());

  uint64_t size = 0;
  ASSERT_TRUE(env()->GetFileSize(path, &size).ok());
  std::unique_ptr<RandomAccessFile> file;
  ASSERT_TRUE(env()->NewRandomAccessFile(path, &file).ok());
  std::unique_ptr<TableReader> reader;
  ASSERT_TRUE(TableReader::Open(Options(), std::move(file), size, 1, nullptr, &reader).ok());
  EXPECT_EQ(reader->properties().global_sequence, 42u);
  EXPECT_EQ(reader->properties().smallest_sequence, 42u);
  EXPECT_EQ(ExtractTrailer(reader->properties().largest_key) >> 8, 42u);

  TableGetResult result;
  std::string value;
  ASSERT_TRUE(reader->Get(LookupKey(Key(3), 42), &result, &value).ok());
  EXPECT_EQ(result, TableGetResult::kValue);
  EXPECT_EQ(value, "v3");
  ASSERT_TRUE(reader->Get(LookupKey(Key(3), 41), &result, &value).ok());
  EXPECT_EQ(result, TableGetResult::kNotFound);
  ASSERT_TRUE(reader->Get(LookupKey(Key(7), 100), &result, &value).ok());
  EXPECT_EQ(result, TableGetResult::kDeletion);

  auto it = reader->NewIterator();
  int n = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next(), ++n) {
    ParsedInternalKey parsed;
    ASSERT_TRUE(ParseInternalKey(it->key(), &parsed));
    EXPECT_EQ(parsed.sequence, 42u);
    EXPECT_EQ(parsed.user_key, Key(n));
  }
  EXPECT_EQ(n, 500);
  // A seek below the global sequence skips the key; at or above finds it.
  it->Seek(LookupKey(Key(10), 41).internal_key());
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(ExtractUserKey(it->key()), Key(11));
  it->Seek(LookupKey(Key(10), 42).internal_key());
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(ExtractUserKey(it->key()), Key(10));
  it->SeekToLast();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(ExtractUserKey(it->key()), Key(499));
  it->Prev();
  EXPECT_EQ(ExtractUserKey(it->key()), Key(498));
}

TEST_F(IngestTest, IntoEmptyDatabaseGoesToTheBottomLevel) {
  WriteSst(Sst("a.sst"), 0, 1000, "v");
  ASSERT_TRUE(db_->Ingest({Sst("a.sst")}, false).ok());
  EXPECT_EQ(LevelOfOnlyTable(db_.get()), kNumLevels - 1);
  EXPECT_EQ(Get(db_.get(), Key(0)), "v0");
  EXPECT_EQ(Get(db_.get(), Key(999)), "v999");
  EXPECT_EQ(Get(db_.get(), Key(1000)), "NOT_FOUND");
  std::map<std::string, std::string> all;
  ASSERT_TRUE(test::ScanAll(db_.get(), &all).ok());
  EXPECT_EQ(all.size(), 1000u);
  EXPECT_TRUE(db_->Verify().ok());
  // The copy left the source as it was: it can be ingested elsewhere.
  EXPECT_TRUE(env()->FileExists(Sst("a.sst")));
}

// A moving ingest links the file in and removes the source name last; if it
// dies in between, the source name is still a hard link to a live table. A
// new SST writer at that name must not truncate the table through it.
TEST_F(IngestTest, AWriterAtANameLinkedToALiveTableLeavesTheTableAlone) {
  WriteSst(Sst("a.sst"), 0, 500, "v");
  ASSERT_TRUE(db_->Ingest({Sst("a.sst")}, /*move=*/true).ok());
  const std::string table = SomeTablePath();
  ASSERT_FALSE(table.empty());
  ASSERT_EQ(link(table.c_str(), Sst("left-behind.sst").c_str()), 0);
  WriteSst(Sst("left-behind.sst"), 1000, 1010, "other");
  EXPECT_TRUE(db_->Verify().ok());
  EXPECT_EQ(Get(db_.get(), Key(499)), "v499");
  std::map<std::string, std::string> all;
  ASSERT_TRUE(test::ScanAll(db_.get(), &all).ok());
  EXPECT_EQ(all.size(), 500u);
}

TEST_F(IngestTest, OverlappingMemtableIsFlushedAndIngestedValuesWin) {
  for (int i = 0; i < 100; ++i) Put(Key(i), "old" + std::to_string(i));
  Put("zzz", "outside");
  WriteSst(Sst("a.sst"), 50, 150, "new", /*delete_every=*/10);
  ASSERT_TRUE(db_->Ingest({Sst("a.sst")}, false).ok());
  EXPECT_GE(FilesAt(db_.get(), 0), 2);  // the flushed memtable and the ingested table
  EXPECT_EQ(Get(db_.get(), Key(10)), "old10");
  EXPECT_EQ(Get(db_.get(), Key(51)), "new51");
  EXPECT_EQ(Get(db_.get(), Key(60)), "NOT_FOUND");  // a tombstone in the table
  EXPECT_EQ(Get(db_.get(), Key(149)), "new149");
  EXPECT_EQ(Get(db_.get(), "zzz"), "outside");
  // Writes after the ingest are newer still.
  Put(Key(51), "newest");
  EXPECT_EQ(Get(db_.get(), Key(51)), "newest");
  std::map<std::string, std::string> all;
  ASSERT_TRUE(test::ScanAll(db_.get(), &all).ok());
  EXPECT_EQ(all[Key(52)], "new52");
  EXPECT_EQ(all.count(Key(60)), 0u);
}

TEST_F(IngestTest, PlacedAboveTheShallowestOverlappingLevel) {
  for (int i = 0; i < 100; ++i) Put(Key(i), "old");
  ASSERT_TRUE(db_->CompactRange(nullptr, nullptr).ok());
  const int existing = LevelOfOnlyTable(db_.get());
  ASSERT_GT(existing, 0);
  WriteSst(Sst("a.sst"), 50, 60, "new");
  ASSERT_TRUE(db_->Ingest({Sst("a.sst")}, false).ok());
  EXPECT_EQ(FilesAt(db_.get(), existing - 1), 1);
  EXPECT_EQ(Get(db_.get(), Key(55)), "new55");
  EXPECT_EQ(Get(db_.get(), Key(45)), "old");
  // A range overlapping nothing goes to the bottom.
  WriteSst(Sst("b.sst"), 500, 600, "far");
  ASSERT_TRUE(db_->Ingest({Sst("b.sst")}, false).ok());
  EXPECT_EQ(FilesAt(db_.get(), kNumLevels - 1), existing == kNumLevels - 1 ? 2 : 1);
  EXPECT_EQ(Get(db_.get(), Key(550)), "far550");
}

TEST_F(IngestTest, SnapshotTakenBeforeDoesNotSeeIngestedData) {
  Put(Key(5), "old");
  const Snapshot* snap = db_->GetSnapshot();
  WriteSst(Sst("a.sst"), 0, 10, "new");
  ASSERT_TRUE(db_->Ingest({Sst("a.sst")}, false).ok());
  EXPECT_EQ(Get(db_.get(), Key(5), snap), "old");
  EXPECT_EQ(Get(db_.get(), Key(6), snap), "NOT_FOUND");
  EXPECT_EQ(Get(db_.get(), Key(5)), "new5");
  std::map<std::string, std::string> seen;
  ASSERT_TRUE(test::ScanAll(db_.get(), &seen, std::nullopt, std::nullopt, snap).ok());
  EXPECT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[Key(5)], "old");
  db_->ReleaseSnapshot(snap);
}

TEST_F(IngestTest, SeveralFilesAtOnceSurviveReopenAndCompaction) {
  for (int i = 0; i < 300; ++i) Put(Key(i), "old");
  ASSERT_TRUE(db_->Flush().ok());
  WriteSst(Sst("a.sst"), 0, 100, "a");
  WriteSst(Sst("b.sst"), 200, 300, "b");
  ASSERT_TRUE(db_->Ingest({Sst("b.sst"), Sst("a.sst")}, true).ok());
  EXPECT_FALSE(env()->FileExists(Sst("a.sst")));  // moved
  EXPECT_FALSE(env()->FileExists(Sst("b.sst")));
  Reopen();
  EXPECT_EQ(Get(db_.get(), Key(50)), "a50");
  EXPECT_EQ(Get(db_.get(), Key(150)), "old");
  EXPECT_EQ(Get(db_.get(), Key(250)), "b250");
  // The sequence goes on past the ingest's after a reopen.
  Put(Key(50), "later");
  EXPECT_EQ(Get(db_.get(), Key(50)), "later");
  ASSERT_TRUE(db_->CompactRange(nullptr, nullptr).ok());
  EXPECT_EQ(Get(db_.get(), Key(50)), "later");
  EXPECT_EQ(Get(db_.get(), Key(51)), "a51");
  EXPECT_EQ(Get(db_.get(), Key(150)), "old");
  EXPECT_EQ(Get(db_.get(), Key(299)), "b299");
  EXPECT_TRUE(db_->Verify().ok());
  Reopen();
  EXPECT_EQ(Get(db_.get(), Key(51)), "a51");
}

TEST_F(IngestTest, RepairKeepsIngestedTablesNewer) {
  for (int i = 0; i < 100; ++i) Put(Key(i), "old");
  ASSERT_TRUE(db_->Flush().ok());
  WriteSst(Sst("a.sst"), 0, 100, "new");
  ASSERT_TRUE(db_->Ingest({Sst("a.sst")}, false).ok());
  db_.reset();
  RepairReport report;
  ASSERT_TRUE(RepairDB(test::SmallOptions(), dir_.Sub("db"), &report).ok());
  Reopen();
  EXPECT_EQ(Get(db_.get(), Key(7)), "new7");
  Put(Key(8), "after");
  EXPECT_EQ(Get(db_.get(), Key(8)), "after");
}

TEST_F(IngestTest, RefusalsChangeNothing) {
  Put(Key(1), "kept");
  WriteSst(Sst("a.sst"), 0, 100, "a");
  WriteSst(Sst("b.sst"), 50, 150, "b");
  std::string last_before;
  ASSERT_TRUE(db_->GetProperty("last-sequence", &last_before));

  // Overlapping files.
  EXPECT_TRUE(db_->Ingest({Sst("a.sst"), Sst("b.sst")}, true).IsInvalidArgument());
  EXPECT_TRUE(env()->FileExists(Sst("a.sst")));
  EXPECT_TRUE(env()->FileExists(Sst("b.sst")));

  // An unfinished file (its writer still open).
  std::unique_ptr<SstFileWriter> open_writer;
  ASSERT_TRUE(SstFileWriter::Open(test::SmallOptions(), Sst("c.sst"), &open_writer).ok());
  ASSERT_TRUE(open_writer->Put(Key(500), "x").ok());
  EXPECT_TRUE(db_->Ingest({Sst("a.sst"), Sst("c.sst")}, false).IsCorruption());

  // Random bytes.
  {
    std::unique_ptr<WritableFile> f;
    ASSERT_TRUE(env()->NewWritableFile(Sst("junk.sst"), &f).ok());
    ASSERT_TRUE(f->Append(std::string(4096, 'j')).ok());
    ASSERT_TRUE(f->Close().ok());
  }
  EXPECT_TRUE(db_->Ingest({Sst("junk.sst")}, false).IsCorruption());

  // A damaged data block (the first bytes of the file).
  ASSERT_TRUE(CopyFile(env(), Sst("a.sst"), Sst("damaged.sst")).ok());
  {
    std::FILE* f = std::fopen(Sst("damaged.sst").c_str(), "r+b");
    ASSERT_NE(f, nullptr);
    ASSERT_EQ(std::fseek(f, 20, SEEK_SET), 0);
    const int c = std::fgetc(f);
    ASSERT_EQ(std::fseek(f, 20, SEEK_SET), 0);
    std::fputc(c ^ 0x40, f);
    std::fclose(f);
  }
  EXPECT_TRUE(db_->Ingest({Sst("damaged.sst")}, false).IsCorruption());

  // A missing file; a file already ingested; a database's own table.
  {
    const Status s = db_->Ingest({Sst("missing.sst")}, false);
    EXPECT_TRUE(s.IsIOError() || s.IsInvalidArgument()) << s.ToString();
    EXPECT_NE(s.ToString().find("missing.sst"), std::string::npos) << s.ToString();
  }
  ASSERT_TRUE(CopyFile(env(), Sst("a.sst"), Sst("assigned.sst")).ok());
  ASSERT_TRUE(AssignGlobalSequence(env(), Sst("assigned.sst"), 9).ok());
  EXPECT_TRUE(db_->Ingest({Sst("assigned.sst")}, false).IsInvalidArgument());
  ASSERT_TRUE(db_->Flush().ok());
  const std::string own_table = SomeTablePath();
  ASSERT_FALSE(own_table.empty());
  ASSERT_TRUE(CopyFile(env(), own_table, Sst("flushed.sst")).ok());
  EXPECT_TRUE(db_->Ingest({Sst("flushed.sst")}, false).IsInvalidArgument());

  std::string last_after;
  ASSERT_TRUE(db_->GetProperty("last-sequence", &last_after));
  EXPECT_EQ(last_before, last_after);
  EXPECT_EQ(Get(db_.get(), Key(1)), "kept");
  EXPECT_EQ(Get(db_.get(), Key(60)), "NOT_FOUND");
  // Nothing the refusals brought in was left in the directory.
  std::vector<std::string> names;
  ASSERT_TRUE(env()->GetChildren(dir_.Sub("db"), &names).ok());
  for (const auto& name : names) {
    uint64_t number;
    EXPECT_NE(ParseFileName(name, &number), FileKind::kTemp) << name;
  }
  // The refused files themselves are still good.
  ASSERT_TRUE(db_->Ingest({Sst("a.sst")}, false).ok());
  EXPECT_EQ(Get(db_.get(), Key(60)), "a60");
}

TEST_F(IngestTest, CopiedSourceCanBeIngestedAgainElsewhere) {
  WriteSst(Sst("a.sst"), 0, 10, "v");
  ASSERT_TRUE(db_->Ingest({Sst("a.sst")}, false).ok());
  std::shared_ptr<DB> other;
  ASSERT_TRUE(DB::Open(test::SmallOptions(), dir_.Sub("other"), &other).ok());
  ASSERT_TRUE(other->Ingest({Sst("a.sst")}, true).ok());
  EXPECT_EQ(Get(other.get(), Key(3)), "v3");
  EXPECT_FALSE(env()->FileExists(Sst("a.sst")));
  EXPECT_EQ(Get(db_.get(), Key(3)), "v3");  // its copy is its own
}

}  // namespace
}  // namespace strata
