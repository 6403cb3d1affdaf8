#!/usr/bin/env bash
# Speed of a whole webhook call (cached compiled definition, render context, build with
# escaping, authentication, egress guard, send, bounded read, decode, redaction,
# record) as a ratio to a bare net/http client: both send the same request bytes to the
# same local TLS server with 16 workers and the same keep-alive settings.
# bench.sh [COUNT] (default 7) runs each benchmark COUNT times, in alternating order so
# that a noisy neighbour weighs on both alike, then prints the median ns/op of each,
# their ratio (the figure that counts, limit 1.15, exit status 1 above it), the median
# of the per-round ratios as a check on drift, and the ratio of the median CPU time per
# operation (client and server, user and system), which a busy machine disturbs less.
# BenchmarkSendPrepared (delivery alone, the request prepared once) runs beside them so
# that the ratios show which part of the cost is this package's and which delivery's.
set -euo pipefail
cd "$(dirname "$0")/../.."
count="${1:-7}"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
go test -c -o "$dir/send.test" ./shared/send
run() {
  "$dir/send.test" -test.run '^$' -test.bench "^Benchmark$1\$" -test.benchmem -test.count 1 | grep -E '^Benchmark'
}
for i in $(seq "$count"); do
  if (( i % 2 )); then run BareClient; run SendPrepared; run Deliver; else run Deliver; run SendPrepared; run BareClient; fi
done | tee "$dir/out"
awk -v limit=1.15 '
  /^BenchmarkBareClient/ { bare[nb++] = $3; for (i = 4; i <= NF; i++) if ($i == "cpu-ns/op") bcpu[nbc++] = $(i-1) }
  /^BenchmarkDeliver/    { del[nd++] = $3;  for (i = 4; i <= NF; i++) if ($i == "cpu-ns/op") dcpu[ndc++] = $(i-1) }
  /^BenchmarkSendPrepared/ { pre[np++] = $3; for (i = 4; i <= NF; i++) if ($i == "cpu-ns/op") pcpu[npc++] = $(i-1) }
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
    printf "median of per-round ratios %.3f\n", median(r, nb)
    if (np > 0) printf "delivery alone: SendPrepared %.0f ns/op, SendPrepared/Bare = %.3f\n", median(pre, np), median(pre, np) / mb
    if (nbc == nb && ndc == nd && npc == np) printf "CPU per op: BareClient %.0f ns, SendPrepared %.0f ns, Deliver %.0f ns; Deliver/Bare %.3f, SendPrepared/Bare %.3f\n", median(bcpu, nbc), median(pcpu, npc), median(dcpu, ndc), median(dcpu, ndc) / median(bcpu, nbc), median(pcpu, npc) / median(bcpu, nbc)
    printf "ratio Deliver/Bare = %.3f (limit %.2f)\n", ratio, limit
    exit (ratio > limit)
  }' "$dir/out"
