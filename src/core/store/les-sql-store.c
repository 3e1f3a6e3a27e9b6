/* les-sql-store.c: the store's own statements — meta, audit, years, counts. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "les-sql.h"

const char les_sql_meta_get[] =
  "SELECT value FROM meta WHERE key = ?1";

const char les_sql_meta_insert[] =
  "INSERT INTO meta (key, value) VALUES (?1, ?2)";

const char les_sql_audit_insert[] =
  "INSERT INTO audit (at, os_user, action, table_name, row_key, before, after) "
  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";

const char les_sql_years[] =
  "SELECT DISTINCT year FROM services ORDER BY year";

const char les_sql_sqlite_user_version[] =
  "PRAGMA user_version";

const char les_sql_count_rows[] =
  "SELECT count(*) FROM %s";

const char les_sql_sqlite_set_user_version[] =
  "PRAGMA user_version = %d";

/* Services whose results are out of date (les_store_mark_stale()); '' is
 * every service of the year */
const char les_sql_stale_mark[] =
  "INSERT INTO stale_services (year, service_code) VALUES (?1, ?2) ON CONFLICT DO NOTHING";

/* a change every year's compute reads (practices, list sizes): every year
 * computed so far; one never computed is computed whole anyway */
const char les_sql_stale_mark_every_year[] =
  "INSERT INTO stale_services (year, service_code) SELECT year, '' FROM computes WHERE 1 = 1 "
  "ON CONFLICT DO NOTHING";

/* A migration runs with references unchecked (SQLite allows the change
 * only outside a transaction; other backends ignore it) */
const char les_sql_sqlite_foreign_keys_off[] =
  "PRAGMA foreign_keys = OFF";

const char les_sql_sqlite_foreign_keys_on[] =
  "PRAGMA foreign_keys = ON";

/* PostgreSQL keeps the version in a table of its own, which a new database lacks */
const char les_sql_pg_has_schema[] =
  "SELECT to_regclass ('schema_version') IS NOT NULL";

const char les_sql_pg_schema_version[] =
  "SELECT version FROM schema_version";

const char les_sql_pg_set_schema_version[] =
  "UPDATE schema_version SET version = ?1";
