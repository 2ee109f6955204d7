package strata

// This file is the only one that talks to C. Every other file works with Go
// types and the handle aliases below, so the rules of crossing into C live in
// one place:
//
//   - Inputs ([]byte keys, values, bounds) are passed as pointers into the
//     caller's own memory, without copying. cgo pins them for the duration of
//     the call, they hold no Go pointers, and kv.h promises that strata copies
//     whatever it keeps (convention 3), so no Go pointer outlives the call.
//   - Outputs that strata allocates (kv_get's value, kv_property's string,
//     kv_multi_get's buffer, kv_repair's report) are copied into Go memory and
//     then released with kv_free, here and nowhere else.
//   - kv_last_error is per OS thread, and a goroutine may move to another
//     thread between two cgo calls (and another goroutine may call strata on
//     this thread meanwhile). So each call goes through a small C shim that
//     copies the message right after a failure, on the thread that failed,
//     and returns it together with the status. The copy costs nothing on
//     success.
//   - How libstrata is linked (pkg-config's strata, or strata-static with
//     the strata_static build tag) is chosen in link_shared.go and
//     link_static.go.
//   - Shims return their outputs by value in a small struct instead of
//     writing through pointers to Go variables; such pointers would make the
//     variables escape to the heap, an allocation on every call.

