#include "core/db/repair_log.h"

#include <memory>

#include "core/db/build_table.h"
#include "core/filename.h"
#include "core/memtable/memtable.h"
#include "core/wal/log_reader.h"
#include "core/write_batch.h"

namespace strata {

namespace {

// Sorts one log's batches in memtables and writes each full memtable out.
class LogConverter {
 public:
  LogConverter(const Options& options, Env* env, const std::string& dbname,
               const std::function<uint64_t()>& new_file_number,
               const std::function<Status(TableFileBuilder*)>& publish,
               RepairReport::RecoveredLog* log)
      : options_(options),
        env_(env),
        dbname_(dbname),
        new_file_number_(new_file_number),
        publish_(publish),
        log_(log) {}

  // Applies one record's payload: a write batch.
  Status Apply(std::string_view payload) {
    WriteBatch batch;
    Status s = batch.SetContents(payload);
    if (s.ok()) s = batch.Validate();
    if (!s.ok()) {
      ++log_->records_dropped;
      if (log_->damage.empty()) log_->damage = "a record holds a malformed batch: " + s.message();
      return Status::OK();
    }
    const uint32_t count = batch.Count();
    ++log_->records;
    log_->operations += count;
    if (count == 0) return Status::OK();
    // A memtable takes each (key, sequence) once; a log never repeats a
    // sequence number, but a damaged one might, so start another table.
    if (mem_ && !MemTableIsEmpty(*mem_) && batch.Sequence() <= last_sequence_) {
      STRATA_RETURN_IF_ERROR(FlushMemTable());
    }
    if (!mem_) mem_ = std::make_unique<MemTable>(options_.memtable);
    Inserter inserter;
    inserter.mem = mem_.get();
    inserter.sequence = batch.Sequence();
    batch.Iterate(&inserter);
    last_sequence_ = batch.Sequence() + count - 1;
    if (mem_->ApproximateMemoryUsage() >= options_.memtable_bytes) return FlushMemTable();
    return Status::OK();
  }

  Status FlushMemTable() {
    if (!mem_ || MemTableIsEmpty(*mem_)) return Status::OK();
    TableFileBuilder table(options_, env_, dbname_, new_file_number_());
    STRATA_RETURN_IF_ERROR(AddMemTable(mem_.get(), &table));
    STRATA_RETURN_IF_ERROR(publish_(&table));
    log_->tables.push_back(table.number());
    mem_.reset();
    return Status::OK();
  }

 private:
  struct Inserter : WriteBatch::Handler {
    MemTable* mem = nullptr;
    SequenceNumber sequence = 0;
    void Put(std::string_view k, std::string_view v) override {
      mem->Add(sequence++, ValueKind::kValue, k, v);
    }
    void Delete(std::string_view k) override { mem->Add(sequence++, ValueKind::kDeletion, k, {}); }
    void DeleteRange(std::string_view start, std::string_view end) override {
      mem->AddRangeDeletion(sequence++, start, end);
    }
  };

  const Options& options_;
  Env* const env_;
  const std::string& dbname_;
  const std::function<uint64_t()>& new_file_number_;
  const std::function<Status(TableFileBuilder*)>& publish_;
  RepairReport::RecoveredLog* const log_;
  std::unique_ptr<MemTable> mem_;
  SequenceNumber last_sequence_ = 0;
};

}  // namespace

Status ConvertLogToTables(const Options& options, Env* env, const std::string& dbname,
                          uint64_t number, const std::function<uint64_t()>& new_file_number,
                          const std::function<Status(TableFileBuilder*)>& publish,
                          RepairReport::RecoveredLog* log) {
  *log = RepairReport::RecoveredLog();
  log->number = number;
  const std::string path = LogFileName(dbname, number);
  uint64_t size = 0;
  std::unique_ptr<SequentialFile> file;
  STRATA_RETURN_IF_ERROR(env->GetFileSize(path, &size));
  STRATA_RETURN_IF_ERROR(env->NewSequentialFile(path, &file));
  LogConverter converter(options, env, dbname, new_file_number, publish, log);
  log::Reader reader(std::move(file), path, size, log::Reader::Mode::kSalvage);
  std::string record;
  while (reader.ReadRecord(&record)) STRATA_RETURN_IF_ERROR(converter.Apply(record));
  STRATA_RETURN_IF_ERROR(reader.status());
  log->records_dropped += reader.records_dropped();
  log->bytes_skipped += reader.bytes_dropped();
  log->damaged_stretches += reader.damaged_stretches();
  if (!reader.damage().empty()) {
    // The first damage the reader met comes before any malformed batch
    // found after it.
    log->damage = reader.damage();
  } else if (reader.torn_tail()) {
    log->damage = "torn tail cut at offset " + std::to_string(reader.end_of_good_records()) +
                  " (a write cut short by a crash, never acknowledged)";
  }
  return converter.FlushMemTable();
}

}  // namespace strata
