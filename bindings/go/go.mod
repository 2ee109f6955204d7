module strata

go 1.23
