#!/usr/bin/env bash
# test-statements.sh: payment runs over the demo data — December's run, statements as PDF and CSV, the report.
# SPDX-License-Identifier: GPL-3.0-or-later
# Usage: test-statements.sh CLI SOURCE_ROOT   (prints TAP)
set -u
cli=$1
root=$2
demo=$root/data/demo
kinds="practices list-sizes services rules signups cohorts allocations claims patient-activity achievements ledger"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# a SQLite file, or a PostgreSQL database under tests/pg/with-pg.sh
. "$(dirname "$0")/db-lib.sh"
db=$(new_db demo)
n=0
failed=0

ok () {
  n=$((n + 1))
  if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi
}

skip () {
  n=$((n + 1))
  echo "ok $n # SKIP $1"
}

run () {   # run WANT DESCRIPTION -- command...
  local want=$1 what=$2
  shift 3
  "$@" >"$work/out" 2>"$work/err"
  local got=$?
  [ "$got" = "$want" ]
  ok $? "$what (exit $got, want $want)"
  [ "$got" = "$want" ] || sed 's/^/# /' "$work/err"
}

# pence → £1,234.50 / −£0.50, as les_money_format_display
display () {
  awk -v v="$1" 'BEGIN {
    neg = (substr(v, 1, 1) == "-"); if (neg) v = substr(v, 2)
    split(v, p, "."); i = p[1]; out = ""
    while (length(i) > 3) { out = "," substr(i, length(i) - 2) out; i = substr(i, 1, length(i) - 3) }
    printf "%s£%s%s.%s\n", (neg ? "−" : ""), i, out, p[2] }'
}

imported=0
for k in $kinds; do
  "$cli" --db "$db" import "$k" "$demo/$k.csv" >/dev/null 2>"$work/err" || imported=1
done
ok $imported "the demo data imports"

run 2 "a malformed --month is a usage error" -- \
  "$cli" --db "$db" run --year 2024/25 --month 2024-13
run 2 "run without --month is a usage error" -- "$cli" --db "$db" run --year 2024/25
run 2 "set-status with an unknown status is a usage error" -- "$cli" --db "$db" set-status paid --all --year 2024/25
run 2 "rejecting without a reason is a usage error" -- "$cli" --db "$db" set-status rejected DEMO-000001
run 1 "an unknown claim is bad input" -- "$cli" --db "$db" set-status approved NO-SUCH-CLAIM
run 0 "compute to December" -- "$cli" --db "$db" compute --year 2024/25 --to 2024-12
run 0 "approve every claim without errors" -- "$cli" --db "$db" set-status approved --all --year 2024/25
grep -q '^approved: [1-9][0-9]* of ' "$work/out"
ok $? "set-status says how many claims changed"
errors=$(awk -F, '$1 == "error" && $7 != "" { print $7 }' <("$cli" --db "$db" export findings --year 2024/25) | sort -u | wc -l)
[ "$errors" -gt 0 ]
ok $? "the demo data has claims with errors ($errors)"

run 0 "close December" -- "$cli" --db "$db" run --year 2024/25 --month 2024-12
read -r _ run_id _ _ _ _ _ _ _ total < <(tr -d ',' < "$work/out")
[ "$run_id" = 1 ] && [ -n "$total" ]
ok $? "the run prints its number and total (run $run_id, total $total)"
run 1 "December cannot be closed twice" -- "$cli" --db "$db" run --year 2024/25 --month 2024-12
run 1 "nor an earlier month" -- "$cli" --db "$db" run --year 2024/25 --month 2024-11

# every paid line of the run is a computed line with the same payable, and no line with an
# unapproved claim was paid
"$cli" --db "$db" export payments --year 2024/25 -o "$work/payments.csv"
"$cli" --db "$db" export claims --year 2024/25 -o "$work/claims.csv"

sum=0
mismatch=0
pdf_checked=0
pdf_bad=0
practices=$(tail -n +2 "$demo/practices.csv" | cut -d, -f1)
for p in $practices; do
  "$cli" --db "$db" statement --year 2024/25 --run "$run_id" "$p" -o "$work/$p.csv" 2>>"$work/err" || mismatch=1
  t=$(tail -n 1 "$work/$p.csv" | awk -F, '{ print $(NF - 2) }')
  sum=$(awk -v a="$sum" -v b="$t" 'BEGIN { printf "%.2f", a + b }')
