#!/usr/bin/env bash
# run-examples.sh: runs every worked example of the spec through les-claims-cli and compares the exports (TAP).
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   tests/run-examples.sh CLI [EXAMPLES_ROOT]
#
# For each example directory: a fresh database, each present CSV imported in
# the order of the examples' README, compute with the year and `to` of
# scenario.json, then payments.csv and reconciliation.csv compared byte for
# byte and findings.csv on every column but `message`, as a multiset (rows
# equal on every sort column may come in any order).
set -u

cli=${1:?usage: run-examples.sh CLI [EXAMPLES_ROOT]}
here=$(cd "$(dirname "$0")" && pwd)
root=${2:-$here/../../shared/spec/examples}

if [ ! -d "$root" ]; then
  echo "1..0 # SKIP no examples at $root"
  exit 0
fi

kinds=(practices list-sizes services rules signups cohorts allocations claims patient-activity achievements ledger)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

examples=()
for dir in "$root"/*/; do
  [ -f "$dir/scenario.json" ] && examples+=("${dir%/}")
done

echo "1..$((${#examples[@]} * 3))"
n=0
failed=0

# findings without the message column, sorted: a multiset as text
findings_keys () {
  python3 - "$1" <<'PY'
import csv, sys
with open(sys.argv[1], newline="", encoding="utf-8") as f:
    rows = [row[:-1] for row in csv.reader(f)]
header, body = rows[0], sorted(rows[1:])
for row in [header] + body:
    print(",".join(row))
PY
}

for dir in "${examples[@]}"; do
  name=$(basename "$dir")
  db="$work/$name.db"
  out="$work/$name"
  log="$work/$name.log"
  mkdir -p "$out"
  ok=1

  read -r year to < <(python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
print(s["year"], s.get("to") or "-")' "$dir/scenario.json")

  "$cli" --db "$db" init >"$log" 2>&1 || ok=0
  for kind in "${kinds[@]}"; do
    if [ $ok = 1 ] && [ -f "$dir/$kind.csv" ]; then
      "$cli" --db "$db" import "$kind" "$dir/$kind.csv" >>"$log" 2>&1 || ok=0
    fi
  done
  if [ $ok = 1 ]; then
    if [ "$to" = "-" ]; then
      "$cli" --db "$db" compute --year "$year" >>"$log" 2>&1 || ok=0
    else
      "$cli" --db "$db" compute --year "$year" --to "$to" >>"$log" 2>&1 || ok=0
    fi
  fi
  for kind in payments findings reconciliation; do
    if [ $ok = 1 ]; then
      "$cli" --db "$db" export "$kind" --year "$year" -o "$out/$kind.csv" >>"$log" 2>&1 || ok=0
    fi
  done

  for kind in payments findings reconciliation; do
    n=$((n + 1))
    expected="$dir/expected/$kind.csv"
    actual="$out/$kind.csv"
    if [ $ok != 1 ] || [ ! -f "$actual" ]; then
      echo "not ok $n - $name $kind"
      sed 's/^/# /' "$log"
      failed=$((failed + 1))
      continue
    fi
    if [ "$kind" = findings ]; then
      if diff <(findings_keys "$expected") <(findings_keys "$actual") >"$work/diff" 2>&1; then
        echo "ok $n - $name $kind"
      else
        echo "not ok $n - $name $kind"
        sed 's/^/# /' "$work/diff"
        failed=$((failed + 1))
      fi
    elif cmp -s "$expected" "$actual"; then
      echo "ok $n - $name $kind"
    else
      echo "not ok $n - $name $kind"
      diff "$expected" "$actual" | sed 's/^/# /'
      failed=$((failed + 1))
    fi
  done
done

[ $failed = 0 ]
