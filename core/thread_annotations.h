// Clang's thread-safety annotations, so that lock discipline is checked by
// the compiler (-Wthread-safety; scripts/check-thread-safety.sh runs it in
// CI) rather than stated in comments. With any other compiler every macro
// expands to nothing and changes no code.
//
// How they read in this code base:
//   Mutex mu_;                      a capability (core/mutex.h)
//   int n_ GUARDED_BY(mu_);         reading or writing n_ needs mu_ held
//   void F() REQUIRES(mu_);         the caller holds mu_ (F may drop it
//                                   for a while, but holds it on return)
//   void G() EXCLUDES(mu_);         G takes mu_ itself; calling it with
//                                   mu_ held would deadlock
// The analysis is per function and sees only what the annotations say; a
// function it cannot follow (a lock handed across an interface it does not
// model) is marked NO_THREAD_SAFETY_ANALYSIS with a comment saying why.
// Reference: https://clang.llvm.org/docs/ThreadSafetyAnalysis.html
#pragma once

#if defined(__clang__)
#define STRATA_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define STRATA_THREAD_ANNOTATION(x)
#endif

// On a class: its objects are locks ("mutex" names the kind in warnings).
#define CAPABILITY(x) STRATA_THREAD_ANNOTATION(capability(x))
// On a class: an RAII holder that takes a capability in its constructor and
// gives it back in its destructor.
#define SCOPED_CAPABILITY STRATA_THREAD_ANNOTATION(scoped_lockable)

// On a data member: accessed only with the capability held.
#define GUARDED_BY(x) STRATA_THREAD_ANNOTATION(guarded_by(x))
// On a pointer member: the data it points to is accessed only with it held.
#define PT_GUARDED_BY(x) STRATA_THREAD_ANNOTATION(pt_guarded_by(x))

// On a function: the caller must hold (exclusively / at least shared) ...
#define REQUIRES(...) STRATA_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define REQUIRES_SHARED(...) STRATA_THREAD_ANNOTATION(requires_shared_capability(__VA_ARGS__))
// ... must not hold, because the function takes it itself.
#define EXCLUDES(...) STRATA_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))

// On a function: it takes / gives back the capability (exclusive or shared).
// With no argument on a capability's own method, the object itself.
#define ACQUIRE(...) STRATA_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define ACQUIRE_SHARED(...) STRATA_THREAD_ANNOTATION(acquire_shared_capability(__VA_ARGS__))
#define RELEASE(...) STRATA_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define RELEASE_SHARED(...) STRATA_THREAD_ANNOTATION(release_shared_capability(__VA_ARGS__))
// On a function that tells the analysis a capability is held (checked at
// run time, if at all, by the function itself).
#define ASSERT_CAPABILITY(x) STRATA_THREAD_ANNOTATION(assert_capability(x))
// On a function returning a reference to a capability.
#define RETURN_CAPABILITY(x) STRATA_THREAD_ANNOTATION(lock_returned(x))

// Turns the analysis off for one function; every use says why.
#define NO_THREAD_SAFETY_ANALYSIS STRATA_THREAD_ANNOTATION(no_thread_safety_analysis)
