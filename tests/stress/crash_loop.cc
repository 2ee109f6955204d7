// The crash loop: start a worker process, SIGKILL it after a random time
// (with memtables of 32-256 KiB, flushes and compactions run all the time,
// so kills land in the middle of them too), run the verifier process, and
// go again, until the cycles or the time asked for are used up or a check
// fails. Each cycle picks sync on or off (with --sync mixed), the memtable
// kind, the compression and the memtable size at random, all reproducible
// from the printed seed. The loop itself never opens the database, so it
// holds no engine threads when it forks.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "expected_state.h"
#include "stress_options.h"

namespace strata::stress {

namespace {

// Starts `self` with `args`; returns the child's pid (or -1).
pid_t Spawn(const std::string& self, const std::vector<std::string>& args) {
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(self.c_str()));
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    execv(self.c_str(), argv.data());
    std::perror("execv");
    _exit(127);
  }
  return pid;
}

std::string Describe(int status) {
  if (WIFEXITED(status)) return "exit status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "signal " + std::to_string(WTERMSIG(status));
  return "status " + std::to_string(status);
}

}  // namespace

int RunCrashLoop(StressOptions o, const std::string& self) {
  bool own_root = false;
  if (o.root.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp != nullptr && *tmp ? tmp : "/tmp") + "/strata-stress-XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) {
      std::perror("mkdtemp");
      return 2;
    }
    o.root = pattern;
    own_root = true;
  }
  std::filesystem::create_directories(o.root);
  if (o.seed == 0) {
    o.seed = static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  }
  {
    ExpectedState state;  // created here, so that workers and verifiers find it
    if (!state.Open(o.state_path(), o.keys)) return 2;
  }
  std::printf("strata-stress: %s, %u keys, %d threads, sync %s, kill after %d-%d ms, seed %llu\n",
              o.root.c_str(), o.keys, o.threads, o.sync.c_str(), o.min_kill_ms, o.max_kill_ms,
              static_cast<unsigned long long>(o.seed));
  std::fflush(stdout);

  std::mt19937_64 rng(o.seed);
  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  const char* memtables[] = {"skiplist", "rbtree", "avl"};
  const char* codecs[] = {"none", "lz4", "zstd"};
  uint64_t cycle = 0;
  bool failed = false;
  while ((o.cycles == 0 || cycle < o.cycles) && (o.seconds == 0 || elapsed() < o.seconds)) {
    ++cycle;
    const bool sync = o.sync == "on" || (o.sync == "mixed" && rng() % 2 == 0);
    const std::string memtable = memtables[rng() % 3];
    const std::string codec = codecs[rng() % 3];
    const uint64_t memtable_bytes = (32u << 10) << (rng() % 4);
    const uint64_t seed = rng();
    const std::vector<std::string> common = {
        "--root", o.root, "--keys", std::to_string(o.keys), "--threads",
        std::to_string(o.threads)};
    std::vector<std::string> worker_args = {"worker"};
    worker_args.insert(worker_args.end(), common.begin(), common.end());
    worker_args.insert(worker_args.end(),
                       {"--sync", sync ? "on" : "off", "--memtable", memtable, "--compression",
                        codec, "--memtable-bytes", std::to_string(memtable_bytes), "--seed",
                        std::to_string(seed)});
    const std::string what = "cycle " + std::to_string(cycle) + " (sync " +
                             (sync ? "on" : "off") + ", " + memtable + ", " + codec + ", " +
                             std::to_string(memtable_bytes >> 10) + " KiB memtable, seed " +
                             std::to_string(seed) + ")";

    const pid_t worker = Spawn(self, worker_args);
    if (worker < 0) {
      std::perror("fork");
      return 2;
    }
    const int kill_ms =
        o.min_kill_ms + static_cast<int>(rng() % static_cast<uint64_t>(o.max_kill_ms - o.min_kill_ms + 1));
    std::this_thread::sleep_for(std::chrono::milliseconds(kill_ms));
    int status = 0;
    if (waitpid(worker, &status, WNOHANG) == worker) {
      std::fprintf(stderr, "strata-stress: %s: the worker stopped by itself (%s)\n", what.c_str(),
                   Describe(status).c_str());
      failed = true;
      break;
    }
    kill(worker, SIGKILL);
    waitpid(worker, &status, 0);
    if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL) {
      std::fprintf(stderr, "strata-stress: %s: the worker ended with %s before the kill\n",
                   what.c_str(), Describe(status).c_str());
      failed = true;
      break;
    }

    std::vector<std::string> verify_args = {"verify"};
    verify_args.insert(verify_args.end(), common.begin(), common.end());
    const pid_t verifier = Spawn(self, verify_args);
    waitpid(verifier, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      std::fprintf(stderr, "strata-stress: %s, killed after %d ms: verification failed (%s)\n",
                   what.c_str(), kill_ms, Describe(status).c_str());
      failed = true;
      break;
    }
    ExpectedState state;
    if (!state.Open(o.state_path(), o.keys)) return 2;
    ExpectedState::Add(state.counters().cycles, 1);
    if (sync) ExpectedState::Add(state.counters().cycles_sync, 1);
  }

  ExpectedState state;
  if (!state.Open(o.state_path(), o.keys)) return 2;
  const Counters& c = state.counters();
  std::printf(
      "strata-stress: %llu cycles passed (%llu with sync on) in %.1f s; %llu writes acknowledged%s; "
      "%llu reads checked while writing; %llu keys verified after kills; %llu writes in "
      "flight at a kill, found applied %llu, not applied %llu; %llu batches in flight, none torn\n",
      static_cast<unsigned long long>(c.cycles), static_cast<unsigned long long>(c.cycles_sync),
      elapsed(), static_cast<unsigned long long>(c.acknowledged_ops), failed ? "" : ", 0 lost",
      static_cast<unsigned long long>(c.checked_reads),
      static_cast<unsigned long long>(c.keys_verified),
      static_cast<unsigned long long>(c.pending_found_new + c.pending_found_old),
      static_cast<unsigned long long>(c.pending_found_new),
      static_cast<unsigned long long>(c.pending_found_old),
      static_cast<unsigned long long>(c.batches_checked));
  if (failed) {
    std::printf("strata-stress: FAILED; the database and expected state are kept in %s\n",
                o.root.c_str());
    return 1;
  }
  if (own_root) std::filesystem::remove_all(o.root);
  return 0;
}

}  // namespace strata::stress
