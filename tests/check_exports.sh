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
# Every function of DESIGN.md's contract must be there.
for name in kv_version kv_last_error kv_status_name kv_options_new kv_options_set kv_options_free \
    kv_open kv_close kv_put kv_get kv_free kv_delete kv_batch_new kv_batch_put kv_batch_delete \
    kv_batch_clear kv_batch_free kv_write kv_iter_new kv_iter_next kv_iter_free kv_flush \
    kv_wait_compactions kv_compact_range kv_property \
    kv_txn_begin kv_txn_get kv_txn_put kv_txn_delete kv_txn_commit kv_txn_free \
    kv_approximate_size kv_get_into kv_iter_next_batch; do
  if ! grep -qx "$name" <<<"$symbols"; then echo "missing export: $name"; failed=1; fi
done
if [[ "$soname" != libstrata.so.* ]]; then echo "bad SONAME: '$soname'"; failed=1; fi
echo "libstrata exports $count kv_ symbols, SONAME $soname"
exit $failed
