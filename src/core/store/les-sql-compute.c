/* les-sql-compute.c: the statements of computing a year — reading its inputs, writing its results. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "les-sql.h"

/* The compute's merge of stored and new lines (strcmp) needs the stored
 * lines in byte order: every text column compares that way on both backends
 * (SQLite's default BINARY, PostgreSQL's schema declares COLLATE "C"), so no
 * query names a collation, which each database would spell its own way. */

/* Reading the year */

const char les_sql_compute_services[] =
  "SELECT service_code, name, cap_mode, budget, schedule, claim_frequency, "
  "claim_deadline_days, start_date, end_date FROM services WHERE year = ?1";

const char les_sql_compute_rules[] =
  "SELECT service_code, rule_code, kind, rate, rate_per, base, max_units_per_practice, "
  "max_per_patient, fixed_amount, upfront_pct, lower_pct, upper_pct, settlement "
  "FROM rules WHERE year = ?1";

const char les_sql_compute_practices[] =
  "SELECT practice_code, close_date FROM practices";

const char les_sql_compute_list_sizes[] =
  "SELECT practice_code, date, registered, weighted FROM list_sizes";

const char les_sql_compute_signups[] =
  "SELECT practice_code, service_code, from_date, to_date FROM signups WHERE year = ?1";

const char les_sql_compute_cohorts[] =
  "SELECT practice_code, service_code, size FROM cohorts WHERE year = ?1";

const char les_sql_compute_allocations[] =
  "SELECT practice_code, service_code, block_amount, cap_amount FROM allocations WHERE year = ?1";

const char les_sql_compute_achievements[] =
  "SELECT practice_code, service_code, achieved_pct FROM achievements WHERE year = ?1";

/* The claims in scope (RULES.md 9): ?1 the year, ?2 and ?3 its first and
 * last period, ?4 the one service.  A whole year is read in table order:
 * the unary plus keeps SQLite off the by-service index, which would visit
 * the table at random (to other databases it is the same integer).  One
 * service is read by that index, whose rows come in id order: the period
 * made an expression (|| '') keeps SQLite off the by-period index, which
 * spans the year. */
const char les_sql_compute_claims_all[] =
  "SELECT id, claim_ref, practice_code, service_code, item_code, period, count, submitted_date "
  "FROM claims WHERE +year = ?1 AND period >= ?2 AND period <= ?3 "
  "AND status NOT IN ('rejected', 'withdrawn') ORDER BY id";

const char les_sql_compute_claims_one[] =
  "SELECT id, claim_ref, practice_code, service_code, item_code, period, count, submitted_date "
  "FROM claims WHERE year = ?1 AND period || '' >= ?2 AND period || '' <= ?3 "
  "AND status NOT IN ('rejected', 'withdrawn') AND service_code = ?4 ORDER BY id";

/* Patient lines drive the join (CROSS JOIN keeps SQLite to that order): a
 * year without any costs nothing. */
const char les_sql_compute_patient_lines_all[] =
  "SELECT c.id, p.line_no, p.nhs_hash, p.activity_date "
  "FROM patient_lines AS p CROSS JOIN claims AS c "
  "WHERE c.claim_ref = p.claim_ref AND c.year = ?1 AND c.period >= ?2 AND c.period <= ?3 "
  "AND c.status NOT IN ('rejected', 'withdrawn')";

const char les_sql_compute_patient_lines_one[] =
  "SELECT c.id, p.line_no, p.nhs_hash, p.activity_date "
  "FROM patient_lines AS p CROSS JOIN claims AS c "
  "WHERE c.claim_ref = p.claim_ref AND c.year = ?1 AND c.period >= ?2 AND c.period <= ?3 "
  "AND c.status NOT IN ('rejected', 'withdrawn') AND c.service_code = ?4";

/* Clearing a year's results: a table that holds only that year is emptied
 * whole, which SQLite does without visiting each row. */

const char les_sql_compute_findings_years[] =
  "SELECT min(year), max(year) FROM findings";

const char les_sql_compute_findings_clear[] =
  "DELETE FROM findings";

const char les_sql_compute_findings_clear_year[] =
  "DELETE FROM findings WHERE year = ?1";

const char les_sql_compute_totals_years[] =
  "SELECT min(year), max(year) FROM service_totals";

const char les_sql_compute_totals_clear[] =
  "DELETE FROM service_totals";

const char les_sql_compute_totals_clear_year[] =
  "DELETE FROM service_totals WHERE year = ?1";

/* Writing the results */

/* @rows rows of VALUES, (?1, …, ?@columns), (?@columns+1, …), …; each
 * parameter cast to its column's type in @types when given */
static void
append_rows (GString *sql, guint rows, guint columns, const char *const *types)
{
  for (guint r = 0; r < rows; r++)
    {
      g_string_append (sql, r == 0 ? "(" : ", (");
      for (guint c = 1; c <= columns; c++)
        {
          if (c > 1)
            g_string_append (sql, ", ");
          if (types != NULL)
            g_string_append_printf (sql, "CAST(?%u AS %s)", r * columns + c, types[c - 1]);
          else
            g_string_append_printf (sql, "?%u", r * columns + c);
        }
      g_string_append_c (sql, ')');
    }
}

/**
 * les_sql_compute_insert_findings:
 * @rows: how many findings one statement inserts
 *
 * Finding r (from 0) binds ?(9r + 1) … ?(9r + 9): year, severity, code,
 * practice_code, service_code, rule_code, period, claim_ref, message.  The
 * rows go in in the order given, so their ids keep the order found.
 *
 * Returns: (transfer full): the INSERT of @rows findings.
 */
