// Command render writes docs/bench/bindings-go.md from the output of the
// benchmarks in bench/bindings/go (go test -bench, benchfmt format) and
// benchstat's summary of it. bench/bindings/go.sh runs it; the page's prose
// lives in page.md.tmpl beside this file, the figures come from the run.
//
//	go run ./render -raw raw.txt -benchstat benchstat.txt -o page.md
package main

import (
	"bufio"
	_ "embed"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strings"

	"golang.org/x/perf/benchfmt"
)

//go:embed page.md.tmpl
var pageTemplate string

func main() {
	rawPath := flag.String("raw", "", "go test -bench output (required)")
	benchstatPath := flag.String("benchstat", "", "benchstat -col /engine output of the same file (required)")
	outPath := flag.String("o", "", "the page to write (default: standard output)")
	flag.Parse()
	if *rawPath == "" || *benchstatPath == "" || flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	raw, err := os.ReadFile(*rawPath)
	if err != nil {
		fail(err)
	}
	stat, err := os.ReadFile(*benchstatPath)
	if err != nil {
		fail(err)
	}
	page, err := buildPage(string(raw), string(stat))
	if err != nil {
		fail(fmt.Errorf("%s: %w", *rawPath, err))
	}
	var out io.Writer = os.Stdout
	if *outPath != "" {
		f, err := os.Create(*outPath)
		if err != nil {
			fail(err)
		}
		defer f.Close()
		out = f
	}
	if err := writePage(out, page); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "render:", err)
	os.Exit(1)
}

// sample is every run of one benchmark on one engine.
type sample struct {
	ns, bytes, allocs []float64
}

// stats summarises a sample: the median decides, the range shows the noise.
type stats struct {
	Runs                    int
	Median, Min, Max        float64 // ns per op
	BytesPerOp, AllocsPerOp float64 // medians
}

func summarise(s *sample) *stats {
	if s == nil || len(s.ns) == 0 {
		return nil
	}
	ns := append([]float64(nil), s.ns...)
	sort.Float64s(ns)
	return &stats{Runs: len(ns), Median: median(ns), Min: ns[0], Max: ns[len(ns)-1],
		BytesPerOp: median(s.bytes), AllocsPerOp: median(s.allocs)}
}

// median of xs (sorted here if not already).
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if n := len(s); n%2 == 1 {
		return s[n/2]
	} else {
		return (s[n/2-1] + s[n/2]) / 2
	}
}

// results holds every sample by benchmark name (without the engine and the
// -GOMAXPROCS suffix) and engine, the run's configuration lines, and the
// "# key: value" notes go.sh adds.
type results struct {
	samples map[string]map[string]*sample
	config  map[string]string
	notes   map[string]string
}

func parse(raw string) (*results, error) {
	res := &results{samples: map[string]map[string]*sample{}, config: map[string]string{},
		notes: map[string]string{}}
	sc := bufio.NewScanner(strings.NewReader(raw))
	for sc.Scan() {
		if k, v, ok := strings.Cut(strings.TrimPrefix(sc.Text(), "# "), ": "); ok &&
			strings.HasPrefix(sc.Text(), "# ") {
			res.notes[k] = v
		}
	}
	r := benchfmt.NewReader(strings.NewReader(raw), "raw")
	for r.Scan() {
		switch rec := r.Result(); rec := rec.(type) {
		case *benchfmt.SyntaxError:
			return nil, rec
		case *benchfmt.Result:
			for _, c := range rec.Config {
				res.config[c.Key] = string(c.Value)
			}
			name, engine, ok := splitEngine(rec.Name.String())
			if !ok {
				return nil, fmt.Errorf("benchmark %s has no /engine= part", rec.Name)
			}
			if res.samples[name] == nil {
				res.samples[name] = map[string]*sample{}
			}
			s := res.samples[name][engine]
			if s == nil {
				s = &sample{}
				res.samples[name][engine] = s
			}
			ns, ok := rec.Value("sec/op") // benchfmt normalises ns/op to sec/op
			if !ok {
				return nil, fmt.Errorf("benchmark %s has no ns/op", rec.Name)
			}
			s.ns = append(s.ns, ns*1e9)
			if b, ok := rec.Value("B/op"); ok {
				s.bytes = append(s.bytes, b)
			}
			if a, ok := rec.Value("allocs/op"); ok {
				s.allocs = append(s.allocs, a)
			}
		}
	}
	if err := r.Err(); err != nil {
		return nil, err
	}
	if len(res.samples) == 0 {
		return nil, fmt.Errorf("no benchmark results")
	}
	return res, nil
}

// gomaxprocsSuffix is the "-2" go test appends to a name when GOMAXPROCS > 1.
var gomaxprocsSuffix = regexp.MustCompile(`-[0-9]+$`)

// splitEngine turns "Get/engine=strata-2" into ("Get", "strata").
func splitEngine(full string) (name, engine string, ok bool) {
	full = gomaxprocsSuffix.ReplaceAllString(full, "")
	name, engine, ok = strings.Cut(full, "/engine=")
	return name, engine, ok && engine != "" && !strings.Contains(engine, "/")
}
