// strata-fuzz-make-seeds: writes the seed corpora of every fuzz target from
// files the engine really makes, so that fuzzing starts from valid inputs
// and mutates its way outwards.
//
//   strata-fuzz-make-seeds CORPUS_ROOT
//
// It builds a few small databases through the C ABI (no compression, lz4 and
// zstd; with and without bloom filters; tiny blocks so that each table has
// several), closes them, and then cuts the seeds out of their files:
//
//   log_reader      whole WAL and MANIFEST files (mode byte 0 and 1), and a
//                   WAL cut mid-record (a torn tail)
//   write_batch     the payloads of WAL records (encoded write batches)
//   version_edit    the payloads of MANIFEST records (encoded version edits)
//   block           data, index and properties blocks of the tables
//   table_reader    whole tables with mode bytes 1 (verify), 2 (reseal) and
//                   5 (verify, through a block cache)
//   bloom_filter    a table's filter block with the table's own keys
//   options         every option at its default, tuned sets and bad values
//   capi_sequence   operation sequences in the fuzzer's encoding (see
//                   capi_sequence_fuzzer.cc), written by SequenceWriter below
//   wal_recovery    WALs the engine wrote on top of the recovery template
//                   (whole and torn), and hand-made logs of batches it must
//                   refuse or treat with care (regression-* are past bugs)
//
// Each seed is named after what it holds; a seed identical to one already
// written for the same target is skipped. Existing files are overwritten, not
// deleted, so crash regressions kept in the same directories survive a rerun.
// Committed corpora were made with this program; rerun it after a format
// change and commit the result.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/coding.h"
#include "core/db/db.h"
#include "core/dbformat.h"
#include "core/env.h"
#include "core/filename.h"
#include "core/options.h"
#include "core/table/block.h"
#include "core/table/format.h"
#include "core/wal/log_reader.h"
#include "core/wal/log_writer.h"
#include "core/write_batch.h"
#include "fuzz/memory_files.h"
#include "fuzz/recovery_template.h"
#include "strata/kv.h"

namespace {

namespace fs = std::filesystem;
using namespace strata;

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "strata-fuzz-make-seeds: %s\n", what.c_str());
  std::exit(1);
}

void Check(int rc, const char* call) {
  if (rc != KV_OK) Die(std::string(call) + ": " + kv_status_name(rc) + ": " + kv_last_error());
}

class CorpusWriter {
 public:
  explicit CorpusWriter(fs::path root) : root_(std::move(root)) {}

  // Writes a seed unless the target already has one with the same bytes
  // (the databases share their WAL contents, for instance).
  void Add(const std::string& target, const std::string& name, std::string_view bytes) {
    if (!seen_.insert(target + '\0' + std::string(bytes)).second) return;
    const fs::path dir = root_ / target;
    fs::create_directories(dir);
    std::ofstream out(dir / name, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) Die("cannot write " + (dir / name).string());
    ++written_;
  }
  int written() const { return written_; }

 private:
  fs::path root_;
  std::set<std::string> seen_;
  int written_ = 0;
};

std::string ReadFile(const fs::path& path) {
  std::string data;
  Status s = ReadFileToString(Env::Default(), path.string(), &data);
  if (!s.ok()) Die(s.ToString());
  return data;
}

std::vector<std::string> LogRecords(const fs::path& path) {
  std::unique_ptr<SequentialFile> file;
  uint64_t size = 0;
  if (!Env::Default()->GetFileSize(path.string(), &size).ok() ||
      !Env::Default()->NewSequentialFile(path.string(), &file).ok()) {
    Die("cannot open " + path.string());
  }
  log::Reader reader(std::move(file), path.string(), size);
  std::vector<std::string> records;
  std::string record;
  while (reader.ReadRecord(&record)) records.push_back(record);
  if (!reader.status().ok()) Die(reader.status().ToString());
  return records;
}

// The blocks of one table: its data blocks, index, properties and filter.
struct TableBlocks {
  std::vector<std::string> data;
  std::string index, properties, filter;
  std::vector<std::string> user_keys;
};

