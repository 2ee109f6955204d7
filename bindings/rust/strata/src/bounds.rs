//! Key ranges: the `KeyRange` trait that `Db::range` and friends take, and
//! its translation into the half-open `[start, end)` of the C ABI (a missing
//! bound is open).
//!
//! Keys order bytewise, shorter first on a tie, so the smallest key greater
//! than `k` is `k` followed by one 0 byte: `Excluded(k)` as a start and
//! `Included(k)` as an end both become that. A key already at
//! `KV_MAX_KEY_LEN` cannot grow; its successor among valid keys is found by
//! dropping trailing 0xFF bytes and incrementing the last byte left.

use std::borrow::Cow;
use std::ops::{Bound, Range, RangeFrom, RangeFull, RangeInclusive, RangeTo, RangeToInclusive};

use strata_sys::KV_MAX_KEY_LEN;

/// A range of keys: any of Rust's range expressions over keys that are
/// `AsRef<[u8]>` (byte strings, `&[u8]`, `Vec<u8>`, `&str`, ...), or a pair of
/// [`Bound`]s.
///
/// ```
/// use std::ops::Bound;
/// # let dir = std::env::temp_dir().join(format!("strata-doc-keyrange-{}", std::process::id()));
/// # let _ = strata::destroy(&dir);
/// # let db = strata::Db::open(&dir, strata::Options::new())?;
/// for k in ["a", "b", "c", "d"] {
///     db.put(k, b"")?;
/// }
/// let count = |iter: strata::Iter<'_>| iter.count();
/// assert_eq!(count(db.range(..)), 4);
/// assert_eq!(count(db.range(b"b"..b"d")), 2); // [b, d)
/// assert_eq!(count(db.range("b"..="d")), 3); // [b, d]
/// assert_eq!(count(db.range(b"c".to_vec()..)), 2);
/// let after_a: &[u8] = b"a";
/// assert_eq!(count(db.range((Bound::Excluded(after_a), Bound::Unbounded))), 3);
/// # drop(db);
/// # strata::destroy(&dir)?;
/// # Ok::<(), strata::Error>(())
/// ```
///
/// Byte-string literals of different lengths have different types
/// (`b"a"` is a `&[u8; 1]`, `b"user/01"` a `&[u8; 7]`), and a Rust range
/// holds one type at both ends, so `b"a"..b"user/01"` is not a range at all
/// until something says its ends are slices: no signature of `range` can
/// accept it while also accepting `..`, `a..` and the rest, because Rust
/// types the range expression before it looks at what the method accepts
/// (`BTreeMap::range` refuses it the same way). Make one end a slice and the
/// other follows; `&str` keys have one type whatever their length:
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("strata-doc-keylen-{}", std::process::id()));
/// # let _ = strata::destroy(&dir);
/// # let db = strata::Db::open(&dir, strata::Options::new())?;
/// for k in ["a", "user/00", "user/01", "user/02"] {
///     db.put(k, b"")?;
/// }
/// assert_eq!(db.range(b"a".as_slice()..b"user/01").count(), 2);
/// assert_eq!(db.range("a".."user/01").count(), 2);
/// # drop(db);
/// # strata::destroy(&dir)?;
/// # Ok::<(), strata::Error>(())
/// ```
///
/// Both literals as they stand fail with E0308 (mismatched types), in Rust
/// itself rather than in this crate:
///
/// ```compile_fail,E0308
/// # let db = strata::Db::open("/tmp/never-opened", strata::Options::new()).unwrap();
/// let _ = db.range(b"a"..b"user/01");
/// ```
///
/// (Why not `std::ops::RangeBounds<[u8]>`: std implements it for `a..b` only
/// over sized key types, so `a..b` over byte slices would not be accepted, and
/// `RangeBounds<K>` with a generic `K` leaves `..` and `b"a"..b"b"` ambiguous.
/// `KeyRange` accepts every form `RangeBounds<[u8]>` accepts, and these.)
pub trait KeyRange {
    /// The start and end bounds, borrowed as byte slices.
    fn key_bounds(&self) -> (Bound<&[u8]>, Bound<&[u8]>);
}

fn as_bytes<K: AsRef<[u8]> + ?Sized>(bound: Bound<&K>) -> Bound<&[u8]> {
    match bound {
        Bound::Included(k) => Bound::Included(k.as_ref()),
        Bound::Excluded(k) => Bound::Excluded(k.as_ref()),
        Bound::Unbounded => Bound::Unbounded,
    }
}

impl KeyRange for RangeFull {
    fn key_bounds(&self) -> (Bound<&[u8]>, Bound<&[u8]>) {
        (Bound::Unbounded, Bound::Unbounded)
    }
}

impl<K: AsRef<[u8]>> KeyRange for Range<K> {
    fn key_bounds(&self) -> (Bound<&[u8]>, Bound<&[u8]>) {
        (Bound::Included(self.start.as_ref()), Bound::Excluded(self.end.as_ref()))
    }
}

impl<K: AsRef<[u8]>> KeyRange for RangeInclusive<K> {
    fn key_bounds(&self) -> (Bound<&[u8]>, Bound<&[u8]>) {
        (Bound::Included(self.start().as_ref()), Bound::Included(self.end().as_ref()))
    }
}

impl<K: AsRef<[u8]>> KeyRange for RangeFrom<K> {
    fn key_bounds(&self) -> (Bound<&[u8]>, Bound<&[u8]>) {
        (Bound::Included(self.start.as_ref()), Bound::Unbounded)
    }
}

