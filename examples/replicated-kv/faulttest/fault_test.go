package faulttest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
	strata "github.com/strata-kv/strata/bindings/go"
)

// TestFault runs a 3-node replicated-kv cluster as real processes on the
// loopback under concurrent clients while a nemesis SIGKILLs the leader, a
// follower, or both, restarts them, and (where a tmpfs can be mounted)
// fills a node's disk. Every operation's invocation and result is
// recorded. At the end it checks that:
//
//   - the history of reads and writes on the contended keys is
//     linearizable (porcupine);
//   - every acknowledged write of a unique key is on every node, and every
//     key on any node was written by a client;
//   - every node holds exactly the same data, compared by a full scan of
//     each node's state machine database after a clean stop.
//
// REPLKV_FAULT_DURATION sets how long faults are injected (default 60s),
// REPLKV_FAULT_SEED the seed, REPLKV_FAULT_RESULTS a file to which a JSON
// line of figures is appended.
func TestFault(t *testing.T) {
	duration := 60 * time.Second
	if s := os.Getenv("REPLKV_FAULT_DURATION"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil {
			t.Fatalf("REPLKV_FAULT_DURATION: %v", err)
		}
		duration = d
	}
	seed := time.Now().UnixNano()
	if s := os.Getenv("REPLKV_FAULT_SEED"); s != "" {
		seed, _ = strconv.ParseInt(s, 10, 64)
	}
	t.Logf("seed %d, faults for %v", seed, duration)
	rng := rand.New(rand.NewSource(seed))

	base := t.TempDir()
	bin := buildBinary(t, base)
	diskFill := mountTmpfs(t, base)

	var procs []*proc
	for i := 1; i <= 3; i++ {
		id := fmt.Sprintf("n%d", i)
		p := &proc{
			id: id, dataDir: filepath.Join(base, id, "data"), bin: bin,
			logPath:  filepath.Join(base, id+".log"),
			raftAddr: freePort(t), httpAddr: freePort(t),
			extra: []string{"-election-timeout", "300ms", "-snapshot-threshold", "256",
				"-trailing-logs", "128", "-snapshot-interval", "500ms", "-log-level", "warn"},
		}
		procs = append(procs, p)
	}
	defer func() {
		for _, p := range procs {
			p.stop(syscall.SIGKILL, 5*time.Second)
		}
		if t.Failed() {
			for _, p := range procs {
				b, _ := os.ReadFile(p.logPath)
				if len(b) > 4000 {
					b = b[len(b)-4000:]
				}
				t.Logf("tail of %s's log:\n%s", p.id, b)
			}
		}
	}()
	if err := procs[0].start("-bootstrap"); err != nil {
		t.Fatal(err)
	}
	if _, err := waitLeader(procs[:1], 20*time.Second); err != nil {
		t.Fatal(err)
	}
	for _, p := range procs[1:] {
		if err := p.start("-join", procs[0].url()); err != nil {
			t.Fatal(err)
		}
	}
	if err := waitMembers(procs, 30*time.Second); err != nil {
		t.Fatal(err)
	}

	start := time.Now()
	now := func() int64 { return time.Since(start).Nanoseconds() }
	w := &workload{procs: procs, now: now, keys: 12, unique: map[string]*uniqueWrite{}}

	stop := make(chan struct{})
	var clients sync.WaitGroup
	for c := 0; c < 8; c++ {
		clients.Add(1)
		go func(c int) {
			defer clients.Done()
			w.client(c, rand.New(rand.NewSource(seed+int64(c)+1)), stop)
		}(c)
	}

	nem := &nemesis{procs: procs, rng: rng, diskFill: diskFill, t: t}
	nem.run(time.Now().Add(duration))

	// Heal: every node up, disks free, a leader with all three members.
	nem.freeDisks()
	healed := false
	for attempt := 0; attempt < 6 && !healed; attempt++ {
		for _, p := range procs {
			if !p.running() {
				if err := p.start(); err != nil {
					t.Fatal(err)
				}
			}
		}
		err := waitMembers(procs, 15*time.Second)
		if healed = err == nil; !healed {
			t.Logf("healing: %v", err)
		}
	}
	if !healed {
		t.Fatal("the cluster did not recover after the faults")
	}
	close(stop)
	clients.Wait()
	if n := w.unexpected.Load(); n > 0 {
		t.Errorf("%d requests got an unexpected answer (see above)", n)
	}

	// Final linearizable reads of every contended key, then a write whose
	// index every node must apply before the scan.
	for k := 0; k < w.keys; k++ {
		if !w.finalRead(fmt.Sprintf("key%d", k), 60*time.Second) {
			t.Fatalf("final read of key%d did not succeed", k)
		}
	}
	index, err := w.finalWrite(60 * time.Second)
	if err != nil {
		t.Fatalf("final write: %v", err)
	}
	if err := waitApplied(procs, index, 60*time.Second); err != nil {
		t.Fatal(err)
	}
	for _, p := range procs {
		if err := p.stop(syscall.SIGTERM, 30*time.Second); err != nil {
			t.Error(err)
		}
	}

	// Every node's data, from its own database.
	scans := make([]map[string]string, len(procs))
	for i, p := range procs {
		scans[i] = scanNode(t, filepath.Join(p.dataDir, "fsm"))
	}
	diverged := 0
	for i := 1; i < len(scans); i++ {
		for k, v := range scans[0] {
			if v2, ok := scans[i][k]; !ok || v2 != v {
				diverged++
				if diverged <= 10 {
					t.Errorf("%s and %s differ at %q: %q vs %q (present %v)", procs[0].id, procs[i].id, k, v, v2, ok)
				}
			}
		}
		for k := range scans[i] {
			if _, ok := scans[0][k]; !ok {
				diverged++
				if diverged <= 10 {
					t.Errorf("%s holds %q, %s does not", procs[i].id, k, procs[0].id)
				}
			}
		}
	}

	lost, phantom := 0, 0
	acked, maybe := 0, 0
	for k, u := range w.unique {
		if u.failed {
			continue
		}
		if !u.acked {
			maybe++
			continue
		}
		acked++
		for i, s := range scans {
			if v, ok := s[k]; !ok || v != u.value {
				lost++
				if lost <= 10 {
					t.Errorf("acknowledged write %s=%s is missing on %s (found %q)", k, u.value, procs[i].id, v)
				}
			}
		}
	}
	for k := range scans[0] {
		if strings.HasPrefix(k, "u/") {
			if u, ok := w.unique[k]; !ok || u.failed {
				phantom++
				t.Errorf("%q is on the nodes but no client wrote it, or its write was refused", k)
			}
		}
	}
	// The contended keys' final values agree with the final reads.
	for k, v := range w.finalValues {
		if got := scans[0][k]; got != v {
			t.Errorf("%s holds %s=%q, the final linearizable read saw %q", procs[0].id, k, got, v)
		}
	}

	// Linearizability.
	history := w.historyOps()
	checkStart := time.Now()
	result, info := porcupine.CheckOperationsVerbose(kvModel, history, 5*time.Minute)
	checkTime := time.Since(checkStart)
	violations := 0
	switch result {
	case porcupine.Ok:
	case porcupine.Illegal:
		violations = 1
		out := filepath.Join(os.TempDir(), fmt.Sprintf("replicated-kv-violation-%d.html", seed))
		if f, err := os.Create(out); err == nil {
			porcupine.Visualize(kvModel, info, f)
			f.Close()
		}
		t.Errorf("the history is NOT linearizable; visualization in %s", out)
	default:
		t.Errorf("the linearizability check did not finish in 5 minutes (result %s)", result)
	}

	// Evidence that the disk-full faults reached the nodes: their logs'
	// lines about a full disk.
	enospc := 0
	for _, p := range procs {
		b, _ := os.ReadFile(p.logPath)
		enospc += bytes.Count(b, []byte("No space left on device"))
	}

	figures := map[string]any{
		"enospc_log_lines": enospc,
		"seed":             seed, "fault_seconds": duration.Seconds(),
		"leader_kills": nem.leaderKills, "follower_kills": nem.followerKills, "double_kills": nem.doubleKills,
		"disk_fills": nem.diskFills, "disk_fill_available": diskFill != nil, "crash_exits": nem.crashExits,
		"ops": len(history), "contended_writes_acked": w.contendedAcked.Load(),
		"writes_unknown": w.unknownWrites.Load(), "reads": w.reads.Load(),
		"unique_writes_acked": acked, "unique_writes_unknown": maybe,
		"violations": violations, "lost_writes": lost, "phantom_writes": phantom, "diverged_keys": diverged,
		"keys_per_node": len(scans[0]), "check_seconds": checkTime.Seconds(), "passed": !t.Failed(),
	}
	line, _ := json.Marshal(figures)
	t.Logf("figures: %s", line)
	fmt.Printf("fault test figures: %s\n", line)
	if path := os.Getenv("REPLKV_FAULT_RESULTS"); path != "" {
		if f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644); err == nil {
			f.Write(append(line, '\n'))
			f.Close()
		}
	}
	if nem.leaderKills == 0 {
		t.Error("the nemesis never killed a leader")
	}
}

