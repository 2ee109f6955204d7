"""The three Python bindings under test behind one small interface, opened
with matched settings, so that bench_python.py times the same loops for each.

Each adapter exposes the binding's own calls (bound methods, iterators) and
the benchmark loops call them directly: what is timed is what a user of that
binding writes, not a wrapper of ours. Only setup (open, preload, compaction,
close) goes through adapter methods.

Settings, as they map (see SETTINGS for the text the page prints):
  strata    memtable_bytes=64M, block_cache_bytes=64M, bloom_bits_per_key=10,
            block_bytes=4096, compression=none, background_threads=2, sync=false
  plyvel    write_buffer_size=64 MiB, lru_cache_size=64 MiB (block cache),
            bloom_filter_bits=10, block_size=4096, compression=None; LevelDB has
            one background thread, fixed; writes not synced (plyvel's default)
  rocksdict raw_mode=True (bytes in and out, no pickling), write_buffer_size
            64 MiB, max_background_jobs=2, compression none, a block-based table
            with a 64 MiB LRU block cache, a 10-bit bloom filter (full filter)
            and block_size 4096; WriteOptions default (sync off, WAL on)

Not thread-safe; one adapter per process.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, List, Optional, Sequence, Tuple

MiB = 1 << 20

SETTINGS = {
    "strata": "memtable_bytes=64M, block_cache_bytes=64M, bloom_bits_per_key=10, "
              "block_bytes=4096, compression=none, background_threads=2, sync=false",
    "plyvel": "write_buffer_size=64 MiB, lru_cache_size=64 MiB, bloom_filter_bits=10, "
              "block_size=4096, compression=None (LevelDB: one background thread, fixed; "
              "the log is always on, writes not synced)",
    "rocksdict": "Options(raw_mode=True), write_buffer_size=64 MiB, max_background_jobs=2, "
                 "compression none, BlockBasedOptions: block cache Cache(64 MiB), "
                 "bloom filter 10 bits (full filter), block_size=4096; WAL on, sync off",
}

Pairs = Sequence[Tuple[bytes, bytes]]


class Engine:
    """What bench_python.py needs of a binding."""

    name = ""
    multi_get_note = ""  # how the binding's multi-get is done, for the page
    contains_note = ""  # how `key in db` is done, for the page
    db: Any

    # ---- setup, untimed ------------------------------------------------------
    def preload(self, pairs: Pairs, batch_size: int) -> None:
        for i in range(0, len(pairs), batch_size):
            self.write_batch(pairs[i:i + batch_size])

    def compact(self) -> None:
        """Every key into the tables, one sorted run, nothing pending."""
        raise NotImplementedError

    def close(self) -> None:
        self.db.close()

    # ---- the binding's own calls, for the timed loops --------------------------
    def get(self) -> Callable[[bytes], Optional[bytes]]:
        return self.db.get  # type: ignore[no-any-return]

    def put(self) -> Callable[[bytes, bytes], None]:
        return self.db.put  # type: ignore[no-any-return]

    def contains(self, keys: Iterable[bytes]) -> int:
        """How many of `keys` are present, with the binding's own test."""
        raise NotImplementedError

    def write_batch(self, chunk: Pairs) -> None:
        raise NotImplementedError

    def multi_get(self) -> Callable[[List[bytes]], List[Optional[bytes]]]:
        raise NotImplementedError

    def items(self, reverse: bool = False) -> Iterable[Any]:
        raise NotImplementedError

    def keys(self) -> Iterable[bytes]:
        raise NotImplementedError

    def values(self) -> Iterable[bytes]:
        raise NotImplementedError

    def version(self) -> str:
        raise NotImplementedError


class StrataEngine(Engine):
    name = "strata"
    multi_get_note = "db.multi_get(keys): kv_multi_get, one call into C"
    contains_note = "key in db"

    def __init__(self, path: str) -> None:
        import strata
        self.module = strata
        self.db = strata.open(path, memtable_bytes=64 * MiB, block_cache_bytes=64 * MiB,
                              bloom_bits_per_key=10, block_bytes=4096, compression="none",
                              background_threads=2, sync=False)

    def compact(self) -> None:
        self.db.flush()
        self.db.compact_range()
        self.db.wait_compactions()

    def contains(self, keys: Iterable[bytes]) -> int:
        db = self.db
        n = 0
        for k in keys:
            if k in db:
                n += 1
        return n

    def write_batch(self, chunk: Pairs) -> None:
        with self.db.write_batch() as batch:
            put = batch.put
            for k, v in chunk:
                put(k, v)

    def multi_get(self) -> Callable[[List[bytes]], List[Optional[bytes]]]:
        return self.db.multi_get  # type: ignore[no-any-return]

    def items(self, reverse: bool = False) -> Iterable[Any]:
        return self.db.items(reverse=reverse)  # type: ignore[no-any-return]

    def keys(self) -> Iterable[bytes]:
        return self.db.keys()  # type: ignore[no-any-return]

    def values(self) -> Iterable[bytes]:
        return self.db.values()  # type: ignore[no-any-return]

    def version(self) -> str:
        return f"strata {self.module.library_version()} (binding from this checkout)"


