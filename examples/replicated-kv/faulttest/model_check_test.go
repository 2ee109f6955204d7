package faulttest

import (
	"testing"

	"github.com/anishathalye/porcupine"
)

// The model accepts what a linearizable map allows and refuses what it does
// not, so a pass of TestFault means something.
func TestModel(t *testing.T) {
	put := func(k, v string, call, ret int64) porcupine.Operation {
		return porcupine.Operation{ClientId: 0, Input: kvInput{Op: 'p', Key: k, Value: v}, Output: kvOutput{}, Call: call, Return: ret}
	}
	del := func(k string, call, ret int64) porcupine.Operation {
		return porcupine.Operation{ClientId: 0, Input: kvInput{Op: 'd', Key: k}, Output: kvOutput{}, Call: call, Return: ret}
	}
	get := func(k, v string, call, ret int64) porcupine.Operation {
		return porcupine.Operation{ClientId: 1, Input: kvInput{Op: 'g', Key: k}, Output: kvOutput{Value: v}, Call: call, Return: ret}
	}
	cases := []struct {
		name    string
		history []porcupine.Operation
		ok      bool
	}{
		{"read after write", []porcupine.Operation{put("a", "1", 0, 10), get("a", "1", 20, 30)}, true},
		{"stale read after an acknowledged write", []porcupine.Operation{put("a", "1", 0, 10), get("a", "", 20, 30)}, false},
		{"concurrent read may see either", []porcupine.Operation{put("a", "1", 0, 50), get("a", "", 10, 20), get("a", "1", 30, 40)}, true},
		{"read goes back in time", []porcupine.Operation{put("a", "1", 0, 50), get("a", "1", 10, 20), get("a", "", 30, 40)}, false},
		{"value never written", []porcupine.Operation{put("a", "1", 0, 10), get("a", "2", 20, 30)}, false},
		{"delete then read", []porcupine.Operation{put("a", "1", 0, 10), del("a", 20, 30), get("a", "", 40, 50)}, true},
		{"read of a deleted key", []porcupine.Operation{put("a", "1", 0, 10), del("a", 20, 30), get("a", "1", 40, 50)}, false},
		{"keys are independent", []porcupine.Operation{put("a", "1", 0, 10), put("b", "2", 0, 10), get("b", "2", 20, 30), get("a", "1", 20, 30)}, true},
		// A write whose outcome is unknown stays open to the end.
		{"unknown write seen late", []porcupine.Operation{put("a", "1", 0, 1<<60), get("a", "", 10, 20), get("a", "1", 100, 110)}, true},
	}
	for _, tc := range cases {
		if got := porcupine.CheckOperations(kvModel, tc.history); got != tc.ok {
			t.Errorf("%s: linearizable = %v, want %v", tc.name, got, tc.ok)
		}
	}
}
