#!/usr/bin/env bash
# bench-national.sh: a national year through import, compute and export, each figure beside its peer and a baseline.
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: build-aux/bench-national.sh [--ours-only] [--pg] [--data DIR] [--baseline CLI|REV] [CLI]
#   CLI         the les-claims-cli measured (default _build/src/cli/les-claims-cli)
#   --baseline  the one it is compared with: a les-claims-cli path, or a git
#               revision, built (CLI only) in a temporary worktree; default main
#   --ours-only skip the baseline (its run takes minutes)
#   --pg        the same steps with CLI again on PostgreSQL, in a column of
#               their own beside SQLite's: a throwaway server (tests/pg/pg-server.sh,
#               as the tests start it: a Unix socket, fsync off), stopped at the end
#   --data DIR  a national data set; default a fresh
#               `build-aux/generate-national.py --seed 1` (6,500 practices,
#               30 services, about 3 million claims)
#
# In one run, for each CLI:
#   A. a fresh database: the reference files, then the whole claims file
#      (time and peak memory), its size, compute of the whole year (time,
#      peak), compute again with nothing changed, the exports of payments
#      and findings (time; their sha256 must match between the two CLIs);
#   B. another fresh database whose first claims import holds out the last
#      month (2025-03: the claims file is in period order, so the last
#      month is its tail): compute, then the last month of ONE service
#      (the first item service) imported and computed, then the rest of
#      that month imported and computed — the month-end case.
# The peer is sqlite3's own `.import` of the same claims file into a bare
# table (time, file size).  With --pg, a database's size on the server is
# pg_total_relation_size() summed over the tables of its schema, and peak
# memory is the client's (the server's is not measured).  Timings on a
# shared machine vary: the load average is printed with the table; repeat
# and take the best.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

ours_only=0
pg=0
data=
baseline=main
cli=
while [ $# -gt 0 ]; do
  case $1 in
    --ours-only) ours_only=1 ;;
    --pg) pg=1 ;;
    --data) data=$2; shift ;;
    --baseline) baseline=$2; shift ;;
    -h|--help) sed -n '4,34p' "$0"; exit 0 ;;
    *) cli=$1 ;;
  esac
  shift
done
cli=${cli:-_build/src/cli/les-claims-cli}
cli=$(realpath "$cli")
for tool in /usr/bin/time sqlite3 python3; do
  command -v "$tool" >/dev/null || { echo "bench-national.sh needs $tool" >&2; exit 2; }
done

work=$(mktemp -d)
pg_dir=
cleanup () {
  if [ -n "${base_tree:-}" ]; then git -C "$root" worktree remove --force "$base_tree" >/dev/null 2>&1 || true; fi
  if [ -n "$pg_dir" ]; then
    bash "$root/tests/pg/pg-server.sh" stop "$pg_dir" >/dev/null 2>&1 || true
    rm -rf "$pg_dir"
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# PostgreSQL: a server of its own, as the tests start it (in a folder beside
# $work, not in it: under root the server runs as postgres, who must reach it)
if [ "$pg" = 1 ]; then
  pg_bin=$(bash tests/pg/pg-server.sh bindir) || exit 2
  pg_dir=$(mktemp -d "${TMPDIR:-/tmp}/les-bench-pg.XXXXXX")
  if ! bash tests/pg/pg-server.sh start "$pg_dir" >"$work/pg-start.log" 2>&1; then
    echo "bench-national.sh: the PostgreSQL server did not start:" >&2
    cat "$work/pg-start.log" >&2
    exit 1
  fi
  # only this server, whatever the environment says
  unset PGHOSTADDR PGPORT PGDATABASE PGUSER PGPASSWORD PGPASSFILE PGSERVICE PGSERVICEFILE PGOPTIONS \
    PGSSLMODE PGREQUIRESSL PGCONNECT_TIMEOUT PGTARGETSESSIONATTRS
  export PGHOST=$pg_dir
fi

if [ -z "$data" ]; then
  data=$work/data
  python3 build-aux/generate-national.py --seed 1 --out "$data" >/dev/null
fi
data=$(realpath "$data")

# The held-out month, and the service whose month comes first
head -n 1 "$data/claims.csv" > "$work/header.csv"
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
         { print $(col["period"]) > "/dev/stdout" }' "$data/claims.csv" | tail -n 1 > "$work/last-period"
last=$(cat "$work/last-period")
awk -F, -v last="$last" -v dir="$work" '
  NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; print > (dir "/claims-first.csv");
            print > (dir "/claims-last-one.csv"); print > (dir "/claims-last-rest.csv"); next }
  $(col["period"]) != last { print > (dir "/claims-first.csv"); next }
  one == "" { one = $(col["service_code"]) }
  $(col["service_code"]) == one { print > (dir "/claims-last-one.csv"); next }
  { print > (dir "/claims-last-rest.csv") }' "$data/claims.csv"
