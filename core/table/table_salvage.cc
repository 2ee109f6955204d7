#include "core/table/table_salvage.h"

#include <algorithm>

#include "core/dbformat.h"
#include "core/iterator.h"
#include "core/table/block.h"
#include "core/table/format.h"
#include "core/table/table_properties.h"

namespace strata {

namespace {

// True when a block and its trailer lie inside [0, limit).
bool HandleWithin(const BlockHandle& h, uint64_t limit) {
  return h.offset() <= limit && h.size() <= limit - h.offset() &&
         kBlockTrailerBytes <= limit - h.offset() - h.size();
}

}  // namespace

TableSalvageIterator::~TableSalvageIterator() = default;

Status TableSalvageIterator::Open(const Options& options, std::unique_ptr<RandomAccessFile> file,
                                  uint64_t file_size, uint64_t file_number,
                                  std::unique_ptr<TableSalvageIterator>* out) {
  (void)options;  // every block is read with its checksum verified
  out->reset();
  const std::string context = "table file " + std::to_string(file_number) + ": ";
  if (file_size < Footer::kEncodedLength) {
    return Status::Corruption(context + "file of " + std::to_string(file_size) +
                              " bytes is too short to be a table");
  }
  const uint64_t footer_offset = file_size - Footer::kEncodedLength;
  char footer_space[Footer::kEncodedLength];
  std::string_view footer_bytes;
  STRATA_RETURN_IF_ERROR(
      file->Read(footer_offset, Footer::kEncodedLength, &footer_bytes, footer_space));
  Footer footer;
  STRATA_RETURN_IF_ERROR(footer.DecodeFrom(footer_bytes));
  if (!HandleWithin(footer.index_handle, footer_offset)) {
    return Status::Corruption("the footer's index handle points outside the file");
  }
  BlockContents contents;
  STRATA_RETURN_IF_ERROR(ReadBlock(file.get(), footer.index_handle, true, &contents));
  std::unique_ptr<TableSalvageIterator> it(new TableSalvageIterator());
  it->index_ = std::make_unique<Block>(std::move(contents));
  if (!it->index_->well_formed()) return Status::Corruption("index block is malformed");

  // Data blocks come before the filter, index and properties blocks.
  it->data_end_ = std::min(footer_offset, footer.index_handle.offset());
  if (HandleWithin(footer.properties_handle, footer_offset)) {
    it->data_end_ = std::min(it->data_end_, footer.properties_handle.offset());
    if (ReadBlock(file.get(), footer.properties_handle, true, &contents).ok()) {
      Block properties_block(std::move(contents));
      TableProperties properties;
      if (properties.DecodeFrom(properties_block).ok()) {
        it->entries_expected_ = properties.num_entries;
        it->range_deletions_ = std::move(properties.range_deletions);
      }
    }
  }
  if (footer.filter_handle.size() > 0) {
    it->data_end_ = std::min(it->data_end_, footer.filter_handle.offset());
  }
  it->file_ = std::move(file);
  it->index_iter_ = it->index_->NewIterator(BlockKeyOrder::kInternalKey);
  *out = std::move(it);
  return Status::OK();
}

bool TableSalvageIterator::NextBlock() {
  if (!status_.ok()) return false;
  if (!started_) {
    started_ = true;
    index_iter_->SeekToFirst();
  } else {
    index_iter_->Next();
  }
  for (; index_iter_->Valid(); index_iter_->Next()) {
    BlockHandle handle;
    std::string_view encoded = index_iter_->value();
    if (!handle.DecodeFrom(&encoded).ok() || !HandleWithin(handle, data_end_)) {
      ++blocks_dropped_;
      continue;
    }
    BlockContents contents;
    Status s = ReadBlock(file_.get(), handle, true, &contents);
    if (s.IsIOError()) {
      status_ = s;
      return false;
    }
    if (s.ok()) {
      Block block(std::move(contents));
      if (ParseBlock(block)) {
        ++blocks_kept_;
        last_kept_ = entries_.back().first;
        return true;
      }
    }
    ++blocks_dropped_;
  }
  if (!index_iter_->status().ok()) {
    index_damage_ = "index unreadable past block " +
                    std::to_string(blocks_kept_ + blocks_dropped_) + ": " +
                    index_iter_->status().message();
  }
  entries_.clear();
  return false;
}

bool TableSalvageIterator::ParseBlock(const Block& block) {
  entries_.clear();
  if (!block.well_formed()) return false;
  auto it = block.NewIterator(BlockKeyOrder::kInternalKey);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    ParsedInternalKey parsed;
    const std::string_view previous =
        entries_.empty() ? std::string_view(last_kept_) : std::string_view(entries_.back().first);
    if (!ParseInternalKey(it->key(), &parsed) ||
        (!previous.empty() && CompareInternalKeys(previous, it->key()) >= 0)) {
      return false;
    }
    entries_.emplace_back(std::string(it->key()), std::string(it->value()));
  }
  return it->status().ok() && !entries_.empty();
}

}  // namespace strata
