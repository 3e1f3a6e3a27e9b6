#!/usr/bin/env bash
# test-statements.sh: payment runs over the demo data — December's run, every practice's statement as PDF and CSV, the report.
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
run 0 "run without --month previews the next open month" -- "$cli" --db "$db" run --year 2024/25 --dry-run
grep -q '^A run closing 2024-04 of 2024/25 would pay' "$work/out"
ok $? "the next open month is April"
run 2 "set-status with an unknown status is a usage error" -- "$cli" --db "$db" set-status paid --all --year 2024/25
run 2 "rejecting without a reason is a usage error" -- "$cli" --db "$db" set-status rejected DEMO-000001
run 1 "an unknown claim is bad input" -- "$cli" --db "$db" set-status approved NO-SUCH-CLAIM
run 0 "compute to December" -- "$cli" --db "$db" compute --year 2024/25 --to 2024-12
run 0 "approve every claim without errors" -- "$cli" --db "$db" set-status approved --all --year 2024/25
grep -q '^approved: [1-9][0-9,]* of ' "$work/out"
ok $? "set-status says how many claims changed"
errors=$(awk -F, '$1 == "error" && $7 != "" { print $7 }' <("$cli" --db "$db" export findings --year 2024/25) | sort -u | wc -l)
[ "$errors" -gt 0 ]
ok $? "the demo data has claims with errors ($errors)"

run 1 "January cannot be closed before the year is computed to it" -- \
  "$cli" --db "$db" run --year 2024/25 --month 2025-01
grep -q "2025-01 cannot be closed yet: 2024/25 is computed only to 2024-12" "$work/err"
ok $? "and says why"
run 0 "what closing December would pay" -- "$cli" --db "$db" run --year 2024/25 --month 2024-12 --dry-run
preview_total=$(sed -n 's/^A run closing 2024-12 of 2024\/25 would pay [0-9,]* lines, £\([0-9,.]*\)\.$/\1/p' "$work/out" | tr -d ',')
run 0 "close December" -- "$cli" --db "$db" run --year 2024/25 --month 2024-12
# "run 1 closes 2024-12 of 2024/25: 14,975 lines, total £12,421,918.93"
read -r _ run_id _ _ _ _ _ _ _ total < <(sed 's/[,£]//g' "$work/out")
[ "$run_id" = 1 ] && [ -n "$total" ]
ok $? "the run prints its number and total (run $run_id, total $total)"
[ "$preview_total" = "$total" ]
ok $? "the dry run said what the run paid ($preview_total)"
run 1 "December cannot be closed twice" -- "$cli" --db "$db" run --year 2024/25 --month 2024-12
run 1 "nor an earlier month" -- "$cli" --db "$db" run --year 2024/25 --month 2024-11

# every practice's statement at once: a PDF each, named by practice code, and one CSV of every line
run 0 "every practice's statement of run $run_id" -- "$cli" --db "$db" statement --run "$run_id" --all -o "$work/all"
all_csv=$work/all/statements-run-$run_id.csv
[ -s "$all_csv" ]
ok $? "one CSV of every line of every statement"
grep -q "^run $run_id: [0-9,]* statements in $work/all (a PDF each and statements-run-$run_id.csv), paid £" "$work/out"
ok $? "statement --all says what it wrote"

"$cli" --db "$db" export payments --year 2024/25 -o "$work/payments.csv"
"$cli" --db "$db" export claims --year 2024/25 -o "$work/claims.csv"

# pence → 1234.50 / -0.50, as the CSVs write amounts
pounds () {
  awk -F'|' -v OFS='|' '{ v = $NF; s = v < 0 ? "-" : ""; if (v < 0) v = -v; $NF = sprintf("%s%d.%02d", s, int(v / 100), v % 100); print }'
}

# the run's total per practice, from the database
db_query "$db" "SELECT practice_code, sum(payable) FROM paid_lines WHERE run_id = $run_id
  GROUP BY practice_code ORDER BY practice_code" | pounds > "$work/db-totals"