n_claims=$(($(wc -l < "$data/claims.csv") - 1))
n_one=$(($(wc -l < "$work/claims-last-one.csv") - 1))
n_rest=$(($(wc -l < "$work/claims-last-rest.csv") - 1))
csv_bytes=$(stat -c %s "$data/claims.csv")

# The baseline: a CLI, or a revision built in a temporary worktree
base_cli=
if [ "$ours_only" = 0 ]; then
  if [ -x "$baseline" ] && ! [ -d "$baseline" ]; then
    base_cli=$(realpath "$baseline")
  else
    base_tree=$work/baseline-tree
    git -C "$root" worktree add --detach "$base_tree" "$baseline" >/dev/null 2>&1
    meson setup "$base_tree/_build" "$base_tree" >"$work/baseline-build.log" 2>&1
    ninja -C "$base_tree/_build" -j 2 src/cli/les-claims-cli >>"$work/baseline-build.log" 2>&1
    base_cli=$base_tree/_build/src/cli/les-claims-cli
  fi
fi

results=$work/results
: > "$results"
record () { echo "$1 $2 $3" >> "$results"; }         # side key value

# Runs a command, records its seconds (and peak MB when asked)
timed () {
  local side=$1 key=$2 peak=$3; shift 3
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null
  read -r secs kb < "$work/time"
  record "$side" "$key" "$secs"
  if [ "$peak" = peak ]; then record "$side" "$key-peak" "$((kb / 1024))"; fi
}

db_bytes () {
  if [ "$backend" = pg ]; then
    "$pg_bin/psql" -X -q -A -t -d "$1" -c "SELECT sum (pg_total_relation_size (c.oid))::bigint
      FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
      WHERE n.nspname = current_schema () AND c.relkind IN ('r', 'm')"
    return
  fi
  sqlite3 "$1" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
  stat -c %s "$1"
}

# A new database for one run: a file, or a database on the server
new_db () {   # new_db NAME: prints where it is
  if [ "$backend" = pg ]; then
    "$pg_bin/dropdb" --if-exists "$1" >/dev/null 2>&1
    "$pg_bin/createdb" "$1"
    echo "postgresql:///$1?host=$pg_dir"
  else
    echo "$work/$1.db"
  fi
}

drop_db () {
  if [ "$backend" = pg ]; then
    "$pg_bin/dropdb" "$(echo "$1" | sed 's|^postgresql:///||; s|?.*||')"
  else
    rm -f "$1" "$1-wal" "$1-shm"
  fi
}

reference_kinds="practices list-sizes services rules signups cohorts allocations"
after_kinds="patient-activity achievements ledger"

