package main

import (
	"fmt"
	"strings"
	"testing"
)

// A small run in go test's format, with the lines go.sh adds.
const sampleRun = `go: go1.26.8
pebble: v2.1.7
count: 3
# date: 2025-01-02 03:04 UTC
# cores: 2
# loadavg-before: 1.00 2.00 3.00
strata: 0.2.0
keys: 1000000
goos: linux
goarch: amd64
cpu: Some CPU
BenchmarkCrossing/call=Snapshot.Sequence/engine=strata-2   	 100	       100.0 ns/op	       0 B/op	       0 allocs/op
BenchmarkCrossing/call=Snapshot.Sequence/engine=strata-2   	 100	       300.0 ns/op	       0 B/op	       0 allocs/op
BenchmarkCrossing/call=Snapshot.Sequence/engine=strata-2   	 100	       200.0 ns/op	       0 B/op	       0 allocs/op
# strata: loaded 1000000 keys, flushed and compacted in 9.9s
BenchmarkGet/engine=strata-2 	 100	      1000 ns/op	     112 B/op	       1 allocs/op
BenchmarkGet/engine=strata-2 	 100	      3000 ns/op	     112 B/op	       1 allocs/op
BenchmarkGet/engine=strata-2 	 100	      2000 ns/op	     112 B/op	       1 allocs/op
BenchmarkGet/engine=pebble-2 	 100	      4000 ns/op	      16 B/op	       1 allocs/op
BenchmarkGet/engine=pebble-2 	 100	      4000 ns/op	      16 B/op	       1 allocs/op
BenchmarkScan/engine=pebble  	 100	      12.5 ns/op	       0 B/op	       0 allocs/op
# loadavg-after: 4.00 5.00 6.00
`

func TestRenderSummarisesTheRun(t *testing.T) {
	p, err := buildPage(sampleRun, "benchstat table")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := writePage(&b, p); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, want := range []string{
		"| `Get` | one Get of a random preloaded key | **2,000** (1,000–3,000) | **4,000** (4,000–4,000) | 0.50 | no clear difference (p=0.20) | 1 (112) | 1 (16) |",
		"| `Scan` | one entry of a full forward scan (key and value read) | – | **12.5** (12.5–12.5) | – |",
		"one crossing through the binding costs about 200 ns\nhere",
		"| `Get` | 1 | 10.0% |", // 200 ns of a 2,000 ns Get
		"1,000,000 preloaded keys",
		"Pebble](https://github.com/cockroachdb/pebble) v2.1.7",
		"load average\n1.00 2.00 3.00 before the run, 4.00 5.00 6.00 after",
		"Run of 2025-01-02 03:04 UTC: Go go1.26.8",
		"benchstat table",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if strings.Contains(page, "GetMissing") && strings.Contains(page, "| `GetMissing` | one") {
		t.Error("a benchmark that did not run has a row")
	}
}

// Ten clearly separated runs per engine give a verdict.
func TestRenderVerdict(t *testing.T) {
	var raw strings.Builder
	for i := 0; i < 10; i++ {
		fmt.Fprintf(&raw, "BenchmarkPut/engine=strata-2 \t 100\t %d ns/op\n", 1000+i)
		fmt.Fprintf(&raw, "BenchmarkPut/engine=pebble-2 \t 100\t %d ns/op\n", 2000+i)
	}
	p, err := buildPage(raw.String(), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Rows) != 1 || !strings.HasPrefix(p.Rows[0].Verdict, "strata faster (p=0.000") {
		t.Fatalf("rows %+v", p.Rows)
	}
}

func TestRenderRefusesBadInput(t *testing.T) {
	if _, err := buildPage("goos: linux\n", ""); err == nil {
		t.Error("a run without results rendered")
	}
	if _, err := buildPage("BenchmarkGet-2 \t 100\t 1000 ns/op\n", ""); err == nil {
		t.Error("a result without /engine= rendered")
	}
}

func TestFormatNs(t *testing.T) {
	for v, want := range map[float64]string{0.714: "0.71", 27.46: "27.5", 128.4: "128",
		1534: "1,530", 22149: "22,100", 1234567: "1,230,000"} {
		if got := formatNs(v); got != want {
			t.Errorf("formatNs(%v) = %q, want %q", v, got, want)
		}
	}
}
