// Command raftbench compares strata's raftstore with raft-boltdb/v2 as
// hashicorp/raft's log store, in the same run, alternating the two in every
// round, and prints the medians over the rounds (docs/BENCHMARKS.md):
//
//   - StoreLogs of batches of 1 KiB entries, synced: entries/s and the p99
//     latency of one StoreLogs call, for batches of 64 entries (raft's
//     MaxAppendEntries) and of 1 entry;
//
//   - GetLog of random entries among the last 10,000: gets/s and p99;
//
//   - DeleteRange of a compacted prefix (the first 80% of the log), as raft's
//     log compaction does after a snapshot: its duration, and then the time
//     of FirstIndex and of a GetLog of the new first entry;
//
//   - with -bin, a 3-node replicated-kv cluster on the loopback (processes
//     started with -store strata or -store boltdb): committed writes/s and
//     the p99 latency of a write, under concurrent clients sent straight to
//     the leader.
//
//     go build -o /tmp/replicated-kv . && go run ./cmd/raftbench -bin /tmp/replicated-kv -rounds 5
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/hashicorp/raft"
	raftboltdb "github.com/hashicorp/raft-boltdb/v2"
	"github.com/strata-kv/strata/bindings/go/raftstore"
)

type store interface {
	raft.LogStore
	Close() error
}

func openStore(kind, dir string) (store, error) {
	switch kind {
	case "strata":
		return raftstore.Open(filepath.Join(dir, "strata"), nil)
	case "boltdb":
		return raftboltdb.New(raftboltdb.Options{Path: filepath.Join(dir, "raft.db")})
	}
	return nil, fmt.Errorf("unknown store %q", kind)
}

var stores = []string{"strata", "boltdb"}

func main() {
	rounds := flag.Int("rounds", 5, "rounds; each runs every measurement once per store, alternating")
	dir := flag.String("dir", os.TempDir(), "directory for the stores (on the disk to measure)")
	entries := flag.Int("entries", 50000, "entries written by the batched StoreLogs measurement")
	singles := flag.Int("singles", 2000, "entries written one StoreLogs call each")
	gets := flag.Int("gets", 100000, "GetLog calls")
	bin := flag.String("bin", "", "replicated-kv binary: also measure a 3-node cluster with each store")
	clusterSecs := flag.Duration("cluster-time", 20*time.Second, "duration of each cluster measurement")
	clients := flag.Int("clients", 16, "concurrent clients in the cluster measurement")
	valueSize := flag.Int("value", 256, "bytes per value written to the cluster")
	only := flag.String("stores", "strata,boltdb", "the stores to measure (e.g. one of them, under strace -c)")
	flag.Parse()
	stores = strings.Split(*only, ",")

	results := map[string]map[string][]float64{} // metric -> store -> per-round values
	add := func(metric, store string, v float64) {
		if results[metric] == nil {
			results[metric] = map[string][]float64{}
		}
		results[metric][store] = append(results[metric][store], v)
	}
	var order []string
	note := func(m string) {
		for _, o := range order {
			if o == m {
				return
			}
		}
		order = append(order, m)
	}

	for r := 0; r < *rounds; r++ {
		// Alternate which store goes first, so neither always gets the
		// warmer (or the more fragmented) disk.
		seq := stores
		if r%2 == 1 && len(stores) == 2 {
			seq = []string{stores[1], stores[0]}
		}
		for _, kind := range seq {
			m := storeRound(kind, *dir, *entries, *singles, *gets)
			for _, k := range m.keys {
				add(k, kind, m.vals[k])
				note(k)
			}
			fmt.Fprintf(os.Stderr, "round %d %s: %s\n", r+1, kind, m)
		}
		if *bin != "" {
			for _, kind := range seq {
				wps, p99, err := clusterRound(*bin, kind, *dir, *clusterSecs, *clients, *valueSize)
				if err != nil {
					fmt.Fprintf(os.Stderr, "cluster %s: %v\n", kind, err)
					os.Exit(1)
				}
				add("cluster committed writes/s", kind, wps)
				add("cluster write p99 ms", kind, p99)
				note("cluster committed writes/s")
				note("cluster write p99 ms")
				fmt.Fprintf(os.Stderr, "round %d cluster %s: %.0f writes/s, p99 %.2f ms\n", r+1, kind, wps, p99)
			}
		}
	}
	fmt.Printf("medians over %d rounds\n", *rounds)
	fmt.Printf("%-36s %14s %14s %8s\n", "metric", "strata", "boltdb", "ratio")
	for _, k := range order {
		s, b := median(results[k]["strata"]), median(results[k]["boltdb"])
		fmt.Printf("%-36s %14.2f %14.2f %8.2f\n", k, s, b, s/b)
	}
}

