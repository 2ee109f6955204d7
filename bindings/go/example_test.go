package strata_test

import (
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"

	strata "github.com/strata-kv/strata/bindings/go"
)

// tempDir gives each example a directory of its own.
func tempDir() string {
	dir, err := os.MkdirTemp("", "strata-example-")
	if err != nil {
		log.Fatal(err)
	}
	return dir
}

func ExampleOpen() {
	dir := tempDir()
	defer os.RemoveAll(dir)

	db, err := strata.Open(dir, &strata.Options{
		MemTableSize: 16 << 20,
		Compression:  strata.LZ4Compression,
	})
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	// A second opener is refused while db holds the directory.
	_, err = strata.Open(dir, nil)
	fmt.Println(errors.Is(err, strata.ErrBusy))
	// Output: true
}

func ExampleDB_Get() {
	dir := tempDir()
	defer os.RemoveAll(dir)
	db, _ := strata.Open(dir, nil)
	defer db.Close()

	if err := db.Put([]byte("apple"), []byte("red"), nil); err != nil {
		log.Fatal(err)
	}
	v, err := db.Get([]byte("apple"))
	fmt.Printf("%s %v\n", v, err)

	_, err = db.Get([]byte("pear"))
	fmt.Println(errors.Is(err, strata.ErrNotFound))
	// Output:
	// red <nil>
	// true
}

func ExampleDB_Delete() {
	dir := tempDir()
	defer os.RemoveAll(dir)
	db, _ := strata.Open(dir, nil)
	defer db.Close()

	db.Put([]byte("apple"), []byte("red"), nil)
	db.Delete([]byte("apple"), strata.Sync) // durable before it returns
	_, err := db.Get([]byte("apple"))
	fmt.Println(err)
	// Output: strata: not found
}

func ExampleDB_Write() {
	dir := tempDir()
	defer os.RemoveAll(dir)
	db, _ := strata.Open(dir, nil)
	defer db.Close()
	db.Put([]byte("apple"), []byte("red"), nil)

	b := db.NewBatch()
	defer b.Close()
	b.Put([]byte("fruit:kiwi"), []byte("green"))
	b.Put([]byte("fruit:plum"), []byte("purple"))
	b.Delete([]byte("apple"))
	if err := db.Write(b, nil); err != nil { // all three, or none
		log.Fatal(err)
	}
	for kv, err := range db.All(nil, nil) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s=%s\n", kv.Key, kv.Value)
	}
	// Output:
	// fruit:kiwi=green
	// fruit:plum=purple
}

func ExampleDB_NewIter() {
	dir := tempDir()
	defer os.RemoveAll(dir)
	db, _ := strata.Open(dir, nil)
	defer db.Close()
	for _, k := range []string{"a", "b", "c", "d"} {
		db.Put([]byte(k), []byte("value of "+k), nil)
	}

	it, err := db.NewIter(&strata.IterOptions{LowerBound: []byte("b")})
	if err != nil {
		log.Fatal(err)
	}
	defer it.Close()
	for ok := it.First(); ok; ok = it.Next() {
		fmt.Printf("%s: %s\n", it.Key(), it.Value())
	}
	if err := it.Error(); err != nil {
		log.Fatal(err)
	}
	// Seeks: the first key >= "bb", the last key < "b".
	it.SeekGE([]byte("bb"))
	fmt.Printf("SeekGE(bb) at %s\n", it.Key())
	fmt.Println("SeekLT(b) valid:", it.SeekLT([]byte("b")))
	// Output:
	// b: value of b
	// c: value of c
	// d: value of d
	// SeekGE(bb) at c
	// SeekLT(b) valid: false
}

func ExampleDB_All() {
	dir := tempDir()
	defer os.RemoveAll(dir)
	db, _ := strata.Open(dir, nil)
	defer db.Close()
	for _, k := range []string{"a", "b", "c"} {
		db.Put([]byte(k), []byte("v"+k), nil)
	}

	for kv, err := range db.All([]byte("b"), nil) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s=%s\n", kv.Key, kv.Value)
	}
	// Output:
	// b=vb
	// c=vc
}

func ExampleDB_Backward() {
	dir := tempDir()
	defer os.RemoveAll(dir)
	db, _ := strata.Open(dir, nil)
	defer db.Close()
	for _, k := range []string{"a", "b", "c"} {
		db.Put([]byte(k), nil, nil)
	}

	for kv, err := range db.Backward(nil, nil) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s ", kv.Key)
	}
	fmt.Println()
	// Output: c b a
}

