// SuperVersionSlots: each reading thread's own reference to the current
// SuperVersion, and to the table readers it used last, so that a point read
// writes no cache line that other cores' reads write too.
//
// A read that loads the SuperVersion from the database's
// std::atomic<std::shared_ptr> writes its reference count (and, in
// libstdc++, a lock bit beside the pointer); one that asks the table cache
// for a reader takes its mutex, moves the table to the front of its LRU list
// and copies a shared_ptr. On two cores with eight reading threads those
// lines bounce between the cores on every read. Here a thread borrows a
// slot of its own instead (RocksDB keeps its SuperVersion per thread for the
// same reason): the slot's Held state is the thread's until it gives it back,
// and it stays valid until the database publishes a new SuperVersion.
//
// Protocol (one atomic word per slot, on a cache line of its own):
// - Acquire swaps the slot's pointer for the in-use marker (InUse()). A
//   Held state found there is current (below) and the caller's alone; an
//   empty slot is filled from `load`; a slot already in use (two threads
//   sharing one of the 64 slots, at the same moment) yields an empty Lease,
//   and the caller reads the slow way.
// - The Lease's destructor puts the state back with a compare-and-swap from
//   the marker. If the swap fails, Invalidate ran meanwhile: the state is
//   stale and is dropped.
// - Invalidate, called after every publication of a new SuperVersion and
//   before any write that only the new one shows is visible, empties every
//   slot, dropping what it held (a slot in use is emptied too; its lease
//   drops the state on return). So a slot never holds a SuperVersion older
//   than the current one once a reader can see a sequence number that needs
//   the new one; a reader that loads its sequence number before Acquire
//   (DB::Get) therefore always reads a SuperVersion with everything up to
//   that number.
//
// The readers a Held state keeps are of tables in its SuperVersion's
// version, at most kTables of them; they go with the state at the next
// Invalidate. These are held open beside the table cache's own bound:
// at most kTables per slot in use.
//
// Thread safety: Acquire, Gets and Invalidate are safe from any thread; a
// Lease (and the Held it gives) is used by the thread that acquired it.
// Lifetime: Invalidate (or destruction) drops every held reader; the
// database calls it before closing its table cache.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "core/db/super_version.h"

namespace strata {

class TableReader;

class SuperVersionSlots {
 public:
  static constexpr size_t kSlots = 64;
  static constexpr size_t kTables = 8;

  // What a thread keeps between its reads.
  struct Held {
    std::shared_ptr<const SuperVersion> sv;
    struct Table {
      uint64_t number = 0;
      std::shared_ptr<TableReader> reader;  // null: an unused entry
    };
    // Direct-mapped by table number.
    std::array<Table, kTables> tables;

    // The reader of table `number` kept here, or null.
    TableReader* FindTable(uint64_t number) const {
      const Table& t = tables[number % kTables];
      return t.reader != nullptr && t.number == number ? t.reader.get() : nullptr;
    }
    void KeepTable(uint64_t number, std::shared_ptr<TableReader> reader) {
      tables[number % kTables] = Table{number, std::move(reader)};
    }
  };

  // A slot borrowed by one thread; gives the state back when destroyed.
  class Lease {
   public:
    Lease() = default;
    Lease(Lease&& o) noexcept : word_(o.word_), gets_(o.gets_), held_(o.held_) {
      o.held_ = nullptr;
    }
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (held_ != nullptr) Return();
    }

    explicit operator bool() const { return held_ != nullptr; }
    Held* get() const { return held_; }
    Held* operator->() const { return held_; }
    // Counts one point read in this slot's counter (see Gets).
    void CountGet() const { gets_->fetch_add(1, std::memory_order_relaxed); }

   private:
    friend class SuperVersionSlots;
    Lease(std::atomic<Held*>* word, std::atomic<uint64_t>* gets, Held* held)
        : word_(word), gets_(gets), held_(held) {}
    void Return();

    std::atomic<Held*>* word_ = nullptr;
    std::atomic<uint64_t>* gets_ = nullptr;
    Held* held_ = nullptr;
  };

  SuperVersionSlots() = default;
  ~SuperVersionSlots() { Invalidate(); }
  SuperVersionSlots(const SuperVersionSlots&) = delete;
  SuperVersionSlots& operator=(const SuperVersionSlots&) = delete;

  // The calling thread's slot; `load()` returns the current SuperVersion
  // (std::shared_ptr<const SuperVersion>) and is called only when the slot
  // is empty. An empty Lease when another thread has the slot.
  template <typename Load>
  Lease Acquire(Load&& load);

  // Empties every slot, dropping what each held (see the protocol above).
  void Invalidate();

  // The point reads counted through CountGet, over all slots.
  uint64_t Gets() const;

 private:
  struct alignas(64) Slot {
    std::atomic<Held*> held{nullptr};
    std::atomic<uint64_t> gets{0};  // added to by the slot's holder only
  };
  // The marker of a slot in use: an address no Held can have.
  static Held* InUse() { return reinterpret_cast<Held*>(&in_use_marker_); }
  static size_t ThisThreadSlot();

  static inline char in_use_marker_ = 0;
  std::array<Slot, kSlots> slots_;
};

template <typename Load>
SuperVersionSlots::Lease SuperVersionSlots::Acquire(Load&& load) {
  Slot& slot = slots_[ThisThreadSlot()];
  Held* held = slot.held.exchange(InUse(), std::memory_order_acq_rel);
  if (held == InUse()) return Lease();
  if (held == nullptr) {
    // An exception here leaves the slot marked in use; put it back first.
    try {
      held = new Held;
      held->sv = load();
    } catch (...) {
      delete held;
      slot.held.store(nullptr, std::memory_order_release);
      throw;
    }
  }
  return Lease(&slot.held, &slot.gets, held);
}

}  // namespace strata
