/* les-sql-runs.c: the statements of payment runs, adjustments to paid lines, statements and the finance report. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "les-sql.h"

/* The model is in docs/payment-runs.md.  The SQL below is written over a
 * line key (year, practice_code, service_code, rule_code, period) of a
 * table aliased K. */

/* Claim errors that keep a claim out of its line (patient-line errors do not). */
#define CLAIM_ERRORS \
  "('NOT_SIGNED_UP', 'PRACTICE_CLOSED', 'OUTSIDE_SERVICE_DATES', 'WRONG_PERIOD', 'LATE', 'DUPLICATE', " \
  "'COUNT_MISMATCH')"

#define SAME_KEY(a, b) \
  a ".year = " b ".year AND " a ".practice_code = " b ".practice_code AND " a ".service_code = " \
  b ".service_code AND " a ".rule_code = " b ".rule_code AND " a ".period = " b ".period"

/* The line keys of @fy (?1) up to the run's month (?2) that an error keeps
 * from being paid, and for item rules whether every claim that makes the
 * line up is approved: worked out once per statement, then looked up per
 * line (a lookup per line in claims would read a month of claims a line
 * at national scale). */
#define APPROVAL_TABLES \
  "WITH line_errors AS MATERIALIZED (SELECT DISTINCT practice_code, service_code, rule_code, period " \
  "FROM findings WHERE year = ?1 AND code IN ('NO_LIST_SIZE', 'NO_COHORT', 'NO_ALLOCATION')), " \
  "item_keys AS MATERIALIZED (SELECT c.practice_code, c.service_code, c.item_code AS rule_code, c.period, " \
  "max (CASE WHEN c.status <> 'approved' THEN 1 ELSE 0 END) AS blocked FROM claims AS c " \
  "WHERE c.year = ?1 AND c.period <= ?2 " \
  "AND c.status NOT IN ('rejected', 'withdrawn') AND NOT EXISTS (SELECT 1 FROM findings AS e " \
  "WHERE e.claim_ref = c.claim_ref AND e.year = c.year AND e.code IN " CLAIM_ERRORS ") " \
  "GROUP BY c.practice_code, c.service_code, c.item_code, c.period)"

#define SAME_LINE(a, b) \
  a ".practice_code = " b ".practice_code AND " a ".service_code = " b ".service_code AND " \
  a ".rule_code = " b ".rule_code AND " a ".period = " b ".period"

/* A line may be paid: no error on it, and for an item rule every claim
 * that makes it up approved (scheduled lines need no approval).  Needs
 * APPROVAL_TABLES, and a line of ?1 whose period is ?2 or earlier. */
#define APPROVED(k) \
  "NOT EXISTS (SELECT 1 FROM line_errors AS f WHERE " SAME_LINE ("f", k) ") " \
  "AND (NOT EXISTS (SELECT 1 FROM rules AS r WHERE r.year = " k ".year AND r.service_code = " k ".service_code " \
  "AND r.rule_code = " k ".rule_code AND r.kind = 'item') " \
  "OR EXISTS (SELECT 1 FROM item_keys AS i WHERE " SAME_LINE ("i", k) " AND i.blocked = 0))"

/* The held reasons of every line of ?1 (codes of the line's cap findings,
 * comma-separated, in alphabetical order), worked out once for a statement
 * that pays or adjusts many lines.  The codes are three known words, so
 * each is a flag and the list their concatenation: no string aggregate,
 * which every database spells differently. */
#define HELD_CODE(word) \
  "max (CASE WHEN code = '" word "' THEN '," word "' ELSE '' END)"
#define HELD_REASONS \
  "held AS MATERIALIZED (SELECT practice_code, service_code, rule_code, period, " \
  "substr (" HELD_CODE ("OVER_PRACTICE_CAP") " || " HELD_CODE ("OVER_SERVICE_CAP") " || " \
  HELD_CODE ("OVER_UNIT_CAP") ", 2) AS codes " \
  "FROM findings WHERE year = ?1 AND code IN ('OVER_UNIT_CAP', 'OVER_PRACTICE_CAP', 'OVER_SERVICE_CAP') " \
  "GROUP BY practice_code, service_code, rule_code, period)"

