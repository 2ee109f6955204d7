package strata

import (
	"os"
	"path/filepath"
	"testing"
)

func TestDestroy(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "db")
	db, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	mustPut(t, db, "k", "v")
	wantErr(t, "Destroy of an open database", Destroy(dir), ErrBusy)
	db.Close()
	if err := Destroy(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("the directory is still there: %v", err)
	}
	if err := Destroy(dir); err != nil {
		t.Fatalf("Destroy of nothing: %v", err)
	}
	wantErr(t, "Destroy of an empty path", Destroy(""), ErrInvalidArgument)
	wantErr(t, "Destroy of a path with NUL", Destroy("a\x00b"), ErrInvalidArgument)
	db, err = Open(dir, &Options{ErrorIfNotExists: true})
	if err == nil {
		db.Close()
		t.Fatal("the destroyed database opened")
	}
}

func TestRepairArguments(t *testing.T) {
	_, err := Repair("a\x00b", nil)
	wantErr(t, "path with NUL", err, ErrInvalidArgument)
	_, err = Repair(t.TempDir(), &Options{MemTable: "nope"})
	wantErr(t, "bad option", err, ErrInvalidArgument)
}

// Repair rebuilds a database whose manifest is lost from its tables and
// logs, and refuses one that is open.
func TestRepairRebuildsALostManifest(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	fill(t, db, 300, "table/")
	if err := db.Flush(); err != nil {
		t.Fatal(err)
	}
	mustPut(t, db, "log-only", "yes")
	_, err = Repair(dir, nil)
	wantErr(t, "Repair of an open database", err, ErrBusy)
	db.Close()

	manifests, _ := filepath.Glob(filepath.Join(dir, "MANIFEST-*"))
	for _, f := range append(manifests, filepath.Join(dir, "CURRENT")) {
		if err := os.Remove(f); err != nil {
			t.Fatal(err)
		}
	}
	report, err := Repair(dir, nil)
	if err != nil {
		t.Fatalf("Repair: %v", err)
	}
	if report == "" {
		t.Fatal("Repair gave no report")
	}
	t.Logf("repair report:\n%s", report)
	db, err = Open(dir, &Options{ErrorIfNotExists: true})
	if err != nil {
		t.Fatalf("open after Repair: %v\nreport:\n%s", err, report)
	}
	defer db.Close()
	mustGet(t, db, "log-only", "yes")
	n := 0
	for _, err := range db.Prefix([]byte("table/")) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 300 {
		t.Fatalf("%d of 300 table keys after Repair\nreport:\n%s", n, report)
	}
}
