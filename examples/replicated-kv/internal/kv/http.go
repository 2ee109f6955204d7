package kv

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hashicorp/raft"
	strata "github.com/strata-kv/strata/bindings/go"
)

// The HTTP API (docs/REPLICATION.md):
//
//	PUT    /kv/{key}            body = value               204
//	GET    /kv/{key}                                       200 value, 404
//	DELETE /kv/{key}                                       204
//	GET    /kv?prefix=p&limit=n                            200 JSON {"items":[{"key","value"(base64)}]}
//	POST   /batch               JSON {"ops":[{"op":"put"|"delete","key","value"}]}  204
//	POST   /join                JSON {"id","raft_addr","http_url"}  204
//	GET    /status                                         200 JSON
//
// Keys are the percent-decoded path after /kv/ and must be valid UTF-8. Reads
// are linearizable (see readBarrier) unless ?stale=1 asks for this node's
// state as it is. A follower answers 307 with the leader's URL; with no
// known leader, 503. A request refused with a 4xx changes nothing; a 503
// carrying "X-Not-Applied: 1" changed nothing either, while after any other
// 503 (or no answer) a write may or may not take effect.

const (
	maxJSONBody  = 8 << 20
	defaultLimit = 1000
	maxLimit     = 10000
	readTimeout  = 5 * time.Second
)

