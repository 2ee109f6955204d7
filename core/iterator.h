// InternalIterator: the one cursor interface over sorted (key, value) pairs
// inside the engine: a memtable, a block, a table, a level, a merge of them.
//
// Keys are internal keys (core/dbformat.h) except for iterators over a block's
// raw entries, where they are whatever the block stores.
//
// Lifetimes: key() and value() are valid until the next call that moves the
// iterator. An iterator keeps alive what it reads (it holds references, see
// each implementation), so it may outlive the object that created it only
// where that implementation says so.
//
// Thread safety: one thread at a time.
#pragma once

#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace strata {

class InternalIterator {
 public:
  InternalIterator() = default;
  InternalIterator(const InternalIterator&) = delete;
  InternalIterator& operator=(const InternalIterator&) = delete;
  virtual ~InternalIterator();

  virtual bool Valid() const = 0;
  virtual void SeekToFirst() = 0;
  virtual void SeekToLast() = 0;
  // Positions at the first entry with key >= target.
  virtual void Seek(std::string_view target) = 0;
  // REQUIRES: Valid().
  virtual void Next() = 0;
  // REQUIRES: Valid().
  virtual void Prev() = 0;
  // REQUIRES: Valid().
  virtual std::string_view key() const = 0;
  // REQUIRES: Valid().
  virtual std::string_view value() const = 0;
  // A failure seen while reading (a bad block checksum, an I/O error). An
  // iterator that failed is not Valid().
  virtual Status status() const = 0;

  // Runs fn when the iterator is destroyed: used to release pins (a cache
  // entry, a table reader, a memtable) that the iterator reads from.
  void RegisterCleanup(std::function<void()> fn) { cleanups_.push_back(std::move(fn)); }

 private:
  std::vector<std::function<void()>> cleanups_;
};

// An iterator over nothing, optionally carrying an error.
std::unique_ptr<InternalIterator> NewEmptyIterator(Status status = Status::OK());

}  // namespace strata