type measures struct {
	keys []string
	vals map[string]float64
}

func (m *measures) set(k string, v float64) {
	if m.vals == nil {
		m.vals = map[string]float64{}
	}
	m.keys = append(m.keys, k)
	m.vals[k] = v
}

func (m measures) String() string {
	var parts []string
	for _, k := range m.keys {
		parts = append(parts, fmt.Sprintf("%s=%.2f", k, m.vals[k]))
	}
	return strings.Join(parts, " ")
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "raftbench:", err)
		os.Exit(1)
	}
}

func makeLog(i uint64, payload []byte) *raft.Log {
	return &raft.Log{Index: i, Term: 1, Type: raft.LogCommand, Data: payload, AppendedAt: time.Now()}
}

func storeRound(kind, base string, entries, singles, gets int) measures {
	var m measures
	dir, err := os.MkdirTemp(base, "raftbench-"+kind+"-")
	must(err)
	defer os.RemoveAll(dir)
	s, err := openStore(kind, dir)
	must(err)
	defer s.Close()
	payload := make([]byte, 1024)
	rand.New(rand.NewSource(1)).Read(payload)

	// StoreLogs, batches of 64.
	const batch = 64
	var lat []time.Duration
	next := uint64(1)
	start := time.Now()
	for next <= uint64(entries) {
		logs := make([]*raft.Log, 0, batch)
		for j := 0; j < batch && next <= uint64(entries); j++ {
			logs = append(logs, makeLog(next, payload))
			next++
		}
		t0 := time.Now()
		must(s.StoreLogs(logs))
		lat = append(lat, time.Since(t0))
	}
	m.set("StoreLogs x64 entries/s", float64(entries)/time.Since(start).Seconds())
	m.set("StoreLogs x64 p99 ms", p99ms(lat))

	// StoreLogs, one entry a call.
	lat = lat[:0]
	start = time.Now()
	for j := 0; j < singles; j++ {
		t0 := time.Now()
		must(s.StoreLogs([]*raft.Log{makeLog(next, payload)}))
		lat = append(lat, time.Since(t0))
		next++
	}
	m.set("StoreLogs x1 entries/s", float64(singles)/time.Since(start).Seconds())
	m.set("StoreLogs x1 p99 ms", p99ms(lat))

	// GetLog of random recent entries.
	last := next - 1
	rng := rand.New(rand.NewSource(2))
	lat = lat[:0]
	var l raft.Log
	start = time.Now()
	for j := 0; j < gets; j++ {
		i := last - uint64(rng.Intn(10000))
		t0 := time.Now()
		must(s.GetLog(i, &l))
		lat = append(lat, time.Since(t0))
	}
	m.set("GetLog gets/s", float64(gets)/time.Since(start).Seconds())
	m.set("GetLog p99 us", p99ms(lat)*1000)

	// DeleteRange of the first 80%, then the reads raft makes next.
	cut := last * 8 / 10
	t0 := time.Now()
	must(s.DeleteRange(1, cut))
	m.set("DeleteRange 80% ms", float64(time.Since(t0).Microseconds())/1000)
	t0 = time.Now()
	first, err := s.FirstIndex()
	must(err)
	m.set("FirstIndex after it us", float64(time.Since(t0).Nanoseconds())/1000)
	if first != cut+1 {
		must(fmt.Errorf("%s: FirstIndex %d after DeleteRange(1, %d)", kind, first, cut))
	}
	t0 = time.Now()
	must(s.GetLog(first, &l))
	m.set("GetLog(first) after it us", float64(time.Since(t0).Nanoseconds())/1000)
	return m
}