/*
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "strata/kv.h"

// The outcome of one kv_ call: its status, a malloc'd copy of the thread's
// error message when the status is an error (else NULL), and the call's
// output: a handle, or a buffer and its length.
typedef struct {
	int rc;
	char *msg;
	void *ptr;
	size_t len;
} sg_result;

// Where an iterator is after a move: status, message, and borrowed pointers
// to the entry (valid until the next call on the iterator or its free).
typedef struct {
	int rc;
	char *msg;
	const void *key;
	size_t key_len;
	const void *val;
	size_t val_len;
} sg_entry;

static char *sg_copy_text(void) {
	const char *m = kv_last_error();
	size_t n = strlen(m) + 1;
	char *copy = malloc(n);
	if (copy != NULL) memcpy(copy, m, n);
	return copy;
}

static char *sg_copy_message(int rc) { return rc < 0 ? sg_copy_text() : NULL; }

static sg_result sg_status(int rc) {
	sg_result r = {rc, sg_copy_message(rc), NULL, 0};
	return r;
}

static sg_result sg_options_new(void) {
	sg_result r = {KV_OK, NULL, kv_options_new(), 0};
	if (r.ptr == NULL) {
		r.rc = KV_NO_MEMORY;
		r.msg = strdup("kv_options_new: out of memory");
	}
	return r;
}

static sg_result sg_options_set(kv_options *o, const char *name, const char *value) {
	return sg_status(kv_options_set(o, name, value));
}

static sg_result sg_options_get(const kv_options *o, const char *name) {
	char *value = NULL;
	int rc = kv_options_get(o, name, &value);
	sg_result r = {rc, sg_copy_message(rc), value, 0};
	return r;
}

static sg_result sg_open(const char *path, const kv_options *o) {
	kv_db *db = NULL;
	int rc = kv_open(path, o, &db);
	// Opening has no ordinary "not found": KV_NOT_FOUND here is a file the
	// database needs that is missing, and its message says which.
	sg_result r = {rc, rc != KV_OK ? sg_copy_text() : NULL, db, 0};
	return r;
}

static sg_result sg_close(kv_db *db) { return sg_status(kv_close(db)); }

static sg_result sg_put(kv_db *db, const void *k, size_t kl, const void *v, size_t vl,
                        unsigned flags) {
	return sg_status(flags == 0 ? kv_put(db, k, kl, v, vl) : kv_put_ex(db, k, kl, v, vl, flags));
}

static sg_result sg_delete(kv_db *db, const void *k, size_t kl, unsigned flags) {
	return sg_status(flags == 0 ? kv_delete(db, k, kl) : kv_delete_ex(db, k, kl, flags));
}

static sg_result sg_delete_range(kv_db *db, const void *s, size_t sl, const void *e, size_t el) {
	return sg_status(kv_delete_range(db, s, sl, e, el));
}

// kv_get_into (or kv_get_into_at): the value is copied straight into buf
// (Go memory that C writes only during this call). rc is KV_OK with len the
// value's length, or KV_BUFFER_TOO_SMALL with len the size needed and
// nothing copied, or KV_NOT_FOUND, or an error.
static sg_result sg_get(kv_db *db, const kv_snapshot *snap, const void *k, size_t kl,
                        void *buf, size_t cap) {
	size_t len = 0;
	int rc = snap == NULL ? kv_get_into(db, k, kl, buf, cap, &len)
	                      : kv_get_into_at(db, snap, k, kl, buf, cap, &len);
	sg_result r = {rc, sg_copy_message(rc), NULL, len};
	return r;
}

static sg_result sg_multi_get(kv_db *db, const kv_snapshot *snap, size_t n, const void *keys,
                              const size_t *key_lens, size_t *val_lens, int *statuses) {
	void *buffer = NULL;
	int rc = kv_multi_get(db, snap, n, keys, key_lens, &buffer, NULL, val_lens, statuses);
	sg_result r = {rc, sg_copy_message(rc), buffer, 0};
	return r;
}

static sg_result sg_batch_new(void) {
	sg_result r = {KV_OK, NULL, kv_batch_new(), 0};
	if (r.ptr == NULL) {
		r.rc = KV_NO_MEMORY;
		r.msg = strdup("kv_batch_new: out of memory");
	}
	return r;
}

static sg_result sg_batch_put(kv_batch *b, const void *k, size_t kl, const void *v, size_t vl) {
	return sg_status(kv_batch_put(b, k, kl, v, vl));
}

static sg_result sg_batch_delete(kv_batch *b, const void *k, size_t kl) {
	return sg_status(kv_batch_delete(b, k, kl));
}

static sg_result sg_batch_delete_range(kv_batch *b, const void *s, size_t sl, const void *e,
                                       size_t el) {
	return sg_status(kv_batch_delete_range(b, s, sl, e, el));
}

// Batch operations that Go buffered, back to back: a kind byte (SG_OP_PUT,
// SG_OP_DELETE or SG_OP_DELETE_RANGE), the key length and the value length
// as native uint32s, the key, the value (a range delete's start and end).
enum { SG_OP_PUT = 0, SG_OP_DELETE = 1, SG_OP_DELETE_RANGE = 2, SG_OP_HEADER = 9 };

// Adds the buffered operations to b, in order, stopping at the first that
// strata refuses.
static int sg_append_ops(kv_batch *b, const unsigned char *ops, size_t len) {
	size_t at = 0;
	while (at + SG_OP_HEADER <= len) {
		uint32_t kl, vl;
		memcpy(&kl, ops + at + 1, 4);
		memcpy(&vl, ops + at + 5, 4);
		const unsigned char *key = ops + at + SG_OP_HEADER;
		int rc = ops[at] == SG_OP_PUT      ? kv_batch_put(b, key, kl, key + kl, vl)
		         : ops[at] == SG_OP_DELETE ? kv_batch_delete(b, key, kl)
		                                   : kv_batch_delete_range(b, key, kl, key + kl, vl);
		if (rc != KV_OK) return rc;
		at += SG_OP_HEADER + (size_t)kl + vl;
	}
	return KV_OK;
}

static sg_result sg_batch_append(kv_batch *b, const void *ops, size_t len) {
	return sg_status(sg_append_ops(b, ops, len));
}

// The buffered operations added to b, then b written: one crossing per Write.
static sg_result sg_write(kv_db *db, kv_batch *b, const void *ops, size_t len, unsigned flags) {
	int rc = sg_append_ops(b, ops, len);
	if (rc == KV_OK) rc = flags == 0 ? kv_write(db, b) : kv_write_ex(db, b, flags);
	return sg_status(rc);
}

// Bounds: a NULL pointer is an open bound, anything else a key (kv.h).
static sg_result sg_iter_new(kv_db *db, const kv_snapshot *snap, const void *lo, size_t lo_len,
                             const void *hi, size_t hi_len) {
	kv_iter *it = NULL;
	int rc = snap == NULL ? kv_iter_new(db, lo, lo_len, hi, hi_len, &it)
	                      : kv_iter_new_at(db, snap, lo, lo_len, hi, hi_len, &it);
	sg_result r = {rc, sg_copy_message(rc), it, 0};
	return r;
}

static sg_result sg_iter_new_prefix(kv_db *db, const kv_snapshot *snap, const void *p,
                                    size_t p_len) {
	kv_iter *it = NULL;
	int rc = kv_iter_new_prefix(db, snap, p, p_len, &it);
	sg_result r = {rc, sg_copy_message(rc), it, 0};
	return r;
}

enum {
	SG_NEXT,
	SG_PREV,
	SG_FIRST,
	SG_LAST,
	SG_SEEK_GE,
	SG_SEEK_LE,
	SG_SEEK_LT,
};

// One move of the cursor. SG_SEEK_LT is kv_iter_seek_for_prev (the last key
// <= target) followed, when that key equals the target, by one kv_iter_prev:
// the last key < target, in one crossing from Go.
static sg_entry sg_iter_move(kv_iter *it, int op, const void *target, size_t target_len) {
	sg_entry e = {0, NULL, NULL, 0, NULL, 0};
	switch (op) {
	case SG_NEXT: e.rc = kv_iter_next(it, &e.key, &e.key_len, &e.val, &e.val_len); break;
	case SG_PREV: e.rc = kv_iter_prev(it, &e.key, &e.key_len, &e.val, &e.val_len); break;
	case SG_FIRST: e.rc = kv_iter_first(it, &e.key, &e.key_len, &e.val, &e.val_len); break;
	case SG_LAST: e.rc = kv_iter_last(it, &e.key, &e.key_len, &e.val, &e.val_len); break;
	case SG_SEEK_GE:
		e.rc = kv_iter_seek(it, target, target_len, &e.key, &e.key_len, &e.val, &e.val_len);
		break;
	case SG_SEEK_LE:
	case SG_SEEK_LT:
		e.rc = kv_iter_seek_for_prev(it, target, target_len, &e.key, &e.key_len, &e.val,
		                             &e.val_len);
		if (op == SG_SEEK_LT && e.rc == KV_OK && e.key_len == target_len &&
		    (target_len == 0 || memcmp(e.key, target, target_len) == 0)) {
			e.rc = kv_iter_prev(it, &e.key, &e.key_len, &e.val, &e.val_len);
		}
		break;
	default: e.rc = KV_INTERNAL; break;
	}
	e.msg = sg_copy_message(e.rc);
	return e;
}

// What sg_iter_fill read: n entries copied into the caller's buffer (each
// laid out as its key length and value length, two native uint32s, then the
// key and the value) in `used` bytes, and then rc: KV_OK when it stopped
// after max_entries, or at an entry too big for the rest of the buffer,
// which is then handed out borrowed (pending, key, val: valid until the next
// call on the iterator); KV_END; or an error.
typedef struct {
	int rc;
	char *msg;
	size_t n;
	size_t used;
	int pending;
	const void *key;
	size_t key_len;
	const void *val;
	size_t val_len;
} sg_fill;

// Up to max_entries entries in one crossing and one kv_iter_next_batch
// call, copying each entry into buf (cap bytes, Go memory that C only writes
// during this call). The batch's byte budget leaves room for every entry's
// 8-byte header, and a batch passes its budget by its last entry at most, so
// only the last entry can fail to fit: it is then handed out borrowed
// (pending; valid until the next call on the iterator). The cursor ends at
// the batch's last entry, copied or pending.
static sg_fill sg_iter_fill(kv_iter *it, void *buf, size_t cap, size_t max_entries) {
	sg_fill f = {KV_OK, NULL, 0, 0, 0, NULL, 0, NULL, 0};
	size_t headers = 8 * max_entries;
	size_t count = 0;
	const void *data = NULL;
	const size_t *lens = NULL;
	int rc = kv_iter_next_batch(it, max_entries, cap > headers ? cap - headers : 0, &count,
	                            &data, &lens);
	if (rc != KV_OK) {
		f.rc = rc;
		f.msg = sg_copy_message(rc);
		return f;
	}
	const unsigned char *p = data;
	unsigned char *out = buf;
	for (size_t i = 0; i < count; i++) {
		size_t kl = lens[2 * i], vl = lens[2 * i + 1];
		if (kl + vl + 8 > cap - f.used) { // the last entry only (see above)
			f.pending = 1;
			f.key = p;
			f.key_len = kl;
			f.val = p + kl;
			f.val_len = vl;
			break;
		}
		uint32_t both[2] = {(uint32_t)kl, (uint32_t)vl}; // kv.h caps both below 2^32
		memcpy(out + f.used, both, 8);
		if (kl > 0) memcpy(out + f.used + 8, p, kl);
		if (vl > 0) memcpy(out + f.used + 8 + kl, p + kl, vl);
		f.used += 8 + kl + vl;
		f.n++;
		p += kl + vl;
	}
	return f;
}

static sg_result sg_snapshot_new(kv_db *db) {
	kv_snapshot *s = NULL;
	int rc = kv_snapshot_new(db, &s);
	sg_result r = {rc, sg_copy_message(rc), s, 0};
	return r;
}

static sg_result sg_flush(kv_db *db) { return sg_status(kv_flush(db)); }
static sg_result sg_wait_compactions(kv_db *db) { return sg_status(kv_wait_compactions(db)); }
static sg_result sg_resume(kv_db *db) { return sg_status(kv_resume(db)); }
static sg_result sg_compact_range(kv_db *db, const void *lo, size_t lo_len, const void *hi,
                                  size_t hi_len) {
	return sg_status(kv_compact_range(db, lo, lo_len, hi, hi_len));
}

static sg_result sg_property(kv_db *db, const char *name) {
	char *out = NULL;
	int rc = kv_property(db, name, &out);
	sg_result r = {rc, sg_copy_message(rc), out, 0};
	return r;
}

static sg_result sg_checkpoint(kv_db *db, const char *dir) { return sg_status(kv_checkpoint(db, dir)); }
static sg_result sg_verify(kv_db *db) { return sg_status(kv_verify(db)); }

static sg_result sg_repair(const char *path, const kv_options *o) {
	char *report = NULL;
	int rc = kv_repair(path, o, &report);
	sg_result r = {rc, sg_copy_message(rc), report, 0};
	return r;
}

static sg_result sg_destroy(const char *path) { return sg_status(kv_destroy(path)); }

static sg_result sg_txn_begin(kv_db *db) {
	kv_txn *t = NULL;
	int rc = kv_txn_begin(db, &t);
	sg_result r = {rc, sg_copy_message(rc), t, 0};
	return r;
}

// kv_txn_get, copying a value that fits into the caller's scratch buffer as
// sg_get does.
static sg_result sg_txn_get(kv_txn *t, const void *k, size_t kl, void *scratch,
                            size_t scratch_len) {
	void *val = NULL;
	size_t len = 0;
	int rc = kv_txn_get(t, k, kl, &val, &len);
	sg_result r = {rc, sg_copy_message(rc), val, len};
	if (rc == KV_OK && len <= scratch_len) {
		if (len > 0) memcpy(scratch, val, len);
		kv_free(val);
		r.ptr = NULL;
	}
	return r;
}

static sg_result sg_txn_put(kv_txn *t, const void *k, size_t kl, const void *v, size_t vl) {
	return sg_status(kv_txn_put(t, k, kl, v, vl));
}
static sg_result sg_txn_delete(kv_txn *t, const void *k, size_t kl) {
	return sg_status(kv_txn_delete(t, k, kl));
}
static sg_result sg_txn_commit(kv_txn *t) { return sg_status(kv_txn_commit(t)); }

// A byte count is 64 bits wherever size_t is not.
typedef struct {
	int rc;
	char *msg;
	uint64_t bytes;
} sg_size;

static sg_size sg_approximate_size(kv_db *db, const void *lo, size_t lo_len, const void *hi,
                                   size_t hi_len) {
	sg_size r = {0, NULL, 0};
	r.rc = kv_approximate_size(db, lo, lo_len, hi, hi_len, &r.bytes);
	r.msg = sg_copy_message(r.rc);
	return r;
}

static sg_result sg_sst_writer_new(const char *path, const kv_options *o) {
	kv_sst_writer *w = NULL;
	int rc = kv_sst_writer_new(path, o, &w);
	sg_result r = {rc, sg_copy_message(rc), w, 0};
	return r;
}
static sg_result sg_sst_writer_put(kv_sst_writer *w, const void *k, size_t kl, const void *v,
                                   size_t vl) {
	return sg_status(kv_sst_writer_put(w, k, kl, v, vl));
}
static sg_result sg_sst_writer_delete(kv_sst_writer *w, const void *k, size_t kl) {
	return sg_status(kv_sst_writer_delete(w, k, kl));
}
static sg_result sg_sst_writer_finish(kv_sst_writer *w) { return sg_status(kv_sst_writer_finish(w)); }
static sg_result sg_ingest(kv_db *db, const char *const *paths, size_t n, unsigned flags) {
	return sg_status(kv_ingest(db, paths, n, flags));
}
*/
import "C"

