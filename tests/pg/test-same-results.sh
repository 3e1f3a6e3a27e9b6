#!/usr/bin/env bash
# test-same-results.sh: the same commands on SQLite and on PostgreSQL give byte-identical output (TAP).
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   tests/pg/with-pg.sh tests/pg/test-same-results.sh CLI SOURCE_ROOT
#
# Each scenario runs twice, once on a new SQLite file and once on a new
# database of the test server, and everything les-claims-cli writes is kept:
# what each command prints, every table exported, the payments, findings
# (messages included) and reconciliation, payment lines explained, and
# for the demo data the payment runs, every practice's statement, the report
# and an adjustment after a run. The two folders must be identical, byte for
# byte (but for patients' keys, made with each database's own secret): the
# backends are two homes for one set of figures.
set -u
cli=${1:?usage: test-same-results.sh CLI SOURCE_ROOT}
root=${2:?usage: test-same-results.sh CLI SOURCE_ROOT}
kinds="practices list-sizes services rules signups cohorts allocations claims patient-activity achievements ledger"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$root/tests/db-lib.sh"
n=0
failed=0

if [ "$les_test_backend" != postgresql ]; then
  echo "Bail out! run me through tests/pg/with-pg.sh"
  exit 1
fi

ok () {
  n=$((n + 1))
  if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi
}

# run OUT DB ARGS...: one command, its output and exit status appended to OUT/log
run () {
  local out=$1 db=$2
  shift 2
  local line="$*"
  echo "\$ les-claims-cli ${line//$out/OUT}" >>"$out/log"
  "$cli" --db "$db" "$@" >>"$out/log" 2>&1
  echo "exit $?" >>"$out/log"
}

export_all () {   # export_all OUT DB YEAR
  local out=$1 db=$2 year=$3 k
  for k in $kinds payments findings reconciliation; do
    run "$out" "$db" export "$k" --year "$year" -o "$out/$k.csv"
  done
  # a patient's key is keyed by the database's own secret (les_store_hash_nhs_number),
  # so it differs between any two databases: only whether there is one is compared
  awk -F, -v OFS=, 'NR > 1 && $4 != "" { $4 = "(key)" } { print }' "$out/patient-activity.csv" >"$out/p.csv" \
    && mv "$out/p.csv" "$out/patient-activity.csv"
}

# the first @max payment lines of the export, explained (a command each: a few show the
# explanation's statements agree without making this test the slowest of all)
explain_some () {   # explain_some OUT DB YEAR MAX
  local out=$1 db=$2 year=$3 max=$4 practice service rule period
  # (not an achievement line: the command line takes a rule code, which RULE:ACH is not)
  tail -n +2 "$out/payments.csv" | cut -d, -f1-4 | grep -v ':ACH,' | tr ',' ' ' | head -n "$max" > "$out/lines"
  while read -r practice service rule period; do
    run "$out" "$db" explain --year "$year" "$practice" "$service" "$rule" "$period"
  done < "$out/lines"
  rm -f "$out/lines"
}

example () {   # example DIR OUT DB
  local dir=$1 out=$2 db=$3 year to k
  mkdir -p "$out"
  year=$(sed -n 's/.*"year": *"\([^"]*\)".*/\1/p' "$dir/scenario.json")
  to=$(sed -n 's/.*"to": *"\([^"]*\)".*/\1/p' "$dir/scenario.json")
  # init prints where the database is, which differs: only its exit status is kept
  "$cli" --db "$db" init >/dev/null 2>&1
  echo "init: exit $?" >>"$out/log"
  for k in $kinds; do
    [ -f "$dir/$k.csv" ] && run "$out" "$db" import "$k" "$dir/$k.csv"
  done
  if [ -n "$to" ]; then
    run "$out" "$db" compute --year "$year" --to "$to"
  else
    run "$out" "$db" compute --year "$year"
  fi
  export_all "$out" "$db" "$year"
  explain_some "$out" "$db" "$year" 6
}

demo () {   # demo OUT DB
  local out=$1 db=$2 demo=$root/data/demo k p ref
  mkdir -p "$out/statements"
  for k in $kinds; do
    run "$out" "$db" import "$k" "$demo/$k.csv"
  done
  run "$out" "$db" compute --year 2024/25 --to 2024-12
  run "$out" "$db" set-status approved --all --year 2024/25
  run "$out" "$db" run --year 2024/25 --month 2024-12
  run "$out" "$db" run --year 2024/25 --month 2024-12
  for p in $(tail -n +2 "$demo/practices.csv" | cut -d, -f1); do
    run "$out" "$db" statement --year 2024/25 --run 1 "$p" -o "$out/statements/$p-1.csv"
  done
  run "$out" "$db" report --year 2024/25 -o "$out/report-1.csv"
  # a paid claim rejected: an adjustment in January's run
  ref=$(awk -F, 'NR > 1 && $2 == "Y90001" && $5 == "2024-11" { print $1; exit }' "$demo/claims.csv")
  run "$out" "$db" set-status rejected --reason "sent in error" "$ref"
  run "$out" "$db" compute --year 2024/25 --to 2025-01
  run "$out" "$db" run --year 2024/25 --month 2025-01
  run "$out" "$db" reopen --run 2 --reason "wrong month"
  run "$out" "$db" run --year 2024/25 --month 2025-01
  for p in $(tail -n +2 "$demo/practices.csv" | cut -d, -f1 | head -n 10); do
    run "$out" "$db" statement --year 2024/25 --run 3 "$p" -o "$out/statements/$p-3.csv"
  done
  run "$out" "$db" report --year 2024/25 -o "$out/report-3.csv"
  export_all "$out" "$db" 2024/25
  explain_some "$out" "$db" 2024/25 20
}

# compare NAME FAILURES: the two folders of a scenario identical, and as many
# commands failed as the scenario means to (two empty folders would agree too)
compare () {
  local name=$1 want=$2 got
  got=$(grep -c '^exit [1-9]' "$work/sqlite/$name/log")
  if [ "$got" != "$want" ] || [ "$(wc -l < "$work/sqlite/$name/payments.csv")" -lt 2 ]; then
    ok 1 "$name: the same output on SQLite and PostgreSQL"
    echo "# $got commands failed on SQLite (want $want), or no payment lines:"
    grep -B1 '^exit [1-9]' "$work/sqlite/$name/log" | sed 's/^/# /' | head -20
  elif diff -r "$work/sqlite/$name" "$work/postgresql/$name" >"$work/diff" 2>&1; then
    ok 0 "$name: the same output on SQLite and PostgreSQL ($(find "$work/sqlite/$name" -type f | wc -l) files)"
  else
    ok 1 "$name: the same output on SQLite and PostgreSQL"
    sed 's/^/# /' "$work/diff" | head -40
  fi
}

examples=()
for dir in "$root"/tests/examples/*/; do
  [ -f "$dir/scenario.json" ] && examples+=("${dir%/}")
done
echo "1..$((${#examples[@]} + 1))"

for dir in "${examples[@]}"; do
  name=$(basename "$dir")
  les_test_backend=sqlite
  example "$dir" "$work/sqlite/$name" "$(new_db "$name")"
  les_test_backend=postgresql
  example "$dir" "$work/postgresql/$name" "$(new_db "$name")"
  compare "$name" 0
done

les_test_backend=sqlite
demo "$work/sqlite/demo" "$(new_db demo)"
les_test_backend=postgresql
demo "$work/postgresql/demo" "$(new_db demo)"
compare demo 1   # December closed twice

[ $failed = 0 ]
