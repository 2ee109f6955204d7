//go:build !strata_static

package strata

// Linking against the shared library, libstrata.so, through pkg-config's
// strata module. An installed strata.pc needs no setting (outside /usr it
// adds an rpath, so the program finds the library at run time); a build
// tree's is found with PKG_CONFIG_PATH=<build>/pkgconfig-uninstalled.

// #cgo pkg-config: strata
import "C"