TableBlocks ReadTableBlocks(const fs::path& path) {
  std::unique_ptr<RandomAccessFile> file;
  uint64_t size = 0;
  if (!Env::Default()->GetFileSize(path.string(), &size).ok() ||
      !Env::Default()->NewRandomAccessFile(path.string(), &file).ok() ||
      size < Footer::kEncodedLength) {
    Die("cannot open table " + path.string());
  }
  char space[Footer::kEncodedLength];
  std::string_view footer_bytes;
  Footer footer;
  if (!file->Read(size - Footer::kEncodedLength, Footer::kEncodedLength, &footer_bytes, space)
           .ok() ||
      !footer.DecodeFrom(footer_bytes).ok()) {
    Die("bad footer in " + path.string());
  }
  auto read = [&](const BlockHandle& h) {
    BlockContents contents;
    Status s = ReadBlock(file.get(), h, true, &contents);
    if (!s.ok()) Die(path.string() + ": " + s.ToString());
    return std::move(contents.data);
  };
  TableBlocks blocks;
  blocks.index = read(footer.index_handle);
  blocks.properties = read(footer.properties_handle);
  if (footer.filter_handle.size() > 0) blocks.filter = read(footer.filter_handle);

  Block index(BlockContents{blocks.index});
  auto it = index.NewIterator(BlockKeyOrder::kInternalKey);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    std::string_view v = it->value();
    BlockHandle h;
    if (!h.DecodeFrom(&v).ok()) Die("bad index entry in " + path.string());
    blocks.data.push_back(read(h));
    Block data(BlockContents{blocks.data.back()});
    auto entries = data.NewIterator(BlockKeyOrder::kInternalKey);
    for (entries->SeekToFirst(); entries->Valid(); entries->Next()) {
      std::string_view user_key = ExtractUserKey(entries->key());
      if (blocks.user_keys.empty() || blocks.user_keys.back() != user_key) {
        blocks.user_keys.emplace_back(user_key);
      }
    }
  }
  return blocks;
}

// ---- Databases -------------------------------------------------------------

struct DbConfig {
  const char* name;
  const char* compression;
  const char* bloom_bits_per_key;
};

// Writes a small database whose files have everything a reader meets: puts,
// overwrites, deletes, batches, empty values, NUL bytes in keys, several
// tables (one after a compaction) and a live WAL.
void MakeDatabase(const std::string& dir, const DbConfig& config) {
  kv_options* o = kv_options_new();
  Check(kv_options_set(o, "compression", config.compression), "kv_options_set");
  Check(kv_options_set(o, "bloom_bits_per_key", config.bloom_bits_per_key), "kv_options_set");
  Check(kv_options_set(o, "block_bytes", "256"), "kv_options_set");
  Check(kv_options_set(o, "block_restart_interval", "4"), "kv_options_set");
  Check(kv_options_set(o, "background_threads", "1"), "kv_options_set");
  kv_db* db = nullptr;
  Check(kv_open(dir.c_str(), o, &db), "kv_open");
  kv_options_free(o);

  auto put = [&](const std::string& k, const std::string& v) {
    Check(kv_put(db, k.data(), k.size(), v.data(), v.size()), "kv_put");
  };
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < 40; ++i) {
      char key[32], value[64];
      std::snprintf(key, sizeof(key), "key%03d", i * 3 + round);
      std::snprintf(value, sizeof(value), "value-%d-%d-%s", round, i, "aaaaaaaaaaaaaaaa");
      put(key, value);
    }
    put(std::string("nul\0key", 7), "");
    const std::string deleted = round == 0 ? "key003" : "key010";
    Check(kv_delete(db, deleted.data(), deleted.size()), "kv_delete");
    Check(kv_flush(db), "kv_flush");
  }
  Check(kv_compact_range(db, nullptr, 0, nullptr, 0), "kv_compact_range");
  // Left in the WAL: a batch and a few single writes.
  kv_batch* b = kv_batch_new();
  Check(kv_batch_put(b, "batch-a", 7, "1", 1), "kv_batch_put");
  Check(kv_batch_delete(b, "key006", 6), "kv_batch_delete");
  Check(kv_batch_put(b, "batch-b", 7, "", 0), "kv_batch_put");
  Check(kv_write(db, b), "kv_write");
  kv_batch_free(b);
  for (int i = 0; i < 6; ++i) {
    // Values of growing size, one with a NUL byte in the key.
    put("wal" + std::string(1, static_cast<char>(i)) + "key", std::string(size_t{1} << (2 * i), 'v'));
  }
  put("tail", "x");
  Check(kv_delete(db, "key000", 6), "kv_delete");
  Check(kv_close(db), "kv_close");
}

