/* les-sql-year.c: the statements of a year's month end — the month it is computed to, and what changed since. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "les-sql.h"

/* See docs/payment-runs.md ("Month end") and les-year-status.c. */

/* ?1 the year: what year_state and the year's compute hold (one row,
 * NULLs where there is none of either) */
const char les_sql_year_status[] =
  "SELECT y.to_period, coalesce (y.imports, 0), coalesce (y.edits, 0), coalesce (y.decisions, 0), "
  "  y.changed_at, k.to_period, k.computed_at, k.computed_by, k.imports_seen, k.edits_seen, "
  "  k.decisions_seen "
  "FROM (SELECT CAST (?1 AS INTEGER) AS year) AS q "
  "LEFT JOIN year_state AS y ON y.year = q.year "
  "LEFT JOIN computes AS k ON k.year = q.year";

/* the latest month with claims: one probe of the (year, period) index */
const char les_sql_year_last_claim_period[] =
  "SELECT max (period) FROM claims WHERE year = ?1";

/* ?1 year, ?2 YYYY-MM or NULL (the default) */
const char les_sql_year_set_to_period[] =
  "INSERT INTO year_state (year, to_period) VALUES (?1, ?2) "
  "ON CONFLICT (year) DO UPDATE SET to_period = excluded.to_period";

/* ?1 year, ?2 ?3 ?4 what to add to imports, edits and decisions, ?5 when */
const char les_sql_year_note_change[] =
  "INSERT INTO year_state (year, imports, edits, decisions, changed_at) VALUES (?1, ?2, ?3, ?4, ?5) "
  "ON CONFLICT (year) DO UPDATE SET imports = year_state.imports + excluded.imports, "
  "edits = year_state.edits + excluded.edits, decisions = year_state.decisions + excluded.decisions, "
  "changed_at = excluded.changed_at";

/* ?1 year: the counters a compute records as seen */
const char les_sql_year_counters[] =
  "SELECT imports, edits, decisions FROM year_state WHERE year = ?1";
