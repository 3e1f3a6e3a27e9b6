#!/usr/bin/env bash
# test-team.sh: a team database — each role refused what it may not do (CLI and SQL), separation of duties, the audit trail, two closes at once (TAP).
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   tests/pg/with-pg.sh tests/pg/test-team.sh CLI SOURCE_ROOT
#
# The test server's superuser (named after whoever runs the test) owns the
# database and sets the team up; alice is a contract manager, bob and frank
# finance, carol a viewer, dave the administrator, and erin both a contract
# manager and finance (a small team), so that separation of duties has
# someone to refuse. Each person reaches the server by the Unix socket as
# themselves (the test server trusts the socket).
set -u
cli=${1:?usage: test-team.sh CLI SOURCE_ROOT}
root=${2:?usage: test-team.sh CLI SOURCE_ROOT}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$root/tests/db-lib.sh"
demo=$root/data/demo
kinds="practices list-sizes services rules signups cohorts allocations claims patient-activity achievements"
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

# as USER STATUS DESCRIPTION -- les-claims-cli ARGS...: run as USER, exit STATUS wanted
as () {
  local user=$1 want=$2 what=$3
  shift 4
  "$cli" --db "dbname=$dbname user=$user" "$@" >"$work/out" 2>"$work/err"
  local got=$?
  [ "$got" = "$want" ]
  ok $? "$what (exit $got, want $want)"
  [ "$got" = "$want" ] || sed 's/^/# /' "$work/err" | head -5
}

# sql USER SQL: runs SQL as USER, prints its rows; fails as psql does
sql () {
  "$PG_BINDIR/psql" -X -q -A -t -v ON_ERROR_STOP=1 "dbname=$dbname user=$1" -c "$2" 2>"$work/sql-err"
}

# refused USER SQL DESCRIPTION: the server refuses SQL to USER
refused () {
  if sql "$1" "$2" >/dev/null; then
    ok 1 "$3"
  else
    grep -q 'permission denied\|is refused\|is not an administrator\|violates row-level security' "$work/sql-err"
    local found=$?
    ok $found "$3"
    [ $found = 0 ] || sed 's/^/# /' "$work/sql-err"
  fi
}

said () {   # said TEXT DESCRIPTION: stderr of the last CLI command holds TEXT
  grep -qF "$1" "$work/err"
  local found=$?
  ok $found "$2"
  [ $found = 0 ] || sed 's/^/# /' "$work/err" | head -5
}

echo "1..60"