func p99ms(lat []time.Duration) float64 {
	if len(lat) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), lat...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return float64(s[len(s)*99/100].Microseconds()) / 1000
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// ---- the cluster ----

func freeAddr() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(err)
	defer ln.Close()
	return ln.Addr().String()
}

type node struct {
	cmd  *exec.Cmd
	http string
}

func clusterRound(bin, kind, base string, d time.Duration, clients, valueSize int) (float64, float64, error) {
	dir, err := os.MkdirTemp(base, "raftbench-cluster-"+kind+"-")
	if err != nil {
		return 0, 0, err
	}
	defer os.RemoveAll(dir)
	var nodes []*node
	defer func() {
		for _, n := range nodes {
			n.cmd.Process.Signal(syscall.SIGTERM)
			n.cmd.Wait()
		}
	}()
	for i := 1; i <= 3; i++ {
		httpAddr := freeAddr()
		args := []string{"-id", fmt.Sprintf("n%d", i), "-data", filepath.Join(dir, fmt.Sprint(i)),
			"-raft", freeAddr(), "-http", httpAddr, "-store", kind, "-log-level", "error"}
		if i == 1 {
			args = append(args, "-bootstrap")
		} else {
			args = append(args, "-join", "http://"+nodes[0].http)
		}
		cmd := exec.Command(bin, args...)
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			return 0, 0, err
		}
		nodes = append(nodes, &node{cmd: cmd, http: httpAddr})
		if i == 1 {
			if err := waitServers(httpAddr, 1, 30*time.Second); err != nil {
				return 0, 0, err
			}
		}
	}
	if err := waitServers(nodes[0].http, 3, 30*time.Second); err != nil {
		return 0, 0, err
	}
	leader := "http://" + nodes[0].http
	value := bytes.Repeat([]byte("v"), valueSize)
	hc := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	put := func(key string) error {
		req, _ := http.NewRequest("PUT", leader+"/kv/"+key, bytes.NewReader(value))
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 204 {
			return fmt.Errorf("PUT: %s", resp.Status)
		}
		return nil
	}
	for i := 0; i < 200; i++ { // warm up connections and the log
		if err := put(fmt.Sprintf("warm%d", i)); err != nil {
			return 0, 0, err
		}
	}
	var mu sync.Mutex
	var lat []time.Duration
	var firstErr error
	var wg sync.WaitGroup
	end := time.Now().Add(d)
	start := time.Now()
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			var mine []time.Duration
			for i := 0; time.Now().Before(end); i++ {
				t0 := time.Now()
				if err := put(fmt.Sprintf("c%d-%d", c, i)); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					return
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}(c)
	}
	wg.Wait()
	elapsed := time.Since(start)
	if firstErr != nil {
		return 0, 0, firstErr
	}
	return float64(len(lat)) / elapsed.Seconds(), p99ms(lat), nil
}

// waitServers waits until the node at addr is leader of a configuration of
// n servers.
func waitServers(addr string, n int, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		resp, err := http.Get("http://" + addr + "/status")
		if err == nil {
			var st struct {
				State   string            `json:"state"`
				Servers map[string]string `json:"servers"`
			}
			json.NewDecoder(resp.Body).Decode(&st)
			resp.Body.Close()
			if st.State == "Leader" && len(st.Servers) == n {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("%s did not lead %d servers within %v", addr, n, timeout)
}
