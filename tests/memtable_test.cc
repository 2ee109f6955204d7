// Tests for core/memtable/memtable.h over every container kind: lookups at
// different sequence numbers, tombstones, awkward keys and values, iteration
// in both directions, statistics, and one writer racing two readers.
#include "core/memtable/memtable.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <map>
#include <memory>
#include <numeric>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "core/dbformat.h"

namespace strata {
namespace {

using LookupResult = MemTable::LookupResult;

std::string InternalKey(std::string_view user_key, SequenceNumber seq, ValueKind kind) {
  std::string out;
  AppendInternalKey(&out, user_key, seq, kind);
  return out;
}

class MemTableTest : public ::testing::TestWithParam<MemTableKind> {
 protected:
  MemTable mem_{GetParam()};

  // Get at `seq`, with *value pre-filled so that an untouched value shows.
  LookupResult Get(std::string_view user_key, SequenceNumber seq, std::string* value) {
    *value = "<untouched>";
    return mem_.Get(LookupKey(user_key, seq), value);
  }
};

TEST_P(MemTableTest, EmptyMemTable) {
  std::string value;
  EXPECT_EQ(Get("a", kMaxSequenceNumber, &value), LookupResult::kAbsent);
  EXPECT_EQ(value, "<untouched>");
  EXPECT_EQ(mem_.NumEntries(), 0u);
  EXPECT_EQ(mem_.NumDeletions(), 0u);
  EXPECT_EQ(mem_.kind(), GetParam());
  auto it = mem_.NewIterator();
  it->SeekToFirst();
  EXPECT_FALSE(it->Valid());
  it->SeekToLast();
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().ok());
}

TEST_P(MemTableTest, GetSeesNewestVersionAtOrBelowTheLookupSequence) {
  // key "k": value at 10, tombstone at 20, value at 30.
  mem_.Add(10, ValueKind::kValue, "k", "v10");
  mem_.Add(20, ValueKind::kDeletion, "k", "");
  mem_.Add(30, ValueKind::kValue, "k", "v30");
  // Neighbours that share a prefix with "k" or sort right next to it.
  mem_.Add(15, ValueKind::kValue, "j", "j15");
  mem_.Add(16, ValueKind::kValue, "kk", "kk16");
  mem_.Add(17, ValueKind::kValue, std::string("k\0", 2), "k-nul17");

  std::string value;
  EXPECT_EQ(Get("k", 9, &value), LookupResult::kAbsent);
  EXPECT_EQ(value, "<untouched>");
  for (SequenceNumber seq : {10, 11, 19}) {
    SCOPED_TRACE(seq);
    EXPECT_EQ(Get("k", seq, &value), LookupResult::kFound);
    EXPECT_EQ(value, "v10");
  }
  for (SequenceNumber seq : {20, 25, 29}) {
    SCOPED_TRACE(seq);
    EXPECT_EQ(Get("k", seq, &value), LookupResult::kDeleted);
    EXPECT_EQ(value, "<untouched>");
  }
  for (SequenceNumber seq : {SequenceNumber{30}, SequenceNumber{1000}, kMaxSequenceNumber}) {
    SCOPED_TRACE(seq);
    EXPECT_EQ(Get("k", seq, &value), LookupResult::kFound);
    EXPECT_EQ(value, "v30");
  }

  // The neighbours neither leak into "k" nor get hidden by it.
  EXPECT_EQ(Get("kk", 15, &value), LookupResult::kAbsent);
  EXPECT_EQ(Get("kk", 16, &value), LookupResult::kFound);
  EXPECT_EQ(value, "kk16");
  EXPECT_EQ(Get(std::string("k\0", 2), 100, &value), LookupResult::kFound);
  EXPECT_EQ(value, "k-nul17");
  EXPECT_EQ(Get("j", 100, &value), LookupResult::kFound);
  EXPECT_EQ(value, "j15");
  EXPECT_EQ(Get("", 100, &value), LookupResult::kAbsent);
  EXPECT_EQ(Get("i", 100, &value), LookupResult::kAbsent);
  EXPECT_EQ(Get("l", 100, &value), LookupResult::kAbsent);
  EXPECT_EQ(Get("k\x01", 100, &value), LookupResult::kAbsent);

  EXPECT_EQ(mem_.NumEntries(), 6u);
  EXPECT_EQ(mem_.NumDeletions(), 1u);
}

TEST_P(MemTableTest, TombstoneAsOldestAndNewestVersion) {
  mem_.Add(5, ValueKind::kDeletion, "gone", "ignored");
  mem_.Add(6, ValueKind::kValue, "gone", "back");
  mem_.Add(7, ValueKind::kDeletion, "gone", "");
  std::string value;
  EXPECT_EQ(Get("gone", 4, &value), LookupResult::kAbsent);
  EXPECT_EQ(Get("gone", 5, &value), LookupResult::kDeleted);
  EXPECT_EQ(Get("gone", 6, &value), LookupResult::kFound);
  EXPECT_EQ(value, "back");
  EXPECT_EQ(Get("gone", 7, &value), LookupResult::kDeleted);
  EXPECT_EQ(mem_.NumDeletions(), 2u);

  // A tombstone's value is stored empty whatever the caller passed.
  auto it = mem_.NewIterator();
  it->Seek(InternalKey("gone", 5, ValueKind::kDeletion));
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), InternalKey("gone", 5, ValueKind::kDeletion));
  EXPECT_EQ(it->value(), "");
}

