/* les-sql-claims.c: the statements of claim decisions — reading and setting a claim's status, finding claims. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "les-sql.h"

const char les_sql_claims_get_status[] =
  "SELECT claim_ref, status, status_reason, year, service_code FROM claims WHERE id = ?1";

const char les_sql_claims_set_status[] =
  "UPDATE claims SET status = ?1, status_reason = ?2 WHERE id = ?3";

const char les_sql_claims_id_for_ref[] =
  "SELECT id FROM claims WHERE claim_ref = ?1";

const char les_sql_claims_ids_for_year[] =
  "SELECT id FROM claims WHERE year = ?1 ORDER BY id";

/* approving in bulk never overrides a person's query or rejection, and
 * touches only claims the last compute has checked */
const char les_sql_claims_approvable_ids_for_year[] =
  "SELECT c.id FROM claims AS c JOIN computes AS k ON k.year = c.year "
  "WHERE c.year = ?1 AND c.status = 'submitted' AND c.period <= k.to_period "
  "AND NOT EXISTS (SELECT 1 FROM findings AS f WHERE f.claim_ref = c.claim_ref "
  "AND f.year = c.year AND f.severity = 'error') ORDER BY c.id";