// ---- the workload ----

type uniqueWrite struct {
	value  string
	acked  bool
	failed bool // certainly not applied: must not be on any node
}

type workload struct {
	procs []*proc
	now   func() int64
	keys  int

	mu          sync.Mutex
	history     []porcupine.Operation
	unknown     []int // indexes in history of writes whose outcome is unknown
	unique      map[string]*uniqueWrite
	finalValues map[string]string
	nextClient  int

	contendedAcked, unknownWrites, reads, unexpected atomic.Int64
}

var httpClient = &http.Client{Timeout: 2 * time.Second}

// staleReads (REPLKV_FAULT_STALE_READS=1) makes the clients read any node's
// state as it is (?stale=1) instead of linearizably: a check that the
// checker catches stale reads, not a mode that should pass.
var staleReads = os.Getenv("REPLKV_FAULT_STALE_READS") == "1"

func (w *workload) record(op porcupine.Operation, unknown bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if unknown {
		// An operation that never returned may take effect at any time:
		// it belongs to a client of its own, open until the end.
		op.ClientId = 1000 + w.nextClient
		w.nextClient++
		w.unknown = append(w.unknown, len(w.history))
	}
	w.history = append(w.history, op)
}

func (w *workload) historyOps() []porcupine.Operation {
	w.mu.Lock()
	defer w.mu.Unlock()
	end := w.now() + int64(time.Hour)
	out := append([]porcupine.Operation(nil), w.history...)
	for _, i := range w.unknown {
		out[i].Return = end
	}
	return out
}