TEST_P(MemTableTest, EmptyValuesEmptyKeysAndNulBytes) {
  const std::string nul_key("a\0b", 3);
  const std::string only_nul(1, '\0');
  const std::string nul_value("x\0\0y", 4);
  mem_.Add(1, ValueKind::kValue, "empty-value", "");
  mem_.Add(2, ValueKind::kValue, nul_key, nul_value);
  mem_.Add(3, ValueKind::kValue, only_nul, "nul");
  mem_.Add(4, ValueKind::kValue, "", "empty-key");
  mem_.Add(5, ValueKind::kValue, "a", "plain-a");

  std::string value;
  EXPECT_EQ(Get("empty-value", 10, &value), LookupResult::kFound);
  EXPECT_EQ(value, "");  // found and empty: not the same as absent
  EXPECT_EQ(Get(nul_key, 10, &value), LookupResult::kFound);
  EXPECT_EQ(value, nul_value);
  EXPECT_EQ(value.size(), 4u);
  EXPECT_EQ(Get(only_nul, 10, &value), LookupResult::kFound);
  EXPECT_EQ(value, "nul");
  EXPECT_EQ(Get("", 10, &value), LookupResult::kFound);
  EXPECT_EQ(value, "empty-key");
  // "a\0b" truncated at the NUL would be "a": they must stay distinct.
  EXPECT_EQ(Get("a", 10, &value), LookupResult::kFound);
  EXPECT_EQ(value, "plain-a");
  EXPECT_EQ(Get(std::string("a\0", 2), 10, &value), LookupResult::kAbsent);

  // Bytewise order: "" < "\0" < "a" < "a\0b" < "empty-value".
  std::vector<std::string> user_keys;
  auto it = mem_.NewIterator();
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    user_keys.emplace_back(ExtractUserKey(it->key()));
  }
  const std::vector<std::string> expected = {"", only_nul, "a", nul_key, "empty-value"};
  EXPECT_EQ(user_keys, expected);
}

TEST_P(MemTableTest, MultiMegabyteValue) {
  std::string big(3u << 20, '\0');
  std::mt19937 rng(3);
  for (char& c : big) c = static_cast<char>(rng());
  const size_t before = mem_.ApproximateMemoryUsage();
  mem_.Add(1, ValueKind::kValue, "small-before", "s");
  mem_.Add(2, ValueKind::kValue, "big", big);
  mem_.Add(3, ValueKind::kValue, "small-after", "s");
  EXPECT_GE(mem_.ApproximateMemoryUsage(), before + big.size());
  // Given its own block, the value costs about its size, not a multiple.
  EXPECT_LE(mem_.ApproximateMemoryUsage(), before + big.size() + 3 * Arena::kBlockBytes);

  std::string value;
  ASSERT_EQ(Get("big", 10, &value), LookupResult::kFound);
  EXPECT_TRUE(value == big);  // not EXPECT_EQ: a failure would print 3 MiB
  auto it = mem_.NewIterator();
  it->Seek(InternalKey("big", kMaxSequenceNumber, ValueKind::kValue));
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->value().size(), big.size());
  EXPECT_TRUE(it->value() == big);
  EXPECT_EQ(Get("small-after", 10, &value), LookupResult::kFound);
  EXPECT_EQ(value, "s");
}