void SeedsFromDatabase(const std::string& dir, const DbConfig& config, CorpusWriter* out) {
  const std::string tag = config.name;
  int wal_records = 0, manifest_records = 0, tables = 0;
  std::vector<fs::path> entries{fs::directory_iterator(dir), fs::directory_iterator()};
  std::sort(entries.begin(), entries.end());
  for (const fs::path& path : entries) {
    uint64_t number = 0;
    const FileKind kind = ParseFileName(path.filename().string(), &number);
    if (kind == FileKind::kLog || kind == FileKind::kManifest) {
      const std::string bytes = ReadFile(path);
      if (bytes.empty()) continue;
      const std::string what = kind == FileKind::kLog ? "wal" : "manifest";
      out->Add("log_reader", tag + "-" + what + ".plain", std::string(1, '\0') + bytes);
      out->Add("log_reader", tag + "-" + what + ".reseal", std::string(1, '\1') + bytes);
      if (kind == FileKind::kLog) {
        out->Add("log_reader", tag + "-wal-torn.plain",
                 std::string(1, '\0') + bytes.substr(0, bytes.size() - 3));
      }
      for (const std::string& record : LogRecords(path)) {
        if (kind == FileKind::kLog) {
          out->Add("write_batch", tag + "-record" + std::to_string(wal_records++), record);
        } else {
          out->Add("version_edit", tag + "-record" + std::to_string(manifest_records++), record);
        }
      }
    } else if (kind == FileKind::kTable && tables++ < 2) {
      const std::string bytes = ReadFile(path);
      const std::string name = tag + "-table" + std::to_string(tables);
      out->Add("table_reader", name + ".verify", std::string(1, '\1') + bytes);
      out->Add("table_reader", name + ".reseal", std::string(1, '\2') + bytes);
      out->Add("table_reader", name + ".cached", std::string(1, '\5') + bytes);

      const TableBlocks blocks = ReadTableBlocks(path);
      for (size_t i = 0; i < blocks.data.size() && i < 3; ++i) {
        out->Add("block", name + "-data" + std::to_string(i), blocks.data[i]);
      }
      out->Add("block", name + "-index", blocks.index);
      out->Add("block", name + "-properties", blocks.properties);
      if (!blocks.filter.empty()) {
        // bits_per_key, key count, length-prefixed keys, then the filter.
        std::string seed(1, '\x0a');
        const size_t count = std::min<size_t>(blocks.user_keys.size(), 40);
        seed.push_back(static_cast<char>(count));
        for (size_t i = 0; i < count; ++i) {
          seed.push_back(static_cast<char>(blocks.user_keys[i].size()));
          seed += blocks.user_keys[i];
        }
        seed += blocks.filter;
        out->Add("bloom_filter", name + "-filter", seed);
      }
    }
  }
  if (wal_records == 0 || manifest_records == 0 || tables == 0) {
    Die("database " + dir + " lacks a WAL, a manifest or a table");
  }
}

// ---- Recovery ----------------------------------------------------------------

