/*
 * strata/kv.h — the C interface to strata, an embeddable ordered key-value
 * store (a log-structured merge tree).
 *
 * This is strata's only public header and its stable ABI. Names here are
 * added, never renamed or renumbered.
 *
 * Conventions
 *  1. Every function that can fail returns an int status: KV_OK (0), one of
 *     the ordinary results KV_NOT_FOUND and KV_END, or a negative error code.
 *     After any call that returns an error, kv_last_error() gives a message
 *     for the calling thread; it stays valid until that thread's next call
 *     into strata.
 *  2. Handles are opaque. Constructors write the new handle through an out
 *     parameter (set to NULL on failure). Destructors that return void
 *     (kv_options_free, kv_batch_free, kv_iter_free, kv_free) accept NULL.
 *  3. Input pointers (keys, values, paths, option strings) are borrowed for
 *     the duration of the call only; strata copies what it keeps. A key or
 *     value pointer may be NULL when its length is 0.
 *  4. Memory that strata hands out (kv_get's value, kv_property's string) is
 *     owned by the caller and released with kv_free. Pointers that
 *     kv_iter_next hands out are borrowed: valid until the next call on that
 *     iterator or its kv_iter_free.
 *  5. Keys and values are arbitrary bytes: NUL bytes are allowed and an empty
 *     value is a value, distinct from an absent key. Keys order bytewise
 *     (memcmp, shorter first on a tie). Keys are at most KV_MAX_KEY_LEN bytes
 *     and values at most KV_MAX_VALUE_LEN bytes.
 *  6. Thread safety: a kv_db may be used from many threads at once. A
 *     kv_options, kv_batch or kv_iter belongs to one thread at a time.
 *  7. Bad input is reported, never a crash: NULL handles or pointers, over-long
 *     keys or values, unknown option names or malformed values, and a kv_db
 *     used after kv_close all return KV_INVALID_ARGUMENT with a message.
 *  8. No C++ exception crosses this interface.
 *
 * Durability (see docs/DURABILITY.md)
 *  - With the option sync=false (the default), an acknowledged write has been
 *    handed to the operating system: it survives a crash of the process, not
 *    of the machine.
 *  - With sync=true, an acknowledged write has been fsynced: it survives
 *    power loss. Concurrent writers share fsyncs (group commit).
 *  - A batch written with kv_write is applied entirely or not at all, also
 *    across crashes.
 */
#ifndef STRATA_KV_H
#define STRATA_KV_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define KV_EXPORT __attribute__((visibility("default")))
#else
#define KV_EXPORT
#endif

/* The version of this header. kv_version() gives the library's at run time. */
#define KV_VERSION_MAJOR 0
#define KV_VERSION_MINOR 3
#define KV_VERSION_PATCH 0
#define KV_VERSION_STRING "0.3.0"

/* Size limits, checked on every call that takes a key or value. */
#define KV_MAX_KEY_LEN ((size_t)65536)
#define KV_MAX_VALUE_LEN ((size_t)1 << 30)
/* A batch's encoded size (its keys and values plus a few bytes per entry)
 * may not pass this: kv_batch_put and kv_batch_delete refuse the entry that
 * would, and leave the batch as it was (added in 0.3). */
#define KV_MAX_BATCH_BYTES ((size_t)2 << 30)

/* Status codes. Never renumbered; new codes are added. */
#define KV_OK 0
#define KV_NOT_FOUND 1         /* kv_get: no such key. Not an error. */
#define KV_END 2               /* kv_iter_next: no more entries. Not an error. */
#define KV_INVALID_ARGUMENT (-1)
#define KV_IO_ERROR (-2)
#define KV_CORRUPTION (-3)
#define KV_BUSY (-4)           /* the database is open in another handle or process */
#define KV_NO_MEMORY (-5)
#define KV_NOT_SUPPORTED (-6)
#define KV_INTERNAL (-7)       /* a bug in strata; the message says what */
#define KV_CONFLICT (-8)       /* kv_txn_commit: a key was written meanwhile (added in 0.3) */
#define KV_BUFFER_TOO_SMALL 3  /* kv_get_into: the value does not fit; nothing copied.
                                  Not an error (added in 0.3, issue 16). */

