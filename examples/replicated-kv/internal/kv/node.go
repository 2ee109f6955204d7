// Package kv is the replicated key-value service: a strata database as the
// state machine of a hashicorp/raft node, raftstore (or raft-boltdb, for
// comparison) as its log and stable store, and an HTTP API.
package kv

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/raft"
	raftboltdb "github.com/hashicorp/raft-boltdb/v2"
	"github.com/strata-kv/strata/bindings/go/raftstore"
)

// Config is one node's setup. The zero values of the optional fields are
// the safe defaults (loopback, no TLS, the size limits below).
type Config struct {
	ID       string // the raft server ID, unique in the cluster
	DataDir  string // holds the log store, snapshots and the state machine
	RaftAddr string // host:port the raft transport listens on
	// RaftAdvertise is the address other nodes dial; defaults to RaftAddr,
	// which must then not be a wildcard address.
	RaftAdvertise string
	HTTPAddr      string // host:port of the HTTP API
	// HTTPAdvertise is the base URL other nodes redirect clients to;
	// defaults to http(s)://HTTPAddr.
	HTTPAdvertise string
	Bootstrap     bool   // start a new cluster with this node as its only member
	Join          string // base URL of a member's HTTP API to join through
	Store         string // "strata" (default) or "boltdb": the raft log store

	Token string // when set, every HTTP request needs "Authorization: Bearer <Token>"
	// TLS: with CertFile and KeyFile, the HTTP API serves HTTPS and the raft
	// transport runs over TLS. CAFile is the authority that signs every
	// node's certificate: raft connections then require and check a client
	// certificate (mutual TLS), and HTTP clients (joins) trust it.
	CertFile, KeyFile, CAFile string

	MaxKeyBytes   int // default 1024
	MaxValueBytes int // default 1 MiB
	MaxBatchOps   int // default 1000

	ElectionTimeout   time.Duration // default 1 s; heartbeats use the same, the lease half
	SnapshotThreshold uint64        // default raft's 8192
	TrailingLogs      uint64        // default raft's 10240
	SnapshotInterval  time.Duration // default raft's 120 s
	Logger            hclog.Logger
}

func (c *Config) setDefaults() error {
	if c.ID == "" || c.DataDir == "" || c.RaftAddr == "" || c.HTTPAddr == "" {
		return errors.New("an ID, a data directory, a raft address and an HTTP address are required")
	}
	if c.RaftAdvertise == "" {
		c.RaftAdvertise = c.RaftAddr
	}
	if host, _, err := net.SplitHostPort(c.RaftAdvertise); err != nil {
		return fmt.Errorf("raft advertise address: %w", err)
	} else if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		return fmt.Errorf("raft address %s is not one other nodes can dial; give an advertise address", c.RaftAdvertise)
	}
	if (c.CertFile == "") != (c.KeyFile == "") {
		return errors.New("TLS needs both a certificate and a key")
	}
	if c.Store == "" {
		c.Store = "strata"
	}
	if c.MaxKeyBytes == 0 {
		c.MaxKeyBytes = 1024
	}
	if c.MaxValueBytes == 0 {
		c.MaxValueBytes = 1 << 20
	}
	if c.MaxBatchOps == 0 {
		c.MaxBatchOps = 1000
	}
	if c.ElectionTimeout == 0 {
		c.ElectionTimeout = time.Second
	}
	if c.Logger == nil {
		c.Logger = hclog.New(&hclog.LoggerOptions{Name: c.ID, Output: os.Stderr, Level: hclog.Info})
	}
	return nil
}

// Node is one running member of the service.
type Node struct {
	cfg    Config
	logger hclog.Logger
	fsm    *FSM
	raft   *raft.Raft
	logs   raft.LogStore
	closer io.Closer // the log store
	trans  *raft.NetworkTransport
	http   *http.Server
	httpLn net.Listener
	client *http.Client // for joins

	readyMu   sync.Mutex
	readyTerm uint64 // the term in which this node, as leader, has applied a barrier

	done chan struct{}
}

