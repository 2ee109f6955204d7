package strata

import "iter"

// KV is one entry yielded by the range-over-func forms (All, Backward,
// Prefix). Key and Value are the caller's own: they stay valid after the
// loop moves on (an empty value is a non-nil empty slice).
type KV struct {
	Key, Value []byte
}

// All yields every entry with start <= key < end in ascending key order,
// reading the database as it is when the loop starts. A nil start or end is
// open. Each value in the loop is either an entry and a nil error, or, once
// and last, a zero KV and the error that stopped the walk (a read failure,
// or a bad range); so the loop sees every failure without a separate check:
//
//	for kv, err := range db.All(nil, nil) {
//		if err != nil {
//			return err
//		}
//		fmt.Printf("%s=%s\n", kv.Key, kv.Value)
//	}
//
// The sequence can be ranged over many times, each a new read. Each loop
// opens an iterator and closes it when the loop ends, by break or otherwise.
// Every entry is copied into one new allocation (key and value together);
// an Iterator avoids that where speed matters more than convenience.
func (d *DB) All(start, end []byte) iter.Seq2[KV, error] {
	return d.walk("DB.All", &IterOptions{LowerBound: start, UpperBound: end}, nil, false)
}

// Backward is All in descending key order: the entries with
// start <= key < end, the largest first.
func (d *DB) Backward(start, end []byte) iter.Seq2[KV, error] {
	return d.walk("DB.Backward", &IterOptions{LowerBound: start, UpperBound: end}, nil, true)
}

// Prefix is All over the keys that begin with prefix, in ascending order.
func (d *DB) Prefix(prefix []byte) iter.Seq2[KV, error] {
	if prefix == nil {
		prefix = []byte{}
	}
	return d.walk("DB.Prefix", &IterOptions{Prefix: prefix}, nil, false)
}

// All is DB.All as of the snapshot.
func (s *Snapshot) All(start, end []byte) iter.Seq2[KV, error] {
	return s.db.walk("Snapshot.All", &IterOptions{LowerBound: start, UpperBound: end}, s, false)
}

// Backward is DB.Backward as of the snapshot.
func (s *Snapshot) Backward(start, end []byte) iter.Seq2[KV, error] {
	return s.db.walk("Snapshot.Backward", &IterOptions{LowerBound: start, UpperBound: end}, s, true)
}

// Prefix is DB.Prefix as of the snapshot.
func (s *Snapshot) Prefix(prefix []byte) iter.Seq2[KV, error] {
	if prefix == nil {
		prefix = []byte{}
	}
	return s.db.walk("Snapshot.Prefix", &IterOptions{Prefix: prefix}, s, false)
}

// walk is the sequence behind All, Backward and Prefix.
func (d *DB) walk(what string, opts *IterOptions, snap *Snapshot, backward bool) iter.Seq2[KV, error] {
	return func(yield func(KV, error) bool) {
		if snap != nil {
			if _, err := snap.acquire(what); err != nil {
				yield(KV{}, err)
				return
			}
			snap.release()
		}
		it, err := d.newIter(what, opts, snap)
		if err != nil {
			yield(KV{}, err)
			return
		}
		defer it.Close()
		step := it.Next
		ok := it.First()
		if backward {
			step = it.Prev
			ok = it.Last()
		}
		for ; ok; ok = step() {
			kv, copied := it.entryCopy()
			if !copied { // DB.Close closed the iterator; Error says so
				break
			}
			if !yield(kv, nil) {
				return
			}
		}
		if err := it.Error(); err != nil {
			yield(KV{}, err)
		}
	}
}

// entryCopy copies the current entry into one new allocation; false if
// DB.Close has just freed it.
func (it *Iterator) entryCopy() (KV, bool) {
	if !it.borrow() {
		return KV{}, false
	}
	defer it.unborrow()
	k, v := it.at.key, it.at.value
	buf := make([]byte, len(k)+len(v))
	n := copy(buf, k)
	copy(buf[n:], v)
	return KV{Key: buf[:n:n], Value: buf[n:]}, true
}
