#include "core/table/table_reader.h"

#include <cstring>

#include <algorithm>
#include <atomic>
#include <bit>
#include <optional>

#include "core/cache/block_cache.h"
#include "core/coding.h"
#include "core/table/block.h"
#include "core/table/bloom_filter.h"
#include "core/table/format.h"
#include "core/table/two_level_iterator.h"

namespace strata {

namespace {

// The same status with "<context>: " in front of its message.
Status WithContext(const Status& s, const std::string& context) {
  if (s.ok()) return s;
  const std::string msg = context + ": " + s.message();
  switch (s.code()) {
    case Status::Code::kOk:
      return s;
    case Status::Code::kNotFound:
      return Status::NotFound(msg);
    case Status::Code::kCorruption:
      return Status::Corruption(msg);
    case Status::Code::kNotSupported:
      return Status::NotSupported(msg);
    case Status::Code::kInvalidArgument:
      return Status::InvalidArgument(msg);
    case Status::Code::kIOError:
      return Status::IOError(msg);
    case Status::Code::kBusy:
      return Status::Busy(msg);
    case Status::Code::kNoMemory:
      return Status::NoMemory(msg);
    case Status::Code::kConflict:
      return Status::Conflict(msg);
  }
  return s;
}

// True when the block and its trailer lie inside [0, limit).
bool HandleWithin(const BlockHandle& h, uint64_t limit) {
  return h.offset() <= limit && h.size() <= limit - h.offset() &&
         kBlockTrailerBytes <= limit - h.offset() - h.size();
}

// Presents the entries of an ingested table with its global sequence number:
// the stored keys (sequence 0, one per user key) with the trailer rewritten
// into a buffer of its own. Rewriting keeps the order, as no two entries
// share a user key.
class GlobalSequenceIterator final : public InternalIterator {
 public:
  GlobalSequenceIterator(std::unique_ptr<InternalIterator> inner, SequenceNumber seq)
      : inner_(std::move(inner)), seq_(seq) {}

  bool Valid() const override { return inner_->Valid(); }
  void SeekToFirst() override {
    inner_->SeekToFirst();
    Rewrite();
  }
  void SeekToLast() override {
    inner_->SeekToLast();
    Rewrite();
  }
  void Seek(std::string_view target) override {
    // The stored key (k, 0) is at or after any target (k, s); the rewritten
    // one (k, seq_) is before it when seq_ > s: skip it then.
    inner_->Seek(target);
    if (inner_->Valid() && target.size() >= kInternalKeyTrailerBytes &&
        ExtractUserKey(inner_->key()) == ExtractUserKey(target) &&
        seq_ > (ExtractTrailer(target) >> 8)) {
      inner_->Next();
    }
    Rewrite();
  }
  void Next() override {
    inner_->Next();
    Rewrite();
  }
  void Prev() override {
    inner_->Prev();
    Rewrite();
  }
  std::string_view key() const override { return key_; }
  std::string_view value() const override { return inner_->value(); }
  Status status() const override { return inner_->status(); }

 private:
  void Rewrite() {
    if (!inner_->Valid()) return;
    const std::string_view stored = inner_->key();
    if (stored.size() < kInternalKeyTrailerBytes) {
      key_.assign(stored);  // the block iterator reports such a key as corruption
      return;
    }
    key_.assign(stored.data(), stored.size() - kInternalKeyTrailerBytes);
    PutFixed64(&key_, (seq_ << 8) | (ExtractTrailer(stored) & 0xff));
  }

