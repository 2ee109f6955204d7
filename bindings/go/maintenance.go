package strata

// Maintenance and inspection of an open database. Each of these is safe to
// call from any goroutine while others read and write.

// Flush writes the memtable to a table file and returns once it is durable.
func (d *DB) Flush() error {
	h, err := d.handle("DB.Flush")
	if err != nil {
		return err
	}
	return d.done("DB.Flush", cFlush(h))
}

// WaitCompactions returns once no flush or compaction is pending or running.
func (d *DB) WaitCompactions() error {
	h, err := d.handle("DB.WaitCompactions")
	if err != nil {
		return err
	}
	return d.done("DB.WaitCompactions", cWaitCompactions(h))
}

// Resume lets writes go on after they stopped for lack of disk space, once
// space is freed, without reopening; the database also retries by itself on
// a back-off. It returns the stop's error when the stop was not a lack of
// space (only reopening recovers from those).
func (d *DB) Resume() error {
	h, err := d.handle("DB.Resume")
	if err != nil {
		return err
	}
	return d.done("DB.Resume", cResume(h))
}

// CompactRange merges the tables holding keys in [start, end) into one
// sorted run, dropping versions and tombstones nothing can still read. A nil
// start or end is open, so CompactRange(nil, nil) compacts everything.
func (d *DB) CompactRange(start, end []byte) error {
	h, err := d.handle("DB.CompactRange")
	if err != nil {
		return err
	}
	return d.done("DB.CompactRange", cCompactRange(h, start, end))
}

// ApproximateSize returns about how many bytes the database's tables take on
// disk for keys in [start, end) (a nil bound is open; a non-nil empty slice
// is the empty key), from the tables' indexes. Writes not yet flushed from
// the memtable count 0.
func (d *DB) ApproximateSize(start, end []byte) (uint64, error) {
	h, err := d.handle("DB.ApproximateSize")
	if err != nil {
		return 0, err
	}
	n, err := cApproximateSize(h, start, end)
	return n, d.done("DB.ApproximateSize", err)
}

// Stats returns a human-readable summary: levels, files, bytes, memtables,
// cache, writes and stalls. It is Property("stats").
func (d *DB) Stats() (string, error) { return d.property("DB.Stats", "stats") }

// Property returns one of strata's properties as text: "stats",
// "num-files-at-levelN" (N = 0..6), "total-table-bytes", "memtable-bytes",
// "last-sequence". An unknown name is an error matching ErrInvalidArgument.
func (d *DB) Property(name string) (string, error) { return d.property("DB.Property", name) }

func (d *DB) property(what, name string) (string, error) {
	h, err := d.handle(what)
	if err != nil {
		return "", err
	}
	v, err := cProperty(h, name)
	return v, d.done(what, err)
}

// Checkpoint makes an openable, consistent copy of the database in dir,
// which must not exist yet. Table files are hard-linked when dir is on the
// same filesystem, copied otherwise. Writes may go on meanwhile; the copy
// holds every write acknowledged before the call began.
func (d *DB) Checkpoint(dir string) error {
	h, err := d.handle("DB.Checkpoint")
	if err != nil {
		return err
	}
	return d.done("DB.Checkpoint", cCheckpoint(h, dir))
}

// Verify reads every block of every live table and checks its checksum and
// order: nil when all are sound, an error matching ErrCorruption naming the
// first bad file otherwise. It reads the whole database, so it is slow on a
// big one.
func (d *DB) Verify() error {
	h, err := d.handle("DB.Verify")
	if err != nil {
		return err
	}
	return d.done("DB.Verify", cVerify(h))
}
