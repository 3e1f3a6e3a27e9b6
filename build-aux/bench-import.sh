#!/usr/bin/env bash
# bench-import.sh: imports 1,000,000 generated claim rows and prints rows/s and peak memory,
# beside the time sqlite3's own .import takes for the same file into a bare table.
# SPDX-License-Identifier: GPL-3.0-or-later
# Usage: build-aux/bench-import.sh [CLI] [ROWS]   (CLI defaults to _build/src/cli/les-claims-cli)
set -euo pipefail
cd "$(dirname "$0")/.."
cli=${1:-_build/src/cli/les-claims-cli}
rows=${2:-1000000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 build-aux/generate-national.py --seed 1 --out "$work/data" --claims-rows "$rows" >/dev/null
db=$work/bench.db
"$cli" --db "$db" init >/dev/null
for k in practices services rules signups; do
  "$cli" --db "$db" import "$k" "$work/data/$k.csv" >/dev/null
done

/usr/bin/time -f "%e %M" -o "$work/time" "$cli" --db "$db" import claims "$work/data/claims.csv" >/dev/null
read -r secs kb < "$work/time"
/usr/bin/time -f "%e" -o "$work/time-sqlite" sqlite3 "$work/bare.db" ".mode csv" ".import $work/data/claims.csv claims"
read -r sqlite_secs < "$work/time-sqlite"

python3 - "$rows" "$secs" "$kb" "$sqlite_secs" <<'PY'
import sys
rows, secs, kb, sq = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
print(f"les-claims-cli import claims: {rows:,} rows in {secs:.2f} s = {rows / secs:,.0f} rows/s, "
      f"peak memory {kb / 1024:.0f} MB")
print(f"sqlite3 .import into a bare table: {sq:.2f} s ({secs / sq:.1f}x)")
PY
