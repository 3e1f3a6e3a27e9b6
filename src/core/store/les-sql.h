/* les-sql.h: every SQL statement of the core, by area; the texts live in les-sql-*.c beside the store. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "les-kinds.h"

/* Portable SQL: numbered parameters (?1, ?2, …), 64-bit integers for money,
 * upserts as ON CONFLICT, RETURNING instead of last-row ids, no SQLite-only
 * functions where a standard form does the same.  A backend may adapt the
 * text when it prepares it (PostgreSQL's $1 for ?1). */

/* ---- the store itself (les-sql-store.c) ---- */
extern const char les_sql_meta_get[];
extern const char les_sql_meta_insert[];
extern const char les_sql_audit_insert[];
extern const char les_sql_years[];
extern const char les_sql_sqlite_user_version[];
extern const char les_sql_sqlite_set_user_version[];  /* printf format: the version */
extern const char les_sql_count_rows[];   /* printf format: the table name (one of the schema's) */

/* ---- computing a year (les-sql-compute.c) ---- */

/* ---- stored results and reconciliation (les-sql-results.c) ---- */

/* ---- imports and exports of each kind (les-sql-io.c) ---- */
char *les_sql_export_select (const LesKindInfo *info);

/* ---- payment runs and adjustments (les-sql-runs.c) ---- */

/* ---- claim decisions (les-sql-claims.c) ---- */

/* ---- the claims model (les-sql-claim-list.c) ---- */

/* ---- the service editor (les-sql-services.c) ---- */

/* ---- the screens' tables (les-sql-screens.c) ---- */