// request sends one request to a node (following redirects to the leader)
// and returns the status and body, or an error when no answer came.
func (w *workload) request(p *proc, method, path, body string) (int, string, http.Header, error) {
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, p.url()+path, r)
	if err != nil {
		return 0, "", nil, err
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return 0, "", nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, "", nil, err
	}
	return resp.StatusCode, string(b), resp.Header, nil
}

// outcome of a write: acked, certainly not applied, or unknown.
type outcome int

const (
	acked outcome = iota
	notApplied
	unknownOutcome
	unexpected
)

func classifyWrite(code int, h http.Header, err error) outcome {
	switch {
	case err != nil && errors.Is(err, syscall.ECONNREFUSED):
		return notApplied // never sent to a server that could apply it
	case err != nil:
		return unknownOutcome
	case code == 204:
		return acked
	case code == 503 && h.Get("X-Not-Applied") == "1":
		return notApplied
	case code == 503:
		return unknownOutcome
	}
	return unexpected
}

func (w *workload) client(c int, rng *rand.Rand, stop <-chan struct{}) {
	backoff := func() { time.Sleep(time.Duration(10+rng.Intn(40)) * time.Millisecond) }
	for seq := 0; ; seq++ {
		select {
		case <-stop:
			return
		default:
		}
		p := w.procs[rng.Intn(len(w.procs))]
		value := fmt.Sprintf("c%d-%d", c, seq)
		if rng.Float64() < 0.35 {
			key := "u/" + value
			w.mu.Lock()
			w.unique[key] = &uniqueWrite{value: value}
			w.mu.Unlock()
			code, body, h, err := w.request(p, "PUT", "/kv/"+key, value)
			switch classifyWrite(code, h, err) {
			case acked:
				w.mu.Lock()
				w.unique[key].acked = true
				w.mu.Unlock()
			case notApplied:
				w.mu.Lock()
				w.unique[key].failed = true
				w.mu.Unlock()
				backoff()
			case unknownOutcome:
				w.unknownWrites.Add(1)
				backoff()
			default:
				w.unexpectedAnswer("PUT", key, code, body)
			}
			continue
		}
		key := fmt.Sprintf("key%d", rng.Intn(w.keys))
		r := rng.Float64()
		var in kvInput
		var method, body string
		switch {
		case r < 0.45:
			in, method = kvInput{Op: 'g', Key: key}, "GET"
		case r < 0.85:
			in, method, body = kvInput{Op: 'p', Key: key, Value: value}, "PUT", value
		default:
			in, method = kvInput{Op: 'd', Key: key}, "DELETE"
		}
		call := w.now()
		path := "/kv/" + key
		if staleReads && in.Op == 'g' {
			path += "?stale=1"
		}
		code, got, h, err := w.request(p, method, path, body)
		ret := w.now()
		op := porcupine.Operation{ClientId: c, Input: in, Call: call, Return: ret}
		if in.Op == 'g' {
			switch {
			case err == nil && code == 200:
				op.Output = kvOutput{Value: got}
			case err == nil && code == 404:
				op.Output = kvOutput{}
			case err == nil && code != 503:
				w.unexpectedAnswer(method, key, code, got)
				continue
			default:
				backoff()
				continue // a read that did not answer had no effect
			}
			w.reads.Add(1)
			w.record(op, false)
			continue
		}
		op.Output = kvOutput{}
		switch classifyWrite(code, h, err) {
		case acked:
			w.contendedAcked.Add(1)
			w.record(op, false)
		case notApplied:
			backoff() // no effect: not part of the history
		case unknownOutcome:
			w.unknownWrites.Add(1)
			w.record(op, true)
			backoff()
		default:
			w.unexpectedAnswer(method, key, code, got)
		}
	}
}

