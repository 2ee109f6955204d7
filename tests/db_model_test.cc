// Randomised model test: thousands of random puts, deletes, batches, gets and
// range reads checked against std::map, with flushes, compactions, reopens
// and snapshot iterators in between, for every memtable kind.
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "core/db/db.h"
#include "core/db/db_iterator.h"
#include "support/db_test_util.h"
#include "support/temp_dir.h"

namespace strata {
namespace {

using Model = std::map<std::string, std::string>;

class DBModelTest : public ::testing::TestWithParam<MemTableKind> {
 protected:
  void Open() {
    db_.reset();
    Options o = test::SmallOptions();
    o.memtable = GetParam();
    Status s = DB::Open(o, dir_.path(), &db_);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  std::string RandomKey() {
    // A small key space so that overwrites and deletes hit existing keys;
    // some keys share long prefixes, some hold NUL bytes.
    int n = static_cast<int>(rng_() % 600);
    std::string key = "key" + std::to_string(n);
    if (n % 7 == 0) key += std::string("\0tail", 5);
    return key;
  }

  std::string RandomValue() {
    size_t len = rng_() % 10 == 0 ? 0 : rng_() % 300;
    if (rng_() % 500 == 0) len = 100000;
    std::string v(len, '\0');
    for (char& c : v) c = static_cast<char>('a' + rng_() % 26);
    return v;
  }

  void CheckScan(const Model& model, std::optional<std::string> lo, std::optional<std::string> hi,
                 const Snapshot* snapshot = nullptr) {
    Model got;
    Status s = test::ScanAll(db_.get(), &got, lo, hi, snapshot);
    ASSERT_TRUE(s.ok()) << s.ToString();
    Model expected;
    for (const auto& [k, v] : model) {
      if (lo && k < *lo) continue;
      if (hi && k >= *hi) continue;
      expected[k] = v;
    }
    ASSERT_EQ(got, expected);
  }

  test::TempDir dir_;
  std::shared_ptr<DB> db_;
  std::mt19937_64 rng_{12345};
};

TEST_P(DBModelTest, RandomOperationsMatchModel) {
  Open();
  Model model;
  struct PinnedIterator {
    std::unique_ptr<Iterator> it;
    Model expected;
  };
  std::vector<PinnedIterator> pinned;
  const Snapshot* snapshot = nullptr;
  Model snapshot_model;

  constexpr int kSteps = 12000;
  for (int step = 0; step < kSteps; ++step) {
    const int op = static_cast<int>(rng_() % 1000);
    if (op < 450) {
      std::string k = RandomKey(), v = RandomValue();
      ASSERT_TRUE(db_->Put(WriteOptions(), k, v).ok());
      model[k] = v;
    } else if (op < 600) {
      std::string k = RandomKey();
      ASSERT_TRUE(db_->Delete(WriteOptions(), k).ok());
      model.erase(k);
    } else if (op < 680) {
      WriteBatch batch;
      Model after = model;
      int n = 1 + static_cast<int>(rng_() % 20);
      for (int i = 0; i < n; ++i) {
        std::string k = RandomKey();
        if (rng_() % 3 == 0) {
          batch.Delete(k);
          after.erase(k);
        } else {
          std::string v = RandomValue();
          batch.Put(k, v);
          after[k] = v;
        }
      }
      ASSERT_TRUE(db_->Write(WriteOptions(), batch).ok());
      model = std::move(after);
    } else if (op < 900) {
      std::string k = RandomKey();
      std::string value;
      Status s = db_->Get(ReadOptions(), k, &value);
      auto it = model.find(k);
      if (it == model.end()) {
        ASSERT_TRUE(s.IsNotFound()) << "step " << step << " key " << k << ": " << s.ToString();
      } else {
        ASSERT_TRUE(s.ok()) << "step " << step << ": " << s.ToString();
        ASSERT_EQ(value, it->second) << "step " << step;
      }
    } else if (op < 930) {
      std::optional<std::string> lo, hi;
      if (rng_() % 4) lo = RandomKey();
      if (rng_() % 4) hi = RandomKey();
      CheckScan(model, lo, hi);
    } else if (op < 945) {
      // An iterator created now must later show exactly this state.
      if (pinned.size() < 3) {
        pinned.push_back({db_->NewIterator(ReadOptions(), std::nullopt, std::nullopt), model});
      }
    } else if (op < 955) {
      if (snapshot == nullptr) {
        snapshot = db_->GetSnapshot();
        snapshot_model = model;
      } else {
        CheckScan(snapshot_model, std::nullopt, std::nullopt, snapshot);
        db_->ReleaseSnapshot(snapshot);
        snapshot = nullptr;
      }
    } else if (op < 975) {
      ASSERT_TRUE(db_->Flush().ok());
    } else if (op < 985) {
      std::string a = RandomKey(), b = RandomKey();
      if (a > b) std::swap(a, b);
      std::string_view av(a), bv(b);
      ASSERT_TRUE(db_->CompactRange(rng_() % 3 ? &av : nullptr, rng_() % 3 ? &bv : nullptr).ok());
    } else if (op < 990) {
      // Check and drop pinned iterators, then reopen.
      for (auto& p : pinned) {
        Model got;
        for (p.it->SeekToFirst(); p.it->Valid(); p.it->Next()) got[std::string(p.it->key())] = p.it->value();
        ASSERT_TRUE(p.it->status().ok());
        ASSERT_EQ(got, p.expected) << "pinned iterator at step " << step;
      }
      pinned.clear();
      if (snapshot != nullptr) {
        db_->ReleaseSnapshot(snapshot);
        snapshot = nullptr;
      }
      Open();
    }
  }
  for (auto& p : pinned) {
    Model got;
    for (p.it->SeekToFirst(); p.it->Valid(); p.it->Next()) got[std::string(p.it->key())] = p.it->value();
    ASSERT_EQ(got, p.expected);
  }
  pinned.clear();
  if (snapshot != nullptr) db_->ReleaseSnapshot(snapshot);
  CheckScan(model, std::nullopt, std::nullopt);
  Open();
  CheckScan(model, std::nullopt, std::nullopt);
}

INSTANTIATE_TEST_SUITE_P(AllMemTables, DBModelTest,
                         ::testing::Values(MemTableKind::kSkipList, MemTableKind::kRedBlackTree,
                                           MemTableKind::kAvlTree),
                         [](const auto& info) { return std::string(MemTableKindName(info.param)); });

}  // namespace
}  // namespace strata
