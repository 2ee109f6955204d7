package kv

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/raft"
)

func testConfig(t *testing.T, id string) Config {
	return Config{
		ID: id, DataDir: filepath.Join(t.TempDir(), id),
		RaftAddr: "127.0.0.1:0", HTTPAddr: "127.0.0.1:0",
		ElectionTimeout: 200 * time.Millisecond,
		MaxKeyBytes:     64, MaxValueBytes: 1024, MaxBatchOps: 10,
		Logger: hclog.New(&hclog.LoggerOptions{Name: id, Level: hclog.Error, Output: io.Discard}),
	}
}

func startNode(t *testing.T, cfg Config) *Node {
	t.Helper()
	n, err := Start(cfg)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { n.Close() })
	return n
}

func waitLeader(t *testing.T, nodes ...*Node) *Node {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		for _, n := range nodes {
			if n.raft.State() == raft.Leader {
				return n
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("no leader")
	return nil
}

type client struct {
	t     *testing.T
	http  *http.Client
	base  string
	token string
}

func (c *client) do(method, path string, body []byte, header ...string) (int, []byte) {
	c.t.Helper()
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, c.base+"/", r)
	if err != nil {
		c.t.Fatal(err)
	}
	// Sent as written, even when it is not a valid URL path.
	req.URL.Opaque = path
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

func (c *client) must(want int, method, path string, body []byte, header ...string) []byte {
	c.t.Helper()
	code, out := c.do(method, path, body, header...)
	if code != want {
		c.t.Fatalf("%s %s = %d %q, want %d", method, path, code, out, want)
	}
	return out
}

func plainClient(t *testing.T, n *Node) *client {
	return &client{t: t, http: &http.Client{Timeout: 10 * time.Second}, base: "http://" + n.HTTPAddr()}
}

// state is everything a request could change: the data (a stale full scan
// of the node) and the raft log's last index (a proposal adds an entry).
type state struct {
	scan    string
	lastLog uint64
}

func stateOf(t *testing.T, c *client, n *Node) state {
	t.Helper()
	last, err := n.logs.LastIndex()
	if err != nil {
		t.Fatal(err)
	}
	return state{scan: string(c.must(200, "GET", "/kv?prefix=&stale=1", nil)), lastLog: last}
}

// Malformed and refused requests get a clear 4xx and change nothing: no
// data, no log entry.
func TestBadRequestsChangeNothing(t *testing.T) {
	n := startNode(t, func() Config { c := testConfig(t, "n1"); c.Bootstrap = true; return c }())
	waitLeader(t, n)
	c := plainClient(t, n)
	c.must(204, "PUT", "/kv/a", []byte("1"))
	c.must(204, "PUT", "/kv/b%2Fc", []byte("2"))
	c.must(204, "POST", "/batch", []byte(`{"ops":[{"op":"put","key":"d","value":"3"}]}`))
	if got := c.must(200, "GET", "/kv/b%2Fc", nil); string(got) != "2" {
		t.Fatalf("GET b/c = %q", got)
	}
	time.Sleep(50 * time.Millisecond) // let the leader's own registration settle
	before := stateOf(t, c, n)

	long := strings.Repeat("k", 65)
	big := bytes.Repeat([]byte("v"), 1025)
	ops := func(k int) string {
		var s []string
		for i := 0; i < k; i++ {
			s = append(s, fmt.Sprintf(`{"op":"put","key":"k%d","value":"v"}`, i))
		}
		return `{"ops":[` + strings.Join(s, ",") + `]}`
	}
	cases := []struct {
		method, path string
		body         string
		want         int
		header       []string
	}{
		{"PUT", "/kv/", "x", 400, nil},                                                  // empty key
		{"PUT", "/kv/%ZZ", "x", 400, nil},                                               // bad escape
		{"PUT", "/kv/%FF%FE", "x", 400, nil},                                            // not UTF-8
		{"PUT", "/kv/" + long, "x", 400, nil},                                           // key too long
		{"PUT", "/kv/a", string(big), 413, nil},                                         // value too big
		{"DELETE", "/kv/" + long, "", 400, nil},                                         // key too long
		{"POST", "/kv/a", "x", 405, nil},                                                // wrong method
		{"PATCH", "/kv", "", 405, nil},                                                  // wrong method
		{"GET", "/kv?limit=0", "", 400, nil},                                            // bad limit
		{"GET", "/kv?limit=x", "", 400, nil},                                            // bad limit
		{"GET", "/kv?limit=10001", "", 400, nil},                                        // limit too big
		{"GET", "/kv?prefix=" + long, "", 400, nil},                                     // prefix too long
		{"GET", "/batch", "", 405, nil},                                                 // wrong method
		{"POST", "/batch", "{", 400, nil},                                               // truncated JSON
		{"POST", "/batch", `{"ops":[]}`, 400, nil},                                      // empty batch
		{"POST", "/batch", `{"ops":[{"op":"put","key":"a","value":"x"}]} {}`, 400, nil}, // trailing data
		{"POST", "/batch", `{"ops":[{"op":"put","key":"a","value":"x","extra":1}]}`, 400, nil},
		{"POST", "/batch", `{"ops":[{"op":"frob","key":"a"}]}`, 400, nil},
		{"POST", "/batch", `{"ops":[{"op":"put","key":"a"}]}`, 400, nil},                // no value
		{"POST", "/batch", `{"ops":[{"op":"delete","key":"a","value":"x"}]}`, 400, nil}, // value on a delete
		// A valid op before an invalid one: all or nothing.
		{"POST", "/batch", `{"ops":[{"op":"put","key":"a","value":"changed"},{"op":"put","key":"","value":"x"}]}`, 400, nil},
		{"POST", "/batch", `{"ops":[{"op":"put","key":"a","value":"` + string(big) + `"}]}`, 413, nil},
		{"POST", "/batch", ops(11), 400, nil}, // too many ops
		{"POST", "/batch", `{"ops":[{"op":"put","key":"a","value":"x"}]}`, 415, []string{"Content-Type", "text/plain"}},
		{"POST", "/batch", `{"ops":"` + strings.Repeat("x", maxJSONBody) + `"}`, 413, nil},
		{"POST", "/join", `{"id":"","raft_addr":"127.0.0.1:1","http_url":"http://127.0.0.1:2"}`, 400, nil},
		{"POST", "/join", `{"id":"x","raft_addr":"nohostport","http_url":"http://127.0.0.1:2"}`, 400, nil},
		{"POST", "/join", `{"id":"x","raft_addr":"127.0.0.1:1","http_url":"ftp://h"}`, 400, nil},
		{"POST", "/join", `[1,2]`, 400, nil},
		{"GET", "/join", "", 405, nil},
		{"PUT", "/status", "", 405, nil},
		{"GET", "/nope", "", 404, nil},
	}
	for _, tc := range cases {
		var body []byte
		if tc.body != "" {
			body = []byte(tc.body)
		}
		code, out := c.do(tc.method, tc.path, body, tc.header...)
		if code != tc.want {
			t.Errorf("%s %.60s %.60q = %d %q, want %d", tc.method, tc.path, tc.body, code, out, tc.want)
		}
		if len(bytes.TrimSpace(out)) == 0 {
			t.Errorf("%s %.60s: status %d without a message", tc.method, tc.path, code)
		}
		if after := stateOf(t, c, n); after != before {
			t.Fatalf("%s %.60s %.60q changed the state: %+v -> %+v", tc.method, tc.path, tc.body, before, after)
		}
	}
	// A body that is sent chunked (no Content-Length) and runs over the
	// limit is refused while it is read.
	req, _ := http.NewRequest("PUT", c.base+"/kv/a", io.MultiReader(bytes.NewReader(big), strings.NewReader("")))
	req.ContentLength = -1
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 413 {
		t.Errorf("chunked oversize PUT = %d, want 413", resp.StatusCode)
	}
	if after := stateOf(t, c, n); after != before {
		t.Fatalf("chunked oversize PUT changed the state")
	}
	// The node still works.
	c.must(204, "DELETE", "/kv/a", nil)
	c.must(404, "GET", "/kv/a", nil)
}

func TestBearerToken(t *testing.T) {
	cfg := testConfig(t, "n1")
	cfg.Bootstrap, cfg.Token = true, "s3cret-token"
	n := startNode(t, cfg)
	waitLeader(t, n)
	c := plainClient(t, n)
	for _, h := range [][]string{
		nil,
		{"Authorization", "Bearer wrong"},
		{"Authorization", "Bearer s3cret-toke"},
		{"Authorization", "Basic s3cret-token"},
		{"Authorization", "s3cret-token"},
	} {
		for _, m := range []string{"PUT", "GET", "DELETE"} {
			if code, _ := c.do(m, "/kv/k", []byte("v"), h...); code != 401 {
				t.Errorf("%s with %v = %d, want 401", m, h, code)
			}
		}
		if code, _ := c.do("GET", "/status", nil, h...); code != 401 {
			t.Errorf("GET /status with %v = %d, want 401", h, code)
		}
	}
	c.token = "s3cret-token"
	c.must(404, "GET", "/kv/k", nil) // none of the refused PUTs landed
	c.must(204, "PUT", "/kv/k", []byte("v"))
	c.must(200, "GET", "/kv/k", nil)
}

func TestFSMSnapshotRestore(t *testing.T) {
	log := hclog.NewNullLogger()
	a, err := OpenFSM(t.TempDir(), log)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	for i := 1; i <= 300; i++ {
		ops := []Op{{Key: dataKey(fmt.Sprintf("k%03d", i)), Value: bytes.Repeat([]byte{byte(i)}, 100)}}
		if i%7 == 0 {
			ops = append(ops, Op{Delete: true, Key: dataKey(fmt.Sprintf("k%03d", i-1))})
		}
		if r := a.Apply(&raft.Log{Index: uint64(i + 10), Data: encodeCommand(ops)}).(applyResult); r.err != nil {
			t.Fatal(r.err)
		}
	}
	// A command that does not decode, or names a key outside the spaces,
	// changes nothing but still counts as applied.
	for i, bad := range [][]byte{{9}, encodeCommand([]Op{{Key: metaApplied, Value: []byte("x")}})} {
		if r := a.Apply(&raft.Log{Index: uint64(311 + i), Data: bad}).(applyResult); r.err == nil {
			t.Fatalf("bad command %d applied", i)
		}
	}
	snap, err := a.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	sink := &memSink{}
	if err := snap.Persist(sink); err != nil {
		t.Fatal(err)
	}
	snap.Release()
	// Writes after the snapshot are not in it.
	a.Apply(&raft.Log{Index: 400, Data: encodeCommand([]Op{{Key: dataKey("after"), Value: []byte("x")}})})

	bdir := t.TempDir()
	b, err := OpenFSM(bdir, log)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	b.Apply(&raft.Log{Index: 1, Data: encodeCommand([]Op{{Key: dataKey("stale"), Value: []byte("x")}})})
	if err := b.Restore(io.NopCloser(bytes.NewReader(sink.Bytes()))); err != nil {
		t.Fatalf("Restore: %v", err)
	}
	if b.Applied() != 312 {
		t.Fatalf("applied after restore = %d, want 312", b.Applied())
	}
	ka, va, _ := a.Scan(dataPrefix, 10000)
	kb, vb, _ := b.Scan(dataPrefix, 10000)
	if string(ka[0]) != "dafter" {
		t.Fatalf("first key %q", ka[0])
	}
	ka, va = ka[1:], va[1:] // written after the snapshot
	if len(kb) != len(ka) || !reflect.DeepEqual(ka, kb) || !reflect.DeepEqual(va, vb) {
		t.Fatalf("restored %d keys, want the %d before the snapshot", len(kb), len(ka))
	}
	if _, err := b.Get(dataKey("stale")); err == nil {
		t.Fatal("restore kept a key the snapshot does not hold")
	}
	// An archive that is not a database, or escapes the directory, is
	// refused and the state machine keeps its data.
	for name, archive := range map[string][]byte{
		"garbage":  []byte("not a tar archive at all, not even close......"),
		"escaping": tarOf(t, "../evil", "x"),
		"empty":    tarOf(t, "", ""),
	} {
		if err := b.Restore(io.NopCloser(bytes.NewReader(archive))); err == nil {
			t.Errorf("Restore of %s archive succeeded", name)
		}
		if k, _, _ := b.Scan(dataPrefix, 10000); len(k) != len(kb) {
			t.Fatalf("failed restore of %s archive changed the data: %d keys", name, len(k))
		}
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(bdir), "evil")); err == nil {
		t.Fatal("an archive entry escaped the directory")
	}
}

func tarOf(t *testing.T, name, content string) []byte {
	var buf bytes.Buffer
	if name == "" {
		return nil
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "f"), []byte(content), 0o644)
	if err := writeTar(&buf, dir); err != nil {
		t.Fatal(err)
	}
	return bytes.Replace(buf.Bytes(), []byte("f\x00\x00\x00"), []byte(name+"\x00"), 1)
}

