#!/usr/bin/env bash
# test-migrate.sh: a schema-3 database (example 06 with a payment run) migrated to the current schema, its figures unchanged.
# SPDX-License-Identifier: GPL-3.0-or-later
# Usage: test-migrate.sh CLI SOURCE_ROOT   (prints TAP)
#   tests/data/schema-3/ holds the database as `sqlite3 .dump` wrote it, made
#   by the schema-3 CLI: example 06 imported and computed, its claims
#   approved, June paid by run 1, a claim rejected and the year computed
#   again (two adjustments pending); beside it, what that CLI exported.
set -u
cli=$1
root=$2
fixture=$root/tests/data/schema-3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
db=$work/v3.db
n=0
failed=0

ok () {
  n=$((n + 1))
  if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi
}

same () {   # same FILE EXPECTED DESCRIPTION
  cmp -s "$1" "$2"
  ok $? "$3"
  cmp -s "$1" "$2" || diff "$2" "$1" | sed 's/^/# /'
}

if ! command -v sqlite3 >/dev/null; then
  echo "1..0 # SKIP sqlite3 is needed to restore the schema-3 database"
  exit 0
fi
echo "1..14"

sqlite3 "$db" < "$fixture/example-06-with-run.sql"
[ "$(sqlite3 "$db" 'PRAGMA user_version')" = 3 ]
ok $? "the fixture is a schema-3 database"

# the key moves out of the file, into a key file of its own
export LES_CLAIMS_KEY_FILE=$work/v3.key
"$cli" --db "$db" init >"$work/out" 2>&1
ok $? "init migrates it"
sed 's/^/# /' "$work/out"
[ "$(sqlite3 "$db" 'PRAGMA user_version')" = 6 ]
ok $? "now schema 6"
[ -z "$(sqlite3 "$db" 'PRAGMA foreign_key_check')" ] && [ "$(sqlite3 "$db" 'PRAGMA integrity_check')" = ok ]
ok $? "its references and b-trees are whole"

for kind in payments findings reconciliation claims; do
  "$cli" --db "$db" export "$kind" --year 2024/25 -o "$work/$kind.csv"
  same "$work/$kind.csv" "$fixture/$kind.csv" "export $kind as schema 3 wrote it"
done
# a patient_key is now the hash and a tag only this database's key makes
# (issue #12): the hashes are those schema 3 wrote
"$cli" --db "$db" export patient-activity --year 2024/25 -o "$work/pa.csv"
sed -E 's/([0-9a-f]{64})[0-9a-f]+$/\1/' "$work/pa.csv" > "$work/patient-activity.csv"
same "$work/patient-activity.csv" "$fixture/patient-activity.csv" "export patient-activity as schema 3 wrote it"
# a statement now names the claims each line pays, in a last column (issue #11)
"$cli" --db "$db" statement --year 2024/25 --run 1 G81001 -o "$work/st.csv" >/dev/null
cut -d, -f1-18 "$work/st.csv" > "$work/statement.csv"
same "$work/statement.csv" "$fixture/statement-G81001.csv" "run 1's statement for G81001 as schema 3 wrote it"
"$cli" --db "$db" report --year 2024/25 -o "$work/report.csv" >/dev/null
same "$work/report.csv" "$fixture/report.csv" "the finance report as schema 3 wrote it"

# the first compute after the migration redoes the whole year, and finds nothing new
"$cli" --db "$db" compute --year 2024/25 >/dev/null
"$cli" --db "$db" export payments --year 2024/25 -o "$work/payments.csv"
same "$work/payments.csv" "$fixture/payments.csv" "after computing again, payments unchanged"
# a finding's message, its last column, is free text and now in plainer words (issue #11)
"$cli" --db "$db" export findings --year 2024/25 -o "$work/findings.csv"
cut -d, -f1-7 "$work/findings.csv" > "$work/f.csv"
cut -d, -f1-7 "$fixture/findings.csv" > "$work/f-expected.csv"
same "$work/f.csv" "$work/f-expected.csv" "after computing again, findings unchanged"
"$cli" --db "$db" set-status queried --reason "check" "$(sed -n 2p "$fixture/claims.csv" | cut -d, -f1)" >/dev/null
ok $? "a claim's status can still be set"

[ "$failed" = 0 ]