// WALs that continue the recovery template (recovery_template.h): the engine
// writes them on top of a copy of the template, and each is cut out as it was
// when the database closed. Plus hand-made logs the engine must refuse.
void RecoverySeeds(const std::string& work, CorpusWriter* out) {
  const std::string dir = work + "/recovery";
  Status s = fuzz::BuildRecoveryTemplate(Env::Default(), dir);
  if (!s.ok()) Die("recovery template: " + s.ToString());
  {
    std::shared_ptr<DB> db;
    s = DB::Open(fuzz::RecoveryOptions(Env::Default()), dir, &db);
    if (!s.ok()) Die("recovery template: " + s.ToString());
    WriteBatch batch;
    batch.Put(fuzz::TemplateKey(3), "overwritten in a batch");
    batch.Delete(fuzz::TemplateKey(4));
    batch.Put("new-key", "");
    auto check = [](const Status& st) {
      if (!st.ok()) Die("recovery seed: " + st.ToString());
    };
    check(db->Write(WriteOptions(), batch));
    check(db->Put(WriteOptions(), fuzz::TemplateKey(5), "overwritten"));
    check(db->Delete(WriteOptions(), fuzz::TemplateKey(6)));
    check(db->Put(WriteOptions(), std::string("nul\0key", 7), std::string(300, 'v')));
    check(db->Delete(WriteOptions(), "never-written"));
  }
  const std::string wal = ReadFile(fuzz::LiveWalPath(Env::Default(), dir));
  if (wal.empty()) Die("recovery seed: the WAL is empty");
  out->Add("wal_recovery", "writes.plain", std::string(1, '\0') + wal);
  out->Add("wal_recovery", "writes.reseal", std::string(1, '\1') + wal);
  out->Add("wal_recovery", "writes-torn.plain", std::string(1, '\0') + wal.substr(0, wal.size() - 5));

  // Hand-made records: well-formed logs whose batches are not.
  auto log_of = [](const std::vector<std::string>& payloads) {
    std::string bytes;
    log::Writer writer(std::make_unique<fuzz::StringWritableFile>(&bytes));
    for (const std::string& p : payloads) writer.AddRecord(p);
    return std::string(1, '\0') + bytes;
  };
  WriteBatch overflow;  // sequence numbers past the largest: must be Corruption
  overflow.Put("a", "1");
  overflow.Put("b", "2");
  overflow.SetSequence(kMaxSequenceNumber);
  out->Add("wal_recovery", "regression-sequence-overflow",
           log_of({std::string(overflow.Contents())}));
  WriteBatch last;  // ends exactly at the largest sequence number: valid
  last.Put("a", "1");
  last.SetSequence(kMaxSequenceNumber);
  out->Add("wal_recovery", "sequence-at-maximum", log_of({std::string(last.Contents())}));
  WriteBatch repeated;  // the same batch twice: sequence numbers reused
  repeated.Put("t07", "x");
  repeated.SetSequence(fuzz::kTemplateKeys + 1);
  out->Add("wal_recovery", "regression-repeated-record",
           log_of({std::string(repeated.Contents()), std::string(repeated.Contents())}));
  WriteBatch shadowed;  // a version numbered like the template's: ambiguous
  shadowed.Put("t07", "x");
  shadowed.SetSequence(8);
  out->Add("wal_recovery", "template-sequence", log_of({std::string(shadowed.Contents())}));
  out->Add("wal_recovery", "undecodable-record", log_of({std::string(20, '\x07')}));
}

// ---- Options -------------------------------------------------------------

void OptionSeeds(CorpusWriter* out) {
  Options defaults;
  std::string all;
  for (const std::string& name : Options::Names()) {
    std::string value;
    defaults.Get(name, &value);
    all += name + "=" + value + "\n";
  }
  out->Add("options", "defaults", all);
  out->Add("options", "tuned",
           "memtable=rbtree\ncompression=zstd\nblock_bytes=16K\nmemtable_bytes=8MiB\n"
           "bloom_bits_per_key=16\nsync=yes\nbackground_threads=4\nl0_stop_trigger=40\n");
  out->Add("options", "tuned-2",
           "memtable=avl\ncompression=lz4\nblock_cache_bytes=1G\ncreate_if_missing=off\n"
           "error_if_exists=ON\nverify_checksums=0\ntable_file_bytes=2m\n");
  out->Add("options", "bad-values",
           "memtable=btree\nblock_bytes=1\nmemtable_bytes=99999999999999999999\nsync=maybe\n"
           "bloom_bits_per_key=-3\ncompression=\nno_such_option=1\n=\n");
  out->Add("options", "cross-field",
           "l0_compaction_trigger=8\nl0_slowdown_trigger=4\nl0_stop_trigger=2\n");
}

// ---- C ABI sequences -------------------------------------------------------

// Encodes operations the way capi_sequence_fuzzer.cc decodes them. Only the
// opcodes and operand layouts used here are mirrored; see Sequence::Step.
class SequenceWriter {
 public:
  enum Opcode : uint8_t {
    kPut = 0, kDelete = 6, kGet = 8, kGetAt = 11, kBatch = 12, kNewIter = 14, kMoveIter = 16,
    kFreeIter = 21, kNewSnapshot = 22, kFreeSnapshot = 23, kMultiGet = 24, kFlush = 25,
    kCompact = 26, kWait = 27, kReopen = 28, kCheckpointOrVerify = 29, kProperty = 30,
    kBadArguments = 31,
  };
  // Moves, as MoveOne numbers them.
  enum Move : uint8_t { kNext = 0, kPrev = 1, kFirst = 2, kLast = 3, kSeek = 4, kSeekForPrev = 5 };

