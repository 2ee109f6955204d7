// Fuzz target: options parsing, both Options::Set (core/options) with
// arbitrary byte strings and the C ABI's kv_options_set/kv_options_get with
// the same text as C strings.
//
// Input: text, one "name=value" per line ('\n'); a line without '=' is a name
// with an empty value. Names and values may hold any bytes, NUL included
// (the C ABI sees each cut at its first NUL, as a C caller would pass it).
//
// Checks, beyond "no crash, no sanitizer report":
//  - Set succeeds only for a name listed by Options::Names(); a failure is
//    InvalidArgument with a message that names the option;
//  - after a successful Set, Get gives text that Set accepts again and that
//    reads back identically (the text form is a fixed point);
//  - kv_options_set returns KV_OK exactly when Options::Set accepts the same
//    C strings, KV_INVALID_ARGUMENT otherwise, and kv_options_get then agrees
//    with Options::Get;
//  - NULL options, names, values and outputs are KV_INVALID_ARGUMENT;
//  - Validate() on the result gives OK or InvalidArgument.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>

#include "core/options.h"
#include "fuzz/fuzz_check.h"
#include "strata/kv.h"

namespace {

using namespace strata;

// Lines read per input: plenty to combine options, few enough to keep one
// input fast under the sanitizers.
constexpr size_t kMaxLines = 64;

bool IsKnownName(std::string_view name) {
  const auto& names = Options::Names();
  return std::find(names.begin(), names.end(), name) != names.end();
}

void CheckCoreSet(Options* options, std::string_view name, std::string_view value) {
  Status s = options->Set(name, value);
  if (!s.ok()) {
    FUZZ_CHECK(s.IsInvalidArgument(), "Set failed with %s", s.ToString().c_str());
    FUZZ_CHECK(s.message().find(name) != std::string::npos,
               "the message '%s' does not name the option", s.message().c_str());
    return;
  }
  FUZZ_CHECK(IsKnownName(name), "Set accepted an unlisted name");
  std::string text;
  FUZZ_CHECK(options->Get(name, &text).ok(), "Get of a name Set accepted failed");
  Options copy = *options;
  s = copy.Set(name, text);
  FUZZ_CHECK(s.ok(), "Set refuses Get's own text '%s': %s", text.c_str(), s.ToString().c_str());
  std::string again;
  FUZZ_CHECK(copy.Get(name, &again).ok() && again == text,
             "the text form is not a fixed point: '%s' then '%s'", text.c_str(), again.c_str());
}

void CheckCapiSet(kv_options* c_options, std::string_view name, std::string_view value) {
  // What a C caller can pass: NUL-terminated strings.
  const std::string c_name(name.substr(0, name.find('\0')));
  const std::string c_value(value.substr(0, value.find('\0')));
  Options expected;
  const bool accepted = expected.Set(c_name, c_value).ok();
  const int rc = kv_options_set(c_options, c_name.c_str(), c_value.c_str());
  FUZZ_CHECK(rc == (accepted ? KV_OK : KV_INVALID_ARGUMENT),
             "kv_options_set returned %s where Options::Set %s", kv_status_name(rc),
             accepted ? "accepts" : "refuses");
  FUZZ_CHECK(rc == KV_OK || std::strlen(kv_last_error()) > 0, "a failure without a message");

  char* got = nullptr;
  const int get_rc = kv_options_get(c_options, c_name.c_str(), &got);
  FUZZ_CHECK(get_rc == (IsKnownName(c_name) ? KV_OK : KV_INVALID_ARGUMENT),
             "kv_options_get returned %s", kv_status_name(get_rc));
  if (get_rc == KV_OK) {
    FUZZ_CHECK(got != nullptr, "kv_options_get gave KV_OK and no text");
    if (accepted) {
      std::string text;
      expected.Get(c_name, &text);
      FUZZ_CHECK(text == got, "kv_options_get says '%s', Options::Get '%s'", got, text.c_str());
    }
  } else {
    FUZZ_CHECK(got == nullptr, "kv_options_get failed but handed out text");
  }
  kv_free(got);
}

void CheckNullArguments(kv_options* c_options, const std::string& name) {
  char* out = nullptr;
  FUZZ_CHECK(kv_options_set(nullptr, name.c_str(), "1") == KV_INVALID_ARGUMENT, "NULL options");
  FUZZ_CHECK(kv_options_set(c_options, nullptr, "1") == KV_INVALID_ARGUMENT, "NULL name");
  FUZZ_CHECK(kv_options_set(c_options, name.c_str(), nullptr) == KV_INVALID_ARGUMENT,
             "NULL value");
  FUZZ_CHECK(kv_options_get(nullptr, name.c_str(), &out) == KV_INVALID_ARGUMENT && out == nullptr,
             "get with NULL options");
  FUZZ_CHECK(kv_options_get(c_options, nullptr, &out) == KV_INVALID_ARGUMENT && out == nullptr,
             "get with NULL name");
  FUZZ_CHECK(kv_options_get(c_options, name.c_str(), nullptr) == KV_INVALID_ARGUMENT,
             "get with NULL output");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  Options options;
  kv_options* c_options = kv_options_new();
  FUZZ_CHECK(c_options != nullptr, "kv_options_new failed");

  size_t lines = 0;
  while (!text.empty() && lines++ < kMaxLines) {
    const size_t eol = text.find('\n');
    const std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
    const size_t eq = line.find('=');
    const std::string_view name = line.substr(0, eq);
    const std::string_view value =
        eq == std::string_view::npos ? std::string_view() : line.substr(eq + 1);
    CheckCoreSet(&options, name, value);
    CheckCapiSet(c_options, name, value);
    if (lines == 1) CheckNullArguments(c_options, std::string(name.substr(0, name.find('\0'))));
  }

  Status s = options.Validate();
  FUZZ_CHECK(s.ok() || s.IsInvalidArgument(), "Validate: %s", s.ToString().c_str());
  kv_options_free(c_options);
  return 0;
}
