// The Env behind the C ABI's path-taking calls, and an internal hook that
// replaces it for tests and fuzzers.
//
// kv.h has no way to pass an Env, and gets none: a database the C ABI opens
// lives on the real filesystem. But the C ABI sequence fuzzer
// (tests/fuzz/capi_sequence_fuzzer.cc) must drive exactly these entry points
// thousands of times a second, which real files do not allow; it links
// strata_static and calls SetEnvForTesting with an in-memory Env
// (core/mem_env.h). Every call that reaches the filesystem then goes through
// CurrentEnv(): kv_open (and the database it opens, hence kv_checkpoint,
// kv_verify, flushes and compactions), kv_destroy and kv_repair.
//
// Not part of the ABI: libstrata.so hides every symbol but kv_* (its version
// script, capi/strata.map, and hidden visibility), so only programs linked
// with the static archive can reach the hook.
//
// Thread safety: both functions are safe from any thread. Swap the Env only
// while no database opened through the C ABI is open (or being opened,
// destroyed or repaired): an open database keeps the Env it was opened with.
#pragma once

#include "core/env.h"

namespace strata::capi {

// The Env the C ABI uses: the one set by SetEnvForTesting, else
// Env::Default().
Env* CurrentEnv();

// Makes `env` (not owned; null restores Env::Default()) the C ABI's Env and
// returns the previous setting (null when it was the default). The caller
// keeps `env` alive until every database opened on it is closed and its last
// iterator and snapshot are freed.
Env* SetEnvForTesting(Env* env);

}  // namespace strata::capi
