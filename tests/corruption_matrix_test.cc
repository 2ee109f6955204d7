// The corruption matrix: every kind of file a database holds (write-ahead
// log, table, manifest, CURRENT), damaged in every way a disk or a crash
// damages files (one bit flipped at offsets spread over the whole file and
// at every byte of the structures that hold the rest together: record
// headers, block trailers, footers; the file cut short at many lengths; the
// file gone), and each case checked for the one promise that matters: the
// damage is reported as Corruption by open, a point read, a scan (forwards
// or backwards) or Verify (kv_verify), and no read ever returns data that
// was not written, nor silently misses data that was. Verify runs first and
// must find every damaged table by itself.
//
// The one damage that is not an error is a torn log tail, what a crash in
// the middle of an append leaves: a log cut anywhere, or whose last record's
// payload fails its checksum, opens with exactly the records before the
// damage. The expected outcome of every case is derived from the file's own
// structure (record and block boundaries), not from what the engine does.
//
// The matrix runs against the engine (Status::Corruption is KV_CORRUPTION at
// the C ABI, one to one) through an Env that skips real fsyncs, which only
// cost time here. STRATA_CORRUPTION_STRIDE_DIVISOR (default 160) sets how
// many evenly spread offsets of each file are flipped and cut, on top of
// the structural ones.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <set>

#include "core/coding.h"
#include "core/db/db.h"
#include "core/db/db_iterator.h"
#include "core/filename.h"
#include "core/table/block.h"
#include "core/table/format.h"
#include "core/wal/log_format.h"
#include "support/fault_injection_env.h"
#include "support/temp_dir.h"

namespace strata {
namespace {

namespace fs = std::filesystem;
using State = std::map<std::string, std::string>;
using Mutation = std::pair<std::string, std::optional<std::string>>;  // key, value or delete

Options GoldenOptions() {
  Options o;
  o.memtable_bytes = 1 << 20;     // nothing flushes unless asked
  o.block_bytes = 256;            // many blocks, so many block trailers
  o.l0_compaction_trigger = 100;  // and no compaction reshuffles files
  o.l0_slowdown_trigger = 100;
  o.l0_stop_trigger = 100;
  o.background_threads = 1;
  return o;
}

std::string Key(int i) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "key%04d", i);
  return buf;
}

// Bytes of every value (NULs included), different for each (key, version).
std::string Value(int i, int version) {
  std::mt19937 rng(static_cast<uint32_t>(i * 7919 + version * 104729));
  std::string v(20 + rng() % 100, '\0');
  for (auto& c : v) c = static_cast<char>(rng());
  return v;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void FlipBit(const std::string& path, uint64_t offset, int bit) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(static_cast<std::streamoff>(offset));
  char c;
  f.get(c);
  c = static_cast<char>(c ^ (1 << bit));
  f.seekp(static_cast<std::streamoff>(offset));
  f.put(c);
}

// The database every case starts from, built once: two tables (one in L1
// made by a compaction, one in L0 from the last flush, so the manifest's
// last edit is a flush), a manifest of several edits, CURRENT, and a log of
// single-operation records not yet flushed.
struct Golden {
  test::TempDir root;
  std::string path;
  State flushed;                 // what the tables hold
  std::vector<Mutation> logged;  // one per log record, in order
  State final_state;             // flushed + every logged mutation
  std::set<std::string> probe_keys;
  std::string log, manifest;
  std::vector<std::string> tables;
};

