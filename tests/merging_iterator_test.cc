// NewMergingIterator on its own, over in-memory children: the order of the
// merged stream (versions of one user key newest first, across children),
// seeks on either side of every key, changes of direction, empty children,
// and a child's failure ending the merge rather than being skipped.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "core/iter/merging_iterator.h"
#include "support/vector_iterator.h"

namespace strata {
namespace {

using test::Entries;
using test::IKey;
using test::KeysBackward;
using test::KeysForward;
using test::SeekKey;
using test::VectorIterator;

std::unique_ptr<InternalIterator> Child(Entries entries) {
  return std::make_unique<VectorIterator>(std::move(entries));
}

// A seek target for user_key that lands on its newest version at or below seq.
std::unique_ptr<InternalIterator> ThreeChildren() {
  std::vector<std::unique_ptr<InternalIterator>> children;
  children.push_back(Child({{IKey("a", 5), "a5"}, {IKey("c", 3), "c3"}}));
  children.push_back(Child({{IKey("a", 7), "a7"}, {IKey("b", 2, ValueKind::kDeletion), ""}}));
  children.push_back(Child({{IKey("a", 1), "a1"}, {IKey("d", 9), "d9"}}));
  return NewMergingIterator(std::move(children));
}

const std::vector<std::string>& ThreeChildrenKeys() {
  static const std::vector<std::string> keys = {
      IKey("a", 7), IKey("a", 5), IKey("a", 1), IKey("b", 2, ValueKind::kDeletion),
      IKey("c", 3), IKey("d", 9)};
  return keys;
}

TEST(MergingIteratorTest, NoChildrenIsEmptyAndOk) {
  auto it = NewMergingIterator({});
  it->SeekToFirst();
  EXPECT_FALSE(it->Valid());
  it->SeekToLast();
  EXPECT_FALSE(it->Valid());
  it->Seek(IKey("a", 1));
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().ok());
}

TEST(MergingIteratorTest, OnlyEmptyChildrenIsEmpty) {
  std::vector<std::unique_ptr<InternalIterator>> children;
  children.push_back(Child({}));
  children.push_back(Child({}));
  children.push_back(NewEmptyIterator());
  auto it = NewMergingIterator(std::move(children));
  it->SeekToFirst();
  EXPECT_FALSE(it->Valid());
  it->SeekToLast();
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().ok());
}

TEST(MergingIteratorTest, EmptyChildrenDoNotDisturbTheOthers) {
  std::vector<std::unique_ptr<InternalIterator>> children;
  children.push_back(Child({}));
  children.push_back(Child({{IKey("b", 1), "b"}}));
  children.push_back(Child({}));
  children.push_back(Child({{IKey("a", 2), "a"}}));
  auto it = NewMergingIterator(std::move(children));
  it->SeekToFirst();
  EXPECT_EQ(KeysForward(it.get()), (std::vector<std::string>{IKey("a", 2), IKey("b", 1)}));
  it->SeekToLast();
  EXPECT_EQ(KeysBackward(it.get()), (std::vector<std::string>{IKey("b", 1), IKey("a", 2)}));
}

TEST(MergingIteratorTest, VersionsOfOneUserKeyComeNewestFirstAcrossChildren) {
  auto it = ThreeChildren();
  it->SeekToFirst();
  EXPECT_EQ(KeysForward(it.get()), ThreeChildrenKeys());
  EXPECT_TRUE(it->status().ok());

  // Values travel with their keys.
  it->SeekToFirst();
  EXPECT_EQ(it->value(), "a7");
  it->Next();
  EXPECT_EQ(it->value(), "a5");
  it->Next();
  EXPECT_EQ(it->value(), "a1");
}

TEST(MergingIteratorTest, BackwardIsTheReverseOfForward) {
  auto it = ThreeChildren();
  it->SeekToLast();
  std::vector<std::string> expected = ThreeChildrenKeys();
  std::reverse(expected.begin(), expected.end());
  EXPECT_EQ(KeysBackward(it.get()), expected);
  EXPECT_TRUE(it->status().ok());
}

TEST(MergingIteratorTest, SeeksBeforeAfterAndBetweenKeys) {
  auto it = ThreeChildren();
  it->Seek(SeekKey("", kMaxSequenceNumber));  // before every key
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), IKey("a", 7));

  it->Seek(SeekKey("z", kMaxSequenceNumber));  // after every key
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().ok());

  // Between two versions of "a": the newest version at or below 6 is a@5.
  it->Seek(SeekKey("a", 6));
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), IKey("a", 5));

  // Below every version of "a": the next user key.
  it->Seek(SeekKey("a", 0));
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), IKey("b", 2, ValueKind::kDeletion));

  // A user key between two present ones.
  it->Seek(SeekKey("bb", kMaxSequenceNumber));
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), IKey("c", 3));

  // The last key exactly.
  it->Seek(IKey("d", 9));
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), IKey("d", 9));
  it->Next();
  EXPECT_FALSE(it->Valid());
}

