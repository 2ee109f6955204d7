// Tests for core/memtable/sorted_container.h and its three implementations:
// each container kind is checked against a std::map model, and the two trees
// additionally against their balance invariants.
#include "core/memtable/sorted_container.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <iterator>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "core/arena.h"
#include "core/dbformat.h"
#include "core/memtable/avl_tree.h"
#include "core/memtable/red_black_tree.h"
#include "core/memtable/skip_list.h"

namespace strata {
namespace {

struct InternalKeyLess {
  bool operator()(const std::string& a, const std::string& b) const {
    return CompareInternalKeys(a, b) < 0;
  }
};
// internal key -> value
using Model = std::map<std::string, std::string, InternalKeyLess>;

std::string InternalKey(std::string_view user_key, SequenceNumber seq, ValueKind kind) {
  std::string out;
  AppendInternalKey(&out, user_key, seq, kind);
  return out;
}

// User keys from a tiny alphabet that includes NUL and 0xff, of length 0 to
// 6: many user keys repeat (so versions of one key meet) and many are
// prefixes of others.
// Short keys over an alphabet with the extreme bytes; half of them share a
// 9-byte stem, so that keys differ both inside and beyond the 8-byte prefix
// that the skip list compares first.
std::string RandomUserKey(std::mt19937* rng) {
  static constexpr char kAlphabet[] = {'\0', 'a', 'b', 'c', '\xff'};
  std::string key = (*rng)() % 2 == 0 ? std::string("stem\0stem", 9) : std::string();
  const size_t length = (*rng)() % 11;
  for (size_t i = 0; i < length; ++i) key.push_back(kAlphabet[(*rng)() % sizeof(kAlphabet)]);
  return key;
}

std::string RandomValue(std::mt19937* rng) {
  std::string value((*rng)() % 40, '\0');
  for (char& c : value) c = static_cast<char>((*rng)());
  return value;
}

// A container, its arena and the model it should match.
class Harness {
 public:
  explicit Harness(MemTableKind kind) : container_(NewSortedContainer(kind, &arena_)) {}

  void Insert(std::string_view user_key, SequenceNumber seq, ValueKind kind,
              std::string_view value) {
    container_->Insert(EncodeEntry(&arena_, user_key, seq, kind, value));
    auto [it, inserted] = model_.emplace(InternalKey(user_key, seq, kind), std::string(value));
    ASSERT_TRUE(inserted) << "the test inserted a duplicate";
  }

  void InsertRandom(std::mt19937* rng, SequenceNumber seq) {
    Insert(RandomUserKey(rng), seq, (*rng)() % 4 == 0 ? ValueKind::kDeletion : ValueKind::kValue,
           RandomValue(rng));
  }

  SortedContainer& container() { return *container_; }
  const Model& model() const { return model_; }