Golden* BuildGolden() {
  auto* g = new Golden;
  g->path = g->root.Sub("golden");
  std::shared_ptr<DB> db;
  Status s = DB::Open(GoldenOptions(), g->path, &db);
  if (!s.ok()) return nullptr;
  auto put = [&](int i, int version) {
    const std::string k = Key(i), v = Value(i, version);
    EXPECT_TRUE(db->Put(WriteOptions(), k, v).ok());
    g->flushed[k] = v;
  };
  auto del = [&](int i) {
    EXPECT_TRUE(db->Delete(WriteOptions(), Key(i)).ok());
    g->flushed.erase(Key(i));
  };
  for (int i = 0; i < 300; ++i) put(i, 0);
  for (int i = 0; i < 300; i += 7) del(i);
  EXPECT_TRUE(db->Flush().ok());
  for (int i = 0; i < 300; i += 3) put(i, 1);
  EXPECT_TRUE(db->Flush().ok());
  EXPECT_TRUE(db->CompactRange(nullptr, nullptr).ok());
  for (int i = 0; i < 300; i += 5) put(i, 2);
  for (int i = 1; i < 300; i += 11) del(i);
  EXPECT_TRUE(db->Flush().ok());
  EXPECT_TRUE(db->WaitForBackgroundWork().ok());
  g->final_state = g->flushed;
  for (int n = 0; n < 40; ++n) {
    const int i = (n * 37) % 320;  // some keys the tables never saw
    Mutation m{Key(i), std::nullopt};
    if (n % 4 != 3) m.second = Value(i, 3 + n);
    Status w = m.second ? db->Put(WriteOptions(), m.first, *m.second)
                        : db->Delete(WriteOptions(), m.first);
    EXPECT_TRUE(w.ok());
    g->logged.push_back(m);
    if (m.second) {
      g->final_state[m.first] = *m.second;
    } else {
      g->final_state.erase(m.first);
    }
  }
  db.reset();  // closing leaves the log unflushed
  for (int i = 0; i < 330; ++i) g->probe_keys.insert(Key(i));
  g->probe_keys.insert("");
  g->probe_keys.insert("zzz");

  uint64_t log_size = 0;
  for (const auto& entry : fs::directory_iterator(g->path)) {
    const std::string name = entry.path().filename().string();
    uint64_t number;
    switch (ParseFileName(name, &number)) {
      case FileKind::kLog:
        if (entry.file_size() > log_size) {
          log_size = entry.file_size();
          g->log = name;
        }
        break;
      case FileKind::kTable: g->tables.push_back(name); break;
      case FileKind::kManifest: g->manifest = name; break;
      default: break;
    }
  }
  std::sort(g->tables.begin(), g->tables.end());
  return g;
}

// How a case must end.
enum class Expect {
  kCorruptionAtOpen,  // open reports Corruption
  kDetected,          // Corruption from open, a read, a scan or Verify; reads never wrong
  kExactly,           // opens and holds exactly `expected`, no error anywhere (torn tail)
};

struct Tally {
  int cases = 0;
  int at_open = 0;    // open reported Corruption
  int by_verify = 0;  // Verify reported it (checked before any read)
  int at_read = 0;    // a point read or a scan reported it
  int exact = 0;      // opened with exactly the expected state, nothing reported
};

class CorruptionMatrixTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { golden_ = BuildGolden(); }
  static void TearDownTestSuite() {
    delete golden_;
    golden_ = nullptr;
  }

  void SetUp() override {
    ASSERT_NE(golden_, nullptr);
    ASSERT_FALSE(golden_->log.empty());
    ASSERT_FALSE(golden_->manifest.empty());
    ASSERT_EQ(golden_->tables.size(), 2u);
  }

  static int StrideDivisor() {
    const char* env = std::getenv("STRATA_CORRUPTION_STRIDE_DIVISOR");
    if (env != nullptr && std::atoi(env) > 0) return std::atoi(env);
    return 160;
  }

  // Evenly spread offsets over [0, size), about StrideDivisor() of them.
  static std::vector<uint64_t> Spread(uint64_t size) {
    std::vector<uint64_t> out;
    const uint64_t step = std::max<uint64_t>(1, size / StrideDivisor());
    for (uint64_t at = 0; at < size; at += step) out.push_back(at);
    return out;
  }

  State AfterLoggedPrefix(size_t n) const {
    State s = golden_->flushed;
    for (size_t i = 0; i < n; ++i) {
      const auto& [k, v] = golden_->logged[i];
      if (v) {
        s[k] = *v;
      } else {
        s.erase(k);
      }
    }
    return s;
  }

  // Copies the golden database, damages file `name` with `damage`, and
  // checks the outcome. Non-fatal failures name the case.
  void RunCase(const std::string& label, const std::string& name,
               const std::function<void(const std::string&)>& damage, Expect expect,
               const State& expected, Tally* tally) {
    SCOPED_TRACE(label);
    ++tally->cases;
    test::TempDir dir;
    const std::string db_path = dir.Sub("db");
    fs::create_directory(db_path);
    for (const auto& entry : fs::directory_iterator(golden_->path)) {
      if (entry.path().filename() == "LOCK") continue;
      fs::copy_file(entry.path(), db_path + "/" + entry.path().filename().string());
    }
    damage(db_path + "/" + name);

    test::FaultInjectionEnv env;  // no faults: only skips real fsyncs
    Options o = GoldenOptions();
    o.env = &env;
    std::shared_ptr<DB> db;
    Status s = DB::Open(o, db_path, &db);
    if (!s.ok()) {
      EXPECT_TRUE(s.IsCorruption()) << "open failed without Corruption: " << s.ToString();
      EXPECT_NE(expect, Expect::kExactly) << "open failed on a torn tail: " << s.ToString();
      ++tally->at_open;
      return;
    }
    if (expect == Expect::kCorruptionAtOpen) {
      ADD_FAILURE() << "a damaged database opened";
    }

    // Verify first, while no read has touched anything: it alone must find
    // any damage to a table, since it reads every block of every table.
    Status v = db->Verify();
    bool verify_detected = false;
    if (!v.ok()) {
      EXPECT_TRUE(v.IsCorruption()) << "Verify failed without Corruption: " << v.ToString();
      verify_detected = true;
    }
    bool read_detected = false;
    auto classify = [&](const Status& st, const std::string& what) {
      if (st.IsCorruption()) {
        read_detected = true;
      } else {
        ADD_FAILURE() << what << " failed without Corruption: " << st.ToString();
      }
    };
    // Point reads of every key ever written and a few never written.
    for (const auto& key : golden_->probe_keys) {
      std::string value;
      Status g = db->Get(ReadOptions(), key, &value);
      auto want = expected.find(key);
      if (g.ok()) {
        EXPECT_TRUE(want != expected.end() && want->second == value)
            << "Get(" << key << ") returned data that is not there";
      } else if (g.IsNotFound()) {
        EXPECT_TRUE(want == expected.end()) << "Get(" << key << ") lost a value";
      } else {
        classify(g, "Get(" + key + ")");
      }
    }
    // Scans both ways: every entry in order, no gap, or an error.
    for (bool forward : {true, false}) {
      auto it = db->NewIterator(ReadOptions(), std::nullopt, std::nullopt);
      std::vector<std::pair<std::string, std::string>> want(expected.begin(), expected.end());
      if (!forward) std::reverse(want.begin(), want.end());
      size_t i = 0;
      bool wrong = false;
      if (forward) {
        it->SeekToFirst();
      } else {
        it->SeekToLast();
      }
      for (; it->Valid(); forward ? it->Next() : it->Prev()) {
        if (i >= want.size() || it->key() != want[i].first || it->value() != want[i].second) {
          wrong = true;
          break;
        }
        ++i;
      }
      EXPECT_FALSE(wrong) << (forward ? "forward" : "backward") << " scan returned wrong data at "
                          << "entry " << i;
      if (!it->status().ok()) {
        classify(it->status(), forward ? "forward scan" : "backward scan");
      } else if (!wrong) {
        EXPECT_EQ(i, want.size()) << (forward ? "forward" : "backward")
                                  << " scan ended early without an error";
      }
    }
    if (verify_detected) ++tally->by_verify;
    if (read_detected) ++tally->at_read;
    if (!verify_detected && !read_detected) ++tally->exact;
    if (expect == Expect::kDetected) {
      EXPECT_TRUE(verify_detected) << "Verify missed damage to a table";
    }
    if (expect == Expect::kExactly) {
      EXPECT_FALSE(read_detected || verify_detected) << "a torn tail was reported as damage";
    }
  }

  static void Report(const std::string& what, uint64_t size, const Tally& t) {
    std::printf("[ matrix   ] %s (%llu bytes): %d cases: Corruption from open %d, from Verify "
                "%d, from reads %d; exact state %d\n",
                what.c_str(), static_cast<unsigned long long>(size), t.cases, t.at_open,
                t.by_verify, t.at_read, t.exact);
  }

  static Golden* golden_;
};