typedef struct kv_options kv_options;
typedef struct kv_db kv_db;
typedef struct kv_batch kv_batch;
typedef struct kv_iter kv_iter;

/* The library's version, e.g. "0.3.0". Static storage; never freed. */
KV_EXPORT const char *kv_version(void);

/* The message of the calling thread's last failed call ("" if none). Valid
 * until this thread's next call into strata. Never NULL. */
KV_EXPORT const char *kv_last_error(void);

/* A short name for a status code, e.g. "KV_NOT_FOUND". Static storage. */
KV_EXPORT const char *kv_status_name(int status);

/* ---- Options ----------------------------------------------------------
 * An options object holds settings by name; kv_open copies it, so it may be
 * freed or changed once kv_open returns. Names (see docs/OPTIONS.md):
 *   create_if_missing   bool, default true
 *   error_if_exists     bool, default false
 *   sync                bool, default false: fsync every write
 *   memtable_bytes      size, default 64 MiB
 *   memtable            skiplist (default) | rbtree | avl
 *   block_cache_bytes   size, default 64 MiB
 *   bloom_bits_per_key  int, default 10; 0 disables bloom filters
 *   block_bytes         size, default 4096
 *   compression         none (default) | lz4 | zstd
 *   background_threads  int, default 2
 *   read_only           bool, default false: open without writing anything
 *                       (added in 0.3; see "Read-only opens" below)
 * Booleans take true/false, 1/0, yes/no, on/off. Sizes take a byte count,
 * optionally followed by K, M or G (powers of 1024).
 * An unknown name or a malformed value is KV_INVALID_ARGUMENT. */
KV_EXPORT kv_options *kv_options_new(void); /* NULL only when out of memory */
KV_EXPORT int kv_options_set(kv_options *o, const char *name, const char *value);
/* Writes the current value of option `name` as a string the caller frees with
 * kv_free. */
KV_EXPORT int kv_options_get(const kv_options *o, const char *name, char **value);
KV_EXPORT void kv_options_free(kv_options *o);

/* ---- Opening and closing ---------------------------------------------- */

/* Opens (or with create_if_missing, creates) the database in directory
 * `path`. `o` may be NULL for defaults. A database already open in another
 * handle, in this process or another, gives KV_BUSY. On failure *out is
 * NULL. */
KV_EXPORT int kv_open(const char *path, const kv_options *o, kv_db **out);

/* Closes the handle. Iterators still open keep working; the engine shuts down
 * and releases the directory once the last of them is freed. After kv_close
 * the handle takes no calls: each returns KV_INVALID_ARGUMENT (a closed handle
 * keeps a few bytes so that this can be detected). Closing twice is an error
 * too. kv_close(NULL) is KV_INVALID_ARGUMENT. */
KV_EXPORT int kv_close(kv_db *db);

/* ---- Single-key operations --------------------------------------------- */

KV_EXPORT int kv_put(kv_db *db, const void *key, size_t key_len, const void *val,
                     size_t val_len);

/* On KV_OK, *val is a new buffer of *val_len bytes (non-NULL even when the
 * value is empty) that the caller frees with kv_free. On KV_NOT_FOUND or an
 * error, *val is NULL and *val_len 0. */
KV_EXPORT int kv_get(kv_db *db, const void *key, size_t key_len, void **val,
                     size_t *val_len);

/* Frees memory strata handed out. NULL is allowed. */
KV_EXPORT void kv_free(void *p);

/* Deleting an absent key is KV_OK. */
KV_EXPORT int kv_delete(kv_db *db, const void *key, size_t key_len);

/* ---- Atomic batches -----------------------------------------------------
 * A batch collects puts and deletes in order; kv_write applies all of them or
 * none, atomically with respect to readers and to crashes. Later operations in
 * a batch win over earlier ones on the same key. A batch can be written many
 * times and reused after kv_batch_clear. */
