#!/usr/bin/env bash
# `make bench`: Flowhook's speed, each figure next to a baseline measured in the same
# invocation (the machine may be shared, so medians and ratios, never lone timings).
#
#   1. velocity  the template engine against Apache Velocity on the JVM (warm and cold)
#   2. delivery  a whole webhook call against a bare net/http client (shared/send)
#   3. load      2,000 events through the local stack to a local TLS endpoint: events/s,
#                runs/s, p50/p99 event → finished run, lost and duplicated sends (both
#                must be 0); and every function's cold start under aws-lambda-rie as a
#                ratio to an aws-lambda-go hello world
#
# Every section runs even when an earlier one fails; the exit status is 1 if any failed.
# Settings: BENCH_EVENTS (2000), BENCH_POSTERS (16), BENCH_COLD_RUNS (5),
# BENCH_VELOCITY_COUNT (7), BENCH_SEND_COUNT (7).
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
PATH="$root/bin:$PATH" # aws-lambda-rie as check.sh installs it
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

echo "# make bench: $(go version | cut -d' ' -f3-); $(nproc) CPUs; load average$(uptime | sed 's/.*load average//')"
start=$(date +%s)
failed=()

# section NAME CMD...: runs CMD with a header, its output also kept for the summary.
section() {
	local name="$1"
	shift
	local t0=$(date +%s)
	echo
	echo "=== $name: $*"
	"$@" 2>&1 | tee "$tmp/$name.out"
	local rc=${PIPESTATUS[0]}
	echo "=== $name: exit $rc after $(( $(date +%s) - t0 )) s"
	if [ "$rc" != 0 ]; then failed+=("$name"); fi
}

# 1. The template engine against the JVM; 2. a whole webhook call against net/http.
section velocity infra/velocity/bench.sh "${BENCH_VELOCITY_COUNT:-7}"
section delivery shared/send/bench.sh "${BENCH_SEND_COUNT:-7}"

# 3. Load and cold starts: built once, then run (go run would time its own compile).
if go build -o "$tmp/loadbench" ./infra/loadbench; then
	section load "$tmp/loadbench" -n "${BENCH_EVENTS:-2000}" -c "${BENCH_POSTERS:-16}" -cold-runs "${BENCH_COLD_RUNS:-5}"
else
	echo "=== load: infra/loadbench does not build"; failed+=(load)
fi

echo
echo "=== summary ($(( $(date +%s) - start )) s)"
if [ -f "$tmp/velocity.out" ]; then
	echo "velocity (ours vs the JVM; ratio < 1 is faster):"
	grep -E '^(template|small|medium|large) ' "$tmp/velocity.out" | sed 's/^/  /'
fi
if [ -f "$tmp/delivery.out" ]; then
	echo "delivery (shared/send/bench.sh):"
	grep -E '^(median|ratio)' "$tmp/delivery.out" | sed 's/^/  /'
fi
if [ -f "$tmp/load.out" ]; then
	grep -vE '^(load|cold): (the stack|building|round|[0-9]+ events accepted)' "$tmp/load.out"
fi
if [ ${#failed[@]} -gt 0 ]; then
	echo "FAILED: ${failed[*]}"
	exit 1
fi
echo "all sections passed"