#define LIVE_PAID(p) \
  "paid_lines AS " p " JOIN payment_runs AS " p "r ON " p "r.run_id = " p ".run_id AND " p "r.reopened_at IS NULL"

/* Lines of @fy (?1) up to the run's month (?2) not yet paid and approved. */
#define DUE_LINES \
  "FROM payment_lines AS k WHERE k.year = ?1 AND k.period <= ?2 " \
  "AND NOT EXISTS (SELECT 1 FROM " LIVE_PAID ("p") " WHERE p.corrects_id IS NULL AND " SAME_KEY ("p", "k") ") " \
  "AND " APPROVED ("k")

/* Pending adjustments whose line is gone (a recovery) or approved. */
#define DUE_ADJUSTMENTS \
  "FROM adjustments AS a JOIN paid_lines AS o ON o.id = a.corrects_id " \
  "LEFT JOIN payment_lines AS pl ON " SAME_KEY ("pl", "o") " " \
  "WHERE a.year = ?1 AND (pl.year IS NULL OR " APPROVED ("o") ")"

#define RUN_COLUMNS \
  "run_id, year, month, created_at, created_by, total, n_lines, reopened_at, reopened_by, reopen_reason"

/* ---- runs ---- */

const char les_sql_runs_latest_live[] =
  "SELECT run_id, month FROM payment_runs WHERE year = ?1 "
  "AND reopened_at IS NULL ORDER BY month DESC, run_id DESC LIMIT 1";

const char les_sql_runs_list[] =
  "SELECT " RUN_COLUMNS " FROM payment_runs WHERE year = ?1 ORDER BY run_id DESC";

const char les_sql_runs_get[] =
  "SELECT " RUN_COLUMNS " FROM payment_runs WHERE run_id = ?1";

/* Where each unpaid line of ?1 and each pending adjustment stands for a
 * run of ?2, by service: what 0 paid, 1 waiting for approval, 2 of a
 * later month; adjustments 3 paid, 4 waiting.  A later month's line is
 * never asked whether it is approved (item_keys covers ?2 and earlier):
 * CASE takes the first condition that holds. */
const char les_sql_runs_preview[] =
  APPROVAL_TABLES ", "
  "unpaid AS (SELECT k.service_code, CASE WHEN k.period > ?2 THEN 2 WHEN " APPROVED ("k") " THEN 0 ELSE 1 END "
  "  AS what, k.payable, k.held FROM payment_lines AS k WHERE k.year = ?1 "
  "  AND NOT EXISTS (SELECT 1 FROM " LIVE_PAID ("p") " WHERE p.corrects_id IS NULL AND " SAME_KEY ("p", "k") ")), "
  "pending AS (SELECT o.service_code, CASE WHEN pl.year IS NULL OR " APPROVED ("o") " THEN 3 ELSE 4 END AS what, "
  "  a.payable, a.held FROM adjustments AS a JOIN paid_lines AS o ON o.id = a.corrects_id "
  "  LEFT JOIN payment_lines AS pl ON " SAME_KEY ("pl", "o") " WHERE a.year = ?1), "
  "due AS (SELECT service_code, what, payable, held FROM unpaid "
  "  UNION ALL SELECT service_code, what, payable, held FROM pending) "
  "SELECT d.service_code, s.name, d.what, count (*), coalesce (sum (d.payable), 0), "
  "  sum (CASE WHEN d.held <> 0 THEN 1 ELSE 0 END), coalesce (sum (d.held), 0) "
  "FROM due AS d LEFT JOIN services AS s ON s.year = ?1 AND s.service_code = d.service_code "
  "GROUP BY d.service_code, s.name, d.what ORDER BY d.service_code, d.what";

/* The next number after the highest, given here rather than by the
 * database: SQLite's rowid does the same, but a PostgreSQL sequence would
 * leave a gap for every run given up ("nothing is due"), and finance quotes
 * these numbers.  Writers are serialised, so no two runs take one number. */
