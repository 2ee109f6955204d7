"""DB: opening, options, single-key calls, the mapping protocol, with."""

import array
import os

import pytest

import strata


def test_put_get_delete(db):
    db.put(b"k", b"v")
    assert db.get(b"k") == b"v"
    db.put(b"k", b"v2")
    assert db.get(b"k") == b"v2"
    db.delete(b"k")
    assert db.get(b"k") is None
    db.delete(b"never-there")  # deleting an absent key is fine


def test_get_default_and_empty_value(db):
    assert db.get(b"absent", b"dflt") == b"dflt"
    sentinel = object()
    assert db.get(b"absent", sentinel) is sentinel
    db.put(b"empty", b"")
    assert db.get(b"empty", b"dflt") == b""  # empty is a value, not absence
    assert b"empty" in db


def test_values_of_every_size(db):
    # Up to the per-thread buffer's size a value is copied in C; beyond it,
    # the buffer grows and the get reads again: both sides of that line. multi_get
    # pickles values with a 1-byte length below 256 bytes, a 4-byte one above.
    sizes = (0, 1, 255, 256, 16 * 1024 - 1, 16 * 1024, 16 * 1024 + 1, 1 << 20)
    values = {}
    for size in sizes:
        value = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
        values[b"v%d" % size] = value
        db.put(b"v%d" % size, value)
        assert db.get(b"v%d" % size) == value
        assert b"v%d" % size in db
        with db.snapshot() as snap:
            assert snap.get(b"v%d" % size) == value
            assert b"v%d" % size in snap
    probes = [b"absent"] + list(values) + [b"absent too"] + list(values)[::-1]
    assert db.multi_get(probes) == [values.get(k) for k in probes]


def test_get_grows_its_buffer_and_reads_again(db):
    # kv_get_into copies nothing when the value does not fit: the get grows
    # the thread's buffer (kept up to 1 MiB) and reads again, also when the
    # value grew between two gets, and a value beyond 1 MiB gets a buffer of
    # its own while the thread's stays as it was.
    from strata._convert import ValueOut, values_out
    for size in (20_000, 70_000, 300_000, (1 << 20) + 1, 3 << 20, 5):
        value = bytes([size % 251]) * size
        db.put(b"k", value)
        assert db.get(b"k") == value
        with db.snapshot() as snap:
            assert snap.get(b"k") == value
        assert values_out.out.cap <= ValueOut.KEPT_MAX
    assert values_out.out.cap >= 300_000


def test_binary_keys_and_values(db):
    key, value = b"\x00\xff\x00\x01", bytes(range(256)) * 3
    db.put(key, value)
    assert db.get(key) == value
    db.put(b"", b"empty key")  # the empty key is a key
    assert db.get(b"") == b"empty key"
    assert db.get(b"\x00") is None


def test_results_are_bytes(db):
    db.put(bytearray(b"k"), memoryview(b"v"))
    value = db.get(b"k")
    assert type(value) is bytes and value == b"v"


@pytest.mark.parametrize("make", [bytes, bytearray, lambda b: memoryview(bytes(b)),
                                  lambda b: array.array("B", b)])
def test_any_bytes_like_is_accepted(db, make):
    db.put(make(b"key"), make(b"value"))
    assert db.get(make(b"key")) == b"value"
    assert make(b"key") in db
    assert db.multi_get([make(b"key")]) == [b"value"]
    db.delete(make(b"key"))
    assert db.get(b"key") is None


def test_wide_buffers_count_bytes(db):
    words = array.array("I", [1, 2])  # 8 bytes, 2 items
    db.put(b"w", words)
    assert db.get(b"w") == words.tobytes()


def test_bytes_subclass(db):
    class MyBytes(bytes):
        pass

    db.put(MyBytes(b"k"), MyBytes(b"v"))
    assert db.get(MyBytes(b"k")) == b"v"


def test_mapping_protocol(db):
    db[b"a"] = b"1"
    assert db[b"a"] == b"1"
    assert b"a" in db and b"b" not in db
    with pytest.raises(KeyError) as info:
        db[b"b"]
    assert info.value.args == (b"b",)
    del db[b"a"]
    assert b"a" not in db
    del db[b"a"]  # a blind delete: no KeyError (documented)
    db[b"x"] = b"1"
    db[b"y"] = b"2"
    assert list(db) == [b"x", b"y"]


def test_sync_writes(db_path):
    with strata.open(db_path) as db:
        db.put(b"a", b"1", sync=True)
        db.put(b"b", b"2", True)
        db.delete(b"a", sync=True)
    with strata.open(db_path) as db:
        assert db.get(b"a") is None and db.get(b"b") == b"2"