KV_EXPORT kv_batch *kv_batch_new(void); /* NULL only when out of memory */
KV_EXPORT int kv_batch_put(kv_batch *b, const void *key, size_t key_len, const void *val,
                           size_t val_len);
KV_EXPORT int kv_batch_delete(kv_batch *b, const void *key, size_t key_len);
KV_EXPORT void kv_batch_clear(kv_batch *b);
/* Operations in the batch. */
KV_EXPORT size_t kv_batch_count(const kv_batch *b);
KV_EXPORT void kv_batch_free(kv_batch *b);
KV_EXPORT int kv_write(kv_db *db, const kv_batch *b);

/* ---- Range reads -------------------------------------------------------
 * An iterator walks keys in [start, end) in ascending order and sees the
 * database as it was when the iterator was created. start NULL (with length
 * 0) means from the first key; end NULL means to the last. A start/end of
 * length 0 with a non-NULL pointer is the empty key, a real bound. */
KV_EXPORT int kv_iter_new(kv_db *db, const void *start, size_t start_len, const void *end,
                          size_t end_len, kv_iter **out);

/* Moves to the next entry and hands out borrowed pointers to its key and
 * value (valid until the next call on this iterator or kv_iter_free).
 * Returns KV_OK, KV_END when exhausted (and on every later call), or an error
 * such as KV_CORRUPTION. Any of the out pointers may be NULL if unwanted. */
KV_EXPORT int kv_iter_next(kv_iter *it, const void **key, size_t *key_len, const void **val,
                           size_t *val_len);
KV_EXPORT void kv_iter_free(kv_iter *it);

/* ---- Maintenance -------------------------------------------------------- */

/* Writes the memtable to an SSTable; returns when it is durable. */
KV_EXPORT int kv_flush(kv_db *db);

/* Returns when no flush or compaction is pending or running. */
KV_EXPORT int kv_wait_compactions(kv_db *db);

/* Merges the tables holding keys in [start, end) (NULL bounds are open) into
 * one sorted run, dropping versions and tombstones nothing can see. */
KV_EXPORT int kv_compact_range(kv_db *db, const void *start, size_t start_len,
                               const void *end, size_t end_len);

/* A property of the database as a new string the caller frees with kv_free.
 * Names:
 *   "stats"            human-readable summary: levels, files, bytes, memtables,
 *                      cache, writes, stalls
 *   "num-files-at-levelN"  table count of level N (N = 0..6)
 *   "total-table-bytes"    bytes in live tables
 *   "memtable-bytes"       bytes in the active and immutable memtables
 *   "last-sequence"        the newest sequence number
 *   "sstables"             one line per live table (added in 0.2):
 *                          "LEVEL NUMBER BYTES ENTRIES SMALLEST LARGEST", the
 *                          keys in lowercase hex ("-" for the empty key)
 *   "range-deletions"      range tombstones still kept, in memtables and tables
 *                          (added in 0.3; see kv_delete_range)
 *   "mapped-table-bytes"   bytes of the open tables read through a memory
 *                          mapping (added in 0.3; option mmap_reads)
 * An unknown name is KV_INVALID_ARGUMENT. */
KV_EXPORT int kv_property(kv_db *db, const char *name, char **out);

/* ========================================================================
 * Added in 0.2. Everything above keeps its meaning; these extend it.
 * ======================================================================== */

/* ---- Snapshots -----------------------------------------------------------
 * A snapshot pins the database as it is when kv_snapshot_new returns: reads
 * through it (the *_at calls, kv_iter_new_prefix, kv_multi_get) see exactly
 * the writes acknowledged before it was taken, and compaction keeps every
 * version those reads need. Hold snapshots briefly: while one lives, space
 * taken by overwritten versions is not reclaimed.
 *
 * A snapshot may be used from many threads at once. It keeps the engine
 * alive like an open iterator does, so it may be freed after kv_close (the
 * engine shuts down once the last iterator and snapshot are gone); reads
 * through it still go through an open kv_db. Using a snapshot with a
 * database other than the one that made it is KV_INVALID_ARGUMENT. Wherever
 * a snapshot parameter is taken, NULL means "the latest state". */
