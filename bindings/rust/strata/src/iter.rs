//! `Iter`: a range of entries as a Rust iterator, from either end.

use std::fmt;
use std::iter::FusedIterator;

use crate::cursor::{Cursor, RawBatch};
use crate::error::{Error, Result};

/// The entries of a key range in key order, as `(key, value)` pairs, from
/// [`Db::range`](crate::Db::range), [`Db::prefix`](crate::Db::prefix),
/// [`Db::iter`](crate::Db::iter) or the same calls on a
/// [`Snapshot`](crate::Snapshot).
///
/// It reads the database as it was when it was made. It is double-ended:
/// `.rev()` walks the range backward, and `next` and `next_back` may be mixed;
/// they meet in the middle without yielding an entry twice.
///
/// Errors are items, never hidden: a failure to make the iterator (say, an
/// over-long bound) or to read (say, a corrupt block) is yielded as `Err`,
/// after which the iterator ends. Each item copies its key and value into new
/// `Vec`s; use a [`Cursor`] to read them in place.
///
/// Walking forward, it reads ahead: one `kv_iter_next_batch` call fetches
/// the next entries (8 at first, then 4 times as many per call up to 256, or
/// 256 KiB), so a scan crosses into the library once per batch. The state it
/// reads is fixed, so reading ahead changes no result.
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("strata-doc-iter-{}", std::process::id()));
/// # let _ = strata::destroy(&dir);
/// let db = strata::Db::open(&dir, strata::Options::new())?;
/// for (k, v) in [("a", "1"), ("b", "2"), ("c", "3"), ("d", "4")] {
///     db.put(k, v)?;
/// }
/// let keys: Vec<Vec<u8>> = db.range(b"b"..).map(|e| e.map(|(k, _)| k)).collect::<Result<_, _>>()?;
/// assert_eq!(keys, [b"b", b"c", b"d"]);
///
/// let mut both_ends = db.iter();
/// assert_eq!(both_ends.next().unwrap()?.0, b"a");
/// assert_eq!(both_ends.next_back().unwrap()?.0, b"d");
/// assert_eq!(both_ends.next_back().unwrap()?.0, b"c");
/// assert_eq!(both_ends.next().unwrap()?.0, b"b");
/// assert!(both_ends.next().is_none());
/// # drop(both_ends);
/// # drop(db);
/// # strata::destroy(&dir)?;
/// # Ok::<(), strata::Error>(())
/// ```
///
/// Thread safety: `Send`, not `Sync` (see [`Cursor`]). It borrows the `Db` or
/// `Snapshot` that made it, so it cannot outlive it.
pub struct Iter<'a> {
    /// `None` once the iterator has ended or failed to be made.
    cursor: Option<Cursor<'a>>,
    /// The error that making the cursor failed with, yielded first.
    failed_to_open: Option<Error>,
    /// Which end the cursor's current position was yielded to.
    cursor_side: Side,
    /// The key last yielded from the front, recorded when the cursor turns
    /// to serve the back (the back must stop before it).
    front_mark: Option<Vec<u8>>,
    /// The key last yielded from the back, recorded when the cursor turns to
    /// serve the front.
    back_mark: Option<Vec<u8>>,
    /// The front's last batch, while the cursor has not moved since: the
    /// entries not yet yielded, and the last one yielded (which a turn to the
    /// back needs). Dropped before any other move of the cursor.
    ahead: Option<Ahead>,
    /// Entries the next batch asks for: few at first, so that taking a few
    /// items reads little, then more.
    batch_entries: usize,
    /// Batches fetched (for tests).
    batches: usize,
}

/// A batch being yielded from: entry `next` starts `offset` bytes into it,
/// and the entry before it (the last yielded) `last_offset` bytes.
struct Ahead {
    batch: RawBatch,
    next: usize,
    offset: usize,
    last_offset: usize,
}

const FIRST_BATCH_ENTRIES: usize = 8;
const MAX_BATCH_ENTRIES: usize = 256;
const MAX_BATCH_BYTES: usize = 256 << 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    /// Nothing yielded yet: the cursor is before the first entry.
    Neither,
    Front,
    Back,
}