// Start opens the node's stores, starts raft and the HTTP API, and returns
// once both listen (joining, when asked, goes on in the background).
func Start(cfg Config) (*Node, error) {
	if err := cfg.setDefaults(); err != nil {
		return nil, err
	}
	n := &Node{cfg: cfg, logger: cfg.Logger, done: make(chan struct{})}
	ok := false
	defer func() {
		if !ok {
			n.close()
		}
	}()
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return nil, err
	}
	var tlsConf *tls.Config
	if cfg.CertFile != "" {
		var err error
		if tlsConf, err = loadTLS(cfg); err != nil {
			return nil, err
		}
	}
	n.client = &http.Client{Timeout: 10 * time.Second}
	if tlsConf != nil {
		n.client.Transport = &http.Transport{TLSClientConfig: tlsConf.Clone()}
	}

	var err error
	if n.fsm, err = OpenFSM(cfg.DataDir, n.logger.Named("fsm")); err != nil {
		return nil, fmt.Errorf("state machine: %w", err)
	}
	var stable raft.StableStore
	switch cfg.Store {
	case "strata":
		s, err := raftstore.Open(filepath.Join(cfg.DataDir, "raft-log"), nil)
		if err != nil {
			return nil, err
		}
		n.logs, stable, n.closer = s, s, s
	case "boltdb":
		s, err := raftboltdb.New(raftboltdb.Options{Path: filepath.Join(cfg.DataDir, "raft.db")})
		if err != nil {
			return nil, fmt.Errorf("raft-boltdb: %w", err)
		}
		n.logs, stable, n.closer = s, s, s
	default:
		return nil, fmt.Errorf("unknown store %q (strata or boltdb)", cfg.Store)
	}
	snaps, err := raft.NewFileSnapshotStoreWithLogger(cfg.DataDir, 2, n.logger.Named("snapshots"))
	if err != nil {
		return nil, err
	}

	// The HTTP listener opens first, so that a port chosen by the system
	// (":0") is known before the address is advertised; it serves once raft
	// runs.
	if n.httpLn, err = net.Listen("tcp", cfg.HTTPAddr); err != nil {
		return nil, err
	}
	if n.cfg.HTTPAdvertise == "" {
		scheme := "http"
		if tlsConf != nil {
			scheme = "https"
		}
		n.cfg.HTTPAdvertise = scheme + "://" + n.httpLn.Addr().String()
	}

	stream, err := newStreamLayer(cfg.RaftAddr, cfg.RaftAdvertise, tlsConf)
	if err != nil {
		return nil, err
	}
	n.trans = raft.NewNetworkTransportWithConfig(&raft.NetworkTransportConfig{
		Stream: stream, MaxPool: 3, Timeout: 10 * time.Second, Logger: n.logger.Named("transport"),
	})

	rc := raft.DefaultConfig()
	rc.LocalID = raft.ServerID(cfg.ID)
	rc.Logger = n.logger.Named("raft")
	rc.HeartbeatTimeout = cfg.ElectionTimeout
	rc.ElectionTimeout = cfg.ElectionTimeout
	rc.LeaderLeaseTimeout = cfg.ElectionTimeout / 2
	if cfg.SnapshotThreshold != 0 {
		rc.SnapshotThreshold = cfg.SnapshotThreshold
	}
	if cfg.TrailingLogs != 0 {
		rc.TrailingLogs = cfg.TrailingLogs
	}
	if cfg.SnapshotInterval != 0 {
		rc.SnapshotInterval = cfg.SnapshotInterval
	}

	if cfg.Bootstrap {
		has, err := raft.HasExistingState(n.logs, stable, snaps)
		if err != nil {
			return nil, err
		}
		if !has {
			err := raft.BootstrapCluster(rc, n.logs, stable, snaps, n.trans, raft.Configuration{
				Servers: []raft.Server{{ID: rc.LocalID, Address: n.trans.LocalAddr()}},
			})
			if err != nil {
				return nil, fmt.Errorf("bootstrap: %w", err)
			}
		}
	}
	if n.raft, err = raft.NewRaft(rc, n.fsm, n.logs, stable, snaps, n.trans); err != nil {
		return nil, err
	}

	if tlsConf != nil {
		hc := tlsConf.Clone()
		hc.ClientAuth = tls.NoClientCert // HTTP clients authenticate with the token
		n.httpLn = tls.NewListener(n.httpLn, hc)
	}
	n.http = &http.Server{
		Handler:           n.handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    16 << 10,
	}
	go n.http.Serve(n.httpLn)
	n.cfg.RaftAdvertise = string(n.trans.LocalAddr())
	go n.watchLeadership()
	if cfg.Join != "" {
		go n.joinLoop()
	}
	ok = true
	return n, nil
}

