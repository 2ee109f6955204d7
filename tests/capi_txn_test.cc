// Optimistic transactions through the C ABI (kv_txn_*): reading one's own
// writes and a snapshot, conflicts on keys read or written, atomic commits,
// the finished state, and many threads incrementing shared counters.
#include "strata/kv.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "support/temp_dir.h"

namespace {

class TxnTest : public ::testing::Test {
 protected:
  void SetUp() override {
    kv_options* o = kv_options_new();
    // Small memtables, so that the long tests cross flushes and compactions
    // and the conflict check has to look into tables.
    ASSERT_EQ(kv_options_set(o, "memtable_bytes", "64K"), KV_OK);
    ASSERT_EQ(kv_open(dir_.path().c_str(), o, &db_), KV_OK) << kv_last_error();
    kv_options_free(o);
  }
  void TearDown() override {
    if (db_ != nullptr) {
      EXPECT_EQ(kv_close(db_), KV_OK);
    }
  }

  void Put(const std::string& k, const std::string& v) {
    ASSERT_EQ(kv_put(db_, k.data(), k.size(), v.data(), v.size()), KV_OK) << kv_last_error();
  }
  std::string Get(const std::string& k) {
    void* v = nullptr;
    size_t n = 0;
    int rc = kv_get(db_, k.data(), k.size(), &v, &n);
    if (rc != KV_OK) return "<" + std::string(kv_status_name(rc)) + ">";
    std::string out(static_cast<char*>(v), n);
    kv_free(v);
    return out;
  }
  static std::string TxnGet(kv_txn* t, const std::string& k) {
    void* v = nullptr;
    size_t n = 0;
    int rc = kv_txn_get(t, k.data(), k.size(), &v, &n);
    if (rc != KV_OK) return "<" + std::string(kv_status_name(rc)) + ">";
    std::string out(static_cast<char*>(v), n);
    kv_free(v);
    return out;
  }
  static void TxnPut(kv_txn* t, const std::string& k, const std::string& v) {
    ASSERT_EQ(kv_txn_put(t, k.data(), k.size(), v.data(), v.size()), KV_OK) << kv_last_error();
  }
  kv_txn* Begin() {
    kv_txn* t = nullptr;
    EXPECT_EQ(kv_txn_begin(db_, &t), KV_OK) << kv_last_error();
    return t;
  }