n_paid=$(wc -l < "$work/db-totals")
n_pdf=$(find "$work/all" -name '*.pdf' | wc -l)
[ "$n_paid" -gt 0 ] && [ "$n_pdf" = "$n_paid" ]
ok $? "a PDF for every practice the run paid ($n_pdf of $n_paid)"

# every practice's PDF total is the database's for the practice, and they sum to the run's
pdf_bad=0
sum=0
while IFS='|' read -r p t; do
  want=$(display "$t")
  if pdftotext -layout "$work/all/$p.pdf" "$work/all/$p.txt"; then
    grep -q "Total paid in this run .*${want}\$" "$work/all/$p.txt" \
      || { pdf_bad=1; echo "# $p: total $want not on its PDF"; }
    grep -q "Total paid  *${want}\$" "$work/all/$p.txt" \
      || { pdf_bad=1; echo "# $p: header total $want not on its PDF"; }
  else
    pdf_bad=1
  fi
  sum=$(awk -v a="$sum" -v b="$t" 'BEGIN { printf "%.2f", a + b }')
done < "$work/db-totals"
[ "$pdf_bad" = 0 ]
ok $? "every practice's PDF shows the run's total for the practice ($n_paid PDFs)"
[ "$sum" = "$total" ]
ok $? "the practices' totals sum to the run's total ($sum = $total)"

# the CSV: each practice's total row is the database's, each line paid a computed line, with its claims
awk -F, 'NR > 1 { print $1 "|" $2 "|" $3 "|" $4 "|" $7 }' "$work/payments.csv" | sort > "$work/computed"
python3 - "$all_csv" "$work/db-totals" "$work/claims.csv" > "$work/paid.unsorted" 2> "$work/csv-problems" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline='')))
want = dict(line.strip().split("|") for line in open(sys.argv[2]))
approved = {r["claim_ref"] for r in csv.DictReader(open(sys.argv[3], newline=''))}
totals = {r["practice_code"]: r["paid"] for r in rows if r["kind"] == "total"}
if totals != want:
    print("total rows differ from the database", file=sys.stderr)
for r in rows:
    if r["kind"] == "line":
        print("|".join([r["practice_code"], r["service_code"], r["rule_code"], r["period"], r["paid"]]))
        if r["units"] and not r["claims"]:
            print("an item line names no claim: %s" % r, file=sys.stderr)
        for ref in r["claims"].split():
            if ref not in approved:
                print("unknown claim %s" % ref, file=sys.stderr)
PY
[ ! -s "$work/csv-problems" ]
ok $? "the CSV's total rows are the database's, and every item line names its claims"
sed 's/^/# /' "$work/csv-problems" | head -5
sort "$work/paid.unsorted" > "$work/paid"
[ -s "$work/paid" ] && [ -z "$(comm -23 "$work/paid" "$work/computed")" ]
ok $? "every line paid equals its computed line ($(wc -l < "$work/paid") lines)"

