// Fuzz target: the log reader (core/wal/log_reader), which reads every WAL
// and the manifest when a database opens, over arbitrary file bytes.
//
// Input: byte 0 is a mode, the rest is the log file.
//   mode bit 0  reseal: before reading, walk the file as the reader will and
//               recompute each record's header and payload checksums. A
//               mutated byte then reaches the length checks, the torn-tail
//               rules and the record decoders instead of being stopped by the
//               first checksum (which is all a plain mutation ever meets).
// Every record the reader returns is also decoded the two ways recovery
// decodes one: as a write batch (WAL) and as a version edit applied to a
// VersionBuilder (manifest).
//
// Checks, beyond "no crash, no sanitizer report":
//  - the reader reports only Corruption (an in-memory file has no I/O
//    errors), and a clean end (no error, no torn tail) is the end of the file;
//  - the records it returned, written again by log::Writer, are exactly the
//    bytes [0, end_of_good_records) of the file: recovery replays what is
//    there, nothing skipped, reordered or invented.
#include <cstdint>
#include <memory>
#include <string>

#include "core/version/version.h"
#include "core/version/version_edit.h"
#include "core/wal/log_reader.h"
#include "core/wal/log_writer.h"
#include "core/write_batch.h"
#include "fuzz/fuzz_check.h"
#include "fuzz/log_reseal.h"
#include "fuzz/memory_files.h"

namespace {

using namespace strata;

struct CountingHandler : WriteBatch::Handler {
  uint32_t ops = 0;
  void Put(std::string_view, std::string_view) override { ++ops; }
  void Delete(std::string_view) override { ++ops; }
  void DeleteRange(std::string_view, std::string_view) override { ++ops; }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t mode = data[0];
  std::string file(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (mode & 1) fuzz::ResealLogRecords(&file);

  log::Reader reader(std::make_unique<fuzz::StringSequentialFile>(file), "fuzz.log",
                     file.size());
  std::string rewritten;
  log::Writer writer(std::make_unique<fuzz::StringWritableFile>(&rewritten));
  VersionBuilder builder(nullptr);
  std::string record;
  while (reader.ReadRecord(&record)) {
    FUZZ_CHECK(writer.AddRecord(record).ok(), "rewriting a record failed");

    WriteBatch batch;
    if (batch.SetContents(record).ok()) {
      CountingHandler counter;
      if (batch.Iterate(&counter).ok()) {
        FUZZ_CHECK(counter.ops == batch.Count(), "a valid batch has %u ops, header says %u",
                   counter.ops, batch.Count());
      }
    }
    VersionEdit edit;
    if (edit.DecodeFrom(record).ok()) builder.Apply(edit);
  }
  std::string error;
  builder.Build(&error);

  const Status& s = reader.status();
  FUZZ_CHECK(s.ok() || s.IsCorruption(), "unexpected status %s", s.ToString().c_str());
  FUZZ_CHECK(reader.end_of_good_records() <= file.size(), "read past the end");
  if (s.ok() && !reader.torn_tail()) {
    FUZZ_CHECK(reader.end_of_good_records() == file.size(),
               "clean end at %llu of %zu bytes",
               static_cast<unsigned long long>(reader.end_of_good_records()), file.size());
  }
  FUZZ_CHECK(rewritten == std::string_view(file).substr(0, reader.end_of_good_records()),
             "the records returned are not the file's first %llu bytes",
             static_cast<unsigned long long>(reader.end_of_good_records()));
  return 0;
}
