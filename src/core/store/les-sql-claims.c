/* les-sql-claims.c: the statements of claim decisions — reading and setting a claim's status, finding claims. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "les-sql.h"

const char les_sql_claims_get_status[] =
  "SELECT claim_ref, status, status_reason, year, service_code FROM claims WHERE id = ?1";

const char les_sql_claims_set_status[] =
  "UPDATE claims SET status = ?1, status_reason = ?2 WHERE id = ?3";

/* the compare-and-set of a decision: only while the claim has the status it
 * was seen with (?4); a server re-reads the row after waiting for its lock */
const char les_sql_claims_set_status_if[] =
  "UPDATE claims SET status = ?1, status_reason = ?2 WHERE id = ?3 AND status = ?4";

const char les_sql_claims_id_for_ref[] =
  "SELECT id FROM claims WHERE claim_ref = ?1";

const char les_sql_claims_ids_for_year[] =
  "SELECT id, status FROM claims WHERE year = ?1 ORDER BY id";

/* approving in bulk never overrides a person's query or rejection, and
 * touches only claims the last compute has checked */
const char les_sql_claims_approvable_ids_for_year[] =
  "SELECT c.id, c.status FROM claims AS c JOIN computes AS k ON k.year = c.year "
  "WHERE c.year = ?1 AND c.status = 'submitted' AND c.period <= k.to_period "
  "AND NOT EXISTS (SELECT 1 FROM findings AS f WHERE f.claim_ref = c.claim_ref "
  "AND f.year = c.year AND f.severity = 'error') ORDER BY c.id";

/* who last decided on a claim, for a decision refused because of it; the
 * newest rows are read first, and a decision made meanwhile is among them */
const char les_sql_claims_last_decision[] =
  "SELECT os_user, at FROM audit WHERE table_name = 'claims' AND row_key = ?1 "
  "AND action IN ('set-status', 'undo-set-status') ORDER BY id DESC LIMIT 1";

/* ---- a claim's detail (les-claim-detail.c) ---- */

const char les_sql_claims_detail[] =
  "SELECT c.id, c.claim_ref, c.year, c.practice_code, p.practice_name, p.pcn_code, n.pcn_name, "
  "  c.service_code, s.name, s.claim_frequency, c.item_code, r.description, r.kind, r.rate, c.period, "
  "  c.count, c.submitted_date, c.status, c.status_reason "
  "FROM claims AS c "
  "LEFT JOIN practices AS p ON p.practice_code = c.practice_code "
  "LEFT JOIN pcns AS n ON n.pcn_code = p.pcn_code "
  "LEFT JOIN services AS s ON s.service_code = c.service_code AND s.year = c.year "
  "LEFT JOIN rules AS r ON r.service_code = c.service_code AND r.year = c.year AND r.rule_code = c.item_code "
  "WHERE c.id = ?1";

/* whether each line's NHS number was valid: the number itself is never stored */
const char les_sql_claims_patient_lines[] =
  "SELECT line_no, CASE WHEN nhs_hash IS NULL THEN 0 ELSE 1 END, activity_date FROM patient_lines "
  "WHERE claim_ref = ?1 ORDER BY line_no";

/* ?1 year, ?2 claim_ref, ?3 practice, ?4 service, ?5 rule, ?6 period: the
 * claim's findings, then those of its line (caps) and of its practice and
 * rule (OUTLIER) */
const char les_sql_claims_findings[] =
  "SELECT severity, code, message, 0 FROM findings WHERE year = ?1 AND claim_ref = ?2 "
  "UNION ALL "
  "SELECT severity, code, message, 1 FROM findings WHERE year = ?1 "
  "AND code IN ('OVER_UNIT_CAP', 'OVER_PRACTICE_CAP', 'OVER_SERVICE_CAP', 'OUTLIER') "
  "AND claim_ref IS NULL AND practice_code = ?3 AND service_code = ?4 AND rule_code = ?5 "
  "AND (period = ?6 OR period IS NULL)";

/* RULES.md 9: of the claims a compute counts with the same practice,
 * service, item and period, the first by submitted date, then reference
 * in byte order */
const char les_sql_claims_original[] =
  "SELECT id, claim_ref FROM claims WHERE year = ?1 AND practice_code = ?2 AND service_code = ?3 "
  "AND item_code = ?4 AND period = ?5 AND status NOT IN ('rejected', 'withdrawn') "
  "ORDER BY submitted_date, claim_ref LIMIT 1";

const char les_sql_claims_history[] =
  "SELECT at, os_user, action, before, after FROM audit WHERE table_name = 'claims' AND row_key = ?1 "
  "ORDER BY id DESC";

/* ?1 year, ?2 practice, ?3 service, ?4 rule, ?5 period */
const char les_sql_claims_line[] =
  "SELECT units, gross, payable, held FROM payment_lines WHERE year = ?1 AND practice_code = ?2 "
  "AND service_code = ?3 AND rule_code = ?4 AND period = ?5";

const char les_sql_claims_line_paid_run[] =
  "SELECT min (p.run_id) FROM paid_lines AS p "
  "JOIN payment_runs AS r ON r.run_id = p.run_id AND r.reopened_at IS NULL "
  "WHERE p.year = ?1 AND p.practice_code = ?2 AND p.service_code = ?3 AND p.rule_code = ?4 "
  "AND p.period = ?5 AND p.corrects_id IS NULL";

/* Whether the last compute looked at the claim (counted and in its
 * months), and whether it found an error on it */
const char les_sql_claims_check[] =
  "SELECT CASE WHEN k.year IS NOT NULL AND c.period <= k.to_period "
  "  AND c.status NOT IN ('rejected', 'withdrawn') THEN 1 ELSE 0 END, "
  "  CASE WHEN EXISTS (SELECT 1 FROM findings AS f WHERE f.claim_ref = c.claim_ref AND f.year = c.year "
  "  AND f.severity = 'error') THEN 1 ELSE 0 END "
  "FROM claims AS c LEFT JOIN computes AS k ON k.year = c.year WHERE c.id = ?1";
