#!/usr/bin/env bash
# The lock-discipline stage of the test command (scripts/test.sh): compiles
# the project's own sources (core/, capi/, tools/) with Debian's clang and
# -Wthread-safety -Werror, syntax only (no code generation, no linking), so
# that every GUARDED_BY, REQUIRES and EXCLUDES annotation
# (core/thread_annotations.h, core/mutex.h) is checked. gcc, which builds
# everything else, ignores the annotations.
#
# The flags of each file come from build/release/compile_commands.json (the
# release preset exports it), with the compiler swapped for clang++ and the
# project's warning flags replaced by the analysis alone: the stage checks
# locking, not clang's opinion of every other warning. Files are checked in
# parallel, one per core: 92 sources take about 160 s of CPU (measured with
# clang 14), so about a minute and a half on 2 idle cores.
#
#   bash scripts/check-thread-safety.sh [dir-or-file]...
#
# With arguments, only the sources under those paths (relative to the
# repository) are checked, e.g. core/db while working on the engine.
#
# Exit status 0 when clean; otherwise 1, after the compiler's messages.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v clang++ >/dev/null; then
  echo "check-thread-safety: clang++ not found (scripts/setup-deps.sh installs Debian's clang)" >&2
  exit 1
fi
db=build/release/compile_commands.json
[[ -f $db ]] || cmake --preset release >/dev/null

python3 - "$db" "$(nproc)" "$@" <<'PY'
import concurrent.futures
import json
import os
import shlex
import subprocess
import sys

db_path, jobs = sys.argv[1], int(sys.argv[2])
root = os.getcwd()
wanted = sys.argv[3:] or ["core", "capi", "tools"]
checked = tuple(os.path.realpath(os.path.join(root, p)) for p in wanted)

def is_checked(path):
    path = os.path.realpath(path)
    return any(path == c or path.startswith(c + os.sep) for c in checked)

def clang_command(entry):
    args = entry.get("arguments") or shlex.split(entry["command"])
    out = ["clang++", "-fsyntax-only", "-Wthread-safety", "-Werror"]
    skip_next = False
    for arg in args[1:]:  # args[0] is the build's compiler (gcc, maybe behind ccache)
        if skip_next:
            skip_next = False
        elif arg == "-o":
            skip_next = True
        elif arg == "-c" or (arg.startswith("-W") and not arg.startswith("-Wl,")):
            pass
        elif arg == "ccache" or arg.endswith("/ccache"):
            pass
        else:
            out.append(arg)
    return out

with open(db_path) as f:
    entries = [e for e in json.load(f) if is_checked(e["file"])]
if not entries:
    sys.exit(f"check-thread-safety: no sources under {' '.join(wanted)} in {db_path}")

def check(entry):
    proc = subprocess.run(clang_command(entry), cwd=entry["directory"],
                          capture_output=True, text=True)
    return entry["file"], proc.returncode, proc.stdout + proc.stderr

failed = 0
with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
    for name, code, output in pool.map(check, entries):
        if code != 0:
            failed += 1
            sys.stdout.write(output)
print(f"thread safety (clang -Wthread-safety -Werror): {len(entries) - failed} of "
      f"{len(entries)} sources clean")
sys.exit(1 if failed else 0)
PY
