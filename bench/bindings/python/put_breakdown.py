"""Where the time of a put (and a get) from Python goes, layer by layer, for
strata's binding and for plyvel (LevelDB), on the same data in the same run.

For strata, three loops over the same keys, each on a fresh database:

  python   db.put(k, v)                       the binding as users call it
  cffi     lib.kv_put(handle, k, 16, v, 100)  cffi's wrapper alone: argument
                                              conversion, GIL release, call
  c        kv_put from a C loop (c_floor.c)   the engine behind kv.h

so "Python layer" = python - cffi and "cffi crossing" = cffi - c. For plyvel
(a Cython extension calling LevelDB's C++ API), plyvel's db.put against
LevelDB's C API called from the same C loop on the library bundled in
plyvel's wheel: "binding" = python - c. The same for gets of present keys
(which sit in the memtable here) and of missing keys.

Times are the calling thread's CPU time per operation (time.thread_time_ns,
CLOCK_THREAD_CPUTIME_ID in C): on a shared, loaded machine it does not count
the time spent waiting for a CPU, which wall time does (both are recorded).
Background threads (flushes) are not counted; with a 64 MiB write buffer and
at most a few hundred thousand puts of 116 bytes no flush happens during
the loops. Loops run with the garbage collector off, in rotating order,
over several rounds; the summary takes medians.

Run by bench/bindings/python.sh (needs the c_floor binary it builds);
prints JSON to --json.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Tuple

import plyvel
import strata
from strata._convert import values_out
from strata._native import lib as strata_lib

KEY_LEN = 16
VALUE_LEN = 100
VALUE_POOL = 1024

Timing = Dict[str, float]


def make_data(seed: int, n_put: int, n_get: int, n_miss: int) -> Tuple[List[bytes], List[bytes],
                                                                         List[bytes], List[bytes]]:
    rng = random.Random(seed)
    values = [rng.randbytes(VALUE_LEN) for _ in range(VALUE_POOL)]
    put_keys = [rng.randbytes(KEY_LEN) for _ in range(n_put)]
    get_keys = [put_keys[rng.randrange(n_put)] for _ in range(n_get)]
    present = set(put_keys)
    miss_keys: List[bytes] = []
    while len(miss_keys) < n_miss:
        k = rng.randbytes(KEY_LEN)
        if k not in present:
            miss_keys.append(k)
    return values, put_keys, get_keys, miss_keys


def write_data_file(path: Path, values: List[bytes], put_keys: List[bytes],
                    get_keys: List[bytes], miss_keys: List[bytes]) -> None:
    """The layout c_floor.c reads."""
    with open(path, "wb") as f:
        f.write(struct.pack("<3Q", len(put_keys), len(get_keys), len(miss_keys)))
        f.write(b"".join(values))
        f.write(b"".join(put_keys))
        f.write(b"".join(get_keys))
        f.write(b"".join(miss_keys))


def timed(loop: Callable[[], Any], n: int) -> Timing:
    gc.collect()
    gc.disable()
    try:
        cpu0, wall0 = time.thread_time_ns(), time.perf_counter_ns()
        loop()
        cpu, wall = time.thread_time_ns() - cpu0, time.perf_counter_ns() - wall0
    finally:
        gc.enable()
    return {"cpu_ns": cpu / n, "wall_ns": wall / n}


STRATA_OPTIONS = dict(memtable_bytes="64M", block_cache_bytes="64M", bloom_bits_per_key=10,
                      compression="none", sync=False)


def open_plyvel(path: str) -> Any:
    return plyvel.DB(path, create_if_missing=True, write_buffer_size=64 << 20,
                     lru_cache_size=64 << 20, bloom_filter_bits=10, compression=None)


def run_python(kind: str, directory: str, data: Tuple[List[bytes], ...]) -> Dict[str, Timing]:
    """One fresh database: the puts, then the gets of present and missing keys,
    each through `kind`'s Python calls."""
    values, put_keys, get_keys, miss_keys = data
    pairs = [(k, values[i % VALUE_POOL]) for i, k in enumerate(put_keys)]
    out: Dict[str, Timing] = {}
    if kind == "strata-cffi":
        db = strata.open(directory, **STRATA_OPTIONS)
        handle = db._handle  # the raw kv_db*: this loop measures cffi's wrapper alone
        get_copy = strata_lib.strata_get_copy
        value_out = values_out.out

        def put_loop() -> None:
            kv_put = strata_lib.kv_put
            for k, v in pairs:
                kv_put(handle, k, KEY_LEN, v, VALUE_LEN)

        def get_loop(keys: List[bytes]) -> Callable[[], None]:
            def loop() -> None:
                # strata_get_copy is the one C call db.get makes (get_copy.c),
                # with the same arguments.
                c = value_out.c
                for k in keys:
                    get_copy(handle, k, KEY_LEN, c)
            return loop
    else:
        db = strata.open(directory, **STRATA_OPTIONS) if kind == "strata" else open_plyvel(
            directory)

        def put_loop() -> None:
            put = db.put
            for k, v in pairs:
                put(k, v)

        def get_loop(keys: List[bytes]) -> Callable[[], None]:
            def loop() -> None:
                get = db.get
                for k in keys:
                    get(k)
            return loop
    try:
        out["put"] = timed(put_loop, len(pairs))
        out["get"] = timed(get_loop(get_keys), len(get_keys))
        out["get_missing"] = timed(get_loop(miss_keys), len(miss_keys))
        if kind != "strata-cffi":  # a check that the loops did real work
            assert db.get(get_keys[0]) is not None and db.get(miss_keys[0]) is None
    finally:
        db.close()
    return out


