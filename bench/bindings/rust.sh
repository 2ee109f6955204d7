#!/usr/bin/env bash
# bench/bindings/rust.sh — the Rust binding's benchmark beside Rust peers from
# crates.io (fjall, redb): builds libstrata (build/rustbench) if needed,
# builds bench/bindings/rust (the strata-bench-peers crate, release), runs it under
# `nice -n 10`, and rewrites docs/bench/bindings-rust.md.
#
#   bash bench/bindings/rust.sh                 1,000,000 keys, 3 rounds, strata, fjall, redb
#   bash bench/bindings/rust.sh --items 200000 --rounds 1 --engines strata,fjall
#
# Arguments go to strata-bench-peers (--items, --reads, --missing, --call-keys,
# --batch, --rounds, --engines). The page keeps its hand-written notes (the part
# between the "notes" markers) from one run to the next; re-read them after a
# re-run. The run itself takes 2.5 minutes on the shared 2-core machine at a
# load of 6 and 6 minutes at a load of 15; the first time, compiling the peers
# adds about 4 minutes (and libstrata's build, when it is out of date, more).
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
build=$repo/build/rustbench
crate=$repo/bench/bindings/rust
page=$repo/docs/bench/bindings-rust.md
db_dir=$build/bench-db

[[ -d "$HOME/.cargo/bin" ]] && export PATH="$HOME/.cargo/bin:$PATH"
if ! command -v cargo >/dev/null; then
  echo "bench/bindings/rust.sh: cargo not found; install a Rust toolchain (1.90 or newer) with rustup" >&2
  exit 1
fi

bash scripts/setup-deps.sh
if command -v ccache >/dev/null; then
  export CMAKE_CXX_COMPILER_LAUNCHER=ccache CMAKE_C_COMPILER_LAUNCHER=ccache CCACHE_NOHASHDIR=1
fi
echo "rust.sh: building libstrata in $build"
# The project's release build type (optimised, with debug info), as in
# build/release and build/bench; only the library is built.
cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSTRATA_BUILD_TESTS=OFF -DSTRATA_BUILD_EXAMPLES=OFF >/dev/null
cmake --build "$build" --target strata -j 2

export STRATA_BUILD_DIR=$build
export LD_LIBRARY_PATH="$build${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
echo "rust.sh: building strata-bench-peers (release)"
(cd "$crate" && cargo build --release --locked -q)

command_line="bash bench/bindings/rust.sh${*:+ $*}"
started=$(date -u '+%Y-%m-%d %H:%M UTC')
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
results=$(mktemp)
trap 'rm -f "$results"; rm -rf "$db_dir"' EXIT
echo "rust.sh: running (progress below; results go to $page)"
seconds_before=$SECONDS
nice -n 10 "$crate/target/release/strata-bench-peers" --dir "$db_dir" "$@" >"$results"
elapsed=$((SECONDS - seconds_before))
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -1)
memory=$(free -g | awk '/^Mem:/ {print $2 " GiB"}')
fs=$(findmnt -no FSTYPE -T "$build" 2>/dev/null || echo "?")
commit=$(git rev-parse --short HEAD)
dirty=""
if [[ -n $(git status --porcelain -- core capi CMakeLists.txt) ]]; then
  dirty=" plus uncommitted changes in core/ or capi/ (the checkout is shared)"
fi
locked_version() { awk -v n="$1" '$0 == "name = \"" n "\"" {getline; gsub(/[^0-9.]/, ""); print; exit}' "$crate/Cargo.lock"; }
fjall_version=$(locked_version fjall)
redb_version=$(locked_version redb)

# The hand-written notes of the previous page, kept as they were.
notes=""
if [[ -f $page ]]; then
  notes=$(sed -n '/^<!-- notes:begin -->$/,/^<!-- notes:end -->$/p' "$page")
fi
if [[ -z $notes ]]; then
  notes=$'<!-- notes:begin -->\n(No notes yet.)\n<!-- notes:end -->'
fi