db=$(new_db team)
dbname=${db#postgresql:///}
owner=$(id -un)
"$cli" --db "$db" init >/dev/null

as "$owner" 0 "the owner sets the team up" -- team setup
as "$owner" 0 "setting it up again changes nothing and succeeds" -- team setup
for person in alice:contract-manager bob:finance frank:finance carol:viewer dave:admin erin:contract-manager \
  erin:finance; do
  "$cli" --db "$db" team add-user "${person%%:*}" "${person##*:}" >/dev/null || echo "# add-user $person failed"
done
as dave 0 "the administrator lists the team" -- team list
grep -qx "erin	contract-manager" "$work/out" && grep -qx "erin	finance" "$work/out" \
  && grep -qx "Separation of duties: on" "$work/out"
ok $? "the list shows each person's roles, and separation of duties on by default"
as alice 1 "a contract manager may not give roles" -- team add-user mallory admin
said "does not let alice do this" "… and is told their role does not include it"
as "$owner" 2 "an unknown role is a usage error" -- team add-user mallory owner

# Contract managers: reference data, claims and decisions; not the ledger, not runs
for k in $kinds; do
  "$cli" --db "dbname=$dbname user=alice" import "$k" "$demo/$k.csv" >/dev/null 2>"$work/err" \
    || { echo "# alice could not import $k"; sed 's/^/# /' "$work/err"; }
done
[ "$(sql alice 'SELECT count(*) FROM claims')" -gt 0 ]
ok $? "a contract manager imports services, practices and claims"
as alice 1 "a contract manager may not import the ledger" -- import ledger "$demo/ledger.csv"
said "does not let alice do this" "… and is told their role does not include it"
as bob 0 "finance imports the ledger" -- import ledger "$demo/ledger.csv"
as bob 1 "finance may not import practices" -- import practices "$demo/practices.csv"
[ "$(grep -c . "$work/err")" = 1 ]
ok $? "… said in one message, not one per row"
as carol 1 "a viewer may not import" -- import claims "$demo/claims.csv"
as carol 1 "a viewer may not compute" -- compute --year 2024/25 --to 2024-12
as alice 0 "a contract manager computes" -- compute --year 2024/25 --to 2024-12
as alice 0 "a contract manager approves claims" -- set-status approved --all --year 2024/25
ref=$(sql "$owner" "SELECT claim_ref FROM claims WHERE status = 'approved' AND period = '2024-11' ORDER BY claim_ref LIMIT 1")
as bob 1 "finance may not decide a claim" -- set-status rejected --reason "no" "$ref"
as carol 1 "a viewer may not decide a claim" -- set-status rejected --reason "no" "$ref"
as alice 1 "a contract manager may not close a month" -- run --year 2024/25 --month 2024-12
as carol 0 "a viewer reads (exports claims)" -- export claims --year 2024/25 -o "$work/claims.csv"
[ "$(sql "$owner" "SELECT approved_by FROM claims WHERE claim_ref = '$ref'")" = alice ]
ok $? "the server records who approved a claim"

# The same through plain SQL, as each person
refused carol "UPDATE claims SET status = 'approved'" "SQL: a viewer may not change claims"
refused bob "UPDATE claims SET status = 'rejected', status_reason = 'x'" "SQL: finance may not decide claims"
refused alice "UPDATE claims SET count = count + 1" "SQL: a contract manager may change a claim's status only"
refused alice "INSERT INTO payment_runs (run_id, year, month, created_at, created_by, total, n_lines)
  VALUES (99, 2024, '2024-12', 'x', 'x', 0, 0)" "SQL: a contract manager may not make a payment run"
refused bob "DELETE FROM practices" "SQL: finance may not delete practices"
refused carol "DELETE FROM ledger" "SQL: a viewer may not delete the ledger"
refused alice "UPDATE audit SET os_user = 'mallory'" "SQL: nobody may change the audit trail (contract manager)"
refused bob "DELETE FROM audit" "SQL: nobody may delete from the audit trail (finance)"
refused "$owner" "DELETE FROM audit" "SQL: not even the owner deletes from the audit trail"
refused "$owner" "TRUNCATE audit" "SQL: nor empties it"
refused alice "INSERT INTO meta (key, value) VALUES ('key_check', 'x')
  ON CONFLICT (key) DO UPDATE SET value = excluded.value" "SQL: writers may not touch meta beyond the audit's end"
refused bob "SELECT les_team_set_policy ('separation_of_duties', false)" "SQL: finance may not turn separation of duties off"
refused alice "SELECT les_team_add_user ('alice', 'les_admin')" "SQL: a contract manager may not make themselves admin"
refused carol "INSERT INTO team_refusals (action) VALUES ('x')" "SQL: nobody writes the refusals by hand"
[ "$(sql carol 'SELECT count(*) FROM claims')" -gt 0 ]
ok $? "SQL: a viewer reads"

# The audit trail's user is the server's, whatever the client says
sql alice "SELECT 1" >/dev/null
[ "$(sql "$owner" "SELECT os_user FROM audit WHERE action = 'set-status' ORDER BY id DESC LIMIT 1")" = alice ]
ok $? "the audit trail names the server's user"
as carol 0 "the trail and its seals check" -- verify

# Separation of duties: erin approved a claim, so erin may not close the run that pays it
"$cli" --db "dbname=$dbname user=erin" set-status submitted "$ref" >/dev/null
"$cli" --db "dbname=$dbname user=erin" set-status approved "$ref" >/dev/null
[ "$(sql "$owner" "SELECT approved_by FROM claims WHERE claim_ref = '$ref'")" = erin ]
ok $? "approved again by erin, the claim is erin's"
as erin 1 "erin may not close the month that pays a claim erin approved" -- run --year 2024/25 --month 2024-12
said "separation of duties: you (erin) approved claims this payment run would pay ($ref)" "… and is told why, naming the claim"
[ "$(sql dave "SELECT by_user || ' ' || action FROM team_refusals")" = "erin close-run" ]
ok $? "the refusal is recorded (team_refusals)"
grep -q "separation of duties: erin may not close" "$PGHOST/server.log"
ok $? "… and in the server's log"
[ "$(sql "$owner" "SELECT count(*) FROM payment_runs")" = 0 ]
ok $? "no run was made"

# Two people close the month at once: one run, and the other told why
"$cli" --db "dbname=$dbname user=bob" run --year 2024/25 --month 2024-12 >"$work/bob.out" 2>"$work/bob.err" &
bob_pid=$!
"$cli" --db "dbname=$dbname user=frank" run --year 2024/25 --month 2024-12 >"$work/frank.out" 2>"$work/frank.err"
frank=$?
wait $bob_pid
bob=$?
[ $((bob + frank)) = 1 ] && [ "$(sql "$owner" "SELECT count(*) FROM payment_runs")" = 1 ]
ok $? "two closes at once: one succeeds (bob $bob, frank $frank)"
cat "$work/bob.err" "$work/frank.err" > "$work/err"
said "2024-12 is already closed: run 1 closed 2024-12" "… the other is told the month is closed"
[ "$(sql "$owner" "SELECT created_by FROM payment_runs")" != "$owner" ]
ok $? "the run names its closer as the server knows them"

# The switch: only the administrator turns the policy off, and it is logged
as bob 1 "finance may not turn separation of duties off" -- team separation-of-duties off
as dave 0 "the administrator turns it off" -- team separation-of-duties off
as bob 0 "finance re-opens the run" -- reopen --run 1 --reason "erin closes it"
as erin 0 "with the policy off, erin closes the month" -- run --year 2024/25 --month 2024-12
as dave 0 "the administrator turns it on again" -- team separation-of-duties on
[ "$(sql dave "SELECT string_agg (detail, ',' ORDER BY id) FROM team_log WHERE action = 'set-policy'")" = \
  "separation_of_duties off,separation_of_duties on" ]
ok $? "both switches are logged"
as dave 0 "the administrator takes erin's finance role away" -- team remove-user erin finance
as erin 1 "… and erin can no longer re-open a run" -- reopen --run 2 --reason "again"
as dave 1 "taking a role someone does not have fails" -- team remove-user carol finance
as carol 0 "after all of it, the trail and the runs check" -- verify

# A row put in the trail by hand, even under another name, carries its author
sql alice "INSERT INTO audit (id, at, os_user, action) VALUES ((SELECT max (id) + 1 FROM audit), 'now', 'mallory', 'forged')" >/dev/null
[ "$(sql "$owner" "SELECT os_user FROM audit WHERE action = 'forged'")" = alice ]
ok $? "an audit row written by hand names its real author"
as carol 1 "… and verify reports it" -- verify

[ $failed = 0 ]