def test_reopen_keeps_data(db_path):
    with strata.open(db_path) as db:
        for i in range(100):
            db.put(b"key%03d" % i, b"value%03d" % i)
    with strata.DB(db_path) as db:
        assert [db.get(b"key%03d" % i) for i in range(100)] == [
            b"value%03d" % i for i in range(100)]


def test_open_accepts_pathlike_str_and_bytes(tmp_path):
    for path in (tmp_path / "p1", str(tmp_path / "p2"), os.fsencode(tmp_path / "p3")):
        with strata.open(path) as db:
            db.put(b"k", b"v")
            assert db.path == os.fsdecode(path)


def test_every_contract_option_by_name(tmp_path):
    options = dict(create_if_missing=True, error_if_exists=True, sync=False,
                   memtable_bytes="1M", memtable="rbtree", block_cache_bytes=1 << 20,
                   bloom_bits_per_key=12, block_bytes="8K", compression="lz4",
                   background_threads=1)
    assert set(options) == set(strata.CONTRACT_OPTIONS)
    with strata.open(tmp_path / "db", **options) as db:
        db.put(b"k", b"v")
        assert db.options == {
            "create_if_missing": "true", "error_if_exists": "true", "sync": "false",
            "memtable_bytes": "1048576", "memtable": "rbtree", "block_cache_bytes": "1048576",
            "bloom_bits_per_key": "12", "block_bytes": "8192", "compression": "lz4",
            "background_threads": "1"}
        db.flush()
    with strata.open(tmp_path / "db", compression="zstd", memtable="avl") as db:
        assert db.get(b"k") == b"v"


def test_tuning_options_pass_through(tmp_path):
    with strata.open(tmp_path / "db", l0_compaction_trigger=2, verify_checksums=False) as db:
        assert db.options["l0_compaction_trigger"] == "2"
        assert db.options["verify_checksums"] == "false"


def test_mapped_reads_by_name(tmp_path):
    # auto (the default) maps tables that fit its bound; false maps none.
    with strata.open(tmp_path / "db") as db:
        for i in range(100):
            db.put(b"k%05d" % i, b"v" * 100)
        db.flush()
        assert db.get(b"k00042") == b"v" * 100
        assert int(db.property("mapped-table-bytes")) == int(db.property("total-table-bytes")) > 0
    with strata.open(tmp_path / "db", mmap_reads=False, mmap_reads_max_bytes="1G") as db:
        assert db.options["mmap_reads"] == "false"
        assert db.options["mmap_reads_max_bytes"] == str(1 << 30)
        assert db.get(b"k00042") == b"v" * 100
        assert db.property("mapped-table-bytes") == "0"


def test_wal_mmap_by_name(tmp_path):
    # The default copies records into a mapping of the log, which keeps a
    # reserved megabyte while it is open; wal_mmap=False writes only records.
    def log_bytes(path):
        return sum(f.stat().st_size for f in path.glob("*.log"))

    with strata.open(tmp_path / "mapped") as db:
        db.put(b"k", b"v")
        assert log_bytes(tmp_path / "mapped") == 1 << 20
    with strata.open(tmp_path / "written", wal_mmap=False) as db:
        assert db.options["wal_mmap"] == "false"
        db.put(b"k", b"v")
        assert 0 < log_bytes(tmp_path / "written") < 100
    with strata.open(tmp_path / "mapped") as db:
        assert db.get(b"k") == b"v"


def test_resolve_options():
    resolved = strata.resolve_options(memtable_bytes="2M")
    assert resolved["memtable_bytes"] == str(2 << 20)
    assert resolved["create_if_missing"] == "true"
    assert set(resolved) == set(strata.CONTRACT_OPTIONS)


def test_create_if_missing_false_and_error_if_exists(tmp_path):
    with pytest.raises(strata.Error):
        strata.open(tmp_path / "missing", create_if_missing=False)
    assert not (tmp_path / "missing").exists()
    strata.open(tmp_path / "db").close()
    with pytest.raises(strata.Error):
        strata.open(tmp_path / "db", error_if_exists=True)


def test_with_closes(db_path):
    with strata.open(db_path) as db:
        assert not db.closed
    assert db.closed
    with strata.open(db_path) as again:  # the LOCK was released
        assert again.get(b"x") is None


def test_with_closes_on_exception(db_path):
    with pytest.raises(RuntimeError):
        with strata.open(db_path) as db:
            db.put(b"k", b"v")
            raise RuntimeError("boom")
    assert db.closed
    with strata.open(db_path) as again:
        assert again.get(b"k") == b"v"


def test_close_twice_is_harmless(db_path):
    db = strata.open(db_path)
    db.close()
    db.close()
    assert db.closed
    assert "closed" in repr(db)


def test_second_open_is_busy(db_path):
    with strata.open(db_path):
        with pytest.raises(strata.BusyError) as info:
            strata.open(db_path)
        assert info.value.status == -4 and info.value.status_name == "KV_BUSY"
