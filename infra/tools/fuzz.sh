#!/usr/bin/env bash
# Runs every Go fuzz target in the module for a while each (default 5s): fuzz.sh [DURATION].
# Longer runs: make fuzz FUZZTIME=10m, or one target: go test -run '^$' -fuzz '^FuzzParse$' -fuzztime 1h ./shared/velocity/parse
set -euo pipefail
cd "$(dirname "$0")/../.."
T="${1:-5s}"
n=0
while IFS=: read -r file fn; do
  dir="./$(dirname "$file")"
  echo "fuzz: $fn in $dir for $T"
  go test -run '^$' -fuzz "^${fn}\$" -fuzztime "$T" "$dir" >/tmp/fuzz.$$.log 2>&1 || { cat /tmp/fuzz.$$.log; rm -f /tmp/fuzz.$$.log; exit 1; }
  n=$((n+1))
done < <(git ls-files '*_test.go' | xargs grep -oE '^func (Fuzz[A-Za-z0-9_]+)\(' /dev/null | sed -E 's/\($//; s/:func /:/' | sort)
rm -f /tmp/fuzz.$$.log
echo "fuzz: $n targets ran for $T each"