done
[ "$mismatch" = 0 ]
ok $? "a statement CSV for every practice"
[ "$sum" = "$total" ]
ok $? "the statements of all practices sum to the run's total ($sum = $total)"

# the statement lines against the compute's payment lines (payments export)
python_ok=1
awk -F, 'NR > 1 { print $1 "|" $2 "|" $3 "|" $4 "|" $7 }' "$work/payments.csv" | sort > "$work/computed"
# one python3 for all the statements: a start-up per practice (143) outran the timeout
# on a loaded machine where python3 is a shell shim taking seconds to start
statements=()
for p in $practices; do statements+=("$work/$p.csv"); done
python3 - "${statements[@]}" <<'PY' 2>/dev/null > "$work/paid.unsorted" || python_ok=0
import csv, sys
for path in sys.argv[1:]:
    for r in csv.DictReader(open(path, newline='')):
        if r["kind"] == "line":
            print("|".join([r["practice_code"], r["service_code"], r["rule_code"], r["period"], r["paid"]]))
PY
sort "$work/paid.unsorted" > "$work/paid"
if [ "$python_ok" = 1 ]; then
  [ -s "$work/paid" ] && [ -z "$(comm -23 "$work/paid" "$work/computed")" ]
  ok $? "every line paid equals its computed line ($(wc -l < "$work/paid") lines)"
else
  skip "python3 not available to read the statement CSVs"
fi

