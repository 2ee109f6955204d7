// Fault sweeps: the same deterministic workload run again and again, each
// time with one injected fault at a different point, or with the machine
// stopping (power loss) at a different point.
//
// The workload opens a database holding earlier data (so recovery reads a
// manifest, tables and a log), then mixes puts, deletes, batches, point and
// range reads, flushes, range compactions and checkpoints, with memtables and
// tables so small that flushes and compactions run all the time. After the
// fault it checks what the issue promises:
//   - the caller got an error status (a failed background flush or
//     compaction shows up on the next write or wait);
//   - no write succeeds after one has failed (the log may end in a partial
//     record; writing after it would bury the damage);
//   - the database reopens, and holds exactly the state after some prefix of
//     the writes: at least every acknowledged write (after power loss: every
//     durable one: all acknowledged writes with sync=true, those covered by a
//     successful flush with sync=false), and at most the one write that
//     failed;
//   - every checkpoint that succeeded opens with the state of its moment;
//   - it keeps working: new writes, a flush and another reopen.
//
// STRATA_FAULT_SWEEP_POINTS (default 24) caps the fault points tried per
// sweep and workload; the points are spread evenly over all the operations
// of that kind the workload performs. STRATA_FAULT_SWEEP_SEEDS (default 1)
// runs that many different workloads. scripts/stress.sh raises both. Each
// sweep prints how many points it ran.
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <optional>
#include <random>
#include <set>

#include "core/db/db.h"
#include "core/db/db_iterator.h"
#include "support/db_test_util.h"
#include "support/fault_injection_env.h"
#include "support/temp_dir.h"

namespace strata {
namespace {

using FaultEnv = test::FaultInjectionEnv;
using Op = FaultEnv::Op;
using State = std::map<std::string, std::string>;

// One write call: a batch (a put or delete is a batch of one).
struct Mutation {
  std::vector<std::pair<std::string, std::optional<std::string>>> entries;
};

void Apply(const Mutation& m, State* state) {
  for (const auto& [key, value] : m.entries) {
    if (value) {
      (*state)[key] = *value;
    } else {
      state->erase(key);
    }
  }
}

// The k in [lo, hi] for which base + mutations[0, k) equals `got`, if any.
// Walks the prefixes once, keeping count of the keys on which the two differ.
std::optional<size_t> MatchingPrefix(State base, const std::vector<Mutation>& mutations, size_t lo,
                                     size_t hi, const State& got) {
  auto differs = [&](const std::string& key) {
    auto a = base.find(key);
    auto b = got.find(key);
    if (a == base.end() || b == got.end()) return (a == base.end()) != (b == got.end());
    return a->second != b->second;
  };
  size_t diff = 0;
  std::set<std::string> keys;
  for (const auto& [k, v] : base) keys.insert(k);
  for (const auto& [k, v] : got) keys.insert(k);
  for (const auto& k : keys) diff += differs(k) ? 1 : 0;
  for (size_t k = 0;; ++k) {
    if (k >= lo && diff == 0) return k;
    if (k >= hi || k >= mutations.size()) return std::nullopt;
    for (const auto& [key, value] : mutations[k].entries) {
      diff -= differs(key) ? 1 : 0;
      if (value) {
        base[key] = *value;
      } else {
        base.erase(key);
      }
      diff += differs(key) ? 1 : 0;
    }
  }
}

std::string Describe(const State& s) {
  std::string out = std::to_string(s.size()) + " keys:";
  for (const auto& [k, v] : s) out += " " + k + "(" + std::to_string(v.size()) + ")";
  return out;
}

Options WorkloadOptions(FaultEnv* env, bool sync) {
  Options o;
  o.env = env;
  o.sync = sync;
  o.memtable_bytes = 1 << 10;
  o.block_bytes = 256;
  o.table_file_bytes = 4 << 10;
  o.block_cache_bytes = 64 << 10;
  o.l0_compaction_trigger = 2;
  o.level1_bytes = 16 << 10;
  o.level_size_multiplier = 4;
  o.background_threads = 2;
  o.auto_resume = false;  // each stop must stay put for the sweep's checks
  return o;
}

// STRATA_FAULT_SWEEP_SEEDS (default 1): how many different workloads (seeds)
// each sweep runs.
int SweepSeeds() {
  const char* env = std::getenv("STRATA_FAULT_SWEEP_SEEDS");
  if (env != nullptr && std::atoi(env) > 0) return std::atoi(env);
  return 1;
}

int SweepPoints() {
  const char* env = std::getenv("STRATA_FAULT_SWEEP_POINTS");
  if (env != nullptr && std::atoi(env) > 0) return std::atoi(env);
  return 24;
}

// `points` values spread evenly over [0, total), or just the one named by
// STRATA_FAULT_SWEEP_ONLY (to replay a failure).
std::vector<uint64_t> SpreadPoints(uint64_t total, int points) {
  std::vector<uint64_t> out;
  if (const char* only = std::getenv("STRATA_FAULT_SWEEP_ONLY"); only != nullptr && *only) {
    out.push_back(std::strtoull(only, nullptr, 10));
    return out;
  }
  if (total <= static_cast<uint64_t>(points)) {
    for (uint64_t i = 0; i < total; ++i) out.push_back(i);
  } else {
    for (int i = 0; i < points; ++i) out.push_back(total * static_cast<uint64_t>(i) / points);
  }
  return out;
}

// What one run of the workload did.
struct RunLog {
  std::vector<Mutation> issued;  // every write call made, in order
  size_t acknowledged = 0;       // issued[0, acknowledged) returned OK
  size_t flushed = 0;            // issued[0, flushed) were covered by a successful flush
  bool saw_error = false;
  std::string first_error;
  std::vector<std::pair<std::string, State>> checkpoints;  // directory, state it must hold
};

class Workload {
 public:
  Workload(const std::string& root, bool sync) : root_(root), db_path_(root + "/db"), sync_(sync) {}

