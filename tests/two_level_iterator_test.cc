// TwoLevelIterator on its own: an in-memory index whose values name
// in-memory blocks, so that empty blocks, boundaries between blocks, and a
// block or index that fails can be set up exactly.
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <set>

#include "core/table/two_level_iterator.h"
#include "support/vector_iterator.h"

namespace strata {
namespace {

using test::Entries;
using test::IKey;
using test::KeysBackward;
using test::KeysForward;
using test::SeekKey;
using test::VectorIterator;

std::vector<std::string> Keys(std::initializer_list<const char*> user_keys) {
  std::vector<std::string> out;
  for (const char* k : user_keys) out.push_back(IKey(k, 1));
  return out;
}

// Blocks by name; the index maps each block's last key (or a separator at or
// above it) to the block's name, as a table's index block does.
class FakeTable {
 public:
  void AddBlock(const std::string& name, std::vector<std::string> user_keys,
                std::string index_user_key = {}) {
    Entries entries;
    for (const auto& k : user_keys) entries.emplace_back(IKey(k, 1), "v" + k);
    blocks_[name] = std::move(entries);
    const std::string bound = index_user_key.empty() ? user_keys.back() : index_user_key;
    index_.emplace_back(IKey(bound, 1), name);
  }
  // Opening block `name` fails.
  void Unreadable(const std::string& name) { unreadable_.insert(name); }
  // Block `name` fails on its entry `index`.
  void FailInside(const std::string& name, size_t index) { fail_inside_[name] = index; }
  // The index fails on its entry `index`.
  void FailIndex(size_t index) { index_failure_ = index; }

  std::unique_ptr<InternalIterator> NewIterator() {
    return std::make_unique<TwoLevelIterator<Blocks>>(std::in_place, this);
  }
  const std::vector<std::string>& opened() const { return opened_; }
  // Open calls not yet matched by a Release.
  int pinned() const { return pinned_; }

 private:
  // What the two-level iterator walks: this table's index and blocks, each
  // a VectorIterator.
  class Blocks {
   public:
    using DataIterator = VectorIterator;

    explicit Blocks(FakeTable* table) : table_(table), index_(table->index_) {
      if (table->index_failure_) {
        index_.FailAt(*table->index_failure_, Status::Corruption("bad index block"));
      }
    }
    ~Blocks() { EXPECT_EQ(table_->pinned_, 0) << "a block was never released"; }

    VectorIterator& index() { return index_; }

    Status Open(std::string_view handle, std::optional<VectorIterator>* block) {
      EXPECT_FALSE(block->has_value());
      EXPECT_EQ(table_->pinned_, 0) << "a block opened before the last was released";
      const std::string name(handle);
      table_->opened_.push_back(name);
      if (table_->unreadable_.count(name)) {
        return Status::Corruption("block checksum mismatch in " + name);
      }
      block->emplace(table_->blocks_.at(name));
      if (auto f = table_->fail_inside_.find(name); f != table_->fail_inside_.end()) {
        (*block)->FailAt(f->second, Status::IOError("read error in " + name));
      }
      ++table_->pinned_;
      return Status::OK();
    }

    // Also called when no block is open.
    void Release() {
      if (table_->pinned_ > 0) --table_->pinned_;
    }

   private:
    FakeTable* table_;
    VectorIterator index_;
  };

  std::map<std::string, Entries> blocks_;
  Entries index_;
  std::set<std::string> unreadable_;
  std::map<std::string, size_t> fail_inside_;
  std::optional<size_t> index_failure_;
  std::vector<std::string> opened_;
  int pinned_ = 0;
};

TEST(TwoLevelIteratorTest, AnEmptyIndexIsEmpty) {
  FakeTable t;
  auto it = t.NewIterator();
  it->SeekToFirst();
  EXPECT_FALSE(it->Valid());
  it->SeekToLast();
  EXPECT_FALSE(it->Valid());
  it->Seek(SeekKey("a"));
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().ok());
  EXPECT_TRUE(t.opened().empty());
}

TEST(TwoLevelIteratorTest, WalksEveryBlockBothWays) {
  FakeTable t;
  t.AddBlock("b1", {"a", "b"});
  t.AddBlock("b2", {"c"});
  t.AddBlock("b3", {"d", "e", "f"});
  auto it = t.NewIterator();
  it->SeekToFirst();
  EXPECT_EQ(t.pinned(), 1);
  EXPECT_EQ(KeysForward(it.get()), Keys({"a", "b", "c", "d", "e", "f"}));
  EXPECT_EQ(t.pinned(), 0) << "walking off the end keeps the last block";
  it->SeekToLast();
  EXPECT_EQ(KeysBackward(it.get()), Keys({"f", "e", "d", "c", "b", "a"}));
  EXPECT_TRUE(it->status().ok());
}

TEST(TwoLevelIteratorTest, SeeksUseTheIndexToPickOneBlock) {
  FakeTable t;
  t.AddBlock("b1", {"a", "b"}, "bz");  // a separator above the block's last key
  t.AddBlock("b2", {"d", "e"});
  t.AddBlock("b3", {"g"});
  auto it = t.NewIterator();

  it->Seek(SeekKey("e"));
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), IKey("e", 1));
  EXPECT_EQ(t.opened(), (std::vector<std::string>{"b2"}));

  // Between the last key of b1 and its index separator: b1 holds nothing at
  // or above it, so the walk moves on to b2's first key.
  it->Seek(SeekKey("bb"));
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), IKey("d", 1));

  it->Seek(SeekKey(""));
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), IKey("a", 1));

  it->Seek(SeekKey("z"));
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().ok());
}