def run_c(engine: str, library: str, c_floor: str, directory: str,
          data_file: Path) -> Dict[str, Timing]:
    # The wheel's libleveldb finds its bundled libsnappy through the
    # directory it is in (auditwheel names them; no rpath of its own).
    env = dict(os.environ)
    env["LD_LIBRARY_PATH"] = os.pathsep.join(
        p for p in (str(Path(library).parent), env.get("LD_LIBRARY_PATH")) if p)
    done = subprocess.run([c_floor, engine, library, directory, str(data_file)], check=True,
                          capture_output=True, text=True, env=env)
    result: Dict[str, Timing] = json.loads(done.stdout)
    return result


def empty_loop(data: Tuple[List[bytes], ...]) -> Timing:
    """The Python for loop itself over the same pairs, calling nothing: part
    of every Python figure, for every binding alike."""
    values, put_keys = data[0], data[1]
    pairs = [(k, values[i % VALUE_POOL]) for i, k in enumerate(put_keys)]

    def loop() -> None:
        for k, v in pairs:
            pass
    return timed(loop, len(pairs))


def crossing(n: int) -> Timing:
    """One cffi call that does nothing in C (kv_batch_count of an empty
    batch): cffi's fixed cost of a call, GIL release and retake included."""
    batch = strata_lib.kv_batch_new()
    try:
        count = strata_lib.kv_batch_count

        def loop() -> None:
            for _ in range(n):
                count(batch)
        return timed(loop, n)
    finally:
        strata_lib.kv_batch_free(batch)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--c-floor", required=True, help="the c_floor binary")
    parser.add_argument("--strata-library", required=True, help="libstrata.so")
    parser.add_argument("--puts", type=int, default=200_000)
    parser.add_argument("--gets", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--dir", default=None, help="scratch directory (default: a new temp dir)")
    parser.add_argument("--json", required=True, help="where to write the results")
    args = parser.parse_args()

    leveldb_library = next(Path(plyvel.__file__).resolve().parent.parent.glob(
        "plyvel.libs/libleveldb*.so*"), None)
    if leveldb_library is None:
        sys.exit("put_breakdown: no libleveldb in plyvel's wheel (plyvel.libs/); "
                 "plyvel must come from its manylinux wheel")

    scratch = Path(args.dir or tempfile.mkdtemp(prefix="strata-put-breakdown-"))
    scratch.mkdir(parents=True, exist_ok=True)
    kinds = ["strata", "strata-cffi", "strata-c", "plyvel", "leveldb-c"]
    rounds: List[Dict[str, Any]] = []
    try:
        for r in range(args.rounds):
            data = make_data(1000 + r, args.puts, args.gets, args.gets)
            data_file = scratch / "data.bin"
            write_data_file(data_file, *data)
            order = kinds[r % len(kinds):] + kinds[:r % len(kinds)]
            if r % 2:
                order.reverse()
            result: Dict[str, Any] = {"order": order}
            for kind in order:
                directory = scratch / f"db-{kind}"
                shutil.rmtree(directory, ignore_errors=True)
                if kind == "strata-c":
                    result[kind] = run_c("strata", args.strata_library, args.c_floor,
                                         str(directory), data_file)
                elif kind == "leveldb-c":
                    result[kind] = run_c("leveldb", str(leveldb_library), args.c_floor,
                                         str(directory), data_file)
                else:
                    result[kind] = run_python(kind, str(directory), data)
                shutil.rmtree(directory, ignore_errors=True)
            result["empty-loop"] = {"put": empty_loop(data)}
            result["cffi-noop-call"] = {"put": crossing(args.puts)}
            rounds.append(result)
            print(f"put_breakdown: round {r + 1}/{args.rounds} done", file=sys.stderr, flush=True)
    finally:
        if args.dir is None:
            shutil.rmtree(scratch, ignore_errors=True)

    summary: Dict[str, Dict[str, Timing]] = {}
    for kind in kinds + ["empty-loop", "cffi-noop-call"]:
        summary[kind] = {}
        for op in ("put", "get", "get_missing"):
            samples = [rd[kind][op] for rd in rounds if op in rd[kind]]
            if samples:
                summary[kind][op] = {
                    "cpu_ns": statistics.median(s["cpu_ns"] for s in samples),
                    "wall_ns": statistics.median(s["wall_ns"] for s in samples),
                }
    Path(args.json).write_text(json.dumps({
        "puts": args.puts, "gets": args.gets, "rounds_run": args.rounds,
        "leveldb_library": leveldb_library.name, "summary": summary, "rounds": rounds,
    }, indent=1))


if __name__ == "__main__":
    main()