import (
	"encoding/binary"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"unsafe"
)

// Handles: C pointers, never dereferenced in Go. Aliases so that the other
// files of the package need not import "C".
type (
	dbHandle        = *C.kv_db
	batchHandle     = *C.kv_batch
	iterHandle      = *C.kv_iter
	snapshotHandle  = *C.kv_snapshot
	txnHandle       = *C.kv_txn
	optionsHandle   = *C.kv_options
	sstWriterHandle = *C.kv_sst_writer
)

// Status codes of kv.h, read from the header so they cannot drift.
const (
	statusOK              = int(C.KV_OK)
	statusNotFound        = int(C.KV_NOT_FOUND)
	statusEnd             = int(C.KV_END)
	statusInvalidArgument = int(C.KV_INVALID_ARGUMENT)
	statusIOError         = int(C.KV_IO_ERROR)
	statusCorruption      = int(C.KV_CORRUPTION)
	statusBusy            = int(C.KV_BUSY)
	statusNoMemory        = int(C.KV_NO_MEMORY)
	statusNotSupported    = int(C.KV_NOT_SUPPORTED)
	statusInternal        = int(C.KV_INTERNAL)
	statusConflict        = int(C.KV_CONFLICT)
	statusBufferTooSmall  = int(C.KV_BUFFER_TOO_SMALL)

	// MaxKeyLen and MaxValueLen are kv.h's size limits: a longer key or
	// value is ErrInvalidArgument.
	MaxKeyLen   = int(C.KV_MAX_KEY_LEN)
	MaxValueLen = int(C.KV_MAX_VALUE_LEN)

	writeSyncFlag = uint(C.KV_WRITE_SYNC)
)

