/* les-adjustments.c: adjustments to paid lines — what a compute finds changed in what payment runs paid. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "les-adjustments.h"
#include "les-store-private.h"
#include "les-value.h"

/* Apart from les-runs.c so that the compute, which records them, and the
 * runs, which compute when they close a month, do not call each other. */

/* @month: that of the latest run of @fy that is not re-opened, 0 when none. */
static gboolean
latest_run_month (LesStore *store, int fy, gint32 *month, GError **error)
{
  LesStmt *stmt = les_store_prepare (store, les_sql_runs_latest_live, error);
  LesStep rc;

  *month = 0;
  if (stmt == NULL)
    return FALSE;
  les_stmt_bind_int64 (stmt, 1, fy);
  rc = les_stmt_step (stmt, error);
  if (rc == LES_STEP_ROW && !les_stmt_is_null (stmt, 1))
    les_period_parse (les_stmt_text (stmt, 1), month, NULL);
  les_stmt_reset (stmt);
  return rc != LES_STEP_ERROR;
}

/**
 * les_adjustments_update:
 * @to_period: the month the compute reached (YYYYMM)
 *
 * Compares every paid line of @fy up to @to_period with what the compute
 * now gives for it, and records each difference in what was paid as an
 * adjustment due in the next open month.  Pending adjustments are
 * replaced, so computing twice records nothing twice.
 */
gboolean
les_adjustments_update (LesStore *store, int fy, gint32 to_period, GError **error)
{
  LesStmt *stmt;
  gint32 last_month;
  char due_text[8], to_text[8];

  g_return_val_if_fail (LES_IS_STORE (store), FALSE);

  stmt = les_store_prepare (store, les_sql_adjustments_clear, error);
  if (stmt == NULL)
    return FALSE;
  les_stmt_bind_int64 (stmt, 1, fy);
  if (!les_stmt_run (stmt, error))
    return FALSE;
  if (!latest_run_month (store, fy, &last_month, error))
    return FALSE;
  if (last_month == 0)
    return TRUE;

  /* after March, the month after the year: docs/payment-runs.md */
  les_period_format (les_period_add_months (last_month, 1), due_text);
  les_period_format (to_period, to_text);
  stmt = les_store_prepare (store, les_sql_adjustments_insert, error);
  if (stmt == NULL)
    return FALSE;
  les_stmt_bind_int64 (stmt, 1, fy);
  les_stmt_bind_text (stmt, 2, due_text);
  les_stmt_bind_text (stmt, 3, to_text);
  return les_stmt_run (stmt, error);
}