func (n *Node) handler() http.Handler {
	var tokenSum [32]byte
	if n.cfg.Token != "" {
		tokenSum = sha256.Sum256([]byte(n.cfg.Token))
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.cfg.Token != "" && !authorized(r, tokenSum) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="strata-replicated-kv"`)
			httpError(w, http.StatusUnauthorized, "missing or wrong bearer token")
			return
		}
		path := r.URL.EscapedPath()
		switch {
		case strings.HasPrefix(path, "/kv/"):
			n.serveKey(w, r, strings.TrimPrefix(path, "/kv/"))
		case path == "/kv":
			n.serveScan(w, r)
		case path == "/batch":
			n.serveBatch(w, r)
		case path == "/join":
			n.serveJoin(w, r)
		case path == "/status":
			n.serveStatus(w, r)
		default:
			httpError(w, http.StatusNotFound, "no such endpoint")
		}
	})
}

// authorized compares the request's bearer token with the configured one in
// constant time (hashing both first, so not even the length shows).
func authorized(r *http.Request, want [32]byte) bool {
	h := r.Header.Get("Authorization")
	const scheme = "Bearer "
	if len(h) < len(scheme) || !strings.EqualFold(h[:len(scheme)], scheme) {
		return false
	}
	got := sha256.Sum256([]byte(h[len(scheme):]))
	return subtle.ConstantTimeCompare(got[:], want[:]) == 1
}

func httpError(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	fmt.Fprintln(w, msg)
}

func methodNotAllowed(w http.ResponseWriter, allow string) {
	w.Header().Set("Allow", allow)
	httpError(w, http.StatusMethodNotAllowed, "method not allowed; use "+allow)
}

// checkKey validates a user key (already decoded).
func (n *Node) checkKey(key string) (int, string) {
	switch {
	case key == "":
		return http.StatusBadRequest, "empty key"
	case len(key) > n.cfg.MaxKeyBytes:
		return http.StatusBadRequest, fmt.Sprintf("key of %d bytes exceeds the limit of %d", len(key), n.cfg.MaxKeyBytes)
	case !utf8.ValidString(key):
		return http.StatusBadRequest, "key is not valid UTF-8"
	}
	return 0, ""
}

func dataKey(key string) []byte {
	return append(append([]byte{}, dataPrefix...), key...)
}

// toLeader handles a request this node cannot serve as a follower: a
// redirect to the leader's API, or 503 when no leader is known. It returns
// false when this node is the leader.
func (n *Node) toLeader(w http.ResponseWriter, r *http.Request) bool {
	if n.raft.State() == raft.Leader {
		return false
	}
	_, id := n.raft.LeaderWithID()
	base := ""
	if id != "" {
		base = n.nodeURL(id)
	}
	if base == "" {
		w.Header().Set(notAppliedHeader, "1")
		w.Header().Set("Retry-After", "1")
		httpError(w, http.StatusServiceUnavailable, "no leader known; retry")
		return true
	}
	w.Header().Set("Location", base+r.URL.RequestURI())
	httpError(w, http.StatusTemporaryRedirect, "not the leader; the leader is "+base)
	return true
}

// notAppliedHeader marks a 503 after which the write certainly did not and
// will not take effect: it never reached the raft log. Any other failure,
// or no answer at all, leaves the outcome unknown.
const notAppliedHeader = "X-Not-Applied"

// failed turns a raft or state machine error into a response.
func (n *Node) failed(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, errNotLeader), errors.Is(err, raft.ErrNotLeader),
		errors.Is(err, raft.ErrLeadershipTransferInProgress), errors.Is(err, raft.ErrEnqueueTimeout):
		// raft refused the command before appending it.
		if !n.toLeader(w, r) {
			w.Header().Set(notAppliedHeader, "1")
			w.Header().Set("Retry-After", "1")
			httpError(w, http.StatusServiceUnavailable, "not the leader any more; retry")
		}
	case errors.Is(err, raft.ErrLeadershipLost):
		w.Header().Set("Retry-After", "1")
		httpError(w, http.StatusServiceUnavailable, "leadership lost while the write was in flight (it may still take effect); retry")
	case errors.Is(err, errBadCommand):
		httpError(w, http.StatusBadRequest, err.Error())
	default:
		// A timeout or shutdown: the write may or may not commit later.
		w.Header().Set("Retry-After", "1")
		httpError(w, http.StatusServiceUnavailable, "not done (it may still take effect): "+err.Error())
	}
}

func (n *Node) serveKey(w http.ResponseWriter, r *http.Request, escaped string) {
	key, err := url.PathUnescape(escaped)
	if err != nil {
		httpError(w, http.StatusBadRequest, "bad percent-encoding in the key")
		return
	}
	if code, msg := n.checkKey(key); code != 0 {
		httpError(w, code, msg)
		return
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		n.get(w, r, key)
	case http.MethodPut:
		if r.ContentLength > int64(n.cfg.MaxValueBytes) {
			httpError(w, http.StatusRequestEntityTooLarge,
				fmt.Sprintf("value of %d bytes exceeds the limit of %d", r.ContentLength, n.cfg.MaxValueBytes))
			return
		}
		value, err := io.ReadAll(http.MaxBytesReader(w, r.Body, int64(n.cfg.MaxValueBytes)))
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				httpError(w, http.StatusRequestEntityTooLarge,
					fmt.Sprintf("value exceeds the limit of %d bytes", n.cfg.MaxValueBytes))
			} else {
				httpError(w, http.StatusBadRequest, "reading the body: "+err.Error())
			}
			return
		}
		n.write(w, r, []Op{{Key: dataKey(key), Value: value}})
	case http.MethodDelete:
		n.write(w, r, []Op{{Delete: true, Key: dataKey(key)}})
	default:
		methodNotAllowed(w, "GET, PUT, DELETE")
	}
}

func (n *Node) write(w http.ResponseWriter, r *http.Request, ops []Op) {
	if n.toLeader(w, r) {
		return
	}
	index, err := n.apply(ops)
	if err != nil {
		n.failed(w, r, err)
		return
	}
	w.Header().Set("X-Raft-Index", strconv.FormatUint(index, 10))
	w.WriteHeader(http.StatusNoContent)
}

func stale(r *http.Request) bool {
	v := r.URL.Query().Get("stale")
	return v == "1" || v == "true"
}

// read prepares a read: a linearizable one through the leader, or a stale
// one served here. false means the response is written.
func (n *Node) read(w http.ResponseWriter, r *http.Request) bool {
	if stale(r) {
		return true
	}
	if n.toLeader(w, r) {
		return false
	}
	if err := n.readBarrier(readTimeout); err != nil {
		n.failed(w, r, err)
		return false
	}
	return true
}

func (n *Node) get(w http.ResponseWriter, r *http.Request, key string) {
	if !n.read(w, r) {
		return
	}
	v, err := n.fsm.Get(dataKey(key))
	if errors.Is(err, strata.ErrNotFound) {
		httpError(w, http.StatusNotFound, "no such key")
		return
	}
	if err != nil {
		httpError(w, http.StatusInternalServerError, err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", strconv.Itoa(len(v)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(v)
	}
}

type scanItem struct {
	Key   string `json:"key"`
	Value []byte `json:"value"` // base64 in JSON
}

func (n *Node) serveScan(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		methodNotAllowed(w, "GET")
		return
	}
	q := r.URL.Query()
	prefix := q.Get("prefix")
	if len(prefix) > n.cfg.MaxKeyBytes || !utf8.ValidString(prefix) {
		httpError(w, http.StatusBadRequest, "prefix too long or not valid UTF-8")
		return
	}
	limit := defaultLimit
	if s := q.Get("limit"); s != "" {
		l, err := strconv.Atoi(s)
		if err != nil || l < 1 || l > maxLimit {
			httpError(w, http.StatusBadRequest, fmt.Sprintf("limit must be a number from 1 to %d", maxLimit))
			return
		}
		limit = l
	}
	if !n.read(w, r) {
		return
	}
	keys, values, err := n.fsm.Scan(dataKey(prefix), limit)
	if err != nil {
		httpError(w, http.StatusInternalServerError, err.Error())
		return
	}
	out := struct {
		Items []scanItem `json:"items"`
	}{Items: make([]scanItem, len(keys))}
	for i := range keys {
		out.Items[i] = scanItem{Key: string(keys[i][len(dataPrefix):]), Value: values[i]}
	}
	writeJSON(w, out)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

// decodeJSON reads a size-limited JSON body with no unknown fields and
// nothing after the object.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		httpError(w, http.StatusUnsupportedMediaType, "the body must be application/json")
		return false
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxJSONBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			httpError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("body exceeds %d bytes", maxJSONBody))
		} else {
			httpError(w, http.StatusBadRequest, "malformed JSON: "+err.Error())
		}
		return false
	}
	if _, err := dec.Token(); err != io.EOF {
		httpError(w, http.StatusBadRequest, "malformed JSON: data after the object")
		return false
	}
	return true
}

type batchRequest struct {
	Ops []struct {
		Op    string  `json:"op"`
		Key   string  `json:"key"`
		Value *string `json:"value"`
	} `json:"ops"`
}

func (n *Node) serveBatch(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		methodNotAllowed(w, "POST")
		return
	}
	var req batchRequest
	if !decodeJSON(w, r, &req) {
		return
	}
	if len(req.Ops) == 0 || len(req.Ops) > n.cfg.MaxBatchOps {
		httpError(w, http.StatusBadRequest, fmt.Sprintf("a batch holds 1 to %d ops", n.cfg.MaxBatchOps))
		return
	}
	ops := make([]Op, len(req.Ops))
	for i, o := range req.Ops {
		if code, msg := n.checkKey(o.Key); code != 0 {
			httpError(w, code, fmt.Sprintf("op %d: %s", i, msg))
			return
		}
		switch o.Op {
		case "put":
			if o.Value == nil {
				httpError(w, http.StatusBadRequest, fmt.Sprintf("op %d: a put needs a value", i))
				return
			}
			if len(*o.Value) > n.cfg.MaxValueBytes {
				httpError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("op %d: value exceeds the limit of %d bytes", i, n.cfg.MaxValueBytes))
				return
			}
			ops[i] = Op{Key: dataKey(o.Key), Value: []byte(*o.Value)}
		case "delete":
			if o.Value != nil {
				httpError(w, http.StatusBadRequest, fmt.Sprintf("op %d: a delete takes no value", i))
				return
			}
			ops[i] = Op{Delete: true, Key: dataKey(o.Key)}
		default:
			httpError(w, http.StatusBadRequest, fmt.Sprintf("op %d: op must be \"put\" or \"delete\"", i))
			return
		}
	}
	n.write(w, r, ops)
}

type joinRequest struct {
	ID       string `json:"id"`
	RaftAddr string `json:"raft_addr"`
	HTTPURL  string `json:"http_url"`
}

func (n *Node) serveJoin(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		methodNotAllowed(w, "POST")
		return
	}
	var req joinRequest
	if !decodeJSON(w, r, &req) {
		return
	}
	if req.ID == "" || len(req.ID) > 128 || !utf8.ValidString(req.ID) {
		httpError(w, http.StatusBadRequest, "id must be 1 to 128 bytes of UTF-8")
		return
	}
	if _, _, err := netSplit(req.RaftAddr); err != nil {
		httpError(w, http.StatusBadRequest, "raft_addr must be host:port")
		return
	}
	if u, err := url.Parse(req.HTTPURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		httpError(w, http.StatusBadRequest, "http_url must be an http or https URL")
		return
	}
	if n.toLeader(w, r) {
		return
	}
	f := n.raft.AddVoter(raft.ServerID(req.ID), raft.ServerAddress(req.RaftAddr), 0, 10*time.Second)
	if err := f.Error(); err != nil {
		n.failed(w, r, err)
		return
	}
	if err := n.registerNode(req.ID, req.HTTPURL); err != nil {
		n.failed(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (n *Node) joinOnce() error {
	body, _ := json.Marshal(joinRequest{ID: n.cfg.ID, RaftAddr: n.cfg.RaftAdvertise, HTTPURL: n.cfg.HTTPAdvertise})
	target := strings.TrimSuffix(n.cfg.Join, "/") + "/join"
	for hop := 0; hop < 3; hop++ {
		req, err := http.NewRequest(http.MethodPost, target, bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		if n.cfg.Token != "" {
			req.Header.Set("Authorization", "Bearer "+n.cfg.Token)
		}
		resp, err := n.client.Do(req) // follows the redirect to the leader
		if err != nil {
			return err
		}
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		resp.Body.Close()
		if resp.StatusCode == http.StatusNoContent {
			return nil
		}
		if resp.StatusCode != http.StatusServiceUnavailable {
			return fmt.Errorf("%s: %s", resp.Status, bytes.TrimSpace(msg))
		}
		time.Sleep(500 * time.Millisecond)
	}
	return errors.New("no leader answered")
}

// Status is what GET /status returns.
type Status struct {
	ID            string            `json:"id"`
	State         string            `json:"state"`
	Term          uint64            `json:"term"`
	LeaderID      string            `json:"leader_id"`
	LeaderURL     string            `json:"leader_url"`
	CommitIndex   uint64            `json:"commit_index"`
	AppliedIndex  uint64            `json:"applied_index"` // of the last command the state machine applied
	FirstLogIndex uint64            `json:"first_log_index"`
	LastLogIndex  uint64            `json:"last_log_index"`
	Store         string            `json:"store"`
	Servers       map[string]string `json:"servers"` // ID -> raft address
}

func (n *Node) serveStatus(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		methodNotAllowed(w, "GET")
		return
	}
	_, leader := n.raft.LeaderWithID()
	st := Status{
		ID: n.cfg.ID, State: n.raft.State().String(), Term: n.raft.CurrentTerm(),
		LeaderID: string(leader), CommitIndex: n.raft.CommitIndex(), AppliedIndex: n.fsm.Applied(),
		Store: n.cfg.Store, Servers: map[string]string{},
	}
	if leader != "" {
		st.LeaderURL = n.nodeURL(leader)
	}
	st.FirstLogIndex, _ = n.logs.FirstIndex()
	st.LastLogIndex, _ = n.logs.LastIndex()
	if f := n.raft.GetConfiguration(); f.Error() == nil {
		for _, s := range f.Configuration().Servers {
			st.Servers[string(s.ID)] = string(s.Address)
		}
	}
	writeJSON(w, st)
}
