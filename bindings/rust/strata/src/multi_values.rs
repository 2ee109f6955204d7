//! `MultiValues`: the values of one `kv_multi_get` call, read in place from
//! the single buffer the library filled.

use std::fmt;
use std::ops::Range;

use crate::value::Value;

/// The values of one [`Db::multi_get_values`](crate::Db::multi_get_values)
/// (or [`Snapshot::multi_get_values`](crate::Snapshot::multi_get_values))
/// call, one per key in the order the keys were given: a value, or `None`
/// for an absent key.
///
/// `kv_multi_get` returns every value found in one buffer, back to back;
/// this type owns that buffer (freed with `kv_free` on drop) and hands out
/// slices of it, so a call costs one allocation for all its values, where
/// [`Db::multi_get`](crate::Db::multi_get) copies each value into its own
/// `Vec`.
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("strata-doc-multivalues-{}", std::process::id()));
/// # let _ = strata::destroy(&dir);
/// # let db = strata::Db::open(&dir, strata::Options::new())?;
/// db.put(b"a", b"1")?;
/// db.put(b"c", b"")?;
/// let values = db.multi_get_values(&[&b"a"[..], b"b", b"c"])?;
/// assert_eq!(values.len(), 3);
/// assert_eq!(values.value(0), Some(&b"1"[..]));
/// assert_eq!(values.value(1), None); // absent
/// assert_eq!(values.value(2), Some(&b""[..])); // an empty value is a value
/// let lengths: Vec<Option<usize>> = values.iter().map(|v| v.map(<[u8]>::len)).collect();
/// assert_eq!(lengths, [Some(1), None, Some(0)]);
/// # drop(values);
/// # drop(db);
/// # strata::destroy(&dir)?;
/// # Ok::<(), strata::Error>(())
/// ```
///
/// Thread safety: plain memory once made; `Send` and `Sync`.
pub struct MultiValues {
    /// Every value found, back to back; `None` when nothing was found.
    buffer: Option<Value>,
    /// Where the value of key i lies in `buffer`; `None` for an absent key.
    spans: Vec<Option<Range<usize>>>,
}

impl MultiValues {
    /// Wraps the buffer of one `kv_multi_get` call and the place of each
    /// key's value in it.
    pub(crate) fn new(buffer: Option<Value>, spans: Vec<Option<Range<usize>>>) -> MultiValues {
        let found = buffer.as_deref().map_or(0, <[u8]>::len);
        debug_assert!(spans.iter().flatten().all(|span| span.end <= found));
        MultiValues { buffer, spans }
    }

    /// The number of keys asked for.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// Whether no key was asked for.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// The value of key `i` (counting in the order the keys were given), or
    /// `None` if that key is absent.
    ///
    /// # Panics
    /// When `i >= self.len()`, like slice indexing.
    pub fn value(&self, i: usize) -> Option<&[u8]> {
        self.slice(self.spans[i].clone())
    }

    /// The values in key order: a slice per found key, `None` per absent one.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = Option<&[u8]>> + DoubleEndedIterator + '_ {
        self.spans.iter().map(|span| self.slice(span.clone()))
    }

    /// Each value copied into its own `Vec` (what `multi_get` returns).
    pub fn to_vecs(&self) -> Vec<Option<Vec<u8>>> {
        self.iter().map(|v| v.map(<[u8]>::to_vec)).collect()
    }

    fn slice(&self, span: Option<Range<usize>>) -> Option<&[u8]> {
        // A found value always lies in the buffer: it is non-NULL whenever
        // any key was found (kv.h), so `unwrap_or` only meets absent keys.
        span.map(|span| &self.buffer.as_deref().unwrap_or(&[])[span])
    }
}

impl fmt::Debug for MultiValues {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}