TEST(TwoLevelIteratorTest, DirectionSwitchesAcrossABlockBoundary) {
  FakeTable t;
  t.AddBlock("b1", {"a", "b"});
  t.AddBlock("b2", {"c", "d"});
  auto it = t.NewIterator();
  it->Seek(SeekKey("c"));
  ASSERT_EQ(it->key(), IKey("c", 1));
  it->Prev();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), IKey("b", 1));
  it->Next();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), IKey("c", 1));
  it->Next();
  it->Next();
  EXPECT_FALSE(it->Valid());
  it->SeekToLast();
  it->Prev();
  it->Prev();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), IKey("b", 1));
  it->Next();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), IKey("c", 1));
}

TEST(TwoLevelIteratorTest, EmptyBlocksAreSteppedOver) {
  FakeTable t;
  t.AddBlock("e0", {}, "0");
  t.AddBlock("b1", {"a"});
  t.AddBlock("e1", {}, "b");
  t.AddBlock("e2", {}, "c");
  t.AddBlock("b2", {"d"});
  t.AddBlock("e3", {}, "z");
  auto it = t.NewIterator();
  it->SeekToFirst();
  EXPECT_EQ(KeysForward(it.get()), Keys({"a", "d"}));
  it->SeekToLast();
  EXPECT_EQ(KeysBackward(it.get()), Keys({"d", "a"}));
  EXPECT_TRUE(it->status().ok());
}

TEST(TwoLevelIteratorTest, AnUnreadableBlockEndsTheScanAndStaysReported) {
  FakeTable t;
  t.AddBlock("b1", {"a", "b"});
  t.AddBlock("b2", {"c", "d"});
  t.AddBlock("b3", {"e"});
  t.Unreadable("b2");
  auto it = t.NewIterator();
  it->SeekToFirst();
  // Never skips the bad block to return "e".
  EXPECT_EQ(KeysForward(it.get()), Keys({"a", "b"}));
  EXPECT_TRUE(it->status().IsCorruption()) << it->status().ToString();
  // The failure sticks: a later seek to a good block does not clear it.
  it->Seek(SeekKey("e"));
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().IsCorruption());
  it->SeekToFirst();
  EXPECT_FALSE(it->Valid());
}

TEST(TwoLevelIteratorTest, AnUnreadableBlockIsReportedGoingBackward) {
  FakeTable t;
  t.AddBlock("b1", {"a"});
  t.AddBlock("b2", {"c"});
  t.AddBlock("b3", {"e"});
  t.Unreadable("b2");
  auto it = t.NewIterator();
  it->SeekToLast();
  EXPECT_EQ(KeysBackward(it.get()), Keys({"e"}));
  EXPECT_TRUE(it->status().IsCorruption());
}

TEST(TwoLevelIteratorTest, AFailureInsideABlockIsReported) {
  FakeTable t;
  t.AddBlock("b1", {"a", "b", "c"});
  t.AddBlock("b2", {"d"});
  t.FailInside("b1", 2);
  auto it = t.NewIterator();
  it->SeekToFirst();
  EXPECT_EQ(KeysForward(it.get()), Keys({"a", "b"}));
  EXPECT_TRUE(it->status().IsIOError()) << it->status().ToString();
}

TEST(TwoLevelIteratorTest, AnIndexFailureIsReported) {
  FakeTable t;
  t.AddBlock("b1", {"a"});
  t.AddBlock("b2", {"c"});
  t.AddBlock("b3", {"e"});
  t.FailIndex(1);
  auto it = t.NewIterator();
  it->SeekToFirst();
  EXPECT_EQ(KeysForward(it.get()), Keys({"a"}));
  EXPECT_TRUE(it->status().IsCorruption()) << it->status().ToString();
}

}  // namespace
}  // namespace strata
