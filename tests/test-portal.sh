#!/usr/bin/env bash
# test-portal.sh: a database chosen through the file chooser in a Flatpak lives on the document
# portal; the real xdg-document-portal, under a private session bus, serves it here (TAP).
# SPDX-License-Identifier: GPL-3.0-or-later
# Usage: test-portal.sh CLI SOURCE_ROOT
# The portal refuses O_NOFOLLOW opens, POSIX locks and new folders beside the file; the SQLite
# backend opens such files with in-process locks and a rollback journal (les-db-sqlite.c).
set -u
cli=$1
root=$2
portal=/usr/libexec/xdg-document-portal
examples=$root/tests/examples
kinds="practices list-sizes services rules signups cohorts allocations claims patient-activity achievements ledger"

if [ -z "${LES_PORTAL_INNER:-}" ]; then
  if [ ! -x "$portal" ] || [ ! -e /dev/fuse ] || ! command -v dbus-run-session >/dev/null; then
    if [ "${CI:-}" = true ] && [ -x "$portal" ]; then
      echo "1..1"; echo "not ok 1 - the document portal needs /dev/fuse and dbus-run-session"; exit 1
    fi
    echo "1..0 # SKIP no document portal here (xdg-desktop-portal, /dev/fuse, dbus)"
    exit 0
  fi
  # a session bus and a runtime folder of our own: the portal mounts $XDG_RUNTIME_DIR/doc
  runtime=$(mktemp -d)
  chmod 700 "$runtime"
  XDG_RUNTIME_DIR=$runtime LES_PORTAL_INNER=1 dbus-run-session -- bash "$0" "$@" 2>/dev/null
  status=$?
  fusermount3 -u "$runtime/doc" 2>/dev/null || fusermount -u "$runtime/doc" 2>/dev/null || umount "$runtime/doc" 2>/dev/null
  rm -rf "$runtime"
  exit $status
fi

work=$(mktemp -d)
n=0
failed=0
ok () {
  n=$((n + 1))
  if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi
}

"$portal" -r >/dev/null 2>&1 &
portal_pid=$!
trap 'kill $portal_pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do [ -d "$XDG_RUNTIME_DIR/doc/by-app" ] && break; sleep 0.1; done

# export a file through the portal as the file chooser does; prints its path there
export_file () {
  local id
  exec 3<"$1"
  id=$(gdbus call --session --dest org.freedesktop.portal.Documents --object-path /org/freedesktop/portal/documents \
         --method org.freedesktop.portal.Documents.Add 3 true true 2>/dev/null | sed "s/[(',)]//g")
  exec 3<&-
  [ -n "$id" ] && printf '%s/doc/%s/%s\n' "$XDG_RUNTIME_DIR" "$id" "$(basename "$1")"
}

echo "1..8"
# a database made on this desk (WAL), then chosen through the portal
host=$work/host/icb.db
mkdir -p "$work/host"
"$cli" --db "$host" init >/dev/null 2>&1
doc=$(export_file "$host")
[ -n "$doc" ] && [ -f "$doc" ]
ok $? "the portal exports the chosen database"

ex=$examples/05-service-cap-prorata-and-hold
status=0
for kind in $kinds; do
  [ -f "$ex/$kind.csv" ] || continue
  "$cli" --db "$doc" import "$kind" "$ex/$kind.csv" >/dev/null 2>"$work/err" || status=1
done
ok $status "every import of an example lands through the portal $(head -c 200 "$work/err")"

year=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["year"])' "$ex/scenario.json")
to=$(python3 -c 'import json,sys; t=json.load(open(sys.argv[1])).get("to"); print("--to " + t if t else "")' \
       "$ex/scenario.json")
# shellcheck disable=SC2086
"$cli" --db "$doc" compute --year "$year" $to >/dev/null 2>"$work/err"
ok $? "compute writes through the portal $(head -c 200 "$work/err")"

"$cli" --db "$doc" export payments --year "$year" -o "$work/payments.csv" 2>/dev/null \
  && cmp -s "$work/payments.csv" "$ex/expected/payments.csv"
ok $? "the payments read back through the portal are the example's"

"$cli" --db "$host" export payments --year "$year" -o "$work/host-payments.csv" 2>/dev/null \
  && cmp -s "$work/host-payments.csv" "$ex/expected/payments.csv"
ok $? "the file on the desk holds what was written through the portal"

# a refused import leaves the file as it was (the rollback journal beside it); opened on the desk
# just now, the file is WAL again, and the portal's first open turns it back: open it once first
"$cli" --db "$doc" init >/dev/null 2>&1
before=$(sha256sum < "$host")
printf 'claim_ref,practice_code,service_code,item_code,period,count,submitted_date\nX1,ZZZZZ,NOPE,A,2024-04,1,2024-04-02\n' \
  > "$work/bad.csv"
"$cli" --db "$doc" import claims "$work/bad.csv" >/dev/null 2>&1
[ $? = 1 ] && [ "$(sha256sum < "$host")" = "$before" ] && ! ls "$(dirname "$doc")"/*-journal >/dev/null 2>&1
ok $? "a refused import through the portal changes nothing and leaves no journal"

# a new database saved through the portal's folder
"$cli" --db "$(dirname "$doc")/new.db" init >"$work/out" 2>&1 && ! grep -q 'network drive' "$work/out"
ok $? "a new database beside a chosen one is created, with no network-drive warning"

# opened again on the desk, it is WAL again and whole
"$cli" --db "$host" init >/dev/null 2>&1 && [ "$(sqlite3 "$host" 'PRAGMA integrity_check')" = ok ]
ok $? "back on the desk the file is whole"
exit $((failed > 0))
