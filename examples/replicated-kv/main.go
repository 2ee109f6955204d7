// Command replicated-kv runs one node of the replicated key-value service:
// strata as the state machine and the raft log store of a hashicorp/raft
// node, with an HTTP API. docs/REPLICATION.md describes it; a 3-node
// cluster on one machine:
//
//	replicated-kv -id n1 -data /tmp/kv/n1 -raft 127.0.0.1:7001 -http 127.0.0.1:8001 -bootstrap &
//	replicated-kv -id n2 -data /tmp/kv/n2 -raft 127.0.0.1:7002 -http 127.0.0.1:8002 -join http://127.0.0.1:8001 &
//	replicated-kv -id n3 -data /tmp/kv/n3 -raft 127.0.0.1:7003 -http 127.0.0.1:8003 -join http://127.0.0.1:8001 &
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/hashicorp/go-hclog"

	"strata-replicated-kv/internal/kv"
)

func main() {
	var c kv.Config
	var tokenFile, logLevel string
	flag.StringVar(&c.ID, "id", "", "this node's ID, unique in the cluster (required)")
	flag.StringVar(&c.DataDir, "data", "", "data directory (required)")
	flag.StringVar(&c.RaftAddr, "raft", "127.0.0.1:7001", "raft transport listen address")
	flag.StringVar(&c.RaftAdvertise, "raft-advertise", "", "raft address other nodes dial (default: -raft)")
	flag.StringVar(&c.HTTPAddr, "http", "127.0.0.1:8001", "HTTP API listen address")
	flag.StringVar(&c.HTTPAdvertise, "http-advertise", "", "HTTP base URL clients are redirected to (default: from -http)")
	flag.BoolVar(&c.Bootstrap, "bootstrap", false, "start a new cluster with this node as its first member")
	flag.StringVar(&c.Join, "join", "", "HTTP base URL of a member to join through")
	flag.StringVar(&c.Store, "store", "strata", "raft log store: strata or boltdb")
	flag.StringVar(&tokenFile, "token-file", "", "file holding the bearer token every HTTP request must carry (or $REPLICATED_KV_TOKEN)")
	flag.StringVar(&c.CertFile, "tls-cert", "", "TLS certificate (PEM): HTTPS and raft over TLS")
	flag.StringVar(&c.KeyFile, "tls-key", "", "TLS private key (PEM)")
	flag.StringVar(&c.CAFile, "tls-ca", "", "CA certificate (PEM) signing every node's certificate: mutual TLS between nodes")
	flag.IntVar(&c.MaxKeyBytes, "max-key", 1024, "largest key in bytes")
	flag.IntVar(&c.MaxValueBytes, "max-value", 1<<20, "largest value in bytes")
	flag.IntVar(&c.MaxBatchOps, "max-batch", 1000, "most ops in one batch")
	flag.DurationVar(&c.ElectionTimeout, "election-timeout", time.Second, "raft heartbeat and election timeout")
	flag.Uint64Var(&c.SnapshotThreshold, "snapshot-threshold", 8192, "log entries between snapshots")
	flag.Uint64Var(&c.TrailingLogs, "trailing-logs", 10240, "log entries kept after a snapshot")
	flag.DurationVar(&c.SnapshotInterval, "snapshot-interval", 120*time.Second, "how often to check whether to snapshot")
	flag.StringVar(&logLevel, "log-level", "info", "trace, debug, info, warn or error")
	flag.Parse()

	c.Token = os.Getenv("REPLICATED_KV_TOKEN")
	if tokenFile != "" {
		b, err := os.ReadFile(tokenFile)
		if err != nil {
			fatal(err)
		}
		c.Token = strings.TrimSpace(string(b))
		if c.Token == "" {
			fatal(fmt.Errorf("%s holds no token", tokenFile))
		}
	}
	c.Logger = hclog.New(&hclog.LoggerOptions{
		Name: c.ID, Output: os.Stderr, Level: hclog.LevelFromString(logLevel), TimeFormat: "15:04:05.000",
	})

	n, err := kv.Start(c)
	if err != nil {
		fatal(err)
	}
	c.Logger.Info("serving", "http", n.HTTPAddr(), "raft", c.RaftAddr, "store", c.Store)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	<-sig
	c.Logger.Info("shutting down")
	if err := n.Close(); err != nil {
		c.Logger.Error("shutdown", "error", err)
		os.Exit(1)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "replicated-kv:", err)
	os.Exit(1)
}