const char les_sql_runs_insert[] =
  "INSERT INTO payment_runs (run_id, year, month, created_at, created_by, total, n_lines) "
  "VALUES ((SELECT coalesce (max (run_id), 0) + 1 FROM payment_runs), ?1, ?2, ?3, ?4, 0, 0) RETURNING run_id";

const char les_sql_runs_pay_lines[] =
  APPROVAL_TABLES ", " HELD_REASONS " "
  "INSERT INTO paid_lines (run_id, year, practice_code, service_code, rule_code, period, units, rate, gross, "
  "  payable, held, held_reason, corrects_id) "
  "SELECT ?3, k.year, k.practice_code, k.service_code, k.rule_code, k.period, k.units, "
  "  (SELECT r.rate FROM rules AS r WHERE r.year = k.year AND r.service_code = k.service_code "
  "   AND r.rule_code = k.rule_code), k.gross, k.payable, k.held, "
  "  (SELECT h.codes FROM held AS h WHERE " SAME_LINE ("h", "k") "), NULL "
  DUE_LINES " ORDER BY k.practice_code, k.service_code, k.rule_code, k.period";

const char les_sql_runs_pay_adjustments[] =
  APPROVAL_TABLES " "
  "INSERT INTO paid_lines (run_id, year, practice_code, service_code, rule_code, period, units, rate, gross, "
  "  payable, held, held_reason, corrects_id) "
  "SELECT ?3, a.year, o.practice_code, o.service_code, o.rule_code, o.period, a.units, o.rate, a.gross, "
  "  a.payable, a.held, a.held_reason, a.corrects_id " DUE_ADJUSTMENTS;

const char les_sql_runs_drop_paid_adjustments[] =
  "DELETE FROM adjustments WHERE year = ?1 AND corrects_id IN "
  "(SELECT corrects_id FROM paid_lines WHERE run_id = ?2 AND corrects_id IS NOT NULL)";

const char les_sql_runs_postpone_adjustments[] =
  "UPDATE adjustments SET due_period = ?2 WHERE year = ?1";

const char les_sql_runs_set_totals[] =
  "UPDATE payment_runs SET "
  "total = (SELECT coalesce (sum (payable), 0) FROM paid_lines WHERE run_id = ?1), "
  "n_lines = (SELECT count (*) FROM paid_lines WHERE run_id = ?1) WHERE run_id = ?1";

const char les_sql_runs_reopen[] =
  "UPDATE payment_runs SET reopened_at = ?2, reopened_by = ?3, reopen_reason = ?4 "
  "WHERE run_id = ?1";

const char les_sql_runs_practices[] =
  "SELECT l.practice_code, coalesce (p.practice_name, '') "
  "FROM (SELECT DISTINCT practice_code FROM paid_lines WHERE run_id = ?1) AS l "
  "LEFT JOIN practices AS p ON p.practice_code = l.practice_code "
  "ORDER BY l.practice_code";

const char les_sql_runs_statement_practice[] =
  "SELECT p.practice_code, p.practice_name, p.pcn_code, n.pcn_name FROM practices AS p "
  "LEFT JOIN pcns AS n ON n.pcn_code = p.pcn_code WHERE p.practice_code = ?1";

const char les_sql_runs_statement_lines[] =
  "SELECT p.id, p.service_code, s.name, p.rule_code, r.description, r.kind, p.period, "
  "  p.units, p.rate, p.gross, p.payable, p.held, p.held_reason, p.corrects_id, o.run_id, "
  /* an adjustment has the key of the line it corrects: through the key's index */
  "  CASE WHEN o.id IS NULL THEN 0 ELSE "
  "  (SELECT coalesce (sum (q.payable), 0) FROM " LIVE_PAID ("q") " WHERE "
  SAME_KEY ("q", "o") " AND (q.id = o.id OR q.corrects_id = o.id) "
  "   AND q.run_id < p.run_id) END "
  "FROM paid_lines AS p "
  "LEFT JOIN services AS s ON s.service_code = p.service_code AND s.year = p.year "
  /* an achievement line (RULE:ACH) is described by its rule */
  "LEFT JOIN rules AS r ON r.year = p.year AND r.service_code = p.service_code "
  "  AND r.rule_code = CASE WHEN substr (p.rule_code, length (p.rule_code) - 3) = ':ACH' "
  "  THEN substr (p.rule_code, 1, length (p.rule_code) - 4) ELSE p.rule_code END "
  "LEFT JOIN paid_lines AS o ON o.id = p.corrects_id "
  "WHERE p.run_id = ?1 AND p.practice_code = ?2 "
  "ORDER BY p.corrects_id IS NOT NULL, p.service_code, p.rule_code, p.period, p.id";