// Recovery's bulk load: entries stored unlinked in arrival order, then linked
// at once, read back like Add-ed ones, also when Add-ed entries come after.
TEST_P(MemTableTest, BulkLoadedEntriesReadLikeAddedOnes) {
  struct InternalKeyLess {
    bool operator()(const std::string& a, const std::string& b) const {
      return CompareInternalKeys(a, b) < 0;
    }
  };
  std::map<std::string, std::string, InternalKeyLess> model;
  std::mt19937 rng(29);
  std::vector<const char*> unlinked;
  SequenceNumber seq = 1;
  for (; seq <= 3000; ++seq) {
    // Keys that share 16 bytes and more, keys shorter than 16, NUL bytes,
    // and several versions of one key: every tie the sort must break.
    std::string key = rng() % 3 == 0 ? std::string("same-sixteen-byte") + std::to_string(rng() % 40)
                                     : std::string("k\0", 2) + std::to_string(rng() % 500);
    ValueKind kind = rng() % 6 == 0 ? ValueKind::kDeletion : ValueKind::kValue;
    std::string value = kind == ValueKind::kValue ? "v" + std::to_string(seq) : "";
    unlinked.push_back(mem_.AddUnlinked(seq, kind, key, value));
    model.emplace(InternalKey(key, seq, kind), value);
  }
  EXPECT_EQ(mem_.NumEntries(), 0u) << "unlinked entries are not counted";
  mem_.LinkAll(&unlinked);
  EXPECT_TRUE(unlinked.empty());
  for (; seq <= 3500; ++seq) {
    std::string key = std::string("k\0", 2) + std::to_string(rng() % 600);
    mem_.Add(seq, ValueKind::kValue, key, "added");
    model.emplace(InternalKey(key, seq, ValueKind::kValue), "added");
  }
  ASSERT_EQ(mem_.NumEntries(), model.size());
  auto it = mem_.NewIterator();
  it->SeekToFirst();
  for (const auto& [key, value] : model) {
    ASSERT_TRUE(it->Valid());
    ASSERT_EQ(it->key(), key);
    ASSERT_EQ(it->value(), value);
    it->Next();
  }
  EXPECT_FALSE(it->Valid());
}

TEST_P(MemTableTest, IteratorMatchesModelInBothDirectionsAndAfterSeeks) {
  struct InternalKeyLess {
    bool operator()(const std::string& a, const std::string& b) const {
      return CompareInternalKeys(a, b) < 0;
    }
  };
  std::map<std::string, std::string, InternalKeyLess> model;
  std::mt19937 rng(11);
  for (SequenceNumber seq = 1; seq <= 2000; ++seq) {
    std::string key = "user" + std::to_string(rng() % 300);
    ValueKind kind = rng() % 5 == 0 ? ValueKind::kDeletion : ValueKind::kValue;
    std::string value = kind == ValueKind::kValue ? "v" + std::to_string(seq) : "";
    mem_.Add(seq, kind, key, value);
    model.emplace(InternalKey(key, seq, kind), value);
  }
  ASSERT_EQ(mem_.NumEntries(), model.size());

  auto it = mem_.NewIterator();
  it->SeekToFirst();
  for (const auto& [key, value] : model) {
    ASSERT_TRUE(it->Valid());
    ASSERT_EQ(it->key(), key);
    ASSERT_EQ(it->value(), value);
    it->Next();
  }
  EXPECT_FALSE(it->Valid());

  it->SeekToLast();
  for (auto m = model.rbegin(); m != model.rend(); ++m) {
    ASSERT_TRUE(it->Valid());
    ASSERT_EQ(it->key(), m->first);
    it->Prev();
  }
  EXPECT_FALSE(it->Valid());

  for (int i = 0; i < 500; ++i) {
    std::string target = InternalKey("user" + std::to_string(rng() % 320), rng() % 2100,
                                     kValueKindForSeek);
    auto m = model.lower_bound(target);
    it->Seek(target);
    if (m == model.end()) {
      EXPECT_FALSE(it->Valid());
      continue;
    }
    ASSERT_TRUE(it->Valid());
    EXPECT_EQ(it->key(), m->first);
    if (m != model.begin()) {
      it->Prev();
      ASSERT_TRUE(it->Valid());
      EXPECT_EQ(it->key(), std::prev(m)->first);
      it->Next();
    }
    it->Next();
    if (std::next(m) == model.end()) {
      EXPECT_FALSE(it->Valid());
    } else {
      ASSERT_TRUE(it->Valid());
      EXPECT_EQ(it->key(), std::next(m)->first);
    }
  }
  EXPECT_TRUE(it->status().ok());
}

TEST_P(MemTableTest, MemoryUsageGrowsWithEntries) {
  const size_t empty = mem_.ApproximateMemoryUsage();
  size_t payload = 0;
  for (int i = 0; i < 10000; ++i) {
    std::string key = "key" + std::to_string(i);
    std::string value(50, 'v');
    mem_.Add(static_cast<SequenceNumber>(i + 1), ValueKind::kValue, key, value);
    payload += key.size() + 8 + value.size();
  }
  const size_t used = mem_.ApproximateMemoryUsage() - empty;
  EXPECT_GE(used, payload);
  // Entry headers and container nodes cost something, but not a multiple.
  EXPECT_LE(used, payload * 2);
}

