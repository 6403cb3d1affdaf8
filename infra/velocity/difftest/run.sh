#!/usr/bin/env bash
# run.sh DIR SEED N [family ...]: generate N templates into DIR, render them with
# the Go CLI (DIR) and the oracle (DIR.oracle), and list the cases that differ
# (DIR.diff). Needs python3 and the oracle's JDK; never part of make test.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
oracle="${ORACLE:-$root/../shared/velocity-oracle/render.sh}"
dir=$1 seed=$2 n=$3; shift 3
rm -rf "$dir" "$dir.oracle"
python3 "$here/gen.py" "$dir" "$seed" "$n" "$@"
cp -r "$dir" "$dir.oracle"
(cd "$root" && go build -o "$dir.velocity" ./infra/velocity)
"$dir.velocity" --batch "$dir"
"$oracle" --batch "$dir.oracle"
python3 "$here/cmp.py" "$dir" "$dir.oracle" | tee "$dir.diff"