/* The claims a run paid a practice for (?1 year, ?2 practice, ?3 run): on
 * each item line it paid or adjusted, the claims that make it up —
 * approved, and without a claim error — in line order */
const char les_sql_runs_statement_claims[] =
  "SELECT c.service_code, c.item_code, c.period, c.claim_ref FROM claims AS c "
  "WHERE c.year = ?1 AND c.practice_code = ?2 AND c.status = 'approved' "
  "AND EXISTS (SELECT 1 FROM paid_lines AS p WHERE p.run_id = ?3 AND p.practice_code = c.practice_code "
  "  AND p.service_code = c.service_code AND p.rule_code = c.item_code AND p.period = c.period) "
  "AND NOT EXISTS (SELECT 1 FROM findings AS e WHERE e.claim_ref = c.claim_ref AND e.year = c.year "
  "  AND e.code IN " CLAIM_ERRORS ") "
  "ORDER BY c.service_code, c.item_code, c.period, c.claim_ref";

/* The decisions on claims that go on run ?2's statements (?1 its year):
 * those audited after the previous live run and before run ?2, told by
 * the ids of the runs' own audit rows (times have only seconds).  Returns
 * the previous run (0: none) and the audit ids between which they lie. */
#define RUN_AUDIT_ID(run) \
  "(SELECT max (a.id) FROM audit AS a WHERE a.table_name = 'payment_runs' AND a.action = 'payment-run' " \
  "AND a.row_key = CAST (" run " AS TEXT))"
const char les_sql_runs_decision_window[] =
  "WITH previous AS (SELECT max (run_id) AS run_id FROM payment_runs WHERE year = ?1 AND run_id < ?2 "
  "  AND reopened_at IS NULL) "
  "SELECT coalesce (p.run_id, 0), coalesce (" RUN_AUDIT_ID ("p.run_id") ", 0), "
  "  coalesce (" RUN_AUDIT_ID ("?2") ", 9223372036854775807) FROM previous AS p";

/* The latest decision on a claim was made between two runs: its audit id
 * from ?3 to ?4, the ids between the runs' own (a later decision, say an
 * approval after a query, takes it out) */
#define DECIDED_BETWEEN(c) \
  "(SELECT max (a.id) FROM audit AS a WHERE a.table_name = 'claims' AND a.row_key = " c ".claim_ref) " \
  "BETWEEN ?3 AND ?4"

/* The practice's claims rejected or queried (?1 year, ?2 practice) by a
 * decision between the previous run and this one */
const char les_sql_runs_statement_decisions[] =
  "SELECT c.claim_ref, c.service_code, s.name, c.item_code, c.period, c.count, c.status, c.status_reason "
  "FROM claims AS c LEFT JOIN services AS s ON s.service_code = c.service_code AND s.year = c.year "
  "WHERE c.year = ?1 AND c.practice_code = ?2 AND c.status IN ('rejected', 'queried') "
  "AND " DECIDED_BETWEEN ("c") " "
  "ORDER BY c.service_code, c.period, c.claim_ref";

/* Every practice a run's statements go to (?1 run, ?2 year, ?3 ?4 the
 * window of decisions): those it paid, and those with claims rejected or
 * queried since the previous run */
