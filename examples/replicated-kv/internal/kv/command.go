package kv

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Op is one change to the key space: a put, or a delete when Delete is set.
type Op struct {
	Delete bool
	Key    []byte
	Value  []byte
}

// A command is what the service appends to the raft log: a list of ops that
// the state machine applies atomically, in order.
//
//	byte    commandVersion
//	uvarint number of ops
//	per op: byte opPut or opDelete, uvarint key length, key,
//	        and for a put: uvarint value length, value
//
// Node registrations (a node's HTTP address, for redirects to the leader)
// travel as ops on keys in the meta space (metaNodePrefix), which the HTTP
// API cannot name.
const (
	commandVersion = 1
	opPut          = 1
	opDelete       = 2
)

var errBadCommand = errors.New("malformed command")

func encodeCommand(ops []Op) []byte {
	n := 1 + binary.MaxVarintLen64
	for _, op := range ops {
		n += 1 + 2*binary.MaxVarintLen64 + len(op.Key) + len(op.Value)
	}
	b := make([]byte, 0, n)
	b = append(b, commandVersion)
	b = binary.AppendUvarint(b, uint64(len(ops)))
	for _, op := range ops {
		if op.Delete {
			b = append(b, opDelete)
		} else {
			b = append(b, opPut)
		}
		b = binary.AppendUvarint(b, uint64(len(op.Key)))
		b = append(b, op.Key...)
		if !op.Delete {
			b = binary.AppendUvarint(b, uint64(len(op.Value)))
			b = append(b, op.Value...)
		}
	}
	return b
}

// decodeCommand parses a command; the ops' slices alias b.
func decodeCommand(b []byte) ([]Op, error) {
	if len(b) < 1 || b[0] != commandVersion {
		return nil, fmt.Errorf("%w: unknown version", errBadCommand)
	}
	p := b[1:]
	uvarint := func() (uint64, bool) {
		x, n := binary.Uvarint(p)
		if n <= 0 {
			return 0, false
		}
		p = p[n:]
		return x, true
	}
	bytesOf := func() ([]byte, bool) {
		n, ok := uvarint()
		if !ok || n > uint64(len(p)) {
			return nil, false
		}
		s := p[:n:n]
		p = p[n:]
		return s, true
	}
	count, ok := uvarint()
	if !ok || count > uint64(len(p)) {
		return nil, fmt.Errorf("%w: bad op count", errBadCommand)
	}
	ops := make([]Op, 0, count)
	for i := uint64(0); i < count; i++ {
		if len(p) == 0 {
			return nil, fmt.Errorf("%w: truncated", errBadCommand)
		}
		kind := p[0]
		p = p[1:]
		var op Op
		if op.Key, ok = bytesOf(); !ok {
			return nil, fmt.Errorf("%w: truncated key", errBadCommand)
		}
		switch kind {
		case opPut:
			if op.Value, ok = bytesOf(); !ok {
				return nil, fmt.Errorf("%w: truncated value", errBadCommand)
			}
		case opDelete:
			op.Delete = true
		default:
			return nil, fmt.Errorf("%w: unknown op %d", errBadCommand, kind)
		}
		ops = append(ops, op)
	}
	if len(p) != 0 {
		return nil, fmt.Errorf("%w: trailing bytes", errBadCommand)
	}
	return ops, nil
}