// HeaderVersion is the version of the kv.h this package was compiled
// against; Version reports the library's at run time.
const HeaderVersion = C.KV_VERSION_STRING

// Version returns the version of the strata library in use, e.g. "0.3.0".
func Version() string { return C.GoString(C.kv_version()) }

// statusName names a status code ("KV_CORRUPTION"), as kv_status_name does.
func statusName(code int) string { return C.GoString(C.kv_status_name(C.int(code))) }

// ---- conversions ----------------------------------------------------------

// bytesPtr points at the first byte of b, or is nil for a nil slice. A
// non-nil empty slice gives a non-nil pointer, which kv.h reads as the empty
// key where a bound is taken (NULL there means "open").
func bytesPtr(b []byte) unsafe.Pointer { return unsafe.Pointer(unsafe.SliceData(b)) }

// cString copies s into C memory for a call, which must free it. A string
// with a NUL byte would be cut short in C, so it is refused, naming `what`.
func cString(s, what string) (*C.char, error) {
	if strings.IndexByte(s, 0) >= 0 {
		return nil, newError(statusInvalidArgument, what+" contains a NUL byte")
	}
	return C.CString(s), nil
}

func freeCString(s *C.char) { C.free(unsafe.Pointer(s)) }

// takeMessage copies and frees a message from a shim.
func takeMessage(msg *C.char) string {
	if msg == nil {
		return ""
	}
	s := C.GoString(msg)
	C.free(unsafe.Pointer(msg))
	return s
}