if db_can_query; then
  db_total=$(db_query "$db" "SELECT sum(payable) FROM paid_lines WHERE run_id = $run_id" \
             | awk '{ v = $1; s = v < 0 ? "-" : ""; if (v < 0) v = -v; printf "%s%d.%02d", s, int(v / 100), v % 100 }')
  [ "$db_total" = "$total" ]
  ok $? "the run's total is the sum of its paid lines in the database ($db_total)"
  unapproved=$(db_query "$db" "SELECT count(*) FROM paid_lines AS p JOIN claims AS c ON c.practice_code = p.practice_code
    AND c.service_code = p.service_code AND c.item_code = p.rule_code AND c.period = p.period
    WHERE p.run_id = $run_id AND c.status NOT IN ('approved', 'rejected', 'withdrawn')
    AND NOT EXISTS (SELECT 1 FROM findings f WHERE f.claim_ref = c.claim_ref AND f.severity = 'error'
      AND f.code NOT IN ('BAD_NHS_NUMBER', 'DATE_OUTSIDE_PERIOD'))")
  [ "$unapproved" = 0 ]
  ok $? "no paid line has a claim that is not approved"
  n_practices=$(echo $practices | wc -w)
  issued=$(db_query "$db" "SELECT count(*) FROM audit WHERE action = 'issue-statement'
    AND row_key LIKE '$run_id/%' AND after LIKE '%issued as csv%'")
  [ "$issued" = "$n_practices" ]
  ok $? "every statement written is in the audit trail ($issued of $n_practices)"
else
  skip "no client to query the database (sqlite3 or psql)"
  skip "no client to query the database (sqlite3 or psql)"
  skip "no client to query the database (sqlite3 or psql)"
fi

# PDFs read back: each line's paid amount and the total, as in the CSV (the database's figures)
if command -v pdftotext >/dev/null; then
  pdf_practices=$(echo "$practices" | head -n 25)
  # each CSV's paid amounts as the PDF shows them, to FILE.csv-paid (sorted below, by the
  # same sort as the PDF's); one python3 for all
  pdf_csvs=()
  for p in $pdf_practices; do pdf_csvs+=("$work/$p.csv"); done
  python3 - "${pdf_csvs[@]}" <<'PY' || pdf_bad=1
import csv, sys
def display(v):
    neg = v.startswith("-"); v = v.lstrip("-")
    i, d = v.split(".")
    return ("−" if neg else "") + "£" + "{:,}".format(int(i)) + "." + d
for path in sys.argv[1:]:
    paid = [display(r["paid"]) for r in csv.DictReader(open(path, newline=''))
            if r["kind"] in ("line", "adjustment")]
    with open(path + "-paid", "w", encoding="utf-8") as out:
        out.write("".join(v + "\n" for v in paid))
PY
  for p in $pdf_practices; do
    "$cli" --db "$db" statement --year 2024/25 --run "$run_id" "$p" -o "$work/$p.pdf" 2>>"$work/err" || pdf_bad=1
    pdftotext -layout "$work/$p.pdf" "$work/$p.txt" || pdf_bad=1
    want_total=$(display "$(tail -n 1 "$work/$p.csv" | awk -F, '{ print $(NF - 2) }')")
    grep -q "Total paid in this run .*${want_total}\$" "$work/$p.txt" || { pdf_bad=1; echo "# $p: total $want_total not on the PDF"; }
    grep -q "Total paid  *${want_total}" "$work/$p.txt" || { pdf_bad=1; echo "# $p: header total $want_total not on the PDF"; }
    # the last amount of each table line (month first) is what was paid
    grep -E '^[A-Z][a-z]{2} [0-9]{4} ' "$work/$p.txt" | awk '{ print $NF }' | sort > "$work/$p.pdf-paid"
    sort -o "$work/$p.csv-paid" "$work/$p.csv-paid"
    cmp -s "$work/$p.pdf-paid" "$work/$p.csv-paid" || { pdf_bad=1; echo "# $p: paid amounts differ between PDF and CSV"; }
    pdf_checked=$((pdf_checked + 1))
  done
  [ "$pdf_bad" = 0 ] && [ "$pdf_checked" -gt 0 ]
  ok $? "amounts on $pdf_checked statement PDFs equal the database's"
else
  skip "pdftotext (poppler-utils) not available"
fi

run 0 "the reconciliation report as PDF" -- "$cli" --db "$db" report --year 2024/25 -o "$work/report.pdf"
run 0 "the reconciliation report as CSV" -- "$cli" --db "$db" report --year 2024/25 -o "$work/report.csv"
paid_total=$(awk -F, '$2 == "Total" { print $4 }' "$work/report.csv")
[ "$paid_total" = "$total" ]
ok $? "the report's paid total is the run's total ($paid_total)"
if command -v pdftotext >/dev/null; then
  pdftotext -layout "$work/report.pdf" - | grep -q "^ *Total .*$(display "$total")"
  ok $? "the report PDF shows the paid total"
fi
run 2 "a statement needs -o FILE.pdf or FILE.csv" -- "$cli" --db "$db" statement --year 2024/25 --run 1 Y90001 -o x.txt

# a change after the run becomes an adjustment in the next run
"$cli" --db "$db" export findings --year 2024/25 | awk -F, '$1 == "error" { print $7 }' | sort -u > "$work/bad-refs"
ref=$(awk -F, -v p=Y90001 'NR == FNR { bad[$1] = 1; next }
  FNR > 1 && $2 == p && $5 == "2024-11" && !($1 in bad) { print $1; exit }' "$work/bad-refs" "$work/claims.csv")
run 0 "reject a paid claim ($ref)" -- "$cli" --db "$db" set-status rejected --reason "sent in error" "$ref"
run 0 "compute again" -- "$cli" --db "$db" compute --year 2024/25 --to 2024-12
run 1 "a year without services cannot be run" -- "$cli" --db "$db" run --year 2025/26 --month 2025-04
run 1 "a month outside the year is bad input" -- "$cli" --db "$db" run --year 2024/25 --month 2025-04
run 0 "close January" -- "$cli" --db "$db" run --year 2024/25 --month 2025-01
read -r _ run2 _ _ _ _ _ _ _ total2 < <(tr -d ',' < "$work/out")
"$cli" --db "$db" statement --year 2024/25 --run "$run2" Y90001 -o "$work/adj.csv"
grep -q ",adjustment,.*,-[0-9.]*,$run_id," "$work/adj.csv"
ok $? "the rejected claim appears as a negative adjustment correcting run $run_id"
run 2 "re-opening needs a reason" -- "$cli" --db "$db" reopen --run "$run2"
run 1 "only the latest run can be re-opened" -- "$cli" --db "$db" reopen --run "$run_id" --reason test
run 0 "the latest run can be re-opened" -- "$cli" --db "$db" reopen --run "$run2" --reason "wrong month"
run 0 "and January closed again" -- "$cli" --db "$db" run --year 2024/25 --month 2025-01
read -r _ run3 _ _ _ _ _ _ _ total3 < <(tr -d ',' < "$work/out")
[ "$total3" = "$total2" ] && [ "$run3" != "$run2" ]
ok $? "with the same total under a new number (run $run3: $total3)"

echo "1..$n"
[ "$failed" = 0 ]
