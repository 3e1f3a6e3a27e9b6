#!/usr/bin/env bash
# test-demo.sh: the demo data set — regenerated identically, imported cleanly, and computed
# to December within 10% of the real ICB's spend to date (FOI file) for every service.
# SPDX-License-Identifier: GPL-3.0-or-later
# Usage: test-demo.sh CLI SOURCE_ROOT   (prints TAP)
set -u
cli=$1
root=$2
# the FOI return kept in the repository (tests/data/README.md), so that a clone on its own runs this
foi=${LES_FOI_FILE:-$root/tests/data/ssot-les-2024-25-foi.csv}
shared_foi=$root/../shared/data/ssot-les-2024-25-foi.csv
kinds="practices list-sizes services rules signups cohorts allocations claims patient-activity achievements ledger"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
n=0
failed=0
ok () {
  n=$((n + 1))
  if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi
}

[ -s "$foi" ]
ok $? "the FOI return is at $foi"
# only when the project's shared data is beside the repository: the copy has not drifted
if [ -f "$shared_foi" ]; then
  cmp -s "$shared_foi" "$root/tests/data/ssot-les-2024-25-foi.csv"
  ok $? "tests/data/ssot-les-2024-25-foi.csv is identical to ../shared/data"
fi

python3 "$root/build-aux/generate-demo.py" --out "$work/demo" >/dev/null 2>&1
diff -r -x README.md "$work/demo" "$root/data/demo" >/dev/null
ok $? "the committed demo data is what the generator makes"

db=$work/demo.db
status=0
for k in $kinds; do
  [ -f "$root/data/demo/$k.csv" ] || continue
  "$cli" --db "$db" import "$k" "$root/data/demo/$k.csv" >/dev/null 2>"$work/err" || { status=1; sed 's/^/# /' "$work/err" | head -5; }
done
ok $status "every demo file imports"

"$cli" --db "$db" compute --year 2024/25 --to 2024-12 >/dev/null 2>&1
ok $? "the demo year computes to December"
"$cli" --db "$db" export reconciliation --year 2024/25 -o "$work/rec.csv"
ok $? "the reconciliation exports"

# Every service's payable to December within 10% of the FOI spend to date
python3 - "$work/rec.csv" "$foi" "$root/data/demo/services.csv" <<'PY'
import csv, sys
rec = {r["service_code"]: r for r in csv.DictReader(open(sys.argv[1]))}
names = {r["name"]: r["service_code"] for r in csv.DictReader(open(sys.argv[3]))}
bad = 0
rows = list(csv.DictReader(open(sys.argv[2])))
for r in rows:
    code = names.get(r["service_name"])
    if code is None:
        # services are named after the FOI file, sometimes shortened
        code = next((c for n, c in names.items() if n.startswith(r["service_name"][:12])), None)
    spend = float(r["spend_to_date_2024_25"] or 0)
    payable = float(rec[code]["payable"]) if code in rec else None
    if payable is None:
        print(f"# {r['service_name']}: no service in the demo"); bad += 1; continue
    ok = abs(payable - spend) <= 0.10 * spend if spend else payable == 0
    print(f"# {code:8} FOI spend {spend:>13,.2f}  payable to Dec {payable:>13,.2f}  {'' if ok else 'OUT OF RANGE'}")
    bad += not ok
sys.exit(1 if bad else 0)
PY
ok $? "every service's payable to December is within 10% of the real spend to date"

python3 "$root/build-aux/generate-national.py" --seed 7 --practices 60 --services 8 --months 3 --out "$work/n1" >/dev/null 2>&1
python3 "$root/build-aux/generate-national.py" --seed 7 --practices 60 --services 8 --months 3 --out "$work/n2" >/dev/null 2>&1
diff -r "$work/n1" "$work/n2" >/dev/null && [ -s "$work/n1/claims.csv" ]
ok $? "the national generator is deterministic for a seed"

echo "1..$n"
[ $failed = 0 ]