// resultError turns a shim's status into an error: nil for KV_OK,
// ErrNotFound for KV_NOT_FOUND, and an *Error for the negative codes (and
// for a KV_NOT_FOUND with a message, which only kv_open hands over).
// (KV_END is handled by the iterator before it gets here.)
func resultError(rc C.int, msg *C.char) error {
	message := takeMessage(msg)
	switch code := int(rc); {
	case code == statusOK:
		return nil
	case code == statusNotFound && message == "":
		return ErrNotFound
	default:
		return fromC(code, message)
	}
}

// takeBytes copies n bytes of C memory that strata handed out into a new Go
// slice, then frees the C memory. A non-nil ptr with n == 0 gives a non-nil
// empty slice (an empty value, as distinct from none). It is C.GoBytes
// without GoBytes' int32 length, since a multi-get buffer may pass 2 GiB.
func takeBytes(ptr unsafe.Pointer, n C.size_t) []byte {
	if ptr == nil {
		return nil
	}
	out := make([]byte, int(n))
	copy(out, unsafe.Slice((*byte)(ptr), int(n)))
	C.kv_free(ptr)
	return out
}

// takeString copies a NUL-terminated string strata handed out, then frees it.
func takeString(ptr unsafe.Pointer) string {
	if ptr == nil {
		return ""
	}
	s := C.GoString((*C.char)(ptr))
	C.kv_free(ptr)
	return s
}

// borrowed views n bytes of C memory as a slice without copying. Only for
// reading right away: the memory belongs to strata.
func borrowed(ptr unsafe.Pointer, n C.size_t) []byte {
	if n == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(ptr), int(n))
}

// ---- options ----------------------------------------------------------

func cOptionsNew() (optionsHandle, error) {
	r := C.sg_options_new()
	if err := resultError(r.rc, r.msg); err != nil {
		return nil, err
	}
	return optionsHandle(r.ptr), nil
}

func cOptionsSet(o optionsHandle, name, value string) error {
	cname, err := cString(name, "option name "+strconv.Quote(name))
	if err != nil {
		return err
	}
	defer freeCString(cname)
	cvalue, err := cString(value, "value of option "+name)
	if err != nil {
		return err
	}
	defer freeCString(cvalue)
	r := C.sg_options_set(o, cname, cvalue)
	return resultError(r.rc, r.msg)
}

func cOptionsGet(o optionsHandle, name string) (string, error) {
	cname, err := cString(name, "option name "+strconv.Quote(name))
	if err != nil {
		return "", err
	}
	defer freeCString(cname)
	r := C.sg_options_get(o, cname)
	if err := resultError(r.rc, r.msg); err != nil {
		return "", err
	}
	return takeString(r.ptr), nil
}

func cOptionsFree(o optionsHandle) { C.kv_options_free(o) }

// ---- opening, closing, removing ----------------------------------------

func cOpen(path string, o optionsHandle) (dbHandle, error) {
	cpath, err := cString(path, "path")
	if err != nil {
		return nil, err
	}
	defer freeCString(cpath)
	r := C.sg_open(cpath, o)
	if err := resultError(r.rc, r.msg); err != nil {
		// A database that does not exist and may not be created is
		// reported as an invalid argument; it is also "no such file".
		if e, ok := err.(*Error); ok && e.Code == statusInvalidArgument &&
			strings.HasSuffix(e.Message, missingDatabase) {
			e.errno = syscall.ENOENT
		}
		return nil, err
	}
	return dbHandle(r.ptr), nil
}

func cClose(db dbHandle) error {
	r := C.sg_close(db)
	return resultError(r.rc, r.msg)
}

func cRepair(path string, o optionsHandle) (string, error) {
	cpath, err := cString(path, "path")
	if err != nil {
		return "", err
	}
	defer freeCString(cpath)
	r := C.sg_repair(cpath, o)
	report := takeString(r.ptr) // a report may come with a failure too
	return report, resultError(r.rc, r.msg)
}

func cDestroy(path string) error {
	cpath, err := cString(path, "path")
	if err != nil {
		return err
	}
	defer freeCString(cpath)
	r := C.sg_destroy(cpath)
	return resultError(r.rc, r.msg)
}

// ---- single keys and batches -------------------------------------------

func cPut(db dbHandle, key, value []byte, flags uint) error {
	r := C.sg_put(db, bytesPtr(key), C.size_t(len(key)), bytesPtr(value), C.size_t(len(value)),
		C.uint(flags))
	return resultError(r.rc, r.msg)
}

func cDeleteRange(db dbHandle, start, end []byte) error {
	r := C.sg_delete_range(db, bytesPtr(start), C.size_t(len(start)), bytesPtr(end),
		C.size_t(len(end)))
	return resultError(r.rc, r.msg)
}

func cDelete(db dbHandle, key []byte, flags uint) error {
	r := C.sg_delete(db, bytesPtr(key), C.size_t(len(key)), C.uint(flags))
	return resultError(r.rc, r.msg)
}

