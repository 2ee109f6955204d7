package strata

import (
	"os"
	"regexp"
	"slices"
	"testing"
)

// The binding keeps step with the C ABI: every function kv.h exports is
// called from capi.go, and every option docs/OPTIONS.md lists has a typed
// field. These fail when the header or the options grow and the binding
// does not.

func TestEveryHeaderFunctionIsBound(t *testing.T) {
	header, err := os.ReadFile("../../capi/include/strata/kv.h")
	if err != nil {
		t.Fatal(err)
	}
	source, err := os.ReadFile("capi.go")
	if err != nil {
		t.Fatal(err)
	}
	exported := regexp.MustCompile(`(?m)^KV_EXPORT[^(]*?\b(kv_[a-z0-9_]+)\(`).FindAllSubmatch(header, -1)
	if len(exported) < 45 {
		t.Fatalf("found only %d exported functions in kv.h; is the pattern stale?", len(exported))
	}
	for _, m := range exported {
		name := string(m[1])
		if successor, ok := supersededCalls[name]; ok {
			name = successor
		}
		if !regexp.MustCompile(`\b` + name + `\(`).Match(source) {
			t.Errorf("kv.h exports %s, which the Go binding never calls", m[1])
		}
	}
}

// supersededCalls are kv.h functions the binding covers through a later
// call that does the same and more: Get reads with kv_get_into (issue 16),
// which spares kv_get's allocation and kv_free.
var supersededCalls = map[string]string{
	"kv_get":    "kv_get_into",
	"kv_get_at": "kv_get_into_at",
}

func TestEveryDocumentedOptionHasAField(t *testing.T) {
	doc, err := os.ReadFile("../../docs/OPTIONS.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := regexp.MustCompile("(?m)^\\| `([a-z0-9_]+)` \\|").FindAllSubmatch(doc, -1)
	if len(rows) < 10 {
		t.Fatalf("found only %d options in docs/OPTIONS.md; is the pattern stale?", len(rows))
	}
	for _, m := range rows {
		if !slices.Contains(optionNames, string(m[1])) {
			t.Errorf("docs/OPTIONS.md lists %s, which Options does not cover", m[1])
		}
	}
}
