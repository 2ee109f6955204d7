package stratabench

// Hooks that cross into C without going through the binding, so that the
// benchmarks can separate cgo's own per-call cost from what the binding adds
// on top. They live here, not in the binding, because they are only useful
// for measuring (a _test.go file cannot use cgo).

/*
#cgo pkg-config: strata
#include "strata/kv.h"

// Does nothing: a call to it is a bare Go -> C -> Go crossing.
static void sb_empty(void) {}
*/
import "C"

// EmptyCall crosses into a C function of this package that does nothing and
// returns: the cost of cgo itself, with no shared-library call.
func EmptyCall() { C.sb_empty() }

// VersionCall calls kv_version, the cheapest function libstrata exports (it
// returns a pointer to a static string), and discards the result: a crossing
// plus a call through the shared library's PLT, with no Go-side work.
func VersionCall() { C.kv_version() }