func ExampleDB_Prefix() {
	dir := tempDir()
	defer os.RemoveAll(dir)
	db, _ := strata.Open(dir, nil)
	defer db.Close()
	for _, k := range []string{"user/1", "user/2", "users", "zebra"} {
		db.Put([]byte(k), nil, nil)
	}

	for kv, err := range db.Prefix([]byte("user/")) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(string(kv.Key))
	}
	// Output:
	// user/1
	// user/2
}

func ExampleDB_NewSnapshot() {
	dir := tempDir()
	defer os.RemoveAll(dir)
	db, _ := strata.Open(dir, nil)
	defer db.Close()

	db.Put([]byte("balance"), []byte("100"), nil)
	snap, err := db.NewSnapshot()
	if err != nil {
		log.Fatal(err)
	}
	defer snap.Close()
	db.Put([]byte("balance"), []byte("50"), nil)

	then, _ := snap.Get([]byte("balance"))
	now, _ := db.Get([]byte("balance"))
	fmt.Printf("then %s, now %s\n", then, now)
	// Output: then 100, now 50
}

func ExampleDB_MultiGet() {
	dir := tempDir()
	defer os.RemoveAll(dir)
	db, _ := strata.Open(dir, nil)
	defer db.Close()
	db.Put([]byte("a"), []byte("1"), nil)
	db.Put([]byte("c"), []byte{}, nil)

	// One call into strata for all three keys.
	vals, err := db.MultiGet([][]byte{[]byte("a"), []byte("b"), []byte("c")})
	if err != nil {
		log.Fatal(err)
	}
	for i, v := range vals {
		fmt.Printf("%d: %q found=%v\n", i, v, v != nil)
	}
	// Output:
	// 0: "1" found=true
	// 1: "" found=false
	// 2: "" found=true
}

func ExampleDB_Flush() {
	dir := tempDir()
	defer os.RemoveAll(dir)
	db, _ := strata.Open(dir, nil)
	defer db.Close()
	db.Put([]byte("k"), []byte("v"), nil)

	if err := db.Flush(); err != nil { // the memtable becomes a table
		log.Fatal(err)
	}
	if err := db.CompactRange(nil, nil); err != nil { // everything into one run
		log.Fatal(err)
	}
	if err := db.WaitCompactions(); err != nil {
		log.Fatal(err)
	}
	l0, _ := db.Property("num-files-at-level0")
	seq, _ := db.Property("last-sequence")
	fmt.Println("level-0 tables:", l0, "last sequence:", seq)
	// Output: level-0 tables: 0 last sequence: 1
}

func ExampleDB_Stats() {
	dir := tempDir()
	defer os.RemoveAll(dir)
	db, _ := strata.Open(dir, nil)
	defer db.Close()

	stats, err := db.Stats()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(stats) > 0)
	// Output: true
}

func ExampleDB_Checkpoint() {
	dir := tempDir()
	defer os.RemoveAll(dir)
	db, _ := strata.Open(filepath.Join(dir, "live"), nil)
	defer db.Close()
	db.Put([]byte("k"), []byte("v"), nil)

	if err := db.Checkpoint(filepath.Join(dir, "backup")); err != nil {
		log.Fatal(err)
	}
	backup, err := strata.Open(filepath.Join(dir, "backup"), nil)
	if err != nil {
		log.Fatal(err)
	}
	defer backup.Close()
	v, _ := backup.Get([]byte("k"))
	fmt.Println(string(v), backup.Verify())
	// Output: v <nil>
}

func ExampleDestroy() {
	dir := tempDir()
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "db")
	db, _ := strata.Open(path, nil)
	fmt.Println(errors.Is(strata.Destroy(path), strata.ErrBusy))
	db.Close()
	fmt.Println(strata.Destroy(path))
	// Output:
	// true
	// <nil>
}

func ExampleRepair() {
	dir := tempDir()
	defer os.RemoveAll(dir)
	db, _ := strata.Open(dir, nil)
	db.Put([]byte("k"), []byte("v"), nil)
	db.Close()

	// On a closed database whose manifest was lost or damaged: the report
	// says what was kept and what was dropped.
	report, err := strata.Repair(dir, nil)
	if err != nil {
		log.Fatal(err)
	}
	db, _ = strata.Open(dir, nil)
	defer db.Close()
	v, _ := db.Get([]byte("k"))
	fmt.Println(report != "", string(v))
	// Output: true v
}

func ExampleError() {
	dir := tempDir()
	defer os.RemoveAll(dir)
	_, err := strata.Open(dir, &strata.Options{MemTable: "btree"})

	var se *strata.Error
	if errors.As(err, &se) {
		fmt.Println(errors.Is(err, strata.ErrInvalidArgument), se.Code)
	}
	// Output: true -1
}
