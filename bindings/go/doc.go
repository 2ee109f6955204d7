// Package strata is the Go binding of strata, an embeddable ordered
// key-value store (a log-structured merge tree) behind a stable C ABI.
//
// Its shape follows Pebble: Open returns a *DB with Put, Get, Delete and
// Close; a Batch applies puts and deletes atomically; an Iterator is a
// cursor with First, Last, Next, Prev, SeekGE, SeekLT, Key and Value; a
// Snapshot pins a point in time. Range-over-func forms (DB.All, DB.Backward,
// DB.Prefix) yield KV entries for use with for ... range.
//
//	db, err := strata.Open("/tmp/db", nil)
//	if err != nil { ... }
//	defer db.Close()
//	err = db.Put([]byte("apple"), []byte("red"), nil)
//	v, err := db.Get([]byte("apple"))
//	if errors.Is(err, strata.ErrNotFound) { ... }
//
// # Errors
//
// Failures are *Error values carrying strata's status code and message.
// Match them with errors.Is against the sentinels: ErrNotFound,
// ErrInvalidArgument, ErrIO, ErrCorruption, ErrBusy, ErrNoMemory,
// ErrNotSupported, ErrInternal, and ErrClosed for a handle used after Close.
//
// # What is safe concurrently, and what must be closed
//
// A DB and a Snapshot may be used by many goroutines at once. A Batch and an
// Iterator belong to one goroutine at a time. DB, Batch, Iterator and
// Snapshot hold C resources and must be closed; each has a finalizer that
// frees a forgotten one, but only as a safety net (a forgotten DB keeps its
// directory locked until the garbage collector gets to it). Closing a DB
// closes the iterators and snapshots still open on it, so the directory is
// free when Close returns; using them afterwards returns ErrClosed.
//
// # Memory
//
// Slices passed in are read during the call only and never retained, by Go
// or by C: they may be reused as soon as the call returns. Values returned
// by Get, MultiGet and the range forms are the caller's own. An Iterator's
// Key and Value are valid until its next move (see Iterator).
//
// # Cost of a call
//
// Every operation is one crossing into C (Get too, for values up to 4 KiB),
// under 0.1 µs on top of strata's own work. Batch and MultiGet pay it once
// for many keys; an Iterator pays it once per move.
//
// # Linking
//
// The package links libstrata through pkg-config (#cgo pkg-config: strata),
// or links libstrata.a in with the build tag strata_static (pkg-config's
// strata-static). Against a strata installed with cmake --install or the
// Debian packages nothing needs setting (a prefix other than /usr and
// /usr/local needs PKG_CONFIG_PATH; its strata.pc sets an rpath). Against a
// build tree:
//
//	export PKG_CONFIG_PATH=$STRATA_BUILD_DIR/pkgconfig-uninstalled
//
// whose strata.pc also sets an rpath to the build tree, so test binaries and
// programs find libstrata.so there without LD_LIBRARY_PATH. docs/GO.md in the
// strata repository says more.
package strata
