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

"$cli" --db "$db" init >"$work/out" 2>&1
ok $? "init migrates it"
sed 's/^/# /' "$work/out"
[ "$(sqlite3 "$db" 'PRAGMA user_version')" = 4 ]
ok $? "now schema 4"
[ -z "$(sqlite3 "$db" 'PRAGMA foreign_key_check')" ] && [ "$(sqlite3 "$db" 'PRAGMA integrity_check')" = ok ]
ok $? "its references and b-trees are whole"

for kind in payments findings reconciliation claims patient-activity; do
  "$cli" --db "$db" export "$kind" --year 2024/25 -o "$work/$kind.csv"
  same "$work/$kind.csv" "$fixture/$kind.csv" "export $kind as schema 3 wrote it"
done
"$cli" --db "$db" statement --year 2024/25 --run 1 G81001 -o "$work/statement.csv" >/dev/null
same "$work/statement.csv" "$fixture/statement-G81001.csv" "run 1's statement for G81001 as schema 3 wrote it"
"$cli" --db "$db" report --year 2024/25 -o "$work/report.csv" >/dev/null
same "$work/report.csv" "$fixture/report.csv" "the finance report as schema 3 wrote it"

# the first compute after the migration redoes the whole year, and finds nothing new
"$cli" --db "$db" compute --year 2024/25 >/dev/null
for kind in payments findings; do
  "$cli" --db "$db" export "$kind" --year 2024/25 -o "$work/$kind.csv"
  same "$work/$kind.csv" "$fixture/$kind.csv" "after computing again, $kind unchanged"
done
"$cli" --db "$db" set-status queried --reason "check" "$(sed -n 2p "$fixture/claims.csv" | cut -d, -f1)" >/dev/null
ok $? "a claim's status can still be set"

[ "$failed" = 0 ]
