module strata-example

go 1.23

require github.com/strata-kv/strata/bindings/go v0.0.0

// The binding from this repository; a program outside it points the replace
// at its own checkout of strata (or drops it once the module is published).
replace github.com/strata-kv/strata/bindings/go => ../../bindings/go
