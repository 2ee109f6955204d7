// WAL record format: round trips, torn tails cut cleanly, damage in the
// middle reported as corruption.
#include <gtest/gtest.h>

#include <fstream>
#include <random>

#include "core/env.h"
#include "core/wal/log_format.h"
#include "core/wal/log_reader.h"
#include "core/wal/log_writer.h"
#include "support/temp_dir.h"

namespace strata {
namespace {

class LogTest : public ::testing::Test {
 protected:
  test::TempDir dir_;
  std::string path_ = dir_.Sub("000001.log");

  void WriteRecords(const std::vector<std::string>& records) {
    std::unique_ptr<WritableFile> file;
    ASSERT_TRUE(Env::Default()->NewWritableFile(path_, &file).ok());
    log::Writer writer(std::move(file));
    for (const auto& r : records) ASSERT_TRUE(writer.AddRecord(r).ok());
    ASSERT_TRUE(writer.Sync().ok());
    ASSERT_TRUE(writer.Close().ok());
  }

  // Reads every record; returns them and the reader's final state.
  std::vector<std::string> ReadAll(Status* status, bool* torn) {
    uint64_t size = 0;
    EXPECT_TRUE(Env::Default()->GetFileSize(path_, &size).ok());
    std::unique_ptr<SequentialFile> file;
    EXPECT_TRUE(Env::Default()->NewSequentialFile(path_, &file).ok());
    log::Reader reader(std::move(file), path_, size);
    std::vector<std::string> out;
    std::string record;
    while (reader.ReadRecord(&record)) out.push_back(record);
    *status = reader.status();
    *torn = reader.torn_tail();
    return out;
  }

  std::string ReadFile() {
    std::string data;
    EXPECT_TRUE(ReadFileToString(Env::Default(), path_, &data).ok());
    return data;
  }

  void ExpectEveryCutOfTheLastRecordIsATornTail(const std::string& after);

  void WriteFile(const std::string& data) {
    std::ofstream out(path_, std::ios::binary | std::ios::trunc);
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
  }
};

std::vector<std::string> SampleRecords() {
  std::vector<std::string> records = {"", "a", std::string(1000, 'x'), std::string("\0\1\2", 3),
                                      std::string(3 << 20, 'v')};
  std::mt19937 rng(1);
  for (int i = 0; i < 100; ++i) {
    std::string r(rng() % 500, '\0');
    for (char& c : r) c = static_cast<char>(rng());
    records.push_back(r);
  }
  return records;
}

TEST_F(LogTest, RoundTrip) {
  auto records = SampleRecords();
  WriteRecords(records);
  Status s;
  bool torn;
  EXPECT_EQ(ReadAll(&s, &torn), records);
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_FALSE(torn);
}

// Cuts the last of three records at every point, appends `after`, and
// expects the first two back and a torn tail each time.
void LogTest::ExpectEveryCutOfTheLastRecordIsATornTail(const std::string& after) {
  std::vector<std::string> records = {"first", "second record", "third and last record"};
  WriteRecords(records);
  const std::string full = ReadFile();
  const size_t last_start = full.size() - (log::kHeaderBytes + records.back().size());
  for (size_t cut = last_start + 1; cut < full.size(); ++cut) {
    WriteFile(full.substr(0, cut) + after);
    Status s;
    bool torn;
    auto got = ReadAll(&s, &torn);
    EXPECT_TRUE(s.ok()) << "cut at " << cut << ": " << s.ToString();
    EXPECT_TRUE(torn) << "cut at " << cut;
    EXPECT_EQ(got, std::vector<std::string>(records.begin(), records.end() - 1)) << "cut at " << cut;
  }
}

TEST_F(LogTest, TruncationAtEveryPointOfTheLastRecordIsATornTail) {
  ExpectEveryCutOfTheLastRecordIsATornTail("");
}

TEST_F(LogTest, DamagedLastRecordPayloadIsATornTail) {
  WriteRecords({"one", "two", "three"});
  std::string data = ReadFile();
  data[data.size() - 1] ^= 0x40;
  WriteFile(data);
  Status s;
  bool torn;
  auto got = ReadAll(&s, &torn);
  EXPECT_TRUE(s.ok());
  EXPECT_TRUE(torn);
  EXPECT_EQ(got, (std::vector<std::string>{"one", "two"}));
}

TEST_F(LogTest, ZeroFilledTailIsATornTail) {
  WriteRecords({"one", "two"});
  WriteFile(ReadFile() + std::string(4096, '\0'));
  Status s;
  bool torn;
  auto got = ReadAll(&s, &torn);
  EXPECT_TRUE(s.ok());
  EXPECT_TRUE(torn);
  EXPECT_EQ(got, (std::vector<std::string>{"one", "two"}));
}

// A log written through a mapping (wal_mmap) ends in reserved zeros, and a
// process killed mid-append leaves a prefix of the record before them: its
// header cut short, or its header and part of its payload.
TEST_F(LogTest, PrefixOfTheLastRecordThenReservedZerosIsATornTail) {
  ExpectEveryCutOfTheLastRecordIsATornTail(std::string(8192, '\0'));
}

TEST_F(LogTest, DamageBeforeTheLastRecordIsCorruptionAtEveryByte) {
  std::vector<std::string> records = {"alpha", "beta-beta", "gamma"};
  WriteRecords(records);
  const std::string full = ReadFile();
  const size_t first_two = 2 * log::kHeaderBytes + records[0].size() + records[1].size();
  for (size_t pos = 0; pos < first_two; ++pos) {
    // Reserved zeros after the records change nothing: a record follows
    // the damage, so it is not a torn tail.
    for (const size_t zeros : {0, 4096}) {
      std::string damaged = full + std::string(zeros, '\0');
      damaged[pos] ^= 0x01;
      WriteFile(damaged);
      Status s;
      bool torn;
      auto got = ReadAll(&s, &torn);
      EXPECT_TRUE(s.IsCorruption()) << "flip at " << pos << " with " << zeros
                                    << " zeros after gave " << s.ToString();
      // Whatever was returned before the damage is a correct prefix.
      for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i], records[i]);
    }
  }
}

