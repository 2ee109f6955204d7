"""Bad input gives a clear exception, never a crash: wrong types, str,
None, over-long keys, unknown options, closed handles. And the exception
classes themselves."""

import pickle

import pytest

import strata


@pytest.mark.parametrize("bad", ["text", None, 12, 1.5, [b"a"], object()])
def test_bad_keys_are_type_errors(db, bad):
    with pytest.raises(TypeError):
        db.put(bad, b"v")
    with pytest.raises(TypeError):
        db.get(bad)
    with pytest.raises(TypeError):
        db.delete(bad)
    with pytest.raises(TypeError):
        bad in db  # noqa: B015
    with pytest.raises(TypeError):
        db.multi_get([b"ok", bad])
    with pytest.raises(TypeError):
        with db.write_batch() as batch:
            batch.put(bad, b"v")


@pytest.mark.parametrize("bad", ["text", None, 3])
def test_bad_values_are_type_errors(db, bad):
    with pytest.raises(TypeError):
        db.put(b"k", bad)
    with db.write_batch() as batch:
        with pytest.raises(TypeError):
            batch.put(b"k", bad)
    assert db.get(b"k") is None


def test_str_message_says_to_encode(db):
    with pytest.raises(TypeError, match=r"not str; encode it"):
        db.put("key", b"v")
    with pytest.raises(TypeError, match=r"value must be bytes-like, not str"):
        db.put(b"key", "v")


@pytest.mark.parametrize("bad", ["a", 5])
def test_bad_bounds_and_targets(db, bad):
    with pytest.raises(TypeError):
        db.items(bad)
    with pytest.raises(TypeError):
        db.keys(None, bad)
    with pytest.raises(TypeError):
        db.items(prefix=bad)
    with pytest.raises(TypeError):
        db.compact_range(bad)
    with db.iterator() as it:
        with pytest.raises(TypeError):
            it.seek(bad)
        with pytest.raises(TypeError):
            it.seek_for_prev(None)


def test_prefix_with_bounds_is_refused(db):
    with pytest.raises(TypeError, match="prefix"):
        db.items(b"a", prefix=b"p")


def test_non_contiguous_buffer(db):
    view = memoryview(b"abcdef")[::2]
    with pytest.raises(TypeError, match="contiguous"):
        db.put(view, b"v")


def test_over_long_keys(db):
    longest = b"k" * strata.MAX_KEY_LEN
    db.put(longest, b"v")
    assert db.get(longest) == b"v"
    too_long = longest + b"k"
    for call in (lambda: db.put(too_long, b"v"), lambda: db.get(too_long),
                 lambda: db.delete(too_long), lambda: db.multi_get([too_long]),
                 lambda: db.items(prefix=too_long), lambda: db.iterator().seek(too_long)):
        with pytest.raises(strata.InvalidArgumentError, match="KV_MAX_KEY_LEN"):
            call()
    with pytest.raises(strata.InvalidArgumentError):
        with db.write_batch() as batch:
            batch.put(too_long, b"v")
    assert db.get(longest) == b"v"


def test_unknown_option(tmp_path):
    with pytest.raises(strata.InvalidArgumentError, match="bogus") as info:
        strata.open(tmp_path / "db", bogus=1)
    assert info.value.status == -1 and info.value.status_name == "KV_INVALID_ARGUMENT"
    assert isinstance(info.value, ValueError)
    assert not (tmp_path / "db").exists()


@pytest.mark.parametrize("name,value", [("memtable", "btree"), ("memtable_bytes", "lots"),
                                        ("compression", "gzip"), ("sync", "maybe"),
                                        ("background_threads", -1)])
def test_bad_option_values(tmp_path, name, value):
    with pytest.raises(strata.InvalidArgumentError, match=name):
        strata.open(tmp_path / "db", **{name: value})


@pytest.mark.parametrize("value", [None, 1.5, [1], b"1M"])
def test_option_value_types(tmp_path, value):
    with pytest.raises(TypeError, match="memtable_bytes"):
        strata.open(tmp_path / "db", memtable_bytes=value)


def test_bad_paths(tmp_path):
    with pytest.raises(ValueError, match="NUL"):
        strata.open(str(tmp_path) + "/a\0b")
    with pytest.raises(TypeError):
        strata.open(None)
    with pytest.raises(strata.InvalidArgumentError):
        strata.open("")


def test_closed_db_refuses_every_call(tmp_path):
    db = strata.open(tmp_path / "db")
    db.put(b"k", b"v")
    db.close()
    calls = [
        lambda: db.put(b"k", b"v"), lambda: db.put(b"k", b"v", sync=True),
        lambda: db.get(b"k"), lambda: db.delete(b"k"), lambda: db.delete(b"k", sync=True),
        lambda: db[b"k"], lambda: b"k" in db, lambda: db.multi_get([b"k"]),
        lambda: db.multi_get([]), lambda: db.items(), lambda: db.keys(prefix=b"k"),
        lambda: db.iterator(), lambda: db.snapshot(), lambda: db.flush(),
        lambda: db.wait_compactions(), lambda: db.resume(), lambda: db.compact_range(),
        lambda: db.stats(),
        lambda: db.property("last-sequence"), lambda: db.verify(),
        lambda: db.checkpoint(tmp_path / "ckpt"), lambda: db.write(strata.WriteBatch()),
    ]
    for call in calls:
        with pytest.raises(strata.InvalidArgumentError, match="closed"):
            call()
    with pytest.raises(strata.InvalidArgumentError, match="closed"):
        with db.write_batch() as batch:
            batch.put(b"k", b"v")


def test_wrong_handle_types(db):
    with pytest.raises(TypeError):
        db.write(object())
    with pytest.raises(TypeError):
        db.get(b"k", snapshot=object())
    with pytest.raises(TypeError):
        db.items(snapshot="snap")


def test_exception_classes():
    pairs = [(strata.InvalidArgumentError, ValueError), (strata.StrataIOError, OSError),
             (strata.NoMemoryError, MemoryError),
             (strata.NotSupportedError, NotImplementedError)]
    for cls, builtin in pairs:
        assert issubclass(cls, strata.Error) and issubclass(cls, builtin)
    for cls in (strata.CorruptionError, strata.BusyError, strata.InternalError):
        assert issubclass(cls, strata.Error)
    err = strata.StrataIOError("disk on fire")
    assert err.message == "disk on fire" and err.status == -2
    assert str(err) == "disk on fire [KV_IO_ERROR]"
    copy = pickle.loads(pickle.dumps(strata.CorruptionError("bad block", -3)))
    assert type(copy) is strata.CorruptionError and copy.message == "bad block"
    assert copy.status == -3


def test_error_message_is_this_threads(db):
    # The message comes from kv_last_error() of the failing thread, so it names
    # the failing call.
    with pytest.raises(strata.InvalidArgumentError, match="kv_get") as info:
        db.get(b"x" * (strata.MAX_KEY_LEN + 1))
    assert "KV_MAX_KEY_LEN" in info.value.message
