#!/usr/bin/env bash
# pg-server.sh: a throwaway PostgreSQL server for the tests, in a folder of its own, reached by a Unix socket only.
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   tests/pg/pg-server.sh start DIR   initdb into DIR/data, start the server, print DIR (its socket folder);
#                                     a server stopped in DIR starts again with its data (a restart)
#   tests/pg/pg-server.sh stop DIR    stop the server started in DIR (DIR is left for the caller to remove)
#   tests/pg/pg-server.sh bindir      print the folder of initdb and pg_ctl, or fail when not installed
#
# The server listens on no TCP port (listen_addresses = '') and its socket is
# DIR/.s.PGSQL.5432, so clients reach it with PGHOST=DIR (or host=DIR in a
# connection string). Local connections are trusted: only who can enter DIR
# (mode 0700) reaches the socket. fsync is off: a test's data need not survive
# a power cut, and committing without it is several times faster.
#
# The server refuses to run as root, so under root (CI's containers) it runs
# as the unprivileged "postgres" user Debian's postgresql package creates, and
# DIR is given to that user. The database superuser is named after whoever
# called this script, so that its libpq clients connect without a user name.
# Debian keeps initdb and pg_ctl in /usr/lib/postgresql/VERSION/bin, off PATH;
# PG_BINDIR names another folder.
set -euo pipefail

bindir () {
  local dir
  if [ -n "${PG_BINDIR:-}" ] && [ -x "$PG_BINDIR/initdb" ]; then
    echo "$PG_BINDIR"
    return 0
  fi
  # on PATH, perhaps as a link into the folder that has createdb and psql too
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    dir=$(dirname "$(readlink -f "$(command -v initdb)")")
    if [ -x "$dir/pg_ctl" ] && [ -x "$dir/createdb" ]; then
      echo "$dir"
      return 0
    fi
  fi
  # the newest installed version
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -n -r); do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
      echo "$dir"
      return 0
    fi
  done
  echo "pg-server.sh: PostgreSQL is not installed (Debian package postgresql; or set PG_BINDIR)" >&2
  return 1
}

# runs "$@" as the server's user
as_server () {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

cmd=${1:-}
case "$cmd" in
  bindir)
    bindir
    ;;
  start)
    dir=${2:?usage: pg-server.sh start DIR}
    bin=$(bindir)
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    if [ -f "$dir/data/postgresql.conf" ]; then
      # stopped by "stop DIR": the same server again, as after a restart
      as_server "$bin/pg_ctl" --pgdata="$dir/data" --log="$dir/server.log" --wait --silent start \
        || { cat "$dir/server.log" >&2; exit 1; }
      echo "$dir"
      exit 0
    fi
    chmod 700 "$dir"
    if [ "$(id -u)" = 0 ]; then
      if ! id postgres >/dev/null 2>&1; then
        echo "pg-server.sh: running as root, and there is no unprivileged postgres user to run the server" >&2
        exit 1
      fi
      chown postgres: "$dir"
    fi
    as_server "$bin/initdb" --pgdata="$dir/data" --username="$(id -un)" --auth=trust \
      --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    cat >>"$dir/data/postgresql.conf" <<EOF
# pg-server.sh: a test server on a Unix socket only, in $dir
listen_addresses = ''
unix_socket_directories = '$dir'
unix_socket_permissions = 0700
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 40
shared_buffers = 32MB
EOF
    as_server "$bin/pg_ctl" --pgdata="$dir/data" --log="$dir/server.log" --wait --silent start \
      || { cat "$dir/server.log" >&2; exit 1; }
    echo "$dir"
    ;;
  stop)
    dir=${2:?usage: pg-server.sh stop DIR}
    bin=$(bindir)
    [ -f "$dir/data/postmaster.pid" ] || exit 0
    as_server "$bin/pg_ctl" --pgdata="$dir/data" --mode=fast --wait --silent stop
    ;;
  *)
    echo "usage: pg-server.sh start DIR | stop DIR | bindir" >&2
    exit 2
    ;;
esac
