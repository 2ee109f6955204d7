//! `Iter`: a range of entries as a Rust iterator, from either end.

use std::fmt;
use std::iter::FusedIterator;

use crate::cursor::Cursor;
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
}

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
        Iter { cursor, failed_to_open, cursor_side: Side::Neither, front_mark: None, back_mark: None }
    }

    /// Moves the cursor one step toward the middle from `side` and yields
    /// what it found. One C iterator serves both ends: moving on from the same
    /// end is one step; turning around first records where the cursor is (the
    /// other end's mark) and seeks back to this end's position.
    fn advance(&mut self, side: Side) -> Option<Result<(Vec<u8>, Vec<u8>)>> {
        if let Some(e) = self.failed_to_open.take() {
            return Some(Err(e));
        }
        let cursor = self.cursor.as_mut()?;
        let forward = side == Side::Front;
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
            // Turning around: the cursor is at the entry the other end yielded last.
            let here = cursor.key().map(<[u8]>::to_vec);
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