class PlyvelEngine(Engine):
    name = "plyvel"
    multi_get_note = "100 × db.get (plyvel has no multi-get)"
    contains_note = "db.get(key) is not None (plyvel.DB has no __contains__; `in` would scan)"

    def __init__(self, path: str) -> None:
        import plyvel
        self.module = plyvel
        self.db = plyvel.DB(path, create_if_missing=True, write_buffer_size=64 * MiB,
                            lru_cache_size=64 * MiB, bloom_filter_bits=10, block_size=4096,
                            compression=None)

    def compact(self) -> None:
        # LevelDB has no flush call: a full compact_range writes the memtable
        # out first, then compacts every level, and returns when done.
        self.db.compact_range()

    def contains(self, keys: Iterable[bytes]) -> int:
        get = self.db.get
        n = 0
        for k in keys:
            if get(k) is not None:
                n += 1
        return n

    def write_batch(self, chunk: Pairs) -> None:
        with self.db.write_batch() as batch:
            put = batch.put
            for k, v in chunk:
                put(k, v)

    def multi_get(self) -> Callable[[List[bytes]], List[Optional[bytes]]]:
        get = self.db.get

        def gets(keys: List[bytes]) -> List[Optional[bytes]]:
            return [get(k) for k in keys]
        return gets

    def items(self, reverse: bool = False) -> Iterable[Any]:
        return self.db.iterator(reverse=reverse)  # type: ignore[no-any-return]

    def keys(self) -> Iterable[bytes]:
        return self.db.iterator(include_value=False)  # type: ignore[no-any-return]

    def values(self) -> Iterable[bytes]:
        return self.db.iterator(include_key=False)  # type: ignore[no-any-return]

    def version(self) -> str:
        return (f"plyvel {self.module.__version__} "
                f"(LevelDB {self.module.__leveldb_version__}, from its PyPI wheel)")


class RocksdictEngine(Engine):
    name = "rocksdict"
    multi_get_note = "db.get(list of keys): RocksDB's MultiGet"
    contains_note = "key in db"

    def __init__(self, path: str) -> None:
        import rocksdict
        self.module = rocksdict
        o = rocksdict.Options(raw_mode=True)
        o.create_if_missing(True)
        o.set_write_buffer_size(64 * MiB)
        o.set_max_background_jobs(2)
        o.set_compression_type(rocksdict.DBCompressionType.none())
        table = rocksdict.BlockBasedOptions()
        table.set_block_cache(rocksdict.Cache(64 * MiB))
        table.set_bloom_filter(10, False)  # False: a full filter, not block-based
        table.set_block_size(4096)
        o.set_block_based_table_factory(table)
        self.db = rocksdict.Rdict(path, o)

    def compact(self) -> None:
        self.db.flush(True)
        self.db.compact_range(None, None)

    def contains(self, keys: Iterable[bytes]) -> int:
        db = self.db
        n = 0
        for k in keys:
            if k in db:
                n += 1
        return n

    def write_batch(self, chunk: Pairs) -> None:
        batch = self.module.WriteBatch(raw_mode=True)
        put = batch.put
        for k, v in chunk:
            put(k, v)
        self.db.write(batch)

    def multi_get(self) -> Callable[[List[bytes]], List[Optional[bytes]]]:
        return self.db.get  # type: ignore[no-any-return]

    def items(self, reverse: bool = False) -> Iterable[Any]:
        return self.db.items(backwards=reverse)  # type: ignore[no-any-return]

    def keys(self) -> Iterable[bytes]:
        return self.db.keys()  # type: ignore[no-any-return]

    def values(self) -> Iterable[bytes]:
        return self.db.values()  # type: ignore[no-any-return]

    def version(self) -> str:
        from importlib.metadata import version
        return f"rocksdict {version('rocksdict')} (RocksDB built in, from its PyPI wheel)"


ENGINES = {"strata": StrataEngine, "plyvel": PlyvelEngine, "rocksdict": RocksdictEngine}


def available(name: str) -> Optional[str]:
    """None when `name`'s binding imports, else why it does not."""
    try:
        __import__({"strata": "strata", "plyvel": "plyvel", "rocksdict": "rocksdict"}[name])
    except Exception as e:  # noqa: BLE001 (any failure to import means: not available)
        return f"{type(e).__name__}: {e}"
    return None