  std::unique_ptr<InternalIterator> inner_;
  const SequenceNumber seq_;
  std::string key_;
};

}  // namespace

// Everything a reader and its iterators share. Immutable once Open returns.
struct TableReader::Rep {
  std::unique_ptr<RandomAccessFile> file;
  // The whole file when it is mapped (Options::mmap_reads): uncompressed
  // data blocks are then read where they lie, without a copy, a system call
  // or the block cache, which keeps only decompressed blocks. The bytes live
  // as long as `file`, that is as long as this Rep, which every holder of a
  // block read from them also holds (the reader a lookup goes through, an
  // iterator's TableBlocks).
  std::string_view mapped;
  // Which mapped blocks have had their checksum checked: one bit per
  // granule of the data area, found from the block's offset. A block is
  // checked on its first read, as one read into the block cache is, not on
  // every read (hashing 4 KiB costs as much as the rest of a lookup). The
  // granule is the largest power of two no larger than the table's block
  // size (its properties' block_bytes, at least 64, the option's minimum),
  // and every data block but the last is at least that long (or, written
  // aligned, starts at a multiple of it: table_builder.h), so no two blocks
  // share a bit. (A table of offset + 1 slots found by hashing, as
  // before, let about two blocks in five share a slot with another, and
  // such blocks were checked again on every other read.) Empty when
  // checksums are off or the file is not mapped.
  std::unique_ptr<std::atomic<uint64_t>[]> checked;
  uint64_t checked_words = 0;
  int granule_shift = 6;
  uint64_t file_size = 0;
  uint64_t file_number = 0;
  std::string context;  // names the table in error messages
  bool verify_checksums = true;

  BlockCache* cache = nullptr;
  uint64_t cache_id = 0;
  BlockCache::Reservation reservation;  // charges index + filter to the cache

  std::unique_ptr<Block> index_block;
  // The filter, copied to a 64-byte boundary inside filter_storage so that
  // each line of a cache-local filter (bloom_filter.h) is one cache line.
  std::string filter_storage;
  std::string_view filter;  // empty: no filter
  TableProperties properties;
  // Non-zero for an ingested table (global_sequence.h): every entry is
  // stored with sequence 0 and read with this one.
  SequenceNumber global_sequence = 0;
  // Data blocks lie in [0, data_end); the metadata blocks start there.
  uint64_t data_end = 0;

  Status Annotate(const Status& s) const { return WithContext(s, context); }

  // The data block an index entry's value names.
  Status DecodeDataHandle(std::string_view encoded_handle, BlockHandle* handle) const {
    std::string_view input = encoded_handle;
    if (!handle->DecodeFrom(&input).ok() || !HandleWithin(*handle, data_end)) {
      return Annotate(Status::Corruption("index entry names an impossible data block"));
    }
    return Status::OK();
  }

  // For a mapped table, the bytes of an uncompressed data block where they
  // lie, its checksum checked on its first read. *in_place is empty when the
  // table is not mapped or the block is compressed: a compressed block goes
  // through the cache, decompressing costing more than a cache lookup.
  Status ReadInPlace(const BlockHandle& handle, std::string_view* in_place) const {
    *in_place = {};
    if (mapped.empty() || static_cast<CompressionKind>(mapped[handle.offset() + handle.size()]) !=
                              CompressionKind::kNone) {
      return Status::OK();
    }
    std::atomic<uint64_t>* word = nullptr;
    uint64_t bit = 0;
    bool verify = false;
    if (checked_words != 0) {
      const uint64_t granule = handle.offset() >> granule_shift;
      verify = true;  // past the data area (ReadBlockInPlace refuses it)
      if (granule / 64 < checked_words) {
        word = &checked[granule / 64];
        bit = uint64_t{1} << (granule % 64);
        verify = (word->load(std::memory_order_relaxed) & bit) == 0;
      }
    }
    BlockContents unused;
    Status s = ReadBlockInPlace(mapped, handle, verify, in_place, &unused);
    if (!s.ok()) return Annotate(s);
    // Two threads may both check a block before either sets its bit: a
    // second check, no harm.
    if (verify && word != nullptr) word->fetch_or(bit, std::memory_order_relaxed);
    return Status::OK();
  }

  // Fetches a data block for an iterator: in place from a mapping
  // (*in_place; the caller checks that it is well formed), or from the cache
  // when it is there, or from the file (*cached). Only iterators call this:
  // their reads from the file go in sequence
  // (RandomAccessFile::ReadInSequence), with the OS's read-ahead.
  Status ReadDataBlock(const BlockHandle& handle, const TableReadOptions& read_options,
                       std::string_view* in_place, std::shared_ptr<const Block>* cached) const {
    *in_place = {};
    if (read_options.read_in_place) STRATA_RETURN_IF_ERROR(ReadInPlace(handle, in_place));
    if (!in_place->empty()) return Status::OK();
    return ReadCachedBlock(handle, read_options.fill_cache, /*in_sequence=*/true, cached);
  }