  const std::string& db_path() const { return db_path_; }

  // Fills the database with earlier data, makes it all durable (a clean close
  // then a power loss) and returns what it holds.
  State Prepare(FaultEnv* env) {
    std::shared_ptr<DB> db;
    EXPECT_TRUE(DB::Open(WorkloadOptions(env, sync_), db_path_, &db).ok());
    std::mt19937 rng(7);
    for (int i = 0; i < 60; ++i) {
      WriteBatch batch;
      batch.Put(Key(rng), Value(rng));
      if (i % 5 == 0) batch.Delete(Key(rng));
      EXPECT_TRUE(db->Write(WriteOptions(), batch).ok());
      if (i == 40) {
        EXPECT_TRUE(db->Flush().ok());
      }
    }
    db.reset();
    EXPECT_TRUE(env->SimulatePowerLoss().ok());
    EXPECT_TRUE(DB::Open(WorkloadOptions(env, sync_), db_path_, &db).ok());
    State base;
    EXPECT_TRUE(test::ScanAll(db.get(), &base).ok());
    db.reset();
    EXPECT_TRUE(env->SimulatePowerLoss().ok());
    return base;
  }

  // Runs the workload from `base`, checking every read against the model
  // of acknowledged writes. Stops early only if the database fails to open.
  RunLog Run(FaultEnv* env, const State& base, uint32_t seed) {
    RunLog log;
    auto failed = [&](const Status& s) {
      if (!log.saw_error) log.first_error = s.ToString();
      log.saw_error = true;
    };
    std::shared_ptr<DB> db;
    Status s = DB::Open(WorkloadOptions(env, sync_), db_path_, &db);
    if (!s.ok()) {
      failed(s);
      return log;
    }
    State model = base;
    std::mt19937 rng(seed);
    bool write_failed = false;
    for (int step = 0; step < 90; ++step) {
      const int r = static_cast<int>(rng() % 100);
      if (r < 60) {
        Mutation m;
        WriteBatch batch;
        const int entries = r < 40 ? 1 : 2 + static_cast<int>(rng() % 4);
        for (int i = 0; i < entries; ++i) {
          std::string key = Key(rng);
          if (rng() % 4 == 0) {
            batch.Delete(key);
            m.entries.emplace_back(key, std::nullopt);
          } else {
            std::string value = Value(rng);
            batch.Put(key, value);
            m.entries.emplace_back(key, value);
          }
        }
        log.issued.push_back(m);
        s = db->Write(WriteOptions(), batch);
        if (s.ok()) {
          EXPECT_FALSE(write_failed) << "a write succeeded after an earlier one failed";
          ++log.acknowledged;
          Apply(m, &model);
        } else {
          write_failed = true;
          failed(s);
        }
      } else if (r < 75) {
        const std::string key = Key(rng);
        std::string value;
        s = db->Get(ReadOptions(), key, &value);
        if (s.ok()) {
          EXPECT_TRUE(model.count(key) && model[key] == value) << "Get(" << key << ") wrong";
        } else if (s.IsNotFound()) {
          EXPECT_FALSE(model.count(key)) << "Get(" << key << ") lost an acknowledged value";
        } else {
          failed(s);
        }
      } else if (r < 85) {
        std::string lo = Key(rng), hi = Key(rng);
        if (hi < lo) std::swap(lo, hi);
        State got;
        s = test::ScanAll(db.get(), &got, lo, hi);
        if (s.ok()) {
          State want(model.lower_bound(lo), model.lower_bound(hi));
          EXPECT_EQ(Describe(got), Describe(want)) << "scan [" << lo << ", " << hi << ")";
          EXPECT_TRUE(got == want);
        } else {
          failed(s);
        }
      } else if (r < 92) {
        s = db->Flush();
        if (s.ok()) {
          log.flushed = log.acknowledged;
        } else {
          failed(s);
        }
      } else if (r < 96) {
        std::string lo = Key(rng), hi = Key(rng);
        if (hi < lo) std::swap(lo, hi);
        std::string_view lo_view(lo), hi_view(hi);
        s = db->CompactRange(&lo_view, &hi_view);
        if (s.ok()) {
          log.flushed = log.acknowledged;  // compaction flushes first
        } else {
          failed(s);
        }
      } else {
        const std::string dir = root_ + "/checkpoint-" + std::to_string(log.checkpoints.size()) +
                                "-" + std::to_string(step);
        s = db->Checkpoint(dir);
        if (s.ok()) {
          log.checkpoints.emplace_back(dir, model);
        } else {
          failed(s);
          if (!env->crashed()) {
            EXPECT_FALSE(Env::Default()->FileExists(dir + "/CURRENT"))
                << "a failed checkpoint left a database behind";
          }
        }
      }
    }
    s = db->WaitForBackgroundWork();
    if (!s.ok()) failed(s);
    return log;
  }

