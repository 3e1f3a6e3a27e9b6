#!/usr/bin/env bash
# test-cli.sh: les-claims-cli end to end — exit codes, imports of every example, export round trips.
# SPDX-License-Identifier: GPL-3.0-or-later
# Usage: test-cli.sh CLI SOURCE_ROOT   (prints TAP)
set -u
cli=$1
root=$2
# the worked examples kept in the repository, so that a clone on its own runs them
examples=${LES_EXAMPLES_DIR:-$root/tests/examples}
kinds="practices list-sizes services rules signups cohorts allocations claims patient-activity achievements ledger"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# SQLite files, or PostgreSQL databases under tests/pg/with-pg.sh
. "$(dirname "$0")/db-lib.sh"
n=0
failed=0

ok () {
  n=$((n + 1))
  if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi
}

expect_status () {   # expect_status WANT DESCRIPTION -- command...
  local want=$1 what=$2
  shift 3
  "$@" >"$work/out" 2>"$work/err"
  local got=$?
  [ "$got" = "$want" ]
  ok $? "$what (exit $got, want $want)"
}

db=$(new_db t)
expect_status 0 "init creates a database" -- "$cli" --db "$db" init
expect_status 0 "init is harmless to repeat" -- "$cli" --db "$db" init
expect_status 2 "no command is a usage error" -- "$cli" --db "$db"
expect_status 2 "an unknown command is a usage error" -- "$cli" --db "$db" frobnicate
# issue #12, 4: a value echoed in a usage error can neither forge a line nor reach the terminal
expect_status 2 "a claim status with a line break is a usage error" -- "$cli" --db "$db" set-status "$(printf 'ok\nles-claims-cli: \033[2Jdone')" E0001
head -n 1 "$work/err" | grep -qxF 'les-claims-cli: “ok\nles-claims-cli: \x1B[2Jdone” is not a claim status' \
  && ! grep -q "$(printf '\033')" "$work/err" && ! grep -qx "les-claims-cli: .*done.*" <(tail -n +2 "$work/err")
ok $? "the value is quoted with its line break and escape shown, on one line"
head -n 1 "$work/err" | sed 's/^/# /'
expect_status 2 "an unknown kind is a usage error" -- "$cli" --db "$db" import widgets x.csv
expect_status 2 "an unknown option is a usage error" -- "$cli" --db "$db" export claims --yaer 2024/25
expect_status 2 "export without --year is a usage error" -- "$cli" --db "$db" export claims
expect_status 2 "a malformed --year is a usage error" -- "$cli" --db "$db" export claims --year 2024
expect_status 0 "--help succeeds" -- "$cli" --help
expect_status 1 "a missing file is bad input" -- "$cli" --db "$db" import claims "$work/nope.csv"

printf 'practice_code,practice_name,pcn_code\nA81001,Ashford,U81001\nBAD,Beech,U81001\n' > "$work/bad.csv"
expect_status 1 "a bad row is bad input" -- "$cli" --db "$db" import practices "$work/bad.csv"
grep -qxF "$work/bad.csv:3: practice_code: “BAD” is not a practice code (one letter and five digits, such as M83001)" "$work/err"
ok $? "the bad row is reported as FILE:LINE: COLUMN: message"
"$cli" --db "$db" export practices --year 2024/25 > "$work/p.csv"
[ "$(wc -l < "$work/p.csv")" = 1 ]
ok $? "nothing was imported from the bad file"