  // Option pairs by index into the fuzzer's kOptionNames/kOptionValues.
  SequenceWriter(std::initializer_list<std::pair<uint8_t, uint8_t>> options) {
    bytes_.push_back(static_cast<char>(options.size()));
    for (auto [name, value] : options) {
      bytes_.push_back(static_cast<char>(name));
      bytes_.push_back(static_cast<char>(value));
    }
  }

  SequenceWriter& Put(std::string_view key, std::string_view value) {
    Op(kPut);
    Key(key);
    Value(value);
    bytes_.push_back(0);  // plain kv_put
    return *this;
  }
  SequenceWriter& Delete(std::string_view key) {
    Op(kDelete);
    Key(key);
    bytes_.push_back(2);  // kv_delete_ex with KV_WRITE_SYNC
    return *this;
  }
  SequenceWriter& Get(std::string_view key) {
    Op(kGet);
    Key(key);
    return *this;
  }
  SequenceWriter& Batch(std::initializer_list<std::pair<std::string_view, std::string_view>> puts,
                        std::string_view deleted) {
    Op(kBatch);
    bytes_.push_back(static_cast<char>(puts.size() + 1));
    for (auto [k, v] : puts) {
      bytes_.push_back(1);  // put
      Key(k);
      Value(v);
    }
    bytes_.push_back(0);  // delete
    Key(deleted);
    bytes_.push_back(1);  // kv_write_ex without flags
    return *this;
  }
  // kind 0: whole range; 2: prefix (key = the prefix), at the latest state.
  SequenceWriter& NewIter(uint8_t slot, uint8_t kind, std::string_view key = {}) {
    Op(kNewIter);
    bytes_.push_back(static_cast<char>(slot));
    bytes_.push_back(static_cast<char>(kind));
    if (kind >= 2) bytes_.push_back(2);  // snapshot choice: none
    if (kind == 2) Key(key);
    return *this;
  }
  SequenceWriter& MoveIter(uint8_t slot, Move move, std::string_view target = {}) {
    Op(kMoveIter);
    bytes_.push_back(static_cast<char>(slot));
    bytes_.push_back(static_cast<char>(move));
    if (move == kSeek || move == kSeekForPrev) Key(target);
    return *this;
  }
  SequenceWriter& NewSnapshot(uint8_t slot) {
    Op(kNewSnapshot);
    bytes_.push_back(static_cast<char>(slot));
    return *this;
  }
  SequenceWriter& GetAt(uint8_t snapshot_slot, std::string_view key) {
    Op(kGetAt);
    bytes_.push_back(static_cast<char>(snapshot_slot));
    Key(key);
    return *this;
  }
  SequenceWriter& MultiGet(std::initializer_list<std::string_view> keys) {
    Op(kMultiGet);
    bytes_.push_back(2);  // snapshot choice: none
    bytes_.push_back(static_cast<char>(keys.size()));
    for (std::string_view k : keys) Key(k);
    bytes_.push_back(1);  // want vals
    return *this;
  }
  SequenceWriter& Simple(Opcode op) {
    Op(op);
    return *this;
  }
  SequenceWriter& Compact() {
    Op(kCompact);
    bytes_.push_back(0);
    bytes_.push_back(0);
    return *this;
  }
  SequenceWriter& Checkpoint() {
    Op(kCheckpointOrVerify);
    bytes_.push_back(1);
    bytes_.push_back(0);  // foreign-snapshot check: slot 0
    return *this;
  }
  SequenceWriter& Verify() {
    Op(kCheckpointOrVerify);
    bytes_.push_back(0);
    return *this;
  }
  SequenceWriter& Property(uint8_t index) {
    Op(kProperty);
    bytes_.push_back(static_cast<char>(index));
    return *this;
  }
  SequenceWriter& BadArguments(uint8_t which) {
    Op(kBadArguments);
    bytes_.push_back(0);  // over-long length's extra bytes
    bytes_.push_back(static_cast<char>(which));
    // Cases 3, 5 and 7 read one more operand byte.
    if (which == 3 || which == 5 || which == 7) bytes_.push_back(0);
    return *this;
  }
  SequenceWriter& Raw(std::string_view bytes) {
    bytes_ += bytes;
    return *this;
  }
  const std::string& bytes() const { return bytes_; }

