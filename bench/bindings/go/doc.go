// Package stratabench measures the Go binding of strata (module strata, in
// bindings/go) beside Pebble (github.com/cockroachdb/pebble/v2) on the same
// data, in the same `go test -bench` run. It is a module of its own so that
// the binding and its tests never depend on Pebble.
//
// The benchmarks are in bench_test.go; bench/bindings/go.sh runs them and
// renders docs/bench/bindings-go.md with the program in ./render. The only
// non-test code here is the cgo hook in crossing.go, which measures a bare
// crossing into C without going through the binding.
package stratabench