typedef struct kv_snapshot kv_snapshot;

KV_EXPORT int kv_snapshot_new(kv_db *db, kv_snapshot **out);
KV_EXPORT void kv_snapshot_free(kv_snapshot *snap); /* NULL allowed */
/* The sequence number the snapshot reads at (0 for NULL). */
KV_EXPORT uint64_t kv_snapshot_sequence(const kv_snapshot *snap);

/* kv_get as of a snapshot. Same outputs and ownership as kv_get. */
KV_EXPORT int kv_get_at(kv_db *db, const kv_snapshot *snap, const void *key, size_t key_len,
                        void **val, size_t *val_len);

/* kv_iter_new as of a snapshot. */
KV_EXPORT int kv_iter_new_at(kv_db *db, const kv_snapshot *snap, const void *start,
                             size_t start_len, const void *end, size_t end_len, kv_iter **out);

/* An iterator over every key that begins with `prefix` (as of `snap`). The
 * bounds are computed by strata: [prefix, the shortest key greater than every
 * key with that prefix), which also handles prefixes ending in 0xFF bytes.
 * An empty prefix walks every key. */
KV_EXPORT int kv_iter_new_prefix(kv_db *db, const kv_snapshot *snap, const void *prefix,
                                 size_t prefix_len, kv_iter **out);

/* ---- Moving an iterator both ways -----------------------------------------
 * An iterator is a cursor that is at one entry, before the first entry of its
 * range, or after the last. A new iterator is before the first. Every call
 * below moves it and then, like kv_iter_next, returns KV_OK and hands out the
 * entry it is now at (borrowed pointers, any of them may be NULL), or KV_END
 * when it moved off the range, or an error. After a read error (such as
 * KV_CORRUPTION or KV_IO_ERROR) the iterator is failed: every later move
 * returns that error again. An argument error (KV_INVALID_ARGUMENT, e.g. a
 * seek target over KV_MAX_KEY_LEN) does not move the iterator.
 *
 *   kv_iter_next          one entry forward; from "before the first" to the
 *                         first. Off the end: KV_END, now after the last.
 *   kv_iter_prev          one entry backward; from "after the last" to the
 *                         last. Off the start: KV_END, now before the first.
 *   kv_iter_first/last    the first / last entry of the range.
 *   kv_iter_seek          the first key >= target (KV_END: after the last).
 *   kv_iter_seek_for_prev the last key <= target (KV_END: before the first).
 * Targets outside the range are clamped to it. */
KV_EXPORT int kv_iter_prev(kv_iter *it, const void **key, size_t *key_len, const void **val,
                           size_t *val_len);
KV_EXPORT int kv_iter_first(kv_iter *it, const void **key, size_t *key_len, const void **val,
                            size_t *val_len);
KV_EXPORT int kv_iter_last(kv_iter *it, const void **key, size_t *key_len, const void **val,
                           size_t *val_len);
KV_EXPORT int kv_iter_seek(kv_iter *it, const void *target, size_t target_len, const void **key,
                           size_t *key_len, const void **val, size_t *val_len);
KV_EXPORT int kv_iter_seek_for_prev(kv_iter *it, const void *target, size_t target_len,
                                    const void **key, size_t *key_len, const void **val,
                                    size_t *val_len);

/* ---- Multi-get ----------------------------------------------------------
 * Looks up n keys as of one snapshot (`snap`, or one taken for the call when
 * NULL) in one call. The keys are packed back to back in `keys`: key i is
 * key_lens[i] bytes long and starts where key i-1 ends (no separators, any
 * bytes, repeats allowed, any order).
 *
 * Outputs, each an array of n that the caller provides:
 *   statuses[i]  KV_OK, KV_NOT_FOUND, or an error for key i;
 *   val_lens[i]  the length of value i (0 unless KV_OK);
 *   vals[i]      a pointer to value i inside *buffer (NULL unless KV_OK);
 *                `vals` itself may be NULL when the lengths suffice.
 * *buffer receives one allocation holding every value found, in key order,
 * back to back; free it with kv_free (it is NULL when nothing was found).
 * Returns KV_OK when every status is KV_OK or KV_NOT_FOUND, else the first
 * error among them (the other outputs are still filled in). n may be 0. */