impl<'a> Iter<'a> {
    pub(crate) fn new(cursor: Result<Cursor<'a>>) -> Iter<'a> {
        let (cursor, failed_to_open) = match cursor {
            Ok(c) => (Some(c), None),
            Err(e) => (None, Some(e)),
        };
        Iter {
            cursor,
            failed_to_open,
            cursor_side: Side::Neither,
            front_mark: None,
            back_mark: None,
            ahead: None,
            batch_entries: FIRST_BATCH_ENTRIES,
            batches: 0,
        }
    }

    /// Batches fetched so far.
    #[cfg(test)]
    pub(crate) fn batches(&self) -> usize {
        self.batches
    }

    /// The next entry from the front while the cursor serves the front (or
    /// nothing yet): from the last batch, fetching the next batch first when
    /// that one is used up.
    fn advance_front(&mut self) -> Option<Result<(Vec<u8>, Vec<u8>)>> {
        let cursor = self.cursor.as_mut()?;
        if self.ahead.as_ref().is_none_or(|a| a.next == a.batch.len()) {
            self.ahead = None;
            match cursor.next_batch(self.batch_entries, MAX_BATCH_BYTES) {
                Err(e) => {
                    self.cursor = None;
                    return Some(Err(e));
                }
                Ok(None) => {
                    self.cursor = None;
                    return None;
                }
                Ok(Some(batch)) => {
                    self.ahead = Some(Ahead { batch, next: 0, offset: 0, last_offset: 0 });
                    self.batches += 1;
                    self.batch_entries = (self.batch_entries * 4).min(MAX_BATCH_ENTRIES);
                }
            }
        }
        let a = self.ahead.as_mut()?;
        // SAFETY: the cursor has not been called since the batch was fetched
        // (every other move drops `ahead` first), a.next < len, and a.offset
        // is the sum of the lengths before it.
        let (key, value) = unsafe { a.batch.entry(a.next, a.offset) };
        if self.back_mark.as_deref().is_some_and(|l| key >= l) {
            self.cursor = None;
            self.ahead = None;
            return None;
        }
        let item = (key.to_vec(), value.to_vec());
        a.last_offset = a.offset;
        a.offset += key.len() + value.len();
        a.next += 1;
        self.cursor_side = Side::Front;
        Some(Ok(item))
    }

    /// Moves the cursor one step toward the middle from `side` and yields
    /// what it found. One C iterator serves both ends: moving on from the same
    /// end is one step; turning around first records where the cursor is (the
    /// other end's mark) and seeks back to this end's position.
    fn advance(&mut self, side: Side) -> Option<Result<(Vec<u8>, Vec<u8>)>> {
        if let Some(e) = self.failed_to_open.take() {
            return Some(Err(e));
        }
        let forward = side == Side::Front;
        if forward && self.cursor_side != Side::Back {
            return self.advance_front();
        }
        // The last key the front yielded, read before the cursor moves: from
        // the front's batch, or where the cursor is (a turn's seek).
        let front_last = self.ahead.take().map(|a| {
            // SAFETY: as in advance_front; a.next >= 1 once a batch is kept,
            // and last_offset is where entry a.next - 1 starts.
            unsafe { a.batch.entry(a.next - 1, a.last_offset) }.0.to_vec()
        });
        let cursor = self.cursor.as_mut()?;
        let moved = if self.cursor_side == Side::Neither {
            // A new cursor is before the first entry: `next` reaches the
            // first, but the back end must jump to the last.
            if forward {
                cursor.next()
            } else {
                cursor.last()
            }
        } else if self.cursor_side == side {
            if forward {
                cursor.next()
            } else {
                cursor.prev()
            }
        } else {
            // Turning around: the cursor is at the entry the other end yielded
            // last, or (the front's batch) that entry was read from the batch.
            let here = front_last.or_else(|| cursor.key().map(<[u8]>::to_vec));
            let (other_mark, own_mark) = if forward {
                (&mut self.back_mark, &self.front_mark)
            } else {
                (&mut self.front_mark, &self.back_mark)
            };
            *other_mark = here;
            match (own_mark, forward) {
                (None, true) => cursor.first(),
                (None, false) => cursor.last(),
                (Some(mark), true) => seek_past(cursor, mark, true),
                (Some(mark), false) => seek_past(cursor, mark, false),
            }
        };
        match moved {
            Err(e) => {
                self.cursor = None;
                Some(Err(e))
            }
            Ok(false) => {
                self.cursor = None;
                None
            }
            Ok(true) => {
                let (key, value) = cursor.entry()?;
                let limit = if forward { &self.back_mark } else { &self.front_mark };
                let crossed = limit.as_deref().is_some_and(|l| if forward { key >= l } else { key <= l });
                if crossed {
                    self.cursor = None;
                    return None;
                }
                let item = (key.to_vec(), value.to_vec());
                self.cursor_side = side;
                Some(Ok(item))
            }
        }
    }
}

/// Puts the cursor on the entry just after (`forward`) or just before `mark`,
/// a key this cursor yielded earlier.
fn seek_past(cursor: &mut Cursor<'_>, mark: &[u8], forward: bool) -> Result<bool> {
    let found = if forward { cursor.seek(mark)? } else { cursor.seek_for_prev(mark)? };
    // The cursor reads one fixed state, so `mark` is still there; the check
    // only guards against stepping over an entry if it were not.
    if found && cursor.key() == Some(mark) {
        if forward {
            cursor.next()
        } else {
            cursor.prev()
        }
    } else {
        Ok(found)
    }
}

impl Iterator for Iter<'_> {
    type Item = Result<(Vec<u8>, Vec<u8>)>;