run_side () {
  local side=$1 cli=$2 backend=${3:-sqlite} db start end
  # A: the whole year at once
  db=$(new_db "$side-a")
  # each database its own key file (a CLI that keeps no key ignores it)
  export LES_CLAIMS_KEY_FILE=$work/$side-a.key
  "$cli" --db "$db" init >/dev/null
  start=$(date +%s%N)
  for kind in $reference_kinds; do
    [ -f "$data/$kind.csv" ] && "$cli" --db "$db" import "$kind" "$data/$kind.csv" >/dev/null
  done
  end=$(date +%s%N)
  record "$side" refs "$(awk -v d=$((end - start)) 'BEGIN { printf "%.2f", d / 1e9 }')"
  timed "$side" import peak "$cli" --db "$db" import claims "$data/claims.csv"
  for kind in $after_kinds; do
    [ -f "$data/$kind.csv" ] && "$cli" --db "$db" import "$kind" "$data/$kind.csv" >/dev/null
  done
  record "$side" size-import "$(db_bytes "$db")"
  sync
  timed "$side" compute peak "$cli" --db "$db" compute --year 2024/25
  timed "$side" again peak "$cli" --db "$db" compute --year 2024/25
  record "$side" size-compute "$(db_bytes "$db")"
  for kind in payments findings reconciliation; do
    timed "$side" "export-$kind" peak "$cli" --db "$db" export "$kind" --year 2024/25 -o "$work/$side-$kind.csv"
    record "$side" "sha-$kind" "$(sha256sum < "$work/$side-$kind.csv" | cut -c1-16)"
  done
  drop_db "$db"

  # B: the last month comes later, one service first
  db=$(new_db "$side-b")
  export LES_CLAIMS_KEY_FILE=$work/$side-b.key
  "$cli" --db "$db" init >/dev/null
  for kind in $reference_kinds; do
    [ -f "$data/$kind.csv" ] && "$cli" --db "$db" import "$kind" "$data/$kind.csv" >/dev/null
  done
  timed "$side" import-first peak "$cli" --db "$db" import claims "$work/claims-first.csv"
  for kind in $after_kinds; do
    [ -f "$data/$kind.csv" ] && "$cli" --db "$db" import "$kind" "$data/$kind.csv" >/dev/null
  done
  timed "$side" compute-first peak "$cli" --db "$db" compute --year 2024/25
  timed "$side" import-one peak "$cli" --db "$db" import claims "$work/claims-last-one.csv"
  timed "$side" compute-one peak "$cli" --db "$db" compute --year 2024/25
  timed "$side" import-rest peak "$cli" --db "$db" import claims "$work/claims-last-rest.csv"
  timed "$side" compute-rest peak "$cli" --db "$db" compute --year 2024/25
  "$cli" --db "$db" export payments --year 2024/25 -o "$work/$side-b-payments.csv"
  record "$side" sha-b-payments "$(sha256sum < "$work/$side-b-payments.csv" | cut -c1-16)"
  drop_db "$db"
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# The peer: sqlite3's own import of the same files into a bare table
timed peer import no sqlite3 "$work/bare.db" ".mode csv" ".import $data/claims.csv claims"
record peer size-import "$(stat -c %s "$work/bare.db")"
timed peer import-first no sqlite3 "$work/bare-first.db" ".mode csv" ".import $work/claims-first.csv claims"
rm -f "$work/bare.db" "$work/bare-first.db"

run_side ours "$cli"
if [ "$pg" = 1 ]; then
  run_side pg "$cli" pg
fi
if [ -n "$base_cli" ]; then
  run_side base "$base_cli"
fi
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

python3 - "$results" "$n_claims" "$n_one" "$n_rest" "$csv_bytes" "$last" "$load_before" "$load_after" \
  "$cli" "${base_cli:-}" "$baseline" "$pg" <<'PY'
import sys
path, n_claims, n_one, n_rest, csv_bytes, last, load_before, load_after, ours_cli, base_cli, baseline, pg = sys.argv[1:]
has_pg = pg == "1"
r = {}
for line in open(path):
    side, key, value = line.split()
    r[(side, key)] = value
has_base = bool(base_cli)
MB = 1048576

def num(side, key):
    v = r.get((side, key))
    return None if v is None else float(v)

def secs(v):
    return "—" if v is None else f"{v:.2f} s"

def size(v):
    return "—" if v is None else f"{v / MB:,.0f} MB"

def ratio(a, b):
    return "" if a is None or b is None or b == 0 else f"{a / b:.2f}×"

rows = []
def row(label, key, fmt=secs, peer_key=None, peer_fmt=None, peak=False):
    o, b = num("ours", key), num("base", key)
    p = num("peer", peer_key) if peer_key else None
    cell = lambda v, side: fmt(v) + (f", {int(num(side, key + '-peak'))} MB" if peak and v is not None
                                     and num(side, key + "-peak") is not None else "")
    cells = [label, cell(b, "base") if has_base else "", cell(o, "ours"),
             (peer_fmt or fmt)(p) if peer_key else "—", ratio(o, p) if peer_key else "",
             ratio(o, b) if has_base else ""]
    if has_pg:
        g = num("pg", key)
        cells[3:3] = [cell(g, "pg"), ratio(g, o)]
    rows.append(tuple(cells))

n = int(n_claims)
row(f"import claims ({n:,} rows)", "import", peak=True, peer_key="import")
row("import claims, all but the last month", "import-first", peak=True, peer_key="import-first")
row("reference files (practices … allocations)", "refs")
row("database after import", "size-import", size, peer_key="size-import")
row("database after compute", "size-compute", size)
cells = ["  ÷ the claims CSV (" + size(float(csv_bytes)) + ")", "" if not has_base else
         ratio(num("base", "size-compute"), float(csv_bytes)),
         ratio(num("ours", "size-compute"), float(csv_bytes)), "", "", ""]
if has_pg:
    cells[3:3] = [ratio(num("pg", "size-compute"), float(csv_bytes)), ""]
rows.append(tuple(cells))
row("compute, whole year", "compute", peak=True)
row("compute again, nothing changed", "again", peak=True)
row("compute, all but the last month (first)", "compute-first", peak=True)
row(f"import {last} of one service ({int(n_one):,} claims)", "import-one")
row("  compute after it", "compute-one", peak=True)
row(f"import the rest of {last} ({int(n_rest):,} claims)", "import-rest")
row("  compute after it", "compute-rest", peak=True)
row("export payments", "export-payments", peak=True)
row("export findings", "export-findings", peak=True)
row("export reconciliation", "export-reconciliation")

head = ["step", f"baseline ({baseline})" if has_base else "baseline", "ours", "peer: sqlite3 .import", "ours/peer",
        "ours/baseline"]
if has_pg:
    head[3:3] = ["ours on PostgreSQL", "PostgreSQL/SQLite"]
widths = [max(len(str(x[i])) for x in rows + [head]) for i in range(len(head))]
def line(cells):
    return "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths)) + " |"
print(line(head))
print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
for x in rows:
    print(line(x))
print()
print(f"load average before {load_before}, after {load_after}; ours: {ours_cli}"
      + (f"; baseline: {base_cli}" if has_base else ""))
for kind in ("payments", "findings", "reconciliation"):
    o, b = r.get(("ours", "sha-" + kind)), r.get(("base", "sha-" + kind))
    if has_base:
        print(f"export {kind}: ours and baseline {'identical' if o == b else 'DIFFERENT'} (sha256 {o}…)")
    else:
        print(f"export {kind}: sha256 {o}…")
    if has_pg:
        g = r.get(("pg", "sha-" + kind))
        print(f"export {kind}: ours on PostgreSQL and on SQLite {'identical' if g == o else 'DIFFERENT'}"
              f" (sha256 {g}…)")
for side in ("ours",) + (("pg",) if has_pg else ()) + (("base",) if has_base else ()):
    same = r.get((side, "sha-payments")) == r.get((side, "sha-b-payments"))
    name = "ours on PostgreSQL" if side == "pg" else side
    print(f"{name}: payments after the month in two steps {'identical to' if same else 'DIFFERENT from'} "
          "the whole year at once")
PY
