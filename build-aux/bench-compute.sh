#!/usr/bin/env bash
# bench-compute.sh: imports a national-scale data set and times `compute` (seconds and peak memory).
# SPDX-License-Identifier: GPL-3.0-or-later
# Usage: build-aux/bench-compute.sh [CLI] [DATA_DIR]
#   CLI defaults to _build/src/cli/les-claims-cli; DATA_DIR to a fresh
#   `build-aux/generate-national.py --seed 1` set (about 3 million claims for
#   6,500 practices and 30 services).  Runs compute twice: the first on a
#   database with no results, the second replacing them (the usual case).
set -euo pipefail
cd "$(dirname "$0")/.."
cli=${1:-_build/src/cli/les-claims-cli}
data=${2:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if ! [ -x /usr/bin/time ]; then
  echo "bench-compute.sh needs /usr/bin/time (Debian package time)" >&2
  exit 2
fi
if [ -z "$data" ]; then
  data=$work/data
  python3 build-aux/generate-national.py --seed 1 --out "$data" >/dev/null
fi

db=$work/bench.db
"$cli" --db "$db" init >/dev/null
start=$(date +%s%N)
for kind in practices list-sizes services rules signups cohorts allocations claims patient-activity \
            achievements ledger; do
  if [ -f "$data/$kind.csv" ]; then
    "$cli" --db "$db" import "$kind" "$data/$kind.csv" >/dev/null
  fi
done
end=$(date +%s%N)
claims=$(($(wc -l < "$data/claims.csv") - 1))
printf 'import: %d claims and the reference files in %d.%01d s\n' "$claims" \
  "$(((end - start) / 1000000000))" "$(((end - start) / 100000000 % 10))"

for run in first again; do
  sync
  /usr/bin/time -v -o "$work/time" "$cli" --db "$db" compute --year 2024/25 >"$work/out"
  secs=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/time" \
         | awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }')
  kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time")
  printf 'compute (%s): %.2f s, peak memory %d MB — %s\n' "$run" "$secs" "$((kb / 1024))" "$(cat "$work/out")"
done