  strata::test::TempDir dir_;
  kv_db* db_ = nullptr;
};

TEST_F(TxnTest, ReadsOwnWritesThenTheSnapshotAndCommitsAtomically) {
  Put("a", "1");
  Put("gone", "x");
  kv_txn* t = Begin();
  EXPECT_EQ(TxnGet(t, "a"), "1");
  TxnPut(t, "a", "2");
  TxnPut(t, "b", "");  // an empty value is a value
  ASSERT_EQ(kv_txn_delete(t, "gone", 4), KV_OK);
  EXPECT_EQ(TxnGet(t, "a"), "2");
  EXPECT_EQ(TxnGet(t, "b"), "");
  EXPECT_EQ(TxnGet(t, "gone"), "<KV_NOT_FOUND>");
  // Nobody else sees the writes before the commit.
  EXPECT_EQ(Get("a"), "1");
  EXPECT_EQ(Get("b"), "<KV_NOT_FOUND>");
  EXPECT_EQ(Get("gone"), "x");
  ASSERT_EQ(kv_txn_commit(t), KV_OK) << kv_last_error();
  EXPECT_EQ(Get("a"), "2");
  EXPECT_EQ(Get("b"), "");
  EXPECT_EQ(Get("gone"), "<KV_NOT_FOUND>");
  kv_txn_free(t);
}

TEST_F(TxnTest, ReadsTheDatabaseAsOfBegin) {
  Put("k", "old");
  kv_txn* t = Begin();
  Put("k", "new");     // after the begin: invisible to the transaction
  Put("fresh", "v");
  EXPECT_EQ(TxnGet(t, "k"), "old");
  EXPECT_EQ(TxnGet(t, "fresh"), "<KV_NOT_FOUND>");
  kv_txn_free(t);  // discarded: nothing to apply
  EXPECT_EQ(Get("k"), "new");
}

TEST_F(TxnTest, ConflictOnAKeyItReadAppliesNothing) {
  Put("balance", "10");
  kv_txn* t = Begin();
  EXPECT_EQ(TxnGet(t, "balance"), "10");
  TxnPut(t, "other", "written by the transaction");
  Put("balance", "99");  // someone else, after the begin
  EXPECT_EQ(kv_txn_commit(t), KV_CONFLICT);
  EXPECT_NE(std::string(kv_last_error()).find("conflict"), std::string::npos) << kv_last_error();
  EXPECT_STREQ(kv_status_name(KV_CONFLICT), "KV_CONFLICT");
  EXPECT_EQ(Get("other"), "<KV_NOT_FOUND>");
  EXPECT_EQ(Get("balance"), "99");
  kv_txn_free(t);
}

TEST_F(TxnTest, ConflictOnAKeyItOnlyWrote) {
  kv_txn* t = Begin();
  TxnPut(t, "blind", "from the txn");
  TxnPut(t, "also", "from the txn");
  ASSERT_EQ(kv_delete(db_, "blind", 5), KV_OK);  // a delete is a write too
  EXPECT_EQ(kv_txn_commit(t), KV_CONFLICT);
  EXPECT_EQ(Get("blind"), "<KV_NOT_FOUND>");
  EXPECT_EQ(Get("also"), "<KV_NOT_FOUND>");
  kv_txn_free(t);
}

TEST_F(TxnTest, ARangeDeleteOverAKeyItReadIsAConflict) {
  Put("acct/1", "10");
  Put("acct/2", "20");
  kv_txn* t = Begin();
  EXPECT_EQ(TxnGet(t, "acct/1"), "10");
  TxnPut(t, "acct/1", "11");
  // Someone else deletes the range, in the memtable and then from a table.
  ASSERT_EQ(kv_delete_range(db_, "acct/", 5, "acct0", 5), KV_OK);
  EXPECT_EQ(kv_txn_commit(t), KV_CONFLICT);
  EXPECT_EQ(Get("acct/1"), "<KV_NOT_FOUND>");
  kv_txn_free(t);

  Put("acct/3", "30");
  t = Begin();
  EXPECT_EQ(TxnGet(t, "acct/3"), "30");
  EXPECT_EQ(TxnGet(t, "acct/1"), "<KV_NOT_FOUND>");  // deleted before the begin: no conflict
  ASSERT_EQ(kv_delete_range(db_, "acct/3", 6, "acct/4", 6), KV_OK);
  ASSERT_EQ(kv_flush(db_), KV_OK);
  EXPECT_EQ(kv_txn_commit(t), KV_CONFLICT);
  kv_txn_free(t);

  // A range delete that misses every key the transaction touched is none.
  Put("acct/5", "50");
  t = Begin();
  EXPECT_EQ(TxnGet(t, "acct/5"), "50");
  TxnPut(t, "acct/5", "51");
  ASSERT_EQ(kv_delete_range(db_, "acct/6", 6, "acct/9", 6), KV_OK);
  EXPECT_EQ(kv_txn_commit(t), KV_OK) << kv_last_error();
  EXPECT_EQ(Get("acct/5"), "51");
  kv_txn_free(t);
}

TEST_F(TxnTest, ConflictWithAnotherTransactionAndWithAFlushedWrite) {
  kv_txn* first = Begin();
  kv_txn* second = Begin();
  EXPECT_EQ(TxnGet(first, "x"), "<KV_NOT_FOUND>");
  EXPECT_EQ(TxnGet(second, "x"), "<KV_NOT_FOUND>");
  TxnPut(first, "x", "first");
  TxnPut(second, "x", "second");
  ASSERT_EQ(kv_txn_commit(first), KV_OK);
  EXPECT_EQ(kv_txn_commit(second), KV_CONFLICT);
  EXPECT_EQ(Get("x"), "first");
  kv_txn_free(first);
  kv_txn_free(second);

  // The newer write is no longer in a memtable, but in a table: still seen.
  kv_txn* t = Begin();
  EXPECT_EQ(TxnGet(t, "x"), "first");
  TxnPut(t, "x", "txn");
  Put("x", "outside");
  ASSERT_EQ(kv_flush(db_), KV_OK);
  ASSERT_EQ(kv_compact_range(db_, nullptr, 0, nullptr, 0), KV_OK);
  EXPECT_EQ(kv_txn_commit(t), KV_CONFLICT);
  EXPECT_EQ(Get("x"), "outside");
  kv_txn_free(t);
}

TEST_F(TxnTest, WritesToOtherKeysDoNotConflict) {
  Put("mine", "1");
  for (int i = 0; i < 3000; ++i) Put("bulk" + std::to_string(i), std::string(100, 'v'));
  ASSERT_EQ(kv_flush(db_), KV_OK);
  kv_txn* t = Begin();
  EXPECT_EQ(TxnGet(t, "mine"), "1");
  EXPECT_EQ(TxnGet(t, "absent"), "<KV_NOT_FOUND>");
  TxnPut(t, "mine", "2");
  // Other keys, including neighbours of the transaction's, change meanwhile,
  // in the memtable and in tables.
  Put("min", "x");
  Put("minf", "x");
  Put("absent0", "x");
  for (int i = 0; i < 3000; ++i) Put("bulk" + std::to_string(i), "again");
  ASSERT_EQ(kv_flush(db_), KV_OK);
  Put("mine0", "x");
  ASSERT_EQ(kv_txn_commit(t), KV_OK) << kv_last_error();
  EXPECT_EQ(Get("mine"), "2");
  kv_txn_free(t);
}

TEST_F(TxnTest, FinishedTransactionRefusesCallsButFree) {
  kv_txn* t = Begin();
  TxnPut(t, "k", "v");
  ASSERT_EQ(kv_txn_commit(t), KV_OK);
  void* v = nullptr;
  size_t n = 0;
  EXPECT_EQ(kv_txn_get(t, "k", 1, &v, &n), KV_INVALID_ARGUMENT);
  EXPECT_NE(std::string(kv_last_error()).find("finished"), std::string::npos) << kv_last_error();
  EXPECT_EQ(v, nullptr);
  EXPECT_EQ(kv_txn_put(t, "k", 1, "w", 1), KV_INVALID_ARGUMENT);
  EXPECT_EQ(kv_txn_delete(t, "k", 1), KV_INVALID_ARGUMENT);
  EXPECT_EQ(kv_txn_commit(t), KV_INVALID_ARGUMENT);
  EXPECT_EQ(Get("k"), "v");
  kv_txn_free(t);

  // After a conflict, the same.
  t = Begin();
  TxnPut(t, "k", "mine");
  Put("k", "theirs");
  ASSERT_EQ(kv_txn_commit(t), KV_CONFLICT);
  EXPECT_EQ(kv_txn_put(t, "z", 1, "w", 1), KV_INVALID_ARGUMENT);
  EXPECT_EQ(kv_txn_commit(t), KV_INVALID_ARGUMENT);
  kv_txn_free(t);
}

TEST_F(TxnTest, BadArgumentsAreErrors) {
  kv_txn* t = nullptr;
  EXPECT_EQ(kv_txn_begin(nullptr, &t), KV_INVALID_ARGUMENT);
  EXPECT_EQ(kv_txn_begin(db_, nullptr), KV_INVALID_ARGUMENT);
  void* v = nullptr;
  size_t n = 0;
  EXPECT_EQ(kv_txn_get(nullptr, "k", 1, &v, &n), KV_INVALID_ARGUMENT);
  EXPECT_EQ(kv_txn_put(nullptr, "k", 1, "v", 1), KV_INVALID_ARGUMENT);
  EXPECT_EQ(kv_txn_delete(nullptr, "k", 1), KV_INVALID_ARGUMENT);
  EXPECT_EQ(kv_txn_commit(nullptr), KV_INVALID_ARGUMENT);
  kv_txn_free(nullptr);
  // A handle of another kind is caught.
  EXPECT_EQ(kv_txn_commit(reinterpret_cast<kv_txn*>(db_)), KV_INVALID_ARGUMENT);

  t = Begin();
  std::string long_key(KV_MAX_KEY_LEN + 1, 'k');
  EXPECT_EQ(kv_txn_put(t, long_key.data(), long_key.size(), "v", 1), KV_INVALID_ARGUMENT);
  EXPECT_NE(std::string(kv_last_error()).find("KV_MAX_KEY_LEN"), std::string::npos);
  EXPECT_EQ(kv_txn_get(t, long_key.data(), long_key.size(), &v, &n), KV_INVALID_ARGUMENT);
  EXPECT_EQ(kv_txn_delete(t, long_key.data(), long_key.size()), KV_INVALID_ARGUMENT);
  EXPECT_EQ(kv_txn_put(t, nullptr, 3, "v", 1), KV_INVALID_ARGUMENT);
  EXPECT_EQ(kv_txn_put(t, "k", 1, nullptr, 1), KV_INVALID_ARGUMENT);
  EXPECT_EQ(kv_txn_get(t, "k", 1, nullptr, &n), KV_INVALID_ARGUMENT);
  // None of the refused calls changed the transaction.
  ASSERT_EQ(kv_txn_commit(t), KV_OK);
  kv_txn_free(t);
}

TEST_F(TxnTest, OutlivesTheHandleButTakesNoCallsAfterClose) {
  kv_txn* t = Begin();
  TxnPut(t, "k", "v");
  ASSERT_EQ(kv_close(db_), KV_OK);
  db_ = nullptr;
  EXPECT_EQ(kv_txn_commit(t), KV_INVALID_ARGUMENT);
  EXPECT_NE(std::string(kv_last_error()).find("closed"), std::string::npos);
  kv_txn_free(t);  // the engine shuts down here
  kv_db* again = nullptr;
  ASSERT_EQ(kv_open(dir_.path().c_str(), nullptr, &again), KV_OK) << kv_last_error();
  void* v = nullptr;
  size_t n = 0;
  EXPECT_EQ(kv_get(again, "k", 1, &v, &n), KV_NOT_FOUND);
  EXPECT_EQ(kv_close(again), KV_OK);
}

// The classic lost-update race: every thread reads two counters, adds one to
// each and commits, retrying on KV_CONFLICT. Without the conflict check
// increments would be lost and the sums would fall short.
TEST_F(TxnTest, ConcurrentIncrementsWithRetriesAreExact) {
  constexpr int kThreads = 6;
  constexpr int kIncrements = 400;
  constexpr int kCounters = 5;
  auto name = [](int c) { return "counter" + std::to_string(c); };
  for (int c = 0; c < kCounters; ++c) Put(name(c), "0");
  std::atomic<int> conflicts{0}, failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(t);
      for (int i = 0; i < kIncrements; ++i) {
        const int a = static_cast<int>(rng() % kCounters);
        const int b = (a + 1 + static_cast<int>(rng() % (kCounters - 1))) % kCounters;
        while (true) {
          kv_txn* txn = nullptr;
          if (kv_txn_begin(db_, &txn) != KV_OK) {
            ++failures;
            return;
          }
          bool ok = true;
          for (int c : {a, b}) {
            const std::string k = name(c);
            void* v = nullptr;
            size_t n = 0;
            if (kv_txn_get(txn, k.data(), k.size(), &v, &n) != KV_OK) {
              ok = false;
              break;
            }
            const long value = std::stol(std::string(static_cast<char*>(v), n)) + 1;
            kv_free(v);
            const std::string text = std::to_string(value);
            if (kv_txn_put(txn, k.data(), k.size(), text.data(), text.size()) != KV_OK) ok = false;
          }
          const int rc = ok ? kv_txn_commit(txn) : KV_INTERNAL;
          kv_txn_free(txn);
          if (rc == KV_OK) break;
          if (rc != KV_CONFLICT) {
            ++failures;
            return;
          }
          ++conflicts;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_EQ(failures.load(), 0);
  long total = 0;
  for (int c = 0; c < kCounters; ++c) total += std::stol(Get(name(c)));
  EXPECT_EQ(total, 2L * kThreads * kIncrements);
  // With six threads on five counters the race is real; if no commit ever
  // conflicted, the test did not exercise the check.
  EXPECT_GT(conflicts.load(), 0);
}

// --- kv_approximate_size ---------------------------------------------------

class ApproximateSizeTest : public TxnTest {
 protected:
  uint64_t Size(const char* start, const char* end) {
    uint64_t bytes = 12345;
    int rc = kv_approximate_size(db_, start, start ? std::strlen(start) : 0, end,
                                 end ? std::strlen(end) : 0, &bytes);
    EXPECT_EQ(rc, KV_OK) << kv_last_error();
    return bytes;
  }
};

TEST_F(ApproximateSizeTest, GrowsWithDataAndFollowsTheRange) {
  EXPECT_EQ(Size(nullptr, nullptr), 0u);
  std::mt19937 rng(7);
  std::string value(1000, 'x');
  for (int i = 0; i < 4000; ++i) {
    for (auto& c : value) c = static_cast<char>('a' + rng() % 26);  // incompressible enough
    char key[16];
    std::snprintf(key, sizeof(key), "k%05d", i);
    Put(key, value);
  }
  // Unflushed data is not on disk yet.
  ASSERT_EQ(kv_flush(db_), KV_OK);
  ASSERT_EQ(kv_compact_range(db_, nullptr, 0, nullptr, 0), KV_OK);
  const uint64_t all = Size(nullptr, nullptr);
  EXPECT_GT(all, 4000u * 1000u);
  EXPECT_LT(all, 4000u * 1200u);
  const uint64_t half = Size("k00000", "k02000");
  EXPECT_GT(half, all * 4 / 10) << half << " of " << all;
  EXPECT_LT(half, all * 6 / 10) << half << " of " << all;
  const uint64_t quarter = Size("k03000", nullptr);
  EXPECT_GT(quarter, all * 15 / 100);
  EXPECT_LT(quarter, all * 35 / 100);
  // Empty, reversed and outside ranges hold (almost) nothing: at most the
  // block the bound falls in.
  EXPECT_EQ(Size("k01000", "k01000"), 0u);
  EXPECT_EQ(Size("k02000", "k01000"), 0u);
  EXPECT_EQ(Size("z", nullptr), 0u);
  EXPECT_EQ(Size(nullptr, "a"), 0u);
  EXPECT_LT(Size("k01000", "k01000\x01"), 8192u);
  // More data, more bytes.
  for (int i = 0; i < 2000; ++i) {
    char key[16];
    std::snprintf(key, sizeof(key), "m%05d", i);
    Put(key, value);
  }
  ASSERT_EQ(kv_flush(db_), KV_OK);
  EXPECT_GT(Size(nullptr, nullptr), all + 2000u * 900u);
  EXPECT_EQ(Size(nullptr, "m"), all);
}

TEST_F(ApproximateSizeTest, BadArguments) {
  uint64_t bytes = 1;
  EXPECT_EQ(kv_approximate_size(nullptr, nullptr, 0, nullptr, 0, &bytes), KV_INVALID_ARGUMENT);
  EXPECT_EQ(kv_approximate_size(db_, nullptr, 0, nullptr, 0, nullptr), KV_INVALID_ARGUMENT);
  EXPECT_EQ(kv_approximate_size(db_, nullptr, 2, nullptr, 0, &bytes), KV_INVALID_ARGUMENT);
  EXPECT_EQ(kv_approximate_size(db_, nullptr, 0, nullptr, 1, &bytes), KV_INVALID_ARGUMENT);
  std::string long_key(KV_MAX_KEY_LEN + 1, 'k');
  EXPECT_EQ(kv_approximate_size(db_, long_key.data(), long_key.size(), nullptr, 0, &bytes),
            KV_INVALID_ARGUMENT);
  // The empty key is a real bound: [ "", "" ) is empty.
  EXPECT_EQ(kv_approximate_size(db_, "", 0, "", 0, &bytes), KV_OK);
  EXPECT_EQ(bytes, 0u);
}

}  // namespace
