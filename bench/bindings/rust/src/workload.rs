//! The data every engine is given: random 16-byte keys with 100-byte values,
//! the order in which reads visit them, and keys that are never written.
//!
//! Everything comes from fixed seeds, so every engine in every round writes
//! and reads exactly the same bytes in the same order.

/// Bytes per key.
pub const KEY_BYTES: usize = 16;
/// Bytes per value.
pub const VALUE_BYTES: usize = 100;

/// Values are 100-byte windows into this many random bytes: incompressible
/// (not that it matters, as no engine compresses here) without holding
/// 100 bytes per key in memory.
const VALUE_POOL_BYTES: usize = 64 * 1024;

/// SplitMix64: a small, fast, well-mixed generator. Good enough for picking
/// keys; the benchmark needs reproducibility, not cryptographic quality.
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> SplitMix64 {
        SplitMix64(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A uniform index below `bound` (the tiny modulo bias is irrelevant here).
    pub fn below(&mut self, bound: usize) -> usize {
        (self.next_u64() % bound as u64) as usize
    }

    fn key(&mut self) -> [u8; KEY_BYTES] {
        let mut key = [0u8; KEY_BYTES];
        key[..8].copy_from_slice(&self.next_u64().to_le_bytes());
        key[8..].copy_from_slice(&self.next_u64().to_le_bytes());
        key
    }
}

/// The keys, values and access orders of one benchmark run.
pub struct Workload {
    /// The keys, in the (random) order they are written.
    keys: Vec<[u8; KEY_BYTES]>,
    value_pool: Vec<u8>,
    /// Indices into `keys` for point reads: uniform, with repeats.
    read_order: Vec<u32>,
    /// Random keys that are never written (a 2^-128 chance per pair of
    /// colliding with a written key).
    missing: Vec<[u8; KEY_BYTES]>,
}

impl Workload {
    /// `items` keys to write, `reads` existing keys to read and `missing_reads`
    /// absent keys to look up.
    pub fn new(items: usize, reads: usize, missing_reads: usize) -> Workload {
        assert!(items > 0 && items <= u32::MAX as usize, "items must be in 1..=2^32-1");
        let mut keys_rng = SplitMix64::new(0x5354_5241_5441_0001);
        let keys = (0..items).map(|_| keys_rng.key()).collect();
        let mut pool_rng = SplitMix64::new(0x5354_5241_5441_0002);
        let value_pool = (0..VALUE_POOL_BYTES + VALUE_BYTES).map(|_| pool_rng.next_u64() as u8).collect();
        let mut read_rng = SplitMix64::new(0x5354_5241_5441_0003);
        let read_order = (0..reads).map(|_| read_rng.below(items) as u32).collect();
        let mut missing_rng = SplitMix64::new(0x5354_5241_5441_0004);
        let missing = (0..missing_reads).map(|_| missing_rng.key()).collect();
        Workload { keys, value_pool, read_order, missing }
    }

    /// The number of keys written.
    pub fn items(&self) -> usize {
        self.keys.len()
    }

    /// Key number `i` in write order.
    pub fn key(&self, i: usize) -> &[u8] {
        &self.keys[i]
    }

    /// The value written with key `i`.
    pub fn value(&self, i: usize) -> &[u8] {
        // A stride coprime with nothing in particular: neighbouring keys get
        // different windows.
        let start = (i.wrapping_mul(61)) % VALUE_POOL_BYTES;
        &self.value_pool[start..start + VALUE_BYTES]
    }

    /// The number of point reads of existing keys.
    pub fn reads(&self) -> usize {
        self.read_order.len()
    }

    /// The key of point read number `r` (an existing key).
    pub fn read_key(&self, r: usize) -> &[u8] {
        &self.keys[self.read_order[r] as usize]
    }

    /// The number of point reads of absent keys.
    pub fn missing_reads(&self) -> usize {
        self.missing.len()
    }

    /// Absent key number `r`.
    pub fn missing_key(&self, r: usize) -> &[u8] {
        &self.missing[r]
    }
}
