package strata

import (
	"fmt"
	"testing"
)

func TestMultiGet(t *testing.T) {
	db := openTemp(t, nil)
	mustPut(t, db, "a", "apple")
	mustPut(t, db, "e", "")
	mustPut(t, db, "", "empty key")
	if err := db.Flush(); err != nil {
		t.Fatal(err)
	}
	mustPut(t, db, "b", "banana")
	keys := [][]byte{[]byte("b"), []byte("missing"), []byte("a"), []byte("e"), nil, []byte("a")}
	vals, err := db.MultiGet(keys)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"banana", "", "apple", "", "empty key", "apple"}
	found := []bool{true, false, true, true, true, true}
	if len(vals) != len(keys) {
		t.Fatalf("%d values for %d keys", len(vals), len(keys))
	}
	for i := range keys {
		if (vals[i] != nil) != found[i] || string(vals[i]) != want[i] {
			t.Errorf("key %q: %#v, want %q (found %v)", keys[i], vals[i], want[i], found[i])
		}
	}
	// The values share one allocation but appending to one leaves the next.
	_ = append(vals[0], "XXXX"...)
	if string(vals[2]) != "apple" {
		t.Fatalf("append spilled into the next value: %q", vals[2])
	}

	none, err := db.MultiGet(nil)
	if err != nil || len(none) != 0 {
		t.Fatalf("no keys: %v, %v", none, err)
	}
	absent, err := db.MultiGet([][]byte{[]byte("x"), []byte("y")})
	if err != nil || absent[0] != nil || absent[1] != nil {
		t.Fatalf("all absent: %#v, %v", absent, err)
	}
	empties, err := db.MultiGet([][]byte{[]byte("e")})
	if err != nil || empties[0] == nil || len(empties[0]) != 0 {
		t.Fatalf("only empty values found: %#v, %v", empties, err)
	}
}

func TestMultiGetMany(t *testing.T) {
	db := openTemp(t, nil)
	b := db.NewBatch()
	defer b.Close()
	keys := make([][]byte, 0, 2000)
	for i := 0; i < 2000; i++ {
		k := []byte(fmt.Sprintf("key%05d", i))
		keys = append(keys, k)
		if i%2 == 0 {
			b.Put(k, []byte(fmt.Sprintf("value%d", i)))
		}
	}
	if err := db.Write(b, nil); err != nil {
		t.Fatal(err)
	}
	vals, err := db.MultiGet(keys)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range vals {
		if i%2 == 0 && string(v) != fmt.Sprintf("value%d", i) || i%2 == 1 && v != nil {
			t.Fatalf("key %d: %q", i, v)
		}
	}
}