    fn next(&mut self) -> Option<Self::Item> {
        self.advance(Side::Front)
    }
}

impl DoubleEndedIterator for Iter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.advance(Side::Back)
    }
}

impl FusedIterator for Iter<'_> {}

impl fmt::Debug for Iter<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Iter")
            .field("ended", &(self.cursor.is_none() && self.failed_to_open.is_none()))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use crate::{destroy, Db, Options};

    fn temp_db(name: &str) -> (std::path::PathBuf, Db) {
        let dir = std::env::temp_dir().join(format!("strata-iter-{name}-{}", std::process::id()));
        let _ = destroy(&dir);
        let db = Db::open(&dir, Options::new()).unwrap();
        (dir, db)
    }

    fn key(i: usize) -> Vec<u8> {
        format!("k{i:05}").into_bytes()
    }

    // A forward walk crosses into C once per batch: 1000 entries in batches
    // of 8, 32, 128, then 256 entries, that is 7 batches, and the same
    // entries a cursor gives one step at a time.
    #[test]
    fn forward_walks_fetch_batches() {
        let (dir, db) = temp_db("batches");
        for i in 0..1000 {
            db.put(key(i), vec![b'v'; i % 30]).unwrap();
        }
        let mut it = db.iter();
        let mut got = Vec::new();
        for item in it.by_ref() {
            got.push(item.unwrap());
        }
        assert_eq!(it.batches(), 7);
        let mut stepped = Vec::new();
        let mut cursor = db.cursor(..).unwrap();
        while cursor.next().unwrap() {
            let (k, v) = cursor.entry().unwrap();
            stepped.push((k.to_vec(), v.to_vec()));
        }
        assert_eq!(got, stepped);
        assert_eq!(got.len(), 1000);
        drop(it);
        drop(cursor);
        drop(db);
        destroy(&dir).unwrap();
    }

    // Turning from the front to the back in the middle of a batch: the back
    // stops just after the last entry the front yielded, and a turn back to
    // the front resumes just after it; no entry is yielded twice or skipped.
    #[test]
    fn turning_around_in_a_batch_yields_each_entry_once() {
        let (dir, db) = temp_db("turns");
        for i in 0..300 {
            db.put(key(i), b"v").unwrap();
        }
        let mut it = db.iter();
        let mut front = Vec::new();
        let mut back = Vec::new();
        for _ in 0..5 {
            front.push(it.next().unwrap().unwrap().0); // inside the first batch of 8
        }
        for _ in 0..3 {
            back.push(it.next_back().unwrap().unwrap().0);
        }
        for _ in 0..100 {
            front.push(it.next().unwrap().unwrap().0);
        }
        while let Some(item) = it.next_back() {
            back.push(item.unwrap().0);
        }
        assert!(it.next().is_none());
        back.reverse();
        front.extend(back);
        assert_eq!(front, (0..300).map(key).collect::<Vec<_>>());
        drop(it);
        drop(db);
        destroy(&dir).unwrap();
    }
}
