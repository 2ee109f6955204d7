package raftstore

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/raft"
)

// sumFSM adds up the uint64 commands it applies; its snapshot is the sum and
// the count.
type sumFSM struct {
	mu         sync.Mutex
	sum, count uint64
}

func (f *sumFSM) Apply(l *raft.Log) any {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sum += binary.BigEndian.Uint64(l.Data)
	f.count++
	return f.count
}

func (f *sumFSM) state() (uint64, uint64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.sum, f.count
}

func (f *sumFSM) Snapshot() (raft.FSMSnapshot, error) {
	sum, count := f.state()
	return sumSnapshot{sum, count}, nil
}

func (f *sumFSM) Restore(r io.ReadCloser) error {
	defer r.Close()
	var b [16]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sum, f.count = binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:])
	return nil
}

type sumSnapshot struct{ sum, count uint64 }

func (s sumSnapshot) Persist(sink raft.SnapshotSink) error {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], s.sum)
	binary.BigEndian.PutUint64(b[8:], s.count)
	if _, err := sink.Write(b[:]); err != nil {
		sink.Cancel()
		return err
	}
	return sink.Close()
}

func (sumSnapshot) Release() {}

type testNode struct {
	id    raft.ServerID
	dir   string
	store *Store
	fsm   *sumFSM
	trans *raft.InmemTransport
	raft  *raft.Raft
}

// startCluster starts (or restarts, over the same directories) n raft nodes
// whose log and stable stores are raftstore Stores, connected in memory.
func startCluster(t *testing.T, dirs []string, bootstrap bool) []*testNode {
	t.Helper()
	var nodes []*testNode
	var servers []raft.Server
	for i, dir := range dirs {
		id := raft.ServerID(fmt.Sprintf("node%d", i))
		addr, trans := raft.NewInmemTransport(raft.ServerAddress(id))
		nodes = append(nodes, &testNode{id: id, dir: dir, trans: trans, fsm: &sumFSM{}})
		servers = append(servers, raft.Server{ID: id, Address: addr})
	}
	for _, a := range nodes {
		for _, b := range nodes {
			if a != b {
				a.trans.Connect(b.trans.LocalAddr(), b.trans)
			}
		}
	}
	for _, n := range nodes {
		conf := raft.DefaultConfig()
		conf.LocalID = n.id
		conf.HeartbeatTimeout = 100 * time.Millisecond
		conf.ElectionTimeout = 100 * time.Millisecond
		conf.LeaderLeaseTimeout = 50 * time.Millisecond
		conf.CommitTimeout = 5 * time.Millisecond
		conf.SnapshotThreshold = 64
		conf.SnapshotInterval = 20 * time.Millisecond
		conf.TrailingLogs = 32
		conf.Logger = hclog.New(&hclog.LoggerOptions{Level: hclog.Error, Output: io.Discard})
		if err := os.MkdirAll(n.dir, 0o755); err != nil {
			t.Fatal(err)
		}
		n.store = openStore(t, filepath.Join(n.dir, "log"))
		snaps, err := raft.NewFileSnapshotStore(n.dir, 2, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		if bootstrap {
			if err := raft.BootstrapCluster(conf, n.store, n.store, snaps, n.trans,
				raft.Configuration{Servers: servers}); err != nil {
				t.Fatalf("BootstrapCluster: %v", err)
			}
		}
		n.raft, err = raft.NewRaft(conf, n.fsm, n.store, n.store, snaps, n.trans)
		if err != nil {
			t.Fatalf("NewRaft: %v", err)
		}
	}
	return nodes
}

func stopCluster(t *testing.T, nodes []*testNode) {
	t.Helper()
	for _, n := range nodes {
		if err := n.raft.Shutdown().Error(); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		if err := n.store.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	}
}

func leaderOf(t *testing.T, nodes []*testNode) *testNode {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		for _, n := range nodes {
			if n.raft.State() == raft.Leader {
				return n
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("no leader elected in 10 s")
	return nil
}

func waitConverged(t *testing.T, nodes []*testNode, sum, count uint64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ok := true
		for _, n := range nodes {
			if s, c := n.fsm.state(); s != sum || c < count {
				ok = false
			}
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			for _, n := range nodes {
				s, c := n.fsm.state()
				t.Errorf("%s: sum %d after %d commands, want %d", n.id, s, c, sum)
			}
			t.FailNow()
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Three real hashicorp/raft nodes on raftstore Stores: commands commit and
// apply everywhere, log compaction deletes the head of each log, and after
// every node stops and restarts from its store (and snapshots) the cluster
// elects a leader and takes further commands on top of the same state.
func TestRaftCluster(t *testing.T) {
	base := t.TempDir()
	dirs := []string{filepath.Join(base, "0"), filepath.Join(base, "1"), filepath.Join(base, "2")}
	nodes := startCluster(t, dirs, true)
	var want uint64
	apply := func(from, to uint64) {
		leader := leaderOf(t, nodes)
		for i := from; i <= to; i++ {
			var b [8]byte
			binary.BigEndian.PutUint64(b[:], i)
			if err := leader.raft.Apply(b[:], 5*time.Second).Error(); err != nil {
				t.Fatalf("Apply(%d): %v", i, err)
			}
			want += i
		}
	}
	apply(1, 300)
	waitConverged(t, nodes, want, 0)
	// Snapshots run every 20 ms once 64 entries are past the last one; wait
	// for one to compact the leader's log.
	leader := leaderOf(t, nodes)
	deadline := time.Now().Add(10 * time.Second)
	for {
		first, err := leader.store.FirstIndex()
		if err != nil {
			t.Fatal(err)
		}
		if first > 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("log compaction never deleted the head of the leader's log")
		}
		time.Sleep(20 * time.Millisecond)
	}
	stopCluster(t, nodes)

	nodes = startCluster(t, dirs, false)
	defer stopCluster(t, nodes)
	waitConverged(t, nodes, want, 0)
	apply(301, 400)
	waitConverged(t, nodes, want, 0)
	for _, n := range nodes {
		term, err := n.store.GetUint64([]byte("CurrentTerm"))
		if err != nil || term == 0 {
			t.Fatalf("%s: CurrentTerm = %d, %v", n.id, term, err)
		}
	}
}
