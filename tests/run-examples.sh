#!/usr/bin/env bash
# run-examples.sh: runs every worked example in tests/examples through les-claims-cli and compares the exports (TAP).
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   tests/run-examples.sh CLI [EXAMPLES_ROOT]
#
# For each example directory: a fresh database (a SQLite file, or a PostgreSQL
# database when run by tests/pg/with-pg.sh), each present CSV imported in
# the order of the specification's examples README, compute with the year and
# `to` of scenario.json, then payments.csv and reconciliation.csv compared byte
# for byte and findings.csv on every column but `message`, as a multiset (rows
# equal on every sort column may come in any order).
#
# The examples live in the repository (tests/examples) so that a clone on its
# own runs them all. When the specification is checked out beside the
# repository (../shared/spec/examples), one more check compares the copies of
# its examples here with it, so that a change to the specification is seen
# (LES_SPEC_EXAMPLES names another copy of the specification's examples);
# nothing else looks there.
set -u

cli=${1:?usage: run-examples.sh CLI [EXAMPLES_ROOT]}
here=$(cd "$(dirname "$0")" && pwd)
root=${2:-$here/examples}
spec=${LES_SPEC_EXAMPLES:-$here/../../shared/spec/examples}

if [ ! -d "$root" ]; then
  echo "Bail out! no examples at $root"
  exit 1
fi

kinds=(practices list-sizes services rules signups cohorts allocations claims patient-activity achievements ledger)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# SQLite files, or PostgreSQL databases under tests/pg/with-pg.sh
. "$here/db-lib.sh"

examples=()
for dir in "$root"/*/; do
  [ -f "$dir/scenario.json" ] && examples+=("${dir%/}")
done

if [ ${#examples[@]} = 0 ]; then
  echo "Bail out! no example directory (with a scenario.json) in $root"
  exit 1
fi

spec_examples=()
if [ -d "$spec" ]; then
  spec=$(cd "$spec" && pwd)
  for dir in "$spec"/*/; do
    [ -f "$dir/scenario.json" ] && spec_examples+=("$(basename "$dir")")
  done
fi

echo "1..$((${#examples[@]} * 3 + (${#spec_examples[@]} > 0 ? 1 : 0)))"
n=0
failed=0

# The repository's copies of the specification's examples: every input,
# scenario.json and expected output identical (each side's README.md is its own)
if [ ${#spec_examples[@]} -gt 0 ]; then
  n=$((n + 1))
  : > "$work/drift"
  for name in "${spec_examples[@]}"; do
    diff -r -x README.md "$spec/$name" "$here/examples/$name" >>"$work/drift" 2>&1
  done
  if [ -s "$work/drift" ]; then
    echo "not ok $n - the examples in tests/examples are those of ../shared/spec/examples (${#spec_examples[@]})"
    sed 's/^/# /' "$work/drift" | head -40
    failed=$((failed + 1))
  else
    echo "ok $n - the examples in tests/examples are those of ../shared/spec/examples (${#spec_examples[@]})"
  fi
fi

# findings without the message column, compared as multisets: a diff of the
# sorted rows, empty when they agree (one python3 per example: its start-up
# is most of this test's time on a loaded machine)
findings_diff () {
  python3 - "$1" "$2" <<'PY'
import csv, difflib, sys
def keys(path):
    with open(path, newline="", encoding="utf-8") as f:
        rows = [",".join(row[:-1]) for row in csv.reader(f)]
    return rows[:1] + sorted(rows[1:])
diff = list(difflib.unified_diff(keys(sys.argv[1]), keys(sys.argv[2]),
                                 "expected", "actual", lineterm=""))
print("\n".join(diff))
sys.exit(1 if diff else 0)
PY
}

for dir in "${examples[@]}"; do
  name=$(basename "$dir")
  out="$work/$name"
  log="$work/$name.log"
  mkdir -p "$out"
  ok=1
  db=$(new_db "$name" 2>"$log") || ok=0

  # scenario.json is {"year": "2024/25", "to": "2024-06"}, "to" null for the whole year
  year=$(sed -n 's/.*"year": *"\([^"]*\)".*/\1/p' "$dir/scenario.json")
  to=$(sed -n 's/.*"to": *"\([^"]*\)".*/\1/p' "$dir/scenario.json")
  to=${to:--}

  [ $ok = 1 ] && { "$cli" --db "$db" init >>"$log" 2>&1 || ok=0; }
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
      if findings_diff "$expected" "$actual" >"$work/diff" 2>&1; then
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
