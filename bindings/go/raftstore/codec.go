package raftstore

import (
	"encoding/binary"
	"fmt"
	"time"

	"github.com/hashicorp/raft"
)

// The value stored for a log entry (the index is in the key, not here):
//
//	byte    format version, codecVersion
//	byte    flags: flagData, flagExtensions, flagAppendedAt
//	byte    raft.LogType
//	uvarint term
//	uvarint length of Data, then Data
//	uvarint length of Extensions, then Extensions
//	varint  AppendedAt seconds since 1970, uvarint nanoseconds (flagAppendedAt only)
//
// The flags keep a nil slice apart from an empty one and a zero AppendedAt
// apart from the epoch, so an entry reads back exactly as it was stored.
const (
	codecVersion = 1

	flagData       = 1 << 0 // Data is not nil
	flagExtensions = 1 << 1 // Extensions is not nil
	flagAppendedAt = 1 << 2 // AppendedAt is not the zero time
	knownFlags     = flagData | flagExtensions | flagAppendedAt
)

// encodeLog appends the encoding of l to buf.
func encodeLog(buf []byte, l *raft.Log) []byte {
	var flags byte
	if l.Data != nil {
		flags |= flagData
	}
	if l.Extensions != nil {
		flags |= flagExtensions
	}
	if !l.AppendedAt.IsZero() {
		flags |= flagAppendedAt
	}
	buf = append(buf, codecVersion, flags, byte(l.Type))
	buf = binary.AppendUvarint(buf, l.Term)
	buf = binary.AppendUvarint(buf, uint64(len(l.Data)))
	buf = append(buf, l.Data...)
	buf = binary.AppendUvarint(buf, uint64(len(l.Extensions)))
	buf = append(buf, l.Extensions...)
	if flags&flagAppendedAt != 0 {
		buf = binary.AppendVarint(buf, l.AppendedAt.Unix())
		buf = binary.AppendUvarint(buf, uint64(l.AppendedAt.Nanosecond()))
	}
	return buf
}

// decodeLog fills l from v, the value stored for index. The slices in l are
// v's own bytes (v is a fresh copy from strata, owned by nobody else). An
// encoding that does not parse to its last byte is an error matching
// ErrCorrupt.
func decodeLog(v []byte, index uint64, l *raft.Log) error {
	bad := func(what string) error {
		return fmt.Errorf("%w: log entry %d: %s", ErrCorrupt, index, what)
	}
	if len(v) < 3 {
		return bad(fmt.Sprintf("%d bytes, shorter than the header", len(v)))
	}
	if v[0] != codecVersion {
		return bad(fmt.Sprintf("unknown format version %d", v[0]))
	}
	flags, typ := v[1], raft.LogType(v[2])
	if flags&^knownFlags != 0 {
		return bad(fmt.Sprintf("unknown flags %#x", flags))
	}
	p := v[3:]
	uvarint := func(what string) (uint64, error) {
		x, n := binary.Uvarint(p)
		if n <= 0 {
			return 0, bad("truncated " + what)
		}
		p = p[n:]
		return x, nil
	}
	bytesOf := func(what string, present bool) ([]byte, error) {
		n, err := uvarint(what + " length")
		if err != nil {
			return nil, err
		}
		if n > uint64(len(p)) {
			return nil, bad(fmt.Sprintf("%s of %d bytes runs past the end", what, n))
		}
		b := p[:n:n]
		p = p[n:]
		if !present {
			if n != 0 {
				return nil, bad(what + " flagged absent but not empty")
			}
			return nil, nil
		}
		return b, nil
	}
	term, err := uvarint("term")
	if err != nil {
		return err
	}
	data, err := bytesOf("data", flags&flagData != 0)
	if err != nil {
		return err
	}
	ext, err := bytesOf("extensions", flags&flagExtensions != 0)
	if err != nil {
		return err
	}
	var at time.Time
	if flags&flagAppendedAt != 0 {
		sec, n := binary.Varint(p)
		if n <= 0 {
			return bad("truncated appended-at seconds")
		}
		p = p[n:]
		nsec, err := uvarint("appended-at nanoseconds")
		if err != nil {
			return err
		}
		if nsec >= 1e9 {
			return bad("appended-at nanoseconds out of range")
		}
		at = time.Unix(sec, int64(nsec))
	}
	if len(p) != 0 {
		return bad(fmt.Sprintf("%d bytes left after the entry", len(p)))
	}
	*l = raft.Log{Index: index, Term: term, Type: typ, Data: data, Extensions: ext, AppendedAt: at}
	return nil
}
