// Randomised model test: thousands of random puts, deletes, range deletes,
// batches (range deletes among their operations), bulk ingests of sorted
// table files, optimistic transactions (some made to conflict), gets,
// multi-gets, range reads and iterator walks in both directions checked
// against std::map, with flushes, compactions, reopens and snapshot
// iterators in between, for every memtable kind.
#include <gtest/gtest.h>

#include <iterator>
#include <map>
#include <random>

#include "core/db/db.h"
#include "core/db/db_iterator.h"
#include "core/db/optimistic_transaction.h"
#include "core/table/sst_file_writer.h"
#include "support/db_test_util.h"
#include "support/temp_dir.h"

namespace strata {
namespace {

using Model = std::map<std::string, std::string>;

// Each memtable container, and the skip list with the hash index.
struct MemTableChoice {
  MemTableKind kind;
  MemTableIndexKind index;
};

class DBModelTest : public ::testing::TestWithParam<MemTableChoice> {
 protected:
  void Open() {
    db_.reset();
    Options o = test::SmallOptions();
    o.memtable = GetParam().kind;
    o.memtable_index = GetParam().index;
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

  // Moves an iterator over [lo, hi) at random (seeks both ways, first, last,
  // next, prev) and checks every position against the model.
  void CheckRandomWalk(const Model& model, std::optional<std::string> lo,
                       std::optional<std::string> hi, const Snapshot* snapshot = nullptr) {
    Model in_range;
    for (const auto& [k, v] : model) {
      if ((!lo || k >= *lo) && (!hi || k < *hi)) in_range.emplace(k, v);
    }
    ReadOptions ro;
    ro.snapshot = snapshot;
    auto it = db_->NewIterator(ro, lo, hi);
    auto expected = in_range.end();  // end() stands for "not valid"
    for (int move = 0; move < 40; ++move) {
      const int kind = static_cast<int>(rng_() % 6);
      std::string what;
      if (kind == 0) {
        it->SeekToFirst();
        expected = in_range.begin();
        what = "SeekToFirst";
      } else if (kind == 1) {
        it->SeekToLast();
        expected = in_range.empty() ? in_range.end() : std::prev(in_range.end());
        what = "SeekToLast";
      } else if (kind == 2) {
        const std::string target = RandomKey();
        it->Seek(target);
        expected = in_range.lower_bound(target);
        what = "Seek(" + target + ")";
      } else if (kind == 3) {
        const std::string target = RandomKey();
        it->SeekForPrev(target);
        auto after = in_range.upper_bound(target);
        expected = after == in_range.begin() ? in_range.end() : std::prev(after);
        what = "SeekForPrev(" + target + ")";
      } else if (kind == 4 && it->Valid()) {
        it->Next();
        ++expected;
        what = "Next";
      } else if (kind == 5 && it->Valid()) {
        it->Prev();
        expected = expected == in_range.begin() ? in_range.end() : std::prev(expected);
        what = "Prev";
      } else {
        continue;
      }
      ASSERT_TRUE(it->status().ok()) << it->status().ToString();
      ASSERT_EQ(it->Valid(), expected != in_range.end()) << "after " << what << " (move " << move
                                                          << ")";
      if (it->Valid()) {
        ASSERT_EQ(it->key(), expected->first) << "after " << what;
        ASSERT_EQ(it->value(), expected->second) << "after " << what;
      }
    }
  }

  void CheckMultiGet(const Model& model, const Snapshot* snapshot = nullptr) {
    std::vector<std::string> keys;
    const int n = 1 + static_cast<int>(rng_() % 40);
    for (int i = 0; i < n; ++i) keys.push_back(RandomKey());
    if (n > 2) keys.push_back(keys[0]);  // a repeated key
    std::vector<std::string_view> views(keys.begin(), keys.end());
    std::vector<std::string> values;
    std::vector<Status> statuses;
    ReadOptions ro;
    ro.snapshot = snapshot;
    db_->MultiGet(ro, views, &values, &statuses);
    ASSERT_EQ(values.size(), keys.size());
    ASSERT_EQ(statuses.size(), keys.size());
    for (size_t i = 0; i < keys.size(); ++i) {
      auto found = model.find(keys[i]);
      if (found == model.end()) {
        ASSERT_TRUE(statuses[i].IsNotFound()) << keys[i] << ": " << statuses[i].ToString();
      } else {
        ASSERT_TRUE(statuses[i].ok()) << statuses[i].ToString();
        ASSERT_EQ(values[i], found->second);
      }
    }
  }

  test::TempDir dir_;
  test::TempDir ingest_dir_;  // the table files written for ingests
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
    if (rng_() % 200 == 0) {
      // A bulk ingest of random sorted keys (some deletions): newer than
      // every write before it.
      std::map<std::string, std::optional<std::string>> entries;
      const int n = 1 + static_cast<int>(rng_() % 50);
      for (int i = 0; i < n; ++i) {
        entries[RandomKey()] = rng_() % 5 == 0 ? std::nullopt
                                               : std::optional<std::string>(RandomValue());
      }
      const std::string path = ingest_dir_.path() + "/" + std::to_string(step) + ".sst";
      std::unique_ptr<SstFileWriter> writer;
      ASSERT_TRUE(SstFileWriter::Open(test::SmallOptions(), path, &writer).ok());
      for (const auto& [k, v] : entries) {
        ASSERT_TRUE((v ? writer->Put(k, *v) : writer->Delete(k)).ok());
      }
      ASSERT_TRUE(writer->Finish().ok());
      writer.reset();
      Status s = db_->Ingest({path}, /*move=*/rng_() % 2 == 0);
      ASSERT_TRUE(s.ok()) << "step " << step << ": " << s.ToString();
      for (const auto& [k, v] : entries) {
        if (v) {
          model[k] = *v;
        } else {
          model.erase(k);
        }
      }
      continue;
    }
    if (rng_() % 150 == 0) {
      // A transaction: reads and writes a few keys; sometimes another write
      // to one of them lands between its begin and its commit, which must
      // then apply nothing.
      std::unique_ptr<OptimisticTransaction> txn;
      ASSERT_TRUE(OptimisticTransaction::Begin(db_, &txn).ok());
      Model after = model;
      std::vector<std::string> touched;
      const int n = 1 + static_cast<int>(rng_() % 5);
      for (int i = 0; i < n; ++i) {
        const std::string k = RandomKey();
        touched.push_back(k);
        std::string got;
        Status s = txn->Get(k, &got);
        auto it = after.find(k);
        if (it == after.end()) {
          ASSERT_TRUE(s.IsNotFound()) << "step " << step << ": " << s.ToString();
        } else {
          ASSERT_TRUE(s.ok()) << s.ToString();
          ASSERT_EQ(got, it->second);  // reads its own writes, else the begin's state
        }
        if (rng_() % 3 == 0) {
          ASSERT_TRUE(txn->Delete(k).ok());
          after.erase(k);
        } else {
          const std::string v = RandomValue();
          ASSERT_TRUE(txn->Put(k, v).ok());
          after[k] = v;
        }
      }
      const bool interfere = rng_() % 3 == 0;
      if (interfere) {
        const std::string& k = touched[rng_() % touched.size()];
        const std::string v = RandomValue();
        ASSERT_TRUE(db_->Put(WriteOptions(), k, v).ok());
        model[k] = v;
      }
      Status s = txn->Commit(WriteOptions());
      if (interfere) {
        ASSERT_TRUE(s.IsConflict()) << "step " << step << ": " << s.ToString();
      } else {
        ASSERT_TRUE(s.ok()) << "step " << step << ": " << s.ToString();
        model = std::move(after);
      }
      continue;
    }
    if (op < 12) {
      // Mostly narrow ranges, some wide, some empty or reversed.
      std::string a = RandomKey(), b = RandomKey();
      if (rng_() % 4 != 0 && a > b) std::swap(a, b);
      ASSERT_TRUE(db_->DeleteRange(WriteOptions(), a, b).ok());
      if (a < b) model.erase(model.lower_bound(a), model.lower_bound(b));
    } else if (op < 450) {
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
        if (rng_() % 15 == 0) {
          std::string e = RandomKey();
          if (k > e) std::swap(k, e);
          batch.DeleteRange(k, e);
          after.erase(after.lower_bound(k), after.lower_bound(e));
        } else if (rng_() % 3 == 0) {
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
    } else if (op < 915) {
      std::optional<std::string> lo, hi;
      if (rng_() % 4) lo = RandomKey();
      if (rng_() % 4) hi = RandomKey();
      CheckScan(model, lo, hi);
    } else if (op < 925) {
      std::optional<std::string> lo, hi;
      if (rng_() % 3 == 0) lo = RandomKey();
      if (rng_() % 3 == 0) hi = RandomKey();
      CheckRandomWalk(model, lo, hi);
    } else if (op < 930) {
      CheckMultiGet(model);
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
        CheckRandomWalk(snapshot_model, std::nullopt, std::nullopt, snapshot);
        CheckMultiGet(snapshot_model, snapshot);
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

INSTANTIATE_TEST_SUITE_P(
    AllMemTables, DBModelTest,
    ::testing::Values(MemTableChoice{MemTableKind::kSkipList, MemTableIndexKind::kNone},
                      MemTableChoice{MemTableKind::kRedBlackTree, MemTableIndexKind::kNone},
                      MemTableChoice{MemTableKind::kAvlTree, MemTableIndexKind::kNone},
                      MemTableChoice{MemTableKind::kSkipList, MemTableIndexKind::kHash}),
    [](const auto& info) {
      std::string name = MemTableKindName(info.param.kind);
      if (info.param.index == MemTableIndexKind::kHash) name += "_hash_index";
      return name;
    });

}  // namespace
}  // namespace strata