// Salvage mode (repair): past damage the reader carries on with the next
// intact record and counts what it skipped.
class LogSalvageTest : public LogTest {
 protected:
  std::vector<std::string> Salvage(std::unique_ptr<log::Reader>* reader) {
    uint64_t size = 0;
    EXPECT_TRUE(Env::Default()->GetFileSize(path_, &size).ok());
    std::unique_ptr<SequentialFile> file;
    EXPECT_TRUE(Env::Default()->NewSequentialFile(path_, &file).ok());
    *reader = std::make_unique<log::Reader>(std::move(file), path_, size,
                                            log::Reader::Mode::kSalvage);
    std::vector<std::string> out;
    std::string record;
    while ((*reader)->ReadRecord(&record)) out.push_back(record);
    return out;
  }
};

TEST_F(LogSalvageTest, BadPayloadDropsOneRecordAndTheRestIsRead) {
  WriteRecords({"first", "second", "third"});
  std::string data = ReadFile();
  const size_t second = log::kHeaderBytes + 5;
  data[second + log::kHeaderBytes + 1] ^= 0x40;  // a payload byte of "second"
  WriteFile(data);
  Status status;
  bool torn = false;
  ASSERT_EQ(ReadAll(&status, &torn).size(), 1u);
  EXPECT_TRUE(status.IsCorruption());  // strict mode stops there

  std::unique_ptr<log::Reader> reader;
  EXPECT_EQ(Salvage(&reader), (std::vector<std::string>{"first", "third"}));
  EXPECT_TRUE(reader->status().ok()) << reader->status().ToString();
  EXPECT_EQ(reader->records_dropped(), 1u);
  EXPECT_EQ(reader->bytes_dropped(), log::kHeaderBytes + 6);
  EXPECT_EQ(reader->damaged_stretches(), 0u);
  EXPECT_NE(reader->damage().find("bad record checksum at offset " + std::to_string(second)),
            std::string::npos)
      << reader->damage();
}

TEST_F(LogSalvageTest, BadHeaderIsSkippedByteByByteToTheNextRecord) {
  WriteRecords({"first", "second", "third"});
  std::string data = ReadFile();
  data[log::kHeaderBytes + 5 + 4] ^= 0x01;  // the length of "second": header checksum fails
  WriteFile(data);
  std::unique_ptr<log::Reader> reader;
  EXPECT_EQ(Salvage(&reader), (std::vector<std::string>{"first", "third"}));
  EXPECT_EQ(reader->records_dropped(), 0u);
  EXPECT_EQ(reader->damaged_stretches(), 1u);
  EXPECT_EQ(reader->bytes_dropped(), log::kHeaderBytes + 6);
  EXPECT_NE(reader->damage().find("bad record header checksum"), std::string::npos);
}

TEST_F(LogSalvageTest, ZerosToTheEndAreATornTailNotDamage) {
  WriteRecords({"first", "second"});
  WriteFile(ReadFile() + std::string(100, '\0'));
  std::unique_ptr<log::Reader> reader;
  EXPECT_EQ(Salvage(&reader), (std::vector<std::string>{"first", "second"}));
  EXPECT_TRUE(reader->torn_tail());
  EXPECT_TRUE(reader->damage().empty()) << reader->damage();
  EXPECT_EQ(reader->bytes_dropped(), 0u);
}

TEST_F(LogSalvageTest, PrefixOfTheLastRecordThenReservedZerosIsATornTailNotDamage) {
  WriteRecords({"first", "second", "third and last"});
  const std::string full = ReadFile();
  for (const size_t keep : {size_t{5}, log::kHeaderBytes + 3}) {
    WriteFile(full.substr(0, full.size() - log::kHeaderBytes - 14 + keep) +
              std::string(4096, '\0'));
    std::unique_ptr<log::Reader> reader;
    EXPECT_EQ(Salvage(&reader), (std::vector<std::string>{"first", "second"})) << keep;
    EXPECT_TRUE(reader->torn_tail()) << keep;
    EXPECT_TRUE(reader->damage().empty()) << keep << ": " << reader->damage();
    EXPECT_EQ(reader->bytes_dropped(), 0u) << keep;
  }
}

}  // namespace
}  // namespace strata
