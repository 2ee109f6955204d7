#!/usr/bin/env bash
# Checks that libstrata.so exports the kv_ functions and nothing else, and
# that it carries a SONAME. Run by ctest with the library's path.
set -euo pipefail
lib="$1"
symbols=$(nm -D --defined-only "$lib" | awk '{print $3}' | sed 's/@.*//' | sort -u)
unexpected=$(echo "$symbols" | grep -v '^kv_' | grep -v '^STRATA_0$' | grep -v '^$' || true)
count=$(echo "$symbols" | grep -c '^kv_' || true)
soname=$(objdump -p "$lib" | awk '/SONAME/ {print $2}')
failed=0
if [[ -n "$unexpected" ]]; then
  echo "unexpected exported symbols:"; echo "$unexpected"; failed=1
fi
if (( count < 30 )); then echo "only $count kv_ symbols exported"; failed=1; fi
if [[ "$soname" != libstrata.so.* ]]; then echo "bad SONAME: '$soname'"; failed=1; fi
echo "libstrata exports $count kv_ symbols, SONAME $soname"
exit $failed