func (w *workload) unexpectedAnswer(method, key string, code int, body string) {
	if w.unexpected.Add(1) <= 5 {
		fmt.Fprintf(os.Stderr, "unexpected answer to %s %s: %d %s\n", method, key, code, body)
	}
}

func (w *workload) finalRead(key string, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for i := 0; time.Now().Before(deadline); i++ {
		p := w.procs[i%len(w.procs)]
		call := w.now()
		code, got, _, err := w.request(p, "GET", "/kv/"+key, "")
		ret := w.now()
		if err == nil && (code == 200 || code == 404) {
			if code == 404 {
				got = ""
			}
			w.record(porcupine.Operation{ClientId: 999, Input: kvInput{Op: 'g', Key: key},
				Output: kvOutput{Value: got}, Call: call, Return: ret}, false)
			w.mu.Lock()
			if w.finalValues == nil {
				w.finalValues = map[string]string{}
			}
			if got != "" {
				w.finalValues[key] = got
			}
			w.mu.Unlock()
			return true
		}
		time.Sleep(100 * time.Millisecond)
	}
	return false
}

func (w *workload) finalWrite(timeout time.Duration) (uint64, error) {
	deadline := time.Now().Add(timeout)
	var last error
	for i := 0; time.Now().Before(deadline); i++ {
		code, body, h, err := w.request(w.procs[i%len(w.procs)], "PUT", "/kv/final", "done")
		if err == nil && code == 204 {
			return strconv.ParseUint(h.Get("X-Raft-Index"), 10, 64)
		}
		last = fmt.Errorf("%d %s %v", code, body, err)
		time.Sleep(100 * time.Millisecond)
	}
	return 0, last
}

// ---- the nemesis ----

type nemesis struct {
	t        *testing.T
	procs    []*proc
	rng      *rand.Rand
	diskFill map[string]string // node ID -> its tmpfs mount point; nil when unavailable
	ballast  []string

	leaderKills, followerKills, doubleKills, diskFills, crashExits int
}

func (n *nemesis) sleep(lo, hi time.Duration) {
	time.Sleep(lo + time.Duration(n.rng.Int63n(int64(hi-lo))))
}

func (n *nemesis) run(end time.Time) {
	for time.Now().Before(end) {
		n.sleep(300*time.Millisecond, 1500*time.Millisecond)
		for _, p := range n.procs {
			if !p.running() {
				n.crashExits++ // a node that stopped by itself (e.g. its disk was full)
				p.start()
			}
		}
		leader, err := waitLeader(n.procs, 10*time.Second)
		if err != nil {
			n.t.Logf("nemesis: %v", err)
			continue
		}
		var followers []*proc
		for _, p := range n.procs {
			if p != leader {
				followers = append(followers, p)
			}
		}
		follower := followers[n.rng.Intn(len(followers))]
		r := n.rng.Float64()
		switch {
		case r < 0.10 && n.diskFill != nil:
			victim := n.procs[n.rng.Intn(len(n.procs))]
			if err := n.fillDisk(victim); err != nil {
				n.t.Logf("nemesis: filling %s's disk: %v", victim.id, err)
			}
			n.diskFills++
			n.sleep(1*time.Second, 4*time.Second)
			n.freeDisks()
		case r < 0.25:
			leader.stop(syscall.SIGKILL, 5*time.Second)
			follower.stop(syscall.SIGKILL, 5*time.Second)
			n.leaderKills++
			n.followerKills++
			n.doubleKills++
			n.sleep(200*time.Millisecond, 2*time.Second)
			leader.start()
			follower.start()
		case r < 0.75:
			leader.stop(syscall.SIGKILL, 5*time.Second)
			n.leaderKills++
			n.sleep(100*time.Millisecond, 1500*time.Millisecond)
			leader.start()
		default:
			follower.stop(syscall.SIGKILL, 5*time.Second)
			n.followerKills++
			n.sleep(100*time.Millisecond, 1500*time.Millisecond)
			follower.start()
		}
	}
}

