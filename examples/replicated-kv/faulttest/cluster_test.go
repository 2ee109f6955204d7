package faulttest

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"
)

// proc is one node of the cluster under test: a replicated-kv process that
// the test starts, kills and restarts, always with the same addresses and
// data directory.
type proc struct {
	id, dataDir, raftAddr, httpAddr string
	bin, logPath                    string
	extra                           []string

	mu   sync.Mutex
	cmd  *exec.Cmd
	exit chan struct{} // closed when cmd has exited
}

// freePort returns a loopback address with a free port below the kernel's
// ephemeral range. A node keeps its ports across restarts, and a port from
// the ephemeral range could meanwhile be taken by any outgoing connection
// (a client's, or another node's), which would keep the node from coming
// back.
func freePort(t *testing.T) string {
	lo := 32768
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range"); err == nil {
		fmt.Sscan(string(b), &lo)
	}
	if lo <= 11000 {
		lo = 32768 // an unusual range: take our chances below the usual one
	}
	for attempt := 0; attempt < 1000; attempt++ {
		port := 10000 + rand.Intn(lo-11000)
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			continue
		}
		ln.Close()
		return ln.Addr().String()
	}
	t.Fatal("no free port below the ephemeral range")
	return ""
}

func (p *proc) url() string { return "http://" + p.httpAddr }

// start launches the process (once it is not running).
func (p *proc) start(args ...string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd != nil {
		select {
		case <-p.exit:
		default:
			return nil // still running
		}
	}
	logf, err := os.OpenFile(p.logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	all := append([]string{"-id", p.id, "-data", p.dataDir, "-raft", p.raftAddr, "-http", p.httpAddr}, p.extra...)
	cmd := exec.Command(p.bin, append(all, args...)...)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		return err
	}
	exit := make(chan struct{})
	go func() {
		cmd.Wait()
		logf.Close()
		close(exit)
	}()
	p.cmd, p.exit = cmd, exit
	return nil
}

func (p *proc) running() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd == nil {
		return false
	}
	select {
	case <-p.exit:
		return false
	default:
		return true
	}
}

// signal sends sig and waits for the process to exit.
func (p *proc) stop(sig syscall.Signal, wait time.Duration) error {
	p.mu.Lock()
	cmd, exit := p.cmd, p.exit
	p.mu.Unlock()
	if cmd == nil {
		return nil
	}
	cmd.Process.Signal(sig)
	select {
	case <-exit:
		return nil
	case <-time.After(wait):
		cmd.Process.Kill()
		<-exit
		return fmt.Errorf("%s did not exit within %v of %v; killed", p.id, wait, sig)
	}
}

type status struct {
	ID           string            `json:"id"`
	State        string            `json:"state"`
	Term         uint64            `json:"term"`
	LeaderID     string            `json:"leader_id"`
	CommitIndex  uint64            `json:"commit_index"`
	AppliedIndex uint64            `json:"applied_index"`
	Servers      map[string]string `json:"servers"`
}

var statusClient = &http.Client{Timeout: time.Second}

func (p *proc) status() (status, error) {
	var st status
	resp, err := statusClient.Get(p.url() + "/status")
	if err != nil {
		return st, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		return st, fmt.Errorf("status %d", resp.StatusCode)
	}
	return st, json.Unmarshal(b, &st)
}

// buildBinary builds the replicated-kv command into dir.
func buildBinary(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "replicated-kv")
	goCmd := os.Getenv("GO")
	if goCmd == "" {
		goCmd = "go"
	}
	cmd := exec.Command(goCmd, "build", "-o", bin, "..")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("go build: %v", err)
	}
	return bin
}
