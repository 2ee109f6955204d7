module github.com/strata-kv/strata/bindings/go

go 1.23