impl<K: AsRef<[u8]>> KeyRange for RangeTo<K> {
    fn key_bounds(&self) -> (Bound<&[u8]>, Bound<&[u8]>) {
        (Bound::Unbounded, Bound::Excluded(self.end.as_ref()))
    }
}

impl<K: AsRef<[u8]>> KeyRange for RangeToInclusive<K> {
    fn key_bounds(&self) -> (Bound<&[u8]>, Bound<&[u8]>) {
        (Bound::Unbounded, Bound::Included(self.end.as_ref()))
    }
}

impl<K: AsRef<[u8]>> KeyRange for (Bound<K>, Bound<K>) {
    fn key_bounds(&self) -> (Bound<&[u8]>, Bound<&[u8]>) {
        (as_bytes(self.0.as_ref()), as_bytes(self.1.as_ref()))
    }
}

impl<R: KeyRange + ?Sized> KeyRange for &R {
    fn key_bounds(&self) -> (Bound<&[u8]>, Bound<&[u8]>) {
        (**self).key_bounds()
    }
}

/// `[start, end)` for the C ABI; `None` is an open end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CRange<'a> {
    pub start: Option<Cow<'a, [u8]>>,
    pub end: Option<Cow<'a, [u8]>>,
}

impl<'a> CRange<'a> {
    pub(crate) fn from_bounds<R: KeyRange + ?Sized>(range: &'a R) -> CRange<'a> {
        let (start_bound, end_bound) = range.key_bounds();
        let start = match start_bound {
            Bound::Unbounded => None,
            Bound::Included(k) => Some(Cow::Borrowed(k)),
            Bound::Excluded(k) => match successor(k) {
                Some(next) => Some(Cow::Owned(next)),
                // Nothing is greater than k: an empty range.
                None => return CRange::empty(),
            },
        };
        let end = match end_bound {
            Bound::Unbounded => None,
            Bound::Excluded(k) => Some(Cow::Borrowed(k)),
            // None: nothing is greater than k, so "up to and including k" is open.
            Bound::Included(k) => successor(k).map(Cow::Owned),
        };
        CRange { start, end }
    }

    /// `[b"", b"")`: holds no key.
    fn empty() -> CRange<'a> {
        CRange { start: Some(Cow::Borrowed(&[])), end: Some(Cow::Borrowed(&[])) }
    }

    pub(crate) fn start(&self) -> Option<&[u8]> {
        self.start.as_deref()
    }

    pub(crate) fn end(&self) -> Option<&[u8]> {
        self.end.as_deref()
    }
}

/// The smallest valid key greater than `key`, or `None` if there is none.
/// An over-long key is extended anyway, so that the library rejects it with
/// its own message.
fn successor(key: &[u8]) -> Option<Vec<u8>> {
    if key.len() != KV_MAX_KEY_LEN {
        let mut next = Vec::with_capacity(key.len() + 1);
        next.extend_from_slice(key);
        next.push(0);
        return Some(next);
    }
    let keep = key.iter().rposition(|&b| b != 0xFF)?;
    let mut next = key[..=keep].to_vec();
    next[keep] += 1;
    Some(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c_range<R: KeyRange>(r: R) -> (Option<Vec<u8>>, Option<Vec<u8>>) {
        let c = CRange::from_bounds(&r);
        (c.start().map(<[u8]>::to_vec), c.end().map(<[u8]>::to_vec))
    }

    #[test]
    fn ordinary_bounds() {
        let (a, c): (&[u8], &[u8]) = (b"a", b"c");
        assert_eq!(c_range(..), (None, None));
        assert_eq!(c_range(a..c), (Some(b"a".to_vec()), Some(b"c".to_vec())));
        assert_eq!(c_range(a..=c), (Some(b"a".to_vec()), Some(b"c\0".to_vec())));
        assert_eq!(c_range(..c), (None, Some(b"c".to_vec())));
        assert_eq!(c_range(a..), (Some(b"a".to_vec()), None));
        assert_eq!(
            c_range((Bound::Excluded(a), Bound::Excluded(c))),
            (Some(b"a\0".to_vec()), Some(b"c".to_vec()))
        );
        assert_eq!(c_range(b""..b""), (Some(vec![]), Some(vec![])));
        assert_eq!(c_range("a".."c"), (Some(b"a".to_vec()), Some(b"c".to_vec())));
        assert_eq!(c_range(b"a".to_vec()..=b"c".to_vec()), (Some(b"a".to_vec()), Some(b"c\0".to_vec())));
    }

    #[test]
    fn longest_keys_have_a_successor_without_growing() {
        let mut key = vec![b'x'; KV_MAX_KEY_LEN];
        *key.last_mut().unwrap() = 0xFF;
        let next = successor(&key).unwrap();
        assert_eq!(next.len(), KV_MAX_KEY_LEN - 1);
        assert_eq!(next.last(), Some(&b'y'));
        assert!(next.as_slice() > key.as_slice());

        let all_ff = vec![0xFF; KV_MAX_KEY_LEN];
        assert_eq!(successor(&all_ff), None);
        let (start, end) = c_range((Bound::Excluded(all_ff.as_slice()), Bound::Unbounded));
        assert_eq!((start, end), (Some(vec![]), Some(vec![])));
        assert_eq!(c_range(..=all_ff.as_slice()), (None, None));
    }
}