db_total=$(db_query "$db" "SELECT sum(payable) FROM paid_lines WHERE run_id = $run_id" | pounds)
[ "$db_total" = "$total" ]
ok $? "the run's total is the sum of its paid lines in the database ($db_total)"
unapproved=$(db_query "$db" "SELECT count(*) FROM paid_lines AS p JOIN claims AS c ON c.practice_code = p.practice_code
  AND c.service_code = p.service_code AND c.item_code = p.rule_code AND c.period = p.period
  WHERE p.run_id = $run_id AND c.status NOT IN ('approved', 'rejected', 'withdrawn')
  AND NOT EXISTS (SELECT 1 FROM findings f WHERE f.claim_ref = c.claim_ref AND f.severity = 'error'
    AND f.code NOT IN ('BAD_NHS_NUMBER', 'DATE_OUTSIDE_PERIOD'))")
[ "$unapproved" = 0 ]
ok $? "no paid line has a claim that is not approved"
issued=$(db_query "$db" "SELECT count(DISTINCT row_key) FROM audit WHERE action = 'issue-statement'
  AND row_key LIKE '$run_id/%' AND after LIKE '%issued as pdf%'")
[ "$issued" = "$n_paid" ]
ok $? "every statement written is in the audit trail ($issued of $n_paid)"

# one practice at a time, as PDF and CSV: the PDF's amounts are the CSV's
practices=$(cut -d'|' -f1 "$work/db-totals" | head -n 12)
mismatch=0
pdf_checked=0
pdf_csvs=()
for p in $practices; do
  "$cli" --db "$db" statement --year 2024/25 --run "$run_id" "$p" -o "$work/$p.csv" 2>>"$work/err" || mismatch=1
  "$cli" --db "$db" statement --year 2024/25 --run "$run_id" "$p" -o "$work/$p.pdf" 2>>"$work/err" || mismatch=1
  pdf_csvs+=("$work/$p.csv")
done
[ "$mismatch" = 0 ]
ok $? "a statement of one practice as CSV and as PDF"
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
for p in $practices; do
  pdftotext -layout "$work/$p.pdf" "$work/$p.txt" || pdf_bad=1
  # the last amount of each table line (month first) is what was paid
  grep -E '^[A-Z][a-z]{2} [0-9]{4} ' "$work/$p.txt" | awk '{ print $NF }' | sort > "$work/$p.pdf-paid"
  sort -o "$work/$p.csv-paid" "$work/$p.csv-paid"
  cmp -s "$work/$p.pdf-paid" "$work/$p.csv-paid" || { pdf_bad=1; echo "# $p: paid amounts differ between PDF and CSV"; }
  pdf_checked=$((pdf_checked + 1))
done
[ "$pdf_bad" = 0 ] && [ "$pdf_checked" -gt 0 ]
ok $? "amounts on $pdf_checked statement PDFs equal the database's"

run 0 "the reconciliation report as PDF" -- "$cli" --db "$db" report --year 2024/25 -o "$work/report.pdf"
run 0 "the reconciliation report as CSV" -- "$cli" --db "$db" report --year 2024/25 -o "$work/report.csv"
paid_total=$(awk -F, '$2 == "Total" { print $4 }' "$work/report.csv")
[ "$paid_total" = "$total" ]
ok $? "the report's paid total is the run's total ($paid_total)"
pdftotext -layout "$work/report.pdf" - | grep -q "^ *Total .*$(display "$total")"
ok $? "the report PDF shows the paid total"

# figures are never set smaller to fit: the heights of the amounts, by PDF
amount_sizes () {   # amount_sizes FILE.pdf PAGE|0 X: distinct heights of amounts ending right of X, one a line
  if [ "$2" = 0 ]; then pdftotext -bbox "$1" "$work/bbox.html"; else pdftotext -bbox -f "$2" -l "$2" "$1" "$work/bbox.html"; fi
  python3 - "$work/bbox.html" "$3" <<'PY'
import re, sys
words = re.findall(r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
                   open(sys.argv[1], encoding="utf-8").read())
amount = re.compile(r"^−?£[\d,]+\.\d\d$")
for h in sorted({round(float(b) - float(a), 1) for a, x, b, w in words
                 if amount.match(w) and float(x) > float(sys.argv[2])}):
    print(h)
PY
}
sizes=$(amount_sizes "$work/report.pdf" 1 0 | tr '\n' ' ')
[ "$(amount_sizes "$work/report.pdf" 1 0 | wc -l)" = 1 ]
ok $? "every amount in the report's table is the same size, totals included ($sizes)"
# a statement's table: gross, held and paid end right of 350 points, its notes well left of them
first=$(head -n 1 "$work/db-totals" | cut -d'|' -f1)
sizes=$(amount_sizes "$work/all/$first.pdf" 0 350 | tr '\n' ' ')
[ "$(amount_sizes "$work/all/$first.pdf" 0 350 | wc -l)" = 1 ]
ok $? "every amount in a statement's table is the same size, totals included ($sizes)"
run 2 "a statement needs -o FILE.pdf or FILE.csv" -- "$cli" --db "$db" statement --year 2024/25 --run 1 Y90001 -o x.txt

# a change after the run becomes an adjustment in the next run
"$cli" --db "$db" export findings --year 2024/25 | awk -F, '$1 == "error" { print $7 }' | sort -u > "$work/bad-refs"
ref=$(awk -F, -v p=Y90001 'NR == FNR { bad[$1] = 1; next }
  FNR > 1 && $2 == p && $5 == "2024-11" && !($1 in bad) { print $1; exit }' "$work/bad-refs" "$work/claims.csv")
run 0 "reject a paid claim ($ref)" -- "$cli" --db "$db" set-status rejected --reason "sent in error" "$ref"
"$cli" --db "$db" report --year 2024/25 -o "$work/stale.pdf"
pdftotext -layout "$work/stale.pdf" - | grep -q "The figures are out of date: 1 claim decision since they were computed"
ok $? "a report of figures out of date says so"
run 0 "compute again" -- "$cli" --db "$db" compute --year 2024/25 --to 2024-12
run 1 "a year without services cannot be run" -- "$cli" --db "$db" run --year 2025/26 --month 2025-04
run 1 "a month outside the year is bad input" -- "$cli" --db "$db" run --year 2024/25 --month 2025-04
run 1 "January is not computed yet" -- "$cli" --db "$db" run --year 2024/25
run 0 "compute to January" -- "$cli" --db "$db" compute --year 2024/25 --to 2025-01
run 0 "close January, the next open month" -- "$cli" --db "$db" run --year 2024/25
read -r _ run2 _ month2 _ _ _ _ _ total2 < <(sed 's/[,£]//g' "$work/out")
[ "$month2" = 2025-01 ]
ok $? "the run closed January ($month2)"
"$cli" --db "$db" statement --year 2024/25 --run "$run2" Y90001 -o "$work/adj.csv"
grep -q ",adjustment,.*,-[0-9.]*,$run_id," "$work/adj.csv"
ok $? "the rejected claim appears as a negative adjustment correcting run $run_id"
grep -q ",rejected,[A-Z0-9_-]*,.*,sent in error,2024-11,[0-9]*,,,,,,,,$ref\$" "$work/adj.csv"
ok $? "and as a claim rejected since the previous run, with its reason"
"$cli" --db "$db" statement --run "$run2" Y90001 -o "$work/adj.pdf"
pdftotext -layout "$work/adj.pdf" - | grep -q "Rejected: sent in error"
ok $? "the statement PDF says why the claim was rejected"
run 0 "every statement of run $run2" -- "$cli" --db "$db" statement --run "$run2" --all -o "$work/all2"
[ -f "$work/all2/Y90001.pdf" ] && grep -q ",$ref\$" "$work/all2/statements-run-$run2.csv"
ok $? "with the rejected claim on its practice's"
run 2 "statement --all needs -o DIR" -- "$cli" --db "$db" statement --run "$run2" --all
run 1 "a run of another year is bad input" -- "$cli" --db "$db" statement --year 2025/26 --run "$run2" --all -o "$work/x"
run 2 "re-opening needs a reason" -- "$cli" --db "$db" reopen --run "$run2"
run 1 "only the latest run can be re-opened" -- "$cli" --db "$db" reopen --run "$run_id" --reason test
run 0 "the latest run can be re-opened" -- "$cli" --db "$db" reopen --run "$run2" --reason "wrong month"
run 0 "and January closed again" -- "$cli" --db "$db" run --year 2024/25 --month 2025-01
read -r _ run3 _ _ _ _ _ _ _ total3 < <(sed 's/[,£]//g' "$work/out")
[ "$total3" = "$total2" ] && [ "$run3" != "$run2" ]
ok $? "with the same total under a new number (run $run3: $total3)"

echo "1..$n"
[ "$failed" = 0 ]
