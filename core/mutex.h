// Mutex, MutexLock and CondVar: std::mutex, a scoped lock and
// std::condition_variable with Clang's thread-safety annotations
// (core/thread_annotations.h). libstdc++'s own types carry none, so members
// marked GUARDED_BY a std::mutex would be checked against nothing.
//
// Mutex is a plain exclusive lock, not recursive. MutexLock holds it for a
// scope and may drop it and take it again within that scope (unlock() /
// lock(), as std::unique_lock), which the analysis follows. A function that
// runs with the lock held and drops it for I/O is annotated REQUIRES(mu) and
// calls mu.unlock() / mu.lock() itself, in balanced pairs: the analysis
// checks that it holds the lock again on every return.
//
// CondVar waits release the mutex while blocked and hold it again on
// return, as std::condition_variable; spurious wake-ups happen, so callers
// wait in a loop on their condition or pass it as a predicate. Waits take
// the Mutex, not a MutexLock, so that they serve both under a MutexLock and
// in REQUIRES functions.
//
// Exceptions: a function that drops the mutex with mu.unlock() must not
// let an exception escape before mu.lock(), or its caller's MutexLock would
// unlock a mutex it no longer holds. The engine's unlocked stretches are
// I/O returning Status; only allocation failure could throw there.
//
// Thread safety: all three are as safe as the std types they wrap; a
// MutexLock belongs to the thread that made it. Ownership: a MutexLock
// borrows its Mutex, which must outlive it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <utility>

#include "core/thread_annotations.h"

namespace strata {

class CondVar;

class CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void lock() ACQUIRE() { mu_.lock(); }
  void unlock() RELEASE() { mu_.unlock(); }

 private:
  friend class CondVar;
  std::mutex mu_;
};

class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mu) ACQUIRE(mu) : mu_(&mu) { mu_->lock(); }
  ~MutexLock() RELEASE() {
    if (held_) mu_->unlock();
  }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

  // REQUIRES: not held by this MutexLock (it did unlock()).
  void lock() ACQUIRE() {
    mu_->lock();
    held_ = true;
  }
  // REQUIRES: held by this MutexLock.
  void unlock() RELEASE() {
    held_ = false;
    mu_->unlock();
  }

 private:
  Mutex* const mu_;
  bool held_ = true;
};

class CondVar {
 public:
  CondVar() = default;
  CondVar(const CondVar&) = delete;
  CondVar& operator=(const CondVar&) = delete;

  // Blocks until notified (or a spurious wake-up).
  void Wait(Mutex* mu) REQUIRES(mu) {
    std::unique_lock<std::mutex> lock(mu->mu_, std::adopt_lock);
    cv_.wait(lock);
    lock.release();  // the caller's lock, held again: not ours to unlock
  }
  // As Wait, but returns false once `deadline` has passed.
  template <class Clock, class Duration>
  bool WaitUntil(Mutex* mu, const std::chrono::time_point<Clock, Duration>& deadline)
      REQUIRES(mu) {
    std::unique_lock<std::mutex> lock(mu->mu_, std::adopt_lock);
    const bool notified = cv_.wait_until(lock, deadline) == std::cv_status::no_timeout;
    lock.release();
    return notified;
  }
  // As Wait, but returns false once `timeout` has passed.
  template <class Rep, class Period>
  bool WaitFor(Mutex* mu, const std::chrono::duration<Rep, Period>& timeout) REQUIRES(mu) {
    return WaitUntil(mu, std::chrono::steady_clock::now() + timeout);
  }

  // The same waits, until `ready()` is true (checked with mu held, first
  // before any wait); WaitUntil and WaitFor return ready() at the end. The
  // analysis cannot tell that `mu` is the capability a predicate needs, so
  // it is off inside these three; callers annotate the predicate
  // REQUIRES(mu_), which gets its body checked, and the call checks that mu
  // is held.
  template <class Predicate>
  void Wait(Mutex* mu, Predicate ready) REQUIRES(mu) NO_THREAD_SAFETY_ANALYSIS {
    while (!ready()) Wait(mu);
  }
  template <class Clock, class Duration, class Predicate>
  bool WaitUntil(Mutex* mu, const std::chrono::time_point<Clock, Duration>& deadline,
                 Predicate ready) REQUIRES(mu) NO_THREAD_SAFETY_ANALYSIS {
    while (!ready()) {
      if (!WaitUntil(mu, deadline)) return ready();
    }
    return true;
  }
  template <class Rep, class Period, class Predicate>
  bool WaitFor(Mutex* mu, const std::chrono::duration<Rep, Period>& timeout, Predicate ready)
      REQUIRES(mu) NO_THREAD_SAFETY_ANALYSIS {
    return WaitUntil(mu, std::chrono::steady_clock::now() + timeout, std::move(ready));
  }

  void notify_one() noexcept { cv_.notify_one(); }
  void notify_all() noexcept { cv_.notify_all(); }

 private:
  std::condition_variable cv_;
};

}  // namespace strata
