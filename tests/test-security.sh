#!/usr/bin/env bash
# test-security.sh: issue #12's regressions — the key out of the file, tampering seen by verify, database failures in words.
# SPDX-License-Identifier: GPL-3.0-or-later
# Usage: test-security.sh CLI SOURCE_ROOT   (prints TAP)
set -u
cli=$1
root=$2
examples=$root/tests/examples
work=$(mktemp -d)
holder=
ro=
cleanup () {
  [ -n "$holder" ] && kill "$holder" 2>/dev/null
  rm -rf "$work"
  [ -n "$ro" ] && rm -rf "$ro"
}
trap cleanup EXIT
n=0
failed=0
# no keyring in tests: a key file, as a batch job
export LES_CLAIMS_KEY_FILE=$work/job.key

ok () {
  n=$((n + 1))
  if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi
}

show () { [ -s "$1" ] && sed 's/^/# /' "$1" | head -20; }

import_example () {   # import_example DB DIR
  for k in practices list-sizes services rules signups cohorts allocations claims patient-activity achievements ledger; do
    [ -f "$2/$k.csv" ] && { "$cli" --db "$1" import "$k" "$2/$k.csv" >/dev/null || return 1; }
  done
  return 0
}

# ---- item 5: the key is not in the file ----

db=$work/new.db
"$cli" --db "$db" init >/dev/null
ok $? "init makes a database with a key file"
[ "$(stat -c %a "$LES_CLAIMS_KEY_FILE")" = 600 ]
ok $? "the key file is made readable by its owner only"
key=$(sed -n 's/^key=//p' "$LES_CLAIMS_KEY_FILE")
[ ${#key} = 64 ] && ! grep -qa "$key" "$db" && [ -z "$(sqlite3 "$db" "SELECT value FROM meta WHERE key = 'nhs_hmac_key'")" ]
ok $? "the database holds no key, only its id"

# a key file others can read is refused, and says how to fix it
cp "$LES_CLAIMS_KEY_FILE" "$work/open.key"
chmod 644 "$work/open.key"
"$cli" --db "$db" --key-file "$work/open.key" import practices "$examples/01-item-tariffs/practices.csv" >/dev/null 2>"$work/err"
[ $? = 1 ] && grep -q "chmod 600" "$work/err"
ok $? "a key file readable by others is refused"
show "$work/err"

# without a keyring and without a key file: a clear error, and no file left behind
env -u LES_CLAIMS_KEY_FILE -u DISPLAY -u WAYLAND_DISPLAY DBUS_SESSION_BUS_ADDRESS=unix:path=$work/no-bus \
  "$cli" --db "$work/nokey.db" init >/dev/null 2>"$work/err"
[ $? = 1 ] && grep -q -- "--key-file" "$work/err" && [ ! -e "$work/nokey.db" ]
ok $? "no keyring and no key file: an error naming --key-file, no database made"
show "$work/err"

# key export writes a private file; another desk's key does not open the key's uses
"$cli" --db "$db" key export -o "$work/exported.key" >/dev/null
[ $? = 0 ] && [ "$(stat -c %a "$work/exported.key")" = 600 ] && cmp -s <(sed -n 's/^key=//p' "$work/exported.key") <(echo "$key")
ok $? "key export writes the key to a private file"
"$cli" --db "$db" --key-file "$work/other.key" import practices "$examples/01-item-tariffs/practices.csv" \
  >/dev/null 2>"$work/err"
[ $? = 1 ] && grep -q "key import" "$work/err"
ok $? "a database whose key is elsewhere says how to bring it"
show "$work/err"
"$cli" --db "$db" --key-file "$work/other.key" export practices --year 2024/25 >/dev/null 2>"$work/err"
ok $? "a database whose key is elsewhere still opens and exports"

# ---- item 5: an older database's key moves out, and its hashes still match ----

old=$work/baseline.db
gzip -dc "$root/tests/data/baseline-v3.db.gz" > "$old"
chmod 600 "$old"
old_key=$(sqlite3 "$old" "SELECT value FROM meta WHERE key = 'nhs_hmac_key'")
before=$(sqlite3 "$old" "SELECT claim_ref || ',' || line_no || ',' || coalesce (nhs_hash, '') FROM patient_lines ORDER BY 1")
[ ${#old_key} = 64 ] && grep -qa "$old_key" "$old"
ok $? "the baseline database keeps its key in the file"
"$cli" --db "$old" --key-file "$work/migrated.key" init >"$work/out" 2>"$work/err"
ok $? "opening it migrates it to schema 4"
show "$work/err"
! grep -qa "$old_key" "$old" && { [ ! -e "$old-wal" ] || ! grep -qa "$old_key" "$old-wal"; } \
  && [ -z "$(sqlite3 "$old" "SELECT value FROM meta WHERE key = 'nhs_hmac_key'")" ]
ok $? "the key is scrubbed from the file and its WAL"
[ "$(sed -n 's/^key=//p' "$work/migrated.key")" = "$old_key" ]
ok $? "the key moved to the key file, unchanged"
after=$(sqlite3 "$old" "SELECT claim_ref || ',' || line_no || ',' || coalesce (nhs_hash, '') FROM patient_lines ORDER BY 1")
[ -n "$before" ] && [ "$before" = "$after" ]
ok $? "patients' hashes are as they were"
printf 'claim_ref,nhs_number,activity_date\n' > "$work/lines.csv"
sqlite3 "$old" "SELECT claim_ref FROM patient_lines WHERE nhs_hash IS NOT NULL LIMIT 1" > "$work/ref"
ref=$(cat "$work/ref")
# the number behind the first valid line of example 06, imported again, hashes the same
first=$(awk -F, -v r="$ref" '$1 == r { print $2; exit }' "$examples/06-validation-and-patient-lines/patient-activity.csv")
sqlite3 "$old" "SELECT nhs_hash FROM patient_lines WHERE claim_ref = '$ref' AND line_no = 1" > "$work/hash-before"
printf '%s,%s,2024-04-03\n' "$ref" "$first" >> "$work/lines.csv"
"$cli" --db "$old" --key-file "$work/migrated.key" import patient-activity "$work/lines.csv" >/dev/null 2>"$work/err"
sqlite3 "$old" "SELECT nhs_hash FROM patient_lines WHERE claim_ref = '$ref' AND line_no = 1" > "$work/hash-after"
[ -s "$work/hash-before" ] && cmp -s "$work/hash-before" "$work/hash-after"
ok $? "a number imported after the migration hashes as before it"
show "$work/err"
"$cli" --db "$old" --key-file "$work/migrated.key" verify >"$work/out" 2>"$work/err"
ok $? "the migrated database's trail and run are sealed and verify"
show "$work/out"

# ---- item 5: patient_key cannot smuggle in hashes ----

printf 'claim_ref,nhs_number,activity_date,patient_key\n%s,,2024-04-03,%s\n' "$ref" \
  "$(printf '%064d' 7)" > "$work/forged.csv"
"$cli" --db "$old" --key-file "$work/migrated.key" import patient-activity "$work/forged.csv" >/dev/null 2>"$work/err"
[ $? = 1 ] && grep -q "patient_key: not a patient key exported from this database" "$work/err"
ok $? "a patient_key of one's choosing is refused"
show "$work/err"
"$cli" --db "$old" --key-file "$work/migrated.key" export patient-activity --year 2024/25 -o "$work/pa.csv"
"$cli" --db "$old" --key-file "$work/migrated.key" import patient-activity "$work/pa.csv" >/dev/null 2>"$work/err"
ok $? "a patient_key exported under the same key imports"
show "$work/err"
import_example "$work/06.db" "$examples/06-validation-and-patient-lines"
"$cli" --db "$work/06.db" import patient-activity "$work/pa.csv" >/dev/null 2>"$work/err"
[ $? = 1 ] && grep -q "not a patient key exported from this database" "$work/err"
ok $? "a patient_key exported under another key is refused"

# ---- item 7: the issue's tamperings, each reported by verify ----

db=$work/paid.db
import_example "$db" "$examples/01-item-tariffs"
"$cli" --db "$db" compute --year 2024/25 --to 2024-06 >/dev/null
"$cli" --db "$db" set-status approved --all --year 2024/25 >/dev/null
"$cli" --db "$db" run --year 2024/25 --month 2024-06 > "$work/out"
grep -q "total £2,187.04" "$work/out"
ok $? "run 1 pays £2,187.04"
"$cli" --db "$db" verify >"$work/out" 2>&1
ok $? "verify finds an untouched database intact"
show "$work/out"

tamper () {   # tamper DESCRIPTION SQL EXPECTED
  cp "$db" "$work/t.db"
  sqlite3 "$work/t.db" "$2"
  "$cli" --db "$work/t.db" verify >"$work/out" 2>"$work/err"
  [ $? = 1 ] && grep -qF "$3" "$work/out"
  ok $? "verify reports $1"
  show "$work/out"
}
tamper "a paid claim's count changed from 3 to 300" \
  "UPDATE claims SET count = 300 WHERE claim_ref = 'E0001' AND count = 3" \
  "Payment run 1 (2024-06 of 2024/25): a claim it paid was changed after it was paid"
tamper "a paid line's payable multiplied by 100" \
  "UPDATE paid_lines SET payable = payable * 100 WHERE id = (SELECT min (id) FROM paid_lines)" \
  "Payment run 1 (2024-06 of 2024/25): its paid lines or its total were changed"
tamper "the claim's audit rows deleted" \
  "DELETE FROM audit WHERE table_name = 'claims' AND row_key = 'E0001'" \
  "was deleted (row"
tamper "the last audit rows deleted" \
  "DELETE FROM audit WHERE id >= (SELECT max (id) FROM audit) - 1" \
  "rows were deleted from its end"
tamper "a run deleted with its lines" \
  "PRAGMA foreign_keys = OFF; DELETE FROM paid_lines; DELETE FROM payment_runs" \
  "Payment run 1, recorded in audit row"
tamper "an audit row rewritten" \
  "UPDATE audit SET os_user = 'mallory' WHERE id = 2" \
  "Audit row 2 was changed"

# all three of the issue at once, the report's paid no longer believed
cp "$db" "$work/t.db"
sqlite3 "$work/t.db" "UPDATE claims SET count = 300 WHERE claim_ref = 'E0001';
  UPDATE paid_lines SET payable = payable * 100 WHERE id = (SELECT min (id) FROM paid_lines);
  DELETE FROM audit WHERE table_name = 'claims' AND row_key = 'E0001'"
"$cli" --db "$work/t.db" verify >"$work/out" 2>"$work/err"
[ $? = 1 ] && [ "$(wc -l < "$work/out")" = 3 ]
ok $? "the three tamperings together are three breaks"
show "$work/out"

# ---- item 9: database failures in words, once ----

# a read-only copy: one database error, not one per row (root writes anyway, so as nobody)
ro=$(mktemp -d)   # beside $work, which only its owner may enter
cp "$db" "$ro/c.db"
cp "$LES_CLAIMS_KEY_FILE" "$ro/job.key"
sed 's/^E0/F0/' "$examples/01-item-tariffs/claims.csv" > "$ro/claims.csv"
chmod 755 "$ro"
chmod 444 "$ro/c.db" "$ro/claims.csv"
ro_cli=$cli
if [ "$(id -u)" = 0 ]; then
  chown nobody "$ro/c.db" "$ro/job.key"
  chmod 777 "$ro"
  as_user="setpriv --reuid=nobody --regid=nogroup --clear-groups"
  # the build may be in a folder only root can enter (a CI clone in a private
  # temporary folder): nobody runs a copy of the CLI, which needs nothing beside it
  cp "$cli" "$ro/les-claims-cli"
  chmod 755 "$ro/les-claims-cli"
  ro_cli=$ro/les-claims-cli
else
  as_user=
fi
chmod 400 "$ro/job.key"
$as_user env LES_CLAIMS_KEY_FILE="$ro/job.key" "$ro_cli" --db "$ro/c.db" import claims "$ro/claims.csv" \
  >/dev/null 2>"$work/err"
status=$?
grep -v "can be read by other people" "$work/err" > "$work/err2"
[ $status = 1 ] && [ "$(wc -l < "$work/err2")" = 1 ] && grep -q "read-only" "$work/err2"
ok $? "importing into a read-only file is one message that says it is read-only"
show "$work/err"

# a second writer waits for the first, is told who holds the database, and then goes on
mkfifo "$work/slow.csv"
exec 3<>"$work/slow.csv"
"$cli" --db "$db" import claims "$work/slow.csv" >"$work/holder-out" 2>"$work/holder-err" 3>&- &
holder=$!
# the holder has the write lock when its side file names it
for _ in $(seq 1 300); do [ -e "$db-holder" ] && break; sleep 0.1; done
[ -e "$db-holder" ]
ok $? "a writer records what it is doing beside the database"
"$cli" --db "$db" set-status queried --reason "check" E0002 >"$work/waiter-out" 2>"$work/waiter-err" 3>&- &
waiter=$!
for _ in $(seq 1 300); do grep -q "Waiting for" "$work/waiter-err" && break; sleep 0.1; done
grep -q "Waiting for $(id -un)’s import of .*slow.csv (pid $holder, since" "$work/waiter-err"
ok $? "the second writer says whose import it waits for"
show "$work/waiter-err"
cat "$examples/01-item-tariffs/claims.csv" >&3
exec 3>&-
wait "$holder"
ok $? "the first writer finishes"
holder=
wait "$waiter"
ok $? "the second writer then goes on, past SQLite's ten seconds if need be"
[ "$(grep -c "Waiting for" "$work/waiter-err")" = 1 ] && ! grep -q "database is locked" "$work/waiter-err"
ok $? "the wait is said once, without SQLite's words"
[ ! -e "$db-holder" ]
ok $? "the side file goes with the lock"

echo "1..$n"
echo "# $((n - failed)) passed, $failed failed"
[ $failed = 0 ]
