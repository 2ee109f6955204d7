// The compaction picker on its own, over Versions built from manifest edits
// (no tables on disk): level scores, L0 by its file-count trigger, a deeper
// level by its size with the round-robin pointer, busy tables, trivial
// moves, the bottommost flag, and the inputs of a manual range compaction,
// including the shape of issue 14's first reproduction (a narrow range over
// several level-1 tables with data in level 2).
#include <gtest/gtest.h>

#include "core/compaction/compaction_picker.h"
#include "core/version/version_edit.h"
#include "support/vector_iterator.h"

namespace strata {
namespace {

using test::IKey;

struct Spec {
  int level;
  uint64_t number;
  const char* smallest;
  const char* largest;
  uint64_t bytes = 1000;
};

std::shared_ptr<Version> Build(std::initializer_list<Spec> specs) {
  VersionEdit edit;
  for (const Spec& s : specs) {
    FileMetaData f;
    f.number = s.number;
    f.file_size = s.bytes;
    f.smallest = IKey(s.smallest, 1);
    f.largest = IKey(s.largest, 1);
    edit.AddFile(s.level, f);
  }
  VersionBuilder builder(nullptr);
  builder.Apply(edit);
  std::string error;
  auto v = builder.Build(&error);
  EXPECT_EQ(error, "");
  return v;
}

std::vector<uint64_t> Numbers(const FileList& files) {
  std::vector<uint64_t> out;
  for (const auto& f : files) out.push_back(f->number);
  return out;
}

Options PickerOptions() {
  Options o;
  o.l0_compaction_trigger = 4;
  o.level1_bytes = 10000;
  o.level_size_multiplier = 10;
  return o;
}

const std::string kNoPointers[kNumLevels];

TEST(CompactionPickerTest, ScoresAndTargets) {
  const Options o = PickerOptions();
  EXPECT_EQ(LevelTargetBytes(o, 1), 10000u);
  EXPECT_EQ(LevelTargetBytes(o, 2), 100000u);
  EXPECT_EQ(LevelTargetBytes(o, 3), 1000000u);
  auto v = Build({{0, 1, "a", "b"}, {0, 2, "a", "b"}, {1, 3, "a", "b", 15000}, {2, 4, "a", "b", 50000}});
  EXPECT_DOUBLE_EQ(LevelScore(*v, o, 0), 0.5);
  EXPECT_DOUBLE_EQ(LevelScore(*v, o, 1), 1.5);
  EXPECT_DOUBLE_EQ(LevelScore(*v, o, 2), 0.5);
}

TEST(CompactionPickerTest, NothingBelowEveryTrigger) {
  const Options o = PickerOptions();
  EXPECT_FALSE(PickCompaction(*Build({}), o, kNoPointers));
  auto v = Build({{0, 1, "a", "c"}, {0, 2, "b", "d"}, {0, 3, "a", "z"}, {1, 4, "a", "b", 9999}});
  EXPECT_FALSE(PickCompaction(*v, o, kNoPointers));
}

TEST(CompactionPickerTest, L0ByFileCountTakesAllOfL0AndTheOverlappingL1Tables) {
  const Options o = PickerOptions();
  auto v = Build({{0, 10, "c", "e"},
                  {0, 11, "d", "f"},
                  {0, 12, "c", "d"},
                  {0, 13, "e", "g"},  // four: the trigger
                  {1, 20, "a", "b"},
                  {1, 21, "b1", "cc"},
                  {1, 22, "f", "h"},
                  {1, 23, "i", "k"}});
  auto picked = PickCompaction(*v, o, kNoPointers);
  ASSERT_TRUE(picked);
  EXPECT_EQ(picked->level, 0);
  EXPECT_EQ(picked->inputs.output_level, 1);
  EXPECT_EQ(Numbers(picked->inputs.files[0]), (std::vector<uint64_t>{10, 11, 12, 13}));
  // L0 covers [c, g]: tables 21 and 22 overlap it, in key order.
  EXPECT_EQ(Numbers(picked->inputs.files[1]), (std::vector<uint64_t>{21, 22}));
  EXPECT_FALSE(picked->trivial_move);
  EXPECT_TRUE(picked->inputs.bottommost);
}

TEST(CompactionPickerTest, ReadsCanTriggerL0BelowItsCount) {
  const Options o = PickerOptions();
  auto v = Build({{0, 10, "c", "e"}, {1, 20, "x", "y"}});
  EXPECT_FALSE(PickCompaction(*v, o, kNoPointers, /*l0_read_triggered=*/false));
  auto picked = PickCompaction(*v, o, kNoPointers, /*l0_read_triggered=*/true);
  ASSERT_TRUE(picked);
  EXPECT_EQ(picked->level, 0);
  // One L0 table with nothing under it in L1 moves down unchanged.
  EXPECT_TRUE(picked->trivial_move);
  // Nothing to pick in an empty L0, read-triggered or not.
  EXPECT_FALSE(PickCompaction(*Build({{1, 20, "x", "y"}}), o, kNoPointers, true));
}

TEST(CompactionPickerTest, ALevelOverItsSizeCompactsOneTableRoundRobin) {
  const Options o = PickerOptions();
  auto v = Build({{1, 10, "a", "c", 5000},
                  {1, 11, "d", "f", 5000},
                  {1, 12, "g", "i", 5000},  // 15000 bytes over a 10000 target
                  {2, 20, "a", "b"},
                  {2, 21, "c", "e"},
                  {2, 22, "z", "zz"}});
  std::string pointers[kNumLevels];
  auto picked = PickCompaction(*v, o, pointers);
  ASSERT_TRUE(picked);
  EXPECT_EQ(picked->level, 1);
  EXPECT_EQ(picked->inputs.output_level, 2);
  EXPECT_EQ(Numbers(picked->inputs.files[1]), (std::vector<uint64_t>{10}));
  EXPECT_EQ(Numbers(picked->inputs.files[2]), (std::vector<uint64_t>{20, 21}));

  pointers[1] = "c";  // the last compaction of level 1 ended at "c"
  picked = PickCompaction(*v, o, pointers);
  ASSERT_TRUE(picked);
  EXPECT_EQ(Numbers(picked->inputs.files[1]), (std::vector<uint64_t>{11}));
  EXPECT_EQ(Numbers(picked->inputs.files[2]), (std::vector<uint64_t>{21}));

  pointers[1] = "i";  // past the last table: start over
  picked = PickCompaction(*v, o, pointers);
  ASSERT_TRUE(picked);
  EXPECT_EQ(Numbers(picked->inputs.files[1]), (std::vector<uint64_t>{10}));

  pointers[1] = "f";  // the next table has nothing under it: a move
  picked = PickCompaction(*v, o, pointers);
  ASSERT_TRUE(picked);
  EXPECT_EQ(Numbers(picked->inputs.files[1]), (std::vector<uint64_t>{12}));
  EXPECT_TRUE(picked->inputs.files[2].empty());
  EXPECT_TRUE(picked->trivial_move);
}

TEST(CompactionPickerTest, TheHighestScoreGoesFirstAndBusyLevelsAreSkipped) {
  const Options o = PickerOptions();
  auto v = Build({{0, 1, "a", "b"},
                  {0, 2, "a", "b"},
                  {0, 3, "a", "b"},
                  {0, 4, "a", "b"},
                  {0, 5, "a", "b"},  // L0 score 1.25
                  {1, 10, "m", "n", 30000}});  // L1 score 3
  auto picked = PickCompaction(*v, o, kNoPointers);
  ASSERT_TRUE(picked);
  EXPECT_EQ(picked->level, 1);

  // With the L1 table in another compaction, L0 goes instead.
  v->files(1)[0]->being_compacted = true;
  picked = PickCompaction(*v, o, kNoPointers);
  ASSERT_TRUE(picked);
  EXPECT_EQ(picked->level, 0);

  // With one L0 table busy too, nothing can start.
  v->files(0)[2]->being_compacted = true;
  EXPECT_FALSE(PickCompaction(*v, o, kNoPointers));
}

TEST(CompactionPickerTest, ABusyTableInTheNextLevelHoldsTheCompactionBack) {
  const Options o = PickerOptions();
  auto v = Build({{0, 1, "a", "c"}, {0, 2, "a", "c"}, {0, 3, "a", "c"}, {0, 4, "a", "c"},
                  {1, 10, "b", "d"}});
  v->files(1)[0]->being_compacted = true;
  EXPECT_FALSE(PickCompaction(*v, o, kNoPointers));
}

TEST(CompactionPickerTest, BottommostOnlyWhenNoDeeperLevelHoldsTheKeys) {
  const Options o = PickerOptions();
  auto v = Build({{1, 10, "a", "c", 20000}, {3, 30, "b", "b"}});
  auto picked = PickCompaction(*v, o, kNoPointers);
  ASSERT_TRUE(picked);
  EXPECT_EQ(picked->level, 1);
  EXPECT_FALSE(picked->inputs.bottommost);  // level 3 may hold older versions of "b"

  v = Build({{1, 10, "a", "c", 20000}, {3, 30, "d", "e"}});
  picked = PickCompaction(*v, o, kNoPointers);
  ASSERT_TRUE(picked);
  EXPECT_TRUE(picked->inputs.bottommost);
}

TEST(CompactionPickerTest, ARangeCompactionOverNothingIsEmpty) {
  auto v = Build({{1, 10, "a", "c"}, {2, 20, "e", "g"}});
  std::string_view lo = "d", hi = "d";
  EXPECT_TRUE(PickRangeCompaction(*v, &lo, &hi).empty());
  EXPECT_TRUE(PickRangeCompaction(*Build({}), nullptr, nullptr).empty());
}

TEST(CompactionPickerTest, AnOpenRangeCompactionTakesEverythingToTheDeepestLevel) {
  auto v = Build({{0, 5, "a", "z"}, {0, 4, "b", "c"}, {1, 10, "a", "c"}, {1, 11, "d", "f"},
                  {3, 30, "x", "y"}});
  CompactionInputs inputs = PickRangeCompaction(*v, nullptr, nullptr);
  EXPECT_EQ(Numbers(inputs.files[0]), (std::vector<uint64_t>{4, 5}));  // oldest first
  EXPECT_EQ(Numbers(inputs.files[1]), (std::vector<uint64_t>{10, 11}));
  EXPECT_EQ(Numbers(inputs.files[3]), (std::vector<uint64_t>{30}));
  EXPECT_EQ(inputs.output_level, 3);
  EXPECT_TRUE(inputs.bottommost);

  // Only L0: the output still goes to level 1.
  inputs = PickRangeCompaction(*Build({{0, 1, "a", "b"}}), nullptr, nullptr);
  EXPECT_EQ(inputs.output_level, 1);
}

// Issue 14's first reproduction as a Version: level 2 holds b00000..e99990
// and level 1 the later writes a00000z..f99800z, both cut into small tables
// (table_file_bytes=64K) whose boundaries do not line up, and the range is one
// key. The closure widens round by round: the level-1 table holding e50000z
// first, then the level-2 tables under it, then the level-1 tables on both
// sides of the first one, and so on. So each level's tables are found out of
// key order; the inputs must still list them in key order, or the job is
// handed keys out of order ("table keys added out of order").
TEST(CompactionPickerTest, ANarrowRangeOverSeveralLevel1TablesListsInputsInKeyOrder) {
  auto v = Build({{2, 20, "b00000", "e30000"},
                  {2, 21, "e30010", "e45000"},
                  {2, 22, "e45010", "e55000"},
                  {2, 23, "e55010", "e65000"},
                  {2, 24, "e65010", "e99990"},
                  {1, 30, "a00000z", "e20000z"},
                  {1, 31, "e20200z", "e40000z"},
                  {1, 32, "e40200z", "e60000z"},
                  {1, 33, "e60200z", "f99800z"}});
  std::string_view key = "e50000z";
  CompactionInputs inputs = PickRangeCompaction(*v, &key, &key);
  EXPECT_TRUE(inputs.files[0].empty());
  EXPECT_EQ(Numbers(inputs.files[1]), (std::vector<uint64_t>{30, 31, 32, 33}));
  EXPECT_EQ(Numbers(inputs.files[2]), (std::vector<uint64_t>{20, 21, 22, 23, 24}));
  EXPECT_EQ(inputs.output_level, 2);
  EXPECT_TRUE(inputs.bottommost);

  // Where the tables' boundaries do line up, the closure stays narrow.
  v = Build({{2, 20, "b00000", "c99990"},
             {2, 21, "d00000", "d99990"},
             {2, 22, "e00000", "e99990"},
             {1, 30, "a00000z", "c99800z"},
             {1, 31, "d00000z", "f99800z"}});
  inputs = PickRangeCompaction(*v, &key, &key);
  EXPECT_EQ(Numbers(inputs.files[1]), (std::vector<uint64_t>{31}));
  EXPECT_EQ(Numbers(inputs.files[2]), (std::vector<uint64_t>{21, 22}));
}

}  // namespace
}  // namespace strata
