// A tour of the Go binding: open, put/get/delete, an atomic batch, ordered
// and prefix reads with range-over-func, a cursor with seeks, a snapshot,
// multi-get, and maintenance. Run it with
//
//	PKG_CONFIG_PATH=<strata build dir>/pkgconfig-uninstalled go run . [DIR]
//
// DIR defaults to a fresh temporary directory, removed at the end.
package main

import (
	"errors"
	"fmt"
	"log"
	"os"

	strata "github.com/strata-kv/strata/bindings/go"
)

func main() {
	dir := ""
	if len(os.Args) > 1 {
		dir = os.Args[1]
	} else {
		tmp, err := os.MkdirTemp("", "strata-go-example-")
		if err != nil {
			log.Fatal(err)
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	if err := run(dir); err != nil {
		log.Fatal(err)
	}
}

func run(dir string) error {
	fmt.Printf("strata %s\n", strata.Version())
	db, err := strata.Open(dir, &strata.Options{MemTableSize: 16 << 20})
	if err != nil {
		return err
	}
	defer db.Close()

	// Single keys. Get returns a copy that is ours; absence is ErrNotFound.
	if err := db.Put([]byte("apple"), []byte("red"), nil); err != nil {
		return err
	}
	v, err := db.Get([]byte("apple"))
	if err != nil {
		return err
	}
	fmt.Printf("apple = %s\n", v)
	if _, err := db.Get([]byte("durian")); errors.Is(err, strata.ErrNotFound) {
		fmt.Println("durian: not found")
	}

	// An atomic batch, made durable before Write returns.
	b := db.NewBatch()
	defer b.Close()
	for _, f := range [][2]string{{"kiwi", "green"}, {"plum", "purple"}, {"lime", "green"}} {
		b.Put([]byte("fruit:"+f[0]), []byte(f[1]))
	}
	b.Delete([]byte("apple"))
	if err := db.Write(b, strata.Sync); err != nil {
		return err
	}

	// A snapshot before more changes.
	snap, err := db.NewSnapshot()
	if err != nil {
		return err
	}
	defer snap.Close()
	db.Put([]byte("fruit:kiwi"), []byte("brown"), nil)

	// Range-over-func: each entry is ours to keep; an error ends the loop.
	fmt.Println("fruit, now:")
	for kv, err := range db.Prefix([]byte("fruit:")) {
		if err != nil {
			return err
		}
		fmt.Printf("  %s = %s\n", kv.Key, kv.Value)
	}
	fmt.Println("fruit, as of the snapshot, backward:")
	for kv, err := range snap.Backward([]byte("fruit:"), []byte("fruit;")) {
		if err != nil {
			return err
		}
		fmt.Printf("  %s = %s\n", kv.Key, kv.Value)
	}

	// A cursor: Key and Value are valid until the next move.
	it, err := db.NewIter(nil)
	if err != nil {
		return err
	}
	if it.SeekGE([]byte("fruit:l")) {
		fmt.Printf("first key >= fruit:l is %s\n", it.Key())
	}
	if it.SeekLT([]byte("fruit:l")) {
		fmt.Printf("last key < fruit:l is %s\n", it.Key())
	}
	if err := it.Close(); err != nil {
		return err
	}

	// Many keys in one call.
	keys := [][]byte{[]byte("fruit:lime"), []byte("apple"), []byte("fruit:plum")}
	vals, err := db.MultiGet(keys)
	if err != nil {
		return err
	}
	for i, v := range vals {
		if v == nil {
			fmt.Printf("%s: absent\n", keys[i])
		} else {
			fmt.Printf("%s: %s\n", keys[i], v)
		}
	}

	// Maintenance.
	if err := db.Flush(); err != nil {
		return err
	}
	if err := db.Verify(); err != nil {
		return err
	}
	seq, err := db.Property("last-sequence")
	if err != nil {
		return err
	}
	fmt.Printf("last sequence %s\n", seq)
	return nil
}