// HTTPAddr is the address the HTTP API listens on.
func (n *Node) HTTPAddr() string { return n.httpLn.Addr().String() }

// Raft is the node's raft instance.
func (n *Node) Raft() *raft.Raft { return n.raft }

// Close stops the HTTP API and raft, then closes the stores.
func (n *Node) Close() error {
	close(n.done)
	return n.close()
}

func (n *Node) close() error {
	var errs []error
	if n.http != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		n.http.Shutdown(ctx)
		cancel()
	}
	if n.raft != nil {
		errs = append(errs, n.raft.Shutdown().Error())
	}
	if n.trans != nil {
		errs = append(errs, n.trans.Close())
	}
	if n.closer != nil {
		errs = append(errs, n.closer.Close())
	}
	if n.fsm != nil {
		errs = append(errs, n.fsm.Close())
	}
	return errors.Join(errs...)
}

// watchLeadership registers this node's HTTP address in the replicated
// state whenever it becomes leader and the address recorded differs, so
// followers can redirect clients to it.
func (n *Node) watchLeadership() {
	ch := n.raft.LeaderCh()
	for {
		select {
		case <-n.done:
			return
		case isLeader := <-ch:
			if !isLeader {
				continue
			}
			for attempt := 0; attempt < 10; attempt++ {
				if n.raft.State() != raft.Leader {
					break
				}
				if n.registerNode(n.cfg.ID, n.cfg.HTTPAdvertise) == nil {
					break
				}
				time.Sleep(100 * time.Millisecond)
			}
		}
	}
}

func (n *Node) registerNode(id, url string) error {
	key := append(append([]byte{}, metaNodePrefix...), id...)
	if v, err := n.fsm.Get(key); err == nil && string(v) == url {
		return nil
	}
	_, err := n.apply([]Op{{Key: key, Value: []byte(url)}})
	return err
}

// nodeURL is the HTTP base URL recorded for a node, "" if none.
func (n *Node) nodeURL(id raft.ServerID) string {
	v, err := n.fsm.Get(append(append([]byte{}, metaNodePrefix...), id...))
	if err != nil {
		return ""
	}
	return string(v)
}

// apply proposes a command and waits until it is committed and applied by
// this node's state machine.
func (n *Node) apply(ops []Op) (uint64, error) {
	f := n.raft.Apply(encodeCommand(ops), 10*time.Second)
	if err := f.Error(); err != nil {
		return 0, err
	}
	if r, ok := f.Response().(applyResult); ok && r.err != nil {
		return 0, r.err
	}
	return f.Index(), nil
}

// errNotLeader: the request must go to the leader.
var errNotLeader = errors.New("not the leader")

// readBarrier returns when the state machine holds every write acknowledged
// before it was called, anywhere in the cluster, and this node is leader:
// the read-index method. Once per term, a barrier entry makes the leader's
// commit index cover everything committed before its term. Then: note the
// commit index, confirm leadership with a quorum (VerifyLeader), and wait
// until the state machine has applied every command up to the noted index.
func (n *Node) readBarrier(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	term := n.raft.CurrentTerm()
	if n.raft.State() != raft.Leader {
		return errNotLeader
	}
	n.readyMu.Lock()
	ready := n.readyTerm == term
	n.readyMu.Unlock()
	if !ready {
		if err := n.raft.Barrier(timeout).Error(); err != nil {
			return err
		}
		n.readyMu.Lock()
		if n.raft.CurrentTerm() == term {
			n.readyTerm = term
		}
		n.readyMu.Unlock()
	}
	commit := n.raft.CommitIndex()
	if err := n.raft.VerifyLeader().Error(); err != nil {
		return err
	}
	if n.raft.CurrentTerm() != term {
		return errNotLeader
	}
	return n.waitApplied(commit, deadline)
}