// fillDisk fills the tmpfs under a node's data directory to the last byte.
func (n *nemesis) fillDisk(p *proc) error {
	mount := n.diskFill[p.id]
	path := filepath.Join(mount, "ballast")
	n.ballast = append(n.ballast, path)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	chunk := make([]byte, 1<<20)
	for len(chunk) > 0 {
		if _, err := f.Write(chunk); err != nil {
			if errors.Is(err, syscall.ENOSPC) {
				chunk = chunk[:len(chunk)/2] // down to the last bytes
				continue
			}
			return err
		}
	}
	return nil
}

func (n *nemesis) freeDisks() {
	for _, b := range n.ballast {
		os.Remove(b)
	}
	n.ballast = nil
}

// mountTmpfs puts each node's directory on a tmpfs of its own, so that the
// nemesis can fill one node's disk. It needs root (or the capability to
// mount); without it the test runs with no disk-full faults and says so.
func mountTmpfs(t *testing.T, base string) map[string]string {
	if os.Getenv("REPLKV_FAULT_NO_TMPFS") != "" {
		t.Log("disk-full faults: off (REPLKV_FAULT_NO_TMPFS)")
		return nil
	}
	mounts := map[string]string{}
	for i := 1; i <= 3; i++ {
		id := fmt.Sprintf("n%d", i)
		dir := filepath.Join(base, id)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=256m", "tmpfs", dir).CombinedOutput()
		if err != nil {
			t.Logf("disk-full faults: off (cannot mount a tmpfs: %v %s)", err, bytes.TrimSpace(out))
			for _, m := range mounts {
				exec.Command("umount", m).Run()
			}
			return nil
		}
		mounts[id] = dir
		t.Cleanup(func() { exec.Command("umount", "-l", dir).Run() })
	}
	return mounts
}

// ---- cluster helpers ----

// waitLeader returns the node that reports itself leader, once exactly one
// running node does.
func waitLeader(procs []*proc, timeout time.Duration) (*proc, error) {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		var leaders []*proc
		for _, p := range procs {
			if st, err := p.status(); err == nil && st.State == "Leader" {
				leaders = append(leaders, p)
			}
		}
		if len(leaders) == 1 {
			return leaders[0], nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return nil, fmt.Errorf("no single leader within %v", timeout)
}

// waitMembers waits until a leader's configuration holds every node and
// every node answers.
func waitMembers(procs []*proc, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		leader, err := waitLeader(procs, time.Until(deadline))
		if err != nil {
			return err
		}
		st, err := leader.status()
		ok := err == nil && len(st.Servers) == len(procs)
		for _, p := range procs {
			if _, err := p.status(); err != nil {
				ok = false
			}
		}
		if ok {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("the cluster did not gather its %d members within %v", len(procs), timeout)
}

func waitApplied(procs []*proc, index uint64, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		done := true
		for _, p := range procs {
			if st, err := p.status(); err != nil || st.AppliedIndex < index {
				done = false
			}
		}
		if done {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	var states []string
	for _, p := range procs {
		st, err := p.status()
		states = append(states, fmt.Sprintf("%s applied %d (%v)", p.id, st.AppliedIndex, err))
	}
	return fmt.Errorf("not every node applied index %d within %v: %s", index, timeout, strings.Join(states, ", "))
}

// scanNode reads every user key of a stopped node's state machine database.
func scanNode(t *testing.T, dir string) map[string]string {
	db, err := strata.Open(dir, &strata.Options{ErrorIfNotExists: true})
	if err != nil {
		t.Fatalf("opening %s: %v", dir, err)
	}
	defer db.Close()
	out := map[string]string{}
	for kv, err := range db.Prefix([]byte("d")) {
		if err != nil {
			t.Fatalf("scanning %s: %v", dir, err)
		}
		out[string(kv.Key[1:])] = string(kv.Value)
	}
	return out
}