Golden* CorruptionMatrixTest::golden_ = nullptr;

auto Flip(uint64_t at) {
  return [at](const std::string& path) { FlipBit(path, at, static_cast<int>(at * 3 % 8)); };
}
auto Cut(uint64_t size) {
  return [size](const std::string& path) { fs::resize_file(path, size); };
}
void Remove(const std::string& path) { fs::remove(path); }

TEST_F(CorruptionMatrixTest, Tables) {
  for (const auto& name : golden_->tables) {
    const std::string path = golden_->path + "/" + name;
    const std::string bytes = ReadAll(path);
    const uint64_t size = bytes.size();
    ASSERT_GT(size, Footer::kEncodedLength);

    // Where the structure is: the footer, and every block's trailer.
    std::set<uint64_t> flips;
    for (uint64_t at : Spread(size)) flips.insert(at);
    for (uint64_t at = 0; at < 16; ++at) flips.insert(at);
    for (uint64_t at = size - Footer::kEncodedLength; at < size; ++at) flips.insert(at);
    Footer footer;
    ASSERT_TRUE(footer.DecodeFrom(std::string_view(bytes).substr(size - Footer::kEncodedLength)).ok());
    std::vector<BlockHandle> blocks = {footer.index_handle, footer.properties_handle};
    if (footer.filter_handle.size() > 0) blocks.push_back(footer.filter_handle);
    std::unique_ptr<RandomAccessFile> file;
    ASSERT_TRUE(Env::Default()->NewRandomAccessFile(path, &file).ok());
    BlockContents index_contents;
    ASSERT_TRUE(ReadBlock(file.get(), footer.index_handle, true, &index_contents).ok());
    Block index(std::move(index_contents));
    auto it = index.NewIterator(BlockKeyOrder::kInternalKey);
    int data_blocks = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      BlockHandle h;
      std::string_view v = it->value();
      ASSERT_TRUE(h.DecodeFrom(&v).ok());
      blocks.push_back(h);
      ++data_blocks;
    }
    for (const auto& h : blocks) {
      for (uint64_t t = 0; t < kBlockTrailerBytes; ++t) flips.insert(h.offset() + h.size() + t);
      flips.insert(h.offset());  // the first byte of the contents
    }
    std::set<uint64_t> cuts = {0, 1, size - 1, size - Footer::kEncodedLength,
                               size - Footer::kEncodedLength - 1};
    for (uint64_t at : Spread(size)) cuts.insert(at);

    Tally tally;
    for (uint64_t at : flips) {
      RunCase(name + ": bit flipped at " + std::to_string(at), name, Flip(at), Expect::kDetected,
              golden_->final_state, &tally);
    }
    for (uint64_t at : cuts) {
      RunCase(name + ": cut to " + std::to_string(at) + " bytes", name, Cut(at),
              Expect::kDetected, golden_->final_state, &tally);
    }
    RunCase(name + ": removed", name, Remove, Expect::kCorruptionAtOpen, golden_->final_state,
            &tally);
    Report("table " + name + ", " + std::to_string(data_blocks) + " data blocks", size, tally);
  }
}