TEST_P(MemTableTest, IteratorCanPinTheMemTableThroughCleanup) {
  auto mem = std::make_shared<MemTable>(GetParam());
  mem->Add(1, ValueKind::kValue, "a", "1");
  mem->Add(2, ValueKind::kValue, "b", "2");
  std::weak_ptr<MemTable> watch = mem;
  auto it = mem->NewIterator();
  it->RegisterCleanup([pin = mem] {});
  mem.reset();
  ASSERT_FALSE(watch.expired());  // the iterator's pin holds it
  it->SeekToFirst();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->value(), "1");
  it->Next();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->value(), "2");
  it.reset();
  EXPECT_TRUE(watch.expired());
}

// One writer adds keys in random order while two readers scan (forward and
// backward) and look keys up. Every key whose Add returned before a read
// started must be seen by that read, and every scan must be strictly
// ordered with each key carrying its own value.
TEST_P(MemTableTest, OneWriterTwoReaders) {
  constexpr int kKeys = 20000;
  auto key_of = [](int n) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "key%06d", n);
    return std::string(buf);
  };
  auto value_of = [](int n) { return "value-" + std::to_string(n * 7); };
  auto number_of = [](std::string_view user_key) {
    return std::stoi(std::string(user_key.substr(3)));
  };

  std::vector<int> order(kKeys);
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), std::mt19937(42));

  // published = number of Adds that have returned; released after each.
  std::atomic<int> published{0};
  std::atomic<bool> writer_done{false};

  struct ReaderStats {
    int scans = 0;
    int gets = 0;
    int errors = 0;
    std::string first_error;
    void Fail(const std::string& what) {
      if (errors++ == 0) first_error = what;
    }
  };

  auto reader = [&](unsigned seed, ReaderStats* stats) {
    std::mt19937 rng(seed);
    std::vector<char> seen(kKeys);
    bool final_pass = false;
    while (!final_pass) {
      final_pass = writer_done.load(std::memory_order_acquire);
      const int before = published.load(std::memory_order_acquire);
      if (mem_.NumEntries() < static_cast<uint64_t>(before)) stats->Fail("NumEntries behind");

      // A full scan, forward or backward.
      const bool forward = rng() % 2 == 0;
      std::fill(seen.begin(), seen.end(), 0);
      auto it = mem_.NewIterator();
      std::string previous;
      int count = 0;
      for (forward ? it->SeekToFirst() : it->SeekToLast(); it->Valid();
           forward ? it->Next() : it->Prev()) {
        std::string key(it->key());
        if (!previous.empty()) {
          int cmp = CompareInternalKeys(previous, key);
          if (forward ? cmp >= 0 : cmp <= 0) stats->Fail("scan out of order at " + key);
        }
        const int n = number_of(ExtractUserKey(key));
        if (it->value() != value_of(n)) stats->Fail("wrong value for " + key);
        seen[n] = 1;
        ++count;
        previous = std::move(key);
      }
      if (!it->status().ok()) stats->Fail("iterator status");
      for (int i = 0; i < before; ++i) {
        if (!seen[order[i]]) {
          stats->Fail("scan missed " + key_of(order[i]));
          break;
        }
      }
      ++stats->scans;

      // Point lookups of keys known to be in.
      std::string value;
      for (int g = 0; g < 200 && before > 0; ++g) {
        const int n = order[rng() % before];
        auto result = mem_.Get(LookupKey(key_of(n), kMaxSequenceNumber), &value);
        if (result != LookupResult::kFound || value != value_of(n)) {
          stats->Fail("Get missed " + key_of(n));
        }
        ++stats->gets;
      }
    }
  };

  ReaderStats stats[2];
  std::thread r1(reader, 1u, &stats[0]);
  std::thread r2(reader, 2u, &stats[1]);
  for (int i = 0; i < kKeys; ++i) {
    const int n = order[i];
    mem_.Add(static_cast<SequenceNumber>(i + 1), ValueKind::kValue, key_of(n), value_of(n));
    published.store(i + 1, std::memory_order_release);
  }
  writer_done.store(true, std::memory_order_release);
  r1.join();
  r2.join();

  for (const ReaderStats& s : stats) {
    EXPECT_EQ(s.errors, 0) << s.first_error;
    EXPECT_GE(s.scans, 1);
    EXPECT_GT(s.gets, 0);
  }
  EXPECT_EQ(mem_.NumEntries(), static_cast<uint64_t>(kKeys));
}

INSTANTIATE_TEST_SUITE_P(AllKinds, MemTableTest,
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

}  // namespace
}  // namespace strata
