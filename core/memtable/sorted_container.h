// SortedContainer: the pluggable ordered set behind a MemTable.
//
// A container orders opaque entries. An entry is a record the MemTable
// encodes into its Arena (EncodeEntry below):
//
//   internal_key_length : varint32
//   internal_key        : user key + 8-byte trailer (core/dbformat.h)
//   value_length        : varint32
//   value               : bytes
//
// Entries are ordered by their internal keys with CompareInternalKeys, so for
// one user key the newest version comes first. The container never copies,
// frees or interprets an entry beyond reading its internal key; it stores the
// pointer. Three implementations exist, chosen by Options::memtable:
//   kSkipList     (skip_list.h)      lock-free reads; the default.
//   kRedBlackTree (red_black_tree.h) shallow rebalancing; meant for
//                                    write-heavy use.
//   kAvlTree      (avl_tree.h)       strictly balanced, shorter searches;
//                                    meant for read-heavy use.
//
// Thread safety (every implementation): Insert REQUIRES external
// synchronisation among writers (one writer at a time), but any number of
// readers (LowerBound, cursors) may run concurrently with that writer and
// with each other. A reader sees every entry whose Insert returned before the
// read began, may or may not see entries being inserted meanwhile, and never
// sees the entries out of order.
//
// Ownership: a container allocates its nodes in the Arena it was given and
// never frees them; the Arena must outlive the container, and the entries
// must outlive both (in practice they live in the same Arena). The fast path
// lets the container place an entry itself: AllocateEntry returns the memory
// to encode it into, next to the node that will hold it (one allocation, and
// one cache line less to fetch per step of a search).
#pragma once

#include <atomic>
#include <cassert>
#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string_view>

#include "core/arena.h"
#include "core/coding.h"
#include "core/dbformat.h"
#include "core/options.h"
#include "core/thread_annotations.h"

namespace strata {

class SortedContainer {
 public:
  // A position in the container. Cursors are cheap to keep between calls: a
  // positioned cursor holds a pointer to a node, and nodes are never freed
  // while the container lives.
  //
  // Thread safety: one thread at a time per cursor; many cursors may be used
  // concurrently with each other and with the writer.
  // Lifetime: must not outlive its container. entry() stays valid as long as
  // the container's Arena, independently of the cursor's later moves.
  class Cursor {
   public:
    Cursor() = default;
    Cursor(const Cursor&) = delete;
    Cursor& operator=(const Cursor&) = delete;
    virtual ~Cursor();

    // A new cursor is not Valid() until positioned.
    virtual bool Valid() const = 0;
    // REQUIRES: Valid().
    virtual const char* entry() const = 0;
    // Moves to the next entry in the container's order, which may be one
    // inserted after the cursor was positioned. REQUIRES: Valid().
    virtual void Next() = 0;
    // Moves to the last entry ordered before the current one.
    // REQUIRES: Valid().
    virtual void Prev() = 0;
    // Positions at the first entry whose internal key is >= internal_key.
    // REQUIRES: internal_key is an internal key (at least 8 bytes).
    virtual void Seek(std::string_view internal_key) = 0;
    virtual void SeekToFirst() = 0;
    virtual void SeekToLast() = 0;
  };

  SortedContainer() = default;
  SortedContainer(const SortedContainer&) = delete;
  SortedContainer& operator=(const SortedContainer&) = delete;
  virtual ~SortedContainer();

  // Memory for one entry of `bytes` bytes, to be encoded (EncodeEntryInto)
  // and then linked: by Insert right away, or by InsertAllocated at any later
  // time (recovery allocates every entry of a log first and links them in
  // sorted order). Valid for the container's life.
  // REQUIRES: one writer at a time.
  virtual char* AllocateEntry(size_t bytes) = 0;

  // Links an entry that AllocateEntry returned and that is not linked yet.
  // REQUIRES: one writer at a time; the entry is encoded; as for Insert, no
  // equal internal key is present.
  virtual void InsertAllocated(const char* entry) = 0;

  // Adds `entry` (encoded as above). An entry not obtained from the latest
  // AllocateEntry is copied into the container's own memory first, so the
  // entries cursors hand out may be copies of what was passed in.
  // REQUIRES: one writer at a time; no entry with an equal internal key was
  // inserted before (a memtable never writes one sequence number twice).
  virtual void Insert(const char* entry) = 0;

  // The first entry whose internal key is >= internal_key, or nullptr. The
  // same as positioning a cursor with Seek, without allocating one: it is the
  // point-lookup path of MemTable::Get.
  // REQUIRES: internal_key is an internal key (at least 8 bytes).
  virtual const char* LowerBound(std::string_view internal_key) const = 0;

