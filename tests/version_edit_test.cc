#include "core/version/version_edit.h"

#include <gtest/gtest.h>

#include "core/dbformat.h"
#include "core/version/version.h"

namespace strata {
namespace {

FileMetaData File(uint64_t number, std::string_view smallest, std::string_view largest) {
  FileMetaData f;
  f.number = number;
  f.file_size = number * 100;
  AppendInternalKey(&f.smallest, smallest, 5, ValueKind::kValue);
  AppendInternalKey(&f.largest, largest, 6, ValueKind::kDeletion);
  f.num_entries = 10;
  f.num_deletions = 2;
  return f;
}

TEST(VersionEditTest, EncodeDecodeRoundTrip) {
  VersionEdit edit;
  edit.SetLogNumber(7);
  edit.SetNextFileNumber(42);
  edit.SetLastSequence(1ull << 40);
  edit.AddFile(0, File(3, "a", "m"));
  edit.AddFile(2, File(9, std::string("\0z", 2), "zz"));
  edit.RemoveFile(1, 5);
  std::string encoded;
  edit.EncodeTo(&encoded);

  VersionEdit decoded;
  ASSERT_TRUE(decoded.DecodeFrom(encoded).ok());
  std::string again;
  decoded.EncodeTo(&again);
  EXPECT_EQ(encoded, again);
  EXPECT_EQ(*decoded.log_number(), 7u);
  EXPECT_EQ(*decoded.last_sequence(), 1ull << 40);
  ASSERT_EQ(decoded.new_files().size(), 2u);
  EXPECT_EQ(decoded.new_files()[1].second.smallest, File(9, std::string("\0z", 2), "zz").smallest);
}

TEST(VersionEditTest, DamagedEncodingIsCorruption) {
  VersionEdit edit;
  edit.AddFile(1, File(3, "a", "b"));
  std::string encoded;
  edit.EncodeTo(&encoded);
  VersionEdit decoded;
  for (size_t cut = 1; cut < encoded.size(); ++cut) {
    EXPECT_FALSE(decoded.DecodeFrom(std::string_view(encoded).substr(0, cut)).ok()) << cut;
  }
  EXPECT_TRUE(decoded.DecodeFrom(std::string("\x63\x01", 2)).IsCorruption());  // unknown tag
}

TEST(VersionTest, BuilderOrdersLevelsAndFindsFilesForKeys) {
  VersionEdit edit;
  edit.AddFile(0, File(4, "c", "k"));
  edit.AddFile(0, File(8, "a", "e"));
  edit.AddFile(1, File(5, "m", "p"));
  edit.AddFile(1, File(6, "a", "f"));
  VersionBuilder builder(nullptr);
  builder.Apply(edit);
  std::string error;
  auto v = builder.Build(&error);
  ASSERT_TRUE(error.empty()) << error;
  EXPECT_EQ(v->files(1)[0]->number, 6u);  // ordered by smallest key

  auto l0 = v->FilesForKey(0, "d");
  ASSERT_EQ(l0.size(), 2u);
  EXPECT_EQ(l0[0]->number, 8u);  // newest first
  EXPECT_EQ(v->FilesForKey(1, "n")[0]->number, 5u);
  EXPECT_TRUE(v->FilesForKey(1, "h").empty());
  EXPECT_TRUE(v->FilesForKey(1, "q").empty());

  VersionEdit remove;
  remove.RemoveFile(1, 5);
  VersionBuilder next(v.get());
  next.Apply(remove);
  auto v2 = next.Build(&error);
  EXPECT_EQ(v2->NumFiles(1), 1);
  EXPECT_EQ(v->NumFiles(1), 2);  // the old version is unchanged
}

// A level-0 table's read budget (allowed seeks) counts what compacting it
// would rewrite: itself and the level-1 tables it overlaps.
TEST(VersionTest, Level0SeekBudgetCountsTheLevel1BytesItOverlaps) {
  VersionEdit base;
  FileMetaData big = File(20, "a", "m");
  big.file_size = 64 << 20;
  base.AddFile(1, big);
  FileMetaData far = File(21, "x", "z");
  far.file_size = 64 << 20;
  base.AddFile(1, far);
  VersionBuilder builder(nullptr);
  builder.Apply(base);
  std::string error;
  auto v = builder.Build(&error);
  ASSERT_TRUE(error.empty()) << error;

  VersionEdit flush;
  FileMetaData overlapping = File(30, "c", "k");
  overlapping.file_size = 1 << 20;
  flush.AddFile(0, overlapping);
  FileMetaData alone = File(31, "n", "o");
  alone.file_size = 1 << 20;
  flush.AddFile(0, alone);
  VersionBuilder next(v.get());
  next.Apply(flush);
  auto v2 = next.Build(&error);
  ASSERT_TRUE(error.empty()) << error;
  for (const auto& f : v2->files(0)) {
    const int64_t seeks = f->allowed_seeks.load();
    if (f->number == 30) {
      EXPECT_EQ(seeks, ((64 << 20) + (1 << 20)) / (16 << 10));
    } else {
      EXPECT_EQ(seeks, 100);  // 1 MiB overlapping nothing: the minimum
    }
  }
}

TEST(VersionTest, BuilderReportsOverlapInDeeperLevels) {
  VersionEdit edit;
  edit.AddFile(1, File(5, "a", "m"));
  edit.AddFile(1, File(6, "k", "z"));
  VersionBuilder builder(nullptr);
  builder.Apply(edit);
  std::string error;
  builder.Build(&error);
  EXPECT_FALSE(error.empty());
}

}  // namespace
}  // namespace strata
