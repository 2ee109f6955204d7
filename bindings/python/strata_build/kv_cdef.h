/* What cffi sees of strata/kv.h (capi/include/strata/kv.h), declared so that
 * the compiler checks it against the real header in API mode.
 *
 * Two deliberate differences from the header, both type-compatible in C:
 *  - Input buffers (keys, values, bounds, targets) are `const char *` instead
 *    of `const void *`, so that cffi passes a Python `bytes` object's own
 *    storage to C without a copy; other bytes-like objects go through
 *    ffi.from_buffer(), also without a copy.
 *  - Constants are written `...` so that cffi takes their values from the
 *    real header instead of from a copy here.
 *
 * tests/test_abi_coverage.py fails when kv.h declares a function that is
 * missing here or unused by the package. */

#define KV_VERSION_MAJOR ...
#define KV_VERSION_MINOR ...
#define KV_VERSION_PATCH ...
#define KV_MAX_KEY_LEN ...
#define KV_MAX_VALUE_LEN ...

#define KV_OK ...
#define KV_NOT_FOUND ...
#define KV_END ...
#define KV_INVALID_ARGUMENT ...
#define KV_IO_ERROR ...
#define KV_CORRUPTION ...
#define KV_BUSY ...
#define KV_NO_MEMORY ...
#define KV_NOT_SUPPORTED ...
#define KV_INTERNAL ...
#define KV_CONFLICT ...
#define KV_BUFFER_TOO_SMALL ...

#define KV_WRITE_SYNC ...
#define KV_INGEST_MOVE ...

typedef struct kv_options kv_options;
typedef struct kv_db kv_db;
typedef struct kv_batch kv_batch;
typedef struct kv_iter kv_iter;
typedef struct kv_snapshot kv_snapshot;
typedef struct kv_txn kv_txn;
typedef struct kv_sst_writer kv_sst_writer;

const char *kv_version(void);
const char *kv_last_error(void);
const char *kv_status_name(int status);

kv_options *kv_options_new(void);
int kv_options_set(kv_options *o, const char *name, const char *value);
int kv_options_get(const kv_options *o, const char *name, char **value);
void kv_options_free(kv_options *o);

int kv_open(const char *path, const kv_options *o, kv_db **out);
int kv_close(kv_db *db);

int kv_put(kv_db *db, const char *key, size_t key_len, const char *val, size_t val_len);
int kv_get(kv_db *db, const char *key, size_t key_len, void **val, size_t *val_len);
void kv_free(void *p);
int kv_delete(kv_db *db, const char *key, size_t key_len);

kv_batch *kv_batch_new(void);
int kv_batch_put(kv_batch *b, const char *key, size_t key_len, const char *val, size_t val_len);
int kv_batch_delete(kv_batch *b, const char *key, size_t key_len);
void kv_batch_clear(kv_batch *b);
size_t kv_batch_count(const kv_batch *b);
void kv_batch_free(kv_batch *b);
int kv_write(kv_db *db, const kv_batch *b);

int kv_iter_new(kv_db *db, const char *start, size_t start_len, const char *end,
                size_t end_len, kv_iter **out);
int kv_iter_next(kv_iter *it, const void **key, size_t *key_len, const void **val,
                 size_t *val_len);
void kv_iter_free(kv_iter *it);

int kv_flush(kv_db *db);
int kv_wait_compactions(kv_db *db);
int kv_resume(kv_db *db);

int kv_delete_range(kv_db *db, const char *start, size_t start_len, const char *end,
                    size_t end_len);
int kv_batch_delete_range(kv_batch *b, const char *start, size_t start_len, const char *end,
                          size_t end_len);
int kv_compact_range(kv_db *db, const char *start, size_t start_len, const char *end,
                     size_t end_len);
int kv_property(kv_db *db, const char *name, char **out);

/* Added in 0.2. */
int kv_snapshot_new(kv_db *db, kv_snapshot **out);
void kv_snapshot_free(kv_snapshot *snap);
uint64_t kv_snapshot_sequence(const kv_snapshot *snap);
int kv_get_at(kv_db *db, const kv_snapshot *snap, const char *key, size_t key_len,
              void **val, size_t *val_len);
int kv_iter_new_at(kv_db *db, const kv_snapshot *snap, const char *start, size_t start_len,
                   const char *end, size_t end_len, kv_iter **out);
int kv_iter_new_prefix(kv_db *db, const kv_snapshot *snap, const char *prefix,
                       size_t prefix_len, kv_iter **out);

int kv_iter_prev(kv_iter *it, const void **key, size_t *key_len, const void **val,
                 size_t *val_len);
int kv_iter_first(kv_iter *it, const void **key, size_t *key_len, const void **val,
                  size_t *val_len);
int kv_iter_last(kv_iter *it, const void **key, size_t *key_len, const void **val,
                 size_t *val_len);
int kv_iter_seek(kv_iter *it, const char *target, size_t target_len, const void **key,
                 size_t *key_len, const void **val, size_t *val_len);
int kv_iter_seek_for_prev(kv_iter *it, const char *target, size_t target_len,
                          const void **key, size_t *key_len, const void **val,
                          size_t *val_len);

int kv_multi_get(kv_db *db, const kv_snapshot *snap, size_t n, const char *keys,
                 const size_t *key_lens, void **buffer, const void **vals,
                 size_t *val_lens, int *statuses);

int kv_write_ex(kv_db *db, const kv_batch *b, unsigned flags);
int kv_put_ex(kv_db *db, const char *key, size_t key_len, const char *val, size_t val_len,
              unsigned flags);
int kv_delete_ex(kv_db *db, const char *key, size_t key_len, unsigned flags);

int kv_checkpoint(kv_db *db, const char *dir);
int kv_verify(kv_db *db);
int kv_repair(const char *path, const kv_options *o, char **report);
int kv_destroy(const char *path);

int kv_txn_begin(kv_db *db, kv_txn **out);
int kv_txn_get(kv_txn *t, const char *key, size_t klen, void **val, size_t *vlen);
int kv_txn_put(kv_txn *t, const char *key, size_t klen, const char *val, size_t vlen);
int kv_txn_delete(kv_txn *t, const char *key, size_t klen);
int kv_txn_commit(kv_txn *t);
void kv_txn_free(kv_txn *t);
int kv_approximate_size(kv_db *db, const char *start, size_t slen, const char *end,
                        size_t elen, uint64_t *bytes);

int kv_sst_writer_new(const char *path, const kv_options *o, kv_sst_writer **out);
int kv_sst_writer_put(kv_sst_writer *w, const char *key, size_t klen, const char *val,
                      size_t vlen);
int kv_sst_writer_delete(kv_sst_writer *w, const char *key, size_t klen);
int kv_sst_writer_finish(kv_sst_writer *w);
void kv_sst_writer_free(kv_sst_writer *w);
int kv_ingest(kv_db *db, const char *const *paths, size_t n, unsigned flags);

/* Added in 0.3 (issue 16). */
int kv_get_into(kv_db *db, const char *key, size_t klen, void *buf, size_t cap, size_t *vlen);
int kv_get_into_at(kv_db *db, const kv_snapshot *snap, const char *key, size_t klen,
                   void *buf, size_t cap, size_t *vlen);
int kv_iter_next_batch(kv_iter *it, size_t max_entries, size_t max_bytes, size_t *count,
                       const void **data, const size_t **lens);