  // A new, unpositioned cursor. The caller owns it.
  virtual std::unique_ptr<Cursor> NewCursor() const = 0;
};

// Creates the container of the given kind, allocating its nodes in `arena`.
// REQUIRES: arena outlives the container.
std::unique_ptr<SortedContainer> NewSortedContainer(MemTableKind kind, Arena* arena);

// ---- For the tree implementations.

// The reader/writer lock of RedBlackTree and AvlTree: a std::shared_mutex
// that does not let readers starve the writer.
//
// Why: libstdc++'s std::shared_mutex is a glibc rwlock, which prefers
// readers: a reader is admitted even while the writer waits. Tree cursors
// take the lock once per step, so one scanning reader re-takes it within
// nanoseconds of releasing it, and the writer can wait for long stretches;
// measured on 20,000 inserts, one concurrent scan made them about 150 times
// slower. Here a waiting writer raises a flag, and readers that see it queue
// on a mutex the writer holds (blocking, not spinning) instead of
// overtaking it. Readers already inside finish their one step, so the writer
// waits at most for those. A reader that misses the flag just gets in first,
// which is harmless. With no writer about, a reader pays one relaxed load
// on top of the shared lock.
//
// Meets the Lockable and SharedLockable requirements; the trees hold it
// through WriterMutexLock and ReaderMutexLock below, which the thread-safety
// analysis follows (std::unique_lock and std::shared_lock carry no
// annotations). Not recursive in either mode: a thread that holds it shared
// must not lock it again (it could queue behind the writer that waits for
// it).
class CAPABILITY("mutex") WriterPriorityMutex {
 public:
  void lock() ACQUIRE() {
    writer_waiting_.store(true, std::memory_order_relaxed);
    turnstile_.lock();
    shared_.lock();
  }
  void unlock() RELEASE() {
    shared_.unlock();
    writer_waiting_.store(false, std::memory_order_relaxed);
    turnstile_.unlock();
  }
  void lock_shared() ACQUIRE_SHARED() {
    if (writer_waiting_.load(std::memory_order_relaxed)) {
      // Wait for the writer's turn to end rather than overtaking it.
      std::lock_guard<std::mutex> queue_behind_writer(turnstile_);
    }
    shared_.lock_shared();
  }
  void unlock_shared() RELEASE_SHARED() { shared_.unlock_shared(); }

 private:
  std::shared_mutex shared_;
  // Held by the writer from before it waits for shared_ until it is done.
  std::mutex turnstile_;
  // Only a hint for readers: correctness rests on shared_ alone.
  std::atomic<bool> writer_waiting_{false};
};

// Holds a WriterPriorityMutex exclusively for a scope.
class SCOPED_CAPABILITY WriterMutexLock {
 public:
  explicit WriterMutexLock(WriterPriorityMutex& mu) ACQUIRE(mu) : mu_(mu) { mu_.lock(); }
  ~WriterMutexLock() RELEASE() { mu_.unlock(); }
  WriterMutexLock(const WriterMutexLock&) = delete;
  WriterMutexLock& operator=(const WriterMutexLock&) = delete;

 private:
  WriterPriorityMutex& mu_;
};

// Holds a WriterPriorityMutex shared for a scope.
class SCOPED_CAPABILITY ReaderMutexLock {
 public:
  explicit ReaderMutexLock(WriterPriorityMutex& mu) ACQUIRE_SHARED(mu) : mu_(mu) {
    mu_.lock_shared();
  }
  ~ReaderMutexLock() RELEASE() { mu_.unlock_shared(); }
  ReaderMutexLock(const ReaderMutexLock&) = delete;
  ReaderMutexLock& operator=(const ReaderMutexLock&) = delete;

 private:
  WriterPriorityMutex& mu_;
};

// ---- The entry encoding.

// Encodes an entry for (user_key, seq, kind) -> value into memory taken from
// `arena` and returns it. Tombstones carry an empty value.
// REQUIRES: user_key.size() + 8 and value.size() each fit in a uint32_t
// (the C ABI rejects longer keys and values before they get here).
const char* EncodeEntry(Arena* arena, std::string_view user_key, SequenceNumber seq,
                        ValueKind kind, std::string_view value);

// The bytes EncodeEntry would use for these fields.
size_t EncodedEntrySize(std::string_view user_key, std::string_view value);
// Encodes the entry into `buffer`, which holds EncodedEntrySize bytes.
void EncodeEntryInto(char* buffer, std::string_view user_key, SequenceNumber seq, ValueKind kind,
                     std::string_view value);
// The bytes an encoded entry occupies.
size_t EntrySize(const char* entry);

namespace entry_internal {
// Reads a varint32 that is known to be well formed (the entry was encoded by
// EncodeEntry). Lengths under 128 take the one-byte path, which is the common
// case for keys; comparisons call this on every step of a search.
inline const char* DecodeLength(const char* p, uint32_t* length) {
  unsigned char first = static_cast<unsigned char>(*p);
  if (first < 0x80) {
    *length = first;
    return p + 1;
  }
  // A varint32 is at most 5 bytes and decoding stops at its last byte, so the
  // limit never lets the decoder read past the entry.
  const char* next = DecodeVarint32(p, p + 5, length);
  assert(next != nullptr);
  return next;
}
}  // namespace entry_internal

// The internal key of an entry.
inline std::string_view EntryInternalKey(const char* entry) {
  uint32_t key_length;
  const char* key = entry_internal::DecodeLength(entry, &key_length);
  return std::string_view(key, key_length);
}

struct DecodedEntry {
  std::string_view internal_key;
  std::string_view value;
};

// The internal key and value of an entry; both point into the entry.
inline DecodedEntry DecodeEntry(const char* entry) {
  DecodedEntry out;
  out.internal_key = EntryInternalKey(entry);
  uint32_t value_length;
  const char* value = entry_internal::DecodeLength(
      out.internal_key.data() + out.internal_key.size(), &value_length);
  out.value = std::string_view(value, value_length);
  return out;
}

// Orders an entry against an internal key: <0, 0, >0 as the entry's key is
// before, equal to or after `internal_key`.
inline int CompareEntryToKey(const char* entry, std::string_view internal_key) {
  return CompareInternalKeys(EntryInternalKey(entry), internal_key);
}

}  // namespace strata