const char les_sql_runs_statement_practices[] =
  "SELECT l.practice_code, coalesce (p.practice_name, '') FROM "
  "(SELECT practice_code FROM paid_lines WHERE run_id = ?1 "
  " UNION SELECT c.practice_code FROM claims AS c WHERE c.year = ?2 AND c.status IN ('rejected', 'queried') "
  " AND " DECIDED_BETWEEN ("c") ") AS l "
  "LEFT JOIN practices AS p ON p.practice_code = l.practice_code "
  "ORDER BY l.practice_code";

/* ?1 the run: its totals per service, from its lines (by the run's index) */
const char les_sql_runs_insert_totals[] =
  "INSERT INTO run_totals (run_id, service_code, paid, n_lines) "
  "SELECT run_id, service_code, sum (payable), count (*) FROM paid_lines WHERE run_id = ?1 "
  "GROUP BY run_id, service_code";

/* What live runs of ?1 have paid per service: a few rows a run */
const char les_sql_runs_paid_by_service[] =
  "SELECT t.service_code, sum (t.paid) FROM run_totals AS t "
  "JOIN payment_runs AS r ON r.run_id = t.run_id AND r.reopened_at IS NULL WHERE r.year = ?1 "
  "GROUP BY t.service_code";

/* ?1 year: per service its budget, payable and held to date (the last
 * compute), and what live runs have paid */
const char les_sql_runs_paid_outstanding[] =
  "WITH paid AS (SELECT t.service_code, sum (t.paid) AS paid FROM run_totals AS t "
  "  JOIN payment_runs AS r ON r.run_id = t.run_id AND r.reopened_at IS NULL WHERE r.year = ?1 "
  "  GROUP BY t.service_code) "
  "SELECT s.service_code, s.name, s.budget, coalesce (t.payable, 0), coalesce (t.held, 0), "
  "  coalesce (p.paid, 0) "
  "FROM services AS s LEFT JOIN service_totals AS t ON t.year = s.year AND t.service_code = s.service_code "
  "LEFT JOIN paid AS p ON p.service_code = s.service_code "
  "WHERE s.year = ?1 ORDER BY s.service_code";

const char les_sql_runs_live_count[] =
  "SELECT count (*), max (month) FROM payment_runs WHERE year = ?1 "
  "AND reopened_at IS NULL";

/* ---- adjustments ---- */

const char les_sql_adjustments_clear[] =
  "DELETE FROM adjustments WHERE year = ?1";

/* ?2 the month they are due in, ?3 the month the compute reached */
const char les_sql_adjustments_insert[] =
  /* each paid line found by its id from the sums: a join of two
   * materialised tables would be a nested scan of both */
  "WITH sums AS (SELECT coalesce (p.corrects_id, p.id) AS root, sum (p.units) AS units, "
  "  count (p.units) AS n_units, sum (p.gross) AS gross, sum (p.payable) AS payable, "
  "  sum (p.held) AS held FROM " LIVE_PAID ("p") " WHERE p.year = ?1 GROUP BY root), "
  HELD_REASONS " "
  "INSERT INTO adjustments (year, corrects_id, due_period, units, gross, payable, held, "
  "  held_reason) "
  "SELECT ?1, o.id, ?2, "
  "  CASE WHEN pl.units IS NULL AND s.n_units = 0 THEN NULL "
  "  ELSE coalesce (pl.units, 0) - coalesce (s.units, 0) END, "
  "  coalesce (pl.gross, 0) - s.gross, coalesce (pl.payable, 0) - s.payable, "
  "  coalesce (pl.held, 0) - s.held, (SELECT h.codes FROM held AS h WHERE "
  SAME_LINE ("h", "o") ") "
  "FROM sums AS s JOIN paid_lines AS o ON o.id = s.root "
  "JOIN payment_runs AS r ON r.run_id = o.run_id AND r.reopened_at IS NULL "
  "LEFT JOIN payment_lines AS pl ON " SAME_KEY ("pl", "o") " "
  "WHERE o.corrects_id IS NULL AND o.period <= ?3 "
  "AND coalesce (pl.payable, 0) <> s.payable";

const char les_sql_adjustments_pending[] =
  "SELECT count (*), coalesce (sum (payable), 0) FROM adjustments WHERE year = ?1";