// getScratch holds buffers that kv_get_into copies values of up to
// getScratchLen bytes into, so that a Get of a small value crosses into C
// once and allocates only its result. The pool keeps the buffers out of the
// per-call allocations; the caller still gets its own exact-size copy.
var getScratch = sync.Pool{New: func() any { b := make([]byte, getScratchLen); return &b }}

const getScratchLen = 4096

func cGet(db dbHandle, snap snapshotHandle, key []byte) ([]byte, error) {
	scratch := getScratch.Get().(*[]byte)
	defer getScratch.Put(scratch)
	buf, inScratch := *scratch, true
	for {
		r := C.sg_get(db, snap, bytesPtr(key), C.size_t(len(key)), bytesPtr(buf),
			C.size_t(len(buf)))
		if int(r.rc) == statusBufferTooSmall {
			// Nothing was copied: read it again straight into a slice of
			// its size, which is then the result (the value may have grown
			// meanwhile, hence the loop).
			buf, inScratch = make([]byte, int(r.len)), false
			continue
		}
		if err := resultError(r.rc, r.msg); err != nil {
			return nil, err
		}
		if inScratch {
			return append(make([]byte, 0, int(r.len)), buf[:r.len]...), nil
		}
		return buf[:r.len:r.len], nil
	}
}

// cMultiGet looks up every key in one kv_multi_get call. The keys are packed
// into one Go buffer (kv.h takes them back to back); the values come back in
// one C buffer, copied into one Go allocation and freed once. values[i] is nil
// for an absent key and a non-nil (possibly empty) slice of that allocation
// otherwise, capped so that appending to one never overwrites the next.
func cMultiGet(db dbHandle, snap snapshotHandle, keys [][]byte) ([][]byte, error) {
	n := len(keys)
	total := 0
	for _, k := range keys {
		total += len(k)
	}
	packed := make([]byte, 0, total)
	keyLens := make([]C.size_t, n)
	for i, k := range keys {
		packed = append(packed, k...)
		keyLens[i] = C.size_t(len(k))
	}
	valLens := make([]C.size_t, n)
	statuses := make([]C.int, n)
	r := C.sg_multi_get(db, snap, C.size_t(n), bytesPtr(packed), unsafe.SliceData(keyLens),
		unsafe.SliceData(valLens), unsafe.SliceData(statuses))
	if err := resultError(r.rc, r.msg); err != nil {
		if r.ptr != nil {
			C.kv_free(r.ptr)
		}
		return nil, err
	}
	found := 0
	for i := range statuses {
		if int(statuses[i]) == statusOK {
			found += int(valLens[i])
		}
	}
	all := takeBytes(r.ptr, C.size_t(found))
	if all == nil {
		all = []byte{} // found values may all be empty, with no buffer
	}
	values := make([][]byte, n)
	offset := 0
	for i := range statuses {
		if int(statuses[i]) != statusOK {
			continue
		}
		end := offset + int(valLens[i])
		values[i] = all[offset:end:end]
		offset = end
	}
	return values, nil
}

func cBatchNew() (batchHandle, error) {
	r := C.sg_batch_new()
	if err := resultError(r.rc, r.msg); err != nil {
		return nil, err
	}
	return batchHandle(r.ptr), nil
}

func cBatchPut(b batchHandle, key, value []byte) error {
	r := C.sg_batch_put(b, bytesPtr(key), C.size_t(len(key)), bytesPtr(value), C.size_t(len(value)))
	return resultError(r.rc, r.msg)
}

func cBatchDeleteRange(b batchHandle, start, end []byte) error {
	r := C.sg_batch_delete_range(b, bytesPtr(start), C.size_t(len(start)), bytesPtr(end),
		C.size_t(len(end)))
	return resultError(r.rc, r.msg)
}

func cBatchDelete(b batchHandle, key []byte) error {
	r := C.sg_batch_delete(b, bytesPtr(key), C.size_t(len(key)))
	return resultError(r.rc, r.msg)
}

func cBatchClear(b batchHandle)     { C.kv_batch_clear(b) }
func cBatchCount(b batchHandle) int { return int(C.kv_batch_count(b)) }
func cBatchFree(b batchHandle)      { C.kv_batch_free(b) }

// Buffered batch operations (batch.go) are encoded for sg_append_ops:
// the kind, the key and value lengths, the key, the value.
const (
	batchOpPut         = byte(C.SG_OP_PUT)
	batchOpDelete      = byte(C.SG_OP_DELETE)
	batchOpDeleteRange = byte(C.SG_OP_DELETE_RANGE)
	batchOpHeaderLen   = int(C.SG_OP_HEADER)
)

// appendBatchOp encodes one operation onto ops.
func appendBatchOp(ops []byte, kind byte, key, value []byte) []byte {
	ops = append(ops, kind)
	ops = binary.NativeEndian.AppendUint32(ops, uint32(len(key)))
	ops = binary.NativeEndian.AppendUint32(ops, uint32(len(value)))
	ops = append(ops, key...)
	return append(ops, value...)
}

// cBatchAppend hands buffered operations over to strata's batch.
func cBatchAppend(b batchHandle, ops []byte) error {
	r := C.sg_batch_append(b, bytesPtr(ops), C.size_t(len(ops)))
	return resultError(r.rc, r.msg)
}

