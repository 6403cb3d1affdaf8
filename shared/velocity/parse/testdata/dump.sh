#!/usr/bin/env bash
# dump.sh DIR: writes DIR/NAME.dump for every DIR/NAME.vm with Apache Velocity 1.7's
# parser (token chain and AST), using the oracle's class path.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
oracle="${VELOCITY_ORACLE:-/work/shared/velocity-oracle}"
. "$oracle/classpath.sh"
[ -f "$ORACLE_BUILD/Render.class" ] || "$oracle/install.sh"
out="${TMPDIR:-/tmp}/velocity-dump-build"
mkdir -p "$out"
if [ ! -f "$out/Dump.class" ] || [ "$here/Dump.java" -nt "$out/Dump.class" ]; then
  javac -nowarn -cp "$ORACLE_CP" -d "$out" "$here/Dump.java"
fi
exec java $ORACLE_JVM_FLAGS -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp "$out:$ORACLE_CP" Dump --batch "$1"
