#include "capi/src/capi_env.h"

#include <atomic>

namespace strata::capi {

namespace {

// Null means Env::Default(). Acquire/release so that an Env set before a
// database is opened on another thread is seen fully constructed there.
std::atomic<Env*> g_env{nullptr};

}  // namespace

Env* CurrentEnv() {
  Env* env = g_env.load(std::memory_order_acquire);
  return env != nullptr ? env : Env::Default();
}

Env* SetEnvForTesting(Env* env) { return g_env.exchange(env, std::memory_order_acq_rel); }

}  // namespace strata::capi
