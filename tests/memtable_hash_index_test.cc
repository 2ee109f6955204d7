// The memtable's optional hash index (memtable_index=hash): lookups through
// it answer as the sorted container does, for every reader's sequence
// number, for tombstones, for keys the memtable lacks, for entries linked
// out of order by recovery, and while one writer inserts concurrently.
#include <gtest/gtest.h>

#include <atomic>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "core/memtable/memtable.h"

namespace strata {
namespace {

std::string Key(int i) { return "key" + std::to_string(i); }

// The answer of `mem` for user_key at seq, as one comparable string.
std::string Lookup(const MemTable& mem, const std::string& user_key, SequenceNumber seq) {
  std::string value;
  SequenceNumber found = 0;
  switch (mem.Get(LookupKey(user_key, seq), &value, &found)) {
    case MemTable::LookupResult::kAbsent: return "absent";
    case MemTable::LookupResult::kDeleted: return "deleted@" + std::to_string(found);
    case MemTable::LookupResult::kFound: return value + "@" + std::to_string(found);
  }
  return "?";
}

TEST(MemTableHashIndexTest, AnswersAsTheContainerDoesAtEverySequence) {
  for (MemTableKind kind :
       {MemTableKind::kSkipList, MemTableKind::kRedBlackTree, MemTableKind::kAvlTree}) {
    SCOPED_TRACE(MemTableKindName(kind));
    MemTable plain(kind);
    MemTable indexed(kind, MemTableIndexKind::kHash, 1 << 16);  // few buckets: long chains
    std::mt19937 rng(7);
    SequenceNumber seq = 0;
    for (int i = 0; i < 5000; ++i) {
      const std::string k = Key(static_cast<int>(rng() % 700));
      const bool del = rng() % 5 == 0;
      const std::string v = "v" + std::to_string(i);
      ++seq;
      for (MemTable* m : {&plain, &indexed}) {
        m->Add(seq, del ? ValueKind::kDeletion : ValueKind::kValue, k, v);
      }
    }
    for (int k = 0; k < 800; ++k) {  // 100 keys never written
      for (SequenceNumber at : {SequenceNumber{0}, SequenceNumber{1}, seq / 3, seq / 2, seq - 1,
                                seq, kMaxSequenceNumber}) {
        ASSERT_EQ(Lookup(indexed, Key(k), at), Lookup(plain, Key(k), at)) << Key(k) << " @" << at;
      }
    }
  }
}

TEST(MemTableHashIndexTest, RecoveryLinkingOutOfOrderKeepsTheNewest) {
  // LinkAll inserts each key's versions newest first: the index must keep
  // the newest, not the last linked.
  MemTable mem(MemTableKind::kSkipList, MemTableIndexKind::kHash, 1 << 20);
  std::vector<const char*> unlinked;
  unlinked.push_back(mem.AddUnlinked(3, ValueKind::kValue, "a", "third"));
  unlinked.push_back(mem.AddUnlinked(1, ValueKind::kValue, "a", "first"));
  unlinked.push_back(mem.AddUnlinked(2, ValueKind::kDeletion, "b", ""));
  unlinked.push_back(mem.AddUnlinked(4, ValueKind::kValue, "b", "back"));
  mem.LinkAll(&unlinked);
  EXPECT_EQ(Lookup(mem, "a", 10), "third@3");
  EXPECT_EQ(Lookup(mem, "a", 2), "first@1");
  EXPECT_EQ(Lookup(mem, "b", 10), "back@4");
  EXPECT_EQ(Lookup(mem, "b", 3), "deleted@2");
  EXPECT_EQ(Lookup(mem, "c", 10), "absent");
}

TEST(MemTableHashIndexTest, ReadersDuringWritesSeeOnlyWrittenValues) {
  // One writer overwrites keys with increasing versions; readers at the
  // newest sequence must always find some version written so far, never a
  // torn or missing one for a key already written.
  MemTable mem(MemTableKind::kSkipList, MemTableIndexKind::kHash, 1 << 20);
  constexpr int kKeys = 200;
  for (int k = 0; k < kKeys; ++k) mem.Add(k + 1, ValueKind::kValue, Key(k), "0");
  std::atomic<SequenceNumber> published{kKeys};
  std::atomic<bool> stop{false};
  std::atomic<int> bad{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 2; ++r) {
    readers.emplace_back([&, r] {
      std::mt19937 rng(r);
      while (!stop.load()) {
        const int k = static_cast<int>(rng() % kKeys);
        std::string value;
        const auto result = mem.Get(LookupKey(Key(k), published.load()), &value);
        if (result != MemTable::LookupResult::kFound || value.empty()) bad.fetch_add(1);
      }
    });
  }
  SequenceNumber seq = kKeys;
  for (int round = 1; round <= 200; ++round) {
    for (int k = 0; k < kKeys; ++k) {
      mem.Add(++seq, ValueKind::kValue, Key(k), std::to_string(round));
      published.store(seq);
    }
  }
  stop.store(true);
  for (auto& t : readers) t.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_EQ(Lookup(mem, Key(5), kMaxSequenceNumber).substr(0, 4), "200@");
}

}  // namespace
}  // namespace strata