# Issue #12: amounts past the limits were wrapped (a budget of 184467440737095517
# imported as £0.84); now they are refused, and the largest accepted is kept exactly
db=$work/limits.db
printf 'service_code,year,name,budget\nBIG,2024/25,Big,184467440737095517\n' > "$work/budget.csv"
expect_status 1 "a budget of 184467440737095517 is refused" -- "$cli" --db "$db" import services "$work/budget.csv"
grep -qxF "$work/budget.csv:2: budget: “184467440737095517” is too large (at most 99,999,999,999,999.99)" "$work/err"
ok $? "the budget too large is reported as FILE:LINE: COLUMN: message"
[ -s "$work/err" ] && sed 's/^/# /' "$work/err"
printf 'service_code,year,name,budget\nBIG,2024/25,Big,"£99,999,999,999,999.99"\n' > "$work/services.csv"
expect_status 0 "the largest budget is accepted" -- "$cli" --db "$db" import services "$work/services.csv"
"$cli" --db "$db" export services --year 2024/25 | grep -q '^BIG,2024/25,Big,none,99999999999999.99,'
ok $? "the largest budget is kept to the penny"
printf 'service_code,period,amount,reference\nBIG,2024-04,100000000000000000,INV-1\n' > "$work/ledger.csv"
expect_status 1 "a ledger amount of 100000000000000000 is refused" -- "$cli" --db "$db" import ledger "$work/ledger.csv"
grep -qxF "$work/ledger.csv:2: amount: “100000000000000000” is too large (at most 99,999,999,999,999.99)" "$work/err"
ok $? "the ledger amount too large is reported as FILE:LINE: COLUMN: message"
[ -s "$work/err" ] && sed 's/^/# /' "$work/err"
"$cli" --db "$db" export ledger --year 2024/25 > "$work/ledger-out.csv"
[ "$(wc -l < "$work/ledger-out.csv")" = 1 ]
ok $? "nothing was imported from the ledger file"

# Issue #12: a count of 1,000,000,000,000 at £1,000,000,000,000 gave a line of
# −£25,377,642,901,154,037.76 (a 128-bit product cast to 64 bits); now an error naming the line
printf 'practice_code,practice_name,pcn_code\nA81001,Ashford,U81001\n' > "$work/practices.csv"
printf 'service_code,year,rule_code,kind,rate\nBIG,2024/25,ITEM,item,1000000000000\n' > "$work/rules.csv"
printf 'practice_code,service_code,year,from_date\nA81001,BIG,2024/25,2024-04-01\n' > "$work/signups.csv"
printf 'claim_ref,practice_code,service_code,item_code,period,count,submitted_date\nC1,A81001,BIG,ITEM,2024-04,1000000000000,2024-05-01\n' > "$work/claims.csv"
status=0
for k in practices rules signups claims; do
  "$cli" --db "$db" import "$k" "$work/$k.csv" >/dev/null 2>&1 || status=1
done
ok $status "the issue's count and rate are both accepted by import"
expect_status 1 "a compute of 1,000,000,000,000 units at £1,000,000,000,000 fails" -- "$cli" --db "$db" compute --year 2024/25
grep -qxF "les-claims-cli: Cannot compute service BIG, practice A81001, rule ITEM, 2024-04 exactly: 1000000000000 units at £1,000,000,000,000.00 each come to more than the largest amount (£99,999,999,999,999.99); nothing was computed" "$work/err"
ok $? "the error names the service, practice, rule and period"
[ -s "$work/err" ] && sed 's/^/# /' "$work/err"
expect_status 1 "the failed compute stored nothing" -- "$cli" --db "$db" export payments --year 2024/25