type memSink struct {
	bytes.Buffer
	cancelled bool
}

func (s *memSink) ID() string    { return "mem" }
func (s *memSink) Cancel() error { s.cancelled = true; return nil }
func (s *memSink) Close() error  { return nil }

// Three nodes with TLS on the API and mutual TLS on the raft transport, a
// bearer token, joins through a follower's redirect, writes through any
// node, and reads that see every acknowledged write.
func TestTLSCluster(t *testing.T) {
	dir := t.TempDir()
	ca, caKey := makeCA(t)
	caFile := writePEM(t, dir, "ca.pem", "CERTIFICATE", ca.Raw)
	certFile, keyFile := makeLeaf(t, dir, "node", ca, caKey)
	var nodes []*Node
	for i := 1; i <= 3; i++ {
		cfg := testConfig(t, fmt.Sprintf("n%d", i))
		cfg.CertFile, cfg.KeyFile, cfg.CAFile, cfg.Token = certFile, keyFile, caFile, "tok"
		if i == 1 {
			cfg.Bootstrap = true
		} else {
			cfg.Join = nodes[0].cfg.HTTPAdvertise
		}
		nodes = append(nodes, startNode(t, cfg))
		if i == 1 {
			waitLeader(t, nodes[0])
		}
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	hc := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	deadline := time.Now().Add(20 * time.Second)
	for {
		f := nodes[0].raft.GetConfiguration()
		if f.Error() == nil && len(f.Configuration().Servers) == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the nodes did not join")
		}
		time.Sleep(50 * time.Millisecond)
	}
	for i, n := range nodes {
		c := &client{t: t, http: hc, base: "https://" + n.HTTPAddr(), token: "tok"}
		key := fmt.Sprintf("/kv/key%d", i)
		c.must(204, "PUT", key, []byte(fmt.Sprint(i)))
		for _, m := range nodes {
			r := &client{t: t, http: hc, base: "https://" + m.HTTPAddr(), token: "tok"}
			if got := r.must(200, "GET", key, nil); string(got) != fmt.Sprint(i) {
				t.Fatalf("GET %s through %s = %q", key, m.cfg.ID, got)
			}
		}
	}
	// Plain HTTP to the TLS port is refused.
	if resp, err := http.Get("http://" + nodes[0].HTTPAddr() + "/status"); err == nil {
		if resp.StatusCode < 400 {
			t.Fatalf("plain HTTP to the TLS API = %d", resp.StatusCode)
		}
		resp.Body.Close()
	}
	// The raft transport refuses a TLS client without a certificate.
	raftAddr := string(nodes[1].trans.LocalAddr())
	conn, err := tls.Dial("tcp", raftAddr, &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"})
	if err == nil {
		conn.SetDeadline(time.Now().Add(5 * time.Second))
		_, err = conn.Read(make([]byte, 1))
		conn.Close()
	}
	if err == nil {
		t.Fatal("raft transport accepted a TLS connection without a client certificate")
	}
	// Nor does it speak plain TCP raft.
	if c, err := net.DialTimeout("tcp", raftAddr, time.Second); err == nil {
		c.Write([]byte{0, 1, 2, 3})
		c.SetDeadline(time.Now().Add(2 * time.Second))
		n, _ := c.Read(make([]byte, 16))
		c.Close()
		if n > 0 {
			t.Fatal("raft transport answered plain TCP")
		}
	}
}

func makeCA(t *testing.T) (*x509.Certificate, *ecdsa.PrivateKey) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return cert, key
}

func makeLeaf(t *testing.T, dir, name string, ca *x509.Certificate, caKey *ecdsa.PrivateKey) (string, string) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		KeyUsage:    x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalECPrivateKey(key)
	return writePEM(t, dir, name+".pem", "CERTIFICATE", der), writePEM(t, dir, name+"-key.pem", "EC PRIVATE KEY", kder)
}

func writePEM(t *testing.T, dir, name, typ string, der []byte) string {
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
