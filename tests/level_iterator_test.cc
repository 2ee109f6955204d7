// NewLevelIterator on its own: a level's tables stood in for by in-memory
// iterators, so the test sees which tables the walk opens and in what order.
// Covers an empty level, empty tables, seeks before, between and after the
// tables' ranges, crossing table boundaries both ways, and a table's error
// stopping the walk.
#include <gtest/gtest.h>

#include <map>

#include "core/iter/level_iterator.h"
#include "support/vector_iterator.h"

namespace strata {
namespace {

using test::Entries;
using test::IKey;
using test::KeysBackward;
using test::KeysForward;
using test::SeekKey;
using test::VectorIterator;

// A level of tables, each a list of entries, and a factory that opens them.
class FakeLevel {
 public:
  // Adds a table with these user keys (sequence 1 each). An empty table gets
  // the key range [lo, hi] as its manifest bounds.
  void AddTable(std::vector<std::string> user_keys, std::string lo = {}, std::string hi = {}) {
    auto f = std::make_shared<FileMetaData>();
    f->number = next_number_++;
    Entries entries;
    for (const auto& k : user_keys) entries.emplace_back(IKey(k, 1), "v" + k);
    f->smallest = IKey(user_keys.empty() ? lo : user_keys.front(), 1);
    f->largest = IKey(user_keys.empty() ? hi : user_keys.back(), 1);
    tables_[f->number] = std::move(entries);
    files_.push_back(std::move(f));
  }
  // Table `number` fails when positioned on its entry `index`.
  void FailTable(uint64_t number, size_t index, Status error) {
    failures_[number] = {index, std::move(error)};
  }

  std::unique_ptr<InternalIterator> NewIterator() {
    return NewLevelIterator(files_, [this](const FileMetaData& f) {
      opened_.push_back(f.number);
      auto it = std::make_unique<VectorIterator>(tables_.at(f.number));
      if (auto fail = failures_.find(f.number); fail != failures_.end()) {
        it->FailAt(fail->second.first, fail->second.second);
      }
      return std::unique_ptr<InternalIterator>(std::move(it));
    });
  }
  const std::vector<uint64_t>& opened() const { return opened_; }
  void ClearOpened() { opened_.clear(); }

 private:
  uint64_t next_number_ = 10;
  FileList files_;
  std::map<uint64_t, Entries> tables_;
  std::map<uint64_t, std::pair<size_t, Status>> failures_;
  std::vector<uint64_t> opened_;
};

std::vector<std::string> Keys(std::initializer_list<const char*> user_keys) {
  std::vector<std::string> out;
  for (const char* k : user_keys) out.push_back(IKey(k, 1));
  return out;
}

TEST(LevelIteratorTest, AnEmptyLevelIsEmptyAndOpensNothing) {
  FakeLevel level;
  auto it = level.NewIterator();
  it->SeekToFirst();
  EXPECT_FALSE(it->Valid());
  it->SeekToLast();
  EXPECT_FALSE(it->Valid());
  it->Seek(SeekKey("m"));
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().ok());
  EXPECT_TRUE(level.opened().empty());
}

TEST(LevelIteratorTest, WalksTablesInOrderBothWays) {
  FakeLevel level;
  level.AddTable({"a", "b"});
  level.AddTable({"d"});
  level.AddTable({"f", "g", "h"});
  auto it = level.NewIterator();
  it->SeekToFirst();
  EXPECT_EQ(KeysForward(it.get()), Keys({"a", "b", "d", "f", "g", "h"}));
  it->SeekToLast();
  EXPECT_EQ(KeysBackward(it.get()), Keys({"h", "g", "f", "d", "b", "a"}));
  EXPECT_TRUE(it->status().ok());
  it->SeekToFirst();
  EXPECT_EQ(it->value(), "va");
}

TEST(LevelIteratorTest, SeekOpensOnlyTheTableThatMayHoldTheTarget) {
  FakeLevel level;
  level.AddTable({"a", "b"});  // 10
  level.AddTable({"d", "e"});  // 11
  level.AddTable({"g", "h"});  // 12
  auto it = level.NewIterator();

  it->Seek(SeekKey("e"));
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), IKey("e", 1));
  EXPECT_EQ(level.opened(), (std::vector<uint64_t>{11}));

  // Between two tables' ranges: the next table's first key.
  level.ClearOpened();
  it->Seek(SeekKey("c"));
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), IKey("d", 1));
  EXPECT_TRUE(level.opened().empty());  // table 11 is still open

  // Past a table's last key but before the next one's first: next table.
  level.ClearOpened();
  it->Seek(SeekKey("f"));
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), IKey("g", 1));
  EXPECT_EQ(level.opened(), (std::vector<uint64_t>{12}));

  // Before every key, and after every key.
  it->Seek(SeekKey(""));
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), IKey("a", 1));
  it->Seek(SeekKey("z"));
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().ok());
}

