package main

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/template"

	"golang.org/x/perf/benchmath"
)

// benchmark describes one row of the results table: the benchmark's name in
// bench_test.go, what one op is, and how many crossings into C the binding
// makes per op (so that the page can say what share of strata's time the
// crossings are).
type benchmark struct {
	Name, Op  string
	Crossings float64
	Note      string // shown beside the crossing count
}

// The results table, in the order the benchmarks run. Crossing counts are
// the binding's (bindings/go): keep them in step with it.
var benchmarks = []benchmark{
	{"Get", "one Get of a random preloaded key", 1, ""},
	{"GetMissing", "one Get of a random absent key", 1, ""},
	{"MultiGet100", "one key; strata: `MultiGet` of 100 keys, Pebble: 100 `Get`s", 0.01, "1 per 100 keys"},
	{"Scan", "one entry of a full forward scan (key and value read)", 1.0 / 64, "1 per 64 entries (read-ahead)"},
	{"SeekNext10", "one `SeekGE` to a random key, then 10 `Next` (11 entries read)", 10, "10: the seek, 8 single steps, 1 read-ahead of 2"},
	{"Put", "one `Put` of a fresh random key", 1, ""},
	{"PutWALBuffer", "one `Put` of a fresh random key; strata with the buffered WAL (`WALBufferSize` 512 KiB), like Pebble's default WAL", 1, ""},
	{"BatchPut", "one key of a 1000-key batch (`Batch.Put`s, then one write)", 3.0 / putBatch, "3 per batch of 1000 (a 64 KiB hand-over, the write, `Clear`)"},
}

const putBatch = 1000

// The crossing benchmarks, strata only.
var crossings = []benchmark{
	{Name: "Crossing/call=empty", Op: "a cgo call of an empty C function (bench module hook)"},
	{Name: "Crossing/call=kv_version", Op: "a cgo call of `kv_version` in libstrata (bench module hook)"},
	{Name: "Crossing/call=Snapshot.Sequence", Op: "`Snapshot.Sequence` through the binding: its handle check, `kv_snapshot_sequence`, `runtime.KeepAlive`"},
}

// bindingCrossing is the crossing benchmark whose median prices one crossing
// of the binding in the results table.
const bindingCrossing = "Crossing/call=Snapshot.Sequence"

type row struct {
	benchmark
	Strata, Pebble *stats
	Verdict        string // which engine was faster in this run, if the runs say so
}

type page struct {
	Config, Notes      map[string]string
	Rows, CrossingRows []row
	CrossingNs         float64
	BindingExtraNs     float64 // the binding's crossing minus a bare cgo call
	Benchstat, Raw     string
}

// bareCrossing is the crossing benchmark without the binding or libstrata.
const bareCrossing = "Crossing/call=empty"

func buildPage(raw, benchstat string) (*page, error) {
	res, err := parse(raw)
	if err != nil {
		return nil, err
	}
	p := &page{Config: res.config, Notes: res.notes, Benchstat: strings.TrimRight(benchstat, "\n"),
		Raw: strings.TrimRight(raw, "\n")}
	for _, b := range benchmarks {
		if s := res.samples[b.Name]; s != nil {
			p.Rows = append(p.Rows, row{b, summarise(s["strata"]), summarise(s["pebble"]),
				verdict(s["strata"], s["pebble"])})
		}
	}
	for _, b := range crossings {
		if s := res.samples[b.Name]; s != nil {
			p.CrossingRows = append(p.CrossingRows, row{b, summarise(s["strata"]), nil, ""})
		}
	}
	if s := res.samples[bindingCrossing]; s != nil {
		if st := summarise(s["strata"]); st != nil {
			p.CrossingNs = st.Median
			if bare := res.samples[bareCrossing]; bare != nil {
				if bs := summarise(bare["strata"]); bs != nil {
					p.BindingExtraNs = st.Median - bs.Median
				}
			}
		}
	}
	return p, nil
}

// verdict says which engine took less time, when a Mann-Whitney U test of
// the two sets of runs (benchstat's test) rejects "same distribution" at
// alpha 0.05, and that the runs cannot tell otherwise.
func verdict(strata, pebble *sample) string {
	if strata == nil || pebble == nil || len(strata.ns) == 0 || len(pebble.ns) == 0 {
		return "–"
	}
	c := benchmath.AssumeNothing.Compare(benchmath.NewSample(strata.ns, &benchmath.DefaultThresholds),
		benchmath.NewSample(pebble.ns, &benchmath.DefaultThresholds))
	if c.P >= c.Alpha {
		return fmt.Sprintf("no clear difference (p=%.2f)", c.P)
	}
	faster := "strata"
	if median(pebble.ns) < median(strata.ns) {
		faster = "Pebble"
	}
	return fmt.Sprintf("%s faster (p=%.3f)", faster, c.P)
}

func writePage(w io.Writer, p *page) error {
	t, err := template.New("page").Funcs(template.FuncMap{
		"ns": formatNs,
		"signed": func(v float64) string {
			if v < 0 {
				return "−" + formatNs(-v)
			}
			return "+" + formatNs(v)
		},
		"num":    formatCount,
		"ratio":  ratio,
		"share":  func(r row) string { return share(r, p.CrossingNs) },
		"config": func(key string) string { return orUnknown(p.Config[key]) },
		"configNum": func(key string) string {
			if v, err := strconv.ParseFloat(p.Config[key], 64); err == nil {
				return formatCount(v)
			}
			return orUnknown(p.Config[key])
		},
		"note": func(key string) string { return orUnknown(p.Notes[key]) },
	}).Parse(pageTemplate)
	if err != nil {
		return err
	}
	return t.Execute(w, p)
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// formatNs prints a duration in ns with three significant digits at most
// and thousands separators: 0.71, 27.5, 128, 1,530, 22,100.
func formatNs(v float64) string {
	switch {
	case v < 1:
		return strconv.FormatFloat(v, 'f', 2, 64)
	case v < 100:
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	digits := int(math.Floor(math.Log10(v))) + 1
	scale := math.Pow(10, float64(digits-3))
	return formatCount(math.Round(v/scale) * scale)
}

// formatCount prints a whole number with thousands separators.
func formatCount(v float64) string {
	s := strconv.FormatFloat(math.Round(v), 'f', 0, 64)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// ratio is strata's median over Pebble's: below 1, strata took less time.
func ratio(r row) string {
	if r.Strata == nil || r.Pebble == nil || r.Pebble.Median == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f", r.Strata.Median/r.Pebble.Median)
}

// share is the part of strata's median time per op that its crossings into
// C account for, at the measured price of one crossing.
func share(r row, crossingNs float64) string {
	if r.Strata == nil || r.Strata.Median == 0 || crossingNs == 0 {
		return "–"
	}
	pct := 100 * r.Crossings * crossingNs / r.Strata.Median
	if pct < 0.1 {
		return "< 0.1%"
	}
	return fmt.Sprintf("%.1f%%", pct)
}
