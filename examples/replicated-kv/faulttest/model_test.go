package faulttest

import (
	"fmt"
	"sort"

	"github.com/anishathalye/porcupine"
)

// The linearizability model: a map of keys to values, checked one key at a
// time (porcupine checks each partition alone, which is sound for a map).
// Values written are unique, so a read names the write it saw; "" is
// "absent" (no value written is empty).

type kvInput struct {
	Op    byte // 'g' get, 'p' put, 'd' delete
	Key   string
	Value string // for a put
}

type kvOutput struct {
	Value string // for a get: the value read, "" when absent
}

var kvModel = porcupine.Model{
	Partition: func(history []porcupine.Operation) [][]porcupine.Operation {
		byKey := map[string][]porcupine.Operation{}
		for _, op := range history {
			k := op.Input.(kvInput).Key
			byKey[k] = append(byKey[k], op)
		}
		keys := make([]string, 0, len(byKey))
		for k := range byKey {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		out := make([][]porcupine.Operation, 0, len(keys))
		for _, k := range keys {
			out = append(out, byKey[k])
		}
		return out
	},
	Init: func() any { return "" },
	Step: func(state, input, output any) (bool, any) {
		in := input.(kvInput)
		switch in.Op {
		case 'g':
			return output.(kvOutput).Value == state.(string), state
		case 'p':
			return true, in.Value
		default:
			return true, ""
		}
	},
	DescribeOperation: func(input, output any) string {
		in := input.(kvInput)
		switch in.Op {
		case 'g':
			return fmt.Sprintf("get(%s) -> %q", in.Key, output.(kvOutput).Value)
		case 'p':
			return fmt.Sprintf("put(%s, %s)", in.Key, in.Value)
		default:
			return fmt.Sprintf("delete(%s)", in.Key)
		}
	},
}