mkdir -p "$(dirname "$page")"
{
  cat <<EOF
# The Rust binding beside Rust peers

Written by \`bench/bindings/rust.sh\` (the program is
the crate strata-bench-peers in \`bench/bindings/rust\`, its own Cargo workspace, so the binding's
tests never compile the peers). strata is used through its safe Rust binding
(the \`strata\` crate over \`libstrata.so\`); the peers are
[fjall](https://crates.io/crates/fjall) $fjall_version, an LSM tree in pure Rust, and
[redb](https://crates.io/crates/redb) $redb_version, a copy-on-write B-tree in pure Rust.
All three run in one process, on the same keys and values, in the same run.

| | |
| --- | --- |
| command | \`$command_line\` (the engine process under \`nice -n 10\`) |
| date | $started, $elapsed s |
| machine | $cpu, $(nproc) cores, $memory, $(uname -sr), $fs |
| load average (1, 5, 15 min) | $load_before before, $load_after after |
| strata | commit $commit$dirty; RelWithDebInfo build in build/rustbench |
| Rust | $(rustc --version | cut -d' ' -f1-2), release profile, thin LTO |

**A noisy machine.** This machine has 2 cores shared by several engineers
building and testing at the same time (see the load average above, against 2
cores), so every figure here is inflated and jittery, some rounds much more
than others. Compare engines only within one run of this page, where each
round gave each engine fresh directories and the engine order rotated; read
the "Every round" tables for the spread before trusting a ratio.

## What is measured

Each round fills every engine, one after the other, in fresh directories
(the order rotating from round to round) and keeps them all open; then the
reads and scans of all engines run interleaved, block by block, so the
machine's noise falls on all of them alike; then each engine fills a fresh
directory again in batches. Every phase is timed in short blocks, and each
row gives one view of the same calls (see "Parameters" below): the mean, the
median block (the steadier figure on a busy machine: it ignores the blocks in
which the process was preempted), and p50/p99 of single calls.

- **put**: each key by itself, in random key order (strata \`Db::put\`,
  fjall \`Keyspace::insert\`, redb one write transaction per key).
- **settle**: after the fill, memtables written out and background work
  finished (strata \`flush\` + \`wait_compactions\`; fjall its memtable
  rotation and waiting until its flush and compaction counters read idle;
  redb one fsynced commit), divided by the keys written.
- **get**: random existing keys (uniform, with repeats), then random keys
  that were never written; every engine reads the same block of 200 keys in
  turn. Each engine hands the value over its usual way: strata \`Db::get\`
  an owned \`Vec<u8>\` (copied out of the library's buffer), fjall an owned
  \`Slice\` (its reference-counted bytes), redb a guard borrowing the page
  (no copy), from one read transaction held over all the reads. Every
  existing key must return its 100-byte value and every absent key nothing,
  or the run stops. As the engines take turns, each block starts with CPU
  caches that another engine has used: these are not hot-loop figures.
- **scan**: a full walk forward, then one backward, the engines taking turns
  in chunks of 1,000 entries; each must see every key. strata's \`Iter\`
  items own their key and value (\`Vec<u8>\` each); fjall's
  \`Guard::into_inner\` gives owned \`Slice\`s; redb's items borrow the page.
- **batch put**: a fresh directory filled again with the same keys in
  batches of 1,000 (strata \`WriteBatch\` + \`Db::write\`, fjall
  \`Database::batch\`, redb one transaction per batch). redb is the
  exception: one run of 1,000 keys in five of its fill is written by single
  puts (timed as its put) and the rest as transactions of 1,000 (timed as its
  batch put), and it gets no second fill; its single-put transactions are
  slow enough that a million of them would take most of the time budget.
  Both kinds are thereby spread over the whole growth of its tree.
- **disk bytes per key**: allocated bytes of the database directory after
  the settle, per key (16 B key + 100 B value of user data).
- **strata's read paths through the binding** (strata only, on its filled
  database, alone): \`Db::get\` (the library's buffer copied into a
  \`Vec\`), \`Db::get_value\` (the buffer handed over, no copy),
  \`Db::multi_get\` of 100 keys per call (per key; each value copied into
  its own \`Vec\`), \`Db::multi_get_values\` (the same call, the values
  read in place from the library's one buffer) and a call into libstrata
  that does no work (the floor of any call), interleaved in blocks
  of 200 keys, over keys spread across the database ("cold") and over 1,000
  keys read again and again ("hot"); and \`Iter\` against \`Cursor\`
  scans, walking side by side 1,000 entries at a time. Each reports the
  median of its blocks.

## Settings and how they map

| setting | strata | fjall | redb |
| --- | --- | --- | --- |
| memtable 64 MiB | \`memtable_bytes\` | \`max_memtable_size\` (per keyspace) | no memtable |
| cache 64 MiB | \`block_cache_bytes\` (data blocks) | \`cache_size\` (one cache for data, index and filter blocks) | \`set_cache_size\` (pages) |
| bloom filters, 10 bits per key | \`bloom_bits_per_key\` | \`filter_policy\`: bloom, 10 bits per key, every level; \`expect_point_read_hits(false)\` so the last level keeps its filters | none (B-tree) |
| blocks 4 KiB | \`block_bytes\` | \`data_block_size_policy\` | 4 KiB pages |
| no compression | \`compression(None)\` | data and index block compression \`None\`; built without its \`lz4\` feature | has none |
| 2 background threads | \`background_threads\` | \`worker_threads\` | has none |
| durability off | \`sync(false)\`: each write is handed to the OS, not fsynced (survives a crash of the process, not of the machine) | \`manual_journal_persist(false)\` (its default): each write and batch flushes its journal entry to the OS (\`PersistMode::Buffer\`), not fsynced: the same promise | \`Durability::None\` on every commit: not persisted at all until a later durable commit, a weaker promise (redb has no "hand to the OS" level; \`Immediate\` fsyncs) |

Everything else keeps each engine's defaults.

## Notes on this run

$notes

EOF
  cat "$results"
} >"$page"
echo "rust.sh: wrote $page (${elapsed} s)"
