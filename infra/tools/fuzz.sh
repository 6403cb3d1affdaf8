#!/usr/bin/env bash
# Runs Go fuzz targets for a while each: fuzz.sh DURATION [PACKAGE:TARGET...]
# With no targets it runs every fuzz target in the module (make fuzz; make fuzz FUZZTIME=10m).
# One target longer: go test -run '^$' -fuzz '^FuzzParse$' -fuzztime 1h ./shared/velocity/parse
# (Every target's seed corpus also runs as a plain test in go test ./...)
set -euo pipefail
cd "$(dirname "$0")/../.."
T="${1:-5s}"; shift || true
if [ $# -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <(git ls-files '*_test.go' | xargs grep -oE '^func (Fuzz[A-Za-z0-9_]+)\(' /dev/null \
    | sed -E 's/\($//; s#^(.*)/[^/]*_test\.go:func #./\1:#' | sort -u)
fi
log=$(mktemp); trap 'rm -f "$log"' EXIT
for t in "${targets[@]}"; do
  dir="${t%%:*}"; fn="${t##*:}"
  echo "fuzz: $fn in $dir for $T"
  go test -run '^$' -fuzz "^${fn}\$" -fuzztime "$T" "$dir" >"$log" 2>&1 || { cat "$log"; exit 1; }
done
echo "fuzz: ${#targets[@]} targets ran for $T each"
