// The corpus regression driver: a main() for fuzz targets built without
// libFuzzer (the ordinary gcc build and ctest). It feeds every file named on
// the command line, or found directly inside a directory named there, to the
// target's LLVMFuzzerTestOneInput once, in name order, so the committed seed
// corpora and the regression inputs of past crashes keep being checked in CI
// by the same code libFuzzer runs.
//
// A target reports a failure by crashing (FUZZ_CHECK aborts), so the run
// fails on the first bad input, after printing its name. An argument that
// names nothing, or a directory without files, is an error too: a corpus that
// went missing must not pass as "no inputs, no failures".
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
// Optional, as in libFuzzer: targets that need one-time setup define it.
extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) __attribute__((weak));

namespace {

bool ReadWholeFile(const std::filesystem::path& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out->assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return !in.bad();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR_OR_FILE...\n", argv[0]);
    return 2;
  }
  if (LLVMFuzzerInitialize != nullptr) LLVMFuzzerInitialize(&argc, &argv);

  std::vector<std::filesystem::path> inputs;
  for (int i = 1; i < argc; ++i) {
    const std::filesystem::path arg(argv[i]);
    std::error_code ec;
    if (std::filesystem::is_directory(arg, ec)) {
      size_t found = 0;
      for (const auto& entry : std::filesystem::directory_iterator(arg)) {
        if (entry.is_regular_file()) {
          inputs.push_back(entry.path());
          ++found;
        }
      }
      if (found == 0) {
        std::fprintf(stderr, "%s: no input files in %s\n", argv[0], argv[i]);
        return 1;
      }
    } else if (std::filesystem::is_regular_file(arg, ec)) {
      inputs.push_back(arg);
    } else {
      std::fprintf(stderr, "%s: %s is neither a file nor a directory\n", argv[0], argv[i]);
      return 1;
    }
  }
  std::sort(inputs.begin(), inputs.end());

  for (const auto& path : inputs) {
    std::string bytes;
    if (!ReadWholeFile(path, &bytes)) {
      std::fprintf(stderr, "%s: cannot read %s\n", argv[0], path.c_str());
      return 1;
    }
    // Printed before the run, so a crash is attributed to its input.
    std::fprintf(stderr, "running %s (%zu bytes)\n", path.c_str(), bytes.size());
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  }
  std::printf("%s: %zu inputs passed\n", argv[0], inputs.size());
  return 0;
}