# Every example imports cleanly, with nothing on stderr (stderr is not a terminal)
[ -f "$examples/01-item-tariffs/scenario.json" ]
ok $? "the worked examples are at $examples"
for dir in "$examples"/*/; do
  name=$(basename "$dir")
  db=$(new_db "$name")
  [ "$name" = 01-item-tariffs ] && db01=$db
  status=0
  : > "$work/err"
  for k in $kinds; do
    [ -f "$dir/$k.csv" ] || continue
    "$cli" --db "$db" import "$k" "$dir/$k.csv" >/dev/null 2>>"$work/err" || status=1
  done
  [ $status = 0 ] && [ ! -s "$work/err" ]
  ok $? "$name imports cleanly and quietly"
  [ -s "$work/err" ] && sed 's/^/# /' "$work/err"

  year=$(sed -n 's/.*"year": *"\([^"]*\)".*/\1/p' "$dir/scenario.json")
  mkdir -p "$work/$name/a" "$work/$name/b"
  for k in $kinds; do
    "$cli" --db "$db" export "$k" --year "$year" -o "$work/$name/a/$k.csv" || status=1
  done
  ok $status "$name exports every table"

  # re-importing is harmless
  before=$(cat "$work/$name/a/"*.csv | md5sum)
  for k in $kinds; do
    [ -f "$dir/$k.csv" ] || continue
    "$cli" --db "$db" import "$k" "$dir/$k.csv" >/dev/null 2>&1 || status=1
  done
  for k in $kinds; do
    "$cli" --db "$db" export "$k" --year "$year" -o "$work/$name/c-$k.csv"
  done
  after=$(cd "$work/$name" && for k in $kinds; do cat "c-$k.csv"; done | md5sum)
  before=$(cd "$work/$name/a" && for k in $kinds; do cat "$k.csv"; done | md5sum)
  [ $status = 0 ] && [ "$before" = "$after" ]
  ok $? "$name re-imported changes nothing"

  # export → import into a new database → export gives identical files
  db2=$(new_db "$name-2")
  for k in $kinds; do
    "$cli" --db "$db2" import "$k" "$work/$name/a/$k.csv" >/dev/null 2>&1 || status=1
  done
  for k in $kinds; do
    "$cli" --db "$db2" export "$k" --year "$year" -o "$work/$name/b/$k.csv" || status=1
  done
  diff -r "$work/$name/a" "$work/$name/b" > "$work/diff" 2>&1 && [ $status = 0 ]
  ok $? "$name round trip export → import → export is identical"
  [ -s "$work/diff" ] && sed 's/^/# /' "$work/diff" | head -20
done

# Input files in the example directories are reproduced value for value
dir="$examples/01-item-tariffs"
"$cli" --db "$db01" export claims --year 2024/25 | cmp -s - "$dir/claims.csv"
ok $? "01 claims export equals the claims file"
"$cli" --db "$db01" export ledger --year 2024/25 | cmp -s - "$dir/ledger.csv"
ok $? "01 ledger export equals the ledger file"

# The month a year is worked to, and figures that say they are out of date
db=$(new_db status)
for k in $kinds; do
  [ -f "$dir/$k.csv" ] && "$cli" --db "$db" import "$k" "$dir/$k.csv" >/dev/null 2>&1
done
last=$(tail -n +2 "$dir/claims.csv" | cut -d, -f5 | sort | tail -n 1)
expect_status 0 "status of a year never computed" -- "$cli" --db "$db" status --year 2024/25
grep -qx "2024/25 is worked to $last (by default: the latest month with claims, or the month after the latest run)" "$work/out" \
  && grep -q "^figures: 2024/25 has not been computed yet" "$work/out"
ok $? "it is worked to the latest month with claims ($last) and not computed"
expect_status 0 "compute to June" -- "$cli" --db "$db" compute --year 2024/25 --to 2024-06
grep -Eq "^2024/25 to 2024-06: [0-9,]+ claims, [0-9,]+ payment lines, payable £[0-9,]+\.[0-9]{2}, held £[0-9,.]+; " "$work/out"
ok $? "compute says what it did in figures for people"
"$cli" --db "$db" status --year 2024/25 > "$work/out"
grep -qx "2024/25 is worked to 2024-06" "$work/out" && grep -qx "figures: up to date" "$work/out"
ok $? "a compute keeps its month, and its figures are up to date"
printf 'claim_ref,practice_code,service_code,item_code,period,count,submitted_date\nZ9999,A81001,ECG,ECG,2024-06,1,2024-07-01\n' > "$work/late.csv"
"$cli" --db "$db" import claims "$work/late.csv" >/dev/null
"$cli" --db "$db" status --year 2024/25 > "$work/out"
grep -q "^figures: The figures are out of date: 1 import since they were computed on " "$work/out"
ok $? "an import since the compute makes the figures out of date"
expect_status 0 "status --to keeps another month" -- "$cli" --db "$db" status --year 2024/25 --to 2024-07
grep -qx "2024/25 is worked to 2024-07" "$work/out" && grep -q "but 2024/25 is worked to July 2024\.$" "$work/out"
ok $? "and says the figures are computed to another month"
expect_status 1 "a run of a month after the computed one is refused" -- \
  "$cli" --db "$db" run --year 2024/25 --month 2024-07 --dry-run
