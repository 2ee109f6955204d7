/* What cffi sees of the binding's own C glue (walk_ahead.c, get_copy.c,
 * multi_get.c). */
#define STRATA_MOVE_NEXT ...
#define STRATA_MOVE_PREV ...
#define STRATA_MOVE_LAST ...
#define STRATA_WANT_KEY ...
#define STRATA_WANT_VALUE ...

int strata_walk_ahead(kv_iter *it, int first_move, int then_move, int want,
                      char *buf, size_t cap, size_t max, size_t *count, size_t *used,
                      int *pending, const void **pk, size_t *pkl, const void **pv,
                      size_t *pvl);

typedef struct strata_batch_out {
  size_t count;
  size_t used;
  const void *data;
  const size_t *lens;
} strata_batch_out;
#define STRATA_NEEDS_ROOM ...
#define STRATA_ENTRY_OVERHEAD ...
#define STRATA_FRAME_OVERHEAD ...
int strata_walk_batch(kv_iter *it, int want, char *buf, size_t cap, size_t max_entries,
                      size_t max_bytes, strata_batch_out *out);
void strata_pickle_batch(strata_batch_out *b, int want, char *buf);

#define STRATA_ABSENT ...

typedef struct strata_value_out {
  char *buf;
  size_t cap;
} strata_value_out;

int64_t strata_get_copy(kv_db *db, const char *key, size_t key_len, strata_value_out *out);
int64_t strata_get_copy_at(kv_db *db, const kv_snapshot *snap, const char *key, size_t key_len,
                           strata_value_out *out);
int strata_contains(kv_db *db, const kv_snapshot *snap, const char *key, size_t key_len);

int strata_multi_get(kv_db *db, const kv_snapshot *snap, size_t n, const char *keys,
                     const size_t *key_lens, char **pickle, size_t *pickle_len);
void strata_free(void *p);
