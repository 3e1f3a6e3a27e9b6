# db-lib.sh: the databases of the CLI test scripts — SQLite files, or PostgreSQL databases on the test server.
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Sourced by the scripts after they set $work (their temporary folder). With
# LES_TEST_BACKEND=postgresql (tests/pg/with-pg.sh sets it, with PGHOST and
# PG_BINDIR) each database is a new one on that server; otherwise a file in
# $work. The scripts then run the same commands on either.

les_test_backend=${LES_TEST_BACKEND:-sqlite}

# new_db NAME: makes an empty database and prints what --db takes for it
new_db () {
  if [ "$les_test_backend" = postgresql ]; then
    # a database name of lower-case letters, digits and underscores
    local name
    name=les_$(printf '%s' "$1" | tr 'A-Z' 'a-z' | tr -c 'a-z0-9_' '_')
    "$PG_BINDIR/createdb" "$name" || return 1
    printf 'postgresql:///%s\n' "$name"
  else
    printf '%s/%s.db\n' "$work" "$1"
  fi
}

# db_query DB SQL: the rows of a query, one a line, columns separated by |
db_query () {
  if [ "$les_test_backend" = postgresql ]; then
    "$PG_BINDIR/psql" -X -q -A -t -v ON_ERROR_STOP=1 -d "$1" -c "$2"
  else
    sqlite3 "$1" "$2"
  fi
}

# db_can_query: whether db_query has its client (sqlite3 or psql)
db_can_query () {
  if [ "$les_test_backend" = postgresql ]; then
    [ -x "$PG_BINDIR/psql" ]
  else
    command -v sqlite3 >/dev/null
  fi
}
