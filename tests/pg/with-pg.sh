#!/usr/bin/env bash
# with-pg.sh: runs one test (a TAP script or program) against a throwaway PostgreSQL server of its own.
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   tests/pg/with-pg.sh COMMAND [ARGS...]
#
# Starts a server in a new temporary folder (pg-server.sh), runs COMMAND with
# LES_TEST_BACKEND=postgresql and PGHOST at the server's socket, and stops the
# server and removes the folder at the end, whatever happens. COMMAND makes a
# database of its own for each scenario (createdb, or CREATE DATABASE), so the
# scenarios of one script share the server and nothing else.
#
# Without PostgreSQL (Debian package postgresql) the test is skipped on a
# developer's machine, and fails in CI (CI=true), where .ci/run installs it.
set -u

here=$(cd "$(dirname "$0")" && pwd)

if ! bindir=$(bash "$here/pg-server.sh" bindir 2>/dev/null); then
  if [ "${CI:-}" = true ]; then
    echo "1..1"
    echo "not ok 1 - PostgreSQL is installed (Debian package postgresql; build-aux/deps.sh installs it)"
    exit 1
  fi
  echo "1..0 # SKIP PostgreSQL is not installed (Debian package postgresql)"
  exit 0
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/les-pg.XXXXXX")
stop () {
  bash "$here/pg-server.sh" stop "$dir" >/dev/null 2>&1
  rm -rf "$dir"
}
trap stop EXIT
trap 'exit 130' INT TERM

if ! bash "$here/pg-server.sh" start "$dir" >"$dir.start.log" 2>&1; then
  echo "Bail out! the test server did not start"
  sed 's/^/# /' "$dir.start.log"
  rm -f "$dir.start.log"
  exit 1
fi
rm -f "$dir.start.log"

# only this server, whatever the environment says
unset PGHOSTADDR PGPORT PGDATABASE PGUSER PGPASSWORD PGPASSFILE PGSERVICE PGSERVICEFILE PGOPTIONS \
  PGSSLMODE PGREQUIRESSL PGCONNECT_TIMEOUT PGTARGETSESSIONATTRS
export PGHOST=$dir
export PG_BINDIR=$bindir
export LES_TEST_BACKEND=postgresql

"$@"
