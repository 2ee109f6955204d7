"""Per-item cost of get, put and iteration from Python: strata's binding
beside plyvel (LevelDB) and rocksdict (RocksDB), same data, same run.

    python bench_python.py run --json results.json --page docs/bench/bindings-python.md

`run` makes the rounds: in each, every engine in turn (the order rotates and
flips from round to round) runs `child` in a new process on a new directory
with the round's data (16-byte random keys, 100-byte random values, the same
seed for every engine in a round). A child opens the database with matched
settings (engines.py), preloads --num keys in write batches of 1000,
compacts everything into one sorted run, warms up with one untimed scan,
then times each workload (WORKLOADS) and prints one JSON object. `run`
takes the median over rounds of each figure and writes the JSON and the
results block of the page (render.py).

Each figure is the time of a whole loop divided by the items it handled,
both as the calling thread's CPU time (time.thread_time_ns: what the caller
spends, and not the time spent waiting for a CPU on a shared machine) and as
wall time. Each engine does its work for these calls in the calling thread
(writes are group-committed by their caller, reads run in it), so the CPU
figure covers them; background flushes and compactions do not run during
the timed loops (the write workloads add at most 2 × --ops keys, well under
the 64 MiB write buffer). The garbage collector is off inside timed loops.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from engines import ENGINES, SETTINGS, Engine, available  # noqa: E402

KEY_LEN = 16
VALUE_LEN = 100
VALUE_POOL = 1024  # distinct random values, reused (compression is off everywhere)
BATCH = 1000
MULTI = 100

# (id, what the page calls it, what it does). Order is the order they run in.
WORKLOADS: List[Tuple[str, str, str]] = [
    ("iter_items", "iteration forward, items", "one full scan, (key, value) per item"),
    ("iter_keys", "iteration forward, keys", "one full scan, keys only"),
    ("iter_values", "iteration forward, values", "one full scan, values only"),
    ("iter_reverse", "iteration reverse, items", "one full scan backward, (key, value)"),
    ("get", "get, present key", "random keys of the preload, one get each"),
    ("get_missing", "get, missing key", "random keys never written"),
    ("multi_get", "multi-get, per key", "100 present keys per call"),
    ("contains", "`key in db`", "half present, half missing, shuffled"),
    ("put", "put, single", "new random keys, one put each, not synced"),
    ("write_batch", "write batch, per item", "new random keys, 1000 puts per batch"),
    ("overhead_get", "bare call: get on an empty database",
     "missing keys, empty database: the binding's fixed cost per call"),
]


# ---- data -------------------------------------------------------------------

class Data:
    """Everything one round uses, generated from its seed: every engine of a
    round sees exactly the same keys and values in the same order."""

    def __init__(self, seed: int, num: int, ops: int) -> None:
        rng = random.Random(seed)
        self.values = [rng.randbytes(VALUE_LEN) for _ in range(VALUE_POOL)]
        seen = set()

        def fresh(n: int) -> List[bytes]:
            out: List[bytes] = []
            while len(out) < n:
                k = rng.randbytes(KEY_LEN)
                if k not in seen:
                    seen.add(k)
                    out.append(k)
            return out

        self.preload_keys = fresh(num)
        self.preload = [(k, self.values[i % VALUE_POOL]) for i, k in enumerate(self.preload_keys)]
        self.get_keys = [self.preload_keys[rng.randrange(num)] for _ in range(ops)]
        self.missing_keys = fresh(ops)
        self.multi_chunks = [[self.preload_keys[rng.randrange(num)] for _ in range(MULTI)]
                             for _ in range(max(1, ops // MULTI))]
        half = ops // 2
        self.contains_keys = ([self.preload_keys[rng.randrange(num)] for _ in range(half)]
                              + fresh(ops - half))
        rng.shuffle(self.contains_keys)
        self.contains_present = half
        self.put_pairs = [(k, self.values[i % VALUE_POOL]) for i, k in enumerate(fresh(ops))]
        batch_pairs = [(k, self.values[i % VALUE_POOL]) for i, k in enumerate(fresh(ops))]
        self.batches = [batch_pairs[i:i + BATCH] for i in range(0, len(batch_pairs), BATCH)]
        self.empty_keys = fresh(ops)


# ---- timing -----------------------------------------------------------------

def timed(loop: Callable[[], int], expected: Optional[int] = None) -> Dict[str, float]:
    """Runs `loop` (which returns how many items it handled) with the garbage
    collector off; per item CPU time of this thread and wall time."""
    gc.collect()
    gc.disable()
    try:
        cpu0, wall0 = time.thread_time_ns(), time.perf_counter_ns()
        items = loop()
        cpu, wall = time.thread_time_ns() - cpu0, time.perf_counter_ns() - wall0
    finally:
        gc.enable()
    if items <= 0:
        raise RuntimeError("a timed loop handled no items")
    if expected is not None and items != expected:
        raise RuntimeError(f"a timed loop handled {items} items, expected {expected}")
    return {"cpu_ns": cpu / items, "wall_ns": wall / items, "items": items}


def scan(iterable: Any) -> int:
    n = 0
    for _ in iterable:
        n += 1
    return n


def run_workloads(engine: Engine, data: Data, empty: Engine) -> Dict[str, Dict[str, float]]:
    num = len(data.preload_keys)
    out: Dict[str, Dict[str, float]] = {}
    if scan(engine.items()) != num:  # warm-up: page cache and block cache
        raise RuntimeError("the warm-up scan did not see every preloaded key")
    out["iter_items"] = timed(lambda: scan(engine.items()), num)
    out["iter_keys"] = timed(lambda: scan(engine.keys()), num)
    out["iter_values"] = timed(lambda: scan(engine.values()), num)
    out["iter_reverse"] = timed(lambda: scan(engine.items(reverse=True)), num)

    def gets(get: Callable[[bytes], Any], keys: List[bytes]) -> Callable[[], int]:
        def loop() -> int:
            g = get
            for k in keys:
                g(k)
            return len(keys)
        return loop
    out["get"] = timed(gets(engine.get(), data.get_keys))
    out["get_missing"] = timed(gets(engine.get(), data.missing_keys))
    get = engine.get()
    if any(get(k) is None for k in data.get_keys[:100]):
        raise RuntimeError("a preloaded key was not found")
    if any(get(k) is not None for k in data.missing_keys[:100]):
        raise RuntimeError("a missing key was found")

    def multi() -> int:
        multi_get = engine.multi_get()
        n = 0
        for chunk in data.multi_chunks:
            n += len(multi_get(chunk))
        return n
    out["multi_get"] = timed(multi)
    if any(v is None for v in engine.multi_get()(data.multi_chunks[0])):
        raise RuntimeError("multi-get missed a preloaded key")

    present = [0]

    def contains() -> int:
        present[0] = engine.contains(data.contains_keys)
        return len(data.contains_keys)
    out["contains"] = timed(contains)
    if present[0] != data.contains_present:
        raise RuntimeError(f"`in` found {present[0]} keys, expected {data.contains_present}")

    def puts() -> int:
        put = engine.put()
        for k, v in data.put_pairs:
            put(k, v)
        return len(data.put_pairs)
    out["put"] = timed(puts)

    def batches() -> int:
        write = engine.write_batch
        n = 0
        for chunk in data.batches:
            write(chunk)
            n += len(chunk)
        return n
    out["write_batch"] = timed(batches)
    if get(data.put_pairs[-1][0]) is None or get(data.batches[-1][-1][0]) is None:
        raise RuntimeError("a written key was not found")

    out["overhead_get"] = timed(gets(empty.get(), data.empty_keys))
    if empty.get()(data.get_keys[0]) is not None:
        raise RuntimeError("the empty database is not empty")
    return out


def child(args: argparse.Namespace) -> None:
    data = Data(args.seed, args.num, args.ops)
    base = Path(args.dir)
    main_dir, empty_dir = base / "db", base / "empty"
    cls = ENGINES[args.engine]
    t0 = time.monotonic()
    engine = cls(str(main_dir))
    try:
        engine.preload(data.preload, BATCH)
        engine.compact()
        t1 = time.monotonic()
        empty = cls(str(empty_dir))
        try:
            results = run_workloads(engine, data, empty)
        finally:
            empty.close()
        version = engine.version()
    finally:
        engine.close()
    json.dump({"engine": args.engine, "version": version, "results": results,
               "setup_seconds": t1 - t0, "total_seconds": time.monotonic() - t0},
              sys.stdout)
    sys.stdout.write("\n")


# ---- the rounds ---------------------------------------------------------------

def machine_facts() -> Dict[str, Any]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": cpu, "cpus": os.cpu_count(), "python": platform.python_version(),
            "platform": platform.platform(), "loadavg": os.getloadavg()}


def run(args: argparse.Namespace) -> None:
    wanted = [e for e in args.engines.split(",") if e]
    unknown = [e for e in wanted if e not in ENGINES]
    if unknown:
        sys.exit(f"bench_python: unknown engine(s) {unknown}; known: {sorted(ENGINES)}")
    skipped = {e: why for e in wanted if (why := available(e)) is not None}
    if "strata" in skipped:
        sys.exit(f"bench_python: strata does not import: {skipped['strata']}")
    engines = [e for e in wanted if e not in skipped]
    for e, why in skipped.items():
        print(f"bench_python: {e} not available, left out: {why}", file=sys.stderr)

    scratch = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="strata-pybench-"))
    scratch.mkdir(parents=True, exist_ok=True)
    facts = machine_facts()
    started = time.monotonic()
    rounds: List[Dict[str, Any]] = []
    versions: Dict[str, str] = {}
    try:
        for r in range(args.rounds):
            order = engines[r % len(engines):] + engines[:r % len(engines)]
            if r % 2:
                order.reverse()
            seed = args.seed + r
            this_round: Dict[str, Any] = {"seed": seed, "order": order, "engines": {}}
            for name in order:
                directory = scratch / f"round{r}-{name}"
                shutil.rmtree(directory, ignore_errors=True)
                directory.mkdir(parents=True)
                cmd = [sys.executable, str(Path(__file__).resolve()), "child", "--engine", name,
                       "--seed", str(seed), "--num", str(args.num), "--ops", str(args.ops),
                       "--dir", str(directory)]
                done = subprocess.run(cmd, capture_output=True, text=True)
                shutil.rmtree(directory, ignore_errors=True)
                if done.returncode != 0:
                    sys.exit(f"bench_python: {name} failed in round {r + 1}:\n{done.stderr}")
                result = json.loads(done.stdout)
                versions[name] = result["version"]
                this_round["engines"][name] = result
                print(f"bench_python: round {r + 1}/{args.rounds} {name}: "
                      f"{result['total_seconds']:.1f} s", file=sys.stderr, flush=True)
            rounds.append(this_round)
    finally:
        if not args.dir:
            shutil.rmtree(scratch, ignore_errors=True)

    summary: Dict[str, Dict[str, Dict[str, float]]] = {}
    for name in engines:
        summary[name] = {}
        for wid, _, _ in WORKLOADS:
            samples = [rd["engines"][name]["results"][wid] for rd in rounds]
            summary[name][wid] = {
                "cpu_ns": statistics.median(s["cpu_ns"] for s in samples),
                "wall_ns": statistics.median(s["wall_ns"] for s in samples),
                "cpu_ns_min": min(s["cpu_ns"] for s in samples),
                "cpu_ns_max": max(s["cpu_ns"] for s in samples),
            }
    facts["loadavg_after"] = os.getloadavg()
    report = {
        "command": " ".join(["bench_python.py"] + sys.argv[1:]),
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "num": args.num, "ops": args.ops, "rounds": args.rounds, "batch": BATCH, "multi": MULTI,
        "key_bytes": KEY_LEN, "value_bytes": VALUE_LEN, "engines": engines,
        "left_out": skipped, "versions": versions, "settings": {e: SETTINGS[e] for e in engines},
        "machine": facts, "seconds": time.monotonic() - started,
        "workloads": [{"id": w, "name": n, "what": d} for w, n, d in WORKLOADS],
        "notes": {e: {"multi_get": ENGINES[e].multi_get_note,
                      "contains": ENGINES[e].contains_note} for e in engines},
        "summary": summary, "rounds_data": rounds,
    }
    if args.breakdown:
        report["breakdown"] = json.loads(Path(args.breakdown).read_text())
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(report, indent=1))
    print(f"bench_python: {args.json} written ({report['seconds']:.0f} s)", file=sys.stderr)
    if args.page:
        from render import render_page
        render_page(report, Path(args.page), json_path=Path(args.json))
        print(f"bench_python: {args.page} updated", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="all rounds, all engines; JSON and the page")
    r.add_argument("--engines", default="strata,plyvel,rocksdict")
    r.add_argument("--num", type=int, default=500_000, help="keys preloaded")
    r.add_argument("--ops", type=int, default=50_000, help="items per timed workload")
    r.add_argument("--rounds", type=int, default=5)
    r.add_argument("--seed", type=int, default=20240601)
    r.add_argument("--dir", default="", help="scratch directory (default: a new temp dir)")
    r.add_argument("--json", required=True, help="where the results go")
    r.add_argument("--page", default="", help="the markdown page whose results block to rewrite")
    r.add_argument("--breakdown", default="", help="put_breakdown.py's JSON, to include")
    c = sub.add_parser("child", help="one engine, one round (run starts these)")
    c.add_argument("--engine", required=True, choices=sorted(ENGINES))
    c.add_argument("--seed", type=int, required=True)
    c.add_argument("--num", type=int, required=True)
    c.add_argument("--ops", type=int, required=True)
    c.add_argument("--dir", required=True)
    args = parser.parse_args()
    if args.command == "run":
        if args.num < MULTI or args.ops < BATCH:
            sys.exit(f"bench_python: --num must be >= {MULTI} and --ops >= {BATCH}")
        run(args)
    else:
        child(args)


if __name__ == "__main__":
    main()
