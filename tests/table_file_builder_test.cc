// TableFileBuilder (core/table/table_file_builder.h): a table has its final
// name only once whole; TableSalvageIterator (core/table/table_salvage.h):
// the data blocks of a damaged table that still read.
#include "core/table/table_file_builder.h"

#include <gtest/gtest.h>

#include <cstdio>

#include "core/filename.h"
#include "core/table/table_reader.h"
#include "core/table/table_salvage.h"
#include "support/db_test_util.h"
#include "support/temp_dir.h"

namespace strata {
namespace {

Env* env() { return Env::Default(); }

std::string IKey(int i, SequenceNumber seq) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "k%06d", i);
  std::string out;
  AppendInternalKey(&out, buf, seq, ValueKind::kValue);
  return out;
}

TEST(TableFileBuilderTest, TheFinalNameAppearsOnlyForAWholeTable) {
  test::TempDir dir;
  const Options options = test::SmallOptions();
  FileMetaData meta;
  {
    TableFileBuilder table(options, env(), dir.path(), 7);
    for (int i = 0; i < 2000; ++i) ASSERT_TRUE(table.Add(IKey(i, 100 + i), "value").ok());
    // Written so far under the temporary name only.
    EXPECT_TRUE(env()->FileExists(TempFileName(dir.path(), 7)));
    EXPECT_FALSE(env()->FileExists(TableFileName(dir.path(), 7)));
    table.AddRangeDeletion({"a", "b", 5000});
    EXPECT_EQ(table.max_sequence(), 5000u);
    Status s = table.Finish(nullptr, &meta);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  EXPECT_FALSE(env()->FileExists(TempFileName(dir.path(), 7)));
  ASSERT_TRUE(env()->FileExists(TableFileName(dir.path(), 7)));
  EXPECT_EQ(meta.number, 7u);
  EXPECT_EQ(meta.num_entries, 2000u);
  EXPECT_EQ(meta.smallest, IKey(0, 100));
  EXPECT_EQ(meta.largest, IKey(1999, 2099));
  EXPECT_EQ(meta.smallest_sequence, 100u);
  ASSERT_EQ(meta.range_deletions.size(), 1u);
  uint64_t size = 0;
  ASSERT_TRUE(env()->GetFileSize(TableFileName(dir.path(), 7), &size).ok());
  EXPECT_EQ(meta.file_size, size);
}

TEST(TableFileBuilderTest, AnAbandonedTableLeavesNoFile) {
  test::TempDir dir;
  const Options options = test::SmallOptions();
  {
    TableFileBuilder table(options, env(), dir.path(), 3);
    ASSERT_TRUE(table.Add(IKey(1, 1), "v").ok());
  }  // destroyed unfinished
  std::vector<std::string> names;
  ASSERT_TRUE(env()->GetChildren(dir.path(), &names).ok());
  for (const auto& name : names) {
    EXPECT_TRUE(name == "." || name == "..") << name;
  }
}

TEST(TableSalvageIteratorTest, DamagedBlocksAreDroppedAndTheRestReturned) {
  test::TempDir dir;
  const Options options = test::SmallOptions();
  FileMetaData meta;
  {
    TableFileBuilder table(options, env(), dir.path(), 9);
    for (int i = 0; i < 3000; ++i) ASSERT_TRUE(table.Add(IKey(i, 1 + i), std::string(40, 'v')).ok());
    ASSERT_TRUE(table.Finish(nullptr, &meta).ok());
  }
  const std::string path = TableFileName(dir.path(), 9);
  // Damage a byte early in the file: the first data block.
  {
    std::FILE* f = std::fopen(path.c_str(), "r+b");
    ASSERT_NE(f, nullptr);
    ASSERT_EQ(std::fseek(f, 20, SEEK_SET), 0);
    const int c = std::fgetc(f);
    ASSERT_EQ(std::fseek(f, 20, SEEK_SET), 0);
    std::fputc(c ^ 0x5a, f);
    std::fclose(f);
  }
  std::unique_ptr<RandomAccessFile> file;
  ASSERT_TRUE(env()->NewRandomAccessFile(path, &file).ok());
  std::unique_ptr<TableSalvageIterator> blocks;
  Status s = TableSalvageIterator::Open(options, std::move(file), meta.file_size, 9, &blocks);
  ASSERT_TRUE(s.ok()) << s.ToString();
  uint64_t entries = 0;
  std::string previous;
  while (blocks->NextBlock()) {
    for (const auto& [key, value] : blocks->entries()) {
      if (!previous.empty()) {
        EXPECT_LT(CompareInternalKeys(previous, key), 0);
      }
      previous = key;
      ++entries;
    }
  }
  EXPECT_TRUE(blocks->status().ok());
  EXPECT_TRUE(blocks->index_damage().empty());
  EXPECT_EQ(blocks->blocks_dropped(), 1u);
  EXPECT_GT(blocks->blocks_kept(), 1u);
  EXPECT_GT(entries, 0u);
  EXPECT_LT(entries, 3000u);
  EXPECT_EQ(blocks->entries_expected(), 3000u);
}

TEST(TableSalvageIteratorTest, ABadFooterIsCorruption) {
  test::TempDir dir;
  const Options options = test::SmallOptions();
  FileMetaData meta;
  {
    TableFileBuilder table(options, env(), dir.path(), 4);
    ASSERT_TRUE(table.Add(IKey(1, 1), "v").ok());
    ASSERT_TRUE(table.Finish(nullptr, &meta).ok());
  }
  std::unique_ptr<RandomAccessFile> file;
  ASSERT_TRUE(env()->NewRandomAccessFile(TableFileName(dir.path(), 4), &file).ok());
  std::unique_ptr<TableSalvageIterator> blocks;
  // Seen as three bytes short, the "footer" is not one.
  Status s = TableSalvageIterator::Open(options, std::move(file), meta.file_size - 3, 4, &blocks);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_EQ(blocks, nullptr);
}

}  // namespace
}  // namespace strata
