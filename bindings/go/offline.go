package strata

// Calls on a database by its path, while no DB has it open.

// Repair rebuilds the manifest of the closed database at path from the
// tables and logs that can still be read, keeping a backup of what it
// replaces. It returns a report listing what was recovered and exactly what
// was dropped. opts may be nil. A database that is open gives an error
// matching ErrBusy.
func Repair(path string, opts *Options) (report string, err error) {
	err = withCOptions(opts, func(o optionsHandle) error {
		var err error
		report, err = cRepair(path, o)
		return err
	})
	return report, err
}

// Destroy deletes the database at path: its files, then the directory if it
// is left empty. A database that is open gives an error matching ErrBusy;
// nothing at path is not an error.
func Destroy(path string) error { return cDestroy(path) }
