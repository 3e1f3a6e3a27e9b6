/* les-sql-results.c: the statements that read a year's stored results — its compute, reconciliation and exports. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "les-sql.h"

/* FORMATS.md orders the exports by bytes: every text column compares that
 * way on both backends (SQLite's default BINARY, PostgreSQL's schema declares
 * COLLATE "C"), so no query names a collation. */

const char les_sql_results_compute[] =
  "SELECT to_period, computed_at, computed_by FROM computes WHERE year = ?1";

/* RULES.md 7: ?1 the year, ?2 the last period computed (the ledger's cut-off). */
const char les_sql_results_reconciliation[] =
  "SELECT s.service_code, s.name, s.budget, "
  "COALESCE (t.payable, 0), COALESCE (t.held, 0), "
  "(SELECT COALESCE (SUM (l.amount), 0) FROM ledger AS l "
  " WHERE l.year = s.year AND l.service_code = s.service_code AND l.period <= ?2) "
  "FROM services AS s LEFT JOIN service_totals AS t "
  "ON t.year = s.year AND t.service_code = s.service_code "
  "WHERE s.year = ?1 ORDER BY s.service_code";

const char les_sql_results_payments[] =
  "SELECT practice_code, service_code, rule_code, period, units, gross, payable, held "
  "FROM payment_lines WHERE year = ?1 ORDER BY practice_code, service_code, rule_code, period";

/* Byte order with a blank before any value (RULES.md 9). */
const char les_sql_results_findings[] =
  "SELECT severity, code, practice_code, service_code, rule_code, period, claim_ref, "
  "message FROM findings WHERE year = ?1 ORDER BY code, COALESCE (practice_code, ''), "
  "COALESCE (service_code, ''), COALESCE (rule_code, ''), COALESCE (period, ''), "
  "COALESCE (claim_ref, ''), id";