// cWrite hands the buffered operations ops over to b, then writes b.
func cWrite(db dbHandle, b batchHandle, ops []byte, flags uint) error {
	r := C.sg_write(db, b, bytesPtr(ops), C.size_t(len(ops)), C.uint(flags))
	return resultError(r.rc, r.msg)
}

// ---- iterators and snapshots -------------------------------------------

func cIterNew(db dbHandle, snap snapshotHandle, lower, upper []byte) (iterHandle, error) {
	r := C.sg_iter_new(db, snap, bytesPtr(lower), C.size_t(len(lower)), bytesPtr(upper),
		C.size_t(len(upper)))
	if err := resultError(r.rc, r.msg); err != nil {
		return nil, err
	}
	return iterHandle(r.ptr), nil
}

func cIterNewPrefix(db dbHandle, snap snapshotHandle, prefix []byte) (iterHandle, error) {
	r := C.sg_iter_new_prefix(db, snap, bytesPtr(prefix), C.size_t(len(prefix)))
	if err := resultError(r.rc, r.msg); err != nil {
		return nil, err
	}
	return iterHandle(r.ptr), nil
}

func cIterFree(it iterHandle) { C.kv_iter_free(it) }

// iterMove names a cursor move of sg_iter_move.
type iterMove C.int

const (
	moveNext   = iterMove(C.SG_NEXT)
	movePrev   = iterMove(C.SG_PREV)
	moveFirst  = iterMove(C.SG_FIRST)
	moveLast   = iterMove(C.SG_LAST)
	moveSeekGE = iterMove(C.SG_SEEK_GE)
	moveSeekLE = iterMove(C.SG_SEEK_LE)
	moveSeekLT = iterMove(C.SG_SEEK_LT)
)

// cursorEntry is where an iterator stands after a move: at an entry (key and
// value borrowed from strata until the next move or free), or off the range
// (end), or failed (err).
type cursorEntry struct {
	key, value []byte // borrowed C memory; never keep past the next move
	end        bool
	err        error
}

func cIterMove(it iterHandle, move iterMove, target []byte) cursorEntry {
	e := C.sg_iter_move(it, C.int(move), bytesPtr(target), C.size_t(len(target)))
	switch int(e.rc) {
	case statusOK:
		return cursorEntry{key: borrowed(unsafe.Pointer(e.key), e.key_len),
			value: borrowed(unsafe.Pointer(e.val), e.val_len)}
	case statusEnd:
		return cursorEntry{end: true}
	default:
		return cursorEntry{err: resultError(e.rc, e.msg)}
	}
}

// fillResult is what cIterFill read ahead: n entries copied into the
// buffer, then what comes after them: a borrowed entry that did not fit
// (pending), the end of the range, or an error.
type fillResult struct {
	n       int
	pending bool
	tail    cursorEntry // the pending entry, or end, or err; zero otherwise
}

// fillCrossings counts cIterFill calls, each one kv_iter_next_batch: tests
// read it to check that a scan crosses into C once per batch.
var fillCrossings atomic.Int64

// fillEntryHeader is the bytes before each entry sg_iter_fill copies: its
// key length and value length as native-endian uint32s.
const fillEntryHeader = 8

// cIterFill steps it forward up to maxEntries times in one crossing, copying
// the entries into buf (see sg_iter_fill for the layout).
func cIterFill(it iterHandle, buf []byte, maxEntries int) fillResult {
	fillCrossings.Add(1)
	f := C.sg_iter_fill(it, bytesPtr(buf), C.size_t(len(buf)), C.size_t(maxEntries))
	r := fillResult{n: int(f.n)}
	switch int(f.rc) {
	case statusOK:
		if f.pending != 0 {
			r.pending = true
			r.tail = cursorEntry{key: borrowed(unsafe.Pointer(f.key), f.key_len),
				value: borrowed(unsafe.Pointer(f.val), f.val_len)}
		}
	case statusEnd:
		r.tail = cursorEntry{end: true}
	default:
		r.tail = cursorEntry{err: resultError(f.rc, f.msg)}
	}
	return r
}

func cSnapshotNew(db dbHandle) (snapshotHandle, error) {
	r := C.sg_snapshot_new(db)
	if err := resultError(r.rc, r.msg); err != nil {
		return nil, err
	}
	return snapshotHandle(r.ptr), nil
}

func cSnapshotFree(s snapshotHandle)            { C.kv_snapshot_free(s) }
func cSnapshotSequence(s snapshotHandle) uint64 { return uint64(C.kv_snapshot_sequence(s)) }

// ---- maintenance ----------------------------------------------------------

func cFlush(db dbHandle) error {
	r := C.sg_flush(db)
	return resultError(r.rc, r.msg)
}

func cWaitCompactions(db dbHandle) error {
	r := C.sg_wait_compactions(db)
	return resultError(r.rc, r.msg)
}

func cResume(db dbHandle) error {
	r := C.sg_resume(db)
	return resultError(r.rc, r.msg)
}

