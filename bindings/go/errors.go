package strata

import (
	"errors"
	"strings"
	"syscall"
)

// Sentinel errors, one per kind of failure in kv.h. Match them with
// errors.Is: the errors this package returns are *Error values (carrying
// strata's own message) whose Is method matches the sentinel of their code.
// ErrNotFound is returned as is, since a missing key is an ordinary result
// and carries no message.
var (
	// ErrNotFound: the key is absent (Get, Snapshot.Get).
	ErrNotFound = errors.New("strata: not found")
	// ErrInvalidArgument: bad input, e.g. an over-long key, an unknown
	// option, a malformed option value, or a handle used after Close.
	ErrInvalidArgument = errors.New("strata: invalid argument")
	// ErrIO: the operating system refused a file operation.
	ErrIO = errors.New("strata: I/O error")
	// ErrCorruption: data on disk failed a checksum or is inconsistent.
	// strata never returns such data as if it were sound.
	ErrCorruption = errors.New("strata: corruption")
	// ErrBusy: the database is open in another handle or process.
	ErrBusy = errors.New("strata: busy")
	// ErrNoMemory: strata could not allocate memory.
	ErrNoMemory = errors.New("strata: out of memory")
	// ErrNotSupported: the library does not support this call or setting.
	ErrNotSupported = errors.New("strata: not supported")
	// ErrInternal: a bug in strata; the message says where.
	ErrInternal = errors.New("strata: internal error")
	// ErrConflict: Txn.Commit found that a key the transaction read or wrote
	// was written by someone else after it began; nothing was applied.
	// Retry the transaction from DB.Begin.
	ErrConflict = errors.New("strata: conflict")
	// ErrClosed: a DB, Batch, Iterator, Snapshot or Txn was used after Close.
	// Such an error also matches ErrInvalidArgument, the code kv.h gives it.
	ErrClosed = errors.New("strata: closed")
)

// Error is a failure reported by strata: the kv.h status code (a negative
// KV_* value) and the message strata gave for it.
//
// When the failure comes from the operating system (a file that does not
// exist, a permission refused, a full disk), the error wraps the
// syscall.Errno behind it, so the standard library's tests work:
// errors.Is(err, fs.ErrNotExist), errors.Is(err, fs.ErrPermission),
// errors.As(err, &errno). Opening a database that does not exist with
// ErrorIfNotExists is one of them (it also keeps matching
// ErrInvalidArgument, its code in kv.h).
type Error struct {
	Code    int    // the kv.h status code, e.g. -3 for KV_CORRUPTION
	Message string // strata's message, e.g. "kv_open: ... is locked"
	closed  bool   // the failure is the use of a closed handle
	errno   syscall.Errno
}

// Error returns "strata: " followed by the message and the code's name.
func (e *Error) Error() string {
	return "strata: " + e.Message + " (" + statusName(e.Code) + ")"
}

// Is reports whether target is the sentinel of e's code (or ErrClosed, for
// the use of a closed handle).
func (e *Error) Is(target error) bool {
	if target == ErrClosed {
		return e.closed
	}
	return target == sentinelOf(e.Code)
}

// Unwrap returns the operating system's error behind e (a syscall.Errno),
// or nil when strata reported none.
func (e *Error) Unwrap() error {
	if e.errno == 0 {
		return nil
	}
	return e.errno
}

// sentinelOf maps a kv.h error code to its sentinel (nil for unknown codes,
// which match no sentinel but still carry their code).
func sentinelOf(code int) error {
	switch code {
	case statusNotFound:
		return ErrNotFound // only with a message: a file strata needed is missing
	case statusInvalidArgument:
		return ErrInvalidArgument
	case statusIOError:
		return ErrIO
	case statusCorruption:
		return ErrCorruption
	case statusBusy:
		return ErrBusy
	case statusNoMemory:
		return ErrNoMemory
	case statusNotSupported:
		return ErrNotSupported
	case statusInternal:
		return ErrInternal
	case statusConflict:
		return ErrConflict
	}
	return nil
}

func newError(code int, message string) *Error {
	return &Error{Code: code, Message: message}
}

// kv.h has no errno of its own: strata reports an operating system failure
// in the message, as "<what failed>: <strerror text>" (core/status.cc,
// Status::FromErrno, and the posix Env). The text is the C library's
// strerror in the C locale (a Go program never calls setlocale), which on
// Linux is also the text of Go's syscall.Errno.Error() apart from the case
// of the first letter. osErrors maps those texts back to their numbers.
var osErrors = func() map[string]syscall.Errno {
	m := make(map[string]syscall.Errno)
	for n := syscall.Errno(1); n < 256; n++ {
		text := n.Error()
		if !strings.HasPrefix(text, "errno ") { // Go's text for a number it cannot name
			m[strings.ToLower(text)] = n
		}
	}
	return m
}()

// osErrorIn returns the errno whose strerror text ends message after a
// ": ", or 0. Only the I/O and "not found" codes carry one.
func osErrorIn(code int, message string) syscall.Errno {
	if code != statusIOError && code != statusNotFound {
		return 0
	}
	i := strings.LastIndex(message, ": ")
	if i < 0 {
		return 0
	}
	return osErrors[strings.ToLower(message[i+2:])]
}

// missingDatabase is the end of strata's message when kv_open finds no
// database and may not create one (core/db/db.cc: "<path> does not exist"
// or "<path> holds no database"). TestOpenMissingIsNotExist pins the text.
const missingDatabase = "(create_if_missing is false)"

// fromC makes the error for a failure strata reported, recognising the
// operating system errors in its message.
func fromC(code int, message string) *Error {
	return &Error{Code: code, Message: message, errno: osErrorIn(code, message)}
}

// closedError is the error for a call on a closed handle; `what` names the
// call, e.g. "DB.Get".
func closedError(what string) *Error {
	return &Error{Code: statusInvalidArgument, Message: what + ": already closed", closed: true}
}
