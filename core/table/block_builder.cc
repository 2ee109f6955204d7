#include "core/table/block_builder.h"

#include <algorithm>
#include <cassert>

#include "core/coding.h"

namespace strata {

BlockBuilder::BlockBuilder(int restart_interval)
    : restart_interval_(std::max(restart_interval, 1)) {
  restarts_.push_back(0);
}

void BlockBuilder::Reset() {
  buffer_.clear();
  restarts_.clear();
  restarts_.push_back(0);
  since_restart_ = 0;
  num_entries_ = 0;
  finished_ = false;
  last_key_.clear();
}

void BlockBuilder::Add(std::string_view key, std::string_view value) {
  assert(!finished_);
  const size_t shared = SharedPrefix(key);
  if (AtRestart()) {
    restarts_.push_back(static_cast<uint32_t>(buffer_.size()));
    since_restart_ = 0;
  }
  const size_t unshared = key.size() - shared;

  char header[15];
  char* p = EncodeVarint32(header, static_cast<uint32_t>(shared));
  p = EncodeVarint32(p, static_cast<uint32_t>(unshared));
  p = EncodeVarint32(p, static_cast<uint32_t>(value.size()));
  buffer_.append(header, static_cast<size_t>(p - header));
  buffer_.append(key.data() + shared, unshared);
  buffer_.append(value.data(), value.size());

  last_key_.resize(shared);
  last_key_.append(key.data() + shared, unshared);
  ++since_restart_;
  ++num_entries_;
}

std::string_view BlockBuilder::Finish() {
  if (!finished_) {
    for (uint32_t r : restarts_) PutFixed32(&buffer_, r);
    PutFixed32(&buffer_, static_cast<uint32_t>(restarts_.size()));
    finished_ = true;
  }
  return buffer_;
}

size_t BlockBuilder::SharedPrefix(std::string_view key) const {
  if (AtRestart()) return 0;
  const size_t limit = std::min(last_key_.size(), key.size());
  size_t shared = 0;
  while (shared < limit && last_key_[shared] == key[shared]) ++shared;
  return shared;
}

size_t BlockBuilder::SizeEstimateAfter(std::string_view key, std::string_view value) const {
  assert(!finished_);
  const size_t shared = SharedPrefix(key);
  const size_t unshared = key.size() - shared;
  const size_t restarts = restarts_.size() + (AtRestart() ? 1 : 0);
  return buffer_.size() + VarintLength(shared) + VarintLength(unshared) +
         VarintLength(value.size()) + unshared + value.size() + (restarts + 1) * sizeof(uint32_t);
}

size_t BlockBuilder::CurrentSizeEstimate() const {
  if (finished_) return buffer_.size();
  return buffer_.size() + restarts_.size() * sizeof(uint32_t) + sizeof(uint32_t);
}

}  // namespace strata