KV_EXPORT int kv_multi_get(kv_db *db, const kv_snapshot *snap, size_t n, const void *keys,
                           const size_t *key_lens, void **buffer, const void **vals,
                           size_t *val_lens, int *statuses);

/* ---- Per-call write options -----------------------------------------------
 * `flags` is 0 or a bitwise OR of the KV_WRITE_* flags; an unknown bit is
 * KV_INVALID_ARGUMENT. KV_WRITE_SYNC makes this one write durable (fsynced
 * before it is acknowledged) on a database opened with sync=false. With
 * sync=true every write is synced whatever the flags. */
#define KV_WRITE_SYNC 0x1u
KV_EXPORT int kv_write_ex(kv_db *db, const kv_batch *b, unsigned flags);
KV_EXPORT int kv_put_ex(kv_db *db, const void *key, size_t key_len, const void *val,
                        size_t val_len, unsigned flags);
KV_EXPORT int kv_delete_ex(kv_db *db, const void *key, size_t key_len, unsigned flags);

/* ---- Checkpoints, verification, repair, removal --------------------------- */

/* Makes an openable, consistent copy of the live database in directory `dir`,
 * which must not exist yet (it is created). Tables are hard-linked when `dir`
 * is on the same filesystem and copied otherwise; the log tail is copied.
 * Writes may continue meanwhile; the copy holds every write acknowledged
 * before the call began. */
KV_EXPORT int kv_checkpoint(kv_db *db, const char *dir);

/* Reads every block of every live table and checks its checksum and order.
 * KV_OK when all are sound; KV_CORRUPTION naming the first bad file
 * otherwise. Slow on a big database: it reads all of it. */
KV_EXPORT int kv_verify(kv_db *db);

/* Rebuilds the manifest of the (closed) database at `path` from the tables
 * and logs that can still be read, keeping a backup of what it replaces.
 * `o` may be NULL. *report (may be NULL if unwanted; kv_free it) receives a
 * text listing what was recovered and exactly what was dropped. KV_BUSY if
 * the database is open. */
KV_EXPORT int kv_repair(const char *path, const kv_options *o, char **report);

/* Deletes the database at `path` (its files, then the directory if empty).
 * KV_BUSY if it is open; KV_OK if there is nothing there. */
KV_EXPORT int kv_destroy(const char *path);

/* ==========================================================================
 * Added in 0.3.
 * ======================================================================== */

/* ---- Resuming after a full disk ---------------------------------------------
 * When a write, flush or compaction fails for lack of space (ENOSPC, EDQUOT),
 * writes stop with KV_IO_ERROR and a message that says so; reads go on. Once
 * space is freed, kv_resume lets writes continue without a reopen, losing
 * nothing acknowledged (the write that failed was not applied; its caller got
 * the error). The database also retries by itself on a back-off (200 ms up to
 * 10 s), so kv_resume only makes it sooner. KV_OK when writes are going (or
 * were never stopped); when space is still short, the next write, flush or
 * compaction stops them again. Any other stop (an I/O error, a failed fsync,
 * corruption) is not undone: kv_resume returns that error, and only a reopen
 * recovers. */
KV_EXPORT int kv_resume(kv_db *db);

/* ==========================================================================
 * Added in 0.3 (issue 18): range deletes, read-only opens, optimistic
 * transactions, range sizes, bulk ingest.
 * ======================================================================== */