  // A block that is not read in place: from the cache, or read and cached.
  Status ReadCachedBlock(const BlockHandle& handle, bool fill_cache, bool in_sequence,
                         std::shared_ptr<const Block>* out) const {
    if (cache != nullptr) {
      if (std::shared_ptr<const Block> cached = cache->Lookup(cache_id, handle.offset())) {
        *out = std::move(cached);
        return Status::OK();
      }
    }
    BlockContents contents;
    Status s = ReadBlock(file.get(), handle, verify_checksums, &contents, in_sequence);
    if (!s.ok()) return Annotate(s);
    auto block = std::make_shared<const Block>(std::move(contents));
    STRATA_RETURN_IF_ERROR(MakeBlock(handle, block, out));
    if (cache != nullptr && fill_cache) {
      cache->Insert(cache_id, handle.offset(), *out, (*out)->charge());
    }
    return Status::OK();
  }

  Status CheckWellFormed(const BlockHandle& handle, const Block& block) const {
    if (block.well_formed()) return Status::OK();
    return Annotate(Status::Corruption("malformed data block at offset " +
                                       std::to_string(handle.offset())));
  }

  Status MakeBlock(const BlockHandle& handle, std::shared_ptr<const Block> block,
                   std::shared_ptr<const Block>* out) const {
    STRATA_RETURN_IF_ERROR(CheckWellFormed(handle, *block));
    *out = std::move(block);
    return Status::OK();
  }
};

// The blocks a table's iterator walks (two_level_iterator.h): the index
// block and the data blocks it names, each through a BlockIterator held in
// the iterator. A mapped block is read where it lies; a block from the cache
// or the file is pinned here until the walk leaves it.
class TableReader::TableBlocks {
 public:
  using DataIterator = BlockIterator;

  TableBlocks(std::shared_ptr<const Rep> rep, const TableReadOptions& read_options)
      : rep_(std::move(rep)),
        read_options_(read_options),
        index_(*rep_->index_block, BlockKeyOrder::kInternalKey) {}

  BlockIterator& index() { return index_; }

  Status Open(std::string_view index_value, std::optional<BlockIterator>* block) {
    BlockHandle handle;
    STRATA_RETURN_IF_ERROR(rep_->DecodeDataHandle(index_value, &handle));
    std::string_view in_place;
    STRATA_RETURN_IF_ERROR(rep_->ReadDataBlock(handle, read_options_, &in_place, &pinned_));
    if (!in_place.empty()) {
      const Block mapped(in_place);  // the block iterator keeps only the bytes' address
      STRATA_RETURN_IF_ERROR(rep_->CheckWellFormed(handle, mapped));
      block->emplace(mapped, BlockKeyOrder::kInternalKey);
    } else {
      block->emplace(*pinned_, BlockKeyOrder::kInternalKey);
    }
    return Status::OK();
  }

  void Release() { pinned_.reset(); }

