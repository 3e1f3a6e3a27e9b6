/* les-adjustments.c: adjustments to paid lines — what a compute finds changed in what payment runs paid. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "les-adjustments.h"
#include "les-store-private.h"
#include "les-value.h"

/* Apart from les-runs.c so that the compute, which records them, and the
 * runs, which compute when they close a month, do not call each other. */

/**
 * les_adjustments_latest_run:
 * @run_id: (out) (optional): its number, 0 when there is none
 * @month: (out) (optional): its month, 0 when there is none
 *
 * The latest run of @fy that is not re-opened, which adjustments follow
 * and the month end starts after.
 */
gboolean
les_adjustments_latest_run (LesStore *store, int fy, gint64 *run_id, gint32 *month, GError **error)
{
  LesStmt *stmt;
  LesStep rc;

  g_return_val_if_fail (LES_IS_STORE (store), FALSE);

  if (run_id != NULL)
    *run_id = 0;
  if (month != NULL)
    *month = 0;
  stmt = les_store_prepare (store, les_sql_runs_latest_live, error);
  if (stmt == NULL)
    return FALSE;
  les_stmt_bind_int64 (stmt, 1, fy);
  rc = les_stmt_step (stmt, error);
  if (rc == LES_STEP_ROW)
    {
      if (run_id != NULL)
        *run_id = les_stmt_int64 (stmt, 0);
      if (month != NULL)
        *month = les_stmt_period (stmt, 1);
    }
  les_stmt_reset (stmt);
  return rc != LES_STEP_ERROR;
}

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
  if (!les_adjustments_latest_run (store, fy, NULL, &last_month, error))
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