TEST(MergingIteratorTest, DirectionSwitchesReturnToTheNeighbours) {
  auto it = ThreeChildren();
  const auto& keys = ThreeChildrenKeys();
  it->Seek(SeekKey("a", 6));  // a@5, in the first child
  ASSERT_EQ(it->key(), keys[1]);
  it->Prev();  // a@7, another child
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), keys[0]);
  it->Next();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), keys[1]);
  it->Next();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), keys[2]);  // a@1, the third child
  it->Prev();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), keys[1]);
  it->Prev();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), keys[0]);
  it->Prev();  // before the first key
  EXPECT_FALSE(it->Valid());

  // From the last key backward, then forward again: children exhausted
  // going forward must come back.
  it->SeekToLast();
  ASSERT_EQ(it->key(), keys[5]);
  it->Prev();
  ASSERT_EQ(it->key(), keys[4]);
  it->Next();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), keys[5]);
  it->Next();
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().ok());
}

// A random walk against a sorted reference: every move of the merge must
// land where a single sorted list would.
TEST(MergingIteratorTest, RandomWalkMatchesASortedList) {
  std::mt19937 rng(15);
  for (int round = 0; round < 50; ++round) {
    const int num_children = 1 + static_cast<int>(rng() % 5);
    std::vector<Entries> parts(num_children);
    std::vector<std::string> all;
    SequenceNumber seq = 1;
    for (int i = 0; i < 60; ++i) {
      const std::string user_key(1, static_cast<char>('a' + rng() % 12));
      std::string k = IKey(user_key, seq++, rng() % 4 == 0 ? ValueKind::kDeletion : ValueKind::kValue);
      parts[rng() % num_children].emplace_back(k, "v");
      all.push_back(k);
    }
    std::sort(all.begin(), all.end(),
              [](const auto& a, const auto& b) { return CompareInternalKeys(a, b) < 0; });
    std::vector<std::unique_ptr<InternalIterator>> children;
    for (auto& p : parts) children.push_back(Child(std::move(p)));
    auto it = NewMergingIterator(std::move(children));

    long pos = -1;  // index into all; -1 or all.size(): not valid
    auto check = [&](const char* op) {
      const bool expect_valid = pos >= 0 && pos < static_cast<long>(all.size());
      ASSERT_EQ(it->Valid(), expect_valid) << op << " round " << round << " pos " << pos;
      if (expect_valid) {
        ASSERT_EQ(it->key(), all[pos]) << op << " round " << round;
      }
    };
    for (int step = 0; step < 300; ++step) {
      const bool valid = it->Valid();
      switch (valid ? rng() % 6 : rng() % 3) {
        case 0:
          it->SeekToFirst();
          pos = all.empty() ? -1 : 0;
          check("SeekToFirst");
          break;
        case 1:
          it->SeekToLast();
          pos = static_cast<long>(all.size()) - 1;
          check("SeekToLast");
          break;
        case 2: {
          const std::string target =
              SeekKey(std::string(1, static_cast<char>('a' + rng() % 13)), rng() % 70);
          it->Seek(target);
          pos = std::lower_bound(all.begin(), all.end(), target,
                                 [](const auto& a, const auto& b) {
                                   return CompareInternalKeys(a, b) < 0;
                                 }) -
                all.begin();
          check("Seek");
          break;
        }
        case 3:
        case 4:
          it->Next();
          ++pos;
          check("Next");
          break;
        default:
          it->Prev();
          --pos;
          check("Prev");
          break;
      }
    }
    EXPECT_TRUE(it->status().ok());
  }
}

TEST(MergingIteratorTest, AChildFailingMidScanEndsTheMergeWithItsError) {
  auto failing = std::make_unique<VectorIterator>(
      Entries{{IKey("b", 1), "b"}, {IKey("d", 1), "d"}, {IKey("f", 1), "f"}});
  failing->FailAt(1, Status::Corruption("bad block in child"));
  std::vector<std::unique_ptr<InternalIterator>> children;
  children.push_back(Child({{IKey("a", 1), "a"}, {IKey("c", 1), "c"}, {IKey("e", 1), "e"}}));
  children.push_back(std::move(failing));
  auto it = NewMergingIterator(std::move(children));

  it->SeekToFirst();
  std::vector<std::string> seen = KeysForward(it.get());
  // The scan stops at the failure: "d" is never read, and "e" and "f",
  // though readable, are not returned past the hole.
  EXPECT_EQ(seen, (std::vector<std::string>{IKey("a", 1), IKey("b", 1)}));
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().IsCorruption()) << it->status().ToString();
}

TEST(MergingIteratorTest, AChildFailingOnItsFirstSeekLeavesTheMergeInvalid) {
  auto failing = std::make_unique<VectorIterator>(Entries{{IKey("a", 1), "a"}});
  failing->FailAt(0, Status::IOError("cannot read"));
  std::vector<std::unique_ptr<InternalIterator>> children;
  children.push_back(Child({{IKey("b", 1), "b"}}));
  children.push_back(std::move(failing));
  auto it = NewMergingIterator(std::move(children));
  it->SeekToFirst();
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().IsIOError()) << it->status().ToString();
}

TEST(MergingIteratorTest, AnEmptyIteratorCarryingAnErrorIsReported) {
  std::vector<std::unique_ptr<InternalIterator>> children;
  children.push_back(Child({{IKey("a", 1), "a"}}));
  children.push_back(NewEmptyIterator(Status::Corruption("table cannot be opened")));
  auto it = NewMergingIterator(std::move(children));
  it->SeekToFirst();
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().IsCorruption());
}

}  // namespace
}  // namespace strata