/* ---- Range deletes -----------------------------------------------------------
 * kv_delete_range deletes every key in [start, end) in constant time, with one
 * range tombstone (as RocksDB's and Pebble's DeleteRange do), whatever the
 * number of keys; kv_batch_delete_range does the same inside a batch, atomic
 * with the batch's other operations and ordered with them (a put after it in
 * the batch, inside the range, survives). Reads, iterators in both
 * directions, multi-gets, checkpoints, recovery and repair honour it; a
 * snapshot or iterator taken before it still sees the keys. Compaction drops
 * the keys it covers once no snapshot needs them, and the tombstone itself
 * once nothing it covers remains (kv_compact_range over the range does both).
 * An empty or reversed range (start >= end, bytewise) is a no-op, not an
 * error. Keys obey KV_MAX_KEY_LEN. Like kv_delete, kv_delete_range follows the
 * database's `sync` option. */
KV_EXPORT int kv_delete_range(kv_db *db, const void *start, size_t start_len, const void *end,
                              size_t end_len);
KV_EXPORT int kv_batch_delete_range(kv_batch *b, const void *start, size_t start_len,
                                    const void *end, size_t end_len);

/* ---- Read-only opens ---------------------------------------------------------
 * With the option read_only=true, kv_open opens an existing database as it
 * stands and writes nothing to its directory: its logs are replayed in
 * memory; no file is created, renamed or deleted (no log, manifest, CURRENT or
 * LOCK); nothing is flushed or compacted. create_if_missing has no effect: a
 * missing directory or database is KV_INVALID_ARGUMENT, and a damaged one is
 * reported (KV_CORRUPTION), never recreated. read_only with error_if_exists
 * is KV_INVALID_ARGUMENT.
 *
 * LOCK is taken shared: any number of read-only handles, in this process or
 * others, may be open at once; a writer and read-only handles exclude each
 * other (the later open gets KV_BUSY), as do kv_repair and kv_destroy. A
 * directory without a LOCK file (a checkpoint never opened for writing) is
 * opened without a lock, so a writer opening it meanwhile is not excluded.
 *
 * On a read-only handle every call that would write to the directory returns
 * KV_NOT_SUPPORTED with a message saying so: kv_put, kv_delete, kv_write and
 * their _ex forms, kv_flush, kv_compact_range, kv_checkpoint (it flushes into
 * the database first), kv_resume, kv_txn_begin and kv_ingest. kv_wait_compactions
 * returns KV_OK at once. Reads, iterators, snapshots, kv_multi_get,
 * kv_verify, kv_property and kv_approximate_size work as usual. */

/* ---- Optimistic transactions ---------------------------------------------------
 * A transaction reads a snapshot taken at kv_txn_begin, buffers its writes,
 * and applies them atomically at kv_txn_commit if no key it read or wrote was
 * written by anyone else since kv_txn_begin; otherwise the commit returns
 * KV_CONFLICT and applies nothing (RocksDB's OptimisticTransactionDB). Nothing
 * is locked meanwhile: a transaction never waits for another, and the loser of
 * a race retries from kv_txn_begin. A key deleted inside a transaction reads
 * as KV_NOT_FOUND there. Writes of other transactions and plain kv_put /
 * kv_delete / kv_write count alike.
 *
 * A kv_txn belongs to one thread at a time; many transactions may run on one
 * kv_db at once. It holds its snapshot until it is finished, so keep it short.
 * After kv_txn_commit returns (KV_OK, KV_CONFLICT, or any other error) the
 * transaction is finished: kv_txn_get/put/delete/commit return
 * KV_INVALID_ARGUMENT, and it must still be freed with kv_txn_free. Like a
 * snapshot it keeps the engine alive, so freeing it after kv_close is safe;
 * other calls on it after kv_close return KV_INVALID_ARGUMENT. */
typedef struct kv_txn kv_txn;

/* Begins a transaction; *out is NULL on failure. KV_NOT_SUPPORTED on a
 * read-only handle. */
KV_EXPORT int kv_txn_begin(kv_db *db, kv_txn **out);

/* The transaction's own latest write of the key, else the value as of
 * kv_txn_begin. Outputs and ownership as kv_get's (KV_NOT_FOUND when absent;
 * *val freed with kv_free). The key is checked for conflicts at commit. */