 private:
  void Op(uint8_t op) { bytes_.push_back(static_cast<char>(op)); }
  // Raw keys: tag 0x80, then a length byte and the bytes.
  void Key(std::string_view key) {
    bytes_.push_back('\x80');
    bytes_.push_back(static_cast<char>(key.size()));
    bytes_ += key;
  }
  void Value(std::string_view value) {
    bytes_.push_back(static_cast<char>(value.size()));
    bytes_ += value;
  }
  std::string bytes_;
};

void SequenceSeeds(CorpusWriter* out) {
  using W = SequenceWriter;
  out->Add("capi_sequence", "writes-and-reads",
           W({})
               .Put("apple", "red")
               .Put("banana", "yellow")
               .Put("", "empty key")
               .Put(std::string_view("n\0l", 3), "")
               .Get("apple")
               .Get("cherry")
               .Delete("banana")
               .Get("banana")
               .MultiGet({"apple", "banana", "", "zzz"})
               .Property(0)
               .bytes());
  out->Add("capi_sequence", "iterators-and-snapshots",
           W({})
               .Put("a1", "x")
               .Put("a2", "y")
               .Put("b1", "z")
               .NewSnapshot(0)
               .NewIter(0, 0)
               .Put("a3", "after")
               .Delete("a1")
               .NewIter(1, 2, "a")
               .MoveIter(0, W::kNext)
               .MoveIter(0, W::kNext)
               .MoveIter(0, W::kPrev)
               .MoveIter(1, W::kLast)
               .MoveIter(1, W::kSeek, "a2")
               .MoveIter(1, W::kSeekForPrev, "a25")
               .GetAt(0, "a1")
               .GetAt(0, "a3")
               .bytes());
  out->Add("capi_sequence", "flush-compact-reopen",
           W({{3, 10}, {4, 18}})  // memtable_bytes=1K, memtable=rbtree
               .Batch({{"k1", "v1"}, {"k2", "v2"}, {"k3", "v3"}}, "k2")
               .Simple(W::kFlush)
               .Put("k4", "v4")
               .Put("k1", "v1b")
               .Compact()
               .NewIter(0, 0)
               .MoveIter(0, W::kFirst)
               .Simple(W::kReopen)
               .Raw(std::string(1, W::kNext))  // the move of the iterator still open
               .Get("k1")
               .Verify()
               .bytes());
  out->Add("capi_sequence", "checkpoint",
           W({{8, 21}})  // compression=lz4
               .Put("c1", "one")
               .Put("c2", "two")
               .NewSnapshot(0)
               .Simple(W::kFlush)
               .Checkpoint()
               .Simple(W::kWait)
               .bytes());
  W bad({{2, 6}});  // sync=true
  bad.Put("k", "v");
  for (uint8_t which = 0; which < 16; ++which) bad.BadArguments(which);
  bad.Get("k");
  out->Add("capi_sequence", "bad-arguments", bad.bytes());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CORPUS_ROOT\n", argv[0]);
    return 2;
  }
  CorpusWriter out{fs::path(argv[1])};
  std::string work = (fs::temp_directory_path() / "strata-fuzz-seeds-XXXXXX").string();
  if (::mkdtemp(work.data()) == nullptr) Die("mkdtemp failed");

  const DbConfig configs[] = {
      {"plain", "none", "10"},
      {"lz4", "lz4", "0"},
      {"zstd", "zstd", "20"},
  };
  for (const DbConfig& config : configs) {
    const std::string dir = work + "/" + config.name;
    MakeDatabase(dir, config);
    SeedsFromDatabase(dir, config, &out);
  }
  RecoverySeeds(work, &out);
  OptionSeeds(&out);
  SequenceSeeds(&out);
  std::error_code ec;
  fs::remove_all(work, ec);
  std::printf("wrote %d seed files under %s\n", out.written(), argv[1]);
  return 0;
}
