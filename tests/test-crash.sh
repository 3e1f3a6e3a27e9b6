#!/usr/bin/env bash
# test-crash.sh: kill -9 in the middle of an import, a compute, a status change and a payment run — the database is
# left exactly as it was before or exactly as after, and passes SQLite's integrity check.
# SPDX-License-Identifier: GPL-3.0-or-later
# Usage: test-crash.sh CLI SOURCE_ROOT   (prints TAP; LES_CRASH_TRIALS kills per action, default 8)
set -u
cli=$1
root=$2
demo=$root/data/demo
trials=${LES_CRASH_TRIALS:-8}

# kill -9 tests the process, not the disk: in memory where the machine allows, for speed
base=/dev/shm
[ -d "$base" ] && [ -w "$base" ] || base=${TMPDIR:-/tmp}
work=$(mktemp -d "$base/les-crash-XXXXXX")
trap 'rm -rf "$work"' EXIT
n=0
failed=0

ok () {
  n=$((n + 1))
  if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi
}

# Everything in the file, in a stable text form, with the times of day (audit,
# computes, payment runs) masked, and so the seals over them (the audit trail's
# and the runs' rows, and meta's audit head): two states are equal when their dumps are
state_of () {
  sqlite3 "$1" .dump \
    | sed -E "s/'[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z'/'TIME'/g" \
    | sed -E "/^INSERT INTO (audit|payment_runs|meta)/ s/[0-9a-f]{64}/SEAL/g" \
    | md5sum | cut -d' ' -f1
}

now_ms () {
  date +%s%3N
}

# still running (not yet exited; a zombie has finished)
running () {
  local state
  state=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)
  [ -n "$state" ] && [ "$state" != Z ]
}

# crash_test NAME PREPARED_DB -- command arguments...
crash_test () {
  local name=$1 prepared=$2
  shift 3
  local before after took start elapsed pid delay state integrity n_before=0 n_after=0 n_done=0 n_bad=0

  before=$(state_of "$prepared")
  # the shorter of two runs: a slow one (a busy machine) would put every kill past the end
  took=
  for run in 1 2; do
    rm -f "$work/after.db"
    cp "$prepared" "$work/after.db"
    start=$(now_ms)
    "$cli" --db "$work/after.db" "$@" >/dev/null 2>"$work/err" || break
    elapsed=$(( $(now_ms) - start ))
    if [ -z "$took" ] || [ "$elapsed" -lt "$took" ]; then took=$elapsed; fi
  done
  [ -n "$took" ] && [ ! -s "$work/err" ]
  ok $? "$name runs to the end when not killed"
  [ -s "$work/err" ] && sed 's/^/# /' "$work/err"
  took=${took:-1000}
  after=$(state_of "$work/after.db")
  [ "$before" != "$after" ]
  ok $? "$name changes the database"

  for t in $(seq 1 "$trials"); do
    rm -f "$work/trial.db" "$work/trial.db-wal" "$work/trial.db-shm"
    cp "$prepared" "$work/trial.db"
    # anywhere in the run, and every other trial in its last third, where the
    # transaction is written and commits (a run here is often quicker than timed)
    if [ $((t % 2)) = 1 ]; then
      delay=$(( RANDOM % (took + 1) ))
    else
      delay=$(( took * 2 / 3 + RANDOM % (took / 3 + 1) ))
    fi
    "$cli" --db "$work/trial.db" "$@" >/dev/null 2>&1 &
    pid=$!
    sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
    if running "$pid"; then killed=killed; else killed=finished; fi
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    integrity=$(sqlite3 "$work/trial.db" "PRAGMA integrity_check" 2>&1)
    state=$(state_of "$work/trial.db")
    if [ "$killed" = finished ]; then
      n_done=$((n_done + 1))
    fi
    if [ "$integrity" = ok ] && [ "$state" = "$before" ]; then
      n_before=$((n_before + 1))
      outcome=before
    elif [ "$integrity" = ok ] && [ "$state" = "$after" ]; then
      n_after=$((n_after + 1))
      outcome=after
    else
      n_bad=$((n_bad + 1))
      outcome="NEITHER (integrity: $integrity)"
    fi
    [ "$outcome" = before ] || [ "$outcome" = after ]
    ok $? "$name, trial $t: $killed at $delay ms of about $took: $outcome"
  done
  echo "# $name: $trials trials, $n_before before, $n_after after, $n_bad neither ($n_done had finished before the kill," \
       "killed after the commit: $((n_after - n_done)))"
}

# The demo data set, up to each action
import_all () {   # import_all DB KIND...
  local db=$1 status=0
  shift
  for k in "$@"; do
    "$cli" --db "$db" import "$k" "$demo/$k.csv" >/dev/null 2>>"$work/setup-err" || status=1
  done
  return $status
}

import_all "$work/references.db" practices list-sizes services rules signups cohorts allocations achievements ledger
ok $? "the demo's reference data imports"
cp "$work/references.db" "$work/imported.db"
import_all "$work/imported.db" claims patient-activity
ok $? "the demo's claims import"
cp "$work/imported.db" "$work/computed.db"
"$cli" --db "$work/computed.db" compute --year 2024/25 >/dev/null 2>>"$work/setup-err"
ok $? "the demo computes"
cp "$work/computed.db" "$work/approved.db"
"$cli" --db "$work/approved.db" set-status approved --all --year 2024/25 >/dev/null 2>>"$work/setup-err"
ok $? "the demo's claims are approved"
[ -s "$work/setup-err" ] && sed 's/^/# /' "$work/setup-err"

crash_test "import claims" "$work/references.db" -- import claims "$demo/claims.csv"
crash_test "compute" "$work/imported.db" -- compute --year 2024/25
crash_test "set-status --all" "$work/computed.db" -- set-status approved --all --year 2024/25
crash_test "run (closing April)" "$work/approved.db" -- run --year 2024/25 --month 2024-04

echo "1..$n"
echo "# $((n - failed)) passed, $failed failed"
[ $failed = 0 ]