KV_EXPORT int kv_txn_get(kv_txn *t, const void *key, size_t klen, void **val, size_t *vlen);

/* Buffer a write in the transaction, invisible to others until commit. The
 * key is checked for conflicts at commit. The buffered writes together may
 * not pass KV_MAX_BATCH_BYTES (KV_INVALID_ARGUMENT; the write is not added). */
KV_EXPORT int kv_txn_put(kv_txn *t, const void *key, size_t klen, const void *val,
                         size_t vlen);
KV_EXPORT int kv_txn_delete(kv_txn *t, const void *key, size_t klen);

/* Applies every buffered write atomically (a transaction that wrote nothing
 * only checks), or returns KV_CONFLICT and applies nothing. Durability as
 * kv_write's (sync=true syncs it). Finishes the transaction. */
KV_EXPORT int kv_txn_commit(kv_txn *t);

/* Discards an unfinished transaction's writes and frees it. NULL allowed. */
KV_EXPORT void kv_txn_free(kv_txn *t);

/* ---- Range sizes ---------------------------------------------------------------
 * *bytes receives the approximate bytes the database's tables take on disk
 * for keys in [start, end): tables wholly inside count in full, tables the
 * range cuts count from their index (to the data block), as LevelDB's
 * GetApproximateSizes. Bounds as kv_iter_new's and kv_compact_range's: NULL
 * (with length 0) is open, a non-NULL pointer with length 0 is the empty key.
 * Writes not yet flushed from the memtable count 0; an empty or reversed
 * range is 0. Cheap: it reads only table indexes, which are cached. */
KV_EXPORT int kv_approximate_size(kv_db *db, const void *start, size_t slen, const void *end,
                                  size_t elen, uint64_t *bytes);

/* ---- Bulk ingest --------------------------------------------------------------
 * Load a large sorted data set without the write-ahead log or the memtable:
 * write it into table files with an SST writer, then add the finished files
 * to a database with kv_ingest.
 *
 * kv_sst_writer_new creates the file at `path` (a file already there is
 * unlinked first, never truncated), a table built with o's table options
 * (block_bytes, compression, bloom_bits_per_key, ...; NULL: the defaults). `o` and `path` are borrowed for the call; *out is set
 * to a writer (NULL on failure), freed with kv_sst_writer_free.
 * kv_sst_writer_put and kv_sst_writer_delete add a value or a tombstone.
 * Keys must be strictly increasing (memcmp order, as kv.h's): a key at or
 * before the previous one is KV_INVALID_ARGUMENT, nothing is written, and the
 * writer stays usable. kv_sst_writer_finish completes and fsyncs the file;
 * KV_INVALID_ARGUMENT when nothing was added. After a successful finish the
 * writer accepts only kv_sst_writer_free (other calls: KV_INVALID_ARGUMENT).
 * kv_sst_writer_free accepts NULL; freeing an unfinished writer removes its
 * partial file. A writer is used by one thread at a time.
 *
 * kv_ingest adds `n` finished files (paths borrowed for the call)
 * atomically: their entries become visible together, newer than every write
 * acknowledged before the call (snapshots taken before do not see them).
 * Each file goes to the deepest level whose tables, and those of every level
 * above, do not overlap its key range (a memtable holding a key in a file's
 * range is flushed first). With KV_INGEST_MOVE the files are moved into the
 * database (hard-linked, then their names removed; copied across
 * filesystems); without it they are copied and left as they were. The files
 * are refused as a whole, nothing changed, when any does not open, is not
 * finished or is damaged (KV_CORRUPTION), was not written by an SST writer or
 * was already ingested, is empty, or overlaps another's key range
 * (KV_INVALID_ARGUMENT). Writes wait while the files are put in place. */
typedef struct kv_sst_writer kv_sst_writer;
#define KV_INGEST_MOVE 0x1u
KV_EXPORT int kv_sst_writer_new(const char *path, const kv_options *o, kv_sst_writer **out);
KV_EXPORT int kv_sst_writer_put(kv_sst_writer *w, const void *key, size_t klen, const void *val,
                                size_t vlen);