expect_status 2 "status --to a malformed month is a usage error" -- "$cli" --db "$db" status --year 2024/25 --to 2024-7
expect_status 1 "status --to a month of another year is bad input" -- \
  "$cli" --db "$db" status --year 2024/25 --to 2025-04

# Issue #12, 3: set-status approved --all read the claims, then approved each
# whatever it had become; a claim rejected in between ended approved. Another
# client holds the write lock with E0002 rejected while the approval, having
# read the claims, waits for it.
if db_can_query; then
  db=$(new_db race)
  for k in practices list-sizes services rules signups claims; do
    "$cli" --db "$db" import "$k" "$examples/01-item-tariffs/$k.csv" >/dev/null 2>&1
  done
  "$cli" --db "$db" compute --year 2024/25 >/dev/null 2>&1
  mkfifo "$work/held.sql"
  exec 4<>"$work/held.sql"
  reject="UPDATE claims SET status = 'rejected', status_reason = 'suspected fraud' WHERE claim_ref = 'E0002';"
  if [ "$les_test_backend" = postgresql ]; then
    "$PG_BINDIR/psql" -X -q -A -t -d "$db" <"$work/held.sql" >"$work/held.out" 2>&1 4>&- &
    printf "BEGIN; SELECT pg_advisory_xact_lock(21468322294874955); %s SELECT 'held';\n" "$reject" >&4
  else
    sqlite3 "$db" <"$work/held.sql" >"$work/held.out" 2>&1 4>&- &
    printf "BEGIN IMMEDIATE; %s SELECT 'held';\n" "$reject" >&4
  fi
  other=$!
  for _ in $(seq 1 300); do grep -q held "$work/held.out" && break; sleep 0.1; done
  "$cli" --db "$db" set-status approved --all --year 2024/25 >"$work/out" 2>"$work/err" 4>&- &
  approval=$!
  # it has read the claims when it waits for the lock (a server's wait is not told: pg_locks shows it)
  waiting () {
    if [ "$les_test_backend" = postgresql ]; then
      [ "$(db_query "$db" "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")" -gt 0 ]
    else
      grep -q "Waiting for" "$work/err"
    fi
  }
  for _ in $(seq 1 300); do waiting && break; sleep 0.1; done
  echo "COMMIT;" >&4
  exec 4>&-
  wait "$other"
  wait "$approval"
  status=$?
  [ $status = 1 ]
  ok $? "an approval of every claim, one of them rejected meanwhile, exits 1 (exit $status)"
  grep -qxF "E0002: left as it is — it was rejected meanwhile (suspected fraud)" "$work/err"
  ok $? "the claim rejected meanwhile is named, with what it is now"
  grep -q "^approved: [1-9][0-9]* of [0-9]* claims changed$" "$work/out" \
    && grep -qF "1 claim was decided on meanwhile and left as it is" "$work/err"
  ok $? "how many others were approved is said"
  sed 's/^/# /' "$work/err" "$work/out"
  [ "$(db_query "$db" "SELECT status FROM claims WHERE claim_ref = 'E0002'")" = rejected ] \
    && [ "$(db_query "$db" "SELECT status FROM claims WHERE claim_ref = 'E0001'")" = approved ]
  ok $? "the rejection stands and the others are approved"
fi

echo "1..$n"
echo "# $((n - failed)) passed, $failed failed"
[ $failed = 0 ]