char *
les_sql_compute_insert_findings (guint rows)
{
  GString *sql = g_string_new ("INSERT INTO findings (year, severity, code, practice_code, service_code, "
                               "rule_code, period, claim_ref, message) VALUES ");

  append_rows (sql, rows, LES_SQL_COMPUTE_FINDING_COLUMNS, NULL);
  return g_string_free (sql, FALSE);
}

/* The table's key gives this order (bytes) without sorting. */
const char les_sql_compute_stored_lines[] =
  "SELECT practice_code, service_code, rule_code, period, units, gross, payable, held "
  "FROM payment_lines WHERE year = ?1 ORDER BY practice_code, service_code, rule_code, period";

/* One service's lines (?2) in the same order: practice by practice, each
 * a range of the key, since the lines have no index by service */
const char les_sql_compute_stored_lines_of_service[] =
  "SELECT l.practice_code, l.service_code, l.rule_code, l.period, l.units, l.gross, l.payable, l.held "
  "FROM practices AS p CROSS JOIN payment_lines AS l "
  "WHERE l.year = ?1 AND l.practice_code = p.practice_code AND l.service_code = ?2 "
  "ORDER BY p.practice_code, l.rule_code, l.period";

const char les_sql_compute_delete_line[] =
  "DELETE FROM payment_lines WHERE year = ?1 AND practice_code = ?2 AND service_code = ?3 "
  "AND rule_code = ?4 AND period = ?5";

/**
 * les_sql_compute_update_lines:
 * @rows: how many lines one statement updates
 *
 * Line r (from 0) binds ?(9r + 1) … ?(9r + 9) as
 * les_sql_compute_insert_lines() does; the first five find the line, the
 * others are its new figures.  VALUES names its columns column1 … column9
 * on both backends; the casts give them types PostgreSQL can compare.
 *
 * Returns: (transfer full): the UPDATE of @rows payment lines.
 */
char *
les_sql_compute_update_lines (guint rows)
{
  static const char *const types[LES_SQL_COMPUTE_LINE_COLUMNS] = {
    "INTEGER", "TEXT", "TEXT", "TEXT", "TEXT", "BIGINT", "BIGINT", "BIGINT", "BIGINT",
  };
  GString *sql = g_string_new ("UPDATE payment_lines SET units = v.column6, gross = v.column7, "
                               "payable = v.column8, held = v.column9 FROM (VALUES ");

  append_rows (sql, rows, LES_SQL_COMPUTE_LINE_COLUMNS, types);
  g_string_append (sql, ") AS v WHERE payment_lines.year = v.column1 AND payment_lines.practice_code = v.column2 "
                   "AND payment_lines.service_code = v.column3 AND payment_lines.rule_code = v.column4 "
                   "AND payment_lines.period = v.column5");
  return g_string_free (sql, FALSE);
}

/**
 * les_sql_compute_insert_lines:
 * @rows: how many lines one statement inserts
 *
 * Many rows per INSERT take far fewer statement steps.  Line r (from 0)
 * binds ?(9r + 1) … ?(9r + 9): year, practice_code, service_code,
 * rule_code, period, units, gross, payable, held.
 *
 * Returns: (transfer full): the INSERT of @rows payment lines.
 */
char *
les_sql_compute_insert_lines (guint rows)
{
  GString *sql = g_string_new ("INSERT INTO payment_lines (year, practice_code, service_code, rule_code, period, "
                               "units, gross, payable, held) VALUES ");

  append_rows (sql, rows, LES_SQL_COMPUTE_LINE_COLUMNS, NULL);
  return g_string_free (sql, FALSE);
}

const char les_sql_compute_insert_total[] =
  "INSERT INTO service_totals (year, service_code, payable, held, n_lines, gross, n_claims, n_findings, "
  "n_errors) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";

/* A compute that redoes some services (?2) replaces what they had */
const char les_sql_compute_findings_clear_service[] =
  "DELETE FROM findings WHERE year = ?1 AND service_code = ?2";

const char les_sql_compute_totals_clear_service[] =
  "DELETE FROM service_totals WHERE year = ?1 AND service_code = ?2";

/* The year's services' totals, which the compute adds up exactly */
const char les_sql_compute_year_totals[] =
  "SELECT n_lines, gross, payable, held, n_claims, n_findings, n_errors FROM service_totals WHERE year = ?1";

/* The services whose inputs changed since the year's compute ('': all) */
const char les_sql_compute_stale[] =
  "SELECT service_code FROM stale_services WHERE year = ?1";

const char les_sql_compute_n_services[] =
  "SELECT count(*) FROM services WHERE year = ?1";

const char les_sql_compute_stale_clear[] =
  "DELETE FROM stale_services WHERE year = ?1";

/* ?5 ?6 ?7: the year's counters of changes when the compute read it (les-year-status.c) */
const char les_sql_compute_upsert_compute[] =
  "INSERT INTO computes (year, to_period, computed_at, computed_by, imports_seen, edits_seen, decisions_seen) "
  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (year) DO UPDATE SET "
  "to_period = excluded.to_period, computed_at = excluded.computed_at, "
  "computed_by = excluded.computed_by, imports_seen = excluded.imports_seen, "
  "edits_seen = excluded.edits_seen, decisions_seen = excluded.decisions_seen";