KV_EXPORT int kv_sst_writer_delete(kv_sst_writer *w, const void *key, size_t klen);
KV_EXPORT int kv_sst_writer_finish(kv_sst_writer *w);
KV_EXPORT void kv_sst_writer_free(kv_sst_writer *w);
KV_EXPORT int kv_ingest(kv_db *db, const char *const *paths, size_t n, unsigned flags);

/* ==========================================================================
 * Added in 0.3 (issue 16): reads without a malloc, scans in batches.
 * ======================================================================== */

/* ---- Reading into the caller's buffer ---------------------------------------
 * kv_get_into looks `key` up like kv_get and copies the value into `buf`,
 * which holds `cap` bytes; strata allocates nothing for the value (it is
 * copied once, from the memtable or table block that holds it). Outcomes:
 *   KV_OK                the value fits: its *vlen bytes are at buf (an
 *                        empty value is KV_OK with *vlen 0);
 *   KV_BUFFER_TOO_SMALL  the value has more than `cap` bytes: nothing is
 *                        copied (buf is untouched) and *vlen is its size, so
 *                        the caller can grow its buffer and call again (the
 *                        value may have changed meanwhile: read *vlen again);
 *   KV_NOT_FOUND         no such key; *vlen is 0;
 *   an error             *vlen is 0.
 * buf may be NULL only when cap is 0 (a size query). vlen must not be NULL.
 * kv_get_into_at reads as of a snapshot (NULL: the latest state), like
 * kv_get_at. */
KV_EXPORT int kv_get_into(kv_db *db, const void *key, size_t klen, void *buf, size_t cap,
                          size_t *vlen);
KV_EXPORT int kv_get_into_at(kv_db *db, const kv_snapshot *snap, const void *key, size_t klen,
                             void *buf, size_t cap, size_t *vlen);

/* ---- Iterating in batches ----------------------------------------------------
 * kv_iter_next_batch moves the iterator forward as successive kv_iter_next
 * calls would, and hands out the entries it passes in one call:
 *   *count  the number of entries, n;
 *   *data   their keys and values packed back to back: key 0, value 0,
 *           key 1, value 1, ... (no separators, any bytes);
 *   *lens   2n lengths: lens[2i] is key i's, lens[2i+1] value i's; entry i
 *           starts where entry i-1 ends.
 * *data and *lens are borrowed, owned by the iterator: valid until the next
 * call on this iterator or its kv_iter_free (the buffer is reused).
 *
 * The batch starts with the entry kv_iter_next would give now (the first of
 * the range on a new iterator, the one after a seek's target entry, ...) and
 * takes entries in order until it holds max_entries of them, or the key and
 * value bytes it holds reach max_bytes (the entry that reaches it is
 * included, so a batch has at least one entry however large, and max_bytes
 * 0 means one entry per batch), or the range ends. It never reads ahead:
 * afterwards the cursor is at the batch's last entry, so kv_iter_next,
 * kv_iter_prev, seeks and further batches may be mixed freely with it
 * (kv_iter_prev gives the entry before the batch's last). When the batch
 * stopped because the range ended, the cursor is after the last entry, as
 * kv_iter_next leaves it on KV_END. Snapshots, bounds and prefixes apply as
 * they do to kv_iter_next.
 *
 * Returns KV_OK with n >= 1; KV_END with *count 0 when no entry is left (and
 * on every later call); or an error with *count 0. A read error met after
 * some entries were taken ends the batch early: those entries come with
 * KV_OK, and the iterator is failed, so the next call returns the error.
 * count, data and lens must not be NULL; max_entries 0 is KV_INVALID_ARGUMENT
 * (the outputs are then 0/NULL and the iterator does not move). */
KV_EXPORT int kv_iter_next_batch(kv_iter *it, size_t max_entries, size_t max_bytes,
                                 size_t *count, const void **data, const size_t **lens);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* STRATA_KV_H */
