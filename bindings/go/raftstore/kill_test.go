package raftstore

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/raft"
)

// The child side of TestKilledWriter: appends batches of random sizes to the
// store at $RAFTSTORE_KILL_DIR, compacting the head now and then, and prints
// "acked <last index>" after each StoreLogs returns, until it is killed.
func TestKilledWriterChild(t *testing.T) {
	dir := os.Getenv("RAFTSTORE_KILL_DIR")
	if dir == "" {
		t.Skip("run by TestKilledWriter")
	}
	s, err := Open(dir, nil)
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	next, _ := s.LastIndex()
	next++
	rng := rand.New(rand.NewSource(time.Now().UnixNano()))
	for {
		n := 1 + rng.Intn(100)
		logs := make([]*raft.Log, n)
		for i := range logs {
			// Each entry names its batch's first index and size, so the
			// parent can tell a whole batch from part of one.
			data := make([]byte, 16, 16+rng.Intn(2048))
			binary.BigEndian.PutUint64(data, next)
			binary.BigEndian.PutUint64(data[8:], uint64(n))
			logs[i] = &raft.Log{Index: next + uint64(i), Term: 1, Data: data[:cap(data)]}
		}
		if err := s.StoreLogs(logs); err != nil {
			fmt.Println("error", err)
			os.Exit(1)
		}
		next += uint64(n)
		fmt.Println("acked", next-1)
		if rng.Intn(20) == 0 {
			if err := s.DeleteRange(0, next-1-500); err != nil && next > 501 {
				fmt.Println("error", err)
				os.Exit(1)
			}
		}
	}
}

// A writer process SIGKILLed in the middle of StoreLogs calls, again and
// again: after each kill the reopened store holds every batch whose
// StoreLogs returned, each batch whole or not at all, with no gap between
// the first and the last index.
func TestKilledWriter(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	dir := filepath.Join(t.TempDir(), "db")
	var acked uint64
	for cycle := 0; cycle < 8; cycle++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestKilledWriterChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), "RAFTSTORE_KILL_DIR="+dir)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan string)
		go func() {
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		kill := time.After(time.Duration(100+rand.Intn(400)) * time.Millisecond)
		cycleAcked := 0
	read:
		for {
			select {
			case line, ok := <-lines:
				if !ok {
					break read
				}
				if strings.HasPrefix(line, "error") {
					t.Fatalf("writer: %s", line)
				}
				if v, ok := strings.CutPrefix(line, "acked "); ok {
					acked, _ = strconv.ParseUint(v, 10, 64)
					cycleAcked++
				}
			case <-kill:
				cmd.Process.Signal(syscall.SIGKILL)
				kill = nil
			}
		}
		cmd.Wait()
		if cycleAcked == 0 {
			t.Fatalf("cycle %d: the writer acknowledged nothing before the kill", cycle)
		}

		s := openStore(t, dir)
		first, _ := s.FirstIndex()
		last, _ := s.LastIndex()
		if last < acked {
			t.Fatalf("cycle %d: last index %d, but StoreLogs up to %d returned", cycle, last, acked)
		}
		for i := first; i <= last; i++ {
			var l raft.Log
			if err := s.GetLog(i, &l); err != nil {
				t.Fatalf("cycle %d: GetLog(%d) between first %d and last %d: %v", cycle, i, first, last, err)
			}
			batchStart := binary.BigEndian.Uint64(l.Data)
			end := batchStart + binary.BigEndian.Uint64(l.Data[8:]) - 1
			if i < batchStart || i > end {
				t.Fatalf("cycle %d: entry %d holds batch %d..%d", cycle, i, batchStart, end)
			}
			if end > last {
				t.Fatalf("cycle %d: batch %d..%d only partly stored (last index %d)", cycle, batchStart, end, last)
			}
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		acked = last // the next writer goes on from what survived
	}
}
