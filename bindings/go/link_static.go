//go:build strata_static

package strata

// Linking strata into the program (go build -tags strata_static): the C ABI
// and the engine from libstrata.a, through pkg-config's strata-static
// module, which also names what the engine needs at link time (liblz4,
// libzstd and libxxhash, with their development packages installed, and
// libstdc++). The program then needs no libstrata.so at run time.

// #cgo pkg-config: strata-static
import "C"