  static std::string Key(std::mt19937& rng) {
    char buf[16];
    std::snprintf(buf, sizeof(buf), "key%03u", static_cast<unsigned>(rng() % 40));
    return buf;
  }

  static std::string Value(std::mt19937& rng) {
    const size_t n = rng() % 8 == 0 ? 0 : rng() % 150;
    std::string v(n, '\0');
    for (auto& c : v) c = static_cast<char>('a' + rng() % 26);
    return v;
  }

 private:
  std::string root_;
  std::string db_path_;
  bool sync_;
};

// Reopens after the fault (no faults armed) and checks the recovered state,
// the checkpoints, and that the database goes on working.
void CheckRecovery(FaultEnv* env, const std::string& db_path, bool sync, const State& base,
                   const RunLog& log, bool power_lost) {
  const size_t lo = power_lost && !sync ? log.flushed : log.acknowledged;
  const size_t hi = log.acknowledged + (log.issued.size() > log.acknowledged ? 1 : 0);
  std::shared_ptr<DB> db;
  Status s = DB::Open(WorkloadOptions(env, sync), db_path, &db);
  ASSERT_TRUE(s.ok()) << "reopen after the fault: " << s.ToString();
  State got;
  s = test::ScanAll(db.get(), &got);
  ASSERT_TRUE(s.ok()) << s.ToString();
  std::optional<size_t> k = MatchingPrefix(base, log.issued, lo, hi, got);
  if (!k) {
    std::optional<size_t> any = MatchingPrefix(base, log.issued, 0, log.issued.size(), got);
    FAIL() << "recovered state is no prefix of the writes in [" << lo << ", " << hi
           << "] (acknowledged " << log.acknowledged << ", issued " << log.issued.size()
           << "; it is the prefix of "
           << (any ? std::to_string(*any) + " writes" : std::string("no length")) << ")"
           << "; first error: " << log.first_error << "\nrecovered: " << Describe(got);
  }
  for (const auto& [key, value] : got) {
    std::string point;
    ASSERT_TRUE(db->Get(ReadOptions(), key, &point).ok()) << key;
    EXPECT_EQ(point, value) << key;
  }
  // It keeps working.
  for (int i = 0; i < 30; ++i) {
    const std::string key = "after" + std::to_string(i);
    ASSERT_TRUE(db->Put(WriteOptions(), key, std::string(100, 'z')).ok());
    got[key] = std::string(100, 'z');
  }
  ASSERT_TRUE(db->Flush().ok());
  ASSERT_TRUE(db->WaitForBackgroundWork().ok());
  db.reset();
  s = DB::Open(WorkloadOptions(env, sync), db_path, &db);
  ASSERT_TRUE(s.ok()) << s.ToString();
  State again;
  ASSERT_TRUE(test::ScanAll(db.get(), &again).ok());
  EXPECT_TRUE(again == got) << "second reopen: " << Describe(again);
  ASSERT_TRUE(db->Verify().ok());
  db.reset();

  for (const auto& [dir, want] : log.checkpoints) {
    std::shared_ptr<DB> copy;
    s = DB::Open(WorkloadOptions(env, sync), dir, &copy);
    ASSERT_TRUE(s.ok()) << dir << ": " << s.ToString();
    State in_copy;
    ASSERT_TRUE(test::ScanAll(copy.get(), &in_copy).ok());
    EXPECT_TRUE(in_copy == want) << dir << ": " << Describe(in_copy) << " want " << Describe(want);
  }
}

struct SweepCase {
  Op op;
  FaultEnv::Error error;
  bool torn;
  bool sync;
  const char* name;
};

class ErrorSweep : public ::testing::TestWithParam<SweepCase> {};

TEST_P(ErrorSweep, EveryFaultPointIsReportedAndRecovers) {
  const SweepCase& c = GetParam();
  int ran = 0, injected = 0;
  uint64_t total = 0;
  for (uint32_t seed = 1234; seed < 1234u + SweepSeeds(); ++seed) {
    // A dry run counts this kind's operations in the workload.
    uint64_t ops;
    {
      test::TempDir root;
      FaultEnv env;
      Workload workload(root.path(), c.sync);
      State base = workload.Prepare(&env);
      const uint64_t before = env.op_count(c.op);
      RunLog log = workload.Run(&env, base, seed);
      ASSERT_FALSE(log.saw_error) << log.first_error;
      ops = env.op_count(c.op) - before;
    }
    ASSERT_GT(ops, 0u) << "the workload never performs " << FaultEnv::OpName(c.op);
    total += ops;
    for (uint64_t point : SpreadPoints(ops, SweepPoints())) {
      for (bool power_loss : {false, true}) {
        SCOPED_TRACE(std::string(c.name) + " fault at operation " + std::to_string(point) +
                     " of workload " + std::to_string(seed) +
                     (power_loss ? ", then power loss" : ", then a clean reopen"));
        test::TempDir root;
        FaultEnv env;
        Workload workload(root.path(), c.sync);
        State base = workload.Prepare(&env);
        FaultEnv::Fault fault;
        fault.op = c.op;
        fault.error = c.error;
        fault.torn = c.torn;
        fault.skip = static_cast<int>(point);
        fault.count = 1;
        env.Arm(fault);
        env.set_trace(std::getenv("STRATA_FAULT_TRACE") != nullptr);
        RunLog log = workload.Run(&env, base, seed);
        env.Disarm();
        ++ran;
        if (env.failures_injected() > 0) {
          ++injected;
          // Failing to remove an obsolete file, or to sync the directory after
          // removing it, is harmless and rightly not reported.
          if (c.op != Op::kRemove && c.op != Op::kSyncDir) {
            EXPECT_TRUE(log.saw_error) << "an injected fault went unreported";
          }
        }
        if (power_loss) {
          ASSERT_TRUE(env.SimulatePowerLoss().ok());
        }
        CheckRecovery(&env, workload.db_path(), c.sync, base, log, power_loss);
        if (HasFatalFailure()) return;
      }
    }
  }
  std::printf("[ sweep    ] %s: %d runs over %llu operations of %d workload(s), %d with a fault "
              "injected\n",
              c.name, ran, static_cast<unsigned long long>(total), SweepSeeds(), injected);
}

INSTANTIATE_TEST_SUITE_P(
    Faults, ErrorSweep,
    ::testing::Values(
        SweepCase{Op::kAppend, FaultEnv::Error::kIO, false, true, "append_eio"},
        SweepCase{Op::kAppend, FaultEnv::Error::kIO, true, false, "append_torn"},
        SweepCase{Op::kAppend, FaultEnv::Error::kNoSpace, true, true, "append_enospc"},
        SweepCase{Op::kSync, FaultEnv::Error::kIO, false, true, "sync_eio"},
        SweepCase{Op::kSyncDir, FaultEnv::Error::kIO, false, true, "syncdir_eio"},
        SweepCase{Op::kCreate, FaultEnv::Error::kIO, false, false, "create_eio"},
        SweepCase{Op::kCreate, FaultEnv::Error::kNoSpace, false, true, "create_enospc"},
        SweepCase{Op::kRename, FaultEnv::Error::kIO, false, true, "rename_eio"},
        SweepCase{Op::kLink, FaultEnv::Error::kIO, false, true, "link_eio"},
        SweepCase{Op::kRemove, FaultEnv::Error::kIO, false, true, "remove_eio"},
        SweepCase{Op::kSequentialRead, FaultEnv::Error::kIO, false, true, "sequential_read_eio"},
        SweepCase{Op::kRandomRead, FaultEnv::Error::kIO, false, false, "random_read_eio"}),
    [](const ::testing::TestParamInfo<SweepCase>& info) { return std::string(info.param.name); });

// Power loss at every point: the machine stops before the n-th mutating
// operation, then everything not made durable is dropped.
class PowerLossSweep : public ::testing::TestWithParam<bool> {};

TEST_P(PowerLossSweep, EveryCrashPointKeepsTheDurableWrites) {
  const bool sync = GetParam();
  int ran = 0;
  uint64_t total = 0;
  for (uint32_t seed = 99; seed < 99u + SweepSeeds(); ++seed) {
    uint64_t ops;
    {
      test::TempDir root;
      FaultEnv env;
      Workload workload(root.path(), sync);
      State base = workload.Prepare(&env);
      const uint64_t before = env.mutating_ops();
      RunLog log = workload.Run(&env, base, seed);
      ASSERT_FALSE(log.saw_error) << log.first_error;
      ops = env.mutating_ops() - before;
    }
    total += ops;
    for (uint64_t point : SpreadPoints(ops, 4 * SweepPoints())) {
      SCOPED_TRACE("power loss before mutating operation " + std::to_string(point) +
                   " of workload " + std::to_string(seed));
      test::TempDir root;
      FaultEnv env;
      Workload workload(root.path(), sync);
      State base = workload.Prepare(&env);
      env.CrashAfter(point);
      RunLog log = workload.Run(&env, base, seed);
      ASSERT_TRUE(env.SimulatePowerLoss().ok());
      ++ran;
      CheckRecovery(&env, workload.db_path(), sync, base, log, /*power_lost=*/true);
      if (HasFatalFailure()) return;
    }
  }
  std::printf("[ sweep    ] power loss, sync=%s: %d crash points over %llu operations of %d "
              "workload(s)\n",
              sync ? "true" : "false", ran, static_cast<unsigned long long>(total), SweepSeeds());
}

INSTANTIATE_TEST_SUITE_P(Sync, PowerLossSweep, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return std::string(info.param ? "sync" : "nosync");
                         });

}  // namespace
}  // namespace strata