 private:
  // Keeps the file, its mapping and the index block alive.
  const std::shared_ptr<const Rep> rep_;
  const TableReadOptions read_options_;
  BlockIterator index_;
  std::shared_ptr<const Block> pinned_;  // the cached block being read; null in place
};

TableReader::TableReader(std::shared_ptr<const Rep> rep) : rep_(std::move(rep)) {}
TableReader::~TableReader() = default;

Status TableReader::Open(const Options& options, std::unique_ptr<RandomAccessFile> file,
                         uint64_t file_size, uint64_t file_number, BlockCache* cache,
                         std::unique_ptr<TableReader>* out) {
  out->reset();
  auto rep = std::make_shared<Rep>();
  rep->file_size = file_size;
  rep->file_number = file_number;
  rep->context = "table file " + std::to_string(file_number);
  rep->verify_checksums = options.verify_checksums;

  if (file_size < Footer::kEncodedLength) {
    return rep->Annotate(Status::Corruption("file of " + std::to_string(file_size) +
                                            " bytes is too short to be a table"));
  }
  const uint64_t footer_offset = file_size - Footer::kEncodedLength;
  char footer_space[Footer::kEncodedLength];
  std::string_view footer_bytes;
  Status s = file->Read(footer_offset, Footer::kEncodedLength, &footer_bytes, footer_space);
  if (!s.ok()) return rep->Annotate(s);
  if (footer_bytes.size() != Footer::kEncodedLength) {
    return rep->Annotate(Status::Corruption("truncated table footer"));
  }
  Footer footer;
  s = footer.DecodeFrom(footer_bytes);
  if (!s.ok()) return rep->Annotate(s);

  const bool has_filter = footer.filter_handle.size() > 0;
  if (!HandleWithin(footer.index_handle, footer_offset) ||
      !HandleWithin(footer.properties_handle, footer_offset) ||
      (has_filter && !HandleWithin(footer.filter_handle, footer_offset))) {
    return rep->Annotate(Status::Corruption("table footer points outside the file of " +
                                            std::to_string(file_size) + " bytes"));
  }
  rep->data_end = std::min(footer.index_handle.offset(), footer.properties_handle.offset());
  if (has_filter) rep->data_end = std::min(rep->data_end, footer.filter_handle.offset());

  // Blocks read once at open are always verified: the cost is paid once, and
  // a bad index would misdirect every lookup.
  BlockContents contents;
  s = ReadBlock(file.get(), footer.index_handle, /*verify_checksum=*/true, &contents);
  if (!s.ok()) return rep->Annotate(s);
  rep->index_block = std::make_unique<Block>(std::move(contents));
  if (!rep->index_block->well_formed()) {
    return rep->Annotate(Status::Corruption("malformed index block"));
  }

  s = ReadBlock(file.get(), footer.properties_handle, /*verify_checksum=*/true, &contents);
  if (!s.ok()) return rep->Annotate(s);
  {
    Block properties_block(std::move(contents));
    s = rep->properties.DecodeFrom(properties_block);
    if (!s.ok()) return rep->Annotate(s);
  }
  if (rep->properties.global_sequence != 0) {
    // The table describes itself as its readers see it, so that whoever
    // compares its properties with the manifest (TableCache's identity
    // check) or orders tables by sequence (repair) needs no special case.
    const SequenceNumber g = rep->properties.global_sequence;
    if (g > kMaxSequenceNumber) {
      return rep->Annotate(Status::Corruption("global sequence number out of range"));
    }
    rep->global_sequence = g;
    for (std::string* key : {&rep->properties.smallest_key, &rep->properties.largest_key}) {
      if (key->size() < kInternalKeyTrailerBytes) continue;
      const uint64_t kind = ExtractTrailer(*key) & 0xff;
      EncodeFixed64(key->data() + key->size() - kInternalKeyTrailerBytes, (g << 8) | kind);
    }
    rep->properties.smallest_sequence = rep->properties.largest_sequence = g;
  }

  if (has_filter) {
    s = ReadBlock(file.get(), footer.filter_handle, /*verify_checksum=*/true, &contents);
    if (!s.ok()) return rep->Annotate(s);
    const std::string& bytes = contents.data;
    rep->filter_storage.resize(bytes.size() + 63);
    const auto base = reinterpret_cast<uintptr_t>(rep->filter_storage.data());
    const size_t skip = (64 - base % 64) % 64;
    std::memcpy(rep->filter_storage.data() + skip, bytes.data(), bytes.size());
    rep->filter = std::string_view(rep->filter_storage.data() + skip, bytes.size());
  }

  // data_end lies inside file_size, so every data block is inside a mapping
  // at least that long.
  if (file->mapped().size() >= file_size) {
    rep->mapped = file->mapped();
    if (rep->verify_checksums) {
      const uint64_t block_bytes =
          std::clamp<uint64_t>(rep->properties.block_bytes, 64, uint64_t{1} << 20);
      rep->granule_shift = std::bit_width(block_bytes) - 1;
      rep->checked_words = (rep->data_end >> rep->granule_shift) / 64 + 1;
      rep->checked = std::make_unique<std::atomic<uint64_t>[]>(rep->checked_words);
    }
  }
  rep->file = std::move(file);
  rep->cache = cache;
  if (cache != nullptr) {
    rep->cache_id = cache->NewId();
    rep->reservation = cache->Reserve(rep->index_block->charge() + rep->filter_storage.capacity() +
                                      rep->checked_words * sizeof(uint64_t));
  }
  out->reset(new TableReader(std::move(rep)));
  return Status::OK();
}

Status TableReader::Get(const LookupKey& key, TableGetResult* result, std::string* value,
                        const TableReadOptions& read_options) const {
  return Get(key, result, value, read_options, nullptr);
}

Status TableReader::Get(const LookupKey& key, TableGetResult* result, std::string* value,
                        const TableReadOptions& read_options, BlockPin* pin,
                        SequenceNumber* sequence) const {
  BlockPin local;
  std::string_view found;
  Status s = Get(key, result, &found, read_options, pin != nullptr ? pin : &local, sequence);
  if (s.ok() && *result == TableGetResult::kValue) value->assign(found);
  return s;
}

Status TableReader::Get(const LookupKey& key, TableGetResult* result, std::string_view* value,
                        const TableReadOptions& read_options, BlockPin* pin,
                        SequenceNumber* sequence) const {
  *result = TableGetResult::kNotFound;
  if (!KeyMayMatch(key.user_key())) return Status::OK();

  // The iterators live on this stack and a mapped block is read in place:
  // a lookup in a mapped, uncompressed table allocates nothing.
  BlockIterator index_iter(*rep_->index_block, BlockKeyOrder::kInternalKey);
  index_iter.Seek(key.internal_key());
  if (!index_iter.Valid()) return rep_->Annotate(index_iter.status());

  const std::string_view encoded_handle = index_iter.value();
  BlockHandle handle;
  STRATA_RETURN_IF_ERROR(rep_->DecodeDataHandle(encoded_handle, &handle));
  std::string_view in_place;
  if (read_options.read_in_place) STRATA_RETURN_IF_ERROR(rep_->ReadInPlace(handle, &in_place));
  std::optional<Block> mapped_block;  // the in-place block, valid while rep_ is
  const Block* block;
  if (!in_place.empty()) {
    mapped_block.emplace(in_place);
    STRATA_RETURN_IF_ERROR(rep_->CheckWellFormed(handle, *mapped_block));
    block = &*mapped_block;
  } else {
    if (pin->block == nullptr || pin->handle != encoded_handle) {
      std::shared_ptr<const Block> read;
      STRATA_RETURN_IF_ERROR(
          rep_->ReadCachedBlock(handle, read_options.fill_cache, /*in_sequence=*/false, &read));
      pin->handle.assign(encoded_handle);
      pin->block = std::move(read);
    }
    block = pin->block.get();
  }
  // No need to look in the next block when this one has nothing >= key: the
  // index separator guarantees the next block holds another user key
  // (separator.h).
  BlockIterator data_iter(*block, BlockKeyOrder::kInternalKey);
  InternalIterator* iter = &data_iter;
  iter->Seek(key.internal_key());
  if (!iter->Valid()) return rep_->Annotate(iter->status());

  ParsedInternalKey parsed;
  if (!ParseInternalKey(iter->key(), &parsed)) {
    return rep_->Annotate(Status::Corruption("bad internal key in a data block"));
  }
  if (parsed.user_key != key.user_key()) return Status::OK();
  // An ingested table holds one version per key, with the global sequence
  // (stored as 0, so the seek above found it whatever the lookup's
  // sequence): newer than the lookup means invisible.
  if (rep_->global_sequence != 0 && rep_->global_sequence > ExtractTrailer(key.internal_key()) >> 8) {
    return Status::OK();
  }
  if (sequence != nullptr) {
    *sequence = rep_->global_sequence != 0 ? rep_->global_sequence : parsed.sequence;
  }
  if (parsed.kind == ValueKind::kValue) {
    *result = TableGetResult::kValue;
    *value = iter->value();
  } else {
    *result = TableGetResult::kDeletion;
  }
  return Status::OK();
}

std::unique_ptr<InternalIterator> TableReader::NewIterator(
    const TableReadOptions& read_options) const {
  std::unique_ptr<InternalIterator> iter =
      std::make_unique<TwoLevelIterator<TableBlocks>>(std::in_place, rep_, read_options);
  if (rep_->global_sequence != 0) {
    iter = std::make_unique<GlobalSequenceIterator>(std::move(iter), rep_->global_sequence);
  }
  return iter;
}

bool TableReader::KeyMayMatch(std::string_view user_key) const {
  if (rep_->filter.empty()) return true;
  return BloomFilterReader(rep_->filter).KeyMayMatch(user_key);
}

void TableReader::PrefetchFilter(std::string_view user_key) const {
  if (!rep_->filter.empty()) BloomFilterReader(rep_->filter).Prefetch(user_key);
}

uint64_t TableReader::ApproximateOffsetOf(std::string_view internal_key) const {
  std::unique_ptr<InternalIterator> index_iter =
      rep_->index_block->NewIterator(BlockKeyOrder::kInternalKey);
  index_iter->Seek(internal_key);
  if (index_iter->Valid()) {
    BlockHandle handle;
    std::string_view input = index_iter->value();
    if (handle.DecodeFrom(&input).ok()) return std::min(handle.offset(), rep_->data_end);
  }
  // Past the last key (or an unreadable index): the end of the data.
  return rep_->data_end;
}

Status TableReader::VerifyGaps() const {
  // Reads [offset, offset + n) and checks that it is all zeros.
  auto check_zeros = [this](uint64_t offset, uint64_t n) -> Status {
    std::string scratch(std::min<uint64_t>(n, 64 << 10), '\0');
    while (n > 0) {
      const size_t chunk = static_cast<size_t>(std::min<uint64_t>(n, scratch.size()));
      std::string_view bytes;
      STRATA_RETURN_IF_ERROR(rep_->file->Read(offset, chunk, &bytes, scratch.data()));
      if (bytes.size() != chunk) return rep_->Annotate(Status::Corruption("truncated data area"));
      if (const size_t i = bytes.find_first_not_of('\0'); i != std::string_view::npos) {
        return rep_->Annotate(Status::Corruption("non-zero byte at offset " +
                                                 std::to_string(offset + i) +
                                                 ", between data blocks"));
      }
      offset += chunk;
      n -= chunk;
    }
    return Status::OK();
  };
  BlockIterator index_iter(*rep_->index_block, BlockKeyOrder::kInternalKey);
  uint64_t end_of_previous = 0;
  for (index_iter.SeekToFirst(); index_iter.Valid(); index_iter.Next()) {
    BlockHandle handle;
    STRATA_RETURN_IF_ERROR(rep_->DecodeDataHandle(index_iter.value(), &handle));
    if (handle.offset() < end_of_previous) {
      return rep_->Annotate(Status::Corruption("data block at offset " +
                                               std::to_string(handle.offset()) +
                                               " overlaps the block before it"));
    }
    STRATA_RETURN_IF_ERROR(check_zeros(end_of_previous, handle.offset() - end_of_previous));
    end_of_previous = handle.offset() + handle.size() + kBlockTrailerBytes;
  }
  if (!index_iter.status().ok()) return rep_->Annotate(index_iter.status());
  // DecodeDataHandle keeps every block inside the data area.
  return check_zeros(end_of_previous, rep_->data_end - end_of_previous);
}

const TableProperties& TableReader::properties() const { return rep_->properties; }
uint64_t TableReader::file_number() const { return rep_->file_number; }
uint64_t TableReader::file_size() const { return rep_->file_size; }
bool TableReader::mapped() const { return !rep_->mapped.empty(); }
size_t TableReader::metadata_bytes() const {
  return rep_->index_block->charge() + rep_->filter_storage.capacity() +
         rep_->checked_words * sizeof(uint64_t);
}

}  // namespace strata
