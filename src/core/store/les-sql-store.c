/* les-sql-store.c: the store's own statements — meta, audit, years, counts. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "les-sql.h"

const char les_sql_meta_get[] =
  "SELECT value FROM meta WHERE key = ?1";

const char les_sql_meta_insert[] =
  "INSERT INTO meta (key, value) VALUES (?1, ?2)";

const char les_sql_meta_set[] =
  "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value";

const char les_sql_meta_delete_old_key[] =
  "DELETE FROM meta WHERE key = 'nhs_hmac_key'";

/* ---- the sealed audit trail and payment runs (les-chain.c) ---- */

#define AUDIT_COLUMNS "id, at, os_user, action, table_name, row_key, before, after, digest, seal"

const char les_sql_audit_insert[] =
  "INSERT INTO audit (" AUDIT_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";

const char les_sql_audit_last[] =
  "SELECT id, seal FROM audit ORDER BY id DESC LIMIT 1";

const char les_sql_audit_all[] =
  "SELECT " AUDIT_COLUMNS " FROM audit ORDER BY id";

const char les_sql_audit_set_seal[] =
  "UPDATE audit SET seal = ?2 WHERE id = ?1";

const char les_sql_audit_set_run_digest[] =
  "UPDATE audit SET digest = ?2 WHERE action = 'payment-run' AND row_key = ?1";

const char les_sql_audit_runs[] =
  "SELECT id, row_key, digest FROM audit WHERE action = 'payment-run' ORDER BY id";

const char les_sql_chain_runs[] =
  "SELECT run_id, year, month, created_at, created_by, total, n_lines, claims_upto, claims_seal, seal "
  "FROM payment_runs WHERE ?1 = 0 OR year = ?1 ORDER BY run_id";

const char les_sql_chain_run_lines[] =
  "SELECT id, run_id, year, practice_code, service_code, rule_code, period, units, rate, gross, payable, held, "
  "held_reason, corrects_id FROM paid_lines WHERE run_id = ?1 ORDER BY id";

/* The claims behind a run's original lines, as imported (their status may
 * change later, and is audited when it does); ?1 year, ?2 run, ?3 claims_upto */
const char les_sql_chain_run_claims[] =
  "SELECT c.id, c.claim_ref, c.practice_code, c.service_code, c.year, c.item_code, c.period, c.count, "
  "c.submitted_date FROM claims AS c WHERE c.year = ?1 AND c.id <= ?3 AND EXISTS (SELECT 1 FROM paid_lines AS p "
  "WHERE p.year = c.year AND p.practice_code = c.practice_code AND p.service_code = c.service_code "
  "AND p.rule_code = c.item_code AND p.period = c.period AND p.run_id = ?2 AND p.corrects_id IS NULL) "
  "ORDER BY c.id";

const char les_sql_chain_max_claim[] =
  "SELECT coalesce (max (id), 0) FROM claims";

const char les_sql_chain_set_run_seal[] =
  "UPDATE payment_runs SET claims_upto = ?2, claims_seal = ?3, seal = ?4 WHERE run_id = ?1";

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

const char les_sql_sqlite_secure_delete_on[] =
  "PRAGMA secure_delete = ON";

const char les_sql_sqlite_secure_delete_off[] =
  "PRAGMA secure_delete = OFF";

const char les_sql_sqlite_checkpoint_truncate[] =
  "PRAGMA wal_checkpoint(TRUNCATE)";

const char les_sql_chain_run[] =
  "SELECT run_id, year, month, created_at, created_by, total, n_lines FROM payment_runs WHERE run_id = ?1";
/* PostgreSQL keeps the version in a table of its own, which a new database lacks */
const char les_sql_pg_has_schema[] =
  "SELECT to_regclass ('schema_version') IS NOT NULL";

const char les_sql_pg_schema_version[] =
  "SELECT version FROM schema_version";

const char les_sql_pg_set_schema_version[] =
  "UPDATE schema_version SET version = ?1";

/* Who the server says this connection is: the audit trail's user on a server */
const char les_sql_pg_session_user[] =
  "SELECT session_user";

/* Tells every listening client that a table changed (sent at commit, never
 * for a rollback); ?2 names the client, which ignores its own */
const char les_sql_pg_notify_change[] =
  "SELECT pg_notify ('les_changes', CAST (?1 AS text) || chr (9) || CAST (?2 AS text) || chr (9) || session_user)";
