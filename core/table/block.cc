#include "core/table/block.h"

#include <cassert>

#include "core/coding.h"
#include "core/dbformat.h"

namespace strata {

Block::Block(BlockContents contents) : owned_(std::move(contents.data)), data_(owned_) {
  ParseRestarts();
}

Block::Block(std::string_view borrowed) : data_(borrowed) { ParseRestarts(); }

void Block::ParseRestarts() {
  // Offsets inside a block are 32-bit; the last value is the malformed marker.
  if (data_.size() < sizeof(uint32_t) || data_.size() >= kMalformed) return;
  const uint64_t count = DecodeFixed32(data_.data() + data_.size() - sizeof(uint32_t));
  const uint64_t max_count = (data_.size() - sizeof(uint32_t)) / sizeof(uint32_t);
  // Even an empty block has the restart point 0.
  if (count == 0 || count > max_count) return;
  num_restarts_ = static_cast<uint32_t>(count);
  restarts_offset_ =
      static_cast<uint32_t>(data_.size() - sizeof(uint32_t) - count * sizeof(uint32_t));
}

std::unique_ptr<InternalIterator> Block::NewIterator(BlockKeyOrder order) const {
  if (!well_formed()) {
    return NewEmptyIterator(Status::Corruption(
        "block: bad restart array in a block of " + std::to_string(data_.size()) + " bytes"));
  }
  return std::make_unique<BlockIterator>(*this, order);
}

}  // namespace strata
