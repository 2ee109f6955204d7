package raftstore_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/hashicorp/raft"
	"github.com/strata-kv/strata/bindings/go/raftstore"
)

// A Store is raft's log store and stable store at once:
// raft.NewRaft(conf, fsm, store, store, snapshots, transport).
func Example() {
	dir, _ := os.MkdirTemp("", "raftstore-example")
	defer os.RemoveAll(dir)
	store, err := raftstore.Open(filepath.Join(dir, "raft-log"), nil)
	if err != nil {
		panic(err)
	}
	defer store.Close()

	store.StoreLogs([]*raft.Log{
		{Index: 1, Term: 1, Type: raft.LogCommand, Data: []byte("first")},
		{Index: 2, Term: 1, Type: raft.LogCommand, Data: []byte("second")},
	})
	store.SetUint64([]byte("CurrentTerm"), 1)

	first, _ := store.FirstIndex()
	last, _ := store.LastIndex()
	var l raft.Log
	store.GetLog(2, &l)
	term, _ := store.GetUint64([]byte("CurrentTerm"))
	fmt.Println(first, last, string(l.Data), term)
	_, err = store.Get([]byte("LastVoteCand"))
	fmt.Println(err)
	// Output:
	// 1 2 second 1
	// not found
}