TEST_F(CorruptionMatrixTest, WriteAheadLog) {
  const std::string& name = golden_->log;
  const std::string bytes = ReadAll(golden_->path + "/" + name);
  const uint64_t size = bytes.size();
  // Record boundaries, read from the headers.
  std::vector<uint64_t> starts;
  for (uint64_t at = 0; at < size;) {
    starts.push_back(at);
    at += log::kHeaderBytes + DecodeFixed32(bytes.data() + at + 4);
  }
  ASSERT_EQ(starts.size(), golden_->logged.size());
  starts.push_back(size);
  const size_t records = golden_->logged.size();
  auto record_of = [&](uint64_t at) {
    return static_cast<size_t>(std::upper_bound(starts.begin(), starts.end(), at) -
                               starts.begin() - 1);
  };

  Tally tally;
  std::set<uint64_t> flips;
  for (uint64_t at : Spread(size)) flips.insert(at);
  for (size_t r = 0; r < records; ++r) {
    for (uint64_t h = 0; h < log::kHeaderBytes; ++h) flips.insert(starts[r] + h);
    flips.insert(starts[r + 1] - 1);  // the payload's last byte
  }
  for (uint64_t at : flips) {
    const size_t r = record_of(at);
    const bool last = r == records - 1;
    const bool in_header = at < starts[r] + log::kHeaderBytes;
    if (last && !in_header) {
      // The last record's payload fails its checksum: a torn tail.
      RunCase(name + ": bit flipped at " + std::to_string(at) + " (payload of the last record)",
              name, Flip(at), Expect::kExactly, AfterLoggedPrefix(records - 1), &tally);
    } else {
      RunCase(name + ": bit flipped at " + std::to_string(at) + " (record " + std::to_string(r) +
                  (in_header ? " header)" : " payload)"),
              name, Flip(at), Expect::kCorruptionAtOpen, golden_->final_state, &tally);
    }
  }
  std::set<uint64_t> cuts;
  for (uint64_t at : Spread(size)) cuts.insert(at);
  for (size_t r = 0; r <= records; ++r) {
    cuts.insert(starts[r]);
    if (starts[r] > 0) cuts.insert(starts[r] - 1);
    if (r < records) cuts.insert(starts[r] + log::kHeaderBytes);
  }
  for (uint64_t at : cuts) {
    if (at > size) continue;
    // Cut anywhere: the records wholly before the cut survive.
    const size_t whole = static_cast<size_t>(
        std::upper_bound(starts.begin(), starts.end(), at) - starts.begin() - 1);
    RunCase(name + ": cut to " + std::to_string(at) + " bytes", name, Cut(at), Expect::kExactly,
            AfterLoggedPrefix(whole), &tally);
  }
  // A log the manifest needs is gone: its writes would vanish silently.
  RunCase(name + ": removed", name, Remove, Expect::kCorruptionAtOpen, golden_->final_state,
          &tally);
  Report("write-ahead log " + name + ", " + std::to_string(records) + " records", size, tally);
}

TEST_F(CorruptionMatrixTest, Manifest) {
  // Every edit matters here: the last one is a flush that moved log
  // records into a table and deleted that log; losing any edit loses a
  // table or a log, which open notices. So every case fails at open.
  const std::string& name = golden_->manifest;
  const uint64_t size = ReadAll(golden_->path + "/" + name).size();
  Tally tally;
  for (uint64_t at = 0; at < size; ++at) {
    RunCase(name + ": bit flipped at " + std::to_string(at), name, Flip(at),
            Expect::kCorruptionAtOpen, golden_->final_state, &tally);
  }
  for (uint64_t at = 0; at < size; ++at) {
    RunCase(name + ": cut to " + std::to_string(at) + " bytes", name, Cut(at),
            Expect::kCorruptionAtOpen, golden_->final_state, &tally);
  }
  RunCase(name + ": removed", name, Remove, Expect::kCorruptionAtOpen, golden_->final_state,
          &tally);
  Report("manifest " + name, size, tally);
}

TEST_F(CorruptionMatrixTest, Current) {
  const uint64_t size = ReadAll(golden_->path + "/CURRENT").size();
  Tally tally;
  for (uint64_t at = 0; at < size; ++at) {
    for (int bit = 0; bit < 8; ++bit) {
      RunCase("CURRENT: bit " + std::to_string(bit) + " flipped at " + std::to_string(at),
              "CURRENT",
              [at, bit](const std::string& path) { FlipBit(path, at, bit); },
              Expect::kCorruptionAtOpen, golden_->final_state, &tally);
    }
  }
  for (uint64_t at = 0; at < size; ++at) {
    RunCase("CURRENT: cut to " + std::to_string(at) + " bytes", "CURRENT", Cut(at),
            Expect::kCorruptionAtOpen, golden_->final_state, &tally);
  }
  // Gone altogether: never an empty new database over the old files.
  RunCase("CURRENT: removed", "CURRENT", Remove, Expect::kCorruptionAtOpen, golden_->final_state,
          &tally);
  Report("CURRENT", size, tally);
}

}  // namespace
}  // namespace strata
