// The C ABI from C++: the handle-lifetime rules (close with open iterators,
// use after close, closing while other threads call in) and bad input.
// tests/c/capi_conformance.c covers the contract from plain C.
#include "strata/kv.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "support/temp_dir.h"

namespace {

class CapiTest : public ::testing::Test {
 protected:
  kv_db* Open(kv_options* o = nullptr) {
    kv_db* db = nullptr;
    int rc = kv_open(dir_.path().c_str(), o, &db);
    EXPECT_EQ(rc, KV_OK) << kv_last_error();
    return db;
  }
  strata::test::TempDir dir_;
};

TEST_F(CapiTest, CloseWithOpenIteratorKeepsIteratorWorking) {
  kv_db* db = Open();
  for (int i = 0; i < 1000; ++i) {
    std::string k = "key" + std::to_string(1000 + i);
    ASSERT_EQ(kv_put(db, k.data(), k.size(), "v", 1), KV_OK);
  }
  kv_iter* it = nullptr;
  ASSERT_EQ(kv_iter_new(db, nullptr, 0, nullptr, 0, &it), KV_OK);
  ASSERT_EQ(kv_close(db), KV_OK);

  // The handle takes no new calls...
  EXPECT_EQ(kv_put(db, "a", 1, "b", 1), KV_INVALID_ARGUMENT);
  EXPECT_NE(std::string(kv_last_error()).find("closed"), std::string::npos);
  EXPECT_EQ(kv_close(db), KV_INVALID_ARGUMENT);
  // ...the directory stays locked while the iterator lives...
  kv_db* second = nullptr;
  EXPECT_EQ(kv_open(dir_.path().c_str(), nullptr, &second), KV_BUSY);
  EXPECT_EQ(second, nullptr);
  // ...and the iterator reads everything.
  int n = 0;
  const void *k, *v;
  size_t kl, vl;
  int rc;
  while ((rc = kv_iter_next(it, &k, &kl, &v, &vl)) == KV_OK) ++n;
  EXPECT_EQ(rc, KV_END);
  EXPECT_EQ(kv_iter_next(it, &k, &kl, &v, &vl), KV_END);
  EXPECT_EQ(n, 1000);
  kv_iter_free(it);

  kv_db* again = Open();
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(kv_close(again), KV_OK);
}

TEST_F(CapiTest, CloseWhileOtherThreadsCallIn) {
  kv_db* db = Open();
  std::atomic<bool> go{true};
  std::atomic<int> ok_calls{0}, closed_calls{0}, other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&, t] {
      int i = 0;
      while (go.load()) {
        std::string k = std::to_string(t) + ":" + std::to_string(i++);
        int rc = kv_put(db, k.data(), k.size(), k.data(), k.size());
        if (rc == KV_OK) {
          ++ok_calls;
        } else if (rc == KV_INVALID_ARGUMENT) {
          ++closed_calls;
          break;
        } else {
          ++other;
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(kv_close(db), KV_OK);
  go = false;
  for (auto& t : threads) t.join();
  EXPECT_GT(ok_calls.load(), 0);
  EXPECT_EQ(other.load(), 0);

  kv_db* again = Open();
  kv_iter* it = nullptr;
  ASSERT_EQ(kv_iter_new(again, nullptr, 0, nullptr, 0, &it), KV_OK);
  int n = 0;
  while (kv_iter_next(it, nullptr, nullptr, nullptr, nullptr) == KV_OK) ++n;
  kv_iter_free(it);
  EXPECT_EQ(n, ok_calls.load());  // every acknowledged put survived the close
  kv_close(again);
}

TEST_F(CapiTest, BadArgumentsAreErrorsWithMessages) {
  kv_db* db = Open();
  void* val = reinterpret_cast<void*>(1);
  size_t len = 99;
  EXPECT_EQ(kv_put(nullptr, "a", 1, "b", 1), KV_INVALID_ARGUMENT);
  EXPECT_STRNE(kv_last_error(), "");
  EXPECT_EQ(kv_put(db, nullptr, 3, "b", 1), KV_INVALID_ARGUMENT);
  EXPECT_EQ(kv_put(db, "a", 1, nullptr, 5), KV_INVALID_ARGUMENT);
  EXPECT_EQ(kv_put(db, "a", SIZE_MAX, "b", 1), KV_INVALID_ARGUMENT);
  EXPECT_EQ(kv_put(db, "a", 1, "b", SIZE_MAX), KV_INVALID_ARGUMENT);
  EXPECT_EQ(kv_get(db, "a", 1, nullptr, &len), KV_INVALID_ARGUMENT);
  EXPECT_EQ(kv_get(db, "a", KV_MAX_KEY_LEN + 1, &val, &len), KV_INVALID_ARGUMENT);
  EXPECT_EQ(val, nullptr);
  EXPECT_EQ(len, 0u);
  EXPECT_EQ(kv_iter_new(db, nullptr, 4, nullptr, 0, nullptr), KV_INVALID_ARGUMENT);
  kv_iter* it = nullptr;
  EXPECT_EQ(kv_iter_new(db, nullptr, 4, nullptr, 0, &it), KV_INVALID_ARGUMENT);
  EXPECT_EQ(it, nullptr);
  EXPECT_EQ(kv_iter_next(nullptr, nullptr, nullptr, nullptr, nullptr), KV_INVALID_ARGUMENT);
  EXPECT_EQ(kv_write(db, nullptr), KV_INVALID_ARGUMENT);
  EXPECT_EQ(kv_property(db, "no-such-property", reinterpret_cast<char**>(&val)), KV_INVALID_ARGUMENT);
  EXPECT_NE(std::string(kv_last_error()).find("no-such-property"), std::string::npos);
  EXPECT_EQ(kv_open(nullptr, nullptr, nullptr), KV_INVALID_ARGUMENT);
  EXPECT_EQ(kv_close(nullptr), KV_INVALID_ARGUMENT);
  // A wrong handle kind is caught by its tag.
  kv_options* o = kv_options_new();
  EXPECT_EQ(kv_put(reinterpret_cast<kv_db*>(o), "a", 1, "b", 1), KV_INVALID_ARGUMENT);
  EXPECT_EQ(kv_options_set(o, "memtable", "splay"), KV_INVALID_ARGUMENT);
  EXPECT_NE(std::string(kv_last_error()).find("memtable"), std::string::npos);
  kv_options_free(o);
  kv_options_free(nullptr);
  kv_batch_free(nullptr);
  kv_iter_free(nullptr);
  kv_free(nullptr);
  // Nothing was written by any of that.
  EXPECT_EQ(kv_get(db, "a", 1, &val, &len), KV_NOT_FOUND);
  kv_close(db);
}

TEST_F(CapiTest, OptionsRoundTripThroughGet) {
  kv_options* o = kv_options_new();
  ASSERT_EQ(kv_options_set(o, "memtable_bytes", "2M"), KV_OK);
  char* value = nullptr;
  ASSERT_EQ(kv_options_get(o, "memtable_bytes", &value), KV_OK);
  EXPECT_STREQ(value, "2097152");
  kv_free(value);
  kv_options_free(o);
}

TEST_F(CapiTest, BatchIsAtomicAndOrdered) {
  kv_db* db = Open();
  kv_batch* b = kv_batch_new();
  ASSERT_EQ(kv_batch_put(b, "k", 1, "first", 5), KV_OK);
  ASSERT_EQ(kv_batch_delete(b, "k", 1), KV_OK);
  ASSERT_EQ(kv_batch_put(b, "k", 1, "last", 4), KV_OK);
  ASSERT_EQ(kv_batch_put(b, "other", 5, "", 0), KV_OK);
  EXPECT_EQ(kv_batch_count(b), 4u);
  ASSERT_EQ(kv_write(db, b), KV_OK);
  void* val = nullptr;
  size_t len = 0;
  ASSERT_EQ(kv_get(db, "k", 1, &val, &len), KV_OK);
  EXPECT_EQ(std::string(static_cast<char*>(val), len), "last");
  kv_free(val);
  ASSERT_EQ(kv_get(db, "other", 5, &val, &len), KV_OK);
  EXPECT_NE(val, nullptr);
  EXPECT_EQ(len, 0u);
  kv_free(val);
  kv_batch_clear(b);
  EXPECT_EQ(kv_batch_count(b), 0u);
  kv_batch_free(b);
  kv_close(db);
}

}  // namespace
