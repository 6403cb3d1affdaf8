#!/usr/bin/env bash
# Speed of the delivery path as a ratio to a bare net/http client, both against the same
# local TLS server with 16 workers, in the same process: bench.sh [COUNT] (default 5).
# Prints the median ns/op of each and Deliver/Bare, and fails when the ratio is above 1.15.
set -euo pipefail
cd "$(dirname "$0")/../.."
count="${1:-5}"
bin="$(mktemp -d)/delivery.test"
go test -c -o "$bin" ./shared/delivery
out="$(mktemp)"
for i in $(seq "$count"); do
  "$bin" -test.run '^$' -test.bench '^(BenchmarkBareClient|BenchmarkDeliver)$' -test.benchmem -test.count 1 | tee -a "$out" | grep -E '^Benchmark'
done
awk -v limit=1.15 '
  /^BenchmarkBareClient/ { bare[nb++] = $3 }
  /^BenchmarkDeliver/    { del[nd++] = $3 }
  function median(a, n,   i, j, t) {
    for (i = 0; i < n; i++) for (j = i + 1; j < n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
    return n % 2 ? a[int(n / 2)] : (a[n / 2 - 1] + a[n / 2]) / 2
  }
  END {
    if (nb == 0 || nd == 0) { print "no benchmark results"; exit 1 }
    mb = median(bare, nb); md = median(del, nd); r = md / mb
    printf "median BareClient %.0f ns/op, Deliver %.0f ns/op (%d runs each)\n", mb, md, nb
    printf "ratio Deliver/Bare = %.3f (limit %.2f)\n", r, limit
    exit (r > limit)
  }' "$out"