// waitApplied waits until no command at or below index is left to apply.
// The state machine only sees commands, so an index above its own can be
// reached by raft's no-op, barrier and configuration entries alone: those
// are looked up in the log.
func (n *Node) waitApplied(index uint64, deadline time.Time) error {
	for {
		changed := n.fsm.changedCh()
		applied := n.fsm.Applied()
		if applied >= index {
			return nil
		}
		if n.raft.AppliedIndex() >= index && n.noCommandsBetween(applied+1, index) {
			return nil
		}
		wait := time.Until(deadline)
		if wait <= 0 {
			return fmt.Errorf("state machine at %d, still short of %d", applied, index)
		}
		select {
		case <-changed:
		case <-time.After(min(wait, 2*time.Millisecond)):
		}
	}
}

func (n *Node) noCommandsBetween(lo, hi uint64) bool {
	var l raft.Log
	for i := lo; i <= hi; i++ {
		if err := n.logs.GetLog(i, &l); err != nil {
			return false // compacted away meanwhile, or an error: look again
		}
		if l.Type == raft.LogCommand {
			return false
		}
	}
	return true
}

// joinLoop asks the member at cfg.Join to add this node, until it has.
func (n *Node) joinLoop() {
	for attempt := 0; ; attempt++ {
		err := n.joinOnce()
		if err == nil {
			n.logger.Info("joined the cluster", "through", n.cfg.Join)
			return
		}
		n.logger.Warn("join failed; retrying", "through", n.cfg.Join, "error", err)
		select {
		case <-n.done:
			return
		case <-time.After(time.Second):
		}
	}
}

func loadTLS(cfg Config) (*tls.Config, error) {
	cert, err := tls.LoadX509KeyPair(cfg.CertFile, cfg.KeyFile)
	if err != nil {
		return nil, fmt.Errorf("TLS: %w", err)
	}
	c := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	if cfg.CAFile != "" {
		pem, err := os.ReadFile(cfg.CAFile)
		if err != nil {
			return nil, fmt.Errorf("TLS: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("TLS: no certificate in %s", cfg.CAFile)
		}
		c.RootCAs = pool
		c.ClientCAs = pool
		c.ClientAuth = tls.RequireAndVerifyClientCert
	}
	return c, nil
}

// streamLayer is raft's transport stream over TCP, or TLS when configured.
type streamLayer struct {
	net.Listener
	advertise net.Addr
	tls       *tls.Config
}

func newStreamLayer(bind, advertise string, tlsConf *tls.Config) (*streamLayer, error) {
	ln, err := net.Listen("tcp", bind)
	if err != nil {
		return nil, err
	}
	addr := ln.Addr() // advertised as bound, with the port the system chose for ":0"
	if advertise != bind {
		if addr, err = net.ResolveTCPAddr("tcp", advertise); err != nil {
			ln.Close()
			return nil, err
		}
	}
	if tlsConf != nil {
		ln = tls.NewListener(ln, tlsConf)
	}
	return &streamLayer{Listener: ln, advertise: addr, tls: tlsConf}, nil
}

func (s *streamLayer) Addr() net.Addr { return s.advertise }

func (s *streamLayer) Dial(address raft.ServerAddress, timeout time.Duration) (net.Conn, error) {
	d := &net.Dialer{Timeout: timeout}
	if s.tls == nil {
		return d.Dial("tcp", string(address))
	}
	c := s.tls.Clone()
	if host, _, err := net.SplitHostPort(string(address)); err == nil {
		c.ServerName = host
	}
	return tls.DialWithDialer(d, "tcp", string(address), c)
}
