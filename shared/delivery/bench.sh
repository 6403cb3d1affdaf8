#!/usr/bin/env bash
# Speed of the delivery path as a ratio to a bare net/http client: both send the same
# request to the same local TLS server with 16 workers. bench.sh [COUNT] (default 5)
# runs each benchmark COUNT times, in alternating order so that a noisy neighbour
# weighs on both alike, then prints the median ns/op of each, their ratio (the figure
# that counts, limit 1.15, exit status 1 above it), the same for CPU time per op (the
# steadier figure on a shared machine) and the median of the per-round ratios as a
# check on drift.
set -euo pipefail
cd "$(dirname "$0")/../.."
count="${1:-5}"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
go test -c -o "$dir/delivery.test" ./shared/delivery
run() {
  "$dir/delivery.test" -test.run '^$' -test.bench "^Benchmark$1\$" -test.benchmem -test.count 1 | grep -E '^Benchmark'
}
for i in $(seq "$count"); do
  if (( i % 2 )); then run BareClient; run Deliver; else run Deliver; run BareClient; fi
done | tee "$dir/out"
awk -v limit=1.15 '
  function field(unit,   i) { for (i = 2; i <= NF; i++) if ($(i + 1) == unit) return $i; return 0 }
  /^BenchmarkBareClient/ { bare[nb] = field("ns/op"); bcpu[nb++] = field("cpu-ns/op") }
  /^BenchmarkDeliver/    { del[nd] = field("ns/op"); dcpu[nd++] = field("cpu-ns/op") }
  function median(a, n,   i, j, t, c) {
    for (i = 0; i < n; i++) c[i] = a[i]
    for (i = 0; i < n; i++) for (j = i + 1; j < n; j++) if (c[j] < c[i]) { t = c[i]; c[i] = c[j]; c[j] = t }
    return n % 2 ? c[int(n / 2)] : (c[n / 2 - 1] + c[n / 2]) / 2
  }
  END {
    if (nb == 0 || nb != nd) { print "missing benchmark results"; exit 1 }
    for (i = 0; i < nb; i++) r[i] = del[i] / bare[i]
    mb = median(bare, nb); md = median(del, nd); ratio = md / mb
    printf "median BareClient %.0f ns/op, Deliver %.0f ns/op (%d runs each)\n", mb, md, nb
    printf "median CPU BareClient %.0f cpu-ns/op, Deliver %.0f cpu-ns/op: ratio %.3f\n", median(bcpu, nb), median(dcpu, nd), median(dcpu, nd) / median(bcpu, nb)
    printf "median of per-round ratios %.3f\n", median(r, nb)
    printf "ratio Deliver/Bare = %.3f (limit %.2f)\n", ratio, limit
    exit (ratio > limit)
  }' "$dir/out"