TEST(LevelIteratorTest, DirectionSwitchesAcrossATableBoundary) {
  FakeLevel level;
  level.AddTable({"a", "b"});
  level.AddTable({"c", "d"});
  auto it = level.NewIterator();
  it->Seek(SeekKey("c"));
  ASSERT_EQ(it->key(), IKey("c", 1));
  it->Prev();  // into the first table
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), IKey("b", 1));
  it->Next();  // back into the second
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), IKey("c", 1));
  it->Next();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), IKey("d", 1));
  it->Prev();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), IKey("c", 1));
  it->Prev();
  it->Prev();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), IKey("a", 1));
  it->Prev();
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().ok());
}

TEST(LevelIteratorTest, EmptyTablesAreSteppedOverBothWays) {
  FakeLevel level;
  level.AddTable({}, "0", "1");  // empty at the start
  level.AddTable({"a"});
  level.AddTable({}, "b", "c");  // empty in the middle
  level.AddTable({}, "cc", "cd");
  level.AddTable({"d"});
  level.AddTable({}, "x", "y");  // empty at the end
  auto it = level.NewIterator();
  it->SeekToFirst();
  EXPECT_EQ(KeysForward(it.get()), Keys({"a", "d"}));
  it->SeekToLast();
  EXPECT_EQ(KeysBackward(it.get()), Keys({"d", "a"}));
  // A seek that lands in an empty table moves on to the next entry.
  it->Seek(SeekKey("bb"));
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), IKey("d", 1));
  it->Prev();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), IKey("a", 1));
  EXPECT_TRUE(it->status().ok());
}

TEST(LevelIteratorTest, ATableErrorStopsTheWalkAndIsReported) {
  FakeLevel level;
  level.AddTable({"a", "b"});  // 10
  level.AddTable({"c", "d"});  // 11: fails on "d"
  level.AddTable({"e"});       // 12
  level.FailTable(11, 1, Status::Corruption("bad block"));
  auto it = level.NewIterator();
  it->SeekToFirst();
  EXPECT_EQ(KeysForward(it.get()), Keys({"a", "b", "c"}));
  EXPECT_TRUE(it->status().IsCorruption()) << it->status().ToString();
  // The table after the failure was never opened: nothing past a hole.
  EXPECT_EQ(level.opened(), (std::vector<uint64_t>{10, 11}));
}

TEST(LevelIteratorTest, ATableThatCannotBeOpenedIsReported) {
  auto files_it = NewLevelIterator(
      [&] {
        FileList files;
        auto f = std::make_shared<FileMetaData>();
        f->number = 7;
        f->smallest = IKey("a", 1);
        f->largest = IKey("z", 1);
        files.push_back(f);
        return files;
      }(),
      [](const FileMetaData&) { return NewEmptyIterator(Status::IOError("no such table")); });
  files_it->SeekToFirst();
  EXPECT_FALSE(files_it->Valid());
  EXPECT_TRUE(files_it->status().IsIOError());
  files_it->Seek(SeekKey("b"));
  EXPECT_FALSE(files_it->Valid());
  EXPECT_TRUE(files_it->status().IsIOError());
}

}  // namespace
}  // namespace strata
