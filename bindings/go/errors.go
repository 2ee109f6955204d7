package strata

import "errors"

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
	// ErrClosed: a DB, Batch, Iterator or Snapshot was used after Close.
	// Such an error also matches ErrInvalidArgument, the code kv.h gives it.
	ErrClosed = errors.New("strata: closed")
)

// Error is a failure reported by strata: the kv.h status code (a negative
// KV_* value) and the message strata gave for it.
type Error struct {
	Code    int    // the kv.h status code, e.g. -3 for KV_CORRUPTION
	Message string // strata's message, e.g. "kv_open: ... is locked"
	closed  bool   // the failure is the use of a closed handle
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

// sentinelOf maps a kv.h error code to its sentinel (nil for unknown codes,
// which match no sentinel but still carry their code).
func sentinelOf(code int) error {
	switch code {
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
	}
	return nil
}

func newError(code int, message string) *Error {
	return &Error{Code: code, Message: message}
}

// closedError is the error for a call on a closed handle; `what` names the
// call, e.g. "DB.Get".
func closedError(what string) *Error {
	return &Error{Code: statusInvalidArgument, Message: what + ": already closed", closed: true}
}