func cCompactRange(db dbHandle, start, end []byte) error {
	r := C.sg_compact_range(db, bytesPtr(start), C.size_t(len(start)), bytesPtr(end),
		C.size_t(len(end)))
	return resultError(r.rc, r.msg)
}

func cProperty(db dbHandle, name string) (string, error) {
	cname, err := cString(name, "property name "+strconv.Quote(name))
	if err != nil {
		return "", err
	}
	defer freeCString(cname)
	r := C.sg_property(db, cname)
	if err := resultError(r.rc, r.msg); err != nil {
		return "", err
	}
	return takeString(r.ptr), nil
}

func cCheckpoint(db dbHandle, dir string) error {
	cdir, err := cString(dir, "checkpoint directory")
	if err != nil {
		return err
	}
	defer freeCString(cdir)
	r := C.sg_checkpoint(db, cdir)
	return resultError(r.rc, r.msg)
}

func cVerify(db dbHandle) error {
	r := C.sg_verify(db)
	return resultError(r.rc, r.msg)
}

// ---- transactions and sizes -------------------------------------------------

func cTxnBegin(db dbHandle) (txnHandle, error) {
	r := C.sg_txn_begin(db)
	if err := resultError(r.rc, r.msg); err != nil {
		return nil, err
	}
	return txnHandle(r.ptr), nil
}

func cTxnGet(t txnHandle, key []byte) ([]byte, error) {
	scratch := getScratch.Get().(*[]byte)
	defer getScratch.Put(scratch)
	r := C.sg_txn_get(t, bytesPtr(key), C.size_t(len(key)), bytesPtr(*scratch),
		C.size_t(len(*scratch)))
	if err := resultError(r.rc, r.msg); err != nil {
		return nil, err
	}
	if r.ptr != nil {
		return takeBytes(r.ptr, r.len), nil
	}
	return append(make([]byte, 0, int(r.len)), (*scratch)[:r.len]...), nil
}

func cTxnPut(t txnHandle, key, value []byte) error {
	r := C.sg_txn_put(t, bytesPtr(key), C.size_t(len(key)), bytesPtr(value), C.size_t(len(value)))
	return resultError(r.rc, r.msg)
}

func cTxnDelete(t txnHandle, key []byte) error {
	r := C.sg_txn_delete(t, bytesPtr(key), C.size_t(len(key)))
	return resultError(r.rc, r.msg)
}

func cTxnCommit(t txnHandle) error {
	r := C.sg_txn_commit(t)
	return resultError(r.rc, r.msg)
}

func cTxnFree(t txnHandle) { C.kv_txn_free(t) }

// cApproximateSize: a nil bound is open (NULL), as in cCompactRange.
func cApproximateSize(db dbHandle, start, end []byte) (uint64, error) {
	r := C.sg_approximate_size(db, bytesPtr(start), C.size_t(len(start)), bytesPtr(end),
		C.size_t(len(end)))
	if err := resultError(r.rc, r.msg); err != nil {
		return 0, err
	}
	return uint64(r.bytes), nil
}

// ---- bulk ingest -----------------------------------------------------------

func cSstWriterNew(path string, o optionsHandle) (sstWriterHandle, error) {
	cpath, err := cString(path, "path")
	if err != nil {
		return nil, err
	}
	defer freeCString(cpath)
	r := C.sg_sst_writer_new(cpath, o)
	if err := resultError(r.rc, r.msg); err != nil {
		return nil, err
	}
	return sstWriterHandle(r.ptr), nil
}

func cSstWriterPut(w sstWriterHandle, key, value []byte) error {
	r := C.sg_sst_writer_put(w, bytesPtr(key), C.size_t(len(key)), bytesPtr(value),
		C.size_t(len(value)))
	return resultError(r.rc, r.msg)
}

func cSstWriterDelete(w sstWriterHandle, key []byte) error {
	r := C.sg_sst_writer_delete(w, bytesPtr(key), C.size_t(len(key)))
	return resultError(r.rc, r.msg)
}

func cSstWriterFinish(w sstWriterHandle) error {
	r := C.sg_sst_writer_finish(w)
	return resultError(r.rc, r.msg)
}

func cSstWriterFree(w sstWriterHandle) { C.kv_sst_writer_free(w) }

func cIngest(db dbHandle, paths []string, move bool) error {
	// The path array lives in C memory: cgo forbids passing Go memory that
	// holds Go pointers.
	n := len(paths)
	var arr **C.char
	if n > 0 {
		arr = (**C.char)(C.calloc(C.size_t(n), C.size_t(unsafe.Sizeof((*C.char)(nil)))))
		defer C.free(unsafe.Pointer(arr))
	}
	slots := unsafe.Slice(arr, n)
	defer func() {
		for _, p := range slots {
			if p != nil {
				freeCString(p)
			}
		}
	}()
	for i, p := range paths {
		c, err := cString(p, "path "+strconv.Quote(p))
		if err != nil {
			return err
		}
		slots[i] = c
	}
	var flags C.uint
	if move {
		flags = C.KV_INGEST_MOVE
	}
	r := C.sg_ingest(db, arr, C.size_t(n), flags)
	return resultError(r.rc, r.msg)
}
