#!/usr/bin/env bash
# bench.sh [COUNT] [COLD_RUNS]
#
# Compares Flowhook's Velocity engine with the reference (Apache Velocity 1.7 on the
# JVM) on the oracle's benchmark templates (shared/velocity/testdata/bench):
#   warm: go test -bench BenchmarkRender -count COUNT (default 7), median ns/render,
#         against the median of the JVM's warm measurement slices;
#   cold: the built CLI rendering each template, process start to output, median of
#         COLD_RUNS (default 11) runs, against the JVM's cold start (bench.sh --cold).
# The machine may be shared: the script reports medians and ratios, and runs the
# JVM benchmark in the same invocation so both see the same load.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
count="${1:-7}"
coldRuns="${2:-11}"
oracle="${VELOCITY_ORACLE:-/work/shared/velocity-oracle}"
benchdir="$root/shared/velocity/testdata/bench"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

echo "# $(go version); $(nproc) CPUs; load:$(uptime | sed 's/.*load average//')"

# Warm, ours.
(cd "$root" && go test ./shared/velocity -run '^$' -bench 'BenchmarkRender/(small|medium|large)$' \
	-benchmem -count "$count") >"$tmp/go.txt"
median() { sort -n | awk '{a[NR]=$1} END {if (NR==0) {print "nan"} else if (NR%2) {print a[(NR+1)/2]} else {print (a[NR/2]+a[NR/2+1])/2}}'; }
for n in small medium large; do
	grep "^BenchmarkRender/$n-" "$tmp/go.txt" | awk '{for (i=1;i<=NF;i++) if ($i=="ns/op") print $(i-1)}' | median >"$tmp/go_$n"
	grep "^BenchmarkRender/$n-" "$tmp/go.txt" | awk '{for (i=1;i<=NF;i++) if ($i=="allocs/op") print $(i-1)}' | median >"$tmp/allocs_$n"
done

# Cold, ours: the built CLI, from just before exec to its exit (output written).
(cd "$root" && go build -o "$tmp/velocity" ./infra/velocity)
for n in small medium large; do
	for _ in $(seq "$coldRuns"); do
		t0=$(date +%s%N)
		"$tmp/velocity" "$benchdir/$n.vm" "$benchdir/$n.json" >/dev/null
		t1=$(date +%s%N)
		echo $(( (t1 - t0) / 1000 ))
	done | median >"$tmp/cold_$n" # microseconds
done

# The JVM, warm and cold, when Java is here.
java=0
if command -v java >/dev/null 2>&1 && [ -x "$oracle/bench.sh" ]; then
	java=1
	"$oracle/bench.sh" 2 5 >"$tmp/jvm.txt" 2>&1 || java=0
fi

printf '%-7s %14s %14s %8s %10s   %14s %14s %8s\n' template "ns/render" "JVM ns/render" ratio "allocs/op" "cold ms" "JVM cold ms" ratio
for n in small medium large; do
	ours=$(cat "$tmp/go_$n")
	cold=$(awk '{printf "%.1f", $1/1000}' "$tmp/cold_$n")
	jw=nan jc=nan rw=- rc=-
	if [ "$java" = 1 ]; then
		jw=$(awk -v n="$n" '$1==n && NF>=7 {print $6}' "$tmp/jvm.txt")
		jc=$(awk -v n="$n" '$1=="cold" && $2==n {print $4} $1=="cold" && $2==n":" {print $3}' "$tmp/jvm.txt" | head -1)
		rw=$(awk -v a="$ours" -v b="$jw" 'BEGIN {if (b>0) printf "%.2f", a/b; else print "-"}')
		rc=$(awk -v a="$cold" -v b="$jc" 'BEGIN {if (b>0) printf "1/%.0f", b/a; else print "-"}')
	fi
	printf '%-7s %14.0f %14s %8s %10s   %14s %14s %8s\n' "$n" "$ours" "$jw" "$rw" "$(cat "$tmp/allocs_$n")" "$cold" "$jc" "$rc"
done
if [ "$java" = 1 ]; then
	echo "# JVM (median of its measurement slices; cold from its bench.sh):"
	sed 's/^/#   /' "$tmp/jvm.txt"
else
	echo "# java not found: JVM columns left empty"
fi