 private:
  Arena arena_;
  std::unique_ptr<SortedContainer> container_;
  Model model_;
};

// The cursor's entry, checked against the model position.
void ExpectAt(const SortedContainer::Cursor& cursor, Model::const_iterator expected,
              const Model& model) {
  if (expected == model.end()) {
    EXPECT_FALSE(cursor.Valid());
    return;
  }
  ASSERT_TRUE(cursor.Valid());
  DecodedEntry e = DecodeEntry(cursor.entry());
  EXPECT_EQ(e.internal_key, expected->first);
  EXPECT_EQ(e.value, expected->second);
}

void ExpectForwardScanMatches(const SortedContainer& container, const Model& model) {
  auto cursor = container.NewCursor();
  cursor->SeekToFirst();
  for (const auto& [key, value] : model) {
    ASSERT_TRUE(cursor->Valid());
    DecodedEntry e = DecodeEntry(cursor->entry());
    ASSERT_EQ(e.internal_key, key);
    ASSERT_EQ(e.value, value);
    cursor->Next();
  }
  EXPECT_FALSE(cursor->Valid());
}

void ExpectBackwardScanMatches(const SortedContainer& container, const Model& model) {
  auto cursor = container.NewCursor();
  cursor->SeekToLast();
  for (auto it = model.rbegin(); it != model.rend(); ++it) {
    ASSERT_TRUE(cursor->Valid());
    DecodedEntry e = DecodeEntry(cursor->entry());
    ASSERT_EQ(e.internal_key, it->first);
    ASSERT_EQ(e.value, it->second);
    cursor->Prev();
  }
  EXPECT_FALSE(cursor->Valid());
}

// ---- Entry encoding

TEST(EntryEncodingTest, RoundTripsKeysAndValuesOfAllShapes) {
  Arena arena;
  const std::string nul_key("a\0b", 3);
  const std::string long_key(300, 'k');          // 2-byte varint length
  const std::string long_value(200000, '\x80');  // 3-byte varint length
  struct Case {
    std::string user_key;
    SequenceNumber seq;
    ValueKind kind;
    std::string value;
  } cases[] = {
      {"", 0, ValueKind::kValue, ""},
      {nul_key, 7, ValueKind::kValue, std::string("x\0y", 3)},
      {"k", kMaxSequenceNumber, ValueKind::kDeletion, ""},
      {long_key, 123456789, ValueKind::kValue, long_value},
  };
  for (const Case& c : cases) {
    const char* entry = EncodeEntry(&arena, c.user_key, c.seq, c.kind, c.value);
    DecodedEntry decoded = DecodeEntry(entry);
    EXPECT_EQ(decoded.internal_key, InternalKey(c.user_key, c.seq, c.kind));
    EXPECT_EQ(EntryInternalKey(entry), decoded.internal_key);
    EXPECT_EQ(decoded.value, c.value);
    ParsedInternalKey parsed;
    ASSERT_TRUE(ParseInternalKey(decoded.internal_key, &parsed));
    EXPECT_EQ(parsed.user_key, c.user_key);
    EXPECT_EQ(parsed.sequence, c.seq);
    EXPECT_EQ(parsed.kind, c.kind);
  }
}

// ---- Every container kind against the model

class SortedContainerTest : public ::testing::TestWithParam<MemTableKind> {};

TEST_P(SortedContainerTest, EmptyContainerHasNoEntries) {
  Arena arena;
  auto container = NewSortedContainer(GetParam(), &arena);
  auto cursor = container->NewCursor();
  EXPECT_FALSE(cursor->Valid());
  cursor->SeekToFirst();
  EXPECT_FALSE(cursor->Valid());
  cursor->SeekToLast();
  EXPECT_FALSE(cursor->Valid());
  cursor->Seek(InternalKey("", kMaxSequenceNumber, ValueKind::kValue));
  EXPECT_FALSE(cursor->Valid());
  EXPECT_EQ(container->LowerBound(InternalKey("a", 1, ValueKind::kValue)), nullptr);
}

TEST_P(SortedContainerTest, OrdersVersionsNewestFirstWithinAUserKey) {
  Harness h(GetParam());
  h.Insert("b", 5, ValueKind::kValue, "b5");
  h.Insert("a", 1, ValueKind::kValue, "a1");
  h.Insert("b", 9, ValueKind::kDeletion, "");
  h.Insert("b", 7, ValueKind::kValue, "b7");
  h.Insert(std::string("b\0", 2), 1, ValueKind::kValue, "b-nul");
  h.Insert("", 3, ValueKind::kValue, "empty");

  std::vector<std::string> seen;
  auto cursor = h.container().NewCursor();
  for (cursor->SeekToFirst(); cursor->Valid(); cursor->Next()) {
    ParsedInternalKey parsed;
    ASSERT_TRUE(ParseInternalKey(EntryInternalKey(cursor->entry()), &parsed));
    seen.push_back(std::string(parsed.user_key) + "@" + std::to_string(parsed.sequence));
  }
  const std::vector<std::string> expected = {
      "@3", "a@1", "b@9", "b@7", "b@5", std::string("b\0", 2) + "@1"};
  EXPECT_EQ(seen, expected);
}

TEST_P(SortedContainerTest, RandomInsertsMatchModel) {
  Harness h(GetParam());
  std::mt19937 rng(1234);
  SequenceNumber seq = 1;
  // Check at several sizes, so that bugs that only show in small or in
  // freshly rebalanced containers get a chance to appear.
  for (int target : {1, 2, 3, 10, 100, 1000, 5000}) {
    while (static_cast<int>(h.model().size()) < target) h.InsertRandom(&rng, seq++);
    SCOPED_TRACE("size " + std::to_string(target));
    ExpectForwardScanMatches(h.container(), h.model());
    ExpectBackwardScanMatches(h.container(), h.model());
  }
}

TEST_P(SortedContainerTest, SeekAndLowerBoundMatchModelThenStepBothWays) {
  Harness h(GetParam());
  std::mt19937 rng(99);
  for (SequenceNumber seq = 1; seq <= 3000; ++seq) h.InsertRandom(&rng, seq);
  const Model& model = h.model();

  auto cursor = h.container().NewCursor();
  for (int i = 0; i < 2000; ++i) {
    // Half the targets are present keys, half arbitrary (user key, seq).
    std::string target;
    if (i % 2 == 0) {
      auto it = model.begin();
      std::advance(it, rng() % model.size());
      target = it->first;
    } else {
      target = InternalKey(RandomUserKey(&rng), rng() % 3500, ValueKind::kValue);
    }
    SCOPED_TRACE(i);
    auto expected = model.lower_bound(target);

    const char* found = h.container().LowerBound(target);
    if (expected == model.end()) {
      EXPECT_EQ(found, nullptr);
    } else {
      ASSERT_NE(found, nullptr);
      EXPECT_EQ(EntryInternalKey(found), expected->first);
    }

    cursor->Seek(target);
    ExpectAt(*cursor, expected, model);
    if (expected == model.end()) continue;

    // A few steps forward, then back past the starting point.
    auto it = expected;
    const int forward = static_cast<int>(rng() % 4);
    for (int step = 0; step < forward && it != model.end(); ++step) {
      cursor->Next();
      ++it;
      ExpectAt(*cursor, it, model);
    }
    if (it == model.end()) continue;
    const int backward = forward + static_cast<int>(rng() % 4);
    for (int step = 0; step < backward; ++step) {
      cursor->Prev();
      if (it == model.begin()) {
        EXPECT_FALSE(cursor->Valid());
        break;
      }
      --it;
      ExpectAt(*cursor, it, model);
    }
  }
}

TEST_P(SortedContainerTest, SeekPastTheEndAndStepOffBothEnds) {
  Harness h(GetParam());
  for (SequenceNumber seq = 1; seq <= 50; ++seq) {
    h.Insert("key" + std::to_string(seq % 10), seq, ValueKind::kValue, "v");
  }
  auto cursor = h.container().NewCursor();
  cursor->Seek(InternalKey("zzz", kMaxSequenceNumber, ValueKind::kValue));
  EXPECT_FALSE(cursor->Valid());
  EXPECT_EQ(h.container().LowerBound(InternalKey("zzz", 1, ValueKind::kValue)), nullptr);

  // The newest "key0" is seq 50: a seek with a larger sequence lands on it.
  cursor->Seek(InternalKey("key0", kMaxSequenceNumber, ValueKind::kValue));
  ASSERT_TRUE(cursor->Valid());
  EXPECT_EQ(EntryInternalKey(cursor->entry()), InternalKey("key0", 50, ValueKind::kValue));
  cursor->Prev();
  EXPECT_FALSE(cursor->Valid());

  cursor->SeekToLast();
  ASSERT_TRUE(cursor->Valid());
  EXPECT_EQ(EntryInternalKey(cursor->entry()), InternalKey("key9", 9, ValueKind::kValue));
  cursor->Next();
  EXPECT_FALSE(cursor->Valid());
}

TEST_P(SortedContainerTest, AscendingAndDescendingInsertOrders) {
  // Sorted input is the worst case for an unbalanced tree and the common
  // case for sequential writes.
  for (bool ascending : {true, false}) {
    SCOPED_TRACE(ascending ? "ascending" : "descending");
    Harness h(GetParam());
    for (int i = 0; i < 3000; ++i) {
      int n = ascending ? i : 2999 - i;
      char key[16];
      std::snprintf(key, sizeof(key), "k%06d", n);
      h.Insert(key, static_cast<SequenceNumber>(i + 1), ValueKind::kValue, key);
    }
    ExpectForwardScanMatches(h.container(), h.model());
    ExpectBackwardScanMatches(h.container(), h.model());
  }
}

TEST_P(SortedContainerTest, CursorFindsNeighboursAfterLaterInserts) {
  // A cursor keeps its node across inserts that rebalance the structure;
  // its next moves must reflect the entries present at that time.
  Harness h(GetParam());
  std::mt19937 rng(5);
  SequenceNumber seq = 1;
  for (; seq <= 200; ++seq) h.InsertRandom(&rng, seq);

  for (int round = 0; round < 200; ++round) {
    auto forward = h.container().NewCursor();
    auto backward = h.container().NewCursor();
    const std::string target = InternalKey(RandomUserKey(&rng), rng() % seq, ValueKind::kValue);
    forward->Seek(target);
    backward->Seek(target);
    if (!forward->Valid()) continue;
    const std::string anchor(EntryInternalKey(forward->entry()));

    for (int i = 0; i < 20; ++i) h.InsertRandom(&rng, seq++);

    auto it = h.model().find(anchor);
    ASSERT_NE(it, h.model().end());
    forward->Next();
    ExpectAt(*forward, std::next(it), h.model());
    backward->Prev();
    if (it == h.model().begin()) {
      EXPECT_FALSE(backward->Valid());
    } else {
      ExpectAt(*backward, std::prev(it), h.model());
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllKinds, SortedContainerTest,
                         ::testing::Values(MemTableKind::kSkipList, MemTableKind::kRedBlackTree,
                                           MemTableKind::kAvlTree),
                         [](const ::testing::TestParamInfo<MemTableKind>& info) {
                           switch (info.param) {
                             case MemTableKind::kSkipList: return "SkipList";
                             case MemTableKind::kRedBlackTree: return "RedBlackTree";
                             case MemTableKind::kAvlTree: return "AvlTree";
                           }
                           return "Unknown";
                         });

// ---- Tree shapes

template <typename Tree>
class TreeShapeTest : public ::testing::Test {};
using TreeTypes = ::testing::Types<RedBlackTree, AvlTree>;
TYPED_TEST_SUITE(TreeShapeTest, TreeTypes);

// The textbook height bounds: 2*log2(n+1) for red-black trees and
// 1.4405*log2(n+2) - 0.3277 for AVL trees.
double MaxHeight(const RedBlackTree*, size_t n) { return 2 * std::log2(n + 1.0); }
double MaxHeight(const AvlTree*, size_t n) { return 1.4405 * std::log2(n + 2.0) - 0.3277; }

TYPED_TEST(TreeShapeTest, StaysValidAndBalancedUnderEveryInsertOrder) {
  enum Order { kAscending, kDescending, kRandom, kZigZag };
  for (Order order : {kAscending, kDescending, kRandom, kZigZag}) {
    SCOPED_TRACE(order);
    Arena arena;
    TypeParam tree(&arena);
    EXPECT_EQ(tree.CheckInvariants(), "");
    EXPECT_EQ(tree.Height(), 0);
    std::mt19937 rng(order);
    constexpr int kCount = 4000;
    for (int i = 0; i < kCount; ++i) {
      int n = 0;
      switch (order) {
        case kAscending: n = i; break;
        case kDescending: n = kCount - i; break;
        case kRandom: n = static_cast<int>(rng() % 1000000); break;
        case kZigZag: n = i % 2 == 0 ? i : kCount * 2 - i; break;
      }
      char key[16];
      std::snprintf(key, sizeof(key), "%07d", n);
      // Distinct sequences keep entries distinct even if random keys repeat.
      tree.Insert(EncodeEntry(&arena, key, static_cast<SequenceNumber>(i), ValueKind::kValue, ""));
      // Checking after every insert is quadratic: check at powers of two.
      if ((i & (i + 1)) == 0) {
        ASSERT_EQ(tree.CheckInvariants(), "") << "after " << i + 1;
      }
    }
    EXPECT_EQ(tree.CheckInvariants(), "");
    EXPECT_LE(tree.Height(), MaxHeight(&tree, kCount));
    // A degenerate (list-shaped) tree would be kCount high.
    EXPECT_GE(tree.Height(), static_cast<int>(std::log2(kCount)));
  }
}

}  // namespace
}  // namespace strata
