package strata

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// The cross-language fixture (tests/fixture/README.md): a database written
// by a C program, read back here exactly. The writer comes from the build
// tree in STRATA_BUILD_DIR, which scripts/test-go.sh always sets; a plain
// `go test` without it skips this test and says so.
func TestFixtureWrittenByC(t *testing.T) {
	build := os.Getenv("STRATA_BUILD_DIR")
	if build == "" {
		t.Skip("STRATA_BUILD_DIR is not set: no fixture writer to run (scripts/test-go.sh sets it)")
	}
	writer := filepath.Join(build, "tests", "fixture", "strata-fixture-writer")
	dir := filepath.Join(t.TempDir(), "fixture")
	if out, err := exec.Command(writer, dir).CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", writer, dir, err, out)
	}

	want := map[string]string{}
	for i := 0; i < 1000; i++ {
		if i%10 != 3 {
			want[fmt.Sprintf("fixture/%04d", i)] = fmt.Sprintf("value-%04d", i)
		}
	}
	want["\x00\xff\x00\x01"] = "\x00\x00\xff"
	want["empty"] = ""
	if len(want) != 902 {
		t.Fatalf("expected contents have %d keys", len(want))
	}

	db, err := Open(dir, &Options{ErrorIfNotExists: true})
	if err != nil {
		t.Fatalf("opening the fixture: %v", err)
	}
	defer db.Close()

	// Every entry, in order, nothing more.
	m := model(want)
	keys := m.sortedKeys()
	n := 0
	for kv, err := range db.All(nil, nil) {
		if err != nil {
			t.Fatal(err)
		}
		if n >= len(keys) || string(kv.Key) != keys[n] || string(kv.Value) != want[keys[n]] {
			t.Fatalf("entry %d: %q=%q", n, kv.Key, kv.Value)
		}
		n++
	}
	if n != 902 {
		t.Fatalf("%d entries, want 902", n)
	}
	// Point reads, the deleted keys absent, and the special values exact.
	for i := 0; i < 1000; i++ {
		k := fmt.Sprintf("fixture/%04d", i)
		if i%10 == 3 {
			mustBeAbsent(t, db, k)
		} else {
			mustGet(t, db, k, want[k])
		}
	}
	v, err := db.Get([]byte{0x00, 0xff, 0x00, 0x01})
	if err != nil || !bytes.Equal(v, []byte{0x00, 0x00, 0xff}) {
		t.Fatalf("binary key: %q, %v", v, err)
	}
	v, err = db.Get([]byte("empty"))
	if err != nil || v == nil || len(v) != 0 {
		t.Fatalf("empty value: %#v, %v", v, err)
	}
	// Backward and by prefix too.
	n = 0
	for kv, err := range db.Backward(nil, nil) {
		if err != nil || string(kv.Key) != keys[len(keys)-1-n] {
			t.Fatalf("backward entry %d: %q, %v", n, kv.Key, err)
		}
		n++
	}
	if got := len(collectSeq(t, db.Prefix([]byte("fixture/05")))); got != 90 {
		t.Fatalf("prefix fixture/05: %d keys, want 90", got)
	}
	if err := db.Verify(); err != nil {
		t.Fatal(err)
	}
}
