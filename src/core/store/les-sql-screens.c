/* les-sql-screens.c: the statements of the application's read-only tables (services, practices, drill-downs). */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "les-sql.h"

/* The live payment run that first paid the line @l, NULL when none: by
 * the paid lines' key index */
#define PAID_RUN(l) \
  "(SELECT min (p.run_id) FROM paid_lines AS p JOIN payment_runs AS r ON r.run_id = p.run_id " \
  "AND r.reopened_at IS NULL WHERE p.year = " l ".year AND p.practice_code = " l ".practice_code " \
  "AND p.service_code = " l ".service_code AND p.rule_code = " l ".rule_code AND p.period = " l ".period " \
  "AND p.corrects_id IS NULL)"

const char les_sql_screen_services[] =
  "SELECT s.service_code, s.name, s.cap_mode, s.budget, s.schedule, s.claim_frequency, "
  " (SELECT count(*) FROM rules r WHERE r.service_code = s.service_code AND r.year = s.year), "
  " (SELECT count(DISTINCT practice_code) FROM signups g WHERE g.service_code = s.service_code AND g.year = s.year), "
  " (SELECT count(*) FROM claims c WHERE c.year = s.year AND c.service_code = s.service_code) "
  "FROM services s WHERE s.year = ?1 ORDER BY s.service_code";

const char les_sql_screen_practices[] =
  "SELECT p.practice_code, p.practice_name, p.pcn_code, n.pcn_name, l.registered, l.weighted, "
  " (SELECT count(DISTINCT service_code) FROM signups g WHERE g.practice_code = p.practice_code AND g.year = ?1) "
  "FROM practices p LEFT JOIN pcns n ON n.pcn_code = p.pcn_code "
  "LEFT JOIN list_sizes l ON l.practice_code = p.practice_code AND l.date = "
  " (SELECT max(date) FROM list_sizes m WHERE m.practice_code = p.practice_code) "
  "ORDER BY p.practice_code";

/* ---- one practice: ?1 its code, ?2 the year ---- */

const char les_sql_screen_practice_list_sizes[] =
  "SELECT date, registered, weighted FROM list_sizes WHERE practice_code = ?1 ORDER BY date DESC";

const char les_sql_screen_practice_signups[] =
  "SELECT g.service_code, s.name, g.from_date, g.to_date FROM signups g "
  "JOIN services s ON s.service_code = g.service_code AND s.year = g.year "
  "WHERE g.practice_code = ?1 AND g.year = ?2 ORDER BY g.service_code, g.from_date";

const char les_sql_screen_practice_cohorts[] =
  "SELECT g.service_code, s.name, g.size FROM cohorts g "
  "JOIN services s ON s.service_code = g.service_code AND s.year = g.year "
  "WHERE g.practice_code = ?1 AND g.year = ?2 ORDER BY g.service_code";

const char les_sql_screen_practice_allocations[] =
  "SELECT g.service_code, s.name, g.block_amount, g.cap_amount FROM allocations g "
  "JOIN services s ON s.service_code = g.service_code AND s.year = g.year "
  "WHERE g.practice_code = ?1 AND g.year = ?2 ORDER BY g.service_code";

/* the practice's claims first (by their index): grouped straight from
 * claims, SQLite reads the whole year in service order (1.6 s nationally)
 * to save sorting a few hundred rows */
const char les_sql_screen_practice_claims[] =
  "WITH mine AS MATERIALIZED (SELECT service_code, item_code, status, count FROM claims "
  " WHERE practice_code = ?1 AND year = ?2) "
  "SELECT service_code, item_code, status, count(*), sum(count) FROM mine "
  "GROUP BY service_code, item_code, status ORDER BY service_code, item_code, status";

const char les_sql_screen_practice_payments[] =
  "SELECT l.service_code, l.rule_code, l.period, l.units, l.gross, l.payable, l.held, " PAID_RUN ("l") " "
  "FROM payment_lines AS l WHERE l.practice_code = ?1 AND l.year = ?2 "
  "ORDER BY l.service_code, l.rule_code, l.period";

/* ---- findings and payments of a year (?1) ---- */

const char les_sql_screen_findings_summary[] =
  "SELECT min(severity), code, count(*), count(DISTINCT claim_ref), min(message) "
  "FROM findings WHERE year = ?1 GROUP BY code ORDER BY min(severity), count(*) DESC, code";

/* ?2 the service; a PCN's name goes with its code, so grouping by both is
 * grouping by the code.  Practice by practice, each a range of the
 * lines' key (the lines have no index by service) */
const char les_sql_screen_payments_by_pcn[] =
  "SELECT p.pcn_code, n.pcn_name, count(DISTINCT l.practice_code), sum(l.gross), sum(l.payable), sum(l.held) "
  "FROM practices p CROSS JOIN payment_lines l LEFT JOIN pcns n ON n.pcn_code = p.pcn_code "
  "WHERE l.year = ?1 AND l.practice_code = p.practice_code AND l.service_code = ?2 "
  "GROUP BY p.pcn_code, n.pcn_name ORDER BY p.pcn_code, n.pcn_name";

/* ?2 the service, ?3 the PCN.  The PCN's few practices first, then their
 * lines by the lines' key: joined the other way, SQLite reads every line
 * of the year (0.24 s nationally) to save sorting a handful of rows */
const char les_sql_screen_payments_by_practice[] =
  "WITH members AS MATERIALIZED (SELECT practice_code, practice_name FROM practices "
  " WHERE pcn_code = ?3) "
  "SELECT m.practice_code, m.practice_name, count(*), sum(l.gross), sum(l.payable), sum(l.held) "
  "FROM members m JOIN payment_lines l ON l.year = ?1 AND l.practice_code = m.practice_code "
  " AND l.service_code = ?2 "
  "GROUP BY m.practice_code, m.practice_name ORDER BY m.practice_code";

/* ?2 the service, ?3 the practice */
const char les_sql_screen_payment_lines[] =
  "SELECT l.rule_code, l.period, l.units, l.gross, l.payable, l.held, " PAID_RUN ("l") " FROM payment_lines AS l "
  "WHERE l.year = ?1 AND l.service_code = ?2 AND l.practice_code = ?3 ORDER BY l.rule_code, l.period";

const char les_sql_screen_last_compute[] =
  "SELECT computed_at, to_period FROM computes WHERE year = ?1";

/* ---- codes for the filters' choices ---- */

const char les_sql_screen_service_codes[] =
  "SELECT service_code FROM services WHERE year = ?1 ORDER BY service_code";

const char les_sql_screen_pcn_codes[] =
  "SELECT pcn_code FROM pcns ORDER BY pcn_code";

const char les_sql_screen_finding_codes[] =
  "SELECT DISTINCT code FROM findings WHERE year = ?1 ORDER BY code";
